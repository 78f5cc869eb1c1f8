"""Registry entries for the retrieval family (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="retrieval",
        summary="Exact vs IVF vs HNSW vs IVF-PQ search on clustered embeddings, then a re-ranker.",
        target="mlsd.sims.retrieval:simulate_retrieval",
        options=(
            OptionSpec("n", "int", 20_000, "Items in the catalogue (1,000 to 1,000,000)."),
            OptionSpec("dim", "int", 64, "Embedding dimension (2 to 2,048)."),
            OptionSpec("n_queries", "int", 100, "Queries searched by every index (10 to 100,000)."),
            OptionSpec("clusters", "int", 500, "Topics the item embeddings form: nested, uneven in size and spread, plus 10% uniform noise."),
            OptionSpec(
                "target_recall", "float", 0.95, "Recall@10 the chosen index must reach, in (0, 1]."
            ),
            OptionSpec("nlist", "int", 0, "IVF inverted lists; 0 picks the power of two at or above √n."),
            OptionSpec(
                "max_nprobe", "int", 64, "Largest IVF nprobe in the sweep (1, 2, 4, … up to it)."
            ),
            OptionSpec("hnsw_m", "int", 16, "HNSW links per node (M), 2 to 256."),
            OptionSpec(
                "ef_construction",
                "int",
                16,
                "HNSW efConstruction: candidate list size while building.",
            ),
            OptionSpec(
                "max_ef_search",
                "int",
                256,
                "Largest HNSW efSearch in the sweep (16, 32, … up to it).",
            ),
            OptionSpec(
                "pq_m", "int", 8, "IVF-PQ sub-quantizers (bytes per vector); must divide --dim."
            ),
            OptionSpec(
                "candidates",
                "int",
                100,
                "ANN candidates the re-ranker re-orders in the two-stage search (10 to 10,000, at most --n).",
            ),
        ),
    )
]
