"""Fast start: the light commands import none of the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "scipy", "sklearn", "faiss", "matplotlib")

PROBE = """
import sys
from mlsd.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["scenarios"], ["scenarios", "--json"], ["checklist"], ["checklist", "feed-ranking"],
     ["checklist", "churn", "--format", "json"], ["simulate", "--help"]],
)
def test_light_commands_import_no_heavy_library(argv):
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout[-300:]


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "mlsd", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("mlsd ")
