"""Scoring speed and gaming resistance on the shipped scenarios (no test asserts times).

Run: python benchmarks/scoring.py

For every shipped scenario and step it scores the reference answer and three gaming answers
built from the step's current keywords (one per line; each inside a negated sentence; each
inside a nonsense sentence) and prints the mean stage scores, then the warm per-answer time
against a reference measured in the same run (tokenising the same answers).
"""

from __future__ import annotations

import statistics
import time

from mlsd import scoring
from mlsd.content.scenario import list_scenarios
from mlsd.scoring.text import unit_of

NEGATED = "I would not use {k}; {k} is irrelevant here."
NONSENSE = "My grandmother's {a} tastes like {b} on Tuesdays."


def gaming(keywords: list[str]) -> dict[str, str]:
    pairs = list(zip(keywords, keywords[1:] + keywords[:1], strict=True))
    return {
        "keywords-list": "\n".join(keywords),
        "keywords-negated": " ".join(NEGATED.format(k=k) for k in keywords),
        "keywords-nonsense": " ".join(NONSENSE.format(a=a, b=b) for a, b in pairs),
    }


def main() -> None:
    scores: dict[str, list[float]] = {"reference": [], "keywords-list": [], "keywords-negated": [], "keywords-nonsense": []}
    answers = []
    for sc in list_scenarios():
        for sid, stage in sc.stages.items():
            kws = [k for kp in stage.key_points for k in kp.keywords]
            texts = {"reference": stage.reference, **gaming(kws)}
            for name, text in texts.items():
                scores[name].append(scoring.score_answer(sc, sid, text).score)
                answers.append((sc, sid, text))
    for name, vals in scores.items():
        print(f"{name:18s} mean {statistics.mean(vals):6.1f}  min {min(vals):6.1f}  max {max(vals):6.1f}")
    t0 = time.perf_counter()
    for sc, sid, text in answers:
        scoring.score_answer(sc, sid, text)
    per = (time.perf_counter() - t0) / len(answers)
    t0 = time.perf_counter()
    for _sc, _sid, text in answers:
        unit_of(text)
    ref = (time.perf_counter() - t0) / len(answers)
    print(f"warm: {per * 1000:.1f} ms per answer ({len(answers)} answers); "
          f"{per / ref:.1f}x the time to tokenise the same answer ({ref * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
