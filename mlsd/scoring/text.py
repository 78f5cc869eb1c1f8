"""Text → units of word tokens: the one normalisation every side of a match goes through.

An answer is cut into *units* (sentences, lines, bullets, semicolon clauses); a unit is a
list of tokens. English words are folded to American spelling and stemmed with the Snowball
stemmer (PyStemmer), so "labelled" = "labeling" and "optimise" = "optimization"; Chinese runs
are cut into words by jieba (loaded only when an answer has Chinese in it). Glossary terms
(`mlsd/data/glossary.yaml`) in either language become one concept token (`@p99-latency`), so
"tail latency", "尾延迟" and "p99 latency" are the same token. Each token carries whether a
negation governs it ("we would not use X", "X is irrelevant", "无需 X").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from mlsd.scoring import lexicon

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
# Words, concept placeholders, CJK runs, and the punctuation that ends a clause.
_TOKEN_RE = re.compile(rf"@[a-z0-9-]+|[a-z0-9]+|[{CJK}]+|[,，、:：()（）\[\]—–]|\s-\s")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|[。！？\n]+")
_CLAUSE_SPLIT_RE = re.compile(r"[;；]+")
_ABBREVIATION_END = re.compile(r"(?:\b(?:e\.g|i\.e|vs|etc|approx|cf|incl|resp|min|max|no|fig)\.)$", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")

CLAUSE_WORDS = frozenset(lexicon.words("clause_boundaries"))
STOP_WORDS = frozenset(lexicon.words("stop_words"))
NEGATORS_BEFORE = tuple(tuple(p.split()) for p in lexicon.words("negation_before"))
NEGATORS_AFTER = tuple(tuple(p.split()) for p in lexicon.words("negation_after"))
NOT_NEGATING = tuple(tuple(p.split()) for p in lexicon.words("not_negating"))
NEGATORS_AROUND = tuple(lexicon.pairs("negation_around"))
NEGATION_REACH = 14  # words a negation governs, within its clause


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball English stemmer in C

    return Stemmer.Stemmer("english")


_BRITISH = tuple((re.compile(a), b) for a, b in lexicon.pairs("british_american"))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's match form: American spelling, then the Snowball stem ('labelled' → 'label')."""
    if not word.isascii() or not word.isalpha() or len(word) <= 2:
        return word
    for pattern, repl in _BRITISH:
        word = pattern.sub(repl, word)
    return _stemmer().stemWord(word)


def fold(text: str) -> str:
    """Unicode-fold and lower-case; α/β become words so 'α' = 'alpha'."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("α", " alpha ").replace("β", " beta ").replace("&", " and ").replace("@", " at ")
    return text.replace("’", "'").replace("n't", " not").replace("'", " ")


_PLAIN_WORD_RE = re.compile(rf"[a-z0-9]+|[{CJK}]+")


def raw_words_plain(folded: str) -> list[str]:
    """Words of folded text, no glossary and no Chinese word cutting (a CJK run is one word)."""
    return _PLAIN_WORD_RE.findall(folded)


def glue_part(token: str) -> str:
    """A token as part of a glued key: a final 'e' dropped, so 'real time' glues like 'realtime'."""
    return token[:-1] if len(token) > 3 and token.endswith("e") and token[0] != "@" else token


def glue(tokens: tuple[str, ...] | list[str]) -> str:
    """Tokens glued into one key: 'A/B test', 'ab tests' and 'a-b testing' all give the same."""
    return "".join(glue_part(t) for t in tokens)


def joins_alike(run: Sequence[str], defined: Sequence[tuple[str, ...]]) -> bool:
    """May a run of tokens that glues like a term stand for it? Written as defined, always;
    written split or joined differently ("ab test", "a/b test"), only when no function word
    of two or more letters is glued in ("at a" is not "ATA")."""
    if tuple(run) in defined:
        return True
    if len(run) == 1:  # "realtime" for "real time", but not "cat" for "CATE"
        return any(len(d) > 1 for d in defined)
    return not any(t in STOP_WORDS and len(t) > 1 and not any(t in d for d in defined) for t in run)


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SCALED = re.compile(r"\b(\d+(?:\.\d+)?)\s*(k|thousand|million|mn|billion|bn)\b")
_WORD_SCALED = re.compile(r"\b(?:a|one)\s+(thousand|million|billion)\b")
_SCALE = {"k": 1e3, "thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9}


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def normalise_numbers(folded: str) -> str:
    """'1,000', '1k', 'a thousand' and '1 thousand' all read '1000'; '2.5 million' reads '2500000'."""
    folded = _THOUSANDS.sub("", folded)
    folded = _WORD_SCALED.sub(lambda m: _number(_SCALE[m.group(1)]), folded)
    return _SCALED.sub(lambda m: _number(float(m.group(1)) * _SCALE[m.group(2)]), folded)


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _cjk_words(run: str) -> list[str]:
    return [w for w in _jieba().lcut(run) if w.strip()]


@dataclass(frozen=True)
class Unit:
    """One sentence/line of an answer: its text and its tokens with negation flags."""

    text: str
    tokens: tuple[str, ...]  # stems and concept tokens, stop words kept (phrases need them)
    negated: tuple[bool, ...]
    plain: tuple[str, ...] = ()  # the stems before glossary terms were joined
    plain_negated: tuple[bool, ...] = ()

    def content_positions(self) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if is_content(t)]


@lru_cache(maxsize=1)
def _stopped() -> frozenset[str]:
    """Stop words as written and as stemmed ('because' is 'becaus' after stemming)."""
    return STOP_WORDS | frozenset(stem(w) for w in STOP_WORDS)


def is_content(token: str) -> bool:
    """Not a stop word, not a lone Latin letter: a word that carries meaning."""
    if token in _stopped():
        return False
    return len(token) > 1 or not token.isascii()


def split_sentences(text: str) -> list[str]:
    """Sentences and lines (a bullet is a line); 'e.g.', 'i.e.', 'vs.' do not end a sentence."""
    parts: list[str] = []
    for piece in _SENTENCE_SPLIT_RE.split(text):
        if parts and _ABBREVIATION_END.search(parts[-1]):
            parts[-1] = parts[-1] + " " + piece
        else:
            parts.append(piece)
    return parts


def split_clauses(text: str) -> list[tuple[str, int]]:
    """Units of an answer with the index of the sentence each stands in: sentences, lines and
    bullets, with semicolon clauses as units of their own (a negation stops at ';')."""
    out = []
    for n, sentence in enumerate(split_sentences(text)):
        for part in _CLAUSE_SPLIT_RE.split(sentence):
            part = _BULLET_RE.sub("", part).strip(" \t-*•")
            if part and re.search(rf"[A-Za-z0-9{CJK}]", part):
                out.append((part, n))
    return out


def split_units(text: str) -> list[str]:
    """The units of an answer (see `split_clauses`)."""
    return [u for u, _ in split_clauses(text)]


def raw_tokens(text: str, *, parts: bool = False) -> list[str]:
    """Folded word tokens, with ',' for a comma and '|' for a hard break (before stemming and concepts).

    `parts`: Chinese glossary terms are marked shortest first (a compound shows its parts).
    """
    from mlsd.scoring.glossary import load_glossary

    folded = normalise_numbers(fold(text))
    if has_cjk(folded):
        folded = load_glossary().mark_chinese(folded, parts=parts)
    out: list[str] = []
    for m in _TOKEN_RE.finditer(folded):
        tok = m.group(0)
        if tok[0] in ",，、":
            out.append(",")  # a list comma: a negation may reach past it
        elif tok[0] in ":：()（）[]—–" or tok.strip() == "-":
            out.append("|")  # a hard break: a negation stops here
        elif _CJK_RE.match(tok):
            out.extend(_cjk_words(tok))
        else:
            out.append(tok)
    return out


def _matches_at(words: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(words[i : i + len(phrase)]) == phrase


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in sorted(phrases, key=len, reverse=True):
        out.setdefault(p[0], []).append(p)
    return {k: tuple(v) for k, v in out.items()}


_BEFORE = _by_first_word(NEGATORS_BEFORE)
_AFTER = _by_first_word(NEGATORS_AFTER)
_EXEMPT = _by_first_word(NOT_NEGATING)
_AROUND = dict(NEGATORS_AROUND)


BREAKS = frozenset({",", "|"})
CLAUSE_STARTERS = frozenset(lexicon.words("clause_starters"))


def _ends_clause(words: list[str], j: int) -> bool:
    """Does the clause end at words[j]? A hard break or a clause word always ends it; a comma
    only when a new clause starts after it ("not X, we use Y"), not inside a list ("not X, Y or Z")."""
    w = words[j]
    if w == "|" or w in CLAUSE_WORDS:
        return True
    return w == "," and j + 1 < len(words) and words[j + 1] in CLAUSE_STARTERS


def negation_flags(words: list[str]) -> list[bool]:
    """Which tokens a negation governs: the clause after 'not/never/no need for/无需…' (up to
    NEGATION_REACH tokens) and the clause before 'is irrelevant/does not matter/没必要…'.

    'not only', 'not just' and the like do not negate; a clause ends at punctuation and at
    words such as 'but', 'so', 'instead', 'because'.
    """
    n = len(words)
    flags = [False] * n
    for i, w in enumerate(words):
        if w not in _BEFORE and w not in _AFTER and w not in _AROUND and w != "negclause":
            continue
        if any(_matches_at(words, i, p) for p in _EXEMPT.get(w, ())):
            continue
        for phrase in _BEFORE.get(w, ()):
            if _matches_at(words, i, phrase):
                start = i + len(phrase)
                for j in range(start, min(n, start + NEGATION_REACH)):
                    if _ends_clause(words, j):
                        break
                    flags[j] = True
                break
        for phrase in _AFTER.get(w, ()):
            if _matches_at(words, i, phrase):
                for j in range(i - 1, max(-1, i - 1 - NEGATION_REACH), -1):
                    if _ends_clause(words, j):
                        break
                    flags[j] = True
                break
        if w == "negclause":  # a Chinese negation verb: its whole clause ("NDCG 我不会用")
            for j in range(i - 1, -1, -1):
                if words[j] in BREAKS:
                    break
                flags[j] = True
            for j in range(i + 1, n):
                if words[j] in BREAKS:
                    break
                flags[j] = True
            continue
        last = _AROUND.get(w)
        if last is not None:
            for j in range(i + 1, min(n, i + 6)):
                if _ends_clause(words, j):
                    break
                if words[j] == last:
                    for k in range(i + 1, j):
                        flags[k] = True
                    break
    return flags


def unit_of(text: str) -> Unit:
    """A unit's tokens: stemmed, glossary terms joined into concept tokens, negation marked."""
    from mlsd.scoring.glossary import load_glossary

    words = raw_tokens(text)
    flags = negation_flags(words)
    stems = [w if w.startswith("@") or w in BREAKS else stem(w) for w in words]
    toks, neg = load_glossary().join_concepts(stems, flags)
    keep = [i for i, t in enumerate(toks) if t not in BREAKS]
    if has_cjk(text):  # the plain stream shows the parts of Chinese compounds
        words = raw_tokens(text, parts=True)
        flags = negation_flags(words)
        stems = [w if w.startswith("@") or w in BREAKS else stem(w) for w in words]
    plain = [i for i, t in enumerate(stems) if t not in BREAKS]
    return Unit(
        text, tuple(toks[i] for i in keep), tuple(neg[i] for i in keep),
        tuple(stems[i] for i in plain), tuple(flags[i] for i in plain),
    )


def tokens(text: str) -> list[str]:
    """The match tokens of any text (a keyword, a point sentence, an answer)."""
    return list(unit_of(text).tokens)


@lru_cache(maxsize=16384)
def phrase_key(phrase: str) -> tuple[str, ...]:
    """A keyword's or alias's tokens, cached: the same normalisation as answers."""
    return tuple(tokens(phrase))


@lru_cache(maxsize=16384)
def plain_key(phrase: str) -> tuple[str, ...]:
    """A phrase's stems without glossary concepts (a term inside a longer glossary term)."""
    return unit_of(phrase).plain
