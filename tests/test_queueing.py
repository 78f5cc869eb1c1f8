"""The queueing closed forms the serving and rollout simulations are checked against."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from mlsd.sims import queueing as q


def erlang_c_by_factorials(c: int, a: float) -> float:
    """The textbook Erlang C formula, summed term by term (only usable for small c)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_erlang_c_hand_computed_cases():
    """c = 1 is M/M/1: P(wait) = ρ; c = 2, a = 1 gives 1/3 by hand."""
    assert q.erlang_c(1, 0.5) == pytest.approx(0.5)
    assert q.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert q.erlang_c(3, 3.5) == 1.0  # overloaded: everyone waits


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 30), rho=st.floats(0.01, 0.99))
def test_erlang_c_recursion_equals_factorial_formula(c, rho):
    a = rho * c
    assert q.erlang_c(c, a) == pytest.approx(erlang_c_by_factorials(c, a), rel=1e-9)


@pytest.mark.parametrize(("lam", "mu", "c"), [(0.8, 1.0, 1), (9.0, 1.0, 10), (2000.0, 50.0, 43)])
def test_response_tail_integrates_to_closed_form_mean(lam, mu, c):
    """∫ P(T > t) dt must equal E[T] = 1/μ + C/(cμ - λ)."""
    mean, _ = quad(lambda t: q.mmc_response_tail(t, lam, mu, c), 0, math.inf, limit=200)
    assert mean == pytest.approx(q.mmc_mean_response(lam, mu, c), rel=1e-6)


def test_one_replica_is_mm1_for_every_formula():
    """With c = 1 the M/M/c, round-robin and random-split forms are all M/M/1: T ~ Exp(μ - λ)."""
    lam, mu = 6.0, 10.0
    expected = math.log(100) / (mu - lam)
    assert q.mmc_response_quantile(0.99, lam, mu, 1) == pytest.approx(expected, rel=1e-8)
    assert q.round_robin_quantile(0.99, lam, mu, 1) == pytest.approx(expected, rel=1e-8)
    assert q.mm1_split_quantile(0.99, lam, mu, 1) == pytest.approx(expected, rel=1e-12)
    assert q.round_robin_sigma(lam, mu, 1) == pytest.approx(lam / mu)


@settings(max_examples=40, deadline=None)
@given(c=st.integers(2, 60), rho=st.floats(0.05, 0.97))
def test_round_robin_sigma_solves_its_equation_and_orders_balancers(c, rho):
    """σ = (λ/(λ+μ(1-σ)))^c; and a shared queue beats round robin, which beats a random split."""
    mu = 1.0
    lam = rho * c * mu
    s = q.round_robin_sigma(lam, mu, c)
    assert 0 <= s < 1  # σ underflows to 0 when almost nobody waits
    assert s == pytest.approx((lam / (lam + mu * (1 - s))) ** c, abs=1e-9)
    shared = q.mmc_response_quantile(0.99, lam, mu, c)
    rr = q.round_robin_quantile(0.99, lam, mu, c)
    rnd = q.mm1_split_quantile(0.99, lam, mu, c)
    assert shared <= rr * (1 + 1e-9)
    assert rr <= rnd * (1 + 1e-9)


def test_wait_plus_service_tail_equals_mmc_tail_when_speeds_match():
    lam, mu, c = 30.0, 4.0, 9
    wait_p = q.erlang_c(c, lam / mu)
    for t in (0.1, 0.5, 1.0, 3.0):
        assert q.wait_plus_service_tail(t, wait_p, c * mu - lam, mu) == pytest.approx(
            q.mmc_response_tail(t, lam, mu, c), rel=1e-12
        )


def test_hypoexponential_tail_is_continuous_where_rates_meet():
    """The three branches of P(S + X > t) agree around θ = μ (no cancellation, no overflow)."""
    mu, t = 10.0, 0.3
    exact = (1 + mu * t) * math.exp(-mu * t)
    for theta in (mu * (1 + 1e-13), mu * (1 + 1e-6), mu * (1 - 1e-6)):
        assert q._exp_sum_tail(t, mu, theta) == pytest.approx(exact, rel=1e-5)
    assert 0 < q._exp_sum_tail(50.0, 100.0, 0.5) < 1  # far-apart rates, large t: no overflow


def test_min_replicas_for_slo_is_the_fewest():
    lam, mu, slo = 2000.0, 50.0, 0.1
    c = q.min_replicas_for_slo(lam, mu, slo)
    assert c is not None
    assert q.mmc_response_quantile(0.99, lam, mu, c) <= slo
    assert q.mmc_response_quantile(0.99, lam, mu, c - 1) > slo


def test_min_replicas_for_slo_none_when_service_alone_is_too_slow():
    """p99 of Exp(μ) is ln(100)/μ = 92 ms at 20 ms mean: no replica count reaches 50 ms."""
    assert q.min_replicas_for_slo(2000.0, 50.0, 0.05) is None


@settings(max_examples=40, deadline=None)
@given(c=st.integers(1, 40), rho=st.floats(0.05, 0.95), t=st.floats(0.01, 5.0))
def test_tail_falls_with_time_and_with_replicas(c, rho, t):
    mu = 2.0
    lam = rho * c * mu
    assert q.mmc_response_tail(t * 1.5, lam, mu, c) <= q.mmc_response_tail(t, lam, mu, c)
    assert q.mmc_response_tail(t, lam, mu, c + 1) <= q.mmc_response_tail(t, lam, mu, c) + 1e-15
