"""Declaration for distributed training: sync vs async SGD, data and model parallelism (plain data)."""

from mlsd.limits import above, below, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='training',
        summary='Real SGD with N simulated workers: sync vs async, all-reduce vs parameter server, model parallelism.',
        target='mlsd.sims.training:simulate_training',
        title='Distributed training',
        order=7,
        doc="""Real SGD with N simulated workers: synchronous vs asynchronous, all-reduce vs parameter server.

        Trains logistic regression with real gradients on a simulated clock:
        synchronous SGD waits for the slowest worker and then ring-all-reduces,
        asynchronous SGD lets a parameter server apply stale gradients as they
        arrive. Shows loss against simulated wall-clock, epoch times, staleness,
        the data-parallel speed-up of ring all-reduce vs a parameter server, and
        how a model too big for one device splits across devices.
        """,
        options=(
            OptionSpec('workers', 'int', 8, 'Data-parallel workers.', range=closed(1, 1024)),
            OptionSpec('epochs', 'int', 3, 'Passes over the training data.', range=closed(1, 50)),
            OptionSpec('samples', 'int', 20_000, 'Training examples of the logistic-regression problem.', range=closed(100, 10**6)),
            OptionSpec('features', 'int', 50, 'Features per example (the first is the intercept).', range=closed(2, 10_000)),
            OptionSpec('batch_size', 'int', 32, 'Examples per worker per mini-batch.', range=closed(1, 10**6)),
            OptionSpec('lr', 'float', 0.5, 'SGD learning rate.', range=above(0, 100)),
            OptionSpec('compute_ms', 'float', 100.0, 'Simulated time one worker spends on one mini-batch, in ms.', range=above(0, 3_600_000), unit='ms'),
            OptionSpec('straggler_prob', 'float', 0.1, 'Chance a mini-batch lands on a straggling worker, in [0, 1).', range=below(0, 1)),
            OptionSpec('straggler_slowdown', 'float', 4.0, 'How many times slower a straggler is.', range=closed(1, 1000)),
            OptionSpec('model_mb', 'float', 25.0, "Gradient size exchanged per step, in MB (the timing model's model).", range=above(0, 10**7), unit='MB'),
            OptionSpec('bandwidth_gbps', 'float', 10.0, 'Link bandwidth between workers and servers, in Gb/s.', range=above(0, 100_000), unit='Gb/s'),
            OptionSpec('ps_shards', 'int', 8, 'Parameter-server shards (the RPC-based design).', range=closed(1, 1024)),
            OptionSpec('params_billion', 'float', 7.0, 'Model-parallel part: parameters of a large model, in billions.', range=above(0, 100_000)),
            OptionSpec('device_gb', 'float', 80.0, 'Model-parallel part: memory of one accelerator, in GB.', range=above(0, 100_000), unit='GB'),
        ),
    )
]
