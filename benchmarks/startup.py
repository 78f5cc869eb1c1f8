"""Start-up cost of each command against `python -c "import typer"` in the same run.

Light commands (`--help`, `scenarios`, `checklist`): the whole command. Goals (foundation
issue and issue 15): `mlsd --help` under 150 ms and 2x the typer import; `scenarios` and
`checklist` at most 1.5x.

Simulations (`--sims`): the import cost of `mlsd simulate NAME`, i.e. a process that
imports the CLI and the simulation's module as the command does, plus what the module
imports lazily for its default run is counted by the full command (`--full`). Goal
(issue 15): each simulation imports only what it uses; `ab-test plan --json`, the whole
command, at most 0.5 s.

CPU seconds (user + sys of the child, from getrusage) are the measure: wall time on a
shared machine mostly measures the neighbours. Wall medians are printed alongside.
Usage: python benchmarks/startup.py [--runs 7] [--sims] [--full]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

LIGHT = {
    "mlsd --help": ["--help"],
    "mlsd scenarios": ["scenarios"],
    "mlsd checklist feed-ranking": ["checklist", "feed-ranking"],
    # issue 19: the same in Chinese (catalog read from its cache; help texts swapped)
    "mlsd --help --lang zh": ["--help", "--lang", "zh"],
    "mlsd scenarios --lang zh": ["scenarios", "--lang", "zh"],
    "mlsd checklist feed-ranking --lang zh": ["checklist", "feed-ranking", "--lang", "zh"],
}
FULL = {"mlsd simulate ab-test plan --json": ["simulate", "ab-test", "plan", "--json"]}
TYPER = [sys.executable, "-c", "import typer"]


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(median CPU ms, median wall ms) of `runs` runs after one untimed warm-up."""
    subprocess.run(cmd, capture_output=True, check=True, env=env)  # warm the file cache and .pyc files
    cpu, wall = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        wall.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def sim_import_probe(target: str) -> list[str]:
    """A process importing what `mlsd simulate NAME` imports before it runs (and exiting as it does)."""
    module = target.split(":")[0]
    code = f"import mlsd.cli, mlsd.cli.output, mlsd.sims.registry, {module}; import gc; gc.freeze()"
    return [sys.executable, "-c", code]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sims", action="store_true", help="also the import cost of every simulation")
    parser.add_argument("--full", action="store_true", help="also whole commands (ab-test plan --json)")
    args = parser.parse_args()
    cases: dict[str, list[str]] = {'python -c "import typer"': TYPER}
    cases.update({name: [sys.executable, "-m", "mlsd", *argv] for name, argv in LIGHT.items()})
    if args.full:
        cases.update({name: [sys.executable, "-m", "mlsd", *argv] for name, argv in FULL.items()})
    if args.sims:
        from mlsd.sims.registry import all_specs

        seen = set()
        for name, spec in all_specs().items():
            module = spec.target.split(":")[0]
            if module not in seen:
                seen.add(module)
                cases[f"import for simulate {name}"] = sim_import_probe(spec.target)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    results = {name: measure(cmd, args.runs, env) for name, cmd in cases.items()}
    base_cpu, base_wall = results['python -c "import typer"']
    print(f"{'command':44} {'cpu ms':>8} {'x typer':>8} {'wall ms':>8} {'x typer':>8}")
    for name, (cpu, wall) in results.items():
        print(f"{name:44} {cpu:8.0f} {cpu / base_cpu:8.2f} {wall:8.0f} {wall / base_wall:8.2f}")


if __name__ == "__main__":
    main()
