"""A/B testing: plan the sample size, verify the plan by simulation, analyse a result.

The seed's procedure, step by step: pick α and power 1−β, the minimum detectable
effect (MDE), compute the sample size per variation, randomise, analyse with the
right test. `plan` does the arithmetic (the same formulas statsmodels uses),
`verify` shows by simulation that the arithmetic holds, `analyze` reads a real
result and refuses to call it when the split is broken (sample-ratio mismatch),
and `tour` strings the three together. Peeking lives in `abtest_peeking`,
CUPED / randomisation unit / segments in `abtest_users`.

Conventions: `ratio` is treatment size / control size (statsmodels' `nobs2 =
ratio * nobs1` with sample 1 = control); `n_per_arm` is the control arm.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from mlsd.errors import BadInputError, check_positive, check_range
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
)

METRICS = ("proportion", "mean")
SRM_THRESHOLD = 0.001
# A plan needing more users than this per arm is not a plan: the MDE is too small.
MAX_N_PER_ARM = 1e12
# The test length `plan` suggests an MDE for when the user's MDE cannot be reached.
SUGGESTED_DAYS = 28
MAX_DATA_BYTES = 200 * 1024 * 1024  # --data files larger than this are refused


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 day', '3 days', '1,234 users': a count with its noun in the right number."""
    text = f"{n:,}" if isinstance(n, int) else f"{n:,g}"
    return f"{text} {word if n == 1 else (many or word + 's')}"


def num(x: float, sig: int = 4) -> str:
    """A number for a sentence: `sig` significant digits, thousands separators, no 1e+04."""
    if not math.isfinite(x) or x == 0:
        return f"{x:g}"
    if 10**sig <= abs(x) < 1e15:
        return f"{x:,.0f}"
    return f"{x:,.{sig}g}"


def signed(x: float, sig: int = 4) -> str:
    """`num` with an explicit sign: +0.011, -12,346."""
    return ("+" if x >= 0 else "") + num(x, sig)


def short(x: float, sig: int = 2) -> str:
    """`x` in `sig` significant digits with a tidy exponent: 1e-9, 1.4e18 (not 1e-09, 1.4e+18)."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2),
                  f"{x:.{sig}g}")


def _pct(x: float, digits: int = 1) -> str:
    return f"{x:+.{digits}%}" if math.isfinite(x) else "—"


def _squared_ratio(a: float, b: float) -> float:
    """(a / b)², inf when it does not fit in a float (tiny b) instead of an exception."""
    try:
        return (a / b) ** 2 if b != 0 else math.inf
    except OverflowError:
        return math.inf


# --------------------------------------------------------------------------- design


@dataclass(frozen=True)
class Design:
    """Validated inputs shared by plan, verify and the tour."""

    metric: str
    baseline: float
    mde: float
    relative: bool
    diff: float  # absolute effect, treatment − control, > 0
    treatment_value: float
    alpha: float
    power: float
    one_sided: bool
    ratio: float
    std: float  # per-unit standard deviation in the control arm

    @property
    def alternative(self) -> str:
        return "one-sided (treatment > control)" if self.one_sided else "two-sided"


def make_design(
    *,
    baseline: float,
    mde: float,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    one_sided: bool = False,
    ratio: float = 1.0,
    metric: str = "proportion",
    std: float = 0.0,
) -> Design:
    """Check the options a user typed and turn them into one absolute effect."""
    if metric not in METRICS:
        raise BadInputError(f"--metric must be one of {', '.join(METRICS)}, got {metric!r}")
    check_range("alpha", alpha, 0, 1)
    check_range("power", power, 0, 1)
    if power <= alpha:
        raise BadInputError(
            f"--power must be in ({alpha:g}, 1) (above --alpha, or no sample is needed), "
            f"got {power:g}"
        )
    check_positive("mde", mde)
    check_range("ratio", ratio, 0.01, 100, low_inclusive=True, high_inclusive=True)
    if metric == "proportion":
        if std != 0:
            raise BadInputError(
                f"--std applies to --metric mean only, got --std {std:g} with --metric "
                "proportion (a proportion's standard deviation √(p(1−p)) comes from --baseline)"
            )
        check_range("baseline", baseline, 0, 1)
        diff = baseline * mde if relative else mde
        treated = baseline + diff
        if not 0 < treated < 1:
            what = "--baseline × (1 + --mde)" if relative else "--baseline + --mde"
            raise BadInputError(f"{what} must be in (0, 1), got {treated:g}")
        sd = math.sqrt(baseline * (1 - baseline))
    else:
        if not math.isfinite(baseline):
            raise BadInputError(f"--baseline must be a finite number, got {baseline:g}")
        if std != std or std <= 0 or not math.isfinite(std):
            raise BadInputError(
                f"--std must be in (0, inf) with --metric mean (the metric's per-user "
                f"standard deviation), got {std:g}"
            )
        if relative and baseline == 0:
            raise BadInputError("--baseline must be non-zero with --relative, got 0")
        diff = abs(baseline) * mde if relative else mde
        treated = baseline + diff
        sd = std
    return Design(metric, baseline, mde, relative, diff, treated, alpha, power, one_sided,
                  ratio, sd)


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
    return _squared_ratio(max(z_a * sd_null + z_b * sd_alt, 0.0), diff)


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
    normal = _squared_ratio(z_a + z_b, effect_size) * (1 + 1 / ratio)
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


def n_for(design: Design, diff: float | None = None) -> float:
    """Control-arm n (unrounded) for a design, optionally at another absolute effect."""
    d = design.diff if diff is None else diff
    if design.metric == "proportion":
        return proportion_n(design.baseline, d, alpha=design.alpha, power=design.power,
                            ratio=design.ratio, one_sided=design.one_sided)
    return ttest_n(d / design.std, alpha=design.alpha, power=design.power, ratio=design.ratio,
                   one_sided=design.one_sided)


def power_for(design: Design, n_control: Any) -> np.ndarray:
    if design.metric == "proportion":
        return proportion_power(n_control, design.baseline, design.diff, alpha=design.alpha,
                                ratio=design.ratio, one_sided=design.one_sided)
    return ttest_power(n_control, design.diff / design.std, alpha=design.alpha,
                       ratio=design.ratio, one_sided=design.one_sided)


def _ceil(x: float) -> int:
    """Round a sample size up, ignoring float noise just above an integer."""
    return int(math.ceil(x - 1e-9))


def _days(users: int, daily_traffic: int) -> int:
    """Whole days to see `users` at `daily_traffic` a day: at least 1, exact for huge ints."""
    return max(1, -(-users // daily_traffic))


def mde_for_n(design: Design, n_control: float) -> float | None:
    """The absolute effect the design's test detects with its power at control-arm size n.

    None when no effect fits (a proportion would leave (0, 1)). Proportions invert
    `proportion_n`, which falls monotonically as the effect grows; means use the
    normal approximation (the t-test needs a fraction of a user more).
    """
    from scipy import optimize  # lazy: scipy.optimize costs ~0.5 s to import
    if not n_control >= 2:
        return None
    if design.metric == "mean":
        z = z_crit(design.alpha, design.one_sided) + norm_ppf(design.power)
        return z * design.std * math.sqrt((1 + 1 / design.ratio) / n_control)
    target = math.log(n_control)
    hi = math.log((1 - design.baseline) * (1 - 1e-9))
    lo = math.log(1e-15)

    def gap(log_d: float) -> float:
        return math.log(n_for(design, math.exp(log_d))) - target

    if gap(hi) > 0:
        return None
    if gap(lo) < 0:
        return math.exp(lo)
    return math.exp(float(optimize.brentq(gap, lo, hi, xtol=1e-12)))


def _describe_mde(diff: float, baseline: float, relative: bool) -> str:
    """An absolute effect in the units the user typed --mde in."""
    base = abs(baseline)
    if relative:
        return f"--mde {short(diff / base)} --relative (absolute {short(diff)})"
    rel = f" ({diff / base * 100:+.3g}% relative)" if base and diff / base < 100 else ""
    return f"--mde {short(diff)}{rel}"


def check_plan_size(design: Design, n_exact: float, daily_traffic: int | None = None) -> None:
    """Refuse a plan that needs an absurd number of users, and say what MDE would work."""
    if math.isfinite(n_exact) and n_exact <= MAX_N_PER_ARM:
        return
    need = (f"{short(n_exact)} users per arm" if math.isfinite(n_exact)
            else "more users per arm than can be counted")
    typed = f"--mde {short(design.mde, 6)}" + (" --relative" if design.relative else "")
    against = (f"the baseline {num(design.baseline)}" if design.metric == "proportion"
               else f"--std {short(design.std, 6)}")
    msg = (f"{typed} is too small relative to {against}: detecting it needs {need} (more "
           f"than {short(MAX_N_PER_ARM)})")
    if daily_traffic:
        users = SUGGESTED_DAYS * daily_traffic
        d = mde_for_n(design, float(min(users, 10**300)) / (1 + design.ratio))
        if d is None:
            msg += (f"; even {SUGGESTED_DAYS} days at --daily-traffic {daily_traffic:,} "
                    f"({users:,} users) cannot detect any effect on this baseline with "
                    f"{design.power:.0%} power")
        else:
            msg += (f"; {SUGGESTED_DAYS} days at --daily-traffic {daily_traffic:,} "
                    f"({users:,} users) can detect about "
                    f"{_describe_mde(d, design.baseline, design.relative)}")
    else:
        msg += "; raise --mde"
    raise BadInputError(msg)


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval for a rate (well-behaved near 0 and 1)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


# -------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class MdeRow:
    """One row of the MDE → sample size table (an object with keys in --json)."""

    absolute_mde: float
    relative_mde: float  # absolute / |baseline|; NaN (null) when the baseline is 0
    n_per_arm: int
    n_total: int
    days: int


@dataclass(frozen=True)
class PlanResult(SimResult):
    metric: str
    baseline: float
    mde: float
    relative: bool
    absolute_effect: float
    relative_effect: float
    treatment_value: float
    std: float
    alpha: float
    power: float
    one_sided: bool
    ratio: float
    method: str
    n_exact: float
    n_per_arm: int
    n_treatment: int
    n_total: int
    daily_traffic: int
    days: int
    weeks: int
    # MDEs around the user's: what a smaller or larger effect costs
    mde_table: tuple[MdeRow, ...]
    # (control n, power) from n/10 to 2n: what a shorter or longer test buys
    power_curve: tuple[tuple[float, float], ...]
    # (absolute MDE, control n) on a fine grid, for the MDE → n chart
    mde_curve: tuple[tuple[float, float], ...]
    # when the test takes over a year: the absolute MDE SUGGESTED_DAYS of traffic detect
    suggested_mde: float | None = None

    def tables(self) -> list[Table]:
        unit = "users"
        side = "one-sided" if self.one_sided else "two-sided"
        rows = [
            ("metric", self.metric),
            ("baseline", self.baseline),
            ("MDE (absolute)", self.absolute_effect),
            ("MDE (relative)", _pct(self.relative_effect, 2)),
            ("treatment value to detect", self.treatment_value),
            ("α / power", f"{self.alpha:g} {side} / {self.power:g}"),
            ("split treatment:control", f"{self.ratio:g}:1"),
            (f"{unit} per arm (control)", self.n_per_arm),
            (f"{unit} in treatment", self.n_treatment),
            (f"{unit} in total", self.n_total),
            ("daily traffic", self.daily_traffic),
            ("days needed", self.days),
            ("full weeks to run", self.weeks),
        ]
        out = [table("Sample size plan", ("", "value"), rows, note=self.method)]
        mrows = [
            (("→ " if math.isclose(r.absolute_mde, self.absolute_effect) else "")
             + f"{r.absolute_mde:.4g}", _pct(r.relative_mde, 2), r.n_per_arm, r.n_total, r.days)
            for r in self.mde_table
        ]
        out.append(table(
            f"MDE → sample size at baseline {self.baseline:g}",
            ("MDE (abs)", "MDE (rel)", "n per arm", "n total", "days"), mrows,
            note="Halving the MDE roughly quadruples the sample: n ∝ 1/MDE².",
        ))
        return out

    def charts(self) -> list[Chart]:
        n, p = zip(*self.power_curve, strict=True)
        m, mn = zip(*self.mde_curve, strict=True)
        return [
            Chart("abtest-power-curve", "Power vs sample size per arm",
                  "users per arm (control)", "power",
                  (series(f"MDE {self.absolute_effect:.4g}", n, p),),
                  hlines=((self.power, f"target {self.power:g}"),),
                  vlines=((float(self.n_per_arm), "planned n"),)),
            Chart("abtest-mde-n", "Sample size per arm vs minimum detectable effect",
                  "absolute MDE", "users per arm (control)",
                  (series(f"baseline {self.baseline:g}", m, mn),), x_log=True, y_log=True,
                  vlines=((self.absolute_effect, "your MDE"),)),
        ]

    def reading(self) -> list[str]:
        rel = f" ({self.relative_effect:+.1%})" if math.isfinite(self.relative_effect) else ""
        lines = [
            f"To detect a change from {num(self.baseline)} to {num(self.treatment_value)}{rel} "
            f"with {self.power:.0%} power at α = {self.alpha:g} you need "
            f"{plural(self.n_per_arm, 'user')} in control and {self.n_total:,} in total.",
            f"At {plural(self.daily_traffic, 'user')} a day that is {plural(self.days, 'day')}; "
            f"round up to {plural(self.weeks, 'full week')} so weekday and weekend behaviour "
            "are both in the sample.",
            "Sample size grows with 1/MDE²: halving the effect you want to see costs four "
            "times the traffic, so agree the MDE with the business before starting.",
        ]
        if self.days > 365:
            allows = ("no effect on this baseline is detectable in that time"
                      if self.suggested_mde is None else "that detects about "
                      + _describe_mde(self.suggested_mde, self.baseline, self.relative))
            lines.insert(2, f"Warning: {self.days / 365:,.1f} years is not a test anyone can "
                            f"run — the MDE is too small for this traffic. A "
                            f"{SUGGESTED_DAYS}-day test at this traffic sees "
                            f"{SUGGESTED_DAYS * self.daily_traffic:,} users; {allows}.")
        if self.ratio != 1:
            lines.append(
                f"An unequal {self.ratio:g}:1 split needs more users in total than 1:1 for "
                "the same power; use it only to limit exposure to a risky treatment."
            )
        return lines


def plan(*, baseline: float = 0.1, mde: float = 0.01, relative: bool = False,
         alpha: float = 0.05, power: float = 0.8, one_sided: bool = False, ratio: float = 1.0,
         daily_traffic: int = 10_000, metric: str = "proportion", std: float = 0.0,
         seed: int = 0, progress: ProgressCallback | None = None) -> PlanResult:
    """Sample size per arm, in total, and days at the given traffic (no randomness)."""
    del seed  # the plan is closed-form; kept for the common signature
    design = make_design(baseline=baseline, mde=mde, relative=relative, alpha=alpha,
                         power=power, one_sided=one_sided, ratio=ratio, metric=metric, std=std)
    if isinstance(daily_traffic, bool) or daily_traffic <= 0:
        raise BadInputError(f"--daily-traffic must be in (0, inf), got {daily_traffic}")
    report(progress, 0.1, "sample size")
    exact = n_for(design)
    check_plan_size(design, exact, daily_traffic)
    n_c = _ceil(exact)
    n_t = _ceil(n_c * design.ratio)
    if metric == "mean":  # a t-test needs a variance in each arm
        n_c, n_t = max(n_c, 2), max(n_t, 2)
    total = n_c + n_t
    days = _days(total, daily_traffic)

    if metric == "proportion" and one_sided:
        method = ("Two-proportion z-test, pooled variance under H0 (normal approximation; "
                  "statsmodels samplesize_proportions_2indep_onetail).")
    elif metric == "proportion":
        method = ("Two-proportion z-test, pooled variance under H0: the same normal "
                  "approximation as statsmodels samplesize_proportions_2indep_onetail, at α/2 "
                  "per tail (the far tail of the two-sided test is ignored).")
    else:
        method = ("Pooled two-sample t-test, exact noncentral-t power "
                  "(statsmodels TTestIndPower).")

    rows = []
    for k in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0):
        d = design.diff * k
        if metric == "proportion" and not 0 < baseline + d < 1:
            continue
        nc = _ceil(n_for(design, d))
        if metric == "mean":
            nc = max(nc, 2)
        tot = nc + _ceil(nc * ratio)
        rows.append(MdeRow(d, d / abs(baseline) if baseline else math.nan, nc, tot,
                           _days(tot, daily_traffic)))
    report(progress, 0.6, "curves")
    ns = np.unique(np.ceil(np.geomspace(max(n_c / 10, 2), 2 * n_c + 2, 40)))
    curve = tuple((float(a), float(b)) for a, b in zip(ns, power_for(design, ns), strict=True))
    hi = design.diff * 4
    if metric == "proportion":
        hi = min(hi, (1 - baseline) * 0.999)
    grid = np.geomspace(design.diff / 4, max(hi, design.diff * 1.01), 25)
    mde_curve = tuple((float(d), float(n_for(design, float(d)))) for d in grid)
    report(progress, 1.0, "done")
    return PlanResult(
        metric=metric, baseline=baseline, mde=mde, relative=relative,
        absolute_effect=design.diff,
        relative_effect=design.diff / abs(baseline) if baseline else math.nan,
        treatment_value=design.treatment_value, std=design.std, alpha=alpha, power=power,
        one_sided=one_sided, ratio=ratio, method=method, n_exact=exact, n_per_arm=n_c,
        n_treatment=n_t, n_total=total, daily_traffic=int(daily_traffic), days=days,
        weeks=-(-days // 7), mde_table=tuple(rows), power_curve=curve, mde_curve=mde_curve,
        suggested_mde=(mde_for_n(design, float(min(SUGGESTED_DAYS * daily_traffic, 10**300))
                                 / (1 + ratio)) if days > 365 else None),
    )


# ------------------------------------------------------------------------ verify


def simulate_rejections(design: Design, n_c: int, n_t: int, effect: float, experiments: int,
                        rng: np.random.Generator) -> np.ndarray:
    """Boolean per experiment: did the planned test reject H0?  Vectorised.

    Proportions draw the binomial conversion counts (not users); means draw the
    sample mean and variance of normal data (exact: x̄ ~ N, s² ~ σ²χ²/(n−1)), then
    apply the same test the plan assumed: pooled z-test or pooled t-test.
    """
    if design.metric == "proportion":
        p_c = design.baseline
        x_c = rng.binomial(n_c, p_c, size=experiments)
        x_t = rng.binomial(n_t, p_c + effect, size=experiments)
        pooled = (x_c + x_t) / (n_c + n_t)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
        diff = x_t / n_t - x_c / n_c
        stat = np.divide(diff, se, out=np.zeros(experiments), where=se > 0)
        crit = z_crit(design.alpha, design.one_sided)
    else:
        sd = design.std
        m_c = rng.normal(design.baseline, sd / math.sqrt(n_c), size=experiments)
        m_t = rng.normal(design.baseline + effect, sd / math.sqrt(n_t), size=experiments)
        v_c = sd**2 * rng.chisquare(n_c - 1, size=experiments) / (n_c - 1)
        v_t = sd**2 * rng.chisquare(n_t - 1, size=experiments) / (n_t - 1)
        df = n_c + n_t - 2
        sp2 = ((n_c - 1) * v_c + (n_t - 1) * v_t) / df
        stat = (m_t - m_c) / np.sqrt(sp2 * (1 / n_c + 1 / n_t))
        from scipy import stats  # lazy: scipy.stats costs ~0.5 s to import

        crit = float(stats.t.isf(design.alpha if design.one_sided else design.alpha / 2, df))
    return stat > crit if design.one_sided else np.abs(stat) > crit


@dataclass(frozen=True)
class VerifyResult(SimResult):
    plan: PlanResult
    experiments: int
    false_positive_rate: float
    false_positive_ci: tuple[float, float]
    empirical_power: float
    power_ci: tuple[float, float]
    # (fraction of planned n, control n, planned power, simulated power)
    power_by_n: tuple[tuple[float, int, float, float], ...]

    @property
    def fpr_ok(self) -> bool:
        lo, hi = self.false_positive_ci
        return lo <= self.plan.alpha <= hi

    @property
    def power_ok(self) -> bool:
        lo, hi = self.power_ci
        return lo <= self.plan.power <= hi

    def tables(self) -> list[Table]:
        p = self.plan
        rows = [
            ("A/A: false-positive rate", p.alpha, self.false_positive_rate,
             f"[{self.false_positive_ci[0]:.4f}, {self.false_positive_ci[1]:.4f}]",
             self.fpr_ok),
            ("A/B: power", p.power, self.empirical_power,
             f"[{self.power_ci[0]:.4f}, {self.power_ci[1]:.4f}]", self.power_ok),
        ]
        return [
            self.plan.tables()[0],
            table(f"Verification: {self.experiments:,} simulated A/A and A/B experiments at "
                  f"{p.n_per_arm:,} + {p.n_treatment:,}",
                  ("check", "planned", "simulated", "95% CI", "CI covers plan"), rows,
                  note="Each experiment draws the arms' outcomes and runs the planned test."),
            table("Power at other sample sizes (planned vs simulated)",
                  ("fraction of plan", "n per arm", "planned power", "simulated power"),
                  self.power_by_n),
        ]

    def charts(self) -> list[Chart]:
        _, n, planned, simulated = zip(*self.power_by_n, strict=True)
        return [Chart(
            "abtest-verify-power", "Planned vs simulated power", "users per arm (control)",
            "power", (series("planned (closed form)", n, planned),
                      series("simulated", n, simulated)),
            hlines=((self.plan.power, "target power"), (self.plan.alpha, "α")),
            vlines=((float(self.plan.n_per_arm), "planned n"),),
        )]

    def reading(self) -> list[str]:
        p = self.plan
        fpr_lo, fpr_hi = self.false_positive_ci
        pw_lo, pw_hi = self.power_ci
        half = next(row for row in self.power_by_n if row[0] == 0.5)
        return [
            f"With no real difference (A/A) the test fired in {self.false_positive_rate:.2%} of "
            f"{self.experiments:,} experiments (95% CI {fpr_lo:.2%}–{fpr_hi:.2%}); the plan "
            f"promised α = {p.alpha:.0%}.",
            f"With the MDE really there (A/B) it fired in {self.empirical_power:.2%} "
            f"(95% CI {pw_lo:.2%}–{pw_hi:.2%}); the plan promised {p.power:.0%}.",
            f"At half the planned size ({half[1]:,} per arm) the same effect is caught only "
            f"{half[3]:.0%} of the time: stopping early because 'it looks significant "
            "already' throws that power away.",
        ]


def verify(*, baseline: float = 0.1, mde: float = 0.01, relative: bool = False,
           alpha: float = 0.05, power: float = 0.8, one_sided: bool = False, ratio: float = 1.0,
           daily_traffic: int = 10_000, metric: str = "proportion", std: float = 0.0,
           experiments: int = 10_000, seed: int = 0,
           progress: ProgressCallback | None = None) -> VerifyResult:
    """Simulate A/A and A/B experiments at the planned size: empirical α and power."""
    if isinstance(experiments, bool) or not 100 <= experiments <= 1_000_000:
        raise BadInputError(f"--experiments must be in [100, 1000000], got {experiments}")
    p = plan(baseline=baseline, mde=mde, relative=relative, alpha=alpha, power=power,
             one_sided=one_sided, ratio=ratio, daily_traffic=daily_traffic, metric=metric,
             std=std)
    design = make_design(baseline=baseline, mde=mde, relative=relative, alpha=alpha,
                         power=power, one_sided=one_sided, ratio=ratio, metric=metric, std=std)
    rng = np.random.default_rng(seed)
    report(progress, 0.05, "A/A experiments")
    aa = simulate_rejections(design, p.n_per_arm, p.n_treatment, 0.0, experiments, rng)
    report(progress, 0.35, "A/B experiments")
    ab = simulate_rejections(design, p.n_per_arm, p.n_treatment, design.diff, experiments, rng)
    fp, tp = int(aa.sum()), int(ab.sum())
    rows = []
    fractions = (0.25, 0.5, 0.75, 1.0, 1.5)
    for i, f in enumerate(fractions):
        report(progress, 0.4 + 0.6 * i / len(fractions), f"power at {f:g}× n")
        n_c = max(2, _ceil(p.n_per_arm * f))
        n_t = max(2, _ceil(n_c * ratio))
        if f == 1.0:
            sim = tp / experiments
        else:
            sim = float(simulate_rejections(design, n_c, n_t, design.diff, experiments,
                                            rng).mean())
        rows.append((f, n_c, float(power_for(design, n_c)), sim))
    report(progress, 1.0, "done")
    return VerifyResult(
        plan=p, experiments=experiments, false_positive_rate=fp / experiments,
        false_positive_ci=wilson(fp, experiments), empirical_power=tp / experiments,
        power_ci=wilson(tp, experiments), power_by_n=tuple(rows),
    )


# ----------------------------------------------------------------------- analyze


@dataclass(frozen=True)
class AnalyzeResult(SimResult):
    metric: str
    test: str
    why: str
    n_control: int
    n_treatment: int
    control_value: float
    treatment_value: float
    absolute_effect: float
    absolute_ci: tuple[float, float]
    relative_effect: float
    relative_ci: tuple[float, float]
    ci_level: float
    ci_method: str  # how absolute_ci and relative_ci were computed
    # of the absolute effect: unpooled; at small counts, the CI's half-width / z
    standard_error: float
    mde_80: float  # true effect this experiment had 80% power to detect: (z_α + z_0.8)·se
    statistic_name: str  # "z", "t" or "" (Fisher's exact test has no test statistic)
    statistic: float  # NaN (null in JSON) for Fisher's exact test
    p_value: float
    alpha: float
    one_sided: bool
    significant: bool
    expected_ratio: float
    srm_chi2: float
    srm_p_value: float
    srm_flag: bool
    decision: str

    def tables(self) -> list[Table]:
        name = "conversion" if self.metric == "proportion" else "mean"
        lvl = f"{self.ci_level:.0%} CI"
        rows = [
            ("control", self.n_control, self.control_value),
            ("treatment", self.n_treatment, self.treatment_value),
        ]
        if self.statistic_name:
            stat = (f"{self.statistic_name} statistic", self.statistic, "")
        else:
            stat = ("test statistic", "none (exact test: the p-value is computed directly)", "")
        eff = [
            ("absolute effect", self.absolute_effect,
             f"[{self.absolute_ci[0]:.4g}, {self.absolute_ci[1]:.4g}]"),
            ("relative effect", _pct(self.relative_effect, 2),
             f"[{_pct(self.relative_ci[0], 2)}, {_pct(self.relative_ci[1], 2)}]"),
            stat,
            ("p-value" + (" (one-sided, H1: treatment better)" if self.one_sided else ""),
             self.p_value, ""),
            ("significant at α = " + f"{self.alpha:g}", self.significant, ""),
            ("effect detectable with 80% power (mde_80)", f"±{self.mde_80:.4g}", ""),
        ]
        srm = [
            ("expected split treatment:control", f"{self.expected_ratio:g}:1"),
            ("observed split", f"{self.n_treatment / max(self.n_control, 1):.4f}:1"),
            ("χ² (1 df)", self.srm_chi2),
            ("p-value", self.srm_p_value),
            (f"mismatch (p < {SRM_THRESHOLD:g})", self.srm_flag),
        ]
        return [
            table("Arms", ("arm", "units", name), rows),
            table("Effect", ("", "estimate", lvl), eff,
                  note=f"{self.test}: {self.why}. CI: {self.ci_method}. mde_80 is the true "
                       "effect these sample sizes had an 80% chance of finding significant."),
            table("Sample-ratio mismatch check", ("", "value"), srm,
                  note="A broken split means assignment or logging is biased: no effect "
                       "estimate can be trusted until it is fixed."),
        ]

    def charts(self) -> list[Chart]:
        z = z_crit(self.alpha, self.one_sided)
        se = self.standard_error
        effects = np.linspace(0, 2.5 * max(self.mde_80, abs(self.absolute_effect)), 40)
        power = norm_cdf(effects / se - z) if se > 0 else np.ones_like(effects)
        return [Chart(
            "abtest-analysis-power", "What this experiment could detect",
            "true absolute effect", "power at these sample sizes",
            (series("power", effects, power),),
            hlines=((0.8, "80%"),),
            vlines=((abs(self.absolute_effect), "observed |effect|"),
                    (self.mde_80, "detectable at 80%")),
        )]

    def reading(self) -> list[str]:
        lines = [self.decision, f"Test: {self.test} — {self.why}."]
        if not self.srm_flag:
            lines.append(
                f"The split passes the sample-ratio check (χ² p = {self.srm_p_value:.3g}); "
                "a p below 0.001 would mean users are being lost or double-counted in one arm."
            )
        if not self.srm_flag:
            sign = "+" if self.one_sided else "±"
            if self.significant:
                lines.append(f"With these sample sizes the test had an 80% chance of catching "
                             f"a true effect of {sign}{self.mde_80:.3g} or more (mde_80).")
            elif not (self.one_sided and self.absolute_ci[1] < 0):
                lines.append("Not significant is not 'no effect': the CI shows how large an "
                             "effect is still compatible with the data, and with these sample "
                             f"sizes only effects of {sign}{self.mde_80:.3g} or more had an 80% "
                             "chance of showing (mde_80).")
        return lines


def srm_check(n_control: int, n_treatment: int, ratio: float = 1.0) -> tuple[float, float]:
    """Pearson χ² goodness-of-fit of the observed split to the intended one: (χ², p)."""
    from scipy import stats  # lazy: scipy.stats costs ~0.5 s to import
    total = n_control + n_treatment
    expected = np.array([total / (1 + ratio), total * ratio / (1 + ratio)])
    observed = np.array([n_control, n_treatment], dtype=float)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return chi2, float(stats.chi2.sf(chi2, 1))


def _decision(result: dict[str, Any]) -> str:
    """The one sentence a reader acts on; it never contradicts the printed CI."""
    if result["srm_flag"]:
        return (
            f"Do not call this result: the split is {result['n_treatment']:,} vs "
            f"{result['n_control']:,} against an intended {result['expected_ratio']:g}:1 "
            f"(SRM p = {result['srm_p_value']:.2g} < {SRM_THRESHOLD:g}); find the assignment or "
            "logging bug before reading any effect."
        )
    lo, hi = result["absolute_ci"]
    rel = result["relative_effect"]
    lvl = f"{result['ci_level']:.0%} CI"
    size = (f"{rel:+.2%} relative (absolute {signed(result['absolute_effect'])}, "
            if math.isfinite(rel) else f"absolute {signed(result['absolute_effect'])} (")
    p, alpha = result["p_value"], result["alpha"]
    one_sided = result["one_sided"]
    ptext = f"{'one-sided ' if one_sided else ''}p = {p:.3g}"
    borderline = (" The p-value and the CI come from different approximations and disagree "
                  "at the margin here: treat the result as borderline.")
    if result["significant"] and result["absolute_effect"] > 0:
        text = (f"Treatment wins: {size}{lvl} {signed(lo)} to {signed(hi)}), {ptext} < α = "
                f"{alpha:g}; ship it if guardrail metrics agree.")
        return text + (borderline if lo <= 0 else "")
    if result["significant"]:  # two-sided only: a one-sided test cannot reject for a loss
        text = (f"Treatment loses: {size}{lvl} {signed(lo)} to {signed(hi)}), {ptext} < α = "
                f"{alpha:g}; do not ship.")
        return text + (borderline if hi >= 0 else "")
    if one_sided and hi < 0:
        return (f"Treatment looks worse — do not ship: {size}{lvl} {signed(lo)} to {signed(hi)}) "
                f"lies entirely below 0. The one-sided test (H1: treatment better) cannot show "
                f"a loss: its {ptext} only says there is no evidence of a gain.")
    if one_sided:
        text = (f"No significant improvement ({ptext} ≥ α = {alpha:g}): the effect is somewhere "
                f"in {signed(lo)} to {signed(hi)} ({lvl}). This one-sided test (H1: treatment "
                "better) cannot show a loss; keep control, or run longer only if the plan said "
                "the test was underpowered.")
        return text + (borderline if lo > 0 else "")
    text = (f"No significant difference ({ptext} ≥ α = {alpha:g}): the effect is somewhere in "
            f"{signed(lo)} to {signed(hi)} ({lvl}); keep control, or run longer only if the plan "
            "said the test was underpowered.")
    return text + (borderline if lo > 0 or hi < 0 else "")


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


def analyze_counts(x_c: int, n_c: int, x_t: int, n_t: int, *, alpha: float = 0.05,
                   one_sided: bool = False, ratio: float = 1.0) -> AnalyzeResult:
    """Conversions in two arms: pooled z-test, or Fisher's exact test for small counts.

    CI for the difference: Wald (as statsmodels method="wald") when the z-test's normal
    approximation holds, Newcombe's hybrid score interval at small counts; CI for the
    relative change: the log risk-ratio interval minus 1. Both at level 1 − α
    (1 − 2α one-sided, whose lower limit is the one-sided bound).
    """
    from scipy import stats  # lazy: scipy.stats costs ~0.5 s to import
    p_c, p_t = x_c / n_c, x_t / n_t
    diff = p_t - p_c
    pooled = (x_c + x_t) / (n_c + n_t)
    level = 1 - 2 * alpha if one_sided else 1 - alpha
    zq = float(stats.norm.isf((1 - level) / 2))
    expected_min = min(pooled * n_c, (1 - pooled) * n_c, pooled * n_t, (1 - pooled) * n_t)
    se = math.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)
    if expected_min < 5:
        test = "Fisher's exact test"
        why = ("some cell has fewer than 5 expected conversions or non-conversions, where "
               "the normal approximation is unreliable")
        alt = "less" if one_sided else "two-sided"  # table rows: control, treatment
        p_value = float(stats.fisher_exact([[x_c, n_c - x_c], [x_t, n_t - x_t]],
                                           alternative=alt)[1])
        stat_name, stat = "", math.nan
        ci = newcombe_interval(x_c, n_c, x_t, n_t, zq)
        ci_method = ("Newcombe's hybrid score interval (from Wilson intervals), valid at small "
                     "counts; relative: score interval for the rate ratio − 1")
        se = (ci[1] - ci[0]) / (2 * zq)  # the Wald se is 0 at 0 or n conversions
    else:
        test = "two-proportion z-test (pooled variance)"
        why = ("each user converts or not, and with at least 5 expected conversions and "
               "non-conversions per arm the difference of rates is close to normal")
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
        stat_name, stat = "z", diff / se0
        p_value = float(stats.norm.sf(stat) if one_sided else 2 * stats.norm.sf(abs(stat)))
        ci = (diff - zq * se, diff + zq * se)
        ci_method = ("Wald (unpooled) for the difference; relative: score interval for the "
                     "rate ratio − 1")
    if x_c == 0:  # no relative change from a zero control rate
        rel, rel_ci = math.nan, (math.nan, math.nan)
    else:
        lo_r, hi_r = ratio_interval(x_c, n_c, x_t, n_t, zq)
        rel, rel_ci = p_t / p_c - 1, (lo_r - 1, hi_r - 1)
    return _finish("proportion", test, why, ci_method, n_c, n_t, p_c, p_t, diff, se, ci, rel,
                   rel_ci, level, stat_name, stat, p_value, alpha, one_sided, ratio)


def analyze_means(m_c: float, s_c: float, n_c: int, m_t: float, s_t: float, n_t: int, *,
                  alpha: float = 0.05, one_sided: bool = False,
                  ratio: float = 1.0) -> AnalyzeResult:
    """Per-unit values in two arms: Welch's t-test from the arms' mean, sd and n."""
    from scipy import stats  # lazy: scipy.stats costs ~0.5 s to import
    v_c, v_t = s_c**2 / n_c, s_t**2 / n_t
    se = math.sqrt(v_c + v_t)
    if se == 0:
        raise BadInputError("--data: every value is the same within each variant; a t-test "
                            "needs some variation")
    diff = m_t - m_c
    df = (v_c + v_t) ** 2 / (v_c**2 / (n_c - 1) + v_t**2 / (n_t - 1))
    t = diff / se
    p_value = float(stats.t.sf(t, df) if one_sided else 2 * stats.t.sf(abs(t), df))
    level = 1 - 2 * alpha if one_sided else 1 - alpha
    tq = float(stats.t.isf((1 - level) / 2, df))
    rel, rel_ci = _relative(m_c, m_t, v_c, v_t, tq)
    return _finish("mean", "Welch's t-test",
                   "a continuous per-user metric; Welch does not assume the arms have equal "
                   "variances and equals the pooled test when they do",
                   f"Welch t interval ({df:,.1f} df); relative: delta method", n_c, n_t, m_c,
                   m_t, diff, se, (diff - tq * se, diff + tq * se), rel, rel_ci, level, "t", t,
                   p_value, alpha, one_sided, ratio)


def _relative(c: float, t: float, var_c: float, var_t: float,
              q: float) -> tuple[float, tuple[float, float]]:
    """Relative lift t/c − 1 and its delta-method CI."""
    if c == 0:
        return math.nan, (math.nan, math.nan)
    r = t / c
    se = abs(r) * math.sqrt(var_t / t**2 + var_c / c**2) if t != 0 else math.sqrt(var_t) / abs(c)
    return r - 1, (r - 1 - q * se, r - 1 + q * se)


def _finish(metric, test, why, ci_method, n_c, n_t, c, t, diff, se, ci, rel, rel_ci, level,
            stat_name, stat, p_value, alpha, one_sided, ratio) -> AnalyzeResult:
    chi2, srm_p = srm_check(n_c, n_t, ratio)
    fields = dict(
        metric=metric, test=test, why=why, n_control=int(n_c), n_treatment=int(n_t),
        control_value=float(c), treatment_value=float(t), absolute_effect=float(diff),
        absolute_ci=(float(ci[0]), float(ci[1])), relative_effect=float(rel),
        relative_ci=(float(rel_ci[0]), float(rel_ci[1])), ci_level=level, ci_method=ci_method,
        standard_error=float(se),
        mde_80=se * (z_crit(alpha, one_sided) + norm_ppf(0.8)),
        statistic_name=stat_name, statistic=float(stat),
        p_value=float(p_value), alpha=alpha, one_sided=one_sided,
        significant=bool(p_value < alpha), expected_ratio=ratio, srm_chi2=chi2,
        srm_p_value=srm_p, srm_flag=bool(srm_p < SRM_THRESHOLD),
    )
    return AnalyzeResult(**fields, decision=_decision(fields))


_COUNTS = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_counts(option: str, text: str) -> tuple[int, int]:
    """'1200/10000' -> (1200, 10000), or a BadInputError naming the option."""
    m = _COUNTS.match(text or "")
    if m:
        x, n = int(m.group(1)), int(m.group(2))
        if n > 0 and x <= n:
            return x, n
    raise BadInputError(
        f"--{option} must be CONVERTED/USERS with 0 ≤ converted ≤ users and users > 0, "
        f"got {text!r}"
    )


CONTROL_NAMES = ("control", "ctrl", "a", "0", "baseline", "c")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def _read_data_file(path: str) -> str:
    """The text of a regular file of at most MAX_DATA_BYTES; never reads a device or pipe."""
    from mlsd.fileio import read_user_bytes

    raw = read_user_bytes(path, f"--data {path}", MAX_DATA_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"--data: cannot read {path!r} as UTF-8 text ({exc})") from None


def read_csv(path: str) -> tuple[str, dict[str, list[float]]]:
    """Read `variant,converted` or `variant,value`: (metric, {'control': [...], 'treatment': …})."""
    text = _read_data_file(path)
    rows = list(csv.reader(text.splitlines()))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise BadInputError(f"--data: {path!r} is empty; expected a header variant,converted "
                            "or variant,value and one row per user")
    header = [h.strip().lower() for h in rows[0]]
    if "variant" not in header or not ({"converted", "value"} & set(header)):
        raise BadInputError(f"--data: the header must have columns variant and converted (0/1) "
                            f"or value (a number), got {','.join(rows[0])!r}")
    metric = "proportion" if "converted" in header else "mean"
    vi, ci = header.index("variant"), header.index("converted" if metric == "proportion"
                                                   else "value")
    groups: dict[str, list[float]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) <= max(vi, ci):
            raise BadInputError(f"--data: line {line}: expected {len(header)} columns, "
                                f"got {len(row)}")
        label, raw = row[vi].strip(), row[ci].strip().lower()
        if not label:
            raise BadInputError(f"--data: line {line}: empty variant")
        if metric == "proportion":
            if raw in _TRUE:
                v = 1.0
            elif raw in _FALSE:
                v = 0.0
            else:
                raise BadInputError(f"--data: line {line}: converted must be 0 or 1, got {raw!r}")
        else:
            try:
                v = float(raw)
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                raise BadInputError(f"--data: line {line}: value must be a finite number, "
                                    f"got {raw!r}")
        groups.setdefault(label, []).append(v)
    if len(groups) != 2:
        raise BadInputError(f"--data: expected exactly 2 variants, got {len(groups)} "
                            f"({', '.join(sorted(groups)) or 'no rows'})")
    controls = [g for g in groups if g.lower() in CONTROL_NAMES]
    if len(controls) != 1:
        raise BadInputError(f"--data: name exactly one variant control (or A, 0), got "
                            f"{', '.join(sorted(groups))}")
    treatment = next(g for g in groups if g != controls[0])
    need = 1 if metric == "proportion" else 2
    for name in (controls[0], treatment):
        if len(groups[name]) < need:
            raise BadInputError(f"--data: variant {name!r} needs at least {need} rows with "
                                f"variant,value, got {len(groups[name])}")
    return metric, {"control": groups[controls[0]], "treatment": groups[treatment]}


def analyze(*, control: str = "", treatment: str = "", data: str = "", alpha: float = 0.05,
            one_sided: bool = False, ratio: float = 1.0, seed: int = 0,
            progress: ProgressCallback | None = None) -> AnalyzeResult:
    """Read a finished experiment: effect, CI, p-value, decision and the SRM check."""
    del seed  # deterministic
    check_range("alpha", alpha, 0, 1)
    check_range("ratio", ratio, 0.01, 100, low_inclusive=True, high_inclusive=True)
    report(progress, 0.1, "reading")
    if data:
        if control or treatment:
            raise BadInputError("--data cannot be combined with --control/--treatment; "
                                "give one or the other")
        metric, groups = read_csv(data)
        c = np.asarray(groups["control"])
        t = np.asarray(groups["treatment"])
        if metric == "proportion":
            return analyze_counts(int(c.sum()), c.size, int(t.sum()), t.size, alpha=alpha,
                                  one_sided=one_sided, ratio=ratio)
        return analyze_means(float(c.mean()), float(c.std(ddof=1)), c.size, float(t.mean()),
                             float(t.std(ddof=1)), t.size, alpha=alpha, one_sided=one_sided,
                             ratio=ratio)
    counts = {}
    for name, text in (("control", control), ("treatment", treatment)):
        if text:
            counts[name] = parse_counts(name, text)
        else:
            raise BadInputError(f"--{name} is required as CONVERTED/USERS (e.g. --control "
                                "1200/10000 --treatment 1310/10000), or give --data FILE.csv")
    (x_c, n_c), (x_t, n_t) = counts["control"], counts["treatment"]
    return analyze_counts(x_c, n_c, x_t, n_t, alpha=alpha, one_sided=one_sided, ratio=ratio)


# -------------------------------------------------------------------------- tour


@dataclass(frozen=True)
class TourResult(SimResult):
    """Plan → verify → one simulated experiment analysed: the whole procedure."""

    plan: PlanResult
    verification: VerifyResult
    analysis: AnalyzeResult
    simulated_truth: float  # the true absolute effect in the simulated experiment

    def to_dict(self) -> dict[str, Any]:
        v = self.verification
        return {
            **self.plan.to_dict(),
            "verify": {
                "experiments": v.experiments,
                "false_positive_rate": v.false_positive_rate,
                "false_positive_ci": list(v.false_positive_ci),
                "empirical_power": v.empirical_power,
                "power_ci": list(v.power_ci),
            },
            "analysis": self.analysis.to_dict(),
        }

    def tables(self) -> list[Table]:
        plan_tables = self.plan.tables()
        ver = self.verification.tables()[1]
        arms, effect, srm = self.analysis.tables()
        return [
            Table("Step 1 — " + plan_tables[0].title, plan_tables[0].columns,
                  plan_tables[0].rows, plan_tables[0].note),
            plan_tables[1],
            Table("Step 2 — " + ver.title, ver.columns, ver.rows, ver.note),
            Table("Step 3 — A simulated experiment at the planned size: arms", arms.columns,
                  arms.rows, arms.note),
            Table("Step 3 — " + effect.title, effect.columns, effect.rows, effect.note),
            Table("Step 3 — " + srm.title, srm.columns, srm.rows, srm.note),
        ]

    def charts(self) -> list[Chart]:
        return self.plan.charts() + self.verification.charts()

    def reading(self) -> list[str]:
        v = self.verification
        return [
            self.plan.reading()[0],
            f"Simulated {v.experiments:,} times, the planned test fired {v.false_positive_rate:.1%}"
            f" of the time with no effect (α = {self.plan.alpha:g}) and "
            f"{v.empirical_power:.1%} with the MDE present (target {self.plan.power:.0%}).",
            f"One simulated run with a true effect of {signed(self.simulated_truth)}. "
            + self.analysis.decision,
            "Next: `mlsd simulate ab-test peeking` (why not to stop early), "
            "`mlsd simulate ab-test cuped` (smaller samples), `mlsd simulate ab-test unit` "
            "(user vs request randomisation), `mlsd simulate ab-test segments` (who it hurts).",
        ]


def tour(*, baseline: float = 0.1, mde: float = 0.01, relative: bool = False,
         alpha: float = 0.05, power: float = 0.8, one_sided: bool = False, ratio: float = 1.0,
         daily_traffic: int = 10_000, metric: str = "proportion", std: float = 0.0,
         experiments: int = 2_000, seed: int = 0,
         progress: ProgressCallback | None = None) -> TourResult:
    """Plan, verify by simulation, and analyse one simulated experiment."""
    common = dict(baseline=baseline, mde=mde, relative=relative, alpha=alpha, power=power,
                  one_sided=one_sided, ratio=ratio, daily_traffic=daily_traffic, metric=metric,
                  std=std)
    report(progress, 0.0, "plan")
    ver = verify(**common, experiments=experiments, seed=seed,
                 progress=None if progress is None else (lambda f, s: progress(0.9 * f, s)))
    p = ver.plan
    design = make_design(**{k: v for k, v in common.items() if k != "daily_traffic"})
    rng = np.random.default_rng([seed, 1])
    # Users are assigned by a fair coin with P(treatment) = ratio / (1 + ratio).
    n_t = int(rng.binomial(p.n_total, ratio / (1 + ratio)))
    n_c = p.n_total - n_t
    if metric == "proportion":
        x_c = int(rng.binomial(n_c, baseline))
        x_t = int(rng.binomial(n_t, design.treatment_value))
        ana = analyze_counts(x_c, n_c, x_t, n_t, alpha=alpha, one_sided=one_sided, ratio=ratio)
    else:
        # Normal per-user values, drawn as their sufficient statistics (mean, sd).
        sd = design.std
        means = [rng.normal(mu, sd / math.sqrt(n)) for mu, n in
                 ((baseline, n_c), (design.treatment_value, n_t))]
        sds = [sd * math.sqrt(rng.chisquare(n - 1) / (n - 1)) for n in (n_c, n_t)]
        ana = analyze_means(float(means[0]), float(sds[0]), n_c, float(means[1]),
                            float(sds[1]), n_t, alpha=alpha, one_sided=one_sided, ratio=ratio)
    report(progress, 1.0, "done")
    return TourResult(plan=p, verification=ver, analysis=ana, simulated_truth=design.diff)
