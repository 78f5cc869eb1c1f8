"""The bilingual glossary (mlsd/data/glossary.yaml): synonyms merge, near-misses stay apart.

Each family has representative groups of terms (English, Chinese, mixed) that must name one
concept, and pairs of related-but-different ideas that must stay separate concepts, because
matching treats every term of a concept as the same word.
"""

from __future__ import annotations

import re

import pytest

from mlsd.errors import MlsdError
from mlsd.scoring.glossary import load_glossary

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# family -> (groups of terms that name one concept, pairs that must be different concepts)
FAMILY_CASES: dict[str, tuple[list[tuple[str, ...]], list[tuple[str, str]]]] = {
    "requirements-business": (
        [
            ("明确需求", "clarifying question", "clarify the requirement"),
            ("北极星指标", "north star metric"),
            ("日活", "DAU", "daily active users"),
            ("点击率", "CTR", "click-through rate"),
            ("成交总额", "GMV", "gross merchandise value"),
        ],
        [
            ("CTR", "pCTR"),
            ("留存", "留存率"),
            ("revenue", "GMV"),
            ("functional requirement", "non-functional requirement"),
            ("engagement", "engagement rate"),
        ],
    ),
    "scale-capacity": (
        [
            ("负载均衡", "load balancer", "load balancing"),
            ("自动伸缩", "autoscaling", "autoscale"),
            ("QPS", "queries per second", "每秒请求数"),
            ("数据倾斜", "data skew"),
            ("峰值 QPS", "peak QPS"),
        ],
        [
            ("QPS", "peak QPS"),
            ("sharding", "partition"),
            ("caching", "cache hit rate"),
            ("horizontal scaling", "vertical scaling"),
            ("memory", "memory usage"),
        ],
    ),
    "problem-framing": (
        [
            ("二分类", "binary classification"),
            ("损失函数", "objective function", "loss function"),
            ("交叉熵", "log loss", "cross-entropy"),
            ("多任务学习", "multi-task", "MTL"),
            ("基于规则", "rule-based", "hand-written rules"),
        ],
        [
            ("classification", "binary classification"),
            ("multi-task learning", "multi-objective optimization"),
            ("baseline", "baseline model"),
            ("log loss", "binary cross-entropy"),
            ("cascade", "multi-stage"),
        ],
    ),
    "data-labels": (
        [
            ("人工标注", "human annotation", "human labeling"),
            ("隐式反馈", "implicit feedback"),
            ("埋点", "event logging", "event tracking"),
            ("负样本", "negative example", "negative label"),
            ("延迟标签", "delayed label", "label delay"),
        ],
        [
            ("negative example", "negative sampling"),
            ("training data", "test set"),
            ("label window", "observation window"),
            ("implicit feedback", "explicit feedback"),
            ("impression", "impression log"),
        ],
    ),
    "sampling-bias": (
        [
            ("类别不平衡", "class imbalance", "imbalanced"),
            ("位置偏差", "position bias"),
            ("逆倾向加权", "IPW", "inverse propensity weighting"),
            ("负采样", "negative sampling"),
            ("反馈循环", "feedback loop"),
        ],
        [
            ("negative sampling", "negative downsampling"),
            ("downsampling", "undersampling"),
            ("sampling bias", "selection bias"),
            ("bias", "position bias"),
            ("exploration", "exploration traffic"),
        ],
    ),
    "leakage-splits": (
        [
            ("特征穿越", "future information", "look-ahead bias"),
            ("point-in-time join", "as-of join", "point-in-time"),
            ("按时间切分", "time-based split", "temporal split"),
            ("线上线下不一致", "offline-online gap"),
            ("过拟合", "overfitting"),
        ],
        [
            ("data leakage", "label leakage"),
            ("training-serving skew", "offline-online gap"),
            ("time-based split", "random split"),
            ("cross-validation", "backtest"),
            ("overfitting", "underfitting"),
        ],
    ),
    "features": (
        [
            ("交叉特征", "cross feature", "feature cross"),
            ("稀疏特征", "sparse feature"),
            ("embedding 向量", "embedding", "嵌入"),
            ("分箱", "binning", "bucketize"),
            ("微调", "fine-tune"),
        ],
        [
            ("embedding", "embedding table"),
            ("normalization", "standardization"),
            ("sparse feature", "categorical feature"),
            ("user feature", "user profile"),
            ("pre-train", "fine-tune"),
        ],
    ),
    "data-infra": (
        [
            ("特征平台", "feature store"),
            ("实时特征", "real-time feature", "streaming feature"),
            ("数据血缘", "data lineage", "lineage"),
            ("消息队列", "message queue"),
            ("回填", "backfill"),
        ],
        [
            ("feature store", "online store"),
            ("batch feature", "real-time feature"),
            ("data lake", "data warehouse"),
            ("message queue", "pub/sub"),
            ("Kafka", "Flink"),
        ],
    ),
    "models-classic": (
        [
            ("梯度提升树", "GBDT", "gradient boosted trees"),
            ("逻辑回归", "logistic regression", "LR"),
            ("保序回归", "isotonic regression"),
            ("孤立森林", "isolation forest"),
            ("概率校准", "calibration"),
        ],
        [
            ("GBDT", "XGBoost"),
            ("calibration", "isotonic regression"),
            ("calibration", "Platt scaling"),
            ("regression", "logistic regression"),
            ("clustering", "k-means"),
        ],
    ),
    "models-deep": (
        [
            ("知识蒸馏", "distillation", "knowledge distillation"),
            ("模型量化", "quantization"),
            ("图神经网络", "GNN", "graph neural network"),
            ("多层感知机", "MLP", "multilayer perceptron"),
            ("混合专家", "mixture of experts", "MoE"),
        ],
        [
            ("MMoE", "mixture of experts"),
            ("distillation", "model compression"),
            ("self-attention", "attention mechanism"),
            ("DNN", "neural network"),
            ("contrastive learning", "contrastive loss"),
        ],
    ),
    "training-distributed": (
        [
            ("数据并行", "data parallelism"),
            ("参数服务器", "parameter server"),
            ("异步 SGD", "asynchronous SGD", "async SGD"),
            ("调参", "hyperparameter tuning"),
            ("神经架构搜索", "NAS", "neural architecture search"),
        ],
        [
            ("data parallelism", "model parallelism"),
            ("synchronous SGD", "asynchronous SGD"),
            ("hyperparameter", "hyperparameter tuning"),
            ("stale gradient", "model staleness"),
            ("grid search", "random search"),
        ],
    ),
    "recsys-ranking": (
        [
            ("召回", "candidate generation", "retrieval stage"),
            ("精排", "heavy ranker"),
            ("粗排", "first-stage ranking", "pre-ranking"),
            ("双塔", "two-tower", "dual encoder"),
            ("近似最近邻", "ANN", "approximate nearest neighbor"),
            ("信息茧房", "filter bubble"),
            ("冷启动", "cold start"),
        ],
        [
            ("召回", "召回率"),  # candidate generation is not the recall metric
            ("candidate generation", "retrieval"),
            ("embedding", "two-tower"),
            ("cold start", "new user"),
            ("diversity", "intra-list diversity"),
            ("ANN", "HNSW"),
            ("filter bubble", "echo chamber"),
        ],
    ),
    "evaluation-offline": (
        [
            ("PR 曲线下面积", "PR-AUC", "average precision"),
            ("召回率", "recall", "查全率"),
            ("精确率", "precision", "查准率"),
            ("归一化折损累计增益", "NDCG"),
            ("误杀", "false positive", "假阳性"),
        ],
        [
            ("AUC", "PR-AUC"),
            ("precision", "accuracy"),
            ("NDCG", "DCG"),
            ("false positive", "false positive rate"),
            ("mean average precision", "MRR"),
            ("calibration", "calibration error"),
        ],
    ),
    "experimentation": (
        [
            ("A/B 实验", "A/B test", "AB testing"),
            ("AB实验", "AB测试", "A/B test"),
            ("显著性水平", "significance level"),
            ("最小可检测效应", "MDE", "minimum detectable effect"),
            ("对照组", "control group"),
            ("新奇效应", "novelty effect"),
        ],
        [
            ("A/B test", "A/A test"),
            ("control group", "treatment group"),
            ("significance level", "statistical significance"),
            ("holdout group", "permanent holdout"),
            ("interleaving", "A/B test"),
        ],
    ),
    "deployment-rollout": (
        [
            ("灰度发布", "gradual rollout", "staged rollout"),
            ("影子模式", "shadow mode", "shadow traffic"),
            ("回滚", "rollback", "revert"),
            ("蓝绿部署", "blue-green deployment"),
            ("端上推理", "on-device", "edge inference"),
        ],
        [
            ("canary", "gradual rollout"),
            ("rollback", "automatic rollback"),
            ("model version", "model registry"),
            ("static model", "dynamic model"),
            ("shadow mode", "dark launch"),
        ],
    ),
    "serving-infra": (
        [
            ("尾延迟", "tail latency", "p99 latency", "P99 延迟"),
            ("兜底", "fallback", "safety net"),
            ("批量预测", "batch prediction", "offline scoring"),
            ("在线预测", "online prediction", "real-time inference"),
            ("延迟预算", "latency budget"),
        ],
        [
            ("latency", "p99 latency"),
            ("latency", "latency budget"),
            ("online prediction", "batch prediction"),
            ("fallback", "graceful degradation"),
            ("inference latency", "network latency"),
        ],
    ),
    "monitoring-drift": (
        [
            ("数据漂移", "data drift", "covariate shift"),
            ("概念漂移", "concept drift"),
            ("群体稳定性指数", "PSI", "population stability index"),
            ("告警疲劳", "alert fatigue"),
            ("效果下降", "performance drop", "model degradation"),
        ],
        [
            ("data drift", "concept drift"),
            ("drift", "data drift"),
            ("score distribution", "prediction drift"),
            ("PSI", "KS test"),
            ("false alarm", "false positive"),
        ],
    ),
    "maintenance-retraining": (
        [
            ("全量训练", "full retrain"),
            ("增量训练", "incremental training"),
            ("热启动", "warm start"),
            ("重训练", "retrain", "retraining"),
            ("在线学习", "online learning"),
        ],
        [
            ("full retrain", "incremental training"),
            ("retrain", "retraining frequency"),
            ("warm start", "cold start"),
            ("online learning", "incremental training"),
            ("scheduled retraining", "retrain trigger"),
        ],
    ),
    "fairness-privacy": (
        [
            ("数据脱敏", "anonymization", "de-identification"),
            ("数据加密", "encryption"),
            ("个人身份信息", "PII", "personally identifiable information"),
            ("公平性", "fairness"),
            ("差分隐私", "differential privacy"),
        ],
        [
            ("privacy", "GDPR"),
            ("fairness", "model bias"),
            ("anonymization", "pseudonymization"),
            ("encryption", "access control"),
            ("misuse", "abuse"),
        ],
    ),
    "trust-safety-fraud": (
        [
            ("标题党", "clickbait"),
            ("虚假账号", "fake account"),
            ("人工审核", "human review", "manual review"),
            ("薅羊毛", "offer gaming"),
            ("黑名单", "blocklist", "blacklist"),
        ],
        [
            ("spam", "spam detection"),
            ("fraud", "fraud detection"),
            ("review queue", "review capacity"),
            ("human review", "content moderation"),
            ("blocklist", "allowlist"),
        ],
    ),
    "search-nlp-llm": (
        [
            ("查询理解", "query understanding"),
            ("倒排索引", "inverted index"),
            ("零结果率", "zero-result rate"),
            ("长尾查询", "long-tail queries", "tail queries"),
            ("检索增强生成", "RAG", "retrieval-augmented generation"),
        ],
        [
            ("query expansion", "query rewriting"),
            ("head queries", "tail queries"),
            ("relevance", "graded relevance"),
            ("LLM", "RAG"),
            ("ETA", "travel time"),
        ],
    ),
    "churn-uplift": (
        [
            ("增益模型", "uplift modeling", "uplift model"),
            ("用户生命周期价值", "CLV", "LTV"),
            ("主动流失", "voluntary churn"),
            ("混杂因素", "confounding"),
            ("营销敏感人群", "persuadable"),
        ],
        [
            ("churn", "churn rate"),
            ("voluntary churn", "involuntary churn"),
            ("uplift", "uplift curve"),
            ("treatment effect", "ATE"),
            ("Qini", "AUUC"),
        ],
    ),
}


@pytest.fixture(scope="module")
def g():
    return load_glossary()


def test_example_from_the_brief(g):
    assert g.concept_of("尾延迟") == g.concept_of("tail latency") == "p99-latency"
    assert g.concept_of("latency") != g.concept_of("p99 latency")
    assert g.concept_of("召回") == "candidate-generation"
    assert g.concept_of("召回率") == "recall"


def test_every_family_has_cases():
    assert set(FAMILY_CASES) == set(load_glossary().families)


@pytest.mark.parametrize("family", sorted(FAMILY_CASES))
def test_family_synonyms_merge_and_near_misses_stay_apart(g, family):
    same, different = FAMILY_CASES[family]
    ids = {c.id for c in g.families[family]}
    for group in same:
        found = {term: g.concept_of(term) for term in group}
        assert len(set(found.values())) == 1 and None not in found.values(), found
        assert next(iter(found.values())) in ids, f"{group} belongs to another family: {found}"
    for a, b in different:
        ca, cb = g.concept_of(a), g.concept_of(b)
        assert ca is not None and cb is not None, (a, ca, b, cb)
        assert ca != cb, f"{a!r} and {b!r} must stay different concepts, both are {ca!r}"


@pytest.mark.parametrize("family", sorted(FAMILY_CASES))
def test_family_has_at_least_five_concepts(g, family):
    assert len(g.families[family]) >= 5


def test_concepts_are_well_formed(g):
    seen = set()
    for family, concepts in g.families.items():
        assert re.fullmatch(r"[a-z0-9-]+", family)
        for c in concepts:
            assert re.fullmatch(r"[a-z0-9-]+", c.id) and c.id not in seen
            seen.add(c.id)
            assert c.en, c.id
            for term in c.zh:
                assert CJK.search(term), f"{c.id}: zh term {term!r} has no Chinese; put it in en"
            for term in c.en + c.zh:
                assert term == term.strip() and "\n" not in term


def test_every_term_names_its_own_concept(g):
    """No term is swallowed by another concept after normalisation (loader order, stemming)."""
    wrong = []
    for concepts in g.families.values():
        for c in concepts:
            for term in c.en + c.zh:
                if "@" in term:  # see test_at_sign_terms
                    continue
                got = g.concept_of(term)
                if got != c.id:
                    wrong.append((c.id, term, got))
    assert not wrong, wrong[:20]


def test_framework_keywords_are_glossary_terms(g):
    from mlsd.content.framework import STEPS

    missing = [k for s in STEPS for kp in s.items for k in kp.keywords if "@" not in k and g.concept_of(k) is None]
    assert not missing, missing


def test_at_sign_terms(g):
    assert g.concept_of("precision@k") == g.concept_of("precision at k") == "precision-at-k"
    assert g.concept_of("recall@k") == g.concept_of("recall at k") == "recall-at-k"


def test_a_term_in_two_concepts_is_rejected():
    from mlsd.scoring.glossary import parse_glossary

    data = {
        "families": {
            "metrics": [
                {"id": "latency", "en": ["latency"]},
                {"id": "p99-latency", "en": ["p99 latency", "latency"]},
            ]
        }
    }
    with pytest.raises(MlsdError) as err:
        parse_glossary(data)
    assert "\n" not in str(err.value) and "latency" in str(err.value)
