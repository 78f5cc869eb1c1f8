"""An architecture drawn as an inline SVG: layered, left to right, nothing overlapping.

Compute, then draw: `layout()` places boxes, arrows and arrow labels (plain numbers, checked
by the tests for overlaps), `to_svg()` writes them out. The layers come from
`mlsd.content.architecture.layering` (the request path reads left to right; a flow that would
close a cycle bends back); the order of the boxes within a layer and their vertical positions
come from grandalf's Sugiyama layout (barycentre crossing reduction, Brandes–Köpf placement),
imported here only, so `mlsd checklist` never loads it. After grandalf, each layer is swept
once more so boxes keep their gap whatever the library returned.

Arrow labels live in the gaps between layers, where no box is: each gap is made as wide as
its widest label, and the labels in one gap are spread vertically so none overlap (a label
pushed off its arrow gets a thin leader line). Text widths are estimated from character
classes (no font metrics offline), on the generous side, so text stays inside its box.

Same input, same bytes: everything follows the order of the architecture's lists, and
coordinates are written rounded to 0.1 px.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape

from mlsd.content.architecture import (
    Architecture,
    Component,
    Layering,
    drawn_ends,
    kind_name,
    layering,
)
from mlsd.i18n import gettext  # not `_`: the layout code uses `_` as a throwaway name

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', sans-serif"
LABEL_SIZE, LABEL_LINE = 12.5, 15.5
KIND_SIZE, KIND_LINE = 9.5, 12.0
FLOW_SIZE, FLOW_LINE = 10.5, 13.0
BOX_WRAP, FLOW_WRAP = 15, 13  # characters per line before wrapping
PAD_X, PAD_Y = 10.0, 7.0
BOX_MIN_W = 92.0
BOX_GAP = 22.0  # between boxes stacked in one layer
DUMMY = 8.0  # room an arrow passing through a layer takes
GAP_MIN = 52.0  # between two layers
LABEL_PAD = 10.0  # free room on each side of a label in its gap
LABEL_GAP = 4.0  # between two labels in one gap
MARGIN = 16.0
PART_GAP = 36.0  # between unconnected parts of the diagram
ARC_BULGE = 18.0  # how far an arc between two boxes of one layer reaches into the gap

ONLINE_COLOUR, OFFLINE_COLOUR = "#33415c", "#8a5a00"

# kind -> (fill, stroke, shape)
STYLES: dict[str, tuple[str, str, str]] = {
    "client": ("#e3f0ff", "#2f67b1", "pill"),
    "service": ("#eef1f5", "#56627a", "rect"),
    "model": ("#fff0dc", "#b85f00", "rect-bold"),
    "feature-store": ("#e4f4e8", "#2a7d4f", "cylinder"),
    "database": ("#efefef", "#5a5a5a", "cylinder"),
    "index": ("#e3f5f6", "#1e7680", "cylinder"),
    "stream": ("#f2e9fb", "#7042a6", "stream"),
    "queue": ("#f6ecfb", "#8a4fb3", "queue"),
    "batch-job": ("#fff8d6", "#8f7500", "cut"),
    "human-review": ("#fde8ef", "#b4235a", "double"),
    "": ("#ffffff", "#3a4250", "rect"),  # a candidate's box: no kind
}


# ------------------------------------------------------------------ text sizes

_NARROW = set("iljtfr.,:;'|!()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """A generous width estimate of `text` at `size` px in a sans-serif font."""
    em = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1.0
        elif ch in _NARROW:
            em += 0.34
        elif ch in _WIDE:
            em += 0.9
        elif ch.isupper() or ch.isdigit():
            em += 0.7
        else:
            em += 0.58
    return em * size


def wrap(text: str, width: int) -> list[str]:
    """Words onto lines of about `width` characters (CJK text breaks anywhere)."""
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    for word in words:
        while len(word) > width and any(unicodedata.east_asian_width(c) in ("W", "F") for c in word):
            lines.append(word[:width // 2])
            word = word[width // 2:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


# ------------------------------------------------------------------ the layout


@dataclass(frozen=True)
class Box:
    id: str
    label: str
    lines: tuple[str, ...]
    kind: str
    note: str
    rank: int
    x: float  # top-left corner
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Arrow:
    index: int  # the flow's position in the architecture
    source: str
    target: str
    offline: bool
    path: str  # SVG path data, from the source to the target
    label: str


@dataclass(frozen=True)
class FlowLabel:
    index: int
    lines: tuple[str, ...]
    x: float  # top-left corner
    y: float
    w: float
    h: float
    anchor: tuple[float, float]  # the point of the arrow the label belongs to


@dataclass(frozen=True)
class Layout:
    width: float
    height: float  # of the drawing, without the legend
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    labels: tuple[FlowLabel, ...]

    def rects(self) -> list[tuple[str, float, float, float, float]]:
        """Every box and label as (name, x, y, w, h): what must not overlap."""
        return ([(f"box {b.id}", b.x, b.y, b.w, b.h) for b in self.boxes]
                + [(f"label of flow {lab.index}", lab.x, lab.y, lab.w, lab.h) for lab in self.labels])


def _box_size(c: Component) -> tuple[tuple[str, ...], float, float]:
    lines = tuple(wrap(c.label, BOX_WRAP))
    w = max(BOX_MIN_W, max(text_width(s, LABEL_SIZE) for s in lines) + 2 * PAD_X)
    if c.kind:
        w = max(w, text_width(kind_name(c.kind), KIND_SIZE) + 2 * PAD_X)
    shape = STYLES.get(c.kind, STYLES[""])[2]
    if shape == "stream":
        w += 14  # the slanted ends
    h = 2 * PAD_Y + LABEL_LINE * len(lines) + (KIND_LINE if c.kind else 0)
    if shape == "cylinder":
        h += 8  # the top ellipse
    return lines, round(w, 1), round(h, 1)


def spread(wanted: list[float], sizes: list[float], gap: float) -> list[float]:
    """Centres as close to `wanted` as possible with each pair `gap` apart, order kept.

    Blocks of touching items are merged and centred on their members' wishes (the
    least-squares placement of a chain), so nothing moves that need not.
    """
    n = len(wanted)
    order = sorted(range(n), key=lambda i: (wanted[i], i))
    blocks: list[list] = []  # [start, total, members [(i, offset)]]
    for i in order:
        blocks.append([wanted[i] - sizes[i] / 2, sizes[i], [(i, sizes[i] / 2)]])
        while len(blocks) > 1 and blocks[-2][0] + blocks[-2][1] + gap > blocks[-1][0]:
            top, last = blocks[-2], blocks.pop()
            shift = top[1] + gap
            members = top[2] + [(j, off + shift) for j, off in last[2]]
            total = top[1] + gap + last[1]
            start = sum(wanted[j] - off for j, off in members) / len(members)
            blocks[-1] = [start, total, members]
    out = [0.0] * n
    for start, _total, members in blocks:
        for j, off in members:
            out[j] = start + off
    return out


def _parts(arch: Architecture, lay: Layering) -> list[list[str]]:
    """Parts joined by arrows across layers (ignoring direction; an arc within a layer does not
    join), each in declaration order; parts ordered by their first member."""
    links: dict[str, set[str]] = {c.id: set() for c in arch.components}
    for i, f in enumerate(arch.flows):
        if lay.directions[i] == 0:
            continue
        links[f.source].add(f.target)
        links[f.target].add(f.source)
    seen: set[str] = set()
    parts = []
    for c in arch.components:
        if c.id in seen:
            continue
        group, stack = {c.id}, [c.id]
        while stack:
            for y in links[stack.pop()]:
                if y not in group:
                    group.add(y)
                    stack.append(y)
        seen |= group
        parts.append([x.id for x in arch.components if x.id in group])
    return parts


def _place_part(arch: Architecture, lay: Layering, ids: list[str], heights: dict[str, float],
                widths: dict[str, float]) -> tuple[dict[str, float], dict[tuple[int, int], float]]:
    """Vertical centres of one connected part's boxes, and of the bends of its long arrows
    ((flow index, rank) -> y), from grandalf's Sugiyama layout with our layers."""
    if len(ids) == 1:
        return {ids[0]: 0.0}, {}
    from grandalf.graphs import Edge, Vertex, graph_core
    from grandalf.layouts import Layer, SugiyamaLayout, VertexViewer

    members = set(ids)
    base = min(lay.ranks[i] for i in ids)
    vertices = {}
    for cid in ids:
        v = Vertex(cid)
        v.view = VertexViewer(w=heights[cid], h=widths[cid])  # grandalf lays layers top-down: swap axes
        vertices[cid] = v
    edges: dict[int, Edge] = {}
    for i, _f in enumerate(arch.flows):
        left, right = drawn_ends(arch, lay, i)
        if left in members and lay.directions[i] != 0:  # an arc within a layer is not grandalf's
            edges[i] = Edge(vertices[left], vertices[right])
    sug = SugiyamaLayout(graph_core(list(vertices.values()), list(edges.values())))
    sug.xspace, sug.yspace = BOX_GAP, GAP_MIN
    sug.dw, sug.dh = DUMMY, DUMMY  # a long arrow's bend takes little room
    # Our layers, not grandalf's own ranking (the same longest-path idea, but request path first):
    # what init_all() does, with the ranks given.
    sug.alt_e = []
    depth = max(lay.ranks[i] for i in ids) - base + 1
    sug.layers = [Layer([]) for _ in range(depth)]
    for cid in ids:
        sug.grx[vertices[cid]].rank = lay.ranks[cid] - base
        sug.layers[lay.ranks[cid] - base].append(vertices[cid])
    for e in edges.values():
        sug.setdummies(e)
    for layer in sug.layers:
        layer.setup(sug)
    sug.initdone = True
    sug.draw(3)
    centres = {cid: float(vertices[cid].view.xy[0]) for cid in ids}
    bends = {}
    for i, e in edges.items():
        for r, d in sug.ctrls.get(e, {}).items():
            if isinstance(d, Vertex):  # the two ends are kept in ctrls too
                continue
            bends[(i, r + base)] = float(d.view.xy[0])
    return centres, bends


def layout(arch: Architecture) -> Layout:
    """Place every box, arrow and arrow label of `arch` (see the module docstring)."""
    lay = layering(arch)
    sizes = {c.id: _box_size(c) for c in arch.components}
    heights = {cid: s[2] for cid, s in sizes.items()}
    widths = {cid: s[1] for cid, s in sizes.items()}
    depth = max(lay.ranks.values()) + 1

    # Vertical placement: each connected part on its own, stacked top to bottom.
    y_of: dict[str, float] = {}
    bend_y: dict[tuple[int, int], float] = {}
    top = MARGIN
    for ids in _parts(arch, lay):
        centres, bends = _place_part(arch, lay, ids, heights, widths)
        # One more sweep per layer: boxes and bends keep their gap whatever grandalf returned.
        for r in range(depth):
            items = [(cid, centres[cid], heights[cid]) for cid in ids if lay.ranks[cid] == r]
            items += [(key, y, DUMMY) for key, y in bends.items() if key[1] == r]
            placed = spread([y for _, y, _ in items], [h for _, _, h in items], BOX_GAP)
            for (key, _, _), y in zip(items, placed, strict=True):
                if isinstance(key, str):
                    centres[key] = y
                else:
                    bends[key] = y
        low = min([centres[c] - heights[c] / 2 for c in ids] + [y - DUMMY / 2 for y in bends.values()])
        high = max([centres[c] + heights[c] / 2 for c in ids] + [y + DUMMY / 2 for y in bends.values()])
        for c in ids:
            y_of[c] = centres[c] - low + top
        for key, y in bends.items():
            bend_y[key] = y - low + top
        top += high - low + PART_GAP

    # Which gap holds each arrow's label: the one beside its source (gap r is right of layer r;
    # the last one, right of the last layer, is there only for arcs).
    label_lines = {i: tuple(wrap(f.label, FLOW_WRAP)) for i, f in enumerate(arch.flows) if f.label}
    label_size = {i: (max(text_width(s, FLOW_SIZE) for s in lines) + 8, FLOW_LINE * len(lines) + 4)
                  for i, lines in label_lines.items()}
    gap_of = {i: lay.ranks[f.source] - (lay.directions[i] < 0) for i, f in enumerate(arch.flows)}
    col_w = [max([widths[c] for c in widths if lay.ranks[c] == r] + [DUMMY]) for r in range(depth)]
    gap_w = [GAP_MIN] * (depth - 1) + [0.0]
    for i, d in enumerate(lay.directions):
        if d == 0:
            gap_w[gap_of[i]] = max(gap_w[gap_of[i]], 2 * ARC_BULGE)
    for i, (w, _h) in label_size.items():
        gap_w[gap_of[i]] = max(gap_w[gap_of[i]], w + 2 * LABEL_PAD)
    col_x = []
    x = MARGIN
    for r in range(depth):
        col_x.append(x)
        x += col_w[r] + gap_w[r]
    width = x + MARGIN
    box_x = {cid: col_x[lay.ranks[cid]] + (col_w[lay.ranks[cid]] - widths[cid]) / 2 for cid in widths}

    # Each arrow's bends through the layers between its ends, then its port on each box side:
    # arrows leave a box on its right and enter on its left (an arc uses the right side twice),
    # spread along the side in the order of where they go, so they do not cross at the box.
    routes: dict[int, list[tuple[float, float]]] = {}
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        pts = []
        for r in range(lay.ranks[left] + 1, lay.ranks[right]):
            pts += [(col_x[r], bend_y[(i, r)]), (col_x[r] + col_w[r], bend_y[(i, r)])]
        routes[i] = pts
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        pts = routes[i]
        sides.setdefault((left, "R"), []).append((pts[0][1] if pts else y_of[right], i))
        side = "R" if lay.directions[i] == 0 else "L"
        sides.setdefault((right, side), []).append((pts[-1][1] if pts else y_of[left], i))
    ports: dict[tuple[int, str], float] = {}
    for (cid, _side), ends in sides.items():
        ends.sort()
        room = max(heights[cid] - 2 * PAD_Y, 1.0)
        for k, (_toward, i) in enumerate(ends):
            ports[(i, cid)] = y_of[cid] - room / 2 + room * (k + 1) / (len(ends) + 1)

    arrows, anchors = [], {}
    for i, f in enumerate(arch.flows):
        left, right = drawn_ends(arch, lay, i)
        if lay.directions[i] == 0:  # an arc in the gap right of the layer, back into the same layer
            r = lay.ranks[left]
            edge = col_x[r] + col_w[r]
            bulge = min(ARC_BULGE, gap_w[r] / 2)
            y0, y1 = ports[(i, left)], ports[(i, right)]
            path = (f"M{_n(box_x[left] + widths[left])},{_n(y0)} L{_n(edge)},{_n(y0)} "
                    f"C{_n(edge + bulge * 1.33)},{_n(y0)} {_n(edge + bulge * 1.33)},{_n(y1)} {_n(edge)},{_n(y1)} "
                    f"L{_n(box_x[right] + widths[right])},{_n(y1)}")
            anchors[i] = (edge + bulge, (y0 + y1) / 2)
            arrows.append(Arrow(i, f.source, f.target, f.offline, path, f.label))
            continue
        start = (box_x[left] + widths[left], ports[(i, left)])
        end = (box_x[right], ports[(i, right)])
        pts = [start, (col_x[lay.ranks[left]] + col_w[lay.ranks[left]], start[1]), *routes[i],
               (col_x[lay.ranks[right]], end[1]), end]
        segments = []  # (curve?, p0, p1)
        for p0, p1 in zip(pts, pts[1:], strict=False):
            if p0 != p1:
                segments.append((p1[0] - p0[0] > 0.5 and p0[1] != p1[1], p0, p1))
        gx0 = col_x[gap_of[i]] + col_w[gap_of[i]]  # the label's gap: the segment crossing it
        for _curve, p0, p1 in segments:
            if abs(p0[0] - gx0) < 0.01 and p1[0] > p0[0]:
                anchors[i] = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
        if lay.directions[i] < 0:
            segments = [(c, p1, p0) for c, p0, p1 in reversed(segments)]
        arrows.append(Arrow(i, f.source, f.target, f.offline, _path(segments), f.label))

    # Labels: in their gap, spread so none overlap.
    labels = []
    for g in range(depth):
        mine = [i for i in label_lines if gap_of[i] == g]
        centres = spread([anchors[i][1] for i in mine], [label_size[i][1] for i in mine], LABEL_GAP)
        for i, cy in zip(mine, centres, strict=True):
            w, h = label_size[i]
            cx = col_x[g] + col_w[g] + gap_w[g] / 2
            labels.append(FlowLabel(i, label_lines[i], round(cx - w / 2, 1), round(cy - h / 2, 1), round(w, 1),
                                    round(h, 1), (round(anchors[i][0], 1), round(anchors[i][1], 1))))
    labels.sort(key=lambda lab: lab.index)
    boxes = tuple(Box(c.id, c.label, sizes[c.id][0], c.kind, c.note, lay.ranks[c.id], round(box_x[c.id], 1),
                      round(y_of[c.id] - heights[c.id] / 2, 1), widths[c.id], heights[c.id])
                  for c in arch.components)
    bottom = max([b.y + b.h for b in boxes] + [lab.y + lab.h for lab in labels]) + MARGIN
    shift = min([0.0] + [lab.y - MARGIN for lab in labels])  # a label spread above the top
    if shift < 0:
        boxes = tuple(Box(b.id, b.label, b.lines, b.kind, b.note, b.rank, b.x, round(b.y - shift, 1), b.w, b.h)
                      for b in boxes)
        labels = [FlowLabel(lab.index, lab.lines, lab.x, round(lab.y - shift, 1), lab.w, lab.h,
                            (lab.anchor[0], round(lab.anchor[1] - shift, 1))) for lab in labels]
        arrows = [Arrow(a.index, a.source, a.target, a.offline, _shift_path(a.path, -shift), a.label)
                  for a in arrows]
        bottom -= shift
    return Layout(round(width, 1), round(bottom, 1), boxes, tuple(arrows), tuple(labels))


def _n(v: float) -> str:
    """A coordinate as written: 0.1 px, no trailing zeros."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else ("0" if s == "-0" else s)


def _path(segments: list[tuple[bool, tuple[float, float], tuple[float, float]]]) -> str:
    """Straight runs through layers, S-curves across gaps (their ends stay horizontal)."""
    if not segments:
        return ""
    out = [f"M{_n(segments[0][1][0])},{_n(segments[0][1][1])}"]
    for curve, (x0, y0), (x1, y1) in segments:
        if curve:
            mx = (x0 + x1) / 2
            out.append(f"C{_n(mx)},{_n(y0)} {_n(mx)},{_n(y1)} {_n(x1)},{_n(y1)}")
        else:
            out.append(f"L{_n(x1)},{_n(y1)}")
    return " ".join(out)


def _shift_path(path: str, dy: float) -> str:
    """A path written by `_path`, moved down by `dy`."""
    import re

    def move(m: re.Match) -> str:
        return f"{m.group(1)},{_n(float(m.group(2)) + dy)}"

    return re.sub(r"(-?[\d.]+),(-?[\d.]+)", move, path)


# ------------------------------------------------------------------ SVG


def _shape(kind: str, x: float, y: float, w: float, h: float) -> str:
    fill, stroke, shape = STYLES.get(kind, STYLES[""])
    paint = f'fill="{fill}" stroke="{stroke}"'
    if shape == "pill":
        return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="{_n(min(16, h / 2))}" {paint} stroke-width="1.4"/>'
    if shape == "cylinder":
        ry = 5.0
        body = (f'<path d="M{_n(x)},{_n(y + ry)} A{_n(w / 2)},{_n(ry)} 0 0 1 {_n(x + w)},{_n(y + ry)} '
                f'V{_n(y + h - ry)} A{_n(w / 2)},{_n(ry)} 0 0 1 {_n(x)},{_n(y + h - ry)} Z" {paint} stroke-width="1.4"/>')
        rim = (f'<path d="M{_n(x)},{_n(y + ry)} A{_n(w / 2)},{_n(ry)} 0 0 0 {_n(x + w)},{_n(y + ry)}" '
               f'fill="none" stroke="{stroke}" stroke-width="1.4"/>')
        return body + rim
    if shape == "stream":
        k = 7.0
        return (f'<path d="M{_n(x)},{_n(y)} H{_n(x + w - k)} L{_n(x + w)},{_n(y + h / 2)} L{_n(x + w - k)},{_n(y + h)} '
                f'H{_n(x)} L{_n(x + k)},{_n(y + h / 2)} Z" {paint} stroke-width="1.4"/>')
    if shape == "queue":
        bars = "".join(f'<line x1="{_n(x + w - d)}" y1="{_n(y)}" x2="{_n(x + w - d)}" y2="{_n(y + h)}" '
                       f'stroke="{stroke}" stroke-width="1"/>' for d in (5, 9))
        return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="3" {paint} stroke-width="1.4"/>' + bars
    if shape == "cut":
        k = 7.0
        return (f'<path d="M{_n(x + k)},{_n(y)} H{_n(x + w - k)} L{_n(x + w)},{_n(y + k)} V{_n(y + h - k)} '
                f'L{_n(x + w - k)},{_n(y + h)} H{_n(x + k)} L{_n(x)},{_n(y + h - k)} V{_n(y + k)} Z" '
                f'{paint} stroke-width="1.4"/>')
    if shape == "double":
        return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="4" {paint} stroke-width="1.4"/>'
                f'<rect x="{_n(x + 3)}" y="{_n(y + 3)}" width="{_n(w - 6)}" height="{_n(h - 6)}" rx="2" fill="none" '
                f'stroke="{stroke}" stroke-width="0.8"/>')
    width = "2.2" if shape == "rect-bold" else "1.4"
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="4" {paint} stroke-width="{width}"/>'


def _box_svg(b: Box) -> str:
    top = b.y + PAD_Y + (8 if STYLES.get(b.kind, STYLES[""])[2] == "cylinder" else 0)
    cx = b.x + b.w / 2
    tip = escape(b.label + (f" ({kind_name(b.kind)})" if b.kind else "") + (f": {b.note}" if b.note else ""))
    out = [f'<g class="node" data-id="{escape(b.id)}" data-kind="{escape(b.kind)}"><title>{tip}</title>',
           _shape(b.kind, b.x, b.y, b.w, b.h),
           f'<text class="node-label" x="{_n(cx)}" y="{_n(top)}" text-anchor="middle" font-size="{LABEL_SIZE}" '
           f'fill="#1d232a">']
    for k, line in enumerate(b.lines):
        out.append(f'<tspan x="{_n(cx)}" y="{_n(top + LABEL_LINE * (k + 1) - 4)}">{escape(line)}</tspan>')
    out.append("</text>")
    if b.kind:
        ky = top + LABEL_LINE * len(b.lines) + KIND_LINE - 2
        out.append(f'<text class="node-kind" x="{_n(cx)}" y="{_n(ky)}" text-anchor="middle" font-size="{KIND_SIZE}" '
                   f'font-style="italic" fill="#5c677d">{escape(kind_name(b.kind))}</text>')
    out.append("</g>")
    return "".join(out)


def to_svg(lay: Layout, arch: Architecture, *, id_prefix: str = "arch", title: str = "Architecture") -> str:
    """The layout as one self-contained SVG element (inline in HTML; every text escaped).

    `id_prefix` keeps the arrow markers' ids apart when one page holds two diagrams.
    """
    pid = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in id_prefix) or "arch"
    legend, legend_h = _legend(lay.width, [b.kind for b in lay.boxes], any(a.offline for a in lay.arrows),
                               any(not a.offline for a in lay.arrows), lay.height)
    width = max(lay.width, _legend_width(legend))
    height = lay.height + legend_h
    names = {c.id: c.label for c in arch.components}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="architecture" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-labelledby="{pid}-title" '
        f'font-family="{escape(FONT)}">',
        f'<title id="{pid}-title">{escape(title)}</title>',
        "<defs>",
    ]
    for name, colour in (("on", ONLINE_COLOUR), ("off", OFFLINE_COLOUR)):
        out.append(f'<marker id="{pid}-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 Z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>')
    out.append('<g class="flows" fill="none">')
    for a in lay.arrows:
        colour, mark = (OFFLINE_COLOUR, "off") if a.offline else (ONLINE_COLOUR, "on")
        dash = ' stroke-dasharray="6 4"' if a.offline else ""
        tip = f"{names[a.source]} → {names[a.target]}" + (f": {a.label}" if a.label else "") + " " + (
            gettext("(offline)") if a.offline else gettext("(online)"))
        out.append(f'<path class="flow {"offline" if a.offline else "online"}" d="{a.path}" stroke="{colour}" '
                   f'stroke-width="1.5"{dash} marker-end="url(#{pid}-arrow-{mark})"><title>{escape(tip)}</title></path>')
    out.append("</g>")
    out.append('<g class="nodes">')
    out += [_box_svg(b) for b in lay.boxes]
    out.append("</g>")
    out.append('<g class="flow-labels">')
    offline = {a.index: a.offline for a in lay.arrows}
    for lab in lay.labels:
        colour = OFFLINE_COLOUR if offline[lab.index] else ONLINE_COLOUR
        cx, cy = lab.x + lab.w / 2, lab.y + lab.h / 2
        out.append(f'<g class="flow-label" data-flow="{lab.index}">')
        if abs(cy - lab.anchor[1]) > lab.h / 2:  # spread away from its arrow: a leader line
            edge_y = lab.y if lab.anchor[1] < cy else lab.y + lab.h
            out.append(f'<line x1="{_n(cx)}" y1="{_n(edge_y)}" x2="{_n(lab.anchor[0])}" y2="{_n(lab.anchor[1])}" '
                       f'stroke="{colour}" stroke-width="0.7" stroke-dasharray="1 2"/>')
        out.append(f'<rect x="{_n(lab.x)}" y="{_n(lab.y)}" width="{_n(lab.w)}" height="{_n(lab.h)}" rx="3" '
                   f'fill="#ffffff" fill-opacity="0.92"/>')
        out.append(f'<text x="{_n(cx)}" y="{_n(lab.y + 2)}" text-anchor="middle" font-size="{FLOW_SIZE}" fill="{colour}">')
        for k, line in enumerate(lab.lines):
            out.append(f'<tspan x="{_n(cx)}" y="{_n(lab.y + 2 + FLOW_LINE * (k + 1) - 3)}">{escape(line)}</tspan>')
        out.append("</text></g>")
    out.append("</g>")
    out.append(legend)
    out.append("</svg>")
    return "".join(out)


_LEGEND_ROW = 22.0


def _legend_items(kinds: list[str], has_offline: bool, has_online: bool) -> list[tuple[str, str, float]]:
    items = []
    if has_online:
        text = gettext("online: the request path")
        items.append(("online", text, 34 + text_width(text, 10.5)))
    if has_offline:
        text = gettext("offline: training, batch, logging")
        items.append(("offline", text, 34 + text_width(text, 10.5)))
    for kind in dict.fromkeys(k for k in kinds if k):
        text = kind_name(kind)
        items.append((f"kind:{kind}", text, 26 + text_width(text, 10.5)))
    return items


def _legend(width: float, kinds: list[str], has_offline: bool, has_online: bool, top: float) -> tuple[str, float]:
    """The key below the drawing: solid vs dashed arrows, and each kind's shape; wrapped to the width."""
    items = _legend_items(kinds, has_offline, has_online)
    if not items:
        return "", 0.0
    avail = max(width, 420.0) - 2 * MARGIN
    out = ['<g class="legend" font-size="10.5" fill="#33415c">']
    x, y = MARGIN, top + 4
    for key, text, w in items:
        if x > MARGIN and x + w > MARGIN + avail:
            x, y = MARGIN, y + _LEGEND_ROW
        mid = y + _LEGEND_ROW / 2
        if key in ("online", "offline"):
            colour = OFFLINE_COLOUR if key == "offline" else ONLINE_COLOUR
            dash = ' stroke-dasharray="6 4"' if key == "offline" else ""
            out.append(f'<line x1="{_n(x)}" y1="{_n(mid)}" x2="{_n(x + 26)}" y2="{_n(mid)}" stroke="{colour}" '
                       f'stroke-width="1.5"{dash}/>')
            out.append(f'<text x="{_n(x + 32)}" y="{_n(mid + 3.5)}">{escape(text)}</text>')
        else:
            kind = key.split(":", 1)[1]
            out.append(_shape(kind, x, mid - 7, 20, 14))
            out.append(f'<text x="{_n(x + 25)}" y="{_n(mid + 3.5)}">{escape(text)}</text>')
        x += w + 16
    out.append("</g>")
    return "".join(out), y + _LEGEND_ROW + 8 - top


def _legend_width(legend: str) -> float:
    return 420.0 if legend else 0.0


def render_svg(arch: Architecture, *, id_prefix: str = "arch", title: str = "Architecture") -> str:
    """`to_svg(layout(arch))`: what the design doc embeds."""
    return to_svg(layout(arch), arch, id_prefix=id_prefix, title=title)
