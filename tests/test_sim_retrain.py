"""`mlsd simulate retrain`: strategies under concept drift, compute accounting, bad input."""

from __future__ import annotations

import json

import pytest

from mlsd.sims.registry import run
from mlsd.sims.retrain import STRATEGIES, simulate_retrain


@pytest.fixture(scope="module")
def result():
    return simulate_retrain()


def test_incremental_beats_never_retraining_under_drift(result):
    never, inc = result.outcome("never"), result.outcome("incremental")
    assert inc.mean_accuracy > never.mean_accuracy + 0.05
    assert inc.accuracy_after_drift > never.accuracy_after_drift
    # every strategy that retrains at all beats never retraining
    for o in result.outcomes:
        if o.name != "never":
            assert o.mean_accuracy > never.mean_accuracy, o.name
    # nobody beats the true concept by more than sampling noise
    assert all(o.mean_accuracy <= result.oracle_mean_accuracy + 0.01 for o in result.outcomes)


def test_without_drift_retraining_buys_nothing():
    r = simulate_retrain(days=60, gradual_drift_deg=0.0, sudden_drifts=0)
    never, inc = r.outcome("never"), r.outcome("incremental")
    assert abs(inc.mean_accuracy - never.mean_accuracy) < 0.015
    assert r.drift_days == ()
    assert "Without drift" in r.reading()[0]


def test_compute_is_counted_by_hand(result):
    """Defaults: 300 rows/day, 14-day window, 5 epochs, evaluated days 14..119.

    A full fit reads 14 × 300 × 5 = 21,000 rows. Daily full: the first fit plus one
    per day from day 15 to 119 (105) = 106 fits = 2,226,000. Incremental: the first
    fit plus 105 days × 300 rows = 52,500. Weekly full: fits on days 14, 21, …, 119
    = 16 fits = 336,000.
    """
    assert result.outcome("daily full").examples_processed == 2_226_000
    assert result.outcome("daily full").full_retrains == 106
    assert result.outcome("incremental").examples_processed == 52_500
    assert result.outcome("weekly full").examples_processed == 336_000
    assert result.outcome("weekly full").full_retrains == 16
    assert result.outcome("never").examples_processed == 21_000


def test_drift_markers_and_chart(result):
    assert result.drift_days == (49, 85)  # 14 + round(106 × 1/3), 14 + round(106 × 2/3)
    assert all(result.warmup_days < d < result.days for d in result.drift_days)
    chart = result.charts()[0]
    assert [x for x, _ in chart.vlines] == [float(d) for d in result.drift_days]
    assert {s.label for s in chart.series} >= {name for name, _, _ in STRATEGIES}
    assert result.best in {name for name, _, _ in STRATEGIES}
    assert result.outcome(result.efficient).mean_accuracy >= result.outcome(result.best).mean_accuracy - 0.005


def test_same_seed_same_numbers_through_registry():
    a = run("retrain", {"days": 30, "samples_per_day": 100}, seed=5)
    b = simulate_retrain(days=30, samples_per_day=100, seed=5)
    assert a.to_dict() == b.to_dict()


def test_cli_json(run_cli):
    res = run_cli("simulate", "retrain", "--days", "30", "--samples-per-day", "100", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert [o["name"] for o in data["outcomes"]] == [name for name, _, _ in STRATEGIES]


@pytest.mark.parametrize("args, message", [
    (("--samples-per-day", "0"), "--samples-per-day must be in (0, 1e+06], got 0"),
    (("--learning-rate", "-0.1"), "--learning-rate must be in (0, 10], got -0.1"),
    (("--learning-rate", "1e300"), "--learning-rate must be in (0, 10], got 1e+300"),
    (("--gradual-drift-deg", "200"), "--gradual-drift-deg must be in [0, 180], got 200"),
    (("--sudden-drifts", "-1"), "--sudden-drifts must be in [0, 100], got -1"),
    (("--sudden-drifts", "1000000000000"), "--sudden-drifts must be in [0, 100], got 1e+12"),
    (("--days", "10"), "--days must be at least --warmup-days + 7 = 21"),
    (("--days", "1000000000000"), "--days must be in (0, 1000], got 1e+12"),
    (("--window-days", "0"), "--window-days must be in (0, 365], got 0"),
])
def test_cli_bad_input(run_cli, args, message):
    res = run_cli("simulate", "retrain", *args)
    assert res.code == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_reading_speaks_to_a_user_not_the_codebase():
    """No internal jargon: 'the seed's', 're-reads its window N times'; full + incremental is spelled out."""
    text = " ".join(simulate_retrain(days=30, samples_per_day=100, epochs=5, window_days=14).reading())
    assert "seed's" not in text and "re-reads" not in text
    assert "Full retraining plus incremental updates (全量 + 增量" in text
    assert "retrains on the last 14 days, 5 passes (epochs), every day" in text
    one = " ".join(simulate_retrain(days=30, samples_per_day=100, epochs=1, window_days=1).reading())
    assert "retrains on the last day, 1 pass (epoch), every day" in one
