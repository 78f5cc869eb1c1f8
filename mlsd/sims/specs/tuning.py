"""Declaration for `mlsd simulate tuning` (plain data, no numpy)."""

from mlsd.limits import closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='tuning',
        summary='Hyper-parameter search: grid vs random vs successive halving, best score against fits.',
        target='mlsd.sims.tuning:simulate_tuning',
        title='Hyper-parameter tuning',
        order=10,
        doc="""Hyper-parameter search: grid vs random vs successive halving, score against fits.

        Tunes one decision-tree classifier with scikit-learn's GridSearchCV,
        RandomizedSearchCV and HalvingGridSearchCV over the same space and folds,
        then scores each chosen model on a held-out split: best validation AUC
        against fits spent, and when each search is worth it (the source notes' "soft"
        AutoML; architecture search, NAS, is the expensive end).
        """,
        options=(
            OptionSpec('n_samples', 'int', 2400, 'Rows in the synthetic tabular task (25% held out for validation; 300 to 1,000,000).', range=closed(300, 10**6)),
            OptionSpec('n_features', 'int', 10, 'Features per row (4 to 1,000).', range=closed(4, 1000)),
            OptionSpec('cv', 'int', 3, 'Cross-validation folds every search uses, in [2, 10].', range=closed(2, 10)),
            OptionSpec('random_iter', 'int', 8, "Configurations random search samples (at most the grid's 18).", range=closed(1, 18)),
            OptionSpec('factor', 'int', 3, 'Successive halving: keep 1/factor of the candidates per round, factor × the rows, in [2, 10].', range=closed(2, 10)),
        ),
    )
]
