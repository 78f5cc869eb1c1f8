"""Issue 21: answer keys an interviewer would sign.

Each factual error found in the shipped answer keys has a check here that the wrong
statement is gone and the right one is present, and each point a strong candidate makes
that was missing is now a key point whose stage reference covers it.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from mlsd.content.scenario import load_scenario
from mlsd.practice import drill
from mlsd.resources import resource_dir
from mlsd.scoring import score_answer

SCENARIOS = ("feed-ranking", "churn", "abuse-detection", "search", "ml-monitoring", "rag-assistant", "llm-serving", "llm-evaluation")


@cache
def sc(sid: str):
    return load_scenario(sid)


def stage(sid: str, stage_id: str):
    return sc(sid).stages[stage_id]


def point(sid: str, stage_id: str, pid: str):
    return next(k for k in stage(sid, stage_id).key_points if k.id == pid)


def stage_text(sid: str, stage_id: str) -> str:
    """Everything a user can read for one stage: points, whys, terms, trade-offs, references."""
    st = stage(sid, stage_id)
    parts = [st.prompt, *st.questions, *st.tradeoffs, *st.pitfalls, *st.follow_ups, st.reference]
    for kp in st.key_points:
        parts += [kp.point, kp.why, *kp.keywords, *kp.aliases]
    return "\n".join(parts)


def file_text(sid: str) -> str:
    return (resource_dir("scenarios") / f"{sid}.yaml").read_text(encoding="utf-8")


def sentences_with(text: str, word: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+", text) if word.lower() in s.lower()]


# ---------------------------------------------------------------- churn


def test_churn_decision_rule_counts_churn_risk_once():
    """Uplift already is P(churn | no offer) − P(churn | offer); multiplying by p counts the risk twice."""
    ev = point("churn", "ml-task", "expected-value-decision")
    assert "churn probability × uplift" not in ev.point
    assert "uplift × CLV − expected offer cost" in ev.point
    for sid_stage in ("ml-task", "evaluation"):
        text = stage_text("churn", sid_stage)
        assert "p × uplift" not in text and "probability × uplift" not in text
    assert "treat when uplift × CLV − expected offer cost > 0" in stage("churn", "ml-task").reference
    assert "expected profit = uplift × CLV − expected offer cost" in stage("churn", "evaluation").reference


def test_churn_cost_of_a_missed_churner_is_the_saved_value_not_the_full_clv():
    ev = stage("churn", "evaluation")
    assert "loses about CLV" not in ev.reference
    assert "a false negative loses what the offer would have saved, about save rate × CLV" in ev.reference
    why = point("churn", "evaluation", "cost-threshold").why
    assert "(lost CLV)" not in why and "save rate × CLV" in why


def test_churn_classifier_drops_open_label_windows_instead_of_censoring():
    data = stage_text("churn", "data")
    assert "right-censor" not in data and "survivorship bias" not in data
    kp = point("churn", "data", "imbalance-censoring")
    assert "label window is still open" in kp.point
    assert "open label window" in kp.keywords
    assert "has an open label window: its outcome is unknown, not negative, so it is dropped" in stage("churn", "data").reference
    # survival analysis still handles censoring where it belongs
    assert "right-censored" in stage("churn", "ml-task").reference


def test_churn_roc_auc_is_not_called_flattering_under_imbalance():
    text = stage_text("churn", "evaluation")
    assert "looks good for weak models" not in text and "flattering" not in text
    assert "ROC-AUC does not depend on the class balance" in point("churn", "evaluation", "offline-metrics").why
    assert "ROC-AUC is unaffected by the 3% base rate, but it averages over the whole ranking" in stage("churn", "evaluation").reference


def test_churn_names_subsidised_sure_things_and_offer_gaming():
    assert any("would have stayed anyway" in p for p in stage("churn", "ml-task").pitfalls)
    assert "would have stayed anyway" in stage("churn", "ml-task").reference
    assert any("start cancelling" in p for p in stage("churn", "serving").pitfalls)


# ---------------------------------------------------------------- feed-ranking


def test_feed_interleaving_is_an_online_method():
    kp = point("feed-ranking", "evaluation", "offline-online-gap")
    assert "interleaving online" in kp.point and "off-policy evaluation offline" in kp.point
    ref = stage("feed-ranking", "evaluation").reference
    assert "or interleaving, to narrow the offline-online gap" not in ref
    first = sentences_with(ref, "interleaving")[0]
    assert "Online" in first and "off-policy" not in first


def test_feed_heavy_ranker_scores_the_same_number_of_candidates_everywhere():
    text = file_text("feed-ranking")
    assert "500 candidates" not in text
    assert "first-stage ranking keeps ~200" in stage("feed-ranking", "ml-task").reference
    assert "first-stage ranking down to 200" in stage("feed-ranking", "serving").reference
    assert "~200 candidates left after first-stage ranking" in stage("feed-ranking", "model").reference


def test_feed_rolling_update_keeps_capacity_only_with_surge():
    assert "surge" in point("feed-ranking", "deployment", "push-without-qps-drop").point
    assert "**rolling update** with surge replicas" in stage("feed-ranking", "deployment").reference


# ---------------------------------------------------------------- search


def test_search_lambdamart_optimises_a_surrogate_not_ndcg_directly():
    text = stage_text("search", "ml-task")
    assert "NDCG directly" not in text and "optimise directly" not in text
    assert "optimise the order of the top results directly" not in text
    assert "smooth surrogate" in point("search", "ml-task", "learning-to-rank").why
    assert "smooth pairwise surrogate" in stage("search", "ml-task").reference
    assert any("smooth surrogate" in t for t in stage("search", "ml-task").tradeoffs)


# ---------------------------------------------------------------- abuse-detection


def test_abuse_fairness_is_fpr_parity_not_a_disparate_impact_ratio():
    ref = stage("abuse-detection", "evaluation").reference
    assert "disparate impact ratio above 1.25" not in ref
    assert "The launch criterion is FPR parity" in ref
    kp = point("abuse-detection", "evaluation", "fairness")
    assert "FPR parity" in kp.keywords and "false positive rate" not in kp.keywords


# ---------------------------------------------------------------- ml-monitoring


def test_monitoring_cusum_and_ewma_catch_small_shifts_shewhart_catches_jumps():
    text = stage_text("ml-monitoring", "model")
    assert "EWMA band of ±4σ for sudden changes" not in text
    assert "EWMA with tight bands reacts fast" not in text
    ref = stage("ml-monitoring", "model").reference
    assert "fixed-threshold (Shewhart) check" in ref
    small = [s for s in sentences_with(ref, "CUSUM") if "small, persistent shifts" in s]
    assert small and "EWMA" in small[0]
    assert any("CUSUM and EWMA charts accumulate evidence" in t for t in stage("ml-monitoring", "model").tradeoffs)


# ---------------------------------------------------------------- drill

BANK = drill.load_bank()


def test_drill_translation_reference_gets_nllb_and_mms_right():
    q = BANK.question("translation-1000-languages")
    assert "1000 languages" in q.question and "NLLB" in q.question and "No Language Left Behind" in q.question
    assert "as NLLB" not in q.question and "covers 200 languages" in q.question
    assert "NLLB-200" in q.reference and "translates between 200 languages" in q.reference
    assert "MMS (Massively Multilingual Speech)" in q.reference and "over 1,100 languages for speech" in q.reference


def test_drill_rolling_update_needs_surge_replicas():
    q = BANK.question("deploy-models")
    kp = next(k for k in q.key_points if k.id == "rolling-blue-green")
    assert "surge" in kp.point and "surge" in kp.why
    assert "rolling update with surge replicas" in q.reference
    assert "A rolling update without surge takes replicas out of service" in q.reference


def test_drill_references_have_no_line_breaks_inside_sentences():
    """The scorer reads a line as a unit, so a reference wrapped mid-sentence splits its points."""
    for q in BANK.questions:
        assert "\n" not in q.reference.strip(), q.id


# ---------------------------------------------------------------- missing points, now key points

NEW_POINTS = [
    ("feed-ranking", "ml-task", "negative-feedback"),
    ("feed-ranking", "evaluation", "long-term-holdout"),
    ("churn", "data", "customer-split"),
    ("churn", "serving", "offer-gaming"),
    ("abuse-detection", "requirements", "compromised-vs-fake"),
    ("abuse-detection", "features", "ban-evasion"),
    ("abuse-detection", "serving", "graded-friction"),
    ("search", "data", "logq-correction"),
    ("search", "features", "new-item-priors"),
    ("search", "serving", "filtered-ann"),
    ("ml-monitoring", "features", "schema-validation"),
    ("ml-monitoring", "model", "change-correlation"),
    ("ml-monitoring", "model", "multiple-testing"),
]


@pytest.mark.parametrize("sid, stage_id, pid", NEW_POINTS, ids=[f"{s}.{p}" for s, _, p in NEW_POINTS])
def test_new_point_is_complete_and_its_reference_covers_it(sid, stage_id, pid):
    kp = point(sid, stage_id, pid)
    assert kp.point and kp.keywords and kp.aliases and kp.why and kp.weight > 0
    res = score_answer(sc(sid), stage_id, stage(sid, stage_id).reference)
    assert pid in res.covered


def test_benjamini_hochberg_sits_beside_bonferroni():
    kp = point("ml-monitoring", "model", "multiple-testing")
    assert {"Bonferroni", "Benjamini-Hochberg"} <= set(kp.keywords)
    assert "Benjamini–Hochberg to control the false discovery rate" in stage("ml-monitoring", "model").reference


# ---------------------------------------------------------------- every answer key still scores


@pytest.mark.parametrize("sid", SCENARIOS)
def test_every_reference_answer_scores_at_least_85(sid):
    low = {}
    for stage_id, st in sc(sid).stages.items():
        res = score_answer(sc(sid), stage_id, st.reference)
        if res.score < 85:
            low[stage_id] = (res.score, res.missed)
    assert not low, low


def test_every_drill_reference_scores_at_least_85():
    low = {q.id: drill.score(q, q.reference).score for q in BANK.questions if drill.score(q, q.reference).score < 85}
    assert not low, low


def _rubrics():
    for sid in SCENARIOS:
        for stage_id, st in sc(sid).stages.items():
            yield f"{sid}.{stage_id}", st.key_points
    for q in BANK.questions:
        yield f"drill.{q.id}", q.key_points


def test_no_term_is_listed_twice_or_written_as_a_negation():
    """Keywords and aliases are distinct after normalisation, and none contains a negation
    (an alias like 'labels are not known yet' could never be asserted)."""
    from mlsd.scoring import fold, stem

    def key(term: str) -> str:  # spelling, case, inflection and separators folded; no glossary synonyms
        return "".join(stem(w) for w in re.findall(r"[a-z0-9]+", fold(term)))

    negations = re.compile(r"\b(not|never|skip|ignore|instead of|rather than)\b|n't", re.I)
    problems = []
    for where, key_points in _rubrics():
        for kp in key_points:
            terms = [*kp.keywords, *kp.aliases]
            keys = [key(t) for t in terms]
            dupes = sorted({t for t, k in zip(terms, keys, strict=True) if keys.count(k) > 1})
            if dupes:
                problems.append(f"{where}.{kp.id}: same term twice {dupes}")
            problems += [f"{where}.{kp.id}: negated term {t!r}" for t in terms if negations.search(t)]
    assert not problems, "\n".join(problems)
