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
) -> None:
    """The ten-step answer framework on one page.

    The interview habits, then for each step (requirements → ML task → data → features →
    model → evaluation → deployment → serving → monitoring → maintenance) its generic
    checklist items and, with a scenario, the interviewer's prompt, clarifying questions,
    rubric key points, trade-offs, pitfalls and follow-ups.
    """
    from mlsd.cli.output import print_json
    from mlsd.content.checklist import build_checklist, to_markdown
    from mlsd.content.scenario import load_scenario

    sc = load_scenario(scenario) if scenario else None
    doc = build_checklist(sc, stage.strip().lower() if stage else None)
    if fmt is ChecklistFormat.json:
        print_json(doc)
    elif fmt is ChecklistFormat.markdown:
        typer.echo(to_markdown(doc), nl=False)
    else:
        _print_text(doc)


def _term(title: str, source_term: str) -> str:
    """The source notes' term, minus the English words the title already says ("模型 Model" -> "模型")."""
    words = [w for w in source_term.split() if w.lower() not in title.lower()]
    return " ".join(words)


def _dim(text: str) -> str:
    return f"[dim]{text}[/] " if text else ""


def _print_text(doc: dict) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from mlsd.cli.output import console

    out = console()

    def bullets(rows: list[tuple[str, str]], indent: int = 2) -> None:
        """Rows of (marker, text) with a hanging indent, so wrapped lines stay aligned."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=indent + 1, justify="right", no_wrap=True)
        grid.add_column(ratio=1)
        for marker, text in rows:
            grid.add_row(marker, text)
        out.print(grid)

    sc = doc["scenario"]
    if sc:
        out.print(Panel(f"[bold]{escape(sc['title'])}[/]\n{escape(sc['summary'])}", title=sc["id"], expand=False))
    out.print(escape(doc["overview"]))
    out.print()
    out.print("[bold underline]Interview habits[/]")
    bullets([("•", f"[bold]{escape(h['title'])}[/] {_dim(_term(h['title'], h['seed_term']))}— {escape(h['text'])}")
             for h in doc["habits"]])
    numbered = len(doc["steps"]) > 1
    for i, step in enumerate(doc["steps"], 1):
        out.print()
        label = f"{i}. " if numbered else ""
        out.rule(f"[bold]{label}{escape(step['title'])}[/] [dim]{_term(step['title'], step['seed_term'])}[/]", align="left")
        out.print(f"[italic]{escape(step['purpose'])}[/]")
        bullets([("☐", escape(item["point"])) for item in step["items"]])
        if step["notes"]:
            bullets([("[dim]Note[/]", escape(note)) for note in step["notes"]], indent=4)
        if step["id"] == "evaluation":
            out.print("  [bold]A/B-testing procedure[/]")
            bullets([(f"{n}.", escape(s)) for n, s in enumerate(doc["ab_test_procedure"], 1)], indent=4)
        if step["id"] == "monitoring":
            out.print("  [bold]Monitor[/]")
            bullets([("•", escape(m)) for m in doc["monitoring_list"]], indent=4)
        st = step["scenario"]
        if st:
            bullets([("[bold cyan]Q[/]", f"[bold cyan]Interviewer:[/] {escape(st['prompt'])}")])
            for title, key in (("Ask", "questions"), ("Trade-offs", "tradeoffs"), ("Pitfalls", "pitfalls"), ("Follow-ups", "follow_ups")):
                if st[key]:
                    out.print(f"  [bold]{title}[/]")
                    bullets([("•", escape(q)) for q in st[key]], indent=4)
            if st["key_points"]:
                out.print("  [bold]Rubric[/]")
                bullets([("☐", f"{escape(kp['point'])} [dim](weight {kp['weight']:g})[/]") for kp in st["key_points"]], indent=4)
    if sc is None:
        out.print()
        out.print("[bold underline]Practice scenarios[/]")
        bullets([("•", f"{escape(e['prompt'])}: [bold]mlsd practice {e['scenario']}[/]") for e in doc["examples"]])


def register(app: typer.Typer) -> None:
    app.command("checklist")(checklist_cmd)
