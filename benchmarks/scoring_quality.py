"""How well scores follow an interviewer's grades, on the project's own graded answer set.

Run: python benchmarks/scoring_quality.py [-s SCENARIO ...]

`benchmarks/data/graded/<scenario>/<level>.yaml` are answers written for the project at
known levels (expert, expert-terse, expert-bullets, competent, vague, offtopic, paraphrase,
chinese, mixed), graded by their authors in `benchmarks/data/graded/levels-*.json` without
running the scorer. For every scenario the benchmark also builds three gaming answers from
the scenario's *current* keywords: one per line, each inside a negated sentence, each inside
a nonsense sentence.

It scores every answer in-process exactly as `mlsd practice ID --answers FILE` does (the
agenda and each step; the total weights steps by their share of interview time) and prints
the scenario × level table, then Spearman between grade and score over the honest answers,
the mean ratio of each level to expert, the worst gaming/vague/off-topic score, and the warm
time per answer against a reference measured in the same run (tokenising the answer).

Targets (issue 12): Spearman ≥ 0.9; expert ≥ 80; terse, bullets, paraphrase ≥ 0.8× expert;
chinese, mixed ≥ 0.7× expert; every gaming, vague and off-topic answer ≤ 20.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import yaml
from scipy.stats import spearmanr

from mlsd import scoring
from mlsd.content.scenario import STAGE_IDS, load_scenario
from mlsd.scoring.text import unit_of

HERE = Path(__file__).resolve().parent / "data" / "graded"
AGENDA = "requirements, ML task, data, features, model, evaluation, deployment, serving, monitoring, maintenance"
NEGATED = (
    "I would not use {k}; {k} is irrelevant here.",
    "There is no need for {k} in this design.",
    "{k} does not matter for this problem.",
)
NONSENSE = (
    "My grandmother's {a} tastes like {b} on Tuesdays.",
    "The moon hums {a} whenever the {b} forgets its umbrella.",
    "A purple {a} once sang {b} to a sleepy lighthouse.",
)
RATIO_TARGETS = {"expert-terse": 0.8, "expert-bullets": 0.8, "paraphrase": 0.8, "chinese": 0.7, "mixed": 0.7}
LOW = ("vague", "offtopic")


def gaming(scenario) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"keywords-list": {}, "keywords-negated": {}, "keywords-nonsense": {}}
    for sid, stage in scenario.stages.items():
        kws = list(dict.fromkeys(k for kp in stage.key_points for k in kp.keywords))
        if not kws:
            continue
        out["keywords-list"][sid] = "\n".join(kws)
        out["keywords-negated"][sid] = " ".join(NEGATED[i % 3].format(k=k) for i, k in enumerate(kws))
        out["keywords-nonsense"][sid] = " ".join(
            NONSENSE[i % 3].format(a=k, b=kws[(i + 1) % len(kws)]) for i, k in enumerate(kws))
    return out


def total(scenario, answers: dict[str, str], timings: list[float]) -> float:
    stage_scores = {}
    for sid in STAGE_IDS:
        text = answers.get(sid, "")
        t0 = time.perf_counter()
        stage_scores[sid] = scoring.score_answer(scenario, sid, text).score if text.strip() else 0.0
        timings.append(time.perf_counter() - t0)
    return scoring.total_score(stage_scores)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-s", "--scenario", action="append", help="only this scenario (repeatable)")
    ap.add_argument("--data", type=Path, default=HERE,
                    help="a graded set laid out the same way (<scenario>/<level>.yaml, levels*.json)")
    opts = ap.parse_args(argv)
    here = opts.data
    levels: dict[str, dict[str, float]] = {}
    for path in sorted(here.glob("levels*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        levels.update({k: v for k, v in data.items() if not k.startswith("_")})
    chosen = [s for s in sorted(levels) if not opts.scenario or s in opts.scenario]
    if not chosen:
        print(f"no graded scenarios in {here}")
        return 2
    names = list(next(iter(levels.values())))
    table: dict[str, dict[str, float]] = {}
    timings: list[float] = []
    for sid in chosen:
        sc = load_scenario(sid)
        row = {}
        for level in names:
            path = here / sid / f"{level}.yaml"
            if path.is_file():
                row[level] = total(sc, yaml.safe_load(path.read_text(encoding="utf-8")), timings)
        for name, answers in gaming(sc).items():
            row[name] = total(sc, answers, timings)
        table[sid] = row
    cols = names + ["keywords-list", "keywords-negated", "keywords-nonsense"]
    width = max(len(s) for s in chosen) + 2
    print("scenario".ljust(width) + "".join(c[:10].rjust(11) for c in cols))
    for sid in chosen:
        print(sid.ljust(width) + "".join(
            (f"{table[sid][c]:.1f}" if c in table[sid] else "-").rjust(11) for c in cols))
    grades, scores = [], []
    for sid in chosen:
        for level in names:
            if level in table[sid]:
                grades.append(levels[sid][level])
                scores.append(table[sid][level])
    rho = spearmanr(grades, scores).statistic
    expert = [table[s]["expert"] for s in chosen if "expert" in table[s]]
    print(f"\nspearman(grade, score) over {len(grades)} honest answers: {rho:.3f}  (target >= 0.9)")
    print(f"expert mean: {statistics.mean(expert):.1f}  (target >= 80)")
    failed = []
    for level, target in RATIO_TARGETS.items():
        ratios = [table[s][level] / table[s]["expert"] for s in chosen if level in table[s] and table[s].get("expert")]
        if ratios:
            r = statistics.mean(ratios)
            print(f"{level}/expert: {r:.2f}  (target >= {target})")
            if r < target:
                failed.append(level)
    worst = max((table[s][c], f"{s}/{c}") for s in chosen for c in table[s] if c.startswith("keywords") or c in LOW)
    print(f"worst gaming/vague/off-topic: {worst[0]:.1f} ({worst[1]})  (target <= 20)")
    t0 = time.perf_counter()
    n = 0
    for sid in chosen:
        for level in names:
            path = here / sid / f"{level}.yaml"
            if path.is_file():
                for text in yaml.safe_load(path.read_text(encoding="utf-8")).values():
                    unit_of(text)
                    n += 1
    ref = (time.perf_counter() - t0) / max(n, 1)
    per = statistics.mean(timings)
    print(f"time per answer (warm): {per * 1000:.1f} ms, {per / ref:.1f}x tokenising it ({ref * 1000:.2f} ms)")
    ok = rho >= 0.9 and statistics.mean(expert) >= 80 and not failed and worst[0] <= 20
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
