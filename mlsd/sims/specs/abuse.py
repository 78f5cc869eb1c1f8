"""Registry entry for `mlsd simulate abuse` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="abuse",
        summary="Abuse detection: review-queue precision@k under adaptive drift, label noise, weighting vs undersampling.",
        target="mlsd.sims.abuse:simulate_abuse",
        options=(
            OptionSpec("n_accounts", "int", 20000, "New accounts per period (at least 1,000)."),
            OptionSpec("abuse_rate", "float", 0.005, "Share of accounts that are abusers, in (0, 0.5); real systems see 0.001-0.01."),
            OptionSpec("label_noise", "float", 0.1, "Share of abusers human review misses (as many innocent accounts get flagged), in [0, 0.5)."),
            OptionSpec("drift", "float", 0.2, "How fast abusers move from old to new signals per period, in [0, 1]."),
            OptionSpec("periods", "int", 10, "Periods (weeks) to simulate after the first, 2 to 200."),
            OptionSpec("queue_capacity", "int", 100, "Accounts the review team can check per period (the k of precision@k)."),
        ),
    )
]
