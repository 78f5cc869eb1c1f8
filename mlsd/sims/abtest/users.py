"""Per-user A/B simulations: CUPED, the randomisation unit, and segments.

- `cuped`: a pre-period covariate correlated ρ with the metric removes ρ² of its
  variance, so the same power needs about (1 − ρ²) of the users.
- `unit`: requests from one user are correlated (intra-class correlation);
  randomising by user but testing requests as if independent inflates the
  false-positive rate by the design effect 1 + (m − 1)·ICC.
- `segments`: a treatment that helps overall can hurt one segment; per-segment
  tests need a multiple-testing correction or segment hunting finds noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special  # not scipy.stats: ~0.4 s more to import

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import N_, _
from mlsd.sims.abtest.stats import wilson, z_crit
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table

CORRECTIONS = ("holm", "bonferroni", "fdr_bh", "none")
CORRECTION_LABELS = {"holm": "Holm", "bonferroni": "Bonferroni",
                     "fdr_bh": "Benjamini–Hochberg", "none": N_("no correction")}


def with_correction(method: str) -> str:
    """'with Holm correction', 'without correction': the phrase a sentence needs."""
    if method == "none":
        return _("without correction")
    return _("with {method} correction").format(method=CORRECTION_LABELS[method])


def correction_label(method: str) -> str:
    """'Holm correction', 'no correction': a column or series name."""
    return _("no correction") if method == "none" else _("{method} correction").format(
        method=CORRECTION_LABELS[method])


def _check_int(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadInputError(f"--{name.replace('_', '-')} must be an integer in "
                            f"[{low}, {high}], got {value}")


def _two_sided_p(z: np.ndarray) -> np.ndarray:
    return 2 * special.ndtr(-np.abs(z))


# --------------------------------------------------------------------------- CUPED


@dataclass(frozen=True)
class CupedResult(SimResult):
    rho: float
    users_per_arm: int
    effect: float
    alpha: float
    experiments: int
    variance_ratio_theory: float  # 1 − ρ²
    variance_ratio_simulated: float  # mean over experiments of var(Y_cuped) / var(Y)
    theta_mean: float  # fitted regression coefficient (truth: ρ)
    n_needed_raw: int  # per arm for 80% power at `effect`
    n_needed_cuped: int
    fpr_raw: float
    fpr_cuped: float
    power_raw: float
    power_raw_ci: tuple[float, float]
    power_cuped: float
    power_cuped_ci: tuple[float, float]
    mean_estimate_raw: float
    mean_estimate_cuped: float
    se_raw: float  # empirical sd of the effect estimate across experiments
    se_cuped: float
    # (ρ, theory 1 − ρ², simulated variance ratio)
    by_rho: tuple[tuple[float, float, float], ...]

    def tables(self) -> list[Table]:
        rows = [
            (_("variance of the metric (relative)"), 1.0, self.variance_ratio_simulated),
            (_("spread of the effect estimate (sd)"), self.se_raw, self.se_cuped),
            (_("mean effect estimate (truth {effect})").format(effect=f"{self.effect:g}"), self.mean_estimate_raw,
             self.mean_estimate_cuped),
            (_("false-positive rate (A/A)"), self.fpr_raw, self.fpr_cuped),
            (_("power at the same users"), self.power_raw, self.power_cuped),
            (_("users per arm for 80% power"), self.n_needed_raw, self.n_needed_cuped),
        ]
        return [
            table(_("CUPED with a pre-period covariate (ρ = {rho}, {users} users per arm, {experiments} "
                    "experiments)").format(rho=f"{self.rho:g}", users=f"{self.users_per_arm:,}",
                                           experiments=f"{self.experiments:,}"),
                  ("", _("raw metric"), "CUPED"), rows,
                  note=_("Y_cuped = Y − θ(X − mean X), θ fitted on both arms (mean θ {theta}); theory says the "
                         "variance falls to 1 − ρ² = {theory}.").format(
                      theta=f"{self.theta_mean:.3f}", theory=f"{self.variance_ratio_theory:.3f}")),
            table(_("Variance left after CUPED vs correlation ρ"),
                  ("ρ", _("theory 1 − ρ²"), _("simulated")), self.by_rho),
        ]

    def charts(self) -> list[Chart]:
        r, th, sim = zip(*self.by_rho, strict=True)
        return [Chart("abtest-cuped-variance", _("Sample size needed with CUPED vs ρ"),
                      _("correlation ρ between pre-period and experiment metric"),
                      _("sample size relative to no CUPED"),
                      (series(_("theory 1 − ρ²"), r, th), series(_("simulated"), r, sim)),
                      vlines=((self.rho, _("your ρ")),))]

    @property
    def no_gain(self) -> bool:
        """ρ² under 1%: CUPED has (next to) nothing to remove, whatever the noise says."""
        return self.rho**2 < 0.01

    def reading(self) -> list[str]:
        if self.no_gain:
            first = [
                _("A pre-period covariate correlated ρ = {rho} with the metric explains {share} of its variance: "
                  "CUPED has nothing to remove, so the test still needs about {n} users per arm.").format(
                    rho=f"{self.rho:g}", share=f"{self.rho**2:.1%}", n=f"{self.n_needed_raw:,}"),
                _("At the same {users} users there is no gain in power ({raw} raw, {cuped} with CUPED: any "
                  "difference is simulation noise); the false-positive rate stays near α ({fpr}). Look for a "
                  "covariate that predicts the metric.").format(
                    users=f"{self.users_per_arm:,}", raw=f"{self.power_raw:.0%}", cuped=f"{self.power_cuped:.0%}",
                    fpr=f"{self.fpr_cuped:.1%}"),
            ]
        else:
            first = [
                _("A pre-period covariate correlated ρ = {rho} with the metric removes {removed} of its variance "
                  "(theory {theory}), so the test needs {cuped} instead of {raw} users per arm for the same "
                  "power.").format(rho=f"{self.rho:g}", removed=f"{1 - self.variance_ratio_simulated:.0%}",
                                   theory=f"{self.rho**2:.0%}", cuped=f"{self.n_needed_cuped:,}",
                                   raw=f"{self.n_needed_raw:,}"),
                _("At the same {users} users, power rises from {raw} to {cuped}; the false-positive rate stays "
                  "near α ({fpr}) and the estimate stays unbiased.").format(
                    users=f"{self.users_per_arm:,}", raw=f"{self.power_raw:.0%}", cuped=f"{self.power_cuped:.0%}",
                    fpr=f"{self.fpr_cuped:.1%}"),
            ]
        return [
            *first,
            _("The covariate must be measured before assignment (last month's activity), or the "
              "treatment leaks into it and the adjustment biases the result."),
        ]


def _cuped_batch(rho: float, n: int, effect: float, size: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Effect estimates, z-statistics (raw, CUPED), θ and variance ratio for `size` runs."""
    noise = math.sqrt(1 - rho**2)
    x = rng.standard_normal((size, 2, n))
    y = rho * x + noise * rng.standard_normal((size, 2, n))
    y[:, 1, :] += effect
    xc = x - x.mean(axis=(1, 2), keepdims=True)
    # θ from the pooled within-arm regression, so the treatment shift does not enter it.
    yc = y - y.mean(axis=2, keepdims=True)
    theta = (xc * yc).sum(axis=(1, 2)) / (xc**2).sum(axis=(1, 2))
    adj = y - theta[:, None, None] * xc
    out = []
    for m in (y, adj):
        mean = m.mean(axis=2)
        var = m.var(axis=2, ddof=1)
        diff = mean[:, 1] - mean[:, 0]
        out.append((diff, diff / np.sqrt(var.sum(axis=1) / n), var.mean(axis=1)))
    (d_raw, z_raw, v_raw), (d_cup, z_cup, v_cup) = out
    return d_raw, z_raw, d_cup, z_cup, theta, v_cup / v_raw


def cuped(*, rho: float = 0.5, users_per_arm: int = 5_000, effect: float = 0.04,
          alpha: float = 0.05, experiments: int = 400, seed: int = 0,
          progress: ProgressCallback | None = None) -> CupedResult:
    """Variance reduction from a pre-period covariate (CUPED), simulated per user."""
    check_range("rho", rho, -1, 1)
    _check_int("users_per_arm", users_per_arm, 10, 1_000_000)
    _check_int("experiments", experiments, 20, 100_000)
    check_range("alpha", alpha, 0, 1)
    if not math.isfinite(effect) or effect <= 0:
        raise BadInputError(f"--effect must be in (0, inf) (in metric standard deviations), "
                            f"got {effect:g}")
    rng = np.random.default_rng(seed)
    z = z_crit(alpha, False)
    batch = max(1, 2_000_000 // (4 * users_per_arm))
    parts: dict[str, list[np.ndarray]] = {k: [] for k in
                                          ("d_raw", "z_raw", "d_cup", "z_cup", "theta", "vr",
                                           "aa_raw", "aa_cup")}
    done = 0
    while done < experiments:
        size = min(batch, experiments - done)
        d_raw, z_raw, d_cup, z_cup, theta, vr = _cuped_batch(rho, users_per_arm, effect, size, rng)
        _d, aa_raw, _dc, aa_cup, _t, _v = _cuped_batch(rho, users_per_arm, 0.0, size, rng)
        for k, v in zip(parts, (d_raw, z_raw, d_cup, z_cup, theta, vr, aa_raw, aa_cup),
                        strict=True):
            parts[k].append(v)
        done += size
        report(progress, 0.8 * done / experiments, _("experiments"))
    a = {k: np.concatenate(v) for k, v in parts.items()}
    by_rho = []
    for r in (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 0.95):
        vr = _cuped_batch(r, 20_000, 0.0, 1, rng)[5]
        by_rho.append((r, 1 - r**2, float(vr[0])))
    report(progress, 1.0, _("done"))
    z_b = float(special.ndtri(0.8))
    n_raw = 2 * (z + z_b) ** 2 / effect**2
    ratio = float(a["vr"].mean())
    pw_raw, pw_cup = int((np.abs(a["z_raw"]) > z).sum()), int((np.abs(a["z_cup"]) > z).sum())
    return CupedResult(
        rho=rho, users_per_arm=users_per_arm, effect=effect, alpha=alpha,
        experiments=experiments, variance_ratio_theory=1 - rho**2,
        variance_ratio_simulated=ratio, theta_mean=float(a["theta"].mean()),
        n_needed_raw=math.ceil(n_raw), n_needed_cuped=math.ceil(n_raw * ratio),
        fpr_raw=float((np.abs(a["aa_raw"]) > z).mean()),
        fpr_cuped=float((np.abs(a["aa_cup"]) > z).mean()),
        power_raw=pw_raw / experiments, power_raw_ci=wilson(pw_raw, experiments),
        power_cuped=pw_cup / experiments, power_cuped_ci=wilson(pw_cup, experiments),
        mean_estimate_raw=float(a["d_raw"].mean()), mean_estimate_cuped=float(a["d_cup"].mean()),
        se_raw=float(a["d_raw"].std(ddof=1)), se_cuped=float(a["d_cup"].std(ddof=1)),
        by_rho=tuple(by_rho),
    )


# ---------------------------------------------------------------------------- unit


@dataclass(frozen=True)
class UnitResult(SimResult):
    requests_per_user: float
    icc: float
    users_per_arm: int
    alpha: float
    experiments: int
    design_effect: float  # 1 + (m_eff − 1)·ICC, m_eff = E[k²]/E[k]
    fpr_naive_theory: float  # 2Φ(−z_α/2 / √DE)
    # (randomise by, analyse as, false-positive rate, 95% CI, valid?)
    rows: tuple[tuple[str, str, float, tuple[float, float], bool], ...]
    # (requests per user, theory naive FPR)
    naive_curve: tuple[tuple[float, float], ...]

    @property
    def fpr_naive(self) -> float:
        return self.rows[0][2]

    def tables(self) -> list[Table]:
        rows = [(_(a), _(b), f, f"[{c[0]:.3f}, {c[1]:.3f}]", v) for a, b, f, c, v in self.rows]
        return [table(
            _("False-positive rate by randomisation unit and analysis ({experiments} A/A experiments, {users} users "
              "per arm, ~{requests} requests each, ICC {icc})").format(
                experiments=f"{self.experiments:,}", users=f"{self.users_per_arm:,}",
                requests=f"{self.requests_per_user:,g}", icc=f"{self.icc:g}"),
            (_("randomise by"), _("analyse as"), _("false-positive rate"), _("95% CI"), _("valid")), rows,
            note=_("Design effect 1 + (m_eff − 1)·ICC = {de} (m_eff = E[k²]/E[k], E the mean over users' request "
                   "counts k): the naive request-level standard error is √{de} too small; theory predicts a "
                   "false-positive rate of {fpr}.").format(de=f"{self.design_effect:.2f}",
                                                           fpr=f"{self.fpr_naive_theory:.3f}"),
        )]

    def charts(self) -> list[Chart]:
        m, f = zip(*self.naive_curve, strict=True)
        return [Chart("abtest-unit-fpr",
                      _("False positives when correlated requests are tested as independent (ICC {icc})").format(
                          icc=f"{self.icc:g}"), _("requests per user"),
                      _("false-positive rate (theory)"),
                      (series(_("user split, request-level test"), m, f),),
                      hlines=((self.alpha, _("α (user-level or delta method)")),),
                      vlines=((self.requests_per_user, _("your traffic")),))]

    def reading(self) -> list[str]:
        return [
            _("Randomising users but testing their ~{requests} requests as if independent gives {fpr} false "
              "positives instead of {alpha}: one user's requests move together (ICC {icc}).").format(
                requests=f"{self.requests_per_user:,g}", fpr=f"{self.fpr_naive:.1%}", alpha=f"{self.alpha:.0%}",
                icc=f"{self.icc:g}"),
            _("Analyse at the unit you randomised: average per user, or keep the request-level "
              "metric and compute its variance with the delta method; both hold α."),
            _("Randomising by request keeps the test valid, but one user sees both variants: "
              "carry-over and an inconsistent experience, and no user-level metric (retention) "
              "can be measured. Split by user and analyse by user."),
        ]


def _unit_arm_stats(u: np.ndarray, k: np.ndarray, sd_e: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per-user sums of k requests y = u + e, and the arm's sum of squares, drawn exactly.

    Σe ~ N(0, k·σ²) and Σ(e − ē)² ~ σ²·χ²(k − 1) are independent, and a sum of
    independent χ² is χ² with the summed degrees of freedom, so no request is drawn
    one by one: Σy² = Σ_users [k·u² + 2u·Σe + (Σe)²/k] + σ²·χ²(Σ(k − 1)).
    """
    s = rng.standard_normal(u.shape) * sd_e * np.sqrt(k)
    total = k * u + s
    safe_k = np.maximum(k, 1)
    squares = (k * u**2 + 2 * u * s + np.where(k > 0, s**2 / safe_k, 0.0)).sum(axis=1)
    dof = np.maximum(k - 1, 0).sum(axis=1)
    squares = squares + sd_e**2 * np.where(dof > 0, rng.chisquare(np.maximum(dof, 1)), 0.0)
    return total, squares


def _request_z(tot_c, sq_c, k_c, tot_t, sq_t, k_t) -> np.ndarray:
    """Naive request-level z: every request treated as an independent observation."""
    out = []
    for tot, sq, k in ((tot_c, sq_c, k_c), (tot_t, sq_t, k_t)):
        n = k.sum(axis=1)
        mean = tot.sum(axis=1) / n
        var = (sq - n * mean**2) / (n - 1)
        out.append((mean, var / n))
    return (out[1][0] - out[0][0]) / np.sqrt(out[0][1] + out[1][1])


def _welch_z(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n_a, n_b = a.shape[1], b.shape[1]
    return (b.mean(axis=1) - a.mean(axis=1)) / np.sqrt(a.var(axis=1, ddof=1) / n_a
                                                         + b.var(axis=1, ddof=1) / n_b)


def _delta_z(tot_c, k_c, tot_t, k_t) -> np.ndarray:
    """Ratio metric Σy/Σk per arm with the delta-method variance over users."""
    out = []
    for tot, k in ((tot_c, k_c), (tot_t, k_t)):
        n = tot.shape[1]
        my, mk = tot.mean(axis=1), k.mean(axis=1)
        r = my / mk
        vy, vk = tot.var(axis=1, ddof=1), k.var(axis=1, ddof=1)
        cov = ((tot - my[:, None]) * (k - mk[:, None])).sum(axis=1) / (n - 1)
        out.append((r, (vy - 2 * r * cov + r**2 * vk) / (n * mk**2)))
    return (out[1][0] - out[0][0]) / np.sqrt(out[0][1] + out[1][1])


def _design_effect(m: float, icc: float) -> float:
    """1 + (m_eff − 1)·ICC with m_eff = E[k²]/E[k] = (λ + m²)/m for k = 1 + Poisson(λ = m − 1)."""
    return 1 + ((m - 1 + m * m) / m - 1) * icc


def unit(*, requests_per_user: float = 10.0, icc: float = 0.2, users_per_arm: int = 1_000,
         alpha: float = 0.05, experiments: int = 1_000, seed: int = 0,
         progress: ProgressCallback | None = None) -> UnitResult:
    """User- vs request-level randomisation and analysis: which keeps α."""
    check_range("requests_per_user", requests_per_user, 1, 10_000, low_inclusive=True,
                high_inclusive=True)
    check_range("icc", icc, 0, 1, low_inclusive=True)
    _check_int("users_per_arm", users_per_arm, 10, 1_000_000)
    _check_int("experiments", experiments, 20, 100_000)
    check_range("alpha", alpha, 0, 1)
    rng = np.random.default_rng(seed)
    sd_u, sd_e = math.sqrt(icc), math.sqrt(1 - icc)
    z = z_crit(alpha, False)
    batch = max(1, 400_000 // users_per_arm)
    hits = {key: 0 for key in ("naive", "user", "delta", "request")}
    done = 0
    while done < experiments:
        size = min(batch, experiments - done)
        shape = (size, users_per_arm)
        # Users split by user: each user's requests all land in one arm.
        arms = []
        for _arm in range(2):
            k = 1 + rng.poisson(requests_per_user - 1, size=shape).astype(float)
            u = rng.standard_normal(shape) * sd_u
            tot, sq = _unit_arm_stats(u, k, sd_e, rng)
            arms.append((tot, sq, k))
        (tc, sc, kc), (tt, st, kt) = arms
        hits["naive"] += int((np.abs(_request_z(tc, sc, kc, tt, st, kt)) > z).sum())
        hits["user"] += int((np.abs(_welch_z(tc / kc, tt / kt)) > z).sum())
        hits["delta"] += int((np.abs(_delta_z(tc, kc, tt, kt)) > z).sum())
        # Split by request: the same number of users, each request flips its own coin.
        shape2 = (size, 2 * users_per_arm)
        k = 1 + rng.poisson(requests_per_user - 1, size=shape2).astype(float)
        k_t = rng.binomial(k.astype(np.int64), 0.5).astype(float)
        u = rng.standard_normal(shape2) * sd_u
        tot_t, sq_t = _unit_arm_stats(u, k_t, sd_e, rng)
        tot_c, sq_c = _unit_arm_stats(u, k - k_t, sd_e, rng)
        hits["request"] += int((np.abs(_request_z(tot_c, sq_c, k - k_t, tot_t, sq_t, k_t))
                                > z).sum())
        done += size
        report(progress, done / experiments, _("experiments"))
    de = _design_effect(requests_per_user, icc)

    def fpr(d: float) -> float:
        return float(2 * special.ndtr(-z / math.sqrt(d)))

    curve = [(float(m), fpr(_design_effect(m, icc))) for m in (1, 2, 3, 5, 10, 20, 50, 100)]
    rows = []
    labels = {
        "naive": (N_("user"), N_("requests as independent"), False),
        "user": (N_("user"), N_("per-user means (Welch t)"), True),
        "delta": (N_("user"), N_("request ratio, delta method"), True),
        "request": (N_("request"), N_("requests as independent"), True),
    }
    for key, (by, how, ok) in labels.items():
        rows.append((by, how, hits[key] / experiments, wilson(hits[key], experiments), ok))
    return UnitResult(
        requests_per_user=requests_per_user, icc=icc, users_per_arm=users_per_arm, alpha=alpha,
        experiments=experiments, design_effect=de, fpr_naive_theory=fpr(de), rows=tuple(rows),
        naive_curve=tuple(curve),
    )


# ------------------------------------------------------------------------ segments


def adjust_pvalues(p: np.ndarray, method: str) -> np.ndarray:
    """Adjusted p-values (Holm, Bonferroni, Benjamini–Hochberg) along the last axis."""
    p = np.asarray(p, dtype=float)
    m = p.shape[-1]
    if method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, axis=-1)
    ps = np.take_along_axis(p, order, axis=-1)
    if method == "holm":
        adj = np.maximum.accumulate(ps * (m - np.arange(m)), axis=-1)
    elif method == "fdr_bh":
        adj = np.minimum.accumulate((ps * m / np.arange(1, m + 1))[..., ::-1], axis=-1)[..., ::-1]
    else:
        raise BadInputError(f"--correction must be one of {', '.join(CORRECTIONS)}, "
                            f"got {method!r}")
    adj = np.minimum(adj, 1.0)
    out = np.empty_like(adj)
    np.put_along_axis(out, order, adj, axis=-1)
    return out


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    share: float
    true_relative_effect: float
    n_control: int
    n_treatment: int
    control_rate: float
    treatment_rate: float
    absolute_effect: float
    ci: tuple[float, float]
    p_value: float
    adjusted_p: float
    significant: bool

    @property
    def lift(self) -> float | None:
        """The observed effect relative to the control rate; None when there is none to
        estimate (an arm without users, or no conversion in control: a 0 rate divides)."""
        if self.n_control == 0 or self.n_treatment == 0 or self.control_rate == 0:
            return None
        return self.absolute_effect / self.control_rate

    def relative(self, value: float) -> float:
        """`value` relative to the control rate, NaN (a blank bar) when there is no estimate."""
        return math.nan if self.lift is None else value / self.control_rate

    @property
    def no_estimate(self) -> str:
        """Why there is no relative lift, as a table cell ("" when there is one)."""
        if self.n_control == 0 or self.n_treatment == 0:
            return _("no users — no estimate")
        if self.control_rate == 0:
            return (_("no conversions — no estimate") if self.treatment_rate == 0
                    else _("no control conversions — no estimate"))
        return ""


@dataclass(frozen=True)
class SegmentsResult(SimResult):
    baseline: float
    users_per_arm: int
    effect: float
    new_share: float
    new_effect: float
    alpha: float
    correction: str
    experiments: int
    overall: SegmentRow
    segments: tuple[SegmentRow, ...]
    fwer_uncorrected: float  # A/A: share of experiments with ≥1 "significant" segment
    fwer_corrected: float
    # share of experiments whose (corrected) test flags the new-user segment, whatever the
    # sign of its effect: power when --new-effect ≠ 0, a false-alarm rate when it is 0
    harm_detected_rate: float
    # (number of segments tested, uncorrected FWER simulated, 1 − (1 − α)^k, corrected)
    fwer_by_k: tuple[tuple[int, float, float, float], ...]

    def tables(self) -> list[Table]:
        rows = [
            (_(r.segment), r.share, r.n_control, f"{r.true_relative_effect:+.1%}",
             r.no_estimate or f"{r.absolute_effect / r.control_rate:+.2%}",
             "—" if r.lift is None
             else _("{low} to {high}").format(low=f"{r.ci[0] / r.control_rate:+.1%}",
                                              high=f"{r.ci[1] / r.control_rate:+.1%}"),
             r.p_value, r.adjusted_p, r.significant)
            for r in (self.overall, *self.segments)
        ]
        label = correction_label(self.correction)
        return [
            table(_("Effect by segment ({users} users per arm, {label} over {count} segments)").format(
                      users=f"{self.users_per_arm:,}", label=label, count=len(self.segments)),
                  (_("segment"), _("share"), _("users/arm"), _("true lift"), _("observed lift"),
                   _("{level} CI").format(level=f"{1 - self.alpha:.0%}"), "p", _("adjusted p"), _("significant")),
                  rows,
                  note=_("Lifts are relative to the control rate. The overall row is not adjusted: "
                         "it is the one pre-registered test.")),
            table(_("Segment hunting under A/A ({experiments} experiments)").format(
                      experiments=f"{self.experiments:,}"),
                  (_("segments tested"), _("P(≥1 false alarm), uncorrected"), _("theory 1 − (1 − α)^k"),
                   _("P(≥1 false alarm), {label}").format(label=label)), self.fwer_by_k),
        ]

    def charts(self) -> list[Chart]:
        k, raw, th, cor = zip(*self.fwer_by_k, strict=True)
        names = [_(r.segment) for r in self.segments]
        idx = list(range(len(names)))
        return [
            Chart("abtest-segments-lift", _("Observed relative lift by segment ({segments})").format(
                      segments=", ".join(f"{i}={n}" for i, n in enumerate(names))),
                  _("segment"), _("relative lift"),
                  (series(_("observed"), idx, [r.relative(r.absolute_effect)
                                               for r in self.segments]),
                   series(_("true"), idx, [r.true_relative_effect for r in self.segments])),
                  kind="bar", hlines=((0.0, _("no effect")),)),
            Chart("abtest-segments-fwer", _("Chance of a false segment finding vs segments tested"),
                  _("segments tested"), _("P(at least one false positive)"),
                  (series(_("uncorrected (simulated)"), k, raw), series(_("theory"), k, th),
                   series(_("{label} (simulated)").format(label=correction_label(self.correction)), k, cor)),
                  hlines=((self.alpha, "α"),)),
        ]

    def _new_users_effect(self) -> str:
        """What the simulated treatment truly does to new users, in words."""
        if self.new_effect < 0:
            return _("the harm to new users ({effect})").format(effect=f"{self.new_effect:+.0%}")
        if self.new_effect > 0:
            return _("the lift for new users ({effect})").format(effect=f"{self.new_effect:+.0%}")
        return _("new users, who have no true effect (so every flag is a false alarm)")

    def reading(self) -> list[str]:
        o = self.overall
        new = self.segments[0]
        verdict = _("significant") if o.significant else _("not significant")
        adjusted = ("p" if self.correction == "none"
                    else _("{method}-adjusted p").format(method=CORRECTION_LABELS[self.correction]))
        if o.lift is None:
            first = _("No user converted in the control arm ({users} users per arm at a {baseline} baseline), so "
                      "there is no lift to estimate overall or in any segment: raise --users-per-arm or "
                      "--baseline.").format(users=f"{self.users_per_arm:,}", baseline=f"{self.baseline:g}")
        elif new.lift is None:
            reason = (_("no user landed in one arm") if new.n_control == 0 or new.n_treatment == 0
                      else _("none of its {n} control users converted").format(n=f"{new.n_control:,}"))
            first = _("Overall the treatment moves conversion {lift} ({verdict}, p = {p}); for {segment} ({share} "
                      "of users) there is no lift to estimate: {reason}. Raise --users-per-arm or "
                      "--new-share.").format(lift=f"{o.lift:+.2%}", verdict=verdict, p=f"{o.p_value:.3g}",
                                              segment=_(new.segment), share=f"{new.share:.0%}", reason=reason)
        else:
            fields = dict(lift=f"{o.lift:+.2%}", verdict=verdict, p=f"{o.p_value:.3g}", segment=_(new.segment),
                          share=f"{new.share:.0%}", new=f"{new.lift:+.2%}", adjusted=adjusted,
                          adjusted_p=f"{new.adjusted_p:.3g}")
            first = (_("Overall the treatment moves conversion {lift} ({verdict}, p = {p}), but for {segment} "
                       "({share} of users) it is {new} ({adjusted} = {adjusted_p}).") if o.lift * new.lift < 0 else
                     _("Overall the treatment moves conversion {lift} ({verdict}, p = {p}), and for {segment} "
                       "({share} of users) it is {new} ({adjusted} = {adjusted_p}).")).format(**fields)
        if self.correction == "none":
            fwer = _("Testing {count} segments without correction finds a 'significant' segment in {rate} of A/A "
                     "tests; a correction (--correction holm) brings that back to about α = {alpha}.").format(
                count=len(self.segments), rate=f"{self.fwer_uncorrected:.0%}", alpha=f"{self.alpha:g}")
        else:
            fwer = _("Testing {count} segments without correction finds a 'significant' segment in {rate} of A/A "
                     "tests; {correction} {corrected}.").format(
                count=len(self.segments), rate=f"{self.fwer_uncorrected:.0%}",
                correction=with_correction(self.correction), corrected=f"{self.fwer_corrected:.1%}")
        lines = [
            first,
            _("Across {experiments} simulated runs the per-segment test {correction} flagged {who} {rate} of the "
              "time.").format(experiments=f"{self.experiments:,}", correction=with_correction(self.correction),
                              who=self._new_users_effect(), rate=f"{self.harm_detected_rate:.0%}"),
            fwer,
            _("Pick the segments before the test (new vs returning, platform, country), correct "
              "for their number, and treat a segment that is hurt as a launch blocker to fix."),
        ]
        return lines


SEGMENTS = (N_("new users"), N_("casual"), N_("regular"), N_("power users"))  # values; shown translated
_OTHER_SHARES = (0.5, 0.3, 0.2)  # how the non-new users split


def _safe_div(a: np.ndarray, b: np.ndarray, where: np.ndarray) -> np.ndarray:
    """a / b where `where`, else 0: no NaN or warning from an empty arm."""
    return np.divide(a, b, out=np.zeros(np.shape(where)), where=where)


def _segment_tests(x_c, n_c, x_t, n_t, alpha):
    """Rates, two-sided p and CI half-width per segment (pooled z-test, Wald interval).

    A segment with no users in an arm, or no conversion in either arm (variance 0), has
    no test: rate 0, p = 1 and a zero half-width; `SegmentRow.lift` then says there is
    no estimate instead of dividing by a 0 rate.
    """
    x_c, n_c, x_t, n_t = (np.asarray(a, dtype=float) for a in (x_c, n_c, x_t, n_t))
    both = (n_c > 0) & (n_t > 0)
    p_c, p_t = _safe_div(x_c, n_c, n_c > 0), _safe_div(x_t, n_t, n_t > 0)
    pooled = _safe_div(x_c + x_t, n_c + n_t, both)
    inv = _safe_div(np.ones_like(n_c), n_c, both) + _safe_div(np.ones_like(n_t), n_t, both)
    se0 = np.sqrt(pooled * (1 - pooled) * inv)
    zstat = _safe_div(p_t - p_c, se0, both & (se0 > 0))
    se = np.sqrt(_safe_div(p_c * (1 - p_c), n_c, both) + _safe_div(p_t * (1 - p_t), n_t, both))
    q = z_crit(alpha, False)
    return p_c, p_t, _two_sided_p(zstat), se * q


def segments(*, baseline: float = 0.1, users_per_arm: int = 500_000, effect: float = 0.05,
             new_share: float = 0.2, new_effect: float = -0.1, alpha: float = 0.05,
             correction: str = "holm", experiments: int = 2_000, seed: int = 0,
             progress: ProgressCallback | None = None) -> SegmentsResult:
    """A treatment that helps overall but hurts new users, found with corrected tests."""
    check_range("baseline", baseline, 0, 1)
    _check_int("users_per_arm", users_per_arm, 100, 100_000_000)
    check_range("new_share", new_share, 0, 1)
    check_range("alpha", alpha, 0, 1)
    _check_int("experiments", experiments, 20, 1_000_000)
    if correction not in CORRECTIONS:
        raise BadInputError(f"--correction must be one of {', '.join(CORRECTIONS)}, "
                            f"got {correction!r}")
    for name, eff in (("effect", effect), ("new_effect", new_effect)):
        treated = baseline * (1 + eff)
        if not 0 < treated < 1:
            raise BadInputError(f"--baseline × (1 + --{name.replace('_', '-')}) must be in "
                                f"(0, 1), got {treated:g}")
    shares = np.array([new_share, *[(1 - new_share) * s for s in _OTHER_SHARES]])
    lifts = np.array([new_effect, effect, effect, effect])
    rng = np.random.default_rng(seed)
    p_c = np.full(4, baseline)
    p_t = baseline * (1 + lifts)

    def draw(size: int, treated: np.ndarray):
        n_c = rng.multinomial(users_per_arm, shares, size=size)
        n_t = rng.multinomial(users_per_arm, shares, size=size)
        return n_c, rng.binomial(n_c, p_c), n_t, rng.binomial(n_t, treated)

    # The one experiment we report in full.
    n_c, x_c, n_t, x_t = (a[0] for a in draw(1, p_t))
    rc, rt, pv, half = _segment_tests(x_c, n_c, x_t, n_t, alpha)
    adj = adjust_pvalues(pv, correction)
    rows = tuple(
        SegmentRow(SEGMENTS[i], float(shares[i]), float(lifts[i]), int(n_c[i]), int(n_t[i]),
                   float(rc[i]), float(rt[i]), float(rt[i] - rc[i]),
                   (float(rt[i] - rc[i] - half[i]), float(rt[i] - rc[i] + half[i])),
                   float(pv[i]), float(adj[i]), bool(adj[i] < alpha))
        for i in range(4)
    )
    oc, ot, opv, ohalf = _segment_tests(x_c.sum(), n_c.sum(), x_t.sum(), n_t.sum(), alpha)
    overall = SegmentRow(N_("all users"), 1.0, float((shares * lifts).sum()), int(n_c.sum()),
                         int(n_t.sum()), float(oc), float(ot), float(ot - oc),
                         (float(ot - oc - ohalf), float(ot - oc + ohalf)), float(opv),
                         float(opv), bool(opv < alpha))
    report(progress, 0.3, _("repeated experiments"))
    # Power to flag the harmed segment, over many experiments.
    n_c, x_c, n_t, x_t = draw(experiments, p_t)
    pv = _segment_tests(x_c, n_c, x_t, n_t, alpha)[2]
    harm = float((adjust_pvalues(pv, correction)[:, 0] < alpha).mean())
    report(progress, 0.6, _("segment hunting"))
    # A/A with k equal segments: how often does at least one look significant?
    fwer = []
    for k in (1, 2, 4, 8, 16, 32):
        eq = np.full(k, 1 / k)
        nc = rng.multinomial(users_per_arm, eq, size=experiments)
        nt = rng.multinomial(users_per_arm, eq, size=experiments)
        pv = _segment_tests(rng.binomial(nc, baseline), nc, rng.binomial(nt, baseline), nt,
                            alpha)[2]
        raw = float((pv < alpha).any(axis=1).mean())
        cor = float((adjust_pvalues(pv, correction) < alpha).any(axis=1).mean())
        fwer.append((k, raw, 1 - (1 - alpha) ** k, cor))
    report(progress, 1.0, _("done"))
    four = next(r for r in fwer if r[0] == 4)
    return SegmentsResult(
        baseline=baseline, users_per_arm=users_per_arm, effect=effect, new_share=new_share,
        new_effect=new_effect, alpha=alpha, correction=correction, experiments=experiments,
        overall=overall, segments=rows, fwer_uncorrected=four[1], fwer_corrected=four[3],
        harm_detected_rate=harm, fwer_by_k=tuple(fwer),
    )
