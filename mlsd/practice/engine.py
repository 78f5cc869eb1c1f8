"""The mock-interview engine: a state machine the CLI drives, testable without a terminal.

A session goes: agenda → for each practised step: answer → (feedback) →
follow-up → (check-in habit) → … → scorecard. The CLI asks `engine.prompt()`
what to show, reads the candidate's text, and passes it to `engine.submit()`
(or a command such as ":hint" to `engine.command()`); both return `Event`s to
print. The engine never reads or prints anything itself.

Every submitted answer is written to the store at once (`mlsd.practice.store`). What
is being typed (an answer, a follow-up answer or the agenda) is kept as a
*draft*: the CLI saves it after every line entered with Enter, and on Ctrl-C
or `:quit` it saves the completed lines plus the line being typed when the
terminal has line editing (GNU readline/libedit: Linux, macOS); without it the
unfinished line is lost, since the terminal drops it on Ctrl-C before mlsd can
read it. `PracticeEngine.resume()` rebuilds a session from the store and
continues at the agenda (if not given yet) or the first step without an
answer, showing its draft, which the next lines are added to. A follow-up
answer being typed is saved with its step's answer, so resuming moves on to
the next step.

What the total covers
---------------------
The total (`mlsd.scoring.total_score`) averages the practised steps, and a
step that was skipped (`:skip`, or never answered) counts 0: ten steps with
one answered at 100 give about 10/100, never 100. `--answers FILE` practises
the steps the file answers (or the ones `--stages` names; a named step the
file leaves out is recorded as skipped and counts 0), so a file with only
`requirements` is a one-step session: its scorecard says "1 of 10 steps
practised" and names the steps not practised, and the advice "every step
scored 100" appears only when all ten steps were answered and scored 100.

Twists (`mlsd.practice.twists`) are scored apart and are not in the total: the
scorecard, `--json` (`twists`, `twist_score`) and the design doc show them beside
it. Folding them in would make a session with `--no-twists` (or one from before
twists existed, or a scenario without any) incomparable with one that has them,
and `mlsd progress` compares totals across sessions; the twist's time counts in
its step's time, like the follow-up it replaces.

The clock is injected (`clock=`), so timing is tested with a fake clock.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlsd.content.scenario import STAGE_IDS, is_builtin
from mlsd.errors import BadInputError, did_you_mean
from mlsd.i18n import N_, _, space

if TYPE_CHECKING:
    from mlsd.content.architecture import Architecture
    from mlsd.content.scenario import Scenario, Twist
    from mlsd.practice.store import SavedSession, Store
    from mlsd.scoring import AgendaScore, StageScore
    from mlsd.scoring.numbers import NumberCheck
    from mlsd.scoring.pacing import Pacing

COMMANDS = (":hint", ":skip", ":back", ":quit")
DEFAULT_MINUTES = 45.0

# What `:hint` shows during a twist: what an answer to a changed constraint covers.
TWIST_HINTS = (
    N_("What must change in your design because of this, and why?"),
    N_("What can stay exactly as it is?"),
    N_("Which trade-off does the change force, and what does it cost?"),
)

GENERIC_FOLLOW_UPS = (
    N_("What would change in your answer if the scale were ten times larger?"),
    N_("Which part of this would you build first, and what would you leave for later?"),
    N_("What could go wrong here in production, and how would you notice?"),
)


# ---------------------------------------------------------------- options


def parse_stages(value: str | None) -> tuple[str, ...]:
    """`--stages data,model` → ('data', 'model') in framework order; bad ids are BadInputError."""
    if value is None or not value.strip():
        return STAGE_IDS
    wanted = [v.strip() for v in value.split(",") if v.strip()]
    if not wanted:
        raise BadInputError(
            _("--stages names no step, got {value}; give step ids separated by commas, e.g. data,model "
              "(valid steps: {steps})").format(value=repr(value), steps=", ".join(STAGE_IDS))
        )
    for v in wanted:
        if v not in STAGE_IDS:
            raise BadInputError(
                _("--stages: unknown step {step}{hint}; valid steps: {steps}").format(
                    step=repr(v), hint=did_you_mean(v, STAGE_IDS), steps=", ".join(STAGE_IDS))
            )
    return tuple(s for s in STAGE_IDS if s in wanted)


def budgets(stages: Sequence[str], minutes: float) -> dict[str, float]:
    """Seconds per step: the interview's minutes split by each step's weight."""
    from mlsd.content.framework import step

    total = sum(step(s).weight for s in stages)
    return {s: round(minutes * 60.0 * step(s).weight / total, 1) for s in stages}


def stage_prompt(scenario: Scenario, stage_id: str) -> str:
    """The interviewer's question for a step (the step's purpose when the scenario has none)."""
    from mlsd.content.overlays import shown_step

    st = scenario.stage(stage_id)
    if st is not None and st.prompt:
        return st.prompt
    return shown_step(stage_id).purpose


def follow_up_for(scenario: Scenario, stage_id: str, seed: int) -> str:
    """One follow-up question of the step, chosen by the seed (same seed, same question)."""
    st = scenario.stage(stage_id)
    pool: tuple[str, ...] = st.follow_ups if st is not None and st.follow_ups else tuple(map(_, GENERIC_FOLLOW_UPS))
    rng = random.Random(f"{seed}:{scenario.id}:{stage_id}")
    return rng.choice(pool)  # the translated list has the same length: the same question in every language


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Prompt:
    """What the CLI should ask next."""

    kind: str  # "agenda" | "answer" | "follow_up" | "twist" | "done"
    stage: str | None
    title: str
    text: str
    index: int = 0  # 1-based position of the stage among the practised ones
    count: int = 0
    budget_seconds: float | None = None
    elapsed_seconds: float = 0.0
    draft: str = ""  # text typed earlier and saved as a draft (resume)
    previous: str = ""  # the submitted answer being revisited after :back (":skip" keeps it)
    total_elapsed_seconds: float = 0.0  # the whole interview so far


@dataclass(frozen=True)
class Event:
    """Base class of what the engine reports back."""


@dataclass(frozen=True)
class AgendaFeedback(Event):
    score: AgendaScore


@dataclass(frozen=True)
class StageFeedback(Event):
    stage: str
    title: str
    result: StageScore
    tradeoffs: tuple[str, ...]
    seconds: float
    budget_seconds: float | None
    follow_up: str  # "" when a twist comes instead
    numbers: tuple[NumberCheck, ...] = ()  # the figures the answer states, checked

    @property
    def over_budget(self) -> bool:
        return self.budget_seconds is not None and self.seconds > self.budget_seconds


@dataclass(frozen=True)
class FollowUpFeedback(Event):
    stage: str
    before: float
    result: StageScore | None  # None when the follow-up was not answered
    check_in: str  # the habit: ask before moving on
    reply: str  # what the interviewer answers to it


@dataclass(frozen=True)
class TwistFeedback(Event):
    """The answer to a twist, scored on adapting (its own key points)."""

    twist_id: str
    stage: str
    text: str
    result: StageScore | None  # None when skipped
    check_in: str
    kept: bool = False  # :skip after :back kept the earlier answer


@dataclass(frozen=True)
class TwistLine:
    """A twist in the scorecard: asked after `stage`, its score apart from the total."""

    id: str
    stage: str
    text: str
    score: float
    skipped: bool
    covered: tuple[str, ...]
    partial: Mapping[str, float]
    missed: tuple[str, ...]  # key-point ids
    missed_points: tuple[str, ...]  # their sentences, heaviest first
    evidence: Mapping[str, str]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "step": self.stage, "text": self.text, "score": self.score,
                "covered": list(self.covered), "partial": dict(self.partial), "missed": list(self.missed),
                "skipped": self.skipped, "evidence": dict(self.evidence), "seconds": self.seconds}


@dataclass(frozen=True)
class Hint(Event):
    stage: str | None
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Skipped(Event):
    stage: str | None
    # True after :back to a step (or the agenda) already answered: `:skip` moved on and
    # kept that answer and its score; it did not skip the step.
    kept: bool = False


@dataclass(frozen=True)
class WentBack(Event):
    stage: str | None


@dataclass(frozen=True)
class DiagramSaved(Event):
    """The candidate's diagram after a `:diagram` block (saved with the session)."""

    diagram: Architecture
    typed: int  # edges typed in this block


@dataclass(frozen=True)
class Quit(Event):
    session_id: int
    resume_command: str


@dataclass(frozen=True)
class StageLine:
    stage: str
    title: str
    score: float
    seconds: float
    budget_seconds: float | None
    skipped: bool
    missed: tuple[str, ...]  # missed scenario key points (point sentences), heaviest first
    study: tuple[str, ...]  # "point — why" lines for the weakest steps


@dataclass(frozen=True)
class Scorecard(Event):
    session_id: int
    scenario_id: str
    scenario_title: str
    total_score: float
    agenda_score: float | None
    stages: tuple[StageLine, ...]
    weakest: tuple[str, ...]
    render_command: str
    answered: tuple[str, ...] = ()  # practised steps with an answer (not skipped)
    verdict: Any = None  # mlsd.scoring.verdict.Verdict for the session (guidance, not a decision)
    stage_verdicts: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)  # step → StageScore (evidence)
    diagram: Mapping[str, Any] | None = None  # `diagram_report`: the candidate's diagram and what it lacks
    twists: tuple[TwistLine, ...] = ()  # scored apart: not in total_score
    number_checks: tuple[NumberCheck, ...] = ()
    pacing: Pacing | None = None  # None: no time recorded (an answers file without `minutes:`)

    def to_dict(self) -> dict[str, Any]:
        """What `--json` adds to the saved session: evidence and the level read-out."""
        stages = {}
        for sid, r in self.results.items():
            v = self.stage_verdicts.get(sid)
            stages[sid] = {
                "evidence": r.evidence,
                "partial_missing": r.to_dict()["partial_missing"],
                "mistakes": r.to_dict()["mistakes"],
                "notes": list(r.notes),
                "verdict": v.signal if v else None,
                "level": v.level if v else None,
            }
        v = self.verdict
        return {
            "verdict": v.signal if v else None,
            "level": v.level if v else None,
            "verdict_reasons": list(v.reasons) if v else [],
            "verdict_note": v.note if v else "",
            "stages": stages,
            "diagram": self.diagram,
            "twists": [t.to_dict() for t in self.twists],
            "twist_score": twist_score(self.twists),
            "number_checks": [c.to_dict() for c in self.number_checks],
            "pacing": self.pacing.to_dict() if self.pacing is not None else None,
        }

    @property
    def not_practised(self) -> tuple[str, ...]:
        """Steps of the framework this session left out (not in --stages / the answers file)."""
        practised = {s.stage for s in self.stages}
        return tuple(s for s in STAGE_IDS if s not in practised)

    @property
    def skipped(self) -> tuple[str, ...]:
        """Practised steps without an answer (each counts 0 in the total)."""
        return tuple(s.stage for s in self.stages if s.stage not in self.answered)

    @property
    def complete(self) -> bool:
        """All ten framework steps answered (the only case where 'every step scored 100' can be said)."""
        return len(self.answered) == len(STAGE_IDS)


def twist_score(twists: Sequence[TwistLine]) -> float | None:
    """The average score of the twists asked (skipped ones count 0); None when none was asked.

    Kept apart from the total (see "What the total covers"), so totals stay comparable
    between sessions with and without twists and with the history from before them."""
    if not twists:
        return None
    return round(sum(t.score for t in twists) / len(twists), 1)


# ---------------------------------------------------------------- the engine


@dataclass
class _TwistState:
    answer: str | None = None
    result: StageScore | None = None
    skipped: bool = False
    seconds: float = 0.0
    draft: str = ""


@dataclass
class _Stage:
    id: str
    answer: str | None = None
    seconds: float = 0.0
    result: StageScore | None = None
    skipped: bool = False
    follow_up: str | None = None
    follow_up_answer: str | None = None
    draft: str = ""


class PracticeEngine:
    """One practice session; every state change is saved before it returns."""

    def __init__(
        self,
        scenario: Scenario,
        store: Store,
        session_id: int,
        *,
        stages: Sequence[str],
        minutes: float = DEFAULT_MINUTES,
        untimed: bool = False,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        saved: SavedSession | None = None,
        twists: Sequence[str] = (),
    ) -> None:
        from mlsd.content.translations import localized

        self.scenario = scenario  # what the scorer reads (English)
        self.shown = localized(scenario)  # what the candidate reads
        self.store = store
        self.session_id = session_id
        self.stage_ids = tuple(stages)
        self.minutes = minutes
        self.untimed = untimed
        self.seed = seed
        self.clock = clock
        self.budgets = {} if untimed else budgets(self.stage_ids, minutes)
        self.stages = {s: _Stage(s) for s in self.stage_ids}
        self.agenda: AgendaScore | None = None
        self.agenda_text = ""  # the submitted agenda (shown again after :back; :skip keeps it)
        self.agenda_draft = ""
        self.phase = "agenda"
        self.pos = 0
        self._t0: float | None = None
        self.diagram: Architecture | None = None  # the candidate's own diagram (`:diagram`)
        # The twists this session asks, by the step they follow (ids the scenario lost are dropped).
        planned = [t for t in (scenario.twist(i) for i in twists) if t is not None and t.step in self.stages]
        self.twists: dict[str, Twist] = {t.step: t for t in planned}
        self.twist_ids = tuple(t.id for t in planned)
        self.twist_state: dict[str, _TwistState] = {t.id: _TwistState() for t in planned}
        # The same twists as the candidate reads them (id → twist in the interface language).
        self.shown_twists: dict[str, Twist] = {t.id: t for t in self.shown.twists if t.id in self.twist_state}
        self._twist_base: dict[str, float] = {}  # step → its seconds when the twist was asked
        if saved is not None:
            self._restore(saved)

    # -- construction

    @classmethod
    def start(
        cls,
        scenario: Scenario,
        store: Store,
        *,
        stages: Sequence[str] = STAGE_IDS,
        minutes: float = DEFAULT_MINUTES,
        untimed: bool = False,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        mode: str = "interactive",
        twists: Sequence[str] = (),
    ) -> PracticeEngine:
        """A new session, saved at once so it can be resumed; `twists` are the ids it asks."""
        check_minutes(minutes)
        sid = store.create_session(
            scenario_id=scenario.id, scenario_title=scenario.title,
            source_path=scenario.source.resolve() if scenario.source else None,
            builtin=is_builtin(scenario), stages=stages, minutes=minutes, untimed=untimed, seed=seed,
            mode=mode, twists=twists,
        )
        return cls(scenario, store, sid, stages=stages, minutes=minutes, untimed=untimed, seed=seed, clock=clock,
                   twists=twists)

    @classmethod
    def resume(cls, store: Store, ref: int | str = "latest", *, clock: Callable[[], float] = time.monotonic) -> PracticeEngine:
        """Continue an unfinished session (the latest one by default)."""
        from mlsd.content.scenario import load_scenario

        saved = store.get_session(ref, unfinished=True)
        scenario = load_scenario(saved.scenario_ref)
        return cls(
            scenario, store, saved.id, stages=saved.stages, minutes=saved.minutes, untimed=saved.untimed,
            seed=saved.seed, clock=clock, saved=saved, twists=saved.twists,
        )

    def _restore(self, saved: SavedSession) -> None:
        from mlsd.scoring import AgendaScore

        if saved.diagram:
            from mlsd.content.diagram_notation import parse_diagram

            self.diagram = parse_diagram(saved.diagram)
        if "agenda" in saved.drafts:
            self.agenda_draft = saved.drafts["agenda"].text
        if saved.agenda is not None:
            self.agenda_text = saved.agenda
            named = saved.agenda_named
            self.agenda = AgendaScore(
                saved.agenda_score or 0.0, named, tuple(s for s in self.stage_ids if s not in named)
            )
        for sid, a in saved.answers.items():
            if sid not in self.stages:
                continue
            st = self.stages[sid]
            st.answer, st.seconds, st.skipped = a.answer, a.seconds, a.skipped
            st.follow_up, st.follow_up_answer = a.follow_up, a.follow_up_answer
            st.result = self._rescore(sid, a) if not a.skipped else None
        for sid, d in saved.drafts.items():
            if sid in self.stages:
                st = self.stages[sid]
                st.draft, st.seconds = d.text, max(st.seconds, d.seconds)
        for tid, state in self.twist_state.items():
            if tid in saved.twist_answers:
                ta = saved.twist_answers[tid]
                state.answer, state.skipped, state.seconds = ta.answer, ta.skipped, ta.seconds
                state.result = None if ta.skipped else self._score_twist(tid, ta.answer)
            if f"twist:{tid}" in saved.drafts:
                state.draft = saved.drafts[f"twist:{tid}"].text
        if self.agenda is None or self.agenda_draft:
            # Not given yet, or being retyped after :back when the session stopped.
            self.phase, self.pos = "agenda", 0
            return
        # Continue where typing stopped: the first step with a draft or without an answer.
        remaining = [s for s in self.stage_ids if s in saved.drafts or s in saved.remaining]
        if not remaining:
            self.phase = "done"
            self.pos = len(self.stage_ids)
        else:
            self.phase, self.pos = "answer", self.stage_ids.index(remaining[0])
        # ... or a twist asked after an answered step and not answered yet (it comes first).
        for i, sid in enumerate(self.stage_ids[: self.pos]):
            twist = self.twists.get(sid)
            st = self.stages[sid]
            if twist is not None and st.answer and not st.skipped and self.twist_state[twist.id].answer is None \
                    and not self.twist_state[twist.id].skipped:
                self.phase, self.pos = "twist", i
                self._twist_base[sid] = st.seconds
                break

    def _rescore(self, sid: str, a: Any) -> StageScore:
        text = a.answer + ("\n" + a.follow_up_answer if a.follow_up_answer else "")
        return self._score(sid, text)

    def _score(self, sid: str, text: str) -> StageScore:
        """The answer scored against the English rubric, its points shown in the interface language."""
        from mlsd.practice.shown import shown_result, stage_points
        from mlsd.scoring import score_answer

        return shown_result(score_answer(self.scenario, sid, text), stage_points(self.shown, sid))

    # -- state

    def _score_twist(self, twist_id: str, text: str) -> StageScore:
        from mlsd.practice.shown import shown_result
        from mlsd.scoring.twist import score_twist

        twist = self.scenario.twist(twist_id)
        assert twist is not None
        # Everything the candidate said up to the twist is the design before the change.
        upto = self.stage_ids[: self.stage_ids.index(twist.step) + 1] if twist.step in self.stage_ids else ()
        earlier = "\n".join(self.stages[s].answer or "" for s in upto)
        result = score_twist(self.scenario, twist, text, earlier=earlier)
        return shown_result(result, {kp.id: kp for kp in self._told(twist).key_points})

    def _told(self, twist: Twist) -> Twist:
        """`twist` as the candidate reads it (the interface language); scoring reads `twist`."""
        return self.shown_twists.get(twist.id, twist)

    @property
    def current_twist(self) -> Twist | None:
        """The twist being asked (phase "twist"), else None."""
        sid = self.current_stage
        return self.twists.get(sid) if self.phase == "twist" and sid is not None else None

    @property
    def current_stage(self) -> str | None:
        if self.phase in ("answer", "follow_up", "twist") and self.pos < len(self.stage_ids):
            return self.stage_ids[self.pos]
        return None

    @property
    def finished(self) -> bool:
        return self.phase == "done"

    def _elapsed(self, sid: str) -> float:
        running = self.clock() - self._t0 if self._t0 is not None else 0.0
        return round(self.stages[sid].seconds + running, 1)

    def prompt(self) -> Prompt:
        """What to ask now; starts the step's clock the first time it is shown."""
        from mlsd.content.overlays import shown_step as step

        n = len(self.stage_ids)
        if self.phase == "agenda":
            return Prompt(
                "agenda", None, _("Agenda"),
                f"{self.shown.summary.strip()}\n\n" + _("Before any detail: what is your plan? Name the parts "
                                                      "you will cover, in order (layered thinking: the whole "
                                                      "first, details later)."),
                0, n, draft=self.agenda_draft, previous=self.agenda_text,
            )
        if self.phase == "done":
            return Prompt("done", None, _("Done"), _("The session is complete."), n, n)
        sid = self.stage_ids[self.pos]
        if self._t0 is None:
            self._t0 = self.clock()
        st = self.stages[sid]
        if self.phase == "follow_up":
            return Prompt(
                "follow_up", sid, step(sid).title, st.follow_up or "", self.pos + 1, n,
                self.budgets.get(sid), self._elapsed(sid),
            )
        if self.phase == "twist":
            twist = self.twists[sid]
            state = self.twist_state[twist.id]
            return Prompt(
                "twist", sid, step(sid).title, self._told(twist).text, self.pos + 1, n, self.budgets.get(sid),
                self._elapsed(sid), state.draft, "" if state.skipped else (state.answer or ""),
            )
        total = sum(x.seconds for x in self.stages.values() if x.id != sid) + self._elapsed(sid)
        return Prompt(
            "answer", sid, step(sid).title, stage_prompt(self.shown, sid), self.pos + 1, n,
            self.budgets.get(sid), self._elapsed(sid), st.draft,
            "" if st.skipped else (st.answer or ""), round(total, 1),
        )

    # -- input

    def handle(self, text: str) -> list[Event]:
        """An in-answer command (":hint", ":skip", ":back", ":quit") or an answer."""
        cmd = text.strip().lower()
        if cmd in COMMANDS:
            return self.command(cmd)
        return self.submit(text)

    def command(self, cmd: str, partial: str = "") -> list[Event]:
        """Run an in-answer command; `partial` is what was typed before it."""
        cmd = cmd.strip().lower()
        if cmd == ":hint":
            return [self.hint()]
        if cmd == ":quit":
            return [self.quit(partial)]
        if cmd == ":skip":
            return self._skip()
        if cmd == ":back":
            return self._back()
        raise BadInputError(_("unknown command {command}; commands: {commands}").format(
            command=repr(cmd), commands=", ".join(COMMANDS)))

    def hint(self) -> Hint:
        """The clarifying questions of the current step (never the answers)."""
        sid = self.current_stage
        if self.phase == "twist" and sid is not None:
            return Hint(sid, tuple(_(q) for q in TWIST_HINTS))
        from mlsd.content.overlays import framework_content, shown_step

        if sid is None:
            qs = [_("{title}: {purpose}").format(title=s.title, purpose=s.purpose)
                  for s in framework_content()["STEPS"] if s.id in self.stage_ids]
            return Hint(None, tuple(qs))
        st = self.shown.stage(sid)
        questions = st.questions if st is not None and st.questions else ()
        if not questions:
            questions = tuple(_("Have you covered: {point}?").format(point=_lower_first(kp.point.rstrip(".")))
                              for kp in shown_step(sid).items)
        return Hint(sid, tuple(questions))

    def save_draft(self, text: str) -> None:
        """Keep what is being typed (called by the CLI after each line, on :quit and Ctrl-C)."""
        if self.phase == "agenda" and text.strip():
            self.agenda_draft = text
            self.store.save_draft(self.session_id, "agenda", text, 0.0)
            return
        sid = self.current_stage
        if sid is None or not text.strip():
            return
        if self.phase == "twist":
            twist = self.twists[sid]
            self.twist_state[twist.id].draft = text
            self.store.save_draft(self.session_id, f"twist:{twist.id}", text, self._elapsed(sid))
            return
        if self.phase == "follow_up":
            # The step's answer is already saved; keep the follow-up typed so far with it.
            st = self.stages[sid]
            st.follow_up_answer = text
            st.result = self._score(sid, (st.answer or "") + "\n" + text)
            st.seconds = self._elapsed(sid)
            self._t0 = self.clock()
            self._save(sid)
            return
        self.stages[sid].draft = text
        self.store.save_draft(self.session_id, sid, text, self._elapsed(sid))

    def add_diagram(self, text: str, *, replace: bool = False) -> DiagramSaved:
        """Add typed edges to the diagram (or replace it), saved at once.

        `text` is one edge per line (`mlsd.content.diagram_notation`); a bad line raises
        DiagramError naming it, and nothing is saved.
        """
        from mlsd.content.diagram_notation import parse_diagram, parse_edge, to_text

        diagram = parse_diagram(text, base=None if replace else self.diagram)
        typed = sum(1 for n, line in enumerate(text.splitlines(), 1)
                    if line.strip().lower() != "clear" and parse_edge(line, n) is not None)
        self.diagram = diagram if diagram.flows else None
        self.store.save_diagram(self.session_id, to_text(diagram))
        return DiagramSaved(diagram, typed)

    def quit(self, partial: str = "") -> Quit:
        """Stop here; the session stays resumable."""
        if partial.strip():
            self.save_draft(partial)
        elif self.current_stage is not None and self._t0 is not None:
            sid = self.current_stage
            self.stages[sid].seconds = self._elapsed(sid)
            self._t0 = None
            if self.phase in ("follow_up", "twist"):
                self._save(sid)  # keep the time spent on the follow-up or the twist
        return Quit(self.session_id, f"mlsd practice --resume {self.session_id}")

    def submit(self, text: str) -> list[Event]:
        """The candidate's answer for the current prompt."""
        if self.phase == "agenda":
            return self._submit_agenda(text)
        if self.phase == "answer":
            return self._submit_answer(text)
        if self.phase == "follow_up":
            return self._submit_follow_up(text)
        if self.phase == "twist":
            return self._submit_twist(text)
        raise BadInputError(_("the session is finished; start a new one with `mlsd practice SCENARIO`"))

    def _submit_agenda(self, text: str) -> list[Event]:
        from mlsd.scoring import score_agenda

        self.agenda = score_agenda(text, self.stage_ids)
        self.agenda_text, self.agenda_draft = text, ""
        self.store.save_agenda(self.session_id, text, self.agenda.score, self.agenda.named)
        self.phase, self.pos, self._t0 = "answer", 0, None
        return [AgendaFeedback(self.agenda)]

    def _submit_answer(self, text: str) -> list[Event]:
        from mlsd.content.overlays import shown_step as step

        sid = self.stage_ids[self.pos]
        st = self.stages[sid]
        st.seconds = self._elapsed(sid)
        self._t0 = self.clock()
        st.answer, st.skipped, st.draft, st.follow_up_answer = text, False, "", None
        st.result = self._score(sid, text)
        # A twist, when this step has one, takes the follow-up's place: the interviewer interrupts.
        twist = self.twists.get(sid)
        st.follow_up = None if twist is not None else follow_up_for(self.shown, sid, self.seed)
        self._save(sid)
        self.phase = "twist" if twist is not None else "follow_up"
        if twist is not None:
            self._twist_base[sid] = st.seconds
        scen_stage = self.shown.stage(sid)
        from mlsd.scoring.numbers import check_answer

        return [
            StageFeedback(
                sid, step(sid).title, st.result, scen_stage.tradeoffs if scen_stage else (),
                st.seconds, self.budgets.get(sid), st.follow_up or "", tuple(check_answer(self.scenario, sid, text)),
            )
        ]

    def _submit_twist(self, text: str) -> list[Event]:
        from mlsd.content.overlays import framework_content

        sid = self.stage_ids[self.pos]
        twist = self.twists[sid]
        state = self.twist_state[twist.id]
        st = self.stages[sid]
        st.seconds = self._elapsed(sid)
        self._t0 = self.clock()
        if not text.strip():
            return self._skip_twist()
        state.answer, state.skipped, state.draft = text, False, ""
        state.result = self._score_twist(twist.id, text)
        state.seconds = round(st.seconds - self._twist_base.get(sid, st.seconds), 1)
        self._save(sid)  # the step's time includes the twist, as it would the follow-up
        self._save_twist(twist)
        return [TwistFeedback(twist.id, sid, self._told(twist).text, state.result,
                              framework_content()["CHECK_IN_QUESTION"]),
                *self._advance()]

    def _skip_twist(self) -> list[Event]:
        from mlsd.content.overlays import framework_content

        sid = self.stage_ids[self.pos]
        twist = self.twists[sid]
        state = self.twist_state[twist.id]
        st = self.stages[sid]
        st.seconds = self._elapsed(sid)
        kept = bool(state.answer and state.answer.strip() and not state.skipped)
        if not kept:
            state.answer, state.result, state.skipped = "", None, True
        state.draft = ""
        state.seconds = round(st.seconds - self._twist_base.get(sid, st.seconds), 1)
        self._save(sid)
        self._save_twist(twist)
        return [TwistFeedback(twist.id, sid, self._told(twist).text, state.result,
                              framework_content()["CHECK_IN_QUESTION"], kept=kept),
                *self._advance()]

    def _save_twist(self, twist: Twist) -> None:
        state = self.twist_state[twist.id]
        r = state.result
        self.store.save_twist_answer(
            self.session_id, twist.id, stage=twist.step, text=twist.text, answer=state.answer or "",
            score=r.score if r else 0.0, covered=r.covered if r else (), partial=r.partial if r else {},
            missed=r.missed if r else [kp.id for kp in twist.key_points], seconds=state.seconds,
            skipped=state.skipped,
        )

    def _submit_follow_up(self, text: str) -> list[Event]:
        from mlsd.content.overlays import framework_content

        sid = self.stage_ids[self.pos]
        st = self.stages[sid]
        before = st.result.score if st.result else 0.0
        if st.follow_up_answer and st.answer is not None:  # drafts of the follow-up are already scored in
            before = self._score(sid, st.answer).score
        st.seconds = self._elapsed(sid)
        after = None
        if text.strip():
            st.follow_up_answer = text
            st.result = self._score(sid, (st.answer or "") + "\n" + text)
            after = st.result
        self._save(sid)
        reply = _("No, that covers it. Let's move on.")
        if st.result is not None:
            missed = [p for p in st.result.missed_points() if not p.generic]
            if missed:
                p = missed[0]
                reply = _("One thing: {point}.").format(point=_lower_first(p.point.rstrip(".。"))) + (
                    space() + p.why if p.why else "")
        check_in = framework_content()["CHECK_IN_QUESTION"]
        events: list[Event] = [FollowUpFeedback(sid, before, after, check_in, reply)]
        events += self._advance()
        return events

    def _skip(self) -> list[Event]:
        if self.phase == "agenda":
            from mlsd.scoring import AgendaScore

            kept = self.agenda is not None and bool(self.agenda_text.strip())
            if not kept:
                self.agenda = AgendaScore(0.0, (), self.stage_ids)
                self.agenda_text = ""
            # else: came back with :back and skipped again: keep the earlier agenda and its score.
            self.agenda_draft = ""
            self.store.save_agenda(self.session_id, self.agenda_text, self.agenda.score, self.agenda.named)
            self.phase, self.pos, self._t0 = "answer", 0, None
            return [Skipped(None, kept=kept)]
        sid = self.stage_ids[self.pos]
        if self.phase == "follow_up":
            return self._submit_follow_up("")
        if self.phase == "twist":
            return self._skip_twist()
        st = self.stages[sid]
        st.seconds = self._elapsed(sid)
        if st.answer and not st.skipped:
            # Came back with :back and skipped again: keep the earlier answer (drop the draft).
            st.draft = ""
            self._save(sid)
            return [Skipped(sid, kept=True), *self._advance()]
        st.answer, st.skipped, st.result, st.draft = "", True, None, ""
        st.follow_up = st.follow_up_answer = None
        self._save(sid)
        return [Skipped(sid), *self._advance()]

    def _back(self) -> list[Event]:
        if self.phase == "agenda":
            return [WentBack(None)]
        sid = self.stage_ids[self.pos]
        if self._t0 is not None:
            self.stages[sid].seconds = self._elapsed(sid)
        self._t0 = None
        if self.phase in ("follow_up", "twist"):
            self.phase = "answer"  # re-answer this step
            return [WentBack(sid)]
        if self.pos == 0:
            self.phase = "agenda"
            return [WentBack(None)]
        self.pos -= 1
        return [WentBack(self.stage_ids[self.pos])]

    def _advance(self) -> list[Event]:
        self._t0 = None
        self.pos += 1
        self.phase = "answer"
        if self.pos >= len(self.stage_ids):
            return [self.finish()]
        return []

    def _save(self, sid: str) -> None:
        st = self.stages[sid]
        r = st.result
        self.store.save_answer(
            self.session_id, sid, answer=st.answer or "", score=r.score if r else 0.0,
            covered=r.covered if r else (), partial=r.partial if r else {},
            missed=r.missed if r else [p.id for p in _all_points(self.scenario, sid)],
            seconds=st.seconds, budget_seconds=self.budgets.get(sid), skipped=st.skipped,
            follow_up=st.follow_up, follow_up_answer=st.follow_up_answer,
        )

    # -- the end

    def finish(self) -> Scorecard:
        """Score the whole session, mark it finished and build the scorecard."""
        from mlsd.scoring import total_score

        self.phase, self.pos = "done", len(self.stage_ids)
        scores = {s: (self.stages[s].result.score if self.stages[s].result else 0.0) for s in self.stage_ids}
        total = total_score(scores)
        self.store.finish_session(self.session_id, total)
        return build_scorecard(
            self.scenario, self.session_id, total, self.agenda.score if self.agenda else None,
            {s: (self.stages[s].result, self.stages[s].seconds, self.stages[s].skipped) for s in self.stage_ids},
            self.budgets,
            answers={
                s: (self.stages[s].answer or "") + "\n" + (self.stages[s].follow_up_answer or "")
                for s in self.stage_ids
            },
            diagram=diagram_report(self.scenario, self.diagram, self.shown),
            twists=self._twist_lines(),
        )

    def _twist_lines(self) -> tuple[TwistLine, ...]:
        """The twists asked (a twist after a skipped step was never asked), in step order."""
        lines = []
        for sid, twist in self.twists.items():
            st, state = self.stages[sid], self.twist_state[twist.id]
            if not st.answer or st.skipped:
                continue
            lines.append(twist_line(self._told(twist), state.result, state.skipped or state.answer is None,
                                    state.seconds))
        return tuple(lines)


def twist_line(twist: Twist, result: StageScore | None, skipped: bool, seconds: float = 0.0) -> TwistLine:
    """The scorecard's line for a twist (skipped or not answered: 0, every point missed)."""
    if result is None:
        return TwistLine(twist.id, twist.step, twist.text, 0.0, True, (), {}, tuple(kp.id for kp in twist.key_points),
                         tuple(kp.point for kp in twist.key_points), {}, seconds)
    return TwistLine(twist.id, twist.step, twist.text, result.score, skipped, tuple(result.covered),
                     dict(result.partial), tuple(result.missed), tuple(p.point for p in result.missed_points()),
                     result.evidence, seconds)


def _lower_first(text: str) -> str:
    """"Translates the need" -> "translates the need" inside an English sentence; other
    languages (and a point that starts with an acronym, "AUC …") as written."""
    from mlsd.i18n import SOURCE_LANGUAGE, language

    if language() != SOURCE_LANGUAGE or not text or text[:2].isupper():
        return text
    return text[0].lower() + text[1:]


def _all_points(scenario: Scenario, sid: str) -> list[Any]:
    from mlsd.scoring import rubric

    own, generic = rubric(scenario, sid)
    return [*own, *generic]


def diagram_report(scenario: Scenario, diagram: Architecture | None,
                   shown: Scenario | None = None) -> dict[str, Any] | None:
    """The candidate's diagram as JSON-able data (`--json`'s "diagram"): its boxes and edges in
    the scenario format's shape, the typed text, and, when the scenario has an architecture,
    each reference component with the boxes that match it by name and those with none ("missing").
    Matching reads the English names; the components' labels are `shown`'s (the interface language)."""
    if diagram is None:
        return None
    from mlsd.content.diagram_notation import to_text

    out: dict[str, Any] = {"text": to_text(diagram), **diagram.to_dict(), "reference_components": None,
                           "missing": None}
    if scenario.architecture is not None:
        from mlsd.scoring.diagram import compare

        out.update(compare(scenario.architecture, diagram).to_dict(scenario.architecture))
        told = (shown or scenario).architecture or scenario.architecture
        labels = {c.id: c.label for c in told.components}
        if told is not scenario.architecture:  # a box may be named as the candidate reads it, too
            also = compare(told, diagram).drawn_as
            for c in out["reference_components"]:
                c["drawn_as"] += [b for b in also[c["id"]] if b not in c["drawn_as"]]
            out["missing"] = [c for c in out["missing"] if not also[c["id"]]]
        for key in ("reference_components", "missing"):
            out[key] = [{**c, "label": labels.get(c["id"], c["label"])} for c in out[key]]
    return out


def check_minutes(minutes: float) -> None:
    from mlsd.errors import check_range

    check_range("minutes", minutes, 0, 600, high_inclusive=True)


def render_command(scenario: Scenario, session_id: int) -> str:
    """The command that turns a saved session into a design doc (the user's file by path)."""
    # a scenario with no file (built in memory) has only its id to offer
    ref = str(scenario.source) if scenario.source is not None and not is_builtin(scenario) else scenario.id
    return f"mlsd render {ref} --session {session_id}"


def build_scorecard(
    scenario: Scenario,
    session_id: int,
    total: float,
    agenda_score: float | None,
    per_stage: Mapping[str, tuple[StageScore | None, float, bool]],
    budgets_: Mapping[str, float],
    answers: Mapping[str, str] | None = None,
    diagram: Mapping[str, Any] | None = None,
    twists: Sequence[TwistLine] = (),
) -> Scorecard:
    """The end-of-session summary: per step, the total, the three weakest steps to study,
    the evidence for each point and the level read-out (its text in the interface language);
    the twists (scored apart), the figures the answers stated (checked against the scenario's
    scale) and the pacing."""
    from mlsd.content.overlays import shown_step as step
    from mlsd.content.translations import localized
    from mlsd.practice.shown import shown_result, stage_points
    from mlsd.scoring.numbers import check_numbers
    from mlsd.scoring.pacing import pacing
    from mlsd.scoring.verdict import session_verdict, stage_verdict

    shown = localized(scenario)
    per_stage = {sid: (shown_result(r, stage_points(shown, sid)), s, k) for sid, (r, s, k) in per_stage.items()}
    lines = []
    for sid, (result, seconds, skipped) in per_stage.items():
        missed = tuple(p.point for p in result.missed_points() if not p.generic) if result else ()
        if result is None:
            missed = tuple(p.point for p in stage_points(shown, sid).values() if not p.id.startswith("generic-"))
        study = tuple(
            f"{p.point}" + (f" — {p.why}" if p.why else "")
            for p in (result.missed_points() if result else stage_points(shown, sid).values())
        )[:3]
        lines.append(
            StageLine(sid, step(sid).title, result.score if result else 0.0, round(seconds, 1),
                      budgets_.get(sid), skipped, missed, study)
        )
    below_full = [line for line in lines if line.score < 100.0]
    weakest = tuple(sorted(below_full, key=lambda line: (line.score, STAGE_IDS.index(line.stage)))[:3])
    answered = tuple(sid for sid, (result, _seconds, skipped) in per_stage.items() if result is not None and not skipped)
    answers = answers or {}
    results = {sid: r for sid, (r, _s, skipped) in per_stage.items() if r is not None and not skipped}
    verdicts = {sid: stage_verdict(r, answers.get(sid, "")) for sid, r in results.items()}
    overall = session_verdict(total, results, answers, tuple(per_stage))  # over the steps practised
    # Only the steps' answers: a twist changes the scale, so its figures would be checked against the old one.
    numbers = check_numbers(scenario, [(sid, answers.get(sid, "")) for sid in answered])
    pace = pacing({sid: (seconds, budgets_.get(sid), skipped) for sid, (_r, seconds, skipped) in per_stage.items()})
    return Scorecard(
        session_id, scenario.id, shown.title, total, agenda_score, tuple(lines),
        tuple(w.stage for w in weakest), render_command(scenario, session_id), answered,
        overall, verdicts, results, diagram, tuple(twists), numbers, pace,
    )


# ---------------------------------------------------------------- non-interactive


def read_answers(path: str, valid: Sequence[str], *, what: str, example: str) -> dict[str, str]:
    """A YAML mapping of id → answer text, checked against `valid` ids (shared with `drill`)."""
    from mlsd.content import yamlfile

    doc = yamlfile.load(path)
    return check_answers_mapping(doc, doc.data, valid, what=what, example=example)


# Whole sentences per kind of answers file (`what` of `check_answers_mapping`), so each
# language words "step" and "question" in its own order.
_ANSWERS_MESSAGES: dict[str, dict[str, str]] = {
    "step": {
        "empty": N_("must be a mapping of step id to answer text (e.g. `{example}`), got an empty file"),
        "mapping": N_("must be a mapping of step id to answer text (e.g. `{example}`), got {got}"),
        "unknown": N_("unknown step {key}{hint}; valid: {valid}"),
    },
    "question": {
        "empty": N_("must be a mapping of question id to answer text (e.g. `{example}`), got an empty file"),
        "mapping": N_("must be a mapping of question id to answer text (e.g. `{example}`), got {got}"),
        "unknown": N_("unknown question {key}{hint}; valid: {valid}"),
    },
}


def not_text(value: Any) -> str:
    """The problem with an answer that YAML did not read as text (shared by steps and twists)."""
    if value is None:
        return _("must be text, got nothing; quote it or use a `|` block")
    return _("must be text, got {kind}; quote it or use a `|` block").format(kind=type(value).__name__)


def check_answers_mapping(doc: Any, data: Any, valid: Sequence[str], *, what: str, example: str,
                          extra: Sequence[str] = ()) -> dict[str, str]:
    """`data` (read from `doc`) as id → answer text; `extra` are other keys the file may have, taken out
    before (named in the list of valid keys; a file with only those is not empty). `what` is "step" or
    "question" (the keys of `_ANSWERS_MESSAGES`)."""
    messages = _ANSWERS_MESSAGES[what]
    if not isinstance(data, dict) or (not data and not any(k in doc.lines for k in ((e,) for e in extra))):
        if not data:
            raise doc.error((), _(messages["empty"]).format(example=example))
        raise doc.error((), _(messages["mapping"]).format(example=example, got=type(data).__name__))
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in valid:
            raise doc.error((key,), _(messages["unknown"]).format(
                key=repr(key), hint=did_you_mean(key, [*valid, *extra]), valid=", ".join([*valid, *extra])))
        if not isinstance(value, str):
            raise doc.error((key,), not_text(value))
        out[key] = value
    return out


def run_answers(
    scenario: Scenario,
    store: Store,
    answers: Mapping[str, str],
    *,
    stages: Sequence[str] | None = None,
    seed: int = 0,
    minutes: float = DEFAULT_MINUTES,
    twists: Mapping[str, str] | None = None,
    minutes_spent: Mapping[str, float] | None = None,
) -> tuple[SavedSession, Scorecard]:
    """Score an answers file as one saved session (the steps in the file, or `stages`).

    The session practises only those steps (module docstring, "What the total
    covers"); a step of `stages` the file leaves out is skipped and counts 0.
    `twists` (twist id → answer) are asked after their steps; `minutes_spent` (step →
    minutes) records the time per step, against budgets from `minutes`, for the pacing
    read-out; without it the session is untimed and has no pacing.
    """
    if stages is None:
        stages = tuple(s for s in STAGE_IDS if s in answers)
        if not stages:
            raise BadInputError(_("--answers: the file answers no step; add at least one `step-id: text` entry"))
    twists = dict(twists or {})
    asked = [t.id for t in scenario.twists if t.id in twists and t.step in stages and answers.get(t.step, "").strip()]
    now = [0.0]
    engine = PracticeEngine.start(scenario, store, stages=stages, minutes=minutes, untimed=not minutes_spent,
                                  seed=seed, clock=lambda: now[0], mode="answers", twists=asked)
    if answers.get("diagram", "").strip():
        engine.add_diagram(answers["diagram"], replace=True)
    if "agenda" in answers:
        engine.submit(answers["agenda"])
    else:
        engine.command(":skip")
    scorecard: Scorecard | None = None
    for sid in stages:
        assert engine.current_stage == sid
        engine.prompt()  # starts the step's clock
        now[0] += 60.0 * (minutes_spent or {}).get(sid, 0.0)
        if answers.get(sid, "").strip():
            events = engine.submit(answers[sid])
            if engine.phase == "twist":
                events += engine.submit(twists[engine.twists[sid].id])
            else:
                events += engine.submit("")  # no follow-up answer
        else:  # named by --stages but not answered: skipped, counts 0
            events = engine.command(":skip")
        scorecard = next((e for e in events if isinstance(e, Scorecard)), scorecard)
    assert scorecard is not None
    return store.get_session(engine.session_id), scorecard


# ---------------------------------------------------------------- history and progress


@dataclass(frozen=True)
class StepProgress:
    stage: str
    sessions: int
    average: float
    last: float
    trend: float  # least-squares slope, points per session, over the last sessions
    history: tuple[tuple[int, str, float], ...] = ()  # (session id, started at, score), oldest first

    @property
    def trend_word(self) -> str:
        if self.sessions < 2 or abs(self.trend) < 2:
            return N_("steady")  # a value (--json); translated where it is shown
        return N_("improving") if self.trend > 0 else N_("declining")


@dataclass(frozen=True)
class ProgressReport:
    sessions: int
    steps: tuple[StepProgress, ...]
    weakest: tuple[str, ...]
    next_scenario: str | None
    next_reason: str
    drill_topics: dict[str, tuple[int, float]] = field(default_factory=dict)
    pacing: Any = None  # mlsd.scoring.pacing.PacingTrend over the latest timed sessions, or None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "stages": {
                s.stage: {"sessions": s.sessions, "average": s.average, "last": s.last,
                          "trend": s.trend, "trend_word": s.trend_word,
                          "history": [{"session": sid, "started_at": at, "score": sc} for sid, at, sc in s.history]}
                for s in self.steps
            },
            "weakest": list(self.weakest),
            "next_scenario": self.next_scenario,
            "next_reason": self.next_reason,
            "drill_topics": {t: {"answers": n, "average": a} for t, (n, a) in self.drill_topics.items()},
            "pacing": self.pacing.to_dict() if self.pacing is not None else None,
        }


def _slope(values: Sequence[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mx = (n - 1) / 2
    my = sum(values) / n
    num = sum((i - mx) * (v - my) for i, v in enumerate(values))
    den = sum((i - mx) ** 2 for i in range(n))
    return round(num / den, 2)


def progress_report(store: Store, scenarios: Sequence[Scenario] = (), *, window: int = 5) -> ProgressReport:
    """Per step: average and trend over the last `window` sessions; weakest steps; what next."""
    sessions = list(reversed(store.list_sessions()))  # oldest first
    per_stage: dict[str, list[tuple[int, str, float]]] = {}
    for s in sessions:
        for sid, a in s.answers.items():
            per_stage.setdefault(sid, []).append((s.id, s.started_at, a.score))
    steps = []
    for sid in STAGE_IDS:
        history = per_stage.get(sid)
        if not history:
            continue
        scores = [score for _, _, score in history]
        recent = scores[-window:]
        steps.append(StepProgress(sid, len(scores), round(sum(recent) / len(recent), 1), scores[-1], _slope(recent),
                                  tuple(history)))
    below_full = [s for s in steps if s.average < 100.0]
    weakest = tuple(s.stage for s in sorted(below_full, key=lambda s: (s.average, STAGE_IDS.index(s.stage)))[:3])
    next_id, reason = _next_scenario(sessions, scenarios, weakest)
    drill: dict[str, list[float]] = {}
    for d in store.drill_answers():
        drill.setdefault(d.topic, []).append(d.score)
    topics = {t: (len(v), round(sum(v[-window:]) / len(v[-window:]), 1)) for t, v in sorted(drill.items())}
    return ProgressReport(len(sessions), tuple(steps), weakest, next_id, reason, topics, _pacing_trend(sessions, window))


def _pacing_trend(sessions: Sequence[SavedSession], window: int) -> Any:
    """Time per step against its budget over the latest `window` sessions that recorded time."""
    from mlsd.scoring.pacing import pacing, pacing_trend

    paces = []
    for s in sessions:  # oldest first
        p = pacing({sid: (a.seconds, a.budget_seconds, a.skipped) for sid, a in s.answers.items()})
        if p is not None:
            paces.append(p)
    return pacing_trend(paces[-window:], STAGE_IDS)


def _next_scenario(sessions: Sequence[SavedSession], scenarios: Sequence[Scenario], weakest: Sequence[str]) -> tuple[str | None, str]:
    if not scenarios:
        return None, _("no scenarios found")
    practised: dict[str, list[float]] = {}
    for s in sessions:
        if s.finished and s.total_score is not None:
            practised.setdefault(s.scenario_id, []).append(s.total_score)

    def focus(sc: Scenario) -> float:  # rubric weight on the weakest steps
        return sum(kp.weight for sid in weakest if sc.stage(sid) for kp in sc.stages[sid].key_points)

    fresh = [sc for sc in scenarios if sc.id not in practised]
    if fresh:
        best = max(fresh, key=lambda sc: (focus(sc), -scenarios.index(sc)))
        if weakest:
            from mlsd.content.step_names import step_names

            return best.id, _("not practised yet, and it stresses your weakest steps ({steps})").format(
                steps=step_names(weakest))
        return best.id, _("not practised yet")
    best = min(scenarios, key=lambda sc: (practised[sc.id][-1], sc.id))
    return best.id, _("your lowest recent total ({score}/100)").format(score=f"{practised[best.id][-1]:.0f}")
