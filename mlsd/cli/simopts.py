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


MAX_SEED = 2**32 - 1  # numpy and scikit-learn accept seeds in [0, 2**32 - 1]


def _finite(value: Any) -> Any:
    """Reject inf and nan before they reach a simulation (click's FloatRange lets them through)."""
    import math

    values = value if isinstance(value, (list, tuple)) else [value]
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise typer.BadParameter(f"must be a finite number, got {value}")
    return value


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
    if opt.type == "float":
        extra.setdefault("callback", _finite)
    return typer.Option(default, option_name(name), help=help_text, **extra)


def seed_option(help: str = SEED_HELP) -> Any:
    return typer.Option(0, "--seed", help=help, min=0, max=MAX_SEED)


def json_option() -> Any:
    return typer.Option(False, "--json", help=JSON_HELP)


def run(target: str, *, as_json: bool, title: str, **kwargs: Any) -> None:
    """Import `module:function` only now (numpy & co), run it under a progress bar, print it."""
    import importlib

    from mlsd.cli.output import run_and_emit

    module, func = target.split(":")
    run_and_emit(getattr(importlib.import_module(module), func), as_json=as_json, title=title, **kwargs)
