"""The drill: short questions ML system design interviews often ask, scored like a practice stage.

The bank lives in `mlsd/data/drill.yaml` (read with `yaml.safe_load` and
validated here; key points use the scenario format). Answers are scored with
`mlsd.scoring.score_stage` (the question's key points only, no generic items)
and saved in the history database.

Choosing questions: questions whose spaced-repetition card is due come first (see
`mlsd.practice.schedule`, FSRS). Then each question's chance is proportional to its topic's
weakness, `1 + (100 − average drill score of the topic) / 25`, so a topic
averaging 20/100 comes up 3.4× as often as one at 100; topics never drilled
count as a score of 50. The draw uses `random.Random(seed)`, without
replacement: same seed and same history, same questions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsd.content.scenario import KeyPoint
from mlsd.errors import BadInputError, MlsdError, did_you_mean
from mlsd.i18n import _

if TYPE_CHECKING:
    from datetime import datetime

    from mlsd.practice.schedule import CardState
    from mlsd.practice.store import Store
    from mlsd.scoring import StageScore

BANK_PATH = Path(__file__).resolve().parents[1] / "data" / "drill.yaml"
_SLUG = re.compile(r"[a-z0-9-]+")
UNSEEN_TOPIC_SCORE = 50.0


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    question: str
    key_points: tuple[KeyPoint, ...]
    reference: str


@dataclass(frozen=True)
class Bank:
    topics: dict[str, str]  # id -> description, in file order
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        ids = [q.id for q in self.questions]
        raise BadInputError(_("unknown drill question {id}{hint}; `mlsd drill --list` shows them").format(
            id=repr(qid), hint=did_you_mean(qid, ids)))


class BankError(MlsdError):
    """The shipped question bank is malformed (a packaging bug, not user input)."""


def _fail(where: str, problem: str) -> BankError:
    return BankError(f"{BANK_PATH.name}: {where}: {problem}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"must be non-empty text, got {type(value).__name__}")
    return value.strip()


def _key_point(raw: Any, where: str) -> KeyPoint:
    if not isinstance(raw, dict):
        raise _fail(where, "a key point must be a mapping with id, point, keywords")
    unknown = set(raw) - {"id", "point", "keywords", "weight", "why", "aliases"}
    if unknown:
        raise _fail(where, f"unknown key {sorted(unknown)[0]!r}")
    kid = _text(raw.get("id"), f"{where}.id")
    if not _SLUG.fullmatch(kid):
        raise _fail(f"{where}.id", f"{kid!r} is not a slug ([a-z0-9-]+)")
    kws = raw.get("keywords")
    if not isinstance(kws, list) or not kws or not all(isinstance(k, str) and k.strip() for k in kws):
        raise _fail(f"{where}.keywords", "must be a non-empty list of text")
    weight = raw.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
        raise _fail(f"{where}.weight", f"must be a number > 0, got {weight!r}")
    why = raw.get("why", "")
    if not isinstance(why, str):
        raise _fail(f"{where}.why", "must be text")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _fail(f"{where}.aliases", "must be a list of text")
    return KeyPoint(
        kid, _text(raw.get("point"), f"{where}.point"), tuple(k.strip() for k in kws), float(weight),
        why.strip(), tuple(a.strip() for a in aliases),
    )


def parse_bank(data: Any) -> Bank:
    """Validate the loaded YAML of a question bank."""
    if not isinstance(data, dict):
        raise _fail("top level", "must be a mapping with `topics` and `questions`")
    topics = data.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise _fail("topics", "must be a non-empty mapping of topic id to description")
    topics = {str(k): _text(v, f"topics.{k}") for k, v in topics.items()}
    raw_qs = data.get("questions")
    if not isinstance(raw_qs, list) or not raw_qs:
        raise _fail("questions", "must be a non-empty list")
    seen: set[str] = set()
    questions = []
    for i, rq in enumerate(raw_qs):
        where = f"questions[{i}]"
        if not isinstance(rq, dict):
            raise _fail(where, "must be a mapping")
        qid = _text(rq.get("id"), f"{where}.id")
        where = f"questions[{i}] ({qid})"
        if not _SLUG.fullmatch(qid) or qid in seen:
            raise _fail(f"{where}.id", "must be a unique slug")
        seen.add(qid)
        topic = _text(rq.get("topic"), f"{where}.topic")
        if topic not in topics:
            raise _fail(f"{where}.topic", f"unknown topic {topic!r}{did_you_mean(topic, list(topics))}")
        raw_kps = rq.get("key_points")
        if not isinstance(raw_kps, list) or not raw_kps:
            raise _fail(f"{where}.key_points", "must be a non-empty list")
        kps = tuple(_key_point(k, f"{where}.key_points[{j}]") for j, k in enumerate(raw_kps))
        if len({k.id for k in kps}) != len(kps):
            raise _fail(f"{where}.key_points", "ids must be unique within a question")
        questions.append(Question(qid, topic, _text(rq.get("question"), f"{where}.question"), kps,
                                  _text(rq.get("reference"), f"{where}.reference")))
    return Bank(topics, tuple(questions))


@cache
def load_bank(path: Path = BANK_PATH) -> Bank:
    """The shipped question bank, validated (cached)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BankError(f"cannot read the drill bank {path}: {exc}") from None
    return parse_bank(data)


# ---------------------------------------------------------------- choosing and scoring


def topic_weights(bank: Bank, history: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Weakness weight per topic from (topic, score) history (see the module docstring)."""
    scores: dict[str, list[float]] = {}
    for topic, score in history:
        scores.setdefault(topic, []).append(score)
    out = {}
    for t in bank.topics:
        recent = scores.get(t, [])[-5:]
        avg = sum(recent) / len(recent) if recent else UNSEEN_TOPIC_SCORE
        out[t] = 1.0 + (100.0 - avg) / 25.0
    return out


def choose(bank: Bank, *, count: int, topic: str | None = None, seed: int = 0,
           history: Sequence[tuple[str, float]] = (), states: Mapping[str, CardState] | None = None,
           now: datetime | None = None) -> list[Question]:
    """`count` distinct questions. With schedule `states` (and `now`): due cards first, most
    overdue first; the rest, and without states all of them, by a weighted draw without
    replacement in which weaker topics are more likely."""
    if count < 1:
        raise BadInputError(_("--count must be at least 1, got {count}").format(count=count))
    pool = list(bank.questions)
    if topic is not None:
        if topic not in bank.topics:
            raise BadInputError(
                _("--topic: unknown topic {topic}{hint}; topics: {topics}").format(
                    topic=repr(topic), hint=did_you_mean(topic, list(bank.topics)), topics=", ".join(bank.topics))
            )
        pool = [q for q in pool if q.topic == topic]
    weights = topic_weights(bank, history)
    rng = random.Random(seed)
    chosen: list[Question] = []
    if states is not None:  # spaced repetition: due cards first, most overdue first
        from mlsd.practice.schedule import order, utc_now

        due, new, later = order(pool, states, now or utc_now())
        chosen = due[:count]
        # Then never-drilled questions, then the rest, each by the weakness-weighted draw.
        for group in (new, later):
            chosen += _weighted_draw(group, weights, rng, count - len(chosen))
        return chosen
    return _weighted_draw(pool, weights, rng, count)


def _weighted_draw(pool: Sequence[Question], weights: Mapping[str, float], rng: random.Random,
                   count: int) -> list[Question]:
    pool = list(pool)
    chosen: list[Question] = []
    while pool and len(chosen) < count:
        w = [weights[q.topic] for q in pool]
        pick = rng.choices(range(len(pool)), weights=w, k=1)[0]
        chosen.append(pool.pop(pick))
    return chosen


def hint(question: Question) -> str:
    """What a full answer touches, one term per key point, without the points themselves."""
    from mlsd.i18n import ngettext

    areas = [kp.keywords[0] if kp.keywords else kp.id.replace("-", " ") for kp in question.key_points]
    return ngettext("A full answer covers {count} point; think about: {terms}.",
                    "A full answer covers {count} points; think about: {terms}.", len(areas)).format(
        count=len(areas), terms=", ".join(areas))


def score(question: Question, answer: str) -> StageScore:
    """The explainable StageScore of an answer to a drill question."""
    from mlsd.scoring import score_stage

    # The question and its reference are the case's own text (vocabulary, paraphrase targets).
    return score_stage(
        question.id, answer, question.key_points, (),
        context=(question.question, question.reference), references=(question.reference,),
    )


def parse_answers(path: str, bank: Bank) -> dict[str, str]:
    """A YAML file mapping question id → answer text; `file:line: field: problem` on any error."""
    from mlsd.practice.engine import read_answers

    return read_answers(path, [q.id for q in bank.questions], what="question", example="automl: Soft AutoML tunes ...")


@dataclass(frozen=True)
class DrillResult:
    question: Question
    answer: str
    result: StageScore
    card: CardState | None = None  # the question's schedule after this answer

    def to_dict(self) -> dict[str, Any]:
        out = {"question": self.question.id, "topic": self.question.topic, **self.result.to_dict()}
        if self.card is not None:
            from mlsd.practice.schedule import rating_name

            out["schedule"] = {"rating": rating_name(self.result.score), **self.card.to_dict()}
        return out


def record(store: Store, question: Question, answer: str, *, when: datetime | None = None) -> DrillResult:
    """Score an answer and save it at once, with the question's next review in the schedule."""
    from mlsd.practice import schedule

    res = score(question, answer)
    when = when or schedule.utc_now()
    previous = schedule.load_states(store, Bank({question.topic: ""}, (question,)))[question.id]
    card = schedule.review(previous, question.id, res.score, when)
    store.save_drill_answer(question_id=question.id, topic=question.topic, answer=answer, score=res.score,
                            covered=res.covered, partial=res.partial, missed=res.missed,
                            answered_at=when.isoformat(timespec="seconds"), card=(card.card_json or "", card.reviews))
    return DrillResult(question, answer, res, card)


def run_answers(store: Store, bank: Bank, answers: Mapping[str, str]) -> list[DrillResult]:
    """Score and save every answer of an answers file, in the bank's order."""
    return [record(store, q, answers[q.id]) for q in bank.questions if q.id in answers]


# ---------------------------------------------------------------- in other languages


def shown_bank(bank: Bank, lang: str | None = None) -> Bank:
    """The bank as shown in `lang` (default: the interface language): topics, questions,
    references and key points from `mlsd/data/<lang>/drill.yaml` where it has them, English
    elsewhere. Same ids, keywords and weights: score with the bank itself.

    ```yaml
    topics: {<topic-id>: ...}
    questions: {<question-id>: {question: ..., reference: ..., key_points: {<kp-id>: {point: ..., why: ...}}}}
    ```
    """
    from dataclasses import replace

    from mlsd.content.overlays import cached_overlay
    from mlsd.i18n import SOURCE_LANGUAGE, language

    lang = lang or language()
    if lang == SOURCE_LANGUAGE:
        return bank
    t = cached_overlay("drill", lang, BANK_PATH.read_text(encoding="utf-8"), lambda v: _check_overlay(v, bank))
    if not t:
        return bank
    questions = []
    for q in bank.questions:
        tq = t.get("questions", {}).get(q.id, {})
        points = tq.get("key_points", {})
        questions.append(replace(
            q, question=tq.get("question", q.question), reference=tq.get("reference", q.reference),
            key_points=tuple(replace(kp, **points[kp.id]) if kp.id in points else kp for kp in q.key_points),
        ))
    return Bank({k: t.get("topics", {}).get(k, v) for k, v in bank.topics.items()}, tuple(questions))


def _check_overlay(v: Any, bank: Bank) -> dict[str, Any]:
    """A drill overlay checked against the English bank: known ids only, text values."""
    from mlsd.content.translations import known_id, point_texts

    source = "mlsd/data/drill.yaml"
    top = v.mapping(v.doc.data if v.doc.data is not None else {}, (), ("topics", "questions"))
    out: dict[str, Any] = {}
    if top.get("topics") is not None:
        out["topics"] = {}
        for tid, text in v.ids(top["topics"], ("topics",)).items():
            known_id(v, tid, ("topics", tid), list(bank.topics), "topic", source)
            out["topics"][tid] = v.text(text, ("topics", tid))
    if top.get("questions") is not None:
        by_id = {q.id: q for q in bank.questions}
        out["questions"] = {}
        for qid, raw in v.ids(top["questions"], ("questions",)).items():
            known_id(v, qid, ("questions", qid), list(by_id), "question", source)
            m = v.mapping(raw, ("questions", qid), ("question", "reference", "key_points"))
            entry: dict[str, Any] = {k: v.text(m[k], ("questions", qid, k)) for k in ("question", "reference")
                                     if m.get(k) is not None}
            if m.get("key_points") is not None:
                entry["key_points"] = point_texts(v, m["key_points"], ("questions", qid, "key_points"),
                                                  [kp.id for kp in by_id[qid].key_points], source)
            out["questions"][qid] = entry
    return out
