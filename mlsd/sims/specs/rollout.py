"""Registry entries for rollout: pushing a new model version under load (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="rollout",
        summary="Push a new model version across a fleet: capacity and p99 during the push, canary rollback.",
        target="mlsd.sims.rollout:simulate_rollout",
        options=(
            OptionSpec("servers", "int", 20, "Servers in the fleet."),
            OptionSpec(
                "strategy", "choice", "rolling", "How the new version is pushed.",
                choices=("rolling", "canary", "blue-green"),
            ),
            OptionSpec("surge", "int", 0, "Extra new-version servers booted before old ones are retired (0: none)."),
            OptionSpec("qps", "float", 1700.0, "Demand during the push, requests per second."),
            OptionSpec("server_qps", "float", 100.0, "Requests per second one warm server answers."),
            OptionSpec("batch", "int", 4, "Servers taken out at a time by a rolling update without surge."),
            OptionSpec("update_minutes", "float", 3.0, "Minutes to drain a server, load the new model and pass health checks."),
            OptionSpec("warmup_minutes", "float", 2.0, "Minutes a new server takes to reach full speed (cold caches)."),
            OptionSpec("canary_percent", "float", 5.0, "Share of the fleet (and so of traffic) the canary gets, in percent."),
            OptionSpec("bake_minutes", "float", 10.0, "Minutes the canary is watched before the rest is pushed."),
            OptionSpec("bad_version", "bool", False, "Make the new version bad: 2% errors and 30% slower."),
            OptionSpec("slo_p99_ms", "float", 100.0, "The latency SLO: p99 response time in ms."),
        ),
    )
]
