"""The architecture drawn as SVG (mlsd.doc.diagram): no overlaps, layered, deterministic, escaped."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsd.content.architecture import Architecture, Component, Flow, layering
from mlsd.content.diagram_notation import parse_diagram
from mlsd.content.scenario import list_scenarios, load_scenario
from mlsd.doc.diagram import layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def overlaps(lay) -> list[tuple[str, str]]:
    """Pairs of boxes/labels whose rectangles intersect (touching edges do not count)."""
    rects = lay.rects()
    out = []
    for i, (n1, x1, y1, w1, h1) in enumerate(rects):
        for n2, x2, y2, w2, h2 in rects[i + 1:]:
            if x1 < x2 + w2 - 0.05 and x2 < x1 + w1 - 0.05 and y1 < y2 + h2 - 0.05 and y2 < y1 + h1 - 0.05:
                out.append((n1, n2))
    return out


def check_layout(arch: Architecture) -> None:
    lay = layout(arch)
    assert not overlaps(lay), overlaps(lay)
    ranks = layering(arch).ranks
    for b in lay.boxes:  # inside the drawing, and layered: a later layer lies wholly to the right
        assert b.x >= 0 and b.x + b.w <= lay.width and b.y >= 0 and b.y + b.h <= lay.height
        for other in lay.boxes:
            if ranks[other.id] > ranks[b.id]:
                assert other.x >= b.x + b.w
    for lab in lay.labels:
        assert lab.x >= 0 and lab.x + lab.w <= lay.width and lab.y >= 0 and lab.y + lab.h <= lay.height
    assert len(lay.arrows) == len(arch.flows)
    assert {lab.index for lab in lay.labels} == {i for i, f in enumerate(arch.flows) if f.label}


def test_no_overlap_in_any_shipped_architecture():
    shipped = [sc for sc in list_scenarios() if sc.architecture is not None]
    assert shipped
    for sc in shipped:
        check_layout(sc.architecture)


def test_the_overlap_check_can_fail():
    lay = layout(load_scenario("feed-ranking").architecture)
    b = lay.boxes[0]
    from dataclasses import replace

    moved = replace(lay, boxes=(b, replace(lay.boxes[1], x=b.x + 5, y=b.y + 5), *lay.boxes[2:]))
    assert overlaps(moved)


names = st.sampled_from(["app", "API gateway", "ranker", "Feature store", "logs", "training pipeline",
                         "model registry", "ANN index", "cache", "特征库", "a very long component name here",
                         "x", "scorer", "queue"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(names, names, st.booleans(), st.sampled_from(["", "feed request", "events",
                                                                        "a rather long label text"])),
                min_size=1, max_size=18))
def test_no_overlap_in_any_typed_diagram(edges):
    """Cycles, arcs within a layer, unconnected parts, long edges: boxes and labels never overlap."""
    lines = [f"{a} {'=>' if off else '->'} {b}" + (f": {label}" if label else "")
             for a, b, off, label in edges if a != b]
    if not lines:
        return
    check_layout(parse_diagram("\n".join(lines)))


def test_same_input_same_bytes_in_another_process():
    arch = load_scenario("feed-ranking").architecture
    here = render_svg(arch)
    assert here == render_svg(arch)
    code = ("from mlsd.content.scenario import load_scenario; from mlsd.doc.diagram import render_svg; "
            "import sys; sys.stdout.write(render_svg(load_scenario('feed-ranking').architecture))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                           env={"PYTHONHASHSEED": "12345", "PATH": ""}, check=True).stdout
    assert other == here


def test_svg_is_well_formed_and_escapes_every_label():
    comps = tuple(Component(f"c{i}", label, kind) for i, (label, kind) in enumerate([
        ("<script>alert(1)</script>", "client"), ('say "hi" & bye', "service"), ("plain", "model"),
        ("]]><x>", "database"), ("'quote'", "stream"), ("ok", "batch-job")]))
    flows = (Flow("c0", "c1", "<b>bold</b>"), Flow("c1", "c2", "a & b"), Flow("c2", "c3", "", "offline"),
             Flow("c3", "c4"), Flow("c4", "c5", '"x"', "offline"))
    arch = Architecture(comps, flows)
    svg = render_svg(arch, id_prefix='x"><script>', title="<t>")
    assert "<script>" not in svg and "<b>" not in svg and "<x>" not in svg
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "<script>alert(1)</script>" in texts and 'say "hi" & bye' in texts and "<b>bold</b>" in texts


def test_online_and_offline_arrows_differ_and_the_legend_names_both():
    root = ET.fromstring(render_svg(load_scenario("feed-ranking").architecture))
    paths = [p for p in root.iter(f"{SVG}path") if "flow" in (p.get("class") or "")]
    offline = [p for p in paths if "offline" in p.get("class")]
    online = [p for p in paths if "online" in p.get("class")]
    assert offline and online
    assert all(p.get("stroke-dasharray") for p in offline) and not any(p.get("stroke-dasharray") for p in online)
    legend = "".join(next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend").itertext())
    assert "online: the request path" in legend and "offline: training, batch, logging" in legend
    assert "feature store" in legend and "batch job" in legend
    kinds = {g.get("data-kind") for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    assert {"client", "model", "feature-store", "database", "stream", "batch-job", "index", "service"} == kinds
