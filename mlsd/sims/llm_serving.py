"""Serving a large language model on one GPU: batching, the KV cache, latency and cost.

An interview on GenAI serving turns on a handful of numbers: how much of the GPU the
weights take, how many tokens of KV cache are left, how many requests that holds, how
fast a decode step is and why batching makes it cheaper per token. This module computes
them exactly (memory arithmetic) and runs a discrete-event model of one inference server
under Poisson traffic to show what the scheduler does with them:

- static batching (a plain `generate()` loop): take the waiting requests (up to the
  batch the KV cache holds at max-length reservation), prefill them padded to the longest
  prompt, decode until the longest output is done; arrivals wait for the whole batch.
- continuous batching (iteration-level scheduling, Orca): after every decode step the
  finished sequences leave and waiting requests join; each request still reserves KV
  memory for the full context window (contiguous allocation).
- continuous batching with paged attention (vLLM): the KV cache is cut into blocks of
  `block_tokens`, a sequence holds only the blocks its tokens fill, and when the cache is
  full the most recently admitted sequence is preempted and later recomputed.

The step-time model is a roofline: every iteration costs a fixed overhead plus the larger
of its memory time (read the weights once, plus every running sequence's KV cache, at the
GPU's bandwidth) and its compute time (2 × parameters FLOPs per token processed at a
fixed share of the GPU's peak). Prefill processes many tokens, so it is compute-bound:
time ∝ prompt tokens. A decode step processes one token per sequence, so at small batches
it is memory-bound: the weight read is paid once per step whatever the batch, which is why
batching amortises it. Quantisation shrinks the bytes read and the memory held.

The engine jumps from event to event (an admission, a finish, a preemption, an arrival at
an idle queue) and computes the decode steps between events as a vector, so its cost grows
with the number of requests, not of tokens.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import N_, _
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table

COMPUTE_EFFICIENCY = 0.5  # share of the GPU's peak FLOP/s a forward pass reaches (model FLOPs utilisation)
LENGTH_SIGMA = 0.8  # spread of the lognormal prompt and output lengths (their means are the options)
WATERMARK = 0.01  # share of KV blocks paged admission keeps free, so a new sequence is not preempted at once
POLICIES = (  # (name, batching, allocation)
    (N_("static"), "static", "contiguous"),  # names are values (--json); shown translated
    (N_("continuous"), "continuous", "contiguous"),
    (N_("continuous + paged"), "continuous", "paged"),
)
SWEEP_LOADS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.1, 1.3)  # offered load as a share of each policy's capacity
SWEEP_REQUESTS = 1000  # requests per point of the load sweep (the main run uses --requests)
WARMUP_SHARE = 0.1  # rates, L and W leave out the first 10 % of arrivals (an empty server)
SATURATED_PER_SLOT = 8  # a capacity run sends this many requests per sequence the GPU holds at once
SATURATED_REQUESTS = (2000, 20_000)  # … but at least the first and at most the second
ABSURD_LOAD = 20  # refuse an offered load this many times above what the GPU could ever produce
MAX_TOKENS = 20_000_000  # output tokens simulated per run (--requests × --output-tokens)
DRAFT_STEP_SHARE = 0.05  # speculative decoding: one draft-model step costs this share of a target step
SPEC_DRAFTS = (0, 1, 2, 4, 8)  # draft tokens per step shown in the speculative-decoding table
PRECISIONS = (  # (label, bytes per weight, bytes per KV value)
    (N_("fp16 weights, fp16 KV"), 2.0, 2.0),
    (N_("int8 weights, fp8 KV"), 1.0, 1.0),
    (N_("int4 weights, fp8 KV"), 0.5, 1.0),
)
GB = 1e9  # decimal, as GPU memory is sold


# --------------------------------------------------------------------------------------
# Memory arithmetic (exact)
# --------------------------------------------------------------------------------------


def kv_bytes_per_token(layers: int, kv_heads: int, head_dim: int, bytes_per_value: float) -> float:
    """Keys and values (2) for every layer and KV head: 2 × layers × kv_heads × head_dim × bytes."""
    return 2 * layers * kv_heads * head_dim * bytes_per_value


def weight_bytes(params_billion: float, bytes_per_param: float) -> float:
    """Bytes of the weights: parameters × bytes per parameter."""
    return params_billion * 1e9 * bytes_per_param


def kv_token_capacity(gpu_memory_gb: float, weights: float, reserve_gb: float, kv_per_token: float) -> int:
    """Tokens of KV cache that fit: ⌊(GPU memory − weights − reserve) ÷ KV bytes per token⌋ (≤ 0: none)."""
    free = gpu_memory_gb * GB - weights - reserve_gb * GB
    return max(0, math.floor(free / kv_per_token))


def contiguous_slots(capacity_tokens: int, context_window: int) -> int:
    """Requests that fit when each reserves the whole context window."""
    return capacity_tokens // context_window


def paged_blocks(capacity_tokens: int, block_tokens: int) -> int:
    return capacity_tokens // block_tokens


def blocks_for(tokens: np.ndarray | int, block_tokens: int) -> np.ndarray | int:
    """Blocks a sequence of `tokens` tokens holds under paged allocation: ⌈tokens ÷ block⌉."""
    return -(-tokens // block_tokens)


# --------------------------------------------------------------------------------------
# The GPU: step times
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gpu:
    """What the engine needs to know about the model on the GPU (SI units: bytes, s)."""

    weights: float  # bytes
    kv_per_token: float  # bytes
    bandwidth: float  # bytes/s
    token_rate: float  # tokens/s a compute-bound forward pass processes (2 × params FLOPs each)
    overhead: float  # s per iteration (scheduling, sampling, kernel launches)
    capacity_tokens: int  # KV-cache tokens that fit
    block_tokens: int
    max_batch: int
    max_prefill_tokens: int
    context_window: int

    @property
    def slots(self) -> int:
        return contiguous_slots(self.capacity_tokens, self.context_window)

    @property
    def blocks(self) -> int:
        return paged_blocks(self.capacity_tokens, self.block_tokens)

    def step(self, kv_tokens: float, tokens: float) -> float:
        """One iteration: overhead + max(memory time, compute time).

        Memory: read the weights once and `kv_tokens` tokens of KV cache. Compute: process
        `tokens` tokens (prefill prompts and one token per decoding sequence).
        """
        return self.overhead + max((self.weights + self.kv_per_token * kv_tokens) / self.bandwidth,
                                   tokens / self.token_rate)

    def decode_steps(self, n: int, kv_tokens: float, k: int) -> np.ndarray:
        """`k` consecutive decode steps of `n` sequences whose KV grows by n tokens a step."""
        first = (self.weights + self.kv_per_token * kv_tokens) / self.bandwidth  # memory time of the first
        growth = self.kv_per_token * n / self.bandwidth
        compute = n / self.token_rate
        if first >= compute:  # memory-bound from the first step, and memory only grows
            return (self.overhead + first) + growth * _counting(k)
        return self.overhead + np.maximum(first + growth * _counting(k), compute)


_COUNT = np.arange(4096, dtype=float)


def _counting(k: int) -> np.ndarray:
    """0, 1, …, k − 1 as floats: a view of one array, grown when needed (the engine asks ~10⁴ times a run)."""
    global _COUNT
    if k > len(_COUNT):
        _COUNT = np.arange(max(k, 2 * len(_COUNT)), dtype=float)
    return _COUNT[:k]


# --------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one policy did with one trace (plain arrays; summarised by `summarise`)."""

    first_token: np.ndarray  # time of each request's first output token (s)
    finish: np.ndarray  # time of its last token
    itl_values: np.ndarray  # inter-token gaps (s), each with a weight: how many tokens saw it
    itl_weights: np.ndarray
    token_times: np.ndarray  # end of every iteration and the tokens it emitted (for windowed throughput)
    token_counts: np.ndarray
    peak_sequences: int
    preemptions: int


class _Series:
    """Values with weights, appended one at a time or in chunks (one weight per chunk, or per value).

    Single values go to plain lists and chunks to lists of arrays: the engine appends tens of
    thousands of each, and a numpy array per single value would cost more than the step itself.
    """

    def __init__(self) -> None:
        self.one_values: list[float] = []
        self.one_weights: list[float] = []
        self.chunks: list[np.ndarray] = []  # each with one weight for all its values
        self.chunk_weights: list[float] = []
        self.chunk_lengths: list[int] = []
        self.weighted_chunks: list[np.ndarray] = []  # each with one weight per value
        self.value_weights: list[np.ndarray] = []

    def add_one(self, value: float, weight: float) -> None:
        self.one_values.append(value)
        self.one_weights.append(weight)

    def add(self, values: np.ndarray, weight: float | np.ndarray) -> None:
        if isinstance(weight, np.ndarray):
            self.weighted_chunks.append(values)
            self.value_weights.append(weight)
        else:
            self.chunks.append(values)
            self.chunk_weights.append(weight)
            self.chunk_lengths.append(len(values))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(values, weights), ordered by value: the order the quantiles and the time windows want."""
        values = np.concatenate([np.asarray(self.one_values, float), *self.chunks, *self.weighted_chunks])
        weights = np.concatenate([np.asarray(self.one_weights, float),
                                  np.repeat(np.asarray(self.chunk_weights, float), self.chunk_lengths),
                                  *self.value_weights]).astype(float)
        order = np.argsort(values, kind="stable")
        return values.astype(float)[order], weights[order]


def _pack(first, finish, itl: _Series, tokens: _Series, peak, preempted) -> Run:
    return Run(first, finish, *itl.arrays(), *tokens.arrays(), int(peak), int(preempted))


def run_static(arrivals: np.ndarray, prompts: np.ndarray, outputs: np.ndarray, gpu: Gpu) -> Run:
    """Static batching: FCFS batches of what has arrived, padded prefill, decode to the longest output.

    Each request reserves the full context window, so a batch holds at most `gpu.slots`
    requests. A request's own last token ends its response (streamed), but its slot is
    held, and computed on as padding, until the batch's longest output is done.
    """
    n_req = len(arrivals)
    first = np.empty(n_req)
    finish = np.empty(n_req)
    size = min(gpu.max_batch, gpu.slots)
    itl, tokens = _Series(), _Series()
    t, i, peak = 0.0, 0, 0
    while i < n_req:
        t = max(t, float(arrivals[i]))
        j = min(int(np.searchsorted(arrivals, t, side="right")), i + size)
        n = j - i
        peak = max(peak, n)
        pad = int(prompts[i:j].max())
        prefill = gpu.step(0, n * pad)
        first[i:j] = t + prefill
        out = outputs[i:j]
        steps = int(out.max()) - 1
        d = gpu.decode_steps(n, n * (pad + 1), steps)  # finished rows still run, as padding
        ends = t + prefill + np.cumsum(d)
        finish[i:j] = np.where(out > 1, ends[np.maximum(out - 2, 0)] if steps else 0.0, t + prefill)
        # gap k (0-based) is seen by every request with more than k + 1 output tokens
        still = n - np.cumsum(np.bincount(out - 1, minlength=steps + 1))[:steps]
        itl.add(d, still)
        tokens.add(np.concatenate(([t + prefill], ends)), np.concatenate(([n], still)))
        t = float(ends[-1]) if steps else t + prefill
        i = j
    return _pack(first, finish, itl, tokens, peak, 0)


def run_continuous(arrivals: np.ndarray, prompts: np.ndarray, outputs: np.ndarray, gpu: Gpu, *, paged: bool) -> Run:
    """Continuous batching: admit and retire sequences at every iteration.

    An iteration that admits requests prefills their prompts and runs one decode step for
    the sequences already running (they all get a token; their gap includes the prefill
    stall). Between admissions the decode steps are computed as a vector up to the next
    event. Contiguous: each sequence reserves the context window. Paged: sequences hold
    ⌈tokens ÷ block⌉ blocks; admission keeps a small watermark free; when the next step
    would not fit, the latest admitted sequence is preempted (freed, requeued at the
    front, its prompt and generated tokens recomputed when it returns).
    """
    n_req = len(arrivals)
    arr = arrivals.tolist()
    plist, olist = prompts.tolist(), outputs.tolist()
    first = np.full(n_req, np.nan)
    finish = np.full(n_req, np.nan)
    generated = [0] * n_req  # tokens produced before a preemption
    last_token = [0.0] * n_req
    waiting: deque[int] = deque()
    # The running sequences live in the first n slots of these arrays (order within is free).
    cap = min(gpu.max_batch, n_req)
    ctx = np.zeros(cap, np.int64)  # tokens of each running sequence (prompt + generated)
    rem = np.zeros(cap, np.int64)  # tokens each still has to produce
    rid = np.zeros(cap, np.int64)
    order = np.zeros(cap, np.int64)  # admission counter: the preemption victim is the largest
    n = 0
    kv = 0  # Σ ctx
    itl, tokens = _Series(), _Series()  # inter-token gaps; tokens emitted at each iteration's end
    block, blocks = gpu.block_tokens, gpu.blocks
    watermark = int(WATERMARK * blocks)
    t, i, done, admitted, peak, preempted = 0.0, 0, 0, 0, 0, 0
    while done < n_req:
        while i < n_req and arr[i] <= t:
            waiting.append(i)
            i += 1
        if n == 0 and not waiting:
            t = arr[i]
            continue
        new: list[int] = []
        if waiting and n < gpu.max_batch:
            ptoks = 0
            # Free blocks after this step: first a lower bound, Σ⌈(c + 1) ÷ B⌉ ≤ (Σc + n) ÷ B + n,
            # then the exact sum only if the bound would turn a request away.
            free = blocks - ((kv + n) // block + n) if paged else 0
            exact, spent = n == 0, 0
            while waiting and n + len(new) < gpu.max_batch:
                r = waiting[0]
                need = plist[r] + generated[r]
                if new and ptoks + need > gpu.max_prefill_tokens:
                    break
                if paged:
                    nb = blocks_for(need + 1, block)
                    if free - nb < watermark and (n or new) and not exact:
                        free, exact = blocks - int(blocks_for(ctx[:n] + 1, block).sum()) - spent, True
                    if free - nb < watermark and (n or new):
                        break
                    free -= nb
                    spent += nb
                elif n + len(new) >= gpu.slots:
                    break
                waiting.popleft()
                new.append(r)
                ptoks += need
        if new:
            d = gpu.step(kv, n + ptoks)
            t += d
            if n:
                itl.add_one(d, n)
                ctx[:n] += 1
                rem[:n] -= 1
                kv += n
            k = len(new)
            for j, r in enumerate(new, start=n):
                g = generated[r]
                if g == 0:
                    first[r] = t
                else:
                    itl.add_one(t - last_token[r], 1)  # the preempted sequence's wait and recompute
                ctx[j] = plist[r] + g + 1
                rem[j] = olist[r] - g - 1
                rid[j] = r
                order[j] = admitted
                admitted += 1
                kv += plist[r] + g + 1
            tokens.add_one(t, n + k)
            n += k
            ended = True  # an admitted or running sequence may have produced its last token
        else:
            steps = int(rem[:n].min())
            ended = True  # unless the segment stops early (below)
            if (paged and (kv + n * steps) // block + n > blocks  # the bound above; then the exact sum
                    and int(blocks_for(ctx[:n] + steps, block).sum()) > blocks):
                lo, hi = 0, steps  # the last step count that fits: blocks(lo) ≤ total < blocks(hi)
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if int(blocks_for(ctx[:n] + mid, block).sum()) <= blocks:
                        lo = mid
                    else:
                        hi = mid
                if lo == 0:  # the next step does not fit: preempt the latest admitted sequence
                    v = int(np.argmax(order[:n]))
                    r = int(rid[v])
                    generated[r] = olist[r] - int(rem[v])
                    last_token[r] = t
                    waiting.appendleft(r)
                    kv -= int(ctx[v])
                    n -= 1  # the last slot fills the victim's
                    ctx[v], rem[v], rid[v], order[v] = ctx[n], rem[n], rid[n], order[n]
                    preempted += 1
                    continue
                steps, ended = lo, False
            if steps == 1:  # most segments between events are short: skip the vector set-up
                d1 = gpu.step(kv, n)
                t += d1
                itl.add_one(d1, n)
                tokens.add_one(t, n)
            else:
                d = gpu.decode_steps(n, kv, steps)
                ends = t + np.cumsum(d)
                if not waiting and i < n_req:  # stop at the first boundary after the next arrival
                    cut = int(np.searchsorted(ends, arr[i]))
                    if cut < steps:
                        ended = cut + 1 == steps
                        steps = cut + 1
                        d, ends = d[:steps], ends[:steps]
                itl.add(d, n)
                tokens.add(ends, n)
                t = float(ends[-1])
            ctx[:n] += steps
            rem[:n] -= steps
            kv += n * steps
        peak = max(peak, n)
        gone = rem[:n] == 0 if ended else None  # sequences that produced their last token
        if gone is not None and gone.any():
            finish[rid[:n][gone]] = t
            left = n - int(gone.sum())
            done += n - left
            kv -= int(ctx[:n][gone].sum())
            keep = ~gone
            ctx[:left], rem[:left], rid[:left], order[:left] = ctx[:n][keep], rem[:n][keep], rid[:n][keep], order[:n][keep]
            n = left
    return _pack(first, finish, itl, tokens, peak, preempted)


def run_policy(batching: str, allocation: str, arrivals, prompts, outputs, gpu: Gpu) -> Run:
    if batching == "static":
        return run_static(arrivals, prompts, outputs, gpu)
    return run_continuous(arrivals, prompts, outputs, gpu, paged=allocation == "paged")


# --------------------------------------------------------------------------------------
# Statistics of a run
# --------------------------------------------------------------------------------------


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of `values` where value k counts `weights[k]` times (nan when empty)."""
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if not len(values):
        return math.nan
    idx = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[idx])
    return float(values[idx][min(int(np.searchsorted(cum, q * cum[-1])), len(cum) - 1)])


def time_average_in_system(arrivals: np.ndarray, departures: np.ndarray, start: float, end: float) -> float:
    """Time-average number of requests in the system over [start, end].

    N(t) steps +1 at each arrival and −1 at each departure; its integral over the window
    divided by the window's length. The L of Little's law, measured as a time average
    rather than from the requests' own times.
    """
    times = np.concatenate((arrivals, departures))
    steps = np.concatenate((np.ones(len(arrivals)), -np.ones(len(departures))))
    idx = np.argsort(times, kind="stable")
    times, level = times[idx], np.cumsum(steps[idx])
    # N is level[k] on [times[k], times[k+1]); clip those intervals to the window
    lo = np.clip(times[:-1], start, end)
    hi = np.clip(times[1:], start, end)
    return float(np.sum(level[:-1] * (hi - lo)) / (end - start))


def steady_window(arrivals: np.ndarray, first_token: np.ndarray) -> tuple[float, float, float]:
    """(start, last arrival, end) of the window a run is measured over.

    It starts at the arrival of the first request after the warm-up (the first WARMUP_SHARE
    meet an empty server). Arrivals are counted up to the last one; tokens up to the later
    of that and the last admission (the last first token): an overloaded server is still
    saturated, working off its queue, until then; after it the server only drains.
    """
    start = float(arrivals[int(len(arrivals) * WARMUP_SHARE)])
    last = float(arrivals[-1])
    return start, last, max(last, float(np.nanmax(first_token)))


@dataclass(frozen=True)
class PolicyStats:
    policy: str
    offered_tokens_per_s: float  # output tokens of the requests arriving in the window ÷ its arrival span
    throughput_tokens_per_s: float  # output tokens emitted in the window ÷ its length
    ttft_p50_ms: float
    ttft_p99_ms: float
    itl_p50_ms: float
    itl_p99_ms: float
    e2e_p99_ms: float  # arrival → last token
    peak_sequences: int
    arrival_rate: float  # λ: requests/s arriving in the window (gaps between arrivals ÷ their span)
    mean_time_in_system_s: float  # W: arrival → last token, requests arriving in the window
    mean_in_system: float  # L: time average from the window's start to the last arrival (Little's law)
    preemptions: int


def summarise(policy: str, arrivals: np.ndarray, outputs: np.ndarray, run: Run) -> PolicyStats:
    """Latency percentiles over every request; rates, L and W over the steady window."""
    ttft = run.first_token - arrivals
    e2e = run.finish - arrivals
    start, last, end = steady_window(arrivals, run.first_token)
    arrived = arrivals >= start
    emitted = (run.token_times > start) & (run.token_times <= end)
    return PolicyStats(
        policy=policy,
        offered_tokens_per_s=float(outputs[arrived].sum()) / (last - start),
        throughput_tokens_per_s=float(run.token_counts[emitted].sum()) / (end - start),
        ttft_p50_ms=float(np.quantile(ttft, 0.5)) * 1000,
        ttft_p99_ms=float(np.quantile(ttft, 0.99)) * 1000,
        itl_p50_ms=weighted_quantile(run.itl_values, run.itl_weights, 0.5) * 1000,
        itl_p99_ms=weighted_quantile(run.itl_values, run.itl_weights, 0.99) * 1000,
        e2e_p99_ms=float(np.quantile(e2e, 0.99)) * 1000,
        peak_sequences=run.peak_sequences,
        arrival_rate=(int(arrived.sum()) - 1) / (last - start),
        mean_time_in_system_s=float(e2e[arrived].mean()),
        mean_in_system=time_average_in_system(arrivals, run.finish, start, last),
        preemptions=run.preemptions,
    )


def saturated_throughput(run: Run) -> float:
    """Output tokens/s while the queue is still full: between the 30th and 70th percentile finish.

    A capacity run sends every request at t = 0 and SATURATED_PER_SLOT times as many as
    the GPU holds, so in that window the batch is as full as the policy makes it; the
    first 30 % let the start (every sequence at its prompt) wash out.
    """
    lo, hi = np.quantile(run.finish, [0.3, 0.7])
    if hi <= lo:  # most requests finish together (one static batch): the whole run's average
        return float(run.token_counts.sum() / run.token_times.max())
    inside = (run.token_times > lo) & (run.token_times <= hi)
    return float(run.token_counts[inside].sum() / (hi - lo))


# --------------------------------------------------------------------------------------
# Traffic
# --------------------------------------------------------------------------------------


def lengths(rng: np.random.Generator, dist: str, mean: float, n: int) -> np.ndarray:
    """`n` token counts (≥ 1) with mean about `mean` (before the context-window clip)."""
    if dist == "constant":
        return np.full(n, max(1, round(mean)), dtype=np.int64)
    if dist == "exponential":
        return np.maximum(1, np.ceil(rng.exponential(mean, n))).astype(np.int64)
    mu = math.log(mean) - LENGTH_SIGMA**2 / 2
    return np.maximum(1, np.rint(rng.lognormal(mu, LENGTH_SIGMA, n))).astype(np.int64)


def make_trace(seed: int, rate: float, n: int, dist: str, prompt_mean: float, output_mean: float,
               context_window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson arrival times (s), prompt and output lengths, clipped so each fits the context window."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / rate, n)
    prompts = np.minimum(lengths(rng, dist, prompt_mean, n), context_window - 1)
    outputs = np.minimum(lengths(rng, dist, output_mean, n), context_window - prompts)
    return np.cumsum(gaps), prompts, outputs


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    """One batching policy at the offered load, its capacity and the fleet a target load needs."""

    at_load: PolicyStats
    capacity_tokens_per_s: float  # saturated output tokens/s of one GPU
    capacity_peak_sequences: int  # concurrent sequences at saturation
    sustainable_tokens_per_s: float  # highest swept load carried within the TTFT SLO (0: none)
    gpus_for_target: int  # 0: the SLO is out of reach at every swept load
    cost_per_million_tokens: float  # $ per 1M output tokens for that fleet at the target load (nan: none)


@dataclass(frozen=True)
class SweepPoint:
    policy: str
    load_share: float  # of this policy's capacity
    offered_tokens_per_s: float
    throughput_tokens_per_s: float
    ttft_p99_ms: float
    itl_p99_ms: float
    meets_slo: bool  # below capacity (share < 1) and TTFT p99 within the SLO


@dataclass(frozen=True)
class PrecisionRow:
    label: str
    weight_bytes_per_param: float
    kv_bytes_per_value: float
    weights_gb: float
    kv_bytes_per_token: float
    kv_tokens: int  # 0: the weights do not fit
    paged_requests: int  # requests at mean length (prompt + output) the paged cache holds
    step_ms_batch_1: float
    step_ms_full: float  # decode step at the batch the paged cache holds (max --max-batch)
    decode_tokens_per_s: float  # analytic roofline at that batch


@dataclass(frozen=True)
class SpecRow:
    draft_tokens: int
    tokens_per_step: float  # (1 − α^(k+1)) ÷ (1 − α)
    step_ms_batch_1: float
    speedup_batch_1: float
    step_ms_full: float
    speedup_full: float


@dataclass(frozen=True)
class LlmServingResult(SimResult):
    rate: float
    requests: int
    prompt_tokens_mean: float  # realised, after the clip to the context window
    output_tokens_mean: float
    context_window_tokens: int
    # memory arithmetic
    weights_bytes: float
    kv_bytes_per_token: float
    reserve_bytes: float
    gpu_memory_bytes: float
    kv_capacity_tokens: int
    contiguous_slots: int  # requests at max-length reservation
    paged_blocks: int
    block_tokens: int
    paged_requests_at_mean: int  # requests at mean final length that the blocks hold
    paged_to_contiguous: float  # ratio the arithmetic predicts
    # step model
    prefill_tokens_per_s: float
    decode_step_ms_batch_1: float
    # the policies
    policies: tuple[PolicyRow, ...]
    sweep: tuple[SweepPoint, ...]
    precisions: tuple[PrecisionRow, ...]
    speculative: tuple[SpecRow, ...]
    spec_acceptance: float
    target_tokens_per_s: float
    ttft_slo_ms: float
    gpu_hourly_cost_usd: float

    def policy(self, name: str) -> PolicyRow:
        return next(p for p in self.policies if p.at_load.policy == name)

    def tables(self) -> list[Table]:
        gb = 1 / GB
        mem = table(
            _("KV-cache memory (exact arithmetic)"),
            [_("quantity"), _("value"), _("arithmetic")],
            [
                [_("weights"), f"{self.weights_bytes * gb:,.2f} GB", _("parameters × bytes per parameter")],
                [_("KV bytes per token"), f"{self.kv_bytes_per_token:,.0f} B",
                 _("2 (K and V) × layers × kv_heads × head_dim × bytes per value")],
                [_("KV-cache tokens that fit"), self.kv_capacity_tokens,
                 _("⌊({memory} GB − {weights} GB weights − {reserve} GB reserve) ÷ {per_token} B⌋").format(
                     memory=f"{self.gpu_memory_bytes * gb:g}", weights=f"{self.weights_bytes * gb:,.2f}",
                     reserve=f"{self.reserve_bytes * gb:g}", per_token=f"{self.kv_bytes_per_token:,.0f}")],
                [_("requests, contiguous (max-length reservation)"), self.contiguous_slots,
                 _("⌊{tokens} ÷ {window} context window⌋").format(tokens=f"{self.kv_capacity_tokens:,}",
                                                                  window=f"{self.context_window_tokens:,}")],
                [_("paged blocks"), self.paged_blocks,
                 _("⌊{tokens} ÷ {block} tokens per block⌋").format(tokens=f"{self.kv_capacity_tokens:,}",
                                                                   block=self.block_tokens)],
                [_("requests, paged (each at mean final length)"), self.paged_requests_at_mean,
                 _("⌊{blocks} ÷ ⌈{length} ÷ {block}⌉ blocks⌋").format(
                     blocks=f"{self.paged_blocks:,}", length=f"{self.prompt_tokens_mean + self.output_tokens_mean:,.0f}",
                     block=self.block_tokens)],
                [_("paged ÷ contiguous"), f"{self.paged_to_contiguous:.2f}×", _("requests held at once")],
            ],
            note=_("GB = 10⁹ bytes. The reserve is what the weights and the cache cannot use: activations, the CUDA "
                   "context, fragmentation."),
        )
        per = table(
            _("Batching policies at {rate} requests/s ({tokens} output tokens/s offered)").format(
                rate=f"{self.rate:g}", tokens=f"{self.rate * self.output_tokens_mean:,.0f}"),
            [_("policy"), _("throughput tok/s"), _("capacity tok/s"), _("TTFT p50 ms"), _("TTFT p99 ms"),
             _("ITL p50 ms"), _("ITL p99 ms"), _("max concurrent seqs")],
            [[_(p.at_load.policy), p.at_load.throughput_tokens_per_s, p.capacity_tokens_per_s, p.at_load.ttft_p50_ms,
              p.at_load.ttft_p99_ms, p.at_load.itl_p50_ms, p.at_load.itl_p99_ms, p.capacity_peak_sequences]
             for p in self.policies],
            note=_("Same {requests} requests for every policy. Throughput: output tokens emitted from the arrival "
                   "{warmup} of the way in to the last arrival (or the last admission, if later), ÷ that time. "
                   "Capacity: output tokens/s with the queue never empty; max concurrent sequences: at capacity. "
                   "TTFT: arrival → first output token; ITL: the gap between a sequence's tokens, each token counted "
                   "once.").format(requests=f"{self.requests:,}", warmup=f"{WARMUP_SHARE:.0%}"),
        )
        fleet = table(
            _("GPUs for {target} output tokens/s within a {slo} ms TTFT p99").format(
                target=f"{self.target_tokens_per_s:,.0f}", slo=f"{self.ttft_slo_ms:g}"),
            [_("policy"), _("capacity tok/s per GPU"), _("sized load tok/s per GPU"), _("GPUs"), _("fleet $ per hour"),
             _("$ per 1M output tokens")],
            [[_(p.at_load.policy), p.capacity_tokens_per_s, p.sustainable_tokens_per_s or _("SLO out of reach"),
              p.gpus_for_target or "—", p.gpus_for_target * self.gpu_hourly_cost_usd if p.gpus_for_target else None,
              None if math.isnan(p.cost_per_million_tokens) else round(p.cost_per_million_tokens, 3)]
             for p in self.policies],
            note=_("Sized load: the highest swept load below capacity whose TTFT p99 is within the SLO. GPUs = ⌈target "
                   "÷ sized load⌉; $ per 1M = GPUs × ${price}/h ÷ (target × 3,600 s) × 10⁶ (the fleet paid for a whole "
                   "hour at the target load).").format(price=f"{self.gpu_hourly_cost_usd:g}"),
        )
        checks = table(
            _("Little's law on the simulated traces (L = λ × W)"),
            [_("policy"), _("λ arrivals/s"), _("W mean time in system s"), "λ × W", _("L time-average in system"),
             "L ÷ (λ × W)", _("preemptions")],
            [[_(p.at_load.policy), p.at_load.arrival_rate, p.at_load.mean_time_in_system_s,
              p.at_load.arrival_rate * p.at_load.mean_time_in_system_s, p.at_load.mean_in_system,
              _ratio(p.at_load.mean_in_system, p.at_load.arrival_rate * p.at_load.mean_time_in_system_s),
              p.at_load.preemptions] for p in self.policies],
            note=_("From the arrival {warmup} of the way in to the last arrival: λ the arrivals per second (the "
                   "trace's own, around the offered {rate}), W the mean of each request's arrival → last token, L the "
                   "time average of the number of requests in the system; they agree when the policy keeps up. An "
                   "overloaded policy's queue grows for the whole run, so its L and W depend on the run's length and "
                   "the ratio drifts from 1.").format(warmup=f"{WARMUP_SHARE:.0%}", rate=f"{self.rate:g}"),
        )
        names = [policy[0] for policy in POLICIES]
        by = {(sp.policy, sp.load_share): sp for sp in self.sweep}
        column = {"tok/s": _("{policy} tok/s"), "TTFT p99 ms": _("{policy} TTFT p99 ms")}
        sweep = table(
            _("Load sweep: throughput and TTFT p99 against offered load (a share of each policy's capacity)"),
            [_("load ÷ capacity"), *(column[col].format(policy=_(n)) for n in names for col in ("tok/s", "TTFT p99 ms"))],
            [[share, *(v for n in names for v in (by[n, share].throughput_tokens_per_s, by[n, share].ttft_p99_ms))]
             for share in SWEEP_LOADS],
            note=_("{requests} requests per point, the same trace stretched to each rate. A load sizes the fleet when "
                   "it is below capacity (past it the queue grows without bound, whatever a finite run shows) and its "
                   "TTFT p99 is within the SLO.").format(requests=f"{SWEEP_REQUESTS:,}"),
        )
        prec = table(
            _("Quantisation: memory and decode speed (analytic roofline)"),
            [_("precision"), _("weights GB"), _("KV B/token"), _("KV tokens"), _("paged requests"), _("step ms batch 1"),
             _("step ms full batch"), _("decode tok/s full batch")],
            [[_(r.label), r.weights_gb, r.kv_bytes_per_token, r.kv_tokens or _("weights do not fit"),
              r.paged_requests, r.step_ms_batch_1, r.step_ms_full, r.decode_tokens_per_s] for r in self.precisions],
            note=_("Weight-only quantisation assumed for compute: prefill FLOP/s unchanged, bytes read per step shrink. "
                   "Full batch: the requests the paged cache holds at mean final length (at most --max-batch), each at "
                   "mean context prompt + output ÷ 2."),
        )
        spec = table(
            _("Speculative decoding at acceptance rate {rate} (analytic)").format(rate=f"{self.spec_acceptance:g}"),
            [_("draft tokens k"), _("tokens per step"), _("step ms batch 1"), _("speed-up batch 1"),
             _("step ms full batch"), _("speed-up full batch")],
            [[r.draft_tokens, r.tokens_per_step, r.step_ms_batch_1, r.speedup_batch_1, r.step_ms_full,
              r.speedup_full] for r in self.speculative],
            note=_("Tokens per step (1 − α^(k+1)) ÷ (1 − α) (Leviathan et al. 2023); a step = k draft steps ({share} of "
                   "a target step each) + one target pass verifying k + 1 tokens per sequence. Speed-up: tokens per "
                   "second against k = 0 at the same batch.").format(share=f"{DRAFT_STEP_SHARE:.0%}"),
        )
        return [mem, per, fleet, checks, sweep, prec, spec]

    def charts(self) -> list[Chart]:
        thr, ttft = [], []
        top = 0.0
        for name in (policy[0] for policy in POLICIES):
            pts = [s for s in self.sweep if s.policy == name]
            xs = [s.offered_tokens_per_s for s in pts]
            top = max([top, *xs])
            thr.append(series(_(name), xs, [s.throughput_tokens_per_s for s in pts]))
            ttft.append(series(_(name), xs, [s.ttft_p99_ms for s in pts]))
        thr.append(series(_("throughput = offered"), [0.0, top], [0.0, top]))
        return [
            Chart(
                name="llm-throughput-vs-load",
                title=_("Output tokens/s against offered load, one GPU"),
                x_label=_("offered load (output tokens/s)"),
                y_label=_("throughput (output tokens/s)"),
                series=tuple(thr),
            ),
            Chart(
                name="llm-ttft-vs-load",
                title=_("Time to first token (p99) against offered load"),
                x_label=_("offered load (output tokens/s)"),
                y_label="TTFT p99 (ms)",
                series=tuple(ttft),
                y_log=True,
                hlines=((self.ttft_slo_ms, f"SLO {self.ttft_slo_ms:g} ms"),),
            ),
        ]

    def reading(self) -> list[str]:
        static, cont, paged = (self.policy(policy[0]) for policy in POLICIES)
        gb = 1 / GB
        out = [
            _("The weights take {weights} GB and each token of context {per_token} MB of KV cache, so {tokens} tokens "
              "fit: {slots} requests if each reserves the {window}-token window, about {paged} if paged blocks hold "
              "only the tokens a request has.").format(
                weights=f"{self.weights_bytes * gb:,.1f}", per_token=f"{self.kv_bytes_per_token / 1e6:.2f}",
                tokens=f"{self.kv_capacity_tokens:,}", slots=self.contiguous_slots,
                window=f"{self.context_window_tokens:,}", paged=self.paged_requests_at_mean),
            _("Continuous batching carries {continuous} output tokens/s against static batching's {static}, because "
              "finished sequences leave and new ones join at every step instead of idling as padding; paged "
              "allocation raises it to {paged} by running {paged_seqs} sequences at once instead of {continuous_seqs}: "
              "a decode step reads the weights once for the whole batch, so more sequences per step is more tokens "
              "per second.").format(
                continuous=f"{cont.capacity_tokens_per_s:,.0f}", static=f"{static.capacity_tokens_per_s:,.0f}",
                paged=f"{paged.capacity_tokens_per_s:,.0f}", paged_seqs=paged.capacity_peak_sequences,
                continuous_seqs=cont.capacity_peak_sequences),
        ]
        worst = max(self.policies, key=lambda p: p.at_load.ttft_p99_ms)
        if self.rate * self.output_tokens_mean >= worst.capacity_tokens_per_s:
            out.append(_(
                "At {rate} requests/s {policy} batching is past its capacity: its queue grows for the whole run and "
                "the TTFT p99 reaches {ttft} s, against {paged} ms with paged continuous batching. Past capacity "
                "throughput flattens while the wait grows without bound, so size for the load, not for the average."
            ).format(rate=f"{self.rate:g}", policy=_(worst.at_load.policy),
                     ttft=f"{worst.at_load.ttft_p99_ms / 1000:,.1f}", paged=f"{paged.at_load.ttft_p99_ms:,.0f}"))
        else:
            out.append(_(
                "At {rate} requests/s every policy keeps up; the TTFT p99 is {static} ms static, {continuous} ms "
                "continuous and {paged} ms paged. Past its capacity a policy's throughput flattens while the wait "
                "grows without bound (the sweep)."
            ).format(rate=f"{self.rate:g}", static=f"{static.at_load.ttft_p99_ms:,.0f}",
                     continuous=f"{cont.at_load.ttft_p99_ms:,.0f}", paged=f"{paged.at_load.ttft_p99_ms:,.0f}"))
        if cont.at_load.itl_p99_ms > 1.5 * static.at_load.itl_p99_ms:
            out.append(_(
                "Continuous batching pays in the inter-token tail: ITL p99 {continuous} ms against {static} ms static, "
                "because running sequences wait while newly admitted prompts prefill; chunked prefill (not modelled "
                "here) caps that stall by splitting long prompts over several steps."
            ).format(continuous=f"{cont.at_load.itl_p99_ms:,.0f}", static=f"{static.at_load.itl_p99_ms:,.0f}"))
        if paged.gpus_for_target:
            serving = _(
                "Serving {target} output tokens/s within a {slo} ms TTFT p99 takes {gpus} GPUs with paged continuous "
                "batching, ${cost} per million output tokens at ${price}/h"
            ).format(target=f"{self.target_tokens_per_s:,.0f}", slo=f"{self.ttft_slo_ms:g}", gpus=paged.gpus_for_target,
                     cost=f"{paged.cost_per_million_tokens:,.2f}", price=f"{self.gpu_hourly_cost_usd:g}")
            out.append(serving + (_(", against {gpus} GPUs static.").format(gpus=static.gpus_for_target)
                                  if static.gpus_for_target else
                                  _("; static batching cannot meet that TTFT at any swept load.")))
        best = max(self.speculative, key=lambda r: r.speedup_batch_1)
        if best.draft_tokens:
            out.append(_(
                "Speculative decoding with {k} draft tokens at acceptance {rate} speeds one sequence up {one}× but a "
                "full batch {full}×: it spends spare compute, which a small batch has and a full one does not."
            ).format(k=best.draft_tokens, rate=f"{self.spec_acceptance:g}", one=f"{best.speedup_batch_1:.2f}",
                     full=f"{best.speedup_full:.2f}"))
        return out

def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


# --------------------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------------------


def _gpu(*, params_billion, weight_bpp, layers, kv_heads, head_dim, kv_bpv, memory_gb, reserve_gb, bandwidth_gb_s,
         tflops, overhead_ms, block_tokens, max_batch, max_prefill_tokens, context_window) -> Gpu:
    weights = weight_bytes(params_billion, weight_bpp)
    per_token = kv_bytes_per_token(layers, kv_heads, head_dim, kv_bpv)
    return Gpu(
        weights=weights,
        kv_per_token=per_token,
        bandwidth=bandwidth_gb_s * GB,
        token_rate=tflops * 1e12 * COMPUTE_EFFICIENCY / (2 * params_billion * 1e9),
        overhead=overhead_ms / 1000,
        capacity_tokens=kv_token_capacity(memory_gb, weights, reserve_gb, per_token),
        block_tokens=block_tokens,
        max_batch=max_batch,
        max_prefill_tokens=max_prefill_tokens,
        context_window=context_window,
    )


def _full_batch(gpu: Gpu, prompt_mean: float, output_mean: float) -> tuple[int, float]:
    """(sequences, KV tokens they hold) of a full paged batch, each at mean context prompt + output ÷ 2."""
    n = min(gpu.max_batch, paged_blocks(gpu.capacity_tokens, gpu.block_tokens)
            // max(1, int(blocks_for(math.ceil(prompt_mean + output_mean), gpu.block_tokens))))
    return max(n, 1), max(n, 1) * (prompt_mean + output_mean / 2)


def speculative_rows(gpu: Gpu, alpha: float, prompt_mean: float, output_mean: float) -> tuple[SpecRow, ...]:
    """Mean tokens per step and step time with k draft tokens, at batch 1 and at a full batch."""
    n_full, kv_full = _full_batch(gpu, prompt_mean, output_mean)
    kv_one = prompt_mean + output_mean / 2
    rows = []
    base = {}
    for k in SPEC_DRAFTS:
        per_step = k + 1.0 if alpha >= 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
        steps = []
        for n, kv_tokens in ((1, kv_one), (n_full, kv_full)):
            target = gpu.step(kv_tokens, n)
            steps.append(k * DRAFT_STEP_SHARE * target + gpu.step(kv_tokens, n * (k + 1)))
        rate1, rate_full = per_step / steps[0], n_full * per_step / steps[1]
        if k == 0:
            base = {"one": rate1, "full": rate_full}
        rows.append(SpecRow(k, per_step, steps[0] * 1000, rate1 / base["one"], steps[1] * 1000,
                            rate_full / base["full"]))
    return tuple(rows)


def precision_rows(gpu_args: dict, prompt_mean: float, output_mean: float, configured: tuple[float, float]) -> tuple[PrecisionRow, ...]:
    """The memory arithmetic and the decode roofline at fp16, int8/fp8 and int4 (and the configured precision)."""
    choices = list(PRECISIONS)
    if configured not in [(w, k) for _, w, k in PRECISIONS]:
        choices.append((f"configured: {configured[0]:g} B weights, {configured[1]:g} B KV", *configured))
    rows = []
    for label, wb, kb in choices:
        g = _gpu(**{**gpu_args, "weight_bpp": wb, "kv_bpv": kb})
        n, kv_tokens = _full_batch(g, prompt_mean, output_mean)
        fits = g.capacity_tokens >= g.context_window
        full = g.step(kv_tokens, n) if fits else math.nan
        rows.append(PrecisionRow(
            label, wb, kb, g.weights / GB, g.kv_per_token, g.capacity_tokens if fits else 0,
            n if fits else 0, g.step(prompt_mean + output_mean / 2, 1) * 1000, full * 1000,
            n / full if fits else math.nan))
    return tuple(rows)


def simulate_llm_serving(
    *,
    rate: float = 5.0,
    requests: int = 2000,
    prompt_tokens: int = 512,
    output_tokens: int = 256,
    length_dist: str = "lognormal",
    context_window_tokens: int = 4096,
    model_params_billion: float = 7.0,
    model_layers: int = 32,
    kv_heads: int = 32,
    head_dim: int = 128,
    weight_bytes_per_param: float = 2.0,
    kv_bytes_per_value: float = 2.0,
    gpu_memory_gb: float = 80.0,
    reserve_gb: float = 8.0,
    gpu_bandwidth_gb_s: float = 2039.0,
    gpu_tflops: float = 312.0,
    step_overhead_ms: float = 2.0,
    block_tokens: int = 16,
    max_batch: int = 256,
    max_prefill_tokens: int = 8192,
    target_tokens_per_s: float = 20_000.0,
    ttft_slo_ms: float = 2000.0,
    gpu_hourly_cost_usd: float = 2.0,
    spec_acceptance: float = 0.7,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> LlmServingResult:
    """Simulate one GPU serving an LLM under static, continuous and paged continuous batching."""
    def whole(name: str, value: int, low: int, high: int) -> None:
        check_range(name, value, low, high, low_inclusive=True, high_inclusive=True)

    check_range("rate", rate, 1e-4, 1e5, low_inclusive=True, high_inclusive=True)
    whole("requests", requests, 100, 100_000)
    whole("prompt_tokens", prompt_tokens, 1, 1_048_576)
    whole("output_tokens", output_tokens, 1, 1_048_576)
    whole("context_window_tokens", context_window_tokens, 2, 1_048_576)
    check_range("model_params_billion", model_params_billion, 0, 10_000, high_inclusive=True)
    whole("model_layers", model_layers, 1, 1000)
    whole("kv_heads", kv_heads, 1, 1024)
    whole("head_dim", head_dim, 1, 4096)
    check_range("weight_bytes_per_param", weight_bytes_per_param, 0.125, 4, low_inclusive=True, high_inclusive=True)
    check_range("kv_bytes_per_value", kv_bytes_per_value, 0.125, 4, low_inclusive=True, high_inclusive=True)
    check_range("gpu_memory_gb", gpu_memory_gb, 0, 100_000, high_inclusive=True)
    check_range("reserve_gb", reserve_gb, 0, 100_000, low_inclusive=True, high_inclusive=True)
    check_range("gpu_bandwidth_gb_s", gpu_bandwidth_gb_s, 0, 1e6, high_inclusive=True)
    check_range("gpu_tflops", gpu_tflops, 0, 1e6, high_inclusive=True)
    check_range("step_overhead_ms", step_overhead_ms, 0, 10_000, low_inclusive=True, high_inclusive=True)
    whole("block_tokens", block_tokens, 1, 65_536)
    whole("max_batch", max_batch, 1, 100_000)
    whole("max_prefill_tokens", max_prefill_tokens, 1, 10_000_000)
    check_range("target_tokens_per_s", target_tokens_per_s, 0, 1e10, high_inclusive=True)
    check_range("ttft_slo_ms", ttft_slo_ms, 0, 3_600_000, high_inclusive=True)
    check_range("gpu_hourly_cost_usd", gpu_hourly_cost_usd, 0, 10_000, low_inclusive=True, high_inclusive=True)
    check_range("spec_acceptance", spec_acceptance, 0, 1, low_inclusive=True, high_inclusive=True)
    if length_dist not in ("lognormal", "exponential", "constant"):
        raise BadInputError(f"--length-dist must be one of lognormal, exponential, constant, got {length_dist!r}")
    if prompt_tokens + output_tokens > context_window_tokens:
        raise BadInputError(
            f"--prompt-tokens {prompt_tokens:,} + --output-tokens {output_tokens:,} exceed --context-window-tokens "
            f"{context_window_tokens:,}; shorten them or raise the window")
    if requests * output_tokens > MAX_TOKENS:
        raise BadInputError(
            f"--requests {requests:,} × --output-tokens {output_tokens:,} = {requests * output_tokens:,} output tokens "
            f"to simulate, more than {MAX_TOKENS:,}; lower one of them")
    gpu_args = dict(
        params_billion=model_params_billion, weight_bpp=weight_bytes_per_param, layers=model_layers,
        kv_heads=kv_heads, head_dim=head_dim, kv_bpv=kv_bytes_per_value, memory_gb=gpu_memory_gb,
        reserve_gb=reserve_gb, bandwidth_gb_s=gpu_bandwidth_gb_s, tflops=gpu_tflops, overhead_ms=step_overhead_ms,
        block_tokens=block_tokens, max_batch=max_batch, max_prefill_tokens=max_prefill_tokens,
        context_window=context_window_tokens)
    gpu = _gpu(**gpu_args)
    usable = gpu_memory_gb - reserve_gb
    if usable <= 0:
        raise BadInputError(f"--reserve-gb {reserve_gb:g} leaves nothing of --gpu-memory-gb {gpu_memory_gb:g}; lower it")
    if gpu.weights >= usable * GB:
        # Tensor parallelism is not modelled, but a TP replica of n GPUs behaves as one device with n times the
        # memory, bandwidth and FLOP/s: say how many keep the weights to half the memory, leaving room for KV.
        n = 2
        while gpu.weights > 0.5 * (n * gpu_memory_gb - reserve_gb) * GB and n < 1024:
            n *= 2
        raise BadInputError(
            f"--model-params-billion {model_params_billion:g} at --weight-bytes-per-param {weight_bytes_per_param:g} "
            f"needs {gpu.weights / GB:,.1f} GB of weights, more than the {usable:g} GB left of --gpu-memory-gb "
            f"{gpu_memory_gb:g} after --reserve-gb {reserve_gb:g}; quantise (--weight-bytes-per-param 0.5 is int4), "
            f"use a GPU with more memory, or simulate a tensor-parallel replica of {n} GPUs as one device: "
            f"--gpu-memory-gb {n * gpu_memory_gb:g} --gpu-bandwidth-gb-s {n * gpu_bandwidth_gb_s:g} "
            f"--gpu-tflops {n * gpu_tflops:g} and {n}× --gpu-hourly-cost-usd (each \"GPU\" of the results is then "
            "one replica)")
    if gpu.slots < 1:
        raise BadInputError(
            f"the KV cache holds {gpu.capacity_tokens:,} tokens ({gpu.kv_per_token:,.0f} B each), less than one "
            f"--context-window-tokens {context_window_tokens:,} request; shorten the window, quantise the cache "
            "(--kv-bytes-per-value 1), use fewer --kv-heads (grouped-query attention) or a bigger GPU")
    if gpu.blocks < blocks_for(context_window_tokens, block_tokens):
        raise BadInputError(
            f"the KV cache's {gpu.blocks:,} blocks of --block-tokens {block_tokens:,} cannot hold one "
            f"--context-window-tokens {context_window_tokens:,} request; lower --block-tokens")
    # The most requests/s one GPU could ever serve: its prefill at full compute, and its decode
    # with every sequence it may batch at the fastest step (no KV read).
    decode_most = min(gpu.max_batch, gpu.capacity_tokens) / gpu.step(0, 0)
    most = min(gpu.token_rate / prompt_tokens, decode_most / output_tokens)
    if rate > ABSURD_LOAD * most:
        raise BadInputError(
            f"--rate {rate:g} requests/s is more than {ABSURD_LOAD}× the {most:,.3g} requests/s one GPU could serve "
            f"at most (prefill {gpu.token_rate:,.0f} tokens/s for --prompt-tokens {prompt_tokens:,}, decode "
            f"{decode_most:,.0f} tokens/s for --output-tokens {output_tokens:,}); lower --rate (the fleet a load "
            "needs is in the table)")

    arrivals, prompts, outputs = make_trace(seed, rate, requests, length_dist, prompt_tokens, output_tokens,
                                            context_window_tokens)
    prompt_mean, output_mean = float(prompts.mean()), float(outputs.mean())
    report(progress, 0.05, _("capacity"))

    # Capacity: every request at t = 0, enough of them to keep the batch full for a while. Static
    # batching is vectorised per batch, so cheap: its heavy-tailed batch times get the longest run.
    low, high = SATURATED_REQUESTS
    most_requests = max(1, MAX_TOKENS // output_tokens)
    n_cont = min(high, max(low, SATURATED_PER_SLOT * _full_batch(gpu, prompt_mean, output_mean)[0]), most_requests)
    n_static = min(high, most_requests)
    _arrivals, sat_prompts, sat_outputs = make_trace(seed + 1, rate, max(n_cont, n_static), length_dist, prompt_tokens,
                                             output_tokens, context_window_tokens)
    capacity, cap_peak = {}, {}
    for name, batching, allocation in POLICIES:
        n = n_cont if batching == "continuous" else n_static
        run = run_policy(batching, allocation, np.zeros(n), sat_prompts[:n], sat_outputs[:n], gpu)
        capacity[name] = saturated_throughput(run)
        cap_peak[name] = run.peak_sequences
    report(progress, 0.2, _("offered load"))

    at_load = {}
    for name, batching, allocation in POLICIES:
        run = run_policy(batching, allocation, arrivals, prompts, outputs, gpu)
        at_load[name] = summarise(name, arrivals, outputs, run)
    report(progress, 0.5, _("load sweep"))

    sweep: list[SweepPoint] = []
    n_sw = min(requests, SWEEP_REQUESTS)
    base_gaps, sw_prompts, sw_outputs = arrivals[:n_sw] * rate, prompts[:n_sw], outputs[:n_sw]  # unit-rate arrivals
    sw_out_mean = float(sw_outputs.mean())
    for p, (name, batching, allocation) in enumerate(POLICIES):
        for share in SWEEP_LOADS:
            lam = share * capacity[name] / sw_out_mean
            arr = base_gaps / lam
            run = run_policy(batching, allocation, arr, sw_prompts, sw_outputs, gpu)
            st = summarise(name, arr, sw_outputs, run)
            sweep.append(SweepPoint(name, share, st.offered_tokens_per_s, st.throughput_tokens_per_s, st.ttft_p99_ms,
                                    st.itl_p99_ms, share < 1 and st.ttft_p99_ms <= ttft_slo_ms))
        report(progress, 0.5 + 0.15 * (p + 1), _("load sweep"))

    rows = []
    for name, _batching, _allocation in POLICIES:
        ok = [s.load_share * capacity[name] for s in sweep if s.policy == name and s.meets_slo]
        sustainable = max(ok) if ok else 0.0
        gpus = math.ceil(target_tokens_per_s / sustainable) if sustainable else 0
        cost = gpus * gpu_hourly_cost_usd / (target_tokens_per_s * 3600) * 1e6 if gpus else math.nan
        rows.append(PolicyRow(at_load[name], capacity[name], cap_peak[name], sustainable, gpus, cost))
    report(progress, 1.0, _("done"))

    slots = gpu.slots
    paged_req = gpu.blocks // int(blocks_for(math.ceil(prompt_mean + output_mean), block_tokens))
    return LlmServingResult(
        rate=rate,
        requests=requests,
        prompt_tokens_mean=prompt_mean,
        output_tokens_mean=output_mean,
        context_window_tokens=context_window_tokens,
        weights_bytes=gpu.weights,
        kv_bytes_per_token=gpu.kv_per_token,
        reserve_bytes=reserve_gb * GB,
        gpu_memory_bytes=gpu_memory_gb * GB,
        kv_capacity_tokens=gpu.capacity_tokens,
        contiguous_slots=slots,
        paged_blocks=gpu.blocks,
        block_tokens=block_tokens,
        paged_requests_at_mean=paged_req,
        paged_to_contiguous=paged_req / slots,
        prefill_tokens_per_s=gpu.token_rate,
        decode_step_ms_batch_1=gpu.step(prompt_mean + output_mean / 2, 1) * 1000,
        policies=tuple(rows),
        sweep=tuple(sweep),
        precisions=precision_rows(gpu_args, prompt_mean, output_mean, (weight_bytes_per_param, kv_bytes_per_value)),
        speculative=speculative_rows(gpu, spec_acceptance, prompt_mean, output_mean),
        spec_acceptance=spec_acceptance,
        target_tokens_per_s=target_tokens_per_s,
        ttft_slo_ms=ttft_slo_ms,
        gpu_hourly_cost_usd=gpu_hourly_cost_usd,
    )
