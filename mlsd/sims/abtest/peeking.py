"""Peeking: why checking a fixed-horizon test every day inflates false positives.

A fixed-horizon z-test is valid once, at the planned n. Checked at K interim
looks with the same 1.96 threshold and stopped at the first "significant" look,
it fires far more often than α. A group-sequential design spends α over the
looks with a Lan–DeMets spending function (O'Brien–Fleming-like or Pocock-like);
the per-look boundaries come from the exact crossing probabilities of the
z-statistic's Brownian-motion representation, computed by numerical integration
(Armitage–McPherson–Rowe recursion), not from simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special  # not scipy.stats: ~0.4 s more to import for Φ alone

from mlsd.errors import BadInputError
from mlsd.i18n import _
from mlsd.sims.abtest.design import check_plan_size, make_design
from mlsd.sims.abtest.stats import ceil_n, proportion_n, wilson, z_crit
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table

METHODS = ("obrien-fleming", "pocock")
LABELS = {"obrien-fleming": "O'Brien–Fleming", "pocock": "Pocock"}
_GRID = 201  # Simpson points across the continuation region (error < 1e-6 in |z|)
_SQRT2PI = math.sqrt(2 * math.pi)


def spent(t: np.ndarray | float, alpha: float, method: str) -> np.ndarray:
    """Cumulative two-sided α spent by information fraction t (Lan–DeMets).

    Each side spends α/2 by its own spending function and the two sides add up, the
    convention of gsDesign (sfLDOF), rpact (asOF) and ldbounds: for O'Brien–Fleming
    α/2·(per side) = 2(1 − Φ(z_{1−α/4}/√t)), which gives 4.877, 3.357, 2.680, 2.290,
    2.031 at K = 5, α = 0.05. (Spending the two-sided α in one function,
    2(1 − Φ(z_{1−α/2}/√t)), is a different, non-standard boundary: 4.383 first.)
    Pocock's α·ln(1 + (e − 1)t) is linear in α, so both conventions agree for it.
    """
    t = np.asarray(t, dtype=float)
    if method == "obrien-fleming":
        return 2 * (2 * special.ndtr(special.ndtri(alpha / 4) / np.sqrt(t)))
    if method == "pocock":
        return alpha * np.log1p((math.e - 1) * t)
    raise BadInputError(_("{option} must be one of {choices}, got {value}").format(
        option="--method", choices=", ".join(METHODS), value=repr(method)))


def _simpson(c: float) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(-c, c, _GRID)
    w = np.full(_GRID, 2.0)
    w[1::2] = 4.0
    w[0] = w[-1] = 1.0
    return x, w * (x[1] - x[0]) / 3


def _cross_prob(x: np.ndarray, wf: np.ndarray, delta: float, c: float) -> float:
    """P(|S_prev + N(0, delta)| ≥ c, no earlier crossing), S_prev density wf on grid x."""
    s = math.sqrt(delta)
    return float(wf @ (special.ndtr((-c - x) / s) + special.ndtr((x - c) / s)))


def crossing_probabilities(bounds_z: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """P(first |Z_k| ≥ b_k happens at look k), for H0, by numerical integration.

    S_k = Z_k·√t_k is Brownian motion at information time t_k; each step adds an
    independent N(0, t_k − t_{k−1}).
    """
    probs = []
    t_prev, x, wf = 0.0, None, None
    for b, t in zip(bounds_z, fractions, strict=True):
        c = b * math.sqrt(t)
        if x is None:
            probs.append(float(2 * special.ndtr(-b)))
        else:
            probs.append(_cross_prob(x, wf, t - t_prev, c))
        x, wf, t_prev = _advance(x, wf, t_prev, t, c)
    return np.array(probs)


def _norm_pdf(x: np.ndarray) -> np.ndarray:
    """scipy.stats.norm.pdf, the same expression."""
    return np.exp(-(x**2) / 2.0) / math.sqrt(2 * math.pi)


def _advance(x, wf, t_prev, t, c):
    """Density of S at time t on (−c, c), given the previous grid (None at the start)."""
    nx, w = _simpson(c)
    if x is None:
        f = _norm_pdf(nx / math.sqrt(t)) / math.sqrt(t)
    else:
        s = math.sqrt(t - t_prev)
        kernel = np.exp(-0.5 * ((nx[:, None] - x[None, :]) / s) ** 2) / (s * _SQRT2PI)
        f = kernel @ wf
    return nx, w * f, t


def sequential_bounds(looks: int, alpha: float, method: str = "obrien-fleming") -> np.ndarray:
    """Two-sided z boundaries at K equally spaced looks spending α by `method`."""
    fractions = np.arange(1, looks + 1) / looks
    increments = np.diff(np.concatenate([[0.0], spent(fractions, alpha, method)]))
    bounds = []
    x = wf = None
    t_prev = 0.0
    for t, inc in zip(fractions, increments, strict=True):
        if x is None:
            b = float(-special.ndtri(inc / 2))
        else:
            delta = t - t_prev

            def gap(c: float, x=x, wf=wf, delta=delta, inc=inc) -> float:
                return _cross_prob(x, wf, delta, c) - inc

            hi = 2 * math.sqrt(t) * 10
            c = float(optimize.brentq(gap, 1e-6, hi, xtol=1e-12)) if gap(hi) < 0 else hi
            b = c / math.sqrt(t)
        bounds.append(b)
        x, wf, t_prev = _advance(x, wf, t_prev, t, b * math.sqrt(t))
    return np.array(bounds)


def simulate_paths(p_c: float, p_t: float, n_per_look: int, looks: int, experiments: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Pooled z-statistics at each look (experiments × looks) from binomial increments."""
    x_c = np.cumsum(rng.binomial(n_per_look, p_c, size=(experiments, looks)), axis=1)
    x_t = np.cumsum(rng.binomial(n_per_look, p_t, size=(experiments, looks)), axis=1)
    n = n_per_look * np.arange(1, looks + 1)
    pooled = (x_c + x_t) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    return np.divide(x_t / n - x_c / n, se, out=np.zeros(x_c.shape, dtype=float),
                     where=se > 0)


@dataclass(frozen=True)
class PeekingResult(SimResult):
    looks: int
    alpha: float
    power: float
    method: str
    baseline: float
    absolute_effect: float
    n_per_arm: int  # simulated: `n_per_look` × looks, so every look adds the same users
    n_plan: int  # what `ab-test plan` gives for the same baseline, MDE, α and power
    n_per_look: int
    experiments: int
    boundaries: tuple[float, ...]  # |z| needed at each look by the sequential design
    fpr_once: float
    fpr_once_ci: tuple[float, float]
    fpr_peeking: float
    fpr_peeking_ci: tuple[float, float]
    fpr_peeking_exact: float  # crossing probability of 1.96 at K looks, by integration
    fpr_sequential: float
    fpr_sequential_ci: tuple[float, float]
    power_once: float
    power_peeking: float  # higher, but bought with the inflated false-positive rate
    power_sequential: float
    mean_fraction_used_h1: float  # average share of the planned n the sequential test used
    # (looks, simulated peeking FPR, exact peeking FPR, simulated sequential FPR)
    fpr_by_looks: tuple[tuple[int, float, float, float], ...]

    def tables(self) -> list[Table]:
        def ci(c):
            return f"[{c[0]:.4f}, {c[1]:.4f}]"

        rows = [
            (_("fixed horizon, checked once at the end"), self.fpr_once, ci(self.fpr_once_ci),
             self.power_once),
            (_("fixed horizon, checked at each of {looks} looks").format(looks=self.looks), self.fpr_peeking,
             ci(self.fpr_peeking_ci), self.power_peeking),
            (_("sequential ({method} α-spending), {looks} looks").format(method=LABELS[self.method], looks=self.looks),
             self.fpr_sequential,
             ci(self.fpr_sequential_ci), self.power_sequential),
        ]
        by = [(k, a, b, c) for k, a, b, c in self.fpr_by_looks]
        bnd = [(i + 1, (i + 1) / self.looks, b, float(2 * special.ndtr(-b)))
               for i, b in enumerate(self.boundaries)]
        return [
            table(_("False-positive rate with peeking ({experiments} A/A experiments, α = {alpha})").format(
                      experiments=f"{self.experiments:,}", alpha=f"{self.alpha:g}"),
                  (_("analysis"), _("false-positive rate"), _("95% CI"), _("power")),
                  rows, note=_("Power at {n} users per arm with MDE {mde}{rounding}; the sequential test stopped "
                               "after {share} of it on average.").format(
                      n=f"{self.n_per_arm:,}", mde=f"{self.absolute_effect:.4g}", rounding=self._rounding(),
                      share=f"{self.mean_fraction_used_h1:.0%}")),
            table(_("False-positive rate vs number of looks"),
                  (_("looks"), _("peeking (simulated)"), _("peeking (exact)"), _("sequential (simulated)")),
                  by),
            table(_("Sequential boundaries ({method} α-spending)").format(method=LABELS[self.method]),
                  (_("look"), _("information"), _("|z| to stop"), _("nominal p to stop")), bnd),
        ]

    def _rounding(self) -> str:
        """Why the simulated n can exceed `plan`'s: equal looks need a multiple of --looks."""
        if self.n_per_arm == self.n_plan:
            return " " + _("(the `ab-test plan` size, {looks} looks of {n})").format(
                looks=self.looks, n=f"{self.n_per_look:,}")
        return " " + _("(`ab-test plan` gives {plan}, rounded up to {looks} equal looks of {n})").format(
            plan=f"{self.n_plan:,}", looks=self.looks, n=f"{self.n_per_look:,}")

    def charts(self) -> list[Chart]:
        k, sim, exact, seq = zip(*self.fpr_by_looks, strict=True)
        look = np.arange(1, self.looks + 1)
        return [
            Chart("abtest-peeking-fpr", _("False-positive rate vs number of looks"),
                  _("looks at the data"), _("false-positive rate"),
                  (series(_("peek with |z| > z_α/2 (simulated)"), k, sim),
                   series(_("peek with |z| > z_α/2 (exact)"), k, exact),
                   series(_("sequential {method} (simulated)").format(method=LABELS[self.method]), k, seq)),
                  hlines=((self.alpha, "α"),)),
            Chart("abtest-peeking-bounds", _("Stopping boundary by look"), _("look"), _("|z| to stop"),
                  (series(LABELS[self.method], look, self.boundaries),
                   series(_("fixed horizon"), look, [z_crit(self.alpha, False)] * self.looks))),
        ]

    def reading(self) -> list[str]:
        return [
            _("Checked once, the test fires {once} of the time when nothing changed (α = {alpha}). Checked at "
              "each of {looks} looks and stopped at the first p < α, it fires {peeking} — {times}× the promised "
              "rate.").format(once=f"{self.fpr_once:.1%}", alpha=f"{self.alpha:.0%}", looks=self.looks,
                              peeking=f"{self.fpr_peeking:.1%}", times=f"{self.fpr_peeking / self.alpha:.1f}"),
            _("Each look is another chance for noise to cross the line; the exact rate for "
              "{looks} looks is {exact}.").format(looks=self.looks, exact=f"{self.fpr_peeking_exact:.1%}"),
            _("A sequential design with {method} α-spending keeps it at {rate} by asking for |z| ≥ {first} at the "
              "first look and {last} at the last, with power {power} vs {once}.").format(
                method=LABELS[self.method], rate=f"{self.fpr_sequential:.1%}", first=f"{self.boundaries[0]:.2f}",
                last=f"{self.boundaries[-1]:.2f}", power=f"{self.power_sequential:.1%}",
                once=f"{self.power_once:.1%}"),
            _("If you must look early, decide the looks and boundaries before starting."),
        ]


def peeking(*, looks: int = 20, alpha: float = 0.05, power: float = 0.8, baseline: float = 0.1,
            mde: float = 0.01, method: str = "obrien-fleming", experiments: int = 10_000,
            seed: int = 0, progress: ProgressCallback | None = None) -> PeekingResult:
    """False-positive rate of peeking vs checking once vs a sequential design."""
    if isinstance(looks, bool) or not 2 <= looks <= 200:
        raise BadInputError(_("--looks must be in [2, 200] (1 look is checking once, the "
                              "fixed-horizon test itself: there is no peeking), got {value}").format(value=looks))
    if isinstance(experiments, bool) or not 100 <= experiments <= 1_000_000:
        raise BadInputError(_("{option} must be in {range}, got {value}").format(
            option="--experiments", range="[100, 1000000]", value=experiments))
    if method not in METHODS:
        raise BadInputError(_("{option} must be one of {choices}, got {value}").format(
            option="--method", choices=", ".join(METHODS), value=repr(method)))
    design = make_design(baseline=baseline, mde=mde, alpha=alpha, power=power)
    exact = proportion_n(baseline, design.diff, alpha=alpha, power=power)
    check_plan_size(design, exact)
    n_plan = ceil_n(exact)
    z = z_crit(alpha, False)
    rng = np.random.default_rng(seed)
    grid = sorted({k for k in (1, 2, 3, 5, 10, 20, 50, 100, 200) if k < looks} | {looks})
    by_looks = []
    main = None
    for i, k in enumerate(grid):
        report(progress, 0.8 * i / len(grid), _("{looks} looks").format(looks=k))
        per_look = max(1, ceil_n(n_plan / k))
        zs = np.abs(simulate_paths(baseline, baseline, per_look, k, experiments, rng))
        b = sequential_bounds(k, alpha, method)
        naive = float((zs > z).any(axis=1).mean())
        seq_hit = (zs >= b).any(axis=1)
        exact = float(crossing_probabilities(np.full(k, z), np.arange(1, k + 1) / k).sum())
        by_looks.append((k, naive, exact, float(seq_hit.mean())))
        if k == looks:
            main = (zs, b, per_look, exact)
    zs, b, per_look, exact = main
    once = zs[:, -1] > z
    peek = (zs > z).any(axis=1)
    seq = (zs >= b).any(axis=1)
    report(progress, 0.85, _("power"))
    za = simulate_paths(baseline, baseline + design.diff, per_look, looks, experiments, rng)
    power_once = float((np.abs(za[:, -1]) > z).mean())
    power_peeking = float((np.abs(za) > z).any(axis=1).mean())
    hit = np.abs(za) >= b
    stopped = hit.any(axis=1)
    first = np.where(stopped, hit.argmax(axis=1) + 1, looks)
    report(progress, 1.0, _("done"))
    n_seen = experiments
    return PeekingResult(
        looks=looks, alpha=alpha, power=power, method=method, baseline=baseline,
        absolute_effect=design.diff, n_per_arm=per_look * looks, n_plan=n_plan,
        n_per_look=per_look, experiments=experiments,
        boundaries=tuple(float(v) for v in b),
        fpr_once=float(once.mean()), fpr_once_ci=wilson(int(once.sum()), n_seen),
        fpr_peeking=float(peek.mean()), fpr_peeking_ci=wilson(int(peek.sum()), n_seen),
        fpr_peeking_exact=exact,
        fpr_sequential=float(seq.mean()), fpr_sequential_ci=wilson(int(seq.sum()), n_seen),
        power_once=power_once, power_peeking=power_peeking, power_sequential=float(stopped.mean()),
        mean_fraction_used_h1=float(first.mean() / looks), fpr_by_looks=tuple(by_looks),
    )
