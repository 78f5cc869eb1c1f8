"""Registry entry for `mlsd simulate ranking` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="ranking",
        summary="Feed ranking on position-biased logs: naive vs IPW vs position feature, cold start, MMR, multi-task.",
        target="mlsd.sims.ranking:simulate_ranking",
        options=(
            OptionSpec("n_users", "int", 2000, "Users in the synthetic world (at least 200)."),
            OptionSpec("n_items", "int", 500, "Items in the catalogue (at least 200; 10% are held back as new items)."),
            OptionSpec("sessions", "int", 3, "Logged training sessions (lists of 10) per user."),
            OptionSpec("position_bias", "float", 1.0, "η in P(examine position k) = 1/k^η, in [0, 3]; 0 means no position bias."),
        ),
    )
]
