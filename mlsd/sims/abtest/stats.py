"""The shared statistics of the A/B simulations: normal quantiles, sample sizes, power and intervals.

Public and numpy-light, used by plan, verify, analyze, peeking and users alike: z critical
values, two-proportion and t-test sample sizes and power (the formulas statsmodels uses),
Wilson, Newcombe and risk-ratio intervals and the sample-ratio-mismatch test.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np

# A plan needing more users than this per arm is not a plan: the MDE is too small.
MAX_N_PER_ARM = 1e12


def squared_ratio(a: float, b: float) -> float:
    """(a / b)², inf when it does not fit in a float (tiny b) instead of an exception."""
    try:
        return (a / b) ** 2 if b != 0 else math.inf
    except OverflowError:
        return math.inf


# The standard normal from the standard library: `plan` for proportions needs nothing
# else, and scipy.stats would triple its start-up (~0.5 s of imports). inv_cdf is
# Wichura's AS241, within 1e-15 (relative) of scipy.stats.norm.ppf; the tests compare.
_NORMAL = NormalDist()
_SQRT2 = math.sqrt(2.0)


def norm_ppf(p: float) -> float:
    """scipy.stats.norm.ppf(p) for p in (0, 1)."""
    return _NORMAL.inv_cdf(p)


def norm_isf(p: float) -> float:
    """scipy.stats.norm.isf(p) for p in (0, 1) (accurate in the upper tail: -ppf(p), not ppf(1 - p))."""
    return -_NORMAL.inv_cdf(p)


def norm_cdf(x: Any) -> np.ndarray:
    """scipy.stats.norm.cdf, elementwise over small arrays: 0.5 erfc(-x/sqrt 2), within 1e-14
    (relative) of scipy for x >= -5 and 1e-12 down to -37."""
    arr = np.asarray(x, dtype=float)
    return np.array([0.5 * math.erfc(-v / _SQRT2) for v in arr.ravel()]).reshape(arr.shape)


def z_crit(alpha: float, one_sided: bool) -> float:
    return norm_isf(alpha if one_sided else alpha / 2)


# ------------------------------------------------------------------ closed forms


def _prop_sds(p_c: float, p_t: float, ratio: float) -> tuple[float, float]:
    """Std of the difference (×√n_control) under H0 (pooled p) and under H1."""
    pooled = (p_c + ratio * p_t) / (1 + ratio)
    sd_null = math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    sd_alt = math.sqrt(p_c * (1 - p_c) + p_t * (1 - p_t) / ratio)
    return sd_null, sd_alt


def proportion_n(p_c: float, diff: float, *, alpha: float, power: float, ratio: float = 1.0,
                 one_sided: bool = False) -> float:
    """Control-arm n (unrounded): pooled-variance-under-H0 normal approximation.

    The formula of statsmodels' `samplesize_proportions_2indep_onetail`:
    n = ((z_α·sd_null + z_β·sd_alt) / diff)², far tail of a two-sided test ignored.
    """
    sd_null, sd_alt = _prop_sds(p_c, p_c + diff, ratio)
    z_a = z_crit(alpha, one_sided)
    z_b = norm_ppf(power)
    return squared_ratio(max(z_a * sd_null + z_b * sd_alt, 0.0), diff)


def proportion_power(n_control: Any, p_c: float, diff: float, *, alpha: float,
                     ratio: float = 1.0, one_sided: bool = False) -> np.ndarray:
    """Power at control-arm size n (same approximation as `proportion_n`, vectorised)."""
    sd_null, sd_alt = _prop_sds(p_c, p_c + diff, ratio)
    n = np.asarray(n_control, dtype=float)
    z_a = z_crit(alpha, one_sided)
    return norm_cdf((abs(diff) * np.sqrt(n) - z_a * sd_null) / sd_alt)


def ttest_power(n_control: Any, effect_size: float, *, alpha: float, ratio: float = 1.0,
                one_sided: bool = False) -> np.ndarray:
    """Exact power of the pooled two-sample t-test (noncentral t), as `TTestIndPower`."""
    from scipy import special, stats  # lazy: ~0.5 s to import, for means only
    n1 = np.asarray(n_control, dtype=float)
    n2 = n1 * ratio
    df = n1 + n2 - 2
    nc = effect_size * np.sqrt(1 / (1 / n1 + 1 / n2))
    a = alpha if one_sided else alpha / 2
    crit = stats.t.isf(a, df)
    below = special.nctdtr(df, nc, crit)
    # scipy returns NaN once the noncentrality is huge (≳1e10); the probability is then 0.
    power = 1 - np.where(np.isnan(below) & (nc > 1e3), 0.0, below)
    if not one_sided:
        # The far tail underflows to NaN in scipy when the noncentrality is large: it is 0.
        power = power + np.nan_to_num(special.nctdtr(df, nc, -crit), nan=0.0)
    return power


def ttest_n(effect_size: float, *, alpha: float, power: float, ratio: float = 1.0,
            one_sided: bool = False) -> float:
    """Control-arm n (unrounded) solving t-test power = target (root of `ttest_power`)."""
    from scipy import optimize  # lazy: scipy.optimize costs ~0.5 s to import
    z_a = z_crit(alpha, one_sided)
    z_b = norm_ppf(power)
    normal = squared_ratio(z_a + z_b, effect_size) * (1 + 1 / ratio)
    if normal > 10 * MAX_N_PER_ARM:  # t and z agree to a fraction of a user out here
        return normal
    low = 2.0  # the smallest control arm a t-test can use
    high = max(normal * 1.5 + 20, 4.0)

    def gap(n: float) -> float:
        return float(ttest_power(n, effect_size, alpha=alpha, ratio=ratio,
                                 one_sided=one_sided)) - power

    if gap(low) >= 0:
        return low
    while gap(high) < 0:
        high *= 2
    return float(optimize.brentq(gap, low, high, xtol=1e-8, rtol=1e-12))


def ceil_n(x: float) -> int:
    """Round a sample size up, ignoring float noise just above an integer."""
    return int(math.ceil(x - 1e-9))


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval for a rate (well-behaved near 0 and 1)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def srm_check(n_control: int, n_treatment: int, ratio: float = 1.0) -> tuple[float, float]:
    """Pearson χ² goodness-of-fit of the observed split to the intended one: (χ², p)."""
    from scipy import stats  # lazy: scipy.stats costs ~0.5 s to import
    total = n_control + n_treatment
    expected = np.array([total / (1 + ratio), total * ratio / (1 + ratio)])
    observed = np.array([n_control, n_treatment], dtype=float)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return chi2, float(stats.chi2.sf(chi2, 1))


def newcombe_interval(x_c: int, n_c: int, x_t: int, n_t: int,
                      z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p_t − p_c, from the arms' Wilson intervals.

    Unlike the Wald interval it has sensible width at 0 or n conversions and at small
    n (statsmodels `confint_proportions_2indep(method="newcomb")`).
    """
    p_c, p_t = x_c / n_c, x_t / n_t
    lo_c, hi_c = wilson(x_c, n_c, z)
    lo_t, hi_t = wilson(x_t, n_t, z)
    diff = p_t - p_c
    return (diff - math.sqrt((p_t - lo_t) ** 2 + (hi_c - p_c) ** 2),
            diff + math.sqrt((p_c - lo_c) ** 2 + (hi_t - p_t) ** 2))


def _ratio_score_z(log_theta: float, x_c: int, n_c: int, x_t: int, n_t: int) -> float:
    """Miettinen–Nurminen score statistic for H0: p_t / p_c = θ (with their n/(n−1)).

    Uses the MLE of p_c constrained to the ratio θ (root of a quadratic, in the form
    without cancellation); as statsmodels `test_proportions_2indep(compare="ratio",
    method="score")`.
    """
    theta = math.exp(log_theta)
    n = n_c + n_t
    # p_c solves nθ·p² − b·p + (x_c + x_t) = 0 with b = uθ + v; its discriminant
    # b² − 4nθ(x_c + x_t) equals (uθ − v)² + 4θ(n_t − x_t)(n_c − x_c): no cancellation.
    u, v = n_t + x_c, x_t + n_c
    b = u * theta + v
    disc = (u * theta - v) ** 2 + 4 * theta * (n_t - x_t) * (n_c - x_c)
    p0 = min(2 * (x_c + x_t) / (b + math.sqrt(disc)), 1.0)
    p1 = min(p0 * theta, 1.0)
    var = (p1 * (1 - p1) / n_t + theta**2 * p0 * (1 - p0) / n_c) * n / (n - 1)
    num = x_t / n_t - theta * x_c / n_c
    if var <= 0:
        return math.copysign(math.inf, num) if num else 0.0
    return num / math.sqrt(var)


def ratio_interval(x_c: int, n_c: int, x_t: int, n_t: int,
                   z: float) -> tuple[float, float]:
    """Score interval for the risk ratio p_t / p_c: the θ whose score test |z| ≤ z.

    Miettinen–Nurminen (Koopman) inversion, solved by root-finding on log θ (statsmodels
    `confint_proportions_2indep(compare="ratio", method="score")` uses a cubic's roots,
    which lose precision at large n). It always contains the estimate and is ≥ 0, so the
    relative change ratio − 1 never goes below −100%. Needs x_c > 0.
    """
    from scipy import optimize  # lazy: scipy.optimize costs ~0.5 s to import
    def f(log_theta: float, target: float) -> float:
        return _ratio_score_z(log_theta, x_c, n_c, x_t, n_t) - target

    edge = 40.0  # θ from e^−40 to e^40: far beyond any rate ratio
    est = math.log(x_t / n_t / (x_c / n_c)) if x_t else -edge
    if f(-edge, z) <= 0:
        low = 0.0
    else:
        low = math.exp(optimize.brentq(f, -edge, min(est, edge), args=(z,), xtol=1e-13))
    if f(edge, -z) >= 0:
        high = math.inf
    else:
        high = math.exp(optimize.brentq(f, max(est, -edge), edge, args=(-z,), xtol=1e-13))
    return low, high
