"""Every numeric option has one range, shown in --help and checked before any work.

A value outside it (nan, inf, -1, 0, 1e12, 1e308, a 30-digit integer) is one line naming
the option and its range, exit 2: never a traceback from a solver, numpy or SQLite.
Only values the range refuses are sent, so no test here starts a simulation.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsd.limits import SEED, Limit
from mlsd.sims.registry import all_specs, limit


def _numeric_options():
    """(argv prefix, flag, is_int, help) of every int/float option anywhere in the CLI."""
    import typer

    from mlsd.cli import app

    found = []

    def walk(cmd, path):
        for p in cmd.params:
            kind = p.type_descriptor.annotation
            if kind in (int, float) and p.opts and p.opts[0].startswith("--"):
                found.append((tuple(path), p.opts[0], kind is int, getattr(p, "help", "") or ""))
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


OPTIONS = _numeric_options()
SIM_OPTIONS = [o for o in OPTIONS if o[0][:1] == ("simulate",)]
# Outside every range mlsd accepts anywhere (estimate and monitor's --port/--speed check their own).
ALWAYS_BAD = ["nan", "inf", "-inf", "1e308", "-1e308", str(10**30), str(-(10**30))]
EXTREMES = [*ALWAYS_BAD, "-1", "0", "1e12", "99999999999999999999999", "4294967296"]
RANGE_IN_HELP = re.compile(r"Range ([\[(])(-?[\d.e+]+), (-?[\d.e+]+)([\])])\.")


def _limit_of(path, flag) -> Limit | None:
    name = flag[2:].replace("-", "_")
    return limit(" ".join(path[1:]), name) if path[:1] == ("simulate",) else None


def _argv(path, flag, value):
    extra = ["feed-ranking"] if path == ("practice",) else []
    return [*path, *extra, flag, value]


def _refused(value: str, lim: Limit, is_int: bool) -> bool:
    number = float(value)
    if is_int and not (math.isfinite(number) and number == int(number) and "e" not in value and "." not in value):
        return True  # not a whole number written out: the option type refuses it
    return not lim.contains(int(value) if is_int else number)


def _assert_one_line(result, flag):
    assert result.code == 2, (flag, result.code, result.stderr[-300:])
    assert result.stderr.count("\n") == 1, result.stderr[-300:]
    assert "Traceback" not in result.stderr and flag in result.stderr, result.stderr


def test_every_simulate_option_has_a_finite_range_shown_in_help():
    assert len(SIM_OPTIONS) > 100
    for path, flag, _, help_text in SIM_OPTIONS:
        lim = _limit_of(path, flag)
        assert lim is not None, (path, flag)
        assert math.isfinite(lim.low) and math.isfinite(lim.high), (path, flag)
        assert lim.text() in help_text, (path, flag, help_text)


def test_every_spec_option_has_a_range():
    for spec in all_specs().values():
        for opt in (*spec.options, *spec.extras):
            if opt.type in ("int", "float"):
                assert opt.range is not None, (spec.name, opt.name)
                assert opt.range.contains(opt.default), (spec.name, opt.name)


def test_the_seeds_show_their_range():
    for path, flag, _, help_text in OPTIONS:
        if flag == "--seed":
            assert SEED.text() in help_text, path


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "retrieval", "--seed", "-1"],
        ["simulate", "retrieval", "--seed", "4294967296"],
        ["simulate", "features", "--zipf-exponent", "100"],
        ["simulate", "ab-test", "cuped", "--effect", "1e308"],
        ["practice", "feed-ranking", "--seed", "99999999999999999999999"],
        ["history", "--limit", "99999999999999999999999"],
        ["drill", "--count", "99999999999999999999999"],
    ],
)
def test_reported_values_are_one_line_naming_the_range(run_cli, argv):
    result = run_cli(*argv)
    _assert_one_line(result, argv[-2])
    assert "must be in [" in result.stderr or "must be in (" in result.stderr


def test_extreme_values_for_every_numeric_option(run_cli):
    """Every option in the CLI, each extreme value its range refuses: exit 2, one line."""
    tried = 0
    for path, flag, is_int, help_text in OPTIONS:
        lim = _limit_of(path, flag)
        if lim is None:
            match = RANGE_IN_HELP.search(help_text)
            if match:
                lo, hi = float(match[2]), float(match[3])
                lim = Limit(lo, hi, match[1] == "[", match[4] == "]")
        values = EXTREMES if lim is not None else ALWAYS_BAD
        for value in values:
            if lim is not None and not _refused(value, lim, is_int):
                continue
            _assert_one_line(run_cli(*_argv(path, flag, value)), flag)
            tried += 1
    assert tried > 1000, tried


def _outside(lim: Limit, is_int: bool):
    """Numbers the range refuses: beyond either end, and nan/inf."""
    beyond_high = st.floats(min_value=lim.high, allow_nan=False).filter(lambda v: not lim.contains(v))
    beyond_low = st.floats(max_value=lim.low, allow_nan=False).filter(lambda v: not lim.contains(v))
    floats = st.one_of(beyond_high, beyond_low, st.just(math.nan)).map(repr)
    if not is_int:
        return floats
    ints = st.one_of(
        st.integers(min_value=math.floor(lim.high) + 1), st.integers(max_value=math.ceil(lim.low) - 1)
    ).map(str)
    return st.one_of(ints, floats)


@st.composite
def _bad_simulate_value(draw):
    path, flag, is_int, _ = draw(st.sampled_from(SIM_OPTIONS))
    return path, flag, draw(_outside(_limit_of(path, flag), is_int))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_bad_simulate_value())
def test_any_value_outside_a_simulate_range_is_one_line(run_cli, case):
    path, flag, value = case
    _assert_one_line(run_cli(*path, flag, value), flag)


def test_scenario_simulation_args_get_the_same_ranges(run_cli, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(
        "id: c\ntitle: t\nsummary: s\nstages:\n  requirements: {prompt: p}\n"
        "simulations:\n  - name: features\n    args: {zipf_exponent: 100}\n"
    )
    result = run_cli("checklist", str(case))
    assert result.code == 2 and "--zipf-exponent" in result.stderr and "(0, 20]" in result.stderr


def test_stages_naming_no_step_saves_nothing(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("MLSD_HOME", str(tmp_path))
    answers = tmp_path / "a.yaml"
    answers.write_text("data: we log impressions\n")
    result = run_cli("practice", "feed-ranking", "--answers", str(answers), "--stages", ",,")
    _assert_one_line(result, "--stages")
    assert "No saved sessions" in run_cli("history").stdout
