"""Registry entries for distributed training: sync vs async SGD, data and model parallelism (plain data)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="training",
        summary="Real SGD with N simulated workers: sync vs async, all-reduce vs parameter server, model parallelism.",
        target="mlsd.sims.training:simulate_training",
        options=(
            OptionSpec("workers", "int", 8, "Data-parallel workers."),
            OptionSpec("epochs", "int", 3, "Passes over the training data."),
            OptionSpec("samples", "int", 20_000, "Training examples of the logistic-regression problem."),
            OptionSpec("features", "int", 50, "Features per example (the first is the intercept)."),
            OptionSpec("batch_size", "int", 32, "Examples per worker per mini-batch."),
            OptionSpec("lr", "float", 0.5, "SGD learning rate."),
            OptionSpec("compute_ms", "float", 100.0, "Simulated time one worker spends on one mini-batch, in ms."),
            OptionSpec("straggler_prob", "float", 0.1, "Chance a mini-batch lands on a straggling worker, in [0, 1)."),
            OptionSpec("straggler_slowdown", "float", 4.0, "How many times slower a straggler is."),
            OptionSpec("model_mb", "float", 25.0, "Gradient size exchanged per step, in MB (the timing model's model)."),
            OptionSpec("bandwidth_gbps", "float", 10.0, "Link bandwidth between workers and servers, in Gb/s."),
            OptionSpec("ps_shards", "int", 8, "Parameter-server shards (the RPC-based design)."),
            OptionSpec("params_billion", "float", 7.0, "Model-parallel part: parameters of a large model, in billions."),
            OptionSpec("device_gb", "float", 80.0, "Model-parallel part: memory of one accelerator, in GB."),
        ),
    )
]
