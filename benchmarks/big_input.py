"""`mlsd checklist FILE` on big-but-allowed input: a scenario whose summary is one unbroken line.

Issue 16 item 5: a one-line 5 MB summary (the loader's limit is 5 MB) took ~53 s with rich
laying it out. The terminal view now draws without rich in time linear in the text and
shows a long text's start, saying it was shortened. Printed: CPU seconds (user + sys of the
child) for summaries of growing size, as ratios to `mlsd checklist feed-ranking` measured in
the same run, and the cost per extra MB. Goal: the 5 MB file under 10x the reference
(generous: most of it is reading and parsing 5 MB of YAML), and cost growing linearly.
Usage: python benchmarks/big_input.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from mlsd.content.scenario import builtin_dir
from mlsd.content.yamlfile import MAX_BYTES


def big_scenario(target_bytes: int, char: str = "x") -> str:
    """feed-ranking with its summary replaced by one unbroken line, the file `target_bytes` long."""
    src = (builtin_dir() / "feed-ranking.yaml").read_text(encoding="utf-8")
    block = re.search(r"^summary: >-\n((?:  .*\n)+)", src, re.M)
    assert block, "feed-ranking.yaml has no folded summary"
    head, tail = src[:block.start()] + 'summary: "', '"\n' + src[block.end():]
    room = target_bytes - len((head + tail).encode())
    return head + char * (room // len(char.encode())) + tail


def cpu_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, capture_output=True, check=True, env={**os.environ, "COLUMNS": "80"})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    mlsd = [sys.executable, "-m", "mlsd", "checklist"]
    ref = cpu_seconds([*mlsd, "feed-ranking"], args.runs)
    print(f"{'input':44} {'cpu s':>8} {'x ref':>8}")
    print(f"{'mlsd checklist feed-ranking (reference)':44} {ref:8.3f} {1:8.2f}")
    sizes = [MAX_BYTES // 5, MAX_BYTES // 2, MAX_BYTES - 1024]
    cost = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, char in (("ascii", "x"), ("wide", "模")):
            for size in sizes:
                path = Path(tmp) / f"{label}-{size}.yaml"
                path.write_text(big_scenario(size, char), encoding="utf-8")
                cost[label, size] = cpu_seconds([*mlsd, str(path)], args.runs)
                name = f"one-line {label} summary, {size / 2**20:.1f} MB file"
                print(f"{name:44} {cost[label, size]:8.3f} {cost[label, size] / ref:8.2f}")
    for label in ("ascii", "wide"):
        small, large = cost[label, sizes[0]], cost[label, sizes[-1]]
        per_mb = (large - small) / ((sizes[-1] - sizes[0]) / 2**20)
        print(f"{label}: {per_mb:.3f} cpu s per extra MB ({per_mb / ref:.2f}x the reference per MB)")


if __name__ == "__main__":
    main()
