"""Saved practice sessions and drill answers: one SQLite file per user.

Where: `$MLSD_HOME/mlsd.db`; without MLSD_HOME, `$XDG_DATA_HOME/mlsd/mlsd.db`,
else `~/.local/share/mlsd/mlsd.db` (`db_path()`).

Guarantees
----------
- WAL journal and a busy timeout (`$MLSD_DB_TIMEOUT` seconds, default 5), so
  two `mlsd practice` runs at once both keep every answer.
- Every answer is committed the moment it is recorded (`save_answer`); a crash
  or Ctrl-C loses at most the answer being typed.
- The schema is versioned with `PRAGMA user_version`; `MIGRATIONS[i]` takes a
  database from version i to i + 1 inside one transaction.
- A file that is not an SQLite database, that belongs to something else, that
  is locked, or whose schema is newer than this mlsd raises `StoreError` with
  a one-line message, and the file is never written to.

API for other commands (e.g. `render`)
--------------------------------------
    from mlsd.practice.store import open_store
    with open_store() as store:
        s = store.get_session("latest")            # or an id: 12 / "12"
        s = store.get_session("latest", scenario_id="feed-ranking")
    s.id, s.scenario_id, s.scenario_title
    s.scenario_ref          # what to pass to load_scenario(): the user's file
                            # path when it was not a shipped scenario, else the id
    s.source_path           # Path | None: the file the scenario came from
    s.stages                # tuple of practised stage ids, framework order
    s.agenda, s.agenda_score, s.agenda_named
    s.answers[stage_id]     # StageAnswer of a submitted (or skipped) step, in
                            # stage order: answer, follow_up, follow_up_answer,
                            # skipped, score, covered, partial, missed (key-point
                            # ids; generic framework items are `generic-…`),
                            # seconds, budget_seconds, answered_at
    s.drafts[stage_id]      # Draft(stage, text, seconds, saved_at): typed, not
                            # submitted (Ctrl-C mid-answer); never scored.
                            # s.drafts["agenda"]: the agenda being typed;
                            # s.drafts["twist:ID"]: a twist's answer being typed
    s.twists                # ids of the twists the session asks (() before schema 5)
    s.twist_answers[id]     # TwistAnswer: stage (asked after), text, answer, skipped,
                            # score, covered, partial, missed, seconds, answered_at
    s.total_score, s.started_at, s.updated_at, s.finished_at, s.finished,
    s.duration_seconds, s.minutes, s.untimed, s.seed, s.mode
    s.diagram               # the candidate's diagram (one edge per line) or None
`get_session` raises `BadInputError` for an unknown id and when there is no
session yet, naming `mlsd history` as the way to list them.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlsd.errors import BadInputError, StoreError
from mlsd.i18n import _
from mlsd.resources import user_data_dir

SCHEMA_VERSION = 6

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: practice sessions and their answers.
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scenario_id TEXT NOT NULL,
        scenario_title TEXT NOT NULL DEFAULT '',
        source_path TEXT,
        builtin INTEGER NOT NULL DEFAULT 1,
        stages TEXT NOT NULL,
        minutes REAL NOT NULL DEFAULT 45,
        untimed INTEGER NOT NULL DEFAULT 0,
        seed INTEGER NOT NULL DEFAULT 0,
        mode TEXT NOT NULL DEFAULT 'interactive',
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        agenda TEXT,
        agenda_score REAL,
        agenda_named TEXT,
        total_score REAL
    );
    CREATE TABLE answers (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        answer TEXT NOT NULL DEFAULT '',
        follow_up TEXT,
        follow_up_answer TEXT,
        skipped INTEGER NOT NULL DEFAULT 0,
        score REAL NOT NULL DEFAULT 0,
        covered TEXT NOT NULL DEFAULT '[]',
        partial TEXT NOT NULL DEFAULT '{}',
        missed TEXT NOT NULL DEFAULT '[]',
        seconds REAL NOT NULL DEFAULT 0,
        budget_seconds REAL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (session_id, stage)
    );
    CREATE INDEX sessions_started ON sessions(started_at);
    """,
    # 1 -> 2: drill answers (the FAQ question bank).
    """
    CREATE TABLE drill_answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        answer TEXT NOT NULL,
        score REAL NOT NULL,
        covered TEXT NOT NULL DEFAULT '[]',
        partial TEXT NOT NULL DEFAULT '{}',
        missed TEXT NOT NULL DEFAULT '[]',
        answered_at TEXT NOT NULL
    );
    CREATE INDEX drill_topic ON drill_answers(topic);
    """,
    # 2 -> 3: the answer being typed, saved line by line, apart from the submitted
    # answer so that re-typing a step after :back never loses the earlier answer.
    """
    CREATE TABLE drafts (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        text TEXT NOT NULL,
        seconds REAL NOT NULL DEFAULT 0,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (session_id, stage)
    );
    """,
    # 3 -> 4: the drill's spaced-repetition schedule, one FSRS card per question
    # (mlsd/practice/schedule.py). Questions answered before this have no row:
    # their answers seed the card when the schedule is read.
    """
    CREATE TABLE drill_cards (
        question_id TEXT PRIMARY KEY,
        card TEXT NOT NULL,
        reviews INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    );
    """,
    # 4 -> 5: the candidate's own architecture diagram (`:diagram`, or `diagram:` in --answers),
    # in its notation, one edge per line (mlsd.content.diagram_notation).
    """
    ALTER TABLE sessions ADD COLUMN diagram TEXT;
    """,
    # 5 -> 6: interviewer twists: the ones a session asks (NULL before twists existed: none)
    # and the answers to them, scored apart from the steps.
    """
    ALTER TABLE sessions ADD COLUMN twists TEXT;
    CREATE TABLE twist_answers (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        twist_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        text TEXT NOT NULL,
        answer TEXT NOT NULL DEFAULT '',
        skipped INTEGER NOT NULL DEFAULT 0,
        score REAL NOT NULL DEFAULT 0,
        covered TEXT NOT NULL DEFAULT '[]',
        partial TEXT NOT NULL DEFAULT '{}',
        missed TEXT NOT NULL DEFAULT '[]',
        seconds REAL NOT NULL DEFAULT 0,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (session_id, twist_id)
    );
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION

_OUR_TABLES = {"sessions", "answers", "drill_answers", "drafts", "drill_cards", "twist_answers", "sqlite_sequence"}


def db_path() -> Path:
    """$MLSD_HOME/mlsd.db, else $XDG_DATA_HOME/mlsd/mlsd.db, else ~/.local/share/mlsd/mlsd.db."""
    return user_data_dir() / "mlsd.db"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _busy_timeout() -> float:
    raw = os.environ.get("MLSD_DB_TIMEOUT", "5")
    try:
        value = float(raw)
    except ValueError:
        raise BadInputError(_("MLSD_DB_TIMEOUT must be a number of seconds, got {value}").format(value=repr(raw))) from None
    if value < 0:
        raise BadInputError(_("MLSD_DB_TIMEOUT must be >= 0 seconds, got {value}").format(value=repr(raw)))
    return value


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class StageAnswer:
    """One stage of a saved session: what was typed and how it scored."""

    stage: str
    answer: str
    follow_up: str | None
    follow_up_answer: str | None
    skipped: bool
    score: float
    covered: tuple[str, ...]
    partial: dict[str, float]
    missed: tuple[str, ...]
    seconds: float
    budget_seconds: float | None
    answered_at: str


@dataclass(frozen=True)
class TwistAnswer:
    """The answer to an interviewer's twist (asked right after its step's answer)."""

    twist_id: str
    stage: str  # the step it was asked after
    text: str  # what the interviewer said
    answer: str
    skipped: bool
    score: float
    covered: tuple[str, ...]
    partial: dict[str, float]
    missed: tuple[str, ...]
    seconds: float
    answered_at: str


@dataclass(frozen=True)
class Draft:
    """Text typed for a step but not submitted yet (saved per line, on :quit and Ctrl-C)."""

    stage: str
    text: str
    seconds: float
    saved_at: str


@dataclass(frozen=True)
class SavedSession:
    """A practice session as stored; `render` and `history` read this."""

    id: int
    scenario_id: str
    scenario_title: str
    source_path: Path | None
    builtin: bool
    stages: tuple[str, ...]
    minutes: float
    untimed: bool
    seed: int
    mode: str
    started_at: str
    updated_at: str
    finished_at: str | None
    agenda: str | None
    agenda_score: float | None
    agenda_named: tuple[str, ...]
    total_score: float | None
    answers: dict[str, StageAnswer] = field(default_factory=dict)  # submitted (or skipped), stage order
    drafts: dict[str, Draft] = field(default_factory=dict)  # typed, not submitted yet (resume)
    diagram: str | None = None  # the candidate's diagram, one edge per line (`:diagram`)
    twists: tuple[str, ...] = ()  # ids of the twists this session asks (none before schema 6)
    twist_answers: dict[str, TwistAnswer] = field(default_factory=dict)  # by twist id

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def scenario_ref(self) -> str:
        """What to give `load_scenario`: the user's own file, or the shipped id."""
        if not self.builtin and self.source_path is not None:
            return str(self.source_path)
        return self.scenario_id

    @property
    def duration_seconds(self) -> float:
        """Time spent answering (sum of the per-stage times)."""
        return round(sum(a.seconds for a in self.answers.values()), 1)

    @property
    def answered(self) -> tuple[str, ...]:
        """Practised stages with a real (not skipped) answer, in order."""
        return tuple(s for s, a in self.answers.items() if not a.skipped)

    @property
    def remaining(self) -> tuple[str, ...]:
        """Practised stages without a submitted answer (none, or only a draft), in order."""
        return tuple(s for s in self.stages if s not in self.answers)

    def summary(self) -> dict[str, Any]:
        """The `history --json` row."""
        return {
            "session_id": self.id,
            "scenario": self.scenario_id,
            "title": self.scenario_title,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "finished": self.finished,
            "mode": self.mode,
            "total_score": self.total_score,
            "agenda_score": self.agenda_score,
            "duration_seconds": self.duration_seconds,
            "stages_answered": len(self.answered),  # skipped steps are not answered
            "stages_skipped": sum(1 for a in self.answers.values() if a.skipped),
            "stages": len(self.stages),
        }

    def to_dict(self) -> dict[str, Any]:
        """The `practice --json` shape, plus timings."""
        return {
            "scenario": self.scenario_id,
            "session_id": self.id,
            "total_score": self.total_score,
            "agenda_score": self.agenda_score,
            "stages": {
                sid: {
                    "score": a.score,
                    "covered": list(a.covered),
                    "partial": dict(a.partial),
                    "missed": list(a.missed),
                    "skipped": a.skipped,
                    "seconds": a.seconds,
                }
                for sid, a in self.answers.items()
            },
        }


@dataclass(frozen=True)
class DrillAnswer:
    id: int
    question_id: str
    topic: str
    answer: str
    score: float
    covered: tuple[str, ...]
    partial: dict[str, float]
    missed: tuple[str, ...]
    answered_at: str


# ---------------------------------------------------------------- the store


class Store:
    """A connection to the history database; use `open_store()` to get one."""

    def __init__(self, path: Path | str | None = None, *, timeout: float | None = None) -> None:
        self.path = Path(path) if path is not None else db_path()
        self.timeout = _busy_timeout() if timeout is None else timeout
        self._conn = self._connect()

    # -- opening, checking, migrating

    def _fail(self, problem: str, fix: str) -> StoreError:
        """`problem` and `fix` are each a whole clause, already translated (the database is their subject)."""
        return StoreError(_("history database {path}: {problem}; {fix}").format(path=self.path, problem=problem, fix=fix))

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._fail(_("cannot create its folder ({reason})").format(reason=exc.strerror),
                             _("set MLSD_HOME to a writable folder")) from None
        existed = self.path.exists() and self.path.stat().st_size > 0
        if existed:
            self._check_header()
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._fail(_("cannot open it ({reason})").format(reason=exc),
                             _("check the file's permissions or set MLSD_HOME")) from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise self._fail(
                    _("it was written by a newer mlsd (schema version {version}, this mlsd knows up to {known})").format(
                        version=version, known=SCHEMA_VERSION),
                    _("upgrade mlsd (pip install -U mlsd) or set MLSD_HOME to another folder; the file was left untouched"),
                )
            if version == 0 and existed:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if tables - _OUR_TABLES:
                    raise self._fail(
                        _("it is an SQLite file but not an mlsd history (unknown tables {tables})").format(
                            tables=", ".join(sorted(tables - _OUR_TABLES))),
                        _("set MLSD_HOME to another folder; the file was left untouched"),
                    )
            if existed:
                check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
                if check != "ok":
                    raise self._translate(sqlite3.DatabaseError(f"database disk image is malformed: {check}"))
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            if version < SCHEMA_VERSION:
                self._migrate(conn)
        except StoreError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise self._translate(exc) from None
        return conn

    def _check_header(self) -> None:
        """Refuse a file that is not SQLite before sqlite3 gets a chance to touch it."""
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise self._fail(_("cannot read it ({reason})").format(reason=exc.strerror),
                             _("check the file's permissions or set MLSD_HOME")) from None
        if head != b"SQLite format 3\x00":
            raise self._fail(
                _("it is not an SQLite database (corrupt or another file)"),
                _("move it aside (mv '{path}' '{path}.bak') to start a new history; it was left untouched").format(
                    path=self.path),
            )

    def _translate(self, exc: sqlite3.Error) -> StoreError:
        msg = str(exc)
        if "locked" in msg or "busy" in msg:
            return self._fail(
                _("it is locked by another program (waited {seconds} s)").format(seconds=f"{self.timeout:g}"),
                _("finish or close the other mlsd session, then retry (MLSD_DB_TIMEOUT sets the wait)"),
            )
        if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
            return self._fail(
                _("it is corrupt ({reason})").format(reason=msg),
                _("move it aside (mv '{path}' '{path}.bak') to start a new history; it was left untouched").format(
                    path=self.path),
            )
        if "readonly" in msg or "read-only" in msg:
            return self._fail(_("it is read-only"), _("check the file's permissions or set MLSD_HOME"))
        return self._fail(msg, _("set MLSD_HOME to another folder to use a fresh history"))

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # re-read under the lock
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; sqlite errors become StoreError."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._translate(exc) from None
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise self._translate(exc) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        with suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._translate(exc) from None

    # -- sessions

    def create_session(
        self,
        *,
        scenario_id: str,
        scenario_title: str,
        source_path: Path | str | None,
        builtin: bool,
        stages: Sequence[str],
        minutes: float = 45.0,
        untimed: bool = False,
        seed: int = 0,
        mode: str = "interactive",
        twists: Sequence[str] = (),
    ) -> int:
        """A new unfinished session; returns its id."""
        ts = now_iso()
        with self._write() as c:
            cur = c.execute(
                "INSERT INTO sessions (scenario_id, scenario_title, source_path, builtin, stages, minutes,"
                " untimed, seed, mode, started_at, updated_at, twists) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (scenario_id, scenario_title, str(source_path) if source_path else None, int(builtin),
                 json.dumps(list(stages)), float(minutes), int(untimed), int(seed), mode, ts, ts,
                 json.dumps(list(twists))),
            )
            return int(cur.lastrowid)

    def save_agenda(self, session_id: int, agenda: str, score: float, named: Sequence[str]) -> None:
        """Record the submitted (or skipped: "") agenda, dropping its draft."""
        with self._write() as c:
            c.execute(
                "UPDATE sessions SET agenda=?, agenda_score=?, agenda_named=?, updated_at=? WHERE id=?",
                (agenda, float(score), json.dumps(list(named)), now_iso(), session_id),
            )
            c.execute("DELETE FROM drafts WHERE session_id=? AND stage='agenda'", (session_id,))

    def save_answer(
        self,
        session_id: int,
        stage: str,
        *,
        answer: str,
        score: float,
        covered: Sequence[str] = (),
        partial: dict[str, float] | None = None,
        missed: Sequence[str] = (),
        seconds: float = 0.0,
        budget_seconds: float | None = None,
        skipped: bool = False,
        follow_up: str | None = None,
        follow_up_answer: str | None = None,
    ) -> None:
        """Insert or replace a stage's submitted answer (dropping its draft), committed at once."""
        ts = now_iso()
        with self._write() as c:
            c.execute(
                "INSERT OR REPLACE INTO answers (session_id, stage, answer, follow_up, follow_up_answer,"
                " skipped, score, covered, partial, missed, seconds, budget_seconds, answered_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (session_id, stage, answer, follow_up, follow_up_answer, int(skipped), float(score),
                 json.dumps(list(covered)), json.dumps(partial or {}), json.dumps(list(missed)),
                 float(seconds), budget_seconds, ts),
            )
            _submitted(c, session_id, stage, ts)

    def save_draft(self, session_id: int, stage: str, text: str, seconds: float = 0.0) -> None:
        """Keep the text being typed for a step, or for the agenda (stage "agenda"); a submitted answer stays."""
        ts = now_iso()
        with self._write() as c:
            c.execute(
                "INSERT OR REPLACE INTO drafts (session_id, stage, text, seconds, saved_at) VALUES (?,?,?,?,?)",
                (session_id, stage, text, float(seconds), ts),
            )
            c.execute("UPDATE sessions SET updated_at=? WHERE id=?", (ts, session_id))

    def save_diagram(self, session_id: int, text: str) -> None:
        """Record the candidate's diagram (the whole of it, in its notation), committed at once."""
        with self._write() as c:
            c.execute("UPDATE sessions SET diagram=?, updated_at=? WHERE id=?", (text, now_iso(), session_id))

    def save_twist_answer(
        self,
        session_id: int,
        twist_id: str,
        *,
        stage: str,
        text: str,
        answer: str,
        score: float,
        covered: Sequence[str] = (),
        partial: dict[str, float] | None = None,
        missed: Sequence[str] = (),
        seconds: float = 0.0,
        skipped: bool = False,
    ) -> None:
        """Insert or replace the answer to a twist (dropping its draft, kept as stage 'twist:ID')."""
        ts = now_iso()
        with self._write() as c:
            c.execute(
                "INSERT OR REPLACE INTO twist_answers (session_id, twist_id, stage, text, answer, skipped, score,"
                " covered, partial, missed, seconds, answered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (session_id, twist_id, stage, text, answer, int(skipped), float(score), json.dumps(list(covered)),
                 json.dumps(partial or {}), json.dumps(list(missed)), float(seconds), ts),
            )
            _submitted(c, session_id, f"twist:{twist_id}", ts)

    def delete_answer(self, session_id: int, stage: str) -> None:
        with self._write() as c:
            c.execute("DELETE FROM answers WHERE session_id=? AND stage=?", (session_id, stage))

    def finish_session(self, session_id: int, total_score: float) -> None:
        ts = now_iso()
        with self._write() as c:
            c.execute(
                "UPDATE sessions SET total_score=?, finished_at=?, updated_at=? WHERE id=?",
                (float(total_score), ts, ts, session_id),
            )

    def _session_from_row(self, row: sqlite3.Row) -> SavedSession:
        stages = tuple(json.loads(row["stages"]))
        order = {s: i for i, s in enumerate(stages)}
        def in_order(rows: list[sqlite3.Row]) -> list[sqlite3.Row]:
            return sorted(rows, key=lambda r: order.get(r["stage"], len(order)))

        answers, drafts = {}, {}
        for d in in_order(self._read("SELECT * FROM drafts WHERE session_id=?", (row["id"],))):
            drafts[d["stage"]] = Draft(d["stage"], d["text"], d["seconds"], d["saved_at"])
        for a in in_order(self._read("SELECT * FROM answers WHERE session_id=?", (row["id"],))):
            answers[a["stage"]] = StageAnswer(
                stage=a["stage"], answer=a["answer"], follow_up=a["follow_up"],
                follow_up_answer=a["follow_up_answer"], skipped=bool(a["skipped"]), score=a["score"],
                covered=tuple(json.loads(a["covered"])), partial=dict(json.loads(a["partial"])),
                missed=tuple(json.loads(a["missed"])), seconds=a["seconds"],
                budget_seconds=a["budget_seconds"], answered_at=a["answered_at"],
            )
        planned = tuple(json.loads(row["twists"])) if row["twists"] else ()
        twist_answers = {}
        for t in self._read("SELECT * FROM twist_answers WHERE session_id=? ORDER BY answered_at, twist_id", (row["id"],)):
            twist_answers[t["twist_id"]] = TwistAnswer(
                twist_id=t["twist_id"], stage=t["stage"], text=t["text"], answer=t["answer"],
                skipped=bool(t["skipped"]), score=t["score"], covered=tuple(json.loads(t["covered"])),
                partial=dict(json.loads(t["partial"])), missed=tuple(json.loads(t["missed"])),
                seconds=t["seconds"], answered_at=t["answered_at"],
            )
        twist_answers = dict(sorted(twist_answers.items(), key=lambda kv: order.get(kv[1].stage, len(order))))
        return SavedSession(
            id=row["id"], scenario_id=row["scenario_id"], scenario_title=row["scenario_title"],
            source_path=Path(row["source_path"]) if row["source_path"] else None,
            builtin=bool(row["builtin"]), stages=stages,
            minutes=row["minutes"], untimed=bool(row["untimed"]), seed=row["seed"], mode=row["mode"],
            started_at=row["started_at"], updated_at=row["updated_at"], finished_at=row["finished_at"],
            agenda=row["agenda"], agenda_score=row["agenda_score"],
            agenda_named=tuple(json.loads(row["agenda_named"])) if row["agenda_named"] else (),
            total_score=row["total_score"], answers=answers, drafts=drafts,
            diagram=row["diagram"],
            twists=planned, twist_answers=twist_answers,
        )

    def get_session(self, ref: int | str = "latest", *, scenario_id: str | None = None,
                    unfinished: bool = False) -> SavedSession:
        """A session by id, or "latest" (optionally of one scenario / only unfinished ones)."""
        where, params = [], []
        if scenario_id is not None:
            where.append("scenario_id = ?")
            params.append(scenario_id)
        if unfinished:
            where.append("finished_at IS NULL")
        what, plural = _session_words(unfinished, scenario_id)
        if str(ref) == "latest":
            sql = "SELECT * FROM sessions" + (" WHERE " + " AND ".join(where) if where else "")
            rows = self._read(sql + " ORDER BY id DESC LIMIT 1", params)
            if not rows:
                raise BadInputError(_("no saved {what} yet; start one with `mlsd practice SCENARIO`").format(what=what))
            return self._session_from_row(rows[0])
        try:
            sid = int(str(ref))
        except ValueError:
            raise BadInputError(_("session must be a number or 'latest', got {ref}; {valid}").format(
                ref=repr(ref), valid=self._valid_ids(what, plural, where, params))) from None
        rows = self._read("SELECT * FROM sessions WHERE id = ?", (sid,)) if sid >= 1 else []
        if not rows:
            raise BadInputError(_("no session {id}; {valid}").format(
                id=sid, valid=self._valid_ids(what, plural, where, params)))
        session = self._session_from_row(rows[0])
        if scenario_id is not None and session.scenario_id != scenario_id:
            raise BadInputError(_("session {id} is a practice of {actual}, not {wanted}; `mlsd history` lists the "
                                  "sessions").format(id=sid, actual=repr(session.scenario_id), wanted=repr(scenario_id)))
        if unfinished and session.finished:
            raise BadInputError(_("session {id} is already finished; `mlsd practice {ref}` starts a new one").format(
                id=sid, ref=session.scenario_ref))
        return session

    def _valid_ids(self, what: str, plural: str, where: list[str], params: list) -> str:
        """'saved sessions: 7, 5, 2 or latest' (the newest few), for an error naming a wrong id."""
        shown = 5
        sql = "SELECT id FROM sessions" + (" WHERE " + " AND ".join(where) if where else "")
        ids = [str(r[0]) for r in self._read(sql + f" ORDER BY id DESC LIMIT {shown + 1}", params)]
        if not ids:
            return _("there is no saved {what} yet; `mlsd practice SCENARIO` starts one").format(what=what)
        more = ", …" if len(ids) > shown else ""
        return _("saved {what}: {ids} or 'latest' (`mlsd history` lists them)").format(
            what=plural, ids=", ".join(ids[:shown]) + more)

    def list_sessions(self, limit: int | None = None) -> list[SavedSession]:
        """Sessions, newest first."""
        sql = "SELECT * FROM sessions ORDER BY id DESC"
        rows = self._read(sql + (f" LIMIT {int(limit)}" if limit else ""))
        return [self._session_from_row(r) for r in rows]

    # -- drill

    def save_drill_answer(self, *, question_id: str, topic: str, answer: str, score: float,
                          covered: Sequence[str] = (), partial: dict[str, float] | None = None,
                          missed: Sequence[str] = (), answered_at: str | None = None,
                          card: tuple[str, int] | None = None) -> int:
        """Save one drill answer and, in the same transaction, the question's new
        schedule card `(card_json, reviews)` if given."""
        when = answered_at or now_iso()
        with self._write() as c:
            cur = c.execute(
                "INSERT INTO drill_answers (question_id, topic, answer, score, covered, partial, missed,"
                " answered_at) VALUES (?,?,?,?,?,?,?,?)",
                (question_id, topic, answer, float(score), json.dumps(list(covered)),
                 json.dumps(partial or {}), json.dumps(list(missed)), when),
            )
            if card is not None:
                c.execute(
                    "INSERT INTO drill_cards (question_id, card, reviews, updated_at) VALUES (?,?,?,?)"
                    " ON CONFLICT(question_id) DO UPDATE SET card = excluded.card,"
                    " reviews = excluded.reviews, updated_at = excluded.updated_at",
                    (question_id, card[0], int(card[1]), when),
                )
            return int(cur.lastrowid)

    def drill_cards(self) -> dict[str, tuple[str, int]]:
        """Saved schedule cards: question id → (card JSON, reviews)."""
        return {r["question_id"]: (r["card"], r["reviews"]) for r in self._read("SELECT * FROM drill_cards")}

    def drill_answers(self) -> list[DrillAnswer]:
        """Every drill answer, oldest first."""
        return [
            DrillAnswer(r["id"], r["question_id"], r["topic"], r["answer"], r["score"],
                        tuple(json.loads(r["covered"])), dict(json.loads(r["partial"])),
                        tuple(json.loads(r["missed"])), r["answered_at"])
            for r in self._read("SELECT * FROM drill_answers ORDER BY id")
        ]


def _submitted(c: sqlite3.Connection, session_id: int, draft_stage: str, ts: str) -> None:
    """An answer was saved: its draft goes and the session is touched (same transaction)."""
    c.execute("DELETE FROM drafts WHERE session_id=? AND stage=?", (session_id, draft_stage))
    c.execute("UPDATE sessions SET updated_at=? WHERE id=?", (ts, session_id))


def _session_words(unfinished: bool, scenario_id: str | None) -> tuple[str, str]:
    """The sessions an error speaks of, singular and plural, in the interface language."""
    if unfinished:
        one, many = _("unfinished session"), _("unfinished sessions")
    else:
        one, many = _("session"), _("sessions")
    if scenario_id:
        of = _("{what} of scenario {scenario}")
        return of.format(what=one, scenario=repr(scenario_id)), of.format(what=many, scenario=repr(scenario_id))
    return one, many


def open_store(path: Path | str | None = None, *, timeout: float | None = None) -> Store:
    """Open (creating or migrating) the history database; raises StoreError on a bad file."""
    return Store(path, timeout=timeout)
