"""QPS of the chosen faiss index against scikit-learn brute force, measured in the same run.

Goal (issue 5): at recall@10 ≥ 0.9 the chosen faiss index is at least 10× faster than
scikit-learn's brute-force NearestNeighbors on the same queries. Both run on one thread;
QPS is queries per CPU-second of that thread (`time.thread_time`), so a busy machine
inflates neither side, and both are timed the same way (`measured_qps`: a warm-up call,
then the median of repeated calls, nothing else running in the simulation). Also
prints the wall-clock time of the whole default simulation.

Usage: python benchmarks/retrieval.py [--n 100000] [--seeds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from mlsd.sims.retrieval import simulate_retrieval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="catalogue size (issue 5's 100,000)")
    parser.add_argument("--seeds", type=int, default=3, help="runs with seeds 0..seeds-1")
    parser.add_argument("--target-recall", type=float, default=0.9)
    parser.add_argument("--n-queries", type=int, default=200, help="queries per timed batch (the CLI default is 100)")
    args = parser.parse_args()

    print(f"n={args.n:,} dim=64, target recall@10 ≥ {args.target_recall:g}, one thread")
    header = f"{'seed':>4} {'chosen index':28} {'recall':>7} {'QPS':>10} {'brute QPS':>10} {'ratio':>7} {'wall s':>7} {'cpu s':>6}"
    print(header)
    ratios = []
    for seed in range(args.seeds):
        wall, cpu = time.perf_counter(), time.process_time()
        r = simulate_retrieval(n=args.n, n_queries=args.n_queries, target_recall=args.target_recall, seed=seed)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        ratios.append(r.speedup)
        c = r.chosen
        print(
            f"{seed:>4} {c.name:28} {c.recall:7.4f} {c.qps:10.0f} {r.baseline.qps:10.0f} "
            f"{r.speedup:6.1f}x {wall:7.2f} {cpu:6.2f}"
        )
    verdict = "meets" if min(ratios) >= 10 else "MISSES"
    print(
        f"speed-up over brute force: median {statistics.median(ratios):.1f}x, min {min(ratios):.1f}x "
        f"({verdict} the 10x goal)"
    )

    wall, cpu = time.perf_counter(), time.process_time()
    simulate_retrieval()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"default `mlsd simulate retrieval`: {wall:.2f} s wall, {cpu:.2f} s CPU (goal: under 5 s on 2 cores)"
    )


if __name__ == "__main__":
    main()
