"""Interviewer twists: the scenario key and its loader, the engine (asked in place of the step's
follow-up, scored on adapting, apart from the total), answers files, the CLI and the design doc."""

from __future__ import annotations

import json
import textwrap

import pytest

from mlsd.content.scenario import STAGE_IDS, load_scenario, parse_scenario
from mlsd.errors import ScenarioError
from mlsd.practice.engine import (
    TWIST_HINTS,
    FollowUpFeedback,
    Hint,
    PracticeEngine,
    Scorecard,
    StageFeedback,
    TwistFeedback,
    WentBack,
)
from mlsd.practice.store import open_store
from mlsd.practice.twists import choose_twists
from mlsd.scoring import total_score

SERVING = ("Online prediction at request time; the p99 latency budget of 200 ms is split per hop with timeouts, "
           "about 600 ranking servers behind a load balancer with autoscaling, and a cached feed as the fallback.")
TWIST = ("I would precompute the ranked feed for each active user nearline and serve it from a cache. "
         "Online only a light re-rank with a distilled model on in-session signals. "
         "The objective, labels and value model stay the same. "
         "The trade-off is staleness: new posts arrive minutes late, and precomputing wastes compute.")


@pytest.fixture(scope="module")
def feed():
    return load_scenario("feed-ranking")


@pytest.fixture
def store():
    s = open_store()
    yield s
    s.close()


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


# ---------------------------------------------------------------- the scenario key

BASE = """\
id: tw
title: Twisty
summary: A case with twists.
stages:
  requirements:
    prompt: What first?
    key_points:
      - id: objective
        point: Names the objective.
        keywords: [objective]
"""


def _twist(tid="a", step="serving", points=3, extra=""):
    kps = "".join(f"      - {{id: {tid}-p{i}, point: Point {i}., keywords: [term{i}]}}\n" for i in range(points))
    return (f"  - id: {tid}\n    step: {step}\n    text: The constraint changed.\n    key_points:\n{kps}"
            f"    reference: What a good answer says.\n{extra}")


def test_shipped_feed_ranking_has_two_well_formed_twists(feed):
    assert len(feed.twists) >= 2
    assert len({t.step for t in feed.twists}) == len(feed.twists)
    stage_points = {kp.id for st in feed.stages.values() for kp in st.key_points}
    for t in feed.twists:
        assert t.step in STAGE_IDS and 3 <= len(t.key_points) <= 5
        assert not {kp.id for kp in t.key_points} & stage_points
        assert 80 <= len(t.reference.split()) <= 200, (t.id, len(t.reference.split()))
        assert all(kp.why for kp in t.key_points)


def test_a_scenario_without_twists_loads_as_before():
    assert parse_scenario(BASE, "tw.yaml").twists == ()


def test_twists_load_in_order_with_their_points():
    sc = parse_scenario(BASE + "twists:\n" + _twist("a", "serving") + _twist("b", "data", 5), "tw.yaml")
    assert [(t.id, t.step, len(t.key_points)) for t in sc.twists] == [("a", "serving", 3), ("b", "data", 5)]
    assert sc.twist("b").key_points[0].keywords == ("term0",) and sc.twist("zz") is None


@pytest.mark.parametrize("twists, message", [
    (_twist("a"), "tw.yaml:11: twists: needs at least 2 twists, at different steps, got 1"),
    (_twist("a", "servng") + _twist("b", "data"), "twists[0].step: unknown step 'servng' (did you mean 'serving'?)"),
    (_twist("a") + _twist("b"), "twists[1].step: twist 'a' is already asked after 'serving'"),
    (_twist("a") + _twist("a", "data"), "twists[1].id: duplicate twist id 'a'"),
    (_twist("a", points=2) + _twist("b", "data"), "twists[0].key_points: needs 3 to 5 key points"),
    (_twist("a", points=6) + _twist("b", "data"), "twists[0].key_points: needs 3 to 5 key points"),
    (_twist("a", extra="    why: no\n") + _twist("b", "data"), "twists[0].why: unknown key 'why'"),
    (_twist("a").replace("    reference: What a good answer says.\n", "") + _twist("b", "data"),
     "twists[0]: missing required key 'reference'"),
    (_twist("a").replace("a-p0", "objective") + _twist("b", "data"), "duplicate key point id 'objective'"),
    ("  - just text\n  - more\n", "twists[0]: expected a mapping"),
])
def test_bad_twists_are_one_line_errors_with_file_and_line(twists, message):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(BASE + "twists:\n" + twists, "tw.yaml")
    text = str(exc.value)
    assert message in text and "\n" not in text and text.startswith("tw.yaml:")


def test_validate_command_reports_a_bad_twist(run_cli, tmp_path):
    path = tmp_path / "tw.yaml"
    path.write_text(BASE + "twists:\n" + _twist("a", "servng") + _twist("b", "data"))
    r = run_cli("scenarios", "validate", str(path))
    assert r.code == 2 and "twists[0].step: unknown step 'servng'" in r.stdout + r.stderr


def test_twists_survive_the_parsed_scenario_cache(tmp_path):
    path = tmp_path / "tw.yaml"
    path.write_text(BASE + "twists:\n" + _twist("a") + _twist("b", "data"))
    first = load_scenario(str(path), cached=True)
    again = load_scenario(str(path), cached=True)  # from the cache this time
    assert first.twists == again.twists and len(again.twists) == 2


# ---------------------------------------------------------------- which twists a session asks


def test_one_twist_chosen_by_the_seed_deterministic_and_varied(feed):
    stages = ("data", "serving")
    picks = {seed: choose_twists(feed, stages, seed=seed) for seed in range(20)}
    assert all(len(p) == 1 for p in picks.values())
    assert all(choose_twists(feed, stages, seed=s) == p for s, p in picks.items())  # same seed, same twist
    assert {p[0].id for p in picks.values()} == {t.id for t in feed.twists}  # the seed does choose


def test_all_none_and_only_practised_steps(feed):
    assert [t.step for t in choose_twists(feed, STAGE_IDS, seed=0, mode="all")] == sorted(
        (t.step for t in feed.twists), key=STAGE_IDS.index)
    assert choose_twists(feed, STAGE_IDS, seed=0, mode="none") == ()
    assert choose_twists(feed, ("requirements", "model"), seed=0, mode="all") == ()
    assert [t.id for t in choose_twists(feed, ("serving",), seed=5)] == ["latency-20ms"]


# ---------------------------------------------------------------- the engine


def _to_twist(feed, store, clock):
    eng = PracticeEngine.start(feed, store, stages=("serving",), minutes=10, clock=clock, twists=("latency-20ms",))
    eng.submit("serving")
    eng.prompt()  # shows the step: its clock starts
    clock.t += 120
    (fb,) = eng.submit(SERVING)
    return eng, fb


def test_the_twist_comes_in_place_of_the_follow_up_and_is_scored_apart(feed, store):
    clock = Clock()
    eng, fb = _to_twist(feed, store, clock)
    assert isinstance(fb, StageFeedback) and fb.follow_up == ""
    p = eng.prompt()
    assert p.kind == "twist" and p.stage == "serving" and p.text == feed.twist("latency-20ms").text
    (hint,) = eng.command(":hint")
    assert isinstance(hint, Hint) and hint.questions == TWIST_HINTS
    clock.t += 90
    events = eng.submit(TWIST)
    tw, card = events
    assert isinstance(tw, TwistFeedback) and tw.result.score >= 90 and tw.check_in
    assert isinstance(card, Scorecard)
    assert card.total_score == total_score({"serving": fb.result.score})  # the twist is not in the total
    (line,) = card.twists
    assert (line.id, line.stage, line.skipped, line.score) == ("latency-20ms", "serving", False, tw.result.score)
    assert line.seconds == 90
    saved = store.get_session(eng.session_id)
    assert saved.twists == ("latency-20ms",)
    ta = saved.twist_answers["latency-20ms"]
    assert ta.answer == TWIST and ta.score == tw.result.score and ta.seconds == 90 and not ta.skipped
    assert saved.answers["serving"].seconds == 210  # the step's time includes the twist, like a follow-up
    assert saved.answers["serving"].follow_up is None
    d = card.to_dict()
    assert d["twists"][0]["step"] == "serving" and d["twist_score"] == tw.result.score


def test_a_step_without_a_twist_still_gets_its_follow_up(feed, store):
    eng = PracticeEngine.start(feed, store, stages=("data", "serving"), clock=Clock(), twists=("latency-20ms",))
    eng.submit("data, serving")
    eng.submit("Labels come from impression logs.")
    assert eng.prompt().kind == "follow_up"
    (fu,) = eng.submit("")
    assert isinstance(fu, FollowUpFeedback)
    eng.submit(SERVING)
    assert eng.prompt().kind == "twist"


def test_skipping_the_twist_scores_it_zero_and_names_every_point(feed, store):
    eng, _ = _to_twist(feed, store, Clock())
    tw, card = eng.command(":skip")
    assert isinstance(tw, TwistFeedback) and tw.result is None and not tw.kept
    (line,) = card.twists
    assert line.skipped and line.score == 0 and len(line.missed_points) == len(feed.twist("latency-20ms").key_points)
    assert store.get_session(eng.session_id).twist_answers["latency-20ms"].skipped


def test_back_from_the_twist_reanswers_the_step_then_asks_it_again(feed, store):
    eng, _ = _to_twist(feed, store, Clock())
    (back,) = eng.command(":back")
    assert isinstance(back, WentBack) and back.stage == "serving" and eng.prompt().kind == "answer"
    eng.submit(SERVING + " Plus a popularity fallback.")
    assert eng.prompt().kind == "twist"


def test_a_twist_after_a_skipped_step_is_not_asked(feed, store):
    eng = PracticeEngine.start(feed, store, stages=("serving",), clock=Clock(), twists=("latency-20ms",))
    eng.submit("serving")
    events = eng.command(":skip")
    card = events[-1]
    assert isinstance(card, Scorecard) and card.twists == ()


def test_quit_during_the_twist_keeps_the_draft_and_resume_asks_it_again(feed, store):
    clock = Clock()
    eng, _ = _to_twist(feed, store, clock)
    eng.save_draft("I would precompute")
    eng.quit()
    saved = store.get_session(eng.session_id)
    assert saved.drafts["twist:latency-20ms"].text == "I would precompute" and not saved.finished
    again = PracticeEngine.resume(store, eng.session_id, clock=clock)
    p = again.prompt()
    assert p.kind == "twist" and p.draft == "I would precompute"
    tw, card = again.submit(TWIST)
    assert tw.result.score >= 90 and card.twists[0].score == tw.result.score
    assert not store.get_session(eng.session_id).drafts


def test_resume_after_the_twist_was_answered_goes_on(feed, store):
    clock = Clock()
    eng = PracticeEngine.start(feed, store, stages=("serving", "monitoring"), clock=clock, twists=("latency-20ms",))
    eng.submit("serving, monitoring")
    eng.submit(SERVING)
    eng.submit(TWIST)
    eng.quit()
    again = PracticeEngine.resume(store, eng.session_id, clock=clock)
    assert again.prompt().stage == "monitoring" and again.prompt().kind == "answer"
    card = again.command(":skip")[-1]
    assert card.twists[0].score >= 90  # rescored from the saved answer


# ---------------------------------------------------------------- answers files and the CLI


def _file(tmp_path, text):
    path = tmp_path / "answers.yaml"
    path.write_text(textwrap.dedent(text))
    return str(path)


def _answers_with_twist(tmp_path, twist_id="latency-20ms"):
    return _file(tmp_path, f"""\
        serving: "{SERVING}"
        twists:
          {twist_id}: "{TWIST}"
        """)


def test_answers_file_twist_in_json_and_not_in_the_total(run_cli, tmp_path):
    with_twist = run_cli("practice", "feed-ranking", "--answers", _answers_with_twist(tmp_path), "--json")
    assert with_twist.code == 0, with_twist.stderr
    out = json.loads(with_twist.stdout)
    (tw,) = out["twists"]
    assert {"step", "text", "score", "covered", "missed"} <= set(tw)
    assert tw["step"] == "serving" and tw["score"] >= 90 and tw["missed"] == [] and out["twist_score"] == tw["score"]
    without = run_cli("practice", "feed-ranking", "--answers", _answers_with_twist(tmp_path), "--json", "--no-twists")
    out2 = json.loads(without.stdout)
    assert out2["twists"] == [] and out2["twist_score"] is None
    assert out2["total_score"] == out["total_score"]  # the twist does not move the total


def test_answers_file_twist_in_the_scorecard(run_cli, tmp_path):
    r = run_cli("practice", "feed-ranking", "--answers", _answers_with_twist(tmp_path))
    assert r.code == 0, r.stderr
    assert "Twists:" in r.stdout and "after serving (latency-20ms" in r.stdout and "not in the total" in r.stdout


def test_an_unknown_twist_id_is_one_line_naming_the_valid_ones(run_cli, tmp_path):
    r = run_cli("practice", "feed-ranking", "--answers", _answers_with_twist(tmp_path, "latency-2ms"))
    r.assert_bad_input("answers.yaml:3: twists.latency-2ms: unknown twist 'latency-2ms' (did you mean 'latency-20ms'?)")
    assert "no-user-data-off-device" in r.stderr


def test_a_twist_in_a_scenario_without_twists_is_one_line(run_cli, tmp_path):
    path = tmp_path / "tw.yaml"
    path.write_text(BASE)
    r = run_cli("practice", str(path), "--answers", _file(tmp_path, "requirements: x\ntwists:\n  a: y\n"))
    r.assert_bad_input("twists.a: unknown twist 'a'; this scenario has no twists")


def test_a_twist_whose_step_the_file_does_not_answer_is_one_line(run_cli, tmp_path):
    f = _file(tmp_path, f'data: "labels from impression logs"\ntwists:\n  latency-20ms: "{TWIST}"\n')
    run_cli("practice", "feed-ranking", "--answers", f).assert_bad_input(
        "twist 'latency-20ms' is asked after the 'serving' step, which the file does not answer")


@pytest.mark.parametrize("args, message", [
    (("--twists", "some"), "--twists must be one or all, got 'some'"),
    (("--twists", "all", "--no-twists"), "contradict each other"),
    (("--twists", "all", "--answers", "x.yaml"), "--twists applies to the interactive session"),
])
def test_bad_twist_options_are_one_line(run_cli, args, message):
    run_cli("practice", "feed-ranking", *args).assert_bad_input(message)


def test_resume_refuses_twist_options(run_cli):
    run_cli("practice", "--resume", "--no-twists").assert_bad_input("drop --answers")


def test_piped_session_shows_the_interruption(run_cli):
    typed = "\n".join(["serving", "", SERVING, "", TWIST, ""]) + "\n"
    r = run_cli("practice", "feed-ranking", "--stages", "serving", "--piped", input=typed)
    assert r.code == 0, r.stderr
    out = r.stdout
    assert "Twist · the interviewer interrupts" in out and "Change of plan: the product team now needs" in out
    assert "Twist score:" in out and "Twists:" in out and "Follow-up:" not in out


def test_no_twists_keeps_the_follow_up(run_cli):
    typed = "\n".join(["serving", "", SERVING, "", "", ""]) + "\n"
    r = run_cli("practice", "feed-ranking", "--stages", "serving", "--piped", "--no-twists", input=typed)
    assert r.code == 0, r.stderr
    assert "Follow-up:" in r.stdout and "Twist" not in r.stdout
    with open_store() as store:
        assert store.get_session(1).twists == ()


# ---------------------------------------------------------------- the design doc


XSS = "<script>alert(1)</script>"


def test_design_doc_shows_the_twist_answer_escaped(feed, run_cli, tmp_path):
    from mlsd.doc.render import build_context, render_document

    f = _file(tmp_path, f'serving: "{SERVING}"\ntwists:\n  latency-20ms: "{TWIST} {XSS}"\n')
    assert run_cli("practice", "feed-ranking", "--answers", f).code == 0
    with open_store() as store:
        session = store.get_session(1)
    ctx = build_context(feed, session=session, include_simulations=False)
    serving = next(s for s in ctx["steps"] if s["id"] == "serving")
    assert serving["twist"]["asked"] and serving["twist"]["score"] >= 90
    assert ctx["session"]["twist_score"] == serving["twist"]["score"]
    html = render_document(ctx, fmt="html").text
    assert XSS not in html and "&lt;script&gt;" in html and 'id="twist-latency-20ms"' in html
    md = render_document(ctx, fmt="md").text
    assert XSS not in md and "twist score" in md and "Reference answer to the twist" in md
    # the twist of a step this session did not practise is shown as one the interviewer may throw
    data = next(s for s in ctx["steps"] if s["id"] == "data")
    assert not data["twist"]["asked"] and "Twist the interviewer may throw" in md


def test_reference_doc_lists_the_scenarios_twists(feed):
    from mlsd.doc.render import build_context, render_document

    md = render_document(build_context(feed, include_simulations=False), fmt="md").text
    for t in feed.twists:
        assert t.text in md and t.reference.split()[0] in md


def test_a_twist_after_a_step_left_out_by_stages_is_one_line(run_cli, tmp_path):
    run_cli("practice", "feed-ranking", "--answers", _answers_with_twist(tmp_path), "--stages", "data").assert_bad_input(
        "twist 'latency-20ms' is asked after the 'serving' step, which this session does not practise (--stages data)")
