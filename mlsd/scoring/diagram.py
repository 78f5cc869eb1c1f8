"""Which of the reference architecture's components a candidate's diagram leaves out.

Matching is by name, through the scorer's own normalisation (`mlsd.scoring.text`): a
reference component counts as drawn when one of the candidate's boxes shares a word stem
or a glossary concept with its label ("feature store" = "Feature store"; "ranker" and
"Ranking model" are one glossary concept; "ranker" also shares the stem of "ranking").
Generic words (model, service, system, pipeline, store, data, …) do not count on their own,
and the parenthesised detail of a label counts like the rest. The rule errs toward *not*
listing a component: one box "ranker" covers first-stage ranking, the heavy ranker and
re-ranking alike. It is a prompt to look again, not a score: the diagram is never scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mlsd.content.architecture import Architecture, Component

GENERIC_WORDS = (
    "model", "service", "system", "server", "pipeline", "job", "data", "layer", "engine", "api", "module",
    "component", "platform", "store", "storage", "database", "db", "table", "box", "node", "online", "offline",
    "real", "time", "stage", "step", "process", "processing", "tier", "cluster", "first", "second",
)


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    from mlsd.scoring.text import stem

    return frozenset(stem(w) for w in GENERIC_WORDS) | frozenset(GENERIC_WORDS)


@lru_cache(maxsize=4096)
def name_keys(label: str) -> frozenset[str]:
    """What a box's name is matched by: glossary concepts, content stems, and the stem without
    an agent suffix ("ranker" → "rank", "trainer" → "train")."""
    from mlsd.scoring import text

    generic = _generic()
    keys = {t for t in text.tokens(label) if t.startswith("@")}
    keys |= {w for w in text.plain_key(label) if text.is_content(w) and w not in generic}
    for word in re.findall(r"[a-z]+", text.fold(label)):
        if len(word) > 5 and word.endswith(("er", "or")):
            keys |= {text.stem(word[:-2]), text.stem(word[:-1])} - generic
    return frozenset(keys)


@dataclass(frozen=True)
class Comparison:
    """Each reference component with the candidate's boxes that match it; those with none are missing."""

    drawn_as: dict[str, tuple[str, ...]]  # reference component id -> matching box labels (may be empty)
    missing: tuple[Component, ...]

    def to_dict(self, reference: Architecture) -> dict:
        return {
            "reference_components": [{"id": c.id, "label": c.label, "kind": c.kind,
                                      "drawn_as": list(self.drawn_as[c.id])} for c in reference.components],
            "missing": [{"id": c.id, "label": c.label, "kind": c.kind} for c in self.missing],
        }


def compare(reference: Architecture, drawn: Architecture) -> Comparison:
    """Match the reference's components to the candidate's boxes by name (module docstring)."""
    boxes = [(c.label, name_keys(c.label)) for c in drawn.components]
    drawn_as: dict[str, tuple[str, ...]] = {}
    for ref in reference.components:
        keys = name_keys(ref.label)
        drawn_as[ref.id] = tuple(label for label, k in boxes
                                 if (keys & k) or label.casefold() == ref.label.casefold())
    missing = tuple(c for c in reference.components if not drawn_as[c.id])
    return Comparison(drawn_as, missing)
