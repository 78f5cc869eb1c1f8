"""A/B testing: plan the sample size, verify the plan by simulation, analyse a result.

The source notes' procedure, step by step: pick α and power 1−β, the minimum detectable
effect (MDE), compute the sample size per variation, randomise, analyse with the
right test. `plan` does the arithmetic (the same formulas statsmodels uses),
`verify` shows by simulation that the arithmetic holds, `analyze` reads a real
result and refuses to call it when the split is broken (sample-ratio mismatch),
and `tour` strings the three together. Peeking lives in `peeking`,
CUPED / randomisation unit / segments in `users`; the shared statistics in `stats`.

Conventions: `ratio` is treatment size / control size (statsmodels' `nobs2 =
ratio * nobs1` with sample 1 = control); `n_per_arm` is the control arm.
"""

from mlsd.sims.abtest.analysis import (
    AnalyzeResult,
    analyze,
    analyze_counts,
    analyze_means,
    parse_counts,
    parse_csv,
)
from mlsd.sims.abtest.design import Design, make_design, mde_for_n, n_for, power_for
from mlsd.sims.abtest.planning import PlanResult, plan
from mlsd.sims.abtest.procedure import TourResult, tour
from mlsd.sims.abtest.stats import (
    newcombe_interval,
    norm_cdf,
    norm_isf,
    norm_ppf,
    proportion_n,
    proportion_power,
    ratio_interval,
    srm_check,
    ttest_n,
    ttest_power,
    wilson,
    z_crit,
)
from mlsd.sims.abtest.verification import VerifyResult, verify
from mlsd.sims.specs.abtest import MAX_DATA_BYTES

__all__ = [
    "MAX_DATA_BYTES", "AnalyzeResult", "Design", "PlanResult", "TourResult", "VerifyResult", "analyze",
    "analyze_counts", "analyze_means", "make_design", "mde_for_n", "n_for", "newcombe_interval",
    "norm_cdf", "norm_isf", "norm_ppf", "parse_counts", "plan", "power_for", "proportion_n",
    "proportion_power", "ratio_interval", "parse_csv", "srm_check", "tour", "ttest_n", "ttest_power",
    "verify", "wilson", "z_crit",
]
