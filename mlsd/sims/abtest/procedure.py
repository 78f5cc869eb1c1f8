"""`mlsd simulate ab-test`: plan → verify → analyse in one run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlsd.i18n import _, space
from mlsd.sims.abtest.analysis import (
    AnalyzeResult,
    analyze_counts,
    analyze_means,
)
from mlsd.sims.abtest.design import (
    make_design,
)
from mlsd.sims.abtest.planning import PlanResult
from mlsd.sims.abtest.text import signed
from mlsd.sims.abtest.verification import VerifyResult, verify
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
)

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
            Table(_("Step 1 — {title}").format(title=plan_tables[0].title), plan_tables[0].columns,
                  plan_tables[0].rows, plan_tables[0].note),
            plan_tables[1],
            Table(_("Step 2 — {title}").format(title=ver.title), ver.columns, ver.rows, ver.note),
            Table(_("Step 3 — A simulated experiment at the planned size: arms"), arms.columns,
                  arms.rows, arms.note),
            Table(_("Step 3 — {title}").format(title=effect.title), effect.columns, effect.rows, effect.note),
            Table(_("Step 3 — {title}").format(title=srm.title), srm.columns, srm.rows, srm.note),
        ]

    def charts(self) -> list[Chart]:
        return self.plan.charts() + self.verification.charts()

    def reading(self) -> list[str]:
        v = self.verification
        return [
            self.plan.reading()[0],
            _("Simulated {experiments} times, the planned test fired {rate} of the time with no effect "
              "(α = {alpha}) and {power} with the MDE present (target {target}).").format(
                experiments=f"{v.experiments:,}", rate=f"{v.false_positive_rate:.1%}", alpha=f"{self.plan.alpha:g}",
                power=f"{v.empirical_power:.1%}", target=f"{self.plan.power:.0%}"),
            _("One simulated run with a true effect of {effect}.").format(effect=signed(self.simulated_truth))
            + space() + self.analysis.decision,
            _("Next: `mlsd simulate ab-test peeking` (why not to stop early), "
              "`mlsd simulate ab-test cuped` (smaller samples), `mlsd simulate ab-test unit` "
              "(user vs request randomisation), `mlsd simulate ab-test segments` (who it hurts)."),
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
    report(progress, 0.0, _("plan"))
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
    report(progress, 1.0, _("done"))
    return TourResult(plan=p, verification=ver, analysis=ana, simulated_truth=design.diff)
