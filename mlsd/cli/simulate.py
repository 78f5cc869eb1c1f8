"""`mlsd simulate`: the group; each family's module adds its subcommands."""

from __future__ import annotations

import typer

simulate_app = typer.Typer(
    name="simulate",
    help="Run small, seeded, runnable models of an ML system and get real numbers.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    from mlsd.cli import (
        sim_abtest,
        sim_data,
        sim_monitor,
        sim_retrieval,
        sim_scenarios,
        sim_serving,
    )

    for module in (sim_abtest, sim_scenarios, sim_retrieval, sim_monitor, sim_serving, sim_data):
        module.register(simulate_app)
    app.add_typer(simulate_app, name="simulate")
