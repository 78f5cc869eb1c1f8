"""`mlsd simulate features | retrain | tuning`: data, retraining and tuning in production.

Help strings and defaults come from the registry specs (`mlsd/sims/specs/`), so
the CLI and a scenario's `simulations:` entries cannot drift apart. The
simulation modules (numpy, pandas, scikit-learn) are imported inside the
commands only.
"""

from __future__ import annotations

import typer

from mlsd.sims.specs import features as features_specs
from mlsd.sims.specs import retrain as retrain_specs
from mlsd.sims.specs import tuning as tuning_specs


def _opt(specs, sim: str, name: str):
    """A typer.Option whose default and help are the registry's."""
    spec = next(s for s in specs.SPECS if s.name == sim)
    opt = spec.option(name)
    return typer.Option(opt.default, "--" + name.replace("_", "-"), help=opt.help)


def _seed():
    return typer.Option(0, "--seed", help="Random seed: same seed, same numbers.")


def _json():
    return typer.Option(False, "--json", help="Print the result as JSON on stdout.")


def register(group: typer.Typer) -> None:
    """Add `features`, `retrain` and `tuning` to the `simulate` group."""
    F, R, T = features_specs, retrain_specs, tuning_specs

    @group.command("features")
    def features_cmd(
        n_users: int = _opt(F, "features", "n_users"),
        days: int = _opt(F, "features", "days"),
        train_days: int = _opt(F, "features", "train_days"),
        events_per_user_per_day: float = _opt(F, "features", "events_per_user_per_day"),
        interest_halflife_hours: float = _opt(F, "features", "interest_halflife_hours"),
        new_user_share: float = _opt(F, "features", "new_user_share"),
        zipf_exponent: float = _opt(F, "features", "zipf_exponent"),
        cache_hit_ms: float = _opt(F, "features", "cache_hit_ms"),
        store_ms: float = _opt(F, "features", "store_ms"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Feature pipelines: point-in-time joins, training-serving skew, staleness, a cached store.

        One synthetic world of users whose interest drifts, with logged requests and
        clicks, answers four questions with real joins (pandas `merge_asof`) and real
        models (logistic regression): how much a naive latest-value join leaks the
        label (offline AUC up, online AUC down); what a missing-value default
        implemented differently online does (training-serving skew, the seed's
        线上线下不一致); how feature staleness (daily batch vs real time) costs AUC;
        and how a cache in front of the online feature store trades size for hit rate
        and latency (checked against Che's approximation for LRU).
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.features import simulate_features

        run_and_emit(
            simulate_features, as_json=json_, title="Features",
            n_users=n_users, days=days, train_days=train_days,
            events_per_user_per_day=events_per_user_per_day,
            interest_halflife_hours=interest_halflife_hours, new_user_share=new_user_share,
            zipf_exponent=zipf_exponent, cache_hit_ms=cache_hit_ms, store_ms=store_ms, seed=seed,
        )

    @group.command("retrain")
    def retrain_cmd(
        days: int = _opt(R, "retrain", "days"),
        samples_per_day: int = _opt(R, "retrain", "samples_per_day"),
        n_features: int = _opt(R, "retrain", "n_features"),
        gradual_drift_deg: float = _opt(R, "retrain", "gradual_drift_deg"),
        sudden_drifts: int = _opt(R, "retrain", "sudden_drifts"),
        warmup_days: int = _opt(R, "retrain", "warmup_days"),
        window_days: int = _opt(R, "retrain", "window_days"),
        epochs: int = _opt(R, "retrain", "epochs"),
        learning_rate: float = _opt(R, "retrain", "learning_rate"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Retraining under concept drift: never, daily/weekly/monthly full, incremental, both.

        A labelled stream whose true concept rotates a little every day and jumps at
        sudden drifts. Each strategy trains a real SGD logistic regression and
        predicts each day with the model trained up to the day before; the table
        shows accuracy (overall, right after drifts, worst day) against compute
        (examples processed), and which strategy the numbers favour — including the
        seed's 全量 + 增量 (full + incremental).
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.retrain import simulate_retrain

        run_and_emit(
            simulate_retrain, as_json=json_, title="Retraining",
            days=days, samples_per_day=samples_per_day, n_features=n_features,
            gradual_drift_deg=gradual_drift_deg, sudden_drifts=sudden_drifts, warmup_days=warmup_days,
            window_days=window_days, epochs=epochs, learning_rate=learning_rate, seed=seed,
        )

    @group.command("tuning")
    def tuning_cmd(
        n_samples: int = _opt(T, "tuning", "n_samples"),
        n_features: int = _opt(T, "tuning", "n_features"),
        cv: int = _opt(T, "tuning", "cv"),
        random_iter: int = _opt(T, "tuning", "random_iter"),
        factor: int = _opt(T, "tuning", "factor"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Hyper-parameter search: grid vs random vs successive halving, score against fits.

        Tunes one decision-tree classifier with scikit-learn's GridSearchCV,
        RandomizedSearchCV and HalvingGridSearchCV over the same space and folds,
        then scores each chosen model on a held-out split: best validation AUC
        against fits spent, and when each search is worth it (the seed's "soft"
        AutoML; architecture search, NAS, is the expensive end).
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.tuning import simulate_tuning

        run_and_emit(
            simulate_tuning, as_json=json_, title="Hyper-parameter tuning",
            n_samples=n_samples, n_features=n_features, cv=cv, random_iter=random_iter,
            factor=factor, seed=seed,
        )
