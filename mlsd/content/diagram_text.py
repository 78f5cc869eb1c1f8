"""An architecture as text: a layered listing for the terminal, and a Mermaid flowchart.

Both read the same `Architecture` and layering as the SVG drawing (`mlsd.doc.diagram`), and
neither needs more than the standard library (`mlsd checklist --diagram` starts fast).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from mlsd.content.architecture import Architecture, kind_name, layering
from mlsd.i18n import _, space

WIDTH = 80


def request_path(arch: Architecture) -> list[str]:
    """The online path from the first client (or the first component) as component ids,
    following the first online flow out of each component; stops before a repeat."""
    online = [f for f in arch.flows if not f.offline]
    if not online:
        return []
    starts = [c.id for c in arch.components if c.kind == "client"] + [online[0].source]
    path = [next(s for s in starts if any(f.source == s for f in online))]
    while True:
        nxt = next((f.target for f in online if f.source == path[-1] and f.target not in path), None)
        if nxt is None:
            return path
        path.append(nxt)


def to_text(arch: Architecture, width: int = WIDTH) -> str:
    """Layer by layer, each component with the flows leaving it: `→` online, `⇢` offline.

    Lines wrap with a hanging indent, so nothing passes `width` columns.
    """
    lay = layering(arch)
    label = {c.id: c.label for c in arch.components}
    out: list[str] = []

    def put(text: str, indent: int, hang: int) -> None:
        if any(_wide(ch) for ch in text):
            out.extend(wrap_cells(text, width, indent, hang))
            return
        out.extend(textwrap.wrap(text, width=width, initial_indent=" " * indent,
                                 subsequent_indent=" " * hang, break_long_words=True, break_on_hyphens=False))

    path = request_path(arch)
    if path:
        put(_("Request path: {path}").format(path=" → ".join(label[c] for c in path)), 0, 2)
    put(_("→ online flow (the request path)   ⇢ offline flow (training, batch, logging)"), 0, 2)
    for r, ids in enumerate(lay.layers, 1):
        out.append("")
        out.append(_("Layer {number}").format(number=r))
        for cid in ids:
            c = arch.component(cid)
            kind = f"  [{kind_name(c.kind)}]" if c.kind else ""
            put(f"■ {c.label}{kind}", 2, 4)
            for f in arch.flows:
                if f.source != cid:
                    continue
                arrow = "⇢" if f.offline else "→"
                put(f"{arrow} {label[f.target]}" + (_(":") + space() + f.label if f.label else ""), 4, 6)
    return "\n".join(out) + "\n"


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def wrap_cells(text: str, width: int, indent: int, hang: int) -> list[str]:
    """`text` on lines of at most `width` terminal cells (a Chinese character takes two):
    words stay whole, Chinese text breaks between characters, never before a closing
    punctuation mark or after an opening one (a longer word than a line still overflows)."""
    tokens = re.findall(r"\s+|[（《「『“]*(?:[^\s\u2e80-\uffef]+|[\u2e80-\uffef])[，。：；、）》」』！？”]*", text)
    lines: list[str] = []
    line, cells = " " * indent, indent
    for tok in tokens:
        size = sum(2 if _wide(ch) else 1 for ch in tok)
        if tok.isspace():
            if cells + size <= width and line.strip():
                line, cells = line + tok, cells + size
            continue
        if cells + size > width and line.strip():
            lines.append(line.rstrip())
            line, cells = " " * hang, hang
        line, cells = line + tok, cells + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


# ------------------------------------------------------------------ Mermaid

_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle",
             "direction", "default"}
# kind -> (open, close): Mermaid flowchart shapes
_SHAPES = {
    "client": ("([", "])"),
    "service": ("[", "]"),
    "model": ("(", ")"),
    "feature-store": ("[(", ")]"),
    "database": ("[(", ")]"),
    "index": ("[(", ")]"),
    "stream": ("[/", "/]"),
    "queue": ("[/", "/]"),
    "batch-job": ("[[", "]]"),
    "human-review": ("{{", "}}"),
    "": ("[", "]"),
}


def mermaid_id(raw: str, taken: set[str]) -> str:
    """A Mermaid node id: letters, digits and `_`, starting with a letter, not a keyword, unique."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", raw).strip("_") or "node"
    if not base[0].isalpha():
        base = "n_" + base
    if base.lower() in _RESERVED:
        base += "_"
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out


def mermaid_text(text: str) -> str:
    """A label inside Mermaid's quotes: quotes, `#`, `<`, `>`, `&`, `|` and backticks as entity codes."""
    codes = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "|": "#124;",
             "\n": " ", "\r": " "}
    return "".join(codes.get(ch, ch) for ch in text)


def to_mermaid(arch: Architecture) -> str:
    """`flowchart LR`: one node line per component (its kind as the shape), one line per flow;
    offline flows dotted (`-.->`). Every label is quoted and escaped."""
    taken: set[str] = set()
    ids = {c.id: mermaid_id(c.id, taken) for c in arch.components}
    lines = ["flowchart LR"]
    for c in arch.components:
        open_, close = _SHAPES.get(c.kind, _SHAPES[""])
        lines.append(f'    {ids[c.id]}{open_}"{mermaid_text(c.label)}"{close}')
    for f in arch.flows:
        arrow = "-.->" if f.offline else "-->"
        label = f'|"{mermaid_text(f.label)}"|' if f.label else ""
        lines.append(f"    {ids[f.source]} {arrow}{label} {ids[f.target]}")
    return "\n".join(lines)
