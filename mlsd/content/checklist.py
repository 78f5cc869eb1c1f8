"""The framework on one page: build it as data, render it as Markdown.

`build_checklist()` returns the stable JSON document printed by
`mlsd checklist --format json` (schema `mlsd.checklist/1`, documented in
docs/checklist-json.md); the Markdown and the terminal view read the same dict.
"""

from __future__ import annotations

from typing import Any

from mlsd.content import framework
from mlsd.content.scenario import Scenario

SCHEMA = "mlsd.checklist/1"


def _point(kp) -> dict[str, Any]:
    return {"id": kp.id, "point": kp.point, "keywords": list(kp.keywords), "weight": kp.weight, "why": kp.why}


def build_checklist(scenario: Scenario | None = None, stage: str | None = None) -> dict[str, Any]:
    """The checklist for every step (or one `stage`), with a scenario's rubric if given."""
    steps = framework.STEPS if stage is None else (framework.step(stage),)
    out_steps = []
    for step in steps:
        entry: dict[str, Any] = {
            "id": step.id,
            "title": step.title,
            "seed_term": step.source_term,  # public name (schema mlsd.checklist/1)
            "purpose": step.purpose,
            "time_share": step.weight,
            "items": [_point(kp) for kp in step.items],
            "notes": list(step.notes),
            "scenario": None,
        }
        st = scenario.stage(step.id) if scenario else None
        if st is not None:
            entry["scenario"] = {
                "prompt": st.prompt,
                "questions": list(st.questions),
                "key_points": [_point(kp) for kp in st.key_points],
                "tradeoffs": list(st.tradeoffs),
                "pitfalls": list(st.pitfalls),
                "follow_ups": list(st.follow_ups),
            }
        out_steps.append(entry)
    return {
        "schema": SCHEMA,
        "overview": framework.OVERVIEW,
        "habits": [
            {"id": h.id, "title": h.title, "seed_term": h.source_term, "text": h.text} for h in framework.HABITS
        ],
        "scenario": None
        if scenario is None
        else {
            "id": scenario.id,
            "title": scenario.title,
            "summary": scenario.summary,
            "difficulty": scenario.difficulty,
            "tags": list(scenario.tags),
            "scale": dict(scenario.scale),
        },
        "steps": out_steps,
        "ab_test_procedure": list(framework.AB_TEST_PROCEDURE),
        "monitoring_list": list(framework.MONITORING_LIST),
        "examples": [{"prompt": p, "scenario": sid} for p, sid in framework.EXAMPLES],
    }


def to_markdown(doc: dict[str, Any]) -> str:
    """Printable Markdown with `- [ ]` boxes to tick."""
    lines: list[str] = []
    sc = doc["scenario"]
    lines.append(f"# ML system design checklist{': ' + sc['title'] if sc else ''}")
    lines.append("")
    if sc:
        lines += [f"> {sc['summary']}", "", f"Scenario `{sc['id']}` · difficulty {sc['difficulty']}"]
        if sc["tags"]:
            lines[-1] += " · " + ", ".join(sc["tags"])
        if sc["scale"]:
            lines += ["", "Scale to ask for: " + ", ".join(f"{k} = {v:,g}" for k, v in sc["scale"].items())]
        lines.append("")
    lines += [doc["overview"], "", "## Interview habits", ""]
    for h in doc["habits"]:
        lines.append(f"- [ ] **{h['title']}** ({h['seed_term']}): {h['text']}")
    for step in doc["steps"]:
        lines += ["", f"## {step['title']} — {step['seed_term']}", "", f"_{step['purpose']}_", ""]
        for item in step["items"]:
            lines.append(f"- [ ] {item['point']}")
        for note in step["notes"]:
            lines.append(f"- Note: {note}")
        if step["id"] == "evaluation":
            lines += ["", "A/B-testing procedure:", ""]
            lines += [f"{i}. [ ] {s}" for i, s in enumerate(doc["ab_test_procedure"], 1)]
        if step["id"] == "monitoring":
            lines += ["", "Monitor:", ""] + [f"- [ ] {m}" for m in doc["monitoring_list"]]
        st = step["scenario"]
        if st:
            lines += ["", f"**Interviewer:** {st['prompt']}"]
            for title, key in (("Ask", "questions"), ("Trade-offs to name", "tradeoffs"),
                               ("Pitfalls", "pitfalls"), ("Likely follow-ups", "follow_ups")):
                if st[key]:
                    lines += ["", f"{title}:", ""] + [f"- {q}" for q in st[key]]
            if st["key_points"]:
                lines += ["", "Rubric (key points):", ""]
                for kp in st["key_points"]:
                    lines.append(f"- [ ] {kp['point']} _(weight {kp['weight']:g})_")
    if sc is None:
        lines += ["", "## Practice scenarios", ""]
        lines += [f"- {e['prompt']}: `mlsd practice {e['scenario']}`" for e in doc["examples"]]
    return "\n".join(lines) + "\n"
