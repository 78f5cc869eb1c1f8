"""`mlsd simulate abuse`: queue precision under drift, retraining, label noise, rebalancing, with seeds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlsd.sims.abuse import simulate_abuse


@pytest.fixture(scope="module", params=[0, 1])
def result(request):
    return simulate_abuse(seed=request.param)


def test_precision_at_k_drops_under_drift_and_recovers_after_retraining(result):
    rows = result.periods_table
    first, last = rows[0], rows[-1]
    assert last.precision_static < first.precision_static - 0.15
    before = next(r for r in rows if r.period == result.retrain_period - 1)
    after = next(r for r in rows if r.period == result.retrain_period)
    assert after.precision_retrain_once > before.precision_retrain_once + 0.1
    assert last.precision_retrain_each > last.precision_static + 0.2
    assert last.recall_retrain_each > last.recall_static


def test_without_drift_a_frozen_model_does_not_decay():
    """Control: the same world with drift 0 keeps the frozen model's precision."""
    still = simulate_abuse(drift=0.0, periods=6, seed=0)
    moving = simulate_abuse(drift=0.2, periods=6, seed=0)
    mean_still = np.mean([r.precision_static for r in still.periods_table[-3:]])
    mean_moving = np.mean([r.precision_static for r in moving.periods_table[-3:]])
    assert mean_still > mean_moving + 0.15


def test_retrained_once_matches_the_frozen_model_until_the_retrain(result):
    before = [r for r in result.periods_table if r.period < result.retrain_period]
    assert before
    assert all(r.precision_retrain_once == r.precision_static for r in before)


def test_precision_and_recall_are_consistent_with_queue_size(result):
    k = result.queue_capacity
    for r in result.periods_table:
        # hits = precision × k = recall × abusers
        assert r.precision_static * k == pytest.approx(r.recall_static * r.abusers)
        assert r.abusers == pytest.approx(result.n_accounts * result.abuse_rate, rel=0.5)


def test_noiseless_reviewers_measure_the_true_precision(result):
    clean = next(r for r in result.noise if r.label_noise == 0.0)
    assert clean.measured_precision == pytest.approx(clean.precision_at_k)
    noisy = max(result.noise, key=lambda r: r.label_noise)
    assert noisy.measured_precision < noisy.precision_at_k


def test_rebalancing_moves_scores_and_rows(result):
    rows = {r.method: r for r in result.sampling}
    assert rows["class weights"].mean_score > 10 * rows["none"].mean_score
    assert rows["undersample 10:1"].train_rows < rows["none"].train_rows / 5
    assert rows["none"].train_rows == result.n_accounts
    for r in rows.values():
        assert r.pr_auc > 10 * result.abuse_rate  # far above a random queue


def test_same_seed_same_numbers():
    a = simulate_abuse(n_accounts=5000, periods=3, abuse_rate=0.01, queue_capacity=50, seed=4)
    b = simulate_abuse(n_accounts=5000, periods=3, abuse_rate=0.01, queue_capacity=50, seed=4)
    assert a.to_dict() == b.to_dict()
    assert len(a.tables()) == 3 and len(a.charts()) == 1 and 3 <= len(a.reading()) <= 5


def test_cli_json(run_cli):
    res = run_cli("simulate", "abuse", "--n-accounts", "5000", "--periods", "3", "--abuse-rate", "0.01", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data["periods_table"]) == 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--abuse-rate", "1.5"], "--abuse-rate must be in (0, 0.5), got 1.5"),
        (["--abuse-rate", "0"], "--abuse-rate must be in (0, 0.5), got 0"),
        (["--label-noise", "0.5"], "--label-noise must be in [0, 0.5), got 0.5"),
        (["--drift", "-0.1"], "--drift must be in [0, 1], got -0.1"),
        (["--periods", "1"], "--periods must be in [2, 200], got 1"),
        (["--queue-capacity", "0"], "--queue-capacity must be in [1, 1e+08], got 0"),
        (["--queue-capacity", "30000"], "--queue-capacity must be at most --n-accounts (20,000), got 30,000"),
        (["--n-accounts", "5"], "--n-accounts must be in [1000, 1e+15], got 5"),
        (["--abuse-rate", "0.001", "--n-accounts", "2000"], "gives under 10 abusers per period"),
        (["--n-accounts", "900000000000"], "--n-accounts 900,000,000,000 needs about"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    run_cli("simulate", "abuse", *args).assert_bad_input(needle)


def test_charts_draw_to_svg(result, check_charts):
    check_charts(result)


def test_retraining_sentence_compares_the_same_period_and_drift_zero_is_not_called_adapting():
    from mlsd.sims.abuse import simulate_abuse

    r = simulate_abuse(drift=0.0)
    lines = r.reading()
    assert lines[0].startswith("With abusers that do not adapt (drift 0)")
    at = next(p for p in r.periods_table if p.period == r.retrain_period)
    assert f"from {at.precision_static:.2f} (the frozen model) to {at.precision_retrain_once:.2f}" in lines[1]
