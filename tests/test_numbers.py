"""Your numbers checked (`mlsd.scoring.numbers`): figures read with their units, attributed only when
the sentence says what they are, and compared with `mlsd estimate` on the scenario's scale.

The derived figures come from `mlsd.sims.estimate` (and the A/B planner) in each test, not from
copied constants, so the tests check the reading and the comparison, not a number written twice.
"""

from __future__ import annotations

import pytest

from mlsd.content.scenario import list_scenarios, load_scenario, parse_scenario
from mlsd.scoring.numbers import RIGHT_WITHIN, check_answer, check_numbers, find_numbers, off_by
from mlsd.sims.estimate import estimate


@pytest.fixture(scope="module")
def feed():
    return load_scenario("feed-ranking")


@pytest.fixture(scope="module")
def fig(feed):
    result = estimate(scale=feed.scale, scenario=feed.id)
    return {f.name: f.value for f in result.figures}


def _one(feed, text, step="requirements"):
    checks = check_answer(feed, step, text)
    assert len(checks) == 1, (text, checks)
    return checks[0]


# (what a candidate writes, the kind it is read as, the value(s) read: low, high)
PHRASINGS = [
    ("around 70 thousand requests a second", "QPS", 70_000, 70_000),
    ("7e4 qps", "QPS", 70_000, 70_000),
    ("roughly 45TB/day of logs", "storage per day", 45e12, 45e12),
    ("The feed takes ~2k QPS.", "QPS", 2_000, 2_000),
    ("7万 QPS", "QPS", 70_000, 70_000),
    ("3亿 DAU", "DAU", 3e8, 3e8),
    ("日活3亿", "DAU", 3e8, 3e8),
    ("峰值QPS约20万", "QPS (peak)", 2e5, 2e5),
    ("50-70k QPS", "QPS", 50_000, 70_000),
    ("70,000-80,000 QPS", "QPS", 70_000, 80_000),
    ("1-2M QPS", "QPS", 1e6, 2e6),
    ("peak QPS of 208k", "QPS (peak)", 208_000, 208_000),
    ("200k QPS at peak", "QPS (peak)", 200_000, 200_000),
    ("2e5 QPS at peak", "QPS (peak)", 2e5, 2e5),
    ("69k QPS on average", "QPS (average)", 69_000, 69_000),
    ("2,000 QPS on average", "QPS (average)", 2_000, 2_000),
    ("QPS: 70k", "QPS", 70_000, 70_000),
    ("70K qps", "QPS", 70_000, 70_000),
    ("0.07M QPS", "QPS", 70_000, 70_000),
    ("seventy thousand QPS", "QPS", 70_000, 70_000),
    ("a million QPS at peak", "QPS (peak)", 1e6, 1e6),
    ("6B requests per day", "requests per day", 6e9, 6e9),
    ("6 billion feed loads a day", "requests per day", 6e9, 6e9),
    ("20 feed loads per user per day", "requests per user per day", 20, 20),
    ("300 million daily active users", "DAU", 3e8, 3e8),
    ("1.2 billion DAU", "DAU", 1.2e9, 1.2e9),
    ("We need about 600 ranking servers.", "servers", 600, 600),
    ("需要600台服务器", "servers", 600, 600),
    ("60 servers behind the load balancer", "servers", 60, 60),
    ("16 PB per year of logs", "storage per year", 16e15, 16e15),
    ("45 terabytes a day", "storage per day", 45e12, 45e12),
    ("每天45TB日志", "storage per day", 45e12, 45e12),
    ("135 TB/day of logs and features", "storage per day", 135e12, 135e12),
    ("5 GB/day of logs", "storage per day", 5e9, 5e9),
    ("the embedding tables take about 600 GB", "embedding memory", 600e9, 600e9),
    ("embeddings need 6 TB of memory", "embedding memory", 6e12, 6e12),
    ("~1.5 GB/s of log ingestion", "bandwidth", 1.5e9, 1.5e9),
    ("12 Gbps of logs coming in", "bandwidth", 12e9 / 8, 12e9 / 8),
    ("p99 under 200 ms end to end", "p99 latency budget", 200, 200),
    ("a p99 budget of 2000 ms", "p99 latency budget", 2000, 2000),
]


@pytest.mark.parametrize("text, kind, low, high", PHRASINGS, ids=[p[0] for p in PHRASINGS])
def test_a_figure_is_read_with_its_unit(feed, text, kind, low, high):
    c = _one(feed, text)
    assert c.kind == kind
    assert c.low == pytest.approx(low) and c.high == pytest.approx(high)
    # right exactly when within 2× of (one of) the derived figures it is compared with
    assert c.right == (c.ratio <= RIGHT_WITHIN)
    assert c.ratio == pytest.approx(off_by(c.low, c.high, c.expected))


def test_thirty_phrasings_at_least():
    assert len(PHRASINGS) >= 30


@pytest.mark.parametrize("text, right", [
    ("around 70 thousand requests a second", True),
    ("The feed takes ~2k QPS.", False),
    ("a million QPS at peak", False),
    ("1.2 billion DAU", False),
    ("60 servers behind the load balancer", False),
    ("5 GB/day of logs", False),
    ("embeddings need 6 TB of memory", False),
    ("a p99 budget of 2000 ms", False),
    ("50-70k QPS", True),
    ("1-2M QPS", False),
    ("135 TB/day of logs and features", True),
])
def test_right_and_wrong_against_the_estimate(feed, text, right):
    assert _one(feed, text).right is right


def test_the_issue_example_shows_the_arithmetic_and_how_far_off(feed, fig):
    c = _one(feed, "You said ~2k QPS.")
    avg, peak = fig["average QPS"], fig["peak QPS"]
    assert c.expected == pytest.approx(avg)  # the nearer of average and peak
    assert c.ratio == pytest.approx(avg / 2000)
    assert "300,000,000 DAU × 20 requests/day ÷ 86,400 s" in c.message
    assert f"{avg:,.0f} QPS average" in c.message and f"{peak:,.0f} QPS at peak" in c.message
    assert c.message.startswith("You said ~2k QPS.") and c.message.endswith(f"off by {avg / 2000:.0f}×.")


def test_exactly_twice_counts_as_right_and_a_bit_more_does_not(feed, fig):
    import math

    peak = fig["peak QPS"]
    assert _one(feed, f"{math.floor(2 * peak)} QPS at peak").right
    assert not _one(feed, f"{2.2 * peak:.0f} QPS at peak").right
    assert _one(feed, f"{math.ceil(peak / 2)} QPS at peak").right
    assert not _one(feed, f"{peak / 2.2:.0f} QPS at peak").right


def test_peak_and_average_in_one_sentence_are_each_compared_with_their_own(feed, fig):
    checks = check_answer(feed, "requirements", "So ~70k QPS on average and about 210k peak QPS.")
    kinds = {c.kind: c for c in checks}
    assert set(kinds) == {"QPS (average)", "QPS (peak)"}
    assert kinds["QPS (average)"].expected == pytest.approx(fig["average QPS"])
    assert kinds["QPS (peak)"].expected == pytest.approx(fig["peak QPS"])
    # the average said as the peak is wrong: a peak compares with the peak only
    said_as_peak = _one(feed, f"{fig['average QPS']:.0f} QPS at peak")
    assert said_as_peak.kind == "QPS (peak)" and not said_as_peak.right


NOT_ATTRIBUTED = [
    "each server handles 500 QPS",
    "per-server QPS of 500",
    "2k QPS per server",
    "Embeddings are sharded across 8 parameter servers.",
    "retrieval 30 ms, ranking 60 ms within the p99 budget",
    "the heavy ranker gets ~60 ms for the 200 candidates",
    "we train on 30 days of data",
    "300 million users",
    "we have 2B posts",
    "score the top 1000 candidates",
    "keep 3 replicas of the data",
    "dwell > 10 s counts as a long view",
    "The year 2024 had 365 days.",
    "CTR is about 3%",
    "one server crashed",
    "run the test for 3 days",
    "PQ at 64 bytes per vector",
    "the sampled logs are about 2 TB a day",
    "20k cancel-page visits a day, so about 1 QPS",
    "One A100 reranks a query in ~120 ms (~8 QPS at full load)",
    "inter-token latency p95 ≤ 50 ms end to end",
]


@pytest.mark.parametrize("text", NOT_ATTRIBUTED)
def test_numbers_that_cannot_be_attributed_are_left_alone(feed, text):
    assert check_answer(feed, "requirements", text) == []


def test_a_latency_outside_requirements_and_serving_is_a_slice_not_the_budget(feed):
    assert check_answer(feed, "model", "p99 under 20 ms") == []
    assert check_answer(feed, "serving", "p99 under 20 ms")[0].right is False


def test_every_shipped_scenarios_reference_answers_pass_their_own_check():
    """The scenario's own scale numbers, restated in its reference answers, must pass."""
    total = 0
    for sc in list_scenarios():
        for sid, stage in sc.stages.items():
            for c in check_answer(sc, sid, stage.reference):
                total += 1
                assert c.right, (sc.id, sid, c.message)
    assert total >= 30  # the references state many figures: the check is not vacuous


def test_only_figures_the_scale_supports_are_checked():
    """No QPS check without the scenario's DAU and requests per user (never the estimator's defaults)."""
    bare = parse_scenario("id: x\ntitle: X\nsummary: s\nstages:\n  requirements:\n    prompt: p\n", "x.yaml")
    assert check_answer(bare, "requirements", "We expect ~2k QPS and 300M DAU.") == []
    dau_only = parse_scenario(
        "id: x\ntitle: X\nsummary: s\nscale: {daily_active_users: 1000000}\nstages:\n  requirements:\n    prompt: p\n",
        "x.yaml")
    checks = check_answer(dau_only, "requirements", "We expect ~2k QPS and 3M DAU.")
    assert [c.kind for c in checks] == ["DAU"] and checks[0].ratio == pytest.approx(3.0)


def test_sample_size_per_arm_from_the_ab_planner(feed):
    from mlsd.sims.abtest.planning import plan

    n = plan(baseline=0.05, mde=0.02, relative=True).n_per_arm
    right = check_answer(feed, "evaluation", f"With a baseline CTR of 5% and an MDE of 2% relative, alpha 0.05 and "
                                             f"80% power, we need about {n / 1000:.0f}k users per arm.")
    assert [c.kind for c in right] == ["sample size per arm"] and right[0].right
    assert right[0].expected == n and "two-proportion z-test" in right[0].arithmetic
    wrong = check_answer(feed, "evaluation", "Baseline CTR of 5%, MDE of 2% relative: about 5,000 users per arm.")
    assert not wrong[0].right and wrong[0].ratio == pytest.approx(n / 5000)
    # without a baseline and an MDE in the answer, a sample size cannot be judged
    assert check_answer(feed, "evaluation", "We need about 5,000 users per arm.") == []


def test_an_mde_that_does_not_say_relative_or_absolute_is_read_both_ways(feed):
    from mlsd.sims.abtest.planning import plan

    absolute = plan(baseline=0.05, mde=0.02, relative=False).n_per_arm
    c = check_answer(feed, "evaluation", f"Baseline 5%, MDE 2%: {absolute:,} per arm.")[0]
    assert c.right and "absolute" in c.arithmetic and "read as absolute" in c.note


def test_experiment_days_too_short_is_off_longer_is_fine(feed):
    from mlsd.sims.abtest.planning import plan

    p = plan(baseline=0.05, mde=0.02, relative=True, daily_traffic=100_000)
    short = check_answer(feed, "evaluation", "Baseline CTR of 5%, MDE of 2% relative, 100k users a day: "
                                             "we run the A/B test for 3 days.")
    assert short and short[0].kind == "experiment days" and not short[0].right
    assert short[0].expected == p.days and f"= {p.days} days at least" in short[0].arithmetic
    long = check_answer(feed, "evaluation", "Baseline CTR of 5%, MDE of 2% relative, 100k users a day: "
                                            "we run the A/B test for four weeks.")
    assert long[0].right and long[0].low == 28 and "novelty" in long[0].note


def test_ranges_and_multipliers_are_parsed():
    values = [(m.low, m.high) for m in find_numbers("50-70k, 3亿, 7万, 1.2 billion, 7e4, 69,444 and 2 to 3M")]
    assert values == [(50e3, 70e3), (3e8, 3e8), (7e4, 7e4), (1.2e9, 1.2e9), (7e4, 7e4), (69444, 69444), (2e6, 3e6)]
    assert find_numbers("200ms") and find_numbers("200ms")[0].low == 200  # the m of ms is not a million


def test_a_session_checks_each_step_and_says_the_same_figure_once(feed):
    checks = check_numbers(feed, {"requirements": "~70k QPS. Again: ~70k QPS.", "serving": "about 600 ranking servers"})
    assert [(c.step, c.kind) for c in checks] == [("requirements", "QPS"), ("serving", "servers")]
    assert check_numbers(feed, {"requirements": "no figures here"}) == ()


# ---------------------------------------------------------------- GenAI: questions, per-user rates, tokens per day


@pytest.fixture(scope="module")
def rag():
    return load_scenario("rag-assistant")


@pytest.fixture(scope="module")
def rag_fig(rag):
    return {f.name: f.value for f in estimate(scale=rag.scale, scenario=rag.id).figures}


def test_questions_a_day_are_the_requests_of_an_assistant(rag, rag_fig):
    c = _one(rag, "We get 50k questions per day.")
    assert c.kind == "requests per day" and c.expected == pytest.approx(rag_fig["requests per day"])
    assert not c.right and c.ratio == pytest.approx(rag_fig["requests per day"] / 50_000)


def test_a_qps_beside_a_daily_count_of_questions_or_tokens_is_still_checked(rag, rag_fig):
    """'50k questions a day' or '200M tokens a day' is the same traffic, not another base for the QPS."""
    checks = check_answer(rag, "serving", "At peak we serve about 3 QPS, and about 200M tokens per day go to the LLM.")
    assert [c.kind for c in checks] == ["QPS", "tokens per day"]
    checks = check_answer(rag, "requirements", "So 50k questions per day, about 3 QPS at peak.")
    assert [c.kind for c in checks] == ["requests per day", "QPS (peak)"]
    assert checks[1].expected == pytest.approx(rag_fig["peak QPS"])


@pytest.mark.parametrize("text", [
    "2M DAU, each sending around 10 requests a day",
    "every user sends 10 requests a day",
    "10 requests a day each",
    "10 requests a day per user",
    "2M DAU asking 10 questions each",
])
def test_a_rate_per_user_is_not_the_days_total(text):
    """'each sending 10 requests a day' is per user: compared with the scale's requests per user, never
    with the day's total (which read it as off by 2,000,000×)."""
    serving = load_scenario("llm-serving")
    c = next(c for c in check_answer(serving, "requirements", text) if c.kind != "DAU")
    assert c.kind == "requests per user per day" and c.low == 10
    assert c.expected == serving.scale["requests_per_user_per_day"] and c.right


def test_tokens_per_day_against_the_scales_prompt_and_output_tokens():
    serving = load_scenario("llm-serving")
    fig = {f.name: f.value for f in estimate(scale=serving.scale, scenario=serving.id).figures}
    prompt, output = fig["prompt tokens per day"], fig["output tokens per day"]
    checks = check_answer(serving, "requirements", "About 30B prompt tokens per day and 6B output tokens a day.")
    assert [(c.kind, c.expected, c.right) for c in checks] == [
        ("tokens per day (prompt)", prompt, True), ("tokens per day (output)", output, True)]
    (total,) = check_answer(serving, "requirements", "We process around 36B tokens daily.")
    assert total.right and total.expected == pytest.approx(prompt + output) and "together" in total.message
    (wrong,) = check_answer(serving, "requirements", "Roughly 2B output tokens/day.")
    assert not wrong.right and wrong.ratio == pytest.approx(output / 2e9)
    # the output said as the whole volume is compared with the total (or the prompt), and is off
    (said_total,) = check_answer(serving, "requirements", f"About {output / 1e9:.0f}B tokens per day.")
    assert not said_total.right


def test_tokens_per_day_need_the_token_counts_in_the_scale(feed):
    """feed-ranking states no tokens per request: the estimator's default never stands in for it."""
    assert check_answer(feed, "requirements", "about 200M tokens per day") == []


def test_an_off_message_starts_its_arithmetic_as_a_sentence(rag):
    c = _one(rag, "maybe 10k DAU")
    assert "10k DAU. The scenario's scale: 40,000 daily active users — off by 4.0×." in c.message
