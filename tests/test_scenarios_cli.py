"""`mlsd scenarios`: the list with tags, `new` (a skeleton to fill) and `validate`."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from mlsd.content.scenario import STAGE_IDS, builtin_dir, builtin_ids, load_scenario_file
from mlsd.content.skeleton import MAX_SHOWN

ERROR_LINE = re.compile(r"^error: (?P<file>[^:]+):(?P<line>\d+): (?P<field>\S+): (?P<problem>.+)$")


def fill(text: str) -> str:
    """Fill a skeleton in place, as a user would: every TODO text and todo- id replaced, comments kept."""
    counter = iter(range(10_000))
    text = re.sub(r"todo-([a-z-]+)-(\d)", lambda m: f"{m[1]}-point-{m[2]}", text)
    text = re.sub(r"TODO[^\"\n]*", lambda m: f"Written text number {next(counter)} for this field", text)
    return text


# ------------------------------------------------------------------ the list


def test_json_lists_every_scenario_with_its_tags(run_cli):
    res = run_cli("scenarios", "--json")
    assert res.code == 0 and res.stderr == ""
    rows = json.loads(res.stdout)
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) >= {"feed-ranking", "churn", "search"}
    assert "recommendation" in by_id["feed-ranking"]["tags"]
    assert all(isinstance(r["tags"], list) for r in rows)


def test_tag_filters_and_repeats_as_any_of(run_cli):
    rows = json.loads(run_cli("scenarios", "--json", "--tag", "recommendation").stdout)
    assert rows and all("recommendation" in r["tags"] for r in rows)
    assert "churn" not in {r["id"] for r in rows}
    both = json.loads(run_cli("scenarios", "--json", "--tag", "recommendation", "--tag", "churn").stdout)
    assert {r["id"] for r in both} == {r["id"] for r in rows} | {"churn"}
    upper = json.loads(run_cli("scenarios", "--json", "--tag", "Recommendation").stdout)
    assert upper == rows
    text = run_cli("scenarios", "--tag", "churn")
    assert text.code == 0 and "churn" in text.stdout and "feed-ranking" not in text.stdout


def test_unknown_tag_is_one_line_listing_the_known_tags(run_cli):
    res = run_cli("scenarios", "--tag", "recomendation")
    res.assert_bad_input("did you mean 'recommendation'")
    assert "known tags:" in res.stderr and "ranking" in res.stderr and "churn" in res.stderr


def test_list_options_do_not_go_with_a_subcommand(run_cli, tmp_path):
    res = run_cli("scenarios", "--json", "validate", str(builtin_dir() / "churn.yaml"))
    res.assert_bad_input("--json and --tag belong to the list")


# ------------------------------------------------------------------ new


def test_new_writes_a_skeleton_that_fails_until_filled(run_cli, tmp_path):
    target = tmp_path / "ride-eta.yaml"
    res = run_cli("scenarios", "new", "ride-eta", "-o", str(target))
    assert res.code == 0 and res.stdout == "" and "mlsd scenarios validate" in res.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("#") and "id: ride-eta" in text
    # The structure is a valid scenario with all ten stages; only the content is missing.
    sc = load_scenario_file(target)
    assert list(sc.stages) == list(STAGE_IDS)
    assert all(len(st.key_points) == 3 for st in sc.stages.values())

    res = run_cli("scenarios", "validate", str(target))
    assert res.code == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == MAX_SHOWN + 1 and "more placeholders" in lines[-1]
    for line in lines[:-1]:
        m = ERROR_LINE.match(line)
        assert m, line
        assert m["file"] == str(target) and "placeholder" in m["problem"]
        at = int(m["line"])  # the field's line (a block text like summary starts on the next)
        assert re.search(r"TODO|todo-", "\n".join(text.splitlines()[at - 1: at + 1])), line
    assert ERROR_LINE.match(lines[0])["field"] == "title"

    target.write_text(fill(text), encoding="utf-8")
    res = run_cli("scenarios", "validate", str(target))
    assert (res.code, res.stdout, res.stderr) == (0, f"ok {target}\n", "")


def test_one_placeholder_left_is_named_with_its_line(run_cli, tmp_path):
    target = tmp_path / "case.yaml"
    run_cli("scenarios", "new", "case", "-o", str(target))
    lines = fill(target.read_text(encoding="utf-8")).splitlines()
    row = next(i for i, line in enumerate(lines) if line.strip().startswith("pitfalls:") and i > 200)
    lines[row + 1] = '      - "TODO: a pitfall"'
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_cli("scenarios", "validate", str(target))
    res.assert_bad_input(f"{target}:{row + 2}: stages.")
    assert ".pitfalls[0]: placeholder 'TODO: a pitfall'" in res.stderr


def test_new_defaults_to_id_yaml_and_refuses_to_overwrite(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("scenarios", "new", "ride-eta").code == 0
    target = tmp_path / "ride-eta.yaml"
    target.write_text("mine\n", encoding="utf-8")
    res = run_cli("scenarios", "new", "ride-eta")
    res.assert_bad_input("ride-eta.yaml already exists; pass --force")
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert run_cli("scenarios", "new", "ride-eta", "--force").code == 0
    assert "id: ride-eta" in target.read_text(encoding="utf-8")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_new_writes_atomically(run_cli, tmp_path, monkeypatch):
    """A write that fails midway leaves the old file whole and no temporary file behind."""
    import os

    target = tmp_path / "out" / "case.yaml"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    res = run_cli("scenarios", "new", "case", "-o", str(target), "--force")
    res.assert_bad_input("No space left on device")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["case.yaml"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["Ride_ETA"], "not a scenario id"),
        (["ok-id", "-o", "no/such/folder/x.yaml"], "does not exist"),
    ],
)
def test_new_bad_input_is_one_line(run_cli, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    run_cli("scenarios", "new", *args).assert_bad_input(needle)


def test_new_to_a_folder_is_refused(run_cli, tmp_path):
    run_cli("scenarios", "new", "x", "-o", str(tmp_path)).assert_bad_input("is a directory")


def test_new_to_stdout(run_cli):
    res = run_cli("scenarios", "new", "ride-eta", "-o", "-")
    assert res.code == 0 and res.stdout.startswith("#") and "id: ride-eta" in res.stdout
    assert all(f"\n  {sid}:\n" in res.stdout for sid in STAGE_IDS)


# ------------------------------------------------------------------ validate


def test_validate_accepts_every_shipped_scenario(run_cli):
    files = sorted(str(p) for p in builtin_dir().glob("*.yaml"))
    res = run_cli("scenarios", "validate", *files)
    assert res.code == 0, res.stderr
    assert res.stdout.splitlines() == [f"ok {f}" for f in files]


def test_validate_reports_each_bad_file_and_exits_2(run_cli, tmp_path):
    good = str(builtin_dir() / "churn.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: A case\nsummary: Something.\nstages:\n  modle:\n    prompt: Which?\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    res = run_cli("scenarios", "validate", str(bad), good, str(missing))
    assert res.code == 2
    assert res.stdout == f"ok {good}\n"
    errors = res.stderr.strip().splitlines()
    assert len(errors) == 2
    assert errors[0] == f"error: {bad}:5: stages.modle: unknown stage 'modle' (did you mean 'model'?); " \
        "valid stages: requirements, ml-task, data, features, model, evaluation, deployment, serving, monitoring, maintenance"
    assert errors[1] == f"error: {missing}: no such file; check the path"


def test_validate_needs_a_file(run_cli):
    res = run_cli("scenarios", "validate")
    assert res.code == 2 and "FILE" in res.stderr and res.stdout == ""


# ------------------------------------------------------------------ start-up


PROBE = """
import sys
from mlsd.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = [m for m in ("numpy", "pandas", "scipy", "sklearn", "faiss", "matplotlib") if m in sys.modules]
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "argv",
    [["scenarios", "--tag", "ranking"], ["scenarios", "new", "x", "-o", "-"],
     ["scenarios", "validate", str(builtin_dir() / "feed-ranking.yaml")]],
)
def test_new_commands_stay_light(argv, tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout[-300:]


def test_skeleton_is_plain_yaml_for_any_id():
    import yaml

    from mlsd.content.skeleton import skeleton

    data = yaml.safe_load(skeleton("a-1"))
    assert data["id"] == "a-1" and list(data["stages"]) == list(STAGE_IDS)


# ------------------------------------------------------------- the listing's cache


def _copy_scenarios(tmp_path, monkeypatch):
    """A private copy of the shipped scenarios that `list_summaries` lists."""
    import shutil

    from mlsd.content import scenario

    folder = tmp_path / "scenarios"
    shutil.copytree(builtin_dir(), folder)
    monkeypatch.setattr(scenario, "builtin_dir", lambda: folder)
    return folder


def _fields(items):
    return [(s.id, s.title, s.difficulty, tuple(s.tags)) for s in items]


def test_summaries_equal_the_full_load_and_come_from_the_cache_the_second_time(tmp_path, monkeypatch):
    from mlsd.content import scenario

    _copy_scenarios(tmp_path, monkeypatch)
    cache = tmp_path / "cache.json"
    first = scenario.list_summaries(cache)
    assert _fields(first) == _fields(scenario.list_scenarios()) and cache.is_file()
    parsed = []
    monkeypatch.setattr(scenario, "load_scenario_file", lambda *a, **k: parsed.append(a) or pytest.fail("parsed"))
    assert _fields(scenario.list_summaries(cache)) == _fields(first) and parsed == []


def test_an_edited_file_is_parsed_and_validated_again(tmp_path, monkeypatch):
    from mlsd.content import scenario
    from mlsd.errors import ScenarioError

    folder = _copy_scenarios(tmp_path, monkeypatch)
    cache = tmp_path / "cache.json"
    scenario.list_summaries(cache)
    path = folder / "churn.yaml"
    text = path.read_text(encoding="utf-8")
    title = load_scenario_file(path).title
    path.write_text(text.replace(f"title: {title}", "title: A new title", 1), encoding="utf-8")
    assert "A new title" in [s.title for s in scenario.list_summaries(cache)]
    path.write_text(text.replace("difficulty:", "difficulty: impossible\nx_difficulty:", 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match="churn.yaml"):  # a cached entry never vouches for a changed file
        scenario.list_summaries(cache)


@pytest.mark.parametrize(
    "damage",
    ["truncate", "garbage", "wrong checksum", "checksum recomputed over a bad type", "other loader"],
)
def test_a_damaged_cache_is_ignored_never_trusted(tmp_path, monkeypatch, damage):
    from mlsd.content import scenario

    _copy_scenarios(tmp_path, monkeypatch)
    cache = tmp_path / "cache.json"
    good = _fields(scenario.list_summaries(cache))
    doc = json.loads(cache.read_text(encoding="utf-8"))
    sid = next(iter(doc["body"]["entries"]))
    if damage == "truncate":
        cache.write_text(cache.read_text(encoding="utf-8")[:100], encoding="utf-8")
    elif damage == "garbage":
        cache.write_bytes(b"\xff\x00not json")
    elif damage == "wrong checksum":
        doc["body"]["entries"][sid]["title"] = "Tampered"
        cache.write_text(json.dumps(doc), encoding="utf-8")
    elif damage == "checksum recomputed over a bad type":
        doc["body"]["entries"][sid]["tags"] = "not-a-list"
        doc["sha256"] = scenario._summary_checksum(doc["body"])
        cache.write_text(json.dumps(doc), encoding="utf-8")
    else:
        doc["body"]["entries"][sid]["title"] = "Tampered"
        doc["body"]["fingerprint"] = "0" * 64
        doc["sha256"] = scenario._summary_checksum(doc["body"])
        cache.write_text(json.dumps(doc), encoding="utf-8")
    assert _fields(scenario.list_summaries(cache)) == good
    assert _fields(scenario.list_summaries(cache)) == good  # and the cache was rewritten whole


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    from mlsd.content import scenario

    _copy_scenarios(tmp_path, monkeypatch)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _fields(scenario.list_summaries(blocker / "cache.json")) == _fields(scenario.list_scenarios())


# ------------------------------------------------------------- the checklist's parsed-scenario cache


@pytest.mark.parametrize("sid", builtin_ids())
def test_a_cached_scenario_equals_the_parsed_one(tmp_path, monkeypatch, sid):
    from mlsd.content import scenario

    cache, path = tmp_path / "parsed.json", builtin_dir() / f"{sid}.yaml"
    parsed = load_scenario_file(path)
    assert scenario.load_scenario_cached(path, cache=cache) == parsed and cache.is_file()
    monkeypatch.setattr(scenario, "parse_scenario", lambda *a: pytest.fail("parsed"))
    assert scenario.load_scenario_cached(path, cache=cache) == parsed


def test_a_cached_scenario_keeps_simulations_scale_and_where_it_came_from(tmp_path):
    from mlsd.content import scenario

    path, cache = tmp_path / "mine.yaml", tmp_path / "parsed.json"
    path.write_text((builtin_dir() / "churn.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    parsed = load_scenario_file(path)
    assert parsed.simulations and parsed.scale
    scenario.load_scenario_cached(path, cache=cache)
    cached = scenario.load_scenario_cached(path, cache=cache)
    assert cached == parsed and cached.source == path.resolve() and cached.simulations == parsed.simulations


def test_an_edited_scenario_is_read_again_and_a_bad_one_still_fails(tmp_path):
    from mlsd.content import scenario
    from mlsd.errors import ScenarioError

    path, cache = tmp_path / "churn.yaml", tmp_path / "parsed.json"
    text = (builtin_dir() / "churn.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    title = scenario.load_scenario_cached(path, cache=cache).title
    path.write_text(text.replace(f"title: {title}", "title: A new title", 1), encoding="utf-8")
    assert scenario.load_scenario_cached(path, cache=cache).title == "A new title"
    path.write_text(text.replace("difficulty:", "difficulty: impossible\nx_difficulty:", 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"churn\.yaml:\d+"):
        scenario.load_scenario_cached(path, cache=cache)


@pytest.mark.parametrize(
    "damage", ["truncate", "garbage", "wrong checksum", "checksum recomputed over a bad type", "other loader"]
)
def test_a_damaged_parsed_scenario_cache_is_ignored(tmp_path, damage):
    from mlsd.content import scenario

    cache, path = tmp_path / "parsed.json", builtin_dir() / "churn.yaml"
    good = scenario.load_scenario_cached(path, cache=cache)
    doc = json.loads(cache.read_text(encoding="utf-8"))
    entry = next(iter(doc["body"]["entries"].values()))
    if damage == "truncate":
        cache.write_text(cache.read_text(encoding="utf-8")[:100], encoding="utf-8")
    elif damage == "garbage":
        cache.write_bytes(b"\xff\x00not json")
    else:
        entry["title"] = "Tampered" if damage != "checksum recomputed over a bad type" else ["not", "text"]
        if damage == "other loader":
            doc["body"]["fingerprint"] = "0" * 64
        if damage != "wrong checksum":
            doc["sha256"] = scenario._summary_checksum(doc["body"])
        cache.write_text(json.dumps(doc), encoding="utf-8")
    assert scenario.load_scenario_cached(path, cache=cache) == good
    assert scenario.load_scenario_cached(path, cache=cache) == good


def test_the_checklist_prints_the_same_from_the_cache(run_cli):
    first = run_cli("checklist", "feed-ranking", "--format", "json")
    second = run_cli("checklist", "feed-ranking", "--format", "json")
    assert first == second and first.code == 0 and first.stdout
