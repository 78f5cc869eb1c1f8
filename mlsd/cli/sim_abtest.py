"""Subcommands of `mlsd simulate` for one group of simulations."""

from __future__ import annotations

import typer


def register(group: typer.Typer) -> None:
    """Add this module's subcommands to the `simulate` group."""
