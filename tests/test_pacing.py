"""Pacing (`mlsd.scoring.pacing`): time per step against its budget, the one-line read, answers
files with `minutes:`, and `mlsd progress` across sessions."""

from __future__ import annotations

import json
import textwrap

import pytest

from mlsd.content.framework import step
from mlsd.practice.engine import budgets
from mlsd.scoring.pacing import mmss, pacing, pacing_trend


def test_the_read_names_where_the_time_went_and_what_starved():
    per = {"requirements": (300, 300, False), "data": (1200, 300, False), "features": (900, 300, False),
           "serving": (120, 600, False)}
    p = pacing(per)
    total = sum(v[0] for v in per.values())
    assert p.total_seconds == total and p.timed
    spent = (1200 + 900) / total
    budget = 600 / 1500
    assert p.read == (f"you spent {spent * 100:.0f} % of the interview on data and features (budget "
                      f"{budget * 100:.0f} %); serving got {mmss(120)} of its {mmss(600)}")
    shares = {s.stage: s.share for s in p.steps}
    assert sum(shares.values()) == pytest.approx(1.0) and shares["data"] == pytest.approx(1200 / total)
    assert {s.stage: s.ratio for s in p.steps}["data"] == pytest.approx(4.0)


def test_well_paced_and_skipped_steps():
    assert pacing({"data": (310, 300, False), "model": (290, 300, False)}).read.startswith("well paced")
    p = pacing({"data": (600, 300, False), "model": (0, 300, True)})
    assert p.read.endswith("model was skipped")


def test_untimed_sessions_use_the_step_weights_as_the_budget():
    p = pacing({"data": (600, None, False), "model": (600, None, False)})
    assert not p.timed
    w_data, w_model = step("data").weight, step("model").weight
    got = {s.stage: s.budget_seconds for s in p.steps}
    assert got["data"] == pytest.approx(1200 * w_data / (w_data + w_model), abs=0.1)


def test_no_time_no_pacing_and_too_little_time_says_so():
    assert pacing({"data": (0, None, False)}) is None and pacing({}) is None
    assert "too little" in pacing({"data": (20, 300, False), "model": (1, 300, False)}).read


def test_trend_averages_the_share_of_time_against_the_budget():
    long = pacing({"data": (1200, 600, False), "serving": (200, 600, False)})
    trend = pacing_trend([long, long], ("data", "serving"))
    assert trend.sessions == 2
    data = next(s for s in trend.steps if s.stage == "data")
    assert data.of_budget == pytest.approx(2.0) and data.of_share == pytest.approx((1200 / 1400) / 0.5, abs=0.01)
    assert trend.read.startswith("you usually run long on data") and "serving usually gets" in trend.read
    assert pacing_trend([], ("data",)) is None


# ---------------------------------------------------------------- answers files with minutes


def _file(tmp_path, text, name="answers.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


ANSWERS = """\
    data: Labels come from impression logs joined to actions within an attribution window.
    serving: Online prediction at request time with a cached feed as the fallback.
    minutes:
      data: 20
      serving: 2
    """


def test_answers_file_minutes_give_pacing_in_json_and_scorecard(run_cli, tmp_path):
    r = run_cli("practice", "feed-ranking", "--answers", _file(tmp_path, ANSWERS), "--minutes", "30", "--json")
    assert r.code == 0, r.stderr
    pace = json.loads(r.stdout)["pacing"]
    b = budgets(("data", "serving"), 30)
    assert pace["timed"] and pace["stages"]["data"]["seconds"] == 1200
    assert pace["stages"]["serving"]["budget_seconds"] == pytest.approx(b["serving"], abs=0.1)
    assert pace["read"].startswith("you spent") and "serving got 2:00" in pace["read"]
    text = run_cli("practice", "feed-ranking", "--answers", _file(tmp_path, ANSWERS), "--minutes", "30").stdout
    assert f"Pacing: {pace['read']}." in " ".join(text.split())


def test_answers_file_without_minutes_says_no_timing_rather_than_inventing_it(run_cli, tmp_path):
    f = _file(tmp_path, "data: Labels come from impression logs.\n")
    assert json.loads(run_cli("practice", "feed-ranking", "--answers", f, "--json").stdout)["pacing"] is None
    assert "no time recorded" in run_cli("practice", "feed-ranking", "--answers", f).stdout


@pytest.mark.parametrize("minutes, message", [
    ("  modle: 3\n", "minutes.modle: unknown step 'modle' (did you mean 'model'?)"),
    ("  data: -1\n", "minutes.data: must be a number of minutes in (0, 600], got -1"),
    ("  data: soon\n", "minutes.data: must be a number of minutes"),
])
def test_bad_minutes_are_one_line(run_cli, tmp_path, minutes, message):
    f = _file(tmp_path, "data: Labels come from impression logs.\nminutes:\n" + minutes)
    run_cli("practice", "feed-ranking", "--answers", f).assert_bad_input(message)


def test_progress_tracks_pacing_across_timed_sessions(run_cli, tmp_path):
    untimed = _file(tmp_path, "data: Labels come from impression logs.\n", "untimed.yaml")
    assert run_cli("practice", "feed-ranking", "--answers", untimed).code == 0  # no time: not in the pacing
    for _ in range(2):
        assert run_cli("practice", "feed-ranking", "--answers", _file(tmp_path, ANSWERS)).code == 0
    out = json.loads(run_cli("progress", "--json").stdout)
    pace = out["pacing"]
    assert pace["sessions"] == 2
    assert pace["stages"]["data"]["average_seconds"] == 1200 and pace["stages"]["serving"]["average_seconds"] == 120
    assert pace["read"].startswith("you usually run long on data")
    text = run_cli("progress").stdout
    assert "Pacing over the last 2 timed sessions" in text and "run long on data" in " ".join(text.split())


def test_trend_says_usually_only_of_steps_timed_in_two_sessions_or_more():
    """One session where ml-task ran long is not a habit: the across-sessions read waits for a second."""
    once = pacing({"ml-task": (900, 300, False), "data": (300, 600, False)})
    both = pacing({"data": (300, 600, False), "serving": (900, 600, False)})
    trend = pacing_trend([once, both], ("ml-task", "data", "serving"))
    assert "ml-task" not in trend.read  # timed once
    assert "data usually gets" in trend.read  # timed twice, short both times
    single = pacing_trend([once], ("ml-task", "data"))
    assert "usually" not in single.read and "one session" in single.read
