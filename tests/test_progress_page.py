"""`mlsd progress`: the sparkline per step and the HTML page with charts of scores over time."""

from __future__ import annotations

import json
import re

import pytest

from mlsd.cli.output import SPARK_BARS, sparkline
from mlsd.doc.progress_page import score_charts

ANSWER = ("requirements: We predict which paying subscribers churn in the next 30 days and measure success "
          "by retention and revenue saved; scoring runs as a daily batch, so latency is not critical.\n")
WEAK = "requirements: churn\n"


@pytest.mark.parametrize("values, expected", [
    ([0, 100], SPARK_BARS[0] + SPARK_BARS[-1]),
    ([50], SPARK_BARS[round(0.5 * (len(SPARK_BARS) - 1))]),
    ([-5, 140], SPARK_BARS[0] + SPARK_BARS[-1]),  # clipped to the 0–100 scale
    ([], ""),
])
def test_sparkline_maps_scores_onto_a_fixed_scale(values, expected):
    assert sparkline(values) == expected


def _practise(run_cli, tmp_path, answers):
    for i, text in enumerate(answers):
        f = tmp_path / f"a{i}.yaml"
        f.write_text(text)
        r = run_cli("practice", "churn", "--answers", str(f), "--stages", "requirements")
        assert r.code == 0, r.stderr


def test_progress_text_shows_a_sparkline_of_each_steps_scores(run_cli, tmp_path):
    _practise(run_cli, tmp_path, [WEAK, ANSWER, WEAK])
    report = json.loads(run_cli("progress", "--json").stdout)
    scores = [h["score"] for h in report["stages"]["requirements"]["history"]]
    assert len(scores) == 3 and scores[1] > scores[0] and scores[1] > scores[2]
    out = run_cli("progress").stdout
    assert sparkline(scores) in out


def test_progress_html_page_charts_every_step_over_time(run_cli, tmp_path):
    _practise(run_cli, tmp_path, [WEAK, ANSWER])
    page = tmp_path / "progress.html"
    r = run_cli("progress", "--format", "html", "-o", str(page))
    assert r.code == 0, r.stderr
    html = page.read_text()
    assert html.count("<svg") == 1 and "requirements" in html and "Practice progress" in html
    # Self-contained: nothing loaded from elsewhere.
    assert not re.search(r"<script|<link|<img|src=|url\((?!#)", html)
    # Refuses to replace an existing file without --force; -o - prints it.
    again = run_cli("progress", "--format", "html", "-o", str(page))
    assert again.code == 2 and "--force" in again.stderr
    assert run_cli("progress", "--format", "html", "-o", "-").stdout.startswith("<!DOCTYPE html>")


def test_charts_place_sessions_in_order_and_split_many_steps():
    stages = {f"s{i}": {"history": [{"session": 10 + j, "started_at": "2026-01-01T00:00:00", "score": 10.0 * j}
                                     for j in range(3)]} for i in range(7)}
    charts = score_charts({"stages": stages})
    assert len(charts) == 2 and len(charts[0].series) == 5 and len(charts[1].series) == 2
    assert charts[0].series[0].x == (1.0, 2.0, 3.0) and charts[0].x_integer


def test_progress_page_escapes_what_it_shows(tmp_path):
    from mlsd.doc.progress_page import render_progress_page

    report = {"sessions": 1, "stages": {}, "weakest": [], "next_scenario": "<b>x</b>", "next_reason": "<script>",
              "drill_topics": {}}
    html = render_progress_page(report, window=5, version="t")
    assert "<script>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize("args, message", [
    (("progress", "--format", "html"), "--format html needs -o FILE"),
    (("progress", "-o", "x.html"), "add --format html"),
    (("progress", "--format", "pdf"), "pdf"),
])
def test_progress_bad_options_are_one_line(run_cli, args, message):
    r = run_cli(*args)
    assert r.code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_score_charts_keep_the_whole_0_to_100_scale():
    """Scores of 99 and 100 on an axis fitted to the data drew a one-point change as a cliff."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mlsd.doc.charts import _draw

    stages = {"requirements": {"history": [{"session": 1, "started_at": "2026-01-01T00:00:00", "score": 100.0},
                                           {"session": 2, "started_at": "2026-01-02T00:00:00", "score": 99.0}]}}
    (chart,) = score_charts({"stages": stages})
    fig, ax = plt.subplots()
    try:
        _draw(ax, chart)
        low, high = ax.get_ylim()
    finally:
        plt.close(fig)
    assert low <= 0 < 100 <= high and high - low < 110
