"""`mlsd simulate ranking | churn | abuse`: scenario worlds with a known truth.

Only parsing and printing here; the simulations live in `mlsd.sims.ranking`,
`mlsd.sims.churn` and `mlsd.sims.abuse` and are imported inside each command.
Option help comes from the registry specs so `--help` and scenarios agree.
"""

from __future__ import annotations

import typer

from mlsd.sims.specs import abuse as abuse_spec
from mlsd.sims.specs import churn as churn_spec
from mlsd.sims.specs import ranking as ranking_spec


def _help(module, option: str) -> str:
    spec = module.SPECS[0]
    found = spec.option(option)
    assert found is not None, f"{spec.name}: no option {option}"
    return found.help


SEED_HELP = "Random seed: same seed, same numbers."
JSON_HELP = "Print the result as JSON on stdout."


def register(group: typer.Typer) -> None:
    """Add `ranking`, `churn` and `abuse` to the `simulate` group."""

    @group.command("ranking")
    def ranking_cmd(
        n_users: int = typer.Option(2000, "--n-users", help=_help(ranking_spec, "n_users")),
        n_items: int = typer.Option(500, "--n-items", help=_help(ranking_spec, "n_items")),
        sessions: int = typer.Option(3, "--sessions", help=_help(ranking_spec, "sessions")),
        position_bias: float = typer.Option(1.0, "--position-bias", help=_help(ranking_spec, "position_bias")),
        seed: int = typer.Option(0, "--seed", help=SEED_HELP),
        json_: bool = typer.Option(False, "--json", help=JSON_HELP),
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
        n_customers: int = typer.Option(20000, "--n-customers", help=_help(churn_spec, "n_customers")),
        churn_rate: float = typer.Option(0.05, "--churn-rate", help=_help(churn_spec, "churn_rate")),
        customer_value: float = typer.Option(200.0, "--customer-value", help=_help(churn_spec, "customer_value")),
        offer_cost: float = typer.Option(10.0, "--offer-cost", help=_help(churn_spec, "offer_cost")),
        save_rate: float = typer.Option(0.3, "--save-rate", help=_help(churn_spec, "save_rate")),
        seed: int = typer.Option(0, "--seed", help=SEED_HELP),
        json_: bool = typer.Option(False, "--json", help=JSON_HELP),
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
        n_accounts: int = typer.Option(20000, "--n-accounts", help=_help(abuse_spec, "n_accounts")),
        abuse_rate: float = typer.Option(0.005, "--abuse-rate", help=_help(abuse_spec, "abuse_rate")),
        label_noise: float = typer.Option(0.1, "--label-noise", help=_help(abuse_spec, "label_noise")),
        drift: float = typer.Option(0.2, "--drift", help=_help(abuse_spec, "drift")),
        periods: int = typer.Option(10, "--periods", help=_help(abuse_spec, "periods")),
        queue_capacity: int = typer.Option(100, "--queue-capacity", help=_help(abuse_spec, "queue_capacity")),
        seed: int = typer.Option(0, "--seed", help=SEED_HELP),
        json_: bool = typer.Option(False, "--json", help=JSON_HELP),
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
