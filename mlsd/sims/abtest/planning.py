"""`mlsd simulate ab-test plan`: sample size per arm and in total, and the days it takes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlsd.errors import BadInputError
from mlsd.i18n import _, ngettext
from mlsd.sims.abtest.design import (
    SUGGESTED_DAYS,
    check_plan_size,
    days_for,
    describe_mde,
    make_design,
    mde_for_n,
    n_for,
    power_for,
)
from mlsd.sims.abtest.stats import (
    ceil_n,
)
from mlsd.sims.abtest.text import num, pct
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
)

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
        side = _("one-sided") if self.one_sided else _("two-sided")
        rows = [
            (_("metric"), self.metric),
            (_("baseline"), self.baseline),
            (_("MDE (absolute)"), self.absolute_effect),
            (_("MDE (relative)"), pct(self.relative_effect, 2)),
            (_("treatment value to detect"), self.treatment_value),
            (_("α / power"), f"{self.alpha:g} {side} / {self.power:g}"),
            (_("split treatment:control"), f"{self.ratio:g}:1"),
            (_("users per arm (control)"), self.n_per_arm),
            (_("users in treatment"), self.n_treatment),
            (_("users in total"), self.n_total),
            (_("daily traffic"), self.daily_traffic),
            (_("days needed"), self.days),
            (_("full weeks to run"), self.weeks),
        ]
        out = [table(_("Sample size plan"), ("", _("value")), rows, note=self.method)]
        mrows = [
            (("→ " if math.isclose(r.absolute_mde, self.absolute_effect) else "")
             + f"{r.absolute_mde:.4g}", pct(r.relative_mde, 2), r.n_per_arm, r.n_total, r.days)
            for r in self.mde_table
        ]
        out.append(table(
            _("MDE → sample size at baseline {baseline}").format(baseline=f"{self.baseline:g}"),
            (_("MDE (abs)"), _("MDE (rel)"), _("n per arm"), _("n total"), _("days")), mrows,
            note=_("Halving the MDE roughly quadruples the sample: n ∝ 1/MDE²."),
        ))
        return out

    def charts(self) -> list[Chart]:
        n, p = zip(*self.power_curve, strict=True)
        m, mn = zip(*self.mde_curve, strict=True)
        return [
            Chart("abtest-power-curve", _("Power vs sample size per arm"),
                  _("users per arm (control)"), _("power"),
                  (series(f"MDE {self.absolute_effect:.4g}", n, p),),
                  hlines=((self.power, _("target {power}").format(power=f"{self.power:g}")),),
                  vlines=((float(self.n_per_arm), _("planned n")),)),
            Chart("abtest-mde-n", _("Sample size per arm vs minimum detectable effect"),
                  _("absolute MDE"), _("users per arm (control)"),
                  (series(_("baseline {baseline}").format(baseline=f"{self.baseline:g}"), m, mn),),
                  x_log=True, y_log=True, vlines=((self.absolute_effect, _("your MDE")),)),
        ]

    def reading(self) -> list[str]:
        rel = f" ({self.relative_effect:+.1%})" if math.isfinite(self.relative_effect) else ""
        users = ngettext("{n} user", "{n} users", self.n_per_arm).format(n=f"{self.n_per_arm:,}")
        traffic = ngettext("{n} user", "{n} users", self.daily_traffic).format(n=f"{self.daily_traffic:,}")
        days = ngettext("{n} day", "{n} days", self.days).format(n=f"{self.days:,}")
        weeks = ngettext("{n} full week", "{n} full weeks", self.weeks).format(n=f"{self.weeks:,}")
        lines = [
            _("To detect a change from {baseline} to {treatment}{relative} with {power} power at "
              "α = {alpha} you need {users} in control and {total} in total.").format(
                baseline=num(self.baseline), treatment=num(self.treatment_value), relative=rel,
                power=f"{self.power:.0%}", alpha=f"{self.alpha:g}", users=users, total=f"{self.n_total:,}"),
            _("At {users} a day that is {days}; round up to {weeks} so weekday and weekend behaviour "
              "are both in the sample.").format(users=traffic, days=days, weeks=weeks),
            _("Sample size grows with 1/MDE²: halving the effect you want to see costs four "
              "times the traffic, so agree the MDE with the business before starting."),
        ]
        if self.days > 365:
            allows = (_("no effect on this baseline is detectable in that time")
                      if self.suggested_mde is None else _("that detects about {mde}").format(
                          mde=describe_mde(self.suggested_mde, self.baseline, self.relative)))
            lines.insert(2, _("Warning: {years} years is not a test anyone can run — the MDE is too small for "
                              "this traffic. A {days}-day test at this traffic sees {users} users; {allows}.").format(
                years=f"{self.days / 365:,.1f}", days=SUGGESTED_DAYS, users=f"{SUGGESTED_DAYS * self.daily_traffic:,}",
                allows=allows))
        if self.ratio != 1:
            lines.append(_(
                "An unequal {ratio}:1 split needs more users in total than 1:1 for "
                "the same power; use it only to limit exposure to a risky treatment.").format(ratio=f"{self.ratio:g}"))
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
    report(progress, 0.1, _("sample size"))
    exact = n_for(design)
    check_plan_size(design, exact, daily_traffic)
    n_c = ceil_n(exact)
    n_t = ceil_n(n_c * design.ratio)
    if metric == "mean":  # a t-test needs a variance in each arm
        n_c, n_t = max(n_c, 2), max(n_t, 2)
    total = n_c + n_t
    days = days_for(total, daily_traffic)

    if metric == "proportion" and one_sided:
        method = _("Two-proportion z-test, pooled variance under H0 (normal approximation; "
                   "statsmodels samplesize_proportions_2indep_onetail).")
    elif metric == "proportion":
        method = _("Two-proportion z-test, pooled variance under H0: the same normal "
                   "approximation as statsmodels samplesize_proportions_2indep_onetail, at α/2 "
                   "per tail (the far tail of the two-sided test is ignored).")
    else:
        method = _("Pooled two-sample t-test, exact noncentral-t power "
                   "(statsmodels TTestIndPower).")

    rows = []
    for k in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0):
        d = design.diff * k
        if metric == "proportion" and not 0 < baseline + d < 1:
            continue
        nc = ceil_n(n_for(design, d))
        if metric == "mean":
            nc = max(nc, 2)
        tot = nc + ceil_n(nc * ratio)
        rows.append(MdeRow(d, d / abs(baseline) if baseline else math.nan, nc, tot,
                           days_for(tot, daily_traffic)))
    report(progress, 0.6, _("curves"))
    ns = np.unique(np.ceil(np.geomspace(max(n_c / 10, 2), 2 * n_c + 2, 40)))
    curve = tuple((float(a), float(b)) for a, b in zip(ns, power_for(design, ns), strict=True))
    hi = design.diff * 4
    if metric == "proportion":
        hi = min(hi, (1 - baseline) * 0.999)
    grid = np.geomspace(design.diff / 4, max(hi, design.diff * 1.01), 25)
    mde_curve = tuple((float(d), float(n_for(design, float(d)))) for d in grid)
    report(progress, 1.0, _("done"))
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
