"""An architecture drawn as an inline SVG: layered, left to right, nothing overlapping.

Compute, then draw: `layout()` places boxes, arrows and arrow labels (plain numbers, checked
by the tests for overlaps), `to_svg()` writes them out. The layers come from
`mlsd.content.architecture.layering` (the request path reads left to right; a flow that would
close a cycle bends back); the order of the boxes within a layer and their vertical positions
come from grandalf's Sugiyama layout (barycentre crossing reduction, Brandes–Köpf placement),
imported here only, so `mlsd checklist` never loads it. After grandalf, each layer is swept
once more so boxes keep their gap whatever the library returned. A box with many arrows on
one side is made taller, so their ends stay apart.

Arrow labels live in the gaps between layers, where no box is: a gap with labels has a label
column as wide as its widest label, and every arrow crossing that gap runs level through the
column at a height of its own (its "run"); a label sits on its own arrow's run, so no arrow
passes through a label that is not its own. Either side of the column (or across a gap with no
labels) each arrow bends in a lane of its own, ordered so that arrows do not run on top of each
other or cross more than they must. Text widths are estimated from character classes (no font
metrics offline), on the generous side, so text stays inside its box. The drawing's height
takes in every box, label and arrow (long arrows may route below the boxes), and the legend
goes under all of it.

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
LABEL_GAP = 4.0  # between two labels in one gap
MARGIN = 16.0
PART_GAP = 36.0  # between unconnected parts of the diagram
ARC_BULGE = 18.0  # the least room an arc between two boxes of one layer takes in the gap right of them
TRACK_BEND = 16.0  # least room on each side of a gap's label column for arrows to bend to their run
PORT_GAP = 8.0  # least distance between two arrows' ends on one side of a box
LANE_MIN = 8.0  # least distance between two arrows bending side by side in one gap
LEVEL_WEIGHT = 1000.0  # how much more an arrow crossing a gap level resists moving off its line
LANE_CLEAR = 3.0  # vertical room kept between two bends that share a lane
RUN_CLEAR = 5.0  # an arrow leaving a zone this close to where another comes in must not run beside it

MIN_SCALE = 0.8  # a page may shrink the drawing to fit, not below this (then its figure scrolls)

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
    if shape == "queue":
        w += 18  # the bars at its right end, and as much on the left so the text stays centred
    h = 2 * PAD_Y + LABEL_LINE * len(lines) + (KIND_LINE if c.kind else 0)
    if shape == "cylinder":
        h += 8  # the top ellipse
    return lines, round(w, 1), round(h, 1)


def spread(wanted: list[float], sizes: list[float], gap: float, weights: list[float] | None = None) -> list[float]:
    """Centres as close to `wanted` as possible with each pair `gap` apart, order kept.

    Blocks of touching items are merged and centred on their members' wishes (the weighted
    least-squares placement of a chain), so nothing moves that need not, and a heavy item
    moves less than a light one.
    """
    n = len(wanted)
    weight = weights or [1.0] * n
    order = sorted(range(n), key=lambda i: (wanted[i], i))
    blocks: list[list] = []  # [start, total, members [(i, offset)]]
    for i in order:
        blocks.append([wanted[i] - sizes[i] / 2, sizes[i], [(i, sizes[i] / 2)]])
        while len(blocks) > 1 and blocks[-2][0] + blocks[-2][1] + gap > blocks[-1][0]:
            top, last = blocks[-2], blocks.pop()
            shift = top[1] + gap
            members = top[2] + [(j, off + shift) for j, off in last[2]]
            total = top[1] + gap + last[1]
            start = sum(weight[j] * (wanted[j] - off) for j, off in members) / sum(weight[j] for j, _ in members)
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


Point = tuple[float, float]
Segment = tuple[Point, ...]  # two points: a straight line; four: a cubic Bézier (start, two controls, end)


def _s_curve(p0: Point, p1: Point) -> Segment:
    """From `p0` right to `p1`: a line when level, else an S-curve whose ends stay horizontal."""
    if abs(p0[1] - p1[1]) < 0.05:
        return (p0, p1)
    mx = (p0[0] + p1[0]) / 2
    return (p0, (mx, p0[1]), (mx, p1[1]), p1)


def _end_counts(arch: Architecture, lay: Layering) -> dict[tuple[str, str], int]:
    """How many arrows end on each side ("L" or "R") of each box."""
    counts: dict[tuple[str, str], int] = {}
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        for key in ((left, "R"), (right, "R" if lay.directions[i] == 0 else "L")):
            counts[key] = counts.get(key, 0) + 1
    return counts


Bend = tuple[tuple[int, int, int], float, float]  # (flow, gap, zone), y coming in, y going out


def _lanes(bends: list[Bend], arcs: list[Bend]) -> tuple[dict[tuple[int, int, int], int], int]:
    """A lane (0 = leftmost) for each bend in one zone of a gap, and how many lanes it takes.

    Bends whose vertical runs overlap get lanes of their own, so no two arrows run on top of
    each other. The order avoids crossings that need not be: arcs first, inner ones left; of
    the arrows going down, the lower ones bend first (further left); of those going up, the
    upper ones. One rule comes first: when one arrow leaves the zone at about the height
    another comes in at, the one coming in bends first, so the two do not run side by side.
    A lane is the lowest one right of every earlier bend it must clear.
    """
    down = sorted((b for b in bends if b[2] > b[1]), key=lambda b: (-b[1], -b[2], b[0]))
    up = sorted((b for b in bends if b[2] < b[1]), key=lambda b: (b[1], b[2], b[0]))
    inner_first = sorted(arcs, key=lambda b: (abs(b[2] - b[1]), min(b[1], b[2]), b[0]))
    seq = inner_first + down + up
    n, n_arcs = len(seq), len(inner_first)
    lo = [min(b[1], b[2]) - LANE_CLEAR for b in seq]
    hi = [max(b[1], b[2]) + LANE_CLEAR for b in seq]

    def tail_meets_head(a: int, b: int) -> bool:
        """Whether a leaves (to the right) about where b comes in (an arc: either of its ends)."""
        heads = seq[b][1:] if b < n_arcs else seq[b][1:2]
        return a >= n_arcs and any(abs(seq[a][2] - y) < RUN_CLEAR for y in heads)

    right_of: list[set[int]] = [set() for _ in range(n)]  # right_of[u]: what must be right of u

    def reaches(u: int, v: int) -> bool:
        seen, stack = {u}, [u]
        while stack:
            w = stack.pop()
            if w == v:
                return True
            for x in right_of[w] - seen:
                seen.add(x)
                stack.append(x)
        return False

    def left_of(u: int, v: int) -> None:  # a rule, unless the stronger rules already say otherwise
        if not reaches(v, u):
            right_of[u].add(v)

    def meet(a: int, b: int) -> bool:
        return lo[a] < hi[b] and lo[b] < hi[a]

    group = [0] * n_arcs + [1] * len(down) + [2] * len(up)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    for a, b in pairs:  # strongest: no arrow runs beside another
        if tail_meets_head(a, b):
            left_of(b, a)
        if tail_meets_head(b, a):
            left_of(a, b)
    for same in (True, False):  # then no needless crossing; then any order for the rest
        for a, b in pairs:
            if meet(a, b) and (group[a] == group[b]) == same:
                left_of(a, b)
    order, placed = [], set()
    while len(order) < n:  # the default order where no rule says otherwise
        v = min(v for v in range(n) if v not in placed and not any(v in right_of[u] for u in range(n) if u not in placed))
        order.append(v)
        placed.add(v)
    lane: dict[tuple[int, int, int], int] = {}
    at: dict[int, int] = {}
    for v in order:
        at[v] = 1 + max([at[u] for u in at if meet(u, v) or tail_meets_head(u, v) or tail_meets_head(v, u)],
                        default=-1)
        lane[seq[v][0]] = at[v]
    return lane, max(lane.values(), default=-1) + 1


def layout(arch: Architecture) -> Layout:
    """Place every box, arrow and arrow label of `arch` (see the module docstring)."""
    lay = layering(arch)
    sizes = {c.id: _box_size(c) for c in arch.components}
    widths = {cid: s[1] for cid, s in sizes.items()}
    # A box with many arrows on one side grows, so that their ends stay PORT_GAP apart.
    counts = _end_counts(arch, lay)
    heights = {cid: max(s[2], round(2 * PAD_Y + (max(counts.get((cid, "L"), 0), counts.get((cid, "R"), 0)) + 1)
                                    * PORT_GAP, 1)) for cid, s in sizes.items()}
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
    # the last one, right of the last layer, is there only for arcs). A gap with labels has a
    # label column in its middle.
    label_lines = {i: tuple(wrap(f.label, FLOW_WRAP)) for i, f in enumerate(arch.flows) if f.label}
    label_size = {i: (max(text_width(s, FLOW_SIZE) for s in lines) + 8, FLOW_LINE * len(lines) + 4)
                  for i, lines in label_lines.items()}
    gap_of = {i: lay.ranks[f.source] - (lay.directions[i] < 0) for i, f in enumerate(arch.flows)}
    column = [0.0] * depth
    for i, (w, _h) in label_size.items():
        column[gap_of[i]] = max(column[gap_of[i]], w)

    # The y of each arrow at each layer it meets, left end first (the ends at box centres for now).
    levels: dict[int, list[float]] = {}
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        if lay.directions[i] != 0:
            levels[i] = ([y_of[left]] + [bend_y[(i, r)] for r in range(lay.ranks[left] + 1, lay.ranks[right])]
                         + [y_of[right]])

    # Runs: in a gap with a label column, every arrow crossing it runs level through the column
    # at a height of its own, and a label sits on its own arrow's run. The runs are spread like
    # labels (a label's run as tall as the label), in the order of the arrows' midpoints, so no
    # arrow crosses a label and the runs add no crossing. An arc's label gets a run too.
    run: dict[tuple[int, int], float] = {}  # (flow, gap) -> y of its run
    for g in range(depth):
        if not column[g]:
            continue
        items = []  # (wanted y, left y, right y, flow, size)
        for i, ys in levels.items():
            k = g - lay.ranks[drawn_ends(arch, lay, i)[0]]
            if 0 <= k < len(ys) - 1:
                size = label_size[i][1] if i in label_size and gap_of[i] == g else DUMMY
                items.append(((ys[k] + ys[k + 1]) / 2, ys[k], ys[k + 1], i, size))
        for i in label_size:
            if lay.directions[i] == 0 and gap_of[i] == g:
                left, right = drawn_ends(arch, lay, i)
                mid = (y_of[left] + y_of[right]) / 2
                items.append((mid, mid, mid, i, label_size[i][1]))
        items.sort(key=lambda t: t[:4])
        # An arrow that would cross the gap level keeps its line straight: the labels move instead.
        heavy = [LEVEL_WEIGHT if abs(t[1] - t[2]) < 0.5 else 1.0 for t in items]
        placed = spread([t[0] for t in items], [t[4] for t in items], LABEL_GAP, heavy)
        for t, y in zip(items, placed, strict=True):
            run[(t[3], g)] = y

    # Each arrow's port on each box side: arrows leave a box on its right and enter on its left
    # (an arc uses the right side twice), spread along the side in the order of where they go
    # next, so they do not cross at the box.
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        if lay.directions[i] == 0:
            sides.setdefault((left, "R"), []).append((y_of[right], i))
            sides.setdefault((right, "R"), []).append((y_of[left], i))
            continue
        rl, rr = lay.ranks[left], lay.ranks[right]
        sides.setdefault((left, "R"), []).append((run.get((i, rl), levels[i][1]), i))
        sides.setdefault((right, "L"), []).append((run.get((i, rr - 1), levels[i][-2]), i))
    ports: dict[tuple[int, str], float] = {}
    for (cid, _side), ends in sides.items():
        ends.sort()
        # Arcs from one box to others of its layer nest: the farther one leaves from further out.
        for below in (True, False):
            slots = [k for k, (toward, i) in enumerate(ends) if lay.directions[i] == 0 and (toward > y_of[cid]) == below]
            arcs = sorted((ends[k] for k in slots), key=lambda e: (abs(e[0] - y_of[cid]) * (-1 if below else 1), e[1]))
            for k, e in zip(slots, arcs, strict=True):
                ends[k] = e
        room = max(heights[cid] - 2 * PAD_Y, 1.0)
        for k, (_toward, i) in enumerate(ends):
            ports[(i, cid)] = y_of[cid] - room / 2 + room * (k + 1) / (len(ends) + 1)

    # What bends where: a gap is one zone, or two (left and right of its label column). Each
    # arrow bends once in each zone it crosses, from the height it comes in at to the height it
    # leaves at; an arc bends out and back in the zone right of its layer.
    bends: dict[tuple[int, int], list[tuple[tuple[int, int, int], float, float]]] = {}  # zone -> (key, y in, y out)
    arc_bends: dict[tuple[int, int], list[tuple[tuple[int, int, int], float, float]]] = {}
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        y0, y1 = ports[(i, left)], ports[(i, right)]
        if lay.directions[i] == 0:
            arc_bends.setdefault((lay.ranks[left], 0), []).append(((i, lay.ranks[left], 0), y0, y1))
            continue
        ys = [y0, *levels[i][1:-1], y1]
        for k, g in enumerate(range(lay.ranks[left], lay.ranks[right])):
            if column[g]:
                bends.setdefault((g, 0), []).append(((i, g, 0), ys[k], run[(i, g)]))
                bends.setdefault((g, 1), []).append(((i, g, 1), run[(i, g)], ys[k + 1]))
            else:
                bends.setdefault((g, 0), []).append(((i, g, 0), ys[k], ys[k + 1]))
    lane: dict[tuple[int, int, int], int] = {}
    lanes: dict[tuple[int, int], int] = {}
    for zone in sorted(set(bends) | set(arc_bends)):
        mine, count = _lanes(bends.get(zone, []), arc_bends.get(zone, []))
        lane.update(mine)
        lanes[zone] = count

    # Widths: each layer as wide as its widest box; each zone as wide as its lanes need.
    col_w = [max([widths[c] for c in widths if lay.ranks[c] == r] + [DUMMY]) for r in range(depth)]
    zone_w: dict[tuple[int, int], float] = {}
    gap_w = []
    for g in range(depth):
        least = GAP_MIN if g < depth - 1 else 0.0
        if g in {lay.ranks[drawn_ends(arch, lay, i)[0]] for i, d in enumerate(lay.directions) if d == 0}:
            least = max(least, 2 * ARC_BULGE)
        if column[g]:
            wl, wr = (max(TRACK_BEND, lanes.get((g, s), 0) * LANE_MIN) for s in (0, 1))
            extra = max(0.0, least - (wl + column[g] + wr)) / 2
            zone_w[(g, 0)], zone_w[(g, 1)] = wl + extra, wr + extra
            gap_w.append(wl + column[g] + wr + 2 * extra)
        else:
            zone_w[(g, 0)] = max(least, lanes.get((g, 0), 0) * LANE_MIN)
            gap_w.append(zone_w[(g, 0)])
    col_x = []
    x = MARGIN
    for r in range(depth):
        col_x.append(x)
        x += col_w[r] + gap_w[r]
    right_edge = x
    gap_x0 = [col_x[g] + col_w[g] for g in range(depth)]
    gap_x1 = [gap_x0[g] + gap_w[g] for g in range(depth)]
    col_l = [gap_x0[g] + zone_w[(g, 0)] for g in range(depth)]
    col_r = [col_l[g] + column[g] for g in range(depth)]
    zone_x = {(g, 0): gap_x0[g] for g in range(depth)} | {(g, 1): col_r[g] for g in range(depth) if column[g]}
    box_x = {cid: col_x[lay.ranks[cid]] + (col_w[lay.ranks[cid]] - widths[cid]) / 2 for cid in widths}

    def band(key: tuple[int, int, int]) -> tuple[float, float]:
        """The x range where this bend happens: its lane's share of the zone."""
        zone = key[1:]
        share = zone_w[zone] / max(lanes.get(zone, 1), 1)
        return zone_x[zone] + share * lane[key], zone_x[zone] + share * (lane[key] + 1)

    def bend(key: tuple[int, int, int], ya: float, yb: float) -> list[Segment]:
        """Across a zone: level to its band, an S-curve in it, level on to the zone's end."""
        zone = key[1:]
        x0, x1 = zone_x[zone], zone_x[zone] + zone_w[zone]
        if abs(ya - yb) < 0.05:
            return [((x0, ya), (x1, yb))]
        b0, b1 = band(key)
        return [((x0, ya), (b0, ya)), _s_curve((b0, ya), (b1, yb)), ((b1, yb), (x1, yb))]

    routes: dict[int, list[Segment]] = {}
    label_at: dict[int, tuple[float, float, Point]] = {}  # flow -> (left x, centre y, anchor)
    for i in range(len(arch.flows)):
        left, right = drawn_ends(arch, lay, i)
        y0, y1 = ports[(i, left)], ports[(i, right)]
        if lay.directions[i] == 0:  # an arc in the gap right of the layer, back into the same layer
            r = lay.ranks[left]
            edge = gap_x0[r]
            reach = sum(band((i, r, 0))) / 2 - edge
            segs: list[Segment] = [((box_x[left] + widths[left], y0), (edge, y0)),
                                   ((edge, y0), (edge + reach * 1.33, y0), (edge + reach * 1.33, y1), (edge, y1)),
                                   ((edge, y1), (box_x[right] + widths[right], y1))]
            if i in label_size:  # its label at the left of the column, with a leader to the arc
                label_at[i] = (col_l[r], run[(i, r)], (edge + reach, (y0 + y1) / 2))
        else:
            rl, rr = lay.ranks[left], lay.ranks[right]
            ys = [y0, *levels[i][1:-1], y1]
            segs = [((box_x[left] + widths[left], y0), (gap_x0[rl], y0))]
            for k, g in enumerate(range(rl, rr)):
                if column[g]:
                    ty = run[(i, g)]
                    segs += [*bend((i, g, 0), ys[k], ty), ((col_l[g], ty), (col_r[g], ty)), *bend((i, g, 1), ty, ys[k + 1])]
                    if gap_of[i] == g and i in label_size:
                        cx = (col_l[g] + col_r[g]) / 2
                        label_at[i] = (cx - label_size[i][0] / 2, ty, (cx, ty))
                else:
                    segs += bend((i, g, 0), ys[k], ys[k + 1])
                segs.append(((gap_x1[g], ys[k + 1]), (gap_x0[g + 1] if g + 1 < rr else box_x[right], ys[k + 1])))
            if lay.directions[i] < 0:
                segs = [tuple(reversed(s)) for s in reversed(segs)]
        routes[i] = [s for s in segs if s[0] != s[-1]]

    # Everything inside the drawing: what reaches above the top margin moves all down, and the
    # drawing ends a margin below its lowest box, label or arrow.
    ys_all = ([y_of[c] - heights[c] / 2 for c in y_of] + [y_of[c] + heights[c] / 2 for c in y_of]
              + [label_at[i][1] + sign * label_size[i][1] / 2 for i in label_at for sign in (-1, 1)]
              + [p[1] for segs in routes.values() for s in segs for p in s])
    xs_all = [p[0] for segs in routes.values() for s in segs for p in s]
    dy = max(0.0, MARGIN - min(ys_all))
    width = max(right_edge, max(xs_all, default=0.0)) + MARGIN
    height = max(ys_all) + dy + MARGIN

    boxes = tuple(Box(c.id, c.label, sizes[c.id][0], c.kind, c.note, lay.ranks[c.id], round(box_x[c.id], 1),
                      round(y_of[c.id] - heights[c.id] / 2 + dy, 1), widths[c.id], heights[c.id])
                  for c in arch.components)
    arrows = tuple(Arrow(i, f.source, f.target, f.offline,
                         _path([tuple((px, py + dy) for px, py in s) for s in routes[i]]), f.label)
                   for i, f in enumerate(arch.flows))
    labels = []
    for i in sorted(label_at):
        lx, cy, (ax, ay) = label_at[i]
        w, h = label_size[i]
        labels.append(FlowLabel(i, label_lines[i], round(lx, 1), round(cy - h / 2 + dy, 1), round(w, 1), round(h, 1),
                                (round(ax, 1), round(ay + dy, 1))))
    return Layout(round(width, 1), round(height, 1), boxes, arrows, tuple(labels))


def _n(v: float) -> str:
    """A coordinate as written: 0.1 px, no trailing zeros."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else ("0" if s == "-0" else s)


def _path(segments: list[Segment]) -> str:
    """SVG path data through the segments (lines and cubic Béziers), joined end to start."""
    out: list[str] = []
    at = None
    for seg in segments:
        if seg[0] != at:
            out.append(f"M{_n(seg[0][0])},{_n(seg[0][1])}")
        pts = " ".join(f"{_n(px)},{_n(py)}" for px, py in seg[1:])
        out.append(("L" if len(seg) == 2 else "C") + pts)
        at = seg[-1]
    return " ".join(out)


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
    lid = 8 if STYLES.get(b.kind, STYLES[""])[2] == "cylinder" else 0
    text_h = LABEL_LINE * len(b.lines) + (KIND_LINE if b.kind else 0)
    top = b.y + lid + (b.h - lid - text_h) / 2  # centred: a box grown for its arrows keeps its text in the middle
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
        f'width="{_n(width)}" height="{_n(height)}" style="min-width:{_n(width * MIN_SCALE)}px" role="img" '
        f'aria-labelledby="{pid}-title" '
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
        cx = lab.x + lab.w / 2
        out.append(f'<g class="flow-label" data-flow="{lab.index}">')
        ax, ay = lab.anchor
        near = (min(max(ax, lab.x), lab.x + lab.w), min(max(ay, lab.y), lab.y + lab.h))
        if abs(near[0] - ax) + abs(near[1] - ay) > 1.5:  # away from its arrow (an arc's label): a leader line
            out.append(f'<line x1="{_n(near[0])}" y1="{_n(near[1])}" x2="{_n(ax)}" y2="{_n(ay)}" '
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
