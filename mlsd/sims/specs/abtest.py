"""Registry entries for `mlsd simulate ab-test …` (plain data, no numpy).

The CLI (`mlsd/cli/sim_abtest.py`) takes each option's default and help from
here, so the command line, scenarios and `render` cannot drift apart.
"""

from mlsd.registry import OptionSpec, SimSpec

_MOD = "mlsd.sims.abtest"


def _o(name: str, type_: str, default, help_: str, choices: tuple[str, ...] = ()) -> OptionSpec:
    return OptionSpec(name, type_, default, help_, choices)


BASELINE = _o("baseline", "float", 0.1,
              "Control conversion rate (proportion), or the control mean with --metric mean.")
MDE = _o("mde", "float", 0.01,
         "Minimum detectable effect. ABSOLUTE by default, in the metric's units: 0.01 = +1 "
         "percentage point (0.10 → 0.11). With --relative, a fraction of the baseline instead: "
         "0.05 = +5% (0.10 → 0.105).")
RELATIVE = _o("relative", "bool", False,
              "Read --mde as RELATIVE, a fraction of the baseline (0.05 = +5%: 0.10 → 0.105), "
              "instead of the default absolute difference.")
ALPHA = _o("alpha", "float", 0.05, "Significance level: false-positive rate when nothing changed.")
POWER = _o("power", "float", 0.8, "Power 1−β: chance of detecting an effect of size --mde.")
ONE_SIDED = _o("one_sided", "bool", False,
               "Test only 'treatment better than control' (default: two-sided); a one-sided "
               "test cannot show that the treatment is worse.")
RATIO = _o("ratio", "float", 1.0, "Treatment arm size / control arm size (1.0 = 50/50 split).")
DAILY_TRAFFIC = _o("daily_traffic", "int", 10_000,
                   "Users entering the experiment per day (both arms together).")
METRIC = _o("metric", "choice", "proportion",
            "proportion (conversion, z-test) or mean (continuous metric, t-test; needs --std).",
            ("proportion", "mean"))
STD = _o("std", "float", 0.0, "Per-user standard deviation of the metric: required with "
         "--metric mean, not allowed with proportions (their sd comes from --baseline).")

PLAN_OPTIONS = (BASELINE, MDE, RELATIVE, ALPHA, POWER, ONE_SIDED, RATIO, DAILY_TRAFFIC, METRIC,
                STD)

SPECS: list[SimSpec] = [
    SimSpec(
        "ab-test",
        "The whole A/B procedure: plan the sample size, verify it by simulation, analyse a run.",
        f"{_MOD}:tour",
        (*PLAN_OPTIONS,
         _o("experiments", "int", 2_000, "Simulated A/A and A/B experiments for the check.")),
    ),
    SimSpec(
        "ab-test plan",
        "Sample size per arm and in total, and days needed at the given traffic.",
        f"{_MOD}:plan",
        PLAN_OPTIONS,
    ),
    SimSpec(
        "ab-test verify",
        "Simulate A/A and A/B experiments at the planned size: empirical α and power.",
        f"{_MOD}:verify",
        (*PLAN_OPTIONS,
         _o("experiments", "int", 10_000, "Simulated A/A and A/B experiments (each).")),
    ),
    SimSpec(
        "ab-test analyze",
        "Analyse a finished test: effect with CI, p-value, decision and a sample-ratio check.",
        f"{_MOD}:analyze",
        (
            _o("control", "str", "", "Control arm as CONVERTED/USERS, e.g. 1200/10000."),
            _o("treatment", "str", "", "Treatment arm as CONVERTED/USERS, e.g. 1310/10000."),
            _o("data", "str", "", "CSV with columns variant,converted (0/1) or variant,value; "
               "one variant named control (or A)."),
            ALPHA,
            ONE_SIDED,
            _o("ratio", "float", 1.0, "Intended treatment/control split the SRM check "
               "compares against (1.0 = 50/50)."),
        ),
    ),
    SimSpec(
        "ab-test peeking",
        "False-positive rate of checking every day vs once, and a sequential design that holds α.",
        "mlsd.sims.abtest_peeking:peeking",
        (
            _o("looks", "int", 20, "Interim looks at the data, 2 to 200 (e.g. once a day for "
               "20 days)."),
            ALPHA, POWER,
            _o("baseline", "float", 0.1, "Control conversion rate."),
            _o("mde", "float", 0.01, "Minimum detectable effect the test is planned for, absolute "
               "(0.01 = +1 percentage point)."),
            _o("method", "choice", "obrien-fleming", "α-spending function of the sequential "
               "design: obrien-fleming (strict early) or pocock (even); Lan–DeMets, each side "
               "spending α/2 (as gsDesign sfLDOF, rpact asOF, ldbounds).",
               ("obrien-fleming", "pocock")),
            _o("experiments", "int", 10_000, "Simulated A/A and A/B experiments."),
        ),
    ),
    SimSpec(
        "ab-test cuped",
        "Variance reduction with a pre-period covariate (CUPED): n falls by about 1−ρ².",
        "mlsd.sims.abtest_users:cuped",
        (
            _o("rho", "float", 0.5, "Correlation between the pre-period covariate and the metric."),
            _o("users_per_arm", "int", 5_000, "Users in each arm of each simulated experiment."),
            _o("effect", "float", 0.04, "True treatment effect in metric standard deviations."),
            ALPHA,
            _o("experiments", "int", 400, "Simulated experiments (A/B and A/A each)."),
        ),
    ),
    SimSpec(
        "ab-test unit",
        "User- vs request-level randomisation: correlated requests inflate false positives.",
        "mlsd.sims.abtest_users:unit",
        (
            _o("requests_per_user", "float", 10.0, "Average requests per user (≥ 1)."),
            _o("icc", "float", 0.2, "Intra-class correlation: share of request-metric variance "
               "that is per-user."),
            _o("users_per_arm", "int", 1_000, "Users in each arm of each simulated experiment."),
            ALPHA,
            _o("experiments", "int", 1_000, "Simulated A/A experiments."),
        ),
    ),
    SimSpec(
        "ab-test segments",
        "A treatment that helps overall but hurts new users; per-segment tests with correction.",
        "mlsd.sims.abtest_users:segments",
        (
            _o("baseline", "float", 0.1, "Conversion rate in every segment without treatment."),
            _o("users_per_arm", "int", 500_000, "Users in each arm."),
            _o("effect", "float", 0.05, "True relative lift for established users (0.05 = +5%)."),
            _o("new_share", "float", 0.2, "Share of users who are new."),
            _o("new_effect", "float", -0.1, "True relative lift for new users (-0.1 = -10%)."),
            ALPHA,
            _o("correction", "choice", "holm", "Multiple-testing correction across segments.",
               ("holm", "bonferroni", "fdr_bh", "none")),
            _o("experiments", "int", 2_000, "Simulated experiments for the error rates."),
        ),
    ),
]
