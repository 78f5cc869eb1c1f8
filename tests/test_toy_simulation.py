"""Adding a simulation takes two files: its module and its declaration.

The test writes a toy simulation and its spec to a temporary folder, puts the spec on
the spec package's path, and checks that everything reads the one declaration:
`mlsd simulate` (help, ranges, --json, tables), the registry (`render`, scenarios)
and the generated command reference. Nothing else in the tree is edited.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from mlsd.sims import registry
from mlsd.sims import specs as spec_package

TOY_SIM = '''
from dataclasses import dataclass

from mlsd.sims.base import SimResult, table


@dataclass(frozen=True)
class ToyResult(SimResult):
    n: int
    total: float

    def tables(self):
        return [table("Toy", ["n", "total"], [[self.n, self.total]])]

    def reading(self):
        return [f"{self.n} draws add up to {self.total:g}."]


def simulate_toy(*, n: int = 3, scale: float = 1.5, seed: int = 0, progress=None) -> ToyResult:
    return ToyResult(n=n, total=n * scale + seed)
'''

TOY_SPEC = '''
from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS = [
    SimSpec(
        name="toy",
        summary="A toy simulation.",
        target="mlsd_toy_sim:simulate_toy",
        title="Toy",
        doc="""Add up some draws: a toy that proves two files are enough.

        A paragraph for --help.
        """,
        options=(
            OptionSpec("n", "int", 3, "Draws to add up.", range=closed(1, 100)),
            OptionSpec("scale", "float", 1.5, "Size of one draw.", range=above(0, 10), unit="points"),
        ),
    )
]
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy's two files, discovered; the CLI rebuilt from the registry, then restored."""
    import mlsd.cli

    specs_dir = tmp_path / "specs"
    specs_dir.mkdir()
    (specs_dir / "toy.py").write_text(textwrap.dedent(TOY_SPEC))
    (tmp_path / "mlsd_toy_sim.py").write_text(textwrap.dedent(TOY_SIM))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(spec_package, "__path__", [*spec_package.__path__, str(specs_dir)])
    registry.all_specs.cache_clear()
    monkeypatch.setattr(mlsd.cli, "app", mlsd.cli.build_app())
    mlsd.cli._command.cache_clear()
    yield
    registry.all_specs.cache_clear()
    mlsd.cli._command.cache_clear()


def test_the_toy_is_discovered_and_runs_from_the_cli(toy, run_cli):
    listing = run_cli("simulate", "--help")
    assert listing.code == 0 and "toy" in listing.stdout and "Add up some draws" in listing.stdout

    helped = run_cli("simulate", "toy", "--help")
    assert "--n <int>" in helped.stdout and "Range [1, 100]." in helped.stdout
    assert "--scale <float>" in helped.stdout and "Range (0, 10]." in helped.stdout
    assert "A paragraph for --help." in helped.stdout

    shown = run_cli("simulate", "toy", "--n", "4")
    assert shown.code == 0, shown.stderr
    assert "Toy" in shown.stdout and "4 draws add up to 6." in shown.stdout

    as_json = run_cli("simulate", "toy", "--n", "4", "--scale", "2", "--seed", "1", "--json")
    assert json.loads(as_json.stdout) == {"n": 4, "total": 9.0}

    run_cli("simulate", "toy", "--n", "101").assert_bad_input("--n")


def test_the_toy_is_in_the_registry_and_the_command_reference(toy):
    from mlsd.cli.reference import generate

    assert registry.run("toy", {"n": 2}, seed=0).total == 3.0
    assert registry.check_args(registry.get_spec("toy"), {"scale": 11.0})[0] == "scale"
    assert "### `mlsd simulate toy`" in generate()
