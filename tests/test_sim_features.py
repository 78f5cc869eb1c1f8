"""`mlsd simulate features`: leaky joins, skew, staleness, and the cached feature store."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsd.sims.features import _point_in_time, che_hit_rate, lru_hits, simulate_features
from mlsd.sims.registry import run


@pytest.fixture(scope="module")
def result():
    return simulate_features()


def test_leaky_join_inflates_offline_auc_and_loses_online(result):
    honest, leaky = result.joins
    assert leaky.offline_auc > honest.offline_auc + 0.005
    assert leaky.online_auc < honest.online_auc
    assert leaky.ctr_weight > 2 * honest.ctr_weight  # the model leans on the leaked feature


def test_leak_holds_for_another_world():
    honest, leaky = simulate_features(n_users=1200, seed=7).joins
    assert leaky.offline_auc > honest.offline_auc
    assert leaky.online_auc < honest.online_auc


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 100, allow_nan=False)), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(0, 3), st.floats(0, 100, allow_nan=False)), min_size=1, max_size=15),
       st.sampled_from([0.0, 1.0, 24.0]))
def test_point_in_time_join_matches_brute_force(snap_rows, req_rows, refresh):
    """Each request gets the newest snapshot strictly before its lookup time, never a later one."""
    snaps = pd.DataFrame({
        "user": [u for u, _ in snap_rows],
        "snap_ts": [t for _, t in snap_rows],
        "clicks_to_date": np.arange(len(snap_rows)),
        "events_to_date": np.arange(len(snap_rows)) + 1,
        "recent_signal": np.zeros(len(snap_rows)),
    }).drop_duplicates(["user", "snap_ts"])
    reqs = pd.DataFrame({"user": [u for u, _ in req_rows], "ts": [t for _, t in req_rows],
                         "click": 0, "context": 0.0})
    out = _point_in_time(reqs, snaps, refresh)
    assert list(out["user"]) == list(reqs["user"]) and list(out["ts"]) == list(reqs["ts"])
    for _, row in out.iterrows():
        lookup = row["ts"] if refresh == 0 else np.floor(row["ts"] / refresh) * refresh
        before = snaps[(snaps["user"] == row["user"]) & (snaps["snap_ts"] < lookup)]
        if before.empty:
            assert np.isnan(row["snap_ts"])
        else:
            assert row["snap_ts"] == before["snap_ts"].max()


def test_staler_features_cost_auc(result):
    by_hours = {s.refresh_hours: s for s in result.staleness}
    assert by_hours[0].online_auc > by_hours[24].online_auc > by_hours[168].online_auc
    ages = [s.mean_feature_age_hours for s in result.staleness]
    assert ages == sorted(ages)
    assert by_hours[168].missing_share > by_hours[0].missing_share  # new users wait for the batch


def test_skewed_missing_default_miscalibrates_cold_requests(result):
    consistent, zero, sentinel = result.skew
    assert 0 < result.cold_share < 0.5
    assert abs(consistent.cold_predicted_ctr - consistent.cold_actual_ctr) < 0.05
    assert sentinel.cold_predicted_ctr < zero.cold_predicted_ctr < consistent.cold_predicted_ctr
    assert sentinel.online_auc < consistent.online_auc


def test_lru_hit_rate_agrees_with_che_approximation(result):
    """Simulated LRU vs the closed-form Che approximation (independent reference model)."""
    for c in result.cache:
        assert abs(c.hit_rate - c.che_hit_rate) < 0.02, c
    rates = [c.hit_rate for c in result.cache]
    assert rates == sorted(rates)
    assert result.cache[-1].p99_ms < result.no_cache_p99_ms
    assert result.cache[-1].mean_ms < result.no_cache_mean_ms


def test_lru_replay_by_hand():
    # capacity 2: a b a c b a -> miss miss hit miss(evicts b) miss(evicts a) miss
    hits = lru_hits(np.array([0, 1, 0, 2, 1, 0]), 2, 0)
    assert hits.tolist() == [False, False, True, False, False, False]


def test_che_uniform_popularity_is_capacity_share():
    """With uniform popularity Che's hit rate is 1 - exp(-T/n) with n(1 - exp(-T/n)) = C, i.e. C/n."""
    assert che_hit_rate(np.full(1000, 1 / 1000), 250) == pytest.approx(0.25, abs=1e-6)


def test_registry_runs_it_and_same_seed_gives_same_numbers():
    a = run("features", {"n_users": 200, "days": 4, "train_days": 3}, seed=3)
    b = simulate_features(n_users=200, days=4, train_days=3, seed=3)
    assert a.to_dict() == b.to_dict()
    assert a.n_users == 200 and len(a.tables()) == 4 and a.charts() and a.reading()


def test_cli_json(run_cli):
    res = run_cli("simulate", "features", "--n-users", "200", "--days", "4", "--train-days", "3", "--json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert {"joins", "skew", "staleness", "cache"} <= set(data)


@pytest.mark.parametrize("args, message", [
    (("--n-users", "0"), "--n-users must be in [50, 1e+15], got 0"),
    (("--events-per-user-per-day", "-1"), "--events-per-user-per-day must be in (0, 1e+09], got -1"),
    (("--train-days", "14"), "--train-days must be less than --days (14), got 14"),
    (("--new-user-share", "1"), "--new-user-share must be in [0, 1), got 1"),
    (("--store-ms", "0"), "--store-ms must be in (0, 3.6e+06], got 0"),
])
def test_cli_bad_input(run_cli, args, message):
    res = run_cli("simulate", "features", *args)
    assert res.code == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
