"""Registry entries for `mlsd simulate retrain` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="retrain",
        summary="Retraining under concept drift: never, periodic full, incremental, full + incremental.",
        target="mlsd.sims.retrain:simulate_retrain",
        options=(
            OptionSpec("days", "int", 120, "Days in the stream (the first --warmup-days only train)."),
            OptionSpec("samples_per_day", "int", 300, "Labelled examples arriving per day."),
            OptionSpec("n_features", "int", 10, "Features per example (at least 2)."),
            OptionSpec("gradual_drift_deg", "float", 1.0,
                       "Gradual drift: degrees the true weight vector rotates per day, in [0, 180]."),
            OptionSpec("sudden_drifts", "int", 2,
                       "Sudden drifts: jumps to a new concept, evenly spaced over the evaluated days."),
            OptionSpec("warmup_days", "int", 14, "Days of data the first model is trained on."),
            OptionSpec("window_days", "int", 14, "Days of most recent data a full retrain uses."),
            OptionSpec("epochs", "int", 5, "Passes over the window in a full retrain."),
            OptionSpec("learning_rate", "float", 0.01, "Constant SGD learning rate (full and incremental)."),
        ),
    )
]
