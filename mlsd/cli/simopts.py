"""Options of `mlsd simulate` commands, taken from the registry so they cannot drift.

A command declares `n_users: int = option("ranking", "n_users")`: the flag
(`--n-users`), the default and the help text all come from the simulation's
`SimSpec`, the same data the scenario loader and `render` use.
"""

from __future__ import annotations

from typing import Any

import typer

from mlsd.errors import option_name

SEED_HELP = "Random seed: same seed, same numbers."
JSON_HELP = "Print the result as JSON on stdout (nothing else is printed there)."


def option(sim: str, name: str, **extra: Any) -> Any:
    """A typer option for option `name` of simulation `sim`."""
    from mlsd.registry import get_spec

    spec = get_spec(sim)
    opt = spec.option(name)
    if opt is None:
        raise RuntimeError(f"simulation {sim!r} has no option {name!r} in its SimSpec")
    default = list(opt.default) if opt.type == "list" else opt.default
    help_text = opt.help
    if opt.choices and not all(c in help_text for c in opt.choices):
        help_text = f"{help_text.rstrip('.')}: {', '.join(opt.choices)}."
    return typer.Option(default, option_name(name), help=help_text, **extra)


def seed_option(help: str = SEED_HELP) -> Any:
    return typer.Option(0, "--seed", help=help)


def json_option() -> Any:
    return typer.Option(False, "--json", help=JSON_HELP)


def run(target: str, *, as_json: bool, title: str, **kwargs: Any) -> None:
    """Import `module:function` only now (numpy & co), run it under a progress bar, print it."""
    import importlib

    from mlsd.cli.output import run_and_emit

    module, func = target.split(":")
    run_and_emit(getattr(importlib.import_module(module), func), as_json=as_json, title=title, **kwargs)
