"""Feature pipelines in production: leaks, skew, staleness and the online store.

One synthetic world answers the source notes' feature questions with real joins and
real models:

- Point-in-time correctness. Every request is logged with its click; a feature
  log records each user's counters after every event. Joining features to
  training rows with `pandas.merge_asof` (the latest snapshot *strictly before*
  the request) is honest; joining today's feature table (each user's latest
  value) leaks the label and the future into training: offline AUC goes up, and
  the model, served with point-in-time features, does worse online.
- Training-serving skew (线上线下不一致). The same transformation implemented
  twice — the offline pipeline fills a missing CTR with the training mean, the
  online service with 0 — changes predictions for users without history.
- Staleness. Batch features refreshed every H hours vs real-time features:
  users' interest drifts (an Ornstein-Uhlenbeck process with a given half-life),
  so older features predict worse.
- An online feature store behind an LRU cache: hit rate and latency against
  cache size, with the hit rate checked against Che's approximation.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from mlsd.errors import BadInputError, check_positive, check_range
from mlsd.i18n import N_, _
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table
from mlsd.sims.metrics import check_memory, furthest_above_default, roc_auc

REFRESH_HOURS: tuple[float, ...] = (0.0, 1.0, 6.0, 24.0, 168.0)  # 0 = real time
CACHE_FRACTIONS: tuple[float, ...] = (0.001, 0.01, 0.05, 0.2)
KEYS_PER_USER = 20  # feature-store keys (user and item rows) per simulated user
LOOKUPS = 60_000  # cache simulation: the first half warms the cache, the second is measured
STORE_SIGMA = 0.5  # lognormal shape of the store's latency
MIN_EVENTS_FOR_CTR = 5  # the CTR feature is NULL until a user has this many requests
FEATURES = ("user_ctr", "log_events", "recent_signal", "context")


@dataclass(frozen=True)
class JoinOutcome:
    join: str
    offline_auc: float  # random 25% of the training period, features as that join built them
    online_auc: float  # the online period, features point-in-time as serving computes them
    ctr_weight: float  # the model's coefficient on user_ctr: the leak shows up here


@dataclass(frozen=True)
class SkewOutcome:
    transform: str
    online_auc: float
    cold_predicted_ctr: float  # mean prediction on requests from users without history
    cold_actual_ctr: float


@dataclass(frozen=True)
class StalenessOutcome:
    refresh_hours: float  # 0 = real time
    mean_feature_age_hours: float  # request time minus the newest event the features include
    missing_share: float  # requests with no features yet (new users before the next batch)
    online_auc: float


@dataclass(frozen=True)
class CacheOutcome:
    capacity: int
    capacity_share: float  # of all keys
    hit_rate: float  # simulated LRU
    che_hit_rate: float  # Che's approximation for LRU under independent requests
    mean_ms: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class FeaturesResult(SimResult):
    n_users: int
    requests: int
    train_requests: int
    online_requests: int
    base_ctr: float
    interest_halflife_hours: float
    joins: tuple[JoinOutcome, ...]
    cold_share: float  # online requests whose user CTR is missing (fewer than MIN_EVENTS_FOR_CTR requests)
    skew: tuple[SkewOutcome, ...]
    staleness: tuple[StalenessOutcome, ...]
    store_keys: int
    cache: tuple[CacheOutcome, ...]
    no_cache_mean_ms: float
    no_cache_p99_ms: float

    def tables(self) -> list[Table]:
        joins = table(
            _("Point-in-time join vs naive latest-value join"),
            (_("join"), _("offline AUC"), _("online AUC"), _("weight on user CTR")),
            [(_(j.join), j.offline_auc, j.online_auc, j.ctr_weight) for j in self.joins],
            note=_("{train} training requests, {online} online; offline = a random 25% of the training period, online "
                   "= the later days with point-in-time features").format(
                train=f"{self.train_requests:,}", online=f"{self.online_requests:,}"),
        )
        skew = table(
            _("Training-serving skew: the missing-CTR default implemented twice"),
            (_("serving transform"), _("online AUC"), _("predicted CTR, CTR missing"),
             _("actual CTR, CTR missing")),
            [(_(s.transform), s.online_auc, s.cold_predicted_ctr, s.cold_actual_ctr) for s in self.skew],
            note=_("{share}% of online requests have no user CTR (fewer than {events} earlier requests: new and light "
                   "users)").format(share=f"{100 * self.cold_share:.1f}", events=MIN_EVENTS_FOR_CTR),
        )
        stale = table(
            _("Feature freshness: batch refresh interval vs online AUC"),
            (_("refresh"), _("mean feature age (h)"), _("requests without features %"), _("online AUC")),
            [(_refresh_label(s.refresh_hours), s.mean_feature_age_hours, 100 * s.missing_share, s.online_auc)
             for s in self.staleness],
            note=_("each row trains and serves with features of the same freshness"),
        )
        cache = table(
            _("Online feature store behind an LRU cache ({keys} keys, Zipf lookups)").format(keys=f"{self.store_keys:,}"),
            (_("cache entries"), _("% of keys"), _("hit rate"), _("hit rate (Che approx.)"), _("mean ms"), "p50 ms",
             "p99 ms"),
            [(c.capacity, 100 * c.capacity_share, c.hit_rate, c.che_hit_rate, c.mean_ms, c.p50_ms, c.p99_ms)
             for c in self.cache]
            + [(0, 0.0, 0.0, 0.0, self.no_cache_mean_ms, self.no_cache_mean_ms, self.no_cache_p99_ms)],
            note=_("last row: no cache; latencies are modelled (cache hit / lognormal store), not measured"),
        )
        return [joins, skew, stale, cache]

    def charts(self) -> list[Chart]:
        ages = [s.mean_feature_age_hours for s in self.staleness]
        return [
            Chart(
                name="features-staleness-vs-auc",
                title=_("Older features predict worse: online AUC against feature age"),
                x_label=_("mean feature age at request time (hours)"),
                y_label=_("online AUC"),
                series=(series(_("batch refresh (real time … weekly)"), ages,
                               [s.online_auc for s in self.staleness]),),
                x_log=True,
            ),
            Chart(
                name="features-cache-hit-rate",
                title=_("Feature-store cache: hit rate against cache size"),
                x_label=_("cache entries"),
                y_label=_("hit rate"),
                series=(
                    series(_("simulated LRU"), [c.capacity for c in self.cache], [c.hit_rate for c in self.cache]),
                    series(_("Che's approximation"), [c.capacity for c in self.cache],
                           [c.che_hit_rate for c in self.cache]),
                ),
                x_log=True,
            ),
            Chart(
                name="features-cache-latency",
                title=_("Feature lookup latency against cache size"),
                x_label=_("cache entries"),
                y_label=_("latency (ms)"),
                series=(
                    series(_("mean"), [c.capacity for c in self.cache], [c.mean_ms for c in self.cache]),
                    series("p99", [c.capacity for c in self.cache], [c.p99_ms for c in self.cache]),
                ),
                x_log=True,
                hlines=((self.no_cache_p99_ms, _("p99 without cache")),),
            ),
        ]

    def reading(self) -> list[str]:
        honest, leaky = self.joins
        consistent, zero, skewed = self.skew
        rt, daily = self.staleness[0], next(s for s in self.staleness if s.refresh_hours == 24)
        big = self.cache[-1]
        lied = (_(": it learned to trust a feature that serving cannot compute.") if leaky.online_auc < honest.online_auc
                else _(" (in this world the leak did not cost online AUC, but the offline number still lied)."))
        return [
            _("Joining today's user-profile table (each user's latest CTR) onto past requests leaks each row's own "
              "click and the future into training: offline AUC {leaky_off} against {honest_off} for the point-in-time "
              "join; online the leaky model scores {leaky_on} against {honest_on}").format(
                leaky_off=f"{leaky.offline_auc:.3f}", honest_off=f"{honest.offline_auc:.3f}",
                leaky_on=f"{leaky.online_auc:.3f}", honest_on=f"{honest.online_auc:.3f}") + lied,
            _("The same transformation implemented twice skews serving: on the {share}% of requests without a CTR the "
              "model predicts {default} with the training default (actual {actual}), {zero} when the online service "
              "fills 0 and {sentinel} with a -1 sentinel (online AUC {auc_ok} → {auc_skewed}). One shared "
              "transformation library, or logging the served features and training on them, removes the skew.").format(
                share=f"{100 * self.cold_share:.0f}", default=f"{consistent.cold_predicted_ctr:.3f}",
                actual=f"{consistent.cold_actual_ctr:.3f}", zero=f"{zero.cold_predicted_ctr:.3f}",
                sentinel=f"{skewed.cold_predicted_ctr:.3f}", auc_ok=f"{consistent.online_auc:.3f}",
                auc_skewed=f"{skewed.online_auc:.3f}"),
            _("Real-time features give online AUC {realtime}; a daily batch ({age} h old on average) gives {daily}, as "
              "the users' interest drifts with a {halflife} h half-life. Fast-moving signals (session, recent clicks) "
              "belong in a streaming pipeline; slow ones (long-term CTR, demographics) are fine as daily batch "
              "features.").format(realtime=f"{rt.online_auc:.3f}", age=f"{daily.mean_feature_age_hours:.0f}",
                                  daily=f"{daily.online_auc:.3f}", halflife=f"{self.interest_halflife_hours:g}"),
            _("A cache holding {keys}% of the keys serves {hits}% of lookups under this skew (Che's approximation: "
              "{che}%) and cuts p99 from {before} to {after} ms; a TTL on cached entries bounds how stale a cached "
              "feature can be.").format(keys=f"{100 * big.capacity_share:.0f}", hits=f"{100 * big.hit_rate:.0f}",
                                       che=f"{100 * big.che_hit_rate:.0f}", before=f"{self.no_cache_p99_ms:.1f}",
                                       after=f"{big.p99_ms:.1f}"),
        ]


def _refresh_label(hours: float) -> str:
    if hours == 0:
        return _("real time")
    if hours >= 168 and hours % 168 == 0:
        weeks = hours / 168
        return _("every week") if weeks == 1 else _("every {weeks} weeks").format(weeks=f"{weeks:g}")
    if hours >= 24 and hours % 24 == 0:
        days = hours / 24
        return _("every day") if days == 1 else _("every {days} days").format(days=f"{days:g}")
    return _("every {hours} h").format(hours=f"{hours:g}")


# Join and transform names: values (--json); shown translated.
LABELS = (N_("point-in-time (merge_asof)"), N_("latest value (leaky)"), N_("same as training (fill with training mean)"),
          N_("re-implemented online: missing → 0"), N_("re-implemented online: missing → -1 sentinel"))


def che_hit_rate(popularity: np.ndarray, capacity: int) -> float:
    """Che's approximation of an LRU cache's hit rate under independent requests.

    Solve sum_i (1 - exp(-p_i T)) = C for the characteristic time T, then the hit
    rate is sum_i p_i (1 - exp(-p_i T)).
    """
    from scipy.optimize import brentq

    p = np.asarray(popularity, dtype=float)
    if capacity >= len(p):
        return 1.0

    def excess(t: float) -> float:  # expected distinct keys seen within time t, minus the capacity
        return float(np.sum(-np.expm1(-p * t))) - capacity

    hi = 1.0
    while excess(hi) < 0:
        hi *= 2
    t = brentq(excess, 0.0, hi, xtol=1e-12 * hi, rtol=1e-12)
    return float(np.sum(p * -np.expm1(-p * t)))


def lru_hits(keys: np.ndarray, capacity: int, warmup: int) -> np.ndarray:
    """Replay `keys` through an LRU cache; True where a lookup after `warmup` hit."""
    cache: OrderedDict[int, None] = OrderedDict()
    hits = np.zeros(len(keys), dtype=bool)
    for i, k in enumerate(keys.tolist()):
        if k in cache:
            cache.move_to_end(k)
            hits[i] = True
        else:
            cache[k] = None
            if len(cache) > capacity:
                cache.popitem(last=False)
    return hits[warmup:]


def _world(rng: np.random.Generator, *, n_users: int, days: int, train_days: int, rate_per_day: float,
           halflife_h: float, new_share: float) -> pd.DataFrame:
    """Requests with clicks, sorted by (user, ts); interest = static + OU drift."""
    hours = days * 24
    train_h = train_days * 24
    is_new = rng.random(n_users) < new_share
    start = np.where(is_new, rng.uniform(train_h, hours, n_users), 0.0)
    activity = np.exp(rng.normal(0, 1.0, n_users) - 0.5)  # lognormal, mean 1: many light users
    counts = rng.poisson(rate_per_day / 24 * activity * (hours - start))
    user = np.repeat(np.arange(n_users), counts)
    ts = start[user] + rng.random(len(user)) * (hours - start[user])

    static = rng.normal(0, 0.8, n_users)
    phi = 0.5 ** (1 / halflife_h)
    grid = np.empty((hours + 1, n_users))
    grid[0] = rng.normal(0, 1.2, n_users)
    noise = rng.normal(0, 1.2 * np.sqrt(1 - phi**2), (hours, n_users))
    for h in range(hours):
        grid[h + 1] = phi * grid[h] + noise[h]
    interest = static[user] + grid[np.floor(ts).astype(int), user]

    context = rng.normal(0, 1, len(user))
    logit = -2.0 + interest + 0.8 * context
    click = (rng.random(len(user)) < 1 / (1 + np.exp(-logit))).astype(int)
    dwell = interest + rng.normal(0, 1.0, len(user))  # an engagement signal logged with the event

    df = pd.DataFrame({"user": user, "ts": ts, "click": click, "context": context, "dwell": dwell})
    df = df.sort_values(["user", "ts"], kind="stable").reset_index(drop=True)
    return df


def _snapshots(df: pd.DataFrame) -> pd.DataFrame:
    """The feature log: each user's counters right after each of their events."""
    user = df["user"].to_numpy()
    first = np.r_[True, user[1:] != user[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(user)), 0))
    k = np.arange(len(user)) - group_start  # index within the user's events
    cy = np.r_[0, np.cumsum(df["click"].to_numpy())]
    cd = np.r_[0, np.cumsum(df["dwell"].to_numpy())]
    idx = np.arange(len(user))
    lo = idx - np.minimum(k, 2)  # mean of the last 3 dwell signals
    return pd.DataFrame({
        "user": user,
        "snap_ts": df["ts"].to_numpy(),
        "clicks_to_date": cy[idx + 1] - cy[group_start],
        "events_to_date": k + 1,
        "recent_signal": (cd[idx + 1] - cd[lo]) / (idx - lo + 1),
    })


def _point_in_time(requests: pd.DataFrame, snaps: pd.DataFrame, refresh_h: float) -> pd.DataFrame:
    """Features as of the last refresh before each request (refresh 0 = real time)."""
    req = requests.copy()
    req["row"] = np.arange(len(req))
    req["lookup_ts"] = req["ts"] if refresh_h == 0 else np.floor(req["ts"] / refresh_h) * refresh_h
    req = req.sort_values("lookup_ts", kind="stable")
    if not snaps["snap_ts"].is_monotonic_increasing:  # the simulation sorts its feature log once
        snaps = snaps.sort_values("snap_ts", kind="stable")
    out = pd.merge_asof(
        req, snaps, left_on="lookup_ts", right_on="snap_ts",
        by="user", direction="backward", allow_exact_matches=False,
    )
    return out.sort_values("row").reset_index(drop=True)


def _latest_value(honest: pd.DataFrame, snaps: pd.DataFrame, as_of: float) -> pd.DataFrame:
    """The naive join: the user-profile columns (clicks and requests to date) come from
    today's profile table — each user's newest value as of `as_of` — instead of as of
    each request. Request-time columns (recent signal, context) were logged with the
    request and stay point-in-time, as they usually are: they are taken from `honest`,
    the requests' point-in-time join."""
    honest = honest.copy()
    today = snaps[snaps["snap_ts"] < as_of].groupby("user")[["clicks_to_date", "events_to_date"]].last()
    latest = today.reindex(honest["user"].to_numpy())
    honest["clicks_to_date"] = latest["clicks_to_date"].to_numpy()
    honest["events_to_date"] = latest["events_to_date"].to_numpy()
    return honest


def _raw(df: pd.DataFrame) -> pd.DataFrame:
    """Model inputs before missing values are filled (NaN = no history)."""
    events = df["events_to_date"].to_numpy(dtype=float)
    ctr = df["clicks_to_date"].to_numpy(dtype=float) / events
    ctr[~(events >= MIN_EVENTS_FOR_CTR)] = np.nan  # too little history: NULL, as a feature store serves it
    return pd.DataFrame({
        "user_ctr": ctr,
        "log_events": np.log1p(np.nan_to_num(events, nan=0.0)),
        "recent_signal": df["recent_signal"].to_numpy(dtype=float),
        "context": df["context"].to_numpy(dtype=float),
    }, index=df.index)


@dataclass(frozen=True)
class _Transform:
    """Fill values for missing features; the offline pipeline and the online service each have one."""

    fill_ctr: float
    fill_recent: float

    def __call__(self, raw: pd.DataFrame) -> np.ndarray:
        filled = raw.fillna({"user_ctr": self.fill_ctr, "recent_signal": self.fill_recent})
        return filled[list(FEATURES)].to_numpy()


def _fill_from(raw: pd.DataFrame, clicks: np.ndarray) -> _Transform:
    """The offline pipeline's defaults: training means (the click rate / 0 when a column is all missing)."""
    ctr, recent = raw["user_ctr"].to_numpy(), raw["recent_signal"].to_numpy()
    return _Transform(
        float(np.nanmean(ctr)) if np.isfinite(ctr).any() else float(np.mean(clicks)),
        float(np.nanmean(recent)) if np.isfinite(recent).any() else 0.0,
    )


def _fit(X: np.ndarray, y: np.ndarray, seed: int) -> LogisticRegression:
    return LogisticRegression(C=1.0, max_iter=200, random_state=seed).fit(X, y)


def simulate_features(
    *,
    n_users: int = 2000,
    days: int = 14,
    train_days: int = 10,
    events_per_user_per_day: float = 4.0,
    interest_halflife_hours: float = 12.0,
    new_user_share: float = 0.2,
    zipf_exponent: float = 1.0,
    cache_hit_ms: float = 0.5,
    store_ms: float = 5.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> FeaturesResult:
    """Leaky vs point-in-time joins, skew, staleness and a cached store; see the module docstring."""
    for name, value in (("n_users", n_users), ("days", days), ("train_days", train_days),
                        ("events_per_user_per_day", events_per_user_per_day),
                        ("interest_halflife_hours", interest_halflife_hours),
                        ("zipf_exponent", zipf_exponent), ("cache_hit_ms", cache_hit_ms),
                        ("store_ms", store_ms)):
        check_positive(name, value)
    check_range("new_user_share", new_user_share, 0, 1, low_inclusive=True)
    if train_days >= days:
        raise BadInputError(f"--train-days must be less than --days ({days}), got {train_days}")
    if n_users < 50:
        raise BadInputError(f"--n-users must be at least 50, got {n_users}")
    if days > 120:
        raise BadInputError(f"--days must be at most 120 (the hourly interest grid), got {days}")
    # The hourly interest grid and its noise (two floats per user-hour), and the requests:
    # ~600 bytes each across the frame, the feature log, the joins and their copies.
    requests = n_users * events_per_user_per_day * days
    culprit = furthest_above_default("features", n_users=n_users, events_per_user_per_day=events_per_user_per_day)
    check_memory(*culprit, 2 * (days * 24 + 1) * n_users * 8 + requests * 600)

    rng = np.random.default_rng(seed)
    report(progress, 0.0, _("features: generating requests"))
    df = _world(rng, n_users=n_users, days=days, train_days=train_days, rate_per_day=events_per_user_per_day,
                halflife_h=interest_halflife_hours, new_share=new_user_share)
    snaps = _snapshots(df).sort_values("snap_ts", kind="stable").reset_index(drop=True)
    train_h = train_days * 24.0
    train_req = df[df["ts"] < train_h].reset_index(drop=True)
    online_req = df[df["ts"] >= train_h].reset_index(drop=True)
    if train_req["click"].nunique() < 2 or online_req["click"].nunique() < 2 or len(online_req) < 100:
        raise BadInputError("too few requests to train and evaluate: raise --n-users or --events-per-user-per-day")
    y_tr, y_on = train_req["click"].to_numpy(), online_req["click"].to_numpy()
    split = rng.random(len(train_req)) < 0.75  # offline evaluation: a random holdout of the training period

    # 1. point-in-time vs latest-value join
    report(progress, 0.1, _("features: point-in-time join vs latest value"))
    realtime_joins = (_point_in_time(train_req, snaps, 0.0), _point_in_time(online_req, snaps, 0.0))
    honest_raw = _raw(realtime_joins[0])
    leaky_raw = _raw(_latest_value(realtime_joins[0], snaps, train_h))
    online_raw = _raw(realtime_joins[1])
    joins = []
    models = {}
    for name, raw in (("point-in-time (merge_asof)", honest_raw), ("latest value (leaky)", leaky_raw)):
        offline_tf = _fill_from(raw[split], y_tr[split])
        X = offline_tf(raw)
        m = _fit(X[split], y_tr[split], seed)
        offline_auc = roc_auc(y_tr[~split], m.predict_proba(X[~split])[:, 1])
        online_auc = roc_auc(y_on, m.predict_proba(offline_tf(online_raw))[:, 1])
        joins.append(JoinOutcome(name, offline_auc, online_auc, float(m.coef_[0][0])))
        models[name] = (m, offline_tf)

    # 2. training-serving skew: the honest model, served with a re-implemented transform
    report(progress, 0.3, _("features: training-serving skew"))
    model, offline_tf = models["point-in-time (merge_asof)"]
    cold = online_raw["user_ctr"].isna().to_numpy()
    skew = []
    for name, tf in (("same as training (fill with training mean)", offline_tf),
                     ("re-implemented online: missing → 0", _Transform(0.0, offline_tf.fill_recent)),
                     ("re-implemented online: missing → -1 sentinel", _Transform(-1.0, offline_tf.fill_recent))):
        p = model.predict_proba(tf(online_raw))[:, 1]
        skew.append(SkewOutcome(
            name, roc_auc(y_on, p),
            float(p[cold].mean()) if cold.any() else float("nan"),
            float(y_on[cold].mean()) if cold.any() else float("nan"),
        ))

    # 3. staleness: train and serve with features refreshed every H hours
    staleness = []
    refreshes = [h for h in REFRESH_HOURS if h < days * 24]  # a refresh longer than the log never runs
    for i, hours in enumerate(refreshes):
        report(progress, 0.4 + 0.4 * i / len(refreshes), _("features: refresh every {hours} h").format(hours=f"{hours:g}"))
        if hours == 0:  # real time: the joins of step 1
            tr_join, on_join = realtime_joins
        else:
            tr_join = _point_in_time(train_req, snaps, hours)
            on_join = _point_in_time(online_req, snaps, hours)
        tr_raw, on_raw = _raw(tr_join), _raw(on_join)
        tf = _fill_from(tr_raw, y_tr)
        m = _fit(tf(tr_raw), y_tr, seed)
        age = (on_join["ts"] - on_join["snap_ts"]).to_numpy()
        staleness.append(StalenessOutcome(
            refresh_hours=hours,
            mean_feature_age_hours=float(np.nanmean(age)),
            missing_share=float(np.mean(np.isnan(age))),
            online_auc=roc_auc(y_on, m.predict_proba(tf(on_raw))[:, 1]),
        ))

    # 4. the online store behind an LRU cache
    report(progress, 0.8, _("features: feature-store cache"))
    n_keys = n_users * KEYS_PER_USER
    popularity = 1.0 / np.arange(1, n_keys + 1) ** zipf_exponent
    popularity /= popularity.sum()
    keys = rng.permutation(n_keys)[rng.choice(n_keys, size=LOOKUPS, p=popularity)]
    # popularity of key id k, for Che's formula (the permutation only relabels keys)
    store_lat = store_ms * np.exp(rng.normal(0, STORE_SIGMA, LOOKUPS - LOOKUPS // 2))
    cache = []
    for frac in CACHE_FRACTIONS:
        capacity = max(1, int(round(frac * n_keys)))
        hits = lru_hits(keys, capacity, LOOKUPS // 2)
        lat = np.where(hits, cache_hit_ms, cache_hit_ms + store_lat)
        cache.append(CacheOutcome(
            capacity=capacity,
            capacity_share=capacity / n_keys,
            hit_rate=float(hits.mean()),
            che_hit_rate=che_hit_rate(popularity, capacity),
            mean_ms=float(lat.mean()),
            p50_ms=float(np.percentile(lat, 50)),
            p99_ms=float(np.percentile(lat, 99)),
        ))
    report(progress, 1.0, _("features: done"))

    return FeaturesResult(
        n_users=n_users,
        requests=len(df),
        train_requests=len(train_req),
        online_requests=len(online_req),
        base_ctr=float(df["click"].mean()),
        interest_halflife_hours=interest_halflife_hours,
        joins=tuple(joins),
        cold_share=float(cold.mean()),
        skew=tuple(skew),
        staleness=tuple(staleness),
        store_keys=n_keys,
        cache=tuple(cache),
        no_cache_mean_ms=float(store_lat.mean()),
        no_cache_p99_ms=float(np.percentile(store_lat, 99)),
    )
