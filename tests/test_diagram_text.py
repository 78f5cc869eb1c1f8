"""The architecture as text (`mlsd checklist ID --diagram`) and as a Mermaid flowchart.

Mermaid's CLI is not available offline, so the Mermaid output is checked against a structural
grammar written here from Mermaid's flowchart syntax: a `flowchart LR` header, one node
declaration per line (`id` + a shape bracket pair around a quoted label), one edge per line
(`a --> b`, `a -.-> b`, optionally `-->|"label"|`), ids that are plain identifiers and not
keywords, every edge's ends declared, and labels free of raw quotes, `<`, `>`, `|`, backticks
and `#` outside an entity code.
"""

from __future__ import annotations

import re

from mlsd.content.architecture import Architecture, Component, Flow
from mlsd.content.diagram_notation import parse_diagram
from mlsd.content.diagram_text import to_mermaid, to_text
from mlsd.content.scenario import list_scenarios, load_scenario

ID = r"[A-Za-z][A-Za-z0-9_]*"
LABEL = r'"(?:[^"<>|`#\n]|#(?:[a-z]+|\d+);)*"'
SHAPES = [(r"\[", r"\]"), (r"\(\[", r"\]\)"), (r"\(", r"\)"), (r"\[\(", r"\)\]"), (r"\[/", r"/\]"),
          (r"\[\[", r"\]\]"), (r"\{\{", r"\}\}")]
NODE = re.compile(rf"^ {{4}}(?P<id>{ID})(?:" + "|".join(f"{o}{LABEL}{c}" for o, c in SHAPES) + r")$")
EDGE = re.compile(rf"^ {{4}}(?P<a>{ID}) (?:-->|-\.->)(?:\|{LABEL}\|)? (?P<b>{ID})$")
KEYWORDS = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle",
            "direction", "default"}


def check_mermaid(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, edges = [], []
    for line in lines[1:]:
        node, edge = NODE.match(line), EDGE.match(line)
        assert node or edge, f"not a node or edge line: {line!r}"
        if node:
            nodes.append(node["id"])
        else:
            edges.append((edge["a"], edge["b"]))
    assert len(nodes) == len(set(nodes)), "node ids must be unique"
    assert not {n.lower() for n in nodes} & KEYWORDS
    assert all(a in nodes and b in nodes for a, b in edges), "every edge's ends are declared"
    return nodes, edges


def test_the_grammar_check_can_fail():
    for bad in ('flowchart LR\n    a["x"]\n    a --> b', 'flowchart LR\n    a["say "hi""]',
                'flowchart LR\n    end["x"]', 'flowchart LR\n    a["<b>"]', 'flowchart LR\n    a["x"]\n    a -> a'):
        try:
            check_mermaid(bad)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_every_shipped_architecture_is_valid_mermaid():
    shipped = [sc for sc in list_scenarios() if sc.architecture is not None]
    assert shipped
    for sc in shipped:
        nodes, edges = check_mermaid(to_mermaid(sc.architecture))
        assert len(nodes) == len(sc.architecture.components) and len(edges) == len(sc.architecture.flows)


def test_offline_flows_are_dotted_and_labels_are_quoted():
    text = to_mermaid(load_scenario("feed-ranking").architecture)
    assert '    registry -.->|"staged rollout"| heavy_ranker' in text.splitlines()
    assert '    app -->|"feed request"| feed_service' in text.splitlines()
    assert '    feature_store[("Feature store")]' in text.splitlines()


def test_hostile_labels_and_ids_are_escaped_and_sanitised():
    comps = (Component("end", 'Say "hi" <script>', "service"), Component("3d-index", "a|b `c` #1 & d", "index"),
             Component("end-", "x", "model"))
    arch = Architecture(comps, (Flow("end", "3d-index", '<img src=x> "q" #'), Flow("3d-index", "end-", "", "offline")))
    text = to_mermaid(arch)
    nodes, _ = check_mermaid(text)
    assert nodes == ["end_", "n_3d_index", "end__2"]
    assert "#quot;hi#quot; #lt;script#gt;" in text and "a#124;b #96;c#96; #35;1 #amp; d" in text
    typed = parse_diagram('ranker -> "end": a | b\n特征库 -> ranker\n')
    check_mermaid(to_mermaid(typed))


def test_text_view_fits_80_columns_and_lists_every_component_and_flow():
    arch = load_scenario("feed-ranking").architecture
    text = to_text(arch)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.startswith("Request path: Mobile app → Feed service → Candidate generation")
    for c in arch.components:
        assert f"■ {c.label}" in " ".join(text.split())
    assert text.count("\n    → ") + text.count("\n    ⇢ ") == len(arch.flows)
    assert "⇢ Heavy ranker (multi-task MMoE): staged rollout" in text
    assert "Layer 7" in text and "Layer 8" not in text


def test_checklist_diagram_command(run_cli):
    r = run_cli("checklist", "feed-ranking", "--diagram")
    assert r.code == 0, r.stderr
    assert r.stdout == to_text(load_scenario("feed-ranking").architecture)
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    md = run_cli("checklist", "feed-ranking", "--diagram", "--format", "markdown").stdout
    assert md.startswith("```mermaid\nflowchart LR\n") and md.rstrip().endswith("```")
    check_mermaid(md.strip().split("\n", 1)[1].rsplit("\n", 1)[0])
    import json

    data = json.loads(run_cli("checklist", "feed-ranking", "--diagram", "--format", "json").stdout)
    assert data["layers"][0] == ["app"] and len(data["components"]) == len(load_scenario("feed-ranking").architecture.components)
    from pathlib import Path

    plain = str(Path(__file__).parent / "data" / "contract_example.yaml")
    run_cli("checklist", plain, "--diagram").assert_bad_input("has no `architecture:` block")
    run_cli("checklist", "--diagram").assert_bad_input("--diagram needs a scenario")


def test_every_shipped_scenario_has_an_architecture_within_80_columns():
    for sc in list_scenarios():
        assert sc.architecture is not None, f"{sc.id} has no architecture block"
        assert max(len(line) for line in to_text(sc.architecture).splitlines()) <= 80, sc.id
