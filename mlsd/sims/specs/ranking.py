"""Declaration for `mlsd simulate ranking` (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='ranking',
        summary='Feed ranking on position-biased logs: naive vs IPW vs position feature, cold start, MMR, multi-task.',
        target='mlsd.sims.ranking:simulate_ranking',
        title='Feed ranking',
        order=0,
        doc="""Feed ranking on position-biased click logs, scored against the true relevance.

        Builds users and items with known relevance, logs lists of 10 from an old
        ranker that boosts fresh items, with clicks = examination (1/rank^η) ×
        relevance. Trains popularity, logistic regression and gradient-boosted trees
        naively, with inverse-propensity weights (propensities estimated from 5% of
        randomised lists) and with position as a feature fixed at serving. Reports
        logged AUC, log loss and calibration error next to NDCG@10 against the true
        relevance; then cold start for new users and items with the fallback the
        numbers favour, an MMR λ table (relevance vs diversity) and a two-head
        (click, long dwell) trade-off.
        """,
        options=(
            OptionSpec('n_users', 'int', 2000, 'Users in the synthetic world (at least 200).', range=closed(200, 10**15)),
            OptionSpec('n_items', 'int', 500, 'Items in the catalogue (at least 200; 10% are held back as new items).', range=closed(200, 10**15)),
            OptionSpec('sessions', 'int', 3, 'Logged training sessions (lists of 10) per user.', range=above(0, 50)),
            OptionSpec('position_bias', 'float', 1.0, 'η in P(examine position k) = 1/k^η, in [0, 3]; 0 means no position bias.', range=closed(0, 3)),
        ),
    )
]
