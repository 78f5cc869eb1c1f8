"""`mlsd simulate monitor`: drift, score distribution, QPS and p99 monitoring, live or simulated.

Only parsing and printing: the simulation (`mlsd.sims.monitor`) and the
Prometheus/Grafana plumbing (`mlsd.monitor_export`) are imported inside the
command. Simulation option defaults and help come from `mlsd.sims.specs.monitor`.
"""

from __future__ import annotations

from typing import Any

import typer

from mlsd.cli.simopts import json_option, option, ranged_option, seed_option
from mlsd.limits import limit


def register(group: typer.Typer) -> None:
    """Add `monitor` to the `simulate` group."""

    @group.command("monitor")
    def monitor_cmd(
        minutes: int = option("monitor", "minutes"),
        window: int = option("monitor", "window"),
        incident: list[str] = option("monitor", "incident", metavar="KIND"),
        qps: float = option("monitor", "qps"),
        label_delay: int = option("monitor", "label_delay"),
        reference_minutes: int = option("monitor", "reference_minutes"),
        rules: str = option("monitor", "rules", metavar="FILE"),
        serve: bool = typer.Option(
            False, "--serve", help="Replay the stream live and expose /metrics (Prometheus) on 127.0.0.1 until Ctrl-C."
        ),
        port: int = ranged_option(9108, "--port", limit=limit("monitor", "port"), help="Port of the /metrics endpoint with --serve (0 picks a free one)."),
        speed: float = ranged_option(
            1.0, "--speed", limit=limit("monitor", "speed"), help="With --serve: simulated seconds per wall-clock second (1 = real time)."
        ),
        grafana_dashboard: str = typer.Option(
            "", "--grafana-dashboard", metavar="FILE.json", help="Also write a Grafana dashboard over the served metrics (rate windows = one --window at --speed)."
        ),
        prometheus_rules: str = typer.Option(
            "", "--prometheus-rules", metavar="FILE.yml", help="Also write the alert rules as Prometheus alerting rules over the served metrics."
        ),
        force: bool = typer.Option(False, "--force", help="Overwrite existing --grafana-dashboard / --prometheus-rules files."),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Monitor a served model: feature and score drift, QPS, p99, delayed AUC, alerts.

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
        """
        from mlsd.errors import check_range

        check_range("speed", speed, 0, 1000, high_inclusive=True)
        check_range("port", port, 0, 65535, low_inclusive=True, high_inclusive=True)
        _check_output("--grafana-dashboard", grafana_dashboard, force)
        _check_output("--prometheus-rules", prometheus_rules, force)
        incidents = list(incident)
        kwargs = dict(minutes=minutes, window=window, incident=incidents, qps=qps, label_delay=label_delay,
                      reference_minutes=reference_minutes, rules=rules, seed=seed)  # fmt: skip
        if serve:
            _serve(port=port, speed=speed, grafana=grafana_dashboard, prom=prometheus_rules, **kwargs)
            return
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.monitor import simulate_monitor

        result = run_and_emit(simulate_monitor, as_json=json_, title="Model monitoring", **kwargs)
        _write_files(result, grafana_dashboard, prometheus_rules, speed)


def _check_output(flag: str, path: str, force: bool) -> None:
    """Fail before simulating when an output file cannot (or must not) be written."""
    from pathlib import Path

    from mlsd.errors import BadInputError, OutputExistsError

    if not path:
        return
    if not Path(path).resolve().parent.is_dir():
        raise BadInputError(f"{flag} {path}: the directory {Path(path).parent} does not exist")
    from mlsd.fileio import writable_target

    writable_target(path, f"{flag} {path}")  # never a device, pipe or folder, even with --force
    if Path(path).exists() and not force:
        raise OutputExistsError(f"{flag} {path} already exists; pass --force to overwrite it")


def _write_files(result: Any, grafana: str, prom: str, speed: float) -> None:
    from mlsd.cli.output import err_console

    if not (grafana or prom):
        return
    from mlsd import monitor_export as mx

    if grafana:
        mx.write_json(grafana, mx.grafana_dashboard(result, speed=speed), "--grafana-dashboard")
        err_console().print(f"wrote Grafana dashboard {grafana}", markup=False)
    if prom:
        mx.write_yaml(prom, mx.prometheus_rules(result, speed=speed), "--prometheus-rules")
        err_console().print(f"wrote Prometheus rules {prom}", markup=False)


def _serve(*, port: int, speed: float, grafana: str, prom: str, **kwargs: Any) -> None:
    from mlsd import monitor_export as mx
    from mlsd.cli.output import err_console, progress_bar
    from mlsd.sims import monitor

    exporter = mx.MonitorExporter(monitor.NUMERIC, tuple(monitor.CATEGORICAL))
    server, thread = mx.bind(exporter, port)  # fail fast on a busy port, before simulating
    try:
        with progress_bar(description="simulating the stream") as progress:
            result, stream = monitor.simulate_monitor_stream(**kwargs, progress=progress)
        _write_files(result, grafana, prom, speed)
    except BaseException:
        server.shutdown()
        server.server_close()
        raise

    def say(line: str) -> None:
        err_console().print(line, markup=False, highlight=False, soft_wrap=True)

    mx.serve(result, stream, exporter, server, thread, speed=speed, say=say)
