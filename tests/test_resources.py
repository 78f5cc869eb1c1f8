"""`scenarios/` and `templates/` are found from a source tree and from a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlsd.resources import resource_dir

REPO = Path(__file__).resolve().parent.parent


def test_source_tree_uses_repo_folders(tmp_path):
    """Editable install / checkout: the locator returns the repo's own folders."""
    code = "from mlsd.resources import resource_dir as r; print(r('scenarios')); print(r('templates'))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(REPO / "scenarios"), str(REPO / "templates")]


def test_locator_in_this_process_finds_existing_folders():
    assert (resource_dir("scenarios") / "feed-ranking.yaml").is_file()
    assert (resource_dir("templates") / "design_doc.html.j2").is_file()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (whl,) = out.glob("mlsd-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_ships_scenarios_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for scenario in (REPO / "scenarios").glob("*.yaml"):
        assert f"mlsd/_data/scenarios/{scenario.name}" in names
    for template in (REPO / "templates").rglob("*"):
        if template.is_file():
            assert f"mlsd/_data/templates/{template.relative_to(REPO / 'templates')}" in names
    assert not any(n.startswith(("tests/", "scenarios/", "templates/")) for n in names)
    # The scorer's and the framework's data files ship inside the package.
    for data in (REPO / "mlsd" / "data").glob("*.yaml"):
        assert f"mlsd/data/{data.name}" in names


@pytest.mark.slow
def test_installed_wheel_finds_its_data(wheel, tmp_path):
    """Unpacked like site-packages, away from the repo: the locator uses mlsd/_data."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "from mlsd.resources import resource_dir; from mlsd.content.scenario import load_scenario;"
        "print(resource_dir('scenarios')); print(resource_dir('templates'));"
        "print(load_scenario('feed-ranking').id)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    scen, tmpl, sid = out.stdout.split()
    assert Path(scen) == site / "mlsd" / "_data" / "scenarios"
    assert Path(tmpl) == site / "mlsd" / "_data" / "templates"
    assert sid == "feed-ranking"
