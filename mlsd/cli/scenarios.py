"""`mlsd scenarios`: list the shipped scenarios."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("scenarios")
    def scenarios_cmd(
        json_: bool = typer.Option(False, "--json", help="Print the list as JSON on stdout."),
    ) -> None:
        """List the built-in scenarios: id, title, difficulty and tags.

        Use an id wherever a scenario is expected (`mlsd practice feed-ranking`), or pass
        the path to your own scenario YAML file instead.
        """
        from mlsd.cli.output import console, print_json
        from mlsd.scenario import list_scenarios

        rows = [
            {"id": s.id, "title": s.title, "difficulty": s.difficulty, "tags": list(s.tags)}
            for s in list_scenarios()
        ]
        if json_:
            print_json(rows)
            return
        from rich.table import Table

        table = Table(title="Scenarios", title_justify="left")
        for col in ("id", "title", "difficulty", "tags"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["title"], r["difficulty"], ", ".join(r["tags"]))
        console().print(table)
        console().print("Start one with [bold]mlsd practice <id>[/]; see its checklist with [bold]mlsd checklist <id>[/].")
