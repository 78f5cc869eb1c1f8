"""The allowed range of every numeric simulation option: one table, one check.

Plain data (no numpy), read by the CLI (`--help` shows each range and a value outside
it is refused before anything is imported or run) and by the registry (a scenario's
`simulations:` arguments get the same check). Every int and float option of every
`SimSpec` has a finite range here, and a test fails when one is missing, so no option
can carry inf, 1e308 or a 30-digit integer into a simulation.

These are the static bounds. A simulation still checks what depends on other options
(`--surge` at most `--servers`, `--pq-m` divides `--dim`) and what depends on memory.
Where a simulation's own check is stricter, the range here is the same or wider, never
narrower, so the CLI never refuses what the simulation would accept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlsd.errors import BadInputError, option_name

MAX_SEED = 2**32 - 1  # numpy and scikit-learn accept seeds in [0, 2**32 - 1]


@dataclass(frozen=True)
class Limit:
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True

    def text(self) -> str:
        """`[0, 1)`, `(0, 4,294,967,295]`: how --help and the error show it."""
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"{left}{number(self.low)}, {number(self.high)}{right}"

    def contains(self, value: float) -> bool:
        if isinstance(value, float) and not math.isfinite(value):
            return False
        above = value > self.low or (self.low_inclusive and value == self.low)
        below = value < self.high or (self.high_inclusive and value == self.high)
        return above and below

    def check(self, name: str, value: float) -> None:
        """Raise BadInputError `--name must be in [a, b], got v` when `value` is outside."""
        if not self.contains(value):
            raise BadInputError(f"{option_name(name)} must be in {self.text()}, got {number(value)}")


def number(value: float) -> str:
    """`1e+08`, `0.5` as the simulations' own messages write them (`:g`), but exact where
    `:g` would round (4294967296, not 4.29497e+09); never a 10,000-digit string."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"{value:.3e}"
    short = f"{value:g}"
    try:
        exact = float(short) == value
    except OverflowError:
        exact = False
    return short if exact or not math.isfinite(float(value)) else str(value) if isinstance(value, int) else repr(value)


def closed(low: float, high: float) -> Limit:
    return Limit(low, high, True, True)


def above(low: float, high: float) -> Limit:
    """(low, high]: more than `low`."""
    return Limit(low, high, False, True)


def below(low: float, high: float) -> Limit:
    """[low, high): less than `high`."""
    return Limit(low, high, True, False)


def open_(low: float, high: float) -> Limit:
    return Limit(low, high, False, False)


SEED = closed(0, MAX_SEED)

_PROB = open_(0, 1)
_AB = {
    "baseline": closed(-1e12, 1e12),  # a proportion in (0, 1), or a mean (--metric mean)
    "mde": above(0, 1e12),
    "alpha": _PROB,
    "power": _PROB,
    "ratio": closed(0.01, 100),
    "daily_traffic": closed(1, 10**12),
    "std": closed(0, 1e12),
    "experiments": closed(100, 1_000_000),
}
_AB_USERS = {
    "alpha": _PROB,
    "users_per_arm": closed(10, 1_000_000),
    "experiments": closed(20, 100_000),
}

# spec name -> option -> Limit
LIMITS: dict[str, dict[str, Limit]] = {
    "ab-test": _AB,
    "ab-test plan": _AB,
    "ab-test verify": _AB,
    "ab-test analyze": {"alpha": _PROB, "ratio": closed(0.01, 100)},
    "ab-test peeking": {**_AB, "looks": closed(2, 200), "baseline": _PROB, "mde": _PROB},
    "ab-test cuped": {**_AB_USERS, "rho": open_(-1, 1), "effect": above(0, 100)},
    "ab-test unit": {**_AB_USERS, "requests_per_user": closed(1, 10_000), "icc": below(0, 1)},
    "ab-test segments": {
        **_AB_USERS,
        "baseline": _PROB,
        "users_per_arm": closed(100, 100_000_000),
        "experiments": closed(20, 1_000_000),
        "effect": open_(-1, 1e6),
        "new_share": _PROB,
        "new_effect": open_(-1, 1e6),
    },
    "ranking": {
        "n_users": closed(200, 10**15),  # past memory: its check names the size
        "n_items": closed(200, 10**15),
        "sessions": above(0, 50),
        "position_bias": closed(0, 3),
    },
    "churn": {
        "n_customers": closed(1000, 100_000_000),
        "churn_rate": above(0, 0.5),
        "customer_value": above(0, 1e9),
        "offer_cost": above(0, 1e9),
        "save_rate": above(0, 1),
    },
    "abuse": {
        "n_accounts": closed(1000, 10**15),  # past memory: its check names the size
        "abuse_rate": open_(0, 0.5),
        "label_noise": below(0, 0.5),
        "drift": closed(0, 1),
        "periods": closed(2, 200),
        "queue_capacity": closed(1, 100_000_000),
    },
    "retrieval": {
        "n": closed(1000, 1_000_000),
        "dim": closed(2, 2048),
        "n_queries": closed(10, 100_000),
        "clusters": closed(1, 1_000_000),
        "target_recall": above(0, 1),
        "nlist": closed(0, 1_000_000 // 39),
        "max_nprobe": closed(1, 1_000_000),
        "hnsw_m": closed(2, 256),
        "ef_construction": closed(4, 4096),
        "max_ef_search": closed(16, 32_768),
        "pq_m": closed(1, 2048),
        "candidates": closed(10, 10_000),
    },
    "monitor": {
        "minutes": closed(1, 5_000_000),
        "window": closed(1, 5_000_000),
        "qps": above(0, 10_000),
        "label_delay": closed(0, 5_000_000),
        "reference_minutes": closed(1, 5_000_000),
        # CLI only (--serve): the /metrics port and the replay speed
        "port": closed(0, 65535),
        "speed": above(0, 1000),
    },
    "serving": {
        "qps": above(0, 1e6),
        "service_ms": above(0, 3_600_000),
        "replicas": closed(0, 10_000),
        "slo_p99_ms": above(0, 3_600_000),
        "requests": closed(1000, 5_000_000),
        "peak_to_trough": closed(1, 1000),
        "autoscale_target": below(0.01, 1),
        "boot_minutes": below(0, 24 * 60),
        "replica_cost_per_hour": closed(0, 1e6),
        "cache_hit_rate": below(0, 1),
        "cache_ms": closed(0, 3_600_000),
        "batch_every_hours": above(0, 24 * 365),
        "users": above(0, 1e10),
        "rtt_ms": closed(0, 3_600_000),
        "device_slowdown": above(0, 1e4),
        "model_mb": above(0, 1e6),
    },
    "rollout": {
        "servers": closed(2, 10_000),
        "surge": closed(0, 10_000),
        "qps": above(0, 1e7),
        "server_qps": above(0, 1e6),
        "batch": closed(1, 10_000),
        "update_minutes": above(0, 1200),
        "warmup_minutes": closed(0, 1200),
        "canary_percent": above(0, 50),
        "bake_minutes": above(0, 1200),
        "slo_p99_ms": above(0, 3_600_000),
    },
    "features": {
        "n_users": closed(50, 10**15),  # past memory: its check names the size
        "days": closed(2, 120),
        "train_days": closed(1, 119),
        "events_per_user_per_day": above(0, 1e9),  # the memory check refuses most of it
        "interest_halflife_hours": above(0, 1e6),
        "new_user_share": below(0, 1),
        # Past ~20 the Zipf normaliser underflows and nearly every lookup hits one key.
        "zipf_exponent": above(0, 20),
        "cache_hit_ms": above(0, 3_600_000),
        "store_ms": above(0, 3_600_000),
    },
    "retrain": {
        "days": above(0, 1000),
        "samples_per_day": above(0, 1_000_000),
        "n_features": closed(2, 200),
        "gradual_drift_deg": closed(0, 180),
        "sudden_drifts": closed(0, 100),
        "warmup_days": above(0, 1000),
        "window_days": above(0, 365),
        "epochs": above(0, 100),
        "learning_rate": above(0, 10),
    },
    "training": {
        "workers": closed(1, 1024),
        "epochs": closed(1, 50),
        "samples": closed(100, 1_000_000),
        "features": closed(2, 10_000),
        "batch_size": closed(1, 1_000_000),
        "lr": above(0, 100),
        "compute_ms": above(0, 3_600_000),
        "straggler_prob": below(0, 1),
        "straggler_slowdown": closed(1, 1000),
        "model_mb": above(0, 10_000_000),
        "bandwidth_gbps": above(0, 100_000),
        "ps_shards": closed(1, 1024),
        "params_billion": above(0, 100_000),
        "device_gb": above(0, 100_000),
    },
    "tuning": {
        "n_samples": closed(300, 1_000_000),
        "n_features": closed(4, 1_000),
        "cv": closed(2, 10),
        "random_iter": closed(1, 18),  # the grid has 18 configurations
        "factor": closed(2, 10),
    },
}


def limit(sim: str, name: str) -> Limit | None:
    """The range of option `name` of simulation `sim`, or None (not a numeric option)."""
    if name == "seed":
        return SEED
    return LIMITS.get(sim, {}).get(name)
