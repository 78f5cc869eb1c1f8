"""Declaration for the retrieval family (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='retrieval',
        summary='Exact vs IVF vs HNSW vs IVF-PQ search on clustered embeddings, then a re-ranker.',
        target='mlsd.sims.retrieval:simulate_retrieval',
        title='Retrieval: choosing an ANN index',
        order=3,
        seed_help='Random seed: same seed, same world and the same recall (QPS and times are measured).',
        doc="""Pick an ANN index: exact vs IVF vs HNSW vs IVF-PQ on clustered embeddings, then re-rank.

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
        force growing, since brute force scans every item and IVF only √n lists.
        """,
        options=(
            OptionSpec('n', 'int', 20_000, 'Items in the catalogue (1,000 to 1,000,000).', range=closed(1000, 10**6)),
            OptionSpec('dim', 'int', 64, 'Embedding dimension (2 to 2,048).', range=closed(2, 2048)),
            OptionSpec('n_queries', 'int', 100, 'Queries searched by every index (10 to 100,000).', range=closed(10, 100_000)),
            OptionSpec('clusters', 'int', 500, 'Topics the item embeddings form: nested, uneven in size and spread, plus 10% uniform noise.', range=closed(1, 10**6)),
            OptionSpec('target_recall', 'float', 0.95, 'Recall@10 the chosen index must reach, in (0, 1].', range=above(0, 1)),
            OptionSpec('nlist', 'int', 0, 'IVF inverted lists; 0 picks the power of two at or above √n.', range=closed(0, 25_641)),
            OptionSpec('max_nprobe', 'int', 64, 'Largest IVF nprobe in the sweep (1, 2, 4, … up to it).', range=closed(1, 10**6)),
            OptionSpec('hnsw_m', 'int', 16, 'HNSW links per node (M), 2 to 256.', range=closed(2, 256)),
            OptionSpec('ef_construction', 'int', 16, 'HNSW efConstruction: candidate list size while building.', range=closed(4, 4096)),
            OptionSpec('max_ef_search', 'int', 256, 'Largest HNSW efSearch in the sweep (16, 32, … up to it).', range=closed(16, 32_768)),
            OptionSpec('pq_m', 'int', 8, 'IVF-PQ sub-quantizers (bytes per vector); must divide --dim.', range=closed(1, 2048)),
            OptionSpec('candidates', 'int', 100, 'ANN candidates the re-ranker re-orders in the two-stage search (10 to 10,000, at most --n).', range=closed(10, 10_000)),
        ),
    )
]
