"""The architecture drawn as SVG (mlsd.doc.diagram): no overlaps, layered, deterministic, escaped."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsd.content.architecture import KINDS, Architecture, Component, Flow, layering
from mlsd.content.diagram_notation import parse_diagram
from mlsd.content.scenario import list_scenarios, load_scenario
from mlsd.doc.diagram import layout, render_svg, to_svg

SVG = "{http://www.w3.org/2000/svg}"

# ------------------------------------------------------------------ geometry of the written SVG
# Read back from the SVG text, independently of how the layout computed it.

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

_TOKEN = re.compile(r"[MLHVCAZmlhvcaz]|-?\d+(?:\.\d+)?")


def path_pieces(d: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """An absolute SVG path (M, L, H, V, C, A without rotation, Z) as pieces: ("L", [p0, p1]),
    ("C", [p0, c1, c2, p1]), or ("A", points along the elliptical arc)."""
    toks = _TOKEN.findall(d)
    pieces, at, start, cmd, k = [], (0.0, 0.0), (0.0, 0.0), "", 0

    def num() -> float:
        nonlocal k
        k += 1
        return float(toks[k - 1])

    while k < len(toks):
        if toks[k].isalpha():
            cmd = toks[k]
            k += 1
            assert cmd.isupper(), f"relative command {cmd} in {d!r}"
            if cmd == "Z":
                pieces.append(("L", [at, start]))
                at = start
            continue
        if cmd == "M":
            at = start = (num(), num())
            cmd = "L"  # further pairs after M are lines
        elif cmd == "L":
            p = (num(), num())
            pieces.append(("L", [at, p]))
            at = p
        elif cmd in "HV":
            v = num()
            p = (v, at[1]) if cmd == "H" else (at[0], v)
            pieces.append(("L", [at, p]))
            at = p
        elif cmd == "C":
            c1, c2, p = (num(), num()), (num(), num()), (num(), num())
            pieces.append(("C", [at, c1, c2, p]))
            at = p
        elif cmd == "A":
            rx, ry, rot, large, sweep = num(), num(), num(), num(), num()
            assert rot == 0, d
            p = (num(), num())
            pieces.append(("A", _arc_points(at, p, rx, ry, bool(large), bool(sweep))))
            at = p
    return pieces


def _arc_points(p0, p1, rx: float, ry: float, large: bool, sweep: bool, n: int = 64) -> list[tuple[float, float]]:
    """Points along an SVG elliptical arc (no rotation): the centre from its ends, as in
    the SVG specification's implementation notes (F.6.5)."""
    hx, hy = (p0[0] - p1[0]) / 2, (p0[1] - p1[1]) / 2
    grow = hx * hx / (rx * rx) + hy * hy / (ry * ry)
    if grow > 1:
        rx, ry = rx * math.sqrt(grow), ry * math.sqrt(grow)
    num = rx * rx * ry * ry - rx * rx * hy * hy - ry * ry * hx * hx
    coef = math.sqrt(max(0.0, num / (rx * rx * hy * hy + ry * ry * hx * hx))) * (-1 if large == sweep else 1)
    cx, cy = coef * rx * hy / ry + (p0[0] + p1[0]) / 2, -coef * ry * hx / rx + (p0[1] + p1[1]) / 2
    a0 = math.atan2((p0[1] - cy) / ry, (p0[0] - cx) / rx)
    a1 = math.atan2((p1[1] - cy) / ry, (p1[0] - cx) / rx)
    turn = a1 - a0
    if sweep and turn < 0:
        turn += 2 * math.pi
    if not sweep and turn > 0:
        turn -= 2 * math.pi
    return [(cx + rx * math.cos(a0 + turn * k / n), cy + ry * math.sin(a0 + turn * k / n)) for k in range(n + 1)]


def _cubic_extrema(a: float, b: float, c: float, d: float) -> list[float]:
    """Values of the cubic Bézier with these control values at its ends and turning points."""
    qa, qb, qc = -a + 3 * b - 3 * c + d, 2 * (a - 2 * b + c), b - a  # B'(t)/3 = qa t² + qb t + qc
    ts = []
    if abs(qa) < 1e-12:
        if abs(qb) > 1e-12:
            ts.append(-qc / qb)
    else:
        disc = qb * qb - 4 * qa * qc
        if disc >= 0:
            ts += [(-qb + s * math.sqrt(disc)) / (2 * qa) for s in (1, -1)]
    return [a, d] + [(1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t ** 3 * d
                     for t in ts if 0 < t < 1]


def path_bbox(d: str) -> Rect:
    """The exact bounding box of a path (an elliptical arc's: of 64 points along it)."""
    xs, ys = [], []
    for kind, pts in path_pieces(d):
        if kind == "C":
            xs += _cubic_extrema(*(p[0] for p in pts))
            ys += _cubic_extrema(*(p[1] for p in pts))
        else:
            xs += [p[0] for p in pts]
            ys += [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def path_points(d: str, step: float = 1.0) -> list[tuple[float, float]]:
    """Points along a path, about `step` px apart (an elliptical arc: 64 points)."""
    out = []
    for kind, pts in path_pieces(d):
        if kind == "A":
            out += pts
            continue
        span = sum(math.dist(p, q) for p, q in zip(pts, pts[1:], strict=False))  # the control polygon: longer
        n = max(2, int(span / step) + 1)
        for k in range(n + 1):
            t = k / n
            if kind == "L":
                out.append((pts[0][0] + (pts[1][0] - pts[0][0]) * t, pts[0][1] + (pts[1][1] - pts[0][1]) * t))
            else:
                w = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
                out.append((sum(wi * p[0] for wi, p in zip(w, pts, strict=True)),
                            sum(wi * p[1] for wi, p in zip(w, pts, strict=True))))
    return out


def strictly_inside(p: tuple[float, float], r: Rect, inset: float = 1.0) -> bool:
    return r[0] + inset < p[0] < r[2] - inset and r[1] + inset < p[1] < r[3] - inset


def meet(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def union(rects: list[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def svg_geometry(svg: str) -> dict:
    """What the written SVG draws: its viewBox, each flow's path data and bounding box, each flow
    label's rectangle, each box's outline and the legend's extent (shapes and text)."""
    root = ET.fromstring(svg)
    _x, _y, w, h = (float(v) for v in root.get("viewBox").split())
    flows = [(p.get("d"), path_bbox(p.get("d"))) for p in root.iter(f"{SVG}path")
             if "flow" in (p.get("class") or "").split()]
    labels = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "flow-label":
            r = g.find(f"{SVG}rect")
            x, y = float(r.get("x")), float(r.get("y"))
            labels[int(g.get("data-flow"))] = (x, y, x + float(r.get("width")), y + float(r.get("height")))
    nodes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            nodes[g.get("data-id")] = union([_element_box(e) for e in g if e.tag in (f"{SVG}rect", f"{SVG}path")])
    legend_g = next((g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"), None)
    legend = union([_element_box(e) for e in legend_g.iter() if e is not legend_g]) if legend_g is not None else None
    return {"view": (0.0, 0.0, w, h), "flows": flows, "labels": labels, "nodes": nodes, "legend": legend}


def _element_box(e: ET.Element) -> Rect:
    tag = e.tag.removeprefix(SVG)
    if tag == "rect":
        x, y = float(e.get("x")), float(e.get("y"))
        return x, y, x + float(e.get("width")), y + float(e.get("height"))
    if tag == "line":
        xs, ys = (float(e.get("x1")), float(e.get("x2"))), (float(e.get("y1")), float(e.get("y2")))
        return min(xs), min(ys), max(xs), max(ys)
    if tag == "path":
        return path_bbox(e.get("d"))
    if tag == "text":  # baseline at y: a generous box for the text's size
        size = float(e.get("font-size") or 10.5)
        x, y = float(e.get("x")), float(e.get("y"))
        return x, y - size, x + 0.75 * size * len("".join(e.itertext())), y + 0.3 * size
    raise AssertionError(f"unexpected element {tag} in the legend")


def drawing_problems(arch: Architecture, lay=None) -> list[str]:
    """What makes the written SVG hard to read: an arrow or a flow label outside the viewBox or
    over the legend, an arrow through a label not its own or through a box it does not join,
    two arrows running on top of each other (sharing more than RUN_TOGETHER 2-px cells)."""
    geo = svg_geometry(to_svg(lay or layout(arch), arch))
    view, legend, labels, nodes = geo["view"], geo["legend"], geo["labels"], geo["nodes"]
    problems = []
    things = [(f"flow {i}", box) for i, (_d, box) in enumerate(geo["flows"])]
    things += [(f"label of flow {i}", r) for i, r in labels.items()]
    for name, r in things:
        if not (view[0] <= r[0] and view[1] <= r[1] and r[2] <= view[2] and r[3] <= view[3]):
            problems.append(f"{name} {r} outside the viewBox {view}")
        if legend is not None and meet(r, legend):
            problems.append(f"{name} {r} over the legend {legend}")
    cells = []
    for i, (d, _box) in enumerate(geo["flows"]):
        pts = path_points(d)
        ends = (arch.flows[i].source, arch.flows[i].target)
        problems += [f"flow {i} through the label of flow {j}" for j, r in labels.items()
                     if j != i and any(strictly_inside(p, r) for p in pts)]
        problems += [f"flow {i} through box {cid}" for cid, r in nodes.items()
                     if cid not in ends and any(strictly_inside(p, r) for p in pts)]
        cells.append({(round(x / 2), round(y / 2)) for x, y in path_points(d, 0.5)})
    for i, mine in enumerate(cells):
        for j in range(i + 1, len(cells)):
            if len(mine & cells[j]) > RUN_TOGETHER:
                problems.append(f"flows {i} and {j} run together ({len(mine & cells[j])} cells)")
    return problems


RUN_TOGETHER = 8  # two arrows crossing at a shallow angle share a few cells; running together, many


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
    for a in lay.arrows:  # every arrow inside the drawing, above the legend
        x0, y0, x1, y1 = path_bbox(a.path)
        assert x0 >= 0 and x1 <= lay.width and y0 >= 0 and y1 <= lay.height, (a.index, (x0, y0, x1, y1))
    problems = drawing_problems(arch)
    assert not problems, problems


def shipped() -> list:
    found = [sc for sc in list_scenarios() if sc.architecture is not None]
    assert len(found) >= 16
    return found


def test_no_overlap_in_any_shipped_architecture():
    for sc in shipped():
        check_layout(sc.architecture)


def test_every_arrow_and_label_inside_the_viewbox_and_clear_of_the_legend_in_every_shipped_scenario():
    """Read back from the SVG text: each flow path's exact bounding box (lines and Béziers parsed
    from its path data) and each flow label's rectangle lie in the viewBox and off the legend;
    no arrow runs through a label or a box, or along another arrow."""
    for sc in shipped():
        svg = render_svg(sc.architecture)
        geo = svg_geometry(svg)
        assert len(geo["flows"]) == len(sc.architecture.flows) and geo["legend"] is not None
        assert geo["legend"][3] <= geo["view"][3]
        problems = drawing_problems(sc.architecture)
        assert not problems, (sc.id, problems)


def test_the_drawing_checks_can_fail():
    """Guards: an arrow pushed below the drawing (over the legend and out of the viewBox), a label
    moved onto another arrow, an arrow drawn through a box, two arrows drawn on one line."""
    from dataclasses import replace

    arch = load_scenario("churn").architecture
    lay = layout(arch)
    assert drawing_problems(arch, lay) == []
    first, last = lay.arrows[0], lay.arrows[-1]
    low = replace(first, path=first.path + f" L{lay.width / 2:.1f},{lay.height + 80:.1f}")
    problems = " ".join(drawing_problems(arch, replace(lay, arrows=(low, *lay.arrows[1:]))))
    assert "flow 0" in problems and "outside the viewBox" in problems and "over the legend" in problems
    lab = next(lab for lab in lay.labels if lab.index != last.index)
    px, py = path_points(last.path)[len(path_points(last.path)) // 2]
    over = replace(lab, x=px - lab.w / 2, y=py - lab.h / 2)
    moved = replace(lay, labels=tuple(over if x is lab else x for x in lay.labels))
    assert f"flow {last.index} through the label of flow {lab.index}" in drawing_problems(arch, moved)
    box = next(b for b in lay.boxes if b.id not in (first.source, first.target))
    through = replace(first, path=f"M{box.x - 5:.1f},{box.y + box.h / 2:.1f} L{box.x + box.w + 5:.1f},{box.y + box.h / 2:.1f}")
    assert f"flow 0 through box {box.id}" in drawing_problems(arch, replace(lay, arrows=(through, *lay.arrows[1:])))
    twin = replace(last, path=first.path)
    assert f"flows 0 and {last.index} run together" in " ".join(
        drawing_problems(arch, replace(lay, arrows=(*lay.arrows[:-1], twin))))


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


kinds = st.sampled_from(KINDS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(names, kinds), min_size=6, max_size=16, unique_by=lambda t: t[0]),
       st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15), st.booleans(),
                          st.sampled_from(["", "top 500", "embeddings refreshed nightly", "a rather long label text"])),
                min_size=1, max_size=30))
def test_every_arrow_inside_and_clear_of_the_legend_in_any_architecture(boxes, edges):
    """Shapes of every kind (cylinders, streams: the legend grows rows), online and offline flows,
    cycles and long flows: every arrow and label inside the viewBox, off the legend, readable."""
    comps = tuple(Component(f"c{k}", label, kind) for k, (label, kind) in enumerate(boxes))
    flows, seen = [], set()
    for a, b, offline, label in edges:
        a, b = a % len(comps), b % len(comps)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            flows.append(Flow(f"c{a}", f"c{b}", label, "offline" if offline else "online"))
    used = {f.source for f in flows} | {f.target for f in flows}
    if not flows:
        return
    check_layout(Architecture(tuple(c for c in comps if c.id in used), tuple(flows)))


def test_same_input_same_bytes_in_another_process():
    ids = [sc.id for sc in shipped()]
    here = "\n".join(render_svg(load_scenario(i).architecture) for i in ids)
    assert here == "\n".join(render_svg(load_scenario(i).architecture) for i in ids)
    code = ("from mlsd.content.scenario import load_scenario; from mlsd.doc.diagram import render_svg; "
            f"import sys; sys.stdout.write('\\n'.join(render_svg(load_scenario(i).architecture) for i in {ids!r}))")
    for seed in ("12345", "0"):
        other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                               env={"PYTHONHASHSEED": seed, "PATH": ""}, check=True).stdout
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
