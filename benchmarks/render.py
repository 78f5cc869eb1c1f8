"""Render timings: re-render without simulations, and a cold render with all of them.

Goal (render issue): under 300 ms without simulations (warm: cache and files
in place), under 10 s with all of a scenario's simulations cold. The reference
measured in the same run is `mlsd checklist SCENARIO --format markdown`, the
lightest command that also loads a scenario and prints a document.
Usage: python benchmarks/render.py [--scenario feed-ranking] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
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


if __name__ == "__main__":
    main()
