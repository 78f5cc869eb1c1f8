"""Your numbers checked: figures an answer states, compared with the scenario's back-of-envelope.

An interviewer checks a candidate's arithmetic: "300M DAU × 20 feed loads ÷ 86,400 s is 69k
QPS on average, not 2k". This module finds the figures an answer states — QPS, requests per
day, DAU, storage per day or year, embedding memory, servers, bandwidth, the p99 budget,
users per A/B arm, experiment days — with their units (k/M/B, thousand/million/billion,
万/亿, TB/PB/GB, ms, "per arm", days/weeks, ranges like "50-70k"), and compares each with
what `mlsd.sims.estimate` derives from the scenario's `scale`, or with the A/B planner
(`mlsd.sims.abtest.planning.plan`) when the same answer gives a baseline rate and an MDE.

Rules, in order of importance:
- A figure is checked only when its clause says clearly what it is: a unit (QPS, TB/day,
  "users per arm"), or a name right before it ("peak QPS of 208k", "DAU is 300M"). A number
  it cannot attribute is left alone, never flagged: "500 QPS per server" is an assumption,
  "8 parameter servers" is not the serving fleet, "ranking takes 60 ms" is one hop of the
  budget, not the budget.
- A figure is checked only against numbers the scenario states (or derives from what it
  states): a QPS needs the scenario's DAU and requests per user, never the estimator's
  defaults.
- Within a factor of 2 counts as right: a back-of-envelope is an order-of-magnitude skill.
  A range counts as right when it overlaps [truth / 2, truth × 2].
- A QPS with neither "peak" nor "average" next to it is right when it is within 2× of either.
  Stated experiment days are right when they are at least what the sample needs (a longer
  test that covers novelty and weekly cycles is good practice); only a too-short test is off.
Each check carries the arithmetic, so the feedback shows how the right number comes out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mlsd.i18n import _, ngettext, space

if TYPE_CHECKING:
    from mlsd.content.scenario import Scenario
    from mlsd.sims.estimate import EstimateResult

RIGHT_WITHIN = 2.0  # stated / derived within this factor (either way) counts as right

# ---------------------------------------------------------------- numbers as written

_MULTIPLIERS: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "千": 1e3,
    "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6, "百万": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
    "t": 1e12, "trillion": 1e12,
    "万": 1e4, "十万": 1e5, "千万": 1e7, "亿": 1e8,
}
_WORD_NUMBERS: dict[str, float] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
    "a hundred": 100, "a few hundred": 300, "several hundred": 300, "hundreds of": 300,
}
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_WORDS = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
# "k"/"M"/"B"/"T" count only when no lowercase letter follows ("5ms" is not 5 million seconds)
_MULT = (r"(?:thousand|million|billion|trillion|mln|bn|mn|千万|百万|十万|万|亿|千"
         r"|[kK](?![a-z])|M(?![a-zB])|[bB](?![a-zB/])|T(?![a-zB]))")
_NUMBER_RE = re.compile(
    rf"(?P<approx>~|≈|\babout\s+|\baround\s+|\broughly\s+|\bapproximately\s+|\bapprox\.?\s+|\bnearly\s+"
    rf"|\balmost\s+|\bsome\s+|\bunder\s+|\bbelow\s+|\bwithin\s+|\bover\s+|\bat least\s+|\bat most\s+|约|大约|大概|左右)?"
    rf"(?P<a>(?<![A-Za-z0-9_.])(?:{_DIGITS})|\b(?:{_WORDS})\b)\s*(?P<am>{_MULT})?"
    rf"(?:\s*(?:-|–|—|to|~|至|到)\s*(?P<b>(?<![A-Za-z0-9_.])(?:{_DIGITS}))\s*(?P<bm>{_MULT})?)?",
    re.IGNORECASE,
)


_TIME_UNIT = re.compile(r"\s*(?:days?|weeks?)\b", re.I)


def _literal(text: str) -> float:
    key = text.lower().strip()
    if key in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[key])
    return float(key.replace(",", ""))


def _multiplier(text: str | None) -> float:
    return _MULTIPLIERS.get(text.lower(), 1.0) if text else 1.0


@dataclass(frozen=True)
class Mention:
    """A number as written in an answer: its value (a range when low < high) and where it stands."""

    low: float
    high: float
    start: int  # in the clause
    end: int
    written: str  # the number as the answer wrote it, e.g. "~2k", "50-70k", "3亿"
    word_number: bool  # "two", "seventy" … (only trusted with a multiplier or a time unit)


def find_numbers(clause: str) -> list[Mention]:
    """Every number in a clause, with k/M/B, thousand/million, 万/亿 and ranges ("50-70k") applied."""
    out = []
    for m in _NUMBER_RE.finditer(clause):
        a_text, am, b_text, bm = m.group("a"), m.group("am"), m.group("b"), m.group("bm")
        word = not a_text[0].isdigit()
        article = a_text.lower() in ("a", "an")
        if word and not (am or (not article and _TIME_UNIT.match(clause, m.end()))):
            continue  # "one server", "a day": words count only as "seventy thousand", "two weeks"
        try:
            a = _literal(a_text)
            b = _literal(b_text) if b_text else None
        except ValueError:
            continue
        if b is not None:
            mult_b = _multiplier(bm)
            mult_a = _multiplier(am) if am else mult_b  # "50-70k": the k is shared
            low, high = a * mult_a, b * mult_b
            if high < low:  # "5-2" is not a range; keep the first number alone
                low = high = a * _multiplier(am)
        else:
            low = high = a * _multiplier(am)
        if not math.isfinite(low) or not math.isfinite(high):
            continue
        start = m.start("a") if not m.group("approx") else m.start()
        out.append(Mention(low, high, start, m.end(), clause[start:m.end()].strip(), word))
    return out


# ---------------------------------------------------------------- what a number is

_CLAUSE_RE = re.compile(r"(?<!\d)[.](?!\d)|[;!?。；！？\n]+")

# Each kind: a unit right after the number, or a name right before it.
_QPS_AFTER = re.compile(
    r"\s*(?:(?P<q1>peak|average|avg|mean)\s+)?(?:qps|rps|tps|queries per second|quer(?:y|ies)/s(?:ec)?|"
    r"req(?:uest)?s?\s*(?:/|per|a|each)\s*s(?:ec(?:ond)?)?\b|requests?/s\b|/s\b|per second\b|a second\b|每秒)",
    re.I)
_QPS_BEFORE = re.compile(
    r"(?:(?:peak|average|avg|峰值|平均)\s*)?(?:qps|rps|queries per second|requests per second|每秒请求数?)(?:\s+(?:at|the|in|during|peak|average|avg|on|"
    r"will|would|be|should|is|of|around|about|roughly))*\s*(?:is|of|=|:|≈|~|at|reaches|约|大约|达到|在)?"
    r"\s*(?:about|around|roughly|approximately|~|≈)?\s*$", re.I)
_PEAK = re.compile(r"peak|峰值|高峰|busiest", re.I)
_AVERAGE = re.compile(r"average|avg|\bmean\b|平均|日均", re.I)
_QUALIFIER_AFTER = re.compile(r"\s*(?:,\s*)?(?:(?P<peak>at (?:the )?peak|during (?:the )?peak|in (?:the )?peak|at busy hours|峰值)"
                              r"|(?P<avg>on average|in average|average|on avg|avg|平均))\b", re.I)
_QUALIFIER_BEFORE = re.compile(r"(?P<peak>peak|峰值|高峰)|(?P<avg>average|avg|mean|平均|日均)", re.I)
_PER_SERVER = re.compile(r"\s*(?:qps|rps)?\s*(?:per|/|each|a|on one|on a single)[- ]?(?:server|machine|host|node|"
                         r"replica|instance|gpu|core|pod|box|shard)\b|单机|每台", re.I)
_PER_SERVER_BEFORE = re.compile(r"(?:per[- ]server|each server|a single server|a server|per[- ]machine|"
                                r"per[- ]host|per[- ]gpu|per[- ]node|per[- ]instance|per[- ]replica|单机|每台|"
                                r"\b(?:one|a single|each)\s+(?:[a-z0-9-]+\s+)?(?:gpu|a100|h100|l4|t4|v100|server|machine|"
                                r"host|node|replica|instance|box|pod|worker))[^0-9]*$", re.I)
_AT_CAPACITY = re.compile(r"\s*\W*(?:at full load|at 100 ?% (?:utili[sz]ation|load)|at saturation|per (?:gpu|a100|h100))",
                          re.I)

_BANDWIDTH_AFTER = re.compile(r"\s*(?P<p>[kmgtp])(?P<b>b|B|bit|bits|byte|bytes)\s*(?:/\s*s(?:ec)?\b|ps\b|per second)", re.I)
_BYTES_AFTER = re.compile(r"\s*(?:(?P<p>[KkMmGgTtPpEe])i?B(?![A-Za-z0-9])|(?P<w>kilo|mega|giga|tera|peta|exa)bytes?\b|bytes?\b)")
_BYTE_PREFIX = {"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15, "e": 1e18,
                "kilo": 1e3, "mega": 1e6, "giga": 1e9, "tera": 1e12, "peta": 1e15, "exa": 1e18}
_PER_DAY_AFTER = re.compile(r"\s*(?:of \w+(?: \w+)?\s+)?(?:/\s*(?:day|d)\b|per day|a day|each day|every day|daily|/天|每天|一天)", re.I)
_PER_YEAR_AFTER = re.compile(r"\s*(?:of \w+(?: \w+)?\s+)?(?:/\s*(?:year|yr|y)\b|per year|a year|each year|every year|"
                             r"annually|yearly|/年|每年|一年)", re.I)
_PER_DAY_BEFORE = re.compile(r"(?:per day|daily|a day|each day|every day)\b|每天|每日|一天", re.I)
_PER_YEAR_BEFORE = re.compile(r"(?:per year|a year|each year|every year|yearly|annually|每年|一年)", re.I)

_SERVER_NOUN = re.compile(r"\s*(?:(?:ranking|serving|model|inference|web|api|application|app|ranker|cpu|"
                          r"front-?end|stateless|prediction|scoring)\s+){0,2}(?:servers|machines|hosts|instances|"
                          r"台(?:服务器|机器))(?!\s*(?:handles?|can|sustains?|serves?|does)\b)", re.I)
_NOT_THE_FLEET = re.compile(r"shard|parameter server|embedding|kafka|redis|database|\bdb\b|cache|feature store|"
                            r"storage|cluster of|replica|spare|standby|backup", re.I)

_DAU_AFTER = re.compile(r"\s*(?:daily active users|dau\b|daily users|daily actives|active users (?:a|per|each) day|"
                        r"日活(?:用户)?)", re.I)
_DAU_BEFORE = re.compile(r"(?:\bdau|daily active users|daily users|日活(?:跃用户)?(?:数)?)\s*(?:is|of|=|:|≈|~|at|约|大约|有|达到)?"
                         r"\s*(?:about|around|roughly|approximately|~|≈)?\s*$", re.I)
_REQUEST_NOUN = (r"(?:requests?|queries|feed loads|feed requests|page loads|loads|searches|calls|refreshes|feed refreshes|"
                 r"questions|prompts|chat requests|请求)")
_PER_USER_AFTER = re.compile(rf"\s*(?:\w+\s+){{0,2}}?{_REQUEST_NOUN}\s*(?:/|per|a|each|every)\s*(?:user|dau|active user|person)", re.I)
_PER_DAY_REQUESTS_AFTER = re.compile(rf"\s*(?:\w+\s+){{0,2}}?{_REQUEST_NOUN}\s*(?:/\s*day\b|per day|a day|each day|"
                                     rf"every day|daily|/天)", re.I)
_REQUESTS_DAY_BEFORE = re.compile(r"(?:requests|queries|questions|feed loads) (?:per|a) day\s*(?:is|of|=|:|≈|~|at)?\s*"
                                  r"(?:about|around|roughly|approximately|~|≈)?\s*$|每天请求(?:数|量)?\s*(?:约|大约|有)?\s*$", re.I)

# A per-user rate said around a daily count: "each sending 10 requests a day", "10 questions a day each",
# "asking 5 questions each" is requests per user, not the day's total.
_EACH_BEFORE = re.compile(r"\b(?:each|every (?:user|employee|person|one))\b(?:\s+[a-z-]+){0,3}\s*$", re.I)
_EACH_AFTER = re.compile(r"\s*(?:each|apiece|per (?:user|person|employee|head|dau)|for each user|a head)\b", re.I)
_PER_USER_EACH_AFTER = re.compile(rf"\s*(?:\w+\s+){{0,2}}?{_REQUEST_NOUN}\s+(?:each|apiece)\b", re.I)
# LLM tokens a day: "200M tokens per day", "30B prompt tokens a day", "6B output tokens/day".
_TOKENS_DAY_AFTER = re.compile(r"\s*(?:(?P<which>prompt|input|context|output|generated|completion|total)\s+)?tokens?"
                               r"\s*(?:/\s*day\b|per day\b|a day\b|each day\b|every day\b|daily\b)", re.I)

_MS_AFTER = re.compile(r"\s*(?:ms|msec|milliseconds?|毫秒)\b", re.I)
_LATENCY_WORD = r"(?:p99|p95|p999|tail latency|latency budget|latency|budget|end[- ]to[- ]end|e2e|sla|slo|延迟预算|端到端|尾延迟|延迟)"
_LATENCY_BEFORE = re.compile(rf"{_LATENCY_WORD}(?:\s+(?:latency|budget|target|of|is|under|below|within|at|must|should|"
                             rf"be|stay|stays|kept|around|about|roughly|less|than|no|more))*\s*(?:[:=<≤~≈]|不超过|低于|小于)?"
                             rf"\s*$", re.I)
_LATENCY_AFTER = re.compile(r"\s*(?:at\s+)?(?:p99|p95|p999|end[- ]to[- ]end|e2e|latency budget|budget|sla|slo|端到端)\b", re.I)
_SLICE = re.compile(r"\s*(?:per|for the|for each|for|of the|on the)\s+(?:request|candidate|model|hop|stage|call|item|"
                    r"inference|ranker|lookup|query)", re.I)
_OTHER_LATENCY = re.compile(r"inter[- ]token|\bitl\b|\btpot\b|time to first token|\bttft\b|first token|per token|"
                            r"per output token|per hop|per stage", re.I)
LATENCY_STEPS = ("requirements", "serving")  # where the whole request's budget is stated; elsewhere it is a slice
_PER_UNIT = re.compile(r"\s*(?:/|per|a|each|for each)\s*(?:vector|row|example|event|user|item|request|record|id|entity|"
                       r"impression|value|dim|dimension|post|listing|ad|embedding|document|image|video|key)\b", re.I)
_OTHER_TRAFFIC = re.compile(r"\d[\d,.]*\s*(?:k|m|b|thousand|million|billion)?\s+(?!requests|queries|feed|page|loads|"
                            r"searches|calls|refreshes|daily|active|users|questions|prompts|chat|tokens|input|output)[a-z-]+(?:\s+[a-z-]+)?\s+(?:a|per|each)\s+day",
                            re.I)

_PER_ARM_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}?(?:per|in each|each|for each|/)\s*(?:arm|variant|group|bucket|cell)\b|"
                            r"\s*(?:users?|samples?)?\s*每组", re.I)
_DAYS_AFTER = re.compile(r"\s*(?P<unit>days?|weeks?|天|周)\b", re.I)
_TEST_WORDS = re.compile(r"\btest|experiment|a/b|\bab\b|实验", re.I)
_NOT_TEST_DAYS = re.compile(r"\s*(?:days?|weeks?)\s+(?:of (?:data|logs|history|impressions|labels)|window|retention|"
                            r"holdout|delay|late)|attribution|retention|window|label|retrain", re.I)

# A/B plan inputs stated in the same answer
_PCT = r"(\d+(?:\.\d+)?)\s*%"
_BASELINE_RE = re.compile(rf"baseline(?:\s+[\w-]+){{0,3}}?\s*(?:of|is|=|:|at|≈|~|around|about|rate of)?\s*{_PCT}|"
                          rf"{_PCT}\s*(?:baseline|base rate)", re.I)
_MDE_RE = re.compile(r"(?:\bmde|minimum detectable effect|detect(?:ing)?(?:\s+(?:a|an))?)\s*(?:of|is|=|:|≈|~|around|"
                     r"about)?\s*\+?(\d+(?:\.\d+)?)\s*(?P<unit>%|pp\b|percentage points?|points?)", re.I)
_ALPHA_RE = re.compile(r"(?:α|alpha|significance(?: level)?)\s*(?:of|=|is|:|at)?\s*(0?\.\d+|\d+(?:\.\d+)?\s*%)", re.I)
_POWER_RE = re.compile(r"power\s*(?:of|=|is|:|at)?\s*(0?\.\d+|\d+(?:\.\d+)?\s*%)|(\d+(?:\.\d+)?)\s*%\s*(?:statistical\s+)?power",
                       re.I)
_TRAFFIC_RE = re.compile(r"(?P<n>(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:thousand|million|billion|[kKmMbB])?)\s*"
                         r"(?:users|visitors|people)\s*(?:a|per|each)\s*day", re.I)


def split_clauses(text: str) -> list[str]:
    """Sentences and semicolon clauses (a decimal point never ends one)."""
    return [c for c in _CLAUSE_RE.split(text) if c.strip()]


# ---------------------------------------------------------------- checks


@dataclass(frozen=True)
class NumberCheck:
    """One stated figure against the derived one."""

    step: str
    kind: str  # "QPS", "storage per day", … (what the figure was read as)
    said: str  # as written, e.g. "~2k QPS"
    low: float
    high: float
    expected: float
    expected_shown: str  # e.g. "69,444 QPS average"
    ratio: float  # how far off (≥ 1; 1 means inside the range)
    right: bool
    arithmetic: str
    sentence: str
    note: str = ""

    @property
    def message(self) -> str:
        """'You said ~2k QPS. <arithmetic> — off by 35×.' / 'You said ~70k QPS: right …'."""
        note = space() + self.note if self.note else ""
        if self.right:
            return _("You said {said}: right ({arithmetic}).").format(said=self.said, arithmetic=self.arithmetic) + note
        arithmetic = self.arithmetic[:1].upper() + self.arithmetic[1:]  # it starts a sentence here
        return _("You said {said}. {arithmetic} — off by {ratio}.").format(
            said=self.said, arithmetic=arithmetic, ratio=_ratio_text(self.ratio)) + note

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "kind": self.kind, "said": self.said, "low": self.low, "high": self.high,
                "expected": self.expected, "expected_shown": self.expected_shown, "ratio": round(self.ratio, 2),
                "right": self.right, "arithmetic": self.arithmetic, "sentence": self.sentence,
                "message": self.message}


def _ratio_text(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def off_by(low: float, high: float, truth: float) -> float:
    """How far a stated value (or range) is from the truth, as a factor ≥ 1 (1: inside the range)."""
    if truth <= 0 or high <= 0:
        return math.inf
    if low <= truth <= high:
        return 1.0
    near = low if truth < low else high
    if near <= 0:
        return math.inf
    return max(near / truth, truth / near)


@dataclass(frozen=True)
class _Target:
    """A derived figure a stated number may be compared with."""

    value: float
    shown: str
    arithmetic: str


@dataclass(frozen=True)
class _Read:
    """A mention attributed to a quantity: the kind, the text quoted and the qualifier."""

    kind: str
    said: str
    scale: float = 1.0  # multiply the stated value by this (bytes, ×8 for bytes/s …)
    qualifier: str = ""  # "peak" / "average" for QPS; "day" / "year" for storage; "feature"/"log"


def _classify(clause: str, m: Mention, prev_end: int, next_start: int) -> _Read | None:
    """What the number at `m` is, from its unit or the name right before it; None when unclear."""
    after = clause[m.end:next_start]
    before = clause[prev_end:m.start]
    before_near = before[-40:]

    def quote(match: re.Match[str] | int) -> str:
        """The number and its unit as written (`match` ends the unit; an int is an offset into `after`)."""
        end = m.end + (match if isinstance(match, int) else match.end())
        return clause[m.start:end].strip()

    if (bw := _BANDWIDTH_AFTER.match(after)) is not None:
        is_bits = bw.group("b") in ("b", "bit", "bits") or bw.group("b").lower() in ("bit", "bits")
        factor = _BYTE_PREFIX[bw.group("p").lower()] / (8.0 if is_bits else 1.0)
        return _Read("bandwidth", quote(bw), factor, _direction(clause))
    if (by := _BYTES_AFTER.match(after)) is not None:
        prefix = (by.group("p") or by.group("w") or "").lower()
        factor = _BYTE_PREFIX.get(prefix, 1.0)
        rest = after[by.end():]
        if _PER_UNIT.match(rest):
            return None  # "64 bytes per vector": a size per row, not a total
        if _mentions(clause, r"sampl|采样"):
            return None  # a sampled volume: the scale says nothing about the sampling rate
        if (d := _PER_DAY_AFTER.match(rest)) is not None:
            return _Read("storage per day", quote(by.end() + d.end()), factor, _subject(clause))
        if (y := _PER_YEAR_AFTER.match(rest)) is not None:
            return _Read("storage per year", quote(by.end() + y.end()), factor, _subject(clause))
        local = before_near + " " + rest[:25]  # the words around this number, not the whole clause
        if re.search(r"embedding|嵌入|向量表", local, re.I):
            return _Read("embedding memory", quote(by), factor)
        if re.search(r"feature store|特征(?:仓库|存储)", local, re.I):
            return _Read("feature store size", quote(by), factor)
        if _PER_DAY_BEFORE.search(before_near[-25:]) and not re.search(r"\band\b|,|;", _after_match(
                _PER_DAY_BEFORE, before_near[-25:])):
            return _Read("storage per day", quote(by), factor, _subject(clause))
        if _PER_YEAR_BEFORE.search(before_near[-25:]) and not re.search(r"\band\b|,|;", _after_match(
                _PER_YEAR_BEFORE, before_near[-25:])):
            return _Read("storage per year", quote(by), factor, _subject(clause))
        return None
    if (q := _QPS_AFTER.match(after)) is not None:
        if _PER_SERVER.match(after[q.end():]) or _PER_SERVER_BEFORE.search(before_near) or \
                _AT_CAPACITY.match(after[q.end():]):
            return None  # one machine's throughput: an assumption, not a derived figure
        if _mentions(clause, _OTHER_TRAFFIC.pattern):
            return None  # derived from another base ("20k cancel-page visits a day, ~1 QPS")
        qualifier = _qps_qualifier(q.group("q1"), after[q.end():], before_near)
        return _Read("QPS", quote(q), 1.0, qualifier)
    if (s := _SERVER_NOUN.match(after)) is not None:
        if _NOT_THE_FLEET.search(before) or _NOT_THE_FLEET.search(after[s.end():s.end() + 30]):
            return None
        return _Read("servers", quote(s))
    if (u := _PER_USER_AFTER.match(after)) is not None:
        tail = re.match(r"\s*(?:per|a|each|/)\s*day\b|\s*daily", after[u.end():], re.I)
        return _Read("requests per user per day", quote(u.end() + (tail.end() if tail else 0)))
    if (rd := _PER_DAY_REQUESTS_AFTER.match(after)) is not None:
        each = _EACH_AFTER.match(after[rd.end():])
        if each is not None or _EACH_BEFORE.search(before_near):
            return _Read("requests per user per day", quote(rd.end() + (each.end() if each else 0)))
        return _Read("requests per day", quote(rd))
    if (ue := _PER_USER_EACH_AFTER.match(after)) is not None:
        return _Read("requests per user per day", quote(ue))
    if (tk := _TOKENS_DAY_AFTER.match(after)) is not None:
        which = (tk.group("which") or "").lower()
        qualifier = ("prompt" if which in ("prompt", "input", "context") else
                     "output" if which in ("output", "generated", "completion") else "total" if which else "")
        return _Read("tokens per day", quote(tk), 1.0, qualifier)
    if (d := _DAU_AFTER.match(after)) is not None:
        return _Read("DAU", quote(d))
    if (ms := _MS_AFTER.match(after)) is not None:
        # The whole request's budget only: named right beside the number, the only time in its clause
        # ("p99 under 200 ms", "200 ms end to end"); "ranking takes 60 ms" is one hop of it.
        named = _LATENCY_BEFORE.search(before_near) or _LATENCY_AFTER.match(after[ms.end():])
        if _SLICE.match(after[ms.end():]) or _mentions(clause, _OTHER_LATENCY.pattern):
            return None  # "5 ms per request on CPU inference", "inter-token latency ≤ 50 ms": another latency
        if named and _ms_count(clause) == 1:
            return _Read("p99 latency budget", quote(ms))
        return None
    if (a := _PER_ARM_AFTER.match(after)) is not None:
        return _Read("sample size per arm", quote(a))
    if (dd := _DAYS_AFTER.match(after)) is not None:
        if not _mentions(clause, _TEST_WORDS.pattern) or _NOT_TEST_DAYS.search(after) or _NOT_TEST_DAYS.search(before_near):
            return None
        factor = 7.0 if dd.group("unit").lower().startswith(("week", "周")) else 1.0
        return _Read("experiment days", quote(dd), factor)
    # A name right before the number ("peak QPS of 208k", "DAU is 300M", "日活3亿"), when no unit follows it.
    if _QPS_BEFORE.search(before_near) and not _unit_follows(after):
        if _PER_SERVER_BEFORE.search(before_near) or _PER_SERVER.match(after) or _mentions(clause, _OTHER_TRAFFIC.pattern):
            return None
        qualifier = _qps_qualifier(None, after, before_near)
        name = _QPS_BEFORE.search(before_near)
        said = (before_near[name.start():] + clause[m.start:m.end]).strip() if name else m.written
        return _Read("QPS", said, 1.0, qualifier)
    if _REQUESTS_DAY_BEFORE.search(before_near) and not _unit_follows(after):
        return _Read("requests per day", m.written)
    if _DAU_BEFORE.search(before_near) and not _unit_follows(after):
        name = _DAU_BEFORE.search(before_near)
        return _Read("DAU", (before_near[name.start():] + clause[m.start:m.end]).strip() if name else m.written)
    return None


@lru_cache(maxsize=256)
def _ms_count(clause: str) -> int:
    """Durations in milliseconds in a clause: a latency budget is named alone, not in a breakdown."""
    return len(re.findall(r"\d\s*(?:ms|msec|milliseconds?|毫秒)\b", clause, re.I))


@lru_cache(maxsize=256)
def _mentions(clause: str, pattern: str) -> bool:
    """Whether a clause has `pattern` anywhere (cached: a clause with many numbers is searched once)."""
    return re.search(pattern, clause, re.I) is not None


def _after_match(pattern: re.Pattern[str], text: str) -> str:
    """The text after the last match of `pattern` in `text` ("" when none)."""
    found = list(pattern.finditer(text))
    return text[found[-1].end():] if found else ""


def _unit_follows(after: str) -> bool:
    """True when the number carries a unit of its own ("DAU is 300M users"… is fine; "QPS: 5 ms" is not)."""
    return bool(re.match(r"\s*(?:%|ms\b|s\b|seconds?|minutes?|hours?|days?|weeks?|[kmgtp]?b\b|x\b|×)", after, re.I))


def _qps_qualifier(inline: str | None, after_unit: str, before_near: str) -> str:
    if inline:
        return "peak" if _PEAK.match(inline) else "average"
    if (q := _QUALIFIER_AFTER.match(after_unit)) is not None:
        return "peak" if q.group("peak") else "average"
    tail = re.search(r"(?:peak|峰值|高峰|average|avg|mean|平均|日均)\W*(?:qps|rps)?\W*(?:of|is|at|=|≈|:|~|about|around|"
                     r"roughly|约|大约|达到)?\W*$", before_near, re.I)
    if tail is not None:
        q = _QUALIFIER_BEFORE.search(tail.group(0))
        if q is not None:
            return "peak" if q.group("peak") else "average"
    return ""


@lru_cache(maxsize=256)
def _direction(clause: str) -> str:
    """'egress' (responses to clients) or 'ingest' (logs coming in), when the clause says which."""
    low = clause.lower()
    egress = bool(re.search(r"egress|response|outbound|to (?:the )?clients?|serving|出口", low))
    ingest = bool(re.search(r"ingest|\blog|inbound|kafka|event|入口|日志", low))
    return "egress" if egress and not ingest else "ingest" if ingest and not egress else ""


@lru_cache(maxsize=256)
def _subject(clause: str) -> str:
    low = clause.lower()
    feature = bool(re.search(r"feature|特征", low))
    log = bool(re.search(r"\blog|impression|event|日志", low))
    return "feature" if feature and not log else "log" if log and not feature else ""


# ---------------------------------------------------------------- targets from the scenario


def _fmt(value: float) -> str:
    """300000000 -> '300,000,000'; 0.5 -> '0.5' (as `mlsd estimate` writes its inputs)."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _bytes_text(n: float) -> str:
    """Decimal units, 3 significant digits: 1.35e14 -> '135 TB'."""
    for unit, size in (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:,.3g} {unit}"
    return f"{n:,.0f} B"


def _targets(scenario: Scenario) -> tuple[dict[str, list[_Target]], EstimateResult | None]:
    """Per kind (and qualifier), the derived figures a stated number may be compared with."""
    from mlsd.errors import BadInputError
    from mlsd.sims.estimate import estimate

    scale = dict(scenario.scale)
    if not scale:
        return {}, None
    try:
        result = estimate(scale=scale, scenario=scenario.id)
    except BadInputError:
        return {}, None
    has = set(scale)
    fig = {f.name: f for f in result.figures}
    out: dict[str, list[_Target]] = {}

    def add(kind: str, name: str, label: str = "{value}") -> None:
        f = fig[name]
        out.setdefault(kind, []).append(_Target(float(f.value), label.format(value=f.shown), f.arithmetic))

    average, at_peak = _("{value} average"), _("{value} at peak")
    if {"daily_active_users", "requests_per_user_per_day"} <= has:
        add("requests per day", "requests per day")
        avg = fig["average QPS"]
        add("QPS:average", "average QPS", average)
        if "peak_to_average" in has:
            add("QPS:peak", "peak QPS", at_peak)
            peak = fig["peak QPS"]
            both = _("{arithmetic} average; × {ratio} peak/average = {peak} at peak").format(
                arithmetic=avg.arithmetic, ratio=_fmt(scale["peak_to_average"]), peak=peak.shown)
            out["QPS:"] = [_Target(avg.value, average.format(value=avg.shown), both),
                           _Target(peak.value, at_peak.format(value=peak.shown), both)]
        else:
            out["QPS:"] = list(out["QPS:average"])
        if {"peak_to_average", "per_server_qps"} <= has:
            add("servers", "servers at peak")
        logs = {"log_events_per_request", "bytes_per_log_event"} <= has
        feats = {"log_events_per_request", "feature_bytes_per_example"} <= has
        for period, log_name, feat_name in (("day", "log storage per day", "feature log storage per day"),
                                            ("year", "log storage per year", "feature log storage per year")):
            kind = f"storage per {period}"
            if logs:
                add(f"{kind}:log", log_name)
            if feats:
                add(f"{kind}:feature", feat_name)
            if logs and feats:
                lf, ff = fig[log_name], fig[feat_name]
                total = lf.value + ff.value
                per = (_("{size}/day") if period == "day" else _("{size}/year")).format(size=_bytes_text(total))
                out.setdefault(f"{kind}:both", []).append(_Target(
                    total, per, _("{logs}; {features}; together {total}").format(
                        logs=lf.arithmetic, features=ff.arithmetic, total=per)))
        if "response_bytes" in has and "peak_to_average" in has:
            add("bandwidth:egress", "egress bandwidth at peak")
        if logs and feats:
            add("bandwidth:ingest", "log ingestion bandwidth (average)")
    if "prompt tokens per day" in fig and {"daily_active_users", "requests_per_user_per_day"} <= has:
        # Only the token counts the scale states: no estimator default stands in for them.
        tokens = {q: fig[f"{q} tokens per day"] for q in ("prompt", "output") if f"{q}_tokens_per_request" in has}
        for q, f in tokens.items():
            out[f"tokens per day:{q}"] = [_Target(float(f.value), f.shown, f.arithmetic)]
        if len(tokens) == 2:
            p, o = tokens["prompt"], tokens["output"]
            total = p.value + o.value
            shown = _("{n} tokens/day").format(n=_fmt(total))
            out["tokens per day:total"] = [_Target(total, shown, _("{logs}; {features}; together {total}").format(
                logs=p.arithmetic, features=o.arithmetic, total=shown))]  # the storage sum's wording, translated
        out["tokens per day:"] = [*out.get("tokens per day:total", []), *out.get("tokens per day:prompt", [])]
    if "daily_active_users" in has:
        dau = scale["daily_active_users"]
        out["DAU"] = [_Target(float(dau), f"{_fmt(dau)} DAU",
                              _("the scenario's scale: {dau} daily active users").format(dau=_fmt(dau)))]
    if "requests_per_user_per_day" in has:
        rpu = scale["requests_per_user_per_day"]
        out["requests per user per day"] = [_Target(
            float(rpu), _("{count} requests per user per day").format(count=_fmt(rpu)),
            _("the scenario's scale: {count} requests per user per day").format(count=_fmt(rpu)))]
    if "embedding_dim" in has and ({"items", "users", "daily_active_users"} & has):
        add("embedding memory", "embedding table memory")
        values = {i.name: float(i.value) for i in result.inputs}
        dim, bpv = values["embedding_dim"], values["bytes_per_value"]
        for who in ("items", "users"):  # a table of one side only ("the listing embeddings take 640 MB")
            if who in has or (who == "users" and "daily_active_users" in has):
                n = values[who]
                size = n * dim * bpv
                side = _("items") if who == "items" else _("users")
                out["embedding memory"].append(_Target(
                    size, _bytes_text(size),
                    _("{count} {side} × {dims} dims × {bytes} B = {size} ({side} only; with both sides {both})").format(
                        count=_fmt(n), side=side, dims=_fmt(dim), bytes=_fmt(bpv), size=_bytes_text(size),
                        both=fig["embedding table memory"].shown)))
    if "feature_bytes_per_entity" in has:
        add("feature store size", "online feature store size")
    if "latency_budget_ms" in has:
        ms = scale["latency_budget_ms"]
        out["p99 latency budget"] = [_Target(float(ms), f"{_fmt(ms)} ms",
                                             _("the scenario's latency budget is {ms} ms").format(ms=_fmt(ms)))]
    return out, result


def _storage_targets(targets: Mapping[str, list[_Target]], kind: str, subject: str) -> list[_Target]:
    if subject:
        return targets.get(f"{kind}:{subject}", [])
    return [*targets.get(f"{kind}:log", []), *targets.get(f"{kind}:feature", []), *targets.get(f"{kind}:both", [])]


# ---------------------------------------------------------------- the A/B plan


@dataclass(frozen=True)
class _AbInputs:
    baseline: float
    mde: float
    relative: bool | None  # None: the answer does not say
    alpha: float
    power: float
    daily_traffic: float | None


def _fraction(text: str) -> float:
    text = text.strip()
    return float(text.rstrip("%").strip()) / 100 if text.endswith("%") else float(text)


def _ab_inputs(answer: str) -> _AbInputs | None:
    b = _BASELINE_RE.search(answer)
    m = _MDE_RE.search(answer)
    if b is None or m is None:
        return None
    baseline = float(b.group(1) or b.group(2)) / 100
    unit = m.group("unit").lower()
    value = float(m.group(1))
    window = answer[max(0, m.start() - 40): m.end() + 40].lower()
    relative: bool | None
    if unit.startswith(("pp", "percentage point", "point")) or "absolute" in window:
        relative = False
    elif "relative" in window or "lift" in window or "uplift" in window:
        relative = True
    else:
        relative = None
    mde = value / 100
    alpha = _ALPHA_RE.search(answer)
    power = _POWER_RE.search(answer)
    traffic = _TRAFFIC_RE.search(answer)
    daily = None
    if traffic is not None:
        found = find_numbers(traffic.group("n"))
        daily = found[0].low if found else None
    try:
        a = _fraction(alpha.group(1)) if alpha else 0.05
        p = _fraction(power.group(1) or power.group(2) + "%") if power else 0.8
    except (TypeError, ValueError):
        a, p = 0.05, 0.8
    if not (0 < baseline < 1 and mde > 0 and 0 < a < 1 and 0 < p < 1):
        return None
    return _AbInputs(baseline, mde, relative, a, p, daily)


@lru_cache(maxsize=32)
def _ab_plans(ab: _AbInputs, daily_traffic: float | None) -> list[tuple[bool, Any]]:
    """(relative, PlanResult) for each reading of the MDE the answer allows."""
    from mlsd.errors import MlsdError
    from mlsd.sims.abtest.planning import plan

    readings = [ab.relative] if ab.relative is not None else [True, False]
    out = []
    for relative in readings:
        try:
            out.append((relative, plan(baseline=ab.baseline, mde=ab.mde, relative=relative, alpha=ab.alpha,
                                       power=ab.power, daily_traffic=int(max(1, daily_traffic or 10_000)))))
        except (MlsdError, ValueError, OverflowError):
            continue
    return out


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


# ---------------------------------------------------------------- the checker


def check_answer(scenario: Scenario, step: str, answer: str,
                 targets: Mapping[str, list[_Target]] | None = None) -> list[NumberCheck]:
    """Every figure one answer states that can be attributed and compared, in order."""
    if targets is None:
        targets = _targets(scenario)[0]
    out: list[NumberCheck] = []
    ab: _AbInputs | None | bool = False  # False: not parsed yet
    answer = re.sub(r"\*\*|__|`", "", answer)  # Markdown emphasis is not part of a figure
    for clause in split_clauses(answer):
        mentions = find_numbers(clause)
        sentence = " ".join(clause.split())
        for i, m in enumerate(mentions):
            prev_end = mentions[i - 1].end if i else 0
            next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(clause)
            read = _classify(clause, m, prev_end, next_start)
            if read is None or (read.kind == "p99 latency budget" and step not in LATENCY_STEPS):
                continue
            low, high = m.low * read.scale, m.high * read.scale
            if read.kind in ("sample size per arm", "experiment days"):
                if ab is False:
                    ab = _ab_inputs(answer)
                if not ab:
                    continue
                check = _ab_check(scenario, step, read, low, high, sentence, ab)
                if check is not None:
                    out.append(check)
                continue
            if read.kind in ("QPS", "tokens per day"):
                pool = targets.get(f"{read.kind}:{read.qualifier}", [])
            elif read.kind.startswith("storage per"):
                pool = _storage_targets(targets, read.kind, read.qualifier)
            elif read.kind == "bandwidth":
                pool = targets.get(f"bandwidth:{read.qualifier}", []) if read.qualifier else [
                    *targets.get("bandwidth:egress", []), *targets.get("bandwidth:ingest", [])]
            else:
                pool = targets.get(read.kind, [])
            if not pool:
                continue
            best = min(pool, key=lambda t: off_by(low, high, t.value))
            ratio = off_by(low, high, best.value)
            if not math.isfinite(ratio):
                continue
            kind = read.kind + (f" ({read.qualifier})" if read.kind in ("QPS", "tokens per day") and read.qualifier
                                else "")
            out.append(NumberCheck(step, kind, read.said, low, high, best.value, best.shown, ratio,
                                   ratio <= RIGHT_WITHIN, best.arithmetic, sentence))
    seen: set[tuple[str, float, float]] = set()
    unique = []
    for c in out:  # the same figure said twice is checked once
        key = (c.kind, c.low, c.high)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def _ab_check(scenario: Scenario, step: str, read: _Read, low: float, high: float, sentence: str,
              ab: _AbInputs) -> NumberCheck | None:
    traffic = ab.daily_traffic
    traffic_note = _("your stated daily traffic")
    if traffic is None and scenario.scale.get("daily_active_users"):
        traffic = float(scenario.scale["daily_active_users"])
        traffic_note = _("all of the scenario's DAU in the test")
    plans = _ab_plans(ab, traffic)
    if not plans:
        return None
    power_text = _("α = {alpha}, power {power}").format(alpha=f"{ab.alpha:g}", power=f"{ab.power:g}")
    if read.kind == "sample size per arm":
        def how(rel: bool, p: Any) -> str:
            mde = (_("{mde} relative").format(mde=_pct(ab.mde)) if rel else
                   _("{mde} absolute ({points} points)").format(mde=_pct(ab.mde), points=f"{ab.mde * 100:g}"))
            return _("baseline {baseline}, MDE {mde}, {power}: {n} users per arm (two-proportion z-test, "
                     "`mlsd simulate ab-test plan`)").format(baseline=_pct(ab.baseline), mde=mde, power=power_text,
                                                              n=f"{p.n_per_arm:,}")
        rel, best = min(plans, key=lambda rp: off_by(low, high, rp[1].n_per_arm))
        ratio = off_by(low, high, best.n_per_arm)
        note = "" if ab.relative is not None else (
            _("(The answer does not say relative or absolute; read as relative.)") if rel else
            _("(The answer does not say relative or absolute; read as absolute.)"))
        return NumberCheck(step, read.kind, read.said, low, high, float(best.n_per_arm),
                           _("{n} per arm").format(n=f"{best.n_per_arm:,}"),
                           ratio, ratio <= RIGHT_WITHIN, how(rel, best), sentence, note)
    if traffic is None:
        return None  # days need the traffic: neither the answer nor the scenario gives it
    rel, best = min(plans, key=lambda rp: rp[1].days)
    needed = float(best.days)
    enough = high >= needed
    ratio = 1.0 if enough else (needed / high if high > 0 else math.inf)
    if not math.isfinite(ratio):
        return None
    arithmetic = ngettext("{total} users in both arms ÷ {traffic} a day ({note}) = {days} day at least",
                          "{total} users in both arms ÷ {traffic} a day ({note}) = {days} days at least",
                          best.days).format(total=f"{best.n_total:,}", traffic=_fmt(traffic), note=traffic_note,
                                            days=best.days)
    note = (_("Longer than the sample needs is fine: a full week or two covers novelty and weekly cycles.")
            if enough and high > needed else "")
    return NumberCheck(step, read.kind, read.said, low, high, needed,
                       ngettext("≥ {days} day", "≥ {days} days", best.days).format(days=best.days), ratio, enough,
                       arithmetic, sentence, note)


def check_numbers(scenario: Scenario, answers: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[NumberCheck, ...]:
    """The figures stated across a session's answers (step → text), checked; steps in the given order."""
    items: Sequence[tuple[str, str]] = list(answers.items()) if isinstance(answers, Mapping) else list(answers)
    if not any(re.search(r"\d|万|亿", text or "") for _step, text in items):
        return ()
    targets = _targets(scenario)[0]
    out: list[NumberCheck] = []
    for step, text in items:
        if text and text.strip():
            out.extend(check_answer(scenario, step, text, targets))
    return tuple(out)


def summary(checks: Sequence[NumberCheck]) -> str:
    """'3 of 4 figures within 2× of the estimate (a back-of-envelope is about the order of magnitude).'"""
    right = sum(1 for c in checks if c.right)
    return ngettext("{right} of {count} figure within {within}× of what the scenario's scale gives (within 2× counts "
                    "as right: a back-of-envelope is about the order of magnitude)",
                    "{right} of {count} figures within {within}× of what the scenario's scale gives (within 2× counts "
                    "as right: a back-of-envelope is about the order of magnitude)",
                    len(checks)).format(right=right, count=len(checks), within=f"{RIGHT_WITHIN:g}")
