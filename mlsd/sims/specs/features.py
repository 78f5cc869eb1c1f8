"""Registry entries for `mlsd simulate features` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="features",
        summary="Point-in-time joins vs leaks, training-serving skew, feature staleness, a cached feature store.",
        target="mlsd.sims.features:simulate_features",
        options=(
            OptionSpec("n_users", "int", 2000, "Users in the synthetic world (at least 50; refused when it would not fit in memory)."),
            OptionSpec("days", "int", 14, "Days of logged requests (at most 120)."),
            OptionSpec("train_days", "int", 10,
                       "Days used for training; the rest is the online period (less than --days)."),
            OptionSpec("events_per_user_per_day", "float", 4.0, "Mean requests per user per day."),
            OptionSpec("interest_halflife_hours", "float", 12.0,
                       "Half-life of a user's drifting interest: shorter makes stale features worse."),
            OptionSpec("new_user_share", "float", 0.2,
                       "Share of users who sign up during the online period (no history), in [0, 1)."),
            OptionSpec("zipf_exponent", "float", 1.0,
                       "Skew of feature-store lookups over keys (Zipf exponent, > 0): higher caches better."),
            OptionSpec("cache_hit_ms", "float", 0.5, "Latency of a feature lookup served by the cache, in ms."),
            OptionSpec("store_ms", "float", 5.0,
                       "Median latency of a lookup in the online feature store (lognormal), in ms."),
        ),
    )
]
