"""The bilingual glossary (`mlsd/data/glossary.yaml`): one concept, every way engineers say it.

Matching replaces every glossary term in an answer, a keyword or a point sentence with its
concept token (`@p99-latency`), so synonyms, abbreviations and Chinese terms match each other
exactly. `related` groups are looser word families used only by the similarity signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlsd.errors import MlsdError

GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "data" / "glossary.yaml"
_SLUG = re.compile(r"[a-z0-9-]+")
MAX_TERM_TOKENS = 8


class GlossaryError(MlsdError):
    """The shipped glossary is malformed (a packaging or editing error)."""


@dataclass(frozen=True)
class Concept:
    id: str
    en: tuple[str, ...]
    zh: tuple[str, ...] = ()
    family: str = ""


class Glossary:
    """Concept lookup for the tokenizer: English phrase runs and Chinese strings."""

    def __init__(self, families: dict[str, tuple[Concept, ...]], related: tuple[tuple[str, ...], ...]):
        from mlsd.scoring import lexicon
        from mlsd.scoring.text import fold, glue, raw_words_plain, stem

        self.families = families
        self.related = related
        self.by_id = {c.id: c for cs in families.values() for c in cs}
        self._phrases: dict[str, str] = {}
        self._defined: dict[str, list[tuple[str, ...]]] = {}
        self.max_len = 1
        zh_terms: dict[str, str] = {}
        written: dict[str, str] = {}
        for concept in self.by_id.values():
            for term in concept.en + concept.zh:
                words = raw_words_plain(fold(term))
                # The same term written in two concepts is an editing error; two terms that
                # only normalise alike ("MAP", "MAPE") keep the first concept's meaning.
                self._claim(written, " ".join(words), concept.id, term)
                if words and not any(_is_cjk(w) for w in words):
                    stems = tuple(stem(w) for w in words)
                    self._phrases.setdefault(glue(stems), concept.id)
                    self._defined.setdefault(glue(stems), []).append(stems)
                    self.max_len = max(self.max_len, len(words))
                else:
                    zh_terms.setdefault(fold(term).strip(), concept.id)
        marks = {t: f" @{cid} " for t, cid in zh_terms.items()}
        marks.update({fold(t): " negclause " for t in lexicon.words("negation_zh")})
        # Chinese terms match whatever stands between their parts: "A/B 实验" = "AB实验" = "a-b 实验".
        self._zh_marks = {_squeeze(t): m for t, m in marks.items()}
        by_length = sorted(marks, key=lambda t: len(_squeeze(t)))
        pattern = "|".join(_SEP.join(map(re.escape, _PARTS.split(t.strip()))) for t in reversed(by_length))
        self._zh_re = re.compile(pattern) if marks else None
        # Shortest first: a compound ("实时特征") also shows its parts ("实时", "特征").
        short = "|".join(_SEP.join(map(re.escape, _PARTS.split(t.strip()))) for t in by_length)
        self._zh_short_re = re.compile(short) if marks else None
        self._zh_first = {t.strip()[0] for t in marks if t.strip()}
        self._related: dict[str, str] = {}
        for group in related:
            head = None
            for word in group:
                key = self._related_key(word, fold, glue, raw_words_plain, stem)
                if key:
                    head = head or "~" + key.lstrip("@")
                    self._related.setdefault(key, head)

    def _related_key(self, word: str, fold, glue, raw_words_plain, stem) -> str | None:
        """One token for a related-group word: its concept, or its stem (no recursion into tokens())."""
        folded = fold(word)
        words = raw_words_plain(folded)
        if not words:
            return None
        if any(_is_cjk(w) for w in words):
            mark = self._zh_marks.get(_squeeze(folded))
            return mark.strip() if mark and mark.strip().startswith("@") else (words[0] if len(words) == 1 else None)
        cid = self._phrases.get(glue([stem(w) for w in words]))
        if cid is not None:
            return "@" + cid
        return stem(words[0]) if len(words) == 1 else None

    @staticmethod
    def _claim(table: dict, key, concept_id: str, term: str) -> None:
        other = table.get(key)
        if other is not None and other != concept_id:
            raise GlossaryError(
                f"{GLOSSARY_PATH.name}: term {term!r} belongs to both {other!r} and {concept_id!r}; "
                "a term may name one concept only"
            )
        table[key] = concept_id

    def mark_chinese(self, folded: str, *, parts: bool = False) -> str:
        """Replace Chinese glossary terms (and Chinese negations) with ASCII tokens before jieba.

        `parts`: prefer the shortest terms, so a compound shows the concepts it is made of.
        """
        if self._zh_re is None:
            return folded
        if not parts:
            return self._zh_re.sub(lambda m: self._zh_marks.get(_squeeze(m.group(0)), m.group(0)), folded)
        return self._mark_parts(folded)

    def _mark_parts(self, folded: str) -> str:
        """Shortest terms first, and a term inside a compound ("延迟" in "打分延迟") is exposed:
        the compound's head before it is left as plain text."""
        regex, first = self._zh_short_re, self._zh_first
        out: list[str] = []
        i, n = 0, len(folded)
        while i < n:
            m = regex.match(folded, i) if folded[i] in first else None
            if m is None:
                out.append(folded[i])
                i += 1
                continue
            inner = next(
                (j for j in range(i + 1, m.end())
                 if folded[j] in first and (mj := regex.match(folded, j)) is not None and mj.end() <= m.end()),
                None,
            )
            if inner is not None:
                out.append(folded[i:inner])
                i = inner
                continue
            out.append(self._zh_marks.get(_squeeze(m.group(0)), m.group(0)))
            i = m.end()
        return "".join(out)

    def join_concepts(self, stems: list[str], flags: list[bool]) -> tuple[list[str], list[bool]]:
        """Longest glossary phrase at each position becomes one concept token (negated if any part is)."""
        from mlsd.scoring.text import glue, joins_alike

        out: list[str] = []
        neg: list[bool] = []
        i, n = 0, len(stems)
        while i < n:
            for length in range(min(self.max_len, n - i), 0, -1):
                run = stems[i : i + length]
                if "," in run or "|" in run or run[0].startswith("@"):
                    continue
                key = glue(run)
                cid = self._phrases.get(key)
                if cid is not None and joins_alike(run, self._defined.get(key, ())):
                    out.append("@" + cid)
                    neg.append(any(flags[i : i + length]))
                    i += length
                    break
            else:
                out.append(stems[i])
                neg.append(flags[i])
                i += 1
        return out, neg

    def term_key(self, term: str) -> tuple[str, ...]:
        from mlsd.scoring.text import tokens

        return tuple(tokens(term))

    def concept_of(self, term: str) -> str | None:
        """The concept a whole term names, or None."""
        key = self.term_key(term)
        if len(key) == 1 and key[0].startswith("@"):
            return key[0][1:]
        return None

    def loose(self, token: str) -> str:
        """A token's related-group id (for similarity only), or the token itself."""
        return self._related.get(token, token)

    def english_terms(self) -> list[str]:
        """Every English term (their words are part of the field's vocabulary)."""
        return [t for c in self.by_id.values() for t in c.en]


_PARTS = re.compile(r"[\s/\-]+")
_SEP = r"[\s/\-]*"


def _squeeze(term: str) -> str:
    return _PARTS.sub("", term)


def _is_cjk(word: str) -> bool:
    from mlsd.scoring.text import has_cjk

    return has_cjk(word)


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GlossaryError(f"{GLOSSARY_PATH.name}: {where}: expected a list of non-empty terms")
    return tuple(v.strip() for v in value)


def parse_glossary(data: Any) -> Glossary:
    """Validate the glossary's YAML data: families of concepts (id, en, zh) and related groups."""
    name = GLOSSARY_PATH.name
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        raise GlossaryError(f"{name}: top level must be a mapping with `families` (and optional `related`)")
    unknown = set(data) - {"families", "related"}
    if unknown:
        raise GlossaryError(f"{name}: unknown top-level key {sorted(unknown)[0]!r}; use `families` and `related`")
    families: dict[str, tuple[Concept, ...]] = {}
    seen: set[str] = set()
    for fam, items in data["families"].items():
        if not isinstance(fam, str) or not _SLUG.fullmatch(fam):
            raise GlossaryError(f"{name}: family {fam!r} is not a slug ([a-z0-9-]+)")
        if not isinstance(items, list) or not items:
            raise GlossaryError(f"{name}: families.{fam}: expected a non-empty list of concepts")
        concepts = []
        for i, raw in enumerate(items):
            where = f"families.{fam}[{i}]"
            if not isinstance(raw, dict):
                raise GlossaryError(f"{name}: {where}: expected a mapping with id, en, zh")
            extra = set(raw) - {"id", "en", "zh"}
            if extra:
                raise GlossaryError(f"{name}: {where}: unknown key {sorted(extra)[0]!r} (use id, en, zh)")
            cid = raw.get("id")
            if not isinstance(cid, str) or not _SLUG.fullmatch(cid):
                raise GlossaryError(f"{name}: {where}.id: {cid!r} is not a slug ([a-z0-9-]+)")
            if cid in seen:
                raise GlossaryError(f"{name}: {where}.id: concept {cid!r} is defined twice")
            seen.add(cid)
            en = _texts(raw.get("en"), f"{where}.en")
            if not en:
                raise GlossaryError(f"{name}: {where}.en: a concept needs at least one English term")
            concepts.append(Concept(cid, en, _texts(raw.get("zh"), f"{where}.zh"), fam))
        families[fam] = tuple(concepts)
    related_raw = data.get("related") or []
    if not isinstance(related_raw, list):
        raise GlossaryError(f"{name}: related: expected a list of word groups")
    related = tuple(_texts(g, f"related[{i}]") for i, g in enumerate(related_raw))
    return Glossary(families, related)


def glossary_files() -> list[Path]:
    """glossary.yaml, then any glossary-*.yaml beside it (more families, merged in name order)."""
    if not GLOSSARY_PATH.is_file():
        return []
    return [GLOSSARY_PATH, *sorted(GLOSSARY_PATH.parent.glob("glossary-*.yaml"))]


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The shipped glossary, parsed once per process (an empty one if the file is absent)."""
    import yaml

    merged: dict[str, Any] = {"families": {}, "related": []}
    for path in glossary_files():
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise GlossaryError(f"{path}: cannot read the glossary ({exc}); reinstall mlsd") from exc
        if not isinstance(data, dict) or not isinstance(data.get("families", {}), dict):
            raise GlossaryError(f"{path.name}: top level must be a mapping with `families` (and optional `related`)")
        for fam, items in (data.get("families") or {}).items():
            if isinstance(items, list):
                merged["families"].setdefault(fam, []).extend(items)
            else:
                merged["families"][fam] = items
        related = data.get("related") or []
        merged["related"].extend(related if isinstance(related, list) else [related])
        unknown = set(data) - {"families", "related"}
        if unknown:
            raise GlossaryError(f"{path.name}: unknown top-level key {sorted(unknown)[0]!r}; use `families` and `related`")
    if not merged["families"]:
        return Glossary({}, ())
    return parse_glossary(merged)
