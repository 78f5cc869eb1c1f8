"""The candidate's diagram notation (`:diagram`, `diagram:` in --answers) and matching it to the reference."""

from __future__ import annotations

import pytest

from mlsd.content.diagram_notation import DiagramError, parse_diagram, parse_edge, to_text
from mlsd.content.scenario import load_scenario
from mlsd.scoring.diagram import compare, name_keys


def test_the_documented_forms():
    d = parse_diagram("app -> ranker: candidates\nranker -> feature store\nlogs => training (offline)\n"
                      "logs -> warehouse (offline)\nwarehouse -.-> training\napp --> cache: hot items\n")
    labels = [c.label for c in d.components]
    assert labels == ["app", "ranker", "feature store", "logs", "training", "warehouse", "cache"]
    flows = {(f.source, f.target): (f.label, f.mode) for f in d.flows}
    assert flows[("app", "ranker")] == ("candidates", "online")
    assert flows[("ranker", "feature-store")] == ("", "online")
    assert flows[("logs", "training")] == ("", "offline")
    assert flows[("logs", "warehouse")] == ("", "offline")
    assert flows[("warehouse", "training")] == ("", "offline")
    assert flows[("app", "cache")] == ("hot items", "online")


def test_names_are_one_box_whatever_the_case_and_spacing_and_shown_as_first_typed():
    d = parse_diagram("Feature Store -> ranker\nfeature  store -> cache\n- `ranker` -> app\n# a comment\n\n")
    assert [c.label for c in d.components] == ["Feature Store", "ranker", "cache", "app"]
    assert len(d.flows) == 3


def test_adding_to_a_diagram_replaces_a_repeated_edge_and_clear_starts_over():
    base = parse_diagram("a -> b: old\nb -> c")
    d = parse_diagram("A -> B: new\nc => d", base=base)
    assert [(f.source, f.target, f.label, f.mode) for f in d.flows] == [
        ("a", "b", "new", "online"), ("b", "c", "", "online"), ("c", "d", "", "offline")]
    assert parse_diagram("x -> y\nclear\np -> q", base=base).components[0].label == "p"


def test_the_saved_text_reads_back_to_the_same_diagram():
    d = parse_diagram("Mobile app -> Feed: request\nlogs -> training (offline)\nx -.-> y: z")
    assert parse_diagram(to_text(d)) == d
    assert to_text(d).splitlines()[1] == "logs => training"


@pytest.mark.parametrize(("line", "problem"), [
    ("app - ranker", "`app - ranker` has no arrow (`->` online, `=>` offline)"),
    ("a -> b -> c", "`a -> b -> c` has 2 arrows"),
    ("ranker -> Ranker", "joins `ranker` to itself"),
    ("x: y -> z", "the label goes after the target"),
    ("-> b", "names no box before the arrow"),
    ("a ->", "names no box after the arrow"),
    ("a => b (online)", "says both offline (`=>`) and (online)"),
    ("a -> " + "b" * 41, "is 41 characters, at most 40"),
    ("a -> b: " + "c" * 31, "is 31 characters, at most 30"),
])
def test_a_bad_line_is_one_error_with_its_number_and_an_example(line, problem):
    with pytest.raises(DiagramError) as info:
        parse_diagram(f"ok -> fine\n\n{line}")
    msg = str(info.value)
    assert msg.startswith("line 3: ") and problem in msg and "\n" not in msg
    assert "e.g. `app -> ranker: candidates`" in msg
    with pytest.raises(DiagramError):
        parse_edge(line)


def test_size_limits():
    many = "\n".join(f"box{i} -> box{i + 1}" for i in range(45))
    with pytest.raises(DiagramError, match="more than 40 boxes"):
        parse_diagram(many)


# ------------------------------------------------------------------ matching to the reference


def test_names_match_through_stems_and_the_glossary():
    assert name_keys("feature store") & name_keys("Feature store")
    assert name_keys("ranker") & name_keys("Ranking model")  # glossary concept and the stem without -er
    assert name_keys("kafka") & name_keys("Event stream (Kafka)")
    assert not name_keys("model") and not name_keys("service")  # generic words alone match nothing
    assert not name_keys("object store") & name_keys("Feature store")


def test_missing_components_of_feed_ranking():
    ref = load_scenario("feed-ranking").architecture
    drawn = parse_diagram("Mobile app -> feed service: request\nfeed service -> ranker\nfeature store -> ranker\n"
                          "ranker -> model registry")
    c = compare(ref, drawn)
    missing = {m.id for m in c.missing}
    assert {"candidate-gen", "ann-index", "event-stream", "batch-embed"} <= missing
    assert not missing & {"app", "feed-service", "feature-store", "registry", "heavy-ranker", "first-stage"}
    assert c.drawn_as["heavy-ranker"] == ("ranker",)
    everything = parse_diagram("\n".join(f"{a.label} -> {b.label}" for a, b in
                                         zip(ref.components, ref.components[1:], strict=False)))
    assert compare(ref, everything).missing == ()
