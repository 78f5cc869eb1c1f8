"""`mlsd simulate monitor`'s CLI-only extras: serve /metrics live, write Grafana/Prometheus files.

The command itself is built from the declaration (`mlsd/sims/specs/monitor.py`, which
also declares these extras); this is what the extras do. The simulation
(`mlsd.sims.monitor`) and the Prometheus/Grafana plumbing (`mlsd.doc.monitor_export`) are
imported only when it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlsd.i18n import _
from mlsd.sims.registry import SimSpec

if TYPE_CHECKING:
    from mlsd.sims.monitor import MonitorResult


def run_monitor(spec: SimSpec, args: dict[str, Any], *, seed: int, as_json: bool, serve: bool, port: int,
                speed: float, grafana_dashboard: str, prometheus_rules: str, force: bool) -> None:
    """Check the output files first, then simulate (or serve live) and write them."""
    _check_output("--grafana-dashboard", grafana_dashboard, force)
    _check_output("--prometheus-rules", prometheus_rules, force)
    if serve:
        _serve(port=port, speed=speed, grafana=grafana_dashboard, prom=prometheus_rules, **args, seed=seed)
        return
    from mlsd.cli.output import run_and_emit
    from mlsd.sims.monitor import simulate_monitor

    result = run_and_emit(simulate_monitor, as_json=as_json, title=_(spec.title), **args, seed=seed)
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


def _write_files(result: MonitorResult, grafana: str, prom: str, speed: float) -> None:
    from mlsd.cli.output import err_console

    if not (grafana or prom):
        return
    from mlsd.doc import monitor_export as mx

    if grafana:
        mx.write_json(grafana, mx.grafana_dashboard(result, speed=speed), "--grafana-dashboard")
        err_console().print(_("wrote Grafana dashboard {file}").format(file=grafana), markup=False)
    if prom:
        mx.write_yaml(prom, mx.prometheus_rules(result, speed=speed), "--prometheus-rules")
        err_console().print(_("wrote Prometheus rules {file}").format(file=prom), markup=False)


def _serve(*, port: int, speed: float, grafana: str, prom: str, **kwargs: Any) -> None:
    from mlsd.cli.output import err_console, progress_bar
    from mlsd.doc import monitor_export as mx
    from mlsd.sims import monitor

    exporter = mx.MonitorExporter(monitor.NUMERIC, tuple(monitor.CATEGORICAL))
    server, thread = mx.bind(exporter, port)  # fail fast on a busy port, before simulating
    try:
        with progress_bar(description=_("simulating the stream")) as progress:
            result, stream = monitor.simulate_monitor_stream(**kwargs, progress=progress)
        _write_files(result, grafana, prom, speed)
    except BaseException:
        server.shutdown()
        server.server_close()
        raise

    def say(line: str) -> None:
        err_console().print(line, markup=False, highlight=False, soft_wrap=True)

    mx.serve(result, stream, exporter, server, thread, speed=speed, say=say)
