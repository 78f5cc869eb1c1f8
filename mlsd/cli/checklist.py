"""`mlsd checklist`: the framework on one page, optionally with a scenario's rubric."""

from __future__ import annotations

from enum import Enum

import typer


class ChecklistFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


def checklist_cmd(
    scenario: str | None = typer.Argument(None, help="A scenario id or the path to a scenario YAML file.", show_default=False),
    stage: str | None = typer.Option(None, "--stage", help="Show one step only (e.g. model, serving)."),
    fmt: ChecklistFormat = typer.Option(ChecklistFormat.text, "--format", help="text (terminal), markdown (- [ ] boxes to print) or json (stable, schema mlsd.checklist/1)."),
    diagram: bool = typer.Option(False, "--diagram", help="Print the scenario's architecture instead: layer by layer as text (fits 80 columns), a Mermaid flowchart with --format markdown, or its components and flows with --format json."),
) -> None:
    """The ten-step answer framework on one page.

    The interview habits, then for each step (requirements → ML task → data → features →
    model → evaluation → deployment → serving → monitoring → maintenance) its generic
    checklist items and, with a scenario, the interviewer's prompt, clarifying questions,
    rubric key points, trade-offs, pitfalls and follow-ups.

    `--diagram` prints the scenario's architecture (its `architecture:` block)
    instead: the request path, then each layer left to right with the flows
    leaving each component (→ online, ⇢ offline), the same layers the design
    doc draws.
    """
    from mlsd.cli.output import print_json
    from mlsd.content.checklist import build_checklist, to_markdown
    from mlsd.content.scenario import load_scenario

    sc = load_scenario(scenario, cached=True) if scenario else None
    if diagram:
        _print_diagram(sc, fmt)
        return
    doc = build_checklist(sc, stage.strip().lower() if stage else None)
    if fmt is ChecklistFormat.json:
        print_json(doc)
    elif fmt is ChecklistFormat.markdown:
        typer.echo(to_markdown(doc), nl=False)
    else:
        _print_text(doc)


def _print_diagram(sc, fmt: ChecklistFormat) -> None:  # noqa: ANN001 - a Scenario or None
    from mlsd.errors import BadInputError
    from mlsd.i18n import _

    if sc is None:
        raise BadInputError(_("--diagram needs a scenario: `mlsd checklist feed-ranking --diagram`"))
    if sc.architecture is None:
        raise BadInputError(_("scenario {id} has no `architecture:` block to draw "
                              "(docs/scenario-format.md, \"architecture\")").format(id=repr(sc.id)))
    from mlsd.content import diagram_text
    from mlsd.content.translations import localized

    arch = localized(sc).architecture or sc.architecture  # labels in the interface language

    if fmt is ChecklistFormat.json:
        from mlsd.cli.output import print_json
        from mlsd.content.architecture import layering

        print_json({"scenario": sc.id, **arch.to_dict(), "layers": layering(arch).layers})
    elif fmt is ChecklistFormat.markdown:
        typer.echo(f"```mermaid\n{diagram_text.to_mermaid(arch)}\n```")
    else:
        typer.echo(diagram_text.to_text(arch), nl=False)


def _term(title: str, source_term: str) -> str:
    """The source notes' term, minus the English words the title already says ("模型 Model" -> "模型")."""
    words = [w for w in source_term.split() if w.lower() not in title.lower()]
    return " ".join(words)


def _print_text(doc: dict) -> None:
    """The terminal view, drawn without rich (start-up, and linear in the text's length)."""
    from mlsd.cli.plain import BOLD, BOLD_CYAN, DIM, ITALIC, UNDERLINE, Page, clean, shorten
    from mlsd.i18n import _, space

    out = Page()

    def t(text: str) -> str:
        return clean(shorten(text))

    def bullets(rows: list[tuple[str | list, list | str]], indent: int = 2) -> None:
        """Rows of (marker, text) with a hanging indent, so wrapped lines stay aligned."""
        out.bullets((([(m, "")] if isinstance(m, str) else m, [(x, "")] if isinstance(x, str) else x)
                     for m, x in rows), indent)

    def heading(title: str) -> None:
        out.line("  " + out.styled([(title, BOLD)]))

    def termed(title: str, term: str) -> list[tuple[str, str]]:
        """"Title term " as the rows show it: the source notes' term dim, if any."""
        return [(t(title), BOLD), (" ", "")] + ([(term, DIM), (" ", "")] if term else [])

    sc = doc["scenario"]
    if sc:
        out.panel([(t(sc["title"]), BOLD), ("\n" + t(sc["summary"]), "")], title=t(sc["id"]))
    out.paragraph(t(doc["overview"]))
    out.line()
    out.line(out.styled([(_("Interview habits"), f"{BOLD};{UNDERLINE}")]))
    bullets([("•", [*termed(h["title"], _term(h["title"], h["seed_term"])), ("— " + t(h["text"]), "")])
             for h in doc["habits"]])
    numbered = len(doc["steps"]) > 1
    for i, step in enumerate(doc["steps"], 1):
        out.line()
        label = f"{i}. " if numbered else ""
        out.rule([(f"{label}{t(step['title'])}", BOLD), (" ", ""), (_term(step["title"], step["seed_term"]), DIM)])
        out.paragraph([(t(step["purpose"]), ITALIC)])
        bullets([("☐", t(item["point"])) for item in step["items"]])
        if step["notes"]:
            bullets([([(_("Note"), DIM)], t(note)) for note in step["notes"]], indent=4)
        if step["id"] == "evaluation":
            heading(_("A/B-testing procedure"))
            bullets([(f"{n}.", t(s)) for n, s in enumerate(doc["ab_test_procedure"], 1)], indent=4)
        if step["id"] == "monitoring":
            heading(_("Monitor"))
            bullets([("•", t(m)) for m in doc["monitoring_list"]], indent=4)
        st = step["scenario"]
        if st:
            bullets([([("Q", BOLD_CYAN)], [(_("Interviewer:"), BOLD_CYAN), (space() + t(st["prompt"]), "")])])
            for title, key in ((_("Ask"), "questions"), (_("Trade-offs"), "tradeoffs"), (_("Pitfalls"), "pitfalls"),
                               (_("Follow-ups"), "follow_ups")):
                if st[key]:
                    heading(title)
                    bullets([("•", t(q)) for q in st[key]], indent=4)
            if st["key_points"]:
                heading(_("Rubric"))
                bullets([("☐", [(t(kp["point"]) + space(), ""), (_("(weight {weight})").format(weight=f"{kp['weight']:g}"), DIM)])
                         for kp in st["key_points"]], indent=4)
    if sc is None:
        out.line()
        out.line(out.styled([(_("Practice scenarios"), f"{BOLD};{UNDERLINE}")]))
        bullets([("•", [(f"{t(e['prompt'])}: ", ""), (f"mlsd practice {e['scenario']}", BOLD)]) for e in doc["examples"]])
    out.flush()


def register(app: typer.Typer) -> None:
    app.command("checklist")(checklist_cmd)
