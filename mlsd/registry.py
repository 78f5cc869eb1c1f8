"""The catalogue of simulations: names, options and where the code lives.

Plain data, importable without numpy: the scenario loader checks a scenario's
`simulations:` entries against it, `render` runs them through `run()`, and a
test checks each entry's options equal the CLI command's options.

Each simulation family declares its entries in `mlsd/sims/specs/<family>.py`
as `SPECS: list[SimSpec]`; this module gathers them.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from mlsd.errors import BadInputError, did_you_mean, option_name
from mlsd.limits import SEED, limit, number

_FAMILIES = (
    "abtest",
    "ranking",
    "churn",
    "abuse",
    "retrieval",
    "monitor",
    "serving",
    "rollout",
    "features",
    "retrain",
    "training",
    "tuning",
)

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "choice": (str,),
    "list": (list, tuple),
}


@dataclass(frozen=True)
class OptionSpec:
    """One option of a simulation, named as in Python (`daily_traffic`)."""

    name: str
    type: str  # one of _TYPES
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> str | None:
        """None when `value` fits this option, else what is wrong with it."""
        if self.type in ("int", "float") and isinstance(value, bool):
            return f"expected a number, got {value!r}"
        if not isinstance(value, _TYPES[self.type]):
            return f"expected {self.type}, got {type(value).__name__} {value!r}"
        if self.type == "float" and not math.isfinite(value):
            return f"expected a finite number, got {value!r}"
        if self.type == "choice" and value not in self.choices:
            return f"expected one of {', '.join(self.choices)}, got {value!r}"
        if self.type == "list" and self.choices:
            bad = [v for v in value if v not in self.choices]
            if bad:
                return f"unknown value {bad[0]!r}; expected items of {', '.join(self.choices)}"
        return None


@dataclass(frozen=True)
class SimSpec:
    """A runnable simulation: `mlsd simulate <name>` and a scenario's `simulations:`."""

    name: str  # the command path after `mlsd simulate`, e.g. "ab-test" or "ab-test peeking"
    summary: str
    target: str  # "module:function", called with **args, seed=…, progress=…
    options: tuple[OptionSpec, ...]
    default_seed: int = 0
    # CLI options that are not simulation arguments (e.g. `--serve`, `--port`,
    # `--grafana-dashboard`): the CLI/registry consistency test skips these.
    cli_only: tuple[str, ...] = ()

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


@cache
def all_specs() -> dict[str, SimSpec]:
    """Every registered simulation by name (imports only the small spec modules)."""
    specs: dict[str, SimSpec] = {}
    for family in _FAMILIES:
        module = importlib.import_module(f"mlsd.sims.specs.{family}")
        for spec in module.SPECS:
            if spec.name in specs:
                raise RuntimeError(f"simulation {spec.name!r} registered twice")
            specs[spec.name] = spec
    return specs


def get_spec(name: str) -> SimSpec:
    specs = all_specs()
    if name not in specs:
        raise BadInputError(
            f"unknown simulation {name!r}{did_you_mean(name, list(specs))}; "
            f"known: {', '.join(sorted(specs)) or 'none yet'}"
        )
    return specs[name]


def check_args(spec: SimSpec, args: dict[str, Any]) -> tuple[str, str] | None:
    """(option, problem) for the first bad argument, or None when all fit."""
    for key, value in args.items():
        if key == "seed":  # every simulation takes a seed; a scenario may pin it
            if isinstance(value, bool) or not isinstance(value, int) or not SEED.contains(value):
                return key, f"--seed: expected a whole number in {SEED.text()}, got {value!r}"
            continue
        opt = spec.option(key)
        if opt is None:
            known = [o.name for o in spec.options]
            return key, (
                f"unknown option {key!r} for simulation {spec.name!r}{did_you_mean(key, known)}; "
                f"options: {', '.join(known) or 'none'}"
            )
        problem = opt.check(value)
        bounds = limit(spec.name, key)
        if not problem and bounds is not None and not bounds.contains(value):
            problem = f"expected a value in {bounds.text()}, got {number(value)}"
        if problem:
            return key, f"{option_name(key)}: {problem}"
    return None


def run(name: str, args: dict[str, Any] | None = None, *, seed: int | None = None, progress=None):
    """Run a registered simulation with scenario-style args; returns its SimResult."""
    spec = get_spec(name)
    args = dict(args or {})
    bad = check_args(spec, args)
    if bad:
        raise BadInputError(bad[1])
    module_name, func_name = spec.target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    pinned = args.pop("seed", None)
    if seed is None:
        seed = spec.default_seed if pinned is None else pinned
    full = {**spec.defaults(), **args}
    return func(**full, seed=seed, progress=progress)
