"""Back-of-envelope capacity numbers from a scenario's `scale` (or options).

`estimate(scale=..., overrides=...)` is a pure function: it takes the scale
mapping of a scenario (free-form names → numbers) plus values the user typed,
falls back to stated defaults for the rest, and returns every figure together
with the arithmetic that produced it ("300,000,000 DAU × 20 requests/day ÷
86,400 s = 69,444 QPS"), as an interviewer wants to see it written down.

Scale keys understood (see `KEYS`; anything else is listed as "not used"):
daily_active_users, requests_per_user_per_day, peak_to_average, users, items,
embedding_dim, bytes_per_value, candidate_posts_per_request,
log_events_per_request, bytes_per_log_event, feature_bytes_per_example,
feature_bytes_per_entity, response_bytes, per_server_qps, target_utilization,
latency_budget_ms, replication; and for GenAI serving (a section shown only when
the scale or the options carry one of them): prompt_tokens_per_request,
output_tokens_per_request, model_params_billion, model_layers, kv_heads, head_dim,
kv_bytes_per_value, weight_bytes_per_param, gpu_memory_gb, gpu_tokens_per_second,
gpu_hourly_cost_usd, context_window_tokens.

No numpy: the CLI imports this only inside the command, but it is cheap anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlsd.errors import BadInputError
from mlsd.i18n import N_, _, ngettext
from mlsd.sims.base import SimResult, Table, table

SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class EstimateKey:
    """One scale input: its scale name, CLI option, default, unit and valid range."""

    name: str
    option: str  # as the user types it on the command line
    default: float | None  # None: defaults to another key (see `default_from`)
    unit: str
    help: str
    integer: bool = False
    low: float = 0.0  # exclusive lower bound unless low_inclusive
    high: float | None = None  # inclusive upper bound
    low_inclusive: bool = False
    default_from: str = ""
    genai: bool = False  # an input of the GenAI section, shown only when one of them is given


KEYS: tuple[EstimateKey, ...] = (
    # `high`: a sane maximum, far past any real system, that keeps every product finite.
    EstimateKey("daily_active_users", "--dau", 10_000_000, N_("users"),
                "Daily active users (DAU).", integer=True, high=1e10),  # more than people on Earth
    EstimateKey("requests_per_user_per_day", "--requests-per-user", 10, N_("requests/day"),
                "Requests (page loads, queries, feed refreshes) per active user per day.", high=1e6),
    EstimateKey("peak_to_average", "--peak-to-average", 3, "×",
                "Peak QPS over average QPS (diurnal peak; 2-3 is typical).", low=1, low_inclusive=True,
                high=1000),
    EstimateKey("users", "--users", None, N_("users"),
                "Users with an embedding / feature row (defaults to DAU).", integer=True,
                default_from="daily_active_users", high=1e12),
    EstimateKey("items", "--items", 1_000_000, N_("items"),
                "Items in the catalogue (posts, products, videos, documents).", integer=True, high=1e13),
    EstimateKey("embedding_dim", "--embedding-dim", 64, N_("dims"),
                "Embedding dimension of users and items.", integer=True, high=100_000),
    EstimateKey("bytes_per_value", "--bytes-per-value", 4, "B",
                "Bytes per embedding value (4 = float32, 2 = float16, 1 = int8).", high=64),
    EstimateKey("candidate_posts_per_request", "--candidates-per-request", 500, N_("candidates"),
                "Candidates the ranking model scores per request.", integer=True, high=1e7),
    EstimateKey("log_events_per_request", "--log-events-per-request", 10, N_("events"),
                "Log rows written per request (e.g. one per impression shown).", integer=True, high=1e6),
    EstimateKey("bytes_per_log_event", "--bytes-per-log-event", 500, "B",
                "Bytes per log row (ids, timestamp, context, outcome).", high=1e9),
    EstimateKey("feature_bytes_per_example", "--feature-bytes-per-example", 2_000, "B",
                "Bytes of features logged per log row at serving time (for training without skew).", high=1e9),
    EstimateKey("feature_bytes_per_entity", "--feature-bytes-per-entity", 1_000, "B",
                "Bytes per user or item row in the online feature store.", high=1e9),
    EstimateKey("response_bytes", "--response-bytes", 10_000, "B",
                "Bytes per response sent back to the client.", high=1e10),
    EstimateKey("per_server_qps", "--per-server-qps", 500, "QPS",
                "Requests per second one server sustains (measure it with a load test).", high=1e9),
    EstimateKey("target_utilization", "--target-utilization", 0.7, "",
                "Fraction of a server's capacity you plan to use at peak (headroom for spikes).",
                high=1.0),
    EstimateKey("latency_budget_ms", "--latency-budget-ms", 200, "ms",
                "End-to-end latency budget per request.", high=3_600_000),  # an hour
    EstimateKey("replication", "--replication", 3, "×",
                "Copies kept of stored data (storage per year is shown raw and replicated).",
                low=1, low_inclusive=True, high=100),
    # GenAI serving. Defaults: a 7B model with multi-head attention (Llama-2-7B) in fp16 on an
    # 80 GB GPU, which sustains about 2,500 output tokens/s with paged continuous batching
    # (`mlsd simulate llm-serving` at its defaults).
    EstimateKey("prompt_tokens_per_request", "--prompt-tokens", 512, N_("tokens"),
                "Prompt (input) tokens per request.", high=1e7, genai=True),
    EstimateKey("output_tokens_per_request", "--output-tokens", 256, N_("tokens"),
                "Output (generated) tokens per request.", high=1e7, genai=True),
    EstimateKey("model_params_billion", "--model-params-billion", 7, N_("B params"),
                "Model parameters, in billions.", high=100_000, genai=True),
    EstimateKey("model_layers", "--model-layers", 32, N_("layers"),
                "Transformer layers.", integer=True, high=10_000, genai=True),
    EstimateKey("kv_heads", "--kv-heads", 32, N_("heads"),
                "Key/value heads per layer (fewer than query heads with grouped-query attention).",
                integer=True, high=10_000, genai=True),
    EstimateKey("head_dim", "--head-dim", 128, "dims",
                "Dimension of one attention head.", integer=True, high=100_000, genai=True),
    EstimateKey("kv_bytes_per_value", "--kv-bytes-per-value", 2, "B",
                "Bytes per KV-cache value (2 = fp16, 1 = int8/fp8, 0.5 = int4).", high=8, genai=True),
    EstimateKey("weight_bytes_per_param", "--weight-bytes-per-param", 2, "B",
                "Bytes per weight (2 = fp16/bf16, 1 = int8/fp8, 0.5 = int4).", high=8, genai=True),
    EstimateKey("gpu_memory_gb", "--gpu-memory-gb", 80, "GB",
                "Memory of one GPU, in GB (10^9 bytes).", high=1e6, genai=True),
    EstimateKey("gpu_tokens_per_second", "--gpu-tokens-per-second", 2_500, N_("tokens/s"),
                "Output tokens/s one GPU sustains at full batch (measure it, or `mlsd simulate llm-serving`).",
                high=1e9, genai=True),
    EstimateKey("gpu_hourly_cost_usd", "--gpu-hourly-cost-usd", 2, "$/h",
                "Cost of one GPU for one hour, in dollars.", high=1e6, genai=True),
    EstimateKey("context_window_tokens", "--context-window-tokens", 4_096, N_("tokens"),
                "Longest prompt + output a request may have (what a max-length reservation holds).",
                integer=True, high=1e8, genai=True),
)
GENAI_KEYS = frozenset(k.name for k in KEYS if k.genai)
# Token counts alone describe any LLM product, a hosted API included; the model and GPU figures
# (KV cache, weights, GPUs, cost) appear only when the scale or options say what is self-hosted.
TOKEN_KEYS = frozenset({"prompt_tokens_per_request", "output_tokens_per_request", "context_window_tokens"})
SELF_HOSTED_KEYS = GENAI_KEYS - TOKEN_KEYS

# More servers than this and the per-server inputs are not what anyone meant.
MAX_SERVERS = 1e15
# Up to this many servers a fixed pool is simpler than autoscaling (the reading says so).
SMALL_FLEET = 10

KEY_BY_NAME: dict[str, EstimateKey] = {k.name: k for k in KEYS}
# The figures of the GenAI section (their own table; absent unless a GenAI key is given).
GENAI_FIGURES = frozenset({  # ids, like FIGURES below; shown translated
    N_("prompt tokens per day"), N_("output tokens per day"), N_("peak prompt tokens/s"), N_("peak output tokens/s"),
    N_("KV-cache bytes per token"), N_("KV-cache bytes per request"), N_("model weight memory"),
    N_("concurrent requests per GPU"), N_("concurrent requests per GPU at full-window reservation"),
    N_("GPUs for peak output tokens/s"), N_("GPU cost per day"), N_("cost per 1M output tokens"),
})


# The inputs a classic figure stands on beyond the traffic (DAU, requests, peak). A GenAI design has no
# ranking candidates, feature logs or embedding tables unless its scale says so: its text tables and
# reading leave out a classic figure when any of these came from the defaults (--json keeps them all).
CLASSIC_FIGURE_INPUTS: dict[str, tuple[str, ...]] = {
    "candidates scored per second at peak": ("candidate_posts_per_request",),
    "servers at peak": ("per_server_qps",),
    "log storage per day": ("log_events_per_request", "bytes_per_log_event"),
    "log storage per year": ("log_events_per_request", "bytes_per_log_event"),
    "feature log storage per day": ("log_events_per_request", "feature_bytes_per_example"),
    "feature log storage per year": ("log_events_per_request", "feature_bytes_per_example"),
    "online feature store size": ("feature_bytes_per_entity",),
    "embedding table memory": ("embedding_dim",),
    "egress bandwidth at peak": ("response_bytes",),
    "log ingestion bandwidth (average)": ("log_events_per_request", "bytes_per_log_event", "feature_bytes_per_example"),
}


@dataclass(frozen=True)
class EstimateInput:
    name: str
    value: float
    unit: str
    source: str  # "option", "scenario", "default"


@dataclass(frozen=True)
class Figure:
    """One back-of-envelope number and the arithmetic written out."""

    name: str
    value: float
    unit: str
    shown: str  # the value in human units, e.g. "6.9 TB/day"
    arithmetic: str


@dataclass(frozen=True)
class EstimateResult(SimResult):
    scenario: str
    inputs: tuple[EstimateInput, ...]
    figures: tuple[Figure, ...]
    not_used: tuple[str, ...]

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)

    def _shown_classic(self) -> list[Figure]:
        """The classic figures the text shows: for a GenAI design, only those its own inputs support."""
        classic = [f for f in self.figures if f.name not in GENAI_FIGURES]
        if len(classic) == len(self.figures):
            return classic
        given = {i.name for i in self.inputs if i.source in ("scenario", "option")}
        return [f for f in classic if set(CLASSIC_FIGURE_INPUTS.get(f.name, ())) <= given]

    def shown_figures(self) -> list[Figure]:
        """Every figure the text shows (the terminal, the design doc), in order."""
        classic = {f.name for f in self._shown_classic()}
        return [f for f in self.figures if f.name in classic or f.name in GENAI_FIGURES]

    def tables(self) -> list[Table]:
        shown = self._shown_classic()
        hide: set[str] = set()  # default inputs only the left-out figures use
        if len(shown) < sum(f.name not in GENAI_FIGURES for f in self.figures):
            used = {k for f in shown for k in CLASSIC_FIGURE_INPUTS.get(f.name, ())}
            hide = {k for ks in CLASSIC_FIGURE_INPUTS.values() for k in ks} - used
            if not any(f.name in ("online feature store size", "embedding table memory") for f in shown):
                hide |= {"users", "items", "bytes_per_value"}
            if not any(f.name.endswith("per year") for f in shown):
                hide.add("replication")
        inputs = table(
            _("Inputs (scale of {scenario})").format(scenario=self.scenario) if self.scenario else _("Inputs"),
            (_("input"), _("value"), _("unit"), _("from")),
            [(i.name, i.value, _(i.unit) if i.unit else "", _source(i.source)) for i in self.inputs
             if not (i.name in hide and i.source.startswith("default"))],
            note=_("not used: {keys}").format(keys=", ".join(self.not_used)) if self.not_used else "",
        )
        figures = table(
            _("Back-of-envelope"),
            (_("figure"), _("value"), _("arithmetic")),
            [(_(f.name), f.shown, f.arithmetic) for f in shown],
        )
        genai = [f for f in self.figures if f.name in GENAI_FIGURES]
        if not genai:
            return [inputs, figures]
        return [inputs, figures, table(
            _("GenAI serving"),
            (_("figure"), _("value"), _("arithmetic")),
            [(_(f.name), f.shown, f.arithmetic) for f in genai],
            note=_("GPUs are sized on output tokens/s (decode); prefill of the prompts is assumed inside the per-GPU "
                   "rate. `mlsd simulate llm-serving` measures that rate and the latency it costs.")
            if any(f.name == "GPUs for peak output tokens/s" for f in genai) else
            _("Token volumes only: the scale gives no model or GPU figures (a hosted model)."),
        )]

    def reading(self) -> list[str]:
        peak = self.figure("peak QPS")
        servers = self.figure("servers at peak")
        emb = self.figure("embedding table memory")
        logs_year = self.figure("log storage per year")
        scored = self.figure("candidates scored per second at peak")
        if servers.value <= 1:
            sizing = _("Peak traffic is {peak}, which one server carries at the stated per-server throughput and "
                       "headroom: no horizontal scaling is needed, though a second server keeps the service up through "
                       "a crash or a deploy.").format(peak=peak.shown)
        elif servers.value <= SMALL_FLEET:
            sizing = _("Peak traffic is {peak}; at the stated per-server throughput and headroom that needs {servers}: a "
                       "small fixed pool behind a load balancer, plus one spare for failures and deploys, covers it; "
                       "autoscaling saves little at this size.").format(peak=peak.shown, servers=servers.shown)
        else:
            sizing = _("Peak traffic is {peak}; at the stated per-server throughput and headroom that needs {servers}, "
                       "so the serving tier must scale horizontally behind a load balancer with autoscaling for the "
                       "daily peak.").format(peak=peak.shown, servers=servers.shown)
        genai = any(f.name in GENAI_FIGURES for f in self.figures)
        given = {i.name for i in self.inputs if i.source in ("scenario", "option")}
        if genai:
            # A GenAI design has no ranking model, embedding table or generic server pool unless its
            # scale says so: read only what its own figures support, not the classic defaults.
            lines = [sizing] if "per_server_qps" in given else []
            if "candidate_posts_per_request" in given and scored.value > peak.value:
                lines.append(_("The reranker scores {scored} at peak, more than the request rate: it, not the request "
                               "rate, sizes the scoring servers.").format(scored=scored.shown))
            if given & {"embedding_dim", "items"}:
                lines.append(_("The embedding index takes {size} (shard it).").format(size=emb.shown)
                             if emb.value / 1e9 > 64 else
                             _("The embedding index takes {size} (it fits in one server’s memory).").format(size=emb.shown))
            if {"log_events_per_request", "bytes_per_log_event"} <= given:
                lines.append(_("Logs grow by {size} raw: keep them partitioned by day, with a retention policy.").format(
                    size=logs_year.shown))
            return lines + self._genai_reading()
        lines = [
            sizing,
            _("The ranking model computes {scored} at peak: this, not the request rate, sizes the model servers, which "
              "is why a cheap candidate-generation stage cuts the list first.").format(scored=scored.shown)
            if scored.value > peak.value and servers.value > 1 else
            _("The ranking model computes {scored} at peak, little at this traffic; as traffic grows this, not the "
              "request rate, sizes the model servers, which is why a cheap candidate-generation stage cuts the list "
              "first.").format(scored=scored.shown)
            if scored.value > peak.value else
            _("The model scores one prediction per request, so the request rate itself sizes the model servers."),
        ]
        emb_gb = emb.value / 1e9
        if emb_gb > 64:
            lines.append(_(
                "The embedding tables take {size}: more than one machine's memory comfortably holds, so shard them "
                "(model parallelism / a parameter server) or shrink them (fewer dimensions, float16/int8, hashing rare "
                "ids).").format(size=emb.shown))
        else:
            lines.append(_(
                "The embedding tables take {size}, which fits in one server's memory; replicate them to each serving "
                "machine rather than sharding.").format(size=emb.shown))
        lines.append(_(
            "Logs grow by {size} raw: keep them in cheap columnar storage partitioned by day, with a retention policy, "
            "and sample negatives for training.").format(size=logs_year.shown))
        return lines

    def _genai_reading(self) -> list[str]:
        if not any(f.name == "GPUs for peak output tokens/s" for f in self.figures):
            prompt, out = self.figure("peak prompt tokens/s"), self.figure("peak output tokens/s")
            return [_("At peak the product sends {prompt} of prompt and receives {output} of output: what a hosted "
                      "model's rate limits and per-token price must cover (give model and GPU figures in the scale to "
                      "size a self-hosted fleet).").format(prompt=prompt.shown, output=out.shown)]
        peak, gpus = self.figure("peak output tokens/s"), self.figure("GPUs for peak output tokens/s")
        cost, per_m = self.figure("GPU cost per day"), self.figure("cost per 1M output tokens")
        kv, weights = self.figure("KV-cache bytes per request"), self.figure("model weight memory")
        held = self.figure("concurrent requests per GPU")
        reserved = self.figure("concurrent requests per GPU at full-window reservation")
        out = [
            _("The model generates {peak} at peak: {gpus} at the stated per-GPU rate and headroom, {cost}, "
              "{per_million} per million output tokens; a fleet sized for the peak idles off-peak, so autoscale it or "
              "fill the trough with batch work.").format(peak=peak.shown, gpus=gpus.shown, cost=cost.shown,
                                                          per_million=per_m.shown)
        ]
        if held.value == 0:
            out.append(_("The weights alone ({weights}) do not fit one GPU: shard the model (tensor or pipeline "
                         "parallelism) or quantise it before anything else.").format(weights=weights.shown))
        else:
            out.append(_(
                "Each request's KV cache takes {kv} at full length, so after {weights} of weights one GPU holds {held} "
                "at once ({reserved} if each reserves the whole context window): the KV cache bounds the batch one "
                "GPU can run; paged allocation, grouped-query attention and an fp8 cache raise that bound."
            ).format(kv=kv.shown, weights=weights.shown, held=held.shown, reserved=reserved.shown))
        return out


def _source(source: str) -> str:
    """Where an input came from, as shown ("default (= daily_active_users)" keeps its key)."""
    if source.startswith("default (= "):
        return _("default (= {key})").format(key=source[len("default (= "):-1])
    return _(source)


SOURCES = (N_("option"), N_("scenario"), N_("default"))  # values (--json); shown translated
# The figures' names are their ids (--json, `figure()`, the design doc's cost section); shown translated.
FIGURES = (N_("requests per day"), N_("average QPS"), N_("peak QPS"), N_("candidates scored per second at peak"),
           N_("servers at peak"), N_("requests in flight at peak"), N_("log storage per day"),
           N_("log storage per year"), N_("feature log storage per day"), N_("feature log storage per year"),
           N_("online feature store size"), N_("embedding table memory"), N_("egress bandwidth at peak"),
           N_("log ingestion bandwidth (average)"))


def _tidy(value: float) -> float | int:
    """Whole numbers as int, so tables show 500 rather than 500.0."""
    return int(value) if float(value).is_integer() and abs(value) < 1e18 else value


def _sci(value: float) -> str:
    """3.47e+22, 1.0e+26: scientific notation without float noise."""
    mantissa, exponent = f"{value:.2e}".split("e")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}e{exponent}"


def _fmt_num(value: float) -> str:
    """1234567 -> '1,234,567'; 0.7 -> '0.7'; 69444.4 -> '69,444'; 0.000115741 -> '0.000116'; 1e26 -> '1.0e+26'."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e15:  # past a quadrillion, digits are noise: 1.0e+26, not 99,999,999,999,999,991,611,392
        return _sci(value)
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if abs(value) >= 1e-6:  # three significant digits, written out: 0.000116, not 0 or 1.16e-04
        decimals = 2 - math.floor(math.log10(abs(value)))
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return _sci(value)


def _count(value: float, words: str) -> str:
    """'1 server', '14 servers', '0.5 servers': `words` is the result of `_plural(value, one, many)`,
    a translated "{n} …" pattern."""
    return words.format(n=_fmt_num(value))


def _n(value: float) -> int:
    """The count ngettext chooses the form by (1 only for exactly one)."""
    return 1 if value == 1 else 2


def _fmt_scaled(value: float, base: str, units: tuple[tuple[str, float], ...]) -> str:
    """Value in the largest unit it reaches (3 significant digits); past the largest, scientific."""
    rounded = float(f"{value:.3g}")  # so 999,999 B reads 1 MB, not 1e+03 KB
    for unit, size in units:
        if abs(rounded) >= size:
            q = value / size
            if abs(q) >= 1e6:
                return f"{_sci(value)} {base}"
            return f"{q:,.3g} {unit}" if abs(q) < 1000 else f"{q:,.0f} {unit}"
    return f"{_fmt_num(value)} {base}" if abs(value) < 1 else f"{value:,.0f} {base}"


def _fmt_bytes(n: float) -> str:
    """Decimal units, as capacity planning uses them: 1 TB = 10^12 bytes."""
    return _fmt_scaled(n, "B", (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)))


def _fmt_bits_per_s(bytes_per_s: float) -> str:
    return _fmt_scaled(bytes_per_s * 8, "bit/s", (("Pbit/s", 1e15), ("Tbit/s", 1e12), ("Gbit/s", 1e9),
                                                   ("Mbit/s", 1e6), ("kbit/s", 1e3)))


def _fmt_limit(value: float) -> str:
    """A bound or a bad value in an error message: 10,000,000,000 rather than 1e+10."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return f"{int(value):,}"
    return f"{value:g}"


def _check(key: EstimateKey, value: Any, where: str) -> float:
    """Validate one input; the message names it as the user wrote it and gives the valid range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise BadInputError(f"{where} must be a number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int past float range (10**400)
        value = math.inf
    too_low = value < key.low or (value == key.low and not key.low_inclusive)
    too_high = key.high is not None and value > key.high
    if too_low or too_high or math.isinf(value):
        left = "[" if key.low_inclusive else "("
        hi = "inf)" if key.high is None else f"{_fmt_limit(key.high)}]"
        raise BadInputError(f"{where} must be in {left}{key.low:g}, {hi}, got {_fmt_limit(value)}")
    return value


def estimate(
    *,
    scale: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    scenario: str = "",
) -> EstimateResult:
    """Capacity figures from `scale` (a scenario's) overridden by `overrides` (options).

    Both map the key names in `KEYS` to numbers; `overrides` wins. Keys of
    `scale` that are not in `KEYS` are reported in `not_used`; an unknown key
    in `overrides` is a programming error (the CLI only passes known ones).
    """
    scale = dict(scale or {})
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    for name in overrides:
        if name not in KEY_BY_NAME:
            raise ValueError(f"unknown estimate input {name!r}")

    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    where: dict[str, str] = {}  # each input as the user gave it, for messages
    prefix = f"{scenario}: " if scenario else ""
    for key in KEYS:
        if key.name in overrides:
            where[key.name] = key.option
            values[key.name] = _check(key, overrides[key.name], key.option)
            sources[key.name] = "option"
        elif key.name in scale:
            where[key.name] = f"{prefix}scale.{key.name}"
            values[key.name] = _check(key, scale[key.name], where[key.name])
            sources[key.name] = "scenario"
        else:
            where[key.name] = key.option
    for key in KEYS:  # defaults after the explicit values, so default_from can see them
        if key.name not in values:
            values[key.name] = float(key.default if key.default is not None else values[key.default_from])
            sources[key.name] = "default" if key.default is not None else f"default (= {key.default_from})"
    not_used = tuple(sorted(k for k in scale if k not in KEY_BY_NAME))

    v = values
    n = _fmt_num
    figures: list[Figure] = []

    def add(name: str, value: float, unit: str, shown: str, arithmetic: str) -> float:
        figures.append(Figure(name, value, unit, shown, arithmetic))
        return value

    dau, rpu = v["daily_active_users"], v["requests_per_user_per_day"]

    def requests_per_day(x: float) -> str:
        return _count(x, ngettext("{n} request/day", "{n} requests/day", _n(x)))

    per_day = ngettext("request/day", "requests/day", _n(rpu))
    requests_day = add(
        "requests per day", dau * rpu, "requests/day", requests_per_day(dau * rpu),
        _("{dau} DAU × {rpu} {per_day} = {total}").format(dau=n(dau), rpu=n(rpu), per_day=per_day,
                                                          total=requests_per_day(dau * rpu)),
    )
    avg_qps = requests_day / SECONDS_PER_DAY
    add("average QPS", avg_qps, "QPS", f"{n(avg_qps)} QPS",
        _("{dau} DAU × {rpu} {per_day} ÷ {seconds} s = {qps} QPS").format(
            dau=n(dau), rpu=n(rpu), per_day=per_day, seconds=f"{SECONDS_PER_DAY:,}", qps=n(avg_qps)))
    pta = v["peak_to_average"]
    peak_qps = avg_qps * pta
    add("peak QPS", peak_qps, "QPS", f"{n(peak_qps)} QPS",
        _("{avg} QPS × {ratio} peak/average = {peak} QPS").format(avg=n(avg_qps), ratio=n(pta), peak=n(peak_qps)))

    cands = v["candidate_posts_per_request"]
    scored = peak_qps * cands
    add("candidates scored per second at peak", scored, "scores/s", _("{n} scores/s").format(n=n(scored)),
        _("{qps} QPS × {candidates} = {scored}").format(
            qps=n(peak_qps), candidates=_count(cands, ngettext("{n} candidate/request", "{n} candidates/request",
                                                                _n(cands))),
            scored=_("{n} scores/s").format(n=n(scored))))

    psq, util = v["per_server_qps"], v["target_utilization"]
    server_share = peak_qps / (psq * util)
    if not server_share <= MAX_SERVERS:  # also catches inf from a tiny --per-server-qps
        raise BadInputError(
            f"{where['per_server_qps']} {_fmt_limit(psq)} at {where['target_utilization']} {util:g} needs "
            f"more than {_sci(MAX_SERVERS)} servers for {n(peak_qps)} QPS; raise them"
        )
    servers = math.ceil(server_share)
    servers_text = _count(servers, ngettext("{n} server", "{n} servers", _n(servers)))
    add("servers at peak", servers, "servers", servers_text,
        _("⌈{qps} QPS ÷ ({per_server} QPS/server × {util} utilization)⌉ = {servers}").format(
            qps=n(peak_qps), per_server=n(psq), util=n(util), servers=servers_text))

    lat_s = v["latency_budget_ms"] / 1000
    inflight = peak_qps * lat_s
    add("requests in flight at peak", inflight, "requests",
        _count(inflight, ngettext("{n} request", "{n} requests", _n(inflight))),
        _("Little's law: {qps} QPS × {latency} s latency = {inflight}").format(
            qps=n(peak_qps), latency=n(lat_s),
            inflight=_count(inflight, ngettext("{n} concurrent request", "{n} concurrent requests", _n(inflight)))))

    ev, bpe = v["log_events_per_request"], v["bytes_per_log_event"]
    log_day = requests_day * ev * bpe
    per_day_text = _("{size}/day")
    per_year_text = _("{size}/year")
    add("log storage per day", log_day, "B/day", per_day_text.format(size=_fmt_bytes(log_day)),
        _("{requests} × {events} × {bytes} B = {total}").format(
            requests=requests_per_day(requests_day),
            events=_count(ev, ngettext("{n} event/request", "{n} events/request", _n(ev))), bytes=n(bpe),
            total=per_day_text.format(size=_fmt_bytes(log_day))))
    rep = v["replication"]
    log_year = log_day * DAYS_PER_YEAR
    add("log storage per year", log_year, "B/year", per_year_text.format(size=_fmt_bytes(log_year)),
        _("{day} × {days} days = {year} ({replicated} with {replication}× replication)").format(
            day=per_day_text.format(size=_fmt_bytes(log_day)), days=DAYS_PER_YEAR,
            year=per_year_text.format(size=_fmt_bytes(log_year)), replicated=_fmt_bytes(log_year * rep),
            replication=n(rep)))

    fbe = v["feature_bytes_per_example"]
    feat_day = requests_day * ev * fbe
    add("feature log storage per day", feat_day, "B/day", per_day_text.format(size=_fmt_bytes(feat_day)),
        _("{requests} × {examples} × {bytes} B of features = {total}").format(
            requests=requests_per_day(requests_day),
            examples=_count(ev, ngettext("{n} example/request", "{n} examples/request", _n(ev))), bytes=n(fbe),
            total=per_day_text.format(size=_fmt_bytes(feat_day))))
    feat_year = feat_day * DAYS_PER_YEAR
    add("feature log storage per year", feat_year, "B/year", per_year_text.format(size=_fmt_bytes(feat_year)),
        _("{day} × {days} days = {year} ({replicated} with {replication}× replication)").format(
            day=per_day_text.format(size=_fmt_bytes(feat_day)), days=DAYS_PER_YEAR,
            year=per_year_text.format(size=_fmt_bytes(feat_year)), replicated=_fmt_bytes(feat_year * rep),
            replication=n(rep)))

    users, items = v["users"], v["items"]
    rows = "({users} + {items})".format(users=_count(users, ngettext("{n} user", "{n} users", _n(users))),
                                        items=_count(items, ngettext("{n} item", "{n} items", _n(items))))
    fbent = v["feature_bytes_per_entity"]
    store = (users + items) * fbent
    add("online feature store size", store, "B", _fmt_bytes(store),
        f"{rows} × {n(fbent)} B = {_fmt_bytes(store)}")

    dim, bpv = v["embedding_dim"], v["bytes_per_value"]
    emb = (users + items) * dim * bpv
    dims = _count(dim, ngettext("{n} dim", "{n} dims", _n(dim)))
    add("embedding table memory", emb, "B", _fmt_bytes(emb), f"{rows} × {dims} × {n(bpv)} B = {_fmt_bytes(emb)}")

    resp = v["response_bytes"]
    egress = peak_qps * resp
    add("egress bandwidth at peak", egress, "B/s", _fmt_bits_per_s(egress),
        _("{qps} QPS × {bytes} B × 8 bit = {bandwidth}").format(qps=n(peak_qps), bytes=n(resp),
                                                                bandwidth=_fmt_bits_per_s(egress)))
    ingest = (log_day + feat_day) / SECONDS_PER_DAY
    add("log ingestion bandwidth (average)", ingest, "B/s", _fmt_bits_per_s(ingest),
        _("({logs} + {features}) per day ÷ {seconds} s × 8 bit = {bandwidth}").format(
            logs=_fmt_bytes(log_day), features=_fmt_bytes(feat_day), seconds=f"{SECONDS_PER_DAY:,}",
            bandwidth=_fmt_bits_per_s(ingest)))
    genai = any(k in scale or k in overrides for k in GENAI_KEYS)
    self_hosted = any(k in scale or k in overrides for k in SELF_HOSTED_KEYS)
    if genai:
        _genai_figures(v, where, requests_day, peak_qps, add, self_hosted=self_hosted,
                       window_given="context_window_tokens" in scale or "context_window_tokens" in overrides)
    for f in figures:  # the bounds on the inputs keep every product finite; say so loudly if not
        if not math.isfinite(f.value):
            raise BadInputError(f"the inputs overflow: {f.name} is not a finite number; use smaller values")

    inputs = tuple(
        EstimateInput(k.name, _tidy(values[k.name]), k.unit, sources[k.name]) for k in KEYS
        if not k.genai or (genai and (self_hosted or k.name in TOKEN_KEYS))
    )
    return EstimateResult(scenario=scenario, inputs=inputs, figures=tuple(figures), not_used=not_used)


def _genai_figures(v: Mapping[str, float], where: Mapping[str, str], requests_day: float, peak_qps: float,
                   add: Any, *, self_hosted: bool = True, window_given: bool = True) -> None:
    """Tokens; when the model is self-hosted, also KV-cache and weight memory, concurrency per GPU,
    GPUs and cost for LLM serving."""
    n = _fmt_num
    prompt, output = v["prompt_tokens_per_request"], v["output_tokens_per_request"]
    window = v["context_window_tokens"]
    if prompt + output > window and (self_hosted or window_given):  # a hosted model's window is its own
        names = [where[k] for k in ("prompt_tokens_per_request", "output_tokens_per_request", "context_window_tokens")]
        prefix = next((w[:w.index("scale.")] for w in names if "scale." in w), "")  # "<scenario>: ", said once
        p_name, o_name, w_name = (w.removeprefix(prefix) for w in names)
        raise BadInputError(prefix + _(
            "{prompt_name} {prompt} + {output_name} {output} tokens exceed {window_name} {window}; shorten them or "
            "raise the context window").format(prompt_name=p_name, prompt=_fmt_limit(prompt), output_name=o_name,
                                               output=_fmt_limit(output), window_name=w_name, window=_fmt_limit(window)))
    day = _count(requests_day, ngettext("{n} request/day", "{n} requests/day", _n(requests_day)))
    tokens_day, tokens_s = _("{n} tokens/day"), _("{n} tokens/s")
    for name, kind_text, tokens in (("prompt tokens per day", _("{n} prompt tokens"), prompt),
                                    ("output tokens per day", _("{n} output tokens"), output)):
        per_day = requests_day * tokens
        add(name, per_day, "tokens/day", tokens_day.format(n=n(per_day)),
            f"{day} × {kind_text.format(n=n(tokens))} = {tokens_day.format(n=n(per_day))}")
    for name, kind_text, tokens in (("peak prompt tokens/s", _("{n} prompt tokens"), prompt),
                                    ("peak output tokens/s", _("{n} output tokens"), output)):
        per_s = peak_qps * tokens
        add(name, per_s, "tokens/s", tokens_s.format(n=n(per_s)),
            f"{n(peak_qps)} QPS × {kind_text.format(n=n(tokens))} = {tokens_s.format(n=n(per_s))}")
    peak_out = peak_qps * output
    if not self_hosted:
        return

    layers, heads, dim, kvb = v["model_layers"], v["kv_heads"], v["head_dim"], v["kv_bytes_per_value"]
    per_token = 2 * layers * heads * dim * kvb
    token_bytes = f"{n(per_token)} B"  # exact: the number an interviewer checks
    add("KV-cache bytes per token", per_token, "B", token_bytes,
        _("2 (K and V) × {layers} layers × {heads} KV heads × {dims} dims × {bytes} B = {total}").format(
            layers=n(layers), heads=n(heads), dims=n(dim), bytes=n(kvb), total=token_bytes))
    length = prompt + output
    per_request = per_token * length
    add("KV-cache bytes per request", per_request, "B", _fmt_bytes(per_request),
        _("{per_token}/token × ({prompt} + {output}) tokens = {total}").format(
            per_token=token_bytes, prompt=n(prompt), output=n(output), total=_fmt_bytes(per_request)))

    params, wb = v["model_params_billion"], v["weight_bytes_per_param"]
    weights = params * 1e9 * wb
    add("model weight memory", weights, "B", _fmt_bytes(weights),
        _("{params} billion params × {bytes} B = {total}").format(params=n(params), bytes=n(wb),
                                                                 total=_fmt_bytes(weights)))

    def requests(count: float) -> str:
        return _count(count, ngettext("{n} request", "{n} requests", _n(count)))

    def gpus_text(count: float) -> str:
        return _count(count, ngettext("{n} GPU", "{n} GPUs", _n(count)))

    memory = v["gpu_memory_gb"] * 1e9
    free = memory - weights
    if free <= 0:
        split = math.ceil(weights / memory)
        for name in ("concurrent requests per GPU", "concurrent requests per GPU at full-window reservation"):
            add(name, 0, "requests", requests(0),
                _("{weights} of weights exceed one {memory} GPU: split the model over at least {gpus} (tensor or "
                  "pipeline parallelism) or quantise it").format(weights=_fmt_bytes(weights), memory=_fmt_bytes(memory),
                                                                  gpus=gpus_text(split)))
    else:
        held = math.floor(free / per_request)
        add("concurrent requests per GPU", held, "requests", requests(held),
            _("⌊({memory} − {weights} weights) ÷ {per_request} per request⌋ = {held} (paged KV cache; before "
              "activations and fragmentation)").format(memory=_fmt_bytes(memory), weights=_fmt_bytes(weights),
                                                       per_request=_fmt_bytes(per_request), held=requests(held)))
        reserved = math.floor(free / (per_token * window))
        add("concurrent requests per GPU at full-window reservation", reserved, "requests", requests(reserved),
            _("⌊({memory} − {weights} weights) ÷ ({per_token} × {window} tokens)⌋ = {reserved} (each reserving the "
              "whole context window)").format(memory=_fmt_bytes(memory), weights=_fmt_bytes(weights),
                                              per_token=token_bytes, window=n(window), reserved=requests(reserved)))

    rate, util, price = v["gpu_tokens_per_second"], v["target_utilization"], v["gpu_hourly_cost_usd"]
    share = peak_out / (rate * util)
    if not share <= MAX_SERVERS:
        raise BadInputError(
            f"{where['gpu_tokens_per_second']} {_fmt_limit(rate)} at {where['target_utilization']} {util:g} needs "
            f"more than {_sci(MAX_SERVERS)} GPUs for {n(peak_out)} output tokens/s; raise them")
    gpus = math.ceil(share)
    add("GPUs for peak output tokens/s", gpus, "GPUs", gpus_text(gpus),
        _("⌈{peak} tokens/s ÷ ({rate} tokens/s/GPU × {util} utilization)⌉ = {gpus}").format(
            peak=n(peak_out), rate=n(rate), util=n(util), gpus=gpus_text(gpus)))
    per_day = gpus * price * 24
    add("GPU cost per day", per_day, "$/day", _("${cost}/day").format(cost=n(per_day)),
        _("{gpus} × ${price}/h × 24 h = ${cost}/day").format(gpus=gpus_text(gpus), price=n(price), cost=n(per_day)))
    million = requests_day * output / 1e6
    per_million = per_day / million
    add("cost per 1M output tokens", per_million, "$", f"${n(per_million)}",
        _("${cost}/day ÷ {million} million output tokens/day = ${per_million} per 1M").format(
            cost=n(per_day), million=n(million), per_million=n(per_million)))
