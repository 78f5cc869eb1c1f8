"""`mlsd estimate`: arithmetic checked against hand-computed cases, inputs, bad input."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsd.errors import BadInputError
from mlsd.sims.estimate import KEYS, estimate


def fig(result, name):
    return result.figure(name).value


def test_qps_matches_hand_computed_example():
    """300M DAU × 20 req/day ÷ 86,400 s = 69,444.4 QPS; × 3 peak = 208,333.3 QPS (by hand)."""
    r = estimate(overrides={"daily_active_users": 300_000_000, "requests_per_user_per_day": 20,
                            "peak_to_average": 3})
    assert fig(r, "requests per day") == 6_000_000_000
    assert fig(r, "average QPS") == pytest.approx(69_444.444, rel=1e-6)
    assert fig(r, "peak QPS") == pytest.approx(208_333.333, rel=1e-6)
    avg = r.figure("average QPS").arithmetic
    assert avg == "300,000,000 DAU × 20 requests/day ÷ 86,400 s = 69,444 QPS"


def test_servers_storage_memory_bandwidth_hand_computed():
    """A small case worked on paper.

    864,000 DAU × 10 req/day = 8,640,000 req/day → 100 QPS average, 200 peak (×2).
    Servers: ceil(200 / (30 × 0.5)) = ceil(13.33) = 14.
    Logs: 8,640,000 × 2 events × 100 B = 1.728e9 B/day; × 365 = 6.3072e11 B/year.
    Feature logs: 8,640,000 × 2 × 1,000 B = 1.728e10 B/day.
    Embeddings: (1,000 users + 9,000 items) × 8 dims × 4 B = 320,000 B.
    Feature store: 10,000 rows × 50 B = 500,000 B.
    Egress: 200 QPS × 1,000 B = 200,000 B/s (1.6 Mbit/s).
    Little: 200 QPS × 0.05 s = 10 in flight. Scores: 200 × 100 = 20,000/s.
    """
    r = estimate(overrides={
        "daily_active_users": 864_000, "requests_per_user_per_day": 10, "peak_to_average": 2,
        "per_server_qps": 30, "target_utilization": 0.5, "log_events_per_request": 2,
        "bytes_per_log_event": 100, "feature_bytes_per_example": 1_000, "users": 1_000,
        "items": 9_000, "embedding_dim": 8, "bytes_per_value": 4, "feature_bytes_per_entity": 50,
        "response_bytes": 1_000, "latency_budget_ms": 50, "candidate_posts_per_request": 100,
    })
    assert fig(r, "average QPS") == pytest.approx(100)
    assert fig(r, "peak QPS") == pytest.approx(200)
    assert fig(r, "servers at peak") == 14
    assert fig(r, "log storage per day") == pytest.approx(1.728e9)
    assert fig(r, "log storage per year") == pytest.approx(6.3072e11)
    assert fig(r, "feature log storage per day") == pytest.approx(1.728e10)
    assert fig(r, "embedding table memory") == pytest.approx(320_000)
    assert fig(r, "online feature store size") == pytest.approx(500_000)
    assert fig(r, "egress bandwidth at peak") == pytest.approx(200_000)
    assert r.figure("egress bandwidth at peak").shown == "1.6 Mbit/s"
    assert fig(r, "requests in flight at peak") == pytest.approx(10)
    assert fig(r, "candidates scored per second at peak") == pytest.approx(20_000)
    assert "⌈200 QPS ÷ (30 QPS/server × 0.5 utilization)⌉ = 14 servers" in r.figure("servers at peak").arithmetic
    assert r.figure("log storage per day").shown == "1.73 GB/day"


def test_scale_is_used_options_override_and_unknown_keys_are_listed():
    r = estimate(scale={"daily_active_users": 1_000_000, "items": 5, "qps_magic": 7},
                 overrides={"items": 10})
    src = {i.name: (i.value, i.source) for i in r.inputs}
    assert src["daily_active_users"] == (1_000_000, "scenario")
    assert src["items"] == (10, "option")
    assert src["embedding_dim"] == (64, "default")
    assert src["users"][0] == 1_000_000  # users default to DAU
    assert r.not_used == ("qps_magic",)
    assert "qps_magic" in r.tables()[0].note


@settings(max_examples=40, deadline=None)
@given(dau=st.integers(1, 10**10), rpu=st.floats(0.01, 1000), pta=st.floats(1, 10),
       psq=st.floats(1, 1e5), util=st.floats(0.05, 1))
def test_figures_are_consistent(dau, rpu, pta, psq, util):
    """Peak = average × ratio, and the servers cover peak at the target utilisation, minimally."""
    r = estimate(overrides={"daily_active_users": dau, "requests_per_user_per_day": rpu,
                            "peak_to_average": pta, "per_server_qps": psq, "target_utilization": util})
    avg, peak, n = fig(r, "average QPS"), fig(r, "peak QPS"), fig(r, "servers at peak")
    assert avg == pytest.approx(dau * rpu / 86_400)
    assert peak == pytest.approx(avg * pta)
    assert n * psq * util >= peak * (1 - 1e-9)
    assert (n - 1) * psq * util < peak * (1 + 1e-9)


@pytest.mark.parametrize("key", [k.name for k in KEYS])
def test_non_positive_inputs_are_rejected_by_name(key):
    option = next(k.option for k in KEYS if k.name == key)
    with pytest.raises(BadInputError, match=f"^{option} must be in"):
        estimate(overrides={key: 0})
    with pytest.raises(BadInputError, match=f"scale.{key} must be in"):
        estimate(scale={key: -1.0}, scenario="x")


def test_cli_prints_arithmetic_and_json(run_cli):
    res = run_cli("estimate", "--dau", "300000000", "--requests-per-user", "20")
    assert res.code == 0, res.stderr
    assert "69,444 QPS" in res.stdout and "86,400 s" in res.stdout
    res = run_cli("estimate", "--dau", "864000", "--json")
    data = json.loads(res.stdout)
    qps = next(f for f in data["figures"] if f["name"] == "average QPS")
    assert math.isclose(qps["value"], 100.0)


@pytest.mark.parametrize("args, message", [
    (("--dau", "0"), "--dau must be in (0, 10,000,000,000], got 0"),
    (("--requests-per-user", "-3"), "--requests-per-user must be in (0, 1,000,000], got -3"),
    (("--per-server-qps", "0"), "--per-server-qps must be in (0, 1,000,000,000], got 0"),
    (("--peak-to-average", "0.5"), "--peak-to-average must be in [1, 1,000], got 0.5"),
    (("--target-utilization", "1.5"), "--target-utilization must be in (0, 1], got 1.5"),
    (("--items", "-1"), "--items must be in (0, 10,000,000,000,000], got -1"),
    # inputs that would overflow (or print float noise) are refused with a sane maximum
    (("--dau", "99999999999999999999999999"), "--dau must be in (0, 10,000,000,000], got 1e+26"),
    (("--response-bytes", "1e308"), "--response-bytes must be in (0, 10,000,000,000], got 1e+308"),
    (("--replication", "1e300"), "--replication must be in [1, 100], got 1e+300"),
    (("--per-server-qps", "1e-300"), "--per-server-qps 1e-300 at --target-utilization 0.7 needs more than"),
])
def test_cli_bad_input_one_line_exit_2(run_cli, args, message):
    run_cli("estimate", *args).assert_bad_input(message)


SCENARIO = """\
id: tiny-feed
title: Tiny feed
summary: A feed for the estimate test.
scale:
  daily_active_users: 864000
  requests_per_user_per_day: 10
  made_up_key: 3
stages:
  requirements:
    prompt: What are the requirements?
"""


def test_cli_reads_scenario_scale_from_a_file(run_cli, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(SCENARIO)
    res = run_cli("estimate", str(path), "--peak-to-average", "2", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["scenario"] == "tiny-feed"
    assert data["not_used"] == ["made_up_key"]
    peak = next(f for f in data["figures"] if f["name"] == "peak QPS")
    assert math.isclose(peak["value"], 200.0)


def test_cli_scenario_with_zero_rate_is_one_line(run_cli, tmp_path):
    path = tmp_path / "zero.yaml"
    path.write_text(SCENARIO.replace("requests_per_user_per_day: 10", "requests_per_user_per_day: 0"))
    res = run_cli("estimate", str(path))
    assert res.code == 2 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1
    assert "scale.requests_per_user_per_day must be in (0, 1,000,000], got 0" in res.stderr


def test_cli_builtin_scenario_uses_its_scale(run_cli):
    """Whatever the shipped feed-ranking scale says, average QPS is DAU × requests ÷ 86,400."""
    from mlsd.content.scenario import load_scenario

    scale = load_scenario("feed-ranking").scale
    res = run_cli("estimate", "feed-ranking", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    qps = next(f for f in data["figures"] if f["name"] == "average QPS")["value"]
    dau = scale.get("daily_active_users", 10_000_000)
    rpu = scale.get("requests_per_user_per_day", 10)
    assert math.isclose(qps, dau * rpu / 86_400)
    assert data["not_used"] == sorted(k for k in scale if k not in {k.name for k in KEYS})


def test_cli_unknown_scenario_is_one_line(run_cli):
    res = run_cli("estimate", "no-such-scenario")
    assert res.code == 2 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1


def test_one_user_reads_right():
    """--dau 1: small QPS keep their digits, counts are singular, one server needs no scaling out."""
    r = estimate(overrides={"daily_active_users": 1})
    # 1 × 10 / 86,400 = 0.000115741 QPS; × 3 = 0.000347222 QPS; × 10,000 B × 8 = 27.8 bit/s (by hand)
    assert r.figure("average QPS").arithmetic == "1 DAU × 10 requests/day ÷ 86,400 s = 0.000116 QPS"
    assert r.figure("egress bandwidth at peak").arithmetic == "0.000347 QPS × 10,000 B × 8 bit = 28 bit/s"
    assert r.figure("servers at peak").shown == "1 server"
    assert r.figure("servers at peak").arithmetic.endswith("= 1 server")
    assert r.figure("embedding table memory").arithmetic.startswith("(1 user + 1,000,000 items)")
    text = " ".join(r.reading())
    assert "must scale horizontally" not in text and "no horizontal scaling is needed" in text
    one = estimate(overrides={"daily_active_users": 1, "requests_per_user_per_day": 1, "users": 5,
                              "items": 1, "embedding_dim": 1, "log_events_per_request": 1})
    assert one.figure("requests per day").shown == "1 request/day"
    assert "(5 users + 1 item) × 1 dim ×" in one.figure("embedding table memory").arithmetic
    assert "× 1 event/request ×" in one.figure("log storage per day").arithmetic


def test_scaling_advice_follows_the_server_count():
    few = estimate(overrides={"daily_active_users": 10_000_000, "per_server_qps": 500})  # ⌈3,472 / 350⌉ = 10
    assert fig(few, "servers at peak") == 10
    assert "small fixed pool" in few.reading()[0]
    many = estimate(overrides={"daily_active_users": 300_000_000})
    assert fig(many, "servers at peak") > 10 and "must scale horizontally" in many.reading()[0]


def test_huge_numbers_are_formatted_without_float_noise():
    from mlsd.sims.estimate import _fmt_bytes, _fmt_num

    assert _fmt_num(1e26) == "1.0e+26"
    assert _fmt_num(3.4722222222222e22) == "3.47e+22"
    assert _fmt_num(69_444.4) == "69,444" and _fmt_num(0.000115741) == "0.000116"
    assert _fmt_bytes(999_999) == "1 MB" and _fmt_bytes(1e30) == "1.0e+30 B"


def test_largest_inputs_give_finite_clean_figures(run_cli):
    """Every input at its maximum: all figures finite, JSON without 'inf', no 20-digit noise."""
    import re

    top = {k.name: k.high for k in KEYS}
    r = estimate(overrides=top)
    assert all(math.isfinite(f.value) for f in r.figures)
    for f in r.figures:
        assert not re.search(r"\d{1,3}(,\d{3}){5,}", f.shown + f.arithmetic), f  # ≥ 10^15 written out
    args = [a for k in KEYS for a in (k.option, str(int(k.high)) if k.integer else repr(k.high))]
    res = run_cli("estimate", *args, "--json")
    assert res.code == 0, res.stderr
    assert "inf" not in res.stdout.replace("infra", "") and "NaN" not in res.stdout
    json.loads(res.stdout)


def test_help_states_each_options_maximum():
    """--help documents the range the error message enforces (the maximum, from KEYS)."""
    import typer

    from mlsd.cli import app
    from mlsd.sims.estimate import _fmt_limit

    cmd = typer.main.get_command(app).commands["estimate"]
    helps = {opt: p.help for p in cmd.params for opt in getattr(p, "opts", [])}
    for key in KEYS:
        assert _fmt_limit(key.high) in helps[key.option], key.option


# --- GenAI serving -----------------------------------------------------------------------

GENAI_CASE = {
    "daily_active_users": 864_000, "requests_per_user_per_day": 10, "peak_to_average": 2,
    "prompt_tokens_per_request": 1_000, "output_tokens_per_request": 250, "model_params_billion": 8,
    "model_layers": 32, "kv_heads": 8, "head_dim": 128, "kv_bytes_per_value": 2, "weight_bytes_per_param": 2,
    "gpu_memory_gb": 80, "gpu_tokens_per_second": 2_500, "gpu_hourly_cost_usd": 2.5, "target_utilization": 0.5,
    "context_window_tokens": 8_192,
}


def test_genai_figures_hand_computed():
    """An 8B GQA model worked on paper.

    8,640,000 requests/day (100 QPS average, 200 peak). Tokens/day: × 1,000 prompt = 8.64e9,
    × 250 output = 2.16e9; peak: 200,000 prompt and 50,000 output tokens/s.
    KV per token: 2 × 32 layers × 8 heads × 128 × 2 B = 131,072 B; per request × 1,250 = 163,840,000 B.
    Weights: 8e9 × 2 B = 16e9 B. Per GPU: ⌊64e9 ÷ 163,840,000⌋ = ⌊390.6⌋ = 390 requests;
    reserving 8,192 tokens each: ⌊64e9 ÷ 1,073,741,824⌋ = ⌊59.6⌋ = 59.
    GPUs: ⌈50,000 ÷ (2,500 × 0.5)⌉ = 40; $/day: 40 × 2.5 × 24 = 2,400; per 1M output: 2,400 ÷ 2,160 = 1.1111.
    """
    r = estimate(overrides=GENAI_CASE)
    assert fig(r, "prompt tokens per day") == 8_640_000_000
    assert fig(r, "output tokens per day") == 2_160_000_000
    assert fig(r, "peak prompt tokens/s") == pytest.approx(200_000)
    assert fig(r, "peak output tokens/s") == pytest.approx(50_000)
    assert fig(r, "KV-cache bytes per token") == 131_072
    assert fig(r, "KV-cache bytes per request") == 163_840_000
    assert fig(r, "model weight memory") == 16e9
    assert fig(r, "concurrent requests per GPU") == 390
    assert fig(r, "concurrent requests per GPU at full-window reservation") == 59
    assert fig(r, "GPUs for peak output tokens/s") == 40
    assert fig(r, "GPU cost per day") == pytest.approx(2_400)
    assert fig(r, "cost per 1M output tokens") == pytest.approx(2_400 / 2_160)
    assert (r.figure("KV-cache bytes per token").arithmetic
            == "2 (K and V) × 32 layers × 8 KV heads × 128 dims × 2 B = 131,072 B")
    assert r.figure("GPUs for peak output tokens/s").arithmetic == (
        "⌈50,000 tokens/s ÷ (2,500 tokens/s/GPU × 0.5 utilization)⌉ = 40 GPUs")
    assert r.figure("concurrent requests per GPU").arithmetic.startswith(
        "⌊(80 GB − 16 GB weights) ÷ 164 MB per request⌋ = 390 requests")
    assert r.figure("GPU cost per day").shown == "$2,400/day"


def test_genai_section_only_when_a_genai_key_is_given():
    """Classic scenarios keep their figures, inputs and tables; one GenAI key in the scale adds the section."""
    from mlsd.sims.estimate import GENAI_FIGURES, GENAI_KEYS

    classic = estimate(scale={"daily_active_users": 1_000_000})
    assert not GENAI_FIGURES & {f.name for f in classic.figures}
    assert not GENAI_KEYS & {i.name for i in classic.inputs}
    assert len(classic.tables()) == 2
    genai = estimate(scale={"daily_active_users": 1_000_000, "model_params_billion": 70, "made_up": 1})
    assert {f.name for f in genai.figures} - {f.name for f in classic.figures} == GENAI_FIGURES
    assert [f.value for f in genai.figures[:len(classic.figures)]] == [f.value for f in classic.figures]
    assert genai.not_used == ("made_up",)
    src = {i.name: i.source for i in genai.inputs}
    assert src["model_params_billion"] == "scenario" and src["kv_heads"] == "default"
    titles = [t.title for t in genai.tables()]
    assert titles[-1] == "GenAI serving"
    assert not GENAI_FIGURES & {row[0] for row in genai.tables()[1].rows}
    assert any("GPUs" in line for line in genai.reading())


def test_genai_weights_larger_than_the_gpu_hold_no_requests():
    """70B at fp16 is 140 GB: more than an 80 GB GPU, so it holds no request and must be split over 2."""
    r = estimate(overrides={"model_params_billion": 70})
    assert fig(r, "model weight memory") == 140e9
    assert fig(r, "concurrent requests per GPU") == 0
    assert "split the model over at least 2 GPUs" in r.figure("concurrent requests per GPU").arithmetic
    assert any("do not fit one GPU" in line for line in r.reading())
    quantised = estimate(overrides={"model_params_billion": 70, "weight_bytes_per_param": 0.5})
    assert fig(quantised, "model weight memory") == 35e9 and fig(quantised, "concurrent requests per GPU") > 0


@settings(max_examples=40, deadline=None)
@given(qps_users=st.integers(1, 10**9), out=st.floats(1, 3_000), rate=st.floats(1, 1e6), util=st.floats(0.05, 1))
def test_genai_gpus_cover_peak_output_minimally(qps_users, out, rate, util):
    r = estimate(overrides={"daily_active_users": qps_users, "output_tokens_per_request": out,
                            "gpu_tokens_per_second": rate, "target_utilization": util})
    peak, gpus = fig(r, "peak output tokens/s"), fig(r, "GPUs for peak output tokens/s")
    assert peak == pytest.approx(fig(r, "peak QPS") * out)
    assert gpus * rate * util >= peak * (1 - 1e-9)
    assert (gpus - 1) * rate * util < peak * (1 + 1e-9)


def test_genai_prompt_and_output_must_fit_the_context_window(run_cli):
    with pytest.raises(BadInputError, match=r"^x: scale.prompt_tokens_per_request 4,000 \+ "
                       r"scale.output_tokens_per_request 500 tokens exceed scale.context_window_tokens 4,096;"):
        estimate(scale={"prompt_tokens_per_request": 4_000, "output_tokens_per_request": 500,
                        "context_window_tokens": 4_096}, scenario="x")
    run_cli("estimate", "--prompt-tokens", "4000", "--output-tokens", "500", "--context-window-tokens", "4096").assert_bad_input(
        "--prompt-tokens 4,000 + --output-tokens 500 tokens exceed --context-window-tokens 4,096")
    run_cli("estimate", "--prompt-tokens", "4000", "--output-tokens", "500", "--kv-heads", "8").assert_bad_input(
        "--prompt-tokens 4,000 + --output-tokens 500 tokens exceed --context-window-tokens 4,096")
    # A hosted model (tokens only, no window given): its window is the provider's, not our default.
    assert estimate(scale={"prompt_tokens_per_request": 4_000, "output_tokens_per_request": 500}).figure(
        "prompt tokens per day").value > 0


def test_cli_genai_options_and_scenario_scale(run_cli, tmp_path):
    res = run_cli("estimate", "--model-params-billion", "70", "--model-layers", "80", "--kv-heads", "8",
                  "--weight-bytes-per-param", "1", "--gpu-memory-gb", "141", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    figures = {f["name"]: f["value"] for f in data["figures"]}
    assert figures["model weight memory"] == 70e9
    assert figures["KV-cache bytes per token"] == 2 * 80 * 8 * 128 * 2
    path = tmp_path / "chat.yaml"
    path.write_text(SCENARIO.replace("  made_up_key: 3\n", "  output_tokens_per_request: 400\n  kv_heads: 8\n"))
    shown = run_cli("estimate", str(path))
    assert shown.code == 0, shown.stderr
    assert "GenAI serving" in shown.stdout and "KV-cache bytes per request" in shown.stdout
    # 864,000 × 10 = 8,640,000 requests/day × 400 output tokens = 3,456,000,000 tokens/day (by hand)
    assert "3,456,000,000 tokens/day" in shown.stdout


def test_genai_text_leaves_out_classic_figures_built_on_defaults_only():
    """llm-serving's scale says nothing of ranking candidates, feature logs, embedding tables or a
    per-server QPS: the text tables and the reading do not show figures made of the estimator's
    defaults for them (e.g. '2 servers' for a 70B model); --json keeps every figure."""
    from mlsd.content.scenario import load_scenario
    from mlsd.sims.estimate import CLASSIC_FIGURE_INPUTS

    sc = load_scenario("llm-serving")
    r = estimate(scale=sc.scale, scenario=sc.id)
    inputs_rows = {row[0] for row in r.tables()[0].rows}
    classic_rows = {row[0] for row in r.tables()[1].rows}
    assert {"requests per day", "average QPS", "peak QPS", "requests in flight at peak"} <= classic_rows
    defaults_only = [name for name, keys in CLASSIC_FIGURE_INPUTS.items() if not set(keys) <= set(sc.scale)]
    assert defaults_only and not classic_rows & set(defaults_only)
    assert {f.name for f in r.figures} >= set(CLASSIC_FIGURE_INPUTS)  # the data keeps them all
    assert "candidate_posts_per_request" not in inputs_rows and "per_server_qps" not in inputs_rows
    assert "daily_active_users" in inputs_rows
    assert not any("Logs grow" in line for line in r.reading())
    # a GenAI scale that states them (rag-assistant) shows them, and an option counts as stating one
    rag = load_scenario("rag-assistant")
    rows = {row[0] for row in estimate(scale=rag.scale, scenario=rag.id).tables()[1].rows}
    assert {"servers at peak", "log storage per day", "embedding table memory"} <= rows
    with_option = estimate(scale=sc.scale, overrides={"per_server_qps": 8}, scenario=sc.id)
    assert "servers at peak" in {row[0] for row in with_option.tables()[1].rows}


def test_the_design_doc_shows_the_same_figures_as_the_terminal():
    from mlsd.content.scenario import load_scenario
    from mlsd.doc.render import _estimate

    for sid in ("llm-serving", "rag-assistant", "feed-ranking"):
        sc = load_scenario(sid)
        shown = [f.name for f in estimate(scale=sc.scale, scenario=sc.id).shown_figures()]
        assert [f["id"] for f in _estimate(sc)["figures"]] == shown
        table_rows = [row[0] for t in estimate(scale=sc.scale, scenario=sc.id).tables()[1:] for row in t.rows]
        assert table_rows == shown
    assert "servers at peak" not in [f["id"] for f in _estimate(load_scenario("llm-serving"))["figures"]]
