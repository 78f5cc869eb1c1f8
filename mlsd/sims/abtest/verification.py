"""`mlsd simulate ab-test verify`: the plan checked by simulating A/A and A/B experiments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlsd.errors import BadInputError
from mlsd.i18n import _
from mlsd.sims.abtest.design import (
    Design,
    make_design,
    power_for,
)
from mlsd.sims.abtest.planning import PlanResult, plan
from mlsd.sims.abtest.stats import (
    ceil_n,
    wilson,
    z_crit,
)
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
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
            (_("A/A: false-positive rate"), p.alpha, self.false_positive_rate,
             f"[{self.false_positive_ci[0]:.4f}, {self.false_positive_ci[1]:.4f}]",
             self.fpr_ok),
            (_("A/B: power"), p.power, self.empirical_power,
             f"[{self.power_ci[0]:.4f}, {self.power_ci[1]:.4f}]", self.power_ok),
        ]
        return [
            self.plan.tables()[0],
            table(_("Verification: {experiments} simulated A/A and A/B experiments at {control} + {treatment}").format(
                      experiments=f"{self.experiments:,}", control=f"{p.n_per_arm:,}", treatment=f"{p.n_treatment:,}"),
                  (_("check"), _("planned"), _("simulated"), _("95% CI"), _("CI covers plan")), rows,
                  note=_("Each experiment draws the arms' outcomes and runs the planned test.")),
            table(_("Power at other sample sizes (planned vs simulated)"),
                  (_("fraction of plan"), _("n per arm"), _("planned power"), _("simulated power")),
                  self.power_by_n),
        ]

    def charts(self) -> list[Chart]:
        _fractions, n, planned, simulated = zip(*self.power_by_n, strict=True)
        return [Chart(
            "abtest-verify-power", _("Planned vs simulated power"), _("users per arm (control)"),
            _("power"), (series(_("planned (closed form)"), n, planned),
                         series(_("simulated"), n, simulated)),
            hlines=((self.plan.power, _("target power")), (self.plan.alpha, "α")),
            vlines=((float(self.plan.n_per_arm), _("planned n")),),
        )]

    def reading(self) -> list[str]:
        p = self.plan
        fpr_lo, fpr_hi = self.false_positive_ci
        pw_lo, pw_hi = self.power_ci
        half = next(row for row in self.power_by_n if row[0] == 0.5)
        return [
            _("With no real difference (A/A) the test fired in {rate} of {experiments} experiments "
              "(95% CI {low}–{high}); the plan promised α = {alpha}.").format(
                rate=f"{self.false_positive_rate:.2%}", experiments=f"{self.experiments:,}",
                low=f"{fpr_lo:.2%}", high=f"{fpr_hi:.2%}", alpha=f"{p.alpha:.0%}"),
            _("With the MDE really there (A/B) it fired in {rate} (95% CI {low}–{high}); the plan promised {power}.").format(
                rate=f"{self.empirical_power:.2%}", low=f"{pw_lo:.2%}", high=f"{pw_hi:.2%}", power=f"{p.power:.0%}"),
            _("At half the planned size ({n} per arm) the same effect is caught only {share} of the time: "
              "stopping early because 'it looks significant already' throws that power away.").format(
                n=f"{half[1]:,}", share=f"{half[3]:.0%}"),
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
    report(progress, 0.05, _("A/A experiments"))
    aa = simulate_rejections(design, p.n_per_arm, p.n_treatment, 0.0, experiments, rng)
    report(progress, 0.35, _("A/B experiments"))
    ab = simulate_rejections(design, p.n_per_arm, p.n_treatment, design.diff, experiments, rng)
    fp, tp = int(aa.sum()), int(ab.sum())
    rows = []
    fractions = (0.25, 0.5, 0.75, 1.0, 1.5)
    for i, f in enumerate(fractions):
        report(progress, 0.4 + 0.6 * i / len(fractions), _("power at {fraction}× n").format(fraction=f"{f:g}"))
        n_c = max(2, ceil_n(p.n_per_arm * f))
        n_t = max(2, ceil_n(n_c * ratio))
        if f == 1.0:
            sim = tp / experiments
        else:
            sim = float(simulate_rejections(design, n_c, n_t, design.diff, experiments,
                                            rng).mean())
        rows.append((f, n_c, float(power_for(design, n_c)), sim))
    report(progress, 1.0, _("done"))
    return VerifyResult(
        plan=p, experiments=experiments, false_positive_rate=fp / experiments,
        false_positive_ci=wilson(fp, experiments), empirical_power=tp / experiments,
        power_ci=wilson(tp, experiments), power_by_n=tuple(rows),
    )
