"""Declarations of `mlsd simulate ab-test` and its subcommands (plain data, no numpy).

`ab-test` itself (the tour) is a command group: its options run the whole procedure,
its subcommands (`ab-test plan`, …) each step.
"""

from mlsd.limits import Limit, above, below, closed, open_
from mlsd.sims.registry import OptionSpec, SimSpec

_MOD = "mlsd.sims.abtest"  # the package re-exports plan, verify, analyze and tour
_PROB = open_(0, 1)
MAX_DATA_BYTES = 200 * 1024 * 1024  # --data files larger than this are refused


def _o(name: str, type_: str, default, help_: str, choices: tuple[str, ...] = (),
       range: Limit | None = None) -> OptionSpec:
    return OptionSpec(name, type_, default, help_, choices, range=range)


BASELINE = _o("baseline", "float", 0.1,
              "Control conversion rate (proportion), or the control mean with --metric mean.",
              range=closed(-1e12, 1e12))
MDE = _o("mde", "float", 0.01,
         "Minimum detectable effect. ABSOLUTE by default, in the metric's units: 0.01 = +1 "
         "percentage point (0.10 → 0.11). With --relative, a fraction of the baseline instead: "
         "0.05 = +5% (0.10 → 0.105).", range=above(0, 1e12))
RELATIVE = _o("relative", "bool", False,
              "Read --mde as RELATIVE, a fraction of the baseline (0.05 = +5%: 0.10 → 0.105), "
              "instead of the default absolute difference.")
ALPHA = _o("alpha", "float", 0.05, "Significance level: false-positive rate when nothing changed.",
           range=_PROB)
POWER = _o("power", "float", 0.8, "Power 1−β: chance of detecting an effect of size --mde.",
           range=_PROB)
ONE_SIDED = _o("one_sided", "bool", False,
               "Test only 'treatment better than control' (default: two-sided); a one-sided "
               "test cannot show that the treatment is worse.")
RATIO = _o("ratio", "float", 1.0, "Treatment arm size / control arm size (1.0 = 50/50 split).",
           range=closed(0.01, 100))
DAILY_TRAFFIC = _o("daily_traffic", "int", 10_000,
                   "Users entering the experiment per day (both arms together).",
                   range=closed(1, 10**12))
METRIC = _o("metric", "choice", "proportion",
            "proportion (conversion, z-test) or mean (continuous metric, t-test; needs --std).",
            ("proportion", "mean"))
STD = _o("std", "float", 0.0, "Per-user standard deviation of the metric: required with "
         "--metric mean, not allowed with proportions (their sd comes from --baseline).",
         range=closed(0, 1e12))

PLAN_OPTIONS = (BASELINE, MDE, RELATIVE, ALPHA, POWER, ONE_SIDED, RATIO, DAILY_TRAFFIC, METRIC,
                STD)

SPECS: list[SimSpec] = [
    SimSpec(
        "ab-test",
        "The whole A/B procedure: plan the sample size, verify it by simulation, analyse a run.",
        f"{_MOD}:tour",
        (*PLAN_OPTIONS,
         _o("experiments", "int", 2_000, "Simulated A/A and A/B experiments for the check.", range=closed(100, 1_000_000))),
        title='A/B test: plan → verify → analyse',
        order=100,
        doc="""A/B testing, the whole procedure: plan, verify by simulation, analyse.

        With no subcommand: the sample size for your baseline and MDE, a check of
        that plan by simulating A/A and A/B experiments at that size, and one
        simulated experiment analysed the way a real one would be. --json gives the
        plan's keys (with `verify` and `analysis` nested). The subcommands go deeper
        into each step and show why its rules exist.
        """,
    ),
    SimSpec(
        "ab-test plan",
        "Sample size per arm and in total, and days needed at the given traffic.",
        f"{_MOD}:plan",
        PLAN_OPTIONS,
        title='A/B test plan',
        doc="""Sample size per arm and in total, and the days it takes at your traffic.

        --mde is an absolute difference (0.01 = +1 percentage point) unless --relative.
        Proportions use the two-proportion z-test with pooled variance under H0 (the
        normal approximation of statsmodels' samplesize_proportions_2indep_onetail, at
        α/2 per tail when two-sided); --metric mean uses the pooled two-sample t-test (as
        statsmodels' TTestIndPower). n_per_arm is the control arm, rounded up; the
        treatment arm is --ratio times it. Also prints MDE → n for your baseline. An MDE
        needing more than 1e12 users per arm is refused, with the MDE your traffic allows.
        """,
    ),
    SimSpec(
        "ab-test verify",
        "Simulate A/A and A/B experiments at the planned size: empirical α and power.",
        f"{_MOD}:verify",
        (*PLAN_OPTIONS,
         _o("experiments", "int", 10_000, "Simulated A/A and A/B experiments (each).", range=closed(100, 1_000_000))),
        title='A/B test plan, verified',
        doc="""Check the plan by simulation: empirical false-positive rate and power.

        Simulates --experiments A/A experiments (no effect) and as many A/B experiments
        (effect = MDE) at the planned sample size, runs the planned test on each and
        reports how often it fired, with 95% Wilson intervals, plus simulated power at
        other sample sizes. Draws binomial counts, not users, so it is fast at any size.
        """,
    ),
    SimSpec(
        "ab-test analyze",
        "Analyse a finished test: effect with CI, p-value, decision and a sample-ratio check.",
        f"{_MOD}:analyze",
        (
            _o("control", "str", "", "Control arm as CONVERTED/USERS, e.g. 1200/10000."),
            _o("treatment", "str", "", "Treatment arm as CONVERTED/USERS, e.g. 1310/10000."),
            OptionSpec("data", "file", "", "CSV with columns variant,converted (0/1) or variant,value; "
                       "one variant named control (or A).", max_bytes=MAX_DATA_BYTES,
                       parse="mlsd.sims.abtest.analysis:parse_csv"),
            ALPHA,
            ONE_SIDED,
            _o("ratio", "float", 1.0, "Intended treatment/control split the SRM check "
               "compares against (1.0 = 50/50).", range=closed(0.01, 100)),
        ),
        title='A/B test analysis',
        doc="""Analyse a finished test: effect, CI, p-value, decision, sample-ratio check.

        Give counts (--control 1200/10000 --treatment 1310/10000) or a CSV (--data, at
        most 200 MB) with columns variant,converted or variant,value. Conversions use the
        pooled two-proportion z-test with a Wald CI, or at small counts Fisher's exact
        test with Newcombe's score CI; the relative CI is a risk-ratio interval. Values
        use Welch's t-test. --one-sided tests only for a gain but still says when the
        treatment looks worse. A chi-square sample-ratio-mismatch check against --ratio
        refuses to call the result when p < 0.001.
        """,
    ),
    SimSpec(
        "ab-test peeking",
        "False-positive rate of checking every day vs once, and a sequential design that holds α.",
        "mlsd.sims.abtest.peeking:peeking",
        (
            _o("looks", "int", 20, "Interim looks at the data, 2 to 200 (e.g. once a day for "
               "20 days).", range=closed(2, 200)),
            ALPHA, POWER,
            _o("baseline", "float", 0.1, "Control conversion rate.", range=_PROB),
            _o("mde", "float", 0.01, "Minimum detectable effect the test is planned for, absolute "
               "(0.01 = +1 percentage point).", range=_PROB),
            _o("method", "choice", "obrien-fleming", "α-spending function of the sequential "
               "design: obrien-fleming (strict early) or pocock (even); Lan–DeMets, each side "
               "spending α/2 (as gsDesign sfLDOF, rpact asOF, ldbounds).",
               ("obrien-fleming", "pocock")),
            _o("experiments", "int", 10_000, "Simulated A/A and A/B experiments.", range=closed(100, 1_000_000)),
        ),
        title='A/B test: peeking',
        doc="""Why not to stop when it looks significant: peeking vs a sequential design.

        Simulates A/A experiments checked at --looks (≥ 2) equally spaced looks: the
        false-positive rate of stopping at the first p < α, against checking once and
        against a group-sequential design whose boundaries spend α with the Lan–DeMets
        --method function (computed by numerical integration). Also its power.
        """,
    ),
    SimSpec(
        "ab-test cuped",
        "Variance reduction with a pre-period covariate (CUPED): n falls by about 1−ρ².",
        "mlsd.sims.abtest.users:cuped",
        (
            _o("rho", "float", 0.5, "Correlation between the pre-period covariate and the metric.", range=open_(-1, 1)),
            _o("users_per_arm", "int", 5_000, "Users in each arm of each simulated experiment.", range=closed(10, 1_000_000)),
            _o("effect", "float", 0.04, "True treatment effect in metric standard deviations.", range=above(0, 100)),
            ALPHA,
            _o("experiments", "int", 400, "Simulated experiments (A/B and A/A each).", range=closed(20, 100_000)),
        ),
        title='A/B test: CUPED',
        doc="""CUPED: a pre-period covariate cuts variance, and sample size, by about ρ².

        Simulates users with a pre-experiment covariate correlated --rho with the metric,
        adjusts Y − θ(X − mean X) and compares variance, power, false-positive rate and
        the users needed for 80% power with and without the adjustment.
        """,
    ),
    SimSpec(
        "ab-test unit",
        "User- vs request-level randomisation: correlated requests inflate false positives.",
        "mlsd.sims.abtest.users:unit",
        (
            _o("requests_per_user", "float", 10.0, "Average requests per user (≥ 1).", range=closed(1, 10_000)),
            _o("icc", "float", 0.2, "Intra-class correlation: share of request-metric variance "
               "that is per-user.", range=below(0, 1)),
            _o("users_per_arm", "int", 1_000, "Users in each arm of each simulated experiment.", range=closed(10, 1_000_000)),
            ALPHA,
            _o("experiments", "int", 1_000, "Simulated A/A experiments.", range=closed(20, 100_000)),
        ),
        title='A/B test: randomisation unit',
        doc="""Randomise by user or by request: what treating requests as independent costs.

        Simulates A/A experiments in which a user's requests share a per-user effect
        (--icc). Randomising users but testing requests as independent inflates the
        false-positive rate by the design effect; per-user analysis, the delta method,
        or request-level randomisation keep it at α.
        """,
    ),
    SimSpec(
        "ab-test segments",
        "A treatment that helps overall but hurts new users; per-segment tests with correction.",
        "mlsd.sims.abtest.users:segments",
        (
            _o("baseline", "float", 0.1, "Conversion rate in every segment without treatment.", range=_PROB),
            _o("users_per_arm", "int", 500_000, "Users in each arm.", range=closed(100, 100_000_000)),
            _o("effect", "float", 0.05, "True relative lift for established users (0.05 = +5%).", range=open_(-1, 1e6)),
            _o("new_share", "float", 0.2, "Share of users who are new.", range=_PROB),
            _o("new_effect", "float", -0.1, "True relative lift for new users (-0.1 = -10%).", range=open_(-1, 1e6)),
            ALPHA,
            _o("correction", "choice", "holm", "Multiple-testing correction across segments.",
               ("holm", "bonferroni", "fdr_bh", "none")),
            _o("experiments", "int", 2_000, "Simulated experiments for the error rates.", range=closed(20, 1_000_000)),
        ),
        title='A/B test: segments',
        doc="""A win overall that hurts new users: per-segment effects, corrected for testing.

        Simulates a treatment with lift --effect for established users and --new-effect
        for new users, tests every segment with a --correction for multiple testing, and
        shows how often uncorrected segment hunting finds an effect that is not there.
        """,
    ),
]
