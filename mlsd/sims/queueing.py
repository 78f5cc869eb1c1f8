"""Closed forms for the queues a serving fleet behaves like.

The serving and rollout simulations are checked against these, and the
autoscaling and rollout timelines use them minute by minute:

- M/M/c with one shared FCFS queue (Erlang C): a balancer that holds requests
  and hands each to the first free replica ("least-loaded" here).
- M/M/1 per replica with a random split: Poisson traffic split at random stays
  Poisson, so each replica is its own M/M/1 queue.
- E_c/M/1 per replica with round robin: every replica sees every c-th arrival,
  so its gaps are Erlang(c, λ); GI/M/1 theory gives its response time exactly.

Rates are per second, times in seconds. All functions are plain Python (roots by
bisection: importing scipy.optimize for brentq cost more than every root found in a run);
they are cheap enough to call thousands of times.
"""

from __future__ import annotations

import math


def _bisect(f, lo: float, hi: float, xtol: float) -> float:
    """Root of `f` in [lo, hi] by bisection, given f(lo) and f(hi) of opposite signs (or zero)."""
    flo = f(lo)
    if flo == 0:
        return lo
    for _ in range(200):
        if hi - lo <= xtol:
            break
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if fm == 0:
            return mid
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return 0.5 * (lo + hi)


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load `a` = λ/μ (stable recursion)."""
    if c < 0 or a < 0:
        raise ValueError("c and a must be non-negative")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability an arrival waits in M/M/c (offered load `a` = λ/μ); 1 when a ≥ c."""
    if c <= 0:
        raise ValueError("c must be positive")
    if a >= c:
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def _exp_sum_tail(t: float, mu: float, theta: float) -> float:
    """P(S + X > t) for independent S ~ Exp(mu), X ~ Exp(theta) (hypoexponential)."""
    if t <= 0:
        return 1.0
    delta = theta - mu
    if abs(delta) * t < 1e-12:
        return (1.0 + mu * t) * math.exp(-mu * t)
    if abs(delta) * t < 1.0:  # close rates: expm1 avoids cancelling two nearly equal terms
        return math.exp(-mu * t) * (1.0 - mu * math.expm1(-delta * t) / delta)
    return (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / delta


def mmc_response_tail(t: float, lam: float, mu: float, c: int) -> float:
    """P(T > t) for the FCFS response time T = W + S in M/M/c.

    W is 0 with probability 1 - C and Exp(cμ - λ) otherwise, and is independent
    of the request's own service S ~ Exp(μ), so T's tail is a two-part mixture.
    """
    if lam >= c * mu:
        return 1.0
    if t <= 0:
        return 1.0
    wait_p = erlang_c(c, lam / mu)
    return (1.0 - wait_p) * math.exp(-mu * t) + wait_p * _exp_sum_tail(t, mu, c * mu - lam)


def quantile_from_tail(tail, q: float, scale: float) -> float:
    """Smallest t with tail(t) ≤ 1 - q, found numerically; `scale` is a typical time."""
    target = 1.0 - q
    hi = max(scale, 1e-12)
    while tail(hi) > target:
        hi *= 2.0
        if hi > 1e9 * max(scale, 1e-12):
            return math.inf
    return _bisect(lambda t: tail(t) - target, 0.0, hi, xtol=1e-12 * hi + 1e-15)


def mmc_response_quantile(q: float, lam: float, mu: float, c: int) -> float:
    """q-quantile (e.g. 0.99) of the M/M/c FCFS response time; inf when unstable."""
    if lam >= c * mu:
        return math.inf
    return quantile_from_tail(lambda t: mmc_response_tail(t, lam, mu, c), q, 1.0 / mu)


def wait_plus_service_tail(t: float, wait_p: float, theta: float, mu_own: float) -> float:
    """P(W + S > t) when W is 0 w.p. 1 - wait_p, else Exp(theta), and S ~ Exp(mu_own).

    A fleet whose servers differ in speed (a canary, a cold server) shares one
    queue: the wait is the fleet's, the service is the server's own.
    """
    if t <= 0:
        return 1.0
    return (1.0 - wait_p) * math.exp(-mu_own * t) + wait_p * _exp_sum_tail(t, mu_own, theta)


def mmc_mean_response(lam: float, mu: float, c: int) -> float:
    """E[T] = 1/μ + C(c, a)/(cμ - λ) for M/M/c."""
    if lam >= c * mu:
        return math.inf
    return 1.0 / mu + erlang_c(c, lam / mu) / (c * mu - lam)


def mm1_split_quantile(q: float, lam: float, mu: float, c: int) -> float:
    """q-quantile of response time when Poisson traffic is split at random over c M/M/1 queues."""
    rate = mu - lam / c
    return math.inf if rate <= 0 else -math.log(1.0 - q) / rate


def round_robin_sigma(lam: float, mu: float, c: int) -> float:
    """σ of the E_c/M/1 queue each replica is under round robin (GI/M/1 theory).

    σ is the root in (0, 1) of σ = A*(μ(1-σ)), with A*(s) = (λ/(λ+s))^c the
    Laplace transform of an Erlang(c, λ) gap; it exists when λ < cμ.
    """
    if lam >= c * mu:
        return 1.0

    def f(s: float) -> float:
        return (lam / (lam + mu * (1.0 - s))) ** c - s

    # f(0) > 0; just below the trivial root at 1, f < 0 because ρ < 1.
    hi = 1.0 - 1e-12
    eps = 1e-3
    while eps > 1e-12:
        if f(1.0 - eps) < 0:
            hi = 1.0 - eps
            break
        eps /= 10
    return _bisect(f, 0.0, hi, xtol=1e-14)


def round_robin_quantile(q: float, lam: float, mu: float, c: int) -> float:
    """q-quantile of response time under round robin with exponential service.

    In GI/M/1 FCFS the response time is exactly Exp(μ(1-σ)).
    """
    if lam >= c * mu:
        return math.inf
    sigma = round_robin_sigma(lam, mu, c)
    return -math.log(1.0 - q) / (mu * (1.0 - sigma))


def min_stable_replicas(lam: float, mu: float) -> int:
    """Fewest replicas with utilisation λ/(cμ) < 1."""
    return math.floor(lam / mu) + 1


def min_replicas_for_slo(lam: float, mu: float, slo: float, q: float = 0.99, *, limit: int = 100_000) -> int | None:
    """Fewest replicas whose M/M/c q-quantile response time is ≤ `slo`; None if no count can.

    As c → ∞ nobody waits and T → Exp(μ), so the SLO is reachable only when the
    service time's own quantile -ln(1-q)/μ is below it.
    """
    c = min_stable_replicas(lam, mu)
    if q <= 0:
        return c
    if slo <= 0 or -math.log(1.0 - q) / mu >= slo:
        return None
    # the Erlang B recursion carried from one c to the next (erlang_b(c, a) restarts it at 1):
    # the same floats as mmc_response_tail, without the O(c) restart at every c
    a = lam / mu
    b = erlang_b(c, a)
    while c <= limit:
        wait_p = c * b / (c - a * (1.0 - b))
        tail = (1.0 - wait_p) * math.exp(-mu * slo) + wait_p * _exp_sum_tail(slo, mu, c * mu - lam)
        if tail <= 1.0 - q:
            return c
        c += 1
        b = a * b / (c + a * b)
    return None
