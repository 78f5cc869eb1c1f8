"""`mlsd simulate rollout`: pushing a new model version without losing QPS."""

from __future__ import annotations

import json

import pytest

from mlsd.sims import queueing as q
from mlsd.sims.rollout import simulate_rollout


def run_of(result, strategy: str, surged: bool):
    return next(r for r in result.compared if r.strategy == strategy and (r.surge > 0) == surged)


@pytest.fixture(scope="module")
def good():
    return simulate_rollout(seed=0)


@pytest.fixture(scope="module")
def bad():
    return simulate_rollout(strategy="canary", bad_version=True, seed=0)


def test_rolling_without_surge_drops_capacity_below_demand_and_with_surge_does_not(good):
    plain, surged = run_of(good, "rolling", False), run_of(good, "rolling", True)
    assert plain.min_capacity_over_demand < 1 and plain.capacity_below_demand_minutes > 0
    assert surged.min_capacity_over_demand >= 1 and surged.capacity_below_demand_minutes == 0
    assert plain.dropped_requests > 0 and surged.dropped_requests == 0
    assert surged.peak_p99_ms < plain.peak_p99_ms
    assert surged.extra_server_minutes > plain.extra_server_minutes == 0


def test_surge_keeps_capacity_for_any_batch_and_fleet():
    for servers, batch, qps in [(10, 2, 850.0), (40, 10, 3500.0)]:
        r = simulate_rollout(servers=servers, batch=batch, qps=qps, surge=batch, warmup_minutes=0, seed=1)
        assert run_of(r, "rolling", True).min_capacity_over_demand >= 1
        assert run_of(r, "rolling", False).min_capacity_over_demand < 1


def test_push_starts_at_the_erlang_c_p99(good):
    """Before anything changes, the fleet's p99 is the M/M/c closed form for 20 servers."""
    expected = q.mmc_response_quantile(0.99, 1700.0, 100.0, 20) * 1000
    assert good.baseline_p99_ms == pytest.approx(expected)
    assert good.chosen.p99_ms[0] == pytest.approx(expected, rel=1e-6)


def test_every_strategy_ends_with_the_whole_fleet_on_the_new_version(good):
    for r in good.compared:
        assert not r.rolled_back
        assert r.new_servers[-1] == good.servers


def test_canary_rolls_back_a_bad_version_automatically(bad):
    canary = run_of(bad, "canary", True)
    assert canary.rolled_back and "error rate" in canary.rollback_reason
    assert canary.new_servers[-1] == 0
    assert canary.failed_requests < min(r.failed_requests for r in bad.compared if r.strategy != "canary") / 5


@pytest.mark.parametrize("seed", range(4))
def test_canary_does_not_roll_back_a_good_version(seed):
    r = simulate_rollout(strategy="canary", seed=seed)
    assert not r.chosen.rolled_back


def test_canary_catches_a_version_that_is_only_slower():
    """With errors equal, the latency check alone must fire: 30% slower shows in the canary's p99."""
    import mlsd.sims.rollout as ro

    old = ro.BAD_ERROR
    ro.BAD_ERROR = ro.BASE_ERROR
    try:
        r = simulate_rollout(strategy="canary", bad_version=True, seed=0)
    finally:
        ro.BAD_ERROR = old
    assert r.chosen.rolled_back and r.chosen.rollback_reason.startswith("p99")


def test_blue_green_runs_two_fleets(good):
    bg = run_of(good, "blue-green", False)
    assert bg.min_capacity_over_demand >= 1
    assert bg.extra_server_minutes >= good.servers * 10  # the whole old fleet kept through the bake


def test_chart_and_tables(good):
    chart = next(c for c in good.charts() if c.name == "rollout-capacity")
    assert chart.hlines[0][0] == good.qps
    assert len(chart.series) == 4
    assert len(good.tables()) == 2 and good.reading()


def test_same_seed_same_numbers():
    assert simulate_rollout(bad_version=True, seed=3).to_dict() == simulate_rollout(bad_version=True, seed=3).to_dict()


def test_cli_json(run_cli):
    res = run_cli("simulate", "rollout", "--strategy", "blue-green", "--json")
    assert res.code == 0, res.stderr
    assert json.loads(res.stdout)["chosen"]["strategy"] == "blue-green"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--servers", "0"], "--servers"),
        (["--strategy", "big-bang"], "--strategy must be one of"),
        (["--surge", "-1"], "--surge"),
        (["--batch", "0"], "--batch"),
        (["--qps", "-3"], "--qps"),
        (["--server-qps", "0"], "--server-qps"),
        (["--canary-percent", "0"], "--canary-percent"),
        (["--qps", "2500"], "at least 26 servers"),
        # huge finite values used to run forever: refused with the valid range
        (["--servers", "1000000000000"], "--servers must be in [2, 10000], got 1e+12"),
        (["--update-minutes", "1e300"], "--update-minutes must be in (0, 1200], got 1e+300"),
        (["--servers", "10000", "--batch", "1", "--qps", "10"], "at most 1,200 (20 hours) is simulated"),
        (["--server-qps", "1e-300"], "more than the 10,000 servers simulated are needed"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    run_cli("simulate", "rollout", *args).assert_bad_input(needle)


@pytest.mark.parametrize("which", ["good", "bad"])
def test_tables_show_minutes_to_one_decimal(which, request):
    """The simulation steps in 10 s; tables show 0.7, 2.3 minutes, never 0.6667 or 2.333."""
    result = request.getfixturevalue(which)
    summary, timeline = result.tables()
    minutes = [row[0] for row in timeline.rows] + [row[1] for row in summary.rows]
    assert minutes and all(round(m, 1) == m for m in minutes)
    assert any(m != int(m) for m in minutes)  # the push really does not land on whole minutes


def test_replacing_the_whole_fleet_at_once_is_an_outage_not_a_crash():
    """--batch = --servers without surge: capacity 0 for a while; every request then times out."""
    r = simulate_rollout(servers=4, batch=4, qps=300, seed=0)
    plain = run_of(r, "rolling", surged=False)
    assert plain.min_capacity_over_demand == 0
    assert plain.dropped_requests >= 300 * 60  # at least a minute of all traffic
    assert run_of(r, "rolling", surged=True).dropped_requests < plain.dropped_requests
