"""`mlsd practice` driven as a user would, through a real pseudo-terminal (pexpect).

Covers :hint, Ctrl-C in the middle of an answer, `--resume`, and checks that
nothing typed before Ctrl-C is lost (the submitted answers and the lines of the
answer being typed, kept as a draft), including the line being typed when
Ctrl-C comes before Enter (read from readline's buffer).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from mlsd.practice.store import open_store  # noqa: E402

CASE = """\
id: pet-search
title: Find the right pet food
summary: Users search a pet-food shop; rank the products for each query.
stages:
  requirements:
    prompt: What do you need to know first?
    questions:
      - Which pets and how many products are there?
    key_points:
      - id: objective
        point: Names the business objective, conversions per search.
        keywords: [conversion, purchase rate]
  data:
    prompt: Where do the labels come from?
    key_points:
      - id: click-logs
        point: Uses click and purchase logs as implicit labels.
        keywords: [click logs, implicit feedback]
  model:
    prompt: Which model?
    key_points:
      - id: baseline
        point: Starts from a simple baseline such as BM25 or popularity.
        keywords: [baseline, BM25, popularity]
"""


def _mlsd() -> list[str]:
    exe = Path(sys.executable).with_name("mlsd")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("mlsd")
    return [found] if found else [sys.executable, "-m", "mlsd"]


def _spawn(args: list[str], home: Path):
    env = dict(os.environ, MLSD_HOME=str(home), NO_COLOR="1", TERM="dumb", COLUMNS="200", LINES="50")
    cmd = _mlsd() + args
    child = pexpect.spawn(cmd[0], cmd[1:], env=env, encoding="utf-8", timeout=180, dimensions=(50, 200))
    return child


def _answer(child, *lines: str) -> None:
    for line in lines:
        child.expect_exact("> ")
        child.sendline(line)


def test_interactive_hint_ctrl_c_and_resume(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    case = tmp_path / "pet-search.yaml"
    case.write_text(CASE)

    child = _spawn(["practice", str(case), "--stages", "requirements,data,model", "--minutes", "15"], home)
    child.expect_exact("what is your plan?")
    _answer(child, "requirements, then data, then the model", "")
    child.expect_exact("Agenda score: 100/100")
    child.expect_exact("Step 1/3")
    child.expect_exact("What do you need to know first?")
    _answer(child, ":hint")
    child.expect_exact("Which pets and how many products are there?")
    _answer(
        child,
        "The goal is conversion per search, so I would first ask how a purchase is counted today.",
        "We also need the latency budget of the search page, the number of products and how often the catalogue changes, and which pets matter most.",
        "",
    )
    child.expect_exact("Score: 100/100")
    child.expect(r"time \d+:\d\d / budget 4:44")  # elapsed / budget: 15 min split by step weight
    child.expect_exact("Follow-up:")
    _answer(child, "")
    child.expect_exact("Is there anywhere that you feel I missed?")
    child.expect_exact("Step 2/3")
    child.expect_exact("Where do the labels come from?")
    _answer(child, "Labels come from click logs of the search page, with a click as a weak positive,",
            "joined to purchases within a day, so a purchase is the strong positive label.")
    child.expect_exact("> ")
    child.sendintr()  # Ctrl-C in the middle of the answer
    child.expect_exact("Interrupted.")
    child.expect_exact("mlsd practice --resume 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    with open_store() as store:
        s = store.get_session(1)
    assert not s.finished
    assert s.answers["requirements"].answer.startswith("The goal is conversion per search, so I would")
    assert s.answers["requirements"].answer.endswith("and which pets matter most.")
    assert "data" not in s.answers
    assert s.drafts["data"].text == (
        "Labels come from click logs of the search page, with a click as a weak positive,\n"
        "joined to purchases within a day, so a purchase is the strong positive label."
    )

    child = _spawn(["practice", "--resume"], home)
    child.expect_exact("Resuming session 1")
    child.expect_exact("Step 2/3")
    child.expect_exact("Your saved draft")
    child.expect_exact("so a purchase is the strong positive label.")
    _answer(child, "Implicit feedback, in short: products shown and not clicked are the negatives.", "")
    child.expect_exact("Score: 100/100")
    _answer(child, "")  # no follow-up answer
    child.expect_exact("Step 3/3")
    _answer(child, "I would start with a popularity baseline and BM25 text matching, then learn a ranker on the",
            "purchase labels once the baseline is measured in an A/B test against the current search page, and once the logs are clean enough to train on.", "")
    _answer(child, "")
    child.expect_exact("Scorecard")
    child.expect_exact("Total: ")
    child.expect_exact(f"mlsd render {case} --session 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    with open_store() as store:
        s = store.get_session(1)
    assert s.finished and s.total_score == 100.0
    assert s.answers["data"].answer == (
        "Labels come from click logs of the search page, with a click as a weak positive,\n"
        "joined to purchases within a day, so a purchase is the strong positive label.\n"
        "Implicit feedback, in short: products shown and not clicked are the negatives."
    )
    assert not s.drafts
    assert s.answers["requirements"].answer.startswith("The goal is conversion")


def test_two_interactive_sessions_at_once_lose_nothing(tmp_path, monkeypatch):
    """Two terminals practise at the same time on one database; every answer of both is kept."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    case = tmp_path / "pet-search.yaml"
    case.write_text(CASE)
    args = ["practice", str(case), "--stages", "requirements,data,model", "--untimed"]
    a = _spawn(args, home)
    a.expect_exact("what is your plan?")
    b = _spawn(args, home)
    b.expect_exact("what is your plan?")
    for child, tag in ((a, "A"), (b, "B")):
        _answer(child, f"agenda {tag}: requirements, data, model", "")
    for step_no, stage in enumerate(("requirements", "data", "model"), 1):
        for child, tag in ((a, "A"), (b, "B")):
            child.expect_exact(f"Step {step_no}/3")
            _answer(child, f"{tag} says conversion, click logs and a baseline for {stage}", "")
            child.expect_exact("Follow-up:")
            _answer(child, f"{tag} follow-up on {stage}", "")
    for child in (a, b):
        child.expect_exact("Scorecard")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    with open_store() as store:
        sessions = {s.agenda.split(":")[0][-1]: s for s in store.list_sessions()}
    assert set(sessions) == {"A", "B"} and sessions["A"].id != sessions["B"].id
    for tag, s in sessions.items():
        assert s.finished
        for stage in ("requirements", "data", "model"):
            assert s.answers[stage].answer == f"{tag} says conversion, click logs and a baseline for {stage}"
            assert s.answers[stage].follow_up_answer == f"{tag} follow-up on {stage}"


def test_ctrl_c_before_enter_keeps_the_line_being_typed(tmp_path, monkeypatch):
    """The review's case: "…DAU and lat^C" with no Enter; resume shows the whole draft, that line included."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    case = tmp_path / "pet-search.yaml"
    case.write_text(CASE)

    child = _spawn(["practice", str(case), "--stages", "requirements,data", "--untimed"], home)
    child.expect_exact("what is your plan?")
    _answer(child, "requirements, then data", "")
    child.expect_exact("Step 1/2")
    _answer(child, "First the goal: conversion per search.")
    child.expect_exact("> ")
    child.send("I would ask about DAU and lat")  # no Enter
    child.expect_exact("and lat")
    child.sendintr()
    child.expect_exact("Interrupted.")
    child.expect_exact("mlsd practice --resume 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    with open_store() as store:
        s = store.get_session(1)
    assert s.drafts["requirements"].text == "First the goal: conversion per search.\nI would ask about DAU and lat"

    child = _spawn(["practice", "--resume", "1"], home)
    child.expect_exact("Step 1/2")
    child.expect_exact("Your saved draft")
    child.expect_exact("First the goal: conversion per search.")
    child.expect_exact("I would ask about DAU and lat")
    child.expect_exact("> ")
    child.sendline("ency, the p99 of the page.")
    _answer(child, "")
    child.expect_exact("Score:")
    child.expect_exact("Follow-up:")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    with open_store() as store:
        s = store.get_session(1)
    assert s.answers["requirements"].answer == (
        "First the goal: conversion per search.\nI would ask about DAU and lat\nency, the p99 of the page."
    )


def test_ctrl_c_while_typing_the_agenda_keeps_it(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    case = tmp_path / "pet-search.yaml"
    case.write_text(CASE)
    child = _spawn(["practice", str(case), "--stages", "requirements,data", "--untimed"], home)
    child.expect_exact("what is your plan?")
    _answer(child, "requirements first,")
    child.expect_exact("> ")
    child.send("then the da")
    child.expect_exact("the da")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    with open_store() as store:
        s = store.get_session(1)
    assert s.agenda is None and s.drafts["agenda"].text == "requirements first,\nthen the da"
    child = _spawn(["practice", "--resume", "1"], home)
    child.expect_exact("Your saved draft")
    child.expect_exact("then the da")
    _answer(child, "ta", "")
    child.expect_exact("Agenda score: 100/100")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()


def test_interactive_twist_numbers_and_pacing(tmp_path, monkeypatch):
    """The interviewer's twist interrupts after its step; the figures and the pacing reach the scorecard."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    child = _spawn(["practice", "feed-ranking", "--stages", "requirements,serving", "--minutes", "20"], home)
    child.expect_exact("what is your plan?")
    _answer(child, "requirements first, then serving", "")
    child.expect_exact("Step 1/2")
    _answer(child, "The objective is meaningful interactions per DAU; 300M DAU with 20 feed loads a day is ~2k QPS.", "")
    child.expect_exact("Your numbers:")
    child.expect_exact("You said ~2k QPS.")
    child.expect_exact("off by 35×")
    child.expect_exact("Follow-up:")
    _answer(child, "")
    child.expect_exact("Step 2/2")
    _answer(child, "Online prediction at request time within the 200 ms p99 budget, with a cached feed as fallback.", "")
    child.expect_exact("Twist · the interviewer interrupts")
    child.expect_exact("Change of plan: the product team now needs the feed on screen in 20 ms")
    _answer(child, ":hint")
    child.expect_exact("What can stay exactly as it is?")
    _answer(child, "I would precompute the ranked feed nearline and serve it from a cache; the value model stays the same.", "")
    child.expect_exact("Twist score:")
    child.expect_exact("Scorecard")
    child.expect_exact("Pacing:")
    child.expect_exact("Twists:")
    child.expect_exact("after serving (latency-20ms")
    child.expect_exact("Your numbers:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with open_store() as store:
        s = store.get_session(1)
    assert s.finished and s.twists == ("latency-20ms",)
    assert s.twist_answers["latency-20ms"].answer.startswith("I would precompute") and s.twist_answers["latency-20ms"].score > 0
