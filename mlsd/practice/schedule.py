"""Spaced repetition for the drill: every question is an FSRS card.

The scheduler is the maintained `fsrs` package (Free Spaced Repetition Scheduler, MIT), not a
hand-written one. A drill score becomes a review rating:

    score ≥ 85 → Easy,  ≥ 65 → Good,  ≥ 40 → Hard,  below 40 (or skipped) → Again

mlsd asks a question at most once per sitting, so the scheduler runs without the minute-long
(re)learning steps and without fuzzing: intervals are whole days from the card's stability, and
the same answers at the same times give the same schedule. A card's state is saved with each
drill answer (`drill_cards` in the history database). Answers saved before the schedule existed
seed it: a question with answers but no card is replayed through the scheduler in answer order.

`mlsd drill` asks due cards first (most overdue first), then questions never drilled, then the
rest; `mlsd drill --due` says how many are due and when the next one is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlsd.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from fsrs import Card, Rating

    from mlsd.practice.drill import Bank, Question
    from mlsd.practice.store import Store

# (lowest score, rating name), highest band first; anything lower is "Again".
RATING_BANDS: tuple[tuple[float, str], ...] = ((85.0, "Easy"), (65.0, "Good"), (40.0, "Hard"))
RATING_NAMES = (N_("Again"), N_("Hard"), N_("Good"), N_("Easy"))  # fsrs's names; shown translated


def rating_name(score: float) -> str:
    """The FSRS rating a drill score stands for (see the module docstring)."""
    for low, name in RATING_BANDS:
        if score >= low:
            return name
    return "Again"


def _rating(score: float) -> Rating:
    from fsrs import Rating

    return Rating[rating_name(score)]


def _scheduler():  # -> fsrs.Scheduler
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _parse_time(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _card_id(question_id: str) -> int:
    """A stable card id per question (fsrs would otherwise use the clock)."""
    import zlib

    return zlib.crc32(question_id.encode("utf-8"))


@dataclass(frozen=True)
class CardState:
    """Where one question stands in the schedule."""

    question_id: str
    reviews: int
    due: datetime | None  # None: never drilled (a new card, available now)
    stability: float | None
    difficulty: float | None
    last_review: datetime | None
    card_json: str | None = None  # the fsrs card, as saved

    def is_due(self, now: datetime) -> bool:
        return self.due is None or self.due <= now

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question_id, "reviews": self.reviews,
            "due": self.due.isoformat(timespec="seconds") if self.due else None,
            "stability_days": None if self.stability is None else round(self.stability, 2),
            "difficulty": None if self.difficulty is None else round(self.difficulty, 2),
            "last_review": self.last_review.isoformat(timespec="seconds") if self.last_review else None,
        }


def _state(question_id: str, card: Card, reviews: int) -> CardState:
    return CardState(question_id, reviews, card.due, card.stability, card.difficulty, card.last_review,
                     json.dumps(card.to_dict(), sort_keys=True))


def review(previous: CardState | None, question_id: str, score: float, when: datetime) -> CardState:
    """The card after one more answer scoring `score` at `when`."""
    from fsrs import Card

    if previous is None or previous.card_json is None:
        card = Card(card_id=_card_id(question_id), due=when)
        reviews = 0
    else:
        card = Card.from_dict(json.loads(previous.card_json))
        reviews = previous.reviews
    card, _log = _scheduler().review_card(card, _rating(score), when)
    return _state(question_id, card, reviews + 1)


def replay(question_id: str, answers: Iterable[tuple[str, float]]) -> CardState | None:
    """A card rebuilt from (answered_at, score) answers, oldest first; None if there are none."""
    state: CardState | None = None
    for answered_at, score in answers:
        state = review(state, question_id, score, _parse_time(answered_at))
    return state


def load_states(store: Store, bank: Bank) -> dict[str, CardState]:
    """Every question's card: saved ones, else seeded from its earlier answers, else new."""
    from fsrs import Card

    saved = store.drill_cards()
    history: dict[str, list[tuple[str, float]]] = {}
    for a in store.drill_answers():
        history.setdefault(a.question_id, []).append((a.answered_at, a.score))
    out: dict[str, CardState] = {}
    for q in bank.questions:
        if q.id in saved:
            card_json, reviews = saved[q.id]
            out[q.id] = _state(q.id, Card.from_dict(json.loads(card_json)), reviews)
        else:
            out[q.id] = replay(q.id, history.get(q.id, ())) or CardState(q.id, 0, None, None, None, None)
    return out


def order(questions: Sequence[Question], states: Mapping[str, CardState], now: datetime) -> tuple[
        list[Question], list[Question], list[Question]]:
    """(due, new, later): due cards most overdue first, new ones in bank order, later ones soonest first."""
    due, new, later = [], [], []
    for q in questions:
        st = states[q.id]
        if st.due is None:
            new.append(q)
        elif st.due <= now:
            due.append(q)
        else:
            later.append(q)
    due.sort(key=lambda q: (states[q.id].due, q.id))
    later.sort(key=lambda q: (states[q.id].due, q.id))
    return due, new, later


@dataclass(frozen=True)
class DueReport:
    """What `mlsd drill --due` says."""

    now: datetime
    total: int
    due: tuple[CardState, ...]  # most overdue first
    new: int  # never drilled
    next_due: CardState | None  # the first card that is not due yet

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(timespec="seconds"),
            "questions": self.total,
            "due": len(self.due),
            "due_questions": [s.question_id for s in self.due],
            "new": self.new,
            "next_due": self.next_due.to_dict() if self.next_due else None,
        }


def due_report(states: Mapping[str, CardState], now: datetime) -> DueReport:
    reviewed = [s for s in states.values() if s.due is not None]
    due = sorted((s for s in reviewed if s.due <= now), key=lambda s: (s.due, s.question_id))
    later = sorted((s for s in reviewed if s.due > now), key=lambda s: (s.due, s.question_id))
    return DueReport(now, len(states), tuple(due), len(states) - len(reviewed), later[0] if later else None)


def until(when: datetime, now: datetime) -> str:
    """'in 3 days', 'in 5 hours', 'now' — how far away a due time is."""
    seconds = (when - now).total_seconds()
    if seconds <= 0:
        return _("now")
    if seconds >= 86_400:
        n = round(seconds / 86_400)
        return ngettext("in {n} day", "in {n} days", n).format(n=n)
    if seconds >= 3_600:
        n = round(seconds / 3_600)
        return ngettext("in {n} hour", "in {n} hours", n).format(n=n)
    if seconds >= 60:
        n = round(seconds / 60)
        return ngettext("in {n} minute", "in {n} minutes", n).format(n=n)
    return _("in under a minute")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
