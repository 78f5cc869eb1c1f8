"""The history database: location, schema and migrations, concurrency, and bad files left untouched."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlsd.errors import BadInputError, StoreError
from mlsd.practice.store import MIGRATIONS, SCHEMA_VERSION, db_path, open_store


def _new_session(store, scenario_id="feed-ranking", stages=("requirements", "data")):
    return store.create_session(scenario_id=scenario_id, scenario_title="T", source_path=None, builtin=True, stages=stages)


# ---------------------------------------------------------------- location


def test_db_path_prefers_mlsd_home_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("MLSD_HOME", str(tmp_path / "m"))
    assert db_path() == tmp_path / "m" / "mlsd.db"
    monkeypatch.delenv("MLSD_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "x"))
    assert db_path() == tmp_path / "x" / "mlsd" / "mlsd.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert db_path() == tmp_path / "h" / ".local" / "share" / "mlsd" / "mlsd.db"


def test_new_database_is_wal_and_current_schema():
    with open_store() as store:
        assert store.path == db_path() and store.path.exists()
        assert store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(db_path())
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


# ---------------------------------------------------------------- sessions


def test_session_round_trip_and_render_api(tmp_path):
    user_file = tmp_path / "mine.yaml"
    with open_store() as store:
        sid = store.create_session(scenario_id="mine", scenario_title="My case", source_path=user_file,
                                   builtin=False, stages=("requirements", "data"), minutes=30, seed=7)
        store.save_agenda(sid, "requirements then data", 100.0, ["requirements", "data"])
        store.save_answer(sid, "requirements", answer="latency and QPS", score=55.0, covered=["a"],
                          partial={"b": 0.3}, missed=["c"], seconds=61.5, budget_seconds=90.0,
                          follow_up="why?", follow_up_answer="because")
        s = store.get_session("latest")
    assert s.id == sid and s.scenario_id == "mine" and s.scenario_title == "My case"
    assert s.scenario_ref == str(user_file) and s.source_path == user_file and not s.builtin
    assert s.stages == ("requirements", "data") and s.minutes == 30 and s.seed == 7
    assert s.agenda == "requirements then data" and s.agenda_named == ("requirements", "data")
    a = s.answers["requirements"]
    assert (a.answer, a.score, a.covered, a.partial, a.missed) == ("latency and QPS", 55.0, ("a",), {"b": 0.3}, ("c",))
    assert (a.seconds, a.budget_seconds, a.follow_up, a.follow_up_answer) == (61.5, 90.0, "why?", "because")
    assert not s.finished and s.remaining == ("data",) and s.duration_seconds == 61.5
    assert s.to_dict()["stages"] == {"requirements": {"score": 55.0, "covered": ["a"], "partial": {"b": 0.3},
                                                      "missed": ["c"], "skipped": False, "seconds": 61.5}}


def test_builtin_session_refers_to_scenario_by_id():
    with open_store() as store:
        _new_session(store)
        assert store.get_session("latest").scenario_ref == "feed-ranking"


def test_draft_does_not_count_as_answered_and_keeps_the_earlier_answer():
    with open_store() as store:
        sid = _new_session(store)
        store.save_draft(sid, "requirements", "half typed", 12.0)
        s = store.get_session(sid)
        assert s.drafts["requirements"].text == "half typed" and s.drafts["requirements"].seconds == 12.0
        assert s.answers == {} and s.remaining == ("requirements", "data")
        store.save_answer(sid, "data", answer="first answer", score=40)
        store.save_draft(sid, "data", "a new try, half typed")  # after :back
        s = store.get_session(sid)
        assert s.answers["data"].answer == "first answer" and s.drafts["data"].text.startswith("a new try")
        store.save_answer(sid, "data", answer="a new try, finished", score=60)
        s = store.get_session(sid)
        assert s.answers["data"].answer == "a new try, finished" and "data" not in s.drafts


def test_agenda_draft_is_kept_until_the_agenda_is_saved():
    with open_store() as store:
        sid = _new_session(store)
        store.save_draft(sid, "agenda", "requirements, then da")
        s = store.get_session(sid)
        assert s.drafts["agenda"].text == "requirements, then da" and s.agenda is None
        assert s.remaining == ("requirements", "data")  # the agenda is not a step
        store.save_agenda(sid, "requirements, then data", 100.0, ["requirements", "data"])
        s = store.get_session(sid)
        assert "agenda" not in s.drafts and s.agenda_score == 100.0


def test_skipped_steps_are_not_counted_as_answered():
    with open_store() as store:
        sid = _new_session(store, stages=("requirements", "data", "model"))
        store.save_answer(sid, "requirements", answer="an answer", score=80)
        store.save_answer(sid, "data", answer="", score=0, skipped=True)
        s = store.get_session(sid)
        assert s.answered == ("requirements",) and s.remaining == ("model",)
        row = s.summary()
        assert (row["stages_answered"], row["stages_skipped"], row["stages"]) == (1, 1, 3)


def test_get_session_by_id_latest_filters_and_errors():
    with open_store() as store:
        with pytest.raises(BadInputError, match="no saved session yet"):
            store.get_session("latest")
        a = _new_session(store, "feed-ranking")
        b = _new_session(store, "churn")
        store.finish_session(b, 50.0)
        assert store.get_session("latest").id == b
        assert store.get_session("latest", scenario_id="feed-ranking").id == a
        assert store.get_session("latest", unfinished=True).id == a
        assert store.get_session(str(a)).id == a
        assert [s.id for s in store.list_sessions()] == [b, a]
        with pytest.raises(BadInputError, match="no session 999"):
            store.get_session(999)
        with pytest.raises(BadInputError, match="must be a number or 'latest'"):
            store.get_session("abc")
        with pytest.raises(BadInputError, match="already finished"):
            store.get_session(b, unfinished=True)
        with pytest.raises(BadInputError, match="not 'churn'"):
            store.get_session(a, scenario_id="churn")


def test_answers_are_committed_at_once():
    """Another connection sees an answer as soon as save_answer returns (no pending transaction)."""
    with open_store() as store:
        sid = _new_session(store)
        store.save_answer(sid, "data", answer="labels from logs", score=10)
        other = sqlite3.connect(db_path())
        row = other.execute("SELECT answer FROM answers WHERE session_id=?", (sid,)).fetchone()
        other.close()
    assert row == ("labels from logs",)


# ---------------------------------------------------------------- migrations


def test_migrates_a_version_1_database_keeping_its_data():
    path = db_path()
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO sessions (scenario_id, stages, started_at, updated_at) VALUES ('churn', '[\"data\"]', 't', 't')")
    conn.commit()
    conn.close()
    with open_store() as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_session("latest").scenario_id == "churn"
        store.save_drill_answer(question_id="q", topic="t", answer="a", score=1.0)
        assert len(store.drill_answers()) == 1
        sid = store.get_session("latest").id
        store.save_draft(sid, "data", "typed")
        assert store.get_session(sid).drafts["data"].text == "typed"


def test_a_history_from_before_twists_still_loads():
    """The last migration (5 -> 6) adds the twists: old sessions load with none, and history, progress and render read them."""
    path = db_path()
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    before = SCHEMA_VERSION - 1  # the schema just before the twists' migration
    for script in MIGRATIONS[:before]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute("INSERT INTO sessions (scenario_id, scenario_title, stages, started_at, updated_at, finished_at,"
                 " total_score) VALUES ('feed-ranking', 'Feed', '[\"requirements\"]', 't', 't', 't', 40)")
    conn.execute("INSERT INTO answers (session_id, stage, answer, score, seconds, budget_seconds, answered_at)"
                 " VALUES (1, 'requirements', 'We expect ~2k QPS from 300M DAU.', 40, 300, 400, 't')")
    conn.commit()
    conn.close()
    with open_store() as store:
        assert store.schema_version == SCHEMA_VERSION
        other = sqlite3.connect(db_path())
        tables = {r[0] for r in other.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        other.close()
        assert "twist_answers" in tables
        old = store.get_session(1)
        assert old.twists == () and old.twist_answers == {} and old.answers["requirements"].score == 40
        from mlsd.practice.engine import progress_report

        assert progress_report(store).pacing.sessions == 1  # its recorded time still counts
        store.save_twist_answer(1, "latency-20ms", stage="requirements", text="t", answer="a", score=5)
        assert store.get_session(1).twist_answers["latency-20ms"].score == 5
    from mlsd.content.scenario import load_scenario
    from mlsd.doc.render import build_context

    ctx = build_context(load_scenario("feed-ranking"), session=old, include_simulations=False)
    qps = next(c for c in ctx["number_checks"] if c["kind"] == "QPS")
    assert qps["said"] == "~2k QPS" and not qps["right"]


# ---------------------------------------------------------------- bad files are never overwritten


def _write(path: Path, data: bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_corrupt_file_is_refused_and_left_untouched():
    before = _write(db_path(), b"this is not a database at all\n" * 100)
    with pytest.raises(StoreError, match="not an SQLite database") as exc:
        open_store()
    assert "mv " in str(exc.value) and "\n" not in str(exc.value)
    assert db_path().read_bytes() == before
    assert not Path(str(db_path()) + "-wal").exists()


def test_damaged_sqlite_file_is_refused_and_left_untouched():
    with open_store() as store:
        sid = _new_session(store)
        for i in range(200):
            store.save_answer(sid, f"s{i}", answer="x" * 500, score=1)
    conn = sqlite3.connect(db_path())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(db_path().read_bytes())
    page = 4096
    data[2 * page: 2 * page + 200] = b"\xff" * 200  # smash a b-tree page header
    before = _write(db_path(), bytes(data))
    with pytest.raises(StoreError, match="corrupt|not an SQLite"):
        open_store()
    assert db_path().read_bytes() == before


def test_newer_schema_is_refused_and_left_untouched():
    with open_store() as store:
        _new_session(store)
    conn = sqlite3.connect(db_path())
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = db_path().read_bytes()
    with pytest.raises(StoreError, match="newer mlsd") as exc:
        open_store()
    assert "upgrade" in str(exc.value)
    assert db_path().read_bytes() == before


def test_foreign_sqlite_file_is_refused():
    path = db_path()
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an mlsd history"):
        open_store()
    assert path.read_bytes() == before


def test_locked_database_gives_a_clear_error_and_keeps_the_other_writer():
    with open_store() as store:
        sid = _new_session(store)
    holder = sqlite3.connect(db_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE sessions SET scenario_title='held' WHERE id=?", (sid,))
    try:
        with open_store(timeout=0.2) as store, pytest.raises(StoreError, match="locked by another program"):
            store.save_answer(sid, "data", answer="waiting", score=1)
    finally:
        holder.execute("COMMIT")
        holder.close()
    with open_store() as store:
        s = store.get_session(sid)
    assert s.scenario_title == "held" and "data" not in s.answers


def test_cli_reports_store_errors_in_one_line(run_cli):
    _write(db_path(), b"garbage" * 50)
    r = run_cli("history")
    assert r.code == 1
    assert r.stderr.count("\n") == 1 and "not an SQLite database" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_reports_a_locked_database(run_cli, monkeypatch):
    with open_store() as store:
        _new_session(store)
    monkeypatch.setenv("MLSD_DB_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = run_cli("practice", "feed-ranking", "--answers", str(_answers_file()))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.code == 1 and "locked" in r.stderr and r.stderr.count("\n") == 1


def _answers_file() -> Path:
    p = db_path().parent / "answers.yaml"
    p.write_text("data: labels from impression logs\n")
    return p


# ---------------------------------------------------------------- two writers at once

_WRITER = textwrap.dedent(
    """
    import sys, time
    from mlsd.practice.store import open_store
    tag, n = sys.argv[1], int(sys.argv[2])
    with open_store() as store:
        sid = store.create_session(scenario_id=tag, scenario_title=tag, source_path=None, builtin=True,
                                   stages=[f"s{i}" for i in range(n)])
        for i in range(n):
            store.save_answer(sid, f"s{i}", answer=f"{tag} answer {i}", score=i)
            time.sleep(0.002)
    print(sid)
    """
)


def test_two_sessions_in_parallel_processes_lose_nothing():
    db_path().parent.mkdir(parents=True, exist_ok=True)
    n = 60
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, tag, str(n)], stdout=subprocess.PIPE, text=True)
             for tag in ("one", "two", "three")]
    ids = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        ids.append(int(out.strip()))
    assert len(set(ids)) == 3
    with open_store() as store:
        for tag, sid in zip(("one", "two", "three"), ids, strict=True):
            s = store.get_session(sid)
            assert s.scenario_id == tag
            assert {a.answer for a in s.answers.values()} == {f"{tag} answer {i}" for i in range(n)}


def test_two_interleaved_connections_lose_nothing():
    a, b = open_store(), open_store()
    try:
        sa, sb = _new_session(a), _new_session(b)
        for i in range(20):
            a.save_answer(sa, f"s{i}", answer=f"a{i}", score=1)
            b.save_answer(sb, f"s{i}", answer=f"b{i}", score=2)
        assert len(a.get_session(sb).answers) == 20 and len(b.get_session(sa).answers) == 20
    finally:
        a.close()
        b.close()


def test_bad_timeout_env_is_bad_input(monkeypatch):
    monkeypatch.setenv("MLSD_DB_TIMEOUT", "soon")
    with pytest.raises(BadInputError, match="MLSD_DB_TIMEOUT"):
        open_store()
