"""`mlsd scenarios new` and `validate`: a commented skeleton scenario, and the check that it was filled.

The skeleton is a scenario file in the format of `docs/scenario-format.md` with all ten
stages and a placeholder wherever content is needed. It loads (the structure is
valid) but is not finished: every placeholder text starts with `TODO` and every
placeholder key-point id with `todo-`, and `check_file` reports each one as
`file:line: field: problem`, the loader's own error format, until it is replaced.
Plain Python and PyYAML only, so the commands stay fast.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from mlsd.content.scenario import SLUG, STAGE_IDS
from mlsd.errors import BadInputError, ScenarioError

MARKER = "TODO"
MAX_SHOWN = 10  # placeholders listed per file; the rest are counted on one more line
_PLACEHOLDER = re.compile(r"(?i)todo\b")

_HEADER = """\
# A scenario for mlsd: an interview case with its answer key (docs/scenario-format.md).
#
# Replace every text that starts with TODO, and every key-point id that starts with
# todo-, then check the file:   mlsd scenarios validate {path}
# Practise it:                 mlsd practice {path}
# Render its design doc:       mlsd render {path}
#
# A strong scenario has all ten stages, each with 2-4 clarifying questions, at least
# 3 key points, at least 2 trade-offs, pitfalls, follow-ups and a reference answer of
# 120-200 words. Answers are scored by the key points' keywords and aliases, so write
# them the way candidates talk (abbreviations, British and American spellings) and
# never a word so generic that it alone would show the point.
"""

_TOP = """\
id: {id}
title: "TODO: the case in one line, e.g. Rank the posts in a home feed"
# The prompt as the interviewer would say it at the start.
summary: >-
  TODO: two to four sentences: the product, what the system must do, and what
  makes the case hard.
# Short labels that `mlsd scenarios --tag` filters on, e.g. [recommendation, ranking, cold-start].
tags: ["TODO: a tag"]
# easy, medium or hard.
difficulty: medium
# The figures a candidate should ask for, as numbers (units in the names), replacing {{}}:
#   scale:
#     daily_active_users: 100000000
#     peak_to_average: 3
#     latency_budget_ms: 200
scale: {{}}
# What the design deliberately leaves out (`mlsd render` lists them as non-goals).
non_goals:
  - "TODO: something out of scope, and who owns it instead"
# Simulations that back the design; `mlsd render` runs them and embeds their numbers.
# `mlsd simulate --help` lists them; args are a simulation's options with - written as _:
#   simulations:
#     - name: ab-test
#       args: {{baseline: 0.05, mde: 0.02, relative: true}}
simulations: []
stages:
"""

_STAGE = """\
{heading}
  {id}:
{note_prompt}    prompt: "TODO: what the interviewer asks at this step ({title})"
{note_questions}    questions:
      - "TODO: a clarifying question"
      - "TODO: another clarifying question"
{note_key_points}    key_points:
{points}
{note_tradeoffs}    tradeoffs:
      - "TODO: a trade-off, both sides"
      - "TODO: another trade-off"
{note_pitfalls}    pitfalls:
      - "TODO: a common mistake at this step"
    follow_ups:
      - "TODO: a deeper question the interviewer may ask next"
{note_reference}    reference: |
      TODO: the answer a strong senior candidate gives at this step ({title}).
"""

# Said once, above the first stage's keys: what each key is for.
_NOTES = {
    "note_prompt": "What the interviewer asks at this step.",
    "note_questions": "Clarifying questions a strong candidate asks (2-4).",
    "note_key_points": (
        "The rubric (at least 3 points). A point is covered when an answer uses one of its",
        "keywords (short terms, 2-6) or aliases (longer or plain-word phrasings, 2-6);",
        "weight 2 for the points the step hinges on, else 1; why is shown when it is missed.",
    ),
    "note_tradeoffs": (
        "Trade-offs worth naming (at least 2): business (accuracy, long tail, cold start)",
        "and technical (scale, latency).",
    ),
    "note_pitfalls": "Common mistakes, then deeper questions the interviewer may ask next.",
    "note_reference": (
        "A model answer (Markdown, 120-200 words) that covers every key point above in",
        "words the scorer finds: numbers, named techniques, failure modes.",
    ),
}


def _comment(text: str | tuple[str, ...], indent: str) -> str:
    lines = (text,) if isinstance(text, str) else text
    return "".join(f"{indent}# {line}\n" for line in lines)


_POINT = """\
      - id: todo-{stage}-{n}
        point: "TODO: what a good answer covers, as one sentence"
        keywords: ["TODO: a short term candidates use", "TODO: another term or abbreviation"]
        aliases: ["TODO: a longer phrasing of the same idea", "TODO: the idea in plain words"]
        weight: {weight}
        why: "TODO: why the point matters"\
"""


def skeleton(scenario_id: str, shown_path: str | None = None) -> str:
    """The commented skeleton of a scenario with id `scenario_id` (all ten stages, placeholders)."""
    from mlsd.content.framework import step

    check_id(scenario_id)
    path = shown_path or f"{scenario_id}.yaml"
    parts = [_HEADER.format(path=path), _TOP.format(id=scenario_id)]
    for number, sid in enumerate(STAGE_IDS, 1):
        st = step(sid)
        heading = "\n".join(textwrap.wrap(
            f"{number}. {st.title}: {st.purpose}", width=88, initial_indent="  # ", subsequent_indent="  #    ",
        ))
        points = "\n".join(_POINT.format(stage=sid, n=n, weight=2 if n == 1 else 1) for n in (1, 2, 3))
        notes = {key: _comment(text, "    ") if number == 1 else "" for key, text in _NOTES.items()}
        parts.append(_STAGE.format(heading=heading, id=sid, title=st.title, points=points, **notes))
    return "".join(parts)


def check_id(scenario_id: str) -> None:
    """Refuse an id that is not a slug, with an example of one that is."""
    if not SLUG.fullmatch(scenario_id):
        raise BadInputError(
            f"{scenario_id!r} is not a scenario id: use lowercase letters, digits and '-' only (e.g. eta-prediction)"
        )


def _placeholders(data, path=()):
    """(field path, value) of every placeholder left in parsed scenario data, in file order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholders(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _placeholders(value, path + (i,))
    elif isinstance(data, str) and _PLACEHOLDER.match(data.strip()):
        yield path, data.strip()


def placeholder_errors(doc) -> list[str]:
    """One `file:line: field: problem` line per placeholder in a located YAML document."""
    from mlsd.content.yamlfile import field_name

    found = list(_placeholders(doc.data))
    lines = []
    for path, value in found[:MAX_SHOWN]:
        shown = value if len(value) <= 40 else value[:39] + "…"
        if path and path[-1] == "id":
            problem = f"placeholder id {shown!r}; give the key point an id of its own"
        else:
            problem = f"placeholder {shown!r} left from the skeleton; write the real text"
        lines.append(f"{doc.filename}:{doc.line(path)}: {field_name(path)}: {problem}")
    if len(found) > MAX_SHOWN:
        lines.append(
            f"{doc.filename}: {len(found) - MAX_SHOWN} more placeholders not shown; "
            f"search the file for {MARKER} and todo-"
        )
    return lines


def check_file(path: Path | str, display: str | None = None) -> list[str]:
    """Validate one scenario file: [] when it is good, else its error lines.

    First the loader (its first error), then, for a file that loads, every
    placeholder the skeleton left (at most MAX_SHOWN, then a count).
    """
    from mlsd.content import yamlfile
    from mlsd.content.scenario import parse_scenario

    display = display or str(path)
    try:
        text = yamlfile.read_text(Path(path), display, ScenarioError)
        parse_scenario(text, display)
    except ScenarioError as exc:
        return [str(exc)]
    return placeholder_errors(yamlfile.parse(text, display, ScenarioError))
