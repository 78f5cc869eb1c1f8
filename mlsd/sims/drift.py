"""Drift statistics: PSI, two-sample Kolmogorov-Smirnov and Jensen-Shannon.

These are the numbers a model-monitoring system computes every window (what
Evidently or NannyML report): how far the current window of a feature (or of
the model's score) has moved from a reference window.

Definitions, stated once because every tool picks slightly different ones:

- **PSI** (population stability index) uses ``PSI_BINS = 10`` quantile bins of
  the *reference*: the inner edges are ``numpy.quantile(reference, [0.1, ...,
  0.9])`` (numpy's default linear interpolation) and a value ``x`` falls in bin
  ``searchsorted(edges, x, side="right")``, so bin ``i`` is ``[e_(i-1), e_i)``
  and the outer bins are open. With proportions ``p`` (reference) and ``q``
  (current), ``PSI = sum((q - p) * ln(q / p))``. An empty bin would make the log
  infinite, so **a proportion of exactly 0 is replaced by ``PSI_EPSILON = 1e-4``**
  (0.01 %) in that side only; the other proportions are left unchanged (not
  renormalised). Reference values with ties can give repeated edges and empty
  bins on both sides, which then contribute 0.
- **KS** is the two-sample statistic ``D = sup |F_ref - F_cur|`` with the same
  tie handling as ``scipy.stats.ks_2samp`` (empirical CDFs evaluated with
  ``side="right"`` at every data point) and its two-sided p-value, two regimes
  split on the effective sample size ``N = round(n*m/(n+m))``:

  * ``N < KS_EXACT_MAX_N = 10,000``: exactly ``scipy.stats.kstwo.sf(D, N)`` —
    what ``ks_2samp`` returns (``method="asymp"``, and its default whenever a
    sample has more than 10,000 rows, as a monitoring reference does);
  * ``N >= 10,000``: Kolmogorov's limit with Vrbik's (2018) small-sample
    correction, ``scipy.special.kolmogorov(z + 1/(6 sqrt N) + (z - 1)/(4 N))``
    with ``z = sqrt(N) D`` (0 where ``N D**2 >= 370``, as scipy). scipy's value
    costs O(N) there (50 ms for N = 10**5); this one is a closed form, within
    ``KS_ASYMPTOTIC_RTOL = 0.5 %`` (relative) of scipy's wherever scipy's p >= 1e-10
    and within ``KS_ASYMPTOTIC_ATOL = 1e-5`` (absolute) everywhere (tested).
- **Jensen-Shannon** for categoricals is the JS *distance* in base 2 (the
  square root of the divergence), in [0, 1]; equal to
  ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.

Speed: `DriftReference` sorts and bins the reference once. Comparing a window
then costs one in-place sort of each current column; the PSI bin counts come
from 9 binary searches into that sorted column and KS from a binary search per
unique value of the sample with fewer of them (see `_ks_sorted`), never a Python
loop over rows. Big windows spread the columns over threads (numpy releases the
GIL while sorting). scipy's p-value can cost more than all of that for large
samples, hence the closed form above N = 10,000. `benchmarks/drift.py` measures
it against pandas/scipy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

PSI_BINS = 10
PSI_EPSILON = 1e-4
KS_EXACT_MAX_N = 10_000  # effective sample sizes below this get scipy's p-value, others the closed form
KS_ASYMPTOTIC_RTOL = 0.005  # |closed form - scipy| / scipy where scipy's p >= KS_ASYMPTOTIC_RTOL_FLOOR
KS_ASYMPTOTIC_RTOL_FLOOR = 1e-10
KS_ASYMPTOTIC_ATOL = 1e-5  # |closed form - scipy| everywhere


def quantile_edges(reference: np.ndarray, bins: int = PSI_BINS) -> np.ndarray:
    """The ``bins - 1`` inner edges: reference quantiles at 1/bins, ..., (bins-1)/bins."""
    ref = np.asarray(reference, dtype=float)
    if ref.size == 0:
        raise ValueError("reference must not be empty")
    return np.quantile(ref, np.arange(1, bins) / bins)


def psi_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray, eps: float = PSI_EPSILON) -> np.ndarray:
    """PSI from bin counts along the last axis; empty bins count as proportion `eps`."""
    ref = np.asarray(ref_counts, dtype=float)
    cur = np.asarray(cur_counts, dtype=float)
    p = ref / ref.sum(axis=-1, keepdims=True)
    q = cur / cur.sum(axis=-1, keepdims=True)
    p = np.where(p == 0, eps, p)
    q = np.where(q == 0, eps, q)
    return np.sum((q - p) * np.log(q / p), axis=-1)


def _bin_counts_sorted(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin [e_(i-1), e_i) of an already sorted array: len(edges)+1 counts."""
    below = np.searchsorted(sorted_values, edges, side="left")  # values < e_i
    cum = np.concatenate(([0], below, [sorted_values.size]))
    return np.diff(cum)


def psi(reference: np.ndarray, current: np.ndarray, *, bins: int = PSI_BINS, eps: float = PSI_EPSILON) -> float:
    """PSI of one numeric column (see the module docstring for bins and epsilon)."""
    ref = np.sort(np.asarray(reference, dtype=float))
    cur = np.sort(np.asarray(current, dtype=float))
    if cur.size == 0:
        raise ValueError("current must not be empty")
    edges = quantile_edges(ref, bins)
    return float(psi_from_counts(_bin_counts_sorted(ref, edges), _bin_counts_sorted(cur, edges), eps))


def categorical_psi(ref_counts: np.ndarray, cur_counts: np.ndarray, eps: float = PSI_EPSILON) -> float:
    """PSI with one bin per category (same epsilon rule)."""
    return float(psi_from_counts(ref_counts, cur_counts, eps))


def js_distance(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen-Shannon distance, base 2, between two category count vectors (0 = same)."""
    p = np.asarray(ref_counts, dtype=float)
    q = np.asarray(cur_counts, dtype=float)
    p = p / p.sum()
    q = q / q.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return float(np.sqrt(max((kl(p) + kl(q)) / 2, 0.0)))


def _runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique values of a sorted array and how many elements are <= each."""
    last = np.empty(sorted_values.size, dtype=bool)
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=last[:-1])
    last[-1] = True
    ends = np.flatnonzero(last)
    return sorted_values[ends], ends + 1


def _ks_sorted(ref_unique: np.ndarray, ref_le: np.ndarray, m: int, cur: np.ndarray) -> float:
    """KS statistic of a reference (unique values, counts <= each, size m) vs sorted `cur`.

    D is symmetric, so the two samples can swap roles: pass the one with fewer
    unique values as the "reference" to search fewer values.

    scipy evaluates F_ref - F_cur (both right-continuous) at every point of both
    samples. F_ref - F_cur is largest at a reference value u_k; F_cur - F_ref is
    largest just below the next reference value u_(k+1) (F_ref is flat in
    between), i.e. at the last current point < u_(k+1). So a binary search per
    unique reference value give D with the same integers, and the same floats,
    as scipy: no search per current row (ties in both samples cost a second search
    for those values only) and no row-sized temporaries.
    """
    n = cur.size
    cur_le = np.searchsorted(cur, ref_unique, side="right")  # #cur <= u_k
    # #cur < u_k differs only where u_k also occurs in cur: search again just there.
    tied = (cur_le > 0) & (cur[np.maximum(cur_le - 1, 0)] == ref_unique)
    cur_lt = cur_le.copy()
    if tied.any():
        cur_lt[tied] = np.searchsorted(cur, ref_unique[tied], side="left")
    ref_minus_cur = ref_le / m - cur_le / n
    # Stretch k in [u_k, u_(k+1)): F_ref = ref_le[k-1]/m (0 before u_1), max F_cur = #cur < u_(k+1).
    cur_below_next = np.append(cur_lt, n) / n
    ref_before = np.concatenate(([0], ref_le)) / m
    cur_minus_ref = cur_below_next - ref_before
    hi = float(ref_minus_cur.max())
    lo = float(min(max(cur_minus_ref.max(), 0.0), 1.0))
    return max(hi, lo)


def ks_pvalue(statistic: np.ndarray | float, n_ref: int, n_cur: int, method: str = "auto") -> np.ndarray | float:
    """Two-sided p-value of a KS statistic for samples of n_ref and n_cur rows.

    With ``N = round(n*m/(n+m))``, the effective sample size:
    "auto" (the default): "scipy" when ``N < KS_EXACT_MAX_N`` (10,000), else
    "asymptotic" — see the module docstring for the regimes and the tolerance.
    "scipy": exactly what scipy.stats.ks_2samp(method="asymp") returns,
    ``kstwo.sf(D, N)``. scipy evaluates it with an O(N) series when ``N * D**2``
    is between 2.2 and 370, which can take tens of milliseconds (seconds for
    N ~ 10**6) per value.
    "asymptotic": Kolmogorov's limit with Vrbik's correction, a closed form;
    within 0.5 % of "scipy" (p >= 1e-10) and 1e-5 absolute once N >= 10,000.
    "stephens": Kolmogorov's limit with Stephens' finite-sample correction,
    ``kstwobign.sf(D * (sqrt(N) + 0.12 + 0.11 / sqrt(N)))``; within 2 % of "scipy"
    for p in [1e-6, 1] once N >= 5,000 (tested), less close than "asymptotic".
    """
    big, small = sorted([float(n_ref), float(n_cur)], reverse=True)
    en = big * small / (big + small)
    if method == "auto":
        method = "scipy" if round(en) < KS_EXACT_MAX_N else "asymptotic"
    if method == "scipy":
        from scipy import stats  # scipy.stats costs ~0.3 s to import: only when needed

        return np.clip(stats.kstwo.sf(statistic, np.round(en)), 0, 1)
    if method == "asymptotic":
        return _ks_asymptotic(statistic, float(np.round(en)))
    if method == "stephens":
        from scipy.special import kolmogorov  # = scipy.stats.kstwobign.sf

        s = np.sqrt(en)
        return np.clip(kolmogorov(np.asarray(statistic, dtype=float) * (s + 0.12 + 0.11 / s)), 0, 1)
    raise ValueError(f"unknown KS p-value method {method!r}")


def _ks_asymptotic(statistic: np.ndarray | float, n: float) -> np.ndarray | float:
    """Vrbik's corrected Kolmogorov limit for the two-sided one-sample KS sf at size n.

    J. Vrbik (2018), "Small-sample corrections to Kolmogorov-Smirnov test
    statistic": P(sqrt(n) D > z) = K(z + 1/(6 sqrt n) + (z - 1)/(4 n)) + O(n**-3/2).
    The edges follow scipy's kstwo: 1 at D <= 0, 0 at D >= 1 or n D**2 >= 370.
    """
    from scipy.special import kolmogorov

    d = np.asarray(statistic, dtype=float)
    s = np.sqrt(n)
    z = s * d
    p = np.clip(kolmogorov(z + 1 / (6 * s) + (z - 1) / (4 * n)), 0, 1)
    p = np.where(d <= 0, 1.0, np.where((d >= 1) | (n * d * d >= 370), 0.0, p))
    p = np.where(np.isnan(d), np.nan, p)
    return p if p.ndim else float(p)


@dataclass(frozen=True)
class KSResult:
    statistic: float
    pvalue: float


def ks_2samp(reference: np.ndarray, current: np.ndarray) -> KSResult:
    """Two-sample KS of one column; statistic equals scipy's, p-value is `ks_pvalue`'s "auto"."""
    ref = np.sort(np.asarray(reference, dtype=float))
    cur = np.sort(np.asarray(current, dtype=float))
    if ref.size == 0 or cur.size == 0:
        raise ValueError("KS needs two non-empty samples")
    unique, le = _runs(ref)
    if unique.size <= cur.size:
        d = _ks_sorted(unique, le, ref.size, cur)
    else:
        cur_unique, cur_le = _runs(cur)
        d = _ks_sorted(cur_unique, cur_le, cur.size, ref)
    return KSResult(d, float(ks_pvalue(d, ref.size, cur.size)))


@dataclass(frozen=True)
class ColumnDrift:
    """PSI, KS statistic and KS p-value per column of one comparison."""

    psi: np.ndarray
    ks_statistic: np.ndarray
    ks_pvalue: np.ndarray


class DriftReference:
    """Numeric reference columns, prepared once: sorted values, PSI edges and counts.

    `compare(current)` returns PSI and KS for every column of a window; the
    reference side is never re-sorted or re-binned.
    """

    def __init__(
        self, reference: np.ndarray, *, bins: int = PSI_BINS, eps: float = PSI_EPSILON, workers: int | None = None
    ):
        ref = np.asarray(reference, dtype=float)
        if ref.ndim == 1:
            ref = ref[:, None]
        if ref.shape[0] == 0:
            raise ValueError("reference must not be empty")
        self.bins, self.eps = bins, eps
        self.workers = workers  # threads for big comparisons; None = one per core, at most 4
        self.n = ref.shape[0]
        columns = [np.sort(ref[:, i]) for i in range(ref.shape[1])]
        self.sorted = columns
        self.runs = [_runs(col) for col in columns]
        self.edges = [np.quantile(col, np.arange(1, bins) / bins) for col in columns]
        self.counts = np.array([_bin_counts_sorted(c, e) for c, e in zip(columns, self.edges, strict=True)])

    @property
    def n_columns(self) -> int:
        return len(self.runs)

    def psi(self, current: np.ndarray) -> np.ndarray:
        """PSI only, per column (the same sort and bin counts as `compare`, no KS)."""
        counts, _ = self._scan(current, ks=False)
        return psi_from_counts(self.counts, counts, self.eps)

    def compare(self, current: np.ndarray, *, pvalue: str = "auto") -> ColumnDrift:
        """PSI and KS of each column of `current` (rows x columns) against the reference.

        `pvalue` picks the KS p-value: "auto" (scipy's below an effective sample
        size of 10,000, a closed form within 0.5 % of it above), "scipy" (always
        equal to ks_2samp), "asymptotic", "stephens" (closed forms, see
        `ks_pvalue`) or "none" (NaN: statistics only).
        """
        counts, ks_d = self._scan(current, ks=True)
        n_cur = int(counts[0].sum())
        return ColumnDrift(
            psi=psi_from_counts(self.counts, counts, self.eps),
            ks_statistic=ks_d,
            ks_pvalue=(
                np.full(self.n_columns, np.nan)
                if pvalue == "none"
                else np.asarray(ks_pvalue(ks_d, self.n, n_cur, pvalue), dtype=float)
            ),
        )

    def _scan(self, current: np.ndarray, *, ks: bool) -> tuple[np.ndarray, np.ndarray]:
        """Bin counts and KS statistics per column; big inputs use a thread per core.

        numpy's sort and searchsorted release the GIL, so columns run in parallel;
        each column's numbers do not depend on which thread computed them.
        """
        cur = np.asarray(current, dtype=float)
        if cur.ndim == 1:
            cur = cur[:, None]
        if cur.shape[1] != self.n_columns:
            raise ValueError(f"expected {self.n_columns} columns, got {cur.shape[1]}")
        if cur.shape[0] == 0:
            raise ValueError("current window must not be empty")
        counts = np.empty_like(self.counts)
        ks_d = np.full(self.n_columns, np.nan)

        def run(cols: range) -> None:
            col = np.empty(cur.shape[0])  # one buffer per worker, sorted in place
            for i in cols:
                col[:] = cur[:, i]
                col.sort()
                counts[i] = _bin_counts_sorted(col, self.edges[i])
                if not ks:
                    continue
                unique, le = self.runs[i]
                if unique.size <= col.size:
                    ks_d[i] = _ks_sorted(unique, le, self.n, col)
                else:  # a small window: search its values in the reference (D is symmetric)
                    cur_unique, cur_le = _runs(col)
                    ks_d[i] = _ks_sorted(cur_unique, cur_le, col.size, self.sorted[i])

        workers = min(self.workers or os.cpu_count() or 1, self.n_columns, 4 if self.workers is None else self.workers)
        if workers > 1 and cur.size >= 2_000_000:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, [range(w, self.n_columns, workers) for w in range(workers)]))
        else:
            run(range(self.n_columns))
        return counts, ks_d
