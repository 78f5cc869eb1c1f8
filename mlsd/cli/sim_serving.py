"""`mlsd simulate serving|rollout|training`: serving fleets, model pushes, distributed training.

Parsing and printing only; the simulations live in `mlsd.sims.serving`,
`mlsd.sims.rollout` and `mlsd.sims.training` and are imported inside each
command so `mlsd --help` stays fast.
"""

from __future__ import annotations

import typer

from mlsd.cli.simopts import json_option, option, seed_option


def register(group: typer.Typer) -> None:
    """Add `serving`, `rollout` and `training` to the `simulate` group."""

    @group.command("serving")
    def serving_cmd(
        qps: float = option("serving", "qps"),
        service_ms: float = option("serving", "service_ms"),
        replicas: int = option("serving", "replicas"),
        slo_p99_ms: float = option("serving", "slo_p99_ms"),
        balancer: str = option("serving", "balancer"),
        service_dist: str = option("serving", "service_dist"),
        requests: int = option("serving", "requests"),
        peak_to_trough: float = option("serving", "peak_to_trough"),
        autoscale_target: float = option("serving", "autoscale_target"),
        boot_minutes: float = option("serving", "boot_minutes"),
        replica_cost_per_hour: float = option("serving", "replica_cost_per_hour"),
        cache_hit_rate: float = option("serving", "cache_hit_rate"),
        cache_ms: float = option("serving", "cache_ms"),
        batch_every_hours: float = option("serving", "batch_every_hours"),
        users: int = option("serving", "users"),
        rtt_ms: float = option("serving", "rtt_ms"),
        device_slowdown: float = option("serving", "device_slowdown"),
        model_mb: float = option("serving", "model_mb"),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Replicas behind a load balancer: p50/p99, the replicas an SLO needs, autoscaling, caching.

        A discrete-event simulation of Poisson traffic through a load balancer
        (least-loaded with one queue at the balancer, power of two choices, round
        robin, random) to N replicas, checked against the M/M/c (Erlang C) closed
        form when service is exponential. With --replicas 0 it finds the fewest
        replicas meeting --slo-p99-ms: by the closed form where one exists
        (exponential service; least-loaded, round robin, random), else by
        simulation on a run long enough for its 95% confidence interval to clear
        the SLO. Each simulated p99 runs 50 relaxation times of its queue (more
        near utilisation 1), carries that interval and is flagged when not
        converged. Then a day of diurnal traffic under fixed
        and autoscaled fleets (replicas, minutes over the SLO, cost), a cache in
        front at several hit rates, batch vs online prediction (latency, cost,
        staleness) and on-device vs server inference (latency, battery, memory,
        privacy).
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.serving import simulate_serving

        run_and_emit(
            simulate_serving, as_json=json_, title="Serving",
            qps=qps, service_ms=service_ms, replicas=replicas, slo_p99_ms=slo_p99_ms, balancer=balancer,
            service_dist=service_dist, requests=requests, peak_to_trough=peak_to_trough,
            autoscale_target=autoscale_target, boot_minutes=boot_minutes,
            replica_cost_per_hour=replica_cost_per_hour, cache_hit_rate=cache_hit_rate, cache_ms=cache_ms,
            batch_every_hours=batch_every_hours, users=users, rtt_ms=rtt_ms,
            device_slowdown=device_slowdown, model_mb=model_mb, seed=seed,
        )

    @group.command("rollout")
    def rollout_cmd(
        servers: int = option("rollout", "servers"),
        strategy: str = option("rollout", "strategy"),
        surge: int = option("rollout", "surge"),
        qps: float = option("rollout", "qps"),
        server_qps: float = option("rollout", "server_qps"),
        batch: int = option("rollout", "batch"),
        update_minutes: float = option("rollout", "update_minutes"),
        warmup_minutes: float = option("rollout", "warmup_minutes"),
        canary_percent: float = option("rollout", "canary_percent"),
        bake_minutes: float = option("rollout", "bake_minutes"),
        bad_version: bool = option("rollout", "bad_version"),
        slo_p99_ms: float = option("rollout", "slo_p99_ms"),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Push a new model version across a fleet under load without losing QPS.

        Steps a fleet through a rolling update (with and without --surge), a
        canary that is rolled back automatically when its error rate or p99
        regresses, and a blue-green switch: capacity against demand, p99, timed
        out requests, errors and extra server-minutes for each. --bad-version
        shows how far each strategy lets a bad model spread.
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.rollout import simulate_rollout

        run_and_emit(
            simulate_rollout, as_json=json_, title="Rollout",
            servers=servers, strategy=strategy, surge=surge, qps=qps, server_qps=server_qps, batch=batch,
            update_minutes=update_minutes, warmup_minutes=warmup_minutes, canary_percent=canary_percent,
            bake_minutes=bake_minutes, bad_version=bad_version, slo_p99_ms=slo_p99_ms, seed=seed,
        )

    @group.command("training")
    def training_cmd(
        workers: int = option("training", "workers"),
        epochs: int = option("training", "epochs"),
        samples: int = option("training", "samples"),
        features: int = option("training", "features"),
        batch_size: int = option("training", "batch_size"),
        lr: float = option("training", "lr"),
        compute_ms: float = option("training", "compute_ms"),
        straggler_prob: float = option("training", "straggler_prob"),
        straggler_slowdown: float = option("training", "straggler_slowdown"),
        model_mb: float = option("training", "model_mb"),
        bandwidth_gbps: float = option("training", "bandwidth_gbps"),
        ps_shards: int = option("training", "ps_shards"),
        params_billion: float = option("training", "params_billion"),
        device_gb: float = option("training", "device_gb"),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Real SGD with N simulated workers: synchronous vs asynchronous, all-reduce vs parameter server.

        Trains logistic regression with real gradients on a simulated clock:
        synchronous SGD waits for the slowest worker and then ring-all-reduces,
        asynchronous SGD lets a parameter server apply stale gradients as they
        arrive. Shows loss against simulated wall-clock, epoch times, staleness,
        the data-parallel speed-up of ring all-reduce vs a parameter server, and
        how a model too big for one device splits across devices.
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.training import simulate_training

        run_and_emit(
            simulate_training, as_json=json_, title="Distributed training",
            workers=workers, epochs=epochs, samples=samples, features=features, batch_size=batch_size, lr=lr,
            compute_ms=compute_ms, straggler_prob=straggler_prob, straggler_slowdown=straggler_slowdown,
            model_mb=model_mb, bandwidth_gbps=bandwidth_gbps, ps_shards=ps_shards,
            params_billion=params_billion, device_gb=device_gb, seed=seed,
        )
