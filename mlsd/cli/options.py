"""Typer options built from declarations: a range in --help and checked before any work.

`spec_option` turns one `OptionSpec` of a simulation (`mlsd/sims/specs/`) into a typer
option: the flag (`daily_traffic` → `--daily-traffic`), default, help and range all
come from the declaration, the same data the scenario loader and `render` use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from mlsd.errors import option_name
from mlsd.limits import SEED, Limit
from mlsd.sims.registry import SEED_HELP, OptionSpec

JSON_HELP = "Print the result as JSON on stdout (nothing else is printed there)."

# The Python type a declared option arrives as.
ANNOTATIONS: dict[str, Any] = {
    "int": int,
    "float": float,
    "str": str,
    "choice": str,
    "bool": bool,
    "list": list[str],
    "file": str,  # the path; read and parsed by `mlsd.sims.registry.load_files`
}


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


def spec_option(opt: OptionSpec, where: str) -> Any:
    """The typer option for a declared option (`where` names its simulation in errors)."""
    default = list(opt.default) if opt.type == "list" else opt.default
    help_text = opt.help
    if opt.choices and not all(c in help_text for c in opt.choices):
        help_text = f"{help_text.rstrip('.')}: {', '.join(opt.choices)}."
    extra = {"metavar": opt.metavar} if opt.metavar else {}
    if opt.type in ("int", "float"):
        if opt.range is None:
            raise RuntimeError(f"option {opt.name!r} of simulation {where!r} declares no range")
        return ranged_option(default, option_name(opt.name), limit=opt.range, help=help_text, **extra)
    return typer.Option(default, option_name(opt.name), help=help_text, **extra)


def seed_option(help: str = SEED_HELP) -> Any:
    return ranged_option(0, "--seed", limit=SEED, help=help)


def json_option() -> Any:
    return typer.Option(False, "--json", help=JSON_HELP)
