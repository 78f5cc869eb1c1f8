"""Metric helpers shared by the scenario simulations (ranking, churn, abuse, retrieval).

Only what scikit-learn does not already provide in the shape we need; each one
is checked against scikit-learn on fixed inputs in `tests/test_metrics.py`.

- `expected_calibration_error`  ECE over equal-width probability bins
- `precision_at_k`, `recall_at_k`  for a review queue / top-k list of fixed size
- `recall_at_top_fraction`      recall when acting on the top k% of scores
- `top_k_mask`                  which rows a top-k queue takes (stable tie-break)
- `intra_list_diversity`        mean pairwise cosine distance inside each list
- `profit_curve`                profit of acting on the top k rows, for every k
- `check_memory`                refuse a world that would not fit in RAM, before allocating
- `furthest_above_default`      which of several sizing options such a refusal should name
- `one_thread`                  context manager: OpenMP limited to one thread for small fits
- `ndcg_at_k`                   `sklearn.metrics.ndcg_score`, vectorised over many lists
- `roc_auc`, `auc_scorer`       `sklearn.metrics.roc_auc_score` for binary labels, without its checks

`ndcg_at_k` exists because `ndcg_score` averages tied scores one list at a time in
Python (tree models tie often); on the ranking world's 3,000 lists that loop was a
sixth of a default run (cProfile). `roc_auc` exists because `roc_auc_score`'s input
checks cost ~7 ms a call under cProfile: the ~200 cross-validation scores of a
hyper-parameter search spent more time checking than the trees spent fitting.
"""

from __future__ import annotations

import numpy as np

from mlsd.errors import BadInputError, option_name


def expected_calibration_error(y_true, y_prob, n_bins: int = 10) -> float:
    """Expected calibration error: sum over bins of (bin share) × |observed rate − mean prediction|.

    Equal-width bins on [0, 1], the same bins as `sklearn.calibration.calibration_curve`
    with strategy="uniform" (a value on an edge goes to the lower bin); empty bins add nothing.
    `y_true` may also hold probabilities (e.g. a simulation's true relevance).
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or y.size == 0:
        raise ValueError("y_true and y_prob must be 1-d arrays of the same non-zero length")
    bins = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.searchsorted(bins[1:-1], p)  # bins (a, b], first [0, b]: as calibration_curve
    count = np.bincount(idx, minlength=n_bins).astype(float)
    sum_y = np.bincount(idx, weights=y, minlength=n_bins)
    sum_p = np.bincount(idx, weights=p, minlength=n_bins)
    nz = count > 0
    gap = np.abs(sum_y[nz] / count[nz] - sum_p[nz] / count[nz])
    return float(np.sum(count[nz] / y.size * gap))


def top_k_mask(scores, k: int) -> np.ndarray:
    """Boolean mask of the k highest scores (ties broken by position, stable)."""
    s = np.asarray(scores, dtype=float)
    k = int(min(max(k, 0), s.size))
    mask = np.zeros(s.size, dtype=bool)
    if k:
        order = np.argsort(-s, kind="stable")
        mask[order[:k]] = True
    return mask


def precision_at_k(y_true, scores, k: int) -> float:
    """Share of true positives among the k highest-scored rows (a queue of capacity k)."""
    y = np.asarray(y_true).astype(bool)
    mask = top_k_mask(scores, k)
    taken = int(mask.sum())
    return float(y[mask].sum() / taken) if taken else 0.0


def recall_at_k(y_true, scores, k: int) -> float:
    """Share of all positives that fall in the k highest-scored rows."""
    y = np.asarray(y_true).astype(bool)
    total = int(y.sum())
    if total == 0:
        return 0.0
    return float(y[top_k_mask(scores, k)].sum() / total)


def recall_at_top_fraction(y_true, scores, fraction: float) -> float:
    """Recall when acting on the top `fraction` of rows by score (e.g. 0.05 = top 5%)."""
    n = np.asarray(scores).size
    return recall_at_k(y_true, scores, int(round(fraction * n)))


def intra_list_diversity(embeddings) -> np.ndarray:
    """Mean pairwise cosine distance (1 − cos) between the items of each list.

    `embeddings` has shape (n_lists, list_size, dim); returns one value per list.
    """
    e = np.asarray(embeddings, dtype=float)
    if e.ndim == 2:
        e = e[None]
    n = e.shape[1]
    if n < 2:
        return np.zeros(e.shape[0])
    unit = e / np.maximum(np.linalg.norm(e, axis=2, keepdims=True), 1e-12)
    sim = np.einsum("lid,ljd->lij", unit, unit)
    off = (sim.sum(axis=(1, 2)) - np.trace(sim, axis1=1, axis2=2)) / (n * (n - 1))
    return 1.0 - off


def profit_curve(y_true, scores, *, gain: float, cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Profit of acting on the top k rows for every k = 0..n.

    Each acted-on positive earns `gain` (e.g. value × save rate), each acted-on row costs
    `cost`. Returns (k, profit at k, score threshold at k); threshold[0] is +inf.
    """
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="stable")
    per_row = y[order] * gain - cost
    profit = np.concatenate([[0.0], np.cumsum(per_row)])
    thresholds = np.concatenate([[np.inf], s[order]])
    return np.arange(s.size + 1), profit, thresholds


def ndcg_at_k(y_true, y_score, k: int) -> float:
    """Mean NDCG@k over rows, tied scores averaged: `sklearn.metrics.ndcg_score(y_true, y_score, k=k)`.

    Tied scores share the mean gain of their group over the positions the group spans
    (McSherry & Najork), as scikit-learn does with `ignore_ties=False`; a row whose
    ideal DCG is 0 scores 0.
    """
    gains = np.asarray(y_true, dtype=float)
    scores = np.asarray(y_score, dtype=float)
    if gains.shape != scores.shape or gains.ndim != 2 or gains.size == 0:
        raise ValueError("y_true and y_score must be 2-d arrays of the same non-empty shape")
    n_rows, n_cols = gains.shape
    discount = 1.0 / np.log2(np.arange(n_cols) + 2.0)
    discount[k:] = 0.0
    order = np.argsort(-scores, axis=1, kind="stable")
    s = np.take_along_axis(scores, order, axis=1)
    g = np.take_along_axis(gains, order, axis=1)
    # a new tie group starts at every column where the sorted score changes, and every row
    new_group = np.ones_like(s, dtype=bool)
    new_group[:, 1:] = s[:, 1:] != s[:, :-1]
    group = np.cumsum(new_group.ravel()) - 1
    n_groups = int(group[-1]) + 1
    mean_gain = np.bincount(group, weights=g.ravel(), minlength=n_groups) / np.bincount(group, minlength=n_groups)
    spanned = np.bincount(group, weights=np.broadcast_to(discount, s.shape).ravel(), minlength=n_groups)
    row_of_group = np.repeat(np.arange(n_rows), new_group.sum(axis=1))
    dcg = np.bincount(row_of_group, weights=mean_gain * spanned, minlength=n_rows)
    ideal = (-np.sort(-gains, axis=1)) @ discount
    return float(np.mean(np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1.0), 0.0)))


def roc_auc(y_true, y_score) -> float:
    """ROC AUC of binary labels: `sklearn.metrics.roc_auc_score(y_true, y_score)`.

    The Mann-Whitney form: the mean rank of the positives among all scores, tied
    scores sharing their average rank (which is what the ROC curve's trapezoids give).
    """
    y = np.asarray(y_true).ravel()
    scores = np.asarray(y_score, dtype=float).ravel()
    if y.shape != scores.shape or y.size == 0:
        raise ValueError("y_true and y_score must have the same non-zero length")
    labels = np.unique(y)
    if labels.size != 2:
        raise ValueError(f"roc_auc needs exactly two classes in y_true, got {labels.size}")
    from scipy.stats import rankdata  # loaded with scikit-learn already

    positive = y == labels[1]
    n_pos = int(positive.sum())
    n_neg = y.size - n_pos
    ranks = rankdata(scores)  # 1-based; tied scores share their average rank
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def auc_scorer(estimator, X, y) -> float:
    """A scikit-learn scorer (`scoring=auc_scorer`) equal to `scoring="roc_auc"` for binary y."""
    return roc_auc(y, estimator.predict_proba(X)[:, 1])


def one_thread():
    """Limit OpenMP (HistGradientBoosting) to one thread for the small fits of a simulation.

    On a shared 2-core machine, OpenMP threads spin against other processes and made a
    default run several times slower than a single thread; the models here are small.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


def available_memory_bytes() -> int:
    """MemAvailable from /proc/meminfo, or a conservative 2 GiB where that is unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 2 * 1024**3


def furthest_above_default(simulation: str, **values: float) -> tuple[str, float]:
    """(option, value) of the option most above its registered default: the one a memory
    error should name when several options together size a world."""
    from mlsd.sims.registry import get_spec

    defaults = get_spec(simulation).defaults()
    return max(values.items(), key=lambda item: item[1] / defaults[item[0]])


def check_memory(option: str, value: float, needed_bytes: float, *, share: float = 0.5) -> None:
    """Raise BadInputError before allocating when a world would take over `share` of free RAM."""
    limit = available_memory_bytes() * share
    if needed_bytes > limit:
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"
        raise BadInputError(
            f"{option_name(option)} {shown} needs about {needed_bytes / 1024**3:,.1f} GiB, "
            f"more than the {limit / 1024**3:.1f} GiB this machine can spare; use a smaller value"
        )


__all__ = [
    "available_memory_bytes",
    "check_memory",
    "expected_calibration_error",
    "furthest_above_default",
    "intra_list_diversity",
    "ndcg_at_k",
    "one_thread",
    "precision_at_k",
    "profit_curve",
    "recall_at_k",
    "recall_at_top_fraction",
    "auc_scorer",
    "roc_auc",
    "top_k_mask",
]
