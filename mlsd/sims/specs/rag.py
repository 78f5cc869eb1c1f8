"""Declaration for `mlsd simulate rag` (plain data, no numpy)."""

from mlsd.limits import closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='rag',
        summary='RAG retrieval: chunk size and overlap, BM25 vs dense vs hybrid (RRF) vs re-ranked, context cost, "I don\'t know".',
        target='mlsd.sims.rag:simulate_rag',
        title='Retrieval-augmented generation: chunking, retrievers, context cost',
        order=11,
        seed_help='Random seed: same seed, same language, corpus, questions and numbers.',
        doc="""RAG retrieval: chunking, BM25 vs dense vs hybrid (RRF) vs re-ranked, and the context bill.

        Builds a seeded synthetic language and corpus, splits it into fixed-size token
        chunks, retrieves the top k for each question with BM25, a dense index
        (faiss), their reciprocal-rank fusion and the fusion re-ranked, and reports
        recall@k, MRR@k, precision@1, answer-passage coverage (the share of the
        answer's tokens that reach the context), context tokens and cost per question;
        then chunk sizes and overlaps, recall by context size with and without the
        re-ranker, an "I don't know" threshold, and the chunking a designer should pick.

        Assumptions. Every concept is written with one of --synonyms forms, chosen
        per paragraph. Each paragraph (an answer passage, 40 to 110 tokens) is about
        three facets of its document's topic and names a product code found nowhere
        else. Questions: keyword (the code and two terms as the passage writes them),
        paraphrased (four of its concepts, mostly in other forms), multi-hop (one
        passage's code and, paraphrased, a second passage in another document that
        shares a name with it) and out of corpus (about passages left out). The
        embedding model (PPMI of sentence co-occurrence reduced by TruncatedSVD) is
        trained on a background corpus of the same language before the corpus exists:
        it learns the synonyms but has never seen the codes, like a general encoder.
        BM25 uses Lucene's idf on the chunks' term counts. The re-ranker is a
        late-interaction score (each question term's best match in the chunk: 1 for the
        same term, else the embedding cosine) standing in for a cross-encoder. A chunk
        counts for recall when it overlaps an answer passage. Cost: 200 instruction
        tokens + question + context at --usd-per-million-tokens, output not counted.
        The threshold for "I don't know" is set on a second draw of questions to
        answer 95% of the answerable ones. The pick: the cheapest chunking that fits
        --context-budget within 2 points of the best answer coverage (hybrid + re-rank).
        One thread: the same numbers for the same seed.
        """,
        options=(
            OptionSpec('n_docs', 'int', 300, 'Documents in the corpus, 3 to 8 passages each.', range=closed(20, 5000), unit='documents'),
            OptionSpec('n_queries', 'int', 300, 'Questions asked (a second draw as many sets the "I don\'t know" threshold).', range=closed(20, 5000), unit='questions'),
            OptionSpec('chunk_size', 'int', 64, 'Tokens per chunk; at most --context-budget.', range=closed(8, 8192), unit='tokens'),
            OptionSpec('overlap', 'int', 16, 'Tokens a chunk shares with the next; less than --chunk-size.', range=closed(0, 8191), unit='tokens'),
            OptionSpec('top_k', 'int', 5, 'Chunks put into the context; --top-k × --chunk-size must fit --context-budget.', range=closed(1, 100), unit='chunks'),
            OptionSpec('candidates', 'int', 30, 'Hybrid results the re-ranker re-orders (at least --top-k).', range=closed(1, 1000), unit='chunks'),
            OptionSpec('context_budget', 'int', 2048, 'Tokens of retrieved context the prompt can hold.', range=closed(8, 1_000_000), unit='tokens'),
            OptionSpec('usd_per_million_tokens', 'float', 3.0, 'Price of input tokens, in USD per million.', range=closed(0, 1000), unit='USD per 1M tokens'),
            OptionSpec('keyword_share', 'float', 0.35, 'Share of questions that name a product code.', range=closed(0, 1)),
            OptionSpec('multi_hop_share', 'float', 0.15, 'Share of questions whose answer spans two passages.', range=closed(0, 1)),
            OptionSpec('out_of_corpus_share', 'float', 0.15, 'Share of questions the corpus cannot answer (paraphrased questions take the rest of the shares).', range=closed(0, 1)),
            OptionSpec('synonyms', 'int', 3, 'Surface forms per concept; with 1 a paraphrase can only reuse the passage\'s words.', range=closed(1, 8), unit='forms'),
            OptionSpec('dim', 'int', 64, 'Embedding dimension.', range=closed(8, 256)),
            OptionSpec('dense_index', 'choice', 'flat', 'faiss index for dense search: flat (exact inner product) or ivf (IVF-Flat, √chunks lists).', choices=('flat', 'ivf')),
            OptionSpec('nprobe', 'int', 8, 'IVF lists searched per question (with --dense-index ivf).', range=closed(1, 4096), unit='lists'),
            OptionSpec('rrf_k', 'int', 60, 'Reciprocal-rank fusion constant k in 1 / (k + rank).', range=closed(1, 1000)),
            OptionSpec('bm25_k1', 'float', 1.2, 'BM25 term-frequency saturation k1.', range=closed(0, 10)),
            OptionSpec('bm25_b', 'float', 0.75, 'BM25 length normalisation b, in [0, 1].', range=closed(0, 1)),
        ),
    )
]
