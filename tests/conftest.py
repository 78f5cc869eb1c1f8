"""Shared fixtures: run the CLI in-process, isolate the history database."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

import pytest


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def assert_bad_input(self, needle: str = "") -> None:
        """The contract for bad input: exit 2, nothing on stdout, one line on stderr naming it."""
        assert self.code == 2, (self.code, self.stderr)
        assert self.stdout == ""
        assert len(self.stderr.strip().splitlines()) == 1 and "Traceback" not in self.stderr
        assert needle in self.stderr


@pytest.fixture
def check_charts():
    """check_charts(result): every chart has aligned series and draws to SVG."""
    from mlsd.doc.charts import to_svg

    def _check(result) -> None:
        for chart in result.charts():
            assert all(len(s.x) == len(s.y) > 1 for s in chart.series), chart.name
            assert to_svg(chart).startswith("<svg")

    return _check


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own MLSD_HOME so no real history is touched."""
    monkeypatch.setenv("MLSD_HOME", str(tmp_path / "mlsd-home"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    # English unless a test asks for another language, whatever the developer's locale
    monkeypatch.setenv("MLSD_LANG", "en")
    yield
    from mlsd import i18n

    i18n.set_language("en")  # main() in another language leaves it set for library calls


@pytest.fixture
def run_cli(monkeypatch):
    """run_cli("simulate", "ab-test", "plan", "--json", input="...") -> CliResult."""
    from mlsd.cli import main, output

    def _run(*args: str, input: str = "") -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        output.console.cache_clear()
        output.err_console.cache_clear()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            output.console.cache_clear()
            output.err_console.cache_clear()
        return CliResult(code, out.getvalue(), err.getvalue())

    return _run


def old_history(version: int):
    """The history database as an older mlsd left it: the first `version` migrations applied and
    nothing after (open_store then migrates it). Returns the open connection to fill with rows."""
    import sqlite3

    from mlsd.practice.store import MIGRATIONS, db_path

    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn
