"""Mistakes an interviewer flags in any design (`mlsd/data/mistakes.yaml`): random splits of
time-ordered data, SMOTE by reflex, accuracy on rare positives, a 0.5 threshold.

A stage answer that asserts one loses the file's `penalty` points per mistake and is told why.
Asserting means: the cue is not negated ("not a random split") and its sentence has no word
that warns against it ("a random split would leak the future").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlsd.errors import MlsdError

MISTAKES_PATH = Path(__file__).resolve().parent.parent / "data" / "mistakes.yaml"


@dataclass(frozen=True)
class Mistake:
    id: str
    why: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class MistakeFound:
    id: str
    sentence: str
    why: str


@dataclass(frozen=True)
class MistakeList:
    penalty: float
    dismissals: frozenset[str]
    mistakes: tuple[Mistake, ...]


def parse_mistakes(data: Any) -> MistakeList:
    name = MISTAKES_PATH.name
    if not isinstance(data, dict) or not isinstance(data.get("mistakes"), list):
        raise MlsdError(f"{name}: must be a mapping with `penalty`, `dismissals` and a `mistakes` list; reinstall mlsd")
    penalty = data.get("penalty", 10)
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 0 <= penalty <= 100:
        raise MlsdError(f"{name}: penalty must be a number in [0, 100], got {penalty!r}")
    dismissals = data.get("dismissals", "")
    if not isinstance(dismissals, str):
        raise MlsdError(f"{name}: dismissals must be one string of words")
    out = []
    for i, raw in enumerate(data["mistakes"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("why"), str):
            raise MlsdError(f"{name}: mistakes[{i}]: needs id, cues and why")
        cues = raw.get("cues")
        if not isinstance(cues, list) or not cues or not all(isinstance(c, str) and c.strip() for c in cues):
            raise MlsdError(f"{name}: mistakes[{i}].cues: expected a non-empty list of phrases")
        out.append(Mistake(raw["id"], raw["why"].strip(), tuple(c.strip() for c in cues)))
    return MistakeList(float(penalty), frozenset(dismissals.split()), tuple(out))


@lru_cache(maxsize=1)
def load_mistakes() -> MistakeList:
    import yaml

    try:
        data = yaml.load(MISTAKES_PATH.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise MlsdError(f"{MISTAKES_PATH}: cannot read the mistakes list ({exc}); reinstall mlsd") from exc
    return parse_mistakes(data)


def find_mistakes(units: list[Any]) -> list[MistakeFound]:
    """The mistakes the answer's units assert (each mistake once, with its first sentence)."""
    from mlsd.scoring.match import Glued
    from mlsd.scoring.text import fold, glue, plain_key, raw_words_plain, stem

    spec = load_mistakes()
    dismiss = {stem(w) for w in spec.dismissals} | set(spec.dismissals)
    found: dict[str, MistakeFound] = {}
    for unit in units:
        folded = fold(unit.text)
        words = set(raw_words_plain(folded)) | {stem(w) for w in raw_words_plain(folded)}
        warned = bool(words & dismiss) or any(d in folded for d in spec.dismissals if not d.isascii())
        if warned:
            continue
        plain = Glued(unit.plain)
        for m in spec.mistakes:
            if m.id in found:
                continue
            for cue in m.cues:
                key = plain_key(cue)
                spans = plain.spans(glue(key), key)
                if any(not any(unit.plain_negated[s:e]) for s, e in spans):
                    found[m.id] = MistakeFound(m.id, unit.text, m.why)
                    break
    return list(found.values())


def shown_why(mistake_id: str, english: str) -> str:
    """Why a mistake is one, in the interface language (mlsd/data/<lang>/mistakes.yaml:
    `mistakes: {<id>: {why: ...}}`), else `english`. The cues are not translated: the
    list is bilingual already."""
    from mlsd.i18n import SOURCE_LANGUAGE, language

    lang = language()
    if lang == SOURCE_LANGUAGE:
        return english
    return _shown_whys(lang).get(mistake_id, english)


@lru_cache(maxsize=4)
def _shown_whys(lang: str) -> dict[str, str]:
    from mlsd.content.overlays import cached_overlay

    known = [m.id for m in load_mistakes().mistakes]
    text = MISTAKES_PATH.read_text(encoding="utf-8")
    overlay = cached_overlay("mistakes", lang, text, lambda v: _check_overlay(v, known)) or {}
    return {mid: entry["why"] for mid, entry in overlay.get("mistakes", {}).items()}


def _check_overlay(v: Any, known: list[str]) -> dict[str, Any]:
    from mlsd.content.translations import known_id

    top = v.mapping(v.doc.data if v.doc.data is not None else {}, (), ("mistakes",))
    out: dict[str, dict[str, str]] = {}
    for mid, raw in v.ids(top.get("mistakes") or {}, ("mistakes",)).items():
        known_id(v, mid, ("mistakes", mid), known, "mistake", "mlsd/data/mistakes.yaml")
        entry = v.mapping(raw, ("mistakes", mid), ("why",))
        if entry.get("why") is not None:
            out[mid] = {"why": v.text(entry["why"], ("mistakes", mid, "why"))}
    return {"mistakes": out}
