"""Pushing a new model version across a fleet under load without losing QPS.

The source notes ask: with this many servers, how do you push a new model version so
QPS does not degrade while it updates? This module steps a fleet through a push
every 5 simulated seconds:

- rolling: take `--batch` servers out, load the new model, put them back. With
  `--surge N`, boot N extra new-version servers first and retire old ones only
  once those serve, so capacity never drops.
- canary: add a few new-version servers taking their share (~`--canary-percent`)
  of traffic, compare their error rate and p99 with the old version every
  minute for `--bake-minutes`, roll back automatically on a regression, else
  roll the rest out (rolling, with the same `--surge`/`--batch`).
- blue-green: boot a whole second fleet, switch all traffic at once, keep the
  old fleet until the bake ends so a rollback is one switch.

Each step the balancer splits traffic in proportion to capacity (least-loaded);
latency comes from the M/M/c closed form per version pool (`mlsd.sims.queueing`)
plus a fluid backlog whenever demand exceeds capacity. New servers start cold and
reach full speed after `--warmup-minutes` (caches, JIT, lazy loading). Request
errors are drawn binomially, so the canary's statistical test sees real noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import bdtrc

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import _
from mlsd.sims import queueing as q
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table
from mlsd.sims.serving import check_choice

STRATEGIES = ("rolling", "canary", "blue-green")
STEP_S = 5.0
MAX_PUSH_MINUTES = 1200  # longest push simulated, 20 hours (and upper bound of the minute options)
BASE_ERROR = 0.001  # error rate of the current version
BAD_ERROR = 0.02  # error rate of a bad new version (--bad-version)
BAD_SLOWDOWN = 1.3  # a bad version is also 30% slower per request
COLD_SPEED = 0.5  # a cold server answers at half speed, warming linearly
P_ROLLBACK = 0.001  # one-sided exact test on the canary's share of the errors
LATENCY_ROLLBACK = 1.2  # canary p99 above 1.2× the old version's p99
TAIL = 0.99
PRE_S = 60.0  # a minute of the fleet before the push, for the baseline
TIMEOUT_S = 2.0  # clients give up after 2 s: a backlog beyond that is dropped requests


@dataclass
class _Server:
    version: str  # "old" or "new"
    state: str  # "serving", "updating", "booting", "retired"
    ready_at: float = 0.0
    serving_since: float = -1e9


def _minutes(m: float) -> float:
    """Minutes as people read them: the simulation steps in seconds, tables show 0.7, 2.3, 15."""
    return round(float(m), 1) + 0.0  # + 0.0: no '-0' for -0.04


@dataclass(frozen=True)
class StrategyRun:
    """One push, summarised, plus its timeline (one point per step)."""

    label: str
    strategy: str
    surge: int
    duration_minutes: float
    min_capacity_over_demand: float
    capacity_below_demand_minutes: float
    peak_p99_ms: float
    minutes_over_slo: float
    extra_server_minutes: float
    new_version_requests: float
    failed_requests: float
    dropped_requests: float  # timed out in the backlog while capacity was short
    rolled_back: bool
    rollback_reason: str
    rollback_minute: float
    minutes: tuple[float, ...]
    capacity_qps: tuple[float, ...]
    p99_ms: tuple[float, ...]
    new_servers: tuple[int, ...]


@dataclass(frozen=True)
class RolloutResult(SimResult):
    servers: int
    strategy: str
    surge: int
    qps: float
    server_qps: float
    batch: int
    bad_version: bool
    slo_p99_ms: float
    baseline_p99_ms: float
    chosen: StrategyRun
    compared: tuple[StrategyRun, ...]

    def tables(self) -> list[Table]:
        c = self.chosen
        rows = [
            [r.label, _minutes(r.duration_minutes), r.min_capacity_over_demand, _minutes(r.capacity_below_demand_minutes),
             r.peak_p99_ms, _minutes(r.minutes_over_slo), _minutes(r.extra_server_minutes), int(round(r.dropped_requests)),
             int(round(r.failed_requests)), r.rolled_back]
            for r in self.compared
        ]
        title = (_("Pushing a bad new version to {servers} servers at {qps} QPS ({capacity} QPS of capacity)")
                 if self.bad_version else
                 _("Pushing a good new version to {servers} servers at {qps} QPS ({capacity} QPS of capacity)"))
        return [
            table(
                title.format(servers=self.servers, qps=f"{self.qps:g}", capacity=f"{self.servers * self.server_qps:g}"),
                [_("strategy"), _("minutes"), _("min capacity / demand"), _("minutes capacity < demand"),
                 _("peak p99 ms"), _("minutes p99 > {slo} ms").format(slo=f"{self.slo_p99_ms:g}"),
                 _("extra server-minutes"), _("timed out"), _("errors"), _("rolled back")],
                rows,
                note=_("Before the push p99 is {p99} ms. Errors: {base} old version, {bad} for a bad one (also {slower} "
                       "slower). New servers start at {cold} speed and warm up; blue-green warms the new fleet with "
                       "replayed traffic before the switch. Clients time out after {timeout} s.").format(
                    p99=f"{self.baseline_p99_ms:.1f}", base=f"{BASE_ERROR:.1%}", bad=f"{BAD_ERROR:.0%}",
                    slower=f"{BAD_SLOWDOWN - 1:.0%}", cold=f"{COLD_SPEED:.0%}", timeout=f"{TIMEOUT_S:g}"),
            ),
            table(
                _("Timeline of {label}").format(label=c.label),
                [_("minute"), _("capacity QPS"), _("demand QPS"), _("new-version servers"), "p99 ms"],
                [[_minutes(m), cap, self.qps, n, p] for m, cap, n, p in
                 list(zip(c.minutes, c.capacity_qps, c.new_servers, c.p99_ms, strict=True))[:: max(1, len(c.minutes) // 20)]],
                note=(_("Rolled back at minute {minute}: {reason}.").format(
                    minute=f"{_minutes(c.rollback_minute):g}", reason=c.rollback_reason) if c.rolled_back else ""),
            ),
        ]

    def charts(self) -> list[Chart]:
        return [
            Chart(
                name="rollout-capacity",
                title=_("Capacity during the push vs demand"),
                x_label=_("minutes since the push started"),
                y_label=_("capacity (QPS)"),
                series=tuple(series(r.label, r.minutes, r.capacity_qps) for r in self.compared),
                kind="step",
                hlines=((self.qps, _("demand {qps} QPS").format(qps=f"{self.qps:g}")),),
            ),
            Chart(
                name="rollout-p99",
                title=_("p99 latency during the push"),
                x_label=_("minutes since the push started"),
                y_label=_("p99 latency (ms)"),
                series=tuple(series(r.label, r.minutes, r.p99_ms) for r in self.compared),
                y_log=True,
                hlines=((self.slo_p99_ms, f"SLO {self.slo_p99_ms:g} ms"),),
            ),
        ]

    def reading(self) -> list[str]:
        plain_roll = next(r for r in self.compared if r.strategy == "rolling" and r.surge == 0)
        surge_roll = next(r for r in self.compared if r.strategy == "rolling" and r.surge > 0)
        if surge_roll.min_capacity_over_demand >= 1:
            surge_text = _("With {surge} surge servers booted first, capacity never drops below demand (lowest {low}) "
                           "and p99 peaks at {p99} ms, for {extra} extra server-minutes.").format(
                surge=surge_roll.surge, low=f"{surge_roll.min_capacity_over_demand:.0%}",
                p99=f"{surge_roll.peak_p99_ms:.0f}", extra=f"{surge_roll.extra_server_minutes:.0f}")
        else:
            surge_text = _("Even with {surge} surge servers capacity falls to {low} of demand: the new version itself "
                           "is slower, so the fleet it ends with is too small.").format(
                surge=surge_roll.surge, low=f"{surge_roll.min_capacity_over_demand:.0%}")
        out = [
            _("Rolling {batch} servers at a time without surge leaves {low} of the capacity the demand needs at the "
              "worst moment ({short} minutes short), and p99 peaks at {p99} ms.").format(
                batch=self.batch, low=f"{plain_roll.min_capacity_over_demand:.0%}",
                short=f"{_minutes(plain_roll.capacity_below_demand_minutes):g}", p99=f"{plain_roll.peak_p99_ms:.0f}"),
            surge_text,
        ]
        canary = next((r for r in self.compared if r.strategy == "canary"), None)
        bg = next((r for r in self.compared if r.strategy == "blue-green"), None)
        if canary is not None and self.bad_version:
            worst = max(r.failed_requests for r in self.compared)
            out.append(
                _("The bad version is caught by the canary after {minutes} minutes ({reason}); it fails {failed} "
                  "requests against up to {worst} when pushed to the whole fleet.").format(
                    minutes=f"{_minutes(canary.rollback_minute):g}", reason=canary.rollback_reason,
                    failed=f"{canary.failed_requests:.0f}", worst=f"{worst:.0f}")
                if canary.rolled_back
                else _("The canary did not catch the bad version within its bake time: a longer bake or more canary "
                       "traffic is needed.")
            )
        elif canary is not None:
            out.append(
                _("The good version passes the canary's {minutes}-minute push without a false rollback.").format(
                    minutes=f"{canary.duration_minutes:.0f}") if not canary.rolled_back else
                _("The good version passes the canary's {minutes}-minute push but was rolled back by mistake "
                  "({reason}).").format(minutes=f"{canary.duration_minutes:.0f}", reason=canary.rollback_reason)
            )
        if bg is not None and bg.min_capacity_over_demand >= 1:
            out.append(_(
                "Blue-green keeps capacity at {low} of demand or more and makes a rollback one switch, but runs two "
                "fleets for a while ({extra} extra server-minutes).").format(
                low=f"{bg.min_capacity_over_demand:.0%}", extra=f"{bg.extra_server_minutes:.0f}"))
        elif bg is not None:
            out.append(_(
                "Blue-green sends all traffic to the new version at once: it is slower, so capacity falls to {low} of "
                "demand; a rollback is one switch back, and the two fleets cost {extra} extra server-minutes.").format(
                low=f"{bg.min_capacity_over_demand:.0%}", extra=f"{bg.extra_server_minutes:.0f}"))
        return out


def _push(
    *,
    strategy: str,
    servers: int,
    surge: int,
    qps: float,
    server_qps: float,
    batch: int,
    update_minutes: float,
    warmup_minutes: float,
    canary_percent: float,
    bake_minutes: float,
    bad_version: bool,
    slo_s: float,
    rng: np.random.Generator,
    label: str,
) -> StrategyRun:
    update_s, warm_s, bake_s = update_minutes * 60, warmup_minutes * 60, bake_minutes * 60
    fleet = [_Server("old", "serving") for _s in range(servers)]
    mu_new = server_qps / (BAD_SLOWDOWN if bad_version else 1.0)
    err_new = BAD_ERROR if bad_version else BASE_ERROR
    n_canary = max(1, math.ceil(servers * canary_percent / 100))

    phase = "start"  # per-strategy state machine
    phase_until = 0.0
    rolled_back, reason, rollback_at = False, "", math.nan
    done_at: float | None = None
    t = 0.0
    backlog = 0.0
    mins, caps, p99s, news = [], [], [], []
    extra = 0.0
    new_requests = failed = 0.0
    window = {"n_old": 0.0, "e_old": 0, "n_new": 0.0, "e_new": 0}
    old_totals = {"n": 0.0, "e": 0}
    new_totals = {"n": 0.0, "e": 0}
    dropped = 0.0
    analysis_from = math.inf  # the canary is judged once it has warmed up

    def analysing(now: float) -> bool:
        return strategy == "canary" and phase == "bake" and now >= analysis_from
    old_p99 = new_p99 = math.nan
    minute_new_p99 = []
    minute_old_p99 = []

    def speed(s: _Server) -> float:
        base = server_qps if s.version == "old" else mu_new
        if warm_s <= 0:
            return base
        age = t - s.serving_since
        return base * (COLD_SPEED + (1 - COLD_SPEED) * min(1.0, max(age, 0.0) / warm_s))

    def serving(version: str | None = None) -> list[_Server]:
        return [s for s in fleet if s.state == "serving" and (version is None or s.version == version)]

    def boot(k: int) -> None:
        for _k in range(k):
            fleet.append(_Server("new", "booting", ready_at=t + update_s))

    def retire(k: int, version: str = "old") -> None:
        for s in serving(version)[:k]:
            s.state = "retired"

    def rolling_step(k_surge: int) -> bool:
        """One control step of a rolling update; True when no old server is left."""
        for s in fleet:
            if s.state in ("booting", "updating") and s.ready_at <= t:
                s.version, s.state, s.serving_since = "new", "serving", t
                if k_surge:
                    retire(1)
        busy = any(s.state in ("booting", "updating") for s in fleet)
        old_left = len(serving("old"))
        if old_left == 0 and not busy:
            return True
        if not busy and old_left:
            if k_surge:
                boot(min(k_surge, old_left))
            else:
                for s in serving("old")[:batch]:
                    s.state, s.ready_at = "updating", t + update_s
        return False

    while True:
        # --- the controller (the push starts after a minute of steady state) --------------
        if done_at is None and t >= PRE_S:
            if strategy == "rolling":
                if rolling_step(surge):
                    done_at = t
            elif strategy == "blue-green":
                if phase == "start":
                    boot(servers)
                    phase = "booting"
                elif phase == "booting" and all(s.ready_at <= t for s in fleet if s.state == "booting"):
                    for s in fleet:  # warm the green fleet with replayed (shadow) traffic first
                        if s.state == "booting":
                            s.state, s.serving_since = "standby", t
                    phase, phase_until = "warming", t + warm_s
                elif phase == "warming" and t >= phase_until:
                    for s in serving("old"):
                        s.state = "standby-old"  # kept for a one-switch rollback
                    for s in fleet:
                        if s.state == "standby":
                            s.state = "serving"
                    phase, phase_until = "bake", t + bake_s
                elif phase == "bake" and t >= phase_until:
                    for s in fleet:
                        if s.state == "standby-old":
                            s.state = "retired"
                    done_at = t
            else:  # canary
                if phase == "start":
                    boot(n_canary)
                    phase = "booting"
                elif phase == "booting":
                    for s in fleet:
                        if s.state == "booting" and s.ready_at <= t:
                            s.version, s.state, s.serving_since = "new", "serving", t
                    if not any(s.state == "booting" for s in fleet):
                        phase, phase_until = "bake", t + max(bake_s, warm_s + 60)
                        analysis_from = t + warm_s
                elif phase == "bake" and t >= phase_until:
                    retire(n_canary)  # the canaries replace as many old servers
                    phase = "rolling"
                elif phase == "rolling" and rolling_step(surge):
                    done_at = t

        # --- traffic over this step -----------------------------------------------------
        old_srv, new_srv = serving("old"), serving("new")
        cap_old = sum(speed(s) for s in old_srv)
        cap_new = sum(speed(s) for s in new_srv)
        cap = cap_old + cap_new
        if cap <= 0:  # the whole fleet is down at once (--batch = --servers, no surge): all requests time out
            dropped += backlog + qps * STEP_S
            backlog = 0.0
            extra += (sum(1 for s in fleet if s.state != "retired") - servers) * STEP_S / 60
            mins.append((t - PRE_S) / 60)
            caps.append(0.0)
            p99s.append(TIMEOUT_S * 1000)
            news.append(0)
        else:
            c_all = len(old_srv) + len(new_srv)
            lam = qps
            share_old = cap_old / cap
            # fluid backlog on top of the stationary queue; requests older than the timeout are dropped
            start_backlog = backlog
            backlog = max(0.0, backlog + (lam - cap) * STEP_S)
            overflow = max(0.0, backlog - TIMEOUT_S * cap)
            backlog -= overflow
            dropped += overflow
            delay = (start_backlog + backlog) / 2 / cap
            lam_eff = min(lam, 0.98 * cap)
            wait_p = q.erlang_c(c_all, lam_eff / (cap / c_all))
            theta = cap - lam_eff
            mu_old = cap_old / len(old_srv) if old_srv else 1.0
            mu_new_now = cap_new / len(new_srv) if new_srv else 1.0

            def version_tail(x: float, mu_own: float, delay=delay, wait_p=wait_p, theta=theta) -> float:
                return q.wait_plus_service_tail(x - delay, wait_p, theta, mu_own) if x > delay else 1.0

            def tail(x: float, share_old=share_old, mu_old=mu_old, mu_new_now=mu_new_now) -> float:
                return share_old * version_tail(x, mu_old) + (1 - share_old) * version_tail(x, mu_new_now)

            p99 = q.quantile_from_tail(tail, TAIL, 1.0 / server_qps)
            n_old, n_new = lam * share_old * STEP_S, lam * (1 - share_old) * STEP_S
            e_old = int(rng.binomial(int(round(n_old)), BASE_ERROR))
            e_new = int(rng.binomial(int(round(n_new)), err_new))
            failed += e_old + e_new
            new_requests += n_new
            window["n_old"] += n_old
            window["e_old"] += e_old
            if analysing(t):
                window["n_new"] += n_new
                window["e_new"] += e_new
                if new_srv:
                    minute_new_p99.append(q.quantile_from_tail(lambda x, m=mu_new_now: version_tail(x, m), TAIL, 1.0 / server_qps))
            if old_srv:
                minute_old_p99.append(q.quantile_from_tail(lambda x, m=mu_old: version_tail(x, m), TAIL, 1.0 / server_qps))
            provisioned = sum(1 for s in fleet if s.state != "retired")
            extra += (provisioned - servers) * STEP_S / 60
            mins.append((t - PRE_S) / 60)
            caps.append(cap)
            p99s.append(p99 * 1000)
            news.append(len(new_srv))

        # --- the canary's automatic analysis, once a minute -----------------------------
        t += STEP_S
        if abs(t % 60) < 1e-9:
            old_totals["n"] += window["n_old"]
            old_totals["e"] += window["e_old"]
            new_totals["n"] += window["n_new"]
            new_totals["e"] += window["e_new"]
            if minute_old_p99:
                old_p99 = float(np.mean(minute_old_p99))
            new_p99 = float(np.mean(minute_new_p99)) if minute_new_p99 else math.nan
            if analysing(t - STEP_S) and not rolled_back and new_totals["n"] > 0 and minute_new_p99:
                n1, e1 = new_totals["n"], new_totals["e"]
                n0, e0 = old_totals["n"], old_totals["e"]
                # exact conditional test: given e0 + e1 errors, how many would land on the canary by chance?
                p_value = float(bdtrc(e1 - 1, e0 + e1, n1 / (n0 + n1))) if e1 else 1.0  # P(X ≥ e1)
                if p_value < P_ROLLBACK:
                    reason = _("error rate {new} vs {old} (p = {p})").format(
                        new=f"{e1 / n1:.2%}", old=f"{e0 / n0:.2%}", p=f"{p_value:.1g}")
                elif new_p99 > LATENCY_ROLLBACK * old_p99:
                    reason = _("p99 {new} ms vs {old} ms").format(new=f"{new_p99 * 1000:.0f}", old=f"{old_p99 * 1000:.0f}")
                if reason:
                    rolled_back, rollback_at = True, (t - PRE_S) / 60
                    retire(len(serving("new")), "new")
                    done_at = t
            window = {"n_old": 0.0, "e_old": 0, "n_new": 0.0, "e_new": 0}
            minute_old_p99, minute_new_p99 = [], []
        if done_at is not None and t >= done_at + 120:
            break
        if t > 24 * 3600:  # a push that never ends is a bug, not a result
            raise RuntimeError("rollout did not finish in a simulated day")

    caps_a = np.asarray(caps)
    short = caps_a < qps
    return StrategyRun(
        label=label,
        strategy=strategy,
        surge=surge,
        duration_minutes=((done_at or t) - PRE_S) / 60,
        min_capacity_over_demand=float(caps_a.min() / qps),
        capacity_below_demand_minutes=float(short.sum() * STEP_S / 60),
        peak_p99_ms=float(max(p99s)),
        minutes_over_slo=float(sum(p > slo_s * 1000 for p in p99s) * STEP_S / 60),
        extra_server_minutes=extra,
        new_version_requests=new_requests,
        failed_requests=failed,
        dropped_requests=dropped,
        rolled_back=rolled_back,
        rollback_reason=reason,
        rollback_minute=rollback_at,
        minutes=tuple(mins),
        capacity_qps=tuple(caps),
        p99_ms=tuple(p99s),
        new_servers=tuple(news),
    )


def simulate_rollout(
    *,
    servers: int = 20,
    strategy: str = "rolling",
    surge: int = 0,
    qps: float = 1700.0,
    server_qps: float = 100.0,
    batch: int = 4,
    update_minutes: float = 3.0,
    warmup_minutes: float = 2.0,
    canary_percent: float = 5.0,
    bake_minutes: float = 10.0,
    bad_version: bool = False,
    slo_p99_ms: float = 100.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> RolloutResult:
    """Push a new model version across a fleet under load and compare strategies."""
    # Upper bounds: the clock steps every few seconds, so a push is simulated for at most a day.
    check_range("servers", servers, 2, 10_000, low_inclusive=True, high_inclusive=True)
    check_choice("strategy", strategy, STRATEGIES)
    check_range("surge", surge, 0, servers, low_inclusive=True, high_inclusive=True)
    check_range("qps", qps, 0, 1e7, high_inclusive=True)
    check_range("server_qps", server_qps, 0, 1e6, high_inclusive=True)
    check_range("batch", batch, 1, servers, low_inclusive=True, high_inclusive=True)
    check_range("update_minutes", update_minutes, 0, MAX_PUSH_MINUTES, high_inclusive=True)
    check_range("warmup_minutes", warmup_minutes, 0, MAX_PUSH_MINUTES, low_inclusive=True, high_inclusive=True)
    check_range("canary_percent", canary_percent, 0, 50, high_inclusive=True)
    check_range("bake_minutes", bake_minutes, 0, MAX_PUSH_MINUTES, high_inclusive=True)
    check_range("slo_p99_ms", slo_p99_ms, 0, 3_600_000, high_inclusive=True)
    # batches plus the canary's own batch, then the bake (at least the warm-up and a minute)
    push = (math.ceil(servers / batch) + 1) * (update_minutes + warmup_minutes) + max(bake_minutes, warmup_minutes + 1)
    if push > MAX_PUSH_MINUTES:
        raise BadInputError(
            f"a push of --servers {servers} in batches of --batch {batch} at --update-minutes {update_minutes:g} "
            f"+ --warmup-minutes {warmup_minutes:g} (+ --bake-minutes {bake_minutes:g}) takes about {push:,.0f} minutes; "
            f"at most {MAX_PUSH_MINUTES:,} (20 hours) is simulated: raise --batch or shorten the minutes"
        )
    if qps >= servers * server_qps:
        need = math.floor(qps / server_qps) + 1
        need_txt = f"at least {need:,} servers are needed" if need <= 10_000 else "more than the 10,000 servers simulated are needed"
        raise BadInputError(
            f"--qps {qps:g} is more than --servers {servers} can carry before any push "
            f"({servers} × --server-qps {server_qps:g} = {servers * server_qps:g} QPS); "
            f"{need_txt}"
        )
    slo_s = slo_p99_ms / 1000
    common = dict(
        servers=servers, qps=qps, server_qps=server_qps, batch=batch, update_minutes=update_minutes,
        warmup_minutes=warmup_minutes, canary_percent=canary_percent, bake_minutes=bake_minutes,
        bad_version=bad_version, slo_s=slo_s,
    )
    compare_surge = surge or batch
    plans = [  # labels in the interface language (--json carries them as they are shown)
        ("rolling", 0, _("rolling, {batch} at a time, no surge").format(batch=batch)),
        ("rolling", compare_surge, _("rolling, surge {surge}").format(surge=compare_surge)),
        ("canary", compare_surge, _("canary {percent}%, then rolling surge {surge}").format(
            percent=f"{canary_percent:g}", surge=compare_surge)),
        ("blue-green", 0, "blue-green"),
    ]
    runs = []
    for i, (strat, s, label) in enumerate(plans):
        report(progress, i / len(plans), strat)
        runs.append(_push(strategy=strat, surge=s, label=label, rng=np.random.default_rng(seed), **common))
    chosen = next((r for r in runs if r.strategy == strategy and r.surge == (surge if strategy != "blue-green" else 0)), None)
    if chosen is None:
        label = (_("{strategy}, {batch} at a time, no surge").format(strategy=strategy, batch=batch) if not surge
                 else _("{strategy}, surge {surge}").format(strategy=strategy, surge=surge))
        if strategy == "canary":
            label = (_("canary {percent}%, then rolling surge {surge}").format(percent=f"{canary_percent:g}", surge=surge)
                     if surge else _("canary {percent}%, then rolling {batch} at a time, no surge").format(
                         percent=f"{canary_percent:g}", batch=batch))
        chosen = _push(strategy=strategy, surge=surge, label=label,
                       rng=np.random.default_rng(seed), **common)
    report(progress, 1.0, _("done"))
    baseline = q.mmc_response_quantile(TAIL, qps, server_qps, servers) * 1000
    return RolloutResult(
        servers=servers,
        strategy=strategy,
        surge=surge,
        qps=qps,
        server_qps=server_qps,
        batch=batch,
        bad_version=bad_version,
        slo_p99_ms=slo_p99_ms,
        baseline_p99_ms=baseline,
        chosen=chosen,
        compared=tuple(runs),
    )
