"""The real plumbing of `mlsd simulate monitor`: Prometheus metrics, Grafana, alert rules.

Not a simulation: this replays a simulated stream (`mlsd.sims.monitor`) in real
time, or sped up, as Prometheus metrics on ``http://127.0.0.1:PORT/metrics``
(prometheus-client, a private `CollectorRegistry`), and writes the Grafana
dashboard and Prometheus alerting rules that read those metrics.

Metrics (names are the contract between the three outputs; tests check that every
name the dashboard and the rules use is exposed):

- ``mlsd_requests_total`` counter, ``mlsd_request_latency_seconds`` and
  ``mlsd_model_score`` histograms: fed request by request.
- ``mlsd_feature_psi{feature}``, ``mlsd_feature_ks_statistic{feature}``,
  ``mlsd_feature_ks_pvalue{feature}``, ``mlsd_feature_js_distance{feature}``:
  set at the end of each monitoring window (feature="score" for the score).
- ``mlsd_model_auc``, ``mlsd_model_precision``, ``mlsd_model_recall``: set when a
  window's delayed labels are in.
- ``mlsd_alert{rule,target}``: 1 while mlsd's own rule fires, else 0.
- ``mlsd_reference_qps`` (in wall-clock requests/s, i.e. times `--speed`),
  ``mlsd_reference_auc``, ``mlsd_sim_minute``.
- ``process_cpu_seconds_total``, ``process_resident_memory_bytes`` and the other
  standard process metrics of the serving process (prometheus-client's
  ProcessCollector; Linux only).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from mlsd.errors import BadInputError

if TYPE_CHECKING:
    from mlsd.sims.monitor import MonitorResult, Stream, WindowStats

REQUESTS = "mlsd_requests"  # exposed as mlsd_requests_total
LATENCY = "mlsd_request_latency_seconds"
SCORE = "mlsd_model_score"
PSI = "mlsd_feature_psi"
KS_STAT = "mlsd_feature_ks_statistic"
KS_P = "mlsd_feature_ks_pvalue"
JS = "mlsd_feature_js_distance"
AUC = "mlsd_model_auc"
PRECISION = "mlsd_model_precision"
RECALL = "mlsd_model_recall"
ALERT = "mlsd_alert"
REF_QPS = "mlsd_reference_qps"
REF_AUC = "mlsd_reference_auc"
SIM_MINUTE = "mlsd_sim_minute"

LATENCY_BUCKETS = (0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0)
SCORE_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))


class MonitorExporter:
    """Prometheus metrics of one monitored model, in a private registry."""

    def __init__(self, numeric: tuple[str, ...], categorical: tuple[str, ...]):
        self.numeric, self.categorical = numeric, categorical
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(REQUESTS, "Requests served by the model.", registry=r)
        self.latency = Histogram(LATENCY, "Request latency.", buckets=LATENCY_BUCKETS, registry=r)
        self.score = Histogram(SCORE, "Model score (spam probability) per request.", buckets=SCORE_BUCKETS, registry=r)
        self.psi = Gauge(PSI, "PSI of the last window vs the reference (10 reference-quantile bins).", ["feature"], registry=r)
        self.ks_stat = Gauge(KS_STAT, "Two-sample KS statistic of the last window vs the reference.", ["feature"], registry=r)
        self.ks_p = Gauge(KS_P, "Two-sample KS p-value of the last window vs the reference.", ["feature"], registry=r)
        self.js = Gauge(JS, "Jensen-Shannon distance (base 2) of a categorical feature vs the reference.", ["feature"], registry=r)
        self.auc = Gauge(AUC, "AUC of the last window whose delayed labels have arrived.", registry=r)
        self.precision = Gauge(PRECISION, "Precision at score >= 0.5, delayed labels.", registry=r)
        self.recall = Gauge(RECALL, "Recall at score >= 0.5, delayed labels.", registry=r)
        self.alert = Gauge(ALERT, "1 while an mlsd alert rule fires.", ["rule", "target"], registry=r)
        self.ref_qps = Gauge(REF_QPS, "Reference request rate, in wall-clock requests/s (x --speed).", registry=r)
        self.ref_auc = Gauge(REF_AUC, "AUC on the reference window.", registry=r)
        self.minute = Gauge(SIM_MINUTE, "Simulated minute reached by the replay.", registry=r)
        # The source notes' list also names CPU load and memory: the serving process's own, from /proc.
        ProcessCollector(registry=r)
        self.alert_series = (
            [("psi", f) for f in (*numeric, *categorical, "score")]
            + [("ks", f) for f in (*numeric, "score")]
            + [("js", f) for f in categorical]
            + [("p99", "latency"), ("qps", "traffic"), ("auc", "model")]
        )
        for col in (*numeric, *categorical, "score"):
            self.psi.labels(feature=col)
        for col in (*numeric, "score"):
            self.ks_stat.labels(feature=col)
            self.ks_p.labels(feature=col).set(1.0)
        for col in categorical:
            self.js.labels(feature=col)
        for rule, target in self.alert_series:
            self.alert.labels(rule=rule, target=target).set(0)
        for gauge in (self.auc, self.precision, self.recall):  # unknown until labels arrive
            gauge.set(float("nan"))

    def set_reference(self, result: MonitorResult, speed: float) -> None:
        self.ref_qps.set(result.reference_qps * speed)
        self.ref_auc.set(result.reference_auc)

    def observe(self, latency_ms: np.ndarray, score: np.ndarray) -> None:
        """Count requests and add their latency and score to the histograms."""
        if latency_ms.size == 0:
            return
        self.requests.inc(latency_ms.size)
        for seconds, s in zip((latency_ms / 1000.0).tolist(), score.tolist(), strict=True):
            self.latency.observe(seconds)
            self.score.observe(s)

    def publish_window(self, result: MonitorResult, w: WindowStats) -> None:
        """Drift gauges and the online alert rules at the end of a window."""
        for name, v in zip(result.psi_columns, w.psi, strict=True):
            self.psi.labels(feature=name).set(v)
        for name, d, p in zip(result.ks_columns, w.ks_statistic, w.ks_pvalue, strict=True):
            self.ks_stat.labels(feature=name).set(d)
            self.ks_p.labels(feature=name).set(p)
        for name, v in zip(result.categorical_features, w.js, strict=True):
            self.js.labels(feature=name).set(v)
        firing = {tuple(a.split(":", 1)) for a in w.alerts}
        for rule, target in self.alert_series:
            if rule != "auc":
                self.alert.labels(rule=rule, target=target).set(1 if (rule, target) in firing else 0)

    def publish_labels(self, w: WindowStats) -> None:
        """Performance gauges once a window's delayed labels have all arrived."""
        self.auc.set(w.auc)
        self.precision.set(w.precision)
        self.recall.set(w.recall)
        self.alert.labels(rule="auc", target="model").set(1 if "auc:model" in w.alerts else 0)

    def exposition(self) -> str:
        return generate_latest(self.registry).decode("utf-8")


def replay(
    result: MonitorResult,
    stream: Stream,
    exporter: MonitorExporter,
    *,
    speed: float,
    stop: threading.Event,
    tick: float = 0.2,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Feed the stream to the exporter at `speed` simulated seconds per second.

    Returns True when the whole run was replayed, False when `stop` was set.
    """
    total = result.minutes * 60.0
    windows = sorted(result.windows, key=lambda w: w.end)
    labelled = sorted((w for w in result.windows if w.labels_at <= result.minutes), key=lambda w: w.labels_at)
    wi = li = row = 0
    started = clock()
    while True:
        now = min((clock() - started) * speed, total)
        upto = int(np.searchsorted(stream.seconds, now, side="right"))
        exporter.observe(stream.latency_ms[row:upto], stream.score[row:upto])
        row = upto
        while wi < len(windows) and windows[wi].end * 60 <= now:
            exporter.publish_window(result, windows[wi])
            wi += 1
        while li < len(labelled) and labelled[li].labels_at * 60 <= now:
            exporter.publish_labels(labelled[li])
            li += 1
        exporter.minute.set(now / 60)
        if now >= total:
            return True
        if stop.wait(tick):
            return False


def bind(exporter: MonitorExporter, port: int):
    """Start the /metrics HTTP server on 127.0.0.1 only; a busy port is bad input."""
    from prometheus_client import start_http_server

    try:
        return start_http_server(port, addr="127.0.0.1", registry=exporter.registry)
    except OSError as exc:
        raise BadInputError(
            f"--port {port} is not available on 127.0.0.1 ({exc.strerror or exc}); pick another --port"
        ) from None


def serve(
    result: MonitorResult,
    stream: Stream,
    exporter: MonitorExporter,
    server: Any,
    thread: threading.Thread,
    *,
    speed: float,
    say: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Replay the stream on an already bound server until the end, then idle; Ctrl-C stops."""
    stop = stop or threading.Event()
    exporter.set_reference(result, speed)
    port = server.server_port
    from mlsd.i18n import _

    say(_("serving {url} — {minutes} simulated minutes at {speed}x ({seconds} s); Ctrl-C to stop").format(
        url=f"http://127.0.0.1:{port}/metrics", minutes=result.minutes, speed=f"{speed:g}",
        seconds=f"{result.minutes * 60 / speed:.0f}"))
    try:
        if replay(result, stream, exporter, speed=speed, stop=stop):
            say(_("stream finished; still serving the final values, Ctrl-C to stop"))
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    say(_("stopped"))


# --------------------------------------------------------------------------- Grafana


def _rate_range(window: int, speed: float) -> str:
    """A PromQL range covering one monitoring window of wall-clock time (>= 30 s)."""
    return f"{max(int(round(window * 60 / speed)), 30)}s"


def grafana_dashboard(result: MonitorResult, *, speed: float = 1.0) -> dict[str, Any]:
    """A Grafana dashboard (classic JSON model) over the metrics `MonitorExporter` exposes."""
    rng = _rate_range(result.window, speed)
    ds = {"type": "prometheus", "uid": "${datasource}"}
    slo_s = result.rules.p99_ms / 1000

    def target(expr: str, legend: str, ref: str = "A", **extra: Any) -> dict[str, Any]:
        return {"datasource": ds, "expr": expr, "legendFormat": legend, "refId": ref, **extra}

    def thresholds(value: float | None) -> dict[str, Any]:
        steps: list[dict[str, Any]] = [{"color": "green", "value": None}]
        if value is not None:
            steps.append({"color": "red", "value": value})
        return {"mode": "absolute", "steps": steps}

    def panel(pid: int, title: str, x: int, y: int, targets: list[dict[str, Any]], *, kind: str = "timeseries",
              unit: str = "short", threshold: float | None = None, description: str = "") -> dict[str, Any]:
        return {
            "id": pid,
            "type": kind,
            "title": title,
            "description": description,
            "datasource": ds,
            "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
            "targets": targets,
            "fieldConfig": {
                "defaults": {
                    "unit": unit,
                    "thresholds": thresholds(threshold),
                    "custom": {"thresholdsStyle": {"mode": "line" if threshold is not None else "off"}},
                },
                "overrides": [],
            },
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
        }

    ks_limit = result.rules.ks_limit(len(result.ks_columns))
    panels = [
        panel(1, "Requests per second", 0, 0, [target(f"sum(rate({REQUESTS}_total[{rng}]))", "QPS")], unit="reqps",
              description="Served request rate; the QPS rule alerts outside its band around the reference."),
        panel(2, "Latency p50 / p99", 12, 0, [
            target(f"histogram_quantile(0.5, sum by (le) (rate({LATENCY}_bucket[{rng}])))", "p50", "A"),
            target(f"histogram_quantile(0.99, sum by (le) (rate({LATENCY}_bucket[{rng}])))", "p99", "B"),
        ], unit="s", threshold=slo_s, description=f"The red line is the p99 SLO ({result.rules.p99_ms:g} ms)."),
        panel(3, "Score distribution", 0, 8, [
            target(f"sum by (le) (increase({SCORE}_bucket[{rng}]))", "{{le}}", format="heatmap"),
        ], kind="heatmap", description="Requests per score bucket per window: a score shift moves the mass."),
        panel(4, "PSI per feature and score", 12, 8, [target(PSI, "{{feature}}")], threshold=result.rules.psi,
              description="Population stability index vs the reference, 10 reference-quantile bins."),
        panel(5, "KS p-value per feature", 0, 16, [target(KS_P, "{{feature}}")], threshold=ks_limit,
              description="Two-sample KS test vs the reference; alert below the corrected alpha."),
        panel(6, "Jensen-Shannon distance (categoricals)", 12, 16, [target(JS, "{{feature}}")],
              threshold=result.rules.js),
        panel(7, "Model performance (delayed labels)", 0, 24, [
            target(AUC, "AUC", "A"), target(PRECISION, "precision", "B"), target(RECALL, "recall", "C"),
        ], unit="percentunit", description=f"Known {result.label_delay} simulated minutes after the window: "
           "the only panel that shows concept drift."),
        panel(8, "Alerts firing", 12, 24, [target(f"sum by (rule) ({ALERT})", "{{rule}}")],
              description="mlsd's own alert rules (the Prometheus rules file encodes the same thresholds)."),
        panel(9, "Serving process CPU", 0, 32, [target("rate(process_cpu_seconds_total[1m])", "CPU cores")],
              unit="short", description="CPU seconds per second used by the serving process."),
        panel(10, "Serving process memory", 12, 32, [target("process_resident_memory_bytes", "RSS")],
              unit="bytes"),
    ]  # fmt: skip
    return {
        "id": None,
        "uid": "mlsd-monitor",
        "title": "mlsd — model monitoring",
        "description": "Features, score distribution, QPS, latency and delayed performance of a served model.",
        "tags": ["mlsd", "ml-monitoring"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "links": [],
        "annotations": {"list": []},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                    "refresh": 1,
                    "regex": "",
                    "options": [],
                }
            ]
        },
        "panels": panels,
    }


# --------------------------------------------------------------------------- Prometheus rules


def prometheus_rules(result: MonitorResult, *, speed: float = 1.0) -> dict[str, Any]:
    """mlsd's alert rules as Prometheus alerting rules (groups -> rules)."""
    r = result.rules
    rng = _rate_range(result.window, speed)
    ks_limit = r.ks_limit(len(result.ks_columns))
    qps = f"sum(rate({REQUESTS}_total[{rng}]))"

    def rule(name: str, expr: str, summary: str, severity: str = "warning") -> dict[str, Any]:
        return {
            "alert": name,
            "expr": expr,
            "for": "0m",
            "labels": {"severity": severity, "source": "mlsd"},
            "annotations": {"summary": summary},
        }

    return {
        "groups": [
            {
                "name": "mlsd-model-monitoring",
                "interval": "15s",
                "rules": [
                    rule("FeatureDriftPSI", f"{PSI} >= {r.psi:g}",
                         "PSI of {{ $labels.feature }} is {{ $value }} (threshold " + f"{r.psi:g})"),
                    rule("FeatureDriftKS", f"{KS_P} < {ks_limit:.6g}",
                         "KS p-value of {{ $labels.feature }} is {{ $value }}"),
                    rule("CategoricalDriftJS", f"{JS} >= {r.js:g}",
                         "Jensen-Shannon distance of {{ $labels.feature }} is {{ $value }}"),
                    rule("LatencyP99OverSLO",
                         f"histogram_quantile(0.99, sum by (le) (rate({LATENCY}_bucket[{rng}]))) > {r.p99_ms / 1000:g}",
                         f"p99 latency above the {r.p99_ms:g} ms SLO", "critical"),
                    rule("QPSOutOfBand",
                         f"{qps} < {r.qps_low:g} * scalar({REF_QPS}) or {qps} > {r.qps_high:g} * scalar({REF_QPS})",
                         "request rate outside its expected band around the reference"),
                    rule("ModelAUCDrop", f"{AUC} < scalar({REF_AUC}) - {r.auc_drop:g}",
                         f"AUC on delayed labels dropped more than {r.auc_drop:g} below the reference", "critical"),
                ],
            }
        ]
    }  # fmt: skip


def write_json(path: str, data: dict[str, Any], option: str) -> None:
    _write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", option)


def write_yaml(path: str, data: dict[str, Any], option: str) -> None:
    import yaml

    _write(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), option)


def _write(path: str, text: str, option: str) -> None:
    from mlsd.fileio import atomic_write

    try:
        atomic_write(Path(path), text, force=True, display=f"{option} {path}")  # the CLI refused an existing file unless --force
    except OSError as exc:
        raise BadInputError(f"{option} {path}: cannot write ({exc.strerror or exc})") from None
