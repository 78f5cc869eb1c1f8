"""Churn prediction on a synthetic customer table with a known churn mechanism.

Two monthly snapshots of the customer base: features as of the prediction date
(tenure, usage trend, logins, support tickets, plan, payment failures,
discount) and the label from the 30 days after it. Models train on the first
snapshot and are judged on the later one (a time-based split). A "leaky"
pipeline that extracts `logins_30d` after the label window shows the classic
trap: a splendid offline AUC that collapses at prediction time.

Then logistic regression vs HistGradientBoosting, with and without class
weights (ROC-AUC, PR-AUC, recall at the top k%), and a cost-based decision:
given the value of a saved customer, the share the offer saves and its cost,
the profit of targeting the top k customers for every k, the best threshold
chosen on validation data and what it earns on the later snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import N_, _
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table
from mlsd.sims.metrics import (
    check_memory,
    one_thread,
    profit_curve,
    recall_at_top_fraction,
    roc_auc,
)

FEATURES = (
    "tenure_months",
    "usage_trend",
    "logins_30d",
    "support_tickets_90d",
    "payment_failures_90d",
    "monthly_charge",
    "discount",
    "plan_standard",
    "plan_premium",
)
LOGINS = FEATURES.index("logins_30d")
CURVE_POINTS = 120
MAX_MONEY = 1e9  # upper bound of --customer-value and --offer-cost


@dataclass(frozen=True)
class LeakRow:
    pipeline: str
    evaluated_on: str
    roc_auc: float
    pr_auc: float


@dataclass(frozen=True)
class ModelRow:
    model: str
    class_weight: str
    roc_auc: float
    pr_auc: float
    recall_top5: float
    recall_top10: float
    mean_score: float  # vs the observed churn rate: class weights inflate it


@dataclass(frozen=True)
class ChurnResult(SimResult):
    n_customers: int
    churn_rate_train: float
    churn_rate_test: float
    customer_value: float
    offer_cost: float
    save_rate: float
    leak: tuple[LeakRow, ...]
    models: tuple[ModelRow, ...]
    profit_model: str
    curve_share: tuple[float, ...]  # share of validation customers targeted
    curve_profit_per_1000: tuple[float, ...]  # validation profit per 1,000 customers
    test_curve_profit_per_1000: tuple[float, ...]  # same shares on the later snapshot
    best_share: float
    best_threshold: float
    best_profit_per_1000: float
    closed_form_threshold: float  # cost / (value × save rate): right only for calibrated scores
    test_share_at_threshold: float
    test_profit_per_1000: float
    test_oracle_profit_per_1000: float
    target_all_profit_per_1000: float

    def tables(self) -> list[Table]:
        return [
            table(
                _("Leakage: a feature computed after the prediction date"),
                (_("pipeline"), _("evaluated on"), "ROC-AUC", "PR-AUC"),
                [(_(r.pipeline), _(r.evaluated_on), r.roc_auc, r.pr_auc) for r in self.leak],
                note=_("GBDT in all rows. The leaky pipeline reads logins_30d at extraction time, after churners left."),
            ),
            table(
                _("Models on the later snapshot (time-based split)"),
                (_("model"), _("class weight"), "ROC-AUC", "PR-AUC", _("recall@top 5%"), _("recall@top 10%"),
                 _("mean score")),
                [(_(m.model), _(m.class_weight), m.roc_auc, m.pr_auc, m.recall_top5, m.recall_top10, m.mean_score)
                 for m in self.models],
                note=_("churn rate: {train} (train snapshot), {test} (test). A calibrated model's mean score is close "
                       "to the churn rate.").format(train=f"{self.churn_rate_train:.3f}",
                                                     test=f"{self.churn_rate_test:.3f}"),
            ),
            table(
                _("Cost-based targeting"),
                (_("quantity"), _("value")),
                [
                    (_("model (no class weights: its scores are probabilities)"), _(self.profit_model)),
                    (_("gain per saved churner (value × save rate)"), self.customer_value * self.save_rate),
                    (_("cost per offer"), self.offer_cost),
                    (_("best threshold (chosen on validation)"), self.best_threshold),
                    (_("share targeted at best (validation)"), self.best_share),
                    (_("validation profit / 1,000 customers"), self.best_profit_per_1000),
                    (_("closed-form threshold cost / gain"), self.closed_form_threshold),
                    (_("share targeted on the later snapshot"), self.test_share_at_threshold),
                    (_("later-snapshot profit / 1,000 customers"), self.test_profit_per_1000),
                    (_("best possible on the later snapshot (hindsight)"), self.test_oracle_profit_per_1000),
                    (_("offer to everyone / 1,000 customers"), self.target_all_profit_per_1000),
                ],
            ),
        ]

    def charts(self) -> list[Chart]:
        return [
            Chart(
                name="churn-profit",
                title=_("Expected profit vs share of customers targeted"),
                x_label=_("share of customers targeted (highest scores first)"),
                y_label=_("profit per 1,000 customers"),
                series=(
                    series(_("validation (threshold chosen here)"), self.curve_share, self.curve_profit_per_1000),
                    series(_("later snapshot"), self.curve_share, self.test_curve_profit_per_1000),
                ),
                vlines=((self.best_share, _("best: top {share}").format(share=f"{self.best_share:.1%}")),),
                hlines=((0.0, _("break-even")),),
            )
        ]

    def reading(self) -> list[str]:
        honest, leaky_off, leaky_prod = self.leak
        best = max(self.models, key=lambda m: m.pr_auc)
        lr = next(m for m in self.models if m.model == "logistic regression" and m.class_weight == "none")
        gb = next(m for m in self.models if m.model == "GBDT" and m.class_weight == "none")
        gbw = next(m for m in self.models if m.model == "GBDT" and m.class_weight == "balanced")
        weight_effect = (
            _("barely move the ranking") if abs(gbw.pr_auc - gb.pr_auc) < 0.02 else _("change the ranking")
        )
        return [
            _("The leaky pipeline scores ROC-AUC {offline} on a random holdout but {served} on the features "
              "available at prediction time, against {honest} for the honest time-based pipeline: an offline AUC "
              "that looks too good usually is.").format(offline=f"{leaky_off.roc_auc:.3f}",
                                                        served=f"{leaky_prod.roc_auc:.3f}",
                                                        honest=f"{honest.roc_auc:.3f}"),
            _("GBDT vs logistic regression: PR-AUC {gb} vs {lr}, recall in the top 10% {gb10} vs {lr10}; with {rate} "
              "churners PR-AUC and recall@k say more than ROC-AUC. Highest PR-AUC here: {best} ({weights}, "
              "{best_pr}).").format(
                gb=f"{gb.pr_auc:.3f}", lr=f"{lr.pr_auc:.3f}", gb10=f"{gb.recall_top10:.3f}",
                lr10=f"{lr.recall_top10:.3f}", rate=f"{self.churn_rate_test:.1%}", best=_(best.model),
                weights=_("balanced class weights") if best.class_weight == "balanced" else _("no class weights"),
                best_pr=f"{best.pr_auc:.3f}"),
            _("Balanced class weights {effect} (GBDT PR-AUC {weighted} vs {plain}) and move the mean score to {mean} "
              "against a {rate} churn rate, so a threshold on probabilities only holds for the model it was chosen "
              "with.").format(effect=weight_effect, weighted=f"{gbw.pr_auc:.3f}", plain=f"{gb.pr_auc:.3f}",
                              mean=f"{gbw.mean_score:.3f}", rate=f"{self.churn_rate_test:.3f}"),
            (
                _("Targeting the top {share} (score ≥ {threshold}) maximises validation profit ({profit} per 1,000 "
                  "customers); on the later snapshot it earns {test} vs {oracle} with hindsight and {everyone} for an "
                  "offer to everyone.").format(
                    share=f"{self.best_share:.1%}", threshold=f"{self.best_threshold:.3f}",
                    profit=f"{self.best_profit_per_1000:,.0f}", test=f"{self.test_profit_per_1000:,.0f}",
                    oracle=f"{self.test_oracle_profit_per_1000:,.0f}",
                    everyone=f"{self.target_all_profit_per_1000:,.0f}")
                if self.best_share > 0
                else _("At an offer cost of {cost} against a gain of {gain} per saved churner, no threshold makes "
                       "money on validation data: the best plan is no offer, or a cheaper one.").format(
                    cost=f"{self.offer_cost:g}", gain=f"{self.customer_value * self.save_rate:g}")
            ),
        ]


# Row labels: values (--json), shown translated.
LABELS = (N_("logistic regression"), N_("GBDT"), N_("none"), N_("balanced"),
          N_("honest (features before the date)"), N_("later snapshot"), N_("leaky (logins read after the window)"),
          N_("random holdout, leaky feature"), N_("later snapshot, as served"))


def _snapshot(rng: np.random.Generator, n: int, intercept: float | None, churn_rate: float):
    """One snapshot: features before the date, churn label after it, and the leaky logins."""
    # As a warehouse stores them: whole months, whole dollars, usage trend in whole percent.
    tenure = np.ceil(rng.gamma(1.6, 14.0, size=n))
    plan = rng.choice(3, size=n, p=(0.5, 0.35, 0.15))
    charge = np.round(np.array([20.0, 45.0, 80.0])[plan] + rng.normal(0, 5, size=n))
    discount = rng.random(n) < 0.2
    activity = rng.gamma(2.0, 6.0, size=n)
    trend = np.round(rng.normal(0.0, 0.25, size=n), 2)
    logins = rng.poisson(activity * np.exp(trend))
    tickets = rng.poisson(0.4 + 0.6 * (trend < -0.2), size=n)
    failures = rng.poisson(0.12, size=n)
    hidden = rng.normal(0.0, 0.7, size=n)  # what no feature sees (a competitor's offer…)
    logit = (
        1.4 * np.exp(-tenure / 6.0)
        - 2.2 * trend
        - 0.5 * np.log1p(logins)
        + 0.35 * tickets
        + 1.8 * ((tickets >= 2) & (plan == 0))
        + 1.2 * ((trend < -0.3) & (tenure > 24))  # long-time customers drifting away
        + 1.3 * np.minimum(failures, 2)
        + 0.012 * (charge - 40.0) * (~discount)
        - 0.4 * discount
        + hidden
    )
    if intercept is None:  # solve for the intercept that gives the requested churn rate
        lo, hi = -20.0, 20.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if np.mean(1 / (1 + np.exp(-(logit + mid)))) > churn_rate:
                hi = mid
            else:
                lo = mid
        intercept = (lo + hi) / 2
    churn = rng.random(n) < 1 / (1 + np.exp(-(logit + intercept)))
    # Logins in the 30 days *after* the date: churners have mostly gone quiet.
    logins_after = rng.poisson(activity * np.where(churn, 0.1, 1.0))
    x = np.column_stack([tenure, trend, logins, tickets, failures, charge, discount, plan == 1, plan == 2]).astype(float)
    return x, churn.astype(int), logins_after.astype(float), intercept


def _gbdt(seed: int, weight: str | None = None) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=50, learning_rate=0.15, max_leaf_nodes=15, early_stopping=False,
        class_weight=weight, random_state=seed,
    )


def simulate_churn(
    *,
    n_customers: int = 20000,
    churn_rate: float = 0.05,
    customer_value: float = 200.0,
    offer_cost: float = 10.0,
    save_rate: float = 0.3,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> ChurnResult:
    """Churn models on a time-based split, the leakage trap, and a profit-maximising threshold."""
    check_range("n_customers", n_customers, 1000, 100_000_000, low_inclusive=True, high_inclusive=True)
    check_range("churn_rate", churn_rate, 0, 0.5, high_inclusive=True)
    # Money per customer: a billion is past any real retention offer, and profits summed over
    # millions of customers must stay finite floats.
    check_range("customer_value", customer_value, 0, MAX_MONEY, high_inclusive=True)
    check_range("offer_cost", offer_cost, 0, MAX_MONEY, high_inclusive=True)
    check_range("save_rate", save_rate, 0, 1, high_inclusive=True)
    if churn_rate * n_customers * 0.25 < 20:
        raise BadInputError(
            f"--churn-rate {churn_rate:g} × --n-customers {n_customers:,} leaves about "
            f"{churn_rate * n_customers * 0.25:.0f} churners in the validation split; raise either so at least 20 remain"
        )
    # Two snapshots of ~12 float columns plus model copies.
    check_memory("n_customers", n_customers, n_customers * 2 * 30 * 8)
    with one_thread():
        return _simulate(n_customers, churn_rate, customer_value, offer_cost, save_rate, seed, progress)


def _simulate(n_customers, churn_rate, customer_value, offer_cost, save_rate, seed, progress) -> ChurnResult:
    rng = np.random.default_rng(seed)
    x_all, y_all, after_all, intercept = _snapshot(rng, n_customers, None, churn_rate)
    x_te, y_te, _after, _icpt = _snapshot(rng, n_customers, intercept, churn_rate)  # three months later
    # The earlier snapshot: 75% to fit, 25% to choose the threshold (and for the leaky offline check).
    is_val = rng.random(n_customers) < 0.25
    x_tr, y_tr, x_va, y_va = x_all[~is_val], y_all[~is_val], x_all[is_val], y_all[is_val]
    report(progress, 0.1, _("leakage"))

    leaky_tr, leaky_va = x_tr.copy(), x_va.copy()
    leaky_tr[:, LOGINS] = after_all[~is_val]
    leaky_va[:, LOGINS] = after_all[is_val]
    leaky = _gbdt(seed).fit(leaky_tr, y_tr)
    report(progress, 0.25, _("models"))

    fitted = {}
    for name in ("logistic regression", "GBDT"):
        for weight in ("none", "balanced"):
            cw = None if weight == "none" else "balanced"
            if name == "GBDT":
                model = _gbdt(seed, cw)
            else:
                model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, class_weight=cw))
            fitted[(name, weight)] = model.fit(x_tr, y_tr)
            label, kind = _(name), _(weight)
            report(progress, 0.25 + 0.15 * len(fitted), f"{label} ({kind})")

    cache: dict[tuple[int, int], np.ndarray] = {}

    def score(model, x):
        key = (id(model), id(x))
        if key not in cache:
            cache[key] = model.predict_proba(x)[:, 1]
        return cache[key]

    honest = fitted[("GBDT", "none")]
    leak = (
        LeakRow("honest (features before the date)", "later snapshot", roc_auc(y_te, score(honest, x_te)),
                float(average_precision_score(y_te, score(honest, x_te)))),
        LeakRow("leaky (logins read after the window)", "random holdout, leaky feature",
                roc_auc(y_va, score(leaky, leaky_va)), float(average_precision_score(y_va, score(leaky, leaky_va)))),
        LeakRow("leaky (logins read after the window)", "later snapshot, as served",
                roc_auc(y_te, score(leaky, x_te)), float(average_precision_score(y_te, score(leaky, x_te)))),
    )

    rows = []
    for (name, weight), model in fitted.items():
        s = score(model, x_te)
        rows.append(
            ModelRow(
                model=name,
                class_weight=weight,
                roc_auc=roc_auc(y_te, s),
                pr_auc=float(average_precision_score(y_te, s)),
                recall_top5=recall_at_top_fraction(y_te, s, 0.05),
                recall_top10=recall_at_top_fraction(y_te, s, 0.10),
                mean_score=float(s.mean()),
            )
        )
    report(progress, 0.9, _("profit curve"))

    # Profit: the unweighted model with the best validation PR-AUC, threshold chosen on validation.
    candidates = [k for k in fitted if k[1] == "none"]
    pick = max(candidates, key=lambda k: average_precision_score(y_va, score(fitted[k], x_va)))
    model = fitted[pick]
    gain = customer_value * save_rate
    s_va, s_te = score(model, x_va), score(model, x_te)
    k_va, profit_va, thr_va = profit_curve(y_va, s_va, gain=gain, cost=offer_cost)
    best = int(np.argmax(profit_va))
    threshold = float(thr_va[best])
    target_te = s_te >= threshold
    test_profit = float(np.sum(y_te[target_te] * gain - offer_cost))
    _shares, profit_te, _thresholds = profit_curve(y_te, s_te, gain=gain, cost=offer_cost)
    n_va, n_te = y_va.size, y_te.size

    # Curve for the chart and the record: a grid of shares plus the chosen point itself.
    grid = np.unique(np.concatenate([np.linspace(0, 1, CURVE_POINTS + 1) ** 2, [best / n_va]]))
    idx_va = np.round(grid * n_va).astype(int)
    idx_te = np.round(grid * n_te).astype(int)
    report(progress, 1.0, _("done"))
    return ChurnResult(
        n_customers=n_customers,
        churn_rate_train=float(y_all.mean()),
        churn_rate_test=float(y_te.mean()),
        customer_value=float(customer_value),
        offer_cost=float(offer_cost),
        save_rate=float(save_rate),
        leak=leak,
        models=tuple(rows),
        profit_model=pick[0],
        curve_share=tuple(float(k / n_va) for k in idx_va),
        curve_profit_per_1000=tuple(float(profit_va[k] / n_va * 1000) for k in idx_va),
        test_curve_profit_per_1000=tuple(float(profit_te[k] / n_te * 1000) for k in idx_te),
        best_share=float(k_va[best] / n_va),
        best_threshold=threshold,
        best_profit_per_1000=float(profit_va[best] / n_va * 1000),
        closed_form_threshold=float(offer_cost / gain),
        test_share_at_threshold=float(target_te.mean()),
        test_profit_per_1000=test_profit / n_te * 1000,
        test_oracle_profit_per_1000=float(profit_te.max() / n_te * 1000),
        target_all_profit_per_1000=float(profit_te[-1] / n_te * 1000),
    )
