"""Abusive-account detection with rare positives, noisy review labels and adaptive abusers.

Each period (a week) brings new accounts; a small share (0.1–1%) are abusers
of two kinds (spam bots and fake-engagement rings) whose behaviour differs
from normal accounts. Labels come from human review and are noisy: reviewers
miss some abusers and flag a similar number of innocent accounts. Abusers
adapt: each period they move away from the signals that gave them away
(features 0–4) towards new ones (features 5–9), so a model frozen in time
decays and retraining on fresh reviews brings it back. This is the "concept
drift: spam detection" case from the notes.

The review team can look at a fixed number of accounts per period, so the
headline metric is precision@k of that queue (and the recall it buys), judged
against the *true* labels. Also shown: the effect of label noise, and class
weighting vs undersampling for the 1-in-200 imbalance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import N_, _
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table
from mlsd.sims.metrics import check_memory, one_thread, precision_at_k, recall_at_k

N_FEATURES = 10
NOISE_LEVELS = (0.0, 0.1, 0.3, 0.45)
METHODS = (N_("none"), N_("class weights"), N_("undersample 10:1"))  # values (--json); shown translated


@dataclass(frozen=True)
class PeriodRow:
    period: int
    abusers: int
    precision_static: float
    precision_retrain_once: float
    precision_retrain_each: float
    recall_static: float
    recall_retrain_each: float


@dataclass(frozen=True)
class NoiseRow:
    label_noise: float
    precision_at_k: float
    recall_at_k: float
    measured_precision: float  # what the (noisy) reviewers would report for the same queue


@dataclass(frozen=True)
class SamplingRow:
    method: str
    train_rows: int
    precision_at_k: float
    recall_at_k: float
    pr_auc: float
    mean_score: float


@dataclass(frozen=True)
class AbuseResult(SimResult):
    n_accounts: int
    abuse_rate: float
    label_noise: float
    drift: float
    periods: int
    queue_capacity: int
    retrain_period: int
    periods_table: tuple[PeriodRow, ...]
    noise: tuple[NoiseRow, ...]
    sampling: tuple[SamplingRow, ...]

    def tables(self) -> list[Table]:
        once = _("retrained once (period {period})").format(period=self.retrain_period)
        return [
            table(
                _("Review queue of {capacity} accounts per period: precision@k under drift").format(
                    capacity=f"{self.queue_capacity:,}"),
                (_("period"), _("abusers"), _("never retrained"), once,
                 _("retrained every period"), _("recall, never retrained"), _("recall, retrained every period")),
                [(r.period, r.abusers, r.precision_static, r.precision_retrain_once, r.precision_retrain_each,
                  r.recall_static, r.recall_retrain_each) for r in self.periods_table],
                note=_("{accounts} new accounts per period, {rate} abusers, drift {drift} per period; precision and "
                       "recall use the true labels.").format(accounts=f"{self.n_accounts:,}",
                                                             rate=f"{self.abuse_rate:.2%}", drift=f"{self.drift:g}"),
            ),
            table(
                _("Label noise: training on reviewers' labels (period 0) and queueing period 1"),
                (_("label noise"), _("precision@k (true)"), _("recall@k (true)"),
                 _("precision@k as reviewers measure it")),
                [(r.label_noise, r.precision_at_k, r.recall_at_k, r.measured_precision) for r in self.noise],
                note=_("noise = share of abusers the reviewers miss; as many innocent accounts are flagged."),
            ),
            table(
                _("Imbalance: class weighting vs undersampling (logistic regression)"),
                (_("method"), _("training rows"), "precision@k", "recall@k", "PR-AUC", _("mean score")),
                [(_(r.method), r.train_rows, r.precision_at_k, r.recall_at_k, r.pr_auc, r.mean_score)
                 for r in self.sampling],
                note=_("true abuse rate {rate}; mean score shows how far each method moves calibration.").format(
                    rate=f"{self.abuse_rate:.2%}"),
            ),
        ]

    def charts(self) -> list[Chart]:
        t = [r.period for r in self.periods_table]
        return [
            Chart(
                name="abuse-drift",
                title=_("Precision of the review queue as abusers adapt"),
                x_label=_("period"),
                y_label=f"precision@{self.queue_capacity}",
                series=(
                    series(_("never retrained"), t, [r.precision_static for r in self.periods_table]),
                    series(_("retrained once (period {period})").format(period=self.retrain_period), t,
                           [r.precision_retrain_once for r in self.periods_table]),
                    series(_("retrained every period"), t, [r.precision_retrain_each for r in self.periods_table]),
                ),
                vlines=((float(self.retrain_period), _("retrain")),),
            )
        ]

    def reading(self) -> list[str]:
        first, last = self.periods_table[0], self.periods_table[-1]
        after = next(r for r in self.periods_table if r.period == self.retrain_period)
        clean, noisiest = self.noise[0], self.noise[-1]
        w = {r.method: r for r in self.sampling}
        none, cw, us = w["none"], w["class weights"], w["undersample 10:1"]
        decayed = last.precision_static < first.precision_static - 0.05
        lifted = after.precision_retrain_once > after.precision_static + 0.02
        ranking_loss = clean.precision_at_k - noisiest.precision_at_k
        metric_loss = noisiest.precision_at_k - noisiest.measured_precision
        spread = max(abs(cw.precision_at_k - none.precision_at_k), abs(us.precision_at_k - none.precision_at_k))
        values = dict(drift=f"{self.drift:g}", first=f"{first.precision_static:.2f}", first_period=first.period,
                      last=f"{last.precision_static:.2f}", last_period=last.period,
                      recall_first=f"{first.recall_static:.2f}", recall_last=f"{last.recall_static:.2f}")
        if self.drift > 0:
            frozen = (_("As abusers adapt (drift {drift} per period), a frozen model's queue precision falls from "
                        "{first} (period {first_period}) to {last} (period {last_period}); recall {recall_first} → "
                        "{recall_last}.") if decayed else
                      _("As abusers adapt (drift {drift} per period), a frozen model's queue precision goes from "
                        "{first} (period {first_period}) to {last} (period {last_period}); recall {recall_first} → "
                        "{recall_last}."))
        else:
            frozen = (_("With abusers that do not adapt (drift 0), a frozen model's queue precision falls from "
                        "{first} (period {first_period}) to {last} (period {last_period}); recall {recall_first} → "
                        "{recall_last}.") if decayed else
                      _("With abusers that do not adapt (drift 0), a frozen model's queue precision goes from "
                        "{first} (period {first_period}) to {last} (period {last_period}); recall {recall_first} → "
                        "{recall_last}."))
        retrain = (_("Retraining once on fresh reviews, at period {period}, lifts that period's precision from "
                     "{frozen} (the frozen model) to {once}; retraining every period ends at {each} against {last} for "
                     "the frozen model.") if lifted else
                   _("Retraining once on fresh reviews, at period {period}, moves that period's precision from "
                     "{frozen} (the frozen model) to {once}; retraining every period ends at {each} against {last} for "
                     "the frozen model."))
        noise = (_("noisy labels hurt the metric you see more than the ranking you get.") if metric_loss > ranking_loss
                 else _("here the noise costs real ranking quality, not only measured precision."))
        balance = _("Class weights give precision@k {cw} and undersampling {us} against {none} without rebalancing")
        if spread <= 0.05:
            balance += _(" — for a fixed-size queue only the ranking matters, and rebalancing barely changes it")
        balance += _("; both move the mean score ({cw_mean}, {us_mean} vs {none_mean} at a {rate} abuse rate), and "
                     "undersampling trains on {us_rows} rows instead of {none_rows}.")
        return [
            frozen.format(**values),
            retrain.format(period=self.retrain_period, frozen=f"{after.precision_static:.2f}",
                           once=f"{after.precision_retrain_once:.2f}", each=f"{last.precision_retrain_each:.2f}",
                           last=f"{last.precision_static:.2f}"),
            _("Label noise from {clean} to {noisiest} moves true precision@k {p_clean} → {p_noisy}, while the "
              "reviewers' own labels would report {measured}: {noise}").format(
                clean=f"{clean.label_noise:g}", noisiest=f"{noisiest.label_noise:g}",
                p_clean=f"{clean.precision_at_k:.2f}", p_noisy=f"{noisiest.precision_at_k:.2f}",
                measured=f"{noisiest.measured_precision:.2f}", noise=noise),
            balance.format(cw=f"{cw.precision_at_k:.2f}", us=f"{us.precision_at_k:.2f}",
                           none=f"{none.precision_at_k:.2f}", cw_mean=f"{cw.mean_score:.3f}",
                           us_mean=f"{us.mean_score:.3f}", none_mean=f"{none.mean_score:.3f}",
                           rate=f"{self.abuse_rate:.3%}", us_rows=f"{us.train_rows:,}",
                           none_rows=f"{none.train_rows:,}"),
        ]


class _World:
    def __init__(self, rng: np.random.Generator, abuse_rate: float, drift: float):
        self.rng = rng
        self.abuse_rate = abuse_rate
        self.drift = drift
        old = np.zeros((2, N_FEATURES))
        new = np.zeros((2, N_FEATURES))
        # Two abuser types, each giving itself away on some of the old and later some of the new features.
        old[0, [0, 1, 2]] = (3.0, 2.4, 2.0)
        old[1, [2, 3, 4]] = (2.2, 3.0, 2.4)
        new[0, [5, 6, 7]] = (2.8, 2.4, 2.0)
        new[1, [7, 8, 9]] = (2.0, 2.8, 2.6)
        self.old, self.new = old, new

    def period(self, t: int, n: int):
        """Accounts of period t: features and the true abuse label."""
        rng = self.rng
        y = rng.random(n) < self.abuse_rate
        x = rng.normal(size=(n, N_FEATURES))
        kind = rng.integers(2, size=n)
        a = (1.0 - self.drift) ** t  # share of the old signature left
        offset = a * self.old[kind] + (1.0 - a) * self.new[kind]
        x[y] += offset[y] + 0.3 * rng.normal(size=(int(y.sum()), N_FEATURES))
        return x, y

    def review(self, y, noise: float):
        """Human review: misses `noise` of the abusers, flags about as many innocent accounts."""
        rng = self.rng
        p = self.abuse_rate
        false_flag = noise * p / (1.0 - p)
        u = rng.random(y.size)
        return np.where(y, u >= noise, u < false_flag)


def _model(weight=None):
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, class_weight=weight))


def _score(model, x):
    return model.predict_proba(x)[:, 1]


def simulate_abuse(
    *,
    n_accounts: int = 20000,
    abuse_rate: float = 0.005,
    label_noise: float = 0.1,
    drift: float = 0.2,
    periods: int = 10,
    queue_capacity: int = 100,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> AbuseResult:
    """A review queue's precision@k as abusers adapt, with noisy labels and rare positives."""
    check_range("n_accounts", n_accounts, 1000, None, low_inclusive=True)
    check_range("abuse_rate", abuse_rate, 0, 0.5)
    check_range("label_noise", label_noise, 0, 0.5, low_inclusive=True)
    check_range("drift", drift, 0, 1, low_inclusive=True, high_inclusive=True)
    check_range("periods", periods, 2, 200, low_inclusive=True, high_inclusive=True)
    check_range("queue_capacity", queue_capacity, 1, None, low_inclusive=True)
    if queue_capacity > n_accounts:
        raise BadInputError(f"--queue-capacity must be at most --n-accounts ({n_accounts:,}), got {queue_capacity:,}")
    if abuse_rate * n_accounts < 10:
        raise BadInputError(
            f"--abuse-rate {abuse_rate:g} × --n-accounts {n_accounts:,} gives under 10 abusers per period; "
            "raise either so a model has positives to learn from"
        )
    # One period at a time: features, labels, a few score arrays.
    check_memory("n_accounts", n_accounts, n_accounts * (N_FEATURES + 12) * 8 * 6)
    with one_thread():
        return _simulate(n_accounts, abuse_rate, label_noise, drift, periods, queue_capacity, seed, progress)


def _simulate(n_accounts, abuse_rate, label_noise, drift, periods, queue_capacity, seed, progress) -> AbuseResult:
    rng = np.random.default_rng(seed)
    world = _World(rng, abuse_rate, drift)
    k = queue_capacity
    x0, y0 = world.period(0, n_accounts)
    y0_rev = world.review(y0, label_noise)
    x1, y1 = world.period(1, n_accounts)
    report(progress, 0.1, _("label noise"))

    noise_rows = []
    for noise in sorted(set(NOISE_LEVELS) | {float(label_noise)}):
        labels = y0_rev if noise == label_noise else world.review(y0, noise)
        s = _score(_model().fit(x0, labels), x1)
        seen = world.review(y1, noise)  # what reviewers would record for the queued accounts
        noise_rows.append(
            NoiseRow(noise, precision_at_k(y1, s, k), recall_at_k(y1, s, k), precision_at_k(seen, s, k))
        )
    report(progress, 0.25, _("imbalance"))

    neg = np.flatnonzero(~y0_rev)
    pos = np.flatnonzero(y0_rev)
    keep = np.concatenate([pos, rng.choice(neg, size=min(neg.size, 10 * max(pos.size, 1)), replace=False)])
    variants = {
        "none": (_model(), x0, y0_rev),
        "class weights": (_model("balanced"), x0, y0_rev),
        "undersample 10:1": (_model(), x0[keep], y0_rev[keep]),
    }
    sampling_rows = []
    static = None
    for name, (model, xs, ys) in variants.items():
        model.fit(xs, ys)
        static = model if name == "none" else static
        s = _score(model, x1)
        sampling_rows.append(
            SamplingRow(name, int(ys.size), precision_at_k(y1, s, k), recall_at_k(y1, s, k),
                        float(average_precision_score(y1, s)), float(s.mean()))
        )
    report(progress, 0.35, _("drift"))

    retrain_period = max(2, (periods + 1) // 2)  # a period before it to compare with
    once = static
    each = static
    rows = []
    x_prev, y_prev_rev = x0, y0_rev
    for t in range(1, periods + 1):
        x, y = (x1, y1) if t == 1 else world.period(t, n_accounts)
        if t > 1:  # retrain on last period's reviews before queueing this period
            each = _model().fit(x_prev, y_prev_rev)
        if t == retrain_period:
            once = each if t > 1 else static
        s_static, s_once, s_each = _score(static, x), _score(once, x), _score(each, x)
        rows.append(
            PeriodRow(
                period=t,
                abusers=int(y.sum()),
                precision_static=precision_at_k(y, s_static, k),
                precision_retrain_once=precision_at_k(y, s_once, k),
                precision_retrain_each=precision_at_k(y, s_each, k),
                recall_static=recall_at_k(y, s_static, k),
                recall_retrain_each=recall_at_k(y, s_each, k),
            )
        )
        x_prev, y_prev_rev = x, world.review(y, label_noise)
        report(progress, 0.35 + 0.65 * t / periods, _("period {period}").format(period=t))

    return AbuseResult(
        n_accounts=n_accounts,
        abuse_rate=float(abuse_rate),
        label_noise=float(label_noise),
        drift=float(drift),
        periods=periods,
        queue_capacity=queue_capacity,
        retrain_period=retrain_period,
        periods_table=tuple(rows),
        noise=tuple(noise_rows),
        sampling=tuple(sampling_rows),
    )
