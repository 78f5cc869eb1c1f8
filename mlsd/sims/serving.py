"""Serving a model at high QPS: replicas, load balancing, autoscaling, caching, where to run it.

The source notes' FAQ asks how to scale (load balancer, replication, caching), how to
balance load and autoscale, how to cut latency, batch vs online prediction and
where to run inference. This module answers with a discrete-event simulation of
Poisson traffic through a load balancer to `c` replicas, checked against the
queueing closed forms in `mlsd.sims.queueing`:

- least-loaded: the balancer keeps one queue and hands the next request to the
  first idle replica. That is exactly the M/M/c (Erlang C) system.
- round-robin: every replica gets every c-th request and keeps its own queue
  (E_c/M/1 per replica); a request can wait behind a slow one while a
  neighbour idles, so the tail is far worse at the same replica count.
- random: a random split (M/M/1 per replica), the worst of the four.
- power-of-two: ask two random replicas for their outstanding requests and pick
  the shorter: most of least-loaded's benefit with two probes.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from mlsd.errors import BadInputError, check_range, did_you_mean
from mlsd.i18n import N_, _
from mlsd.sims import queueing as q
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
)

BALANCERS = ("least-loaded", "power-of-two", "round-robin", "random")
SERVICE_DISTS = ("exponential", "constant", "lognormal")
LOGNORMAL_SIGMA = 1.0  # shape of the heavy-tailed service time (mean kept at --service-ms)
WARMUP_FRACTION = 0.1  # requests dropped from the statistics: the empty-system start
SWEEP_REQUESTS = 25_000  # shortest simulated run (sizing without a closed form, sweep points)
TAIL = 0.99
# Run length. A queue started empty under-states its tail until it has forgotten the start:
# for M/M/1 that takes about one relaxation time τ = 1/(μ(1-√ρ)²) (Morse), longer near
# ρ = 1. Every simulated figure drops max(10 %, WARMUP_RELAXATIONS·τ) of warm-up and then
# runs RUN_RELAXATIONS·τ (at least --requests), up to a cap; its p99 carries a 95 %
# batch-means confidence interval and is flagged "not converged" when the cap cut the run
# short or the interval is wider than ±CONVERGED_HALF_WIDTH of the estimate.
WARMUP_RELAXATIONS = 5
RUN_RELAXATIONS = 50
CI_BATCHES = 10  # few, long batches (5 relaxation times each): their quantiles are nearly independent
T_975 = 2.262  # Student t, 97.5 % point, 9 degrees of freedom (CI_BATCHES - 1)
CONVERGED_HALF_WIDTH = 0.10
MAX_RUN_VECTORISED = 4_000_000  # round-robin, random: numpy, ~50 ns per request
MAX_RUN_LOOP = 1_000_000  # least-loaded, power-of-two: a Python loop, ~300-800 ns per request
MAX_RUN_SWEEP = 50_000  # per point of the replica sweep (flagged when that cuts a run short)
MAX_QPS = 1e6  # upper bound of --qps
MAX_MS = 3_600_000.0  # upper bound of the millisecond options: an hour
MAX_REPLICAS = 10_000  # largest fleet simulated (--replicas, and what --qps × --service-ms may need)

# On-device constants (stated in the table note): a phone SoC draws ~2 W while
# running a model; a phone battery holds ~15 Wh.
DEVICE_WATTS = 2.0
BATTERY_WH = 15.0
BATCH_SPEEDUP = 4.0  # batched offline inference vs one request at a time
BATCH_START_HOUR = 2.0  # the nightly job starts at 02:00
PEAK_HOUR = 20.0  # diurnal traffic peaks at 20:00


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise BadInputError naming the option when `value` is not one of `choices`."""
    if value not in choices:
        raise BadInputError(_("{option} must be one of {choices}, got {value}{hint}").format(
            option=f"--{name.replace('_', '-')}", choices=", ".join(choices), value=repr(value),
            hint=did_you_mean(value, choices)))


# --------------------------------------------------------------------------------------
# The discrete-event core
# --------------------------------------------------------------------------------------


def poisson_arrivals(rng: np.random.Generator, qps: float, n: int) -> np.ndarray:
    """Arrival times (s) of `n` requests of a Poisson process with rate `qps`."""
    return np.cumsum(rng.exponential(1.0 / qps, size=n))


def service_times(rng: np.random.Generator, dist: str, mean_s: float, n: int) -> np.ndarray:
    """`n` service times (s) with mean `mean_s` from the named distribution."""
    if dist == "exponential":
        return rng.exponential(mean_s, size=n)
    if dist == "constant":
        return np.full(n, mean_s)
    mu_log = math.log(mean_s) - LOGNORMAL_SIGMA**2 / 2
    return rng.lognormal(mu_log, LOGNORMAL_SIGMA, size=n)


def service_quantile(dist: str, mean_s: float, qq: float) -> float:
    """The qq-quantile of one request's own service time: the floor under any p99."""
    if dist == "exponential":
        return -math.log(1.0 - qq) * mean_s
    if dist == "constant":
        return mean_s
    from scipy.stats import norm  # slow to import: only for the lognormal case

    mu_log = math.log(mean_s) - LOGNORMAL_SIGMA**2 / 2
    return math.exp(mu_log + LOGNORMAL_SIGMA * float(norm.ppf(qq)))


def service_tail(dist: str, mean_s: float, x: float) -> float:
    """P(S > x) for one request's service time."""
    if x <= 0:
        return 1.0
    if dist == "exponential":
        return math.exp(-x / mean_s)
    if dist == "constant":
        return 1.0 if x < mean_s else 0.0
    from scipy.stats import lognorm  # slow to import: only for the lognormal case

    mu_log = math.log(mean_s) - LOGNORMAL_SIGMA**2 / 2
    return float(lognorm.sf(x, LOGNORMAL_SIGMA, scale=math.exp(mu_log)))


def fcfs_departures(arrivals: np.ndarray, services: np.ndarray) -> np.ndarray:
    """Departure times of one FCFS server, vectorised.

    D_n = max(A_n, D_{n-1}) + S_n unrolls to D_n = cumS_n + max_{k≤n}(A_k - cumS_{k-1}),
    a running maximum: no Python loop.
    """
    cum = np.cumsum(services)
    return cum + np.maximum.accumulate(arrivals - (cum - services))


def _central_queue(arrivals: list[float], services: list[float], c: int) -> list[float]:
    """One FCFS queue at the balancer, c replicas: a heap of the times replicas free up."""
    free = [0.0] * c
    out = [0.0] * len(arrivals)
    replace = heapq.heapreplace
    for k, (t, s) in enumerate(zip(arrivals, services, strict=True)):
        f = free[0]
        d = (t if f < t else f) + s
        replace(free, d)
        out[k] = d
    return out


def _power_of_two(arrivals: list[float], services: list[float], c: int, first: list[int], second: list[int]) -> list[float]:
    """Per-replica FCFS queues; each request goes to the less busy of two sampled replicas.

    "Busy" is what a balancer can see: requests sent and not yet answered.
    """
    pending = [deque() for _ in range(c)]
    last = [0.0] * c
    out = [0.0] * len(arrivals)
    for k, t in enumerate(arrivals):
        i, j = first[k], second[k]
        qi, qj = pending[i], pending[j]
        while qi and qi[0] <= t:
            qi.popleft()
        while qj and qj[0] <= t:
            qj.popleft()
        pick = i if len(qi) <= len(qj) else j
        lp = last[pick]
        d = (t if lp < t else lp) + services[k]
        last[pick] = d
        pending[pick].append(d)
        out[k] = d
    return out


def response_times(
    arrivals: np.ndarray, services: np.ndarray, c: int, balancer: str, rng: np.random.Generator
) -> np.ndarray:
    """Response time (wait + service, s) of every request through `balancer` to `c` replicas."""
    n = len(arrivals)
    if balancer == "least-loaded":
        dep = np.asarray(_central_queue(arrivals.tolist(), services.tolist(), c))
    elif balancer == "power-of-two":
        first = rng.integers(c, size=n)
        second = (first + rng.integers(1, c, size=n)) % c if c > 1 else first
        dep = np.asarray(_power_of_two(arrivals.tolist(), services.tolist(), c, first.tolist(), second.tolist()))
    else:
        dep = np.empty(n)
        if balancer == "round-robin":
            for i in range(c):
                dep[i::c] = fcfs_departures(arrivals[i::c], services[i::c])
        else:  # random: group the requests by replica once (stable: each keeps arrival order)
            where = rng.integers(c, size=n)
            order = np.argsort(where.astype(np.uint16) if c < 65536 else where, kind="stable")  # radix sort
            bounds = np.concatenate(([0], np.cumsum(np.bincount(where, minlength=c))))
            for i in range(c):
                sel = order[bounds[i]:bounds[i + 1]]
                dep[sel] = fcfs_departures(arrivals[sel], services[sel])
    return dep - arrivals


def steady(x: np.ndarray, warmup: int = 0) -> np.ndarray:
    """Drop the warm-up: the first requests see an empty system (10 %, or `warmup` if more)."""
    return x[max(int(len(x) * WARMUP_FRACTION), warmup):]


SCV = {"exponential": 1.0, "constant": 0.0, "lognormal": math.expm1(LOGNORMAL_SIGMA**2)}


def relaxation_seconds(balancer: str, lam: float, mu: float, c: int, dist: str) -> float:
    """How long (s) the queue takes to forget an empty start: the time scale of the warm-up bias.

    Morse's M/M/1 relaxation time 1/(μ(1-√ρ)²), scaled by the heavy-traffic variability
    factor (c_a² + c_s²)/2 (Whitt) for other arrival and service variability:
    - least-loaded (one queue, c servers): 1/(√(cμ) - √λ)²;
    - random: each replica is M/M/1 at ρ = λ/(cμ);
    - round-robin: each replica sees Erlang(c) gaps, c_a² = 1/c;
    - power-of-two: no closed form; it pools nearly as well as least-loaded, so its form is
      used (optimistic: the CI, not this estimate, decides whether the figure converged).
    """
    cs2 = SCV[dist]
    rho = lam / (c * mu)
    if rho >= 1:
        return math.inf
    if balancer in ("least-loaded", "power-of-two"):
        return (1.0 + cs2) / 2 / (math.sqrt(c * mu) - math.sqrt(lam)) ** 2
    ca2 = 1.0 / c if balancer == "round-robin" else 1.0
    return (ca2 + cs2) / 2 / (mu * (1.0 - math.sqrt(rho)) ** 2)


@dataclass(frozen=True)
class TailEstimate:
    """A simulated p99 (s) with its 95 % batch-means confidence interval."""

    p99: float
    low: float
    high: float
    p50: float
    requests: int  # simulated, warm-up included
    converged: bool  # the run reached its target length and the CI is within ±10 %
    responses: np.ndarray  # steady-state response times (s), for other percentiles

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


def tail_estimate(resp: np.ndarray, warmup: int, reached: bool, level: float = TAIL) -> TailEstimate:
    """`level`-quantile of the steady part of `resp`, with a CI from CI_BATCHES contiguous batches' quantiles."""
    ss = steady(resp, warmup)
    p50, p99 = (float(v) for v in np.quantile(ss, [0.5, level]))  # one partition for both
    k = len(ss) // CI_BATCHES
    if k * (1 - level) < 5:  # too few requests per batch for a batch quantile
        return TailEstimate(p99, 0.0, math.inf, p50, len(resp), False, ss)
    batch = np.quantile(ss[: k * CI_BATCHES].reshape(CI_BATCHES, k), level, axis=1)
    half = T_975 * float(batch.std(ddof=1)) / math.sqrt(CI_BATCHES)
    converged = reached and half <= CONVERGED_HALF_WIDTH * p99
    return TailEstimate(p99, p99 - half, p99 + half, p50, len(resp), converged, ss)


class Stream:
    """Common random numbers: one Poisson arrival stream and its service times, grown on demand.

    The first `requests` come from the seed's main generator; longer runs append chunks
    from a second generator, so every run is a prefix of the same stream whatever its length.
    """

    def __init__(self, seed: int, qps: float, dist: str, mean_s: float, requests: int):
        rng = np.random.default_rng(seed)
        self.arrivals = poisson_arrivals(rng, qps, requests)
        self.services = service_times(rng, dist, mean_s, requests)
        self._gaps = np.random.default_rng([seed, 7])
        self._work = np.random.default_rng([seed, 8])
        self.qps, self.dist, self.mean_s = qps, dist, mean_s

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.arrivals) < n:  # grow at least geometrically: few, large draws
            m = max(n, 2 * len(self.arrivals)) - len(self.arrivals)
            gaps = self._gaps.exponential(1.0 / self.qps, size=m)
            self.arrivals = np.concatenate([self.arrivals, self.arrivals[-1] + np.cumsum(gaps)])
            self.services = np.concatenate([self.services, service_times(self._work, self.dist, self.mean_s, m)])
        return self.arrivals[:n], self.services[:n]


def run_length(balancer: str, lam: float, mu: float, c: int, dist: str, minimum: int,
               cap: int | None = None) -> tuple[int, int, bool]:
    """(requests to simulate, warm-up requests, whether the target fits under the cap)."""
    tau = relaxation_seconds(balancer, lam, mu, c, dist)
    cap = run_cap(balancer) if cap is None else cap
    if not math.isfinite(tau):
        return cap, int(cap * WARMUP_FRACTION), False
    warm = int(math.ceil(WARMUP_RELAXATIONS * tau * lam))
    target = max(minimum, warm + int(math.ceil(RUN_RELAXATIONS * tau * lam)))
    n = min(target, cap)
    return n, min(warm, n // 2), target <= cap


def simulate_tail(stream: Stream, balancer: str, c: int, mu: float, minimum: int, seed: int, *,
                  lam: float | None = None, level: float = TAIL, offset: float = 0.0,
                  cap: int | None = None) -> TailEstimate:
    """`level`-quantile (with its CI) of `offset` + response time through `balancer` to `c` replicas.

    The run is as long as the warm-up needs (see `run_length`). `lam` below the stream's
    rate slows the common arrivals down (a thinned stream: the misses behind a cache).
    """
    lam = stream.qps if lam is None else lam
    n, warm, reached = run_length(balancer, lam, mu, c, stream.dist, minimum, cap)
    arr, svc = stream.take(n)
    if lam != stream.qps:
        arr = arr * (stream.qps / lam)
    resp = response_times(arr, svc, c, balancer, np.random.default_rng([seed, c]))
    return tail_estimate(resp + offset, warm, reached, level)


def run_cap(balancer: str) -> int:
    return MAX_RUN_VECTORISED if balancer in ("round-robin", "random") else MAX_RUN_LOOP


def size_by_simulation(
    stream: Stream, balancer: str, mu: float, slo_s: float, seed: int, *, start: int, floor: int, minimum: int,
    lam: float | None = None, level: float = TAIL, offset: float = 0.0,
) -> tuple[int, TailEstimate]:
    """Fewest replicas whose simulated `level`-quantile is ≤ `slo_s`, where no closed form applies.

    Each count is judged on a run long enough for its warm-up; while the 95 % CI still
    straddles the SLO the run doubles (up to the cap), so a count is not chosen on noise.
    Returns the count and the estimate that decided it.
    """
    memo: dict[int, TailEstimate] = {}

    def judge(c: int) -> TailEstimate:
        if c not in memo:
            n = minimum
            while True:
                est = simulate_tail(stream, balancer, c, mu, n, seed, lam=lam, level=level, offset=offset)
                if not est.contains(slo_s) or est.requests >= run_cap(balancer):
                    break
                n = 2 * est.requests
            memo[c] = est
        return memo[c]

    limit = min(50 * max(floor, 1), 2 * MAX_REPLICAS)
    c = max(start, floor)
    if judge(c).p99 > slo_s:
        while judge(c).p99 > slo_s and c < limit:
            c += 1 if c < 2 * start else max(1, c // 10)
    else:
        while c - 1 >= floor and judge(c - 1).p99 <= slo_s:
            c -= 1
    return c, judge(c)


def closed_form_replicas(balancer: str, lam: float, mu: float, slo_s: float, dist: str) -> int | None:
    """Fewest replicas whose closed-form p99 is ≤ `slo_s`; None where no closed form applies."""
    if dist != "exponential" or balancer == "power-of-two":
        return None
    if balancer == "least-loaded":
        return q.min_replicas_for_slo(lam, mu, slo_s)
    c = q.min_stable_replicas(lam, mu)
    while closed_form_p99(balancer, lam, mu, c, dist) > slo_s:
        c += 1
        if c > 100 * MAX_REPLICAS:
            return None
    return c


def cache_p99_closed_form(h: float, lam_b: float, mu: float, c: int, cache_s: float) -> float:
    """End-to-end p99 (s) with a cache: hits take `cache_s`, misses `cache_s` + an M/M/c response.

    P(T > t) = (1 - h)·P(R > t - cache_s) for t ≥ cache_s, so it is exact at exponential service.
    """
    if (1 - h) <= 1 - TAIL:
        return cache_s
    return cache_s + q.quantile_from_tail(
        lambda t: (1 - h) * q.mmc_response_tail(t, lam_b, mu, c), TAIL, 1.0 / mu)


def closed_form_p99(balancer: str, lam: float, mu: float, c: int, dist: str) -> float:
    """The closed-form p99 for this balancer, when one exists (exponential service), else nan."""
    if dist != "exponential":
        return math.nan
    if balancer == "least-loaded":
        return q.mmc_response_quantile(TAIL, lam, mu, c)
    if balancer == "round-robin":
        return q.round_robin_quantile(TAIL, lam, mu, c)
    if balancer == "random":
        return q.mm1_split_quantile(TAIL, lam, mu, c)
    return math.nan


def closed_form_name(balancer: str) -> str:
    return {  # values (--json); shown translated
        "least-loaded": N_("M/M/c (Erlang C)"),
        "round-robin": N_("E_c/M/1 per replica"),
        "random": N_("M/M/1 per replica"),
    }.get(balancer, N_("none"))


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BalancerRow:
    balancer: str
    p50_ms: float
    p99_ms: float
    p99_ci_low_ms: float  # 95 % batch-means confidence interval of the simulated p99
    p99_ci_high_ms: float
    requests: int  # simulated for this row (run length follows the queue's relaxation time)
    converged: bool  # the run reached its target length and the CI is within ±10 %
    closed_form_p99_ms: float  # nan where no closed form applies
    closed_form: str


@dataclass(frozen=True)
class SweepRow:
    replicas: int
    utilisation: float
    p99_ms_least_loaded: float
    p99_ms_round_robin: float
    p99_ms_erlang_c: float  # nan unless service is exponential
    converged: bool  # both simulated p99s reached their run length with a CI within ±10 %


@dataclass(frozen=True)
class PolicyRow:
    policy: str
    replica_hours: float
    cost: float
    peak_replicas: int
    violation_minutes: int
    share_over_slo: float  # of the day's requests


@dataclass(frozen=True)
class CacheRow:
    hit_rate: float
    backend_qps: float
    replicas: int  # fewest replicas meeting the SLO end to end (0: none can)
    p99_ms: float  # end-to-end p99 at that count: closed form at exponential service, else simulated
    cost_per_hour: float


@dataclass(frozen=True)
class ServingResult(SimResult):
    qps: float
    service_ms: float
    slo_p99_ms: float
    balancer: str
    service_dist: str
    requests: int
    replicas: int
    sized_for_slo: bool  # True when --replicas was 0 and the simulation chose the count
    min_stable_replicas: int
    utilisation: float  # measured: busy time / (replicas × span)
    p50_ms: float
    p99_ms: float
    p99_ci_low_ms: float  # 95 % batch-means confidence interval of the simulated p99
    p99_ci_high_ms: float
    p99_converged: bool
    requests_simulated: int  # in the main run: at least --requests, longer when the warm-up needs it
    mean_ms: float
    closed_form_p99_ms: float
    closed_form: str
    meets_slo: bool  # by the closed form where one exists, else by the simulated p99
    erlang_c_replicas_for_slo: int  # M/M/c sizing; 0 when the SLO is out of reach
    event_loop_seconds: float  # wall clock of the main run (not deterministic)
    balancers: tuple[BalancerRow, ...]
    sweep: tuple[SweepRow, ...]
    day_hours: tuple[float, ...]
    day_demand_qps: tuple[float, ...]
    day_needed: tuple[int, ...]
    day_replicas: tuple[tuple[str, tuple[int, ...]], ...]
    policies: tuple[PolicyRow, ...]
    autoscale_target: float
    boot_minutes: float
    replica_cost_per_hour: float
    cache: tuple[CacheRow, ...]
    cache_ms: float
    batch_every_hours: float
    batch_vs_online: tuple[tuple[str, float, float, float, float, float], ...]
    device_vs_server: tuple[tuple[str, str, str], ...]
    device_p99_ms: float
    server_p99_ms_with_network: float

    def _policy(self, name: str) -> str:
        """A day policy's name as shown (the autoscaling one carries its target)."""
        if name.startswith("autoscale to "):
            return _("autoscale to {target} utilisation").format(target=f"{self.autoscale_target:g}")
        return _(name)

    def tables(self) -> list[Table]:
        out = [
            table(
                _("{qps} QPS at {ms} ms mean service ({dist}), {balancer}, {replicas} replicas").format(
                    qps=f"{self.qps:g}", ms=f"{self.service_ms:g}", dist=self.service_dist, balancer=self.balancer,
                    replicas=self.replicas),
                [_("measure"), _("value")],
                [
                    [_("replicas"), self.replicas],
                    [_("chosen as fewest meeting the SLO"), self.sized_for_slo],
                    [_("fewest replicas with utilisation < 1"), self.min_stable_replicas],
                    [_("utilisation (measured)"), self.utilisation],
                    ["p50 ms", self.p50_ms],
                    [_("p99 ms (simulated)"), self.p99_ms],
                    [_("p99 ms 95% CI"), f"{self.p99_ci_low_ms:,.1f} – {self.p99_ci_high_ms:,.1f}"],
                    [_("simulated p99 converged"), self.p99_converged],
                    [_("p99 ms, closed form {form}").format(form=_(self.closed_form)), _dash(self.closed_form_p99_ms)],
                    [_("meets p99 ≤ {slo} ms (judged by {judge})").format(slo=f"{self.slo_p99_ms:g}",
                                                                          judge=self._judged_by()), self.meets_slo],
                    [_("replicas for the SLO by Erlang C (0: unreachable)"), self.erlang_c_replicas_for_slo],
                    [_("requests simulated"), self.requests_simulated],
                    [_("event loop seconds (wall clock)"), self.event_loop_seconds],
                ],
                note=_("The warm-up (the first {warmup} of requests, or {relax} relaxation times of the queue if longer) "
                       "is left out of the percentiles; each run lasts {run} relaxation times (at least --requests) up "
                       "to a cap. The CI comes from {batches} consecutive batches; 'converged' means the run reached "
                       "its length and the CI is within ±{width}. A count chosen for the SLO is the closed form's where "
                       "one exists, else the simulation's on a run whose CI clears the SLO.").format(
                    warmup=f"{WARMUP_FRACTION:.0%}", relax=WARMUP_RELAXATIONS, run=RUN_RELAXATIONS,
                    batches=CI_BATCHES, width=f"{CONVERGED_HALF_WIDTH:.0%}"),
            ),
            table(
                _("Load balancers at {replicas} replicas (same requests for each)").format(replicas=self.replicas),
                [_("balancer"), "p50 ms", "p99 ms", _("p99 95% CI"), _("requests"), _("converged"),
                 _("closed-form p99 ms"), _("closed form")],
                [[b.balancer, b.p50_ms, b.p99_ms, f"{b.p99_ci_low_ms:,.0f} – {b.p99_ci_high_ms:,.0f}", b.requests,
                  b.converged, _dash(b.closed_form_p99_ms), _(b.closed_form)] for b in self.balancers],
                note=_("Least-loaded keeps one queue at the balancer (M/M/c); the others queue at each replica, "
                       "so a request can wait while another replica idles."),
            ),
            table(
                _("p99 against replica count"),
                [_("replicas"), _("utilisation"), _("p99 ms least-loaded"), _("p99 ms round-robin"),
                 _("p99 ms Erlang C"), _("converged")],
                [[s.replicas, s.utilisation, s.p99_ms_least_loaded, s.p99_ms_round_robin, _dash(s.p99_ms_erlang_c),
                  s.converged] for s in self.sweep],
                note=_("Simulated per point for {run} relaxation times (at least {requests} requests, capped); near "
                       "utilisation 1 the queues settle slowly and a capped run is marked not converged.").format(
                    run=RUN_RELAXATIONS, requests=f"{SWEEP_REQUESTS:,}"),
            ),
            table(
                _("A day of diurnal traffic peaking at {qps} QPS").format(qps=f"{self.qps:g}"),
                [_("policy"), _("replica-hours"), _("cost"), _("peak replicas"), _("minutes over SLO"),
                 _("requests over SLO")],
                [[self._policy(p.policy), p.replica_hours, p.cost, p.peak_replicas, p.violation_minutes,
                  p.share_over_slo] for p in self.policies],
                note=_("Per minute: M/M/c (least-loaded) tail at the SLO, plus a fluid backlog when demand exceeds "
                       "capacity. Autoscaling targets utilisation {target}; a new replica takes {boot} min to boot; cost "
                       "at {cost} per replica-hour.").format(target=f"{self.autoscale_target:g}",
                                                             boot=f"{self.boot_minutes:g}",
                                                             cost=f"{self.replica_cost_per_hour:g}"),
            ),
            table(
                _("A cache in front ({ms} ms per hit)").format(ms=f"{self.cache_ms:g}"),
                [_("hit rate"), _("backend QPS"), _("replicas for SLO"), "p99 ms", _("cost per hour")],
                [[c.hit_rate, c.backend_qps, c.replicas, _dash(c.p99_ms), c.cost_per_hour] for c in self.cache],
                note=self._cache_note(),
            ),
            table(
                _("Batch vs online prediction"),
                [_("mode"), "p50 ms", "p99 ms", _("replica-hours per day"), _("staleness p50 h"),
                 _("staleness p99 h")],
                [[_(r[0]), *r[1:]] for r in self.batch_vs_online],
                note=_("Batch scores every user each run (starting {start}:00, every {every} h, {speedup}× faster per "
                       "prediction when batched) and serves a key-value lookup; staleness is the age of the score at the "
                       "moment each request (sampled from the day's traffic) reads it.").format(
                    start=f"{BATCH_START_HOUR:02.0f}", every=f"{self.batch_every_hours:g}",
                    speedup=f"{BATCH_SPEEDUP:g}"),
            ),
            table(
                _("On-device vs server inference"),
                [_("trade-off"), _("on device"), _("on the server")],
                [list(r) for r in self.device_vs_server],
                note=_("Device assumptions: {watts} W while computing, a {wh} Wh battery.").format(
                    watts=f"{DEVICE_WATTS:g}", wh=f"{BATTERY_WH:g}"),
            ),
        ]
        return out

    def _judged_by(self) -> str:
        return (_("the {form} closed form").format(form=_(self.closed_form)) if not math.isnan(self.closed_form_p99_ms)
                else _("the simulated p99"))

    def _cache_note(self) -> str:
        """Say why the no-hit row can differ from the fleet sized in the first table."""
        exact = self.service_dist == "exponential"
        note = (_("Misses pay the cache lookup and then queue for a replica (least-loaded); ")
                + (_("counts and p99s are the M/M/c closed form of that mixture; ") if exact else
                   _("counts and p99s are simulated, each run long enough for its CI to clear the SLO; "))
                + _("0 replicas means no count meets the SLO."))
        zero = next((c for c in self.cache if c.hit_rate == 0), None)
        if self.sized_for_slo and zero is not None and zero.replicas != self.replicas:
            why = []
            if self.cache_ms > 0 and zero.replicas > self.replicas:
                why.append(_("every request still pays the {ms} ms lookup").format(ms=f"{self.cache_ms:g}"))
            if self.balancer != "least-loaded":
                why.append(_("rows use least-loaded, not {balancer}").format(balancer=self.balancer))
            if not why:
                why.append(_("the simulated p99s at the two counts lie within their confidence intervals of the SLO"))
            note += " " + _("Hit rate 0 needs {zero} replicas, not the {replicas} of the first table, because "
                            "{why}.").format(zero=zero.replicas, replicas=self.replicas, why=_(" and ").join(why))
        return note

    def charts(self) -> list[Chart]:
        xs = [s.replicas for s in self.sweep]
        lines = [
            series(_("least-loaded (simulated)"), xs, [s.p99_ms_least_loaded for s in self.sweep]),
            series(_("round-robin (simulated)"), xs, [s.p99_ms_round_robin for s in self.sweep]),
        ]
        if self.service_dist == "exponential":
            lines.append(series(_("Erlang C closed form"), xs, [s.p99_ms_erlang_c for s in self.sweep]))
        day = [series(_("needed for the SLO"), self.day_hours, self.day_needed)]
        day += [series(self._policy(name), self.day_hours, reps) for name, reps in self.day_replicas]
        return [
            Chart(
                name="serving-latency-vs-replicas",
                title=_("p99 latency vs replicas at {qps} QPS").format(qps=f"{self.qps:g}"),
                x_label=_("replicas"),
                y_label=_("p99 latency (ms)"),
                series=tuple(lines),
                y_log=True,
                hlines=((self.slo_p99_ms, f"SLO {self.slo_p99_ms:g} ms"),),
            ),
            Chart(
                name="serving-autoscaling-day",
                title=_("Replicas over a day of diurnal traffic"),
                x_label=_("hour of day"),
                y_label=_("replicas"),
                series=tuple(day),
                kind="step",
            ),
        ]

    def _balancer_sentence(self, rr, ll) -> str:
        values = dict(replicas=self.replicas, ll=f"{ll.p99_ms:,.0f}", rr=f"{rr.p99_ms:,.0f}")
        if rr.p99_ms > 1.1 * ll.p99_ms:
            return _(
                "The balancer matters as much as the replica count: at {replicas} replicas least-loaded gives p99 {ll} "
                "ms but round-robin {rr} ms, because per-replica queues let a request wait behind a slow one while a "
                "neighbour idles.").format(**values)
        return _(
            "Here the balancer hardly matters: at {replicas} replicas least-loaded gives p99 {ll} ms and round-robin "
            "{rr} ms; with requests this regular or load this light, no replica's queue builds up while a neighbour "
            "idles.").format(**values)

    def reading(self) -> list[str]:
        rr = next(b for b in self.balancers if b.balancer == "round-robin")
        ll = next(b for b in self.balancers if b.balancer == "least-loaded")
        auto = next(p for p in self.policies if p.policy.startswith("autoscale"))
        peak = self.policies[0]
        if not math.isnan(self.closed_form_p99_ms):
            first = (_("{replicas} replicas give a p99 of {p99} ms by the {form} closed form ({balancer}), within the "
                       "{slo} ms SLO.") if self.meets_slo else
                     _("{replicas} replicas give a p99 of {p99} ms by the {form} closed form ({balancer}), over the "
                       "{slo} ms SLO.")).format(
                replicas=self.replicas, p99=f"{self.closed_form_p99_ms:.1f}", form=_(self.closed_form),
                balancer=self.balancer, slo=f"{self.slo_p99_ms:g}")
        else:
            first = (_("{replicas} replicas give a simulated p99 of {p99} ms ({balancer}; 95% CI {low}–{high} ms), "
                       "within the {slo} ms SLO.") if self.meets_slo else
                     _("{replicas} replicas give a simulated p99 of {p99} ms ({balancer}; 95% CI {low}–{high} ms), "
                       "over the {slo} ms SLO.")).format(
                replicas=self.replicas, p99=f"{self.p99_ms:.0f}", balancer=self.balancer,
                low=f"{self.p99_ci_low_ms:.0f}", high=f"{self.p99_ci_high_ms:.0f}", slo=f"{self.slo_p99_ms:g}")
        out = [
            _("At {qps} QPS and {ms} ms per request the fleet needs at least {replicas} replicas just to keep "
              "up;").format(qps=f"{self.qps:g}", ms=f"{self.service_ms:g}", replicas=self.min_stable_replicas)
            + " " + first,
            self._balancer_sentence(rr, ll),
        ]
        if not math.isnan(self.closed_form_p99_ms) and self.p99_converged:
            err = abs(self.p99_ms / self.closed_form_p99_ms - 1)
            out.append(_(
                "The simulation agrees: its p99 of {p99} ms (95% CI {low}–{high}) is within {err} of the closed "
                "form.").format(p99=f"{self.p99_ms:.1f}", low=f"{self.p99_ci_low_ms:.1f}",
                                high=f"{self.p99_ci_high_ms:.1f}", err=f"{err:.1%}"))
        unsettled = [b for b in self.balancers if not b.converged]
        if unsettled:
            names = _(", ").join(_("{balancer} (p99 {p99} ms, CI {low}–{high})").format(
                balancer=b.balancer, p99=f"{b.p99_ms:,.0f}", low=f"{b.p99_ci_low_ms:,.0f}",
                high=f"{b.p99_ci_high_ms:,.0f}") for b in unsettled)
            out.append(
                (_("Not converged at this utilisation: {names}; the queues settle too slowly for the run to pin the "
                   "tail, so read those figures as rough and trust the closed forms.")
                 if self.service_dist == "exponential" else
                 _("Not converged at this utilisation: {names}; the queues settle too slowly for the run to pin the "
                   "tail, so read those figures as rough.")).format(names=names)
            )
        out.append(_(
            "Over a day, autoscaling costs {auto} against {peak} for a fleet sized for the peak, with {minutes} minutes "
            "over the SLO while new replicas boot.").format(auto=f"{auto.cost:.0f}", peak=f"{peak.cost:.0f}",
                                                           minutes=auto.violation_minutes))
        if len(self.cache) > 1 and self.cache[0].replicas and self.cache[-1].replicas:
            hi = max(self.cache, key=lambda c: c.hit_rate)
            out.append(_(
                "A cache with hit rate {rate} cuts the replicas the SLO needs from {before} to {after}.").format(
                rate=f"{hi.hit_rate:.0%}", before=self.cache[0].replicas, after=hi.replicas))
        out.append(_(
            "On the device the model answers with p99 {device} ms and no network, against {server} ms through the "
            "server including the round trip; the device pays in battery and memory, the server in cost and in data "
            "leaving the phone.").format(device=f"{self.device_p99_ms:.0f}",
                                         server=f"{self.server_p99_ms_with_network:.0f}"))
        return out


# Policy and mode names: values (--json); shown translated.
LABELS = (N_("fixed for the peak"), N_("fixed for the mean"), N_("predictive autoscale"),
          N_("batch (precomputed, key-value lookup)"), N_("online (autoscaled fleet)"))


def _dash(value: float) -> float | str:
    """Tables show '—' where a closed form does not apply."""
    return "—" if isinstance(value, float) and math.isnan(value) else value


# --------------------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------------------


def _diurnal(hours: np.ndarray, peak: float, peak_to_trough: float) -> np.ndarray:
    """Demand (QPS) at `hours`: a cosine day peaking at PEAK_HOUR, trough = peak / ratio."""
    trough = peak / peak_to_trough
    phase = np.cos(2 * np.pi * (hours - PEAK_HOUR) / 24.0)
    return trough + (peak - trough) * (1 + phase) / 2


def _replicas_for(lam: float, mu: float, slo_s: float) -> int:
    """Erlang C sizing used by the day's policies (least-loaded balancer)."""
    if lam <= 0:
        return 1
    c = q.min_replicas_for_slo(lam, mu, slo_s)
    return c if c is not None else q.min_stable_replicas(lam, mu)


def _day(
    *, rng, qps, mu, slo_s, peak_to_trough, autoscale_target, boot_minutes, cost_per_hour
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[str, np.ndarray]], list[PolicyRow]]:
    minutes = np.arange(24 * 60)
    hours = minutes / 60.0
    smooth = _diurnal(hours, qps, peak_to_trough)
    demand = smooth * rng.lognormal(0.0, 0.05, size=len(minutes))  # minute-to-minute noise
    needed = np.array([_replicas_for(lam, mu, slo_s) for lam in demand])
    boot = int(math.ceil(boot_minutes))

    peak_fixed = np.full(len(minutes), _replicas_for(qps, mu, slo_s))
    mean_fixed = np.full(len(minutes), _replicas_for(float(smooth.mean()), mu, slo_s))

    def target(lam: float) -> int:
        return max(1, math.ceil(lam / (mu * autoscale_target)))

    def scaled(lookahead: bool) -> np.ndarray:
        """Replicas in service each minute: decide every minute, scale-ups arrive after the boot time."""
        reps = np.zeros(len(minutes), dtype=int)
        current = target(float(demand[0]))
        arriving: list[tuple[int, int]] = []  # (minute ready, count)
        for m in minutes:
            ready = sum(n for t, n in arriving if t <= m)
            arriving = [(t, n) for t, n in arriving if t > m]
            current += ready
            if lookahead:  # predictive: yesterday's curve at the minute the replicas would be ready
                want = target(float(smooth[(m + boot) % len(minutes)]) * 1.05)
            else:  # reactive: what the last minute's traffic needed
                want = target(float(demand[m - 1] if m else demand[0]))
            in_flight = sum(n for _, n in arriving)
            if want > current + in_flight:
                arriving.append((m + boot, want - current - in_flight))
            elif want < current:
                current = want  # scale-in drains at once, and nothing more is on its way
                arriving = []
            reps[m] = current
        return reps

    policies = [
        ("fixed for the peak", peak_fixed),
        ("fixed for the mean", mean_fixed),
        (f"autoscale to {autoscale_target:g} utilisation", scaled(False)),
        ("predictive autoscale", scaled(True)),
    ]
    rows = []
    for name, reps in policies:
        backlog = 0.0
        over = 0.0
        bad_minutes = 0
        for m in minutes:
            lam, c = float(demand[m]), int(reps[m])
            cap = c * mu
            start_backlog = backlog
            backlog = max(0.0, backlog + (lam - cap) * 60.0)
            delay = (start_backlog + backlog) / 2 / cap
            tail = q.mmc_response_tail(slo_s - delay, min(lam, 0.98 * cap), mu, c) if slo_s > delay else 1.0
            over += lam * tail
            bad_minutes += tail > 1 - TAIL
        rh = float(reps.sum()) / 60.0
        rows.append(PolicyRow(name, rh, rh * cost_per_hour, int(reps.max()), int(bad_minutes), over / float(demand.sum())))
    return hours, demand, needed, policies, rows


def simulate_serving(
    *,
    qps: float = 2000.0,
    service_ms: float = 20.0,
    replicas: int = 0,
    slo_p99_ms: float = 100.0,
    balancer: str = "least-loaded",
    service_dist: str = "exponential",
    requests: int = 100_000,
    peak_to_trough: float = 4.0,
    autoscale_target: float = 0.7,
    boot_minutes: float = 5.0,
    replica_cost_per_hour: float = 0.5,
    cache_hit_rate: float = 0.5,
    cache_ms: float = 2.0,
    batch_every_hours: float = 24.0,
    users: int = 10_000_000,
    rtt_ms: float = 80.0,
    device_slowdown: float = 3.0,
    model_mb: float = 50.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> ServingResult:
    """Simulate a fleet of replicas behind a load balancer and the serving choices around it."""
    # Upper bounds keep the fleet simulable (replica counts, per-request arrays) and the
    # floats finite; past them the model says nothing new.
    check_range("qps", qps, 0, MAX_QPS, high_inclusive=True)
    check_range("service_ms", service_ms, 0, MAX_MS, high_inclusive=True)
    check_range("replicas", replicas, 0, MAX_REPLICAS, low_inclusive=True, high_inclusive=True)
    check_range("slo_p99_ms", slo_p99_ms, 0, MAX_MS, high_inclusive=True)
    check_choice("balancer", balancer, BALANCERS)
    check_choice("service_dist", service_dist, SERVICE_DISTS)
    check_range("requests", requests, 1000, 5_000_000, low_inclusive=True, high_inclusive=True)
    check_range("peak_to_trough", peak_to_trough, 1, 1000, low_inclusive=True, high_inclusive=True)
    check_range("autoscale_target", autoscale_target, 0.01, 1, low_inclusive=True)  # below: 100× over-provisioned
    check_range("boot_minutes", boot_minutes, 0, 24 * 60, low_inclusive=True)
    check_range("replica_cost_per_hour", replica_cost_per_hour, 0, 1e6, low_inclusive=True, high_inclusive=True)
    check_range("cache_hit_rate", cache_hit_rate, 0, 1, low_inclusive=True)
    check_range("cache_ms", cache_ms, 0, MAX_MS, low_inclusive=True, high_inclusive=True)
    check_range("batch_every_hours", batch_every_hours, 0, 24 * 365, high_inclusive=True)
    check_range("users", users, 0, 1e10, high_inclusive=True)
    check_range("rtt_ms", rtt_ms, 0, MAX_MS, low_inclusive=True, high_inclusive=True)
    check_range("device_slowdown", device_slowdown, 0, 1e4, high_inclusive=True)
    check_range("model_mb", model_mb, 0, 1e6, high_inclusive=True)

    mean_s, slo_s = service_ms / 1000.0, slo_p99_ms / 1000.0
    mu = 1.0 / mean_s
    if qps * mean_s >= MAX_REPLICAS:
        raise BadInputError(
            f"--qps {qps:g} × --service-ms {service_ms:g} needs at least {qps * mean_s:,.0f} busy replicas, "
            f"more than the {MAX_REPLICAS:,} this simulation handles; lower --qps or --service-ms "
            "(or simulate one shard of the fleet)"
        )
    c_stable = q.min_stable_replicas(qps, mu)
    own_p99 = service_quantile(service_dist, mean_s, TAIL)
    reachable = own_p99 < slo_s
    c_erlang = q.min_replicas_for_slo(qps, mu, slo_s) if service_dist == "exponential" else None
    if replicas and replicas * mu <= qps:
        need = f"; {c_erlang} for --slo-p99-ms {slo_p99_ms:g}" if c_erlang else ""
        raise BadInputError(
            f"--replicas {replicas} cannot carry --qps {qps:g} at --service-ms {service_ms:g}: "
            f"utilisation {qps / (replicas * mu):.2f} ≥ 1, the queue grows without bound; "
            f"at least {c_stable} replicas are needed{need}"
        )
    if not replicas and not reachable:
        raise BadInputError(
            f"--slo-p99-ms {slo_p99_ms:g} cannot be met by adding replicas: one request's own "
            f"{service_dist} service time has p99 {own_p99 * 1000:.1f} ms at --service-ms {service_ms:g} "
            f"(at least {c_stable} replicas keep up with --qps {qps:g}); raise the SLO or cut the service time"
        )

    stream = Stream(seed, qps, service_dist, mean_s, requests)
    report(progress, 0.05, _("sizing"))

    sized = replicas == 0
    decided: TailEstimate | None = None  # the simulated estimate that chose the count, if any
    if sized:
        c_cf = closed_form_replicas(balancer, qps, mu, slo_s, service_dist)
        if c_cf is not None:  # exact: no simulation noise in the choice
            replicas = c_cf
        else:
            guess = q.min_replicas_for_slo(qps, mu, slo_s)  # M/M/c: least-loaded at exponential service
            replicas, decided = size_by_simulation(
                stream, balancer, mu, slo_s, seed, start=guess or c_stable, floor=c_stable, minimum=requests)
    report(progress, 0.15, _("main run"))

    rows = []
    main: TailEstimate | None = None
    loop_seconds = 0.0
    for bal in BALANCERS:
        t0 = time.perf_counter()
        est = decided if (bal == balancer and decided is not None) else simulate_tail(
            stream, bal, replicas, mu, requests, seed + 1)
        if bal == balancer:
            main, loop_seconds = est, time.perf_counter() - t0
        b50 = est.p50 * 1000
        cfb = closed_form_p99(bal, qps, mu, replicas, service_dist)
        rows.append(BalancerRow(
            bal, b50, est.p99 * 1000, est.low * 1000, est.high * 1000, est.requests, est.converged,
            cfb * 1000, closed_form_name(bal) if not math.isnan(cfb) else "none"))
    assert main is not None
    arr_main, svc_main = stream.take(main.requests)
    span = float(arr_main[-1] - arr_main[0])
    utilisation = float(svc_main.sum()) / (replicas * span)
    resp_ss = main.responses
    p50, p99 = main.p50, main.p99
    cf = closed_form_p99(balancer, qps, mu, replicas, service_dist)
    meets = (cf <= slo_s) if not math.isnan(cf) else (p99 <= slo_s)
    report(progress, 0.5, _("replica sweep"))

    hi = max(replicas + 4, c_stable + 6)
    counts = sorted(set(np.linspace(c_stable, hi, num=min(10, hi - c_stable + 1)).round().astype(int).tolist()))
    sweep = []
    for c in counts:
        ecf = q.mmc_response_quantile(TAIL, qps, mu, c) if service_dist == "exponential" else math.nan
        ll = simulate_tail(stream, "least-loaded", c, mu, SWEEP_REQUESTS, seed, cap=MAX_RUN_SWEEP)
        rr = simulate_tail(stream, "round-robin", c, mu, SWEEP_REQUESTS, seed, cap=2 * MAX_RUN_SWEEP)
        sweep.append(SweepRow(c, qps / (c * mu), ll.p99 * 1000, rr.p99 * 1000, ecf * 1000,
                              ll.converged and rr.converged))
    report(progress, 0.65, _("a day of traffic"))

    day_rng = np.random.default_rng(seed + 2)
    hours, demand, needed, policies, policy_rows = _day(
        rng=day_rng, qps=qps, mu=mu, slo_s=slo_s, peak_to_trough=peak_to_trough,
        autoscale_target=autoscale_target, boot_minutes=boot_minutes, cost_per_hour=replica_cost_per_hour,
    )
    step = 10  # keep charts and JSON small: every 10th minute
    report(progress, 0.75, _("cache"))

    cache_rows = []
    cache_s = cache_ms / 1000.0
    for h in sorted({0.0, 0.25, 0.5, 0.75, 0.9, round(cache_hit_rate, 4)}):
        lam_b = qps * (1 - h)
        floor = q.min_stable_replicas(lam_b, mu)
        if (1 - h) * service_tail(service_dist, mean_s, slo_s - cache_s) >= 1 - TAIL:
            c_h, p99_h = 0, math.nan  # even with no queueing, too many misses outlast the SLO
        elif 1 - h <= 1 - TAIL:
            c_h, p99_h = floor, cache_s * 1000  # at most 1 % misses: the p99 is a hit
        elif service_dist == "exponential":  # exact: misses see M/M/c
            level = TAIL if h == 0 else 1 - (1 - TAIL) / (1 - h)
            c_h = q.min_replicas_for_slo(lam_b, mu, slo_s - cache_s, level) or 0
            p99_h = cache_p99_closed_form(h, lam_b, mu, c_h, cache_s) * 1000 if c_h else math.nan
        else:  # misses' p99 share: the (1 - 0.01/(1-h)) quantile of their response, plus the lookup
            level = TAIL if h == 0 else 1 - (1 - TAIL) / (1 - h)
            guess = q.min_replicas_for_slo(lam_b, mu, slo_s - cache_s, level)
            c_h, est = size_by_simulation(
                stream, "least-loaded", mu, slo_s, seed, start=guess or floor, floor=floor,
                minimum=SWEEP_REQUESTS if h else requests, lam=lam_b, level=level, offset=cache_s)
            p99_h = est.p99 * 1000
        cache_rows.append(CacheRow(h, lam_b, c_h, p99_h, c_h * replica_cost_per_hour))
    report(progress, 0.85, _("batch vs online"))

    # Batch vs online: staleness seen by requests drawn from the day's traffic curve.
    bo_rng = np.random.default_rng(seed + 4)
    grid = np.linspace(0, 24, 24 * 60, endpoint=False)
    weights = _diurnal(grid, qps, peak_to_trough)
    req_hours = bo_rng.choice(grid, size=50_000, p=weights / weights.sum()) + bo_rng.random(50_000) / 60.0
    batch_hours = users * mean_s / BATCH_SPEEDUP / 3600.0  # replica-hours per run
    job_hours = batch_hours / max(replicas, 1)  # wall clock on a fleet of the online size
    since_start = (req_hours - BATCH_START_HOUR) % batch_every_hours
    # before this run finishes, requests read the previous run's scores
    age = np.where(since_start >= job_hours, since_start, since_start + batch_every_hours)
    runs_per_day = 24.0 / batch_every_hours
    auto_row = next(p for p in policy_rows if p.policy.startswith("autoscale"))
    kv_ms = cache_ms
    batch_vs_online = (
        ("batch (precomputed, key-value lookup)", kv_ms, kv_ms, batch_hours * runs_per_day,
         float(np.quantile(age, 0.5)), float(np.quantile(age, TAIL))),
        ("online (autoscaled fleet)", p50 * 1000, p99 * 1000, auto_row.replica_hours, 0.0, 0.0),
    )
    report(progress, 0.92, _("device vs server"))

    dev_rng = np.random.default_rng(seed + 5)
    n_dev = 50_000
    rtt = rtt_ms * dev_rng.lognormal(0.0, 0.4, size=n_dev)
    server_lat = rtt + dev_rng.choice(resp_ss, size=n_dev) * 1000
    device_lat = service_times(dev_rng, service_dist, mean_s * device_slowdown, n_dev) * 1000
    dev_p50, dev_p99 = (float(v) for v in np.quantile(device_lat, [0.5, TAIL]))
    srv_p50, srv_p99 = (float(v) for v in np.quantile(server_lat, [0.5, TAIL]))
    mj = DEVICE_WATTS * mean_s * device_slowdown * 1000  # millijoules per inference
    pct_per_1000 = 1000 * DEVICE_WATTS * mean_s * device_slowdown / (BATTERY_WH * 3600) * 100
    device_vs_server = (  # prose cells, in the interface language
        (_("latency p50 / p99 ms"), f"{dev_p50:.0f} / {dev_p99:.0f}",
         _("{p50} / {p99} (incl. network)").format(p50=f"{srv_p50:.0f}", p99=f"{srv_p99:.0f}")),
        (_("battery"), _("{mj} mJ per inference; {share}% of a charge per 1,000").format(
            mj=f"{mj:.0f}", share=f"{pct_per_1000:.2f}"), _("none on the device")),
        (_("memory on the device"), _("{mb} MB model resident").format(mb=f"{model_mb:g}"), _("none")),
        (_("shipping a new model"), _("{tb} TB downloaded by {users} users").format(
            tb=f"{model_mb * users / 1e6:,.0f}", users=f"{users:,}"), _("a server push")),
        (_("privacy"), _("features stay on the device"), _("features and requests leave the device")),
        (_("server cost"), _("none per request"), _("{replicas} replicas at peak").format(replicas=replicas)),
    )
    report(progress, 1.0, _("done"))

    def day_every(x):
        return tuple(x[::step].tolist())

    return ServingResult(
        qps=qps,
        service_ms=service_ms,
        slo_p99_ms=slo_p99_ms,
        balancer=balancer,
        service_dist=service_dist,
        requests=requests,
        requests_simulated=main.requests,
        replicas=int(replicas),
        sized_for_slo=sized,
        min_stable_replicas=c_stable,
        utilisation=utilisation,
        p50_ms=p50 * 1000,
        p99_ms=p99 * 1000,
        p99_ci_low_ms=main.low * 1000,
        p99_ci_high_ms=main.high * 1000,
        p99_converged=main.converged,
        mean_ms=float(resp_ss.mean()) * 1000,
        closed_form_p99_ms=cf * 1000,
        closed_form=closed_form_name(balancer) if not math.isnan(cf) else "none",
        meets_slo=meets,
        erlang_c_replicas_for_slo=int(c_erlang or 0),
        event_loop_seconds=loop_seconds,
        balancers=tuple(rows),
        sweep=tuple(sweep),
        day_hours=day_every(hours),
        day_demand_qps=day_every(demand),
        day_needed=tuple(int(v) for v in needed[::step]),
        day_replicas=tuple((name, tuple(int(v) for v in reps[::step])) for name, reps in policies),
        policies=tuple(policy_rows),
        autoscale_target=autoscale_target,
        boot_minutes=boot_minutes,
        replica_cost_per_hour=replica_cost_per_hour,
        cache=tuple(cache_rows),
        cache_ms=cache_ms,
        batch_every_hours=batch_every_hours,
        batch_vs_online=batch_vs_online,
        device_vs_server=device_vs_server,
        device_p99_ms=dev_p99,
        server_p99_ms_with_network=srv_p99,
    )
