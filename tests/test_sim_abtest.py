"""`ab-test plan`, `verify`, `analyze` and the tour: checked against statsmodels and scipy.

Convention used when calling statsmodels with an unequal split: mlsd's `ratio` is
treatment/control and `n_per_arm` is the control arm. statsmodels' proportion
sample size returns nobs1 with `nobs2 = ratio * nobs1` and `p1 = prop2 + diff`;
so sample 1 is control when called with `prop2 = treatment rate, diff = −effect`.
"""

from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.proportion import (
    test_proportions_2indep as sm_score_test,
)

from mlsd.errors import BadInputError
from mlsd.sims import abtest

# (baseline, mde, relative, alpha, power, one_sided, ratio): 24 cases spanning the grid.
PROPORTION_GRID = [
    (0.01, 0.002, False, 0.05, 0.8, False, 1.0),
    (0.01, 0.10, True, 0.05, 0.8, False, 1.0),
    (0.01, 0.20, True, 0.01, 0.9, True, 1.0),
    (0.02, 0.005, False, 0.10, 0.8, True, 2.0),
    (0.05, 0.002, False, 0.05, 0.8, False, 1.0),
    (0.05, 0.05, True, 0.05, 0.95, False, 0.5),
    (0.05, 0.01, False, 0.01, 0.8, True, 1.0),
    (0.10, 0.01, False, 0.05, 0.8, False, 1.0),
    (0.10, 0.01, False, 0.05, 0.8, True, 1.0),
    (0.10, 0.03, True, 0.10, 0.9, False, 3.0),
    (0.10, 0.02, False, 0.01, 0.95, False, 0.25),
    (0.15, 0.015, False, 0.05, 0.85, False, 1.5),
    (0.20, 0.05, True, 0.05, 0.8, False, 1.0),
    (0.20, 0.02, False, 0.10, 0.95, True, 1.0),
    (0.25, 0.01, False, 0.05, 0.9, False, 1.0),
    (0.30, 0.03, False, 0.01, 0.8, False, 4.0),
    (0.30, 0.02, True, 0.05, 0.8, True, 0.8),
    (0.40, 0.02, False, 0.05, 0.8, False, 1.0),
    (0.40, 0.05, True, 0.10, 0.85, False, 1.0),
    (0.45, 0.01, False, 0.01, 0.95, True, 2.0),
    (0.50, 0.02, False, 0.05, 0.8, False, 1.0),
    (0.50, 0.03, True, 0.05, 0.9, False, 0.5),
    (0.60, 0.01, False, 0.05, 0.8, False, 1.0),
    (0.60, 0.10, True, 0.01, 0.95, True, 1.25),
]


def _sm_proportion_n(baseline, mde, relative, alpha, power, one_sided, ratio):
    diff = baseline * mde if relative else mde
    return float(samplesize_proportions_2indep_onetail(
        diff=-diff, prop2=baseline + diff, power=power, ratio=ratio, alpha=alpha,
        alternative="larger" if one_sided else "two-sided"))


@pytest.mark.parametrize("case", PROPORTION_GRID)
def test_plan_proportion_n_matches_statsmodels_samplesize_proportions_2indep_onetail(case):
    """Reference: statsmodels samplesize_proportions_2indep_onetail, within 0.5%."""
    baseline, mde, relative, alpha, power, one_sided, ratio = case
    ref = _sm_proportion_n(*case)
    r = abtest.plan(baseline=baseline, mde=mde, relative=relative, alpha=alpha, power=power,
                    one_sided=one_sided, ratio=ratio)
    assert isinstance(r.n_per_arm, int)
    assert r.n_per_arm >= ref - 1e-6  # rounded up, never down
    assert abs(r.n_per_arm - ref) / ref < 0.005
    assert r.n_exact == pytest.approx(ref, rel=1e-9)
    assert r.n_treatment == math.ceil(r.n_per_arm * ratio - 1e-9)
    assert r.n_total == r.n_per_arm + r.n_treatment
    assert r.days == math.ceil(r.n_total / r.daily_traffic)


def test_plan_equal_split_matches_statsmodels_called_the_usual_way():
    """With ratio 1 the direction of the call does not matter: statsmodels' common form."""
    ref = samplesize_proportions_2indep_onetail(diff=0.01, prop2=0.10, power=0.8, alpha=0.05)
    assert abtest.plan(baseline=0.10, mde=0.01).n_exact == pytest.approx(ref, rel=1e-12)


# (effect size d, alpha, power, one_sided, ratio)
TTEST_GRID = [
    (0.05, 0.05, 0.8, False, 1.0),
    (0.1, 0.05, 0.9, False, 1.0),
    (0.2, 0.05, 0.8, False, 1.5),
    (0.2, 0.01, 0.95, True, 1.0),
    (0.5, 0.05, 0.8, False, 1.0),
    (0.5, 0.10, 0.8, True, 2.0),
    (0.8, 0.05, 0.9, False, 0.5),
    (1.5, 0.05, 0.8, False, 1.0),
    (0.3, 0.01, 0.85, False, 3.0),
    (0.02, 0.05, 0.8, True, 1.0),
]


@pytest.mark.parametrize("case", TTEST_GRID)
def test_plan_mean_n_within_one_unit_of_statsmodels_ttestindpower(case):
    """Reference: statsmodels TTestIndPower.solve_power; n_per_arm within 1 unit."""
    d, alpha, power, one_sided, ratio = case
    ref = TTestIndPower().solve_power(effect_size=d, alpha=alpha, power=power, ratio=ratio,
                                      alternative="larger" if one_sided else "two-sided")
    std = 10.0
    r = abtest.plan(metric="mean", baseline=100.0, mde=d * std, std=std, alpha=alpha,
                    power=power, one_sided=one_sided, ratio=ratio)
    assert abs(r.n_per_arm - ref) <= 1
    assert r.n_per_arm >= ref - 1e-6


@pytest.mark.parametrize("case", TTEST_GRID[:5])
def test_ttest_power_equals_statsmodels_ttestindpower_power(case):
    """Reference: statsmodels TTestIndPower.power at fixed n."""
    d, alpha, _, one_sided, ratio = case
    alt = "larger" if one_sided else "two-sided"
    for n in (10, 100, 1000):
        ref = TTestIndPower().power(effect_size=d, nobs1=n, alpha=alpha, ratio=ratio,
                                    alternative=alt)
        mine = float(abtest.ttest_power(n, d, alpha=alpha, ratio=ratio, one_sided=one_sided))
        if math.isnan(ref):  # statsmodels' far tail underflows to NaN; the power is ~1 there
            assert mine > 1 - 1e-9
        else:
            assert mine == pytest.approx(ref, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(baseline=st.floats(0.01, 0.6), k=st.floats(0.02, 0.3), alpha=st.floats(0.01, 0.1),
       power=st.floats(0.6, 0.95))
def test_plan_n_falls_as_mde_grows_and_power_curve_hits_target(baseline, k, alpha, power):
    """Closed-form property: n ∝ ~1/MDE², and power(n_exact) equals the target."""
    mde = baseline * k
    small = abtest.plan(baseline=baseline, mde=mde, alpha=alpha, power=power)
    big = abtest.plan(baseline=baseline, mde=mde * 1.5, alpha=alpha, power=power)
    assert big.n_per_arm < small.n_per_arm
    design = abtest.make_design(baseline=baseline, mde=mde, alpha=alpha, power=power)
    assert float(abtest.power_for(design, small.n_exact)) == pytest.approx(power, abs=1e-9)
    powers = [p for _, p in small.power_curve]
    assert all(b >= a for a, b in zip(powers, powers[1:], strict=False))
    mine = [row for row in small.mde_table if math.isclose(row.absolute_mde,
                                                            small.absolute_effect)]
    assert mine and mine[0].n_per_arm == small.n_per_arm


# ------------------------------------------------------------------------ verify

VERIFY_CASES = [
    dict(baseline=0.10, mde=0.01),
    dict(baseline=0.05, mde=0.1, relative=True, one_sided=True),
    dict(baseline=0.30, mde=0.02, alpha=0.01, power=0.9, ratio=2.0),
    dict(baseline=0.02, mde=0.004, alpha=0.10, power=0.95),
    dict(metric="mean", baseline=50.0, mde=0.5, std=10.0),
    dict(metric="mean", baseline=50.0, mde=1.0, std=20.0, ratio=0.5, power=0.9),
]


@pytest.mark.parametrize("case", VERIFY_CASES)
def test_verify_at_20000_experiments_matches_the_plan(case):
    """Simulation vs plan: power within ±1.5 points, false-positive rate within ±1 point of α."""
    r = abtest.verify(**case, experiments=20_000, seed=7)
    assert abs(r.empirical_power - r.plan.power) <= 0.015
    assert abs(r.false_positive_rate - r.plan.alpha) <= 0.01
    lo, hi = r.power_ci
    assert lo < r.empirical_power < hi


def test_verify_detects_an_underpowered_plan():
    """The check can fail: at half the planned n the simulated power is far below target."""
    r = abtest.verify(baseline=0.1, mde=0.01, experiments=5_000, seed=1)
    half = next(row for row in r.power_by_n if row[0] == 0.5)
    assert half[3] < 0.6
    assert half[3] == pytest.approx(half[2], abs=0.03)


def test_verify_is_seeded():
    a = abtest.verify(experiments=2_000, seed=3).to_dict()
    b = abtest.verify(experiments=2_000, seed=3).to_dict()
    c = abtest.verify(experiments=2_000, seed=4).to_dict()
    assert a == b
    assert a != c


# ----------------------------------------------------------------------- analyze


@settings(max_examples=40, deadline=None)
@given(n_c=st.integers(100, 10**6), shift=st.floats(-0.05, 0.05), ratio=st.floats(0.5, 2.0))
def test_srm_p_value_equals_scipy_chisquare(n_c, shift, ratio):
    """Reference: scipy.stats.chisquare against the intended split."""
    n_t = max(1, int(n_c * ratio * (1 + shift)))
    total = n_c + n_t
    expected = [total / (1 + ratio), total * ratio / (1 + ratio)]
    ref = stats.chisquare([n_c, n_t], f_exp=expected)
    chi2, p = abtest.srm_check(n_c, n_t, ratio)
    assert chi2 == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("counts", [(1200, 10000, 1310, 10000), (50, 1000, 70, 1200),
                                    (4000, 50000, 3900, 49000), (300, 2000, 290, 2100)])
def test_analyze_counts_matches_statsmodels_ztest_and_wald_ci(counts):
    """Reference: statsmodels proportions_ztest (pooled) and confint_proportions_2indep (wald)."""
    x_c, n_c, x_t, n_t = counts
    r = abtest.analyze_counts(x_c, n_c, x_t, n_t)
    z, p = proportions_ztest([x_t, x_c], [n_t, n_c])
    assert r.statistic == pytest.approx(z, rel=1e-9)
    assert r.p_value == pytest.approx(p, rel=1e-9)
    lo, hi = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="wald", compare="diff")
    assert r.absolute_ci == pytest.approx((lo, hi), rel=1e-9)
    one = abtest.analyze_counts(x_c, n_c, x_t, n_t, one_sided=True)
    assert one.p_value == pytest.approx(proportions_ztest([x_t, x_c], [n_t, n_c],
                                                          alternative="larger")[1], rel=1e-9)


def test_analyze_small_counts_uses_fisher_exact_like_scipy():
    """Reference: scipy.stats.fisher_exact when expected cells are < 5."""
    r = abtest.analyze_counts(1, 40, 6, 40)
    assert "Fisher" in r.test
    assert r.p_value == pytest.approx(stats.fisher_exact([[1, 39], [6, 34]])[1], rel=1e-12)


def test_analyze_flags_sample_ratio_mismatch_and_refuses_to_call():
    r = abtest.analyze(control="1200/10000", treatment="1310/10600")
    assert r.srm_flag and r.srm_p_value < 0.001
    assert r.decision.startswith("Do not call this result")
    ok = abtest.analyze(control="1200/10000", treatment="1310/10000")
    assert not ok.srm_flag and ok.decision.startswith("Treatment wins")
    # the intended split is what the check compares against
    assert not abtest.analyze(control="1200/10000", treatment="2400/20000", ratio=2.0).srm_flag


def test_analyze_csv_values_matches_scipy_welch(tmp_path):
    """Reference: scipy.stats.ttest_ind(equal_var=False) on the same file."""
    rng = np.random.default_rng(0)
    c, t = rng.normal(10, 3, 400), rng.normal(10.6, 4, 380)
    path = tmp_path / "values.csv"
    lines = ["variant,value"] + [f"control,{v}" for v in c] + [f"treatment,{v}" for v in t]
    path.write_text("\n".join(lines) + "\n")
    r = abtest.analyze(data=abtest.parse_csv(path.read_text(), str(path)))
    ref = stats.ttest_ind(t, c, equal_var=False)
    assert r.metric == "mean" and "Welch" in r.test
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-9)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    ci = ref.confidence_interval(0.95)
    assert r.absolute_ci == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_analyze_csv_conversions_equal_counts(tmp_path):
    path = tmp_path / "conv.csv"
    rows = ["variant,converted"] + ["A,1"] * 30 + ["A,0"] * 270 + ["B,1"] * 45 + ["B,0"] * 255
    path.write_text("\n".join(rows) + "\n")
    r = abtest.analyze(data=abtest.parse_csv(path.read_text(), str(path)))
    ref = abtest.analyze(control="30/300", treatment="45/300")
    assert r.to_dict() == ref.to_dict()


# -------------------------------------------------------------------------- tour


def test_tour_json_has_the_plan_keys(run_cli):
    res = run_cli("simulate", "ab-test", "--baseline", "0.05", "--mde", "0.002", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    plan = abtest.plan(baseline=0.05, mde=0.002).to_dict()
    for key in plan:
        assert data[key] == plan[key]
    assert {"false_positive_rate", "empirical_power"} <= set(data["verify"])
    assert data["analysis"]["n_control"] + data["analysis"]["n_treatment"] == plan["n_total"]


def test_tour_prints_plan_verification_and_analysis(run_cli):
    res = run_cli("simulate", "ab-test", "--experiments", "500")
    assert res.code == 0, res.stderr
    for text in ("Step 1", "Step 2", "Step 3", "Sample-ratio mismatch", "What the numbers say"):
        assert text in res.stdout
    assert res.stderr == ""


def test_plan_cli_json_keys(run_cli):
    res = run_cli("simulate", "ab-test", "plan", "--baseline", "0.10", "--mde", "0.01",
                  "--relative", "--daily-traffic", "1000", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    ref = samplesize_proportions_2indep_onetail(diff=0.001, prop2=0.10, power=0.8)
    assert data["n_per_arm"] == math.ceil(ref)
    assert data["n_total"] == 2 * data["n_per_arm"]
    assert data["days"] == math.ceil(data["n_total"] / 1000)


def test_verify_and_analyze_cli_json(run_cli, tmp_path):
    res = run_cli("simulate", "ab-test", "verify", "--experiments", "1000", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert 0 <= data["false_positive_rate"] < 0.15 and 0.6 < data["empirical_power"] < 1
    res = run_cli("simulate", "ab-test", "analyze", "--control", "1200/10000", "--treatment",
                  "1310/10000", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["significant"] is True and data["srm_flag"] is False


def test_one_sided_and_relative_are_flags(run_cli):
    two = json.loads(run_cli("simulate", "ab-test", "plan", "--json").stdout)
    one = json.loads(run_cli("simulate", "ab-test", "plan", "--one-sided", "--json").stdout)
    assert one["n_per_arm"] < two["n_per_arm"] and one["one_sided"] is True


# --------------------------------------------------------------------- bad input


def _csv(tmp_path, text: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return str(path)


BAD = [
    (("plan", "--alpha", "1.5"), "--alpha"),
    (("plan", "--alpha", "0"), "--alpha"),
    (("plan", "--power", "1"), "--power"),
    (("plan", "--power", "0.01"), "--power"),
    (("plan", "--baseline", "0.95", "--mde", "0.1"), "--baseline + --mde"),
    (("plan", "--baseline", "0.5", "--mde", "1.2", "--relative"), "--baseline × (1 + --mde)"),
    (("plan", "--baseline", "0", "--mde", "0.01"), "--baseline"),
    (("plan", "--mde", "-0.01"), "--mde"),
    (("plan", "--daily-traffic", "0"), "--daily-traffic"),
    (("plan", "--daily-traffic", "-5"), "--daily-traffic"),
    (("plan", "--ratio", "0"), "--ratio"),
    (("plan", "--metric", "median"), "--metric"),
    (("plan", "--metric", "mean", "--baseline", "50", "--mde", "1"), "--std"),
    (("verify", "--experiments", "5"), "--experiments"),
    (("analyze", "--control", "5/3", "--treatment", "1/10"), "--control"),
    (("analyze", "--control", "12/100", "--treatment", "abc"), "--treatment"),
    (("analyze", "--control", "12/100"), "--treatment"),
    (("analyze",), "--control"),
    (("peeking", "--looks", "0"), "--looks"),
    (("peeking", "--looks", "1"), "--looks"),
    (("plan", "--std", "5"), "--metric mean"),
    (("verify", "--std", "5"), "--std"),
    (("peeking", "--method", "magic"), "--method"),
    (("cuped", "--rho", "1.5"), "--rho"),
    (("cuped", "--effect", "0"), "--effect"),
    (("unit", "--icc", "1"), "--icc"),
    (("unit", "--requests-per-user", "0.5"), "--requests-per-user"),
    (("segments", "--correction", "sidak"), "--correction"),
    (("segments", "--new-effect", "-1.5"), "--new-effect"),
]


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    res = run_cli("simulate", "ab-test", *args)
    assert res.code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert needle in lines[0]
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize(("text", "needle"), [
    ("", "empty"),
    ("\n\n", "empty"),
    ("variant,converted\n", "exactly 2 variants"),
    ("variant;converted\ncontrol;1\n", "header"),
    ("group,converted\ncontrol,1\n", "header"),
    ("variant,converted\ncontrol,1\ntreatment,maybe\n", "line 3"),
    ("variant,value\ncontrol,1.5\ncontrol,2\ntreatment,x\n", "line 4"),
    ("variant,converted\ncontrol,1\ntreatment,0\nthird,1\n", "exactly 2 variants"),
    ("variant,converted\nx,1\ny,0\n", "control"),
    ("variant,value\ncontrol,1\ntreatment,2\ntreatment,3\n", "at least 2"),
    ("variant,converted\ncontrol\n", "line 2"),
    ("variant,value\ncontrol,1\ncontrol,1\ntreatment,2\ntreatment,2\n", "same"),
])
def test_bad_csv_is_one_line_exit_2(run_cli, tmp_path, text, needle):
    res = run_cli("simulate", "ab-test", "analyze", "--data", _csv(tmp_path, text))
    assert res.code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "--data" in lines[0] and needle in lines[0]


def test_missing_csv_and_mixed_inputs(run_cli, tmp_path):
    res = run_cli("simulate", "ab-test", "analyze", "--data", str(tmp_path / "nope.csv"))
    assert res.code == 2 and "--data" in res.stderr and res.stdout == ""
    ok = _csv(tmp_path, "variant,converted\ncontrol,1\ntreatment,0\n")
    res = run_cli("simulate", "ab-test", "analyze", "--data", ok, "--control", "1/2")
    assert res.code == 2 and "--data" in res.stderr


def test_make_design_rejects_nan():
    with pytest.raises(BadInputError, match="--alpha"):
        abtest.make_design(baseline=0.1, mde=0.01, alpha=float("nan"))


def test_analysis_detectable_effect_agrees_with_the_plan_formula():
    """Closed form: the 80%-power effect at the observed n is the MDE `plan` gives for that n."""
    r = abtest.analyze(control="1200/10000", treatment="1250/10000")
    assert not r.significant
    planned = abtest.plan(baseline=0.12, mde=r.mde_80)
    assert planned.n_per_arm == pytest.approx(10_000, rel=0.03)
    assert "80% chance" in " ".join(r.reading())


# ------------------------------------------------------ review fixes: plan limits


@pytest.mark.parametrize("args", [
    ("plan", "--mde", "1e-10"),
    ("verify", "--mde", "1e-10"),
    ("plan", "--mde", "1e-300"),
    ("plan", "--mde", "1e-9"),
    ("plan", "--mde", "1e-9", "--relative"),
    ("plan", "--metric", "mean", "--std", "1e11", "--baseline", "1", "--mde", "1"),
    ("--mde", "1e-9"),
    ("peeking", "--mde", "1e-10"),
])
def test_absurd_sample_size_is_one_line_exit_2_not_a_traceback(run_cli, args):
    res = run_cli("simulate", "ab-test", *args)
    assert res.code == 2, res.stdout[-300:]
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "too small relative to" in lines[0] and "Traceback" not in res.stderr
    if args[0] != "peeking" and "mean" not in args:
        assert "28 days at --daily-traffic 10,000" in lines[0] and "can detect about --mde" in lines[0]


def test_refusal_suggests_the_mde_that_28_days_of_traffic_detect():
    """Closed form: the suggested MDE is the one whose plan needs 28 days' users (±1%)."""
    with pytest.raises(BadInputError, match=r"can detect about --mde 0\.0032 "):
        abtest.plan(mde=1e-9)
    design = abtest.make_design(baseline=0.1, mde=0.01)
    d = abtest.mde_for_n(design, 140_000)
    assert abtest.plan(mde=d).n_exact == pytest.approx(140_000, rel=1e-9)
    mean = abtest.make_design(metric="mean", baseline=5.0, mde=1.0, std=3.0)
    d = abtest.mde_for_n(mean, 5_000)
    assert abtest.plan(metric="mean", baseline=5.0, mde=d, std=3.0).n_exact == pytest.approx(
        5_000, rel=0.01)
    # no effect fits: a proportion cannot move far enough with 28 users
    assert abtest.mde_for_n(abtest.make_design(baseline=0.9, mde=0.01), 14) is None


def test_huge_standardised_effect_needs_two_users_without_overflow():
    r = abtest.plan(metric="mean", std=1e-300, baseline=1, mde=1)
    assert r.n_per_arm == 2 and r.days == 1
    assert float(abtest.ttest_power(2.0, 1e300, alpha=0.05)) == 1.0


def test_plan_over_a_year_warns_with_the_mde_the_traffic_allows():
    r = abtest.plan(mde=0.0002)
    assert r.days > 365 and r.suggested_mde == pytest.approx(0.0032, rel=0.05)
    text = " ".join(r.reading())
    assert "Warning: 19.4 years" in text and "7,071 days" in text and "1,011 full weeks" in text
    assert abtest.plan().suggested_mde is None
    assert "Warning" not in " ".join(abtest.plan().reading())


@pytest.mark.parametrize("traffic", [99_999_999_999_999_999_999, 10**400])
def test_huge_daily_traffic_needs_one_day_not_zero(traffic):
    r = abtest.plan(daily_traffic=traffic)
    assert r.days == 1 and r.weeks == 1
    assert all(row.days == 1 for row in r.mde_table)
    json.dumps(r.to_dict())


def test_huge_daily_traffic_cli(run_cli):
    res = run_cli("simulate", "ab-test", "plan", "--daily-traffic", "1000000000000", "--json")
    assert res.code == 0, res.stderr
    assert json.loads(res.stdout)["days"] == 1
    res = run_cli("simulate", "ab-test", "plan", "--daily-traffic", "99999999999999999999", "--json")
    assert res.code == 2 and res.stderr.count("\n") == 1 and "--daily-traffic must be in" in res.stderr


# ---------------------------------------------------- review fixes: analysis


def test_one_sided_analysis_says_the_treatment_looks_worse_when_the_ci_is_below_zero():
    r = abtest.analyze(control="1310/10000", treatment="1200/10000", one_sided=True)
    assert not r.significant and r.absolute_ci[1] < 0
    assert r.decision.startswith("Treatment looks worse — do not ship")
    assert "cannot show a loss" in r.decision and "No significant" not in r.decision
    text = " ".join(r.reading())
    assert "keep control or run longer" not in text and "Not significant is not" not in text
    # not significant, CI straddling 0: still says the one-sided test is blind to a loss
    r = abtest.analyze(control="1200/10000", treatment="1190/10000", one_sided=True)
    assert r.decision.startswith("No significant improvement") and "cannot show a loss" in r.decision


@pytest.mark.parametrize("one_sided", [False, True])
def test_decision_never_contradicts_its_ci(one_sided):
    """Every call's sentence: 'wins' ⇒ CI > 0 side, 'loses/worse' ⇒ CI < 0 side, else says so."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        n_c, n_t = (int(v) for v in rng.integers(5, 3000, 2))
        x_c, x_t = int(rng.integers(0, n_c + 1)), int(rng.integers(0, n_t + 1))
        r = abtest.analyze_counts(x_c, n_c, x_t, n_t, one_sided=one_sided)
        lo, hi = r.absolute_ci
        d = r.decision
        if d.startswith("Do not call"):
            continue
        consistent = ((d.startswith("Treatment wins") and lo > 0)
                      or (d.startswith(("Treatment loses", "Treatment looks worse")) and hi < 0)
                      or (d.startswith("No significant") and lo <= 0 <= hi))
        assert consistent or "borderline" in d, (x_c, n_c, x_t, n_t, d)


SMALL_COUNTS = [(1, 1, 0, 1), (0, 100, 0, 100), (1, 5, 3, 5), (0, 10, 4, 10), (5, 5, 2, 7),
                (1, 40, 6, 40), (3, 30, 0, 25), (100, 100, 99, 100)]


@pytest.mark.parametrize("counts", SMALL_COUNTS)
@pytest.mark.parametrize("one_sided", [False, True])
def test_small_counts_use_newcombe_interval_like_statsmodels(counts, one_sided):
    """Reference: statsmodels confint_proportions_2indep(method="newcomb") at the CI level."""
    x_c, n_c, x_t, n_t = counts
    r = abtest.analyze_counts(x_c, n_c, x_t, n_t, one_sided=one_sided)
    assert "Fisher" in r.test
    lo, hi = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="newcomb", compare="diff",
                                        alpha=1 - r.ci_level)
    assert r.absolute_ci == pytest.approx((lo, hi), abs=1e-12)
    assert r.absolute_ci[1] - r.absolute_ci[0] > 0.01  # never zero width
    assert -1 <= r.absolute_ci[0] <= r.absolute_effect <= r.absolute_ci[1] <= 1
    assert r.standard_error > 0 and r.mde_80 > 0
    if x_c:
        assert r.relative_ci[0] >= -1 and r.relative_ci[0] <= r.relative_effect
        assert r.relative_effect <= r.relative_ci[1]
    else:
        assert math.isnan(r.relative_effect)


def test_fisher_result_has_no_z_statistic(run_cli):
    r = abtest.analyze(control="1/5", treatment="3/5")
    assert r.statistic_name == "" and math.isnan(r.statistic)
    effect = r.tables()[1]
    assert not any("z statistic" in str(row[0]) for row in effect.rows)
    res = run_cli("simulate", "ab-test", "analyze", "--control", "1/5", "--treatment", "3/5",
                  "--json")
    assert json.loads(res.stdout)["statistic"] is None
    res = run_cli("simulate", "ab-test", "analyze", "--control", "1/5", "--treatment", "3/5")
    assert "z statistic" not in res.stdout and "+0 to +0" not in res.stdout
    big = abtest.analyze(control="1200/10000", treatment="1310/10000")
    assert big.statistic_name == "z" and any("z statistic" in str(row[0])
                                             for row in big.tables()[1].rows)


RATIO_CASES = [(30, 300, 45, 300), (1, 5, 3, 5), (1200, 10000, 1310, 10000), (2, 40, 7, 40),
               (5, 20, 0, 20), (50, 1000, 70, 1200), (4000, 50000, 3900, 49000)]


@pytest.mark.parametrize("counts", RATIO_CASES)
def test_relative_ci_is_the_score_ratio_interval_of_statsmodels(counts):
    """Reference: statsmodels confint_proportions_2indep(compare="ratio", method="score") − 1."""
    x_c, n_c, x_t, n_t = counts
    r = abtest.analyze_counts(x_c, n_c, x_t, n_t)
    lo, hi = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="score", compare="ratio")
    assert r.relative_ci == pytest.approx((lo - 1, hi - 1), rel=1e-7, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(n_c=st.integers(1, 400), n_t=st.integers(1, 400), fc=st.floats(0, 1), ft=st.floats(0, 1))
def test_ratio_interval_bounds_are_roots_of_statsmodels_score_test(n_c, n_t, fc, ft):
    """Reference: statsmodels test_proportions_2indep(compare="ratio", method="score"): the
    statistic is ±z at each finite bound (its own cubic-root CI is unstable at edges)."""
    x_c, x_t = max(1, round(fc * n_c)), round(ft * n_t)
    if n_c + n_t < 3:
        return
    z = float(stats.norm.isf(0.025))
    lo, hi = abtest.ratio_interval(x_c, n_c, x_t, n_t, z)
    est = (x_t / n_t) / (x_c / n_c)
    assert 0 <= lo <= est <= hi
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for bound, sign in ((lo, 1), (hi, -1)):
            if 0 < bound < math.inf and abs(bound - 1) > 1e-6:
                ref = sm_score_test(x_t, n_t, x_c, n_c, value=bound, compare="ratio",
                                              method="score").statistic
                assert ref == pytest.approx(sign * z, abs=1e-6)


def test_analysis_explains_mde_80():
    r = abtest.analyze(control="1200/10000", treatment="1310/10000")
    assert r.significant
    assert any("mde_80" in str(row[0]) for row in r.tables()[1].rows)
    assert "mde_80" in r.tables()[1].note and "mde_80" in " ".join(r.reading())


# ------------------------------------------------------------ review fixes: --data


def test_data_directory_device_fifo_and_huge_file_are_refused(run_cli, tmp_path):
    def one_line(path):
        res = run_cli("simulate", "ab-test", "analyze", "--data", str(path))
        lines = res.stderr.strip().splitlines()
        assert res.code == 2 and res.stdout == "" and len(lines) == 1, res.stderr
        return lines[0]

    assert "is a directory" in one_line(tmp_path)
    assert "is not a regular file" in one_line("/dev/zero")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it would block forever: it must never be opened
    assert "is not a regular file" in one_line(fifo)
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(abtest.MAX_DATA_BYTES + 1)  # sparse: costs no disk
    assert "larger than 200 MB" in one_line(big)
    assert "no such file" in one_line(tmp_path / "nope.csv")


# ---------------------------------------------------------- review fixes: wording


def test_tour_puts_the_arms_table_in_step_3_and_names_full_commands():
    r = abtest.tour(experiments=200)
    titles = [t.title for t in r.tables()]
    step2 = next(i for i, t in enumerate(titles) if t.startswith("Step 2"))
    assert titles[step2 + 1].startswith("Step 3 — A simulated experiment")
    assert all(t.startswith("Step 3") for t in titles[step2 + 1:])
    assert next(t for t in r.tables() if t.title.startswith("Step 3")).columns[0] == "arm"
    text = " ".join(r.reading())
    assert "`mlsd simulate ab-test peeking`" in text and "Next: `ab-test" not in text
    assert "+0.01: Treatment" not in text and "+0.01. Treatment" in text


def test_plan_reading_uses_plurals_and_thousands_separators():
    one = " ".join(abtest.plan(daily_traffic=1_000_000).reading())
    assert "that is 1 day;" in one and "1 full week so" in one and "(s)" not in one
    few = " ".join(abtest.plan(daily_traffic=1).reading())
    assert "At 1 user a day" in few and "29,502 days" in few and "4,215 full weeks" in few
    mean = " ".join(abtest.plan(metric="mean", baseline=50_000, std=10_000, mde=100).reading())
    assert "from 50,000 to 50,100" in mean and "e+04" not in mean
    zero = abtest.plan(metric="mean", baseline=0, std=1, mde=0.1)
    assert "nan" not in " ".join(zero.reading()) + str(zero.tables()[0].rows)


def test_two_sided_plan_method_says_alpha_over_two():
    assert "α/2" in abtest.plan().method
    assert "α/2" not in abtest.plan(one_sided=True).method


def test_mde_table_rows_are_objects_in_json(run_cli):
    res = run_cli("simulate", "ab-test", "plan", "--json")
    rows = json.loads(res.stdout)["mde_table"]
    assert rows and all(set(r) == {"absolute_mde", "relative_mde", "n_per_arm", "n_total",
                                   "days"} for r in rows)
    mine = next(r for r in rows if math.isclose(r["absolute_mde"], 0.01))
    assert mine["n_per_arm"] == 14_751


def test_mde_and_relative_help_say_absolute_by_default():
    from mlsd.sims.specs.abtest import MDE, RELATIVE

    assert "ABSOLUTE by default" in MDE.help and "--relative" in MDE.help
    assert "RELATIVE" in RELATIVE.help and "absolute" in RELATIVE.help


def test_standard_library_normal_equals_scipy_norm():
    """Reference library: scipy.stats.norm (ppf, isf, cdf); `plan` uses the stdlib forms to start fast."""
    ps = np.concatenate([np.geomspace(1e-300, 0.5, 400), np.linspace(0.5, 1 - 1e-12, 400)])
    for p in ps:
        assert abtest.norm_ppf(p) == pytest.approx(stats.norm.ppf(p), rel=2e-15, abs=1e-300)
        assert abtest.norm_isf(p) == pytest.approx(stats.norm.isf(p), rel=2e-15, abs=1e-300)
    xs = np.linspace(-37, 9, 800).reshape(2, 400)
    got = abtest.norm_cdf(xs)
    assert got.shape == xs.shape
    assert np.allclose(got, stats.norm.cdf(xs), rtol=1e-12, atol=0)  # x/sqrt(2) rounds: error grows like x^2
    central = np.linspace(-5, 9, 400)
    assert np.allclose(abtest.norm_cdf(central), stats.norm.cdf(central), rtol=1e-14, atol=0)
