"""The architecture diagram in the HTML design doc, measured in headless Chromium.

A script added to the rendered page measures the drawing with getBoundingClientRect and
writes what it found into the page, which `--dump-dom` prints: every component's label is
rendered, inside its box and on top (elementFromPoint after scrolling to it); no two boxes,
and no two arrow labels, overlap. Skips where Chromium is absent, like test_render_browser.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from test_render_browser import CHROMIUM, _chromium, console_errors

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")

MEASURE = r"""
<script>
(function () {
  const out = {diagrams: []};
  const inside = (a, b, tol) => a.left >= b.left - tol && a.right <= b.right + tol && a.top >= b.top - tol && a.bottom <= b.bottom + tol;
  const cross = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  document.querySelectorAll("svg.architecture").forEach((svg) => {
    const d = {figure: svg.closest("figure") ? svg.closest("figure").id : "", labels: [], problems: []};
    const boxes = [];
    svg.querySelectorAll("g.node").forEach((g) => {
      const shape = g.querySelector("rect, path");
      const box = shape.getBoundingClientRect();
      boxes.push([g.dataset.id, box]);
      const text = g.querySelector("text.node-label");
      d.labels.push([...text.querySelectorAll("tspan")].map((t) => t.textContent).join(" "));
      text.querySelectorAll("tspan").forEach((t) => {
        t.scrollIntoView({block: "center", inline: "center"});
        const r = t.getBoundingClientRect();
        const s = getComputedStyle(t);
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        const box2 = shape.getBoundingClientRect();
        if (!(r.width > 0 && r.height >= 8)) d.problems.push("too small: " + t.textContent + " " + r.height);
        if (s.visibility !== "visible" || s.display === "none" || parseFloat(s.opacity) === 0) d.problems.push("hidden: " + t.textContent);
        if (!inside(r, box2, 1)) d.problems.push("outside its box: " + t.textContent);
        if (!(hit === t || hit === text)) d.problems.push("covered or off screen: " + t.textContent + " hit " + (hit ? hit.tagName : null));
      });
    });
    const sr2 = svg.getBoundingClientRect();  // after the scrolling above: measure everything again
    const fresh = boxes.map(([id]) => [id, svg.querySelector('g.node[data-id="' + id + '"]').querySelector("rect, path").getBoundingClientRect()]);
    fresh.forEach(([id, b]) => { if (!inside(b, sr2, 1)) d.problems.push("box outside the drawing: " + id); });
    const labels = [...svg.querySelectorAll("g.flow-label rect")].map((r, i) => ["flow label " + i, r.getBoundingClientRect()]);
    const all = fresh.concat(labels);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++)
      if (cross(all[i][1], all[j][1])) d.problems.push("overlap: " + all[i][0] + " / " + all[j][0]);
    d.boxes = boxes.length;
    out.diagrams.push(d);
  });
  const pre = document.createElement("pre");
  pre.id = "layout-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def _measure(page_html: str, tmp_path, width: int = 1280) -> dict:
    page = tmp_path / "measured.html"
    page.write_text(page_html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    result = _chromium(page, "--dump-dom", f"--window-size={width},1000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not console_errors(result.stderr), console_errors(result.stderr)
    found = re.search(r'<pre id="layout-check">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_the_check_finds_overlaps_and_hidden_labels(tmp_path):
    """Guard: a page with two boxes on top of each other and a label painted over is caught."""
    svg = ('<svg class="architecture" xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
           '<g class="node" data-id="a"><rect x="0" y="0" width="120" height="40"/>'
           '<text class="node-label" x="60" y="25" text-anchor="middle"><tspan x="60" y="25">Alpha</tspan></text></g>'
           '<g class="node" data-id="b"><rect x="50" y="10" width="120" height="40" fill="#fff"/>'
           '<text class="node-label" x="110" y="35" text-anchor="middle"><tspan x="110" y="35">Beta</tspan></text></g>'
           "</svg>")
    got = _measure(f"<html><body>{svg}</body></html>", tmp_path)
    problems = " ".join(got["diagrams"][0]["problems"])
    assert "overlap: a / b" in problems and "covered or off screen: Alpha" in problems


def test_reference_diagram_is_readable(tmp_path):
    from mlsd.content.scenario import load_scenario
    from mlsd.doc.render import build_context, render_document

    sc = load_scenario("feed-ranking")
    doc = render_document(build_context(sc, include_simulations=False), fmt="html").text
    for width in (1280, 1900):
        got = _measure(doc, tmp_path, width)
        assert len(got["diagrams"]) == 1
        d = got["diagrams"][0]
        assert d["problems"] == [], d["problems"]
        assert d["figure"] == "arch-reference" and d["boxes"] == len(sc.architecture.components)
        assert sorted(d["labels"]) == sorted(c.label for c in sc.architecture.components)


def test_session_doc_draws_both_diagrams_readably(tmp_path, run_cli):
    answers = tmp_path / "answers.yaml"
    answers.write_text("requirements: The objective is meaningful interactions per DAU.\ndiagram: |\n"
                       "  Mobile app -> feed service: feed request\n  feed service -> ranker: candidates\n"
                       "  feature store -> ranker\n  logs => training\n  training => model registry\n"
                       "  model registry => ranker: deploy\n  ranker -> Mobile app: ranked feed\n")
    assert run_cli("practice", "feed-ranking", "--answers", str(answers)).code == 0
    out = tmp_path / "doc.html"
    assert run_cli("render", "feed-ranking", "--session", "latest", "--format", "html", "-o", str(out),
                   "--no-simulations").code == 0
    got = _measure(out.read_text(), tmp_path)
    assert [d["figure"] for d in got["diagrams"]] == ["arch-reference", "arch-candidate"]
    for d in got["diagrams"]:
        assert d["problems"] == [], d["problems"]
    assert sorted(got["diagrams"][1]["labels"]) == sorted(["Mobile app", "feed service", "ranker", "feature store",
                                                          "logs", "training", "model registry"])
