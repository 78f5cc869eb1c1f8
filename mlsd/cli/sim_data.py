"""`mlsd simulate features | retrain | tuning`: data, retraining and tuning in production.

Help strings and defaults come from the registry specs (`mlsd/sims/specs/`), so
the CLI and a scenario's `simulations:` entries cannot drift apart. The
simulation modules (numpy, pandas, scikit-learn) are imported inside the
commands only.
"""

from __future__ import annotations

import typer

from mlsd.cli.simopts import json_option as _json
from mlsd.cli.simopts import option
from mlsd.cli.simopts import seed_option as _seed


def register(group: typer.Typer) -> None:
    """Add `features`, `retrain` and `tuning` to the `simulate` group."""
    @group.command("features")
    def features_cmd(
        n_users: int = option("features", "n_users"),
        days: int = option("features", "days"),
        train_days: int = option("features", "train_days"),
        events_per_user_per_day: float = option("features", "events_per_user_per_day"),
        interest_halflife_hours: float = option("features", "interest_halflife_hours"),
        new_user_share: float = option("features", "new_user_share"),
        zipf_exponent: float = option("features", "zipf_exponent"),
        cache_hit_ms: float = option("features", "cache_hit_ms"),
        store_ms: float = option("features", "store_ms"),
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
        days: int = option("retrain", "days"),
        samples_per_day: int = option("retrain", "samples_per_day"),
        n_features: int = option("retrain", "n_features"),
        gradual_drift_deg: float = option("retrain", "gradual_drift_deg"),
        sudden_drifts: int = option("retrain", "sudden_drifts"),
        warmup_days: int = option("retrain", "warmup_days"),
        window_days: int = option("retrain", "window_days"),
        epochs: int = option("retrain", "epochs"),
        learning_rate: float = option("retrain", "learning_rate"),
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
        n_samples: int = option("tuning", "n_samples"),
        n_features: int = option("tuning", "n_features"),
        cv: int = option("tuning", "cv"),
        random_iter: int = option("tuning", "random_iter"),
        factor: int = option("tuning", "factor"),
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
