"""The level read-out: a hire-style signal and a level, each with the reasons behind it."""

from __future__ import annotations

import pytest

from mlsd.content.scenario import STAGE_IDS, load_scenario
from mlsd.scoring import score_answer
from mlsd.scoring.verdict import GUIDANCE, session_verdict, signal_for, stage_verdict


@pytest.mark.parametrize(("score", "signal"), [
    (0, "strong no hire"), (29.9, "strong no hire"), (30, "no hire"), (50, "lean hire"),
    (70, "hire"), (85, "strong hire"), (100, "strong hire"),
])
def test_signal_bands(score, signal):
    assert signal_for(score) == signal


def test_stage_level_follows_what_the_answer_does():
    sc = load_scenario("churn")
    ref = sc.stages["evaluation"].reference
    staff = stage_verdict(score_answer(sc, "evaluation", ref), ref)
    assert staff.level in ("senior", "staff") and staff.signal == "strong hire"
    assert any("rubric points covered" in r for r in staff.reasons)
    thin = "We check the model works well."
    junior = stage_verdict(score_answer(sc, "evaluation", thin), thin)
    assert junior.level in ("junior", "not shown") and junior.signal == "strong no hire"
    assert junior.note == GUIDANCE


def test_session_level_needs_end_to_end_numbers_and_risks():
    sc = load_scenario("feed-ranking")
    answers = {sid: sc.stages[sid].reference for sid in STAGE_IDS}
    results = {sid: score_answer(sc, sid, text) for sid, text in answers.items()}
    strong = session_verdict(100.0, results, answers, STAGE_IDS)
    assert strong.level == "staff" and strong.signal == "strong hire"
    assert "10 of 10 steps answered with most of their points" in strong.reasons
    half = {sid: answers[sid] for sid in STAGE_IDS[:4]}
    partial = session_verdict(40.0, {s: results[s] for s in half}, half, STAGE_IDS)
    assert partial.level == "junior" and partial.signal == "no hire"
    assert session_verdict(0.0, {}, {}, STAGE_IDS).level == "not shown"
