"""`mlsd simulate ab-test analyze`: effect, CI, p-value, decision and a sample-ratio check.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import _, space
from mlsd.sims.abtest.stats import (
    newcombe_interval,
    norm_cdf,
    norm_ppf,
    ratio_interval,
    srm_check,
    z_crit,
)
from mlsd.sims.abtest.text import pct, signed
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
)

SRM_THRESHOLD = 0.001


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
        name = _("conversion") if self.metric == "proportion" else _("mean")
        lvl = _("{level} CI").format(level=f"{self.ci_level:.0%}")
        rows = [
            (_("control"), self.n_control, self.control_value),
            (_("treatment"), self.n_treatment, self.treatment_value),
        ]
        if self.statistic_name:
            stat = (_("{name} statistic").format(name=self.statistic_name), self.statistic, "")
        else:
            stat = (_("test statistic"), _("none (exact test: the p-value is computed directly)"), "")
        eff = [
            (_("absolute effect"), self.absolute_effect,
             f"[{self.absolute_ci[0]:.4g}, {self.absolute_ci[1]:.4g}]"),
            (_("relative effect"), pct(self.relative_effect, 2),
             f"[{pct(self.relative_ci[0], 2)}, {pct(self.relative_ci[1], 2)}]"),
            stat,
            (_("p-value (one-sided, H1: treatment better)") if self.one_sided else _("p-value"),
             self.p_value, ""),
            (_("significant at α = {alpha}").format(alpha=f"{self.alpha:g}"), self.significant, ""),
            (_("effect detectable with 80% power (mde_80)"), f"±{self.mde_80:.4g}", ""),
        ]
        srm = [
            (_("expected split treatment:control"), f"{self.expected_ratio:g}:1"),
            (_("observed split"), f"{self.n_treatment / max(self.n_control, 1):.4f}:1"),
            (_("χ² (1 df)"), self.srm_chi2),
            (_("p-value"), self.srm_p_value),
            (_("mismatch (p < {threshold})").format(threshold=f"{SRM_THRESHOLD:g}"), self.srm_flag),
        ]
        return [
            table(_("Arms"), (_("arm"), _("units"), name), rows),
            table(_("Effect"), ("", _("estimate"), lvl), eff,
                  note=_("{test}: {why}. CI: {method}. mde_80 is the true effect these sample sizes had an "
                         "80% chance of finding significant.").format(test=self.test, why=self.why,
                                                                      method=self.ci_method)),
            table(_("Sample-ratio mismatch check"), ("", _("value")), srm,
                  note=_("A broken split means assignment or logging is biased: no effect "
                         "estimate can be trusted until it is fixed.")),
        ]

    def charts(self) -> list[Chart]:
        z = z_crit(self.alpha, self.one_sided)
        se = self.standard_error
        effects = np.linspace(0, 2.5 * max(self.mde_80, abs(self.absolute_effect)), 40)
        power = norm_cdf(effects / se - z) if se > 0 else np.ones_like(effects)
        return [Chart(
            "abtest-analysis-power", _("What this experiment could detect"),
            _("true absolute effect"), _("power at these sample sizes"),
            (series(_("power"), effects, power),),
            hlines=((0.8, "80%"),),
            vlines=((abs(self.absolute_effect), _("observed |effect|")),
                    (self.mde_80, _("detectable at 80%"))),
        )]

    def reading(self) -> list[str]:
        lines = [self.decision, _("Test: {test} — {why}.").format(test=self.test, why=self.why)]
        if not self.srm_flag:
            lines.append(_(
                "The split passes the sample-ratio check (χ² p = {p}); "
                "a p below 0.001 would mean users are being lost or double-counted in one arm.").format(
                p=f"{self.srm_p_value:.3g}"))
        if not self.srm_flag:
            sign = "+" if self.one_sided else "±"
            if self.significant:
                lines.append(_("With these sample sizes the test had an 80% chance of catching "
                               "a true effect of {effect} or more (mde_80).").format(
                    effect=f"{sign}{self.mde_80:.3g}"))
            elif not (self.one_sided and self.absolute_ci[1] < 0):
                lines.append(_("Not significant is not 'no effect': the CI shows how large an "
                               "effect is still compatible with the data, and with these sample "
                               "sizes only effects of {effect} or more had an 80% "
                               "chance of showing (mde_80).").format(effect=f"{sign}{self.mde_80:.3g}"))
        return lines


def _decision(result: dict[str, Any]) -> str:
    """The one sentence a reader acts on; it never contradicts the printed CI."""
    if result["srm_flag"]:
        return _(
            "Do not call this result: the split is {treatment} vs {control} against an intended {ratio}:1 "
            "(SRM p = {p} < {threshold}); find the assignment or logging bug before reading any effect.").format(
            treatment=f"{result['n_treatment']:,}", control=f"{result['n_control']:,}",
            ratio=f"{result['expected_ratio']:g}", p=f"{result['srm_p_value']:.2g}", threshold=f"{SRM_THRESHOLD:g}")
    lo, hi = result["absolute_ci"]
    rel = result["relative_effect"]
    lvl = _("{level} CI").format(level=f"{result['ci_level']:.0%}")
    size = (_("{relative} relative (absolute {absolute}, ").format(
                relative=f"{rel:+.2%}", absolute=signed(result["absolute_effect"]))
            if math.isfinite(rel) else _("absolute {absolute} (").format(absolute=signed(result["absolute_effect"])))
    p, alpha = result["p_value"], result["alpha"]
    one_sided = result["one_sided"]
    ptext = (_("one-sided p = {p}") if one_sided else _("p = {p}")).format(p=f"{p:.3g}")
    borderline = space() + _("The p-value and the CI come from different approximations and disagree "
                         "at the margin here: treat the result as borderline.")
    ci = dict(size=size, level=lvl, low=signed(lo), high=signed(hi), p=ptext, alpha=f"{alpha:g}")
    if result["significant"] and result["absolute_effect"] > 0:
        text = _("Treatment wins: {size}{level} {low} to {high}), {p} < α = {alpha}; "
                 "ship it if guardrail metrics agree.").format(**ci)
        return text + (borderline if lo <= 0 else "")
    if result["significant"]:  # two-sided only: a one-sided test cannot reject for a loss
        text = _("Treatment loses: {size}{level} {low} to {high}), {p} < α = {alpha}; do not ship.").format(**ci)
        return text + (borderline if hi >= 0 else "")
    if one_sided and hi < 0:
        return _("Treatment looks worse — do not ship: {size}{level} {low} to {high}) "
                 "lies entirely below 0. The one-sided test (H1: treatment better) cannot show "
                 "a loss: its {p} only says there is no evidence of a gain.").format(**ci)
    if one_sided:
        text = _("No significant improvement ({p} ≥ α = {alpha}): the effect is somewhere "
                 "in {low} to {high} ({level}). This one-sided test (H1: treatment "
                 "better) cannot show a loss; keep control, or run longer only if the plan said "
                 "the test was underpowered.").format(**ci)
        return text + (borderline if lo > 0 else "")
    text = _("No significant difference ({p} ≥ α = {alpha}): the effect is somewhere in "
             "{low} to {high} ({level}); keep control, or run longer only if the plan "
             "said the test was underpowered.").format(**ci)
    return text + (borderline if lo > 0 or hi < 0 else "")


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
        test = _("Fisher's exact test")
        why = _("some cell has fewer than 5 expected conversions or non-conversions, where "
                "the normal approximation is unreliable")
        alt = "less" if one_sided else "two-sided"  # table rows: control, treatment
        p_value = float(stats.fisher_exact([[x_c, n_c - x_c], [x_t, n_t - x_t]],
                                           alternative=alt)[1])
        stat_name, stat = "", math.nan
        ci = newcombe_interval(x_c, n_c, x_t, n_t, zq)
        ci_method = _("Newcombe's hybrid score interval (from Wilson intervals), valid at small "
                      "counts; relative: score interval for the rate ratio − 1")
        se = (ci[1] - ci[0]) / (2 * zq)  # the Wald se is 0 at 0 or n conversions
    else:
        test = _("two-proportion z-test (pooled variance)")
        why = _("each user converts or not, and with at least 5 expected conversions and "
                "non-conversions per arm the difference of rates is close to normal")
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
        stat_name, stat = "z", diff / se0
        p_value = float(stats.norm.sf(stat) if one_sided else 2 * stats.norm.sf(abs(stat)))
        ci = (diff - zq * se, diff + zq * se)
        ci_method = _("Wald (unpooled) for the difference; relative: score interval for the "
                      "rate ratio − 1")
    if x_c == 0:  # no relative change from a zero control rate
        rel, rel_ci = math.nan, (math.nan, math.nan)
    else:
        lo_r, hi_r = ratio_interval(x_c, n_c, x_t, n_t, zq)
        rel, rel_ci = p_t / p_c - 1, (lo_r - 1, hi_r - 1)
    return _finish(metric="proportion", test=test, why=why, ci_method=ci_method, n_c=n_c,
                   n_t=n_t, control=p_c, treatment=p_t, diff=diff, se=se, ci=ci, rel=rel,
                   rel_ci=rel_ci, level=level, stat_name=stat_name, stat=stat, p_value=p_value,
                   alpha=alpha, one_sided=one_sided, ratio=ratio)


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
    return _finish(metric="mean", test=_("Welch's t-test"),
                   why=_("a continuous per-user metric; Welch does not assume the arms have equal "
                         "variances and equals the pooled test when they do"),
                   ci_method=_("Welch t interval ({df} df); relative: delta method").format(df=f"{df:,.1f}"),
                   n_c=n_c, n_t=n_t, control=m_c, treatment=m_t, diff=diff, se=se,
                   ci=(diff - tq * se, diff + tq * se), rel=rel, rel_ci=rel_ci, level=level,
                   stat_name="t", stat=t, p_value=p_value, alpha=alpha, one_sided=one_sided,
                   ratio=ratio)


def _relative(c: float, t: float, var_c: float, var_t: float,
              q: float) -> tuple[float, tuple[float, float]]:
    """Relative lift t/c − 1 and its delta-method CI."""
    if c == 0:
        return math.nan, (math.nan, math.nan)
    r = t / c
    se = abs(r) * math.sqrt(var_t / t**2 + var_c / c**2) if t != 0 else math.sqrt(var_t) / abs(c)
    return r - 1, (r - 1 - q * se, r - 1 + q * se)


def _finish(*, metric: str, test: str, why: str, ci_method: str, n_c: int, n_t: int,
            control: float, treatment: float, diff: float, se: float, ci: tuple[float, float],
            rel: float, rel_ci: tuple[float, float], level: float, stat_name: str, stat: float,
            p_value: float, alpha: float, one_sided: bool, ratio: float) -> AnalyzeResult:
    """The result both tests share: the estimates, the SRM check and the decision sentence."""
    chi2, srm_p = srm_check(n_c, n_t, ratio)
    fields = dict(
        metric=metric, test=test, why=why, n_control=int(n_c), n_treatment=int(n_t),
        control_value=float(control), treatment_value=float(treatment), absolute_effect=float(diff),
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


def parse_csv(text: str, path: str) -> tuple[str, dict[str, list[float]]]:
    """Parse `variant,converted` or `variant,value`: (metric, {'control': [...], 'treatment': …}).

    The CLI and the registry read the file (`--data`) and call this; `analyze` gets the result."""
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


def analyze(*, control: str = "", treatment: str = "",
            data: tuple[str, dict[str, list[float]]] | None = None, alpha: float = 0.05,
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
        metric, groups = data
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
