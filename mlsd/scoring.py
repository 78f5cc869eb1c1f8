"""Rubric scoring of a free-text answer: deterministic, offline, explainable.

How one stage answer is scored
------------------------------
1. **Normalisation.** Text is NFKC-folded, lower-cased and cut into word tokens;
   each token is stemmed by a few plain suffix rules (plurals, -ing, -ed, a final
   -e, -able/-ability, British -ise/-isation), so "caching" = "cache",
   "labelled" = "label", "anonymisation" = "anonymize". Hyphens, slashes and
   spaces between tokens are ignored when matching a phrase: "A/B testing",
   "ab test" and "a-b tests" all become `abtest`; "real-time" = "realtime".
2. **Keyword match (full credit).** A key point is *covered* (credit 1.0) when
   one of its keywords, normalised the same way, appears as a run of whole
   tokens in the answer.
3. **Semantic fallback (partial credit).** Otherwise the point's sentence is
   compared with every sentence (and pair of adjacent sentences) of the answer:
   the mean of a word-level cosine (stemmed content words, stop words dropped)
   and a character n-gram cosine (scikit-learn `HashingVectorizer`, 3–5-grams
   of the content words, so "personalised" ~ "personalization"). A similarity
   between `SEMANTIC_LOW` and `SEMANTIC_HIGH` maps linearly onto a credit of
   0 … `PARTIAL_MAX` (0.6): a paraphrase earns *partial* credit, never full.
4. **Weights.** The scenario's own key points carry the score; the step's
   generic framework items (`mlsd.framework`, ids `generic-…`) add a bonus of
   up to `GENERIC_SHARE` (25 %) of the scenario points' weight, but the bonus
   can fill in at most `GENERIC_FILL` (half) of the scenario credit the answer
   missed:

       bonus = min(GENERIC_SHARE · Σ wᵢ · (Σ gⱼ·cⱼ / Σ gⱼ),  GENERIC_FILL · Σ wᵢ·(1 − cᵢ))
       raw   = (Σ wᵢ·cᵢ + bonus) / Σ wᵢ

   so a stage scores 100 only when every scenario point is covered by a
   keyword; while any scenario point is missed or only partly covered the
   score is at most 99 (`INCOMPLETE_CAP`), so the score never contradicts the
   ✓/✗ list. A stage the scenario leaves out is scored on its generic items
   alone (raw = Σ gⱼ·cⱼ / Σ gⱼ, again at most 99 unless all are covered).
5. **Length.** Naming the terms is not explaining them: an answer earns its
   score in proportion to its length up to `MIN_WORDS` (40) words,

       score = 100 × raw × min(1, prose words / MIN_WORDS)

   where only words in sentences that read as prose count. A sentence of four
   or more words counts when at least one word in ten is a short function
   word (the, we, to, of, … `STOP_WORDS`); a bare list of terms such as
   "engagement latency QPS guardrail DAU" counts as no words at all. Shorter
   sentences and sentences in a language without such words (CJK) always
   count. So a 7-word answer earns 7/40 of what its keywords would score;
   every shipped reference answer is well over 40 words. `StageScore.words`
   and `StageScore.length_factor` carry the numbers for the feedback.

The result lists every point with its credit and how it was earned (the
matching keyword, or the similarity), so `covered` / `partial` / `missed` and
the final number can always be explained to the user.

The agenda (the candidate's list of parts before any detail) is scored by how
many of the practised steps it names: `score_agenda`.

The session total is the mean of the stage scores weighted by each step's
share of interview time (`Step.weight`): `total_score`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsd.scenario import KeyPoint, Scenario

GENERIC_SHARE = 0.25
GENERIC_FILL = 0.5  # generic items make up at most this share of the missed scenario credit
INCOMPLETE_CAP = 99.0  # the highest score while a scenario point is not fully covered
MIN_WORDS = 40  # prose words an answer needs for its full score (shorter: scaled down)
PROSE_MIN_SHARE = 0.1  # a sentence of 4+ words needs this share of function words to count
PARTIAL_MAX = 0.6
SEMANTIC_LOW = 0.22
SEMANTIC_HIGH = 0.55

_TOKEN_RE = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")
_SENTENCE_RE = re.compile(r"(?<=[.!?;:。！？；])\s+|\n+|(?<=[。！？；])")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each either
    etc few for from further had has have having he her here hers him his how i if in into is it
    its itself just let like may me might more most much must my no nor not now of off on once
    only or other our ours out over own per same shall she should so some such than that the
    their theirs them then there these they this those through thus to too under until up upon
    us use used using very via was we were what when where whether which while who whom why
    will with within without would you your yours i'd i'll we'd we'll we're it's that's there's
    make makes made get gets way ways thing things something one two first then also each well
    e g eg ie e.g i.e""".split()  # noqa: SIM905 - a readable word list
)


# ---------------------------------------------------------------- normalisation


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A tiny suffix stripper: consistent on both sides is all matching needs."""
    if len(word) <= 3 or not word.isalpha() or not word.isascii():
        return word
    w = word
    # British spellings to American before anything else.
    w = w.replace("isation", "ization").replace("yse", "yze")
    if w.endswith("ise") and len(w) > 5:
        w = w[:-3] + "ize"
    elif w.endswith(("ising", "ised", "ises")) and len(w) > 6:
        w = w[: w.rindex("is")] + "iz" + w[w.rindex("is") + 2 :]
    # Plurals.
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith("ses") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "as")):
        w = w[:-1]
    # Inflections.
    for suffix in ("ability", "ibility", "able", "ible", "ing", "ed", "ization", "ize"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if suffix in ("ization", "ize"):
                w += "iz"
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def fold(text: str) -> str:
    """Unicode-fold and lower-case; α/β become words so 'α' = 'alpha'."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("α", " alpha ").replace("β", " beta ").replace("&", " and ")


def tokens(text: str) -> list[str]:
    """Normalised, stemmed word tokens (CJK characters are one token each)."""
    return [stem(t) for t in _TOKEN_RE.findall(fold(text))]


@lru_cache(maxsize=8192)
def keyword_key(keyword: str) -> str:
    """A keyword's match key: its stemmed tokens joined without separators."""
    return "".join(tokens(keyword))


class TokenText:
    """An answer's stemmed tokens glued together, with the offsets where tokens start and end.

    A keyword key is present when it occurs in the glued string starting and
    ending on token boundaries: "ab test", "a/b tests" and "abtest" all glue to
    `abtest`, while "cat" is not found in "concatenate". `str.find` does the
    scanning, so a long answer costs little.
    """

    __slots__ = ("glued", "bounds")

    def __init__(self, toks: Sequence[str]) -> None:
        self.glued = "".join(toks)
        bounds = {0}
        pos = 0
        for t in toks:
            pos += len(t)
            bounds.add(pos)
        self.bounds = bounds

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or not key:
            return False
        start = self.glued.find(key)
        while start != -1:
            if start in self.bounds and start + len(key) in self.bounds:
                return True
            start = self.glued.find(key, start + 1)
        return False


def _spans(toks: Sequence[str]) -> TokenText:
    """What keyword keys are looked up in (`key in _spans(tokens(text))`)."""
    return TokenText(toks)


def _content(toks: Iterable[str]) -> list[str]:
    return [t for t in toks if t not in STOP_WORDS and (len(t) > 1 or not t.isascii())]


# A small ML-interview thesaurus for the semantic fallback only (never for
# keyword matches): words in one group count as the same concept, so a
# paraphrase in everyday words still lands near the point's sentence.
CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("hide", "flag", "report", "complain", "complaint", "block", "mute"),
    ("rare", "imbalance", "imbalanced", "unbalanced", "minority", "skewed", "scarce"),
    ("downsample", "subsample", "sample", "fraction", "discard", "undersample", "oversample"),
    ("probability", "likelihood", "chance", "calibrate", "calibration", "calibrated"),
    ("new", "fresh", "brand", "recent", "cold", "unseen", "newcomer"),
    ("user", "people", "person", "member", "customer", "viewer", "visitor", "account", "player"),
    ("post", "item", "content", "video", "article", "document", "product", "listing", "story"),
    ("latency", "fast", "quick", "slow", "delay", "speed", "responsive", "millisecond", "ms", "respond"),
    ("cost", "cheap", "expensive", "money", "spend", "price"),
    ("cache", "memoize", "precompute", "precomputed", "reuse"),
    ("fallback", "backup", "default", "safety", "degrade", "graceful", "backstop"),
    ("metric", "measure", "kpi", "track", "quantify"),
    ("monitor", "watch", "observe", "alert", "dashboard", "alarm", "page"),
    ("retrain", "refresh", "update", "recompute", "rebuild", "refit"),
    ("error", "bug", "failure", "fail", "outage", "crash", "incident", "down", "timeout", "time out"),
    ("traffic", "request", "qps", "load", "throughput", "call"),
    ("server", "machine", "node", "host", "instance", "replica", "pod", "cluster"),
    ("shard", "partition", "split", "bucket", "divide", "segment"),
    ("click", "tap", "press", "open", "engage", "engagement", "interact", "interaction"),
    ("rank", "order", "sort", "reorder", "rerank", "ranking", "ordering"),
    ("recommend", "suggest", "recommendation", "suggestion", "propose"),
    ("popular", "trending", "top", "popularity", "most viewed"),
    ("personal", "personalize", "personalise", "tailor", "individual", "custom"),
    ("experiment", "test", "trial", "ab", "a/b", "online test", "holdout"),
    ("label", "annotate", "annotation", "annotator", "tag", "rater", "ground truth"),
    ("feature", "signal", "attribute", "input", "variable"),
    ("model", "network", "classifier", "predictor", "estimator", "neural"),
    ("embedding", "vector", "representation", "latent"),
    ("privacy", "anonymous", "anonymize", "consent", "gdpr", "pii", "sensitive", "encrypt"),
    ("drift", "shift", "change", "evolve", "decay", "stale"),
    ("bias", "unfair", "fairness", "discriminate", "skew"),
    ("scale", "grow", "large", "big", "huge", "billion", "million", "volume"),
    ("spam", "abuse", "fraud", "malicious", "bad actor", "bot", "scam", "harass"),
    ("churn", "leave", "cancel", "quit", "unsubscribe", "attrition", "lapse"),
    ("search", "query", "lookup", "retrieve", "retrieval", "find"),
    ("explore", "exploration", "random", "bandit", "epsilon", "randomize"),
    ("diverse", "diversity", "variety", "varied", "mix", "different"),
    ("log", "record", "store", "persist", "save", "keep"),
    ("goal", "objective", "target", "aim", "purpose", "north star"),
    ("baseline", "simple", "heuristic", "start", "begin", "first version"),
    ("deploy", "ship", "launch", "release", "rollout", "roll out", "push"),
    ("gradual", "canary", "ramp", "percentage", "slowly", "step by step", "stage"),
    ("rollback", "revert", "undo", "roll back"),
    ("duplicate", "copy", "replicate", "replication", "mirror"),
    ("balance", "balancer", "distribute", "spread", "round robin"),
    ("batch", "daily", "nightly", "offline", "periodic", "schedule", "weekly", "hourly"),
    ("realtime", "real time", "streaming", "online", "live", "instant", "immediately"),
    ("device", "phone", "mobile", "edge", "on-device", "client", "app", "laptop", "browser"),
    ("memory", "ram", "battery", "storage", "disk", "footprint"),
    ("precision", "recall", "accuracy", "auc", "f1", "ndcg", "quality"),
    ("revenue", "gmv", "sales", "purchase", "conversion", "order value", "buy"),
    ("retention", "return", "come back", "stay", "dau", "active"),
)


@lru_cache(maxsize=1)
def _concept_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for group in CONCEPTS:
        head = "~" + keyword_key(group[0])
        for word in group:
            out.setdefault(keyword_key(word), head)
    return out


@lru_cache(maxsize=65536)
def _sem_token(tok: str) -> str:
    """A content token for similarity: a concept id when the thesaurus knows it, else a looser stem."""
    cmap = _concept_map()
    if tok in cmap:
        return cmap[tok]
    for suffix in ("ation", "ition", "ion", "ment", "ness", "ity", "al", "ly", "er", "or", "ive"):
        if tok.endswith(suffix) and len(tok) - len(suffix) >= 4:
            base = tok[: -len(suffix)]
            return cmap.get(base, base)
    return tok


def _sem_tokens(text: str) -> list[str]:
    return [_sem_token(t) for t in _content(tokens(text))]


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of an answer (bullets count as sentences)."""
    parts = [p.strip(" -*•\t") for p in _SENTENCE_RE.split(text)]
    return [p for p in parts if p and _TOKEN_RE.search(fold(p))]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class PointResult:
    """One rubric item and the credit the answer earned for it."""

    id: str
    point: str
    weight: float
    credit: float  # 0..1: 1 = keyword match, (0, PARTIAL_MAX] = paraphrase
    how: str  # "keyword" | "semantic" | "none"
    evidence: str  # the keyword that matched, or "similarity 0.41"
    why: str = ""
    generic: bool = False


@dataclass(frozen=True)
class StageScore:
    """The explainable score of one answer to one stage."""

    stage: str
    score: float  # 0..100
    points: tuple[PointResult, ...]
    words: int = 0  # prose words in the answer (see `prose_words`)
    min_words: int = 0  # words needed for the full score (0: no length rule)

    @property
    def length_factor(self) -> float:
        """The share of its score a short answer keeps: min(1, words / min_words)."""
        return 1.0 if self.min_words <= 0 else min(1.0, self.words / self.min_words)

    @property
    def covered(self) -> list[str]:
        return [p.id for p in self.points if p.credit >= 1.0]

    @property
    def partial(self) -> dict[str, float]:
        return {p.id: round(p.credit, 3) for p in self.points if 0.0 < p.credit < 1.0}

    @property
    def missed(self) -> list[str]:
        return [p.id for p in self.points if p.credit <= 0.0]

    def missed_points(self) -> list[PointResult]:
        """Missed scenario points first, heaviest first: what to study."""
        return sorted(
            (p for p in self.points if p.credit < 1.0),
            key=lambda p: (p.generic, -p.weight * (1 - p.credit), p.id),
        )

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "covered": self.covered,
            "partial": self.partial,
            "missed": self.missed,
        }


@dataclass(frozen=True)
class AgendaScore:
    score: float
    named: tuple[str, ...]
    missing: tuple[str, ...]


# ---------------------------------------------------------------- semantic fallback


@lru_cache(maxsize=1)
def _vectorizer():
    # Imported here: scikit-learn is slow to import and the CLI must start fast.
    from sklearn.feature_extraction.text import HashingVectorizer

    # Raw counts (norm=None): char_wb n-grams never cross a word boundary, so the
    # counts of two adjacent sentences are the sum of their counts.
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), n_features=2**18, alternate_sign=False, norm=None
    )


@lru_cache(maxsize=4096)
def _point_features(point: str) -> tuple[frozenset[str], Any]:
    """A point sentence's concept set and its l2-normalised char n-gram row (cached)."""
    from sklearn.preprocessing import normalize

    toks = _sem_tokens(point)
    return frozenset(toks), normalize(_vectorizer().transform([" ".join(toks)]))


def similarities(points: Sequence[str], answer: str) -> list[float]:
    """For each point sentence, its best similarity (0..1) to a sentence or sentence pair of the answer.

    Two sparse products give everything: point·sentence dot products and the
    sentence Gram matrix, from which the cosine with a pair of adjacent
    sentences follows (char_wb n-grams never cross words, so a pair's counts
    are the sum of its sentences' counts). The word-level part is a dense
    product over the points' vocabulary.
    """
    sentences = split_sentences(answer)
    if not points or not sentences:
        return [0.0] * len(points)
    import numpy as np
    import scipy.sparse as sp

    sent_toks = [_sem_tokens(x) for x in sentences]
    # A sentence's char_wb n-grams are the sum of its words' n-grams: hash each
    # distinct word once, then add them up per sentence with one sparse product.
    word_ids: dict[str, int] = {}
    rows, cols = [], []
    for i, toks in enumerate(sent_toks):
        for t in toks:
            rows.append(i)
            cols.append(word_ids.setdefault(t, len(word_ids)))
    per_sentence = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(sent_toks), max(len(word_ids), 1))
    )
    if word_ids:
        counts = per_sentence @ _vectorizer().transform(list(word_ids))
    else:
        counts = sp.csr_matrix((len(sent_toks), _vectorizer().n_features))
    feats = [_point_features(p) for p in points]
    dots = (sp.vstack([f[1] for f in feats]) @ counts.T).toarray()  # points × sentences
    gram = (counts @ counts.T).toarray()
    sq = np.diag(gram).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        char_sim = [np.nan_to_num(dots / np.sqrt(sq))]
        if len(sentences) > 1:
            pair_sq = sq[:-1] + sq[1:] + 2 * np.diag(gram, 1)
            char_sim.append(np.nan_to_num((dots[:, :-1] + dots[:, 1:]) / np.sqrt(pair_sq)))
    char = np.hstack(char_sim)

    vocab: dict[str, int] = {}
    for pset, _ in feats:
        for t in pset:
            vocab.setdefault(t, len(vocab))
    sent_sets = [set(t) for t in sent_toks]
    p_bin = np.zeros((len(feats), max(len(vocab), 1)))
    for i, (pset, _) in enumerate(feats):
        p_bin[i, [vocab[t] for t in pset]] = 1.0
    s_bin = np.zeros((len(sent_sets), p_bin.shape[1]))
    for i, st in enumerate(sent_sets):
        idx = [vocab[t] for t in st if t in vocab]
        if idx:
            s_bin[i, idx] = 1.0
    w_len = [len(st) for st in sent_sets]
    if len(sentences) > 1:
        s_bin = np.vstack([s_bin, np.maximum(s_bin[:-1], s_bin[1:])])
        w_len += [len(a | b) for a, b in zip(sent_sets, sent_sets[1:], strict=False)]
    p_len = np.maximum(p_bin.sum(axis=1), 1.0)
    word = (p_bin @ s_bin.T) / np.sqrt(np.outer(p_len, np.maximum(np.array(w_len, dtype=float), 1.0)))
    best = (0.5 * word + 0.5 * char).max(axis=1)
    return [float(b) for b in best]


def partial_credit(similarity: float) -> float:
    """Similarity → credit: 0 below SEMANTIC_LOW, PARTIAL_MAX at SEMANTIC_HIGH and above."""
    if similarity <= SEMANTIC_LOW:
        return 0.0
    frac = min(1.0, (similarity - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW))
    return round(PARTIAL_MAX * frac, 3)


# ---------------------------------------------------------------- scoring


def score_points(
    key_points: Sequence[KeyPoint], answer: str, *, generic: Sequence[bool] | None = None
) -> list[PointResult]:
    """Credit for every key point: keyword match first, then the semantic fallback."""
    generic = list(generic) if generic is not None else [False] * len(key_points)
    spans = _spans(tokens(answer))
    results: list[PointResult | None] = []
    fallback: list[int] = []
    for i, kp in enumerate(key_points):
        hit = next((k for k in kp.keywords if keyword_key(k) and keyword_key(k) in spans), None)
        if hit is not None:
            results.append(PointResult(kp.id, kp.point, kp.weight, 1.0, "keyword", hit, kp.why, generic[i]))
        else:
            results.append(None)
            fallback.append(i)
    if fallback and answer.strip():
        sims = similarities([key_points[i].point for i in fallback], answer)
    else:
        sims = [0.0] * len(fallback)
    for i, sim in zip(fallback, sims, strict=True):
        kp = key_points[i]
        credit = partial_credit(sim)
        how = "semantic" if credit > 0 else "none"
        results[i] = PointResult(kp.id, kp.point, kp.weight, credit, how, f"similarity {sim:.2f}", kp.why, generic[i])
    return [r for r in results if r is not None]


def prose_words(answer: str) -> int:
    """Words of the answer in sentences that read as prose (bare lists of terms count 0).

    A sentence of four or more words counts when at least `PROSE_MIN_SHARE` of
    its words are function words (`STOP_WORDS`) or it has a non-ASCII (e.g.
    CJK) word; shorter sentences always count. Judged sentence by sentence, so
    adding text never lowers the count.
    """
    total = 0
    for sentence in split_sentences(answer):
        words = _TOKEN_RE.findall(fold(sentence))
        n = len(words)
        if n < 4 or any(not w.isascii() for w in words):
            total += n
            continue
        function = sum(1 for w in words if w in STOP_WORDS or stem(w) in STOP_WORDS)
        if function >= PROSE_MIN_SHARE * n:
            total += n
    return total


def score_stage(
    stage_id: str,
    answer: str,
    key_points: Sequence[KeyPoint],
    generic_items: Sequence[KeyPoint],
    *,
    min_words: int = MIN_WORDS,
) -> StageScore:
    """Score one answer against a stage's key points and the step's generic items.

    `min_words` is the length rule (module docstring, step 5); 0 turns it off
    (unit tests of the weight formula use that).
    """
    if not answer.strip():
        pts = [PointResult(k.id, k.point, k.weight, 0.0, "none", "empty answer", k.why, False) for k in key_points]
        pts += [PointResult(k.id, k.point, k.weight, 0.0, "none", "empty answer", k.why, True) for k in generic_items]
        return StageScore(stage_id, 0.0, tuple(pts), 0, min_words)
    results = score_points(
        list(key_points) + list(generic_items), answer,
        generic=[False] * len(key_points) + [True] * len(generic_items),
    )
    own = [r for r in results if not r.generic]
    gen = [r for r in results if r.generic]
    own_w = sum(r.weight for r in own)
    gen_w = sum(r.weight for r in gen)
    gen_cov = sum(r.weight * r.credit for r in gen) / gen_w if gen_w else 0.0
    if own_w > 0:
        own_cov = sum(r.weight * r.credit for r in own)
        missed = sum(r.weight * (1.0 - r.credit) for r in own)
        bonus = min(GENERIC_SHARE * own_w * gen_cov, GENERIC_FILL * missed)
        complete = all(r.credit >= 1.0 for r in own)
        raw = 1.0 if complete else (own_cov + bonus) / own_w
    else:
        complete = bool(gen) and all(r.credit >= 1.0 for r in gen)
        raw = 1.0 if complete else gen_cov
    words = prose_words(answer)
    factor = 1.0 if min_words <= 0 else min(1.0, words / min_words)
    score = round(100.0 * min(1.0, raw) * factor, 1)
    if not complete:
        score = min(score, INCOMPLETE_CAP)
    return StageScore(stage_id, score, tuple(results), words, min_words)


def rubric(scenario: Scenario, stage_id: str) -> tuple[tuple[KeyPoint, ...], tuple[KeyPoint, ...]]:
    """(the scenario's key points for the stage, the step's generic items)."""
    from mlsd.framework import step

    stage = scenario.stage(stage_id)
    own = stage.key_points if stage is not None else ()
    return tuple(own), tuple(step(stage_id).items)


def score_answer(scenario: Scenario, stage_id: str, answer: str) -> StageScore:
    """Score an answer to one stage of a scenario (the one call `practice` makes)."""
    own, generic = rubric(scenario, stage_id)
    return score_stage(stage_id, answer, own, generic)


# ---------------------------------------------------------------- agenda and total

AGENDA_ALIASES: dict[str, tuple[str, ...]] = {
    "requirements": ("requirement", "clarify", "clarification", "scope", "use case", "goal"),
    "ml-task": ("ml task", "ml problem", "problem formulation", "formulate", "framing", "frame the problem", "machine learning task"),
    "data": ("data", "dataset", "label", "training data"),
    "features": ("feature", "feature engineering"),
    "model": ("model", "modeling", "architecture", "algorithm"),
    "evaluation": ("evaluation", "evaluate", "metric", "a/b test", "experiment"),
    "deployment": ("deploy", "deployment", "rollout", "roll out", "launch", "release"),
    "serving": ("serving", "serve", "inference", "online prediction", "batch prediction"),
    "monitoring": ("monitor", "monitoring", "alert", "observability", "dashboard"),
    "maintenance": ("maintenance", "maintain", "retrain", "retraining", "iterate", "iteration"),
}


def score_agenda(answer: str, stage_ids: Sequence[str]) -> AgendaScore:
    """How many of the practised steps the agenda names (layered thinking: parts before detail)."""
    spans = _spans(tokens(answer))
    named, missing = [], []
    for sid in stage_ids:
        aliases = AGENDA_ALIASES.get(sid, ()) + (sid.replace("-", " "),)
        (named if any(keyword_key(a) in spans for a in aliases) else missing).append(sid)
    score = round(100.0 * len(named) / len(stage_ids), 1) if stage_ids else 0.0
    return AgendaScore(score, tuple(named), tuple(missing))


def total_score(stage_scores: dict[str, float]) -> float:
    """Stage scores averaged with each step's share of interview time as weight."""
    from mlsd.framework import step

    if not stage_scores:
        return 0.0
    weights = {sid: step(sid).weight for sid in stage_scores}
    total_w = sum(weights.values())
    return round(sum(stage_scores[s] * weights[s] for s in stage_scores) / total_w, 1)
