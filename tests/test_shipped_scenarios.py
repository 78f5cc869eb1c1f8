"""Every shipped scenario is a full answer key: the minimums of the foundation issue."""

from __future__ import annotations

import pytest

from mlsd.content.scenario import STAGE_IDS, builtin_dir, builtin_ids, list_scenarios

EXPECTED_IDS = {"feed-ranking", "churn", "abuse-detection", "search", "ml-monitoring"}


def test_the_five_scenarios_ship():
    assert set(builtin_ids()) >= EXPECTED_IDS


@pytest.fixture(scope="module")
def scenarios():
    return list_scenarios()


def test_id_matches_file_name(scenarios):
    for sc in scenarios:
        assert sc.source.name == f"{sc.id}.yaml"
        assert sc.source.parent == builtin_dir().resolve()


def test_minimums(scenarios):
    problems = []
    for sc in scenarios:
        if not sc.scale:
            problems.append(f"{sc.id}: no scale figures")
        if list(sc.stages) != list(STAGE_IDS):
            problems.append(f"{sc.id}: stages {list(sc.stages)}")
        for sid, stage in sc.stages.items():
            where = f"{sc.id}.{sid}"
            for key, minimum in (("questions", 2), ("key_points", 3), ("tradeoffs", 2), ("pitfalls", 1), ("follow_ups", 1)):
                if len(getattr(stage, key)) < minimum:
                    problems.append(f"{where}: {key} has {len(getattr(stage, key))} < {minimum}")
            if len(stage.reference.split()) < 60:
                problems.append(f"{where}: reference has {len(stage.reference.split())} words < 60")
            for kp in stage.key_points:
                if not kp.why:
                    problems.append(f"{where}.{kp.id}: no why")
    assert not problems, "\n".join(problems)


def test_scenarios_list_their_simulations(scenarios):
    """Each scenario names the simulations that back it (render embeds them)."""
    missing = [sc.id for sc in scenarios if not sc.simulations]
    assert not missing, f"scenarios without simulations: {missing}"
