"""The scenario format's `architecture` block: the strict loader's errors and the layering."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scenario_loader import MINIMAL

from mlsd.content.architecture import KINDS, Architecture, Component, Flow, from_dict, layering
from mlsd.content.scenario import (
    list_scenarios,
    load_scenario,
    load_scenario_cached,
    parse_scenario,
)
from mlsd.errors import ScenarioError

HEAD = MINIMAL  # the smallest valid scenario; an architecture block goes after it

GOOD = {
    "components": [
        {"id": "app", "label": "Mobile app", "kind": "client"},
        {"id": "api", "label": "API gateway", "kind": "service"},
        {"id": "ranker", "label": "Ranking model", "kind": "model"},
        {"id": "features", "label": "Feature store", "kind": "feature-store"},
        {"id": "logs", "label": "Event stream", "kind": "stream"},
        {"id": "training", "label": "Training pipeline", "kind": "batch-job"},
    ],
    "flows": [
        {"from": "app", "to": "api", "label": "request"},
        {"from": "api", "to": "ranker", "label": "candidates"},
        {"from": "features", "to": "ranker"},
        {"from": "app", "to": "logs", "label": "impressions", "mode": "offline"},
        {"from": "logs", "to": "training", "mode": "offline"},
        {"from": "training", "to": "ranker", "label": "new model", "mode": "offline"},
    ],
}


def _text(arch: dict) -> str:
    return HEAD + yaml.safe_dump({"architecture": arch}, sort_keys=False)


def _error(arch: dict) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_text(arch), "my-case.yaml")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("my-case.yaml:")
    return msg


def _changed(path: tuple, value) -> dict:
    import copy

    arch = copy.deepcopy(GOOD)
    target = arch
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return arch


def test_a_valid_block_loads_in_file_order():
    sc = parse_scenario(_text(GOOD), "my-case.yaml")
    a = sc.architecture
    assert [c.id for c in a.components] == ["app", "api", "ranker", "features", "logs", "training"]
    assert a.flows[0] == Flow("app", "api", "request", "online")
    assert a.flows[3].offline and not a.flows[2].offline and a.flows[2].label == ""


def test_a_scenario_without_it_loads_as_before():
    assert parse_scenario(HEAD, "m.yaml").architecture is None


def test_unknown_kind_lists_the_valid_kinds():
    msg = _error(_changed(("components", 2, "kind"), "modle"))
    assert "architecture.components[2].kind: unknown kind 'modle' (did you mean 'model'?)" in msg
    assert "valid kinds: " + ", ".join(KINDS) in msg


def test_duplicate_id():
    msg = _error(_changed(("components", 3, "id"), "api"))
    assert "architecture.components[3].id: duplicate component id 'api'" in msg
    assert "architecture.components[1]" in msg


def test_flow_to_a_missing_component_names_it_and_the_components():
    msg = _error(_changed(("flows", 1, "to"), "rankr"))
    assert "architecture.flows[1].to: flow to a missing component 'rankr' (did you mean 'ranker'?)" in msg
    assert "components: app, api, ranker" in msg
    assert "flows[0].from: flow from a missing component 'nobody'" in _error(_changed(("flows", 0, "from"), "nobody"))


def test_self_loop():
    assert "architecture.flows[1]: self-loop: flow from 'api' to itself" in _error(_changed(("flows", 1, "to"), "api"))


def test_labels_too_long():
    msg = _error(_changed(("components", 0, "label"), "A" * 41))
    assert "architecture.components[0].label: label too long: 41 characters, at most 40" in msg
    msg = _error(_changed(("flows", 0, "label"), "b" * 31))
    assert "architecture.flows[0].label: label too long: 31 characters, at most 30" in msg
    parse_scenario(_text(_changed(("components", 0, "label"), "A" * 40)), "m.yaml")  # the limit itself is fine


def test_orphan_component():
    arch = _changed(("components",), [*GOOD["components"], {"id": "cache", "label": "Cache", "kind": "database"}])
    assert "architecture.components[6]: orphan component 'cache': it is in no flow" in _error(arch)


def test_duplicate_flow_unknown_mode_unknown_key_and_count():
    arch = _changed(("flows",), [*GOOD["flows"], {"from": "app", "to": "api"}])
    assert "architecture.flows[6]: duplicate flow app -> api (first at architecture.flows[0])" in _error(arch)
    assert "unknown mode 'ofline' (did you mean 'offline'?)" in _error(_changed(("flows", 3, "mode"), "ofline"))
    assert "unknown key 'colour'" in _error(_changed(("components", 0, "colour"), "red"))
    assert "has 5 components; an architecture needs 6 to 16" in _error(_changed(("components",), GOOD["components"][:5]))


def test_error_lines_point_into_the_file():
    text = _text(_changed(("components", 1, "kind"), "servce"))
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "servce" in s)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "x.yaml")
    assert str(info.value).startswith(f"x.yaml:{line}: architecture.components[1].kind: unknown kind 'servce'")


def test_the_parsed_cache_keeps_the_architecture(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(_text(GOOD))
    cache = tmp_path / "parsed.json"
    first = load_scenario_cached(path, cache=cache)
    again = load_scenario_cached(path, cache=cache)  # read back from the cache
    assert cache.exists() and again.architecture == first.architecture is not None
    assert from_dict(first.architecture.to_dict()) == first.architecture
    with pytest.raises(ValueError):
        from_dict({"components": [], "flows": [{"from": "a"}]})


def test_feed_ranking_ships_an_architecture_that_matches_its_reference_answers():
    sc = load_scenario("feed-ranking")
    a = sc.architecture
    assert a is not None
    text = " ".join(stage.reference for stage in sc.stages.values()).lower()
    for word in ("feature store", "model registry", "candidate generation", "first-stage ranking", "re-ranking",
                 "two-tower", "ann", "heavy ranker", "training pipeline", "batch prediction"):
        assert word in text, word  # every component is named in the reference answers
        assert any(word in c.label.lower() for c in a.components), word
    # the serving reference's request path, in order
    path = ["app", "feed-service", "candidate-gen", "first-stage", "heavy-ranker", "re-ranking"]
    online = {(f.source, f.target) for f in a.flows if not f.offline}
    assert all((x, y) in online for x, y in zip(path, path[1:], strict=False))


# ------------------------------------------------------------------ layering


def _arch(n: int, edges: list[tuple[int, int, bool]]) -> Architecture:
    comps = tuple(Component(f"c{i}", f"C{i}", "service") for i in range(n))
    flows = tuple(Flow(f"c{a}", f"c{b}", "", "offline" if off else "online") for a, b, off in edges)
    return Architecture(comps, flows)


def test_request_path_reads_left_to_right_and_the_offline_loop_bends_back():
    lay = layering(load_scenario("feed-ranking").architecture)
    r = lay.ranks
    assert r["app"] == 0
    assert r["app"] < r["feed-service"] < r["candidate-gen"] < r["first-stage"] < r["heavy-ranker"] < r["re-ranking"]
    a = load_scenario("feed-ranking").architecture
    back = [f for f, d in zip(a.flows, lay.directions, strict=True) if d < 0]
    assert ("registry", "heavy-ranker") in [(f.source, f.target) for f in back]
    assert all(f.offline for f in back)  # only the offline loop bends back


def test_an_offline_chain_fed_by_nothing_ends_just_left_of_what_it_feeds():
    # 0 -> 1 -> 2 online; 3 => 4 => 2 offline, nothing feeds 3
    lay = layering(_arch(5, [(0, 1, False), (1, 2, False), (3, 4, True), (4, 2, True)]))
    assert lay.ranks["c4"] == lay.ranks["c2"] - 1 and lay.ranks["c3"] == lay.ranks["c4"] - 1
    assert lay.directions == (1, 1, 1, 1)


def test_a_free_offline_source_follows_a_target_pushed_right():
    # 0 -> 1 -> 2 online; 2 => 3 => 4 offline (fed from the request path); 5 => 4 (nothing feeds 5);
    # 4 => 0 bends back into the request path
    lay = layering(_arch(6, [(0, 1, False), (1, 2, False), (2, 3, True), (3, 4, True), (5, 4, True), (4, 0, True)]))
    assert lay.ranks["c5"] == lay.ranks["c4"] - 1 == lay.ranks["c3"]
    assert lay.directions[-1] == -1


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.booleans()), min_size=1, max_size=20))))
def test_layering_is_a_valid_drawing_for_any_graph(case):
    """Every flow runs forward, bends back or stays in one layer, consistent with the ranks;
    the layers start at 0 and none is empty; the same input gives the same layering."""
    n, raw = case
    seen, edges = set(), []
    for a, b, off in raw:
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            edges.append((a, b, off))
    if not edges:
        return
    arch = _arch(n, edges)
    lay = layering(arch)
    assert min(lay.ranks.values()) == 0 and all(lay.layers)
    for f, d in zip(arch.flows, lay.directions, strict=True):
        rs, rt = lay.ranks[f.source], lay.ranks[f.target]
        assert d == (rt > rs) - (rt < rs)
    # Without a cycle among the online flows, all of them run forward; so do offline flows out of
    # the request path into components only on offline flows, and those among such components
    # when they form no cycle.
    online = [(f.source, f.target) for f in arch.flows if not f.offline]
    on_ids = {x for pair in online for x in pair}
    off_only = [(f.source, f.target) for f in arch.flows if f.offline and f.target not in on_ids]
    inner = [(s, t) for s, t in off_only if s not in on_ids]
    for pairs in (online, off_only if not _cyclic(inner) else []):
        assert all(lay.ranks[t] > lay.ranks[s] for s, t in pairs) or _cyclic(pairs)
    assert layering(arch) == lay


def _cyclic(pairs: list[tuple[str, str]]) -> bool:
    succ: dict[str, list[str]] = {}
    for s, t in pairs:
        succ.setdefault(s, []).append(t)
    state: dict[str, int] = {}

    def visit(x: str) -> bool:
        state[x] = 1
        for y in succ.get(x, []):
            if state.get(y) == 1 or (y not in state and visit(y)):
                return True
        state[x] = 2
        return False

    return any(x not in state and visit(x) for x in list(succ))


def test_every_shipped_architecture_is_valid_and_layered():
    shipped = [sc for sc in list_scenarios() if sc.architecture is not None]
    assert shipped, "feed-ranking at least"
    for sc in shipped:
        lay = layering(sc.architecture)
        assert all(layer for layer in lay.layers), sc.id


GENAI_PATHS = {
    # scenario: (components along the serving reference's request path, the reference's words for its hops, in order)
    "rag-assistant": (
        ["chat-ui", "assistant-api", "query-rewriter", "embedding-model", "vector-index", "chunk-store", "reranker", "llm",
         "assistant-api", "chat-ui"],
        ["permission service", "query rewriting", "embedding model", "bm25 and ann retrieval", "reciprocal rank fusion",
         "chunk store", "cross-encoder reranker", "prompt assembly", "the llm streams"],
    ),
    "llm-serving": (
        ["clients", "api-gateway", "fair-queue", "router", "scheduler", "replicas", "api-gateway", "clients"],
        ["api gateway", "tenant fair queue", "prefix-aware router", "scheduler", "prefill and decode", "server-sent events"],
    ),
    "llm-evaluation": (
        ["app", "orchestrator", "input-guard", "assistant-llm", "output-guard", "app"],
        ["chat orchestrator", "input guardrail", "assistant llm", "output guardrail"],
    ),
}


@pytest.mark.parametrize("sid", sorted(GENAI_PATHS))
def test_genai_architectures_chain_their_serving_reference_in_order(sid):
    """Each hop of the serving reference's request path is an online flow, and the reference
    names the hops in that order (a hub drawn as a star would lose the order)."""
    sc = load_scenario(sid)
    path, words = GENAI_PATHS[sid]
    online = {(f.source, f.target) for f in sc.architecture.flows if not f.offline}
    assert [(x, y) for x, y in zip(path, path[1:], strict=False) if (x, y) not in online] == []
    ref = sc.stages["serving"].reference.lower()
    places = [ref.find(w) for w in words]
    assert -1 not in places, [w for w, p in zip(words, places, strict=True) if p == -1]
    assert places == sorted(places)
