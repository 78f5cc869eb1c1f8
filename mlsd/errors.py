"""The one error hierarchy: library code raises these, the CLI prints one line.

Every message names the bad value and says how to fix it. `exit_code` is what
the CLI exits with: 2 for bad input (a user can fix it), 1 for everything else.
"""

from __future__ import annotations


class MlsdError(Exception):
    """Base of every error mlsd reports to a user without a traceback."""

    exit_code = 1


class BadInputError(MlsdError):
    """A value the user controls (option, file, answer) is wrong."""

    exit_code = 2


class ScenarioError(BadInputError):
    """A scenario file breaks the contract; message is `file:line: field: problem`."""


class UnknownScenarioError(BadInputError):
    """No built-in scenario has that id and no file has that path."""


class TemplateError(BadInputError):
    """A user template failed to parse or render."""


class StoreError(MlsdError):
    """The history database cannot be used (corrupt, locked, newer schema)."""


class OutputExistsError(BadInputError):
    """Refusing to overwrite an existing file without --force."""


def did_you_mean(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean 'x'?)' suffix, or '' when nothing is close."""
    import difflib

    from mlsd.i18n import _

    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return " " + _("(did you mean '{value}'?)").format(value=close[0]) if close else ""


def option_name(name: str) -> str:
    """`mde_relative` -> `--mde-relative`: how the user typed it."""
    return "--" + name.replace("_", "-")


def check_range(
    name: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = False,
    high_inclusive: bool = False,
) -> None:
    """Raise BadInputError naming the option and its valid range."""
    too_low = low is not None and (value < low or (value == low and not low_inclusive))
    too_high = high is not None and (value > high or (value == high and not high_inclusive))
    if value != value or too_low or too_high:  # value != value catches NaN
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        from mlsd.i18n import _

        raise BadInputError(_("{option} must be in {range}, got {value}").format(
            option=option_name(name), range=f"{left}{lo}, {hi}{right}", value=f"{value:g}"))


def check_positive(name: str, value: float) -> None:
    """Shorthand for counts, rates and sizes that must be > 0."""
    check_range(name, value, 0, None)
