"""Registry entry for `mlsd simulate monitor` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

# Kept in step with mlsd.sims.monitor.INCIDENT_CHOICES (a test checks it).
INCIDENTS = ("data-drift", "score-shift", "concept-drift", "qps-spike", "latency-regression")

SPECS: list[SimSpec] = [
    SimSpec(
        name="monitor",
        summary="Monitor a served model: drift (PSI/KS/JS), score distribution, QPS, p99, delayed AUC, alerts.",
        target="mlsd.sims.monitor:simulate_monitor",
        options=(
            OptionSpec("minutes", "int", 240, "Length of the simulated stream in minutes."),
            OptionSpec("window", "int", 5, "Monitoring window in minutes (statistics and alerts per window)."),
            OptionSpec(
                "incident",
                "list",
                list(INCIDENTS),
                "Incident to inject; repeat for several, spread over the run in order: data-drift, "
                "score-shift, concept-drift, qps-spike, latency-regression, or none for a clean run.",
                choices=(*INCIDENTS, "none"),
            ),
            OptionSpec("qps", "float", 25.0, "Base request rate in requests per second."),
            OptionSpec("label_delay", "int", 15, "Minutes until a request's label arrives."),
            OptionSpec("reference_minutes", "int", 30, "The first minutes of the stream form the reference window."),
            OptionSpec("rules", "str", "", "YAML file overriding alert thresholds (keys: psi, ks_alpha, "
                       "ks_correction, js, p99_ms, qps_low, qps_high, auc_drop)."),
        ),
        cli_only=("serve", "port", "speed", "grafana_dashboard", "prometheus_rules", "force"),
    )
]
