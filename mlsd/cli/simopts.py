"""Options of `mlsd simulate` commands, taken from the registry so they cannot drift.

A command declares `n_users: int = option("ranking", "n_users")`: the flag
(`--n-users`), the default and the help text all come from the simulation's
`SimSpec`, the same data the scenario loader and `render` use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from mlsd.errors import option_name
from mlsd.limits import SEED, Limit, limit

SEED_HELP = "Random seed: same seed, same numbers."
JSON_HELP = "Print the result as JSON on stdout (nothing else is printed there)."


def with_range(help_text: str, limit: Limit) -> str:
    """The help text ending in the option's range, unless it already names it."""
    if limit.text() in help_text:
        return help_text
    return f"{help_text.rstrip()} Range {limit.text()}."


def range_check(name: str, limit: Limit) -> Callable[[Any], Any]:
    """A typer callback refusing a value outside `limit` (also nan and inf) before any work.

    It raises BadInputError, which `mlsd.cli.main` prints as one line with exit 2:
    `--seed must be in [0, 4294967295], got -1`."""

    def check(value: Any) -> Any:
        if value is not None:
            limit.check(name, value)
        return value

    return check


def ranged_option(default: Any, flag: str, *, limit: Limit, help: str, **extra: Any) -> Any:
    """A numeric option of any command: its range in --help, checked before the command runs."""
    name = flag.lstrip("-").replace("-", "_")
    return typer.Option(default, flag, help=with_range(help, limit), callback=range_check(name, limit), **extra)


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
    if opt.type in ("int", "float"):
        bounds = limit(sim, name)
        if bounds is None:
            raise RuntimeError(f"option {name!r} of simulation {sim!r} has no range in mlsd.limits")
        return ranged_option(default, option_name(name), limit=bounds, help=help_text, **extra)
    return typer.Option(default, option_name(name), help=help_text, **extra)


def seed_option(help: str = SEED_HELP) -> Any:
    return ranged_option(0, "--seed", limit=SEED, help=help)


def json_option() -> Any:
    return typer.Option(False, "--json", help=JSON_HELP)


def run(target: str, *, as_json: bool, title: str, **kwargs: Any) -> None:
    """Import `module:function` only now (numpy & co), run it under a progress bar, print it."""
    import importlib

    from mlsd.cli.output import run_and_emit

    module, func = target.split(":")
    run_and_emit(getattr(importlib.import_module(module), func), as_json=as_json, title=title, **kwargs)
