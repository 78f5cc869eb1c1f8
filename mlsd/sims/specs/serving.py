"""Registry entries for serving: replicas, load balancing, autoscaling, caching (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="serving",
        summary="Replicas behind a load balancer: p50/p99, the replicas an SLO needs, autoscaling, caching.",
        target="mlsd.sims.serving:simulate_serving",
        options=(
            OptionSpec("qps", "float", 2000.0, "Requests per second at the peak (Poisson arrivals)."),
            OptionSpec("service_ms", "float", 20.0, "Mean time one replica spends on one request, in ms."),
            OptionSpec("replicas", "int", 0, "Replicas to simulate; 0 picks the fewest that meet --slo-p99-ms."),
            OptionSpec("slo_p99_ms", "float", 100.0, "The latency SLO: p99 response time in ms."),
            OptionSpec(
                "balancer", "choice", "least-loaded", "How the load balancer picks a replica.",
                choices=("least-loaded", "power-of-two", "round-robin", "random"),
            ),
            OptionSpec(
                "service_dist", "choice", "exponential",
                "Service-time distribution (exponential is the one with closed forms).",
                choices=("exponential", "constant", "lognormal"),
            ),
            OptionSpec("requests", "int", 100_000, "Fewest requests per simulated run; runs near utilisation 1 last longer (50 relaxation times)."),
            OptionSpec("peak_to_trough", "float", 4.0, "Daily traffic: peak QPS divided by trough QPS."),
            OptionSpec("autoscale_target", "float", 0.7, "Utilisation the autoscaler aims for, in (0, 1)."),
            OptionSpec("boot_minutes", "float", 5.0, "Minutes a new replica takes to start serving."),
            OptionSpec("replica_cost_per_hour", "float", 0.5, "Cost of one replica for one hour."),
            OptionSpec("cache_hit_rate", "float", 0.5, "Share of requests a cache in front answers, in [0, 1)."),
            OptionSpec("cache_ms", "float", 2.0, "Latency of a cache lookup (and a batch key-value read), in ms."),
            OptionSpec("batch_every_hours", "float", 24.0, "Batch prediction: hours between runs scoring every user."),
            OptionSpec("users", "int", 10_000_000, "Users a batch run scores (and devices a model ships to)."),
            OptionSpec("rtt_ms", "float", 80.0, "Median network round trip from a device to the servers, in ms."),
            OptionSpec("device_slowdown", "float", 3.0, "How many times slower a phone runs the model than a replica."),
            OptionSpec("model_mb", "float", 50.0, "Model size in MB (memory on the device, download per update)."),
        ),
    )
]
