"""`mlsd checklist`: the framework on one page, optionally with a scenario's rubric."""

from __future__ import annotations

from enum import Enum

import typer


class ChecklistFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("checklist")
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
        from mlsd.checklist import build_checklist, to_markdown
        from mlsd.cli.output import print_json
        from mlsd.scenario import load_scenario

        sc = load_scenario(scenario) if scenario else None
        doc = build_checklist(sc, stage)
        if fmt is ChecklistFormat.json:
            print_json(doc)
        elif fmt is ChecklistFormat.markdown:
            typer.echo(to_markdown(doc), nl=False)
        else:
            _print_text(doc)


def _print_text(doc: dict) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    from mlsd.cli.output import console

    out = console()
    sc = doc["scenario"]
    if sc:
        out.print(Panel(f"[bold]{escape(sc['title'])}[/]\n{escape(sc['summary'])}", title=sc["id"], expand=False))
    out.print(escape(doc["overview"]))
    out.print()
    out.print("[bold underline]Interview habits[/]")
    for h in doc["habits"]:
        out.print(f"  • [bold]{escape(h['title'])}[/] [dim]{h['seed_term']}[/] — {escape(h['text'])}")
    for i, step in enumerate(doc["steps"], 1):
        out.print()
        out.rule(f"[bold]{i if len(doc['steps']) > 1 else ''} {escape(step['title'])}[/] [dim]{step['seed_term']}[/]", align="left")
        out.print(f"[italic]{escape(step['purpose'])}[/]")
        for item in step["items"]:
            out.print(f"  ☐ {escape(item['point'])}")
        for note in step["notes"]:
            out.print(f"  [dim]Note:[/] {escape(note)}")
        if step["id"] == "evaluation":
            out.print("  [bold]A/B-testing procedure[/]")
            for n, s in enumerate(doc["ab_test_procedure"], 1):
                out.print(f"    {n}. {escape(s)}")
        if step["id"] == "monitoring":
            out.print("  [bold]Monitor[/]: " + escape("; ".join(doc["monitoring_list"])))
        st = step["scenario"]
        if st:
            out.print(f"  [bold cyan]Interviewer:[/] {escape(st['prompt'])}")
            for title, key in (("Ask", "questions"), ("Trade-offs", "tradeoffs"), ("Pitfalls", "pitfalls"), ("Follow-ups", "follow_ups")):
                for q in st[key]:
                    out.print(f"    [bold]{title}:[/] {escape(q)}")
            for kp in st["key_points"]:
                out.print(f"    ☐ {escape(kp['point'])} [dim](weight {kp['weight']:g})[/]")
    if sc is None:
        out.print()
        out.print("[bold underline]Practice scenarios[/]")
        for e in doc["examples"]:
            out.print(f"  • {escape(e['prompt'])}: [bold]mlsd practice {e['scenario']}[/]")
