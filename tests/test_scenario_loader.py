"""The scenario loader follows docs/scenario-format.md, errors included."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsd.content.scenario import STAGE_IDS, load_scenario, parse_scenario
from mlsd.errors import ScenarioError

DATA = Path(__file__).parent / "data"

MINIMAL = """\
id: my-case
title: A case
summary: Design something.
stages:
  requirements:
    prompt: What do you need?
"""


def test_contract_example_loads():
    """The example on the contract page is a valid scenario."""
    sc = load_scenario(DATA / "contract_example.yaml")
    assert sc.id == "feed-ranking"
    assert list(sc.stages) == ["requirements", "model"]
    kp = sc.stages["requirements"].key_points[0]
    assert (kp.id, kp.weight, kp.keywords[0]) == ("business-objective", 2.0, "engagement")
    assert sc.stages["requirements"].key_points[1].weight == 1.0
    assert sc.scale["latency_budget_ms"] == 200
    assert sc.simulations[0].name == "ab-test"
    assert sc.simulations[0].args == {"baseline": 0.05, "mde": 0.002}


def test_minimal_defaults():
    sc = parse_scenario(MINIMAL, "m.yaml")
    assert sc.difficulty == "medium" and sc.tags == () and sc.simulations == ()


def test_stages_come_out_in_framework_order():
    text = MINIMAL + "  maintenance:\n    prompt: p\n  data:\n    prompt: q\n"
    assert list(parse_scenario(text, "m.yaml").stages) == ["requirements", "data", "maintenance"]


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(textwrap.dedent(text), "my-case.yaml")
    return str(info.value)


def test_unknown_stage_matches_contract_message():
    text = MINIMAL + "  modle:\n    prompt: p\n"
    msg = _error(text)
    assert msg.startswith("my-case.yaml:7: stages.modle: unknown stage 'modle' (did you mean 'model'?)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\ntitle: t\nsummary: s\n", "my-case.yaml:1: (top level): missing required key 'stages'"),
        (MINIMAL.replace("id: my-case", "id: My Case"), "my-case.yaml:1: id: 'My Case' is not a slug"),
        (MINIMAL.replace("title: A case", "title: 42"), "my-case.yaml:2: title: expected text, got a number (42)"),
        (MINIMAL + "difficulty: extreme\n", "my-case.yaml:7: difficulty: expected one of easy, medium, hard"),
        (MINIMAL + "sumary: x\n", "my-case.yaml:7: sumary: unknown key 'sumary' (did you mean 'summary'?)"),
        (MINIMAL + "scale:\n  dau: lots\n", "my-case.yaml:8: scale.dau: expected a number, got text ('lots')"),
        (MINIMAL + "tags: ranking\n", "my-case.yaml:7: tags: expected a list of text"),
        (MINIMAL.replace("  requirements:", "  data:"), "my-case.yaml:4: stages: missing the 'requirements' stage"),
        (MINIMAL.replace("    prompt: What do you need?", "    prompt: ''"), "my-case.yaml:6: stages.requirements.prompt: must not be empty"),
        (MINIMAL + "    key_points:\n      - id: a\n        point: p\n        keywords: []\n",
         "my-case.yaml:10: stages.requirements.key_points[0].keywords: needs at least one keyword"),
        (MINIMAL + "    key_points:\n      - id: a\n        point: p\n        keywords: [x]\n        weight: 0\n",
         "my-case.yaml:11: stages.requirements.key_points[0].weight: must be > 0, got 0"),
        (MINIMAL + "    key_points:\n      - id: a\n        point: p\n        keywords: [x]\n        weight: -2\n",
         "stages.requirements.key_points[0].weight: must be > 0, got -2"),
        (MINIMAL + "    key_points:\n      - {id: a, point: p, keywords: [x]}\n      - {id: a, point: q, keywords: [y]}\n",
         "my-case.yaml:9: stages.requirements.key_points[1].id: duplicate key point id 'a'"),
        (MINIMAL + "    key_points:\n      - {id: a, keywords: [x]}\n",
         "stages.requirements.key_points[0]: missing required key 'point'"),
        (MINIMAL + "    questions: [a, 3]\n", "stages.requirements.questions[1]: expected text, got a number (3)"),
        (MINIMAL + "simulations:\n  - name: nope\n", "my-case.yaml:8: simulations[0].name: unknown simulation 'nope'"),
        (MINIMAL + "id: again\n", "my-case.yaml:7: id: duplicate key 'id'"),
        ("id: [unclosed\n", "my-case.yaml:2: (yaml): invalid YAML"),
        ("- just\n- a list\n", "my-case.yaml:1: (top level): expected a mapping, got a list"),
        ("", "my-case.yaml:1: (top level): expected a mapping, got nothing"),
        ("x: !!python/object/apply:os.system [echo hi]\n", "unsupported tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
        ("x: !!python/name:os.system\n", "x: could not determine a constructor"),
    ],
)
def test_bad_files_give_file_line_field_problem(text, expected):
    assert expected in _error(text)


def test_unknown_simulation_option_is_named():
    text = MINIMAL + "simulations:\n  - name: ab-test\n    args: {baseline: 0.05, bogus: 1}\n"
    msg = _error(text)
    assert "simulations[0].args.bogus" in msg and "unknown option 'bogus'" in msg


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    msg = _error("\n".join(lines) + "\n")
    assert "aliases repeat more than" in msg
    assert time.perf_counter() - start < 10  # a hang guard only; the node budget is what bounds it


def test_non_utf8_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(MINIMAL.encode() + b"# caf\xe9\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:7: \(top level\): not UTF-8 text \(byte 0xe9\)"):
        load_scenario(str(bad))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(str(tmp_path / "nope.yaml"))
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(str(tmp_path) + "/")


def test_user_file_via_cli_is_one_line_exit_2(run_cli, tmp_path):
    bad = tmp_path / "case.yaml"
    bad.write_text(MINIMAL + "  modle:\n    prompt: p\n")
    result = run_cli("checklist", str(bad))
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "case.yaml:7: stages.modle: unknown stage 'modle' (did you mean 'model'?)" in result.stderr


def test_unknown_id_names_available_ids(run_cli):
    result = run_cli("checklist", "feed-rankin")
    assert result.code == 2
    assert "did you mean 'feed-ranking'?" in result.stderr
    assert "churn" in result.stderr and result.stderr.count("\n") == 1


# ---------------------------------------------------------------- fuzzing

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
_trees = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["id", "title", "summary", "stages", "prompt", "key_points", "keywords",
                                         "weight", "requirements", "model", "scale", "simulations", "name", "args",
                                         "tags", "x"]) | st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_fuzz_random_text_never_crashes(text):
    try:
        parse_scenario(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees)
def test_fuzz_random_yaml_trees_never_crash(tree):
    text = yaml.safe_dump(tree, allow_unicode=True)
    try:
        parse_scenario(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml:") and "\n" not in str(exc)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(STAGE_IDS), _trees)
def test_fuzz_stage_bodies(stage_id, body):
    text = yaml.safe_dump({"id": "a", "title": "t", "summary": "s", "stages": {"requirements": {"prompt": "p"}, stage_id: body}})
    try:
        parse_scenario(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml:")


def test_a_long_plain_scenario_is_not_taken_for_an_alias_bomb(tmp_path):
    """10,000 key points and no alias at all: the loader used to refuse it as
    "document expands past 50,000 nodes (aliases nested too deeply?)"."""
    from mlsd.content.scenario import load_scenario

    points = "".join(
        f"      - id: p{i}\n        point: Names point number {i} of the answer.\n        keywords: [word{i}]\n"
        for i in range(10_000)
    )
    case = tmp_path / "long.yaml"
    case.write_text(f"id: long\ntitle: Long\nsummary: s\nstages:\n  requirements:\n    prompt: p\n    key_points:\n{points}")
    assert len(load_scenario(str(case)).stage("requirements").key_points) == 10_000


def test_aliases_that_repeat_too_much_are_refused_where_written(tmp_path):
    from mlsd.content.scenario import load_scenario
    from mlsd.errors import BadInputError

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 9)]
    case = tmp_path / "lol.yaml"
    case.write_text("\n".join(lines) + "\nid: c\n")
    with pytest.raises(BadInputError, match=r"lol.yaml:\d+: a\d.*aliases repeat more than 50,000 nodes"):
        load_scenario(str(case))


# ------------------------------------------------------------------ is_builtin


def test_is_builtin_only_for_a_file_read_from_the_shipped_folder(tmp_path):
    """One rule for practice (the saved session, the render command) and render (the doc's ref)."""
    from dataclasses import replace

    from mlsd.content.scenario import builtin_dir, is_builtin, load_scenario_file

    shipped = load_scenario("feed-ranking")
    assert is_builtin(shipped)
    copy = tmp_path / "feed-ranking.yaml"
    copy.write_bytes((builtin_dir() / "feed-ranking.yaml").read_bytes())
    assert not is_builtin(load_scenario_file(copy)), "the same content in the user's folder is the user's file"
    assert not is_builtin(replace(shipped, source=None)), "nothing re-loads a scenario built in memory"
    link = tmp_path / "shipped"
    link.symlink_to(builtin_dir(), target_is_directory=True)
    assert is_builtin(replace(shipped, source=link / "feed-ranking.yaml")), "compared resolved"
    assert not is_builtin(replace(shipped, source=Path("feed-ranking.yaml")))  # relative, here: not shipped


def test_is_builtin_is_false_when_the_shipped_folder_is_missing(monkeypatch):
    from mlsd.content import scenario as scenario_module
    from mlsd.errors import MlsdError

    shipped = load_scenario("feed-ranking")

    def missing():
        raise MlsdError("mlsd is installed without its scenarios/ folder")

    monkeypatch.setattr(scenario_module, "builtin_dir", missing)
    assert not scenario_module.is_builtin(shipped)


def test_practice_and_render_agree_on_what_is_builtin(tmp_path, monkeypatch):
    from mlsd.content.scenario import builtin_dir, load_scenario_file
    from mlsd.doc.render import build_context
    from mlsd.practice.engine import render_command

    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "feed-ranking.yaml"
    copy.write_bytes((builtin_dir() / "feed-ranking.yaml").read_bytes())
    for sc, ref in ((load_scenario("feed-ranking"), "feed-ranking"), (load_scenario_file(copy), "feed-ranking.yaml")):
        assert build_context(sc, include_simulations=False)["scenario"]["ref"] == ref
        expected = "feed-ranking" if ref == "feed-ranking" else str(copy)
        assert render_command(sc, 7) == f"mlsd render {expected} --session 7"
