"""Declaration for `mlsd simulate abuse` (plain data, no numpy)."""

from mlsd.limits import below, closed, open_
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='abuse',
        summary='Abuse detection: review-queue precision@k under adaptive drift, label noise, weighting vs undersampling.',
        target='mlsd.sims.abuse:simulate_abuse',
        title='Abuse detection',
        order=2,
        doc="""Abuse detection: a fixed-size review queue as abusers adapt, with noisy labels.

        Each period brings new accounts with a small share of abusers who drift
        away from the signals that gave them away. Labels come from noisy human
        review. Reports precision@k and recall of a review queue of fixed capacity
        for a model never retrained, retrained once and retrained every period; the
        effect of label noise; and class weighting vs undersampling.
        """,
        options=(
            OptionSpec('n_accounts', 'int', 20_000, 'New accounts per period (at least 1,000).', range=closed(1000, 10**15)),
            OptionSpec('abuse_rate', 'float', 0.005, 'Share of accounts that are abusers, in (0, 0.5); real systems see 0.001-0.01.', range=open_(0, 0.5)),
            OptionSpec('label_noise', 'float', 0.1, 'Share of abusers human review misses (as many innocent accounts get flagged), in [0, 0.5).', range=below(0, 0.5)),
            OptionSpec('drift', 'float', 0.2, 'How fast abusers move from old to new signals per period, in [0, 1].', range=closed(0, 1)),
            OptionSpec('periods', 'int', 10, 'Periods (weeks) to simulate after the first, 2 to 200.', range=closed(2, 200)),
            OptionSpec('queue_capacity', 'int', 100, 'Accounts the review team can check per period (the k of precision@k).', range=closed(1, 10**8)),
        ),
    )
]
