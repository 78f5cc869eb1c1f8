"""`mlsd simulate churn`: leakage, model comparison and the profit-maximising threshold, with seeds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlsd.sims.churn import simulate_churn


@pytest.fixture(scope="module", params=[0, 1])
def result(request):
    return simulate_churn(seed=request.param)


def test_leaky_offline_auc_is_visibly_higher_than_honest(result):
    honest, leaky_offline, leaky_served = result.leak
    assert leaky_offline.roc_auc > honest.roc_auc + 0.1
    assert leaky_offline.pr_auc > 2 * honest.pr_auc
    # ...and the leak does not survive contact with prediction time.
    assert leaky_served.roc_auc < honest.roc_auc


def test_churn_rate_is_what_was_asked(result):
    assert result.churn_rate_train == pytest.approx(0.05, abs=0.01)
    assert result.churn_rate_test == pytest.approx(0.05, abs=0.01)


def test_models_rank_churners_far_better_than_chance(result):
    for m in result.models:
        assert m.roc_auc > 0.7
        assert m.pr_auc > 2 * result.churn_rate_test  # random ranking gives PR-AUC ≈ churn rate
        assert m.recall_top10 > m.recall_top5 > 0.05


def test_class_weights_inflate_scores_but_unweighted_models_are_calibrated(result):
    for name in ("logistic regression", "GBDT"):
        none = next(m for m in result.models if m.model == name and m.class_weight == "none")
        bal = next(m for m in result.models if m.model == name and m.class_weight == "balanced")
        assert none.mean_score == pytest.approx(result.churn_rate_test, abs=0.01)
        assert bal.mean_score > 4 * none.mean_score


def test_chosen_threshold_maximises_the_reported_profit(result):
    curve = np.array(result.curve_profit_per_1000)
    assert result.best_profit_per_1000 == pytest.approx(curve.max())
    at_best = curve[np.argmin(np.abs(np.array(result.curve_share) - result.best_share))]
    assert at_best == pytest.approx(result.best_profit_per_1000)
    assert result.best_profit_per_1000 > 0
    assert 0 < result.best_share < 0.5
    # The hindsight optimum on the later snapshot bounds what the chosen threshold earns there.
    assert result.test_profit_per_1000 <= result.test_oracle_profit_per_1000 + 1e-9
    assert result.test_profit_per_1000 > result.target_all_profit_per_1000


def test_profit_arithmetic_for_offer_to_everyone(result):
    """Everyone targeted: profit/1000 = 1000 × (churn rate × value × save rate − cost)."""
    gain = result.customer_value * result.save_rate
    expected = 1000 * (result.churn_rate_test * gain - result.offer_cost)
    assert result.target_all_profit_per_1000 == pytest.approx(expected)


def test_gbdt_finds_the_interactions_logistic_regression_cannot(result):
    """The churn mechanism has interactions (tickets × basic plan, tenure × falling usage)."""
    gb = next(m for m in result.models if m.model == "GBDT" and m.class_weight == "none")
    lr = next(m for m in result.models if m.model == "logistic regression" and m.class_weight == "none")
    assert gb.pr_auc > lr.pr_auc


def test_expensive_offers_shrink_the_target_group():
    cheap = simulate_churn(n_customers=5000, offer_cost=5.0, seed=3)
    dear = simulate_churn(n_customers=5000, offer_cost=40.0, seed=3)
    assert dear.best_share < cheap.best_share
    assert dear.best_threshold > cheap.best_threshold


def test_same_seed_same_numbers():
    a = simulate_churn(n_customers=3000, seed=9)
    b = simulate_churn(n_customers=3000, seed=9)
    assert a.to_dict() == b.to_dict()
    assert len(a.tables()) == 3 and len(a.charts()) == 1 and 3 <= len(a.reading()) <= 5


def test_cli_json(run_cli):
    res = run_cli("simulate", "churn", "--n-customers", "3000", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["n_customers"] == 3000 and len(data["leak"]) == 3


def test_cli_table_output(run_cli):
    res = run_cli("simulate", "churn", "--n-customers", "3000")
    assert res.code == 0, res.stderr
    assert "Cost-based targeting" in res.stdout and "What the numbers say" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--churn-rate", "0"], "--churn-rate must be in (0, 0.5], got 0"),
        (["--churn-rate", "1.5"], "--churn-rate must be in (0, 0.5], got 1.5"),
        (["--save-rate", "1.5"], "--save-rate must be in (0, 1], got 1.5"),
        (["--offer-cost", "-1"], "--offer-cost must be in (0, 1e+09], got -1"),
        (["--customer-value", "0"], "--customer-value must be in (0, 1e+09], got 0"),
        # huge money used to print nan/20-digit profits: refused with the valid range
        (["--customer-value", "1e300"], "--customer-value must be in (0, 1e+09], got 1e+300"),
        (["--offer-cost", "1e300"], "--offer-cost must be in (0, 1e+09], got 1e+300"),
        (["--n-customers", "10"], "--n-customers must be in [1000, 1e+08], got 10"),
        (["--n-customers", "900000000000"], "--n-customers must be in [1000, 1e+08], got 9e+11"),
        (["--churn-rate", "0.01", "--n-customers", "2000"], "leaves about 5 churners in the validation split"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    run_cli("simulate", "churn", *args).assert_bad_input(needle)


def test_charts_draw_to_svg(result, check_charts):
    check_charts(result)
