"""The candidate's own diagram, typed as edges: one `from -> to: label` per line.

    app -> ranker: candidates         an online flow (the request path), with a label
    ranker -> feature store           no label
    logs => training                  `=>` marks an offline flow (training, batch, logging)
    logs -> training (offline)        so does a trailing `(offline)`

Mermaid's `-->` and `-.->` (offline) are read too. Boxes are named by what the candidate
types: "Feature Store" and "feature  store" are one box, shown as first typed. Blank lines
and `#` comments are skipped; a line `clear` drops everything drawn before it. A bad line
is one error naming its line, what is wrong and an example of the right form.
The result is an `Architecture` whose components have no kind.
"""

from __future__ import annotations

import re

from mlsd.content.architecture import FLOW_LABEL_MAX, LABEL_MAX, Architecture, Component, Flow
from mlsd.errors import BadInputError
from mlsd.i18n import _

MAX_BOXES = 40
MAX_EDGES = 80
EXAMPLE = "`app -> ranker: candidates` or `logs => training (offline)`"
HELP = ("one edge per line: `app -> ranker: candidates` (online, with a label), `ranker -> feature store`, "
        "`logs => training` or `logs -> training (offline)` (offline: training, batch, logging); "
        "a line `clear` starts over")

_ARROW = re.compile(r"-\.+->|-+>|=+>")
_MARK = re.compile(r"\(\s*(offline|online)\s*\)\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*•]\s+|\d+[.)]\s+)")


class DiagramError(BadInputError):
    """A line of a typed diagram that cannot be read; the message names the line."""


def _name(raw: str) -> str:
    return " ".join(raw.strip().strip("\"'`").split())


def _fail(n: int, problem: str) -> DiagramError:
    online, offline = EXAMPLE.split(" or ")
    return DiagramError(_("line {line}: {problem}; write one edge per line, e.g. {example}").format(
        line=n, problem=problem, example=_("{online} or {offline}").format(online=online, offline=offline)))


def parse_edge(line: str, n: int = 1) -> tuple[str, str, str, str] | None:
    """One line as (from, to, label, mode), None for a blank or comment line; DiagramError if bad."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    text = _BULLET.sub("", text)
    arrows = list(_ARROW.finditer(text))
    shown = text if len(text) <= 60 else text[:57] + "..."
    if not arrows:
        return _raise(n, _("`{line}` has no arrow (`->` online, `=>` offline)").format(line=shown))
    if len(arrows) > 1:
        return _raise(n, _("`{line}` has {count} arrows, one edge needs one").format(line=shown, count=len(arrows)))
    arrow = arrows[0]
    offline = arrow.group(0).startswith("=") or "." in arrow.group(0)
    source, rest = text[:arrow.start()], text[arrow.end():]
    mark = _MARK.search(rest)
    if mark:
        if mark.group(1).lower() == "online" and offline:
            return _raise(n, _("`{line}` says both offline (`{arrow}`) and (online)").format(
                line=shown, arrow=arrow.group(0)))
        offline = offline or mark.group(1).lower() == "offline"
        rest = rest[:mark.start()]
    # The label follows a colon; a Chinese keyboard's full-width one counts too.
    target, sep, label = rest.replace("：", ":").partition(":")
    source, target, label = _name(source), _name(target), " ".join(label.split())
    if ":" in source:
        return _raise(n, _("`{line}`: the label goes after the target (`a -> b: label`), not before the arrow")
                      .format(line=shown))
    if not source:
        return _raise(n, _("`{line}` names no box before the arrow").format(line=shown))
    if not target:
        return _raise(n, _("`{line}` names no box after the arrow").format(line=shown))
    for name in (source, target):
        if len(name) > LABEL_MAX:
            return _raise(n, _("box name `{name}...` is {count} characters, at most {limit}").format(
                name=name[:30], count=len(name), limit=LABEL_MAX))
    if len(label) > FLOW_LABEL_MAX:
        return _raise(n, _("label `{label}...` is {count} characters, at most {limit}").format(
            label=label[:20], count=len(label), limit=FLOW_LABEL_MAX))
    if source.casefold() == target.casefold():
        return _raise(n, _("`{line}` joins `{box}` to itself; an edge joins two different boxes").format(
            line=shown, box=source))
    return source, target, label, "offline" if offline else "online"


def _raise(n: int, problem: str):
    raise _fail(n, problem)


def parse_diagram(text: str, base: Architecture | None = None) -> Architecture:
    """Lines of edges (module docstring) as an Architecture, added to `base` (a diagram so far).

    An edge typed again between the same two boxes replaces the earlier one (its label and mode).
    """
    names: dict[str, str] = {}  # casefolded -> as first typed
    edges: dict[tuple[str, str], tuple[str, str]] = {}
    if base is not None:
        for c in base.components:
            names[c.label.casefold()] = c.label
        label_of = {c.id: c.label for c in base.components}
        for f in base.flows:
            edges[(label_of[f.source].casefold(), label_of[f.target].casefold())] = (f.label, f.mode)
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().lower() == "clear":
            names.clear()
            edges.clear()
            continue
        parsed = parse_edge(line, n)
        if parsed is None:
            continue
        source, target, label, mode = parsed
        for name in (source, target):
            names.setdefault(name.casefold(), name)
        if len(names) > MAX_BOXES:
            raise _fail(n, _("more than {count} boxes; keep the diagram to the main components").format(
                count=MAX_BOXES))
        edges[(source.casefold(), target.casefold())] = (label, mode)
        if len(edges) > MAX_EDGES:
            raise _fail(n, _("more than {count} edges; keep the diagram to the main flows").format(count=MAX_EDGES))
    used = [k for k in names if any(k in pair for pair in edges)]
    ids = _ids([names[k] for k in used])
    id_of = dict(zip(used, ids, strict=True))
    components = tuple(Component(id_of[k], names[k]) for k in used)
    flows = tuple(Flow(id_of[a], id_of[b], label, mode) for (a, b), (label, mode) in edges.items())
    return Architecture(components, flows)


def _ids(labels: list[str]) -> list[str]:
    """A slug per box (`Feature store` -> `feature-store`), unique; `box-3` when nothing is left."""
    out: list[str] = []
    for i, label in enumerate(labels, 1):
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or f"box-{i}"
        candidate, k = slug, 2
        while candidate in out:
            candidate, k = f"{slug}-{k}", k + 1
        out.append(candidate)
    return out


def to_text(arch: Architecture) -> str:
    """The diagram in its own notation, one edge per line (what the session saves)."""
    label_of = {c.id: c.label for c in arch.components}
    lines = []
    for f in arch.flows:
        arrow = "=>" if f.offline else "->"
        lines.append(f"{label_of[f.source]} {arrow} {label_of[f.target]}" + (f": {f.label}" if f.label else ""))
    return "\n".join(lines)
