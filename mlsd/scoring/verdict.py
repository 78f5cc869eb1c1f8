"""A level read-out from the rubric: a hire-style signal and the level an answer reads as.

Guidance from the rubric, not a hiring decision. Read from what the answer covered:

- **signal** (strong no hire … strong hire) from the score, with the bands in `SIGNALS`;
- **level**: *junior* — correct parts; *senior* — end to end (most steps answered with
  their points) with trade-offs and failure modes; *staff* — senior, plus quantified at scale
  (numbers in most answers) and risks raised unprompted (failure modes in most steps).

Each read-out carries the reasons that drove it, in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlsd.i18n import N_, _, ngettext
from mlsd.scoring.stage import StageScore

GUIDANCE = N_("Guidance from the rubric, not a hiring decision.")
# The signal and the level are values (English in --json, translated where they are shown);
# the reasons and the note are sentences, in the interface language.
SIGNALS = ((85.0, N_("strong hire")), (70.0, N_("hire")), (50.0, N_("lean hire")), (30.0, N_("no hire")),
           (0.0, N_("strong no hire")))
LEVELS = (N_("staff"), N_("senior"), N_("junior"), N_("not shown"))
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|k\b|m\b|b\b|x\b|×|qps|gb|tb|mb|million|billion|thousand|per)|[~≈]\s*\d|\d[\d,.]*\s*[kmb万亿]", re.I)
_TRADEOFF = re.compile(
    r"trade-?off|\bvs\.?\b|versus|at the cost of|at a (?:higher|lower) cost|instead of|rather than|\bbut\b|"
    r"whereas|on the other hand|cheaper|costlier|slower|faster|simpler|权衡|代价|取舍|但是|而是", re.I)
_RISK = re.compile(
    r"risk|fail|failure|fallback|fall back|leak|drift|outage|degrad|skew|bias|rollback|roll back|"
    r"timeout|time out|guardrail|abuse|adversar|风险|降级|回滚|泄漏|漂移|兜底", re.I)


@dataclass(frozen=True)
class Verdict:
    """A signal and a level with the reasons behind them."""

    signal: str
    level: str
    reasons: tuple[str, ...]
    note: str = GUIDANCE

    def to_dict(self) -> dict:
        return {"signal": self.signal, "level": self.level, "reasons": list(self.reasons), "note": self.note}


def _steps(n: int) -> str:
    return ngettext("{n} step", "{n} steps", n).format(n=n)


def signal_for(score: float) -> str:
    return next(name for low, name in SIGNALS if score >= low)


def stage_verdict(result: StageScore, answer: str) -> Verdict:
    """One step: its signal from the score, its level from what the answer did."""
    own = [p for p in result.points if not p.generic]
    got = [p for p in own if p.credit >= 1]
    reasons = [_("{got} of {total} rubric points covered").format(got=len(got), total=len(own)) if own
               else _("scored on the framework items")]
    numbers, tradeoff, risk = bool(_NUMBER.search(answer)), bool(_TRADEOFF.search(answer)), bool(_RISK.search(answer))
    if numbers:
        reasons.append(_("quantified (numbers given)"))
    if tradeoff:
        reasons.append(_("names a trade-off"))
    if risk:
        reasons.append(_("raises a failure mode or risk"))
    if result.score >= 70 and numbers and tradeoff and risk:
        level = "staff"
    elif result.score >= 60 and (tradeoff or risk):
        level = "senior"
    elif result.score > 0:
        level = "junior"
    else:
        level = "not shown"
    return Verdict(signal_for(result.score), level, tuple(reasons), _(GUIDANCE))


def session_verdict(total: float, results: Mapping[str, StageScore], answers: Mapping[str, str],
                    all_steps: Sequence[str]) -> Verdict:
    """The whole interview: end to end, trade-offs, failure modes, numbers at scale."""
    answered = [s for s in all_steps if s in results and answers.get(s, "").strip()]
    strong = [s for s in answered if results[s].score >= 60]
    text = {s: answers.get(s, "") for s in answered}
    with_numbers = [s for s in answered if _NUMBER.search(text[s])]
    with_tradeoffs = [s for s in answered if _TRADEOFF.search(text[s])]
    with_risks = [s for s in answered if _RISK.search(text[s])]
    n = max(len(all_steps), 1)
    reasons = [
        (_("{strong} of {total} steps answered with most of their points") if n >= 10 else
         _("{strong} of {total} steps answered with most of their points (the steps practised in this session)")
         ).format(strong=len(strong), total=n),
        _("numbers in {steps}").format(steps=_steps(len(with_numbers))),
        _("trade-offs named in {steps}").format(steps=_steps(len(with_tradeoffs))),
        _("failure modes or risks raised in {steps}").format(steps=_steps(len(with_risks))),
    ]
    end_to_end = len(strong) >= 0.8 * n
    if end_to_end and len(with_numbers) >= 0.6 * n and len(with_risks) >= 0.6 * n and len(with_tradeoffs) >= 0.3 * n:
        level = "staff"
    elif end_to_end and (with_tradeoffs or with_risks):
        level = "senior"
    elif strong:
        level = "junior"
    else:
        level = "not shown"
    return Verdict(signal_for(total), level, tuple(reasons), _(GUIDANCE))
