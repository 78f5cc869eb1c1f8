"""`mlsd simulate retrieval`: ANN index trade-offs for the search scenario."""

from __future__ import annotations

import typer

from mlsd.cli.simopts import json_option, option, seed_option


def register(group: typer.Typer) -> None:
    """Add this module's subcommands to the `simulate` group."""

    @group.command("retrieval")
    def retrieval_cmd(
        n: int = option("retrieval", "n"),
        dim: int = option("retrieval", "dim"),
        n_queries: int = option("retrieval", "n_queries"),
        clusters: int = option("retrieval", "clusters"),
        target_recall: float = option("retrieval", "target_recall"),
        nlist: int = option("retrieval", "nlist"),
        max_nprobe: int = option("retrieval", "max_nprobe"),
        hnsw_m: int = option("retrieval", "hnsw_m"),
        ef_construction: int = option("retrieval", "ef_construction"),
        max_ef_search: int = option("retrieval", "max_ef_search"),
        pq_m: int = option("retrieval", "pq_m"),
        candidates: int = option("retrieval", "candidates"),
        seed: int = seed_option(
            "Random seed: same seed, same world and the same recall (QPS and times are measured)."
        ),
        json_: bool = json_option(),
    ) -> None:
        """Pick an ANN index: exact vs IVF vs HNSW vs IVF-PQ on clustered embeddings, then re-rank.

        Builds a seeded catalogue of clustered item embeddings and queries, searches it
        with faiss exact (flat), IVF-Flat over an nprobe sweep, HNSW over an efSearch
        sweep and IVF-PQ (compressed, for memory), and reports recall@10
        (ann-benchmarks' definition), queries per second, build time and memory of each.
        scikit-learn's brute-force nearest neighbours, run on the same queries, is the
        ground truth and the speed baseline. The chosen index is the fastest
        approximate one whose recall reaches --target-recall; an unreachable target is
        an error that names the best recall found. A two-stage search then re-ranks the
        chosen index's candidates with a model that also sees item quality, and
        compares NDCG@10 against exact retrieval.

        faiss and BLAS are pinned to one thread and the HNSW graph is built by a single
        thread (beside the main one), so every recall is identical for the same seed.
        QPS (queries per CPU-second of one thread) and *_seconds (CPU seconds) are
        measured and vary run to run, and so may the winner on speed and the
        two-stage rows that use it. The default of 20,000 items keeps the whole run
        under 5 s on 2 cores; --n 100000 (a few seconds more) and up show the gap to brute
        force growing, since brute force scans every item and IVF only √n lists."""
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.retrieval import simulate_retrieval

        run_and_emit(
            simulate_retrieval,
            as_json=json_,
            title="Retrieval: choosing an ANN index",
            n=n,
            dim=dim,
            n_queries=n_queries,
            clusters=clusters,
            target_recall=target_recall,
            nlist=nlist,
            max_nprobe=max_nprobe,
            hnsw_m=hnsw_m,
            ef_construction=ef_construction,
            max_ef_search=max_ef_search,
            pq_m=pq_m,
            candidates=candidates,
            seed=seed,
        )
