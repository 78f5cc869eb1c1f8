"""Architecture as data: a scenario's components and the flows between them.

A scenario's optional `architecture:` block (docs/scenario-format.md, "architecture") is
validated here by the strict loader, and the same `Architecture` holds a candidate's own
diagram (`mlsd.content.diagram_notation`), so one layering, one text view, one Mermaid
block and one SVG drawing serve both. Nothing here imports more than the standard library:
`mlsd checklist --diagram` must start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlsd.i18n import N_, _

KINDS: tuple[str, ...] = (
    "client", "service", "model", "feature-store", "database", "stream", "batch-job", "index", "queue",
    "human-review",
)
# What a kind is called where it is shown (the id stays in YAML and JSON); translated when shown.
KIND_NAMES: dict[str, str] = {
    "client": N_("client"), "service": N_("service"), "model": N_("model"), "feature-store": N_("feature store"),
    "database": N_("database"), "stream": N_("stream"), "batch-job": N_("batch job"), "index": N_("index"),
    "queue": N_("queue"), "human-review": N_("human review"),
}
MODES: tuple[str, ...] = ("online", "offline")
MIN_COMPONENTS, MAX_COMPONENTS = 6, 16
LABEL_MAX = 40  # characters of a component's label: what fits in a box on three short lines
FLOW_LABEL_MAX = 30  # characters of a flow's label: two short lines beside an arrow
NOTE_MAX = 300

_COMPONENT_KEYS = ("id", "label", "kind", "note")
_FLOW_KEYS = ("from", "to", "label", "mode")


@dataclass(frozen=True)
class Component:
    """A box: `kind` picks its shape and colour ("" for a candidate's box, which has none)."""

    id: str
    label: str
    kind: str = ""
    note: str = ""


@dataclass(frozen=True)
class Flow:
    """An arrow from one component to another; `offline` ones are training, batch, logging, backfill."""

    source: str
    target: str
    label: str = ""
    mode: str = "online"

    @property
    def offline(self) -> bool:
        return self.mode == "offline"


@dataclass(frozen=True)
class Architecture:
    components: tuple[Component, ...]
    flows: tuple[Flow, ...]

    def component(self, component_id: str) -> Component:
        return next(c for c in self.components if c.id == component_id)

    def to_dict(self) -> dict[str, Any]:
        """The YAML shape (`from`/`to`), as plain JSON-able data."""
        return {
            "components": [{"id": c.id, "label": c.label, "kind": c.kind, "note": c.note} for c in self.components],
            "flows": [{"from": f.source, "to": f.target, "label": f.label, "mode": f.mode} for f in self.flows],
        }


def kind_name(kind: str) -> str:
    """A component kind as shown: "batch-job" -> "batch job", in the interface language."""
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def from_dict(raw: Any) -> Architecture:
    """`Architecture.to_dict()` read back (the parsed-scenario cache); ValueError for anything else."""
    if not isinstance(raw, dict) or set(raw) != {"components", "flows"}:
        raise ValueError("architecture: wrong fields")
    comps, flows = raw["components"], raw["flows"]
    if not isinstance(comps, list) or not isinstance(flows, list):
        raise ValueError("architecture: expected lists")
    out_c = []
    for c in comps:
        if not isinstance(c, dict) or set(c) != set(_COMPONENT_KEYS) or not all(isinstance(v, str) for v in c.values()):
            raise ValueError("architecture: bad component")
        out_c.append(Component(c["id"], c["label"], c["kind"], c["note"]))
    out_f = []
    for f in flows:
        if not isinstance(f, dict) or set(f) != set(_FLOW_KEYS) or not all(isinstance(v, str) for v in f.values()):
            raise ValueError("architecture: bad flow")
        out_f.append(Flow(f["from"], f["to"], f["label"], f["mode"]))
    return Architecture(tuple(out_c), tuple(out_f))


# ------------------------------------------------------------------ validation


def validate(v: Any, raw: Any) -> Architecture:
    """The `architecture:` block of a scenario, checked by the loader's validator `v`.

    `v` is `mlsd.content.scenario._Validator` (its `fail`, `mapping`, `text`, `slug`): the
    first problem raises `<file>:<line>: architecture.<path>: <problem>`.
    """
    from mlsd.content.yamlfile import field_name
    from mlsd.errors import did_you_mean

    top = ("architecture",)
    raw = v.mapping(raw, top, ("components", "flows"), ("components", "flows"))
    comps_raw, flows_raw = raw["components"], raw["flows"]
    if not isinstance(comps_raw, list):
        v.fail(top + ("components",), "expected a list of components ({id, label, kind})")
    if not isinstance(flows_raw, list):
        v.fail(top + ("flows",), "expected a list of flows ({from, to, label, mode})")
    if not MIN_COMPONENTS <= len(comps_raw) <= MAX_COMPONENTS:
        v.fail(top + ("components",), f"has {len(comps_raw)} components; an architecture needs "
                                      f"{MIN_COMPONENTS} to {MAX_COMPONENTS}")
    components: list[Component] = []
    first_at: dict[str, tuple] = {}
    for i, item in enumerate(comps_raw):
        path = top + ("components", i)
        item = v.mapping(item, path, _COMPONENT_KEYS, ("id", "label", "kind"))
        cid = v.slug(item["id"], path + ("id",))
        if cid in first_at:
            v.fail(path + ("id",), f"duplicate component id {cid!r} (first used at {field_name(first_at[cid])}); "
                                   "ids must be unique within the architecture")
        first_at[cid] = path
        label = v.text(item["label"], path + ("label",), one_line=True)
        if len(label) > LABEL_MAX:
            v.fail(path + ("label",), f"label too long: {len(label)} characters, at most {LABEL_MAX} fit in a box; "
                                      "shorten it and put details in `note`")
        kind = item["kind"]
        if kind not in KINDS:
            hint = did_you_mean(kind, KINDS) if isinstance(kind, str) else ""
            v.fail(path + ("kind",), f"unknown kind {kind!r}{hint}; valid kinds: {', '.join(KINDS)}")
        note = v.text(item["note"], path + ("note",), one_line=True) if item.get("note") is not None else ""
        if len(note) > NOTE_MAX:
            v.fail(path + ("note",), f"note too long: {len(note)} characters, at most {NOTE_MAX}")
        components.append(Component(cid, label, kind, note))
    ids = [c.id for c in components]
    flows: list[Flow] = []
    seen_flow: dict[tuple[str, str], tuple] = {}
    for i, item in enumerate(flows_raw):
        path = top + ("flows", i)
        item = v.mapping(item, path, _FLOW_KEYS, ("from", "to"))
        ends = []
        for key in ("from", "to"):
            ref = v.text(item[key], path + (key,), one_line=True)
            if ref not in ids:
                v.fail(path + (key,), f"flow {'from' if key == 'from' else 'to'} a missing component {ref!r}"
                                      f"{did_you_mean(ref, ids)}; components: {', '.join(ids)}")
            ends.append(ref)
        source, target = ends
        if source == target:
            v.fail(path, f"self-loop: flow from {source!r} to itself; a flow joins two different components")
        if (source, target) in seen_flow:
            v.fail(path, f"duplicate flow {source} -> {target} (first at {field_name(seen_flow[(source, target)])}); "
                         "keep one flow per pair and merge the labels")
        seen_flow[(source, target)] = path
        label = v.text(item["label"], path + ("label",), one_line=True) if item.get("label") is not None else ""
        if len(label) > FLOW_LABEL_MAX:
            v.fail(path + ("label",), f"label too long: {len(label)} characters, at most {FLOW_LABEL_MAX} "
                                      "fit beside an arrow")
        mode = item.get("mode", "online")
        if mode not in MODES:
            hint = did_you_mean(mode, MODES) if isinstance(mode, str) else ""
            v.fail(path + ("mode",), f"unknown mode {mode!r}{hint}; valid modes: online (the request path, "
                                     "the default), offline (training, batch, logging, backfill)")
        flows.append(Flow(source, target, label, mode))
    used = {f.source for f in flows} | {f.target for f in flows}
    for i, c in enumerate(components):
        if c.id not in used:
            v.fail(top + ("components", i), f"orphan component {c.id!r}: it is in no flow; "
                                            "connect it with a flow or remove it")
    return Architecture(tuple(components), tuple(flows))


# ------------------------------------------------------------------ layering


@dataclass(frozen=True)
class Layering:
    """Each component's layer (0 = leftmost) and how each flow is drawn.

    `directions[i]` is +1 when flow i runs left to right, -1 when it bends back (right to
    left) and 0 when both ends share a layer (drawn as an arc beside that layer).
    """

    ranks: dict[str, int]
    directions: tuple[int, ...]

    @property
    def layers(self) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in range(max(self.ranks.values(), default=-1) + 1)]
        for cid, r in self.ranks.items():
            out[r].append(cid)
        return out

    @property
    def reversed_flows(self) -> tuple[bool, ...]:
        return tuple(d < 0 for d in self.directions)


def _longest_paths(nodes: list[str], succ: dict[str, list[str]], low: dict[str, int]) -> dict[str, int]:
    """Layer of each node of a DAG: at least `low[n]`, and one more than each predecessor."""
    indeg = dict.fromkeys(nodes, 0)
    for n in nodes:
        for t in succ[n]:
            indeg[t] += 1
    ranks = {n: low.get(n, 0) for n in nodes}
    ready = [n for n in nodes if indeg[n] == 0]
    while ready:  # Kahn's order, in declaration order: deterministic
        x = ready.pop(0)
        for y in succ[x]:
            ranks[y] = max(ranks[y], ranks[x] + 1)
            indeg[y] -= 1
            if indeg[y] == 0:
                ready.append(y)
    return ranks


def _acyclic(nodes: list[str], pairs: list[tuple[str, str]]) -> tuple[dict[str, list[str]], list[bool]]:
    """The pairs as a DAG, in order: one that would close a cycle is turned around."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    turned = []

    def reaches(a: str, b: str) -> bool:
        seen, stack = {a}, [a]
        while stack:
            x = stack.pop()
            if x == b:
                return True
            for y in succ[x]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        return False

    for a, b in pairs:
        flip = reaches(b, a)
        succ[b if flip else a].append(a if flip else b)
        turned.append(flip)
    return succ, turned


def layering(arch: Architecture) -> Layering:
    """Layers left to right, the request path first.

    1. Components on an online flow are layered by the online flows alone (longest path;
       a flow that would close a cycle is turned around), so the request path reads left
       to right without gaps; a component that only feeds others (a feature store, an
       index) sits just left of the first one it feeds.
    2. Components only on offline flows (logs, training, registry, batch jobs) are layered
       after the components that feed them, by the offline flows among themselves; one
       that only feeds others again sits just left of its first target.
    3. An offline flow back into the request path (a model deployed, embeddings refreshed)
       then bends back, right to left; one between two components of the same layer is
       an arc beside that layer.
    """
    order = [c.id for c in arch.components]
    online = [f for f in arch.flows if not f.offline]
    on_ids = [cid for cid in order if any(cid in (f.source, f.target) for f in online)]
    ranks: dict[str, int] = {}
    if on_ids:
        succ, _ = _acyclic(on_ids, [(f.source, f.target) for f in online])
        ranks = _pull_sources(on_ids, succ, _longest_paths(on_ids, succ, {}))
    off_ids = [cid for cid in order if cid not in ranks]
    if off_ids:
        inner = [(f.source, f.target) for f in arch.flows if f.source in off_ids and f.target in off_ids]
        succ, _ = _acyclic(off_ids, inner)
        low: dict[str, int] = {}
        fed: set[str] = set()
        for f in arch.flows:
            if f.source in ranks and f.target in off_ids:
                low[f.target] = max(low.get(f.target, 0), ranks[f.source] + 1)
                fed.add(f.target)
        sub = _longest_paths(off_ids, succ, low)
        # Toward what each one feeds: an offline chain that nothing online feeds (a batch job,
        # a registry) ends just left of its first target, not at the left edge.
        topo = sorted(off_ids, key=lambda x: sub[x])  # longest-path layers are a topological order
        targets = {cid: [f.target for f in arch.flows if f.source == cid] for cid in off_ids}
        for cid in reversed(topo):
            if targets[cid]:
                pulled = min(ranks[t] if t in ranks else sub[t] for t in targets[cid]) - 1
                sub[cid] = max(low[cid], min(sub[cid], pulled)) if cid in fed else pulled
        for cid in topo:  # and never at or left of what feeds it
            preds = [sub[x] + 1 for x in off_ids if cid in succ[x]]
            sub[cid] = max([sub[cid], low.get(cid, sub[cid])] + preds)
        for cid in reversed(topo):  # a source whose targets moved right follows them
            if targets[cid] and cid not in fed and not any(cid in succ[x] for x in off_ids):
                sub[cid] = max(sub[cid], min(ranks[t] if t in ranks else sub[t] for t in targets[cid]) - 1)
        ranks.update(sub)
    used = sorted(set(ranks.values()))  # close empty layers: the order of every pair is kept
    ranks = {cid: used.index(ranks[cid]) for cid in order}
    directions = tuple((ranks[f.target] > ranks[f.source]) - (ranks[f.target] < ranks[f.source]) for f in arch.flows)
    return Layering(ranks, directions)


def _pull_sources(nodes: list[str], succ: dict[str, list[str]], ranks: dict[str, int]) -> dict[str, int]:
    """A node nothing points to moves right, to just left of the first node it points to."""
    preds = {t for n in nodes for t in succ[n]}
    out = dict(ranks)
    for n in nodes:
        if n not in preds and succ[n]:
            out[n] = max(out[n], min(out[t] for t in succ[n]) - 1)
    return out


def drawn_ends(arch: Architecture, lay: Layering, i: int) -> tuple[str, str]:
    """Flow i's ends in layer order (left one first; for an arc, source first)."""
    f = arch.flows[i]
    return (f.target, f.source) if lay.directions[i] < 0 else (f.source, f.target)
