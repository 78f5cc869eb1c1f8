"""The FAQ drill: the question bank's contents and validation, scoring, weighting, and the CLI."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from mlsd.practice import drill
from mlsd.practice.store import open_store

BANK = drill.load_bank()
COOKING = (
    "To make a good risotto, first heat the stock in a pan and keep it simmering. Toast the rice in "
    "butter with a chopped onion until translucent, then add a glass of white wine. Finish with "
    "parmesan, season with salt and pepper and serve right away."
)

# Every FAQ item the issue lists -> words that its question text must contain.
FAQ_ITEMS = {
    "how to scale": ("scale",),
    "partitioning training data": ("partition", "training data"),
    "data and model parallelism": ("data parallelism", "model parallelism"),
    "sync vs async SGD": ("synchronous", "asynchronous sgd"),
    "data-parallel vs RPC training": ("data-parallel", "rpc-based"),
    "scaling data collection": ("scale data collection",),
    "translation for 1000 languages": ("1000 languages", "nllb"),
    "AutoML": ("automl", "hyper-parameter tuning", "architecture search"),
    "online/offline inconsistency": ("online/offline inconsistency",),
    "storage for different data": ("storage", "different kinds of data"),
    "data pipelines": ("data pipeline",),
    "deployment": ("deploy",),
    "load balancing and autoscaling": ("load balancing", "autoscaling"),
    "latency optimisation": ("optimise latency",),
    "push a new version without losing QPS": ("new model version", "qps"),
    "serving": ("model serving", "low-latency, high-qps"),
    "A/B-testing procedure": ("a/b test",),
    "user vs request randomisation": ("user level", "request level"),
    "batch vs real-time features, feature store": ("batch features", "real-time features", "feature store"),
    "on-device vs server inference": ("device", "servers"),
    "retraining frequency": ("how often would you retrain",),
    "what to monitor": ("monitor",),
}


@pytest.mark.parametrize("item", FAQ_ITEMS, ids=list(FAQ_ITEMS))
def test_every_faq_item_has_a_question(item):
    words = FAQ_ITEMS[item]
    hits = [q.id for q in BANK.questions if all(w in q.question.lower() for w in words)]
    assert hits, f"no drill question covers {item!r}"


def test_ab_test_question_covers_the_seed_procedure():
    q = BANK.question("ab-test-design")
    kws = " ".join(k for kp in q.key_points for k in kp.keywords).lower()
    for term in ("alpha", "power", "mde", "sample size", "user level", "request level", "t-test", "bias"):
        assert term in kws, term


@pytest.mark.parametrize("q", BANK.questions, ids=[q.id for q in BANK.questions])
def test_reference_scores_high_and_unrelated_prose_low(q):
    assert drill.score(q, q.reference).score >= 80
    assert drill.score(q, "").score == 0
    assert drill.score(q, COOKING).score < 15


def test_bank_validation_names_the_problem():
    good = {"topics": {"t": "T"}, "questions": [{"id": "q", "topic": "t", "question": "Q?", "reference": "R",
                                                  "key_points": [{"id": "k", "point": "P", "keywords": ["x"]}]}]}
    assert len(drill.parse_bank(good).questions) == 1
    bad_kw = json.loads(json.dumps(good))
    bad_kw["questions"][0]["key_points"][0]["keywords"] = []
    with pytest.raises(drill.BankError, match=r"questions\[0\] \(q\)\.key_points\[0\]\.keywords"):
        drill.parse_bank(bad_kw)
    bad_topic = json.loads(json.dumps(good))
    bad_topic["questions"][0]["topic"] = "u"
    with pytest.raises(drill.BankError, match="unknown topic 'u'"):
        drill.parse_bank(bad_topic)
    dup = json.loads(json.dumps(good))
    dup["questions"].append(dup["questions"][0])
    with pytest.raises(drill.BankError, match="unique slug"):
        drill.parse_bank(dup)
    bad_weight = json.loads(json.dumps(good))
    bad_weight["questions"][0]["key_points"][0]["weight"] = -1
    with pytest.raises(drill.BankError, match="weight"):
        drill.parse_bank(bad_weight)


def test_weak_topics_come_up_more_often():
    """Topic weight 1 + (100 - average)/25: ab-testing at 0 is drawn 5x as often per question as a topic at 100."""
    history = [(t, 100.0) for t in BANK.topics if t != "ab-testing"] + [("ab-testing", 0.0)] * 3
    assert drill.topic_weights(BANK, history)["ab-testing"] == 5.0
    firsts = Counter(drill.choose(BANK, count=1, seed=s, history=history)[0].topic for s in range(1000))
    per_question = {t: firsts[t] / sum(q.topic == t for q in BANK.questions) for t in BANK.topics}
    others = [v for t, v in per_question.items() if t != "ab-testing"]
    assert per_question["ab-testing"] > 3 * max(others)


def test_choose_is_seeded_distinct_and_filtered():
    a = drill.choose(BANK, count=5, seed=4)
    assert a == drill.choose(BANK, count=5, seed=4)
    assert len({q.id for q in a}) == 5
    ab = drill.choose(BANK, count=50, topic="ab-testing", seed=1)
    assert {q.topic for q in ab} == {"ab-testing"} and len(ab) == sum(q.topic == "ab-testing" for q in BANK.questions)


def test_cli_drill_answers_json_saves_and_feeds_progress(run_cli, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("sync-async-sgd: Synchronous SGD averages the gradients of every worker with all-reduce at each step, so it suffers from stragglers that slow the whole step.\nwhat-to-monitor: nothing\n")
    r = run_cli("drill", "--answers", str(f), "--json")
    assert r.code == 0, r.stderr
    out = json.loads(r.stdout)
    assert [a["question"] for a in out["answers"]] == ["sync-async-sgd", "what-to-monitor"]
    first = out["answers"][0]
    assert first["topic"] == "distributed-training" and {"sync", "stragglers"} <= set(first["covered"])
    assert out["answers"][1]["score"] < 15
    with open_store() as store:
        saved = store.drill_answers()
    assert [d.question_id for d in saved] == ["sync-async-sgd", "what-to-monitor"]
    rep = json.loads(run_cli("progress", "--json").stdout)
    assert set(rep["drill_topics"]) == {"distributed-training", "monitoring"}


@pytest.mark.parametrize(
    "args, message",
    [
        (("drill", "--topic", "ab-test"), "unknown topic 'ab-test' (did you mean 'ab-testing'?)"),
        (("drill", "--count", "0"), "--count must be in [1, 1000]"),
        (("drill", "--json"), "--json needs --answers"),
        (("drill", "--answers", "/nope.yaml"), "/nope.yaml: no such file"),
    ],
)
def test_cli_drill_bad_input(run_cli, args, message):
    r = run_cli(*args)
    assert r.code == 2 and message in r.stderr and r.stderr.count("\n") == 1


def test_cli_drill_bad_answers_file(run_cli, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("sync-async-sdg: hi\n")
    r = run_cli("drill", "--answers", str(f))
    assert r.code == 2 and "did you mean 'sync-async-sgd'" in r.stderr
    f.write_text("automl: [1]\n")
    r = run_cli("drill", "--answers", str(f))
    assert r.code == 2 and ":1: automl: must be text, got list" in r.stderr


def test_cli_drill_interactive_piped(run_cli):
    r = run_cli("drill", "--count", "2", "--seed", "5", "--topic", "ab-testing",
                "--piped", input="I would compute the sample size and randomise by user id, so each user always sees the same variant.\n\n:skip\n")
    assert r.code == 0, r.stderr
    assert r.stdout.count("Reference answer:") == 2 and "Drill average" in r.stdout
    with open_store() as store:
        saved = store.drill_answers()
    assert len(saved) == 2 and saved[0].score > 0 and saved[1].answer == "" and saved[1].score == 0


def test_cli_drill_list(run_cli):
    r = run_cli("drill", "--list", "--json")
    out = json.loads(r.stdout)
    assert len(out["questions"]) == len(BANK.questions) and set(out["topics"]) == set(BANK.topics)


def test_cli_drill_list_shows_whole_ids_on_80_columns(run_cli, monkeypatch):
    """Ids are typed back into an answers file: the table wraps the question, never cuts an id
    ('translation-1000-languag…' before)."""
    monkeypatch.setenv("COLUMNS", "80")
    r = run_cli("drill", "--list")
    assert r.code == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    cells = {cell.strip() for line in r.stdout.splitlines() for cell in line.split("│")}
    assert {q.id for q in BANK.questions} <= cells and set(BANK.topics) <= cells


def test_translation_question_is_filed_under_a_fitting_topic():
    """The machine-translation question is about scaling to 1000 languages, not AutoML."""
    q = BANK.question("translation-1000-languages")
    assert q.topic == "scaling"
    assert all("translation" not in x.question.lower() for x in BANK.questions if x.topic == "automl")
    assert "multilingual" not in BANK.topics["automl"].lower()
    assert "No Language Left Behind" in q.question  # NLLB is explained where it is named


def test_drill_help_speaks_to_a_user(run_cli):
    r = run_cli("drill", "--help")
    assert r.code == 0
    text = " ".join(r.stdout.split())
    assert "source notes" not in text and "FAQ" not in text
    assert "NLLB, Meta's No Language Left Behind model" in text


def test_hint_names_one_term_per_key_point_and_gives_no_point_away():
    q = BANK.question("scale-general")
    text = drill.hint(q)
    assert text.startswith(f"A full answer covers {len(q.key_points)} points")
    assert all(kp.keywords[0] in text for kp in q.key_points)
    assert all(kp.point not in text for kp in q.key_points)


def test_cli_drill_interactive_hint_keeps_reading_the_answer(run_cli):
    r = run_cli("drill", "--count", "1", "--seed", "5", "--topic", "ab-testing",
                "--piped", input=":hint\nI would compute the sample size and randomise by user id, so each user always sees the same variant.\n\n")
    assert r.code == 0, r.stderr
    assert "A full answer covers" in r.stdout and "think about:" in r.stdout
    with open_store() as store:
        saved = store.drill_answers()
    assert len(saved) == 1 and saved[0].answer.startswith("I would compute") and saved[0].score > 0


def test_cli_drill_prints_the_reference_reflowed(run_cli, monkeypatch):
    """A reference written with hard line breaks (a YAML `|` block) is printed as paragraphs the
    console wraps, not with the author's breaks; blank lines and list items stay."""
    import dataclasses

    bank = drill.load_bank()
    q = next(q for q in bank.questions if q.topic == "ab-testing")
    broken = ("Randomise by user id so each user\nalways sees the same variant.\n\n"
              "Then:\n- compute the sample size\n- run it for whole weeks")
    one = dataclasses.replace(bank, questions=(dataclasses.replace(q, reference=broken),))
    monkeypatch.setattr(drill, "load_bank", lambda: one)
    r = run_cli("drill", "--count", "1", "--seed", "1", "--piped", input=":skip\n")
    assert r.code == 0, r.stderr
    ref = r.stdout.split("Reference answer:\n", 1)[1]
    assert ref.startswith("Randomise by user id so each user always sees the same variant.\n\nThen:\n"
                          "- compute the sample size\n- run it for whole weeks\n")


@pytest.mark.parametrize(("text", "flowed"), [
    ("a\nb", "a b"), ("a\n  b\n\nc", "a b\n\nc"), ("a:\n- x\n  more\n* y\n1. z", "a:\n- x more\n* y\n1. z"),
])
def test_reflow_joins_single_breaks_only(text, flowed):
    from mlsd.cli.output import reflow

    assert reflow(text) == flowed


def test_a_mistyped_command_is_not_taken_as_the_answer(run_cli):
    r = run_cli("drill", "--count", "1", "--seed", "5", "--topic", "ab-testing",
                "--piped", input=":hnit\nI would compute the sample size and randomise by user id, so each user always sees the same variant.\n\n")
    assert r.code == 0, r.stderr
    assert "unknown command :hnit; commands: :hint, :skip, :quit" in " ".join(r.stdout.split())
    with open_store() as store:
        saved = store.drill_answers()
    assert len(saved) == 1 and saved[0].answer.startswith("I would compute")
