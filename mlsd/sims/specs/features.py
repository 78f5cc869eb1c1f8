"""Declaration for `mlsd simulate features` (plain data, no numpy)."""

from mlsd.limits import above, below, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='features',
        summary='Point-in-time joins vs leaks, training-serving skew, feature staleness, a cached feature store.',
        target='mlsd.sims.features:simulate_features',
        title='Features',
        order=8,
        doc="""Feature pipelines: point-in-time joins, training-serving skew, staleness, a cached store.

        One synthetic world of users whose interest drifts, with logged requests and
        clicks, answers four questions with real joins (pandas `merge_asof`) and real
        models (logistic regression): how much a naive latest-value join leaks the
        label (offline AUC up, online AUC down); what a missing-value default
        implemented differently online does (training-serving skew, the source notes'
        线上线下不一致); how feature staleness (daily batch vs real time) costs AUC;
        and how a cache in front of the online feature store trades size for hit rate
        and latency (checked against Che's approximation for LRU).
        """,
        options=(
            OptionSpec('n_users', 'int', 2000, 'Users in the synthetic world (at least 50; refused when it would not fit in memory).', range=closed(50, 10**15)),
            OptionSpec('days', 'int', 14, 'Days of logged requests (at most 120).', range=closed(2, 120), unit='days'),
            OptionSpec('train_days', 'int', 10, 'Days used for training; the rest is the online period (less than --days).', range=closed(1, 119), unit='days'),
            OptionSpec('events_per_user_per_day', 'float', 4.0, 'Mean requests per user per day.', range=above(0, 1e9)),
            OptionSpec('interest_halflife_hours', 'float', 12.0, "Half-life of a user's drifting interest: shorter makes stale features worse.", range=above(0, 1e6), unit='hours'),
            OptionSpec('new_user_share', 'float', 0.2, 'Share of users who sign up during the online period (no history), in [0, 1).', range=below(0, 1)),
            OptionSpec('zipf_exponent', 'float', 1.0, 'Skew of feature-store lookups over keys (Zipf exponent, > 0): higher caches better.', range=above(0, 20)),
            OptionSpec('cache_hit_ms', 'float', 0.5, 'Latency of a feature lookup served by the cache, in ms.', range=above(0, 3_600_000), unit='ms'),
            OptionSpec('store_ms', 'float', 5.0, 'Median latency of a lookup in the online feature store (lognormal), in ms.', range=above(0, 3_600_000), unit='ms'),
        ),
    )
]
