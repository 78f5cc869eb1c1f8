"""Declaration for `mlsd simulate churn` (plain data, no numpy)."""

from mlsd.limits import above, closed
from mlsd.sims.registry import OptionSpec, SimSpec

SPECS: list[SimSpec] = [
    SimSpec(
        name='churn',
        summary='Churn models on a time-based split: the leakage trap, LR vs GBDT, class weights, a profit-maximising threshold.',
        target='mlsd.sims.churn:simulate_churn',
        title='Customer churn',
        order=1,
        doc="""Churn prediction on a time-based split, the leakage trap, and a profit-maximising threshold.

        Two monthly snapshots of a customer table (tenure, usage trend, logins,
        tickets, plan, payment failures) with ~5% churners: train on the earlier,
        judge on the later. A leaky pipeline that reads logins after the label
        window shows a high offline AUC that falls apart at prediction time.
        Compares logistic regression and gradient-boosted trees with and without
        class weights (ROC-AUC, PR-AUC, recall at the top 5%/10%), then picks the
        targeting threshold that maximises profit on validation data, given the
        value of a saved customer, the offer's save rate and its cost.
        """,
        options=(
            OptionSpec('n_customers', 'int', 20_000, 'Customers per monthly snapshot (1,000 to 100,000,000, memory permitting).', range=closed(1000, 10**8)),
            OptionSpec('churn_rate', 'float', 0.05, 'Share of customers who churn in the 30 days after the date, in (0, 0.5].', range=above(0, 0.5)),
            OptionSpec('customer_value', 'float', 200.0, 'Value of keeping a customer who would have churned.', range=above(0, 1e9)),
            OptionSpec('offer_cost', 'float', 10.0, 'Cost of one retention offer, paid for every customer targeted.', range=above(0, 1e9)),
            OptionSpec('save_rate', 'float', 0.3, 'Share of targeted churners the offer keeps, in (0, 1].', range=above(0, 1)),
        ),
    )
]
