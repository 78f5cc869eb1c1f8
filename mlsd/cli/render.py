"""`mlsd render`: a design doc from a scenario, a practice session and simulations."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from mlsd.i18n import _, ngettext


class DocFormat(str, Enum):
    md = "md"
    html = "html"


def render_cmd(
    scenario: str = typer.Argument(..., help="A scenario id or the path to a scenario YAML file.", metavar="SCENARIO|PATH"),
    session: str | None = typer.Option(None, "--session", help="A saved practice session id, or 'latest' (your latest session of this scenario), to put your own answers in the doc.", metavar="ID|latest"),
    fmt: DocFormat = typer.Option(DocFormat.md, "--format", help="md (Markdown, charts as SVG files beside it) or html (one self-contained page)."),
    output: str | None = typer.Option(None, "-o", "--output", help="File to write ('-' for stdout). Default: SCENARIO-design.md (or -session-ID) in the current folder."),
    template: Path | None = typer.Option(None, "--template", help="Your own Jinja template (runs sandboxed, sees plain data only)."),
    no_simulations: bool = typer.Option(False, "--no-simulations", help="Skip the appendix of simulations (faster)."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists, keeping its permissions; a symlink is written through to its target, and a device, pipe or folder is never replaced."),
) -> None:
    """Render a design doc: Markdown, or a self-contained HTML page with charts.

    Without --session the doc is the scenario's reference design; with it, each of the
    ten steps shows your answer, the rubric points covered and missed, and the
    reference beside it. The appendix runs every simulation the scenario lists (results
    are cached, so a re-render is fast) and draws their charts.
    """
    from mlsd.cli.output import err_console, progress_bar
    from mlsd.content.scenario import load_scenario
    from mlsd.doc.render import asset_dir_name, build_context, render_document, write_document

    sc = load_scenario(scenario)
    saved = None
    if session is not None:
        from mlsd.practice.store import open_store

        with open_store() as store:
            # 'latest' is the latest session of this scenario, not of any (which was then refused).
            saved = store.get_session(session, scenario_id=sc.id if session == "latest" else None)
        if saved.scenario_id != sc.id:
            from mlsd.errors import BadInputError

            raise BadInputError(
                _("session {id} is a practice of {practised}, not {scenario}; run `mlsd render {ref} --session {id}`")
                .format(id=saved.id, practised=repr(saved.scenario_id), scenario=repr(sc.id), ref=saved.scenario_ref)
            )
    ext = fmt.value
    to_stdout = output == "-"
    target = None
    if not to_stdout:
        name = f"{sc.id}-session-{saved.id}.{ext}" if saved else f"{sc.id}-design.{ext}"
        target = Path(output) if output else Path(name)
        if target.is_dir():
            from mlsd.errors import BadInputError

            raise BadInputError(_("-o {target}: is a directory; give a file name such as {example}").format(
                target=target, example=target / name))
        from mlsd.fileio import writable_target

        writable_target(target, f"-o {target}")  # before the simulations run
        if target.exists() and not force:
            from mlsd.errors import OutputExistsError

            raise OutputExistsError(_("{target} already exists; pass --force to overwrite it or -o to pick another file")
                                    .format(target=target))
    try:
        with progress_bar(enabled=not no_simulations and not to_stdout, description=_("running simulations")) as progress:
            context = build_context(sc, session=saved, include_simulations=not no_simulations, progress=progress)
    except KeyboardInterrupt:
        err_console().print("[red]" + _("interrupted; nothing was written") + "[/]")
        raise
    prefix = asset_dir_name(target) if (target is not None and ext == "md") else ""
    doc = render_document(context, fmt=ext, template=template, asset_prefix=prefix)
    if to_stdout:
        typer.echo(doc.text, nl=False)
        if ext == "md" and any(sim["charts"] for sim in context["simulations"]):
            err_console().print(_("note: charts are not included on stdout; use -o FILE.md (SVGs beside it) or --format html"),
                                markup=False)
        return
    written = write_document(doc, target, force=force)
    charts = len(written) - 1
    extra = ngettext(" and {count} chart in {folder}/", " and {count} charts in {folder}/", charts).format(
        count=charts, folder=target.parent / prefix) if charts else ""
    from rich.markup import escape

    wrote = escape(_("wrote {file}")).replace("{file}", f"[bold]{escape(str(target))}[/]")
    err_console().print(wrote + escape(extra))


def register(app: typer.Typer) -> None:
    app.command("render")(render_cmd)
