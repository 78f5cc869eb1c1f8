"""`mlsd simulate monitor`: incidents, detection, false alarms, recomputed statistics, bad input."""

from __future__ import annotations

import inspect
import json
import math

import pandas as pd
import pytest
from scipy import stats

from mlsd.sims import drift, monitor, registry
from mlsd.sims.specs import monitor as spec_module


@pytest.fixture(scope="module")
def default_run():
    """The default run (all five incidents) with its per-request stream."""
    return monitor.simulate_monitor_stream(seed=0)


@pytest.fixture(scope="module")
def short_run():
    return monitor.simulate_monitor_stream(minutes=90, incident=["data-drift"], seed=3)


def outcome(result, kind):
    return next(o for o in result.outcomes if o.kind == kind)


def test_every_default_incident_is_detected_by_the_rule_that_should(default_run):
    result, _ = default_run
    assert [o.kind for o in result.outcomes] == list(monitor.INCIDENTS)
    for o in result.outcomes:
        assert o.delay_minutes is not None and o.delay_minutes >= 0, o
        assert o.start <= o.detected_at < o.attributed_until
    assert {"psi", "js"} <= set(outcome(result, "data-drift").caught_by)
    assert "psi" in outcome(result, "score-shift").caught_by
    assert "qps" in outcome(result, "qps-spike").caught_by
    assert outcome(result, "latency-regression").caught_by == ("p99",)


def test_only_delayed_performance_catches_concept_drift(default_run):
    result, _ = default_run
    o = outcome(result, "concept-drift")
    assert o.caught_by == ("auc",)
    assert o.max_feature_psi < result.rules.psi and o.max_score_psi < result.rules.psi
    assert o.min_auc < result.reference_auc - result.rules.auc_drop
    # Labels arrive label_delay minutes late: the alert cannot come sooner.
    assert o.delay_minutes >= result.label_delay
    assert any("Only the delayed performance metric caught it" in line for line in result.reading())


def test_score_shift_moves_the_score_not_the_features(default_run):
    result, _ = default_run
    o = outcome(result, "score-shift")
    assert o.max_score_psi >= result.rules.psi
    assert o.max_feature_psi < 0.05
    alerts = [a for a in result.alerts if o.start <= a.raised_at < o.attributed_until and a.rule == "psi"]
    assert {a.target for a in alerts} == {"score"}


def test_false_alarms_are_counted_on_a_clean_run(default_run):
    result, _ = default_run
    assert result.clean_windows == (result.minutes - result.reference_minutes) // result.window
    counts = dict(result.clean_alerts)
    assert set(counts) == {"psi", "ks", "js", "p99", "qps", "auc"}
    # The clean stream has no incident: any alert is a false alarm, and the rules keep them rare.
    assert sum(counts.values()) <= 3
    assert result.clean_alert_windows <= sum(counts.values())


def test_window_statistics_recomputed_from_the_stream(short_run):
    """QPS and p99 via pandas, PSI via drift.psi, KS via scipy.stats.ks_2samp, AUC via sklearn."""
    from sklearn.metrics import roc_auc_score

    result, stream = short_run
    df = pd.DataFrame({"minute": stream.minute, "latency": stream.latency_ms, "score": stream.score})
    ref = df[df.minute < result.reference_minutes]
    assert result.reference_rows == len(ref)
    for w in result.windows[::3]:
        win = df[(df.minute >= w.start) & (df.minute < w.end)]
        assert w.requests == len(win)
        assert w.qps == pytest.approx(len(win) / (result.window * 60))
        assert w.p99_ms == pytest.approx(win.latency.quantile(0.99))
        assert w.psi[-1] == pytest.approx(drift.psi(ref.score.to_numpy(), win.score.to_numpy()), rel=1e-9)
        ks = stats.ks_2samp(ref.score, win.score)
        assert (w.ks_statistic[-1], w.ks_pvalue[-1]) == pytest.approx((ks.statistic, ks.pvalue), rel=1e-12)
        col = result.numeric_features.index("followers")
        rows = (stream.minute >= w.start) & (stream.minute < w.end)
        refrows = stream.minute < result.reference_minutes
        ks_f = stats.ks_2samp(stream.numeric[refrows, col], stream.numeric[rows, col])
        assert w.ks_statistic[col] == ks_f.statistic
        if math.isfinite(w.auc):
            assert w.auc == pytest.approx(roc_auc_score(stream.label[rows], stream.score[rows]))
            assert w.labels_at <= result.minutes
        else:
            assert w.labels_at > result.minutes


def test_data_drift_alerts_name_the_drifted_inputs(short_run):
    result, _ = short_run
    o = outcome(result, "data-drift")
    targets = {a.target for a in result.alerts if a.rule in ("psi", "js") and o.start <= a.raised_at < o.attributed_until}
    assert {"account_age_days", "country", "device"} <= targets
    assert "msgs_per_hour" not in targets  # not drifted


def test_same_seed_same_numbers_other_seed_other_numbers(run_cli):
    """The CLI's --json and the library agree for one seed; another seed gives other numbers."""
    res = run_cli("simulate", "monitor", "--json", "--minutes", "60", "--incident", "qps-spike",
                  "--reference-minutes", "20", "--seed", "5")  # fmt: skip
    assert res.code == 0, res.stderr
    a = json.loads(res.stdout)
    kw = dict(minutes=60, incident=["qps-spike"], reference_minutes=20)
    b = json.loads(json.dumps(monitor.simulate_monitor(seed=5, **kw).to_dict()))
    c = json.loads(json.dumps(monitor.simulate_monitor(seed=6, **kw).to_dict()))
    for d in (a, b, c):
        d.pop("drift_seconds")
    assert a == b
    assert a != c


def test_views_tables_charts_reading_and_json(default_run):
    result, _ = default_run
    titles = [t.title for t in result.tables()]
    assert titles[0].startswith("Injected incidents") and any("Timeline" in t for t in titles)
    timeline = next(t for t in result.tables() if "Timeline" in t.title)
    assert len(timeline.rows) == len(result.windows)
    charts = {c.name: c for c in result.charts()}
    assert set(charts) == {"monitor-drift", "monitor-p99", "monitor-performance", "monitor-qps"}
    starts = [float(o.start) for o in result.outcomes]
    for c in charts.values():
        assert [v[0] for v in c.vlines] == starts
    assert charts["monitor-p99"].hlines[0][0] == result.rules.p99_ms
    assert len(charts["monitor-drift"].series) == len(result.psi_columns)
    assert 2 <= len(result.reading()) <= 6
    data = json.loads(json.dumps(result.to_dict()))
    assert data["incidents"] == list(monitor.INCIDENTS)


def test_registry_spec_matches_the_function_and_runs():
    spec = registry.get_spec("monitor")
    params = [p for p in inspect.signature(monitor.simulate_monitor).parameters if p not in ("seed", "progress")]
    assert [o.name for o in spec.options] == params
    for o in spec.options:
        default = inspect.signature(monitor.simulate_monitor).parameters[o.name].default
        if o.type == "file":  # a path at the edge, parsed there: the simulation gets the content
            assert o.default == "" and default is None
        else:
            assert list(default) == o.default if o.type == "list" else default == o.default
    assert spec_module.INCIDENTS == monitor.INCIDENTS
    assert spec.option("incident").choices == monitor.INCIDENT_CHOICES
    assert set(spec.cli_only) == {"serve", "port", "speed", "grafana_dashboard", "prometheus_rules", "force"}
    result = registry.run("monitor", {"minutes": 60, "incident": ["none"]}, seed=1)
    assert result.outcomes == () and result.incidents == ()


def test_none_gives_a_clean_run_with_no_alerts():
    result = monitor.simulate_monitor(minutes=80, incident=["none"], seed=2)
    assert result.outcomes == ()
    assert sum(n for _, n in result.clean_alerts) == len(result.alerts)
    assert all(w.incident == "" for w in result.windows)


def test_rules_file_overrides_defaults(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("psi: 5.0\njs: 0.99\nks_correction: none\np99_ms: 1000\n")
    loaded = monitor.parse_rules(rules.read_text(), str(rules))
    assert (loaded.psi, loaded.js, loaded.ks_correction, loaded.p99_ms, loaded.auc_drop) == (5.0, 0.99, "none", 1000.0, 0.05)
    result = monitor.simulate_monitor(minutes=90, incident=["data-drift"], rules=loaded, seed=3)
    o = outcome(result, "data-drift")
    assert "psi" not in o.caught_by and "js" not in o.caught_by
    assert "ks" in o.caught_by  # the test statistic still sees it
    assert result.rules == loaded


def test_cli_table_output(run_cli):
    res = run_cli("simulate", "monitor", "--minutes", "60", "--incident", "latency-regression")
    assert res.code == 0, res.stderr
    assert "Injected incidents" in res.stdout and "latency-regression" in res.stdout
    assert "What the numbers say" in res.stdout


BAD = [
    (["--incident", "meteor"], "--incident"),
    (["--incident", "data-drif"], "did you mean 'data-drift'"),
    (["--incident", "none", "--incident", "qps-spike"], "--incident none"),
    (["--window", "300"], "--window 300 is larger than the run"),
    (["--minutes", "40", "--window", "20"], "--reference-minutes"),
    (["--minutes", "60", "--window", "10"], "too short"),
    (["--window", "0"], "--window"),
    (["--qps", "-3"], "--qps"),
    (["--qps", "5000"], "at most 5,000,000"),
    (["--qps", "0.1"], "reference requests"),
    (["--speed", "0"], "--speed"),
    (["--speed", "5000"], "--speed"),
    (["--port", "70000"], "--port"),
    (["--rules", "/nonexistent/rules.yml"], "--rules"),
]


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    res = run_cli("simulate", "monitor", *args)
    assert res.code == 2, res
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("psi: [unclosed\n", "not valid YAML"),
        ("psy: 0.3\n", "did you mean 'psi'"),
        ("psi: high\n", "psi must be a number"),
        ("ks_alpha: 1.5\n", "ks_alpha must be in"),
        ("ks_correction: holm\n", "ks_correction"),
        ("qps_low: 3\nqps_high: 2\n", "qps_low must be below qps_high"),
        ("- psi\n- 0.2\n", "expected a mapping"),
    ],
)
def test_bad_rules_file_is_one_line_exit_2(run_cli, tmp_path, content, needle):
    path = tmp_path / "rules.yml"
    path.write_text(content)
    res = run_cli("simulate", "monitor", "--minutes", "60", "--rules", str(path))
    assert res.code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "--rules" in lines[0], res.stderr


def test_cli_options_match_the_registry_spec():
    """Every sim option is a CLI option with the same default and help; the rest are cli_only."""
    import typer

    from mlsd.cli import app

    command = typer.main.get_command(app).commands["simulate"].commands["monitor"]
    params = {p.name: p for p in command.params}
    spec = registry.get_spec("monitor")
    for o in spec.options:
        assert params[o.name].default == o.default, o.name
        assert params[o.name].help.startswith(o.help), o.name  # then its range, for numbers
    assert set(params) - {o.name for o in spec.options} == {*spec.cli_only, "seed", "json_", "lang"}
    assert all(p.help for p in command.params)
