"""Registry entry for `mlsd simulate churn` (plain data, no numpy)."""

from mlsd.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name="churn",
        summary="Churn models on a time-based split: the leakage trap, LR vs GBDT, class weights, a profit-maximising threshold.",
        target="mlsd.sims.churn:simulate_churn",
        options=(
            OptionSpec("n_customers", "int", 20000, "Customers per monthly snapshot (1,000 to 100,000,000, memory permitting)."),
            OptionSpec("churn_rate", "float", 0.05, "Share of customers who churn in the 30 days after the date, in (0, 0.5]."),
            OptionSpec("customer_value", "float", 200.0, "Value of keeping a customer who would have churned."),
            OptionSpec("offer_cost", "float", 10.0, "Cost of one retention offer, paid for every customer targeted."),
            OptionSpec("save_rate", "float", 0.3, "Share of targeted churners the offer keeps, in (0, 1]."),
        ),
    )
]
