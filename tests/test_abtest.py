"""`ab-test plan`, `verify`, `analyze` and the tour: checked against statsmodels and scipy.

Convention used when calling statsmodels with an unequal split: mlsd's `ratio` is
treatment/control and `n_per_arm` is the control arm. statsmodels' proportion
sample size returns nobs1 with `nobs2 = ratio * nobs1` and `p1 = prop2 + diff`;
so sample 1 is control when called with `prop2 = treatment rate, diff = −effect`.
"""

from __future__ import annotations

import json
import math

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
    mine = [row for row in small.mde_table if math.isclose(row[0], small.absolute_effect)]
    assert mine and mine[0][2] == small.n_per_arm


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
    r = abtest.analyze(data=str(path))
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
    r = abtest.analyze(data=str(path))
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
