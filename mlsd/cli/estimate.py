"""`mlsd estimate`: back-of-envelope capacity numbers with the arithmetic shown."""

from __future__ import annotations

import typer


def estimate_cmd(
    scenario: str = typer.Argument(
        None, metavar="[SCENARIO|PATH]",
        help="A built-in scenario id or a scenario file; its `scale` supplies the inputs.",
        show_default=False,
    ),
    dau: int = typer.Option(None, "--dau", help="Daily active users, at most 10,000,000,000. [default: scale or 10,000,000]", show_default=False),
    requests_per_user: float = typer.Option(None, "--requests-per-user", help="Requests per active user per day, at most 1,000,000. [default: scale or 10]", show_default=False),
    peak_to_average: float = typer.Option(None, "--peak-to-average", help="Peak QPS ÷ average QPS, 1 to 1,000. [default: scale or 3]", show_default=False),
    users: int = typer.Option(None, "--users", help="Users with an embedding/feature row, at most 1,000,000,000,000. [default: scale or DAU]", show_default=False),
    items: int = typer.Option(None, "--items", help="Items in the catalogue, at most 10,000,000,000,000. [default: scale or 1,000,000]", show_default=False),
    embedding_dim: int = typer.Option(None, "--embedding-dim", help="Embedding dimension, at most 100,000. [default: scale or 64]", show_default=False),
    bytes_per_value: float = typer.Option(None, "--bytes-per-value", help="Bytes per embedding value (4 = float32), at most 64. [default: scale or 4]", show_default=False),
    candidates_per_request: int = typer.Option(None, "--candidates-per-request", help="Candidates the ranker scores per request, at most 10,000,000. [default: scale or 500]", show_default=False),
    log_events_per_request: int = typer.Option(None, "--log-events-per-request", help="Log rows per request (one per impression), at most 1,000,000. [default: scale or 10]", show_default=False),
    bytes_per_log_event: float = typer.Option(None, "--bytes-per-log-event", help="Bytes per log row, at most 1,000,000,000. [default: scale or 500]", show_default=False),
    feature_bytes_per_example: float = typer.Option(None, "--feature-bytes-per-example", help="Bytes of features logged per log row, at most 1,000,000,000. [default: scale or 2,000]", show_default=False),
    feature_bytes_per_entity: float = typer.Option(None, "--feature-bytes-per-entity", help="Bytes per user/item row in the online feature store, at most 1,000,000,000. [default: scale or 1,000]", show_default=False),
    response_bytes: float = typer.Option(None, "--response-bytes", help="Bytes per response, at most 10,000,000,000. [default: scale or 10,000]", show_default=False),
    per_server_qps: float = typer.Option(None, "--per-server-qps", help="QPS one server sustains, at most 1,000,000,000. [default: scale or 500]", show_default=False),
    target_utilization: float = typer.Option(None, "--target-utilization", help="Planned utilisation at peak, in (0, 1]. [default: scale or 0.7]", show_default=False),
    latency_budget_ms: float = typer.Option(None, "--latency-budget-ms", help="Latency budget per request in ms, at most 3,600,000. [default: scale or 200]", show_default=False),
    replication: float = typer.Option(None, "--replication", help="Copies kept of stored data, 1 to 100. [default: scale or 3]", show_default=False),
    prompt_tokens: float = typer.Option(None, "--prompt-tokens", help="GenAI: prompt tokens per request, at most 10,000,000. [default: scale or 512]", show_default=False),
    output_tokens: float = typer.Option(None, "--output-tokens", help="GenAI: output tokens per request, at most 10,000,000. [default: scale or 256]", show_default=False),
    model_params_billion: float = typer.Option(None, "--model-params-billion", help="GenAI: model parameters in billions, at most 100,000. [default: scale or 7]", show_default=False),
    model_layers: int = typer.Option(None, "--model-layers", help="GenAI: transformer layers, at most 10,000. [default: scale or 32]", show_default=False),
    kv_heads: int = typer.Option(None, "--kv-heads", help="GenAI: key/value heads per layer, at most 10,000. [default: scale or 32]", show_default=False),
    head_dim: int = typer.Option(None, "--head-dim", help="GenAI: dimension of one attention head, at most 100,000. [default: scale or 128]", show_default=False),
    kv_bytes_per_value: float = typer.Option(None, "--kv-bytes-per-value", help="GenAI: bytes per KV-cache value (2 = fp16, 1 = fp8, 0.5 = int4), at most 8. [default: scale or 2]", show_default=False),
    weight_bytes_per_param: float = typer.Option(None, "--weight-bytes-per-param", help="GenAI: bytes per weight (2 = fp16, 1 = int8, 0.5 = int4), at most 8. [default: scale or 2]", show_default=False),
    gpu_memory_gb: float = typer.Option(None, "--gpu-memory-gb", help="GenAI: memory of one GPU in GB, at most 1,000,000. [default: scale or 80]", show_default=False),
    gpu_tokens_per_second: float = typer.Option(None, "--gpu-tokens-per-second", help="GenAI: output tokens/s one GPU sustains at full batch, at most 1,000,000,000. [default: scale or 2,500]", show_default=False),
    gpu_hourly_cost_usd: float = typer.Option(None, "--gpu-hourly-cost-usd", help="GenAI: dollars per GPU-hour, at most 1,000,000. [default: scale or 2]", show_default=False),
    context_window_tokens: int = typer.Option(None, "--context-window-tokens", help="GenAI: longest prompt + output per request, at most 100,000,000. [default: scale or 4,096]", show_default=False),
    json_: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
) -> None:
    """Back-of-envelope numbers: QPS, storage, bandwidth, memory, servers.

    Reads the `scale` mapping of a scenario (built-in id or file) and lets any
    option override it; inputs neither gives fall back to the stated defaults.
    Every figure shows the arithmetic that produced it, e.g.
    "300,000,000 DAU × 20 requests/day ÷ 86,400 s = 69,444 QPS".

    Scale keys understood: daily_active_users, requests_per_user_per_day,
    peak_to_average, users, items, embedding_dim, bytes_per_value,
    candidate_posts_per_request, log_events_per_request, bytes_per_log_event,
    feature_bytes_per_example, feature_bytes_per_entity, response_bytes,
    per_server_qps, target_utilization, latency_budget_ms, replication.
    Other scale keys are listed as "not used".

    GenAI serving: when the scale or the options carry any of
    prompt_tokens_per_request, output_tokens_per_request, model_params_billion,
    model_layers, kv_heads, head_dim, kv_bytes_per_value, weight_bytes_per_param,
    gpu_memory_gb, gpu_tokens_per_second, gpu_hourly_cost_usd or
    context_window_tokens, a second table adds tokens per day, peak tokens/s,
    KV-cache bytes per token (2 x layers x kv_heads x head_dim x bytes) and per
    request, weight memory, concurrent requests one GPU holds, GPUs for the
    peak output tokens/s (at --target-utilization) and the cost per day and per
    million output tokens.
    """
    from mlsd.cli.output import emit
    from mlsd.sims.estimate import estimate

    scale: dict = {}
    name = ""
    if scenario:
        from mlsd.content.scenario import load_scenario

        loaded = load_scenario(scenario)
        scale, name = dict(loaded.scale), loaded.id
    overrides = {
        "daily_active_users": dau,
        "requests_per_user_per_day": requests_per_user,
        "peak_to_average": peak_to_average,
        "users": users,
        "items": items,
        "embedding_dim": embedding_dim,
        "bytes_per_value": bytes_per_value,
        "candidate_posts_per_request": candidates_per_request,
        "log_events_per_request": log_events_per_request,
        "bytes_per_log_event": bytes_per_log_event,
        "feature_bytes_per_example": feature_bytes_per_example,
        "feature_bytes_per_entity": feature_bytes_per_entity,
        "response_bytes": response_bytes,
        "per_server_qps": per_server_qps,
        "target_utilization": target_utilization,
        "latency_budget_ms": latency_budget_ms,
        "replication": replication,
        "prompt_tokens_per_request": prompt_tokens,
        "output_tokens_per_request": output_tokens,
        "model_params_billion": model_params_billion,
        "model_layers": model_layers,
        "kv_heads": kv_heads,
        "head_dim": head_dim,
        "kv_bytes_per_value": kv_bytes_per_value,
        "weight_bytes_per_param": weight_bytes_per_param,
        "gpu_memory_gb": gpu_memory_gb,
        "gpu_tokens_per_second": gpu_tokens_per_second,
        "gpu_hourly_cost_usd": gpu_hourly_cost_usd,
        "context_window_tokens": context_window_tokens,
    }
    result = estimate(scale=scale, overrides=overrides, scenario=name)
    from mlsd.i18n import _

    emit(result, as_json=json_, title=_("Estimate: {scenario}").format(scenario=name) if name else _("Estimate"))


def register(app: typer.Typer) -> None:
    """Add the top-level `estimate` command to the app."""
    app.command("estimate")(estimate_cmd)
