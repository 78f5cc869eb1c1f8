"""`mlsd checklist` and `mlsd scenarios` as a user runs them."""

from __future__ import annotations

import json

from mlsd.content.checklist import SCHEMA


def test_checklist_json_is_stable_and_complete(run_cli):
    result = run_cli("checklist", "feed-ranking", "--format", "json")
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == SCHEMA
    assert [s["id"] for s in doc["steps"]][:2] == ["requirements", "ml-task"] and len(doc["steps"]) == 10
    assert doc["scenario"]["id"] == "feed-ranking"
    req = doc["steps"][0]
    assert req["items"] and req["scenario"]["prompt"] and req["scenario"]["key_points"]
    assert set(req["scenario"]) == {"prompt", "questions", "key_points", "tradeoffs", "pitfalls", "follow_ups"}
    assert len(doc["habits"]) == 5 and doc["ab_test_procedure"] and doc["monitoring_list"]


def test_checklist_stage_filter(run_cli):
    doc = json.loads(run_cli("checklist", "--stage", "serving", "--format", "json").stdout)
    assert [s["id"] for s in doc["steps"]] == ["serving"] and doc["scenario"] is None


def test_checklist_markdown_has_boxes(run_cli):
    result = run_cli("checklist", "churn", "--format", "markdown")
    assert result.code == 0
    assert result.stdout.startswith("# ML system design checklist: ")
    assert result.stdout.count("- [ ] ") > 40
    assert "Is there anywhere that you feel I missed?" in result.stdout


def test_checklist_text(run_cli):
    result = run_cli("checklist", "search")
    assert result.code == 0
    assert "Interviewer:" in result.stdout and "Interview habits" in result.stdout


def test_bad_stage_and_format(run_cli):
    r = run_cli("checklist", "--stage", "modle")
    assert r.code == 2 and "did you mean 'model'" in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("checklist", "--format", "pdf")
    assert r.code == 2 and "--format" in r.stderr and r.stderr.count("\n") == 1


def test_scenarios_lists_all(run_cli):
    result = run_cli("scenarios", "--json")
    rows = json.loads(result.stdout)
    assert {r["id"] for r in rows} >= {"feed-ranking", "churn", "abuse-detection", "search", "ml-monitoring"}
    assert all(set(r) == {"id", "title", "difficulty", "tags"} for r in rows)
    text = run_cli("scenarios")
    assert text.code == 0 and "feed-ranking" in text.stdout


def test_a_huge_one_line_summary_is_shown_shortened(run_cli, tmp_path):
    """Issue 16 item 5: a one-line summary of ~5 MB (the file limit) took ~53 s in rich's
    layout. The terminal view shows its start and says it was shortened; markdown keeps it
    all. (Its cost against a reference: benchmarks/big_input.py.)"""
    import re

    from mlsd.content.scenario import builtin_dir
    from mlsd.content.yamlfile import MAX_BYTES

    src = (builtin_dir() / "feed-ranking.yaml").read_text(encoding="utf-8")
    block = re.search(r"^summary: >-\n((?:  .*\n)+)", src, re.M)
    head, tail = src[:block.start()] + 'summary: "START-OF-IT', '"\n' + src[block.end():]
    big = tmp_path / "big.yaml"
    size = len(head.encode("utf-8")) + len(tail.encode("utf-8"))  # bytes: the file has Chinese too
    big.write_text(head + "x" * (MAX_BYTES - size - 100) + tail, encoding="utf-8")
    res = run_cli("checklist", str(big))
    assert res.code == 0, res.stderr
    assert "START-OF-ITxxx" in res.stdout and "[shortened: " in res.stdout and "--format markdown" in res.stdout
    assert len(res.stdout) < 100_000
    assert "START-OF-IT" + "x" * 1_000_000 in run_cli("checklist", str(big), "--format", "markdown").stdout
