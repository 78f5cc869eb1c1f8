"""`mlsd scenarios`: list the shipped scenarios; `new` writes a skeleton, `validate` checks files."""

from __future__ import annotations

import typer

scenarios_app = typer.Typer(name="scenarios", no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.callback(invoke_without_command=True)
def scenarios_cmd(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help="Print the list as JSON on stdout (id, title, difficulty, tags)."),
    tags: list[str] = typer.Option([], "--tag", help="Only scenarios with this tag; repeat for any of several (e.g. --tag fraud --tag ranking).", metavar="TAG", show_default=False),
) -> None:
    """List the built-in scenarios: id, title, difficulty and tags.

    Use an id wherever a scenario is expected (`mlsd practice feed-ranking`), or pass
    the path to your own scenario YAML file instead: `mlsd scenarios new ID` writes a
    skeleton to fill in and `mlsd scenarios validate FILE` checks it.
    """
    if ctx.invoked_subcommand is not None:
        if json_ or tags:
            from mlsd.errors import BadInputError

            raise BadInputError(
                f"--json and --tag belong to the list (mlsd scenarios --tag TAG), not to `scenarios {ctx.invoked_subcommand}`"
            )
        return
    from mlsd.cli.output import print_json
    from mlsd.content.scenario import list_summaries
    from mlsd.i18n import _, language

    scenarios = list_summaries()
    if tags:
        scenarios = _with_tags(scenarios, tags)
    rows = [
        {"id": s.id, "title": s.title_in(language()), "difficulty": s.difficulty, "tags": list(s.tags)}
        for s in scenarios
    ]
    if json_:
        print_json(rows)
        return
    # Drawn without rich: importing and laying out with it was most of the start-up (issue 15).
    from mlsd.cli.plain import BOLD, Page, clean

    out = Page()
    out.table(_("Scenarios"), ("id", _("title"), _("difficulty"), _("tags")),
              [[clean(r["id"]), clean(r["title"]), clean(_(r["difficulty"])),
                clean(", ".join(r["tags"]))] for r in rows],
              fold=(True,))
    # TRANSLATORS: the two {command}s are printed in bold between the sentence's parts.
    start, see, end = _("Start one with {command}; see its checklist with {command}.").split("{command}")
    out.paragraph([(start, ""), ("mlsd practice <id>", BOLD), (see, ""), ("mlsd checklist <id>", BOLD), (end, "")])
    out.flush()


def _with_tags(scenarios, wanted: list[str]):
    """The scenarios carrying any of the `wanted` tags (case-insensitive); an unknown tag is an error."""
    from mlsd.errors import BadInputError, did_you_mean

    known = sorted({t for s in scenarios for t in s.tags}, key=str.lower)
    folded = {t.lower() for t in known}
    for tag in wanted:
        if tag.strip().lower() not in folded:
            raise BadInputError(
                f"--tag {tag}: unknown tag{did_you_mean(tag.strip().lower(), known)}; "
                f"known tags: {', '.join(known) or 'none'}"
            )
    want = {t.strip().lower() for t in wanted}
    return [s for s in scenarios if want & {t.lower() for t in s.tags}]


@scenarios_app.command("new")
def new_cmd(
    scenario_id: str = typer.Argument(..., metavar="ID", help="The new scenario's id: lowercase letters, digits and '-' (e.g. ride-eta)."),
    output: str | None = typer.Option(None, "-o", "--output", help="File to write ('-' for stdout). Default: ID.yaml in the current folder.", metavar="FILE"),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
) -> None:
    """Write a commented skeleton scenario to fill in: all ten stages, with placeholders.

    Every text to write starts with TODO (key-point ids with todo-); `mlsd scenarios
    validate` reports each one left, so the file passes only once it is filled. The
    file is written whole or not at all, and an existing file is kept unless --force.
    """
    from pathlib import Path

    from mlsd.content.skeleton import check_id, skeleton
    from mlsd.errors import BadInputError

    check_id(scenario_id)
    if output == "-":
        typer.echo(skeleton(scenario_id), nl=False)
        return
    target = Path(output) if output else Path(f"{scenario_id}.yaml")
    if target.is_dir():
        raise BadInputError(f"-o {target}: is a directory; give a file name such as {target / (scenario_id + '.yaml')}")
    if not target.parent.is_dir():
        raise BadInputError(f"-o {target}: the folder {target.parent} does not exist; create it first")
    from mlsd.fileio import atomic_write

    try:
        atomic_write(target, skeleton(scenario_id, shown_path=str(target)), force=force)
    except OSError as exc:
        raise BadInputError(f"cannot write {target}: {exc.strerror or exc}") from None
    from rich.markup import escape

    from mlsd.cli.output import err_console
    from mlsd.content.scenario import builtin_ids
    from mlsd.i18n import _

    err_console().print(
        _("wrote [bold]{file}[/]: fill in every TODO, then run [bold]mlsd scenarios validate {file}[/]").format(
            file=escape(str(target))),
        soft_wrap=True,
    )
    if scenario_id in builtin_ids():
        err_console().print(
            _("note: a built-in scenario is also called {id}; pass the path ({file}) to use yours").format(
                id=repr(scenario_id), file=escape(str(target))),
            soft_wrap=True,
        )


@scenarios_app.command("validate")
def validate_cmd(
    files: list[str] = typer.Argument(..., metavar="FILE", help="Scenario YAML files to check (one or more).", show_default=False),
) -> None:
    """Check scenario files: `ok FILE` for each good one, `file:line: field: problem` for the rest.

    Runs the same loader as practice and render, then flags every placeholder a
    `mlsd scenarios new` skeleton left (texts starting with TODO, ids with todo-).
    Exits 2 if any file is bad.
    """
    from mlsd.cli.output import error_line
    from mlsd.content.skeleton import check_file

    bad = 0
    for name in files:
        problems = check_file(name)
        if problems:
            bad += 1
            for line in problems:
                error_line(line)
        else:
            typer.echo(f"ok {name}")
    if bad:
        raise typer.Exit(2)
