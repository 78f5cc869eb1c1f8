"""Declaration for LLM serving: batching, the KV cache, TTFT/ITL, GPUs and cost (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='llm-serving',
        summary='One GPU serving an LLM: static vs continuous vs paged batching, KV-cache memory, TTFT/ITL, GPUs and $ per 1M tokens.',
        target='mlsd.sims.llm_serving:simulate_llm_serving',
        title='LLM serving',
        order=11,
        doc="""One GPU serving an LLM: static vs continuous vs paged batching, KV cache, TTFT/ITL, cost.

        A discrete-event model of one inference server. Requests arrive as a
        Poisson process with lognormal (or exponential, constant) prompt and
        output lengths, clipped to the context window. Three schedulers get the
        same requests: static batching (the waiting requests, padded to the
        longest prompt, decoded until the longest output ends; arrivals wait
        for the batch), continuous batching (sequences join and leave at every
        step; each reserves the whole context window of KV cache) and
        continuous batching with paged KV blocks (a sequence holds only the
        blocks its tokens fill; when the cache is full the latest admitted
        sequence is preempted and recomputed later). Requests are served first
        come, first served, and no scheduler knows an output's length before
        it ends.

        Memory, exact: weights = parameters x bytes per parameter; KV bytes per
        token = 2 x layers x kv_heads x head_dim x bytes per value; tokens that
        fit = (GPU memory - weights - reserve) / KV bytes per token.

        Step time, a roofline: each iteration costs --step-overhead-ms plus the
        larger of its memory time (the weights read once, plus every running
        sequence's KV cache, at --gpu-bandwidth-gb-s) and its compute time
        (tokens processed x 2 x parameters FLOPs at 50% of --gpu-tflops).
        Prefill is compute-bound: time proportional to prompt tokens. A decode
        step is memory-bound at small batches: a fixed cost (the weight read)
        plus a per-sequence cost (its KV read), so batching amortises the
        weights. An iteration that admits requests prefills them and gives the
        running sequences their next token, so their gap includes the prefill
        (at most --max-prefill-tokens per iteration; longer prompts are not
        chunked). Quantisation (--weight-bytes-per-param, --kv-bytes-per-value:
        2 fp16, 1 int8/fp8, 0.5 int4) shrinks memory and the bytes a step
        reads; compute is unchanged (weight-only quantisation). Not modelled:
        attention's quadratic prefill cost, prefix caching, tensor parallelism.

        Reports, per policy: throughput at the offered load, capacity (the
        queue never empty), time to first token and inter-token latency
        p50/p99, concurrent sequences, the GPUs a target load needs (from a
        load sweep: the highest load each policy carries within the TTFT SLO)
        and $ per million output tokens; Little's law on each trace; the
        memory and speed of fp16/int8/int4; speculative decoding (analytic:
        tokens per step (1 - a^(k+1)) / (1 - a) at acceptance rate a with k
        draft tokens, a draft step costing 5% of a target step).
        Configurations that cannot run are refused: weights larger than the
        GPU, a KV cache that cannot hold one full-window request, a load far
        past what the GPU can do.
        """,
        options=(
            OptionSpec('rate', 'float', 5.0, 'Requests per second arriving (Poisson).', range=closed(0.0001, 1e5), unit='requests/s'),
            OptionSpec('requests', 'int', 2000, 'Requests simulated per policy at the offered load.', range=closed(100, 100_000)),
            OptionSpec('prompt_tokens', 'int', 512, 'Mean prompt length in tokens.', range=closed(1, 1_048_576), unit='tokens'),
            OptionSpec('output_tokens', 'int', 256, 'Mean output length in tokens.', range=closed(1, 1_048_576), unit='tokens'),
            OptionSpec('length_dist', 'choice', 'lognormal', 'Distribution of prompt and output lengths.', choices=('lognormal', 'exponential', 'constant')),
            OptionSpec('context_window_tokens', 'int', 4096, 'Longest prompt + output a request may have (what contiguous allocation reserves).', range=closed(2, 1_048_576), unit='tokens'),
            OptionSpec('model_params_billion', 'float', 7.0, 'Model parameters, in billions.', range=above(0, 10_000)),
            OptionSpec('model_layers', 'int', 32, 'Transformer layers.', range=closed(1, 1000)),
            OptionSpec('kv_heads', 'int', 32, 'Key/value heads per layer (fewer than query heads with grouped-query attention).', range=closed(1, 1024)),
            OptionSpec('head_dim', 'int', 128, 'Dimension of one attention head.', range=closed(1, 4096)),
            OptionSpec('weight_bytes_per_param', 'float', 2.0, 'Bytes per weight: 2 fp16/bf16, 1 int8/fp8, 0.5 int4.', range=closed(0.125, 4), unit='B'),
            OptionSpec('kv_bytes_per_value', 'float', 2.0, 'Bytes per KV-cache value: 2 fp16, 1 int8/fp8, 0.5 int4.', range=closed(0.125, 4), unit='B'),
            OptionSpec('gpu_memory_gb', 'float', 80.0, 'Memory of the GPU, in GB (10^9 bytes).', range=above(0, 100_000), unit='GB'),
            OptionSpec('reserve_gb', 'float', 8.0, 'Memory neither weights nor KV cache can use (activations, CUDA context), in GB.', range=closed(0, 100_000), unit='GB'),
            OptionSpec('gpu_bandwidth_gb_s', 'float', 2039.0, 'GPU memory bandwidth, in GB/s (A100 80GB: 2,039; H100 SXM: 3,350).', range=above(0, 1e6), unit='GB/s'),
            OptionSpec('gpu_tflops', 'float', 312.0, 'Peak dense fp16 TFLOP/s of the GPU (A100: 312; H100 SXM: 989).', range=above(0, 1e6), unit='TFLOP/s'),
            OptionSpec('step_overhead_ms', 'float', 2.0, 'Fixed cost of every iteration (scheduling, sampling, kernel launches), in ms.', range=closed(0, 10_000), unit='ms'),
            OptionSpec('block_tokens', 'int', 16, 'Tokens per KV block under paged allocation.', range=closed(1, 65_536), unit='tokens'),
            OptionSpec('max_batch', 'int', 256, 'Most sequences one iteration runs.', range=closed(1, 100_000)),
            OptionSpec('max_prefill_tokens', 'int', 8192, 'Most prompt tokens one iteration prefills (one request always may).', range=closed(1, 10_000_000), unit='tokens'),
            OptionSpec('target_tokens_per_s', 'float', 20_000.0, 'Output tokens/s the fleet must serve (sizes the GPU count).', range=above(0, 1e10), unit='tokens/s'),
            OptionSpec('ttft_slo_ms', 'float', 2000.0, 'Time-to-first-token p99 each GPU must keep when sizing the fleet, in ms.', range=above(0, 3_600_000), unit='ms'),
            OptionSpec('gpu_hourly_cost_usd', 'float', 2.0, 'Cost of one GPU for one hour, in $.', range=closed(0, 10_000), unit='$'),
            OptionSpec('spec_acceptance', 'float', 0.7, 'Speculative decoding: chance the target model accepts a draft token.', range=closed(0, 1)),
        ),
    )
]
