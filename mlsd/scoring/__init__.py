"""Rubric scoring of a free-text answer: credit for asserted ideas, deterministic, offline.

How one stage answer is scored
------------------------------
1. **Units and words** (`mlsd.scoring.text`). The answer is cut into sentences, lines, bullets
   and semicolon clauses. English words are stemmed (Snowball, British spellings folded to
   American); Chinese is cut into words by jieba; every term of the bilingual glossary
   (`mlsd/data/glossary.yaml`) becomes one concept token, so "tail latency", "p99 latency" and
   "尾延迟" are the same word. Negations are marked ("not", "no need for", "is irrelevant",
   "无需" …) with the clause they govern.
2. **Credit for an asserted idea** (`mlsd.scoring.match`). A key point is covered by the best
   sentence of the answer: its keyword or alias (credit 1), the words of a longer term in
   another order (credit 1), or a paraphrase of the point's own sentence (partial credit,
   rising to 1 as the sentence says more of the point). A sentence earns nothing when the
   mention is negated or dismissed, when it is a bare term (take the rubric's terms away and
   nothing is left — a keyword list), or when most of its other words are not the field's
   vocabulary (fluent nonsense around keywords).
3. **Weights.** The scenario's own key points carry the stage score; the step's generic
   framework items add a bonus of at most `GENERIC_SHARE` of the scenario weight, and fill in
   at most `GENERIC_FILL` of what was missed:

       bonus = min(GENERIC_SHARE · Σ wᵢ · (Σ gⱼ·cⱼ / Σ gⱼ),  GENERIC_FILL · Σ wᵢ·(1 − cᵢ))
       coverage = (Σ wᵢ·cᵢ + bonus) / Σ wᵢ

4. **Score.** Interviewers do not expect every rubric point: an answer that covers
   `FULL_MARKS_AT` (80 %) of the weight is a full-marks answer, so

       score = 100 × min(1, coverage / FULL_MARKS_AT)

   and while any scenario point is missed the score is at most 99, so the number never
   contradicts the ✓/✗ list.

There is no length rule: a terse sentence that asserts a point earns it; a long one that only
names terms does not. Every covered or partial point keeps the sentence that earned it
(`PointResult.sentence`), shown in the scorecard, `--json` (`evidence`) and the design doc.
`mlsd.scoring.verdict` reads the points as a hire signal and a level (guidance, not a
hiring decision). The agenda is scored by how many steps it names (`score_agenda`); the
session total weights stages by each step's share of interview time (`total_score`).
"""

from __future__ import annotations

from mlsd.scoring.stage import (
    FULL_MARKS_AT,
    GENERIC_FILL,
    GENERIC_SHARE,
    INCOMPLETE_CAP,
    AgendaScore,
    PointResult,
    StageScore,
    rubric,
    score_agenda,
    score_answer,
    score_points,
    score_stage,
    total_score,
)
from mlsd.scoring.text import fold, split_units, stem, tokens


def warm_up() -> None:
    """Fill the scorer's caches (glossary, vocabulary, Chinese word cutter) ahead of the first answer."""
    from mlsd.scoring.stage import _shipped_vocabulary
    from mlsd.scoring.text import tokens as _tokens

    _shipped_vocabulary()
    _tokens("warm up 预热")

__all__ = [
    "FULL_MARKS_AT",
    "GENERIC_FILL",
    "GENERIC_SHARE",
    "INCOMPLETE_CAP",
    "AgendaScore",
    "PointResult",
    "StageScore",
    "fold",
    "rubric",
    "score_agenda",
    "score_answer",
    "score_points",
    "score_stage",
    "split_units",
    "stem",
    "tokens",
    "total_score",
    "warm_up",
]
