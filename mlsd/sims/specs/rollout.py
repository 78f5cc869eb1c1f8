"""Declaration for rollout: pushing a new model version under load (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='rollout',
        summary='Push a new model version across a fleet: capacity and p99 during the push, canary rollback.',
        target='mlsd.sims.rollout:simulate_rollout',
        title='Rollout',
        order=6,
        doc="""Push a new model version across a fleet under load without losing QPS.

        Steps a fleet through a rolling update (with and without --surge), a
        canary that is rolled back automatically when its error rate or p99
        regresses, and a blue-green switch: capacity against demand, p99, timed
        out requests, errors and extra server-minutes for each. --bad-version
        shows how far each strategy lets a bad model spread.
        """,
        options=(
            OptionSpec('servers', 'int', 20, 'Servers in the fleet.', range=closed(2, 10_000)),
            OptionSpec('strategy', 'choice', 'rolling', 'How the new version is pushed.', choices=('rolling', 'canary', 'blue-green')),
            OptionSpec('surge', 'int', 0, 'Extra new-version servers booted before old ones are retired (0: none).', range=closed(0, 10_000)),
            OptionSpec('qps', 'float', 1700.0, 'Demand during the push, requests per second.', range=above(0, 1e7), unit='requests/s'),
            OptionSpec('server_qps', 'float', 100.0, 'Requests per second one warm server answers.', range=above(0, 1e6), unit='requests/s'),
            OptionSpec('batch', 'int', 4, 'Servers taken out at a time by a rolling update without surge.', range=closed(1, 10_000)),
            OptionSpec('update_minutes', 'float', 3.0, 'Minutes to drain a server, load the new model and pass health checks.', range=above(0, 1200), unit='minutes'),
            OptionSpec('warmup_minutes', 'float', 2.0, 'Minutes a new server takes to reach full speed (cold caches).', range=closed(0, 1200), unit='minutes'),
            OptionSpec('canary_percent', 'float', 5.0, 'Share of the fleet (and so of traffic) the canary gets, in percent.', range=above(0, 50), unit='%'),
            OptionSpec('bake_minutes', 'float', 10.0, 'Minutes the canary is watched before the rest is pushed.', range=above(0, 1200), unit='minutes'),
            OptionSpec('bad_version', 'bool', False, 'Make the new version bad: 2% errors and 30% slower.'),
            OptionSpec('slo_p99_ms', 'float', 100.0, 'The latency SLO: p99 response time in ms.', range=above(0, 3_600_000), unit='ms'),
        ),
    )
]
