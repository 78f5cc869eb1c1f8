"""`mlsd simulate serving|rollout|training`: serving fleets, model pushes, distributed training.

Parsing and printing only; the simulations live in `mlsd.sims.serving`,
`mlsd.sims.rollout` and `mlsd.sims.training` and are imported inside each
command so `mlsd --help` stays fast.
"""

from __future__ import annotations

import typer

_SEED_HELP = "Random seed: same seed, same numbers."
_JSON_HELP = "Print the result as JSON on stdout."


def register(group: typer.Typer) -> None:
    """Add `serving`, `rollout` and `training` to the `simulate` group."""

    @group.command("serving")
    def serving_cmd(
        qps: float = typer.Option(2000.0, "--qps", help="Requests per second at the peak (Poisson arrivals)."),
        service_ms: float = typer.Option(20.0, "--service-ms", help="Mean time one replica spends on one request, in ms."),
        replicas: int = typer.Option(0, "--replicas", help="Replicas to simulate; 0 picks the fewest that meet --slo-p99-ms."),
        slo_p99_ms: float = typer.Option(100.0, "--slo-p99-ms", help="The latency SLO: p99 response time in ms."),
        balancer: str = typer.Option(
            "least-loaded", "--balancer",
            help="How the load balancer picks a replica: least-loaded, power-of-two, round-robin or random.",
        ),
        service_dist: str = typer.Option(
            "exponential", "--service-dist",
            help="Service-time distribution: exponential (has closed forms), constant or lognormal.",
        ),
        requests: int = typer.Option(100_000, "--requests", help="Requests in the main discrete-event run."),
        peak_to_trough: float = typer.Option(4.0, "--peak-to-trough", help="Daily traffic: peak QPS divided by trough QPS."),
        autoscale_target: float = typer.Option(0.7, "--autoscale-target", help="Utilisation the autoscaler aims for, in (0, 1)."),
        boot_minutes: float = typer.Option(5.0, "--boot-minutes", help="Minutes a new replica takes to start serving."),
        replica_cost_per_hour: float = typer.Option(0.5, "--replica-cost-per-hour", help="Cost of one replica for one hour."),
        cache_hit_rate: float = typer.Option(0.5, "--cache-hit-rate", help="Share of requests a cache in front answers, in [0, 1)."),
        cache_ms: float = typer.Option(2.0, "--cache-ms", help="Latency of a cache lookup (and a batch key-value read), in ms."),
        batch_every_hours: float = typer.Option(24.0, "--batch-every-hours", help="Batch prediction: hours between runs scoring every user."),
        users: int = typer.Option(10_000_000, "--users", help="Users a batch run scores (and devices a model ships to)."),
        rtt_ms: float = typer.Option(80.0, "--rtt-ms", help="Median network round trip from a device to the servers, in ms."),
        device_slowdown: float = typer.Option(3.0, "--device-slowdown", help="How many times slower a phone runs the model than a replica."),
        model_mb: float = typer.Option(50.0, "--model-mb", help="Model size in MB (memory on the device, download per update)."),
        seed: int = typer.Option(0, "--seed", help=_SEED_HELP),
        json_: bool = typer.Option(False, "--json", help=_JSON_HELP),
    ) -> None:
        """Replicas behind a load balancer: p50/p99, the replicas an SLO needs, autoscaling, caching.

        A discrete-event simulation of Poisson traffic through a load balancer
        (least-loaded with one queue at the balancer, power of two choices, round
        robin, random) to N replicas, checked against the M/M/c (Erlang C) closed
        form when service is exponential. With --replicas 0 it finds the fewest
        replicas meeting --slo-p99-ms. Then a day of diurnal traffic under fixed
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
        servers: int = typer.Option(20, "--servers", help="Servers in the fleet."),
        strategy: str = typer.Option("rolling", "--strategy", help="How the new version is pushed: rolling, canary or blue-green."),
        surge: int = typer.Option(0, "--surge", help="Extra new-version servers booted before old ones are retired (0: none)."),
        qps: float = typer.Option(1700.0, "--qps", help="Demand during the push, requests per second."),
        server_qps: float = typer.Option(100.0, "--server-qps", help="Requests per second one warm server answers."),
        batch: int = typer.Option(4, "--batch", help="Servers taken out at a time by a rolling update without surge."),
        update_minutes: float = typer.Option(3.0, "--update-minutes", help="Minutes to drain a server, load the new model and pass health checks."),
        warmup_minutes: float = typer.Option(2.0, "--warmup-minutes", help="Minutes a new server takes to reach full speed (cold caches)."),
        canary_percent: float = typer.Option(5.0, "--canary-percent", help="Share of the fleet (and so of traffic) the canary gets, in percent."),
        bake_minutes: float = typer.Option(10.0, "--bake-minutes", help="Minutes the canary is watched before the rest is pushed."),
        bad_version: bool = typer.Option(False, "--bad-version", help="Make the new version bad: 2% errors and 30% slower."),
        slo_p99_ms: float = typer.Option(100.0, "--slo-p99-ms", help="The latency SLO: p99 response time in ms."),
        seed: int = typer.Option(0, "--seed", help=_SEED_HELP),
        json_: bool = typer.Option(False, "--json", help=_JSON_HELP),
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
        workers: int = typer.Option(8, "--workers", help="Data-parallel workers."),
        epochs: int = typer.Option(3, "--epochs", help="Passes over the training data."),
        samples: int = typer.Option(20_000, "--samples", help="Training examples of the logistic-regression problem."),
        features: int = typer.Option(50, "--features", help="Features per example (the first is the intercept)."),
        batch_size: int = typer.Option(32, "--batch-size", help="Examples per worker per mini-batch."),
        lr: float = typer.Option(0.5, "--lr", help="SGD learning rate."),
        compute_ms: float = typer.Option(100.0, "--compute-ms", help="Simulated time one worker spends on one mini-batch, in ms."),
        straggler_prob: float = typer.Option(0.1, "--straggler-prob", help="Chance a mini-batch lands on a straggling worker, in [0, 1)."),
        straggler_slowdown: float = typer.Option(4.0, "--straggler-slowdown", help="How many times slower a straggler is."),
        model_mb: float = typer.Option(25.0, "--model-mb", help="Gradient size exchanged per step, in MB (the timing model's model)."),
        bandwidth_gbps: float = typer.Option(10.0, "--bandwidth-gbps", help="Link bandwidth between workers and servers, in Gb/s."),
        ps_shards: int = typer.Option(8, "--ps-shards", help="Parameter-server shards (the RPC-based design)."),
        params_billion: float = typer.Option(7.0, "--params-billion", help="Model-parallel part: parameters of a large model, in billions."),
        device_gb: float = typer.Option(80.0, "--device-gb", help="Model-parallel part: memory of one accelerator, in GB."),
        seed: int = typer.Option(0, "--seed", help=_SEED_HELP),
        json_: bool = typer.Option(False, "--json", help=_JSON_HELP),
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
