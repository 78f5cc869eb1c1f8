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
latency_budget_ms, replication.

No numpy: the CLI imports this only inside the command, but it is cheap anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlsd.errors import BadInputError
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


KEYS: tuple[EstimateKey, ...] = (
    EstimateKey("daily_active_users", "--dau", 10_000_000, "users",
                "Daily active users (DAU).", integer=True),
    EstimateKey("requests_per_user_per_day", "--requests-per-user", 10, "requests/day",
                "Requests (page loads, queries, feed refreshes) per active user per day."),
    EstimateKey("peak_to_average", "--peak-to-average", 3, "×",
                "Peak QPS over average QPS (diurnal peak; 2-3 is typical).", low=1, low_inclusive=True),
    EstimateKey("users", "--users", None, "users",
                "Users with an embedding / feature row (defaults to DAU).", integer=True,
                default_from="daily_active_users"),
    EstimateKey("items", "--items", 1_000_000, "items",
                "Items in the catalogue (posts, products, videos, documents).", integer=True),
    EstimateKey("embedding_dim", "--embedding-dim", 64, "dims",
                "Embedding dimension of users and items.", integer=True),
    EstimateKey("bytes_per_value", "--bytes-per-value", 4, "B",
                "Bytes per embedding value (4 = float32, 2 = float16, 1 = int8)."),
    EstimateKey("candidate_posts_per_request", "--candidates-per-request", 500, "candidates",
                "Candidates the ranking model scores per request.", integer=True),
    EstimateKey("log_events_per_request", "--log-events-per-request", 10, "events",
                "Log rows written per request (e.g. one per impression shown).", integer=True),
    EstimateKey("bytes_per_log_event", "--bytes-per-log-event", 500, "B",
                "Bytes per log row (ids, timestamp, context, outcome)."),
    EstimateKey("feature_bytes_per_example", "--feature-bytes-per-example", 2_000, "B",
                "Bytes of features logged per log row at serving time (for training without skew)."),
    EstimateKey("feature_bytes_per_entity", "--feature-bytes-per-entity", 1_000, "B",
                "Bytes per user or item row in the online feature store."),
    EstimateKey("response_bytes", "--response-bytes", 10_000, "B",
                "Bytes per response sent back to the client."),
    EstimateKey("per_server_qps", "--per-server-qps", 500, "QPS",
                "Requests per second one server sustains (measure it with a load test)."),
    EstimateKey("target_utilization", "--target-utilization", 0.7, "",
                "Fraction of a server's capacity you plan to use at peak (headroom for spikes).",
                high=1.0),
    EstimateKey("latency_budget_ms", "--latency-budget-ms", 200, "ms",
                "End-to-end latency budget per request."),
    EstimateKey("replication", "--replication", 3, "×",
                "Copies kept of stored data (storage per year is shown raw and replicated).",
                low=1, low_inclusive=True),
)

KEY_BY_NAME: dict[str, EstimateKey] = {k.name: k for k in KEYS}


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

    def tables(self) -> list[Table]:
        inputs = table(
            "Inputs" + (f" (scale of {self.scenario})" if self.scenario else ""),
            ("input", "value", "unit", "from"),
            [(i.name, i.value, i.unit, i.source) for i in self.inputs],
            note=("not used: " + ", ".join(self.not_used)) if self.not_used else "",
        )
        figures = table(
            "Back-of-envelope",
            ("figure", "value", "arithmetic"),
            [(f.name, f.shown, f.arithmetic) for f in self.figures],
        )
        return [inputs, figures]

    def reading(self) -> list[str]:
        peak = self.figure("peak QPS")
        servers = self.figure("servers at peak")
        emb = self.figure("embedding table memory")
        logs_year = self.figure("log storage per year")
        scored = self.figure("candidates scored per second at peak")
        lines = [
            f"Peak traffic is {peak.shown}; at the stated per-server throughput and headroom that "
            f"needs {servers.shown}, so the serving tier must scale horizontally "
            "behind a load balancer with autoscaling for the daily peak.",
            (
                f"The ranking model computes {scored.shown} at peak: this, not the request rate, sizes "
                "the model servers, which is why a cheap candidate-generation stage cuts the list first."
            ) if scored.value > peak.value else (
                "The model scores one prediction per request, so the request rate itself sizes the "
                "model servers."
            ),
        ]
        emb_gb = emb.value / 1e9
        if emb_gb > 64:
            lines.append(
                f"The embedding tables take {emb.shown}: more than one machine's memory comfortably "
                "holds, so shard them (model parallelism / a parameter server) or shrink them "
                "(fewer dimensions, float16/int8, hashing rare ids)."
            )
        else:
            lines.append(
                f"The embedding tables take {emb.shown}, which fits in one server's memory; "
                "replicate them to each serving machine rather than sharding."
            )
        lines.append(
            f"Logs grow by {logs_year.shown} raw: keep them in cheap columnar storage partitioned "
            "by day, with a retention policy, and sample negatives for training."
        )
        return lines


def _tidy(value: float) -> float | int:
    """Whole numbers as int, so tables show 500 rather than 500.0."""
    return int(value) if float(value).is_integer() and abs(value) < 1e18 else value


def _fmt_num(value: float) -> str:
    """1234567 -> '1,234,567'; 0.7 -> '0.7'; 69444.4 -> '69,444'."""
    if value == int(value) and abs(value) < 1e18:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _fmt_bytes(n: float) -> str:
    """Decimal units, as capacity planning uses them: 1 TB = 10^12 bytes."""
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:,.3g} {unit}" if n / size < 1000 else f"{n / size:,.0f} {unit}"
    return f"{n:,.0f} B"


def _fmt_bits_per_s(bytes_per_s: float) -> str:
    bits = bytes_per_s * 8
    for unit, size in (("Tbit/s", 1e12), ("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if bits >= size:
            return f"{bits / size:,.3g} {unit}"
    return f"{bits:,.0f} bit/s"


def _check(key: EstimateKey, value: Any, where: str) -> float:
    """Validate one input; the message names it as the user wrote it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise BadInputError(f"{where} must be a number, got {value!r}")
    value = float(value)
    too_low = value < key.low or (value == key.low and not key.low_inclusive)
    too_high = key.high is not None and value > key.high
    if too_low or too_high or math.isinf(value):
        left = "[" if key.low_inclusive else "("
        hi = "inf)" if key.high is None else f"{key.high:g}]"
        raise BadInputError(f"{where} must be in {left}{key.low:g}, {hi}, got {value:g}")
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
    prefix = f"{scenario}: " if scenario else ""
    for key in KEYS:
        if key.name in overrides:
            values[key.name] = _check(key, overrides[key.name], key.option)
            sources[key.name] = "option"
        elif key.name in scale:
            values[key.name] = _check(key, scale[key.name], f"{prefix}scale.{key.name}")
            sources[key.name] = "scenario"
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
    requests_day = add(
        "requests per day", dau * rpu, "requests/day", f"{n(dau * rpu)} requests/day",
        f"{n(dau)} DAU × {n(rpu)} requests/day = {n(dau * rpu)} requests/day",
    )
    avg_qps = requests_day / SECONDS_PER_DAY
    add("average QPS", avg_qps, "QPS", f"{n(round(avg_qps))} QPS",
        f"{n(dau)} DAU × {n(rpu)} requests/day ÷ {SECONDS_PER_DAY:,} s = {n(round(avg_qps))} QPS")
    pta = v["peak_to_average"]
    peak_qps = avg_qps * pta
    add("peak QPS", peak_qps, "QPS", f"{n(round(peak_qps))} QPS",
        f"{n(round(avg_qps))} QPS × {n(pta)} peak/average = {n(round(peak_qps))} QPS")

    cands = v["candidate_posts_per_request"]
    scored = peak_qps * cands
    add("candidates scored per second at peak", scored, "scores/s", f"{n(round(scored))} scores/s",
        f"{n(round(peak_qps))} QPS × {n(cands)} candidates/request = {n(round(scored))} scores/s")

    psq, util = v["per_server_qps"], v["target_utilization"]
    servers = math.ceil(peak_qps / (psq * util))
    add("servers at peak", servers, "servers", f"{servers:,} servers",
        f"⌈{n(round(peak_qps))} QPS ÷ ({n(psq)} QPS/server × {n(util)} utilization)⌉ = {servers:,} servers")

    lat_s = v["latency_budget_ms"] / 1000
    inflight = peak_qps * lat_s
    add("requests in flight at peak", inflight, "requests", f"{n(round(inflight))} requests",
        f"Little's law: {n(round(peak_qps))} QPS × {n(lat_s)} s latency = {n(round(inflight))} concurrent requests")

    ev, bpe = v["log_events_per_request"], v["bytes_per_log_event"]
    log_day = requests_day * ev * bpe
    add("log storage per day", log_day, "B/day", f"{_fmt_bytes(log_day)}/day",
        f"{n(requests_day)} requests/day × {n(ev)} events/request × {n(bpe)} B = {_fmt_bytes(log_day)}/day")
    rep = v["replication"]
    log_year = log_day * DAYS_PER_YEAR
    add("log storage per year", log_year, "B/year", f"{_fmt_bytes(log_year)}/year",
        f"{_fmt_bytes(log_day)}/day × {DAYS_PER_YEAR} days = {_fmt_bytes(log_year)}/year "
        f"({_fmt_bytes(log_year * rep)} with {n(rep)}× replication)")

    fbe = v["feature_bytes_per_example"]
    feat_day = requests_day * ev * fbe
    add("feature log storage per day", feat_day, "B/day", f"{_fmt_bytes(feat_day)}/day",
        f"{n(requests_day)} requests/day × {n(ev)} examples/request × {n(fbe)} B of features = "
        f"{_fmt_bytes(feat_day)}/day")
    feat_year = feat_day * DAYS_PER_YEAR
    add("feature log storage per year", feat_year, "B/year", f"{_fmt_bytes(feat_year)}/year",
        f"{_fmt_bytes(feat_day)}/day × {DAYS_PER_YEAR} days = {_fmt_bytes(feat_year)}/year "
        f"({_fmt_bytes(feat_year * rep)} with {n(rep)}× replication)")

    users, items = v["users"], v["items"]
    fbent = v["feature_bytes_per_entity"]
    store = (users + items) * fbent
    add("online feature store size", store, "B", _fmt_bytes(store),
        f"({n(users)} users + {n(items)} items) × {n(fbent)} B = {_fmt_bytes(store)}")

    dim, bpv = v["embedding_dim"], v["bytes_per_value"]
    emb = (users + items) * dim * bpv
    add("embedding table memory", emb, "B", _fmt_bytes(emb),
        f"({n(users)} users + {n(items)} items) × {n(dim)} dims × {n(bpv)} B = {_fmt_bytes(emb)}")

    resp = v["response_bytes"]
    egress = peak_qps * resp
    add("egress bandwidth at peak", egress, "B/s", _fmt_bits_per_s(egress),
        f"{n(round(peak_qps))} QPS × {n(resp)} B × 8 bit = {_fmt_bits_per_s(egress)}")
    ingest = (log_day + feat_day) / SECONDS_PER_DAY
    add("log ingestion bandwidth (average)", ingest, "B/s", _fmt_bits_per_s(ingest),
        f"({_fmt_bytes(log_day)} + {_fmt_bytes(feat_day)}) per day ÷ {SECONDS_PER_DAY:,} s × 8 bit = "
        f"{_fmt_bits_per_s(ingest)}")

    inputs = tuple(
        EstimateInput(k.name, _tidy(values[k.name]), k.unit, sources[k.name]) for k in KEYS
    )
    return EstimateResult(scenario=scenario, inputs=inputs, figures=tuple(figures), not_used=not_used)
