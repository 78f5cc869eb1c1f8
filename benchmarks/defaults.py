"""Wall time of every default `mlsd simulate NAME --json`, against the import floor.

Goal (scenario and production simulation issues): each default run finishes in under
5 s on this machine (2 cores), imports included. The reference, measured in the same
run, is a process that only imports what a simulation command cannot do without: the
CLI, numpy, pandas, scikit-learn and faiss. The ratio shows how much of a run is the
simulation itself rather than start-up.

Usage: python benchmarks/defaults.py [--runs 3] [NAME ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

FLOOR = [
    sys.executable,
    "-c",
    "import mlsd.cli, numpy, pandas, faiss, sklearn.ensemble, sklearn.linear_model, sklearn.metrics; "
    "import gc; gc.freeze()",  # exits as `mlsd` does (see mlsd.cli.run)
]
TARGET_SECONDS = 5.0


def default_names() -> list[str]:
    from mlsd.sims.registry import all_specs

    # ab-test subcommands that need inputs (analyze) are left out; the tour covers the rest
    return [n for n in all_specs() if " " not in n or n in ("ab-test plan", "ab-test verify")]


def wall_seconds(cmd: list[str], runs: int) -> tuple[float, float]:
    """(median, worst) wall seconds over `runs` runs, after one untimed warm-up."""
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache and .pyc files
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("names", nargs="*", help="simulations to time (default: all)")
    args = parser.parse_args()
    floor, floor_worst = wall_seconds(FLOOR, args.runs)
    print(f"import floor (CLI + numpy + pandas + faiss + scikit-learn): "
          f"median {floor:.2f} s, worst {floor_worst:.2f} s")
    print(f"{'mlsd simulate …':28} {'median s':>9} {'worst s':>8} {'x floor':>8}  under {TARGET_SECONDS:g} s")
    over = []
    for name in args.names or default_names():
        cmd = [sys.executable, "-m", "mlsd", "simulate", *name.split(), "--json"]
        median, worst = wall_seconds(cmd, args.runs)
        ok = worst < TARGET_SECONDS
        if not ok:
            over.append(name)
        print(f"{name:28} {median:9.2f} {worst:8.2f} {median / floor:8.2f}  {'yes' if ok else 'NO'}")
    print(f"over {TARGET_SECONDS:g} s in the worst run: {', '.join(over) or 'none'}")


if __name__ == "__main__":
    main()
