"""Scenarios: the data model and the strict loader for `SCENARIO_FORMAT.md`.

`load_scenario("feed-ranking")` finds a shipped scenario by id;
`load_scenario("./my-case.yaml")` loads a user's file. Both go through the same
validation, and a bad file raises `ScenarioError("file:line: field: problem")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAGE_IDS: tuple[str, ...] = (
    "requirements",
    "ml-task",
    "data",
    "features",
    "model",
    "evaluation",
    "deployment",
    "serving",
    "monitoring",
    "maintenance",
)

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class KeyPoint:
    """One rubric item: covered when its keywords (or a paraphrase) appear."""

    id: str
    point: str
    keywords: tuple[str, ...]
    weight: float = 1.0
    why: str = ""


@dataclass(frozen=True)
class Stage:
    id: str
    prompt: str
    questions: tuple[str, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    tradeoffs: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    reference: str = ""


@dataclass(frozen=True)
class SimulationCall:
    """A `simulations:` entry: a registered simulation and its args."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    stages: dict[str, Stage]  # in framework order
    tags: tuple[str, ...] = ()
    difficulty: str = "medium"
    scale: dict[str, float] = field(default_factory=dict)
    simulations: tuple[SimulationCall, ...] = ()
    source: Path | None = None  # the file it came from

    def stage(self, stage_id: str) -> Stage | None:
        return self.stages.get(stage_id)
