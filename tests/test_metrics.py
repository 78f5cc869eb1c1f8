"""Metric helpers in mlsd.sims.metrics, checked against scikit-learn on fixed and random inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    ndcg_score,
    pairwise_distances,
    precision_score,
    recall_score,
    roc_auc_score,
)

from mlsd.errors import BadInputError
from mlsd.sims import metrics as m

LABELS = np.array([1, 0, 0, 1, 1, 0, 0, 0, 1, 0])
SCORES = np.array([0.9, 0.8, 0.1, 0.7, 0.3, 0.2, 0.65, 0.05, 0.4, 0.5])


def _ece_reference(y, p, n_bins=10):
    """ECE from sklearn's calibration_curve (uniform bins) weighted by bin counts."""
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    bins = np.linspace(0, 1, n_bins + 1)
    counts = np.bincount(np.searchsorted(bins[1:-1], p), minlength=n_bins)
    counts = counts[counts > 0]
    return float(np.sum(counts / len(y) * np.abs(prob_true - prob_pred)))


def test_ece_matches_sklearn_calibration_curve_on_fixed_input():
    assert m.expected_calibration_error(LABELS, SCORES) == pytest.approx(_ece_reference(LABELS, SCORES), abs=1e-12)
    assert m.expected_calibration_error(LABELS, SCORES) == pytest.approx(0.34, abs=1e-9)  # worked by hand, edges go to the lower bin


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(20, 300))
def test_ece_matches_sklearn_calibration_curve_on_random_input(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    y[0], y[1] = 0, 1  # calibration_curve needs both classes
    assert m.expected_calibration_error(y, p) == pytest.approx(_ece_reference(y, p), abs=1e-12)


def test_ece_is_zero_for_perfect_bin_rates():
    p = np.array([0.25] * 4 + [0.75] * 4)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    assert m.expected_calibration_error(y, p) == pytest.approx(0.0)


@pytest.mark.parametrize("k", [1, 3, 4, 7, 10])
def test_precision_and_recall_at_k_match_sklearn_on_top_k_mask(k):
    """precision@k / recall@k equal sklearn's precision_score / recall_score of 'flag the top k'."""
    flagged = np.zeros_like(LABELS)
    flagged[np.argsort(-SCORES)[:k]] = 1
    assert m.precision_at_k(LABELS, SCORES, k) == pytest.approx(precision_score(LABELS, flagged))
    assert m.recall_at_k(LABELS, SCORES, k) == pytest.approx(recall_score(LABELS, flagged))


def test_precision_at_k_fixed_values():
    # Top 3 by score: 0.9 (1), 0.8 (0), 0.7 (1).
    assert m.precision_at_k(LABELS, SCORES, 3) == pytest.approx(2 / 3)
    assert m.recall_at_k(LABELS, SCORES, 3) == pytest.approx(2 / 4)
    assert m.recall_at_top_fraction(LABELS, SCORES, 0.3) == pytest.approx(2 / 4)


def test_top_k_mask_breaks_ties_stably_and_clips_k():
    s = np.array([1.0, 2.0, 2.0, 0.0])
    assert m.top_k_mask(s, 1).tolist() == [False, True, False, False]
    assert m.top_k_mask(s, 10).sum() == 4
    assert m.precision_at_k([1, 0], [0.5, 0.1], 0) == 0.0


def test_intra_list_diversity_matches_sklearn_cosine_distances():
    rng = np.random.default_rng(3)
    lists = rng.normal(size=(5, 7, 4))
    got = m.intra_list_diversity(lists)
    for i in range(5):
        d = pairwise_distances(lists[i], metric="cosine")
        expected = d[~np.eye(7, dtype=bool)].mean()
        assert got[i] == pytest.approx(expected, abs=1e-12)


def test_intra_list_diversity_extremes():
    same = np.ones((1, 4, 3))
    assert m.intra_list_diversity(same)[0] == pytest.approx(0.0, abs=1e-12)
    orth = np.eye(3)[None]
    assert m.intra_list_diversity(orth)[0] == pytest.approx(1.0)


def test_profit_curve_matches_brute_force_thresholds():
    gain, cost = 5.0, 2.0
    k, profit, thr = m.profit_curve(LABELS, SCORES, gain=gain, cost=cost)
    assert k[0] == 0 and profit[0] == 0 and np.isinf(thr[0])
    for i in range(1, len(SCORES) + 1):
        acted = thr[i] <= SCORES
        assert acted.sum() == i  # no ties in SCORES
        assert profit[i] == pytest.approx(np.sum(LABELS[acted] * gain - cost))
    best = int(np.argmax(profit))
    assert profit[best] == pytest.approx(max(np.sum(LABELS[t <= SCORES] * gain - cost) for t in SCORES))


def test_check_memory_names_the_option():
    with pytest.raises(BadInputError, match=r"^--n-users 5 needs about"):
        m.check_memory("n_users", 5, 1e18)
    m.check_memory("n_users", 5, 1024)  # small: no error


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(5, 200), st.floats(0.0, 1.0))
def test_precision_recall_at_k_match_sklearn_on_random_input(seed, n, share):
    """Against sklearn's precision_score / recall_score of the top-k mask, ties included."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    y[0] = 1
    s = np.round(rng.random(n), 1)  # many ties: the mask's stable tie-break decides
    k = max(1, int(share * n))
    flagged = m.top_k_mask(s, k).astype(int)
    assert flagged.sum() == k
    assert m.precision_at_k(y, s, k) == pytest.approx(precision_score(y, flagged))
    assert m.recall_at_k(y, s, k) == pytest.approx(recall_score(y, flagged))


def test_ndcg_at_k_fixed_values_with_ties():
    # row 1: scores tie on items 0 and 1, whose gains 3 and 1 share positions 1-2
    gains = np.array([[3.0, 1.0, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    scores = np.array([[0.5, 0.5, 0.1, 0.2], [0.3, 0.2, 0.1, 0.0]])
    d = 1 / np.log2(np.arange(4) + 2)
    row1 = (2.0 * (d[0] + d[1]) + 2.0 * d[2] + 0.0 * d[3]) / (3 * d[0] + 2 * d[1] + 1 * d[2])
    assert m.ndcg_at_k(gains, scores, k=4) == pytest.approx((row1 + 0.0) / 2, abs=1e-12)  # all-zero row scores 0
    assert m.ndcg_at_k(gains, scores, k=4) == pytest.approx(ndcg_score(gains, scores, k=4), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 30),
    cols=st.integers(2, 40),
    k=st.integers(1, 45),
    levels=st.integers(1, 6),
)
def test_ndcg_at_k_matches_sklearn_ndcg_score_with_ties(seed, rows, cols, k, levels):
    """Scores drawn from a few levels so that many tie, as tree models' scores do."""
    rng = np.random.default_rng(seed)
    gains = rng.random((rows, cols)) * (rng.random((rows, cols)) < 0.7)
    scores = rng.integers(0, levels, size=(rows, cols)).astype(float)
    assert m.ndcg_at_k(gains, scores, k) == pytest.approx(ndcg_score(gains, scores, k=k), abs=1e-12)


def test_ndcg_at_k_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        m.ndcg_at_k(np.zeros((2, 3)), np.zeros((3, 2)), 2)


def test_roc_auc_fixed_values():
    assert m.roc_auc(LABELS, SCORES) == pytest.approx(roc_auc_score(LABELS, SCORES), abs=1e-12)
    assert m.roc_auc([0, 1], [0.2, 0.8]) == 1.0
    assert m.roc_auc([0, 1], [0.5, 0.5]) == 0.5  # a tie counts half
    assert m.roc_auc(["no", "yes", "yes"], [0.9, 0.1, 0.95]) == 0.5  # the larger label is positive


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 400), levels=st.integers(1, 50), share=st.floats(0.01, 0.99))
def test_roc_auc_matches_sklearn_with_ties(seed, n, levels, share):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < share
    y[0], y[-1] = True, False  # both classes present
    scores = rng.integers(0, levels, size=n) / levels
    assert m.roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores), abs=1e-12)


def test_auc_scorer_equals_sklearn_roc_auc_scoring():
    from sklearn.datasets import make_classification
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    X, y = make_classification(n_samples=600, random_state=3)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    ours = cross_val_score(tree, X, y, cv=3, scoring=m.auc_scorer)
    theirs = cross_val_score(tree, X, y, cv=3, scoring="roc_auc")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_roc_auc_needs_two_classes():
    with pytest.raises(ValueError, match="two classes"):
        m.roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
