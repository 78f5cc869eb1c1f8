"""Declaration for serving: replicas, load balancing, autoscaling, caching (plain data, no numpy)."""

from mlsd.limits import above, below, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='serving',
        summary='Replicas behind a load balancer: p50/p99, the replicas an SLO needs, autoscaling, caching.',
        target='mlsd.sims.serving:simulate_serving',
        title='Serving',
        order=5,
        doc="""Replicas behind a load balancer: p50/p99, the replicas an SLO needs, autoscaling, caching.

        A discrete-event simulation of Poisson traffic through a load balancer
        (least-loaded with one queue at the balancer, power of two choices, round
        robin, random) to N replicas, checked against the M/M/c (Erlang C) closed
        form when service is exponential. With --replicas 0 it finds the fewest
        replicas meeting --slo-p99-ms: by the closed form where one exists
        (exponential service; least-loaded, round robin, random), else by
        simulation on a run long enough for its 95% confidence interval to clear
        the SLO. Each simulated p99 runs 50 relaxation times of its queue (more
        near utilisation 1), carries that interval and is flagged when not
        converged. Then a day of diurnal traffic under fixed
        and autoscaled fleets (replicas, minutes over the SLO, cost), a cache in
        front at several hit rates, batch vs online prediction (latency, cost,
        staleness) and on-device vs server inference (latency, battery, memory,
        privacy).
        """,
        options=(
            OptionSpec('qps', 'float', 2000.0, 'Requests per second at the peak (Poisson arrivals).', range=above(0, 1e6), unit='requests/s'),
            OptionSpec('service_ms', 'float', 20.0, 'Mean time one replica spends on one request, in ms.', range=above(0, 3_600_000), unit='ms'),
            OptionSpec('replicas', 'int', 0, 'Replicas to simulate; 0 picks the fewest that meet --slo-p99-ms.', range=closed(0, 10_000)),
            OptionSpec('slo_p99_ms', 'float', 100.0, 'The latency SLO: p99 response time in ms.', range=above(0, 3_600_000), unit='ms'),
            OptionSpec('balancer', 'choice', 'least-loaded', 'How the load balancer picks a replica.', choices=('least-loaded', 'power-of-two', 'round-robin', 'random')),
            OptionSpec('service_dist', 'choice', 'exponential', 'Service-time distribution (exponential is the one with closed forms).', choices=('exponential', 'constant', 'lognormal')),
            OptionSpec('requests', 'int', 100_000, 'Fewest requests per simulated run; runs near utilisation 1 last longer (50 relaxation times).', range=closed(1000, 5_000_000)),
            OptionSpec('peak_to_trough', 'float', 4.0, 'Daily traffic: peak QPS divided by trough QPS.', range=closed(1, 1000)),
            OptionSpec('autoscale_target', 'float', 0.7, 'Utilisation the autoscaler aims for, in (0, 1).', range=below(0.01, 1)),
            OptionSpec('boot_minutes', 'float', 5.0, 'Minutes a new replica takes to start serving.', range=below(0, 1440), unit='minutes'),
            OptionSpec('replica_cost_per_hour', 'float', 0.5, 'Cost of one replica for one hour.', range=closed(0, 1e6)),
            OptionSpec('cache_hit_rate', 'float', 0.5, 'Share of requests a cache in front answers, in [0, 1).', range=below(0, 1)),
            OptionSpec('cache_ms', 'float', 2.0, 'Latency of a cache lookup (and a batch key-value read), in ms.', range=closed(0, 3_600_000), unit='ms'),
            OptionSpec('batch_every_hours', 'float', 24.0, 'Batch prediction: hours between runs scoring every user.', range=above(0, 8760), unit='hours'),
            OptionSpec('users', 'int', 10_000_000, 'Users a batch run scores (and devices a model ships to).', range=above(0, 1e10)),
            OptionSpec('rtt_ms', 'float', 80.0, 'Median network round trip from a device to the servers, in ms.', range=closed(0, 3_600_000), unit='ms'),
            OptionSpec('device_slowdown', 'float', 3.0, 'How many times slower a phone runs the model than a replica.', range=above(0, 10000.0)),
            OptionSpec('model_mb', 'float', 50.0, 'Model size in MB (memory on the device, download per update).', range=above(0, 1e6), unit='MB'),
        ),
    )
]
