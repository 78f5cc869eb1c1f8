"""`mlsd simulate retrieval`: ANN index trade-offs for the search scenario."""

from __future__ import annotations

import typer


def register(group: typer.Typer) -> None:
    """Add this module's subcommands to the `simulate` group."""

    @group.command("retrieval")
    def retrieval_cmd(
        n: int = typer.Option(
            50_000,
            "--n",
            help="Items in the catalogue (1,000 to 1,000,000; refused if it would not fit in memory).",
        ),
        dim: int = typer.Option(64, "--dim", help="Embedding dimension (2 to 2,048)."),
        n_queries: int = typer.Option(
            200, "--n-queries", help="Queries searched by every index (10 to 100,000)."
        ),
        clusters: int = typer.Option(
            500, "--clusters", help="Clusters (topics) the item embeddings form."
        ),
        target_recall: float = typer.Option(
            0.95, "--target-recall", help="Recall@10 the chosen index must reach, in (0, 1]."
        ),
        nlist: int = typer.Option(
            0,
            "--nlist",
            help="IVF inverted lists; 0 picks a power of two near √n (256 for 100,000).",
        ),
        max_nprobe: int = typer.Option(
            64, "--max-nprobe", help="Largest IVF nprobe in the sweep (1, 2, 4, … up to it)."
        ),
        hnsw_m: int = typer.Option(16, "--hnsw-m", help="HNSW links per node (M)."),
        ef_construction: int = typer.Option(
            24,
            "--ef-construction",
            help="HNSW efConstruction: candidate list size while building the graph.",
        ),
        max_ef_search: int = typer.Option(
            256, "--max-ef-search", help="Largest HNSW efSearch in the sweep (16, 32, … up to it)."
        ),
        pq_m: int = typer.Option(
            8,
            "--pq-m",
            help="IVF-PQ sub-quantizers, i.e. bytes per stored vector; must divide --dim.",
        ),
        candidates: int = typer.Option(
            100,
            "--candidates",
            help="ANN candidates the re-ranker re-orders in the two-stage search.",
        ),
        seed: int = typer.Option(
            0,
            "--seed",
            help="Random seed: same seed, same world and the same recall (QPS and times are measured).",
        ),
        json_: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
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
        two-stage rows that use it. The default of 50,000 items keeps the run near 5 s
        on 2 cores; --n 100000 and up show the gap to brute force growing."""
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
