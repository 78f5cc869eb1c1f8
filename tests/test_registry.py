"""The simulation registry and the CLI agree, and the registry is light."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from mlsd.cli import app
from mlsd.sims import registry

COMMON = {"seed", "json_", "json", "help", "lang"}  # --lang: on every command


def _command(path: list[str]):
    cmd = typer.main.get_command(app).commands["simulate"]
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def test_registry_is_not_empty():
    assert registry.all_specs()


@pytest.mark.parametrize("name", sorted(registry.all_specs()))
def test_every_registered_simulation_is_a_cli_command_with_the_same_options(name):
    spec = registry.all_specs()[name]
    cmd = _command(name.split())
    cli = {p.name for p in cmd.params} - COMMON - set(spec.cli_only)
    # a group's callback (e.g. the ab-test tour) carries the options of the group itself
    assert cli == {o.name for o in spec.options}, f"{name}: CLI {sorted(cli)} vs registry {sorted(o.name for o in spec.options)}"
    for opt in spec.options:
        param = next(p for p in cmd.params if p.name == opt.name)
        if not param.multiple and opt.type != "list":
            assert param.default == opt.default or (
                hasattr(param.default, "value") and param.default.value == opt.default
            ), f"{name} --{opt.name}: CLI default {param.default!r} vs registry {opt.default!r}"


@pytest.mark.parametrize("name", sorted(registry.all_specs()))
def test_target_is_importable_and_takes_seed_and_progress(name):
    import importlib
    import inspect

    spec = registry.all_specs()[name]
    module, func = spec.target.split(":")
    fn = getattr(importlib.import_module(module), func)
    params = inspect.signature(fn).parameters
    assert {"seed", "progress"} <= set(params)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert {o.name for o in spec.options} <= set(params)


def test_registry_imports_no_numpy():
    code = "import sys; from mlsd.sims import registry; registry.all_specs(); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_unknown_simulation_and_bad_args():
    with pytest.raises(registry.BadInputError, match="unknown simulation"):
        registry.get_spec("nope")
    spec = next(iter(registry.all_specs().values()))
    assert registry.check_args(spec, {"definitely_not_an_option": 1})[0] == "definitely_not_an_option"


def test_every_simulation_family_has_its_test_file():
    """Test files are named by what they test: tests/test_sim_<family>*.py per spec module
    (mlsd/sims/specs/<family>.py); shared helpers keep tests/test_<module>.py (test_drift.py)."""
    from pathlib import Path

    tests = Path(__file__).parent
    families = sorted(p.stem for p in (tests.parent / "mlsd" / "sims" / "specs").glob("*.py")
                      if p.stem != "__init__")
    assert len(families) >= 12
    missing = [f for f in families if not list(tests.glob(f"test_sim_{f}*.py"))]
    assert missing == []
