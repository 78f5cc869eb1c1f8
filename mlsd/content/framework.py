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
from mlsd.content.yamlfile import LocatedData, parse

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
    from mlsd.content.yamlfile import read_text

    return _parse_framework(read_text(path, f"mlsd/data/{path.name}"), path)


def _parse_framework(text: str, path: Path) -> dict[str, Any]:
    doc = parse(text, f"mlsd/data/{path.name}")
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


# The content is read on first use, not at import (`mlsd --help` and the scorer's imports
# need none of it): `framework.STEPS` and `from mlsd.content.framework import STEPS` go
# through the module's `__getattr__`, which reads it once (from the cache when it is fresh).
_NAMES = ("OVERVIEW", "CHECK_IN_QUESTION", "HABITS", "STEPS", "AB_TEST_PROCEDURE", "MONITORING_LIST", "EXAMPLES")
OVERVIEW: str
CHECK_IN_QUESTION: str
HABITS: tuple[Habit, ...]
STEPS: tuple[Step, ...]
AB_TEST_PROCEDURE: tuple[str, ...]
MONITORING_LIST: tuple[str, ...]
# The source notes' interview examples and the shipped scenario that covers each.
EXAMPLES: tuple[tuple[str, str], ...]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        content = load_framework_cached()
        globals().update(content)  # later reads are plain module attributes
        return content[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _content_json(content: dict[str, Any]) -> dict[str, Any]:
    from mlsd.content.scenario import _key_point_json

    return {
        "OVERVIEW": content["OVERVIEW"],
        "CHECK_IN_QUESTION": content["CHECK_IN_QUESTION"],
        "HABITS": [{"id": h.id, "title": h.title, "source_term": h.source_term, "text": h.text}
                   for h in content["HABITS"]],
        "STEPS": [{"id": s.id, "title": s.title, "source_term": s.source_term, "purpose": s.purpose,
                   "weight": s.weight, "items": [_key_point_json(kp) for kp in s.items], "notes": list(s.notes)}
                  for s in content["STEPS"]],
        "AB_TEST_PROCEDURE": list(content["AB_TEST_PROCEDURE"]),
        "MONITORING_LIST": list(content["MONITORING_LIST"]),
        "EXAMPLES": [list(e) for e in content["EXAMPLES"]],
    }


def _content_of(raw: Any) -> dict[str, Any]:
    """What `load_framework` returned, from `_content_json`'s form; ValueError for anything else."""
    from mlsd.content.scenario import _fields_of, _key_point_of, _number_of, _str_of, _strs_of

    m = _fields_of(raw, _NAMES)
    for key in ("HABITS", "STEPS", "EXAMPLES"):
        if not isinstance(m[key], list):
            raise ValueError(f"cached framework: bad {key}")
    habits = tuple(Habit(**{k: _str_of(v) for k, v in _fields_of(h, ("id", "title", "source_term", "text")).items()})
                   for h in m["HABITS"])
    steps = []
    for raw_step in m["STEPS"]:
        s = _fields_of(raw_step, ("id", "title", "source_term", "purpose", "weight", "items", "notes"))
        if not isinstance(s["items"], list):
            raise ValueError("cached framework: bad items")
        steps.append(Step(_str_of(s["id"]), _str_of(s["title"]), _str_of(s["source_term"]), _str_of(s["purpose"]),
                          _number_of(s["weight"], float), tuple(_key_point_of(kp) for kp in s["items"]),
                          _strs_of(s["notes"])))
    if tuple(s.id for s in steps) != STAGE_IDS:
        raise ValueError("cached framework: bad steps")
    examples = []
    for e in m["EXAMPLES"]:
        pair = _strs_of(e)
        if len(pair) != 2:
            raise ValueError("cached framework: bad example")
        examples.append(pair)
    return {
        "OVERVIEW": _str_of(m["OVERVIEW"]),
        "CHECK_IN_QUESTION": _str_of(m["CHECK_IN_QUESTION"]),
        "HABITS": habits,
        "STEPS": tuple(steps),
        "AB_TEST_PROCEDURE": _strs_of(m["AB_TEST_PROCEDURE"]),
        "MONITORING_LIST": _strs_of(m["MONITORING_LIST"]),
        "EXAMPLES": tuple(examples),
    }


def load_framework_cached(path: Path = FRAMEWORK_PATH, cache: Path | None = None) -> dict[str, Any]:
    """`load_framework`, from a cache entry when the file's text validated before.

    Parsing the file (and importing yaml) is most of `mlsd checklist`'s start-up. The cache
    works like the scenarios' (`mlsd.content.scenario.load_scenario_cached`): keyed by the
    SHA-256 of the text and a fingerprint of the loader's code (this module's included),
    checksummed, every field's type checked on the way back; anything stale or damaged is
    ignored and the file parsed for real, so a bad file is reported as before and never cached.
    `cache` defaults to `framework.json` in MLSD_HOME's cache folder.
    """
    import hashlib

    from mlsd.content import scenario, yamlfile

    text = yamlfile.read_text(path, f"mlsd/data/{path.name}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        from mlsd.resources import user_data_dir

        cache = cache or user_data_dir() / "cache" / "framework.json"
        h = hashlib.sha256(f"framework:{scenario._parsed_fingerprint()}".encode())
        h.update(Path(__file__).read_bytes())
        fingerprint = h.hexdigest()
    except Exception:  # noqa: BLE001 - no cache folder or unreadable code: parse
        return _parse_framework(text, path)
    entry = scenario._read_cache_entries(cache, fingerprint).get("framework")
    if isinstance(entry, dict) and entry.get("sha256") == digest:
        try:
            return _content_of(entry.get("content"))
        except Exception:  # noqa: BLE001 - a damaged entry: parse instead
            pass
    content = _parse_framework(text, path)  # raises for a bad file, which is never cached
    scenario._write_summary_cache(cache, fingerprint, {"framework": {"sha256": digest, "content": _content_json(content)}})
    return content


def step(step_id: str) -> Step:
    """The framework step with this id; raises BadInputError naming the valid ids."""
    for s in globals().get("STEPS") or __getattr__("STEPS"):
        if s.id == step_id:
            return s
    from mlsd.errors import BadInputError, did_you_mean
    from mlsd.i18n import _

    raise BadInputError(_("unknown step {step}{hint}; valid steps: {steps}").format(
        step=repr(step_id), hint=did_you_mean(step_id, STAGE_IDS), steps=", ".join(STAGE_IDS)))
