"""The ten-step answer framework, the interview habits and the seed's lists, as data.

Everything here comes from the source notes (an ML system design interview
guide): the 回答框架 (answer framework) with its checklist items, the 面试过程
(interview habits), the A/B-testing procedure and the monitoring list. Generic
items are `KeyPoint`s so `practice` scores them exactly like a scenario's own
rubric. Plain Python data: importing this costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlsd.scenario import STAGE_IDS, KeyPoint


@dataclass(frozen=True)
class Step:
    """One step of the framework; `weight` is its share of interview time."""

    id: str
    title: str
    seed_term: str
    purpose: str
    weight: float
    items: tuple[KeyPoint, ...]
    notes: tuple[str, ...] = ()  # deeper guidance from the seed's FAQ paragraphs


@dataclass(frozen=True)
class Habit:
    id: str
    title: str
    seed_term: str
    text: str


OVERVIEW = (
    "The core of an ML system is a model trained to solve a business task: prediction, "
    "classification or ranking. Modelling design covers the objective, features, data, model "
    "structure and evaluation; system design covers serving the model online: feature store, "
    "approximate nearest neighbours (ANN), ETL pipelines and MLOps."
)

CHECK_IN_QUESTION = "Is there anywhere that you feel I missed?"

HABITS: tuple[Habit, ...] = (
    Habit(
        "composure",
        "Confidence and communication",
        "心态和神态",
        "Show what you can do calmly and confidently; good communication is valued in every interview.",
    ),
    Habit(
        "communicate",
        "Draw and narrate; confirm before moving on",
        "沟通",
        "Sketch the boxes on the whiteboard while telling the interviewer which parts you will cover. "
        f"Before moving to the next part, check in: \"{CHECK_IN_QUESTION}\"",
    ),
    Habit(
        "layered",
        "Layered thinking",
        "分层思维",
        "Finish one layer of the topic before digging into the details of any part. Name the parts "
        "first (your agenda); data and details become clear as the problem unfolds.",
    ),
    Habit(
        "depth-breadth",
        "Depth and breadth",
        "深度和广度",
        "When you reach a concrete part, especially one you know well, volunteer detail: show both "
        "the breadth and the depth of your knowledge.",
    ),
    Habit(
        "tradeoffs",
        "Never assume; name the trade-offs",
        "trade-off",
        "Make no assumptions about requirements or the scenario; for an unfamiliar scenario ask about "
        "it end to end first. Naming trade-offs is a key signal: from the business side (prediction "
        "accuracy, long-tail accuracy, cold start) and the technical side (scale, latency).",
    ),
)


def _kp(id_: str, point: str, keywords: list[str], why: str, weight: float = 1.0) -> KeyPoint:
    return KeyPoint(id=f"generic-{id_}", point=point, keywords=tuple(keywords), weight=weight, why=why)


STEPS: tuple[Step, ...] = (
    Step(
        "requirements",
        "Clarify the requirements",
        "明确需求 Requirement",
        "Agree on what is being built, for whom, how success is measured and under which constraints, "
        "before any design.",
        0.12,
        (
            _kp("functional", "Confirms the functional and the non-functional requirements",
                ["functional requirement", "non-functional", "requirement", "SLA"],
                "Missing these is an obvious fail signal; the questions you ask show your level."),
            _kp("goal", "Pins down the scenario, the function and the goal (engagement or revenue) with a project metric",
                ["engagement", "revenue", "business goal", "business objective", "project metric", "success metric", "KPI"],
                "Every later choice (labels, loss, metric) follows from the goal."),
            _kp("constraints", "States the constraints: latency budget, compute and cost, privacy, platform",
                ["constraint", "latency budget", "compute budget", "latency", "privacy requirement", "SLA"],
                "Constraints decide the model family and the serving design."),
            _kp("scale", "Asks the scale of the system: users, items, request volume and data size",
                ["daily active users", "DAU", "QPS", "number of items", "requests per second", "scale of the system", "back-of-envelope"],
                "Scale decides between a single machine and a distributed system."),
            _kp("clarify", "Asks clarifying questions instead of assuming",
                ["clarifying question", "clarify the requirement", "assumption", "confirm with the interviewer"],
                "Never assume requirements: ask about an unfamiliar scenario end to end first."),
        ),
    ),
    Step(
        "ml-task",
        "Frame it as an ML task",
        "机器学习任务 ML Task",
        "Explain how the need becomes a machine-learning problem (e.g. recommendation as binary "
        "classification) and why that framing fits.",
        0.08,
        (
            _kp("framing", "Translates the business need into an ML problem type and says why",
                ["binary classification", "classification", "regression", "learning to rank", "multi-class", "ML problem", "ranking model"],
                "The framing fixes the label, the loss and the metric."),
            _kp("io", "Defines the model's input and output: what is predicted, for which entity, when",
                ["model input", "model output", "predicted probability", "predicts the probability", "feature vector"],
                "An unclear output makes the data and evaluation steps impossible to agree on."),
            _kp("objective", "Names the training objective and how it relates to the business metric",
                ["loss function", "cross-entropy", "log loss", "objective function", "proxy"],
                "The model optimises a proxy; say how the proxy tracks the goal."),
            _kp("ml-needed", "Says whether ML is needed at all compared with rules or heuristics",
                ["heuristic", "rule-based", "non-ML", "hand-written rules"],
                "Rules are a baseline and a fallback; ML must beat them."),
        ),
    ),
    Step(
        "data",
        "Data and labels",
        "数据 Data",
        "Identify the training data with labels and the test data with ground truth, how labels are "
        "obtained, and the risks in the data.",
        0.12,
        (
            _kp("train-test", "Identifies training data with labels and test data with ground truth",
                ["training data", "labeled data", "ground truth", "test set", "holdout set", "validation set"],
                "Without ground truth there is no offline evaluation."),
            _kp("label-source", "Says how labels are obtained: interactions, human labelling, labelling assisted by unsupervised methods, augmentation",
                ["implicit feedback", "user interactions", "human labeling", "human label", "annotation", "labeler", "weak supervision", "data augmentation", "semi-supervised"],
                "Label cost and quality bound what the model can learn."),
            _kp("pos-neg", "Defines positive and negative labels for classification (and negative sampling)",
                ["positive label", "negative label", "negative sampling", "positive example", "negative example"],
                "What counts as a negative changes what the model learns."),
            _kp("logging", "Checks whether the data that could become features is logged",
                ["logged features", "feature logging", "event logging", "impression log", "logging pipeline"],
                "A feature that is not logged at serving time cannot be trained on."),
            _kp("quality", "Discusses bias, class imbalance and label quality",
                ["sampling bias", "selection bias", "class imbalance", "label noise", "label quality", "imbalanced"],
                "Biased or noisy labels silently cap offline and online quality."),
            _kp("privacy", "Handles privacy and GDPR: anonymisation, encryption, consent",
                ["GDPR", "anonymization", "anonymize", "encryption", "PII", "data privacy", "user consent"],
                "Privacy is a requirement, not an afterthought."),
            _kp("shift", "Plans for training/serving distribution mismatch and drift over time",
                ["distribution shift", "data drift", "training-serving skew", "covariate shift", "distribution mismatch"],
                "Production data differs from training data and keeps changing."),
        ),
    ),
    Step(
        "features",
        "Features",
        "特征 Feature",
        "Design user, item, cross and context features, sparse and dense, and decide how to use "
        "embeddings from other teams.",
        0.12,
        (
            _kp("families", "Covers user, item, cross (user × item) and context features",
                ["user feature", "item feature", "cross feature", "context feature", "contextual feature"],
                "Each family captures a different source of signal."),
            _kp("sparse-dense", "Distinguishes sparse and dense features and how each is encoded",
                ["sparse feature", "dense feature", "one-hot", "feature hashing", "bucketize", "normalization"],
                "Encoding decides model choice and memory."),
            _kp("embeddings", "Discusses embeddings: sharing other teams' sets, pre-training, fine-tuning and combining them",
                ["embedding", "pre-train", "pretrained", "fine-tune", "transfer learning"],
                "Reusing and combining embeddings is a large lever in practice."),
            _kp("feature-ab", "Validates a feature with an A/B test on split traffic (or an ablation)",
                ["A/B test", "ablation", "feature importance", "traffic split"],
                "Offline gains from a feature do not always survive online."),
        ),
    ),
    Step(
        "model",
        "Model",
        "模型 Model",
        "Start from a simple baseline, compare options like a design doc, respect the system's "
        "constraints, and keep a fallback outside the model.",
        0.14,
        (
            _kp("baseline", "Starts from a simple baseline",
                ["baseline model", "simple baseline", "logistic regression", "heuristic baseline", "popularity baseline"],
                "A baseline anchors every later improvement and is the first thing to ship."),
            _kp("compare", "Compares options with their pros and cons, as in a design doc",
                ["trade-off", "pros and cons", "alternatives considered", "design doc"],
                "Interviewers look for reasoned choices, not a favourite model."),
            _kp("model-constraints", "Chooses the model under system constraints (prediction latency, memory), trading some quality where it pays",
                ["inference latency", "latency budget", "model size", "distillation", "quantization", "pruning", "memory footprint"],
                "The best offline model is useless if it cannot meet the latency budget."),
            _kp("fallback", "Keeps a strategy outside the model as a fallback",
                ["fallback", "guardrail", "rule-based fallback", "safety net"],
                "Most production systems need a safety net when the model fails or is unsure."),
        ),
    ),
    Step(
        "evaluation",
        "Evaluation",
        "评价 Evaluation",
        "Evaluate offline and online; A/B test; pick the business metric that matters (clicks, "
        "conversions, GMV or orders).",
        0.10,
        (
            _kp("offline", "Chooses offline metrics that match the task",
                ["offline metric", "offline evaluation", "AUC", "NDCG", "log loss", "F1", "precision@k", "recall@k"],
                "The offline metric must rank models the way the online metric would."),
            _kp("online", "Defines online metrics and an A/B test (α, power, MDE, sample size, randomisation unit)",
                ["online metric", "A/B test", "control group", "treatment group", "statistical significance", "sample size", "statistical power"],
                "Only an online experiment shows the business effect."),
            _kp("business", "Picks the business metric: clicks, conversions, ads, GMV vs orders",
                ["click-through rate", "CTR", "conversion rate", "GMV", "revenue per user", "orders per user"],
                "Optimising clicks is not the same as optimising GMV."),
        ),
        notes=(
            "A/B-testing procedure: see the A/B-testing list below and `mlsd simulate ab-test`.",
        ),
    ),
    Step(
        "deployment",
        "Deployment",
        "部署 Deployment",
        "Decide where the model runs (server or device), for whom (all users or a slice) and how it "
        "is updated (static, dynamic, streamed).",
        0.06,
        (
            _kp("where", "Chooses server or on-device inference with its trade-offs (latency, battery, memory, privacy)",
                ["on-device", "server-side", "edge inference", "mobile app", "on the server"],
                "Where inference runs trades latency against battery, memory and privacy."),
            _kp("who", "Rolls out to all users or a part of users first (canary, shadow, percentage rollout)",
                ["canary", "gradual rollout", "shadow mode", "shadow traffic", "percentage rollout", "subset of users", "staged rollout"],
                "A staged rollout limits the blast radius of a bad model."),
            _kp("update", "Says how the model is updated: statically, dynamically, or by model streaming",
                ["model update", "model streaming", "hot swap", "model versioning", "model version", "static model", "dynamic model"],
                "The update path decides freshness and the risk of each push."),
        ),
        notes=(
            "Where to run inference: on the user's phone or computer it uses their memory and battery "
            "but latency is low; on our servers latency and privacy concerns rise but the device is spared.",
        ),
    ),
    Step(
        "serving",
        "Serving",
        "服务 Serving",
        "Batch or online prediction; model serving is typically low latency at high QPS.",
        0.10,
        (
            _kp("batch-online", "Chooses batch (precomputed) or online (request-time) prediction",
                ["batch prediction", "online prediction", "real-time inference", "precompute", "offline scoring"],
                "Batch is cheap but stale; online is fresh but must meet the latency budget."),
            _kp("latency-qps", "Designs for low latency at high QPS: load balancing, autoscaling, caching",
                ["latency", "QPS", "throughput", "p99", "load balancer", "load balancing", "autoscaling", "caching layer"],
                "Serving is a low-latency, high-QPS system first."),
            _kp("features-at-serve", "Serves features: batch features from daily/weekly jobs, real-time features from a feature store",
                ["feature store", "real-time feature", "batch feature", "online store", "lookup"],
                "Training/serving consistency of features is where many systems break."),
        ),
        notes=(
            "Batch features are computed offline by daily/weekly jobs and served at request time; "
            "real-time features are fetched or derived at request time, which raises scalability and "
            "latency issues (load balancing), often a feature store and some caching.",
        ),
    ),
    Step(
        "monitoring",
        "Monitoring",
        "监控 Monitoring",
        "Monitor latency, QPS, precision, recall and drift with tools such as Prometheus and Grafana.",
        0.08,
        (
            _kp("system", "Monitors system health: latency (p99 every few minutes), QPS, CPU load, memory",
                ["latency", "QPS", "p99", "CPU", "memory usage", "error rate"],
                "An unhealthy service hides every model problem."),
            _kp("model", "Monitors model quality: precision, recall, performance drop once labels arrive",
                ["precision and recall", "performance drop", "model accuracy", "AUC", "delayed label", "recall drop"],
                "Only label-based metrics show that the model itself got worse."),
            _kp("drift", "Detects data drift and concept drift (e.g. spam that adapts)",
                ["data drift", "concept drift", "PSI", "KS test", "feature distribution", "score distribution"],
                "Drift is the main reason a good model decays."),
            _kp("tooling", "Uses dashboards and alerts (Prometheus, Grafana) with an owner",
                ["Grafana", "Prometheus", "alerting", "dashboard", "on-call", "alert rule"],
                "A metric nobody watches or alerts on is not monitoring."),
            _kp("bias", "Watches for biases and misuse of the model",
                ["model bias", "fairness", "misuse", "bias audit", "slice metrics"],
                "A model can be accurate on average and unfair for a group."),
        ),
    ),
    Step(
        "maintenance",
        "Maintenance",
        "维护 Maintain",
        "Decide the retraining strategy: how often, full or incremental, and the pros and cons of the "
        "regime chosen.",
        0.08,
        (
            _kp("retrain", "Chooses a retraining frequency (daily, weekly, monthly) and argues its pros and cons",
                ["retrain", "retraining", "retraining frequency", "retrain daily", "retrain weekly", "training schedule"],
                "Some models need daily retraining, others monthly; say why yours is which."),
            _kp("full-incremental", "Combines full retraining with incremental training",
                ["incremental training", "incremental", "full retrain", "warm start", "online learning"],
                "Full plus incremental training balances freshness against cost and stability."),
            _kp("lifecycle", "Versions models and data, can roll back, and closes the feedback loop",
                ["model registry", "versioning", "rollback", "feedback loop", "reproducible"],
                "Maintenance without versioning and rollback is guesswork."),
        ),
        notes=(
            "How often to retrain: some models every day, some every week, others monthly or yearly. "
            "Always discuss the pros and cons of the retraining regime you choose.",
        ),
    ),
)

assert tuple(s.id for s in STEPS) == STAGE_IDS
assert abs(sum(s.weight for s in STEPS) - 1.0) < 1e-9

AB_TEST_PROCEDURE: tuple[str, ...] = (
    "Based on the online metric, choose a significance level α and a power threshold 1 − β.",
    "Compute the required sample size per variation from α, β and the MDE (minimum detectable "
    "effect: the smallest relative lift over the baseline worth detecting).",
    "Randomly assign users to control and treatment; discuss with the interviewer whether to split "
    "at the user level or the request level.",
    "Measure and analyse the results with the appropriate test, and make sure the model has no biases.",
)

MONITORING_LIST: tuple[str, ...] = (
    "Latency (p99 latency every X minutes)",
    "Biases and misuses of your model",
    "Performance drop",
    "Data drift",
    "Concept drift (e.g. spam detection)",
    "CPU load",
    "Memory usage",
)

# The seed's interview examples and the shipped scenario that covers each.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Design a monitoring system to measure ML models in real time: features, score distribution, QPS", "ml-monitoring"),
    ("Abusive user detection", "abuse-detection"),
    ("Improve engagement on a feed (cold start, position bias, diversity, multiple tasks)", "feed-ranking"),
    ("Improve (reduce) customer churn", "churn"),
    ("Return items for a search engine query", "search"),
)


def step(step_id: str) -> Step:
    """The framework step with this id; raises BadInputError naming the valid ids."""
    for s in STEPS:
        if s.id == step_id:
            return s
    from mlsd.errors import BadInputError, did_you_mean

    raise BadInputError(
        f"unknown step {step_id!r}{did_you_mean(step_id, STAGE_IDS)}; valid steps: {', '.join(STAGE_IDS)}"
    )
