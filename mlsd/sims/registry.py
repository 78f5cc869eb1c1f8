"""The catalogue of simulations: one declaration per simulation, read by everything.

A simulation is declared once, in `mlsd/sims/specs/<family>.py` as `SPECS:
list[SimSpec]`: its parameters (type, default, range, unit, help), its `--help`
text, its place in `mlsd simulate`, and any CLI-only extras. The CLI builds
`mlsd simulate` from these declarations (`mlsd.cli.simulate`), the scenario
loader checks a scenario's `simulations:` entries against them, `render` runs them
through `run()` and the command reference is generated from the CLI they build.

Plain data, importable without numpy. Spec modules are discovered: a new module
in `mlsd/sims/specs/` is picked up without being listed anywhere.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import Any

from mlsd.errors import BadInputError, did_you_mean, option_name
from mlsd.i18n import _
from mlsd.limits import SEED, Limit, number

SPEC_PACKAGE = "mlsd.sims.specs"
SEED_HELP = "Random seed: same seed, same numbers."

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "choice": (str,),
    "list": (list, tuple),
    "file": (str,),  # a path; read and parsed at the edge (`load_files`), never by the simulation
}


@dataclass(frozen=True)
class OptionSpec:
    """One parameter of a simulation, named as in Python (`daily_traffic` ↔ `--daily-traffic`).

    `range` is required for int and float parameters (a test checks it): the CLI shows it
    in `--help` and refuses a value outside it before any work, and `check_args` applies
    it to a scenario's arguments. `unit` names what the number counts (ms, minutes, …);
    `metavar` replaces `<type>` in `--help`. A "file" parameter is a path the user gives
    ("" for none): the edge reads it (at most `max_bytes`) and `parse` ("module:function",
    called with the text and the path) turns it into what the simulation receives, so
    simulations never open files.
    """

    name: str
    type: str  # one of _TYPES
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    range: Limit | None = None
    unit: str = ""
    metavar: str = ""
    max_bytes: int = 0
    parse: str = ""

    def check(self, value: Any) -> str | None:
        """None when `value` fits this option, else what is wrong with it."""
        if self.type in ("int", "float") and isinstance(value, bool):
            return _("expected a number, got {value}").format(value=repr(value))
        if not isinstance(value, _TYPES[self.type]):
            return _("expected {type}, got {kind} {value}").format(
                type=self.type, kind=type(value).__name__, value=repr(value))
        if self.type == "float" and not math.isfinite(value):
            return _("expected a finite number, got {value}").format(value=repr(value))
        if self.type == "choice" and value not in self.choices:
            return _("expected one of {choices}, got {value}").format(choices=", ".join(self.choices), value=repr(value))
        if self.type == "list" and self.choices:
            bad = [v for v in value if v not in self.choices]
            if bad:
                return _("unknown value {value}; expected items of {choices}").format(
                    value=repr(bad[0]), choices=", ".join(self.choices))
        if self.range is not None and not self.range.contains(value):
            return _("expected a value in {range}, got {value}").format(range=self.range.text(), value=number(value))
        return None


@dataclass(frozen=True)
class SimSpec:
    """A runnable simulation: `mlsd simulate <name>` and a scenario's `simulations:`.

    A name with a space ("ab-test peeking") is a subcommand of the simulation named by
    its first word, which becomes a command group whose own options run it.
    """

    name: str  # the command path after `mlsd simulate`, e.g. "ab-test" or "ab-test peeking"
    summary: str  # one line, for scenarios and the design doc
    target: str  # "module:function", called with **args, seed=…, progress=…
    options: tuple[OptionSpec, ...]
    default_seed: int = 0
    title: str = ""  # the heading above the terminal output
    doc: str = ""  # the command's --help (first line: its line in `mlsd simulate --help`)
    order: int = 100  # its place in `mlsd simulate --help` (groups come after commands)
    seed_help: str = SEED_HELP
    # CLI-only options that are not simulation arguments (monitor's `--serve`, `--port`,
    # `--grafana-dashboard`): shown in --help, handled by the CLI (`mlsd.cli.simulate`).
    extras: tuple[OptionSpec, ...] = ()

    @property
    def cli_only(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.extras)

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


def spec_modules() -> list[str]:
    """The spec modules: every module of the `mlsd.sims.specs` package, found on its path."""
    package = importlib.import_module(SPEC_PACKAGE)
    return sorted(f"{SPEC_PACKAGE}.{m.name}" for m in pkgutil.iter_modules(package.__path__))


@cache
def all_specs() -> dict[str, SimSpec]:
    """Every declared simulation by name (imports only the small spec modules)."""
    specs: dict[str, SimSpec] = {}
    for module_name in spec_modules():
        module = importlib.import_module(module_name)
        for spec in module.SPECS:
            if spec.name in specs:
                raise RuntimeError(f"simulation {spec.name!r} registered twice")
            specs[spec.name] = spec
    return specs


def limit(sim: str, name: str) -> Limit | None:
    """The range of option `name` of simulation `sim` (its extras too), or None."""
    if name == "seed":
        return SEED
    spec = all_specs().get(sim)
    opt = next((o for o in (*spec.options, *spec.extras) if o.name == name), None) if spec else None
    return opt.range if opt else None


def get_spec(name: str) -> SimSpec:
    specs = all_specs()
    if name not in specs:
        raise BadInputError(
            _("unknown simulation {name}{hint}; known: {known}").format(
                name=repr(name), hint=did_you_mean(name, list(specs)), known=", ".join(sorted(specs)))
            if specs else _("unknown simulation {name}; known: none yet").format(name=repr(name))
        )
    return specs[name]


def check_args(spec: SimSpec, args: dict[str, Any]) -> tuple[str, str] | None:
    """(option, problem) for the first bad argument, or None when all fit."""
    for key, value in args.items():
        if key == "seed":  # every simulation takes a seed; a scenario may pin it
            if isinstance(value, bool) or not isinstance(value, int) or not SEED.contains(value):
                return key, _("--seed: expected a whole number in {range}, got {value}").format(
                    range=SEED.text(), value=repr(value))
            continue
        opt = spec.option(key)
        if opt is None:
            known = [o.name for o in spec.options]
            if not known:
                return key, _("unknown option {key} for simulation {name}; options: none").format(
                    key=repr(key), name=repr(spec.name))
            return key, _("unknown option {key} for simulation {name}{hint}; options: {options}").format(
                key=repr(key), name=repr(spec.name), hint=did_you_mean(key, known), options=", ".join(known))
        problem = opt.check(value)
        if problem:
            return key, f"{option_name(key)}: {problem}"
    return None


def load_files(spec: SimSpec, args: dict[str, Any]) -> dict[str, Any]:
    """`args` with each "file" parameter read and parsed (None when no path is given)."""
    loaded = dict(args)
    for opt in spec.options:
        if opt.type != "file" or opt.name not in loaded:
            continue
        path = loaded[opt.name]
        if not path:
            loaded[opt.name] = None
            continue
        from mlsd.fileio import read_user_text

        text = read_user_text(path, f"{option_name(opt.name)} {path}", opt.max_bytes)
        module_name, func_name = opt.parse.split(":")
        loaded[opt.name] = getattr(importlib.import_module(module_name), func_name)(text, path)
    return loaded


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
    full = load_files(spec, {**spec.defaults(), **args})
    return func(**full, seed=seed, progress=progress)
