"""Registry entries for this simulation family (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec  # noqa: F401

SPECS: list[SimSpec] = []
