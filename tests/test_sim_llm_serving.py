"""`mlsd simulate llm-serving`: memory arithmetic, step times and the schedulers against closed forms."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from mlsd.errors import BadInputError
from mlsd.sims import llm_serving as m

# A GPU with round numbers, so step times can be worked out by hand: weights read in 1 ms,
# 1 µs per token of KV read, 1,000 tokens/s of compute, 1 ms overhead.
HAND = m.Gpu(weights=1e9, kv_per_token=1e6, bandwidth=1e12, token_rate=1000.0, overhead=0.001,
             capacity_tokens=100_000, block_tokens=16, max_batch=64, max_prefill_tokens=10_000,
             context_window=1000)


def default_gpu(**changes) -> m.Gpu:
    """The simulation's default GPU and model (7B, fp16, A100 80GB), with `changes` to its inputs."""
    args = dict(params_billion=7.0, weight_bpp=2.0, layers=32, kv_heads=32, head_dim=128, kv_bpv=2.0,
                memory_gb=80.0, reserve_gb=8.0, bandwidth_gb_s=2039.0, tflops=312.0, overhead_ms=2.0,
                block_tokens=16, max_batch=256, max_prefill_tokens=8192, context_window=4096)
    return m._gpu(**{**args, **changes})


@pytest.fixture(scope="module")
def default_run():
    return m.simulate_llm_serving(seed=0)


# --- memory arithmetic (exact) --------------------------------------------------------


def test_kv_bytes_per_token_is_two_times_layers_heads_dim_bytes():
    """2 (K and V) × layers × kv_heads × head_dim × bytes per value, worked by hand."""
    assert m.kv_bytes_per_token(32, 32, 128, 2) == 524_288  # Llama-2-7B, fp16: 0.5 MiB
    assert m.kv_bytes_per_token(80, 8, 128, 2) == 327_680  # Llama-2-70B with 8 KV heads (GQA)
    assert m.kv_bytes_per_token(32, 8, 128, 1) == 65_536  # fp8 cache
    assert m.kv_bytes_per_token(32, 8, 128, 0.5) == 32_768  # int4 cache


def test_weights_are_params_times_bytes_per_param():
    assert m.weight_bytes(7, 2) == 14e9
    assert m.weight_bytes(70, 0.5) == 35e9
    assert m.weight_bytes(8, 1) == 8e9


def test_tokens_that_fit_are_free_memory_over_kv_bytes_per_token():
    """⌊(80 GB − 14 GB − 8 GB) ÷ 524,288 B⌋ = ⌊58e9 ÷ 524,288⌋ = 110,626 (by hand)."""
    assert m.kv_token_capacity(80, 14e9, 8, 524_288) == 110_626
    assert m.kv_token_capacity(80, 140e9, 8, 524_288) == 0  # the weights alone do not fit
    assert m.contiguous_slots(110_626, 4096) == 27
    assert m.paged_blocks(110_626, 16) == 6914
    assert m.blocks_for(773, 16) == 49 and m.blocks_for(784, 16) == 49 and m.blocks_for(785, 16) == 50


def test_default_result_reports_the_exact_memory_arithmetic(default_run):
    r = default_run
    assert r.weights_bytes == 14e9
    assert r.kv_bytes_per_token == 524_288
    assert r.kv_capacity_tokens == math.floor((80e9 - 14e9 - 8e9) / 524_288)
    assert r.contiguous_slots == r.kv_capacity_tokens // 4096
    assert r.paged_blocks == r.kv_capacity_tokens // 16
    per_request = math.ceil(math.ceil(r.prompt_tokens_mean + r.output_tokens_mean) / 16)
    assert r.paged_requests_at_mean == r.paged_blocks // per_request
    assert r.paged_to_contiguous == r.paged_requests_at_mean / r.contiguous_slots


def test_quantisation_rows_follow_the_same_arithmetic(default_run):
    """int8/int4 shrink weights by the byte ratio, fp8 halves the KV per token, and both make room for more tokens."""
    rows = {r.label: r for r in default_run.precisions}
    fp16, int8, int4 = (rows[label] for label, _, _ in m.PRECISIONS)
    assert (fp16.weights_gb, int8.weights_gb, int4.weights_gb) == (14.0, 7.0, 3.5)
    assert fp16.kv_bytes_per_token == 2 * int8.kv_bytes_per_token == 524_288
    assert int8.kv_tokens == math.floor((80e9 - 7e9 - 8e9) / 262_144)
    assert int4.kv_tokens == math.floor((80e9 - 3.5e9 - 8e9) / 262_144)
    # the decode step at batch 1 is memory-bound: fewer bytes, a faster step
    assert fp16.step_ms_batch_1 > int8.step_ms_batch_1 > int4.step_ms_batch_1
    assert fp16.decode_tokens_per_s < int8.decode_tokens_per_s <= int4.decode_tokens_per_s


def test_quantisation_option_changes_memory_and_step_cost():
    fp16, int4 = default_gpu(), default_gpu(weight_bpp=0.5, kv_bpv=1.0)
    assert int4.weights == fp16.weights / 4
    assert int4.capacity_tokens > 2 * fp16.capacity_tokens
    assert int4.step(1000, 1) < fp16.step(1000, 1)


# --- the step-time model ----------------------------------------------------------------


def test_prefill_is_compute_bound_and_proportional_to_prompt_tokens():
    gpu = default_gpu()
    assert gpu.token_rate == pytest.approx(312e12 * m.COMPUTE_EFFICIENCY / (2 * 7e9))
    one, two = gpu.step(0, 2000) - gpu.overhead, gpu.step(0, 4000) - gpu.overhead
    assert one == pytest.approx(2000 / gpu.token_rate) and two == pytest.approx(2 * one)


def test_decode_step_is_fixed_cost_plus_per_sequence_cost_so_batching_amortises_weights():
    """Memory-bound decode: overhead + (weights + Σ KV) ÷ bandwidth; per token, batch 64 costs far less than batch 1."""
    gpu = default_gpu()
    ctx = 700
    one = gpu.step(ctx, 1)
    assert one == pytest.approx(gpu.overhead + (14e9 + 524_288 * ctx) / 2039e9)
    batch = gpu.step(64 * ctx, 64)
    assert batch == pytest.approx(gpu.overhead + (14e9 + 524_288 * 64 * ctx) / 2039e9)
    assert batch / 64 < one / 10
    steps = gpu.decode_steps(64, 64 * ctx, 5)
    assert steps[0] == pytest.approx(batch)
    assert np.allclose(np.diff(steps), 64 * 524_288 / 2039e9)  # the KV grows by one token per sequence


def test_speculative_tokens_per_step_closed_form(default_run):
    """(1 − α^(k+1)) ÷ (1 − α) (Leviathan et al. 2023): 2.7731 at α = 0.7, k = 4, by hand."""
    rows = {r.draft_tokens: r for r in default_run.speculative}
    assert rows[0].tokens_per_step == 1.0 and rows[0].speedup_batch_1 == 1.0
    assert rows[4].tokens_per_step == pytest.approx(2.7731)  # (1 − 0.16807) ÷ 0.3
    gpu = default_gpu()
    assert m.speculative_rows(gpu, 1.0, 500, 200)[-1].tokens_per_step == m.SPEC_DRAFTS[-1] + 1
    assert all(r.tokens_per_step == 1.0 for r in m.speculative_rows(gpu, 0.0, 500, 200))
    # spare compute: drafting helps one sequence more than a full, compute-bound batch
    assert rows[4].speedup_batch_1 > 1.5 and rows[4].speedup_full < rows[4].speedup_batch_1


# --- the engines against hand-worked cases ----------------------------------------------


def test_static_batch_worked_by_hand():
    """Two requests at t = 0, prompts 10 and 20, outputs 3 and 1, on HAND.

    Prefill padded to 20: 1 ms + max(1 ms, 40 tokens ÷ 1,000/s) = 41 ms. Two decode steps at
    batch 2 (the finished row is padding): 1 ms + max(1.042 ms, 2 ms) = 3 ms each.
    """
    run = m.run_static(np.zeros(2), np.array([10, 20]), np.array([3, 1]), HAND)
    assert run.first_token == pytest.approx([0.041, 0.041])
    assert run.finish == pytest.approx([0.047, 0.041])
    assert run.itl_values == pytest.approx([0.003, 0.003]) and run.itl_weights.tolist() == [1, 1]
    assert run.token_counts.sum() == 4 and run.peak_sequences == 2


@pytest.mark.parametrize("batching, allocation", [("static", "contiguous"), ("continuous", "contiguous"),
                                                  ("continuous", "paged")])
def test_a_lone_request_takes_prefill_plus_its_decode_steps(batching, allocation):
    """Closed form for one request on an idle GPU: TTFT = step(prefill), then O − 1 decode steps."""
    gpu = default_gpu()
    prompt, out = 700, 50
    run = m.run_policy(batching, allocation, np.array([3.0]), np.array([prompt]), np.array([out]), gpu)
    ttft = gpu.step(0, prompt)
    decode = sum(gpu.step(prompt + 1 + k, 1) for k in range(out - 1))
    assert run.first_token[0] == pytest.approx(3.0 + ttft)
    assert run.finish[0] == pytest.approx(3.0 + ttft + decode)


def _small_gpu(capacity_tokens: int) -> m.Gpu:
    return m.Gpu(weights=14e9, kv_per_token=524_288, bandwidth=2039e9, token_rate=11_143.0, overhead=0.002,
                 capacity_tokens=capacity_tokens, block_tokens=16, max_batch=256, max_prefill_tokens=8192,
                 context_window=2048)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("batching, allocation", [("static", "contiguous"), ("continuous", "contiguous"),
                                                  ("continuous", "paged")])
def test_every_token_is_emitted_once_even_with_preemptions(seed, batching, allocation):
    """Conservation: tokens emitted = output tokens; gaps = output tokens − first tokens; order of events."""
    arrivals, prompts, outputs = m.make_trace(seed, 20.0, 400, "lognormal", 400, 300, 2048)
    gpu = _small_gpu(12_000)  # a small cache: paged runs preempt
    run = m.run_policy(batching, allocation, arrivals, prompts, outputs, gpu)
    assert run.token_counts.sum() == outputs.sum()
    assert run.itl_weights.sum() == (outputs - 1).sum()
    assert (run.first_token > arrivals).all() and (run.finish >= run.first_token).all()
    assert (run.itl_values > 0).all()
    if allocation == "contiguous":
        assert run.peak_sequences <= 12_000 // 2048
    if allocation == "paged" and seed == 0:
        assert run.preemptions > 0


def test_paged_admits_more_sequences_by_the_ratio_the_arithmetic_predicts():
    """Constant lengths (prompt 500, output 300), every request at t = 0.

    Contiguous: exactly ⌊tokens ÷ window⌋ at once. Paged: at least ⌊blocks ÷ ⌈800 ÷ 16⌉⌋ (every
    sequence at its final length), less the 1 % watermark; on average blocks ÷ the mean blocks a
    sequence holds over its life, mean over k of ⌈(500 + k) ÷ 16⌉, within 5 %.
    """
    gpu = default_gpu()
    n = 2000
    prompts, outputs = np.full(n, 500), np.full(n, 300)
    cont = m.run_continuous(np.zeros(n), prompts, outputs, gpu, paged=False)
    paged = m.run_continuous(np.zeros(n), prompts, outputs, gpu, paged=True)
    slots = gpu.capacity_tokens // gpu.context_window
    at_final = gpu.blocks // m.blocks_for(800, 16)
    assert cont.peak_sequences == slots == 27
    assert paged.peak_sequences >= (1 - m.WATERMARK) * at_final
    assert paged.peak_sequences / cont.peak_sequences >= (1 - m.WATERMARK) * at_final / slots

    def mean_running(run):  # time-average sequences decoding while the queue is full
        lo, hi = np.quantile(run.finish, [0.3, 0.7])
        dt = np.diff(run.token_times)
        inside = (run.token_times[1:] > lo) & (run.token_times[1:] <= hi)
        return float((run.token_counts[1:][inside] * dt[inside]).sum() / dt[inside].sum())

    held = np.mean([m.blocks_for(500 + k, 16) for k in range(1, 301)])
    assert mean_running(paged) == pytest.approx(gpu.blocks / held, rel=0.05)
    assert mean_running(cont) == pytest.approx(slots, rel=0.05)


# --- the claims ----------------------------------------------------------------------------


def test_littles_law_holds_on_the_simulated_traces(default_run):
    """L (time average of requests in the system) = λ × W (arrival rate × mean time in system), within 3 %,
    for every policy that keeps up at the offered load; the trace's λ is the offered rate give or take noise."""
    checked = 0
    for p in default_run.policies:
        assert p.at_load.arrival_rate == pytest.approx(default_run.rate, rel=0.1)
        if default_run.rate * default_run.output_tokens_mean < 0.9 * p.capacity_tokens_per_s:
            lam_w = p.at_load.arrival_rate * p.at_load.mean_time_in_system_s
            assert p.at_load.mean_in_system == pytest.approx(lam_w, rel=0.03), p.at_load.policy
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("seed", [3, 4])
def test_littles_law_on_other_seeds_and_loads(seed):
    gpu = default_gpu()
    for rate in (2.0, 6.0):
        arrivals, prompts, outputs = m.make_trace(seed, rate, 1500, "exponential", 512, 256, 4096)
        st = m.summarise("paged", arrivals, outputs, m.run_continuous(arrivals, prompts, outputs, gpu, paged=True))
        assert st.mean_in_system == pytest.approx(st.arrival_rate * st.mean_time_in_system_s, rel=0.03)


def test_time_average_in_system_by_hand():
    """Requests in [0, 2] and [1, 4]: N = 1, 2, 1 on [0,1), [1,2), [2,4): over [0, 4] the average is 5 ÷ 4."""
    assert m.time_average_in_system(np.array([0.0, 1.0]), np.array([2.0, 4.0]), 0.0, 4.0) == pytest.approx(1.25)
    assert m.time_average_in_system(np.array([0.0, 1.0]), np.array([2.0, 4.0]), 1.0, 3.0) == pytest.approx(1.5)


def test_weighted_quantile_counts_each_value_by_its_weight():
    values, weights = np.array([5.0, 1.0, 3.0]), np.array([1.0, 98.0, 1.0])
    assert m.weighted_quantile(values, weights, 0.5) == 1.0
    assert m.weighted_quantile(values, weights, 0.99) == 3.0
    assert m.weighted_quantile(values, weights, 1.0) == 5.0


def test_continuous_batching_beats_static_on_throughput_at_better_p99():
    """Same requests: where static batching keeps up, continuous carries the same tokens with a lower
    TTFT p99; past static's capacity, continuous carries more tokens/s, still with a lower p99."""
    gpu = default_gpu()
    _, sp, so = m.make_trace(9, 1.0, 2000, "lognormal", 512, 256, 4096)
    static_cap = m.saturated_throughput(m.run_static(np.zeros(2000), sp, so, gpu))
    for share in (0.6, 2.0):
        rate = share * static_cap / so.mean()
        arrivals, prompts, outputs = m.make_trace(9, rate, 1000, "lognormal", 512, 256, 4096)
        static = m.summarise("static", arrivals, outputs, m.run_static(arrivals, prompts, outputs, gpu))
        cont = m.summarise("continuous", arrivals, outputs,
                           m.run_continuous(arrivals, prompts, outputs, gpu, paged=False))
        assert cont.ttft_p99_ms < static.ttft_p99_ms
        if share < 1:
            assert cont.throughput_tokens_per_s >= 0.97 * static.throughput_tokens_per_s
        else:
            assert cont.throughput_tokens_per_s > 1.5 * static.throughput_tokens_per_s


def test_default_policies_rank_by_capacity(default_run):
    static, cont, paged = (default_run.policy(name) for name, _, _ in m.POLICIES)
    assert cont.capacity_tokens_per_s > 3 * static.capacity_tokens_per_s
    assert paged.capacity_tokens_per_s > 1.3 * cont.capacity_tokens_per_s
    assert paged.capacity_peak_sequences > 3 * cont.capacity_peak_sequences
    assert cont.capacity_peak_sequences == default_run.contiguous_slots
    # at the default load static batching is past capacity; the continuous ones are not
    assert static.at_load.ttft_p99_ms > 10 * cont.at_load.ttft_p99_ms
    assert cont.at_load.ttft_p99_ms > paged.at_load.ttft_p99_ms
    assert paged.at_load.throughput_tokens_per_s > 4 * static.at_load.throughput_tokens_per_s


def test_throughput_saturates_and_ttft_p99_explodes_past_capacity(default_run):
    for name, batching, _ in m.POLICIES:
        pts = {s.load_share: s for s in default_run.sweep if s.policy == name}
        cap = default_run.policy(name).capacity_tokens_per_s
        light, heavy = pts[0.5], pts[max(m.SWEEP_LOADS)]
        assert light.throughput_tokens_per_s == pytest.approx(light.offered_tokens_per_s, rel=0.05)
        assert heavy.throughput_tokens_per_s < 0.9 * heavy.offered_tokens_per_s  # does not keep up
        assert heavy.throughput_tokens_per_s < 1.1 * cap  # saturates at capacity
        if batching == "continuous":
            assert heavy.ttft_p99_ms > 10 * light.ttft_p99_ms


def test_fleet_sizing_and_cost_follow_the_sized_load(default_run):
    r = default_run
    for p in r.policies:
        ok = [s.load_share for s in r.sweep if s.policy == p.at_load.policy and s.meets_slo]
        assert all(share < 1 for share in ok)
        if not ok:
            assert p.gpus_for_target == 0 and math.isnan(p.cost_per_million_tokens)
            continue
        assert p.sustainable_tokens_per_s == pytest.approx(max(ok) * p.capacity_tokens_per_s)
        assert p.gpus_for_target == math.ceil(r.target_tokens_per_s / p.sustainable_tokens_per_s)
        assert p.cost_per_million_tokens == pytest.approx(
            p.gpus_for_target * r.gpu_hourly_cost_usd / (r.target_tokens_per_s * 3600) * 1e6)
    assert r.policy("continuous + paged").gpus_for_target < r.policy("continuous").gpus_for_target


# --- determinism, output, refusals ---------------------------------------------------------


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = m.simulate_llm_serving(requests=300, seed=5).to_dict()
    assert a == m.simulate_llm_serving(requests=300, seed=5).to_dict()
    assert a != m.simulate_llm_serving(requests=300, seed=6).to_dict()


def test_result_renders(default_run, check_charts):
    check_charts(default_run)
    assert len(default_run.tables()) == 7
    text = " ".join(default_run.reading())
    assert "static" in text and "paged" in text
    json.dumps(default_run.to_dict())


def test_cli_runs_and_help_states_the_model(run_cli):
    res = run_cli("simulate", "llm-serving", "--requests", "200", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert [p["at_load"]["policy"] for p in data["policies"]] == [name for name, _, _ in m.POLICIES]
    helped = " ".join(run_cli("simulate", "llm-serving", "--help").stdout.split()).replace("- ", "-")  # unwrap
    for words in ("roofline", "compute-bound", "memory-bound", "amortises", "paged", "Little"):
        assert words in helped, words


@pytest.mark.parametrize("args, needle", [
    (("--model-params-billion", "70"), "needs 140.0 GB of weights, more than the 72 GB left"),
    (("--context-window-tokens", "200000", "--gpu-memory-gb", "24", "--reserve-gb", "2"),
     "less than one --context-window-tokens 200,000 request"),
    (("--rate", "50000"), "--rate 50000 requests/s is more than 20×"),
    (("--prompt-tokens", "4000"), "exceed --context-window-tokens 4,096"),
    (("--requests", "100000", "--output-tokens", "1000"), "output tokens to simulate"),
    (("--weight-bytes-per-param", "8"), "--weight-bytes-per-param"),
])
def test_configurations_that_cannot_run_are_one_line_errors(run_cli, args, needle):
    run_cli("simulate", "llm-serving", *args).assert_bad_input(needle)


def test_library_refuses_what_the_cli_would():
    with pytest.raises(BadInputError, match="--length-dist"):
        m.simulate_llm_serving(length_dist="uniform")
    with pytest.raises(BadInputError, match="--block-tokens"):
        # 2.62 GB of cache is 5,000 tokens: one 4,096-token request fits, one 8,192-token block does not
        m.simulate_llm_serving(block_tokens=8192, gpu_memory_gb=16.62144, reserve_gb=0, context_window_tokens=4096,
                               prompt_tokens=100, output_tokens=100)


def test_a_model_too_big_for_one_gpu_names_a_tensor_parallel_replica_that_runs(run_cli):
    """The error says how to simulate a TP replica (n GPUs as one device, weights at most half its
    memory); the options it names are accepted and fit the weights."""
    import re

    res = run_cli("simulate", "llm-serving", "--model-params-billion", "70", "--model-layers", "80",
                  "--kv-heads", "8", "--requests", "200")
    res.assert_bad_input("tensor-parallel replica of 4 GPUs")
    named = re.search(r"(--gpu-memory-gb \S+) (--gpu-bandwidth-gb-s \S+) (--gpu-tflops \S+)", res.stderr)
    assert named is not None, res.stderr
    memory = float(named.group(1).split()[1])
    assert 0.5 * (memory - 8) >= 140  # 70B × 2 B fits in half of what the replica leaves after the reserve
    args = [a for group in named.groups() for a in group.split()]
    ok = run_cli("simulate", "llm-serving", "--model-params-billion", "70", "--model-layers", "80",
                 "--kv-heads", "8", "--requests", "200", *args, "--json")
    assert ok.code == 0, ok.stderr
