"""A validated A/B design and the arithmetic on it: sample size, power, days, the reachable MDE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlsd.errors import BadInputError, check_positive, check_range
from mlsd.i18n import _
from mlsd.sims.abtest.stats import (
    MAX_N_PER_ARM,
    norm_ppf,
    proportion_n,
    proportion_power,
    ttest_n,
    ttest_power,
    z_crit,
)
from mlsd.sims.abtest.text import num, short

METRICS = ("proportion", "mean")
# The test length `plan` suggests an MDE for when the user's MDE cannot be reached.
SUGGESTED_DAYS = 28


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
        raise BadInputError(_("{option} must be one of {choices}, got {value}").format(
            option="--metric", choices=", ".join(METRICS), value=repr(metric)))
    check_range("alpha", alpha, 0, 1)
    check_range("power", power, 0, 1)
    if power <= alpha:
        raise BadInputError(
            _("--power must be in {range} (above --alpha, or no sample is needed), got {value}").format(
                range=f"({alpha:g}, 1)", value=f"{power:g}")
        )
    check_positive("mde", mde)
    check_range("ratio", ratio, 0.01, 100, low_inclusive=True, high_inclusive=True)
    if metric == "proportion":
        if std != 0:
            raise BadInputError(
                _("--std applies to --metric mean only, got --std {std} with --metric "
                  "proportion (a proportion's standard deviation √(p(1−p)) comes from --baseline)").format(std=f"{std:g}")
            )
        check_range("baseline", baseline, 0, 1)
        diff = baseline * mde if relative else mde
        treated = baseline + diff
        if not 0 < treated < 1:
            what = "--baseline × (1 + --mde)" if relative else "--baseline + --mde"
            raise BadInputError(_("{option} must be in {range}, got {value}").format(
                option=what, range="(0, 1)", value=f"{treated:g}"))
        sd = math.sqrt(baseline * (1 - baseline))
    else:
        if not math.isfinite(baseline):
            raise BadInputError(_("--baseline must be a finite number, got {value}").format(value=f"{baseline:g}"))
        if std != std or std <= 0 or not math.isfinite(std):
            raise BadInputError(
                _("--std must be in (0, inf) with --metric mean (the metric's per-user "
                  "standard deviation), got {value}").format(value=f"{std:g}")
            )
        if relative and baseline == 0:
            raise BadInputError(_("--baseline must be non-zero with --relative, got 0"))
        diff = abs(baseline) * mde if relative else mde
        treated = baseline + diff
        sd = std
    return Design(metric, baseline, mde, relative, diff, treated, alpha, power, one_sided,
                  ratio, sd)


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


def days_for(users: int, daily_traffic: int) -> int:
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


def describe_mde(diff: float, baseline: float, relative: bool) -> str:
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
                    f"{describe_mde(d, design.baseline, design.relative)}")
    else:
        msg += "; raise --mde"
    raise BadInputError(msg)
