"""Registry entries for `mlsd simulate tuning` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="tuning",
        summary="Hyper-parameter search: grid vs random vs successive halving, best score against fits.",
        target="mlsd.sims.tuning:simulate_tuning",
        options=(
            OptionSpec("n_samples", "int", 2400,
                       "Rows in the synthetic tabular task (25% held out for validation; 300 to 1,000,000)."),
            OptionSpec("n_features", "int", 10, "Features per row (4 to 1,000)."),
            OptionSpec("cv", "int", 3, "Cross-validation folds every search uses, in [2, 10]."),
            OptionSpec("random_iter", "int", 8, "Configurations random search samples (at most the grid's 18)."),
            OptionSpec("factor", "int", 3,
                       "Successive halving: keep 1/factor of the candidates per round, factor × the rows, in [2, 10]."),
        ),
    )
]
