"""Benchmark and figures for `mlsd simulate ab-test`.

Run: /work/venv/bin/python benchmarks/abtest.py

Prints (1) the correctness figures the tests check, measured at full size, and
(2) speeds as ratios against a reference measured in the same run: `plan` vs
statsmodels' solvers, and vectorised `verify` vs drawing every user. Timings on a
shared machine are noisy; read the ratios, not the absolute seconds.
"""

from __future__ import annotations

import time

import numpy as np
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

from mlsd.sims import abtest
from mlsd.sims.abtest import peeking as abtest_peeking
from mlsd.sims.abtest import users as abtest_users


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print("== correctness figures ==")
    grid = [(b, m, a, p) for b in (0.01, 0.05, 0.1, 0.3, 0.6) for m in (0.05, 0.1, 0.2)
            for a, p in ((0.05, 0.8), (0.01, 0.95))]
    worst = 0.0
    for b, m, a, p in grid:
        ref = samplesize_proportions_2indep_onetail(b * m, b, p, alpha=a)
        n = abtest.plan(baseline=b, mde=m, relative=True, alpha=a, power=p).n_per_arm
        worst = max(worst, abs(n - ref) / ref)
    print(f"plan vs statsmodels, {len(grid)} proportion cases: worst |n − ref| / ref = "
          f"{worst:.2e}")
    worst_t = 0.0
    for d in (0.02, 0.1, 0.3, 0.8):
        for ratio in (0.5, 1.0, 2.0):
            ref = TTestIndPower().solve_power(d, alpha=0.05, power=0.8, ratio=ratio)
            n = abtest.plan(metric="mean", baseline=0, mde=d, std=1, ratio=ratio).n_per_arm
            worst_t = max(worst_t, abs(n - ref))
    print(f"plan vs TTestIndPower, 12 cases: worst |n − ref| = {worst_t:.3f} units")
    v = abtest.verify(baseline=0.1, mde=0.01, experiments=20_000, seed=0)
    print(f"verify 20,000: FPR {v.false_positive_rate:.4f} (α 0.05), power "
          f"{v.empirical_power:.4f} (target 0.8)")
    pkr = abtest_peeking.peeking(looks=20, experiments=20_000, seed=0)
    print(f"peeking, 20 looks: once {pkr.fpr_once:.4f}, every look {pkr.fpr_peeking:.4f} "
          f"(exact {pkr.fpr_peeking_exact:.4f}), O'Brien–Fleming {pkr.fpr_sequential:.4f}; "
          f"power once {pkr.power_once:.3f} vs sequential {pkr.power_sequential:.3f}, "
          f"{pkr.mean_fraction_used_h1:.0%} of n used under H1")
    c = abtest_users.cuped(seed=0)
    print(f"cuped ρ=0.5: variance ratio {c.variance_ratio_simulated:.4f} (1 − ρ² = 0.75), "
          f"power {c.power_raw:.3f} → {c.power_cuped:.3f}")
    u = abtest_users.unit(seed=0)
    print("unit m=10 ICC=0.2: " + ", ".join(f"{by}/{how}: {f:.3f}" for by, how, f, _, _ in u.rows)
          + f" (naive theory {u.fpr_naive_theory:.3f})")
    s = abtest_users.segments(seed=0)
    print(f"segments: FWER over 4 segments uncorrected {s.fwer_uncorrected:.3f}, holm "
          f"{s.fwer_corrected:.3f}; harm to new users found in {s.harm_detected_rate:.1%}")

    print("\n== speed (ratios measured in this run) ==")
    mine = best_of(lambda: abtest.proportion_n(0.1, 0.01, alpha=0.05, power=0.8), 50)
    ref = best_of(lambda: samplesize_proportions_2indep_onetail(0.01, 0.1, 0.8), 50)
    print(f"proportion n: mlsd {mine * 1e6:.0f} µs, statsmodels {ref * 1e6:.0f} µs "
          f"(ratio {mine / ref:.2f})")
    mine = best_of(lambda: abtest.ttest_n(0.2, alpha=0.05, power=0.8), 10)
    ref = best_of(lambda: TTestIndPower().solve_power(0.2, alpha=0.05, power=0.8), 10)
    print(f"t-test n: mlsd {mine * 1e3:.2f} ms, statsmodels solve_power {ref * 1e3:.2f} ms "
          f"(ratio {mine / ref:.2f})")
    full = best_of(lambda: abtest.plan(), 5)
    print(f"full `plan` with tables and curves: {full * 1e3:.1f} ms")

    mde = 0.01
    for _ in range(4):  # fixed point: the MDE whose plan is ~100,000 users per arm
        mde *= np.sqrt(abtest.proportion_n(0.1, mde, alpha=0.05, power=0.8) / 100_000)
    mde = float(mde) * 0.9999
    n = abtest.plan(baseline=0.1, mde=float(mde)).n_per_arm
    t_verify = best_of(lambda: abtest.verify(baseline=0.1, mde=float(mde), experiments=10_000),
                       3)
    rng = np.random.default_rng(0)

    def per_user(k: int = 20) -> None:  # the naive way: draw every user, for k experiments
        for _ in range(k):
            c = rng.random(n) < 0.1
            t = rng.random(n) < 0.1 + mde
            _ = t.mean() - c.mean()

    t_naive = best_of(per_user, 3) / 20 * 2 * 6 * 10_000  # A/A + A/B + 5 n-points, ×10,000
    print(f"verify, 10,000 experiments at {n:,} users per arm: {t_verify:.3f} s "
          f"(drawing users instead: ~{t_naive:.0f} s extrapolated, ratio "
          f"{t_verify / t_naive:.1e})")
    # Wall time on a shared machine counts other people's work; CPU time is this process's.
    for name, fn in (("tour", abtest.tour), ("peeking", abtest_peeking.peeking),
                     ("cuped", abtest_users.cuped), ("unit", abtest_users.unit),
                     ("segments", abtest_users.segments)):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{name} at defaults: {wall:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
