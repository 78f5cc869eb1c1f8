"""`mlsd simulate`: built from the simulations' declarations, one command each.

Nothing here names a simulation: every `SimSpec` in `mlsd/sims/specs/` becomes a
command (`ab-test plan` a subcommand of the `ab-test` group) whose options, defaults,
ranges and help come from the declaration. The command imports its simulation only
when it runs (numpy & co stay out of `mlsd --help`), runs it under a progress bar and
prints its tables, or `to_dict()` with `--json`. A simulation with CLI-only extras
(monitor's `--serve`) names a handler in `EXTRA_HANDLERS`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import typer

from mlsd.cli.options import ANNOTATIONS, json_option, seed_option, spec_option
from mlsd.sims.registry import SimSpec, all_specs, load_files

HELP = "Run small, seeded, runnable models of an ML system and get real numbers."

# spec name -> "module:function" taking (spec, args, *, seed, as_json, **extras): the CLI
# behaviour of a simulation's extras. Plain strings: imported only when the command runs.
EXTRA_HANDLERS: dict[str, str] = {"monitor": "mlsd.cli.monitor_live:run_monitor"}


def run_simulation(spec: SimSpec, args: dict[str, Any], *, seed: int, as_json: bool) -> None:
    """Import the simulation only now (numpy & co), run it under a progress bar, print it."""
    from mlsd.cli.output import run_and_emit
    from mlsd.i18n import _

    module, func = spec.target.split(":")
    run_and_emit(getattr(importlib.import_module(module), func), as_json=as_json, title=_(spec.title),
                 **args, seed=seed)


def _invoke(spec: SimSpec, values: dict[str, Any]) -> None:
    as_json = values.pop("json_")
    seed = values.pop("seed")
    extras = {o.name: values.pop(o.name) for o in spec.extras}
    args = {o.name: list(values[o.name]) if o.type == "list" else values[o.name] for o in spec.options}
    args = load_files(spec, args)  # files are read and parsed here, at the edge
    if spec.extras:
        module, func = EXTRA_HANDLERS[spec.name].split(":")
        handler = getattr(importlib.import_module(module), func)
        handler(spec, args, seed=seed, as_json=as_json, **extras)
    else:
        run_simulation(spec, args, seed=seed, as_json=as_json)


def command_function(spec: SimSpec, *, group: bool = False) -> Callable[..., None]:
    """A function whose signature typer reads: the declared options, extras, --seed, --json."""
    params = [
        inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=spec_option(o, spec.name),
                          annotation=ANNOTATIONS[o.type])
        for o in (*spec.options, *spec.extras)
    ]
    params.append(inspect.Parameter("seed", inspect.Parameter.KEYWORD_ONLY,
                                    default=seed_option(spec.seed_help), annotation=int))
    params.append(inspect.Parameter("json_", inspect.Parameter.KEYWORD_ONLY, default=json_option(),
                                    annotation=bool))
    if group:  # a group's own options run it only when no subcommand is named
        params.insert(0, inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                           annotation=typer.Context))

    def command(ctx: typer.Context | None = None, **values: Any) -> None:
        if ctx is not None and ctx.invoked_subcommand is not None:
            return
        _invoke(spec, values)

    command.__name__ = spec.name.replace(" ", "_").replace("-", "_") + "_cmd"
    command.__doc__ = spec.doc or spec.summary
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def build(specs: Iterable[SimSpec]) -> typer.Typer:
    """The `simulate` group: one command per spec; a spec with subcommands, a group."""
    specs = sorted(specs, key=lambda s: s.order)
    app = typer.Typer(name="simulate", help=HELP, no_args_is_help=True)
    parents = {s.name.split(" ")[0] for s in specs if " " in s.name}
    for spec in specs:
        if " " in spec.name:
            continue
        if spec.name not in parents:
            app.command(spec.name)(command_function(spec))
            continue
        sub = typer.Typer(name=spec.name, invoke_without_command=True, no_args_is_help=False)
        sub.callback(invoke_without_command=True)(command_function(spec, group=True))
        for child in specs:
            if child.name.startswith(spec.name + " "):
                sub.command(child.name.split(" ", 1)[1])(command_function(child))
        app.add_typer(sub, name=spec.name)
    return app


def register(app: typer.Typer) -> None:
    app.add_typer(build(all_specs().values()), name="simulate")
