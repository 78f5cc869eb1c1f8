"""`ab-test peeking`, `cuped`, `unit`, `segments`, and the registry ↔ CLI contract."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from mlsd.sims import registry
from mlsd.sims.abtest import peeking as pk
from mlsd.sims.abtest import users
from mlsd.sims.base import SimResult
from mlsd.sims.specs.abtest import SPECS

# ----------------------------------------------------------------------- peeking


@pytest.fixture(scope="module")
def peek20():
    return pk.peeking(looks=20, experiments=20_000, seed=11)


def test_peeking_20_looks_inflates_false_positives_above_twice_alpha(peek20):
    assert peek20.fpr_peeking > 2 * peek20.alpha
    assert peek20.fpr_peeking_ci[0] > 2 * peek20.alpha


def test_sequential_design_stays_within_alpha_plus_one_point(peek20):
    assert peek20.fpr_sequential <= peek20.alpha + 0.01
    assert abs(peek20.fpr_once - peek20.alpha) <= 0.01
    # and it still has power close to the fixed-horizon test, stopping early on average
    assert peek20.power_sequential > peek20.power_once - 0.05
    assert peek20.mean_fraction_used_h1 < 0.9


def test_simulated_peeking_matches_exact_crossing_probability(peek20):
    """Simulation vs numerical integration of the Brownian-motion crossing probability."""
    for k, sim, exact, _ in peek20.fpr_by_looks:
        se = math.sqrt(exact * (1 - exact) / peek20.experiments)
        assert abs(sim - exact) < 4 * se + 0.003, (k, sim, exact)
    assert peek20.fpr_peeking_exact == pytest.approx(0.248, abs=0.002)  # known value, K=20


@pytest.mark.parametrize("method", pk.METHODS)
def test_boundaries_spend_exactly_alpha_checked_against_scipy_multivariate_normal(method):
    """Reference: scipy.stats.multivariate_normal.cdf of (Z_1..Z_3), Cov = √(t_i/t_j)."""
    t = np.arange(1, 4) / 3
    b = pk.sequential_bounds(3, 0.05, method)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    mvn = stats.multivariate_normal(mean=np.zeros(3), cov=cov)
    # P(|Z_k| < b_k for all k) by inclusion–exclusion over the box corners
    inside = 0.0
    for signs in np.ndindex(2, 2, 2):
        corner = np.where(np.array(signs) == 1, b, -b)
        inside += (-1) ** (3 - sum(signs)) * mvn.cdf(corner)
    assert 1 - inside == pytest.approx(0.05, abs=2e-4)
    spent = np.cumsum(pk.crossing_probabilities(b, t))
    assert spent == pytest.approx(pk.spent(t, 0.05, method), abs=1e-8)


@pytest.mark.parametrize(
    ("method", "published"),
    [
        ("obrien-fleming", [4.877, 3.357, 2.680, 2.290, 2.031]),
        ("pocock", [2.438, 2.427, 2.410, 2.397, 2.386]),
    ],
)
def test_k5_boundaries_match_the_published_lan_demets_tables(method, published):
    """Checked against gsDesign (sfLDOF / sfLDPocock), rpact (asOF / asP) and ldbounds: K = 5, two-sided α = 0.05.

    Those spend α/2 per side; spending the two-sided α in one O'Brien–Fleming function gave 4.383 first.
    """
    assert pk.sequential_bounds(5, 0.05, method) == pytest.approx(published, abs=6e-4)


def test_single_look_boundary_is_the_fixed_horizon_z():
    assert pk.sequential_bounds(1, 0.05)[0] == pytest.approx(stats.norm.isf(0.025), rel=1e-12)
    b = pk.sequential_bounds(10, 0.05, "obrien-fleming")
    assert np.all(np.diff(b) < 0)  # strict early, lenient late
    assert b[-1] > stats.norm.isf(0.025)  # the price of looking


# ------------------------------------------------------------------------- CUPED


@pytest.mark.parametrize("rho", [0.3, 0.5, 0.8])
def test_cuped_variance_falls_by_about_one_minus_rho_squared(rho):
    """Closed form: var(Y − θX) / var(Y) = 1 − ρ² when θ is the regression slope."""
    r = users.cuped(rho=rho, users_per_arm=2_000, experiments=200, seed=2)
    assert r.variance_ratio_simulated == pytest.approx(1 - rho**2, abs=0.02)
    assert r.n_needed_cuped / r.n_needed_raw == pytest.approx(1 - rho**2, abs=0.03)
    assert r.theta_mean == pytest.approx(rho, abs=0.02)
    assert r.se_cuped / r.se_raw == pytest.approx(math.sqrt(1 - rho**2), abs=0.08)


def test_cuped_keeps_alpha_and_bias_and_raises_power():
    r = users.cuped(seed=5)
    assert r.power_cuped > r.power_raw + 0.05
    assert abs(r.fpr_cuped - r.alpha) < 0.035
    assert r.mean_estimate_cuped == pytest.approx(r.effect, abs=0.005)
    for rho, theory, sim in r.by_rho:
        assert sim == pytest.approx(theory, abs=0.03), rho


# -------------------------------------------------------------------------- unit


@pytest.fixture(scope="module")
def unit_default():
    return users.unit(seed=0)


def test_unit_naive_request_analysis_inflates_false_positives(unit_default):
    """Closed form: naive FPR ≈ 2Φ(−z_α/2 / √(1 + (m_eff − 1)·ICC))."""
    r = unit_default
    assert r.fpr_naive > 2 * r.alpha
    assert r.fpr_naive == pytest.approx(r.fpr_naive_theory, abs=0.04)


def test_unit_user_level_delta_and_request_randomisation_keep_alpha(unit_default):
    for by, how, fpr, _ci, valid in unit_default.rows[1:]:
        assert valid
        assert abs(fpr - unit_default.alpha) < 0.025, (by, how, fpr)


def test_unit_without_correlation_naive_is_fine():
    r = users.unit(icc=0.0, experiments=400, seed=1)
    assert r.design_effect == pytest.approx(1.0)
    assert abs(r.fpr_naive - 0.05) < 0.035


def test_unit_sufficient_statistics_match_drawing_every_request():
    """The per-user Σy and arm Σy² shortcut has the same distribution as drawing requests."""
    rng = np.random.default_rng(0)
    k = np.full((4000, 6), 5.0)
    u = rng.standard_normal(k.shape) * 0.5
    tot, sq = users._unit_arm_stats(u, k, 0.8, rng)
    e = rng.standard_normal((4000, 6, 5)) * 0.8
    y = u[..., None] + e
    direct_tot, direct_sq = y.sum(axis=2), (y**2).sum(axis=(1, 2))
    assert stats.ks_2samp(tot.ravel() - 5 * u.ravel(), direct_tot.ravel() - 5 * u.ravel()).pvalue \
        > 0.001
    resid = sq - (tot**2 / 5).sum(axis=1)
    direct_resid = direct_sq - (direct_tot**2 / 5).sum(axis=1)
    assert stats.ks_2samp(resid, direct_resid).pvalue > 0.001


# ---------------------------------------------------------------------- segments


@settings(max_examples=15, deadline=None)  # multipletests costs ~70 ms a call
@given(p=st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=12),
       method=st.sampled_from(["holm", "bonferroni", "fdr_bh"]))
def test_adjusted_pvalues_equal_statsmodels_multipletests(p, method):
    """Reference: statsmodels.stats.multitest.multipletests."""
    ref = multipletests(p, method=method)[1]
    assert users.adjust_pvalues(np.array(p), method) == pytest.approx(ref, rel=1e-12)


@pytest.fixture(scope="module")
def seg():
    return users.segments(seed=0)


def test_segments_helps_overall_but_hurts_new_users(seg):
    assert seg.overall.significant and seg.overall.absolute_effect > 0
    new = seg.segments[0]
    assert new.segment == "new users"
    assert new.significant and new.absolute_effect < 0
    assert new.ci[1] < 0
    assert seg.harm_detected_rate > 0.9


def test_segment_hunting_fwer_matches_theory_and_correction_controls_it(seg):
    """Closed form: P(≥1 false positive in k independent tests) = 1 − (1 − α)^k."""
    for k, raw, theory, corrected in seg.fwer_by_k:
        se = math.sqrt(theory * (1 - theory) / seg.experiments)
        assert abs(raw - theory) < 4 * se + 0.005, k
        assert corrected <= seg.alpha + 0.015, k
    assert seg.fwer_by_k[-1][1] > 0.5


# ------------------------------------------------------- results, registry, CLI


SMALL = {
    "ab-test": {"experiments": 200},
    "ab-test plan": {},
    "ab-test verify": {"experiments": 200},
    "ab-test analyze": {"control": "120/1000", "treatment": "150/1000"},
    "ab-test peeking": {"experiments": 200, "looks": 5},
    "ab-test cuped": {"experiments": 20, "users_per_arm": 200},
    "ab-test unit": {"experiments": 20, "users_per_arm": 100},
    "ab-test segments": {"experiments": 50, "users_per_arm": 20_000},
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_registry_runs_every_simulation_and_results_render(name):
    result = registry.run(name, SMALL[name], seed=1)
    assert isinstance(result, SimResult)
    json.dumps(result.to_dict())
    assert result.tables() and result.reading()
    for tbl in result.tables():
        assert all(len(row) == len(tbl.columns) for row in tbl.rows)
    for chart in result.charts():
        for s in chart.series:
            assert len(s.x) == len(s.y) > 0
    assert registry.run(name, SMALL[name], seed=1).to_dict() == result.to_dict()


def test_every_spec_is_registered_and_scenario_style_args_are_checked():
    names = {s.name for s in SPECS}
    assert names == set(SMALL)
    spec = registry.get_spec("ab-test")
    assert registry.check_args(spec, {"baseline": 0.05, "mde": 0.002}) is None
    assert registry.check_args(spec, {"baseline": "x"}) is not None


def _cli_params(path: list[str]):
    import typer

    from mlsd.cli import app

    cmd = typer.main.get_command(app)
    for part in ["simulate", *path]:
        cmd = cmd.commands[part]
    return {p.name: p for p in cmd.params}


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_cli_options_equal_registry_options(spec):
    params = _cli_params(spec.name.split())
    names = set(params) - {"seed", "json_", "ctx", "lang"}  # --lang: on every command
    assert names == {o.name for o in spec.options}
    for o in spec.options:
        p = params[o.name]
        assert p.default == o.default, o.name
        assert p.opts == ["--" + o.name.replace("_", "-")]
        assert p.help


def test_cli_and_specs_do_not_import_numpy():
    code = ("import sys, mlsd.cli.simulate, mlsd.sims.specs.abtest; "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("sub", ["peeking", "cuped", "unit", "segments"])
def test_subcommands_print_tables_and_json(run_cli, sub):
    args = {"peeking": ["--experiments", "300"], "cuped": ["--experiments", "20"],
            "unit": ["--experiments", "20"], "segments": ["--experiments", "50"]}[sub]
    res = run_cli("simulate", "ab-test", sub, *args)
    assert res.code == 0, res.stderr
    assert "What the numbers say" in res.stdout
    res = run_cli("simulate", "ab-test", sub, *args, "--json")
    assert res.code == 0
    json.loads(res.stdout)


# ------------------------------------------------------------ review fixes


def test_peeking_explains_why_its_n_differs_from_plan(peek20):
    from mlsd.sims.abtest import plan

    assert peek20.n_plan == plan().n_per_arm == 14_751
    assert peek20.n_per_arm == 20 * peek20.n_per_look == 14_760
    note = peek20.tables()[0].note
    assert "`ab-test plan` gives 14,751, rounded up to 20 equal looks of 738" in note
    text = " ".join(peek20.reading())
    assert "Checked at each of 20 looks" in text


def test_cuped_without_correlation_says_there_is_no_gain():
    r = users.cuped(rho=0.0, users_per_arm=500, experiments=40, seed=0)
    text = " ".join(r.reading())
    assert "no gain" in text and "rises from" not in text
    assert "rises from" in " ".join(users.cuped(rho=0.5, users_per_arm=500, experiments=40,
                                               seed=0).reading())


@pytest.fixture(scope="module")
def seg_gain_none():
    return users.segments(new_effect=0.05, correction="none", experiments=50,
                          users_per_arm=20_000, seed=0)


def test_segments_wording_follows_the_sign_of_the_effect_and_the_correction(seg_gain_none, seg):
    text = " ".join(seg_gain_none.reading())
    assert "harm" not in text and "lift for new users (+5%)" in text
    assert "with no correction" not in text and "without correction" in text
    cells = [c for t in seg_gain_none.tables() for c in (t.title, *t.columns)]
    assert not any(c.endswith("with no") or "no correction correction" in c for c in cells)
    assert "P(≥1 false alarm), no correction" in seg_gain_none.tables()[1].columns
    default = " ".join(seg.reading())
    assert "harm to new users (-10%)" in default and "with Holm correction" in default
    assert "but for new users" in default


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_printed_string_survives_the_terminal_table(name):
    """The CLI prints titles, cells, notes and readings as text, not rich markup: '[k]' stays."""
    import io

    from rich.console import Console

    from mlsd.cli.output import rich_table

    result = registry.run(name, SMALL[name], seed=1)
    for tbl in result.tables():
        buffer = io.StringIO()
        Console(file=buffer, width=400, color_system=None).print(rich_table(tbl))
        flat = " ".join(buffer.getvalue().split())
        for text in [tbl.title, tbl.note, *(c for row in tbl.formatted_rows() for c in row)]:
            if text:
                assert " ".join(text.split()) in flat, text


def test_unit_caption_keeps_its_formula(run_cli):
    res = run_cli("simulate", "ab-test", "unit", "--experiments", "20", "--users-per-arm", "100")
    assert res.code == 0, res.stderr
    flat = " ".join(res.stdout.split())
    assert "m_eff = E[k²]/E[k]" in flat and "E/E" not in flat


# ------------------------------------------- a segment or arm with rate or variance 0


@pytest.mark.parametrize(("args", "cell", "said"), [
    # 100 users per arm: "power users" get ~8 of them and (seed 0) no conversion at all.
    ({"users_per_arm": 100}, "no conversions — no estimate", ""),
    # A 1e-12 baseline: nobody converts anywhere, overall included.
    ({"baseline": 1e-12}, "no conversions — no estimate", "No user converted in the control"),
    # A 1e-12 share: the new-user segment has no users.
    ({"new_share": 1e-12}, "no users — no estimate", "no user landed in one arm"),
])
def test_segments_without_users_or_conversions_say_there_is_no_estimate(args, cell, said,
                                                                        check_charts):
    """A segment whose control rate is 0 used to divide by it (ZeroDivisionError), and an
    empty segment gave NaN rates with numpy warnings; now it is a row that says so."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 anywhere on the way
        result = users.segments(experiments=50, seed=0, **{"users_per_arm": 20_000, **args})
        rows = [row for tbl in result.tables() for row in tbl.formatted_rows()]
        text = " ".join(result.reading())
        check_charts(result)
    assert any(cell in row for row in rows), rows
    assert "nan" not in json.dumps(result.to_dict()).lower()
    assert said in text
    for row in (result.overall, *result.segments):
        assert 0 <= row.p_value <= 1 and math.isfinite(row.ci[0]) and math.isfinite(row.ci[1])


def test_segments_with_few_users_run_from_the_cli(run_cli):
    res = run_cli("simulate", "ab-test", "segments", "--users-per-arm", "100",
                  "--experiments", "50")
    assert res.code == 0, res.stderr
    assert "no estimate" in res.stdout and "Traceback" not in res.stderr
