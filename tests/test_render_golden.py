"""Golden-file test: the Markdown design doc of a fixed scenario, byte for byte.

Regenerate after an intended change with `MLSD_UPDATE_GOLDEN=1 pytest tests/test_render_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlsd.content.scenario import load_scenario
from mlsd.doc.render import build_context, render_document

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden_design.md"


def _render(tmp_path, monkeypatch):
    monkeypatch.chdir(DATA)  # commands in the doc name the file relative to the working folder
    sc = load_scenario(DATA / "golden_scenario.yaml")
    ctx = build_context(sc, include_simulations=True, cache_dir=tmp_path / "cache")
    return render_document(ctx, fmt="md", asset_prefix="golden_design_files")


def test_markdown_matches_golden_file(tmp_path, monkeypatch):
    doc = _render(tmp_path, monkeypatch)
    if os.environ.get("MLSD_UPDATE_GOLDEN"):
        GOLDEN.write_text(doc.text, encoding="utf-8")
    assert doc.text == GOLDEN.read_text(encoding="utf-8")
    for name in doc.assets:
        assert f"(golden_design_files/{name})" in doc.text


def test_charts_are_reproducible_and_cache_is_used(tmp_path, monkeypatch):
    first = _render(tmp_path, monkeypatch)
    cached = list((tmp_path / "cache").glob("*.json"))
    assert len(cached) == 1
    second = _render(tmp_path, monkeypatch)  # served from the cache
    other = _render(tmp_path / "fresh", monkeypatch)  # recomputed
    assert first.assets and first.assets == second.assets == other.assets
    assert all(svg.startswith("<svg") for svg in first.assets.values())


GOLDEN_ZH = DATA / "golden_design_zh.md"


def test_chinese_markdown_matches_golden_file(tmp_path, monkeypatch):
    """Issue 19: the design doc in Chinese, byte for byte: headings, labels, the scenario's
    translated text (golden_scenario_zh.yaml), a small framework overlay (data/overlays/zh:
    the shipped one is the translators'), and the simulation's tables, chart captions and
    reading. The English content left untranslated is shown as written."""
    from mlsd import i18n
    from mlsd.content import overlays

    monkeypatch.chdir(DATA)
    monkeypatch.setattr(overlays, "DATA_DIR", DATA / "overlays")
    overlays._framework_content.cache_clear()
    i18n.set_language("zh")
    try:
        sc = load_scenario(DATA / "golden_scenario_zh.yaml")
        ctx = build_context(sc, include_simulations=True, cache_dir=tmp_path / "cache")
        doc = render_document(ctx, fmt="md", asset_prefix="golden_design_files")
    finally:
        i18n.set_language("en")
        overlays._framework_content.cache_clear()
    if os.environ.get("MLSD_UPDATE_GOLDEN"):
        GOLDEN_ZH.write_text(doc.text, encoding="utf-8")
    assert doc.text == GOLDEN_ZH.read_text(encoding="utf-8")
    assert "## 概述" in doc.text and "需求是什么？" in doc.text and "明确需求" in doc.text
    svg = next(iter(doc.assets.values()))
    assert "统计功效" in svg  # the chart's captions are Chinese too
