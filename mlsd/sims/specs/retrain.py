"""Declaration for `mlsd simulate retrain` (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='retrain',
        summary='Retraining under concept drift: never, periodic full, incremental, full + incremental.',
        target='mlsd.sims.retrain:simulate_retrain',
        title='Retraining',
        order=9,
        doc="""Retraining under concept drift: never, daily/weekly/monthly full, incremental, both.

        A labelled stream whose true concept rotates a little every day and jumps at
        sudden drifts. Each strategy trains a real SGD logistic regression and
        predicts each day with the model trained up to the day before; the table
        shows accuracy (overall, right after drifts, worst day) against compute
        (examples processed), and which strategy the numbers favour — including the
        seed's 全量 + 增量 (full + incremental).
        """,
        options=(
            OptionSpec('days', 'int', 120, 'Days in the stream (the first --warmup-days only train).', range=above(0, 1000), unit='days'),
            OptionSpec('samples_per_day', 'int', 300, 'Labelled examples arriving per day.', range=above(0, 10**6)),
            OptionSpec('n_features', 'int', 10, 'Features per example (at least 2).', range=closed(2, 200)),
            OptionSpec('gradual_drift_deg', 'float', 1.0, 'Gradual drift: degrees the true weight vector rotates per day, in [0, 180].', range=closed(0, 180), unit='degrees'),
            OptionSpec('sudden_drifts', 'int', 2, 'Sudden drifts: jumps to a new concept, evenly spaced over the evaluated days.', range=closed(0, 100)),
            OptionSpec('warmup_days', 'int', 14, 'Days of data the first model is trained on.', range=above(0, 1000), unit='days'),
            OptionSpec('window_days', 'int', 14, 'Days of most recent data a full retrain uses.', range=above(0, 365), unit='days'),
            OptionSpec('epochs', 'int', 5, 'Passes over the window in a full retrain.', range=above(0, 100)),
            OptionSpec('learning_rate', 'float', 0.01, 'Constant SGD learning rate (full and incremental).', range=above(0, 10)),
        ),
    )
]
