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
- `one_thread`                  context manager: OpenMP limited to one thread for small fits

Ranking metrics with graded relevance use `sklearn.metrics.ndcg_score` directly.
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


def check_memory(option: str, value: int, needed_bytes: float, *, share: float = 0.5) -> None:
    """Raise BadInputError before allocating when a world would take over `share` of free RAM."""
    limit = available_memory_bytes() * share
    if needed_bytes > limit:
        raise BadInputError(
            f"{option_name(option)} {value:,} needs about {needed_bytes / 1024**3:.1f} GiB, "
            f"more than the {limit / 1024**3:.1f} GiB this machine can spare; use a smaller value"
        )


__all__ = [
    "available_memory_bytes",
    "check_memory",
    "expected_calibration_error",
    "intra_list_diversity",
    "one_thread",
    "precision_at_k",
    "profit_curve",
    "recall_at_k",
    "recall_at_top_fraction",
    "top_k_mask",
]
