"""The practice engine (a state machine, driven without a terminal) and the practice/history/progress CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from mlsd.content.framework import CHECK_IN_QUESTION, step
from mlsd.content.scenario import load_scenario
from mlsd.errors import BadInputError
from mlsd.practice.engine import (
    AgendaFeedback,
    FollowUpFeedback,
    Hint,
    PracticeEngine,
    Quit,
    Scorecard,
    Skipped,
    StageFeedback,
    WentBack,
    budgets,
    follow_up_for,
    parse_stages,
    progress_report,
)
from mlsd.practice.store import db_path, open_store

CASE = """\
id: pet-search
title: Find the right pet food
summary: Users search a pet-food shop; rank the products for each query.
stages:
  requirements:
    prompt: What do you need to know first?
    questions:
      - Which pets and how many products are there?
      - What latency can the search page afford?
    key_points:
      - id: objective
        point: Names the business objective, conversions per search.
        keywords: [conversion, purchase rate]
        weight: 2
        why: The objective drives the label.
      - id: latency
        point: Asks for the latency budget of the search page.
        keywords: [latency, p99]
    follow_ups:
      - What if the shop doubles its catalogue?
      - How would you measure success in the first week?
      - Which users matter most?
  data:
    prompt: Where do the labels come from?
    key_points:
      - id: click-logs
        point: Uses click and purchase logs as implicit labels.
        keywords: [click logs, implicit feedback]
        why: Logs are free labels.
    tradeoffs:
      - Clicks are plentiful but noisy; purchases are sparse but valuable.
  model:
    prompt: Which model?
    key_points:
      - id: baseline
        point: Starts from a simple baseline such as BM25 or popularity.
        keywords: [baseline, BM25, popularity]
"""


# Answers long enough for the length rule (mlsd.scoring: 40 words of prose for the full score).
REQ_ANSWER = (
    "The business goal is conversion per search, so I would ask how a purchase is measured today and which "
    "pets matter most. I would also ask for the p99 latency budget of the search page, the size of the "
    "catalogue and how often it changes."
)
DATA_ANSWER = (
    "The labels come from click logs and purchase logs as implicit feedback; a search followed by a purchase "
    "is a strong positive, a click is a weaker one, and products that were shown but ignored are the "
    "negatives, joined within a day of the search."
)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def case(tmp_path):
    path = tmp_path / "pet-search.yaml"
    path.write_text(CASE)
    return load_scenario(str(path))


@pytest.fixture
def store():
    s = open_store()
    yield s
    s.close()


def _other_connection_rows(sid):
    conn = sqlite3.connect(db_path())
    rows = dict(conn.execute("SELECT stage, answer FROM answers WHERE session_id=?", (sid,)).fetchall())
    conn.close()
    return rows


# ---------------------------------------------------------------- options


def test_parse_stages_orders_and_validates():
    assert parse_stages("model, data") == ("data", "model")
    assert parse_stages(None)[0] == "requirements" and len(parse_stages(None)) == 10
    with pytest.raises(BadInputError, match=r"--stages: unknown step 'modle' \(did you mean 'model'\?\)"):
        parse_stages("data,modle")


def test_budgets_split_minutes_by_step_weight():
    b = budgets(("requirements", "model", "serving"), 30)
    assert sum(b.values()) == pytest.approx(1800, abs=0.5)
    ws = {s: step(s).weight for s in b}
    assert b["model"] / b["serving"] == pytest.approx(ws["model"] / ws["serving"], rel=1e-3)


def test_follow_up_is_chosen_by_seed(case):
    assert follow_up_for(case, "requirements", 3) == follow_up_for(case, "requirements", 3)
    seen = {follow_up_for(case, "requirements", s) for s in range(30)}
    assert len(seen) > 1 and seen <= set(case.stages["requirements"].follow_ups)
    # a step without scenario follow-ups still gets one
    assert follow_up_for(case, "serving", 0)


# ---------------------------------------------------------------- the engine


def test_full_session_flow_saves_as_it_goes(case, store):
    clock = Clock()
    eng = PracticeEngine.start(case, store, stages=("requirements", "data", "model"), minutes=10, seed=1, clock=clock)
    assert eng.prompt().kind == "agenda"
    (ev,) = eng.submit("requirements, then data, then the model")
    assert isinstance(ev, AgendaFeedback) and ev.score.score == 100.0

    p = eng.prompt()
    assert (p.kind, p.stage, p.index, p.count) == ("answer", "requirements", 1, 3)
    assert p.text == "What do you need to know first?" and p.budget_seconds == budgets(eng.stage_ids, 10)["requirements"]
    clock.t += 200  # over the budget
    (fb,) = eng.submit("We want more conversion per search from the results page.")
    assert isinstance(fb, StageFeedback)
    assert fb.seconds == 200 and fb.over_budget
    assert fb.result.covered == ["objective"] and "latency" not in fb.result.covered
    assert fb.follow_up in case.stages["requirements"].follow_ups
    assert _other_connection_rows(eng.session_id) == {"requirements": "We want more conversion per search from the results page."}

    assert eng.prompt().kind == "follow_up"
    clock.t += 30
    events = eng.submit("And I would ask for the p99 latency budget.")
    fu = events[0]
    assert isinstance(fu, FollowUpFeedback) and fu.check_in == CHECK_IN_QUESTION
    assert fu.result.score > fu.before and "latency" in fu.result.covered
    saved = store.get_session(eng.session_id).answers["requirements"]
    assert saved.follow_up_answer.startswith("And I would") and saved.seconds == 230 and "latency" in saved.covered

    p = eng.prompt()
    assert p.stage == "data" and p.total_elapsed_seconds == 230
    clock.t += 10
    eng.submit("Labels are implicit feedback from click logs joined to later purchases.")
    (fu2,) = eng.submit("")  # no follow-up answer
    assert fu2.result is None and fu2.reply.startswith("No, that covers it")
    eng.submit("A popularity baseline first.")
    events = eng.submit("")
    card = events[-1]
    assert isinstance(card, Scorecard) and eng.finished
    saved = store.get_session(eng.session_id)
    assert saved.finished and saved.total_score == card.total_score
    from mlsd.scoring import total_score

    assert card.total_score == total_score({s: saved.answers[s].score for s in saved.stages})
    assert card.render_command == f"mlsd render {case.source} --session {eng.session_id}"
    assert [s.stage for s in card.stages] == ["requirements", "data", "model"]
    lines = {line.stage: line for line in card.stages}
    expected = sorted((line for line in card.stages if line.score < 100), key=lambda line: line.score)[:3]
    assert card.weakest == tuple(line.stage for line in expected)
    assert all(lines[s].study for s in card.weakest)


def test_follow_up_before_score_is_the_answer_alone_after_drafts(case, store):
    """Drafts of the follow-up (saved line by line) rescore the step; "before → after" still
    starts from the step's own answer, not from the draft already folded in."""
    eng = PracticeEngine.start(case, store, stages=("requirements", "data"), clock=Clock())
    eng.submit("requirements, then data")
    (fb,) = eng.submit("We want more conversion per search from the results page.")
    assert "latency" not in fb.result.covered
    follow_up = "And I would ask for the p99 latency budget."
    eng.save_draft(follow_up)  # what the terminal does after each line ended with Enter
    fu = eng.submit(follow_up)[0]
    assert isinstance(fu, FollowUpFeedback)
    assert fu.before == fb.result.score
    assert fu.result.score > fu.before and "latency" in fu.result.covered


def test_scorecard_names_the_weakest_steps_with_what_to_study(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements", "data", "model"), clock=Clock())
    eng.command(":skip")
    for text in ("We want more conversion per search from the results page.", "we would look at some tables", "Start from a popularity baseline."):
        eng.submit(text)
        events = eng.submit("")
    card = events[-1]
    assert card.weakest[0] == "data"
    data = next(line for line in card.stages if line.stage == "data")
    assert data.missed == ("Uses click and purchase logs as implicit labels.",)
    assert data.study[0] == "Uses click and purchase logs as implicit labels. — Logs are free labels."


def test_hint_shows_questions_not_answers(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements",), clock=Clock())
    eng.submit("requirements")
    (h,) = eng.handle(":hint")
    assert isinstance(h, Hint) and h.questions == tuple(case.stages["requirements"].questions)
    text = " ".join(h.questions).lower()
    assert "conversion" not in text and "purchase rate" not in text
    # a step the scenario leaves out: the generic checklist as questions
    eng2 = PracticeEngine.start(case, store, stages=("serving",), clock=Clock())
    eng2.command(":skip")  # agenda
    (h2,) = eng2.handle(":hint")
    assert len(h2.questions) == len(step("serving").items)


def test_skip_back_and_reanswer(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements", "data", "model"), clock=Clock())
    assert isinstance(eng.command(":skip")[0], Skipped)  # agenda
    assert store.get_session(eng.session_id).agenda_score == 0.0
    eng.submit("conversion and latency")
    eng.submit("")
    (sk,) = eng.handle(":skip")
    assert isinstance(sk, Skipped) and sk.stage == "data"
    saved = store.get_session(eng.session_id).answers["data"]
    assert saved.skipped and saved.score == 0 and "click-logs" in saved.missed
    assert eng.prompt().stage == "model"
    (back,) = eng.handle(":back")
    assert isinstance(back, WentBack) and back.stage == "data"
    eng.submit("click logs as implicit feedback")
    eng.submit("")
    saved = store.get_session(eng.session_id).answers["data"]
    assert not saved.skipped and saved.score > 0
    assert eng.prompt().stage == "model"
    # going back to an answered step shows the answer, and :skip keeps it
    eng.handle(":back")
    assert eng.prompt().previous == "click logs as implicit feedback"
    eng.handle(":skip")
    kept = store.get_session(eng.session_id).answers["data"]
    assert (kept.answer, kept.skipped, kept.score) == ("click logs as implicit feedback", False, saved.score)
    assert eng.prompt().stage == "model"
    # :back from the follow-up re-asks the same step
    eng.submit("no idea")
    (b2,) = eng.handle(":back")
    assert b2.stage == "model" and eng.prompt().kind == "answer"
    # :back from the first step goes to the agenda
    eng3 = PracticeEngine.start(case, store, stages=("data",), clock=Clock())
    eng3.submit("data")
    eng3.handle(":back")
    assert eng3.prompt().kind == "agenda"


def test_quit_saves_a_draft_and_resume_continues(case, store):
    clock = Clock()
    eng = PracticeEngine.start(case, store, stages=("requirements", "data", "model"), seed=2, clock=clock)
    eng.submit("requirements data model")
    eng.submit("We want more conversion per search from the results page.")
    eng.submit("")
    eng.prompt()
    clock.t += 40
    eng.save_draft("click logs")  # what the CLI does after each line
    (q,) = eng.command(":quit", partial="click logs\nand purchases")
    assert isinstance(q, Quit) and q.resume_command == f"mlsd practice --resume {eng.session_id}"
    saved = store.get_session(eng.session_id)
    assert not saved.finished and saved.remaining == ("data", "model")
    assert "data" not in saved.answers and saved.drafts["data"].text == "click logs\nand purchases"

    again = PracticeEngine.resume(store, "latest", clock=clock)
    p = again.prompt()
    assert (p.stage, p.draft) == ("data", "click logs\nand purchases")
    assert p.elapsed_seconds == 40
    assert again.stages["requirements"].result.covered == ["objective"]  # rescored from the store
    clock.t += 5
    (fb,) = again.submit(p.draft + "\nWe use implicit feedback from those logs as labels for every search.")
    assert fb.seconds == 45 and "click-logs" in fb.result.covered
    again.submit("")
    again.submit("baseline")
    card = again.submit("")[-1]
    assert isinstance(card, Scorecard)
    with pytest.raises(BadInputError, match="already finished"):
        PracticeEngine.resume(store, eng.session_id)
    with pytest.raises(BadInputError, match="no saved unfinished session"):
        PracticeEngine.resume(store)


def test_retyping_after_back_then_quitting_keeps_both(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements", "data", "model"), clock=Clock())
    eng.command(":skip")
    eng.submit("conversion")
    eng.submit("")
    eng.handle(":back")
    assert eng.prompt().previous == "conversion"
    eng.command(":quit", partial="conversion and p99 latency")
    saved = store.get_session(eng.session_id)
    assert saved.answers["requirements"].answer == "conversion"
    assert saved.drafts["requirements"].text == "conversion and p99 latency"
    again = PracticeEngine.resume(store, eng.session_id)
    p = again.prompt()
    assert (p.stage, p.previous, p.draft) == ("requirements", "conversion", "conversion and p99 latency")


def test_follow_up_typed_before_quit_is_kept(case, store):
    clock = Clock()
    eng = PracticeEngine.start(case, store, stages=("requirements", "data"), clock=clock)
    eng.command(":skip")
    eng.submit("conversion")
    clock.t += 12
    eng.save_draft("and the p99 latency")  # the CLI, after a line of the follow-up
    eng.command(":quit", partial="and the p99 latency budget of the search page in milliseconds")
    saved = store.get_session(eng.session_id).answers["requirements"]
    assert saved.follow_up_answer == "and the p99 latency budget of the search page in milliseconds"
    assert "latency" in saved.covered and saved.seconds == 12
    again = PracticeEngine.resume(store, eng.session_id)
    assert again.prompt().stage == "data"


def test_resume_before_agenda_starts_at_agenda(case, store):
    eng = PracticeEngine.start(case, store, stages=("data",), clock=Clock())
    again = PracticeEngine.resume(store, eng.session_id)
    assert again.prompt().kind == "agenda"


def test_step_missing_from_scenario_uses_framework(case, store):
    eng = PracticeEngine.start(case, store, stages=("serving",), clock=Clock())
    eng.command(":skip")
    p = eng.prompt()
    assert p.text == step("serving").purpose
    (fb,) = eng.submit("Serve online predictions from fresh feature store values, autoscaling replicas on p99 latency.")
    assert fb.result.score > 0 and all(pt.generic for pt in fb.result.points)


# ---------------------------------------------------------------- --answers and the CLI


def _answers(tmp_path, text):
    p = tmp_path / "answers.yaml"
    p.write_text(text)
    return str(p)


def test_cli_answers_json(run_cli, case, tmp_path):
    f = _answers(tmp_path, f"agenda: requirements, data and the model\nrequirements: {REQ_ANSWER}\ndata: nothing\n")
    r = run_cli("practice", str(case.source), "--answers", f, "--json")
    assert r.code == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"scenario", "session_id", "total_score", "agenda_score", "stages",
                        "verdict", "level", "verdict_reasons", "verdict_note", "diagram",
                        "twists", "twist_score", "number_checks", "pacing"}
    # the scenario has no twists, the answers no figures, and an answers file without `minutes:` no timing
    assert out["twists"] == [] and out["twist_score"] is None and out["number_checks"] == [] and out["pacing"] is None
    assert out["verdict_note"] == "Guidance from the rubric, not a hiring decision."
    assert out["verdict"] in ("strong no hire", "no hire", "lean hire", "hire", "strong hire")
    assert out["stages"]["requirements"]["evidence"]["objective"]
    assert out["scenario"] == "pet-search" and out["agenda_score"] == 100.0
    assert list(out["stages"]) == ["requirements", "data"]
    assert out["stages"]["requirements"]["score"] == 100.0
    assert set(out["stages"]["requirements"]["covered"]) >= {"objective", "latency"}
    assert "click-logs" in out["stages"]["data"]["missed"]
    assert 0 <= out["total_score"] <= 100
    with open_store() as store:
        s = store.get_session(out["session_id"])
    assert s.finished and s.mode == "answers" and s.answers["data"].answer == "nothing"


def test_cli_answers_scorecard_prints_render_command(run_cli, tmp_path):
    f = _answers(tmp_path, "data: labels from impression logs, position bias\nmodel: a logistic regression baseline\n")
    r = run_cli("practice", "feed-ranking", "--answers", f)
    assert r.code == 0, r.stderr
    assert "Scorecard" in r.stdout and "mlsd render feed-ranking --session 1" in r.stdout
    assert "Study next" in r.stdout


@pytest.mark.parametrize(
    "content, message",
    [
        ("modle: x\n", ":1: modle: unknown step 'modle' (did you mean 'model'?)"),
        ("- a\n- b\n", ":1: (top level): must be a mapping of step id to answer text"),
        ("data: ok\nmodel: [1, 2]\n", ":2: model: must be text, got list"),
        ("data: 3\n", ":1: data: must be text, got int"),
        ("data:\n", ":1: data: must be text, got nothing"),
        ("", "got an empty file"),
        ("data: [unclosed\n", "invalid YAML"),
        ("agenda: only an agenda\n", "answers no step"),
    ],
)
def test_cli_bad_answers_file_is_one_line_exit_2(run_cli, tmp_path, content, message):
    r = run_cli("practice", "feed-ranking", "--answers", _answers(tmp_path, content))
    assert r.code == 2
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("practice", "feed-ranking", "--answers", "/nonexistent.yaml"), "/nonexistent.yaml: no such file"),
        (("practice", "feed-ranking", "--json"), "--json needs --answers"),
        (("practice", "feed-rankin"), "did you mean 'feed-ranking'"),
        (("practice", "feed-ranking", "--stages", "data,modle"), "unknown step 'modle'"),
        (("practice", "feed-ranking", "--minutes", "0"), "--minutes must be in (0, 600]"),
        (("practice",), "missing SCENARIO"),
        (("practice", "--resume", "--stages", "data"), "drop --answers"),
        (("practice", "--resume"), "no saved unfinished session"),
        (("practice", "--resume", "x1"), "must be a number"),
    ],
)
def test_cli_bad_input_exit_2(run_cli, args, message):
    r = run_cli(*args)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in r.stderr and r.stderr.count("\n") == 1


def test_cli_piped_interactive_session(run_cli, case):
    typed = "\n".join([
        "requirements, data and model",
        "",
        ":hint",
        "conversion per search from the results page",
        "",
        "p99 latency too",
        "",
        "click logs",
        "",
        "",
        ":skip",
        "",
    ]) + "\n"
    r = run_cli("practice", str(case.source), "--stages", "requirements,data,model", "--seed", "3", "--piped", input=typed)
    assert r.code == 0, r.stderr
    out = r.stdout
    assert "Which pets and how many products are there?" in out  # :hint
    assert "Score:" in out and "✓ Names the business objective" in out
    assert CHECK_IN_QUESTION in out
    assert "Skipped model" in out and "Scorecard" in out
    assert f"mlsd render {case.source} --session 1" in out
    with open_store() as store:
        s = store.get_session(1)
    assert s.finished and s.answers["requirements"].follow_up_answer == "p99 latency too"
    assert s.answers["model"].skipped


def test_cli_skip_after_back_says_the_earlier_answer_is_kept(run_cli, case):
    """`:back` to an answered step then `:skip` keeps that answer: it must not read "Skipped data"."""
    typed = "\n".join(["data, model", "", "click logs", "", "", ":back", ":skip", ":skip", ""]) + "\n"
    r = run_cli("practice", str(case.source), "--stages", "data,model", "--piped", input=typed)
    assert r.code == 0, r.stderr
    assert "Kept your earlier answer to data and its score; moving on." in r.stdout
    assert "Skipped data" not in r.stdout and "Skipped model." in r.stdout
    with open_store() as store:
        s = store.get_session(1)
    assert s.answers["data"].answer == "click logs" and not s.answers["data"].skipped


def test_cli_eof_quits_and_resume_finishes(run_cli, case):
    r = run_cli("practice", str(case.source), "--stages", "data,model", "--piped", input="data then model\n\nclick logs\n")
    assert r.code == 0 and "mlsd practice --resume 1" in r.stdout
    with open_store() as store:
        s = store.get_session(1)
    assert not s.finished and s.answers["data"].answer == "click logs" and not s.drafts

    r = run_cli("practice", "--resume", "--piped", input="\n\n:skip\n")
    assert r.code == 0, r.stderr
    assert "Resuming session 1" in r.stdout and "Scorecard" in r.stdout


def test_cli_piped_input_ending_after_the_last_answer_finishes(run_cli, case):
    r = run_cli("practice", str(case.source), "--stages", "data", "--piped", input="data\n\nclick logs\n")
    assert r.code == 0 and "Scorecard" in r.stdout
    with open_store() as store:
        assert store.get_session(1).finished


def test_history_and_progress(run_cli, case, tmp_path):
    for i, text in enumerate([
        "nothing useful", "We want more conversion per search from the results page.",
        "We want more conversion per search and must keep the p99 latency of the page low.",
    ]):
        f = _answers(tmp_path, f"requirements: {text}\ndata: {DATA_ANSWER}\n")
        assert run_cli("practice", str(case.source), "--answers", f, "--seed", str(i)).code == 0
    run_cli("practice", str(case.source), "--stages", "data", "--piped", input="")  # an unfinished one

    r = run_cli("history", "--json")
    rows = json.loads(r.stdout)
    assert [row["session_id"] for row in rows] == [4, 3, 2, 1]
    assert rows[0]["finished"] is False and rows[1]["finished"] is True
    assert rows[1]["total_score"] > rows[3]["total_score"]
    r = run_cli("history")
    assert "pet-search" in r.stdout and "unfinished" in r.stdout
    # docs/history-json.md documents exactly the keys printed, in order
    doc = (Path(__file__).resolve().parents[1] / "docs" / "history-json.md").read_text()
    documented = re.findall(r'^ {4}"(\w+)":', doc, flags=re.M)
    assert documented == list(rows[0]) == list(rows[1])
    assert {row["mode"] for row in rows} == {"answers", "interactive"}

    r = run_cli("progress", "--json")
    rep = json.loads(r.stdout)
    req = rep["stages"]["requirements"]
    assert req["sessions"] == 3 and req["trend"] > 0 and req["trend_word"] == "improving"
    assert rep["stages"]["data"]["average"] == 100.0
    assert rep["weakest"][0] == "requirements"
    assert rep["next_scenario"]  # a shipped scenario not practised yet
    r = run_cli("progress")
    assert "Weakest steps" in r.stdout and "Practise next" in r.stdout


def test_progress_report_prefers_unpractised_then_lowest(case, store):
    from dataclasses import replace

    other = replace(case, id="other")
    rep = progress_report(store, [case, other])
    assert rep.next_scenario == "pet-search" and rep.steps == ()
    for sc, score in ((case, 90.0), (other, 40.0)):
        sid = store.create_session(scenario_id=sc.id, scenario_title="", source_path=None, builtin=True, stages=["data"])
        store.save_answer(sid, "data", answer="x", score=score)
        store.finish_session(sid, score)
    rep = progress_report(store, [case, other])
    assert rep.next_scenario == "other" and "lowest" in rep.next_reason


def test_history_empty(run_cli):
    r = run_cli("history")
    assert r.code == 0 and "No saved sessions yet" in r.stdout
    assert json.loads(run_cli("history", "--json").stdout) == []


# ---------------------------------------------------------------- review fixes


def test_answers_file_with_one_step_says_so_and_never_claims_every_step(run_cli, tmp_path):
    """--answers with only `requirements` is a one-step session: the scorecard says 1 of 10, not 'every step'."""
    ref = load_scenario("feed-ranking").stages["requirements"].reference
    f = _answers(tmp_path, "requirements: |\n" + "".join(f"  {line}\n" for line in ref.splitlines()))
    r = run_cli("practice", "feed-ranking", "--answers", f)
    assert r.code == 0, r.stderr
    assert "1 of 10 steps practised" in r.stdout
    assert "Not practised in this session: ml-task, data" in r.stdout
    assert "Every step scored 100" not in r.stdout
    assert "Every step you answered scored 100" in r.stdout


def test_scorecard_prose_wraps_at_words_on_a_terminal_and_stays_whole_in_a_pipe(run_cli, tmp_path, monkeypatch):
    """On an 80-column terminal the read-out, 'not practised' and pacing lines wrap at words (the
    terminal's own wrap cut them mid-word: 'point\ns', 'evaluation\n, deployment'); a pipe keeps each
    on one line for scripts."""
    import re

    ref = load_scenario("feed-ranking").stages["requirements"].reference
    f = _answers(tmp_path, "requirements: |\n" + "".join(f"  {line}\n" for line in ref.splitlines())
                 + "minutes: {requirements: 3}\n")
    piped = run_cli("practice", "feed-ranking", "--answers", f)
    assert piped.code == 0, piped.stderr
    readout = next(line for line in piped.stdout.splitlines() if line.startswith("Read-out:"))
    assert readout.rstrip().endswith("not a hiring decision.")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: the output is a terminal
    monkeypatch.setenv("COLUMNS", "80")
    shown = run_cli("practice", "feed-ranking", "--answers", f)
    assert shown.code == 0, shown.stderr
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in shown.stdout.splitlines()]
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for words in ("Read-out:", "Not practised in this session:", "Pacing:", "not a hiring decision."):
        assert words in text
    joined = " ".join(text.split())  # the same words as in the pipe, only the line breaks differ
    assert " ".join(readout.split()) in joined


def test_answers_file_steps_named_by_stages_but_not_answered_count_zero(run_cli, tmp_path):
    f = _answers(tmp_path, f"requirements: {REQ_ANSWER}\n")
    r = run_cli("practice", "feed-ranking", "--answers", f, "--stages", "requirements,data", "--json")
    assert r.code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stages"]["data"]["skipped"] is True and out["stages"]["data"]["score"] == 0
    req = out["stages"]["requirements"]["score"]
    assert req > 0 and out["total_score"] < req


def test_one_answered_step_and_nine_skipped_is_not_100(case, store):
    """An interactive full interview with one perfect step and nine skipped: total ≈ that step's time share."""
    from mlsd.content.scenario import STAGE_IDS

    eng = PracticeEngine.start(case, store, stages=STAGE_IDS, clock=Clock())
    eng.command(":skip")  # agenda
    eng.submit(REQ_ANSWER)
    eng.submit("")
    events = []
    while not eng.finished:
        events = eng.command(":skip")
    card = events[-1]
    assert isinstance(card, Scorecard)
    assert next(line.score for line in card.stages if line.stage == "requirements") == 100.0
    share = step("requirements").weight / sum(step(s).weight for s in STAGE_IDS)
    assert card.total_score == pytest.approx(100 * share, abs=0.2) and card.total_score < 20
    assert card.answered == ("requirements",) and len(card.skipped) == 9 and not card.complete
    assert store.get_session(eng.session_id).summary()["stages_answered"] == 1


def test_scorecard_every_step_advice_only_for_all_ten(run_cli, case, tmp_path):
    """All practised steps at 100 but only two of ten: no 'every step scored 100'."""
    f = _answers(tmp_path, f"requirements: {REQ_ANSWER}\ndata: {DATA_ANSWER}\n")
    r = run_cli("practice", str(case.source), "--answers", f)
    assert r.code == 0, r.stderr
    assert "Total: 100/100 · 2 of 10 steps practised" in r.stdout
    assert "Every step scored 100" not in r.stdout


def test_skip_after_back_keeps_the_agenda(case, store):
    """:back from the first step to the agenda, then :skip, keeps the agenda already scored."""
    eng = PracticeEngine.start(case, store, stages=("requirements", "data"), clock=Clock())
    (ev,) = eng.submit("requirements, then data")
    assert ev.score.score == 100.0
    (back,) = eng.handle(":back")
    assert isinstance(back, WentBack) and back.stage is None
    p = eng.prompt()
    assert p.kind == "agenda" and p.previous == "requirements, then data"
    (sk,) = eng.handle(":skip")
    assert isinstance(sk, Skipped) and sk.kept and eng.prompt().stage == "requirements"
    saved = store.get_session(eng.session_id)
    assert (saved.agenda, saved.agenda_score) == ("requirements, then data", 100.0)
    assert eng.agenda.score == 100.0
    # a never-given agenda skipped is still 0, and a real skip
    eng2 = PracticeEngine.start(case, store, stages=("data",), clock=Clock())
    assert not eng2.handle(":skip")[0].kept
    assert store.get_session(eng2.session_id).agenda_score == 0.0


def test_skip_after_back_keeps_the_agenda_through_the_whole_session(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements",), clock=Clock())
    eng.submit("requirements first")
    eng.handle(":back")
    eng.handle(":skip")
    eng.submit(REQ_ANSWER)
    card = eng.submit("")[-1]
    assert isinstance(card, Scorecard) and card.agenda_score == 100.0
    assert store.get_session(eng.session_id).agenda_score == 100.0


def test_agenda_draft_is_kept_and_shown_on_resume(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements", "data"), clock=Clock())
    eng.save_draft("requirements, then")  # the CLI, after a line of the agenda
    eng.command(":quit", partial="requirements, then\ndata")
    saved = store.get_session(eng.session_id)
    assert saved.drafts["agenda"].text == "requirements, then\ndata" and saved.agenda is None
    again = PracticeEngine.resume(store, eng.session_id)
    p = again.prompt()
    assert (p.kind, p.draft) == ("agenda", "requirements, then\ndata")
    again.submit(p.draft)
    assert "agenda" not in store.get_session(eng.session_id).drafts


def test_cli_says_why_bare_terms_earned_nothing(run_cli, case):
    typed = "requirements\n\nconversion\np99\n\n\n"
    r = run_cli("practice", str(case.source), "--stages", "requirements", "--piped", input=typed)
    assert r.code == 0, r.stderr
    assert "A term stood alone (a keyword list)" in r.stdout and "Score: 0/100" in r.stdout


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null"])
def test_cli_answers_from_a_device_is_one_line_exit_2(run_cli, special):
    """--answers reads through mlsd.content.yamlfile, which refuses anything but a regular file."""
    r = run_cli("practice", "feed-ranking", "--answers", special)
    assert r.code == 2, (r.stdout, r.stderr)
    assert special in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_cli_drill_answers_from_a_device_is_one_line_exit_2(run_cli, tmp_path):
    r = run_cli("drill", "--answers", "/dev/zero")
    assert r.code == 2 and "/dev/zero" in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("practice", "feed-ranking", "--answers", str(tmp_path))
    assert r.code == 2 and r.stderr.count("\n") == 1


def test_history_fits_80_columns(run_cli, monkeypatch, tmp_path):
    """Ids, scenario ids and status are shown whole at 80 columns (no 'feed-rank…' / 'unfinish…')."""
    f = _answers(tmp_path, "data: labels from impression logs\n")
    for scenario in ("feed-ranking", "abuse-detection"):
        assert run_cli("practice", scenario, "--answers", f).code == 0
    run_cli("practice", "ml-monitoring", "--stages", "data", "--piped", input="")  # unfinished
    monkeypatch.setenv("COLUMNS", "80")
    r = run_cli("history")
    assert r.code == 0
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in r.stdout
    for word in ("feed-ranking", "abuse-detection", "ml-monitoring", "unfinished"):
        assert word in r.stdout, word


def test_history_steps_column_counts_skipped_steps_as_not_answered(run_cli, case, tmp_path):
    f = _answers(tmp_path, f"requirements: {REQ_ANSWER}\n")
    assert run_cli("practice", str(case.source), "--answers", f, "--stages", "requirements,data,model").code == 0
    r = run_cli("history", "--json")
    row = json.loads(r.stdout)[0]
    assert (row["stages_answered"], row["stages_skipped"], row["stages"]) == (1, 2, 3)
    assert "1/3" in run_cli("history").stdout


def test_agenda_retyped_after_back_is_resumed_at_the_agenda(case, store):
    eng = PracticeEngine.start(case, store, stages=("requirements", "data"), clock=Clock())
    eng.submit("requirements")
    eng.handle(":back")
    eng.command(":quit", partial="requirements, then da")
    again = PracticeEngine.resume(store, eng.session_id)
    p = again.prompt()
    assert (p.kind, p.previous, p.draft) == ("agenda", "requirements", "requirements, then da")
    again.submit("requirements, then data")
    assert store.get_session(eng.session_id).agenda_score == 100.0


@pytest.mark.parametrize("args", [("practice", "feed-ranking"), ("drill", "--count", "1")])
@pytest.mark.parametrize("typed", ["hi\n", ""])
def test_cli_stdin_that_is_not_a_terminal_points_to_answers_and_saves_nothing(run_cli, args, typed):
    """`echo hi | mlsd practice feed-ranking` used to take "hi" as the agenda and save a 0/100
    session without a word; a pipe now gets one line naming --answers (and --piped), exit 2."""
    r = run_cli(*args, input=typed)
    r.assert_bad_input("stdin is not a terminal")
    assert "--answers FILE" in r.stderr and "--piped" in r.stderr
    with open_store() as store:
        assert store.list_sessions(10) == [] and store.drill_answers() == []


def test_cli_resume_from_a_pipe_is_refused_too(run_cli, case):
    run_cli("practice", str(case.source), "--stages", "data", "--piped", input="data\n")
    r = run_cli("practice", "--resume", input="click logs\n")
    r.assert_bad_input("stdin is not a terminal")
    with open_store() as store:
        assert "data" not in store.get_session(1).answers


def test_cli_user_text_is_printed_as_written_no_emoji_or_markup(run_cli, case, tmp_path):
    """rich turned ':x:' in an answer into ❌; answers, their quotes and file names print verbatim."""
    said = r"We label with click logs and purchase logs as implicit feedback (a :x: marks a miss, [b]bold[/b] C:\logs\ :+1:)."
    typed = "\n".join(["data, model", "", said, "", "", ":back", ":quit"]) + "\n"
    r = run_cli("practice", str(case.source), "--stages", "data,model", "--piped", input=typed)
    assert r.code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "❌" not in r.stdout and "👍" not in r.stdout and "bold[/b]" in r.stdout
    assert f"you said: “{said}”" in flat  # the quote of the answer
    assert f"  {said}" in r.stdout  # the earlier answer shown after :back
    out = tmp_path / "doc :x: [b].md"
    r = run_cli("render", str(case.source), "--no-simulations", "-o", str(out))
    assert r.code == 0, r.stderr
    assert f"wrote {out}" in r.stderr and "❌" not in r.stderr


@pytest.mark.parametrize("ref", ["-1", "0", "999", "x1"])
def test_cli_resume_a_wrong_id_names_the_valid_ones(run_cli, case, ref):
    """`--resume -1` said "No such option: -1"; every wrong id now names the ids there are."""
    for _ in range(2):
        run_cli("practice", str(case.source), "--stages", "data", "--piped", input="data\n")
    r = run_cli("practice", "--resume", ref, "--piped")
    r.assert_bad_input("saved unfinished sessions: 2, 1 or 'latest'")
    assert "No such option" not in r.stderr


def test_cli_negative_number_is_still_an_options_value(run_cli):
    run_cli("practice", "feed-ranking", "--minutes", "-1").assert_bad_input("--minutes must be in (0, 600], got -1")
    run_cli("render", "feed-ranking", "--session", "-1").assert_bad_input("no session -1; there is no saved session yet")
