"""Fast start: the light commands import none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# pydantic: typer checks options with it (~70 ms); mlsd.cli lets plain str/bool/list[str]/Enum
# values skip it. If this fails after a typer upgrade, see mlsd.cli._skip_pydantic_for_plain_values.
HEAVY = ("numpy", "pandas", "scipy", "sklearn", "faiss", "matplotlib", "pydantic", "grandalf")

PROBE = """
import sys
from mlsd.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["scenarios"], ["scenarios", "--json"], ["checklist"], ["checklist", "feed-ranking"],
     ["checklist", "churn", "--format", "json"], ["simulate", "--help"], ["scenarios", "--tag", "fraud"],
     ["checklist", "churn", "--stage", "model", "--format", "markdown"], ["checklist", "feed-ranking", "--diagram"],
     ["--help", "--lang", "zh"], ["scenarios", "--lang", "zh"], ["checklist", "feed-ranking", "--lang", "zh"],
     ["checklist", "feed-ranking", "--diagram", "--lang", "zh"]],
)
def test_light_commands_import_no_heavy_library(argv):
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout[-300:]


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "mlsd", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("mlsd ")


def test_the_script_freezes_the_heap_but_main_called_from_code_does_not(monkeypatch, run_cli):
    """`mlsd` (cli.run) freezes the gc heap before a simulation and at exit, so the
    interpreter's final collections skip the imported libraries' objects; main() called
    from other code (here: the test process) must never freeze its caller's garbage."""
    import gc

    from mlsd import cli
    from mlsd.cli import output

    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(output, "owns_process", False)  # restored after the test
    res = run_cli("simulate", "training", "--json")
    assert res.code == 0 and calls == []

    monkeypatch.setattr(sys, "argv", ["mlsd", "simulate", "training", "--json"])
    with pytest.raises(SystemExit) as exc:
        cli.run()
    assert exc.value.code == 0
    assert calls == ["freeze", "freeze"]  # before the simulation, then on the way out


def test_python_m_mlsd_and_the_console_script_use_run():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]["mlsd"] == "mlsd.cli:run"
    assert "run()" in (root / "mlsd" / "__main__.py").read_text()


# What each simulation may import: the ones that need no scikit-learn or scipy.stats
# must not pay ~0.5-1.5 s of start-up for them (issue 15). A simulation that starts
# using one of these on purpose moves it into its own row here.
LEAN_SIMULATIONS = [
    (["simulate", "ab-test", "plan", "--json"], ("pandas", "scipy", "sklearn", "faiss", "matplotlib")),
    (["simulate", "ab-test", "verify", "--json"], ("pandas", "scipy", "sklearn", "faiss", "matplotlib")),
    (["simulate", "ab-test", "peeking", "--json"], ("pandas", "scipy.stats", "sklearn", "faiss", "matplotlib")),
    (["simulate", "ab-test", "segments", "--json"], ("pandas", "scipy.stats", "sklearn", "faiss", "matplotlib")),
    (["simulate", "serving", "--json"], ("pandas", "scipy", "sklearn", "faiss", "matplotlib")),
    (["simulate", "training", "--json"], ("pandas", "scipy", "sklearn", "faiss", "matplotlib")),
]


@pytest.mark.parametrize(("argv", "banned"), LEAN_SIMULATIONS, ids=[" ".join(a[1:-1]) for a, _ in LEAN_SIMULATIONS])
def test_simulations_import_only_what_they_use(argv, banned):
    probe = PROBE.replace("except SystemExit:\n    pass", "except SystemExit as exc:\n    assert exc.code == 0, exc.code")
    assert probe != PROBE
    out = subprocess.run([sys.executable, "-c", probe.format(argv=argv, heavy=banned)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout[-300:]


def test_values_that_skip_pydantic_are_still_checked(run_cli):
    """The fast path only passes values through unchanged; anything else gets typer's checks."""
    bad = run_cli("checklist", "--format", "JSON")
    assert bad.code == 2 and "--format must be one of text, markdown, json, got 'JSON'" in bad.stderr
    ok = run_cli("checklist", "churn", "--format", "json")
    assert ok.code == 0 and json.loads(ok.stdout)["scenario"]["id"] == "churn"
    tagged = run_cli("scenarios", "--json", "--tag", "fraud", "--tag", "ranking")
    assert tagged.code == 0 and all({"fraud", "ranking"} & set(s["tags"]) for s in json.loads(tagged.stdout))
    number = run_cli("simulate", "serving", "--qps", "abc")  # numbers still go to typer
    assert number.code == 2 and "--qps" in number.stderr


def test_the_lazy_command_table_matches_what_the_modules_register():
    """mlsd.cli.COMMANDS names each top-level command's module, in --help order; registering
    every module eagerly (as before) gives the same commands in the same order."""
    import typer

    from mlsd.cli import COMMANDS, _root, app, register_module

    eager = typer.Typer(add_completion=False, rich_markup_mode=None)
    eager.callback()(_root)
    owner = {}
    for module in dict.fromkeys(COMMANDS.values()):
        before = set(typer.main.get_command(eager).commands) if owner else set()
        register_module(eager, module)
        owner.update(dict.fromkeys(set(typer.main.get_command(eager).commands) - before, module))
    names = list(typer.main.get_command(eager).commands)
    assert owner == COMMANDS
    assert list(typer.main.get_command(app).commands) == names == list(COMMANDS)


def test_a_light_command_imports_only_its_own_command_module():
    """Issue 15: `mlsd scenarios` no longer imports and converts every command."""
    probe = (
        "import sys\nfrom mlsd.cli import main\n"
        "try:\n    main(['scenarios'])\nexcept SystemExit:\n    pass\n"
        "print('CLI:' + ','.join(sorted(m for m in sys.modules if m.startswith('mlsd.cli.'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.strip().splitlines()[-1].removeprefix("CLI:").split(","))
    assert not loaded & {"mlsd.cli.practice", "mlsd.cli.simulate", "mlsd.cli.render", "mlsd.cli.estimate",
                         "mlsd.cli.checklist"}, loaded
