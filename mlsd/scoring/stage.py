"""Stage scores from point credits: weights, the generic bonus, evidence, the agenda and the total."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mlsd.i18n import N_, _
from mlsd.scoring.match import Matcher, idf_weights
from mlsd.scoring.mistakes import MistakeFound, load_mistakes
from mlsd.scoring.text import is_content, stem

if TYPE_CHECKING:
    from mlsd.content.scenario import KeyPoint, Scenario

GENERIC_SHARE = 0.25
GENERIC_FILL = 0.5  # generic items make up at most this share of the missed scenario credit
INCOMPLETE_CAP = 99.0  # the highest score while a scenario point is not fully covered
FULL_MARKS_AT = 0.8  # coverage (weighted share of the rubric) that earns 100


@dataclass(frozen=True)
class PointResult:
    """One rubric item and the credit the answer earned for it."""

    id: str
    point: str
    weight: float
    credit: float  # 0..1
    how: str  # "term" | "reordered" | "paraphrase" | "none"
    evidence: str  # the keyword/alias that matched, or "similarity 0.52"
    why: str = ""
    generic: bool = False
    sentence: str = ""  # the sentence of the answer that earned the credit
    missing: str = ""  # for partial credit: what was not said
    blocked: str = ""  # for no credit although a term appeared: negated / bare term / off-topic


@dataclass(frozen=True)
class StageScore:
    """The explainable score of one answer to one stage."""

    stage: str
    score: float  # 0..100
    points: tuple[PointResult, ...]
    coverage: float = 0.0  # weighted share of the rubric covered (with the generic bonus)
    notes: tuple[str, ...] = field(default=())  # why mentions did not count
    mistakes: tuple[MistakeFound, ...] = ()  # asserted mistakes, each costing MISTAKE penalty points

    @property
    def covered(self) -> list[str]:
        return [p.id for p in self.points if p.credit >= 1.0]

    @property
    def partial(self) -> dict[str, float]:
        return {p.id: round(p.credit, 3) for p in self.points if 0.0 < p.credit < 1.0}

    @property
    def missed(self) -> list[str]:
        return [p.id for p in self.points if p.credit <= 0.0]

    @property
    def evidence(self) -> dict[str, str]:
        """point id → the answer's sentence that earned it (covered and partial points)."""
        return {p.id: p.sentence for p in self.points if p.credit > 0 and p.sentence}

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
            "evidence": self.evidence,
            "partial_missing": {p.id: p.missing for p in self.points if 0 < p.credit < 1 and p.missing},
            "mistakes": [{"id": m.id, "sentence": m.sentence, "why": m.why} for m in self.mistakes],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AgendaScore:
    score: float
    named: tuple[str, ...]
    missing: tuple[str, ...]


# ---------------------------------------------------------------- the field's vocabulary

_WORD_RE = re.compile(r"[a-z]+")


def _stems(texts: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        for w in _WORD_RE.findall(text.lower()):
            out.add(stem(w))
    return out


@lru_cache(maxsize=1)
def _shipped_vocabulary() -> frozenset[str]:
    """Stems of the field's words: the drill, framework and glossary, and the words of the shipped
    scenarios that at least two of them use. A word only one case uses (a weekday in a twist's
    story, a product name) is that case's, counted when scoring it, not the field's."""
    from collections import Counter

    from mlsd.resources import resource_dir
    from mlsd.scoring.glossary import load_glossary

    per_case: Counter[str] = Counter()
    for path in sorted(resource_dir("scenarios").glob("*.yaml")):
        per_case.update(_stems([path.read_text(encoding="utf-8", errors="replace")]))
    shared = {w for w, n in per_case.items() if n >= 2}
    texts: list[str] = []
    data = Path(__file__).resolve().parent.parent / "data"
    if (data / "drill.yaml").is_file():
        texts.append((data / "drill.yaml").read_text(encoding="utf-8", errors="replace"))
    texts.extend(load_glossary().english_terms())
    from mlsd.content.framework import STEPS

    for s in STEPS:
        texts.extend([s.title, s.purpose, *s.notes])
        texts.extend(f"{kp.point} {' '.join(kp.keywords)} {kp.why}" for kp in s.items)
    return frozenset(_stems(texts) | shared)


@lru_cache(maxsize=1)
def _glossary_words() -> frozenset[str]:
    from mlsd.scoring.glossary import load_glossary

    return frozenset(_stems(load_glossary().english_terms()))


def _rubric_text(kp: KeyPoint) -> str:
    return f"{kp.point} {' '.join(kp.keywords)} {' '.join(kp.aliases)} {kp.why}"


@lru_cache(maxsize=256)
def _stems_of(texts: tuple[str, ...]) -> frozenset[str]:
    """Stems of some texts, cached: a scenario's context is the same for each of its answers."""
    return frozenset(_stems(texts))


def _rubric_words(points: Sequence[KeyPoint]) -> frozenset[str]:
    return _stems_of(tuple(_rubric_text(kp) for kp in points))


# ---------------------------------------------------------------- scoring


def score_points(
    key_points: Sequence[KeyPoint],
    answer: str,
    *,
    generic: Sequence[bool] | None = None,
    context: Sequence[str] = (),
    references: Sequence[str] = (),
) -> list[PointResult]:
    """Credit for every key point from the one sentence of the answer that best asserts it.

    `references`: model answers whose sentences that state a point count as more ways of
    saying it (paraphrase credit only).
    """
    return _match(key_points, answer, generic=generic, context=context, references=references)[0]


def _match(
    key_points: Sequence[KeyPoint],
    answer: str,
    *,
    generic: Sequence[bool] | None = None,
    context: Sequence[str] = (),
    references: Sequence[str] = (),
) -> tuple[list[PointResult], list[MistakeFound]]:
    """The point results and the mistakes the answer asserts, from one reading of it."""
    generic = list(generic) if generic is not None else [False] * len(key_points)
    idf = idf_weights([kp.point for kp in key_points] + list(context))
    rubric, case = _rubric_words(key_points), _stems_of(tuple(context))
    # "This case's vocabulary" needs the case's text; without it (drill questions) the field's serves.
    local = rubric | case | _stems_of(tuple(references)) | _glossary_words() if context else None
    matcher = Matcher(answer, key_points, _shipped_vocabulary() | rubric | case, idf, references, local)
    out = []
    for i, kp in enumerate(key_points):
        hit = matcher.best(i)
        out.append(PointResult(
            kp.id, kp.point, kp.weight, hit.credit, hit.how, hit.matched, kp.why, generic[i],
            hit.sentence, hit.missing, hit.blocked,
        ))
    return out, matcher.mistakes


def coverage_of(own: Sequence[PointResult], gen: Sequence[PointResult]) -> tuple[float, bool]:
    """(weighted coverage with the generic bonus, whether every scenario point is fully covered)."""
    own_w = sum(r.weight for r in own)
    gen_w = sum(r.weight for r in gen)
    gen_cov = sum(r.weight * r.credit for r in gen) / gen_w if gen_w else 0.0
    if own_w > 0:
        got = sum(r.weight * r.credit for r in own)
        missed = sum(r.weight * (1.0 - r.credit) for r in own)
        bonus = min(GENERIC_SHARE * own_w * gen_cov, GENERIC_FILL * missed)
        complete = all(r.credit >= 1.0 for r in own)
        return (1.0 if complete else (got + bonus) / own_w), complete
    complete = bool(gen) and all(r.credit >= 1.0 for r in gen)
    return (1.0 if complete else gen_cov), complete


def score_stage(
    stage_id: str,
    answer: str,
    key_points: Sequence[KeyPoint],
    generic_items: Sequence[KeyPoint],
    *,
    full_marks_at: float | None = None,
    context: Sequence[str] = (),
    references: Sequence[str] = (),
    question: str = "",
    earlier: str = "",
) -> StageScore:
    """Score one answer against a stage's key points and the step's generic items.

    `full_marks_at` is the coverage that earns 100 (1.0: only a complete answer does);
    `context` is more of the field's text (e.g. the scenario's prompts) for the vocabulary;
    `question` is what the interviewer asked and `earlier` what the candidate said before it (a
    twist's step answer): a sentence that only restates either earns nothing.
    """
    points = list(key_points) + list(generic_items)
    flags = [False] * len(key_points) + [True] * len(generic_items)
    echoed = 0
    if (question or earlier) and answer.strip():
        answer, echoed = drop_restated(answer, question, earlier)
    if not answer.strip():
        results = [PointResult(k.id, k.point, k.weight, 0.0, "none", "empty answer", k.why, g) for k, g in zip(points, flags, strict=True)]
        return StageScore(stage_id, 0.0, tuple(results), 0.0, _echo_note(echoed))
    results, found = _match(points, answer, generic=flags, context=context, references=references)
    own = [r for r in results if not r.generic]
    gen = [r for r in results if r.generic]
    # Whether an answer is about this case can be told only from a stage with its own points
    # and a scenario that says enough about itself.
    judged = key_points and sum(len(t.split()) for t in context) >= CASE_MIN_CONTEXT_WORDS
    relevance = case_relevance(answer, key_points, context) if judged else 1.0
    if relevance < 1.0:  # every point keeps only that share of its credit, so the lists agree
        results = [replace(r, credit=round(r.credit * relevance, 3)) for r in results]
        own = [r for r in results if not r.generic]
        gen = [r for r in results if r.generic]
    coverage, complete = coverage_of(own, gen)
    full = FULL_MARKS_AT if full_marks_at is None else full_marks_at
    score = round(100.0 * min(1.0, coverage / full), 1)
    if not complete:
        score = min(score, INCOMPLETE_CAP)
    mistakes = tuple(found)
    score = max(0.0, round(score - load_mistakes().penalty * len(mistakes), 1))
    notes = tuple(sorted({_(_BLOCK_NOTES[r.blocked]) for r in results if r.blocked and r.credit <= 0}))
    notes += _echo_note(echoed)
    if relevance < 1.0:
        notes += (_("Most of this answer's words are not this case's ({share} of the credit kept): "
                    "it reads like a design for another problem.").format(share=f"{relevance:.0%}"),)
    return StageScore(stage_id, score, tuple(results), round(coverage, 4), notes, mistakes)


ECHO_SHARE = 0.8  # a sentence with this share of its content words from the question restates it
ECHO_MIN_WORDS = 3  # shorter sentences are too short to call a restatement


def _echo_note(echoed: int) -> tuple[str, ...]:
    return (_("{count} sentence(s) only restate the interviewer's question or your earlier answer and earn "
              "nothing.").format(count=echoed),) if echoed else ()


def drop_restated(answer: str, question: str, earlier: str = "") -> tuple[str, int]:
    """The answer without the sentences that only restate `question` or one sentence of
    `earlier` (their content words, stemmed, come from it), and how many were dropped.
    Repeating "the latency budget is now 20 ms" back to the interviewer, or pasting the design
    given before the change, is not adapting to it."""
    from mlsd.scoring.text import plain_key, split_sentences

    def content(text: str) -> list[str]:
        return [t for t in plain_key(text) if is_content(t)]

    sources = [set(content(question))] if question else []
    sources += [set(words) for s in split_sentences(earlier) if len(words := content(s)) >= ECHO_MIN_WORDS]
    kept, dropped = [], 0
    for sentence in split_sentences(answer):
        words = content(sentence)
        if len(words) >= ECHO_MIN_WORDS and any(sum(t in src for t in words) >= ECHO_SHARE * len(words) for src in sources):
            dropped += 1
            continue
        kept.append(sentence)
    return ("\n".join(kept), dropped) if dropped else (answer, 0)


CASE_FULL_SHARE = 0.7  # share of an answer's words that are this case's own: full credit
CASE_ZERO_SHARE = 0.4  # ... and no credit at all (a design for another problem)
CASE_MIN_WORDS = 12  # fewer English content words than this: too short to judge
CASE_MIN_CONTEXT_WORDS = 1000  # a scenario shorter than this does not say enough about its case


def case_relevance(answer: str, key_points: Sequence[KeyPoint], context: Sequence[str]) -> float:
    """How much of a stage answer is about this case: 1 when at least CASE_FULL_SHARE of its
    English content words appear in the scenario's own text, falling linearly to 0 at
    CASE_ZERO_SHARE. A fluent design for another problem names generic terms (A/B test,
    retrain, baseline) that some points accept; this keeps it from earning them."""
    from mlsd.scoring.text import plain_key

    own = _rubric_words(key_points) | _stems_of(tuple(context))
    words = [t for t in plain_key(answer) if is_content(t) and t.isascii() and t[0] != "@" and not any(c.isdigit() for c in t)]
    if len(words) < CASE_MIN_WORDS:
        return 1.0
    share = sum(1 for t in words if t in own) / len(words)
    return max(0.0, min(1.0, (share - CASE_ZERO_SHARE) / (CASE_FULL_SHARE - CASE_ZERO_SHARE)))


_BLOCK_NOTES = {
    "mistake": N_("A term appeared in a sentence that makes a mistake, which earns nothing for it."),
    "negated": N_("A term appeared only in a negated or dismissed mention, which earns nothing."),
    "bare term": N_("A term stood alone (a keyword list): say what it does for this design."),
    "off-topic": N_("A term appeared in a sentence that is not about the design."),
}


def rubric(scenario: Scenario, stage_id: str) -> tuple[tuple[KeyPoint, ...], tuple[KeyPoint, ...]]:
    """(the scenario's key points for the stage, the step's generic items)."""
    from mlsd.content.framework import step

    stage = scenario.stage(stage_id)
    own = stage.key_points if stage is not None else ()
    return tuple(own), tuple(step(stage_id).items)


def score_answer(scenario: Scenario, stage_id: str, answer: str) -> StageScore:
    """Score an answer to one stage of a scenario (the one call `practice` makes)."""
    own, generic = rubric(scenario, stage_id)
    stage = scenario.stage(stage_id)
    refs = (stage.reference,) if stage is not None and stage.reference else ()
    return score_stage(stage_id, answer, own, generic, context=_scenario_context(scenario), references=refs,
                       question=stage.prompt if stage is not None else "")


def _scenario_context(scenario: Scenario) -> tuple[str, ...]:
    texts = [scenario.title, scenario.summary]
    for st in scenario.stages.values():
        texts.extend([st.prompt, *st.questions, *st.tradeoffs, *st.pitfalls, *st.follow_ups, st.reference])
    return tuple(t for t in texts if t)


# ---------------------------------------------------------------- agenda and total

AGENDA_ALIASES: dict[str, tuple[str, ...]] = {
    "requirements": ("requirement", "clarify", "clarification", "scope", "use case", "goal", "需求", "目标"),
    "ml-task": ("ml task", "ml problem", "problem formulation", "formulate", "framing", "frame the problem", "machine learning task", "任务", "问题定义", "建模"),
    "data": ("data", "dataset", "label", "training data", "数据", "标签", "样本"),
    "features": ("feature", "feature engineering", "特征"),
    "model": ("model", "modeling", "architecture", "algorithm", "模型"),
    "evaluation": ("evaluation", "evaluate", "eval", "metric", "a/b test", "experiment", "评估", "指标"),
    "deployment": ("deploy", "deployment", "rollout", "roll out", "launch", "release", "部署", "上线"),
    "serving": ("serving", "serve", "inference", "online prediction", "batch prediction", "服务", "推理"),
    "monitoring": ("monitor", "monitoring", "alert", "observability", "dashboard", "监控"),
    "maintenance": ("maintenance", "maintain", "retrain", "retraining", "iterate", "iteration", "维护", "迭代"),
}


def score_agenda(answer: str, stage_ids: Sequence[str]) -> AgendaScore:
    """How many of the practised steps the agenda names (layered thinking: parts before detail)."""
    from mlsd.scoring.match import Glued
    from mlsd.scoring.text import glue, plain_key

    toks = plain_key(answer) if answer.strip() else ()
    found = Glued(toks)
    raw = answer.lower()
    named, missing = [], []
    for sid in stage_ids:
        aliases = AGENDA_ALIASES.get(sid, ()) + (sid.replace("-", " "),)
        hit = any(
            (a in raw) if any("\u4e00" <= ch <= "\u9fff" for ch in a) else bool(found.spans(glue(plain_key(a))))
            for a in aliases
        )
        (named if hit else missing).append(sid)
    score = round(100.0 * len(named) / len(stage_ids), 1) if stage_ids else 0.0
    return AgendaScore(score, tuple(named), tuple(missing))


def total_score(stage_scores: dict[str, float]) -> float:
    """Stage scores averaged with each step's share of interview time as weight."""
    from mlsd.content.framework import step

    if not stage_scores:
        return 0.0
    weights = {sid: step(sid).weight for sid in stage_scores}
    total_w = sum(weights.values())
    return round(sum(stage_scores[s] * weights[s] for s in stage_scores) / total_w, 1)

