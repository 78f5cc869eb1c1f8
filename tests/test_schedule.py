"""The drill's spaced-repetition schedule (FSRS via the `fsrs` package): ratings, intervals,
due-first choice, seeding from answers saved before the schedule, the migration, `--due`."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from mlsd.practice import drill, schedule
from mlsd.practice.store import MIGRATIONS, SCHEMA_VERSION, db_path, open_store

BANK = drill.load_bank()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD_AUTOML = (
    "Soft AutoML tunes the hyper-parameters with random search or Bayesian optimisation; neural "
    "architecture search (NAS) searches the architecture itself with reinforcement learning or "
    "evolution, and costs far more compute."
)


@pytest.mark.parametrize(
    "score, rating",
    [(100, "Easy"), (85, "Easy"), (84.9, "Good"), (65, "Good"), (64.9, "Hard"), (40, "Hard"), (39.9, "Again"), (0, "Again")],
)
def test_score_maps_to_rating_at_the_documented_bands(score, rating):
    assert schedule.rating_name(score) == rating


def test_review_matches_the_fsrs_library_run_directly():
    """Our card after two reviews equals fsrs's own scheduler fed the same ratings and times."""
    lib = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card(card_id=1, due=T0)
    card, _ = lib.review_card(card, Rating.Good, T0)
    second = card.due
    card, _ = lib.review_card(card, Rating.Hard, second)
    ours = schedule.review(None, "q", 70, T0)
    ours = schedule.review(ours, "q", 50, second)
    assert ours.due == card.due and ours.stability == pytest.approx(card.stability)
    assert ours.difficulty == pytest.approx(card.difficulty) and ours.reviews == 2


def test_better_answers_come_back_later_and_intervals_grow():
    dues = {r: schedule.review(None, "q", s, T0).due - T0 for r, s in (("again", 10), ("hard", 50), ("good", 70), ("easy", 95))}
    assert dues["again"] <= dues["hard"] <= dues["good"] < dues["easy"]
    assert dues["again"] >= timedelta(days=1)  # no minute-long learning steps: one sitting asks once
    first = schedule.review(None, "q", 70, T0)
    second = schedule.review(first, "q", 70, first.due)
    assert second.due - first.due > first.due - T0


def test_schedule_is_deterministic():
    a = schedule.review(schedule.review(None, "kv", 90, T0), "kv", 30, T0 + timedelta(days=9))
    b = schedule.review(schedule.review(None, "kv", 90, T0), "kv", 30, T0 + timedelta(days=9))
    assert a == b


def test_due_cards_come_first_most_overdue_first_then_new():
    qs = BANK.questions
    states = {q.id: schedule.CardState(q.id, 0, None, None, None, None) for q in qs}
    states[qs[3].id] = schedule.review(None, qs[3].id, 10, T0)  # due T0 + 1 day
    states[qs[7].id] = schedule.review(None, qs[7].id, 10, T0 - timedelta(days=3))  # due earlier
    states[qs[9].id] = schedule.review(None, qs[9].id, 100, T0)  # easy: not due for days
    now = T0 + timedelta(days=2)
    chosen = drill.choose(BANK, count=4, seed=1, states=states, now=now)
    assert [q.id for q in chosen[:2]] == [qs[7].id, qs[3].id]
    assert qs[9].id not in [q.id for q in chosen]  # new ones before the not-yet-due card
    everything = drill.choose(BANK, count=len(qs), seed=1, states=states, now=now)
    assert everything[-1].id == qs[9].id and len({q.id for q in everything}) == len(qs)


def test_recording_saves_the_card_with_the_answer_and_due_report(tmp_path):
    q = BANK.question("automl")
    with open_store() as store:
        res = drill.record(store, q, GOOD_AUTOML, when=T0)
        assert res.result.score >= 65 and res.card is not None and res.card.reviews == 1
        saved = store.drill_cards()
        assert set(saved) == {"automl"} and saved["automl"][1] == 1
        assert json.loads(saved["automl"][0])["due"] == res.card.due.isoformat()
        states = schedule.load_states(store, BANK)
    report = schedule.due_report(states, T0 + timedelta(hours=1))
    assert report.due == () and report.new == len(BANK.questions) - 1
    assert report.next_due.question_id == "automl"
    later = schedule.due_report(states, res.card.due + timedelta(seconds=1))
    assert [s.question_id for s in later.due] == ["automl"]


def test_answers_saved_before_the_schedule_seed_it():
    """A database from before the migration: its drill answers become reviews, in order."""
    path = db_path()
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:3]:
        conn.executescript(step)
    conn.execute("PRAGMA user_version = 3")
    rows = [("automl", "automl", 30.0, "2026-01-01T10:00:00+00:00"), ("automl", "automl", 90.0, "2026-01-03T10:00:00+00:00")]
    conn.executemany("INSERT INTO drill_answers (question_id, topic, answer, score, answered_at) VALUES (?,?,'x',?,?)", rows)
    conn.commit()
    conn.close()
    with open_store() as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.drill_cards() == {}
        state = schedule.load_states(store, BANK)["automl"]
    expected = schedule.review(schedule.review(None, "automl", 30, datetime(2026, 1, 1, 10, tzinfo=UTC)),
                               "automl", 90, datetime(2026, 1, 3, 10, tzinfo=UTC))
    assert state.reviews == 2 and state.due == expected.due
    # The next answer continues from the seeded card, not from a new one.
    with open_store() as store:
        res = drill.record(store, BANK.question("automl"), GOOD_AUTOML, when=expected.due)
    assert res.card.reviews == 3


def test_cli_due_counts_and_names_the_next(run_cli, tmp_path):
    r = run_cli("drill", "--due")
    assert r.code == 0 and f"0 of {len(BANK.questions)}" in r.stdout and "never answered" in r.stdout
    f = tmp_path / "a.yaml"
    f.write_text(f"automl: {GOOD_AUTOML}\n")
    out = json.loads(run_cli("drill", "--answers", str(f), "--json").stdout)
    sched = out["answers"][0]["schedule"]
    assert sched["reviews"] == 1 and sched["rating"] in {"Good", "Easy"}
    r = run_cli("drill", "--due")
    assert "Next one due: automl" in r.stdout and "(in " in r.stdout
    data = json.loads(run_cli("drill", "--due", "--json").stdout)
    assert data["due"] == 0 and data["new"] == len(BANK.questions) - 1 and data["next_due"]["question"] == "automl"


def test_cli_interactive_drill_says_when_the_question_returns(run_cli):
    r = run_cli("drill", "--count", "1", "--seed", "3", "--topic", "automl", "--piped", input=GOOD_AUTOML + "\n\n")
    assert r.code == 0, r.stderr
    assert "this question comes back in" in r.stdout
    with open_store() as store:
        assert set(store.drill_cards()) == {"automl"}
