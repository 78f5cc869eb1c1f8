"""Drift statistics (mlsd.sims.drift) against straightforward reference implementations and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlsd.sims import drift


def reference_psi(reference, current, bins=10, eps=1e-4):
    """PSI the slow, obvious way: quantile edges, a Python loop per value, eps for empty bins."""
    ref = [float(v) for v in reference]
    cur = [float(v) for v in current]
    edges = [float(e) for e in np.quantile(ref, [i / bins for i in range(1, bins)])]

    def bin_of(x):
        b = 0
        for e in edges:
            if x >= e:
                b += 1
        return b

    ref_counts = [0] * bins
    cur_counts = [0] * bins
    for x in ref:
        ref_counts[bin_of(x)] += 1
    for x in cur:
        cur_counts[bin_of(x)] += 1
    total = 0.0
    for rc, cc in zip(ref_counts, cur_counts, strict=True):
        p = rc / len(ref) or eps
        q = cc / len(cur) or eps
        total += (q - p) * math.log(q / p)
    return total


FIXED = [
    # (name, reference, current)
    ("same normal", np.random.default_rng(0).normal(size=2000), np.random.default_rng(1).normal(size=1500)),
    ("shifted", np.random.default_rng(2).normal(size=3000), np.random.default_rng(3).normal(0.5, 1.2, size=1000)),
    ("integers with ties", np.random.default_rng(4).poisson(3, 2500), np.random.default_rng(5).poisson(4, 800)),
    ("few distinct values", np.array([1.0] * 50 + [2.0] * 30 + [3.0] * 20), np.array([1.0] * 10 + [3.0] * 90)),
    ("all current below reference", np.arange(100.0), np.full(40, -5.0)),
]


@pytest.mark.parametrize(("name", "ref", "cur"), FIXED, ids=[f[0] for f in FIXED])
def test_psi_matches_straightforward_reference_implementation(name, ref, cur):
    """Reference implementation: the loop in `reference_psi` (same bins and epsilon rule)."""
    assert drift.psi(ref, cur) == pytest.approx(reference_psi(ref, cur), rel=1e-12, abs=1e-15)
    vec = drift.DriftReference(ref).compare(cur)
    assert vec.psi[0] == pytest.approx(reference_psi(ref, cur), rel=1e-12, abs=1e-15)


def test_psi_closed_form_all_mass_in_one_bin():
    """Closed form: reference deciles p=0.1 each, current all in bin 0, the 9 empty bins get eps=1e-4."""
    eps = drift.PSI_EPSILON
    expected = (1 - 0.1) * math.log(1 / 0.1) + 9 * (eps - 0.1) * math.log(eps / 0.1)
    assert drift.psi(np.arange(100.0), np.full(40, -5.0)) == pytest.approx(expected, rel=1e-12)
    assert eps == 1e-4


def test_psi_is_zero_against_itself_and_grows_with_shift():
    x = np.random.default_rng(7).normal(size=5000)
    assert drift.psi(x, x) == pytest.approx(0.0, abs=1e-12)
    values = [drift.psi(x, x + s) for s in (0.1, 0.3, 0.6, 1.0)]
    assert values == sorted(values) and values[0] > 0


@st.composite
def samples(draw):
    """Two samples, often with ties and different sizes."""
    kind = draw(st.sampled_from(["int", "float"]))
    n1 = draw(st.integers(1, 80))
    n2 = draw(st.integers(1, 80))
    if kind == "int":
        hi = draw(st.integers(1, 12))
        a = draw(st.lists(st.integers(0, hi), min_size=n1, max_size=n1))
        b = draw(st.lists(st.integers(0, hi + 3), min_size=n2, max_size=n2))
    else:
        f = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
        a = draw(st.lists(f, min_size=n1, max_size=n1))
        b = draw(st.lists(f, min_size=n2, max_size=n2))
    return np.array(a, dtype=float), np.array(b, dtype=float)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # scipy, for 1 vs 1 rows
@settings(max_examples=120, deadline=None)
@given(samples())
def test_ks_statistic_and_pvalue_equal_scipy_ks_2samp(ab):
    """Reference library: scipy.stats.ks_2samp (statistic exactly; p-value is its method='asymp').

    Samples of at most 80 rows: the p-value is in the exact regime (N < KS_EXACT_MAX_N)."""
    a, b = ab
    ours = drift.ks_2samp(a, b)
    ref = stats.ks_2samp(a, b, method="asymp")
    assert ours.statistic == ref.statistic
    if math.isnan(ref.pvalue):
        assert math.isnan(ours.pvalue)
    else:
        assert ours.pvalue == ref.pvalue
    # The vectorised path gives the same statistic, whichever sample is searched.
    assert drift.DriftReference(a).compare(b).ks_statistic[0] == ref.statistic
    assert drift.DriftReference(b).compare(a).ks_statistic[0] == ref.statistic


def test_ks_equals_scipy_default_for_monitoring_sized_samples():
    """scipy.stats.ks_2samp's default (method='auto') is asymptotic above 10,000 rows: equal there.

    N = round(20,000 * 6,000 / 26,000) = 4,615 < KS_EXACT_MAX_N: the exact p-value regime."""
    rng = np.random.default_rng(11)
    ref = np.round(rng.normal(size=20_000), 2)  # rounding makes ties
    cur = np.round(rng.normal(0.03, 1, size=6_000), 2)
    scipy_default = stats.ks_2samp(ref, cur)
    ours = drift.ks_2samp(ref, cur)
    assert (ours.statistic, ours.pvalue) == (scipy_default.statistic, scipy_default.pvalue)
    many = drift.DriftReference(np.column_stack([ref, ref * 2])).compare(np.column_stack([cur, cur * 3]))
    for i, (r, c) in enumerate([(ref, cur), (ref * 2, cur * 3)]):
        s = stats.ks_2samp(r, c)
        assert many.ks_statistic[i] == s.statistic
        assert many.ks_pvalue[i] == s.pvalue


def test_drift_reference_matches_one_column_functions_on_many_columns():
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(4000, 5))
    cur = rng.normal(size=(30_000, 5)) + np.array([0, 0.05, 0.2, 0.5, 1.0])
    out = drift.DriftReference(ref).compare(cur)
    for i in range(5):
        assert out.psi[i] == pytest.approx(drift.psi(ref[:, i], cur[:, i]), rel=1e-12)
        assert out.ks_statistic[i] == stats.ks_2samp(ref[:, i], cur[:, i]).statistic
    assert list(out.psi) == sorted(out.psi)  # bigger shift, bigger PSI


def test_stephens_pvalue_is_close_to_scipy():
    """The fast closed form against scipy.stats.kstwo (what ks_2samp uses): within 2 % for p >= 1e-6."""
    for en in (5_000, 20_000):
        for z in np.linspace(0.5, 2.6, 8):
            d = z / math.sqrt(en)
            exact = stats.kstwo.sf(d, en)
            fast = drift.ks_pvalue(d, en * 2, en * 2, method="stephens")  # en = n*m/(n+m) = en
            assert fast == pytest.approx(exact, rel=0.02)
    with pytest.raises(ValueError):
        drift.ks_pvalue(0.1, 10, 10, method="magic")


def _assert_within_asymptotic_tolerance(fast, exact):
    fast, exact = np.asarray(fast), np.asarray(exact)
    assert np.all(np.abs(fast - exact) <= drift.KS_ASYMPTOTIC_ATOL)
    tail = exact >= drift.KS_ASYMPTOTIC_RTOL_FLOOR
    assert np.all(np.abs(fast[tail] - exact[tail]) <= drift.KS_ASYMPTOTIC_RTOL * exact[tail])


def test_ks_pvalue_is_scipys_exact_value_below_the_switch():
    """Reference library: scipy.stats.kstwo.sf (ks_2samp's 'asymp'), bit for bit while N < KS_EXACT_MAX_N."""
    for n in (1, 50, 1_000, drift.KS_EXACT_MAX_N - 1):
        d = np.concatenate([[0.0, 1e-9, 1.0, 1.5], np.linspace(0.2, 6, 30) / math.sqrt(n)])
        d = d[d <= 1.5]
        # n_ref = n_cur = 2n gives N = n; the one-value form gives the same numbers
        assert np.array_equal(drift.ks_pvalue(d, 2 * n, 2 * n), np.clip(stats.kstwo.sf(d, n), 0, 1))
        assert drift.ks_pvalue(float(d[5]), 2 * n, 2 * n) == stats.kstwo.sf(d[5], n)


def test_ks_pvalue_above_the_switch_is_within_the_documented_tolerance_of_scipy():
    """Reference library: scipy.stats.kstwo.sf; tolerance KS_ASYMPTOTIC_RTOL (p >= 1e-10) and KS_ASYMPTOTIC_ATOL.

    The error shrinks like 1/N, so the worst case is at the switch itself."""
    assert drift.KS_ASYMPTOTIC_RTOL <= 0.005 and drift.KS_ASYMPTOTIC_ATOL <= 1e-5
    for n, points in ((drift.KS_EXACT_MAX_N, 400), (drift.KS_EXACT_MAX_N + 1, 60), (37_000, 40), (200_000, 8)):
        z = np.linspace(0.0, 7.0, points)
        d = z / math.sqrt(n)
        exact = stats.kstwo.sf(d, n)
        fast = drift.ks_pvalue(d, 2 * n, 2 * n)
        assert not np.array_equal(fast, exact)  # the closed form really is in use here
        _assert_within_asymptotic_tolerance(fast, exact)
        assert np.array_equal(fast, drift.ks_pvalue(d, 2 * n, 2 * n, method="asymptotic"))
    # scipy's edges: 1 at D = 0, 0 at D >= 1 and where N D^2 >= 370
    n = 50_000
    edges = np.array([0.0, 1.0, 2.0, 0.5, math.sqrt(371 / n)])
    assert list(drift.ks_pvalue(edges, 2 * n, 2 * n)) == list(stats.kstwo.sf(edges, n)) == [1, 0, 0, 0, 0]


def test_drift_reference_pvalues_switch_regime_but_statistics_do_not_move():
    """PSI and KS D are the same numbers whichever p-value is asked for; p is exact below the switch.

    Reference library: scipy.stats.ks_2samp (statistic exactly, p-value within the tolerance)."""
    rng = np.random.default_rng(5)
    ref = rng.normal(size=(60_000, 3))
    small = rng.normal(size=(5_000, 3)) + [0.0, 0.03, 0.08]  # N = 4,615: exact regime
    large = rng.normal(size=(30_000, 3)) + [0.0, 0.02, 0.05]  # N = 20,000: closed form
    model = drift.DriftReference(ref)
    for cur, exact_regime in ((small, True), (large, False)):
        auto, exact = model.compare(cur), model.compare(cur, pvalue="scipy")
        none = model.compare(cur, pvalue="none")
        for other in (exact, none):
            assert np.array_equal(auto.psi, other.psi) and np.array_equal(auto.ks_statistic, other.ks_statistic)
        for i in range(3):
            s = stats.ks_2samp(ref[:, i], cur[:, i])
            assert auto.ks_statistic[i] == s.statistic and exact.ks_pvalue[i] == s.pvalue
            assert drift.ks_2samp(ref[:, i], cur[:, i]).pvalue == auto.ks_pvalue[i]
        if exact_regime:
            assert np.array_equal(auto.ks_pvalue, exact.ks_pvalue)
        else:
            assert not np.array_equal(auto.ks_pvalue, exact.ks_pvalue)
            _assert_within_asymptotic_tolerance(auto.ks_pvalue, exact.ks_pvalue)


def test_js_distance_equals_scipy_jensenshannon_base_2():
    """Reference library: scipy.spatial.distance.jensenshannon(p, q, base=2)."""
    cases = [([10, 20, 30], [30, 20, 10]), ([5, 0, 5], [0, 10, 0]), ([1, 1, 1, 1], [1, 1, 1, 1]), ([3, 7], [7, 3])]
    for p, q in cases:
        assert drift.js_distance(np.array(p), np.array(q)) == pytest.approx(
            jensenshannon(p, q, base=2), abs=1e-12
        )
    assert drift.js_distance(np.array([1, 0]), np.array([0, 1])) == pytest.approx(1.0)


def test_categorical_psi_formula_with_epsilon():
    ref = np.array([50, 30, 20])
    cur = np.array([0, 50, 50])
    p, q = np.array([0.5, 0.3, 0.2]), np.array([1e-4, 0.5, 0.5])
    assert drift.categorical_psi(ref, cur) == pytest.approx(float(np.sum((q - p) * np.log(q / p))))


def test_empty_inputs_are_rejected():
    with pytest.raises(ValueError):
        drift.psi(np.array([]), np.array([1.0]))
    with pytest.raises(ValueError):
        drift.ks_2samp(np.array([1.0]), np.array([]))
    with pytest.raises(ValueError):
        drift.DriftReference(np.ones((10, 2))).compare(np.ones((5, 3)))
