"""The ten-step answer framework, the interview habits and the source notes' lists.

The content is data, `mlsd/data/framework.yaml`, read with the same strict loader as
the scenarios (`mlsd.content.yamlfile`: duplicate keys and bad types are errors naming the line)
and checked here field by field: unknown fields, a missing field, a step list other
than the ten steps or weights that do not sum to 1 stop the program with the file and
line. Generic items are `KeyPoint`s so `practice` scores them exactly like a scenario's
own rubric. Everything here comes from the source notes (an ML system design interview
guide): the 回答框架 (answer framework), the 面试过程 (interview habits), the A/B-testing
procedure and the monitoring list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsd.content.scenario import STAGE_IDS, KeyPoint
from mlsd.content.yamlfile import LocatedData, load

FRAMEWORK_PATH = Path(__file__).resolve().parents[1] / "data" / "framework.yaml"


@dataclass(frozen=True)
class Step:
    """One step of the framework; `weight` is its share of interview time."""

    id: str
    title: str
    source_term: str  # the step's name in the source notes, e.g. "明确需求 Requirement"
    purpose: str
    weight: float
    items: tuple[KeyPoint, ...]
    notes: tuple[str, ...] = ()  # deeper guidance from the source notes' FAQ paragraphs


@dataclass(frozen=True)
class Habit:
    id: str
    title: str
    source_term: str  # the step's name in the source notes, e.g. "明确需求 Requirement"
    text: str


class _Reader:
    """Strict field access over the located YAML: every problem names the file and line."""

    def __init__(self, doc: LocatedData):
        self.doc = doc

    def mapping(self, value: Any, path: tuple, required: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            raise self.doc.error(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in required | optional:
                raise self.doc.error((*path, key), f"unknown field; expected {', '.join(sorted(required | optional))}")
        for key in sorted(required - set(value)):
            raise self.doc.error(path, f"missing field {key!r}")
        return value

    def items(self, value: Any, path: tuple) -> list:
        if not isinstance(value, list) or not value:
            raise self.doc.error(path, "expected a non-empty list")
        return value

    def text(self, value: Any, path: tuple) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.doc.error(path, "expected non-empty text")
        return value

    def number(self, value: Any, path: tuple) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise self.doc.error(path, f"expected a number in (0, 1], got {value!r}")
        return float(value)


def _key_point(r: _Reader, raw: Any, path: tuple) -> KeyPoint:
    m = r.mapping(raw, path, {"id", "point", "keywords", "why"}, {"weight", "aliases"})
    keywords = tuple(r.text(k, (*path, "keywords", i)) for i, k in enumerate(r.items(m["keywords"], (*path, "keywords"))))
    aliases = tuple(r.text(a, (*path, "aliases", i)) for i, a in enumerate(r.items(m["aliases"], (*path, "aliases")))) \
        if "aliases" in m else ()
    weight = r.number(m["weight"], (*path, "weight")) if "weight" in m else 1.0
    return KeyPoint(id=f"generic-{r.text(m['id'], (*path, 'id'))}", point=r.text(m["point"], (*path, "point")),
                    keywords=keywords, weight=weight, why=r.text(m["why"], (*path, "why")), aliases=aliases)


def load_framework(path: Path = FRAMEWORK_PATH) -> dict[str, Any]:
    """The framework's content from YAML, validated; a problem is one error naming file and line."""
    doc = load(path, f"mlsd/data/{path.name}")
    r = _Reader(doc)
    top = r.mapping(doc.data, (), {"overview", "check_in_question", "habits", "steps", "ab_test_procedure",
                                   "monitoring_list", "examples"})
    question = r.text(top["check_in_question"], ("check_in_question",))
    habits = []
    for i, raw in enumerate(r.items(top["habits"], ("habits",))):
        p = ("habits", i)
        m = r.mapping(raw, p, {"id", "title", "source_term", "text"})
        habits.append(Habit(r.text(m["id"], (*p, "id")), r.text(m["title"], (*p, "title")),
                            r.text(m["source_term"], (*p, "source_term")),
                            r.text(m["text"], (*p, "text")).replace("{check_in_question}", question)))
    steps = []
    for i, raw in enumerate(r.items(top["steps"], ("steps",))):
        p = ("steps", i)
        m = r.mapping(raw, p, {"id", "title", "source_term", "purpose", "weight", "items"}, {"notes"})
        items = tuple(_key_point(r, k, (*p, "items", j)) for j, k in enumerate(r.items(m["items"], (*p, "items"))))
        notes = tuple(r.text(n, (*p, "notes", j)) for j, n in enumerate(r.items(m["notes"], (*p, "notes")))) \
            if "notes" in m else ()
        steps.append(Step(r.text(m["id"], (*p, "id")), r.text(m["title"], (*p, "title")),
                          r.text(m["source_term"], (*p, "source_term")), r.text(m["purpose"], (*p, "purpose")),
                          r.number(m["weight"], (*p, "weight")), items, notes))
    if tuple(s.id for s in steps) != STAGE_IDS:
        raise doc.error(("steps",), f"expected the steps {', '.join(STAGE_IDS)} in this order")
    if abs(sum(s.weight for s in steps) - 1.0) > 1e-9:
        raise doc.error(("steps",), "the step weights must sum to 1")
    examples = []
    for i, raw in enumerate(r.items(top["examples"], ("examples",))):
        m = r.mapping(raw, ("examples", i), {"question", "scenario"})
        examples.append((r.text(m["question"], ("examples", i, "question")),
                         r.text(m["scenario"], ("examples", i, "scenario"))))
    return {
        "OVERVIEW": r.text(top["overview"], ("overview",)),
        "CHECK_IN_QUESTION": question,
        "HABITS": tuple(habits),
        "STEPS": tuple(steps),
        "AB_TEST_PROCEDURE": tuple(r.text(t, ("ab_test_procedure", i))
                                   for i, t in enumerate(r.items(top["ab_test_procedure"], ("ab_test_procedure",)))),
        "MONITORING_LIST": tuple(r.text(t, ("monitoring_list", i))
                                 for i, t in enumerate(r.items(top["monitoring_list"], ("monitoring_list",)))),
        "EXAMPLES": tuple(examples),
    }


_CONTENT = load_framework()
OVERVIEW: str = _CONTENT["OVERVIEW"]
CHECK_IN_QUESTION: str = _CONTENT["CHECK_IN_QUESTION"]
HABITS: tuple[Habit, ...] = _CONTENT["HABITS"]
STEPS: tuple[Step, ...] = _CONTENT["STEPS"]
AB_TEST_PROCEDURE: tuple[str, ...] = _CONTENT["AB_TEST_PROCEDURE"]
MONITORING_LIST: tuple[str, ...] = _CONTENT["MONITORING_LIST"]
# The source notes' interview examples and the shipped scenario that covers each.
EXAMPLES: tuple[tuple[str, str], ...] = _CONTENT["EXAMPLES"]


def step(step_id: str) -> Step:
    """The framework step with this id; raises BadInputError naming the valid ids."""
    for s in STEPS:
        if s.id == step_id:
            return s
    from mlsd.errors import BadInputError, did_you_mean

    raise BadInputError(
        f"unknown step {step_id!r}{did_you_mean(step_id, STAGE_IDS)}; valid steps: {', '.join(STAGE_IDS)}"
    )
