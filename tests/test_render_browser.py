"""The HTML design doc opened in headless Chromium: renders, no console errors, SVG charts.

Chromium comes from Debian's `chromium` package (installed by .ci/run); where it is
absent the tests skip with that reason.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]


def _chromium(page: Path, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )


def console_errors(stderr: str) -> list[str]:
    """Console messages of level error, and failed loads, from Chromium's log."""
    return [
        line for line in stderr.splitlines()
        if ("CONSOLE" in line and ("error" in line.lower() or "Uncaught" in line)) or "Failed to load resource" in line
    ]


def test_console_error_detection_can_fail(tmp_path):
    """Guard for the check below: a page with a console error and a missing image is caught."""
    page = tmp_path / "bad.html"
    page.write_text('<html><body><img src="missing.png"><script>console.error("boom")</script></body></html>')
    result = _chromium(page, "--dump-dom")
    assert console_errors(result.stderr), result.stderr[-2000:]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from mlsd.content.scenario import load_scenario
    from mlsd.doc.render import build_context, render_document

    out = tmp_path_factory.mktemp("html") / "doc.html"
    cache = out.parent / "cache"
    ctx = build_context(load_scenario("search"), include_simulations=True, cache_dir=cache)
    out.write_text(render_document(ctx, fmt="html").text, encoding="utf-8")
    return out


def test_html_doc_has_no_console_errors_and_inline_svg_charts(rendered):
    result = _chromium(rendered, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not console_errors(result.stderr)
    dom = result.stdout
    assert dom.count("<svg") >= 1, "charts must be inline SVG elements"
    assert 'id="appendix"' in dom and 'class="toc"' in dom


def test_html_doc_screenshot(rendered, tmp_path):
    shot = tmp_path / "doc.png"
    result = _chromium(rendered, f"--screenshot={shot}", "--window-size=1200,3000")
    assert shot.is_file() and shot.stat().st_size > 20_000, result.stderr[-2000:]
    assert not console_errors(result.stderr)
