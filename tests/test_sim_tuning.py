"""`mlsd simulate tuning`: grid vs random vs successive halving (scikit-learn searchers)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.tree import DecisionTreeClassifier

from mlsd.sims.registry import run
from mlsd.sims.tuning import GRID_SIZE, simulate_tuning


@pytest.fixture(scope="module")
def result():
    return simulate_tuning()


def test_halving_within_one_point_of_grid_with_fewer_fits(result):
    """Successive halving's chosen model is within 1 AUC point of the grid's on held-out data,
    for less compute (rows fitted ÷ rows of one full-data fit) than the grid's fits."""
    grid, halv = result.outcome("grid"), result.outcome("successive halving")
    assert 100 * halv.validation_auc >= 100 * grid.validation_auc - 1.0
    assert halv.full_fit_equivalents < grid.fits
    assert halv.rows_fitted < grid.rows_fitted
    assert halv.candidates > GRID_SIZE  # round one tries every configuration, later rounds the best
    assert halv.curve_fits[-1] == pytest.approx(halv.full_fit_equivalents)


def test_fit_counts(result):
    grid, rnd = result.outcome("grid"), result.outcome("random")
    assert grid.candidates == GRID_SIZE and grid.fits == GRID_SIZE * result.cv
    assert grid.full_fit_equivalents == pytest.approx(grid.fits)
    assert rnd.candidates == 8 and rnd.fits == 8 * result.cv
    assert rnd.best_cv_auc <= grid.best_cv_auc + 1e-12  # a subset of the same grid, same folds


def test_grid_best_score_matches_cross_val_score_reference(result):
    """The grid's best CV AUC equals scikit-learn's cross_val_score of the best parameters."""
    grid = result.outcome("grid")
    params = dict(kv.split("=") for kv in grid.best_params.split(", "))
    depth = None if params["max_depth"] == "None" else int(params["max_depth"])
    X, y = make_classification(n_samples=result.n_samples, n_features=10, n_informative=3, n_redundant=2,
                               flip_y=0.05, class_sep=0.8, random_state=0)
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    model = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=int(params["min_samples_leaf"]),
                                   random_state=0)
    ref = float(np.mean(cross_val_score(model, X_tr, y_tr, cv=3, scoring="roc_auc")))
    assert grid.best_cv_auc == pytest.approx(ref, abs=1e-12)


def test_tuning_beats_the_untuned_default(result):
    assert result.outcome("grid").validation_auc > result.default_validation_auc + 0.02
    best_curve = result.outcome("grid").curve_best
    assert list(best_curve) == sorted(best_curve)  # a running best never decreases


def test_reading_mentions_nas(result):
    text = " ".join(result.reading())
    assert "NAS" in text and "halving" in text


def test_cli_json_same_seed_same_numbers_except_wall_clock(run_cli):
    res = run_cli("simulate", "tuning", "--n-samples", "300", "--cv", "2", "--seed", "2", "--json")
    assert res.code == 0, res.stderr
    a = json.loads(res.stdout)
    b = simulate_tuning(n_samples=300, cv=2, seed=2).to_dict()
    assert [o["name"] for o in a["outcomes"]] == ["grid", "random", "successive halving"]
    for d in (a, b):
        for o in d["outcomes"]:
            o.pop("search_seconds")
    assert a == b


def test_registry_rejects_unknown_option():
    from mlsd.errors import BadInputError

    with pytest.raises(BadInputError, match="unknown option 'n_trees'"):
        run("tuning", {"n_trees": 3})


@pytest.mark.parametrize("args, message", [
    (("--n-samples", "0"), "--n-samples must be in [300, 1e+06], got 0"),
    (("--cv", "1"), "--cv must be in [2, 10], got 1"),
    (("--random-iter", "0"), f"--random-iter must be in [1, {GRID_SIZE}], got 0"),
    (("--random-iter", "100"), f"--random-iter must be in [1, {GRID_SIZE}], got 100"),
    (("--factor", "1"), "--factor must be in [2, 10], got 1"),
    (("--n-features", "2"), "--n-features must be in [4, 1000], got 2"),
])
def test_cli_bad_input(run_cli, args, message):
    res = run_cli("simulate", "tuning", *args)
    assert res.code == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_random_search_over_the_whole_grid_is_not_sold_as_sampling():
    r = simulate_tuning(random_iter=GRID_SIZE, n_samples=600)
    text = " ".join(r.reading())
    assert f"sampling all {GRID_SIZE} configurations is the grid in another order" in text
    assert f"{GRID_SIZE} of the {GRID_SIZE}" not in text
