"""Every item of the source notes' answer framework, habits and lists is reachable as data."""

from __future__ import annotations

import json

import pytest

from mlsd.content import framework
from mlsd.content.checklist import build_checklist
from mlsd.content.scenario import STAGE_IDS
from mlsd.errors import MlsdError

# Each entry: a concept of the source notes (回答框架, 面试过程, A/B testing, monitoring list)
# and the words that must appear in the framework's text for it to be reachable.
SEED_CONCEPTS = {
    "functional & non-functional": ["functional", "non-functional"],
    "scenario, function, goal, constraints": ["engagement", "revenue", "project metric", "constraint"],
    "scale, user and item data": ["scale", "users", "items"],
    "need -> ML task (recommendation as binary classification)": ["binary classification"],
    "training + label, testing + ground truth": ["training data", "ground truth"],
    "label sources": ["interactions", "human labelling", "unsupervised", "augmentation"],
    "positive & negative labels": ["positive and negative"],
    "is feature data logged": ["logged"],
    "bias, imbalance, label quality": ["bias", "imbalance", "label quality"],
    "GDPR/privacy": ["GDPR", "anonymisation", "encryption"],
    "train/serve mismatch, drift over time": ["distribution mismatch", "drift"],
    "user, item, cross, context": ["user", "item", "cross", "context"],
    "sparse and dense": ["sparse", "dense"],
    "embedding sets: pre-train, fine-tune, combine": ["embeddings", "pre-training", "fine-tuning", "combining"],
    "feature A/B test with different traffic": ["A/B test", "split traffic"],
    "simple baseline": ["baseline"],
    "compare options like a design doc": ["design doc"],
    "constraints: latency, memory; trade quality": ["prediction latency", "memory"],
    "fallback outside the model": ["fallback"],
    "offline and online": ["offline", "online"],
    "clicks, conversions, ads, GMV or orders": ["clicks", "conversions", "ads", "GMV", "orders"],
    "server or device": ["server", "device"],
    "all users or a part": ["all users", "a part of users"],
    "static, dynamic, streaming": ["statically", "dynamically", "model streaming"],
    "batch or online prediction": ["batch", "online prediction"],
    "latency, QPS, precision, recall; Grafana, Prometheus": ["latency", "QPS", "precision", "recall", "Grafana", "Prometheus"],
    "retrain strategy, full + incremental": ["retraining", "full", "incremental"],
    "habits": ["confidently", "whiteboard", "Is there anywhere that you feel I missed?", "layer", "breadth", "depth",
               "long-tail", "cold start", "scale", "latency", "assumptions"],
    "A/B procedure": ["significance level", "power", "MDE", "sample size per variation", "user level", "request level",
                      "appropriate test", "biases"],
    "monitoring list": ["P99", "misuses", "Performance drop", "Data drift", "Concept drift", "spam", "CPU load", "Memory usage"],
    "overview": ["prediction, classification or ranking", "feature store", "ANN", "ETL", "MLOps"],
    "examples": ["monitoring system", "Abusive user", "engagement on a feed", "churn", "search engine query",
                 "cold start", "position bias", "diversity", "multiple tasks"],
}


def test_ten_steps_in_order_with_source_terms():
    assert tuple(s.id for s in framework.STEPS) == STAGE_IDS
    assert framework.STEPS[0].source_term == "明确需求 Requirement"
    assert all(s.items and s.purpose and s.title for s in framework.STEPS)
    assert abs(sum(s.weight for s in framework.STEPS) - 1) < 1e-9


def test_every_seed_concept_is_reachable_from_the_checklist():
    text = json.dumps(build_checklist(), ensure_ascii=False).lower()
    missing = {
        concept: [w for w in words if w.lower() not in text]
        for concept, words in SEED_CONCEPTS.items()
    }
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, missing


def test_generic_items_are_scoreable_key_points():
    ids = [kp.id for s in framework.STEPS for kp in s.items]
    assert len(ids) == len(set(ids)) and all(i.startswith("generic-") for i in ids)
    assert all(kp.keywords and kp.why for s in framework.STEPS for kp in s.items)


def test_check_in_habit_is_there():
    assert any(framework.CHECK_IN_QUESTION in h.text for h in framework.HABITS)


def test_framework_yaml_is_read_by_the_strict_loader(tmp_path):
    """framework.yaml is data: an unknown field or a wrong step list is one error naming the line."""
    import pytest

    from mlsd.errors import BadInputError

    text = framework.FRAMEWORK_PATH.read_text(encoding="utf-8")
    typo = tmp_path / "framework.yaml"
    typo.write_text(text.replace("  purpose:", "  purpose_:", 1), encoding="utf-8")
    with pytest.raises(BadInputError, match=r"framework\.yaml:\d+: steps\[0\]\.purpose_: unknown field"):
        framework.load_framework(typo)
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text(text + "\noverview: again\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="dup.yaml"):
        framework.load_framework(duplicate)
    reordered = tmp_path / "order.yaml"
    reordered.write_text(text.replace("- id: requirements", "- id: requirement", 1), encoding="utf-8")
    with pytest.raises(BadInputError, match="in this order"):
        framework.load_framework(reordered)


# ------------------------------------------------------------- the parsed framework's cache


def test_the_cached_framework_equals_the_parsed_one_and_is_read_from_the_cache(tmp_path, monkeypatch):
    cache = tmp_path / "framework.json"
    parsed = framework.load_framework()
    assert framework.load_framework_cached(cache=cache) == parsed and cache.is_file()
    monkeypatch.setattr(framework, "_parse_framework", lambda *a: pytest.fail("parsed"))
    assert framework.load_framework_cached(cache=cache) == parsed


def test_an_edited_framework_is_read_again_and_a_bad_one_still_fails(tmp_path):
    path, cache = tmp_path / "framework.yaml", tmp_path / "framework.json"
    text = framework.FRAMEWORK_PATH.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    framework.load_framework_cached(path, cache)
    path.write_text(text.replace("The core of an ML system", "Edited: the core of an ML system", 1), encoding="utf-8")
    assert framework.load_framework_cached(path, cache)["OVERVIEW"].startswith("Edited")
    path.write_text(text.replace("check_in_question:", "check_in_question: x\ncheck_in_questions:", 1),
                    encoding="utf-8")
    with pytest.raises(MlsdError, match=r"framework\.yaml:\d+"):  # never vouched for by the cache
        framework.load_framework_cached(path, cache)


@pytest.mark.parametrize("damage", ["garbage", "wrong checksum", "checksum recomputed over a bad type", "other loader"])
def test_a_damaged_framework_cache_is_ignored(tmp_path, damage):
    from mlsd.content import scenario

    cache = tmp_path / "framework.json"
    good = framework.load_framework_cached(cache=cache)
    doc = json.loads(cache.read_text(encoding="utf-8"))
    content = doc["body"]["entries"]["framework"]["content"]
    if damage == "garbage":
        cache.write_bytes(b"\xff\x00not json")
    else:
        content["OVERVIEW"] = "Tampered" if damage != "checksum recomputed over a bad type" else 42
        if damage == "other loader":
            doc["body"]["fingerprint"] = "0" * 64
        if damage != "wrong checksum":
            doc["sha256"] = scenario._summary_checksum(doc["body"])
        cache.write_text(json.dumps(doc), encoding="utf-8")
    assert framework.load_framework_cached(cache=cache) == good
    assert framework.load_framework_cached(cache=cache) == good  # rewritten whole


def test_the_framework_is_not_read_at_import():
    import subprocess
    import sys

    code = "import sys, mlsd.content.framework as f; print('yaml' in sys.modules, 'STEPS' in vars(f))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
