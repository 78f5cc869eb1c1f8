"""Benchmark for `mlsd.sims.drift`: PSI and KS throughput against pandas/scipy.

Run: /work/venv/bin/python benchmarks/drift.py [--rows 1000000] [--features 20] [--ref-rows 100000]

A current window of ROWS x FEATURES (columnar, like a pandas/Arrow frame) is
compared with a reference of REF_ROWS rows: half the features unchanged, half
shifted slightly. mlsd's vectorised path (`DriftReference`: reference sorted and
binned once; each current column sorted once, PSI from 9 binary searches into it,
KS from one binary search per unique reference value; the p-value scipy's
below an effective sample size of 10,000, a closed form above) is timed against the
straightforward implementation in the same run: PSI with `pandas.cut` +
`value_counts` on the reference deciles, KS with `scipy.stats.ks_2samp` per
column. Both must agree (printed). Timings on a shared machine are noisy: read
the ratios, measured back to back, rather than the absolute seconds.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from scipy import stats

from mlsd.sims import drift

CPU: dict[str, float] = {}


def best_of(fn, repeat: int, name: str = ""):
    """Best wall time of `repeat` runs; the CPU seconds of that run go to CPU[name]."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        if wall < best:
            best = wall
            CPU[name] = cpu
    return best, out


def pandas_psi(ref: np.ndarray, cur: np.ndarray, eps: float = drift.PSI_EPSILON) -> float:
    """The textbook PSI: reference deciles, pandas.cut with left-closed bins, eps for empty bins."""
    edges = np.quantile(ref, np.arange(1, 10) / 10)
    bins = [-np.inf, *edges, np.inf]
    p = pd.cut(pd.Series(ref), bins, right=False).value_counts(normalize=True, sort=False).to_numpy()
    q = pd.cut(pd.Series(cur), bins, right=False).value_counts(normalize=True, sort=False).to_numpy()
    p = np.where(p == 0, eps, p)
    q = np.where(q == 0, eps, q)
    return float(np.sum((q - p) * np.log(q / p)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the current window")
    ap.add_argument("--features", type=int, default=20, help="numeric features")
    ap.add_argument("--ref-rows", type=int, default=100_000, help="rows of the reference")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs for mlsd timings")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    shift = np.where(np.arange(args.features) % 2 == 0, 0.0, 0.02)
    ref = rng.normal(size=(args.ref_rows, args.features))
    cur = np.asfortranarray(rng.normal(size=(args.rows, args.features)) + shift)
    cells = args.rows * args.features
    threads = min(os.cpu_count() or 1, args.features, 4)
    print(f"drift statistics: {args.features} features x {args.rows:,} rows vs a {args.ref_rows:,}-row reference"
          f" (mlsd uses {threads} thread(s) unless marked; the references run single-threaded)")

    t_fit, ref_model = best_of(lambda: drift.DriftReference(ref), 1, "mlsd reference fit (once)")
    one = drift.DriftReference(ref, workers=1)
    t_psi, psi_ours = best_of(lambda: ref_model.psi(cur), args.repeat, "mlsd PSI only")
    t_all, ours = best_of(lambda: ref_model.compare(cur, pvalue="none"), args.repeat, "mlsd PSI + KS statistic")
    t_all_1, ours_1 = best_of(lambda: one.compare(cur, pvalue="none"), args.repeat, "mlsd PSI + KS statistic, 1 thread")
    assert np.array_equal(ours.psi, ours_1.psi) and np.array_equal(ours.ks_statistic, ours_1.ks_statistic)
    t_auto, ours_auto = best_of(lambda: ref_model.compare(cur), args.repeat, "mlsd PSI + KS + p (default)")
    t_scipy_p, ours_p = best_of(lambda: ref_model.compare(cur, pvalue="scipy"), 1, "mlsd PSI + KS + p (scipy kstwo)")
    t_psi_ref, psi_ref = best_of(
        lambda: np.array([pandas_psi(ref[:, i], cur[:, i]) for i in range(args.features)]), 1, "pandas.cut PSI (reference)"
    )
    t_ks_ref, ks_ref = best_of(
        lambda: [stats.ks_2samp(ref[:, i], cur[:, i]) for i in range(args.features)], 1, "scipy.stats.ks_2samp (reference)"
    )

    d_ref = np.array([k.statistic for k in ks_ref])
    p_ref = np.array([k.pvalue for k in ks_ref])
    print(f"  agreement: max |PSI - pandas| = {np.max(np.abs(ours.psi - psi_ref)):.2e}, "
          f"max |PSI-only path - pandas| = {np.max(np.abs(psi_ours - psi_ref)):.2e}, "
          f"KS D equal to scipy in {int(np.sum(ours.ks_statistic == d_ref))}/{args.features} columns, "
          f"p-values equal in {int(np.sum(ours_p.ks_pvalue == p_ref))}/{args.features}")  # fmt: skip
    n_eff = round(args.rows * args.ref_rows / (args.rows + args.ref_rows))
    regime = "scipy's kstwo" if n_eff < drift.KS_EXACT_MAX_N else "closed form"
    rel = np.abs(ours_auto.ks_pvalue - p_ref) / p_ref
    print(f"  default p-value: N = {n_eff:,} -> {regime} (switch at {drift.KS_EXACT_MAX_N:,}); "
          f"max |p - scipy| = {np.max(np.abs(ours_auto.ks_pvalue - p_ref)):.1e}, max relative {np.max(rel):.1e}; "
          f"PSI and D identical: {np.array_equal(ours_auto.psi, ours_p.psi) and np.array_equal(ours_auto.ks_statistic, d_ref)}")
    rows = [
        ("mlsd reference fit (once)", t_fit, None),
        ("mlsd PSI only", t_psi, t_psi_ref),
        ("mlsd PSI + KS statistic", t_all, t_psi_ref + t_ks_ref),
        ("mlsd PSI + KS statistic, 1 thread", t_all_1, t_psi_ref + t_ks_ref),
        ("mlsd PSI + KS + p (default)", t_auto, t_psi_ref + t_ks_ref),
        ("mlsd PSI + KS + p (scipy kstwo)", t_scipy_p, t_psi_ref + t_ks_ref),
        ("pandas.cut PSI (reference)", t_psi_ref, None),
        ("scipy.stats.ks_2samp (reference)", t_ks_ref, None),
    ]
    print(f"  {'':34s} {'seconds':>8s} {'cpu s':>7s} {'M cells/s':>10s} {'speed-up vs reference':>22s}")
    for name, t, ref_t in rows:
        speed = f"{ref_t / t:.1f}x" if ref_t else ""
        print(f"  {name:34s} {t:8.3f} {CPU[name]:7.3f} {cells / t / 1e6:10.1f} {speed:>22s}")
    print("  (reference for PSI-only: pandas.cut; for PSI + KS: pandas.cut + scipy.stats.ks_2samp,"
          " which includes its p-value)")


if __name__ == "__main__":
    main()
