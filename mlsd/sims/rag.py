"""Retrieval-augmented generation: chunking, BM25 vs dense vs hybrid, a re-ranker, the context bill.

A seeded synthetic language and corpus in which the effects a RAG designer meets come
out of computation, not from tables of outcomes:

- **Synonyms.** Every concept is written with one of `synonyms` surface forms, chosen
  per paragraph. A paraphrased question uses other forms than the answer passage, so
  BM25 (exact terms) misses it; the dense embedding, learned from co-occurrence, maps
  the forms of one concept to nearby vectors and catches it.
- **Product codes.** Every passage names a code that appears nowhere else. A keyword
  question carries it: BM25 gives the rare term a high IDF and finds the passage;
  the embedding model never saw the code (it is out of its vocabulary, as an unseen
  code is split into generic sub-word pieces by a real encoder) and only finds the topic.
- **Multi-hop.** A question names the code of one passage and asks, in paraphrase,
  about a second passage in another document (the two share a bridging name): both
  must reach the context.
- **Out of corpus.** Questions about passages drawn from the same language but left
  out of the corpus: nothing can answer them, and the re-ranker's top score is what a
  threshold for "I don't know" reads.

The embedding model is trained once, before the corpus exists, on a background corpus
of the same language (positive PMI of sentence co-occurrence, reduced by scikit-learn's
TruncatedSVD), like a general-purpose encoder that is then applied to a company's
documents. Dense search is faiss (exact inner product, or IVF); BM25 is computed on the
sparse chunk-term count matrix (the matrix scikit-learn's CountVectorizer builds from the
same text; a test checks it); hybrid is reciprocal-rank fusion; the re-ranker is a
late-interaction score (each query term's best match in the chunk: 1 for the same term,
else the embedding cosine), a computed stand-in for a cross-encoder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import N_, _, ngettext, space
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table

# --- the language -------------------------------------------------------------------
TOPICS = 10  # documents are about one topic each
FACETS_PER_TOPIC = 24  # a facet is a small group of concepts that are written about together
CONCEPTS_PER_FACET = 3
FACETS_PER_PARAGRAPH = 3  # a paragraph is about 3 facets of its document's topic
FUNCTION_WORDS = 150  # the, of, is …: Zipf-distributed, in every paragraph
ZIPF_EXPONENT = 1.0
FUNCTION_SHARE = 0.45  # share of a paragraph's tokens that are function words
OWN_SHARE = 0.51  # share that are the paragraph's own concepts; the rest are other concepts of the topic
SENTENCE_TOKENS = 12  # a sentence is about one of the paragraph's facets
PARAGRAPH_TOKENS = (40, 110)  # a paragraph (an answer passage) is 40 to 110 tokens long
PARAGRAPHS_PER_DOC = (3, 8)
BACKGROUND_PARAGRAPHS = 8000  # the embedding model's training corpus
PMI_SMOOTHING = 0.75  # context-distribution smoothing of PPMI (Levy, Goldberg & Dagan 2015)
SVD_POWER = 0.0  # word vectors U Σ^p: p = 0 weighs every kept direction alike (Levy et al. 2015)

# --- the questions --------------------------------------------------------------------
PARAPHRASE_SWAP = 0.6  # chance that a paraphrased question writes a concept with another form
QUESTION_FUNCTION_WORDS = 2  # "what is …": the most frequent function words
FUNCTION_QUERY_POOL = 20

# --- retrieval and cost ---------------------------------------------------------------
FUSION_DEPTH = 100  # each retriever's top list that reciprocal-rank fusion reads
INSTRUCTION_TOKENS = 200  # the prompt's fixed instructions, paid on every query
ANSWERED_TARGET = 0.95  # the "I don't know" threshold keeps this share of answerable questions
COVERAGE_SLACK = 0.02  # the pick: the cheapest chunking within this of the best coverage
CHUNK_SWEEP = (32, 64, 128, 256, 512)
OVERLAP_SWEEP = (0.0, 0.125, 0.25, 0.5)  # overlap as a share of the chunk size
K_SWEEP = (1, 2, 3, 5, 10)
QUERY_KINDS = ("keyword", "paraphrase", "multi-hop")
PIPELINES = ("BM25", N_("dense"), N_("hybrid (RRF)"), N_("hybrid + re-rank"))  # values (--json); shown translated


# ---------------------------------------------------------------------------
# the language and the corpus


@dataclass
class Language:
    """Token ids: function words, then concept forms (concept c, form s), then codes and names."""

    synonyms: int
    function_p: np.ndarray  # Zipf probabilities of the function words

    @property
    def n_concepts(self) -> int:
        return TOPICS * FACETS_PER_TOPIC * CONCEPTS_PER_FACET

    @property
    def n_words(self) -> int:
        """The embedding model's vocabulary: function words and every concept form."""
        return FUNCTION_WORDS + self.n_concepts * self.synonyms

    def form(self, concept: np.ndarray, form: np.ndarray) -> np.ndarray:
        return FUNCTION_WORDS + concept * self.synonyms + form


def make_language(synonyms: int) -> Language:
    p = 1.0 / np.arange(1, FUNCTION_WORDS + 1) ** ZIPF_EXPONENT
    return Language(synonyms, p / p.sum())


@dataclass
class Paragraphs:
    """Paragraphs as one flat token array; paragraph i is tokens[start[i]:start[i] + length[i]]."""

    tokens: np.ndarray
    start: np.ndarray
    length: np.ndarray
    topic: np.ndarray
    concepts: np.ndarray  # (n, FACETS_PER_PARAGRAPH × CONCEPTS_PER_FACET) the paragraph's own concepts
    forms: np.ndarray  # the form each own concept is written in, in this paragraph
    sentence: np.ndarray  # per token: an id of its sentence (the embedding model's co-occurrence unit)


def make_paragraphs(rng: np.random.Generator, lang: Language, topic: np.ndarray) -> Paragraphs:
    """Draw paragraphs: function words, the paragraph's own concepts, and other concepts of the topic."""
    n = len(topic)
    low, high = PARAGRAPH_TOKENS
    length = rng.integers(low, high + 1, n)
    picked = np.argsort(rng.random((n, FACETS_PER_TOPIC)), axis=1)[:, :FACETS_PER_PARAGRAPH]
    facets = topic[:, None] * FACETS_PER_TOPIC + picked
    concepts = (facets[:, :, None] * CONCEPTS_PER_FACET + np.arange(CONCEPTS_PER_FACET)).reshape(
        n, FACETS_PER_PARAGRAPH * CONCEPTS_PER_FACET
    )
    forms = rng.integers(0, lang.synonyms, concepts.shape)
    owner = np.repeat(np.arange(n), length)
    total = int(length.sum())
    start = np.cumsum(length) - length
    sentence = (np.arange(total) - start[owner]) // SENTENCE_TOKENS
    u = rng.random(total)
    tokens = np.empty(total, dtype=np.int64)
    function = u < FUNCTION_SHARE
    tokens[function] = rng.choice(FUNCTION_WORDS, size=int(function.sum()), p=lang.function_p)
    own = np.flatnonzero(~function & (u < FUNCTION_SHARE + OWN_SHARE))
    # sentence j is about facet j mod 3 (its concepts are slots facet·3 … facet·3 + 2)
    slot = (sentence[own] % FACETS_PER_PARAGRAPH) * CONCEPTS_PER_FACET + rng.integers(0, CONCEPTS_PER_FACET, len(own))
    tokens[own] = lang.form(concepts[owner[own], slot], forms[owner[own], slot])
    other = np.flatnonzero(u >= FUNCTION_SHARE + OWN_SHARE)
    per_topic = FACETS_PER_TOPIC * CONCEPTS_PER_FACET
    tokens[other] = lang.form(
        topic[owner[other]] * per_topic + rng.integers(0, per_topic, len(other)),
        rng.integers(0, lang.synonyms, len(other)),
    )
    return Paragraphs(tokens, start, length, topic, concepts, forms, owner * 64 + sentence)


@dataclass
class Corpus:
    """Documents as one flat token array; each paragraph is an answer passage with its own code."""

    tokens: np.ndarray
    doc_start: np.ndarray
    doc_end: np.ndarray
    paragraphs: Paragraphs  # start is the position in `tokens`
    code_base: int  # paragraph i's code is code_base + i; out-of-corpus codes follow
    name_base: int  # the bridging names of multi-hop pairs
    vocab_size: int  # every token id, codes and names included


@dataclass
class Questions:
    """Queries as padded token arrays (-1 pads) and the paragraphs that answer them."""

    tokens: np.ndarray  # (n, QUERY_TOKENS)
    kind: np.ndarray  # index into (*QUERY_KINDS, "out-of-corpus")
    hops: np.ndarray  # (n, 2) answer paragraphs, -1 where there is none
    oc_style: np.ndarray  # out-of-corpus only: 0 code-style, 1 paraphrase-style


QUERY_TOKENS = 6
OUT_OF_CORPUS = len(QUERY_KINDS)


def make_corpus(
    rng: np.random.Generator, lang: Language, *, n_docs: int, n_pairs: int, n_outside: int
) -> tuple[Corpus, Paragraphs, np.ndarray]:
    """Documents of one topic each; up to `n_pairs` paragraph pairs in different documents share a name.

    Returns the corpus, `n_outside` paragraphs of the same language that are not in it,
    and the multi-hop pairs (at least one; at most one pair per two paragraphs).
    """
    low, high = PARAGRAPHS_PER_DOC
    per_doc = rng.integers(low, high + 1, n_docs)
    doc_topic = rng.integers(0, TOPICS, n_docs)
    paragraphs = make_paragraphs(rng, lang, np.repeat(doc_topic, per_doc))
    n_para = len(paragraphs.length)
    para_doc = np.repeat(np.arange(n_docs), per_doc)
    tokens = paragraphs.tokens
    code_base = lang.n_words
    code_at = paragraphs.start + rng.integers(0, paragraphs.length)
    tokens[code_at] = code_base + np.arange(n_para)
    name_base = code_base + n_para + n_outside
    pairs = _pairs_in_different_docs(rng, para_doc, min(max(n_pairs, 1), n_para // 2))
    for j, pair in enumerate(pairs):
        for p in pair:
            at = paragraphs.start[p] + rng.integers(0, paragraphs.length[p])
            if at == code_at[p]:  # keep the code: the name goes next to it
                at = paragraphs.start[p] + (at - paragraphs.start[p] + 1) % paragraphs.length[p]
            tokens[at] = name_base + j
    bounds = np.concatenate(([0], np.cumsum(per_doc)))
    ends = paragraphs.start + paragraphs.length
    corpus = Corpus(
        tokens, paragraphs.start[bounds[:-1]], ends[bounds[1:] - 1], paragraphs, code_base,
        name_base, name_base + len(pairs),
    )  # fmt: skip
    outside = make_paragraphs(rng, lang, rng.integers(0, TOPICS, n_outside))
    return corpus, outside, pairs


def _pairs_in_different_docs(rng: np.random.Generator, para_doc: np.ndarray, n_pairs: int) -> np.ndarray:
    n = len(para_doc)
    order = rng.permutation(n)[: 2 * n_pairs]
    first, second = order[:n_pairs].copy(), order[n_pairs : 2 * n_pairs].copy()
    for i in np.flatnonzero(para_doc[first] == para_doc[second]):
        while para_doc[second[i]] == para_doc[first[i]]:
            second[i] = rng.integers(0, n)
    return np.stack([first, second], axis=1)


def make_questions(
    rng: np.random.Generator,
    lang: Language,
    corpus: Corpus,
    outside: Paragraphs,
    pairs: np.ndarray,
    *,
    counts: tuple[int, int, int, int],
    outside_ids: np.ndarray,
) -> Questions:
    """Keyword, paraphrased, multi-hop and out-of-corpus questions, `counts` of each.

    Out-of-corpus question j asks about `outside` paragraph `outside_ids[j]`.
    """
    n_key, n_para, n_multi, n_out = counts
    paras = corpus.paragraphs
    n_total = sum(counts)
    tokens = np.full((n_total, QUERY_TOKENS), -1, dtype=np.int64)
    kind = np.repeat(np.arange(4), counts)
    hops = np.full((n_total, 2), -1, dtype=np.int64)
    style = np.zeros(n_total, dtype=np.int64)
    pool = np.arange(FUNCTION_QUERY_POOL)
    tokens[:, -QUESTION_FUNCTION_WORDS:] = rng.choice(pool, (n_total, QUESTION_FUNCTION_WORDS))

    n_single = n_key + n_para
    targets = rng.choice(len(paras.length), size=n_single, replace=n_single > len(paras.length))
    key = slice(0, n_key)
    tokens[key, 0] = corpus.code_base + targets[:n_key]
    tokens[key, 1:3] = _verbatim(rng, lang, paras, targets[:n_key], 2)
    hops[key, 0] = targets[:n_key]

    para = slice(n_key, n_single)
    tokens[para, :4] = _paraphrase(rng, lang, paras, targets[n_key:], 4)
    hops[para, 0] = targets[n_key:]

    multi = slice(n_single, n_single + n_multi)
    chosen = pairs[rng.choice(len(pairs), size=n_multi, replace=n_multi > len(pairs))]
    tokens[multi, 0] = corpus.code_base + chosen[:, 0]
    tokens[multi, 1:4] = _paraphrase(rng, lang, paras, chosen[:, 1], 3)
    hops[multi] = chosen

    out = slice(n_single + n_multi, n_total)
    which = np.asarray(outside_ids[:n_out])
    style[out] = rng.integers(0, 2, n_out)
    code_style = style[out] == 0
    rows = np.arange(n_total)[out]
    outside_code = corpus.code_base + len(paras.length) + which
    tokens[rows[code_style], 0] = outside_code[code_style]
    tokens[rows[code_style], 1:3] = _verbatim(rng, lang, outside, which[code_style], 2)
    tokens[rows[~code_style], :4] = _paraphrase(rng, lang, outside, which[~code_style], 4)
    return Questions(tokens, kind, hops, style)


def _verbatim(rng, lang: Language, paras: Paragraphs, which: np.ndarray, n: int) -> np.ndarray:
    """`n` own concepts of each paragraph from `n` different facets, written as the paragraph writes them."""
    m = len(which)
    facets = np.argsort(rng.random((m, FACETS_PER_PARAGRAPH)), axis=1)[:, :n]
    slots = facets * CONCEPTS_PER_FACET + rng.integers(0, CONCEPTS_PER_FACET, (m, n))
    return lang.form(paras.concepts[which[:, None], slots], paras.forms[which[:, None], slots])


def _paraphrase(rng, lang: Language, paras: Paragraphs, which: np.ndarray, n: int) -> np.ndarray:
    """`n` own concepts of each paragraph, one per facet first, mostly written in another form."""
    m = len(which)
    per = CONCEPTS_PER_FACET
    facet_slots = np.arange(FACETS_PER_PARAGRAPH) * per + rng.integers(0, per, (m, FACETS_PER_PARAGRAPH))
    extra = (facet_slots[:, :1] + rng.integers(1, per, (m, 1))) % per  # another concept of the first facet
    slots = np.concatenate([facet_slots, extra], axis=1)[:, :n]
    concepts = paras.concepts[which[:, None], slots]
    forms = paras.forms[which[:, None], slots]
    if lang.synonyms > 1:
        swap = rng.random(concepts.shape) < PARAPHRASE_SWAP
        forms = np.where(swap, (forms + rng.integers(1, lang.synonyms, concepts.shape)) % lang.synonyms, forms)
    return lang.form(concepts, forms)


# ---------------------------------------------------------------------------
# the embedding model, trained before the corpus exists


@dataclass
class Embedder:
    """Word vectors (PPMI-SVD) and IDF weights over the model's vocabulary; other ids embed to zero."""

    vectors: np.ndarray  # (n_words, dim) float32
    idf: np.ndarray  # (n_words,)

    def weighted(self, vocab_size: int) -> np.ndarray:
        """(vocab_size, dim): IDF-weighted word vectors, zero rows for codes and names."""
        full = np.zeros((vocab_size, self.vectors.shape[1]), dtype=np.float32)
        full[: len(self.vectors)] = self.vectors * self.idf[:, None].astype(np.float32)
        return full

    def unit(self, vocab_size: int) -> np.ndarray:
        """(vocab_size, dim) unit word vectors (zero rows out of the vocabulary), for cosines."""
        full = np.zeros((vocab_size, self.vectors.shape[1]), dtype=np.float32)
        norm = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        full[: len(self.vectors)] = self.vectors / np.maximum(norm, 1e-12)
        return full


def train_embedder(rng: np.random.Generator, lang: Language, *, dim: int, seed: int) -> Embedder:
    """Positive PMI of sentence co-occurrence on a background corpus, reduced to `dim` by TruncatedSVD.

    Levy & Goldberg showed skip-gram factorises a shifted PMI matrix; PPMI + SVD is the
    count-based equivalent. Forms of one concept share their co-occurrences, so their
    vectors end up close, although a paragraph writes a concept in one form only.
    """
    from sklearn.decomposition import TruncatedSVD

    background = make_paragraphs(rng, lang, rng.integers(0, TOPICS, BACKGROUND_PARAGRAPHS))
    key = background.sentence  # grouped: tokens of one sentence are consecutive
    owner = np.cumsum(np.concatenate(([True], key[1:] != key[:-1]))) - 1
    present = sp.csr_matrix(
        (np.ones(len(owner), dtype=np.float32), (owner, background.tokens)),
        shape=(int(owner.max()) + 1, lang.n_words),
    )
    present.data[:] = 1.0  # duplicates were summed: presence, not counts
    cooc = (present.T @ present).tocsr().astype(np.float64)
    cooc.setdiag(0.0)
    cooc.eliminate_zeros()
    row = np.asarray(cooc.sum(axis=1)).ravel()
    context = row**PMI_SMOOTHING
    coo = cooc.tocoo()
    pmi = np.log(coo.data * context.sum() / (row[coo.row] * context[coo.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=cooc.shape)
    svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=4, random_state=seed)
    scaled = svd.fit_transform(ppmi)  # U Σ
    vectors = scaled * np.maximum(svd.singular_values_, 1e-12) ** (SVD_POWER - 1.0)  # U Σ^p
    df = np.asarray(present.sum(axis=0)).ravel()
    idf = np.log((1.0 + present.shape[0]) / (1.0 + df))
    return Embedder(vectors.astype(np.float32), idf)


# ---------------------------------------------------------------------------
# chunks and the retrievers


@dataclass
class Chunks:
    """Fixed-size token windows of each document; chunk i is corpus tokens [start[i], end[i])."""

    start: np.ndarray
    end: np.ndarray
    counts: sp.csr_matrix  # (n_chunks, vocab) term counts


def chunk_corpus(corpus: Corpus, size: int, overlap: int) -> Chunks:
    """Windows of `size` tokens every `size - overlap` tokens; a document's last window ends at its end.

    Token windows that ignore paragraph boundaries, as a fixed-size splitter does: an
    answer passage may be cut between two chunks.
    """
    stride = size - overlap
    lengths = corpus.doc_end - corpus.doc_start
    per_doc = 1 + -(-np.maximum(lengths - size, 0) // stride)
    first = np.repeat(np.cumsum(per_doc) - per_doc, per_doc)
    start = np.repeat(corpus.doc_start, per_doc) + (np.arange(per_doc.sum()) - first) * stride
    end = np.minimum(start + size, np.repeat(corpus.doc_end, per_doc))
    width = end - start
    row = np.repeat(np.arange(len(start)), width)
    offset = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
    token = corpus.tokens[np.repeat(start, width) + offset]
    counts = sp.csr_matrix(
        (np.ones(len(token), dtype=np.float32), (row, token)), shape=(len(start), corpus.vocab_size)
    )
    counts.sum_duplicates()
    return Chunks(start, end, counts)


def term_counts(tokens: np.ndarray, vocab_size: int) -> sp.csr_matrix:
    """(rows, vocab) counts of padded token arrays (-1 pads)."""
    rows, cols = np.nonzero(tokens >= 0)
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, tokens[rows, cols])),
        shape=(len(tokens), vocab_size),
    )


def bm25_weights(counts: sp.csr_matrix, *, k1: float, b: float) -> tuple[sp.csr_matrix, np.ndarray]:
    """Per chunk and term, idf · tf (k1 + 1) / (tf + k1 (1 − b + b · len / mean len)); and the idf.

    The idf is Lucene's, ln(1 + (N − df + 0.5) / (df + 0.5)), never negative. A query's
    score for a chunk is the sum of these weights over the query's terms (with repeats).
    """
    n = counts.shape[0]
    df = np.bincount(counts.indices[counts.data > 0], minlength=counts.shape[1])
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    length = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
    norm = k1 * (1.0 - b + b * length / length.mean())
    tf = counts.data.astype(np.float64)
    rows = np.repeat(np.arange(n), np.diff(counts.indptr))
    data = idf[counts.indices] * tf * (k1 + 1.0) / (tf + norm[rows])
    return sp.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape), idf


def ranked(scores: np.ndarray, depth: int, *, positive_only: bool = False) -> np.ndarray:
    """Each row's top `depth` columns by score (ties by column); -1 where `positive_only` runs out."""
    depth = min(depth, scores.shape[1])
    top = np.argpartition(-scores, depth - 1, axis=1)[:, :depth]
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.lexsort((top, -top_scores), axis=1)
    out = np.take_along_axis(top, order, axis=1)
    if positive_only:
        out = np.where(np.take_along_axis(top_scores, order, axis=1) > 0, out, -1)
    return out


def rrf_scores(lists: list[np.ndarray], n_chunks: int, *, k: int) -> np.ndarray:
    """Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009): Σ over lists of 1 / (k + rank), ranks from 1.

    A chunk missing from a list gets nothing from it; -1 entries are skipped.
    """
    n = len(lists[0])
    score = np.zeros((n, n_chunks + 1))  # the last column takes the -1 entries
    rows = np.arange(n)[:, None]
    for ids in lists:
        score[rows, np.where(ids >= 0, ids, n_chunks)] += 1.0 / (k + 1 + np.arange(ids.shape[1]))
    return score[:, :n_chunks]


def content_terms(counts: sp.csr_matrix) -> np.ndarray:
    """(n_chunks, most distinct content terms) each chunk's distinct non-function terms, padded with vocab_size."""
    content = counts[:, FUNCTION_WORDS:].tocsr()
    width = np.diff(content.indptr)
    out = np.full((counts.shape[0], max(int(width.max()), 1)), counts.shape[1], dtype=np.int64)
    rows = np.repeat(np.arange(counts.shape[0]), width)
    cols = np.arange(len(content.indices)) - np.repeat(content.indptr[:-1], width)
    out[rows, cols] = content.indices + FUNCTION_WORDS
    return out


@dataclass
class TermSims:
    """What the re-ranker needs of a set of questions, computed once for every chunking.

    Each question's content terms (function words skipped), packed to the left, and the
    similarity of each distinct term to every term of the vocabulary: 1 for the same
    term, else the cosine of the two word vectors floored at 0 (codes and names, out of
    the embedding vocabulary, match only themselves).
    """

    tokens: np.ndarray  # (n, m) content terms, -1 pads
    row: np.ndarray  # (n, m) the term's row in `sim`; pads point at the last, all-zero row
    sim: np.ndarray  # (distinct terms + 1, vocab + 1) float32; the last column is the chunks' pad


def term_similarities(query_tokens: np.ndarray, unit: np.ndarray) -> TermSims:
    content = query_tokens >= FUNCTION_WORDS
    order = np.argsort(~content, axis=1, kind="stable")
    width = max(int(content.sum(axis=1).max()), 1)
    tokens = np.where(np.take_along_axis(content, order, axis=1), np.take_along_axis(query_tokens, order, axis=1), -1)
    tokens = tokens[:, :width]
    valid = tokens >= 0
    terms = np.unique(tokens[valid])
    vocab = unit.shape[0]
    sim = np.zeros((len(terms) + 1, vocab + 1), dtype=np.float32)
    sim[:-1, :-1] = np.maximum(unit[terms] @ unit.T, 0.0)
    sim[np.arange(len(terms)), terms] = 1.0
    row = np.where(valid, np.searchsorted(terms, np.where(valid, tokens, 0)), len(terms))
    return TermSims(tokens, row, sim)


def late_interaction(ts: TermSims, candidates: np.ndarray, chunk_terms: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """The re-ranker's score of each candidate chunk, in [0, 1]: Σ_t idf(t) · max_w sim(t, w) / Σ_t idf(t).

    t runs over the question's content terms, w over the chunk's distinct content terms,
    sim as in `TermSims`. A late-interaction score (ColBERT's MaxSim): it sees exact
    codes and synonyms at once, and it is the simulation's stand-in for a cross-encoder.
    Candidates of -1 score -inf.
    """
    valid = ts.tokens >= 0
    weight = np.where(valid, idf[np.where(valid, ts.tokens, 0)], 0.0)
    total = np.maximum(weight.sum(axis=1), 1e-12)
    out = np.empty(candidates.shape)
    cells = max(1, candidates.shape[1] * chunk_terms.shape[1] * ts.tokens.shape[1])
    batch = max(1, 2**22 // cells)
    for a in range(0, len(candidates), batch):
        rows = slice(a, a + batch)
        cand = candidates[rows]
        terms_of = chunk_terms[np.where(cand >= 0, cand, 0)]  # (b, n, width)
        best = ts.sim[ts.row[rows, :, None, None], terms_of[:, None, :, :]].max(axis=3)  # (b, t, n)
        out[rows] = np.einsum("bt,btn->bn", weight[rows], best) / total[rows, None]
    return np.where(candidates >= 0, out, -np.inf)


def rerank(candidates: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidates sorted by re-ranker score (ties keep the first stage's order), and their scores."""
    order = np.argsort(-scores, axis=1, kind="stable")
    return np.take_along_axis(candidates, order, axis=1), np.take_along_axis(scores, order, axis=1)


# ---------------------------------------------------------------------------
# metrics


@dataclass
class Judged:
    """Per-question metrics of the top k of one ranked list (NaN for out-of-corpus questions)."""

    hops_found: np.ndarray  # share of the question's answer passages that a top-k chunk touches
    reciprocal_rank: np.ndarray  # 1 / rank of the first chunk touching an answer passage, 0 if none
    precision: np.ndarray  # share of the top k chunks that touch an answer passage
    coverage: np.ndarray  # share of the answer passages' tokens that the top k chunks contain
    context_tokens: np.ndarray  # tokens of the top k chunks (every question)


def judge(ids: np.ndarray, chunks: Chunks, corpus: Corpus, hops: np.ndarray) -> Judged:
    """Score ranked chunk lists against the answer passages; a chunk touches a passage it overlaps."""
    ok = ids >= 0
    safe = np.where(ok, ids, 0)
    cs = np.where(ok, chunks.start[safe], -1)
    ce = np.where(ok, chunks.end[safe], -1)
    paras = corpus.paragraphs
    n, k = ids.shape
    found = np.zeros(n)
    relevant = np.zeros((n, k), dtype=bool)
    covered = np.zeros(n)
    total = np.zeros(n)
    n_hops = (hops >= 0).sum(axis=1)
    widest = np.arange(int(paras.length.max()))
    for h in range(hops.shape[1]):
        has = hops[:, h] >= 0
        p = np.where(has, hops[:, h], 0)
        s = paras.start[p][:, None]
        e = s + paras.length[p][:, None]
        touch = ok & (cs < e) & (ce > s) & has[:, None]
        relevant |= touch
        found += touch.any(axis=1)
        pos = s + widest
        inside = (pos < e) & has[:, None]
        hit = np.zeros(inside.shape, dtype=bool)
        for j in range(k):
            hit |= (pos >= cs[:, j : j + 1]) & (pos < ce[:, j : j + 1])
        covered += (hit & inside).sum(axis=1)
        total += inside.sum(axis=1)
    answerable = n_hops > 0
    any_relevant = relevant.any(axis=1)
    rank = np.where(any_relevant, relevant.argmax(axis=1) + 1, 1)
    nan = np.full(n, np.nan)
    return Judged(
        hops_found=np.where(answerable, found / np.maximum(n_hops, 1), nan),
        reciprocal_rank=np.where(answerable, np.where(any_relevant, 1.0 / rank, 0.0), nan),
        precision=np.where(answerable, relevant.sum(axis=1) / k, nan),
        coverage=np.where(answerable, covered / np.maximum(total, 1), nan),
        context_tokens=np.where(ok, ce - cs, 0).sum(axis=1).astype(float),
    )


# ---------------------------------------------------------------------------
# the world: language, embedding model, corpus, questions


@dataclass
class World:
    lang: Language
    embedder: Embedder
    corpus: Corpus
    questions: Questions  # what the tables report on
    calibration: Questions  # a second draw, on which the "I don't know" threshold is set
    weighted: np.ndarray  # (vocab, dim) IDF-weighted word vectors, zero rows for codes and names
    unit: np.ndarray  # (vocab, dim) unit word vectors
    question_sims: TermSims
    calibration_sims: TermSims


def question_counts(n: int, keyword: float, multi_hop: float, out_of_corpus: float) -> tuple[int, int, int, int]:
    """(keyword, paraphrase, multi-hop, out-of-corpus) questions; paraphrases take the rest."""
    key = round(n * keyword)
    multi = round(n * multi_hop)
    out = round(n * out_of_corpus)
    return key, max(0, n - key - multi - out), multi, out


def make_world(
    *, n_docs: int, counts: tuple[int, int, int, int], synonyms: int, dim: int, seed: int
) -> World:
    """The embedding model first (its own random stream), then the corpus and two draws of questions."""
    lang = make_language(synonyms)
    embedder = train_embedder(np.random.default_rng([seed, 1]), lang, dim=dim, seed=seed)
    rng = np.random.default_rng([seed, 2])
    n_out = counts[3]
    corpus, outside, pairs = make_corpus(rng, lang, n_docs=n_docs, n_pairs=counts[2], n_outside=2 * n_out)
    questions = make_questions(rng, lang, corpus, outside, pairs, counts=counts, outside_ids=np.arange(n_out))
    calibration = make_questions(
        rng, lang, corpus, outside, pairs, counts=counts, outside_ids=np.arange(n_out, 2 * n_out)
    )
    unit = embedder.unit(corpus.vocab_size)
    return World(
        lang, embedder, corpus, questions, calibration, embedder.weighted(corpus.vocab_size), unit,
        term_similarities(questions.tokens, unit), term_similarities(calibration.tokens, unit),
    )  # fmt: skip


def embed(counts: sp.csr_matrix, weighted: np.ndarray) -> np.ndarray:
    """Unit-length IDF-weighted sums of word vectors (float32, as faiss wants them)."""
    vectors = np.asarray(counts @ weighted, dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return vectors


@dataclass
class Lists:
    """Each pipeline's ranked chunk ids for every question (-1: nothing more to return)."""

    bm25: np.ndarray
    dense: np.ndarray
    hybrid: np.ndarray
    reranked: np.ndarray  # the hybrid's first `candidates`, re-ordered by the re-ranker
    rerank_scores: np.ndarray

    def of(self, pipeline: str) -> np.ndarray:
        return {
            PIPELINES[0]: self.bm25, PIPELINES[1]: self.dense, PIPELINES[2]: self.hybrid,
            PIPELINES[3]: self.reranked,
        }[pipeline]  # fmt: skip


@dataclass
class Retrievers:
    """The indexes of one chunking: BM25 weights, the faiss index, the re-ranker's term lists."""

    chunks: Chunks
    bm25: sp.csr_matrix
    idf: np.ndarray
    index: object  # a faiss index
    terms: np.ndarray


def build_retrievers(
    world: World, chunks: Chunks, *, k1: float, b: float, dense_index: str, nprobe: int, seed: int
) -> Retrievers:
    """Index one chunking: BM25 weights, the chunks' embeddings in faiss, the re-ranker's term lists.

    The embedding model is fixed (trained before the corpus); only the chunks change, as
    when a team re-chunks its documents and re-embeds them with the same encoder.
    """
    import faiss

    weights, idf = bm25_weights(chunks.counts, k1=k1, b=b)
    vectors = embed(chunks.counts, world.weighted)
    dim = vectors.shape[1]
    if dense_index == "ivf":
        nlist = ivf_lists(len(vectors))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = seed
        index.cp.niter = 10
        index.cp.min_points_per_centroid = 1  # small corpora: train anyway, without faiss' warning
        index.train(vectors)
        index.nprobe = min(nprobe, nlist)
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(vectors)
    return Retrievers(chunks, weights.T.tocsr(), idf, index, content_terms(chunks.counts))


def ivf_lists(n: int) -> int:
    """IVF lists: the power of two nearest √n, at least 1 and at most n / 39 (faiss' k-means minimum)."""
    return int(max(1, min(2 ** round(math.log2(max(math.sqrt(n), 1))), n // 39)))


def retrieve(
    world: World, questions: Questions, sims: TermSims, r: Retrievers, *, depth: int, candidates: int,
    rrf_k: int,
) -> Lists:
    """Run every pipeline for every question: BM25, dense, RRF of the two, RRF + re-ranker."""
    n_chunks = len(r.chunks.start)
    depth = min(depth, n_chunks)
    counts = term_counts(questions.tokens, world.corpus.vocab_size)
    _, dense = r.index.search(embed(counts, world.weighted), depth)
    bm25 = np.empty((len(counts.indptr) - 1, depth), dtype=np.int64)
    hybrid = np.empty_like(bm25)
    batch = max(1, 2**21 // n_chunks)  # about 16 MiB of float64 scores at a time
    for a in range(0, len(bm25), batch):
        rows = slice(a, a + batch)
        scores = (counts[rows] @ r.bm25).toarray()
        bm25[rows] = ranked(scores, depth, positive_only=True)
        fused = rrf_scores([bm25[rows], dense[rows]], n_chunks, k=rrf_k)
        hybrid[rows] = ranked(fused, depth, positive_only=True)
    pool = hybrid[:, : min(candidates, depth)]
    scores = late_interaction(sims, pool, r.terms, r.idf)
    reranked, rerank_scores = rerank(pool, scores)
    return Lists(bm25, dense.astype(np.int64), hybrid, reranked, rerank_scores)


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class PipelineScore:
    """One retrieval pipeline at one chunking, over the answerable questions (recall@k etc.)."""

    pipeline: str
    recall: float  # share of answer passages a top-k chunk touches (multi-hop: both count)
    recall_keyword: float
    recall_paraphrase: float
    recall_multi_hop: float
    multi_hop_both: float  # share of multi-hop questions with both passages touched
    mrr: float  # mean reciprocal rank of the first touching chunk within the top k
    precision_at_1: float
    precision: float  # precision@k: share of the top k chunks that touch an answer passage
    coverage: float  # share of answer-passage tokens in the context (the top k chunks)
    complete: float  # share of questions whose whole answer is in the context
    context_tokens: float  # mean tokens of retrieved context per question (all questions)
    cost_per_query: float  # USD: instructions + question + context tokens at the stated price


@dataclass(frozen=True)
class ChunkingPoint:
    chunk_size: int
    overlap: int
    chunks: int
    fits_budget: bool  # top_k × chunk_size ≤ context_budget
    scores: tuple[PipelineScore, ...]

    def score(self, pipeline: str) -> PipelineScore:
        return next(s for s in self.scores if s.pipeline == pipeline)


@dataclass(frozen=True)
class DepthPoint:
    """Hybrid retrieval with and without the re-ranker, at k chunks of context."""

    k: int
    hybrid_recall: float
    hybrid_precision: float
    reranked_recall: float
    reranked_precision: float
    reranked_coverage: float
    context_tokens: float
    cost_per_query: float


@dataclass(frozen=True)
class ThresholdPoint:
    """Answer only when the re-ranker's best score reaches `threshold`, else say "I don't know"."""

    threshold: float
    answerable_answered: float
    out_of_corpus_declined: float
    declined: float  # share of every question answered "I don't know"


@dataclass(frozen=True)
class RagResult(SimResult):
    n_docs: int
    n_queries: int
    chunk_size: int
    overlap: int
    top_k: int
    candidates: int
    context_budget: int
    usd_per_million_tokens: float
    rrf_k: int
    bm25_k1: float
    bm25_b: float
    dim: int
    dense_index: str
    nprobe: int
    synonyms: int
    corpus_tokens: int
    passages: int
    mean_passage_tokens: float
    question_counts: tuple[int, int, int, int]  # keyword, paraphrase, multi-hop, out-of-corpus
    synonym_cosine: float  # mean cosine between two forms of one concept in the learnt embedding
    unrelated_cosine: float  # … between concepts of different facets of one topic
    chosen: ChunkingPoint  # --chunk-size and --overlap
    size_sweep: tuple[ChunkingPoint, ...]
    overlap_sweep: tuple[ChunkingPoint, ...]
    depth_sweep: tuple[DepthPoint, ...]
    idk_threshold: float  # set on the calibration draw to answer ANSWERED_TARGET of answerable questions
    idk_answered: float  # share of answerable test questions answered at that threshold
    idk_declined_out_of_corpus: float
    idk_declined_code_style: float  # out-of-corpus questions naming a code the corpus does not have
    idk_declined_paraphrase_style: float
    idk_declined: float  # share of every test question answered "I don't know"
    thresholds: tuple[ThresholdPoint, ...]
    split_multi_hop_recall: float  # multi-hop questions split into one retrieval per hop: recall@k
    split_multi_hop_both: float  # … and the share with both passages in the context
    pick: ChunkingPoint  # the cheapest chunking within COVERAGE_SLACK of the best coverage that fits

    def tables(self) -> list[Table]:
        c, k = self.chosen, self.top_k
        price = _("${price} per 1M input tokens").format(price=f"{self.usd_per_million_tokens:g}")
        retrievers = table(
            _("Retrievers: {size}-token chunks, {overlap} overlap, top {k} ({chunks} chunks)").format(
                size=c.chunk_size, overlap=c.overlap, k=k, chunks=f"{c.chunks:,}"),
            (_("pipeline"), f"recall@{k}", f"MRR@{k}", "P@1", _("answer coverage"), _("whole answer"),
             _("context tokens"), _("$ per query")),
            [(_(s.pipeline), s.recall, s.mrr, s.precision_at_1, s.coverage, s.complete, s.context_tokens,
              s.cost_per_query) for s in c.scores],
            note=_(
                "Over answerable questions; a chunk counts when it overlaps an answer passage. Coverage: share "
                "of the answer passages' tokens in the context. Cost: {instructions} instruction tokens + "
                "question + context at {price} (output tokens not counted)."
            ).format(instructions=INSTRUCTION_TOKENS, price=price),
        )  # fmt: skip
        kinds = table(
            _("Recall@{k} by kind of question").format(k=k),
            (_("pipeline"), _("keyword (code)"), _("paraphrased"), _("multi-hop (per hop)"), _("multi-hop (both)"),
             _("all")),
            [(_(s.pipeline), s.recall_keyword, s.recall_paraphrase, s.recall_multi_hop, s.multi_hop_both,
              s.recall) for s in c.scores],
            note=_(
                "Questions: {keyword} keyword, {paraphrased} paraphrased, {multi_hop} multi-hop, {outside} out of "
                "corpus. Hybrid: reciprocal-rank fusion (k = {rrf_k}) of BM25's and dense's top {depth}; the "
                "re-ranker re-orders its top {candidates}."
            ).format(keyword=self.question_counts[0], paraphrased=self.question_counts[1],
                     multi_hop=self.question_counts[2], outside=self.question_counts[3], rrf_k=self.rrf_k,
                     depth=FUSION_DEPTH, candidates=self.candidates),
        )  # fmt: skip
        joint = c.score(PIPELINES[3])
        multi_hop = table(
            _("Multi-hop questions: one retrieval or one per hop (hybrid + re-rank, top {k})").format(k=k),
            (_("retrieval"), _("recall per hop"), _("both passages")),
            [(_("one query"), joint.recall_multi_hop, joint.multi_hop_both),
             (_("one per hop"), self.split_multi_hop_recall, self.split_multi_hop_both)],
            note=_(
                "One per hop: the question split into its code part and its paraphrased part (what a query-"
                "decomposition step aims for), the top {k} filled from the two re-ranked lists in turn."
            ).format(k=k),
        )  # fmt: skip
        depth = table(
            _("Re-ranking: recall and precision by chunks in the context"),
            ("k", _("hybrid recall@k"), _("re-ranked recall@k"), _("hybrid P@k"), _("re-ranked P@k"),
             _("re-ranked coverage"), _("context tokens"), _("$ per query")),
            [(d.k, d.hybrid_recall, d.reranked_recall, d.hybrid_precision, d.reranked_precision,
              d.reranked_coverage, d.context_tokens, d.cost_per_query) for d in self.depth_sweep],
        )  # fmt: skip
        columns = (_("chunk"), _("overlap"), _("chunks"), f"recall@{k}", _("answer coverage"), _("whole answer"),
                   _("context tokens"), _("$ per query"),
                   _("fits {budget}").format(budget=f"{self.context_budget:,}"))  # fmt: skip

        def rows(points: tuple[ChunkingPoint, ...]) -> list[tuple]:
            best = PIPELINES[3]
            return [
                (p.chunk_size, p.overlap, p.chunks, p.score(best).recall, p.score(best).coverage,
                 p.score(best).complete, p.score(best).context_tokens, p.score(best).cost_per_query,
                 p.fits_budget)
                for p in points
            ]  # fmt: skip

        pick = _("Pick: {size}-token chunks, {overlap} overlap.").format(size=self.pick.chunk_size,
                                                                         overlap=self.pick.overlap)
        sizes = table(
            _("Chunk size (hybrid + re-rank, top {k})").format(k=k), columns, rows(self.size_sweep),
            note=_("Overlap: the chosen share of the chunk, at most half.") + space() + pick,
        )  # fmt: skip
        overlaps = table(
            _("Overlap at {size}-token chunks (hybrid + re-rank, top {k})").format(size=c.chunk_size, k=k), columns,
            rows(self.overlap_sweep),
            note=_("More overlap: more chunks to embed and store, the same context per question."),
        )  # fmt: skip
        idk = table(
            _("\"I don't know\": threshold on the re-ranker's best score"),
            (_("threshold"), _("answerable answered"), _("out-of-corpus declined"), _("all declined")),
            [(t.threshold, t.answerable_answered, t.out_of_corpus_declined, t.declined)
             for t in self.thresholds],
            note=_(
                "{threshold} is set on a separate draw of questions to answer {target} of the answerable ones; the "
                "rows are the reported draw."
            ).format(threshold=f"{self.idk_threshold:.3f}", target=f"{ANSWERED_TARGET:.0%}"),
        )  # fmt: skip
        return [retrievers, kinds, *([multi_hop] if self.question_counts[2] else []), depth, sizes, overlaps, idk]

    def charts(self) -> list[Chart]:
        k = self.top_k
        coverage = Chart(
            name="rag-chunk-size",
            title=_("Answer coverage by chunk size (top {k} chunks)").format(k=k),
            x_label=_("chunk size, tokens (log scale)"),
            y_label=_("share of answer tokens in the context"),
            series=tuple(
                series(_(pipeline), [p.chunk_size for p in self.size_sweep],
                       [p.score(pipeline).coverage for p in self.size_sweep])
                for pipeline in PIPELINES
            ),  # fmt: skip
            x_log=True,
            vlines=((self.context_budget / k, _("budget ÷ {k}").format(k=k)),),
        )
        depth = Chart(
            name="rag-rerank-depth",
            title=_("Recall by context size: {size}-token chunks, k = 1 … {k}").format(
                size=self.chosen.chunk_size, k=self.depth_sweep[-1].k),
            x_label=_("context tokens per question"),
            y_label="recall@k",
            series=(
                series(_(PIPELINES[2]), [d.context_tokens for d in self.depth_sweep],
                       [d.hybrid_recall for d in self.depth_sweep]),
                series(_(PIPELINES[3]), [d.context_tokens for d in self.depth_sweep],
                       [d.reranked_recall for d in self.depth_sweep]),
            ),  # fmt: skip
            # the budget line only where it does not squash the curves into a corner
            vlines=((float(self.context_budget), _("budget {budget}").format(budget=f"{self.context_budget:,}")),)
            if self.context_budget <= 2 * self.depth_sweep[-1].context_tokens else (),
        )
        return [coverage, depth]

    def _verdict(self) -> str:
        """What the retriever comparison says, from the numbers (which pipeline wins is not fixed)."""
        c, k = self.chosen, self.top_k
        bm, dense, hybrid, best = (c.score(p) for p in PIPELINES)
        single = max(bm, dense, key=lambda s: s.recall)
        if hybrid.recall > single.recall:
            fused = _("Fusing the two (RRF) gives recall@{k} {hybrid} against {bm25} and {dense}").format(
                k=k, hybrid=f"{hybrid.recall:.2f}", bm25=f"{bm.recall:.2f}", dense=f"{dense.recall:.2f}")
        else:
            fused = _("Fusing the two (RRF) gives recall@{k} {hybrid}, no better than {single} alone ({recall})").format(
                k=k, hybrid=f"{hybrid.recall:.2f}", single=_(single.pipeline), recall=f"{single.recall:.2f}")
        if best.recall > hybrid.recall:
            ranked_text = _("; re-ranking its top {candidates} lifts it to {recall} and precision@1 from {before} to "
                            "{after}").format(candidates=self.candidates, recall=f"{best.recall:.2f}",
                                              before=f"{hybrid.precision_at_1:.2f}", after=f"{best.precision_at_1:.2f}")
        else:
            ranked_text = _("; re-ranking its top {candidates} does not lift it ({recall})").format(
                candidates=self.candidates, recall=f"{best.recall:.2f}")
        winner = max(c.scores, key=lambda s: s.recall)
        return _("{fused}{reranked}: use {winner}.").format(fused=fused, reranked=ranked_text,
                                                             winner=_(winner.pipeline))

    def reading(self) -> list[str]:
        c, k = self.chosen, self.top_k
        bm, dense, hybrid, best = (c.score(p) for p in PIPELINES)
        learnt = _(
            " but learnt the synonyms (cosine {synonym} between two forms of a concept, {unrelated} between "
            "unrelated ones),"
        ).format(synonym=f"{self.synonym_cosine:.2f}", unrelated=f"{self.unrelated_cosine:.2f}") if self.synonyms > 1 \
            else _(",")  # fmt: skip
        lines = [
            _("BM25 finds {keyword} of the questions that name a product code but {paraphrased} of the paraphrased "
              "ones; the embedding, which never saw the codes{learnt} finds {dense_paraphrased} of the paraphrases "
              "and {dense_keyword} of the codes.").format(
                keyword=_pct(bm.recall_keyword), paraphrased=_pct(bm.recall_paraphrase), learnt=learnt,
                dense_paraphrased=_pct(dense.recall_paraphrase), dense_keyword=_pct(dense.recall_keyword))
            + space() + self._verdict()
        ]
        cheaper = [d for d in self.depth_sweep if d.k < k and d.reranked_recall >= hybrid.recall]
        if cheaper:
            d = cheaper[0]
            lines.append(ngettext(
                "Re-ranked, {n} chunk ({tokens} tokens, ${cost} a question) finds as much as {k} hybrid ones "
                "({hybrid_tokens} tokens, ${hybrid_cost}): the re-ranker's latency buys a smaller, cheaper prompt.",
                "Re-ranked, {n} chunks ({tokens} tokens, ${cost} a question) find as much as {k} hybrid ones "
                "({hybrid_tokens} tokens, ${hybrid_cost}): the re-ranker's latency buys a smaller, cheaper prompt.",
                d.k,
            ).format(n=d.k, tokens=f"{d.context_tokens:,.0f}", cost=f"{d.cost_per_query:.4f}", k=k,
                     hybrid_tokens=f"{hybrid.context_tokens:,.0f}", hybrid_cost=f"{hybrid.cost_per_query:.4f}"))
        small, large = self.size_sweep[0], self.size_sweep[-1]
        p = self.pick.score(PIPELINES[3])
        over = [q.chunk_size for q in self.size_sweep if not q.fits_budget]
        unfit = _("; {sizes}-token chunks do not fit {budget}").format(
            sizes=", ".join(map(str, over)), budget=f"{self.context_budget:,}") if over else ""
        lines.append(_(
            "Passages are {low}–{high} tokens: {small}-token chunks cut them and bring {small_coverage} of the answer "
            "into the context, {large}-token ones {large_coverage} at {large_tokens} tokens a question{unfit}. Pick "
            "{pick}-token chunks with {overlap} overlap, the cheapest within {slack} points of the best coverage "
            "that fits: {coverage} coverage, {tokens} tokens, ${cost} a question at ${price} per million tokens."
        ).format(
            low=PARAGRAPH_TOKENS[0], high=PARAGRAPH_TOKENS[1], small=small.chunk_size,
            small_coverage=_pct(small.score(PIPELINES[3]).coverage), large=large.chunk_size,
            large_coverage=_pct(large.score(PIPELINES[3]).coverage),
            large_tokens=f"{large.score(PIPELINES[3]).context_tokens:,.0f}", unfit=unfit, pick=self.pick.chunk_size,
            overlap=self.pick.overlap, slack=f"{COVERAGE_SLACK * 100:.0f}", coverage=_pct(p.coverage),
            tokens=f"{p.context_tokens:,.0f}", cost=f"{p.cost_per_query:.4f}", price=f"{self.usd_per_million_tokens:g}",
        ))
        if self.question_counts[2]:
            lines.append(_(
                "Multi-hop questions get both passages into the top {k} in {both} of cases even re-ranked: the two "
                "passages compete for the same slots on different parts of the question. One retrieval per hop "
                "(split the question, or retrieve again with the first answer) gets both in {split} with the same "
                "context size."
            ).format(k=k, both=_pct(best.multi_hop_both), split=_pct(self.split_multi_hop_both)))
        if self.question_counts[3]:
            lines.append(_(
                "Answering only when the re-ranker's best score reaches {threshold} answers {answered} of answerable "
                "questions and says \"I don't know\" to {declined} of out-of-corpus ones ({code} of those naming an "
                "unknown code, {paraphrased} of paraphrased ones, which look like passages the corpus has): {all} of "
                "all questions."
            ).format(threshold=f"{self.idk_threshold:.2f}", answered=_pct(self.idk_answered),
                     declined=_pct(self.idk_declined_out_of_corpus), code=_pct(self.idk_declined_code_style),
                     paraphrased=_pct(self.idk_declined_paraphrase_style), all=_pct(self.idk_declined)))
        return lines

def _pct(share: float) -> str:
    return "—" if share is None or math.isnan(share) else f"{share:.0%}"


# ---------------------------------------------------------------------------
# the simulation


def score_pipeline(
    pipeline: str, ids: np.ndarray, k: int, world: World, questions: Questions, chunks: Chunks, price: float
) -> PipelineScore:
    """Recall, MRR, precision, coverage and cost of a pipeline's top k."""
    j = judge(ids[:, :k], chunks, world.corpus, questions.hops)
    answerable = questions.kind < OUT_OF_CORPUS

    def mean(values: np.ndarray, mask: np.ndarray) -> float:
        return float(values[mask].mean()) if mask.any() else math.nan

    multi = questions.kind == 2
    return PipelineScore(
        pipeline=pipeline,
        recall=mean(j.hops_found, answerable),
        recall_keyword=mean(j.hops_found, questions.kind == 0),
        recall_paraphrase=mean(j.hops_found, questions.kind == 1),
        recall_multi_hop=mean(j.hops_found, multi),
        multi_hop_both=mean(j.hops_found == 1.0, multi),
        mrr=mean(j.reciprocal_rank, answerable),
        precision_at_1=mean(judge(ids[:, :1], chunks, world.corpus, questions.hops).precision, answerable),
        precision=mean(j.precision, answerable),
        coverage=mean(j.coverage, answerable),
        complete=mean(j.coverage >= 1.0, answerable),
        context_tokens=float(j.context_tokens.mean()),
        cost_per_query=cost_per_query(j.context_tokens, questions, price),
    )


def cost_per_query(context_tokens: np.ndarray, questions: Questions, price: float) -> float:
    """Mean USD of one prompt: instructions + the question + the retrieved context, at `price` per 1M tokens."""
    prompt = INSTRUCTION_TOKENS + (questions.tokens >= 0).sum(axis=1) + context_tokens
    return float(prompt.mean() * price / 1e6)


def estimate_peak_bytes(*, n_docs: int, chunk_size: int, overlap: int, n_queries: int) -> int:
    """Peak memory before anything is allocated: the corpus, one chunking's matrices, score blocks."""
    tokens = n_docs * sum(PARAGRAPHS_PER_DOC) / 2 * sum(PARAGRAPH_TOKENS) / 2
    repeats = max(chunk_size / (chunk_size - overlap), 2.0)  # the sweeps go up to half overlap
    chunk_tokens = tokens * repeats
    chunks = chunk_tokens / min(chunk_size, 32)
    # COO build + CSR (~40 bytes a token), the embedding and BM25 copies, 64-d float32 vectors
    return int(chunk_tokens * 40 + chunks * (64 * 4 * 3 + 64) + n_queries * 2 * 1200 + 2**27)


def simulate_rag(
    *,
    n_docs: int = 300,
    n_queries: int = 300,
    chunk_size: int = 64,
    overlap: int = 16,
    top_k: int = 5,
    candidates: int = 30,
    context_budget: int = 2048,
    usd_per_million_tokens: float = 3.0,
    keyword_share: float = 0.35,
    multi_hop_share: float = 0.15,
    out_of_corpus_share: float = 0.15,
    synonyms: int = 3,
    dim: int = 64,
    dense_index: str = "flat",
    nprobe: int = 8,
    rrf_k: int = 60,
    bm25_k1: float = 1.2,
    bm25_b: float = 0.75,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> RagResult:
    """Chunk a synthetic corpus, retrieve with BM25, dense, hybrid and a re-ranker, and price the context."""
    check_range("n_docs", n_docs, 20, 5000, low_inclusive=True, high_inclusive=True)
    check_range("n_queries", n_queries, 20, 5000, low_inclusive=True, high_inclusive=True)
    check_range("chunk_size", chunk_size, 8, 8192, low_inclusive=True, high_inclusive=True)
    check_range("overlap", overlap, 0, 8191, low_inclusive=True, high_inclusive=True)
    check_range("top_k", top_k, 1, 100, low_inclusive=True, high_inclusive=True)
    check_range("candidates", candidates, 1, 1000, low_inclusive=True, high_inclusive=True)
    check_range("context_budget", context_budget, 8, 1_000_000, low_inclusive=True, high_inclusive=True)
    check_range("usd_per_million_tokens", usd_per_million_tokens, 0, 1000, low_inclusive=True, high_inclusive=True)
    for name, share in (("keyword_share", keyword_share), ("multi_hop_share", multi_hop_share),
                        ("out_of_corpus_share", out_of_corpus_share)):  # fmt: skip
        check_range(name, share, 0, 1, low_inclusive=True, high_inclusive=True)
    check_range("synonyms", synonyms, 1, 8, low_inclusive=True, high_inclusive=True)
    check_range("dim", dim, 8, 256, low_inclusive=True, high_inclusive=True)
    if dense_index not in ("flat", "ivf"):
        raise BadInputError(f"--dense-index must be flat or ivf, got {dense_index!r}")
    check_range("nprobe", nprobe, 1, 4096, low_inclusive=True, high_inclusive=True)
    check_range("rrf_k", rrf_k, 1, 1000, low_inclusive=True, high_inclusive=True)
    check_range("bm25_k1", bm25_k1, 0, 10, low_inclusive=True, high_inclusive=True)
    check_range("bm25_b", bm25_b, 0, 1, low_inclusive=True, high_inclusive=True)
    if overlap >= chunk_size:
        raise BadInputError(
            f"--overlap must be less than --chunk-size ({chunk_size} tokens), got {overlap}: "
            "each chunk must move on by at least one token"
        )
    if chunk_size > context_budget:
        raise BadInputError(
            f"--chunk-size {chunk_size} tokens does not fit --context-budget {context_budget:,} tokens; "
            "lower --chunk-size or raise --context-budget"
        )
    if top_k * chunk_size > context_budget:
        raise BadInputError(
            f"--top-k {top_k} chunks of --chunk-size {chunk_size} tokens ({top_k * chunk_size:,} tokens) do not "
            f"fit --context-budget {context_budget:,} tokens; lower --top-k or --chunk-size, or raise the budget"
        )
    if candidates < top_k:
        raise BadInputError(
            f"--candidates must be at least --top-k ({top_k}), got {candidates}: "
            "the re-ranker picks the top k from them"
        )
    if keyword_share + multi_hop_share + out_of_corpus_share > 1 + 1e-9:
        raise BadInputError(
            "--keyword-share + --multi-hop-share + --out-of-corpus-share must be at most 1 (paraphrased "
            f"questions take the rest), got {keyword_share + multi_hop_share + out_of_corpus_share:g}"
        )
    counts = question_counts(n_queries, keyword_share, multi_hop_share, out_of_corpus_share)
    if sum(counts[:3]) == 0:
        raise BadInputError(
            f"--out-of-corpus-share {out_of_corpus_share:g} leaves no answerable question in --n-queries "
            f"{n_queries}; lower it"
        )
    from mlsd.sims.metrics import available_memory_bytes

    needed = estimate_peak_bytes(n_docs=n_docs, chunk_size=chunk_size, overlap=overlap, n_queries=n_queries)
    if needed > available_memory_bytes() * 0.5:
        raise BadInputError(
            f"--n-docs {n_docs:,} with --chunk-size {chunk_size} and --overlap {overlap} needs about "
            f"{needed / 1024**3:,.1f} GiB, more than this machine can spare; lower --n-docs or --overlap"
        )

    import faiss
    from threadpoolctl import threadpool_limits

    previous = faiss.omp_get_max_threads()
    try:
        with threadpool_limits(limits=1):
            faiss.omp_set_num_threads(1)  # one thread: the same k-means and the same sums every run
            return _run(
                n_docs=n_docs, n_queries=n_queries, chunk_size=chunk_size, overlap=overlap, top_k=top_k,
                candidates=candidates, context_budget=context_budget, price=usd_per_million_tokens,
                counts=counts, synonyms=synonyms, dim=dim, dense_index=dense_index, nprobe=nprobe,
                rrf_k=rrf_k, k1=bm25_k1, b=bm25_b, seed=seed, progress=progress,
            )  # fmt: skip
    finally:
        faiss.omp_set_num_threads(previous)


def sweep_chunkings(chunk_size: int, overlap: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(size sweep, overlap sweep) as (chunk size, overlap) pairs; both include the chosen pair.

    The size sweep keeps the chosen overlap's share of the chunk (at most half); the
    overlap sweep tries 0, ⅛, ¼ and ½ of the chosen chunk size.
    """
    share = min(overlap / chunk_size, max(OVERLAP_SWEEP))
    sizes = sorted({*CHUNK_SWEEP, chunk_size})
    size_sweep = [(s, overlap if s == chunk_size else min(round(s * share), s - 1)) for s in sizes]
    overlaps = sorted({*(min(round(chunk_size * f), chunk_size - 1) for f in OVERLAP_SWEEP), overlap})
    return size_sweep, [(chunk_size, o) for o in overlaps]


def _run(
    *, n_docs, n_queries, chunk_size, overlap, top_k, candidates, context_budget, price, counts, synonyms,
    dim, dense_index, nprobe, rrf_k, k1, b, seed, progress,
) -> RagResult:  # fmt: skip
    report(progress, 0.0, _("training the embedding model"))
    world = make_world(n_docs=n_docs, counts=counts, synonyms=synonyms, dim=dim, seed=seed)
    questions = world.questions
    size_sweep, overlap_sweep = sweep_chunkings(chunk_size, overlap)
    todo = list(dict.fromkeys([(chunk_size, overlap), *size_sweep, *overlap_sweep]))
    depth = max(FUSION_DEPTH, candidates)
    points: dict[tuple[int, int], ChunkingPoint] = {}
    chosen_lists = chosen_retrievers = None
    for i, (size, over) in enumerate(todo):
        report(progress, 0.15 + 0.8 * i / len(todo), _("{size}-token chunks, {overlap} overlap").format(size=size, overlap=over))
        chunks = chunk_corpus(world.corpus, size, over)
        n_chunks = len(chunks.start)
        if (size, over) == (chunk_size, overlap) and top_k > n_chunks:
            raise BadInputError(
                f"--top-k {top_k} is more than the {n_chunks} chunks the corpus splits into at "
                f"--chunk-size {chunk_size}; lower --top-k or --chunk-size, or raise --n-docs"
            )
        if top_k > n_chunks:  # a sweep point with fewer chunks than k: left out
            continue
        r = build_retrievers(world, chunks, k1=k1, b=b, dense_index=dense_index, nprobe=nprobe, seed=seed)
        lists = retrieve(world, questions, world.question_sims, r, depth=depth, candidates=candidates, rrf_k=rrf_k)
        scores = tuple(
            score_pipeline(p, lists.of(p), top_k, world, questions, chunks, price) for p in PIPELINES
        )
        points[(size, over)] = ChunkingPoint(size, over, n_chunks, top_k * size <= context_budget, scores)
        if (size, over) == (chunk_size, overlap):
            chosen_lists, chosen_retrievers = lists, r

    report(progress, 0.95, _("re-ranking depth and the \"I don't know\" threshold"))
    assert chosen_lists is not None and chosen_retrievers is not None
    chunks = chosen_retrievers.chunks
    depth_sweep = []
    for k in sorted({*K_SWEEP, top_k}):
        if k > chosen_lists.reranked.shape[1]:
            continue
        hybrid = score_pipeline(PIPELINES[2], chosen_lists.hybrid, k, world, questions, chunks, price)
        best = score_pipeline(PIPELINES[3], chosen_lists.reranked, k, world, questions, chunks, price)
        depth_sweep.append(DepthPoint(
            k, hybrid.recall, hybrid.precision, best.recall, best.precision, best.coverage,
            best.context_tokens, best.cost_per_query,
        ))  # fmt: skip
    calibration = retrieve(
        world, world.calibration, world.calibration_sims, chosen_retrievers, depth=depth,
        candidates=candidates, rrf_k=rrf_k,
    )
    answerable_cal = world.calibration.kind < OUT_OF_CORPUS
    top_cal = np.sort(calibration.rerank_scores[answerable_cal, 0])
    threshold = float(top_cal[int(math.floor((1 - ANSWERED_TARGET) * len(top_cal)))])
    top = chosen_lists.rerank_scores[:, 0]
    answerable = questions.kind < OUT_OF_CORPUS
    outside = ~answerable

    def declined(t: float, mask: np.ndarray) -> float:
        return float((top[mask] < t).mean()) if mask.any() else math.nan

    grid = sorted({0.5, 0.6, 0.7, 0.8, 0.9, round(threshold, 3)})
    thresholds = tuple(
        ThresholdPoint(t, 1 - declined(t, answerable), declined(t, outside), declined(t, np.ones_like(answerable)))
        for t in grid
    )
    code_style = outside & (questions.oc_style == 0)
    split_recall, split_both = split_multi_hop(
        world, chosen_retrievers, top_k=top_k, depth=depth, candidates=candidates, rrf_k=rrf_k
    )
    fits = [p for p in points.values() if p.fits_budget]
    best_coverage = max(p.score(PIPELINES[3]).coverage for p in fits) if fits else math.nan
    near = [p for p in fits if p.score(PIPELINES[3]).coverage >= best_coverage - COVERAGE_SLACK]
    pick = min(near, key=lambda p: (p.score(PIPELINES[3]).cost_per_query, p.chunks)) if near else points[
        (chunk_size, overlap)]
    syn, unrelated = embedding_cosines(world)
    report(progress, 1.0, _("done"))
    paras = world.corpus.paragraphs
    return RagResult(
        n_docs=n_docs, n_queries=n_queries, chunk_size=chunk_size, overlap=overlap, top_k=top_k,
        candidates=candidates, context_budget=context_budget, usd_per_million_tokens=price, rrf_k=rrf_k,
        bm25_k1=k1, bm25_b=b, dim=dim, dense_index=dense_index, nprobe=nprobe, synonyms=synonyms,
        corpus_tokens=len(world.corpus.tokens), passages=len(paras.length),
        mean_passage_tokens=float(paras.length.mean()), question_counts=counts,
        synonym_cosine=syn, unrelated_cosine=unrelated,
        chosen=points[(chunk_size, overlap)],
        size_sweep=tuple(points[p] for p in size_sweep if p in points),
        overlap_sweep=tuple(points[p] for p in overlap_sweep if p in points),
        depth_sweep=tuple(depth_sweep),
        idk_threshold=threshold,
        idk_answered=1 - declined(threshold, answerable),
        idk_declined_out_of_corpus=declined(threshold, outside),
        idk_declined_code_style=declined(threshold, code_style),
        idk_declined_paraphrase_style=declined(threshold, outside & ~code_style),
        idk_declined=declined(threshold, np.ones_like(answerable)),
        thresholds=thresholds, split_multi_hop_recall=split_recall, split_multi_hop_both=split_both, pick=pick,
    )  # fmt: skip


def split_multi_hop(
    world: World, r: Retrievers, *, top_k: int, depth: int, candidates: int, rrf_k: int
) -> tuple[float, float]:
    """(recall@k, share with both passages) of the multi-hop questions asked as one question per hop.

    The code part and the paraphrased part are retrieved separately (hybrid + re-rank)
    and the top k is filled from the two lists in turn, skipping repeats.
    """
    q = world.questions
    multi = np.flatnonzero(q.kind == 2)
    if not len(multi):
        return math.nan, math.nan
    code_part = q.tokens[multi].copy()
    code_part[:, 1:4] = -1
    topic_part = q.tokens[multi].copy()
    topic_part[:, 0] = -1
    lists = []
    for tokens in (code_part, topic_part):
        part = Questions(tokens, q.kind[multi], q.hops[multi], q.oc_style[multi])
        sims = term_similarities(tokens, world.unit)
        lists.append(retrieve(world, part, sims, r, depth=depth, candidates=candidates, rrf_k=rrf_k).reranked)
    merged = np.full((len(multi), top_k), -1, dtype=np.int64)
    for i in range(len(multi)):
        turns = np.stack([lists[0][i], lists[1][i]], axis=1).ravel()
        seen = list(dict.fromkeys(int(c) for c in turns if c >= 0))[:top_k]
        merged[i, : len(seen)] = seen
    j = judge(merged, r.chunks, world.corpus, q.hops[multi])
    return float(j.hops_found.mean()), float((j.hops_found == 1.0).mean())


def embedding_cosines(world: World) -> tuple[float, float]:
    """Mean cosine between two forms of one concept, and between concepts of different facets of a topic."""
    lang = world.lang
    concepts = np.arange(lang.n_concepts)
    unit = world.unit
    first = unit[lang.form(concepts, np.zeros_like(concepts))]
    per_topic = FACETS_PER_TOPIC * CONCEPTS_PER_FACET
    if lang.synonyms > 1:
        syn = float(np.einsum("cd,cd->c", first, unit[lang.form(concepts, np.ones_like(concepts))]).mean())
    else:
        syn = math.nan  # one form per concept: no synonyms to compare
    topic, within = np.divmod(concepts, per_topic)
    other = topic * per_topic + (within + CONCEPTS_PER_FACET) % per_topic  # the next facet, same topic
    unrelated = float(np.einsum("cd,cd->c", first, unit[lang.form(other, np.zeros_like(other))]).mean())
    return syn, unrelated


__all__ = [
    "RagResult",
    "bm25_weights",
    "chunk_corpus",
    "judge",
    "late_interaction",
    "make_world",
    "ranked",
    "rrf_scores",
    "simulate_rag",
    "sweep_chunkings",
]
