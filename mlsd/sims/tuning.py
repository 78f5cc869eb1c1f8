"""Hyper-parameter search: grid vs random vs successive halving, score against fits spent.

The source notes list "Auto ML (soft: HP tuning, hard: arch search (NAS))". This is the
soft end made concrete: one model of a scenario — a decision tree for a churn-
or abuse-style tabular classification task — tuned by scikit-learn's
`GridSearchCV`, `RandomizedSearchCV` and `HalvingGridSearchCV` over the same
search space, each with the same cross-validation. Every search's chosen model is
then scored on a held-out validation split it never saw, so the comparison is
best validation score against fits (and training rows) spent.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (enables the import below)
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
    train_test_split,
)
from sklearn.tree import DecisionTreeClassifier

from mlsd.errors import BadInputError, check_positive, check_range
from mlsd.i18n import N_, _, pgettext, space
from mlsd.sims.base import Chart, ProgressCallback, SimResult, Table, report, series, table
from mlsd.sims.metrics import auc_scorer, check_memory, furthest_above_default, roc_auc

SPACE: dict[str, list] = {
    "max_depth": [2, 4, 6, 8, 12, None],
    "min_samples_leaf": [1, 20, 100],
}
GRID_SIZE = int(np.prod([len(v) for v in SPACE.values()]))
MAX_SAMPLES = 1_000_000  # ~200 tree fits: already minutes at this size
MAX_FEATURES = 1_000


@dataclass(frozen=True)
class SearchOutcome:
    name: str
    candidates: int  # configurations evaluated (counting each halving round)
    fits: int  # model fits during the search (candidates × folds; refit not counted)
    rows_fitted: int  # training rows summed over those fits
    full_fit_equivalents: float  # rows_fitted ÷ rows of one full-data CV fit: the compute measure
    best_params: str
    best_cv_auc: float  # the searcher's best mean CV score (halving: on its last round's data)
    validation_auc: float  # the chosen model refit on all training data, scored on held-out data
    search_seconds: float  # wall clock, noisy; the only non-deterministic field
    curve_fits: tuple[float, ...]  # cumulative compute in full-data fits ...
    curve_best: tuple[float, ...]  # ... and the best CV AUC found so far


@dataclass(frozen=True)
class TuningResult(SimResult):
    n_samples: int
    n_features: int
    cv: int
    grid_size: int
    default_validation_auc: float  # an untuned, fully grown tree
    default_cv_auc: float
    outcomes: tuple[SearchOutcome, ...]

    def outcome(self, name: str) -> SearchOutcome:
        return next(o for o in self.outcomes if o.name == name)

    def tables(self) -> list[Table]:
        rows = [
            (_(o.name), o.candidates, o.fits, round(o.full_fit_equivalents, 1), 100 * o.best_cv_auc,
             100 * o.validation_auc, o.best_params, o.search_seconds)
            for o in self.outcomes
        ]
        rows.append((_("untuned default tree"), 1, self.cv, float(self.cv), 100 * self.default_cv_auc,
                     100 * self.default_validation_auc, "max_depth=None, min_samples_leaf=1", 0.0))
        return [
            table(
                _("Hyper-parameter search: decision tree, {configurations} configurations, {cv}-fold CV").format(
                    configurations=self.grid_size, cv=self.cv),
                (_("search"), _("candidates"), pgettext("model fits", "fits"), _("full-data fit equivalents"), _("best CV AUC"),
                 _("validation AUC"), _("best parameters"), _("seconds")),
                rows,
                note=_("AUC × 100; validation = held-out 25% none of the searches saw; successive halving "
                       "counts every round's candidates, early rounds on a fraction of the rows, so its cost "
                       "is rows fitted ÷ rows of one full fit; seconds are wall clock (noisy)"),
            )
        ]

    def charts(self) -> list[Chart]:
        return [
            Chart(
                name="tuning-best-score-vs-fits",
                title=_("Best cross-validated AUC found against compute spent"),
                x_label=_("compute (full-data fits; halving's early rounds use a fraction of the rows)"),
                y_label=_("best CV AUC × 100"),
                series=tuple(
                    series(_(o.name), o.curve_fits, [100 * v for v in o.curve_best]) for o in self.outcomes
                ),
                kind="step",
                hlines=((100 * self.default_cv_auc, _("untuned tree")),),
            )
        ]

    def reading(self) -> list[str]:
        grid = self.outcome("grid")
        rnd = self.outcome("random")
        halv = self.outcome("successive halving")
        gap = 100 * (grid.validation_auc - halv.validation_auc)
        halving = (_("Successive halving tried all {configurations} configurations on small subsamples and kept the "
                     "best third each round: {fits} small fits costing {equivalents} full-data fits against the grid's "
                     "{grid_fits}, for a validation AUC {gap} points below the grid's.") if gap > 0 else
                   _("Successive halving tried all {configurations} configurations on small subsamples and kept the "
                     "best third each round: {fits} small fits costing {equivalents} full-data fits against the grid's "
                     "{grid_fits}, for a validation AUC {gap} points above the grid's.")).format(
            configurations=self.grid_size, fits=halv.fits, equivalents=f"{halv.full_fit_equivalents:.0f}",
            grid_fits=grid.fits, gap=f"{abs(gap):.2f}")
        return [
            _("Tuning matters here: the untuned tree scores {default} AUC on held-out data, the grid's choice "
              "{grid}.").format(default=f"{100 * self.default_validation_auc:.1f}",
                                grid=f"{100 * grid.validation_auc:.1f}"),
            halving + space() + _("At this toy size a fit's fixed overhead (cloning, checks, scoring) is as large as the "
                              "work, so halving's wall clock (the seconds column) need not fall with its compute; on "
                              "real data sizes it does."),
            (_("Random search with {candidates} of the {configurations} configurations spent {fits} fits for {auc}: "
               "worth it when there are many hyper-parameters and only a few matter; a full grid is only affordable "
               "for two or three with few values each.")
             if rnd.candidates < self.grid_size else
             _("Random search sampling all {configurations} configurations is the grid in another order ({fits} "
               "fits, {auc}); it pays with fewer samples than configurations, when there are many hyper-parameters "
               "and only a few matter.")).format(candidates=rnd.candidates, configurations=self.grid_size,
                                                  fits=rnd.fits, auc=f"{100 * rnd.validation_auc:.1f}"),
            _("Halving pays when one fit is expensive and a ranking on little data predicts the ranking "
              "on all of it; it can mislead for settings that only shine with more data (deep trees, big "
              "networks)."),
            _("This is the cheap, 'soft' end of AutoML; neural architecture search (NAS) is the expensive "
              "end, where every candidate is a full network training run, so it leans on the same tricks "
              "(early stopping, Hyperband-style halving, weight sharing) at thousands of GPU hours."),
        ]


# Search names: values (--json); shown translated.
LABELS = (N_("grid"), N_("random"), N_("successive halving"))


def _min_resources(n_rows: int, factor: int, cv: int) -> int | str:
    """"exhaust" (the last round uses every row) unless that starts a round below 20 rows per fold."""
    rounds = 1 + int(math.floor(math.log(GRID_SIZE) / math.log(factor)))
    exhaust = n_rows // factor ** (rounds - 1)
    return "exhaust" if exhaust >= 20 * cv else 20 * cv


def _params(p: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(p.items()))


def simulate_tuning(
    *,
    n_samples: int = 2400,
    n_features: int = 10,
    cv: int = 3,
    random_iter: int = 8,
    factor: int = 3,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> TuningResult:
    """Grid, random and successive-halving search of one tree model; see the module docstring."""
    check_positive("n_samples", n_samples)
    check_range("random_iter", random_iter, 1, GRID_SIZE, low_inclusive=True, high_inclusive=True)
    check_range("n_features", n_features, 4, MAX_FEATURES, low_inclusive=True, high_inclusive=True)
    check_range("cv", cv, 2, 10, low_inclusive=True, high_inclusive=True)
    check_range("factor", factor, 2, 10, low_inclusive=True, high_inclusive=True)
    if n_samples < 300:
        raise BadInputError(f"--n-samples must be at least 300 for {cv}-fold CV plus a validation split, got {n_samples}")
    check_range("n_samples", n_samples, 300, MAX_SAMPLES, low_inclusive=True, high_inclusive=True)
    # The data, its float32 copy per fit and the CV subsets: about ten copies at the peak.
    culprit = furthest_above_default("tuning", n_samples=n_samples, n_features=n_features)
    check_memory(*culprit, n_samples * n_features * 8 * 10)

    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=max(2, n_features // 3),
        n_redundant=max(1, n_features // 5), flip_y=0.05, class_sep=0.8, random_state=seed,
    )
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    base = DecisionTreeClassifier(random_state=seed)
    default_auc = roc_auc(y_va, base.fit(X_tr, y_tr).predict_proba(X_va)[:, 1])
    default_cv = float(np.mean(cross_val_score(base, X_tr, y_tr, cv=cv, scoring=auc_scorer)))
    rows_per_fit = len(y_tr) * (cv - 1) / cv

    searchers = (
        ("grid", GridSearchCV(base, SPACE, cv=cv, scoring=auc_scorer, n_jobs=1)),
        ("random", RandomizedSearchCV(base, SPACE, n_iter=random_iter, cv=cv, scoring=auc_scorer,
                                      n_jobs=1, random_state=seed)),
        ("successive halving", HalvingGridSearchCV(base, SPACE, factor=factor, cv=cv, scoring=auc_scorer,
                                                   min_resources=_min_resources(len(y_tr), factor, cv),
                                                   return_train_score=False, n_jobs=1, random_state=seed)),
    )
    outcomes = []
    for i, (name, search) in enumerate(searchers):
        report(progress, i / len(searchers), _("tuning: {search}").format(search=_(name)))
        start = time.perf_counter()
        # our arrays are finite and our parameters valid: skip sklearn's per-fit checks (~15% faster)
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # non-finite fold scores on tiny subsamples
            search.fit(X_tr, y_tr)
        seconds = time.perf_counter() - start
        res = search.cv_results_
        scores = np.nan_to_num(np.asarray(res["mean_test_score"], dtype=float), nan=0.0)
        if name == "successive halving":
            iters = np.asarray(res["iter"])
            n_res = np.asarray(res["n_resources"], dtype=float)
            # compute per round in full-data fits: candidates × folds × (round rows ÷ all rows)
            rows_per_round = [float(np.sum(n_res[iters == it])) * (cv - 1) for it in range(search.n_iterations_)]
            rows = int(round(sum(rows_per_round)))
            curve_x = np.cumsum(rows_per_round) / rows_per_fit
            curve_y = [float(scores[iters == it].max()) for it in range(search.n_iterations_)]
            candidates = int(len(scores))
        else:
            curve_x = np.arange(1, len(scores) + 1) * cv
            curve_y = np.maximum.accumulate(scores)
            rows = int(round(len(scores) * cv * rows_per_fit))
            candidates = int(len(scores))
        val = roc_auc(y_va, search.best_estimator_.predict_proba(X_va)[:, 1])
        outcomes.append(SearchOutcome(
            name=name,
            candidates=candidates,
            fits=candidates * cv,
            rows_fitted=rows,
            full_fit_equivalents=rows / rows_per_fit,
            best_params=_params(search.best_params_),
            best_cv_auc=float(search.best_score_),
            validation_auc=val,
            search_seconds=seconds,
            curve_fits=tuple(float(v) for v in curve_x),
            curve_best=tuple(float(v) for v in curve_y),
        ))
    report(progress, 1.0, _("tuning: done"))
    return TuningResult(
        n_samples=n_samples,
        n_features=n_features,
        cv=cv,
        grid_size=GRID_SIZE,
        default_validation_auc=default_auc,
        default_cv_auc=default_cv,
        outcomes=tuple(outcomes),
    )
