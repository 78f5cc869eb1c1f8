"""Scores as the candidate reads them: the rubric's text in the interface language.

The scorer always reads the English scenario, framework and drill bank, so the same
answer gets the same score in every language. What it returns names each point by id
and quotes its English sentence; `shown_result()` swaps in the translated point, its
"why" and each mistake's "why", matched by id, before anything is printed or saved as
JSON. Nothing else changes (credits, evidence, ids, scores).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsd.content.scenario import Scenario
    from mlsd.scoring import StageScore


def stage_points(shown: Scenario, stage_id: str) -> dict[str, Any]:
    """Point id -> the key point as shown: the scenario's own (already localized) and the step's generic items."""
    from mlsd.content.overlays import shown_step

    stage = shown.stage(stage_id)
    points = {kp.id: kp for kp in (stage.key_points if stage is not None else ())}
    points.update({kp.id: kp for kp in shown_step(stage_id).items})
    return points


def shown_result(result: StageScore | None, points: Mapping[str, Any]) -> StageScore | None:
    """`result` with each point's text and why, and each mistake's why, as shown (by id)."""
    if result is None:
        return None
    from mlsd.scoring.mistakes import shown_why

    def point(p: Any) -> Any:
        kp = points.get(p.id)
        return replace(p, point=kp.point, why=kp.why) if kp is not None else p

    mistakes = tuple(replace(m, why=shown_why(m.id, m.why)) for m in result.mistakes)
    return replace(result, points=tuple(point(p) for p in result.points), mistakes=mistakes)
