"""Which twists a session asks, and the practice answers file with its `twists:` and `minutes:`.

How many: one per session by default, chosen by `--seed` among the scenario's twists whose
step is practised (same seed, same twist); `--twists all` asks every such twist; `--no-twists`
none. Where: right after the candidate's answer to the twist's step, in place of that step's
follow-up question (the interviewer interrupts with the changed constraint). A skipped step
has no design to adapt, so its twist is not asked.

An `--answers` file may add, beside `step: text` entries,

    twists:
      latency-20ms: "I would precompute …"
    minutes:            # time spent per step, for the pacing read-out (optional)
      requirements: 4
      data: 9

Twists come from the file only: each one named there is asked after its step (which the
file must answer); `--no-twists` ignores them. `minutes:` records the time spent per step, so
the pacing read-out has something to read; without it an answers session has no timing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlsd.content.scenario import STAGE_IDS
from mlsd.errors import BadInputError, did_you_mean
from mlsd.i18n import _

if TYPE_CHECKING:
    from mlsd.content.scenario import Scenario, Twist

TWIST_MODES = ("one", "all", "none")
MAX_STEP_MINUTES = 600.0


def choose_twists(scenario: Scenario, stages: Sequence[str], *, seed: int, mode: str = "one") -> tuple[Twist, ...]:
    """The twists a session asks, in step order: one chosen by the seed, all, or none."""
    if mode not in TWIST_MODES:
        raise BadInputError(_("--twists must be one of {choices}, got {value}").format(
            choices=", ".join(TWIST_MODES[:2]), value=repr(mode)))
    eligible = [t for t in scenario.twists if t.step in stages]
    if mode == "none" or not eligible:
        return ()
    if mode == "one":
        rng = random.Random(f"{seed}:{scenario.id}:twist")
        eligible = [rng.choice(eligible)]
    return tuple(sorted(eligible, key=lambda t: STAGE_IDS.index(t.step)))


@dataclass(frozen=True)
class PracticeAnswers:
    """An answers file for `mlsd practice --answers`: steps (and agenda, diagram), twists, minutes per step."""

    answers: dict[str, str]
    twists: dict[str, str] = field(default_factory=dict)  # twist id → answer text
    minutes: dict[str, float] = field(default_factory=dict)  # step → minutes spent


def parse_practice_answers(path: str, scenario: Scenario | None = None) -> PracticeAnswers:
    """Read an answers YAML; every problem is one `file:line: field: problem` error.

    `scenario` checks the twist ids (an id the scenario does not have names the ones it has).
    """
    from mlsd.content import yamlfile
    from mlsd.practice.engine import check_answers_mapping, not_text

    doc = yamlfile.load(path)
    data = doc.data
    twists_raw = data.pop("twists", None) if isinstance(data, dict) else None
    minutes_raw = data.pop("minutes", None) if isinstance(data, dict) else None
    answers = check_answers_mapping(doc, data, ("agenda", *STAGE_IDS, "diagram"), what="step",
                                    example="data: I would log ...", extra=("twists", "minutes"))
    if "diagram" in answers:
        from mlsd.content.diagram_notation import DiagramError, parse_diagram

        try:
            parse_diagram(answers["diagram"])
        except DiagramError as exc:  # `file:line: diagram: line N: problem`
            raise doc.error(("diagram",), str(exc), DiagramError) from None
    twists: dict[str, str] = {}
    if twists_raw is not None:
        if not isinstance(twists_raw, dict) or not twists_raw:
            raise doc.error(("twists",), _("must be a mapping of twist id to answer text "
                                           "(e.g. `latency-20ms: I would precompute ...`)"))
        known = [t.id for t in scenario.twists] if scenario is not None else None
        for key, value in twists_raw.items():
            if known is not None and key not in known:
                if known:
                    problem = _("unknown twist {key}{hint}; this scenario's twists: {twists}").format(
                        key=repr(key), hint=did_you_mean(str(key), known), twists=", ".join(known))
                else:
                    problem = _("unknown twist {key}; this scenario has no twists").format(key=repr(key))
                raise doc.error(("twists", key), problem)
            if not isinstance(value, str):
                raise doc.error(("twists", key), not_text(value))
            twists[str(key)] = value
    minutes: dict[str, float] = {}
    if minutes_raw is not None:
        if not isinstance(minutes_raw, dict) or not minutes_raw:
            raise doc.error(("minutes",), _("must be a mapping of step id to minutes spent (e.g. `data: 8`)"))
        for key, value in minutes_raw.items():
            if key not in STAGE_IDS:
                raise doc.error(("minutes", key), _("unknown step {key}{hint}; valid: {valid}").format(
                    key=repr(key), hint=did_you_mean(str(key), STAGE_IDS), valid=", ".join(STAGE_IDS)))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_STEP_MINUTES:
                raise doc.error(("minutes", key), _("must be a number of minutes in {range}, got {value}").format(
                    range=f"(0, {MAX_STEP_MINUTES:g}]", value=repr(value)))
            minutes[key] = float(value)
    return PracticeAnswers(answers, twists, minutes)


def check_twist_steps(data: PracticeAnswers, scenario: Scenario, stages: Sequence[str]) -> None:
    """Each twist answered in the file is asked after its step, so the session must answer that step."""
    for twist_id in data.twists:
        twist = scenario.twist(twist_id)
        if twist is None:
            continue
        if not data.answers.get(twist.step, "").strip():
            raise BadInputError(
                _("--answers: twist {twist} is asked after the {step} step, which the file does not "
                  "answer; add a `{step_id}:` answer or drop the twist").format(
                    twist=repr(twist_id), step=repr(twist.step), step_id=twist.step)
            )
        if twist.step not in stages:
            raise BadInputError(
                _("--answers: twist {twist} is asked after the {step} step, which this session does not "
                  "practise (--stages {stages}); add {step_id} to --stages or drop the twist").format(
                    twist=repr(twist_id), step=repr(twist.step), stages=",".join(stages), step_id=twist.step)
            )
