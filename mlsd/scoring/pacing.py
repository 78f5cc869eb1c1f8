"""Pacing: time spent per step against its budget, and a one-line read of how the time went.

Interviews are lost on time as often as on content: forty minutes on data and features leaves
two for serving. The engine already records, per step, the seconds spent (answer and
follow-up or twist, across :back and --resume) and the budget (the interview's minutes split
by the framework's step weights). This module turns them into a table and a sentence:

    you spent 48 % of the interview on data and features (their budget: 24 %); serving got
    2:00 of its 4:30

An untimed session has no budgets; each step's share of the framework's weights, applied to
the time actually spent, stands in for one. A session without any recorded time (an
`--answers` file without `minutes:`) has no pacing: nothing is invented.

`pacing_trend` averages the same across sessions for `mlsd progress`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlsd.i18n import _

OVER = 1.25  # a step over this multiple of its budget is named as running long
UNDER = 0.5  # … under this multiple (or skipped), as starved
MIN_EXCESS_SHARE = 0.05  # and only when it took at least 5 points more of the interview than its share
MIN_READ_SECONDS = 60.0  # less time than this in all is too little to read anything into
MIN_HABIT_SESSIONS = 2  # across sessions, a step is read as a habit once timed in this many


@dataclass(frozen=True)
class StepPace:
    stage: str
    seconds: float
    budget_seconds: float  # the step's budget (timed) or its weight's share of the time spent (untimed)
    share: float  # of the time spent on all practised steps, 0..1
    budget_share: float  # the budget's share, 0..1
    skipped: bool = False

    @property
    def ratio(self) -> float:
        """Time spent over budget (1.0: on budget)."""
        return self.seconds / self.budget_seconds if self.budget_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 1), "budget_seconds": round(self.budget_seconds, 1),
                "share": round(self.share, 3), "budget_share": round(self.budget_share, 3),
                "of_budget": round(self.ratio, 2), "skipped": self.skipped}


@dataclass(frozen=True)
class Pacing:
    steps: tuple[StepPace, ...]
    total_seconds: float
    timed: bool  # budgets came from the interview's minutes (else: from the step weights)
    read: str

    def to_dict(self) -> dict[str, Any]:
        return {"total_seconds": round(self.total_seconds, 1), "timed": self.timed, "read": self.read,
                "stages": {s.stage: s.to_dict() for s in self.steps}}


def mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _names(ids: Sequence[str]) -> str:
    from mlsd.content.step_names import step_name, step_names

    if len(ids) == 1:
        return step_name(ids[0])
    return _("{first} and {last}").format(first=step_names(ids[:-1]), last=step_name(ids[-1]))


def pacing(per_step: Mapping[str, tuple[float, float | None, bool]]) -> Pacing | None:
    """Pacing of one session from step → (seconds, budget seconds or None, skipped); None without time."""
    from mlsd.content.framework import step

    total = sum(max(0.0, sec) for sec, _b, _s in per_step.values())
    if not per_step or total <= 0:
        return None
    timed = all(b is not None and b > 0 for _s, b, _k in per_step.values())
    if timed:
        budgets = {sid: float(b or 0.0) for sid, (_s, b, _k) in per_step.items()}
    else:
        weights = {sid: step(sid).weight for sid in per_step}
        w_total = sum(weights.values())
        budgets = {sid: total * w / w_total for sid, w in weights.items()}
    b_total = sum(budgets.values())
    steps = tuple(
        StepPace(sid, round(sec, 1), round(budgets[sid], 1), sec / total, budgets[sid] / b_total if b_total else 0.0,
                 skipped)
        for sid, (sec, _b, skipped) in per_step.items()
    )
    return Pacing(steps, round(total, 1), timed, _read(steps))


def _read(steps: Sequence[StepPace]) -> str:
    """Shares of the time actually spent against the budgets' shares, so a session that ended
    early still reads right: which steps took the time, which step went short."""
    def rel(s: StepPace) -> float:
        return s.share / s.budget_share if s.budget_share > 0 else 0.0

    over = sorted((s for s in steps if rel(s) > OVER and s.share - s.budget_share >= MIN_EXCESS_SHARE),
                  key=lambda s: s.budget_share - s.share)[:2]
    over_ids = {s.stage for s in over}
    under = sorted((s for s in steps if s.stage not in over_ids and (s.skipped or rel(s) < UNDER)),
                   key=lambda s: (not s.skipped, rel(s), -s.budget_seconds))
    parts = []
    if over:
        ordered = [s for s in steps if s.stage in over_ids]  # framework order
        parts.append(_("you spent {share} of the interview on {steps} (budget {budget})").format(
            share=_pct(sum(s.share for s in ordered)), steps=_names([s.stage for s in ordered]),
            budget=_pct(sum(s.budget_share for s in ordered))))
    if under:
        s = under[0]
        if s.skipped and s.seconds < 1:
            parts.append(_("{step} was skipped").format(step=_names([s.stage])))
        else:
            parts.append(_("{step} got {time} of its {budget}").format(step=_names([s.stage]), time=mmss(s.seconds),
                                                                       budget=mmss(s.budget_seconds)))
    if sum(s.seconds for s in steps) < MIN_READ_SECONDS:
        return _("under a minute recorded in all, too little to read the pacing")
    if not parts:
        return _("well paced: each step took about its share of the time")
    return _("; ").join(parts)


# ---------------------------------------------------------------- across sessions


@dataclass(frozen=True)
class StepPaceTrend:
    stage: str
    sessions: int
    average_seconds: float
    average_budget_seconds: float
    of_budget: float  # mean of seconds / budget over the sessions
    of_share: float  # mean of (share of the time spent) / (budget's share): 1.0 is on pace

    def to_dict(self) -> dict[str, Any]:
        return {"sessions": self.sessions, "average_seconds": self.average_seconds,
                "average_budget_seconds": self.average_budget_seconds, "of_budget": self.of_budget,
                "of_share": self.of_share}


@dataclass(frozen=True)
class PacingTrend:
    sessions: int  # sessions with recorded time, within the window
    steps: tuple[StepPaceTrend, ...]
    read: str

    def to_dict(self) -> dict[str, Any]:
        return {"sessions": self.sessions, "read": self.read, "stages": {s.stage: s.to_dict() for s in self.steps}}


def pacing_trend(paces: Sequence[Pacing], order: Sequence[str]) -> PacingTrend | None:
    """Per step, the average time against its budget over the given sessions' pacing (oldest first)."""
    if not paces:
        return None
    per: dict[str, list[StepPace]] = {}
    for p in paces:
        for s in p.steps:
            per.setdefault(s.stage, []).append(s)
    steps = []
    for sid in order:
        rows = per.get(sid)
        if not rows:
            continue
        steps.append(StepPaceTrend(
            sid, len(rows), round(sum(r.seconds for r in rows) / len(rows), 1),
            round(sum(r.budget_seconds for r in rows) / len(rows), 1),
            round(sum(r.ratio for r in rows) / len(rows), 2),
            round(sum(r.share / r.budget_share for r in rows if r.budget_share > 0) / len(rows), 2),
        ))
    # Shares of the time actually spent, as in a session's read: sessions that end early still count.
    # "Usually" needs a habit: a step timed in one session only says nothing about it yet.
    seen = [s for s in steps if s.sessions >= MIN_HABIT_SESSIONS]
    long = [s for s in seen if s.of_share > OVER]
    short = [s for s in seen if s.of_share < UNDER]
    parts = []
    if long:
        worst = max(long, key=lambda s: s.of_share)
        parts.append(_("you usually run long on {step} ({share} of its share of your time)").format(
            step=_names([worst.stage]), share=f"{worst.of_share * 100:.0f} %"))
    if short:
        worst = min(short, key=lambda s: s.of_share)
        parts.append(_("{step} usually gets {share} of its share").format(step=_names([worst.stage]),
                                                                          share=f"{worst.of_share * 100:.0f} %"))
    read = (_("; ").join(parts) if parts else
            _("your time per step stays close to its share of the interview") if seen else
            _("each step is timed in one session so far: practise again to see a habit"))
    return PacingTrend(len(paces), tuple(steps), read)
