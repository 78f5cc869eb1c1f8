"""Ranges of numeric options: `Limit`, how it prints, how it checks.

Each simulation parameter declares its range next to its type and default (`range=`
in `mlsd/sims/specs/`); the CLI shows it in `--help` and refuses a value outside it
before anything is imported or run, and the registry gives a scenario's
`simulations:` arguments the same check. Every int and float parameter has a finite
range (a test fails when one is missing), so no option can carry inf, 1e308 or a
30-digit integer into a simulation.

These are the static bounds. A simulation still checks what depends on other options
(`--surge` at most `--servers`, `--pq-m` divides `--dim`) and what depends on memory.
Where a simulation's own check is stricter, the range here is the same or wider, never
narrower, so the CLI never refuses what the simulation would accept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlsd.errors import BadInputError, option_name

MAX_SEED = 2**32 - 1  # numpy and scikit-learn accept seeds in [0, 2**32 - 1]


@dataclass(frozen=True)
class Limit:
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True

    def text(self) -> str:
        """`[0, 1)`, `(0, 4,294,967,295]`: how --help and the error show it."""
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"{left}{number(self.low)}, {number(self.high)}{right}"

    def contains(self, value: float) -> bool:
        if isinstance(value, float) and not math.isfinite(value):
            return False
        above = value > self.low or (self.low_inclusive and value == self.low)
        below = value < self.high or (self.high_inclusive and value == self.high)
        return above and below

    def check(self, name: str, value: float) -> None:
        """Raise BadInputError `--name must be in [a, b], got v` when `value` is outside."""
        if not self.contains(value):
            from mlsd.i18n import _

            raise BadInputError(_("{option} must be in {range}, got {value}").format(
                option=option_name(name), range=self.text(), value=number(value)))


def number(value: float) -> str:
    """`1e+08`, `0.5` as the simulations' own messages write them (`:g`), but exact where
    `:g` would round (4294967296, not 4.29497e+09); never a 10,000-digit string."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"{value:.3e}"
    short = f"{value:g}"
    try:
        exact = float(short) == value
    except OverflowError:
        exact = False
    return short if exact or not math.isfinite(float(value)) else str(value) if isinstance(value, int) else repr(value)


def closed(low: float, high: float) -> Limit:
    return Limit(low, high, True, True)


def above(low: float, high: float) -> Limit:
    """(low, high]: more than `low`."""
    return Limit(low, high, False, True)


def below(low: float, high: float) -> Limit:
    """[low, high): less than `high`."""
    return Limit(low, high, True, False)


def open_(low: float, high: float) -> Limit:
    return Limit(low, high, False, False)


SEED = closed(0, MAX_SEED)
