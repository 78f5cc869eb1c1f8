"""Distributed training: synchronous vs asynchronous SGD, communication, model parallelism.

The source notes' FAQ names data parallelism, model parallelism, synchronous and
asynchronous SGD, and "data parallel DT, RPC based DT". This module runs real
SGD on a logistic-regression problem with N simulated workers and a simulated
clock:

- synchronous: every step all workers compute a gradient at the same weights,
  the step waits for the slowest worker (stragglers), then a ring all-reduce
  averages the gradients.
- asynchronous: a parameter server (the RPC-based design) applies each worker's
  gradient as soon as it arrives; nobody waits, but a gradient was computed on
  weights that other workers have since changed (staleness).

The gradients, losses and staleness are computed, not modelled; only time is
simulated (compute per mini-batch with random stragglers, communication from
the model size and the link bandwidth). Two cost models follow: data-parallel
speed-up with ring all-reduce vs a parameter server, and the memory split of
model parallelism for a model whose training state does not fit one device.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from mlsd.errors import check_range
from mlsd.i18n import _
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table

JITTER_SIGMA = 0.1  # ordinary run-to-run spread of one mini-batch's compute time
LINK_LATENCY_S = 50e-6  # per message hop
BYTES_PER_PARAM_TRAINING = 16  # fp16 weights + grads, fp32 master copy, Adam m and v (ZeRO paper)
BYTES_PER_PARAM_INFERENCE = 2  # fp16 weights
WORKER_COUNTS = (1, 2, 4, 8, 16, 32, 64)


def transfer_seconds(megabytes: float, bandwidth_gbps: float) -> float:
    """Time to move `megabytes` over a `bandwidth_gbps` link."""
    return megabytes * 8e6 / (bandwidth_gbps * 1e9)


def ring_allreduce_seconds(workers: int, model_mb: float, bandwidth_gbps: float) -> float:
    """Ring all-reduce: 2(N-1) steps, each moving 1/N of the model over every link.

    Time = 2(N-1)/N · M/B + 2(N-1)·latency; it barely grows with N, which is why
    synchronous data parallelism scales.
    """
    if workers <= 1:
        return 0.0
    return 2 * (workers - 1) / workers * transfer_seconds(model_mb, bandwidth_gbps) + 2 * (workers - 1) * LINK_LATENCY_S


def parameter_server_seconds(workers: int, model_mb: float, bandwidth_gbps: float, shards: int) -> float:
    """Synchronous step through parameter servers: every worker pushes and pulls the model.

    Each phase (push, then pull) is limited by the busier side: a worker's own link
    carries the whole model (M/B), and the `shards` server links carry N·M between them
    (N·M/(S·B)). So a step takes 2·M/B·max(1, N/S): never less than one worker's own
    push and pull, and linear in N once the servers are the bottleneck. Ring all-reduce,
    2(N-1)/N·M/B, is below it at every N ≥ 2.
    """
    if workers <= 1:
        return 0.0
    one = transfer_seconds(model_mb, bandwidth_gbps)
    return 2 * one * max(1.0, workers / shards) + 2 * LINK_LATENCY_S


def async_update_seconds(model_mb: float, bandwidth_gbps: float, shards: int) -> tuple[float, float]:
    """(server-link time, worker-link time) of one asynchronous push or pull of the model.

    The server's `shards` links move M in M/(S·B) and serve one transfer at a time; the
    worker's own link needs M/B whatever the servers do.
    """
    one = transfer_seconds(model_mb, bandwidth_gbps)
    return one / shards + LINK_LATENCY_S, one + LINK_LATENCY_S


def _loss(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Mean log loss of logistic regression (numerically stable)."""
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _grad(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    p = 0.5 * (1.0 + np.tanh(0.5 * (X @ w)))  # the sigmoid, without exp overflow at large |z|
    return X.T @ (p - y) / len(y)


def make_problem(rng: np.random.Generator, samples: int, features: int) -> tuple[np.ndarray, np.ndarray]:
    """A logistic-regression data set with a known generating model (plus an intercept column)."""
    X = rng.normal(size=(samples, features))
    X[:, 0] = 1.0
    w_true = rng.normal(size=features) * 2.0 / math.sqrt(features)
    y = (rng.random(samples) < 1.0 / (1.0 + np.exp(-(X @ w_true)))).astype(float)
    return X, y


@dataclass(frozen=True)
class Curve:
    seconds: tuple[float, ...]
    loss: tuple[float, ...]


@dataclass(frozen=True)
class ScalingRow:
    workers: int
    slowest_worker_ms: float
    ring_allreduce_ms: float
    parameter_server_ms: float
    speedup_ring: float
    speedup_parameter_server: float
    efficiency_ring: float


@dataclass(frozen=True)
class MemoryRow:
    devices: int
    training_gb_per_device: float
    fits: bool
    pipeline_bubble: float  # idle share of a pipeline with `workers` micro-batches


@dataclass(frozen=True)
class TrainingResult(SimResult):
    workers: int
    epochs: int
    samples: int
    straggler_prob: float
    straggler_slowdown: float
    sync_epoch_seconds: tuple[float, ...]  # simulated clock when each epoch ends
    async_epoch_seconds: tuple[float, ...]
    sync_final_loss: float
    async_final_loss: float
    initial_loss: float
    sync_wait_share: float  # of a synchronous step spent waiting for the slowest worker
    sync_comm_share: float
    async_mean_staleness: float  # updates applied between a worker's pull and its push
    async_max_staleness: int
    sync_curve: Curve
    async_curve: Curve
    scaling: tuple[ScalingRow, ...]
    model_mb: float
    bandwidth_gbps: float
    ps_shards: int
    params_billion: float
    device_gb: float
    training_gb: float
    inference_gb: float
    min_devices: int
    memory: tuple[MemoryRow, ...]

    def tables(self) -> list[Table]:
        rows = []
        for e in range(self.epochs):
            rows.append([e + 1, self.sync_epoch_seconds[e], self.async_epoch_seconds[e],
                         self.sync_epoch_seconds[e] / self.async_epoch_seconds[e]])
        return [
            table(
                _("SGD on logistic regression with {workers} workers (stragglers: {share} of mini-batches {slowdown}× "
                  "slower)").format(workers=self.workers, share=f"{self.straggler_prob:.0%}",
                                    slowdown=f"{self.straggler_slowdown:g}"),
                [_("epoch"), _("sync ends (s)"), _("async ends (s)"), _("sync / async")],
                rows,
                note=_("Final log loss: sync {sync}, async {async_} (start {start}). Sync steps spend {wait} waiting for "
                       "the slowest worker and {comm} in all-reduce; async gradients are on average {stale} updates "
                       "stale (max {max_stale}); each async update uses lr/N so both take the same step per "
                       "example.").format(
                    sync=f"{self.sync_final_loss:.4f}", async_=f"{self.async_final_loss:.4f}",
                    start=f"{self.initial_loss:.4f}", wait=f"{self.sync_wait_share:.0%}",
                    comm=f"{self.sync_comm_share:.0%}", stale=f"{self.async_mean_staleness:.1f}",
                    max_stale=self.async_max_staleness),
            ),
            table(
                _("Data-parallel speed-up ({mb} MB of gradients, {gbps} Gb/s links)").format(
                    mb=f"{self.model_mb:g}", gbps=f"{self.bandwidth_gbps:g}"),
                [_("workers"), _("slowest worker ms"), _("ring all-reduce ms"),
                 _("parameter server ms ({shards} shards)").format(shards=self.ps_shards),
                 _("speed-up ring"), _("speed-up PS"), _("ring efficiency")],
                [[r.workers, r.slowest_worker_ms, r.ring_allreduce_ms, r.parameter_server_ms, r.speedup_ring,
                  r.speedup_parameter_server, r.efficiency_ring] for r in self.scaling],
                note=_("Synchronous steps with a fixed mini-batch per worker; the slowest worker is the mean maximum "
                       "of N draws of the straggler model. Parameter server: push then pull, each limited by the busier "
                       "of a worker's own link (M/B) and the shards' links (N·M/(S·B))."),
            ),
            table(
                _("Model parallelism: {params}B parameters on {gb} GB devices").format(
                    params=f"{self.params_billion:g}", gb=f"{self.device_gb:g}"),
                [_("devices"), _("training GB per device"), _("fits"), _("pipeline bubble")],
                [[m.devices, m.training_gb_per_device, m.fits, m.pipeline_bubble] for m in self.memory],
                note=_("Training state {training} GB ({bytes} bytes/parameter: fp16 weights and gradients, fp32 master "
                       "weights, Adam moments), activations not counted; inference alone needs {inference} GB. Bubble "
                       "= (k-1)/(m+k-1) with m = {workers} micro-batches.").format(
                    training=f"{self.training_gb:,.0f}", bytes=BYTES_PER_PARAM_TRAINING,
                    inference=f"{self.inference_gb:,.0f}", workers=self.workers),
            ),
        ]

    def charts(self) -> list[Chart]:
        return [
            Chart(
                name="training-loss-vs-time",
                title=_("Loss against simulated wall-clock, {workers} workers").format(workers=self.workers),
                x_label=_("simulated seconds"),
                y_label=_("training log loss"),
                series=(
                    series(_("synchronous (ring all-reduce)"), self.sync_curve.seconds, self.sync_curve.loss),
                    series(_("asynchronous (parameter server)"), self.async_curve.seconds, self.async_curve.loss),
                ),
                vlines=((self.sync_epoch_seconds[0], _("sync epoch 1")),
                        (self.async_epoch_seconds[0], _("async epoch 1"))),
            ),
            Chart(
                name="training-speedup",
                title=_("Data-parallel speed-up"),
                x_label=_("workers"),
                y_label=_("speed-up over one worker"),
                series=(
                    series(_("ring all-reduce"), [r.workers for r in self.scaling], [r.speedup_ring for r in self.scaling]),
                    series(_("parameter server"), [r.workers for r in self.scaling],
                           [r.speedup_parameter_server for r in self.scaling]),
                    series(_("ideal"), [r.workers for r in self.scaling], [r.workers for r in self.scaling]),
                ),
                x_log=True,
                y_log=True,
            ),
        ]

    def reading(self) -> list[str]:
        ratio = self.sync_epoch_seconds[0] / self.async_epoch_seconds[0]
        best = max(self.scaling, key=lambda r: r.speedup_ring)
        ps_best = max(self.scaling, key=lambda r: r.speedup_parameter_server)
        cost = (_(", so on this convex problem staleness costs little.")
                if self.async_final_loss <= self.sync_final_loss * 1.01
                else _(", {worse} worse.").format(worse=f"{self.async_final_loss / self.sync_final_loss - 1:.1%}"))
        out = [
            _("With stragglers, asynchronous SGD finishes the first epoch in {async_} s of simulated time against {sync} "
              "s for synchronous SGD ({ratio}×), because a synchronous step spends {wait} of its time waiting for the "
              "slowest worker.").format(async_=f"{self.async_epoch_seconds[0]:.1f}",
                                       sync=f"{self.sync_epoch_seconds[0]:.1f}", ratio=f"{ratio:.2f}",
                                       wait=f"{self.sync_wait_share:.0%}"),
            _("Async gradients are {stale} updates stale on average; with the step per example matched (lr/N per async "
              "update) async ends at log loss {async_} against {sync} for sync after the same data").format(
                stale=f"{self.async_mean_staleness:.1f}", async_=f"{self.async_final_loss:.4f}",
                sync=f"{self.sync_final_loss:.4f}") + cost,
            _("Ring all-reduce keeps communication nearly flat in the worker count (best speed-up {best}× at {workers} "
              "workers); a parameter server step can never beat one worker pushing and pulling the whole model over its "
              "own link ({ms} ms), grows with N once the workers outnumber its {shards} shards, and reaches only "
              "{ps}× at {ps_workers} workers.").format(
                best=f"{best.speedup_ring:.1f}", workers=best.workers,
                ms=f"{2 * transfer_seconds(self.model_mb, self.bandwidth_gbps) * 1000:,.0f}", shards=self.ps_shards,
                ps=f"{ps_best.speedup_parameter_server:.1f}", ps_workers=ps_best.workers),
            _("A {params}B-parameter model needs {training} GB to train, so it needs model parallelism over at least "
              "{devices} devices of {gb} GB; serving it needs only {inference} GB.").format(
                params=f"{self.params_billion:g}", training=f"{self.training_gb:,.0f}", devices=self.min_devices,
                gb=f"{self.device_gb:g}", inference=f"{self.inference_gb:,.0f}"),
        ]
        return out


def _compute_times(rng: np.random.Generator, size, compute_s: float, straggler_prob: float, slowdown: float) -> np.ndarray:
    base = compute_s * rng.lognormal(0.0, JITTER_SIGMA, size=size)
    return np.where(rng.random(size=size) < straggler_prob, base * slowdown, base)


def simulate_training(
    *,
    workers: int = 8,
    epochs: int = 3,
    samples: int = 20_000,
    features: int = 50,
    batch_size: int = 32,
    lr: float = 0.5,
    compute_ms: float = 100.0,
    straggler_prob: float = 0.1,
    straggler_slowdown: float = 4.0,
    model_mb: float = 25.0,
    bandwidth_gbps: float = 10.0,
    ps_shards: int = 8,
    params_billion: float = 7.0,
    device_gb: float = 80.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> TrainingResult:
    """Run synchronous and asynchronous data-parallel SGD on a simulated clock, plus the cost models."""
    check_range("workers", workers, 1, 1024, low_inclusive=True, high_inclusive=True)
    check_range("epochs", epochs, 1, 50, low_inclusive=True, high_inclusive=True)
    check_range("samples", samples, 100, 1_000_000, low_inclusive=True, high_inclusive=True)
    check_range("features", features, 2, 10_000, low_inclusive=True, high_inclusive=True)
    check_range("batch_size", batch_size, 1, samples, low_inclusive=True, high_inclusive=True)
    # Upper bounds: past them the model stops meaning anything (and floats overflow).
    check_range("lr", lr, 0, 100, high_inclusive=True)
    check_range("compute_ms", compute_ms, 0, 3_600_000, high_inclusive=True)  # an hour per step
    check_range("straggler_prob", straggler_prob, 0, 1, low_inclusive=True)
    check_range("straggler_slowdown", straggler_slowdown, 1, 1000, low_inclusive=True, high_inclusive=True)
    check_range("model_mb", model_mb, 0, 10_000_000, high_inclusive=True)  # 10 TB
    check_range("bandwidth_gbps", bandwidth_gbps, 0, 100_000, high_inclusive=True)
    check_range("ps_shards", ps_shards, 1, 1024, low_inclusive=True, high_inclusive=True)
    check_range("params_billion", params_billion, 0, 100_000, high_inclusive=True)  # 100 trillion
    check_range("device_gb", device_gb, 0, 100_000, high_inclusive=True)

    rng = np.random.default_rng(seed)
    X, y = make_problem(rng, samples, features)
    w0 = np.zeros(features)
    initial = _loss(X, y, w0)
    # the curves use a fixed subset: ~20 points per epoch, cheap enough to stay in budget
    Xe, ye = X[: min(samples, 5000)], y[: min(samples, 5000)]
    sync_every = max(1, samples // (workers * batch_size) // 20)
    eval_every = max(1, samples // batch_size // 20)
    compute_s = compute_ms / 1000.0
    total = epochs * samples
    order = np.concatenate([rng.permutation(samples) for _ in range(epochs + 1)])

    # --- synchronous: all workers, then a ring all-reduce -------------------------------
    time_rng = np.random.default_rng(seed + 1)
    allreduce = ring_allreduce_seconds(workers, model_mb, bandwidth_gbps)
    w = w0.copy()
    t = 0.0
    done = 0
    sync_t, sync_l = [0.0], [_loss(Xe, ye, w0)]
    sync_epochs: list[float] = []
    wait_total = comm_total = 0.0
    per_step = workers * batch_size
    step = 0
    while done < total:
        step += 1
        times = _compute_times(time_rng, workers, compute_s, straggler_prob, straggler_slowdown)
        slowest = float(times.max())
        wait_total += slowest - float(times.mean())
        comm_total += allreduce
        t += slowest + allreduce
        idx = order[done:done + per_step]
        w -= lr * _grad(X[idx], y[idx], w)  # the mean of the workers' equal-size gradients
        done += len(idx)
        while len(sync_epochs) < epochs and done >= (len(sync_epochs) + 1) * samples:
            sync_epochs.append(t)
        if step % sync_every == 0 or done >= total:
            sync_t.append(t)
            sync_l.append(_loss(Xe, ye, w))
        report(progress, 0.45 * done / total, _("synchronous SGD"))
    sync_final = _loss(X, y, w)
    sync_wait_share = wait_total / t
    sync_comm_share = comm_total / t

    # --- asynchronous: a parameter server applies gradients as they arrive --------------
    time_rng = np.random.default_rng(seed + 1)
    # the same step per example as sync: sync applies lr to the mean of N mini-batch gradients
    async_lr = lr / workers
    server_leg, worker_leg = async_update_seconds(model_mb, bandwidth_gbps, ps_shards)
    w = w0.copy()
    version = 0
    local = [w.copy() for _ in range(workers)]
    pulled = [0] * workers
    first = _compute_times(time_rng, workers, compute_s, straggler_prob, straggler_slowdown)
    events = [(float(first[k]), k) for k in range(workers)]
    heapq.heapify(events)
    ps_free = 0.0
    done = 0
    async_t, async_l = [0.0], [_loss(Xe, ye, w0)]
    async_epochs: list[float] = []
    staleness: list[int] = []
    while done < total:
        t, k = heapq.heappop(events)
        idx = order[done:done + batch_size]
        g = _grad(X[idx], y[idx], local[k])
        start = max(t, ps_free)  # the server links handle one push/pull at a time
        ps_free = start + 2 * server_leg  # the push in, then the pull out
        applied = max(start + server_leg, t + worker_leg)  # the push is in: own link and server links
        back = max(ps_free, applied + worker_leg)  # the worker holds the new weights
        staleness.append(version - pulled[k])
        w -= async_lr * g
        version += 1
        done += len(idx)
        local[k] = w.copy()
        pulled[k] = version
        nxt = back + float(_compute_times(time_rng, 1, compute_s, straggler_prob, straggler_slowdown)[0])
        heapq.heappush(events, (nxt, k))
        while len(async_epochs) < epochs and done >= (len(async_epochs) + 1) * samples:
            async_epochs.append(applied)
        if version % eval_every == 0 or done >= total:
            async_t.append(applied)
            async_l.append(_loss(Xe, ye, w))
        report(progress, 0.45 + 0.45 * done / total, _("asynchronous SGD"))
    async_final = _loss(X, y, w)

    # --- cost models -----------------------------------------------------------------------
    mc_rng = np.random.default_rng(seed + 2)
    draws = _compute_times(mc_rng, (2000, max(WORKER_COUNTS)), compute_s, straggler_prob, straggler_slowdown)
    single = float(draws[:, 0].mean())
    scaling = []
    for n in WORKER_COUNTS:
        slowest = float(draws[:, :n].max(axis=1).mean())
        ring = ring_allreduce_seconds(n, model_mb, bandwidth_gbps)
        ps = parameter_server_seconds(n, model_mb, bandwidth_gbps, ps_shards)
        sp_ring = n * single / (slowest + ring)
        sp_ps = n * single / (slowest + ps)
        scaling.append(ScalingRow(n, slowest * 1000, ring * 1000, ps * 1000, sp_ring, sp_ps, sp_ring / n))

    training_gb = params_billion * 1e9 * BYTES_PER_PARAM_TRAINING / 1e9
    inference_gb = params_billion * 1e9 * BYTES_PER_PARAM_INFERENCE / 1e9
    min_devices = math.ceil(training_gb / device_gb)
    memory = []
    k = 1
    while k <= max(16, 2 * min_devices):
        memory.append(MemoryRow(k, training_gb / k, training_gb / k <= device_gb, (k - 1) / (workers + k - 1)))
        k *= 2
    report(progress, 1.0, _("done"))

    return TrainingResult(
        workers=workers,
        epochs=epochs,
        samples=samples,
        straggler_prob=straggler_prob,
        straggler_slowdown=straggler_slowdown,
        sync_epoch_seconds=tuple(sync_epochs),
        async_epoch_seconds=tuple(async_epochs),
        sync_final_loss=sync_final,
        async_final_loss=async_final,
        initial_loss=initial,
        sync_wait_share=sync_wait_share,
        sync_comm_share=sync_comm_share,
        async_mean_staleness=float(np.mean(staleness)),
        async_max_staleness=int(max(staleness)),
        sync_curve=Curve(tuple(sync_t), tuple(sync_l)),
        async_curve=Curve(tuple(async_t), tuple(async_l)),
        scaling=tuple(scaling),
        model_mb=model_mb,
        bandwidth_gbps=bandwidth_gbps,
        ps_shards=ps_shards,
        params_billion=params_billion,
        device_gb=device_gb,
        training_gb=training_gb,
        inference_gb=inference_gb,
        min_devices=min_devices,
        memory=tuple(memory),
    )
