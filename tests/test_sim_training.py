"""`mlsd simulate training`: real SGD on a simulated clock, and the communication/memory models."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from mlsd.sims import training as tr


@pytest.fixture(scope="module")
def default_run():
    return tr.simulate_training(seed=0)


def test_async_finishes_an_epoch_sooner_with_stragglers(default_run):
    r = default_run
    assert r.straggler_prob > 0
    assert all(a < s for a, s in zip(r.async_epoch_seconds, r.sync_epoch_seconds, strict=True))
    assert r.sync_wait_share > 0.2  # the reason: synchronous steps wait for the slowest worker


def test_more_stragglers_widen_the_gap():
    few = tr.simulate_training(straggler_prob=0.0, epochs=1, seed=1)
    many = tr.simulate_training(straggler_prob=0.3, epochs=1, seed=1)
    gap = lambda r: r.sync_epoch_seconds[0] / r.async_epoch_seconds[0]  # noqa: E731
    assert gap(many) > gap(few)


def test_sync_sgd_reaches_the_scikit_learn_optimum(default_run):
    """Checked against scikit-learn's LogisticRegression (unregularised) on the same data."""
    from sklearn.linear_model import LogisticRegression

    X, y = tr.make_problem(np.random.default_rng(0), default_run.samples, 50)
    best = LogisticRegression(C=1e6, fit_intercept=False, max_iter=5000).fit(X, y)
    optimum = tr._loss(X, y, best.coef_[0])
    assert optimum <= default_run.sync_final_loss <= optimum * 1.02
    assert optimum <= default_run.async_final_loss < default_run.initial_loss


def test_one_worker_has_no_staleness_and_both_modes_make_the_same_updates():
    r = tr.simulate_training(workers=1, epochs=1, seed=2)
    assert r.async_max_staleness == 0
    assert r.async_final_loss == pytest.approx(r.sync_final_loss, rel=1e-12)


def test_staleness_grows_with_workers():
    small = tr.simulate_training(workers=2, epochs=1, seed=0)
    large = tr.simulate_training(workers=16, epochs=1, seed=0)
    assert large.async_mean_staleness > small.async_mean_staleness > 0


def test_loss_curves_fall(default_run):
    for curve in (default_run.sync_curve, default_run.async_curve):
        assert curve.loss[-1] < curve.loss[0]
        assert list(curve.seconds) == sorted(curve.seconds)


def test_ring_allreduce_hand_computed():
    """4 workers, 100 MB, 10 Gb/s: M/B = 0.08 s; 2·3/4·0.08 + 6·50 µs = 0.1203 s."""
    assert tr.ring_allreduce_seconds(4, 100.0, 10.0) == pytest.approx(0.1203)
    assert tr.ring_allreduce_seconds(1, 100.0, 10.0) == 0.0


def test_parameter_server_hand_computed():
    """8 workers push and pull 100 MB through 4 shards: 2·8·0.08/4 + 2·50 µs = 0.3201 s."""
    assert tr.parameter_server_seconds(8, 100.0, 10.0, 4) == pytest.approx(0.3201)


def test_ring_beats_parameter_server_at_scale(default_run):
    big = default_run.scaling[-1]
    assert big.ring_allreduce_ms < big.parameter_server_ms
    assert big.speedup_ring > big.speedup_parameter_server
    assert default_run.scaling[0].speedup_ring == pytest.approx(1.0)


def test_model_parallel_memory_hand_computed(default_run):
    """7B parameters × 16 bytes = 112 GB; on 80 GB devices that needs 2; inference 14 GB."""
    r = default_run
    assert r.training_gb == pytest.approx(112.0)
    assert r.inference_gb == pytest.approx(14.0)
    assert r.min_devices == 2
    rows = {m.devices: m for m in r.memory}
    assert not rows[1].fits and rows[2].fits
    assert rows[4].pipeline_bubble == pytest.approx(3 / (8 + 3))
    assert math.ceil(r.training_gb / r.device_gb) == r.min_devices


def test_chart_and_tables(default_run):
    chart = next(c for c in default_run.charts() if c.name == "training-loss-vs-time")
    assert len(chart.series) == 2
    assert len(default_run.tables()) == 3 and len(default_run.reading()) >= 3


def test_same_seed_same_numbers():
    a = tr.simulate_training(epochs=1, seed=4).to_dict()
    assert a == tr.simulate_training(epochs=1, seed=4).to_dict()


def test_cli_json(run_cli):
    res = run_cli("simulate", "training", "--workers", "4", "--epochs", "1", "--json")
    assert res.code == 0, res.stderr
    assert json.loads(res.stdout)["workers"] == 4


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--workers", "0"], "--workers"),
        (["--lr", "-0.1"], "--lr"),
        (["--straggler-prob", "1"], "--straggler-prob"),
        (["--straggler-slowdown", "0.5"], "--straggler-slowdown"),
        (["--bandwidth-gbps", "0"], "--bandwidth-gbps"),
        (["--batch-size", "0"], "--batch-size"),
        # huge finite values: one line with the valid range, never an OverflowError traceback
        (["--params-billion", "1e300"], "--params-billion must be in (0, 100000], got 1e+300"),
        (["--lr", "1e300"], "--lr must be in (0, 100], got 1e+300"),
        (["--compute-ms", "1e300"], "--compute-ms must be in (0, 3.6e+06], got 1e+300"),
        (["--model-mb", "1e300"], "--model-mb must be in (0, 1e+07], got 1e+300"),
        (["--ps-shards", "1000000000000"], "--ps-shards must be in [1, 1024], got 1e+12"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    run_cli("simulate", "training", *args).assert_bad_input(needle)


def test_gradient_does_not_overflow_at_large_logits():
    """A large --lr (up to 100) drives |X @ w| past 709, where exp overflows; the sigmoid must not warn."""
    import warnings

    import numpy as np

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 5)), (rng.random(200) < 0.5).astype(float)
    w = np.full(5, 1e4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = tr._grad(X, y, w)
        r = tr.simulate_training(lr=100, epochs=1, samples=2000, workers=4)
    assert np.all(np.isfinite(g))
    # the stable form agrees with the textbook one where the latter does not overflow
    w_small = np.full(5, 0.3)
    p = 1.0 / (1.0 + np.exp(-(X @ w_small)))
    assert np.allclose(tr._grad(X, y, w_small), X.T @ (p - y) / len(y))
    assert math.isfinite(r.sync_final_loss) and math.isfinite(r.async_final_loss)


def test_parameter_server_step_is_never_faster_than_one_workers_own_link():
    """Hand-computed: 25 MB over 10 Gb/s is 20 ms each way, so a push and a pull take ≥ 40 ms at any N.

    The old cost divided only the servers' traffic by the shards (10.1 ms at N = 2), so the
    parameter server beat ring all-reduce at N = 2 and 4.
    """
    own = 2 * tr.transfer_seconds(25.0, 10.0)
    assert own == pytest.approx(0.040)
    for n in (2, 4, 8):
        assert tr.parameter_server_seconds(n, 25.0, 10.0, 8) == pytest.approx(own + 2 * tr.LINK_LATENCY_S)
    assert tr.parameter_server_seconds(32, 25.0, 10.0, 8) == pytest.approx(4 * own + 2 * tr.LINK_LATENCY_S)


def test_ring_beats_the_parameter_server_at_every_worker_count(default_run):
    """Ring all-reduce moves 2(N-1)/N·M/B per worker, the parameter server at least 2·M/B: ring wins for N ≥ 2."""
    for row in default_run.scaling:
        if row.workers >= 2:
            assert row.ring_allreduce_ms < row.parameter_server_ms, row.workers
            assert row.speedup_ring > row.speedup_parameter_server, row.workers


def test_async_updates_pay_the_workers_own_link():
    """One worker, no stragglers, negligible compute: each async update costs the model's push and pull on its link."""
    r = tr.simulate_training(workers=1, epochs=1, samples=2000, batch_size=100, compute_ms=0.001,
                             straggler_prob=0.0, model_mb=25.0, bandwidth_gbps=10.0, ps_shards=8, seed=0)
    updates = 2000 / 100
    per_update = 2 * (tr.transfer_seconds(25.0, 10.0) + tr.LINK_LATENCY_S)
    assert r.async_epoch_seconds[0] >= (updates - 1) * per_update
