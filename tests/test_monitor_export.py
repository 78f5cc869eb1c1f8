"""Prometheus exporter, live /metrics endpoint, Grafana dashboard and Prometheus rules."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from mlsd.doc import monitor_export as mx
from mlsd.sims import monitor

METRIC = re.compile(r"\b(?:mlsd|process)_[a-z0-9_]+")


@pytest.fixture(scope="module")
def run():
    return monitor.simulate_monitor_stream(minutes=80, incident=["data-drift", "qps-spike"], seed=1)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from Prometheus text, via prometheus-client's parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def exposed_names(exporter: mx.MonitorExporter) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(exporter.exposition()):
        names.add(family.name)
        names.update(s.name for s in family.samples)
    return names


def new_exporter() -> mx.MonitorExporter:
    return mx.MonitorExporter(monitor.NUMERIC, tuple(monitor.CATEGORICAL))


def test_exporter_counts_requests_and_fills_histograms(run):
    result, stream = run
    ex = new_exporter()
    ex.observe(stream.latency_ms[:1000], stream.score[:1000])
    got = samples(ex.exposition())
    assert got[("mlsd_requests_total", ())] == 1000
    assert got[("mlsd_request_latency_seconds_count", ())] == 1000
    assert got[("mlsd_request_latency_seconds_sum", ())] == pytest.approx(stream.latency_ms[:1000].sum() / 1000)
    below_100ms = int(np.sum(stream.latency_ms[:1000] / 1000 <= 0.1))
    assert got[("mlsd_request_latency_seconds_bucket", (("le", "0.1"),))] == below_100ms
    assert got[("mlsd_model_score_bucket", (("le", "0.5"),))] == int(np.sum(stream.score[:1000] <= 0.5))


def test_exporter_publishes_window_drift_and_alerts(run):
    result, _ = run
    ex = new_exporter()
    w = next(w for w in result.windows if w.alerts)
    ex.publish_window(result, w)
    got = samples(ex.exposition())
    for name, v in zip(result.psi_columns, w.psi, strict=True):
        assert got[("mlsd_feature_psi", (("feature", name),))] == pytest.approx(v)
    for name, p in zip(result.ks_columns, w.ks_pvalue, strict=True):
        assert got[("mlsd_feature_ks_pvalue", (("feature", name),))] == pytest.approx(p)
    firing = {k for k, v in got.items() if k[0] == "mlsd_alert" and v == 1}
    expected = {("mlsd_alert", (("rule", a.split(":")[0]), ("target", a.split(":")[1]))) for a in w.alerts if not a.startswith("auc")}
    assert firing == expected and firing
    # AUC is unknown (NaN) until labels arrive, then set from the window.
    assert np.isnan(got[("mlsd_model_auc", ())])
    ex.publish_labels(result.windows[0])
    assert samples(ex.exposition())[("mlsd_model_auc", ())] == pytest.approx(result.windows[0].auc)


def test_replay_feeds_every_request_and_every_window(run):
    """A fake clock makes the replay instant: at the end every request and window is published."""
    result, stream = run
    ex = new_exporter()
    ticks = iter(np.arange(0, 10_000, 7.0))
    done = mx.replay(result, stream, ex, speed=60, stop=threading.Event(), tick=0, clock=lambda: float(next(ticks)))
    assert done
    got = samples(ex.exposition())
    assert got[("mlsd_requests_total", ())] == stream.seconds.size
    last = result.windows[-1]
    assert got[("mlsd_feature_psi", (("feature", "score"),))] == pytest.approx(last.psi[-1])
    assert got[("mlsd_sim_minute", ())] == result.minutes


def test_grafana_dashboard_structure_and_metric_names(run, tmp_path):
    """Grafana's classic dashboard JSON model: panels with type/title/gridPos/targets, datasource variable."""
    result, _ = run
    path = tmp_path / "dash.json"
    mx.write_json(str(path), mx.grafana_dashboard(result), "--grafana-dashboard")
    dash = json.loads(path.read_text())
    assert isinstance(dash["schemaVersion"], int) and dash["schemaVersion"] >= 30
    assert dash["title"] and dash["uid"]
    variables = dash["templating"]["list"]
    assert any(v["type"] == "datasource" and v["query"] == "prometheus" and v["name"] == "datasource" for v in variables)
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(p["title"].lower() for p in dash["panels"])
    for needed in ("requests per second", "p99", "score distribution", "psi", "performance", "cpu", "memory"):
        assert needed in titles
    cells = set()
    for p in dash["panels"]:
        assert p["type"] in ("timeseries", "heatmap", "stat")
        g = p["gridPos"]
        assert all(isinstance(g[k], int) for k in ("h", "w", "x", "y")) and g["x"] + g["w"] <= 24
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"panel {p['title']} overlaps another"
                cells.add((x, y))
        assert p["datasource"]["uid"] == "${datasource}"
        assert p["targets"] and all(t["expr"] and t["refId"] for t in p["targets"])
    exposed = exposed_names(new_exporter())
    used = {m for p in dash["panels"] for t in p["targets"] for m in METRIC.findall(t["expr"])}
    assert used and used <= exposed, used - exposed


def test_prometheus_rules_structure_thresholds_and_metric_names(run, tmp_path):
    result, _ = run
    path = tmp_path / "rules.yml"
    mx.write_yaml(str(path), mx.prometheus_rules(result), "--prometheus-rules")
    doc = yaml.safe_load(path.read_text())
    rules = [r for g in doc["groups"] for r in g["rules"]]
    assert all(g["name"] for g in doc["groups"])
    for r in rules:
        assert set(r) >= {"alert", "expr", "for", "labels", "annotations"}
        assert re.fullmatch(r"\d+[smh]", r["for"]) and r["labels"]["severity"] in ("warning", "critical")
        assert r["annotations"]["summary"]
    by_name = {r["alert"]: r["expr"] for r in rules}
    # One Prometheus rule per mlsd rule family, with mlsd's thresholds.
    assert len(by_name) == 6
    assert by_name["FeatureDriftPSI"].endswith(f">= {result.rules.psi:g}")
    assert f"{result.rules.ks_limit(len(result.ks_columns)):.6g}" in by_name["FeatureDriftKS"]
    assert f"> {result.rules.p99_ms / 1000:g}" in by_name["LatencyP99OverSLO"]
    assert f"{result.rules.qps_high:g} * scalar(mlsd_reference_qps)" in by_name["QPSOutOfBand"]
    exposed = exposed_names(new_exporter())
    used = {m for r in rules for m in METRIC.findall(r["expr"])}
    assert used and used <= exposed, used - exposed


def test_cli_writes_dashboard_and_rules(run_cli, tmp_path):
    dash, rules = tmp_path / "d.json", tmp_path / "r.yml"
    res = run_cli("simulate", "monitor", "--minutes", "60", "--incident", "qps-spike",
                  "--grafana-dashboard", str(dash), "--prometheus-rules", str(rules))  # fmt: skip
    assert res.code == 0, res.stderr
    assert json.loads(dash.read_text())["panels"]
    assert yaml.safe_load(rules.read_text())["groups"][0]["rules"]
    bad = run_cli("simulate", "monitor", "--minutes", "60", "--incident", "none",
                  "--grafana-dashboard", str(tmp_path / "no" / "d.json"))  # fmt: skip
    assert bad.code == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--grafana-dashboard" in bad.stderr


def test_bind_listens_on_loopback_only_and_serves_metrics():
    ex = new_exporter()
    server, thread = mx.bind(ex, 0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        ex.requests.inc(3)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        assert samples(body)[("mlsd_requests_total", ())] == 3
    finally:
        server.shutdown()
        server.server_close()


def test_busy_port_is_one_line_exit_2(run_cli):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        res = run_cli("simulate", "monitor", "--serve", "--port", str(port), "--minutes", "60")
    assert res.code == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--port {port}" in lines[0]


def _scrape(port: int) -> dict:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return samples(body)


@pytest.mark.slow
def test_serve_subprocess_scraped_twice_counters_move_and_ctrl_c_stops():
    """Starts `mlsd simulate monitor --serve` on a free port, scrapes twice, stops it with SIGINT."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "mlsd", "simulate", "monitor", "--serve", "--port", "0", "--speed", "120",
           "--minutes", "60", "--incident", "qps-spike"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()
    try:
        port = None
        deadline = time.monotonic() + 120
        seen = []
        while port is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert proc.poll() is None, f"server exited early: {seen}"
                continue
            seen.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/metrics", line)
            port = int(m.group(1)) if m else None
        assert port, f"no serving line within 120 s: {seen}"
        key = ("mlsd_requests_total", ())
        first = _scrape(port)
        until = time.monotonic() + 30
        while first[key] == 0 and time.monotonic() < until:  # the replay starts just after the line
            time.sleep(0.2)
            first = _scrape(port)
        time.sleep(2.0)
        second = _scrape(port)
        assert second[key] > first[key] > 0
        assert second[("mlsd_request_latency_seconds_count", ())] > first[("mlsd_request_latency_seconds_count", ())]
        assert second[("mlsd_sim_minute", ())] > first[("mlsd_sim_minute", ())]
        for feature in (*monitor.NUMERIC, *monitor.CATEGORICAL, "score"):
            assert ("mlsd_feature_psi", (("feature", feature),)) in second
        assert ("mlsd_alert", (("rule", "p99"), ("target", "latency"))) in second
        assert second[("mlsd_model_score_count", ())] > first[("mlsd_model_score_count", ())]
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        time.sleep(0.2)
        rest = []
        while not lines.empty():
            rest.append(lines.get())
        assert code == 0, seen + rest
        assert any("stopped" in x for x in rest), rest
        assert not any("Traceback" in x for x in seen + rest)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_existing_dashboard_is_not_overwritten_without_force(run_cli, tmp_path):
    """Nothing already saved is lost: an existing file needs --force, checked before simulating."""
    target = tmp_path / "dash.json"
    target.write_text("my dashboard")
    result = run_cli("simulate", "monitor", "--minutes", "60", "--grafana-dashboard", str(target))
    assert result.code == 2 and "already exists" in result.stderr and result.stderr.count("\n") == 1
    assert target.read_text() == "my dashboard"
    forced = run_cli("simulate", "monitor", "--minutes", "120", "--grafana-dashboard", str(target), "--force", "--json")
    assert forced.code == 0, forced.stderr
    assert target.read_text().startswith("{")
