"""`mlsd simulate ranking | churn | abuse`: scenario worlds with a known truth.

Only parsing and printing here; the simulations live in `mlsd.sims.ranking`,
`mlsd.sims.churn` and `mlsd.sims.abuse` and are imported inside each command.
Option help comes from the registry specs so `--help` and scenarios agree.
"""

from __future__ import annotations

import typer

from mlsd.cli.simopts import json_option, option, seed_option


def register(group: typer.Typer) -> None:
    """Add `ranking`, `churn` and `abuse` to the `simulate` group."""

    @group.command("ranking")
    def ranking_cmd(
        n_users: int = option("ranking", "n_users"),
        n_items: int = option("ranking", "n_items"),
        sessions: int = option("ranking", "sessions"),
        position_bias: float = option("ranking", "position_bias"),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Feed ranking on position-biased click logs, scored against the true relevance.

        Builds users and items with known relevance, logs lists of 10 from an old
        ranker that boosts fresh items, with clicks = examination (1/rank^η) ×
        relevance. Trains popularity, logistic regression and gradient-boosted trees
        naively, with inverse-propensity weights (propensities estimated from 5% of
        randomised lists) and with position as a feature fixed at serving. Reports
        logged AUC, log loss and calibration error next to NDCG@10 against the true
        relevance; then cold start for new users and items with the fallback the
        numbers favour, an MMR λ table (relevance vs diversity) and a two-head
        (click, long dwell) trade-off.
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.ranking import simulate_ranking

        run_and_emit(
            simulate_ranking, as_json=json_, title="Feed ranking",
            n_users=n_users, n_items=n_items, sessions=sessions, position_bias=position_bias, seed=seed,
        )

    @group.command("churn")
    def churn_cmd(
        n_customers: int = option("churn", "n_customers"),
        churn_rate: float = option("churn", "churn_rate"),
        customer_value: float = option("churn", "customer_value"),
        offer_cost: float = option("churn", "offer_cost"),
        save_rate: float = option("churn", "save_rate"),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Churn prediction on a time-based split, the leakage trap, and a profit-maximising threshold.

        Two monthly snapshots of a customer table (tenure, usage trend, logins,
        tickets, plan, payment failures) with ~5% churners: train on the earlier,
        judge on the later. A leaky pipeline that reads logins after the label
        window shows a high offline AUC that falls apart at prediction time.
        Compares logistic regression and gradient-boosted trees with and without
        class weights (ROC-AUC, PR-AUC, recall at the top 5%/10%), then picks the
        targeting threshold that maximises profit on validation data, given the
        value of a saved customer, the offer's save rate and its cost.
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.churn import simulate_churn

        run_and_emit(
            simulate_churn, as_json=json_, title="Customer churn",
            n_customers=n_customers, churn_rate=churn_rate, customer_value=customer_value,
            offer_cost=offer_cost, save_rate=save_rate, seed=seed,
        )

    @group.command("abuse")
    def abuse_cmd(
        n_accounts: int = option("abuse", "n_accounts"),
        abuse_rate: float = option("abuse", "abuse_rate"),
        label_noise: float = option("abuse", "label_noise"),
        drift: float = option("abuse", "drift"),
        periods: int = option("abuse", "periods"),
        queue_capacity: int = option("abuse", "queue_capacity"),
        seed: int = seed_option(),
        json_: bool = json_option(),
    ) -> None:
        """Abuse detection: a fixed-size review queue as abusers adapt, with noisy labels.

        Each period brings new accounts with a small share of abusers who drift
        away from the signals that gave them away. Labels come from noisy human
        review. Reports precision@k and recall of a review queue of fixed capacity
        for a model never retrained, retrained once and retrained every period; the
        effect of label noise; and class weighting vs undersampling.
        """
        from mlsd.cli.output import run_and_emit
        from mlsd.sims.abuse import simulate_abuse

        run_and_emit(
            simulate_abuse, as_json=json_, title="Abuse detection",
            n_accounts=n_accounts, abuse_rate=abuse_rate, label_noise=label_noise, drift=drift,
            periods=periods, queue_capacity=queue_capacity, seed=seed,
        )
