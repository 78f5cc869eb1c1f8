"""Declaration of `mlsd simulate monitor` (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

# Kept in step with mlsd.sims.monitor.INCIDENT_CHOICES (a test checks it).
INCIDENTS = ("data-drift", "score-shift", "concept-drift", "qps-spike", "latency-regression")
_MINUTES = closed(1, 5_000_000)

SPECS: list[SimSpec] = [
    SimSpec(
        name="monitor",
        summary="Monitor a served model: drift (PSI/KS/JS), score distribution, QPS, p99, delayed AUC, alerts.",
        target="mlsd.sims.monitor:simulate_monitor",
        title="Model monitoring",
        order=4,
        doc="""Monitor a served model: feature and score drift, QPS, p99, delayed AUC, alerts.

        A spam classifier (scikit-learn, trained on synthetic accounts) serves a
        stream of requests; incidents are injected at known minutes. Each window is
        compared with the reference: QPS, p50/p99 latency, PSI and KS per numeric
        feature and for the score, PSI and Jensen-Shannon per categorical feature,
        and precision/recall/AUC once the delayed labels arrive. Alert rules (PSI >=
        0.2, Bonferroni-corrected KS p < 0.01, p99 over the SLO, QPS outside its band,
        AUC drop; override them with --rules FILE.yml) give each incident's detection
        delay, and a second run without incidents counts false alarms. Concept drift
        moves neither features nor scores: only the delayed performance metric sees it.

        KS p-values: where the effective sample size N = n*m/(n+m) of a window and
        the reference is under 10,000 they are scipy's (kstwo, as ks_2samp); from
        10,000 up, a closed form (Kolmogorov's limit with Vrbik's correction) within
        0.5 % of scipy's for p >= 1e-10 and 1e-5 absolute, at a fraction of the cost.

        --serve replays the stream (sped up by --speed) as Prometheus metrics on
        http://127.0.0.1:PORT/metrics; --grafana-dashboard and --prometheus-rules
        write a dashboard and alerting rules over those metric names.
        """,
        options=(
            OptionSpec("minutes", "int", 240, "Length of the simulated stream in minutes.",
                       range=_MINUTES, unit="minutes"),
            OptionSpec("window", "int", 5, "Monitoring window in minutes (statistics and alerts per window).",
                       range=_MINUTES, unit="minutes"),
            OptionSpec(
                "incident",
                "list",
                list(INCIDENTS),
                "Incident to inject; repeat for several, spread over the run in order: data-drift, "
                "score-shift, concept-drift, qps-spike, latency-regression, or none for a clean run.",
                choices=(*INCIDENTS, "none"),
                metavar="KIND",
            ),
            OptionSpec("qps", "float", 25.0, "Base request rate in requests per second.",
                       range=above(0, 10_000), unit="requests/s"),
            OptionSpec("label_delay", "int", 15, "Minutes until a request's label arrives.",
                       range=closed(0, 5_000_000), unit="minutes"),
            OptionSpec("reference_minutes", "int", 30, "The first minutes of the stream form the reference window.",
                       range=_MINUTES, unit="minutes"),
            OptionSpec("rules", "file", "", "YAML file overriding alert thresholds (keys: psi, ks_alpha, "
                       "ks_correction, js, p99_ms, qps_low, qps_high, auc_drop).", metavar="FILE",
                       max_bytes=1024 * 1024, parse="mlsd.sims.monitor:parse_rules"),
        ),
        # Handled by mlsd.cli.simulate (serving /metrics, writing the Grafana/Prometheus files).
        extras=(
            OptionSpec("serve", "bool", False,
                       "Replay the stream live and expose /metrics (Prometheus) on 127.0.0.1 until Ctrl-C."),
            OptionSpec("port", "int", 9108, "Port of the /metrics endpoint with --serve (0 picks a free one).",
                       range=closed(0, 65535)),
            OptionSpec("speed", "float", 1.0,
                       "With --serve: simulated seconds per wall-clock second (1 = real time).",
                       range=above(0, 1000)),
            OptionSpec("grafana_dashboard", "str", "", "Also write a Grafana dashboard over the served metrics "
                       "(rate windows = one --window at --speed).", metavar="FILE.json"),
            OptionSpec("prometheus_rules", "str", "", "Also write the alert rules as Prometheus alerting rules "
                       "over the served metrics.", metavar="FILE.yml"),
            OptionSpec("force", "bool", False, "Overwrite existing --grafana-dashboard / --prometheus-rules files."),
        ),
    )
]
