"""Every shipped scenario's twists are well made and score as a curveball should: the reference
adapts (≥ 85), a vague answer and an echo of the interviewer's words do not (< 25), and the design
from before the change — the scenario's own reference for that step — earns less than half."""

from __future__ import annotations

import pytest

from mlsd.content.scenario import STAGE_IDS, list_scenarios
from mlsd.scoring.twist import score_twist

SCENARIOS = list_scenarios()
VAGUE = "I would monitor it and retrain the model if needed, and talk to stakeholders about the change."
CASES = [(sc, t) for sc in SCENARIOS for t in sc.twists]


@pytest.mark.parametrize("sc", SCENARIOS, ids=[sc.id for sc in SCENARIOS])
def test_every_shipped_scenario_has_two_well_formed_twists(sc):
    assert len(sc.twists) >= 2, f"{sc.id}: needs at least two twists"
    assert len({t.step for t in sc.twists}) == len(sc.twists)
    stage_points = {kp.id for st in sc.stages.values() for kp in st.key_points}
    for t in sc.twists:
        assert t.step in STAGE_IDS and 3 <= len(t.key_points) <= 5
        assert not {kp.id for kp in t.key_points} & stage_points
        assert 80 <= len(t.reference.split()) <= 200, (t.id, len(t.reference.split()))
        assert all(kp.why for kp in t.key_points)


@pytest.mark.parametrize("sc, twist", CASES, ids=[f"{sc.id}/{t.id}" for sc, t in CASES])
def test_twist_rewards_adapting_not_echoing_or_standing_still(sc, twist):
    assert score_twist(sc, twist, twist.reference).score >= 85
    assert score_twist(sc, twist, VAGUE).score < 25
    assert score_twist(sc, twist, twist.text).score < 25
    unchanged = sc.stages[twist.step].reference
    assert score_twist(sc, twist, unchanged).score < 50, "the design before the change earns the twist's credit"
