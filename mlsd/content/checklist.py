"""The framework on one page: build it as data, render it as Markdown.

`build_checklist()` returns the stable JSON document printed by
`mlsd checklist --format json` (schema `mlsd.checklist/1`, documented in
docs/checklist-json.md); the Markdown and the terminal view read the same dict.
"""

from __future__ import annotations

from typing import Any

from mlsd.content.scenario import Scenario
from mlsd.i18n import N_, _

SCHEMA = "mlsd.checklist/1"
DIFFICULTY_WORDS = (N_("easy"), N_("medium"), N_("hard"))  # values stay English in JSON; shown translated


def _point(kp) -> dict[str, Any]:
    return {"id": kp.id, "point": kp.point, "keywords": list(kp.keywords), "weight": kp.weight, "why": kp.why}


def build_checklist(scenario: Scenario | None = None, stage: str | None = None) -> dict[str, Any]:
    """The checklist for every step (or one `stage`), with a scenario's rubric if given, its
    text in the interface language (ids, keywords and weights are the same in every language)."""
    from mlsd.content.overlays import framework_content, shown_step
    from mlsd.content.translations import localized

    fw = framework_content()
    scenario = localized(scenario) if scenario is not None else None
    steps = fw["STEPS"] if stage is None else (shown_step(stage),)
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
        "overview": fw["OVERVIEW"],
        "habits": [
            {"id": h.id, "title": h.title, "seed_term": h.source_term, "text": h.text} for h in fw["HABITS"]
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
        "ab_test_procedure": list(fw["AB_TEST_PROCEDURE"]),
        "monitoring_list": list(fw["MONITORING_LIST"]),
        "examples": [{"prompt": p, "scenario": sid} for p, sid in fw["EXAMPLES"]],
    }


def to_markdown(doc: dict[str, Any]) -> str:
    """Printable Markdown with `- [ ]` boxes to tick."""
    lines: list[str] = []
    sc = doc["scenario"]
    title = _("ML system design checklist")
    colon = _(": ")
    lines.append(f"# {title}{colon + sc['title'] if sc else ''}")
    lines.append("")
    if sc:
        lines += [f"> {sc['summary']}", "", _("Scenario `{id}` · difficulty {difficulty}").format(
            id=sc["id"], difficulty=_(sc["difficulty"]))]
        if sc["tags"]:
            lines[-1] += " · " + ", ".join(sc["tags"])
        if sc["scale"]:
            lines += ["", _("Scale to ask for: ") + ", ".join(f"{k} = {v:,g}" for k, v in sc["scale"].items())]
        lines.append("")
    lines += [doc["overview"], "", "## " + _("Interview habits"), ""]
    for h in doc["habits"]:
        lines.append(f"- [ ] **{h['title']}** ({h['seed_term']}){colon}{h['text']}")
    for step in doc["steps"]:
        lines += ["", f"## {step['title']} — {step['seed_term']}", "", f"_{step['purpose']}_", ""]
        for item in step["items"]:
            lines.append(f"- [ ] {item['point']}")
        for note in step["notes"]:
            lines.append("- " + _("Note: {note}").format(note=note))
        if step["id"] == "evaluation":
            lines += ["", _("A/B-testing procedure:"), ""]
            lines += [f"{i}. [ ] {s}" for i, s in enumerate(doc["ab_test_procedure"], 1)]
        if step["id"] == "monitoring":
            lines += ["", _("Monitor:"), ""] + [f"- [ ] {m}" for m in doc["monitoring_list"]]
        st = step["scenario"]
        if st:
            lines += ["", "**" + _("Interviewer:") + f"** {st['prompt']}"]
            for heading, key in ((_("Ask:"), "questions"), (_("Trade-offs to name:"), "tradeoffs"),
                                 (_("Pitfalls:"), "pitfalls"), (_("Likely follow-ups:"), "follow_ups")):
                if st[key]:
                    lines += ["", heading, ""] + [f"- {q}" for q in st[key]]
            if st["key_points"]:
                lines += ["", _("Rubric (key points):"), ""]
                for kp in st["key_points"]:
                    weight = _("(weight {weight})").format(weight=f"{kp['weight']:g}")
                    lines.append(f"- [ ] {kp['point']} _{weight}_")
    if sc is None:
        lines += ["", "## " + _("Practice scenarios"), ""]
        lines += [f"- {e['prompt']}{colon}`mlsd practice {e['scenario']}`" for e in doc["examples"]]
    return "\n".join(lines) + "\n"
