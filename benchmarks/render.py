"""Render timings: re-render without simulations, and a cold render with all of them.

Goal (render issue): under 300 ms without simulations (warm: cache and files
in place), under 10 s with all of a scenario's simulations cold. The reference
measured in the same run is `mlsd checklist SCENARIO --format markdown`, the
lightest command that also loads a scenario and prints a document.
Progress (issue 15): a cold run of the scenario's simulations (as `render` runs them:
worker processes, one per core) with the progress callback recorded: when the bar first
moves, the longest time it stands still, and CPU seconds of the process and its workers.
Goal: cold render under 5 s wall on 2 cores, the bar moving within the first second.
Usage: python benchmarks/render.py [--scenario feed-ranking] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


TRACE = """
import json, sys, time
from pathlib import Path
from mlsd.content.scenario import load_scenario
from mlsd.doc.render import run_simulations
moves = []
start = time.perf_counter()
def progress(fraction, label):
    if not moves or fraction > moves[-1][1]:
        moves.append((time.perf_counter() - start, fraction))
run_simulations(load_scenario(sys.argv[1]), cache_dir=Path(sys.argv[2]), progress=progress)
print(json.dumps({"moves": moves, "wall": time.perf_counter() - start}))
"""


def progress_trace(scenario: str, cache_dir: str) -> tuple[dict, float]:
    """(trace, CPU seconds of the child and its workers) of one cold run of the simulations."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", TRACE, scenario, cache_dir], check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return json.loads(out.stdout.strip().splitlines()[-1]), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="feed-ranking")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    mlsd = [sys.executable, "-m", "mlsd"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MLSD_HOME": str(Path(tmp) / "home")}
        out = Path(tmp) / "doc.html"
        base = [timed([*mlsd, "checklist", args.scenario, "--format", "markdown"], env) for _ in range(args.runs)]
        cold = timed([*mlsd, "render", args.scenario, "--format", "html", "-o", str(out), "--force"], env)
        warm = [timed([*mlsd, "render", args.scenario, "--format", "html", "-o", str(out), "--force"], env)
                for _ in range(args.runs)]
        nosim = [timed([*mlsd, "render", args.scenario, "--no-simulations", "-o", str(out), "--force"], env)
                 for _ in range(args.runs)]
        trace, trace_cpu = progress_trace(args.scenario, str(Path(tmp) / "trace-cache"))
    ref = statistics.median(base)
    rows = [
        ("checklist --format markdown (reference)", ref),
        ("render --no-simulations", statistics.median(nosim)),
        ("render html, simulations cached", statistics.median(warm)),
        ("render html, simulations cold", cold),
    ]
    print(f"{'case':42} {'seconds':>8} {'x reference':>12}")
    for name, seconds in rows:
        print(f"{name:42} {seconds:8.3f} {seconds / ref:12.2f}")
    times = [0.0] + [t for t, _ in trace["moves"]] + [trace["wall"]]
    first = trace["moves"][0][0] if trace["moves"] else trace["wall"]
    print()
    print(f"cold simulations with progress: {trace['wall']:.2f} s wall, {trace_cpu:.2f} s CPU "
          f"({trace_cpu / ref:.1f}x the reference's wall), {len(trace['moves'])} moves of the bar; "
          f"first move after {first:.2f} s, longest still {max(b - a for a, b in zip(times, times[1:], strict=False)):.2f} s")


if __name__ == "__main__":
    main()
