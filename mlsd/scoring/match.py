"""Which sentence of an answer asserts which key point, and how strongly.

A key point is credited by one *unit* (sentence, line, bullet or clause) of the answer:

- **term**: one of the point's keywords or aliases stands in the unit as a run of tokens
  (glossary synonyms and Chinese terms count, through concept tokens) → credit 1;
- **reordered**: every content word of a keyword/alias of two or more words stands in the
  unit, close together, in another order ("downsample the negatives") → credit 1;
- **paraphrase**: the unit says most of the point's own sentence in other words
  (IDF-weighted share of the point's words, related words counted) → partial credit up to 1.

A unit can credit nothing when it does not assert anything:
- a negated or dismissed mention ("we would not use X", "X is irrelevant", "无需 X") is not
  credit for X;
- a bare term: once every rubric term in the unit is taken away, nothing is left (a keyword on
  its own line, a comma list of keywords);
- off-topic: most of what is left is not the field's vocabulary (fluent nonsense that carries
  keywords: "my grandmother's X tastes like Y").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlsd.i18n import gettext
from mlsd.scoring.text import (
    Unit,
    glue,
    glue_part,
    is_content,
    joins_alike,
    phrase_key,
    plain_key,
    split_clauses,
    split_units,
    unit_of,
)

if TYPE_CHECKING:
    from mlsd.content.scenario import KeyPoint

TOPICAL_MIN_SHARE = 0.6  # of a unit's leftover words that must be the field's vocabulary
REORDER_SLACK = 4  # extra words allowed between the words of a reordered term
PARAPHRASE_LOW = 0.11  # similarity where paraphrase credit starts
PARAPHRASE_FULL = 0.33  # similarity that earns full credit
PARTIAL_MIN = 0.1  # the least partial credit worth showing
PARAPHRASE_MIN_WORDS = 2  # distinct point words a paraphrase must share
SALAD_POINTS = 3  # points named in one unit that make a terms-only list salad ...
SALAD_FUNCTION_SHARE = 0.2  # ... when under this share of its words are function words
EXPLAINED_WORDS = 3  # other content words a sentence needs for a term's full credit
EXPLAINED_MIN = 0.85  # credit of a term in a sentence with nothing else in it
LOOSE_WEIGHT = 0.6  # a related word (glossary `related` group) counts this much of the same word
_NUMBER_RE = re.compile(r"\d")


@dataclass(frozen=True)
class Cue:
    """A keyword or alias, normalised once."""

    text: str
    key: tuple[str, ...]
    glued: str
    content: frozenset[str]
    alias: bool = False
    plain_glued: str = ""  # without glossary concepts: found inside a longer glossary term
    plain_key: tuple[str, ...] = ()


@lru_cache(maxsize=16384)
def cue_of(text: str, alias: bool = False) -> Cue:
    key = phrase_key(text)
    plain = plain_key(text)
    return Cue(text, key, glue(key), frozenset(t for t in key if is_content(t)), alias, glue(plain), plain)


def cues_of(kp: KeyPoint) -> tuple[Cue, ...]:
    return tuple(c for c in (*(cue_of(k) for k in kp.keywords), *(cue_of(a, True) for a in kp.aliases)) if c.glued)


class Glued:
    """A unit's tokens glued together, to find a cue's run on token boundaries."""

    __slots__ = ("text", "starts", "ends", "toks")

    def __init__(self, toks: Sequence[str]) -> None:
        self.toks = tuple(toks)
        parts = [glue_part(t) for t in toks]
        self.text = "".join(parts)
        self.starts: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        pos = 0
        for i, p in enumerate(parts):
            self.starts.setdefault(pos, i)
            pos += len(p)
            self.ends[pos] = i + 1

    def spans(self, glued: str, key: tuple[str, ...] | None = None) -> list[tuple[int, int]]:
        """Token spans [start, end) where the glued cue stands (`key`: the cue's own tokens)."""
        out = []
        at = self.text.find(glued)
        while at != -1:
            s, e = self.starts.get(at), self.ends.get(at + len(glued))
            if s is not None and e is not None and e > s and (key is None or joins_alike(self.toks[s:e], (key,))):
                out.append((s, e))
            at = self.text.find(glued, at + 1)
        return out


@dataclass(frozen=True)
class Hit:
    """The best evidence found for one point."""

    credit: float
    how: str  # "term" | "reordered" | "paraphrase" | "none"
    matched: str  # the keyword/alias, or "similarity 0.52"
    sentence: str = ""  # the unit of the answer that earned it
    missing: str = ""  # for partial credit: what the sentence did not say
    blocked: str = ""  # why a mention did not count: "negated", "bare term", "off-topic"


NO_HIT = Hit(0.0, "none", "")


@dataclass
class PreparedUnit:
    unit: Unit
    glued: Glued
    plain: Glued
    bare: bool
    topical: bool
    on_case: bool = True  # most other words are this scenario's own vocabulary
    sentence_words: int = 0  # content words (and numbers) of the whole sentence it stands in
    question: bool = False  # ends with a question mark
    mistaken: bool = False  # asserts a mistake an interviewer flags (never evidence for a point)
    field_case: bool = True  # on_case judged with related words: plain words of the case count

    @property
    def asserts(self) -> bool:
        return not self.bare and self.topical


class Matcher:
    """Scores many key points against one answer; built once per answer and rubric."""

    def __init__(
        self,
        answer: str,
        points: Sequence[KeyPoint],
        vocabulary: frozenset[str],
        idf: dict[str, float],
        references: Sequence[str] = (),
        local_vocabulary: frozenset[str] | None = None,
    ):
        from mlsd.scoring.glossary import load_glossary

        self.points = list(points)
        self.cues = [cues_of(kp) for kp in self.points]
        self.vocabulary = vocabulary
        self.local = local_vocabulary if local_vocabulary is not None else vocabulary
        from mlsd.scoring.glossary import load_glossary as _load

        loose = _load().loose
        self.local_loose = frozenset(loose(t) for t in self.local) - self.local
        self.idf = idf
        self.loose = load_glossary().loose
        clauses = split_clauses(answer)
        self.units = [self._prepare(unit_of(text)) for text, _ in clauses]
        # Words said in each unit's whole sentence: a term explained in the clause after a ';'
        # is explained all the same.
        per_sentence: dict[int, int] = {}
        for pu, (_, n) in zip(self.units, clauses, strict=True):
            per_sentence[n] = per_sentence.get(n, 0) + sum(1 for t in pu.unit.plain if _said(t))
        for pu, (text, n) in zip(self.units, clauses, strict=True):
            pu.sentence_words = per_sentence[n]
            pu.question = text.rstrip().endswith(("?", "？"))
        from mlsd.scoring.mistakes import find_mistakes

        self.mistakes = find_mistakes([pu.unit for pu in self.units])
        wrong = {m.sentence for m in self.mistakes}
        for pu in self.units:
            pu.mistaken = pu.unit.text in wrong
        # The reference answer's sentences that state a point are more ways of saying it.
        self.statements: list[list[tuple[str, ...]]] = [[] for _ in self.points]
        for text in references:
            for sentence in split_units(text):
                ref = unit_of(sentence)
                g = Glued(ref.tokens)
                for i, cues in enumerate(self.cues):
                    if any(g.spans(c.glued) for c in cues):
                        self.statements[i].append(ref.tokens)

    def _prepare(self, unit: Unit) -> PreparedUnit:
        # Bare terms and topicality are judged on the plain stems (before glossary joining).
        glued, plain = Glued(unit.tokens), Glued(unit.plain)
        taken: set[int] = set()
        found: list[tuple[int, int, str, int]] = []
        for p, cues in enumerate(self.cues):
            for cue in cues:
                for s, e in plain.spans(cue.plain_glued, cue.plain_key):
                    taken.update(range(s, e))
                    found.append((s, e, cue.plain_glued, p))
        left = [t for i, t in enumerate(unit.plain) if i not in taken and is_content(t)]
        # Nothing but rubric terms: a list line (one term) or salad (terms of several points).
        # Two terms of one point ("implicit feedback from click logs") still state that point.
        outer = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and (o[1] - o[0]) > (f[1] - f[0]) for o in found)]
        owners: dict[str, set[int]] = {}
        for _, _, g, p in outer:
            owners.setdefault(g, set()).add(p)
        shared = set.intersection(*owners.values()) if owners else set()
        bare = not left and (len(owners) <= 1 or not shared)
        # A list of terms of three or more points with fewer other words than terms is salad
        # ("NDCG, MRR, recall@k, A/B test, interleaving, guardrails, offline-online correlation").
        named_points = set().union(*owners.values()) if owners else set()
        function_words = sum(1 for t in unit.tokens if not is_content(t))
        listy = function_words < SALAD_FUNCTION_SHARE * len(unit.tokens)
        if listy and ((len(named_points) >= SALAD_POINTS and 2 * len(left) < len(outer))
                      or (len(named_points) >= SALAD_POINTS + 1 and len(left) <= len(outer))):
            bare = True
        judged = [t for t in left if t.isascii()]  # Chinese words outside the glossary are neutral
        field = sum(1 for t in judged if t in self.vocabulary or t[0] == "@" or _NUMBER_RE.search(t))
        topical = not judged or field >= TOPICAL_MIN_SHARE * len(judged)
        own = sum(1 for t in judged if t in self.local or t[0] == "@" or _NUMBER_RE.search(t))
        on_case = not judged or own >= TOPICAL_MIN_SHARE * len(judged)
        near = own + sum(1 for t in judged if t not in self.local and self.loose(t) in self.local_loose)
        field_case = not judged or near >= TOPICAL_MIN_SHARE * len(judged)
        return PreparedUnit(unit, glued, plain, bare=bare, topical=topical, on_case=on_case,
                            field_case=field_case)

    def best(self, index: int) -> Hit:
        """The strongest credit any unit of the answer gives point `index`; among equal credits,
        the statement (not a question) that says the most about it is the evidence."""
        kp, cues = self.points[index], self.cues[index]
        blocked = ""
        hits: list[tuple[float, bool, int, int, Hit]] = []
        for order, pu in enumerate(self.units):
            for cue in cues:
                spans = [(s, e, pu.unit.negated) for s, e in pu.glued.spans(cue.glued, cue.key)]
                spans += [(s, e, pu.unit.plain_negated) for s, e in pu.plain.spans(cue.plain_glued, cue.plain_key)]
                if cue.glued != cue.plain_glued:  # a concept inside a Chinese compound
                    spans += [(s, e, pu.unit.plain_negated) for s, e in pu.plain.spans(cue.glued, cue.key)]
                for s, e, negated in spans:
                    if any(negated[s:e]):
                        blocked = blocked or "negated"
                    elif not pu.topical:
                        blocked = blocked or "off-topic"
                    elif pu.bare:
                        blocked = blocked or "bare term"
                    elif pu.mistaken:
                        # "I'd apply SMOTE to oversample the churners" states a mistake, not the point.
                        blocked = blocked or "mistake"
                    elif not pu.on_case and (len(cue.content) <= 1 or not pu.field_case):
                        # A term in a sentence about something else ("my cat loves GNNs").
                        blocked = blocked or "off-topic"
                    else:
                        hit = self._explained(Hit(1.0, "term", cue.text, pu.unit.text), pu, cue)
                        hits.append((hit.credit, not pu.question, pu.sentence_words, -order, hit))
            if pu.asserts and not pu.mistaken:
                for cue in cues:
                    if len(cue.content) >= 2 and self._reordered(pu.unit, cue):
                        hit = self._explained(Hit(1.0, "reordered", cue.text, pu.unit.text), pu, cue)
                        hits.append((hit.credit, not pu.question, pu.sentence_words, -order, hit))
        if hits:
            return max(hits, key=lambda h: h[:4])[4]
        hit = self._paraphrase(kp, cues, self.statements[index])
        if hit.credit <= 0 and blocked:
            return Hit(0.0, "none", "", "", "", blocked)
        return hit

    @staticmethod
    def _explained(hit: Hit, pu: PreparedUnit, cue: Cue) -> Hit:
        """Full credit when the sentence says something about the term; a bare fragment
        ("LightGBM, isotonic") keeps EXPLAINED_MIN of it, rising with each word of explanation."""
        extra = pu.sentence_words - sum(1 for t in cue.plain_key if _said(t))
        if extra >= EXPLAINED_WORDS:
            return hit
        credit = round(EXPLAINED_MIN + (1 - EXPLAINED_MIN) * max(0, extra) / EXPLAINED_WORDS, 3)
        return Hit(credit, hit.how, hit.matched, hit.sentence, gettext("named in a fragment; say what it does here"))

    @staticmethod
    def _reordered(unit: Unit, cue: Cue) -> bool:
        where: dict[str, list[int]] = {}
        for i, t in enumerate(unit.tokens):
            if t in cue.content and not unit.negated[i]:
                where.setdefault(t, []).append(i)
        if len(where) < len(cue.content):
            return False
        first = [min(v) for v in where.values()]
        return max(first) - min(first) <= len(cue.content) + REORDER_SLACK

    def _bag(self, tokens: Iterable[str]) -> dict[str, str]:
        """Content tokens → their related-group id (the token itself when in no group)."""
        return {t: self.loose(t) for t in tokens if is_content(t)}

    def _similarity(self, statement: dict[str, str], words: dict[str, str]) -> float:
        """IDF-weighted share of a statement said by a unit: the same word counts 1, a word of
        the same related group LOOSE_WEIGHT. Needs two shared words, two of them the same
        unless three are shared ("add … time" only relates to "retrain on a time trigger")."""
        exact = sorted(set(statement) & set(words))
        rest_s = {g for t, g in statement.items() if t not in words}
        rest_w = {g for t, g in words.items() if t not in statement}
        loose = sorted(g for g in rest_s & rest_w if g[0] == "~")
        if len(exact) + len(loose) < PARAPHRASE_MIN_WORDS or (len(exact) < 2 and len(exact) + len(loose) < 3):
            return 0.0
        total = sum(self.idf.get(g, 1.0) for g in sorted(statement.values()))
        said = sum(self.idf.get(statement[t], 1.0) for t in exact)
        said += LOOSE_WEIGHT * sum(self.idf.get(g, 1.0) for g in loose)
        return said / total if total else 0.0

    def _paraphrase(self, kp: KeyPoint, cues: Sequence[Cue], more: Sequence[tuple[str, ...]] = ()) -> Hit:
        # Short terms are matched whole or reordered above; as paraphrase targets two common
        # words of a three-word alias would be most of it. Paraphrase targets are sentences.
        statements = [self._bag(s) for s in (phrase_key(kp.point), *more)]
        # The point's core: its terms' words and their related words. A paraphrase must touch it
        # ("the slowest requests" relates to "p99 latency"); sharing only the setting ("the
        # search page") with the point's sentence is not saying the point.
        core = {g for c in cues for g in self._bag(c.key).values()} | {
            g for c in cues for g in self._bag(c.plain_key).values()}
        best, best_unit = 0.0, None
        windows = [
            (pu.unit.text, self._bag(t for i, t in enumerate(pu.unit.tokens) if not pu.unit.negated[i]))
            for pu in self.units if pu.asserts and pu.on_case and not pu.mistaken
        ]
        for statement in statements:
            for text, words in windows:
                if core.isdisjoint(words.values()) and core.isdisjoint(words):
                    continue
                sim = self._similarity(statement, words)
                if sim > best:
                    best, best_unit = sim, text
        credit = paraphrase_credit(best)
        if credit <= 0:
            return NO_HIT
        missing = ""
        if credit < 1.0:
            terms = ", ".join(kp.keywords[:3])
            missing = gettext("close to the point but not all of it; say it outright, e.g. with {terms}").format(terms=terms)
        return Hit(credit, "paraphrase", f"similarity {best:.2f}", best_unit or "", missing)


def _said(token: str) -> bool:
    """A word that says something: content, or a number."""
    return is_content(token) or any(c.isdigit() for c in token)


def paraphrase_credit(similarity: float) -> float:
    """Similarity → credit: 0 below PARAPHRASE_LOW, 1 from PARAPHRASE_FULL, linear between;
    a credit under PARTIAL_MIN is noise, not evidence, and counts 0."""
    if similarity <= PARAPHRASE_LOW:
        return 0.0
    credit = round(min(1.0, (similarity - PARAPHRASE_LOW) / (PARAPHRASE_FULL - PARAPHRASE_LOW)), 3)
    return credit if credit >= PARTIAL_MIN else 0.0


def idf_weights(texts: Sequence[str]) -> dict[str, float]:
    """Inverse document frequency of each (loose) content token over the rubric's point texts."""
    from mlsd.scoring.glossary import load_glossary

    loose = load_glossary().loose
    df: dict[str, int] = {}
    for text in texts:
        for t in {loose(t) for t in phrase_key(text) if is_content(t)}:
            df[t] = df.get(t, 0) + 1
    n = len(texts)
    return {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
