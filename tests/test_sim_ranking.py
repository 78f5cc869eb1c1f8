"""`mlsd simulate ranking`: the behaviours the feed-ranking world is built to show, with seeds.

NDCG@10 is sklearn.metrics.ndcg_score against the world's true relevance.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlsd.sims.ranking import LIST_SIZE, _list_scores, _mmr, cosine_matrix, simulate_ranking


@pytest.fixture(scope="module", params=[0, 1])
def result(request):
    return simulate_ranking(seed=request.param)


def test_debiasing_beats_naive_training_on_true_relevance_ndcg(result):
    """IPW and position-as-feature both beat naive training on true-relevance NDCG@10 (sklearn ndcg_score)."""
    naive = result.model("GBDT naive").true_ndcg10
    assert result.model("GBDT + IPW").true_ndcg10 > naive + 0.01
    assert result.model("GBDT + position feature").true_ndcg10 > naive + 0.01


def test_naive_model_learns_the_loggers_freshness_boost(result):
    """Freshness has no effect on true relevance; only the naive model scores fresh items up."""
    truth = result.true_freshness_lift  # ≈ 1 up to which items the eval sample happens to hold
    assert truth == pytest.approx(1.0, abs=0.25)
    naive = result.model("GBDT naive").freshness_lift / truth
    assert naive > 2.5
    assert result.model("GBDT + position feature").freshness_lift / truth < 1 + (naive - 1) / 3
    assert result.model("GBDT + IPW").freshness_lift / truth < 1 + (naive - 1) / 2


def test_debiased_models_are_calibrated_to_true_relevance_and_naive_is_not(result):
    naive = result.model("GBDT naive").true_ece
    assert result.model("GBDT + position feature").true_ece < naive / 3
    assert result.model("GBDT + IPW").true_ece < naive / 2


def test_gbdt_beats_popularity_on_auc(result):
    assert result.model("GBDT naive").logged_auc > result.model("popularity").logged_auc + 0.05
    assert result.model("GBDT naive").true_ndcg10 > result.model("popularity").true_ndcg10


def test_position_bias_is_visible_and_estimated(result):
    ctr = result.ctr_by_position
    assert ctr[0] > 2 * ctr[4] > 0
    assert result.estimated_position_bias == pytest.approx(result.position_bias, abs=0.35)
    assert result.examination_true[1] == pytest.approx(0.5)  # 1/2^1


def test_mmr_raises_diversity_as_lambda_falls(result):
    rows = sorted(result.mmr, key=lambda r: -r.lam)  # λ falling
    div = [r.diversity for r in rows]
    assert all(b >= a - 0.01 for a, b in zip(div, div[1:], strict=False))
    assert div[-1] > div[0] + 0.1
    assert rows[-1].topics > rows[0].topics
    assert rows[-1].ndcg10 < rows[0].ndcg10  # diversity is paid for in relevance


def test_mmr_with_lambda_one_is_the_plain_ranking(result):
    """λ = 1 ignores similarity, so its NDCG equals the ranking model's own NDCG@10.

    Not exactly: tree scores tie, sklearn's ndcg_score averages over tied orders while MMR
    takes the first of a tie.
    """
    top = next(r for r in result.mmr if r.lam == 1.0)
    warm = result.cold_start[0]
    assert top.ndcg10 == pytest.approx(warm.ndcg10, abs=2e-3)


def test_mmr_helper_on_a_tiny_case():
    scores = np.array([[1.0, 0.99, 0.5]])
    emb = np.array([[[1.0, 0.0], [1.0, 0.01], [0.0, 1.0]]])
    sim = cosine_matrix(emb)
    assert _mmr(scores, sim, 1.0, k=2).tolist() == [[0, 1]]
    assert _mmr(scores, sim, 0.5, k=2).tolist() == [[0, 2]]  # the near-duplicate is skipped
    s = _list_scores(np.array([[2, 0]]), 3)
    assert s.tolist() == [[1.0, 0.0, 2.0]]


def test_multitask_weight_trades_clicks_for_long_dwells(result):
    rows = result.multitask
    assert rows[0].dwell_weight == 0.0
    assert rows[-1].clicks_per_list < rows[0].clicks_per_list
    assert max(r.long_dwells_per_list for r in rows[1:]) > rows[0].long_dwells_per_list


def test_cold_start_fallback_is_the_best_measured_ranker(result):
    for segment, chosen in (("new users", result.fallback_new_users), ("new items", result.fallback_new_items)):
        rows = [r for r in result.cold_start if r.segment == segment]
        assert max(rows, key=lambda r: r.ndcg10).ranker == chosen
    # New items have no click history: popularity cannot rank them.
    new_items = {r.ranker: r.ndcg10 for r in result.cold_start if r.segment == "new items"}
    assert new_items["popularity"] < new_items["content only"]


def test_same_seed_same_numbers_and_tables():
    a = simulate_ranking(n_users=300, n_items=200, sessions=2, seed=5)
    b = simulate_ranking(n_users=300, n_items=200, sessions=2, seed=5)
    assert a.to_dict() == b.to_dict()
    assert len(a.tables()) == 5 and len(a.charts()) == 3 and 3 <= len(a.reading()) <= 5
    json.dumps(a.to_dict())
    assert len(a.examination_true) == LIST_SIZE


def test_no_position_bias_means_nothing_to_correct():
    r = simulate_ranking(n_users=600, n_items=200, sessions=2, position_bias=0.0, seed=2)
    assert r.examination_true == (1.0,) * LIST_SIZE
    assert abs(r.model("GBDT + position feature").true_ndcg10 - r.model("GBDT naive").true_ndcg10) < 0.05
    assert r.reading()[0].startswith("Without position bias (η = 0;")  # not "clicks fall with position"


def test_cli_json(run_cli):
    res = run_cli("simulate", "ranking", "--n-users", "300", "--n-items", "200", "--sessions", "1", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["n_users"] == 300 and len(data["models"]) == 5


def test_registry_runs_ranking():
    from mlsd.sims.registry import get_spec, run

    assert get_spec("ranking").defaults()["n_users"] == 2000
    r = run("ranking", {"n_users": 300, "n_items": 200, "sessions": 1}, seed=1)
    assert r.n_users == 300


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--n-users", "0"], "--n-users must be in [200, 1e+15], got 0"),
        (["--n-items", "-5"], "--n-items must be in [200, 1e+15]"),
        (["--sessions", "0"], "--sessions must be in (0, 50], got 0"),
        (["--position-bias", "5"], "--position-bias must be in [0, 3], got 5"),
        (["--n-users", "500000000"], "--n-users 500,000,000 needs about"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    run_cli("simulate", "ranking", *args).assert_bad_input(needle)


def test_charts_draw_to_svg(result, check_charts):
    check_charts(result)


def test_cold_start_reading_is_one_clear_sentence(result):
    """It once read 'for new items full model (history missing) (full model (history missing) 0.690, …'."""
    line = next(x for x in result.reading() if x.startswith("Cold start"))
    assert "((" not in line and ") (" not in line and "(history missing)" not in line
    assert line.count("ranks best (NDCG@10") == 2
    for segment, best in (("new users", result.fallback_new_users), ("new items", result.fallback_new_items)):
        score = next(r.ndcg10 for r in result.cold_start if r.segment == segment and r.ranker == best)
        assert f"ranks best (NDCG@10 {score:.3f}" in line


def test_huge_sessions_names_sessions(run_cli):
    res = run_cli("simulate", "ranking", "--sessions", "1000000000000")
    assert res.code == 2 and res.stdout == ""
    assert "--sessions must be in (0, 50], got 1e+12" in res.stderr.strip().splitlines()[0]


# A hand-worked example: relevance A..E and pairwise cosine similarities.
HAND_REL = np.array([[0.9, 0.8, 0.75, 0.5, 0.7]])
HAND_SIM = np.array([[
    [1.0, 0.9, 0.2, 0.1, 0.3],
    [0.9, 1.0, 0.5, 0.1, 0.5],
    [0.2, 0.5, 1.0, 0.1, 0.4],
    [0.1, 0.1, 0.1, 1.0, 0.2],
    [0.3, 0.5, 0.4, 0.2, 1.0],
]])


def test_mmr_is_textbook_carbonell_goldstein_on_a_hand_worked_example():
    """Worked by hand at λ = 0.7: λ·rel − 0.3·max sim to the chosen items.

    Step 1: A (rel 0.9). Step 2: C, 0.525 − 0.06 = 0.465 (B 0.29, D 0.32, E 0.40).
    Step 3: E, 0.49 − 0.3·0.4 = 0.37 (B 0.56 − 0.27 = 0.29, D 0.35 − 0.03 = 0.32). So A, C, E.
    """
    assert _mmr(HAND_REL, HAND_SIM, 0.7, k=3).tolist() == [[0, 2, 4]]


def test_mmr_rescaled_variant_is_explicit_and_changes_the_picks():
    """With rel min-max scaled per list (A 1, B 0.75, C 0.625, D 0, E 0.5) step 3 is B (0.255 > E's 0.23)."""
    assert _mmr(HAND_REL, HAND_SIM, 0.7, k=3, rescale=True).tolist() == [[0, 2, 1]]
