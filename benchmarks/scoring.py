"""Benchmark for `mlsd.scoring`: how long scoring one answer takes.

Run: /work/venv/bin/python benchmarks/scoring.py

Scores, after a warm-up, every reference answer of every shipped scenario, a
long answer (all of a scenario's references glued together), and a
"fallback-heavy" answer per stage (300 words of unrelated prose, so no keyword
matches and every point goes through the semantic fallback). Prints the median
and worst time per answer, as ratios against
  - the 50 ms budget from the issue, and
  - a reference measured in the same run: the keyword pass alone (tokenise,
    build the span set, look up every keyword), i.e. what the semantic
    fallback costs on top of plain matching.
Also prints what the length rule (`prose_words`: counting the words of the
sentences that read as prose) costs, as a share of the whole score.
Timings on a shared machine are noisy; read the ratios, not the absolute ms.
"""

from __future__ import annotations

import statistics
import time

from mlsd import scoring
from mlsd.scenario import list_scenarios

BUDGET_MS = 50.0
PROSE = (
    "To make a good risotto, first heat the stock in a pan and keep it simmering. Toast the rice in "
    "butter with a chopped onion until translucent, then add a glass of white wine. The match was tense: "
    "the home team pressed high from the first whistle and scored twice before half time. "
) * 5


def timed(fn, repeat: int = 7) -> float:
    """Best-of-`repeat` wall time in ms (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def keyword_pass(key_points, answer: str) -> int:
    spans = scoring._spans(scoring.tokens(answer))
    return sum(any(scoring.keyword_key(k) in spans for k in kp.keywords) for kp in key_points)


def main() -> None:
    scenarios = list_scenarios()
    cases = []
    for sc in scenarios:
        for sid, st in sc.stages.items():
            if st.reference.strip():
                cases.append((sc, sid, st.reference))
        glued = "\n".join(st.reference for st in sc.stages.values())
        cases.append((sc, "model", glued))
    heavy = [(sc, sid, PROSE) for sc in scenarios for sid in sc.stages]
    t0 = time.perf_counter()
    scoring.score_answer(*heavy[0])  # first fallback call: imports scikit-learn, builds caches
    cold_ms = (time.perf_counter() - t0) * 1000
    full, kw, length = [], [], []
    for sc, sid, text in cases + heavy:
        own, generic = scoring.rubric(sc, sid)
        full.append(timed(lambda sc=sc, sid=sid, text=text: scoring.score_answer(sc, sid, text)))
        kw.append(timed(lambda own=own, generic=generic, text=text: keyword_pass(own + generic, text)))
        length.append(timed(lambda text=text: scoring.prose_words(text)))
    words = [len(text.split()) for _, _, text in cases + heavy]
    print(f"scenarios: {len(scenarios)}, answers scored: {len(cases)} references + {len(heavy)} fallback-heavy "
          f"({min(words)}–{max(words)} words)")
    print(f"first call (cold, includes importing scikit-learn): {cold_ms:.0f} ms")
    med, worst = statistics.median(full), max(full)
    n_ref = len(cases)
    print(f"score one answer, warm: median {med:.2f} ms, worst {worst:.2f} ms "
          f"(references: median {statistics.median(full[:n_ref]):.2f} ms; "
          f"fallback-heavy: median {statistics.median(full[n_ref:]):.2f} ms)")
    print(f"  ratio to the 50 ms budget: median {med / BUDGET_MS:.3f}, worst {worst / BUDGET_MS:.3f} "
          f"({'within' if worst < BUDGET_MS else 'OVER'} budget)")
    ratios = [f / k for f, k in zip(full, kw, strict=True)]
    print(f"  ratio to the keyword pass alone (same answers, same run): "
          f"median {statistics.median(ratios):.1f}x, worst {max(ratios):.1f}x")
    shares = [n / f for n, f in zip(length, full, strict=True)]
    print(f"  length rule (prose_words) as a share of the whole score: "
          f"median {statistics.median(shares):.3f}, worst {max(shares):.3f}")


if __name__ == "__main__":
    main()
