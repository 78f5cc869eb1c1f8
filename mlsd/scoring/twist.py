"""Scoring an answer to an interviewer's twist (a changed constraint) with the normal scorer.

A twist's answer is judged on adapting: the twist's own key points say what must change,
what can stay and which trade-off the change forces. It is scored like a stage answer
(`score_stage`: credit for asserted ideas, 80 % of the weight earns 100, mistakes cost
points) but against those points only: the step's generic framework items are not part of
a twist's rubric, since the answer is a change to a design already given, not a new step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlsd.scoring.stage import StageScore, score_stage

if TYPE_CHECKING:
    from mlsd.content.scenario import Scenario, Twist


def twist_context(scenario: Scenario, twist: Twist) -> tuple[str, ...]:
    """The case's own text plus the twist's, the vocabulary an on-topic answer draws from."""
    texts = [scenario.title, scenario.summary]
    for st in scenario.stages.values():
        texts.extend([st.prompt, *st.questions, *st.tradeoffs, *st.pitfalls, *st.follow_ups, st.reference])
    texts.extend([twist.text, twist.reference])
    return tuple(t for t in texts if t)


def score_twist(scenario: Scenario, twist: Twist, answer: str, earlier: str = "") -> StageScore:
    """The answer to `twist` scored against its key points (`StageScore.stage` is the twist's step).
    `earlier` is the candidate's answer to that step: sentences pasted from it, like sentences that
    restate the twist, earn nothing (the design before the change is not the adaptation)."""
    return score_stage(twist.step, answer, twist.key_points, (), context=twist_context(scenario, twist),
                       references=(twist.reference,), question=twist.text, earlier=earlier)
