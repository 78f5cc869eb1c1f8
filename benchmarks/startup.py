"""Start-up time of the light commands against `python -c "import typer"` in the same run.

Goal (foundation issue): `mlsd --help` under 150 ms and under 2x the typer import.
Usage: python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    'python -c "import typer"': [sys.executable, "-c", "import typer"],
    "mlsd --help": [sys.executable, "-m", "mlsd", "--help"],
    "mlsd scenarios": [sys.executable, "-m", "mlsd", "scenarios"],
    "mlsd checklist feed-ranking": [sys.executable, "-m", "mlsd", "checklist", "feed-ranking"],
}


def median_ms(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache and .pyc files
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = {name: median_ms(cmd, args.runs) for name, cmd in CASES.items()}
    baseline = results['python -c "import typer"']
    print(f"{'command':32} {'median ms':>10} {'x typer import':>15}")
    for name, ms in results.items():
        print(f"{name:32} {ms:10.1f} {ms / baseline:15.2f}")


if __name__ == "__main__":
    main()
