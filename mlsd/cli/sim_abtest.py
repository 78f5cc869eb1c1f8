"""`mlsd simulate ab-test`: the tour, plan, verify, analyze, peeking, cuped, unit, segments.

Only parsing and printing: each command imports its simulation inside the
function body. Option defaults and help come from `mlsd.sims.specs.abtest`, the
registry the scenarios use, so the two cannot disagree.
"""

from __future__ import annotations

import typer

from mlsd.cli.simopts import json_option as _json
from mlsd.cli.simopts import option as _opt
from mlsd.cli.simopts import run
from mlsd.cli.simopts import seed_option as _seed


def register(group: typer.Typer) -> None:
    """Add `ab-test` and its subcommands to the `simulate` group."""
    ab = typer.Typer(name="ab-test", invoke_without_command=True, no_args_is_help=False)

    T = "ab-test"

    @ab.callback(invoke_without_command=True)
    def tour_cmd(
        ctx: typer.Context,
        baseline: float = _opt(T, "baseline"),
        mde: float = _opt(T, "mde"),
        relative: bool = _opt(T, "relative"),
        alpha: float = _opt(T, "alpha"),
        power: float = _opt(T, "power"),
        one_sided: bool = _opt(T, "one_sided"),
        ratio: float = _opt(T, "ratio"),
        daily_traffic: int = _opt(T, "daily_traffic"),
        metric: str = _opt(T, "metric"),
        std: float = _opt(T, "std"),
        experiments: int = _opt(T, "experiments"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """A/B testing, the whole procedure: plan, verify by simulation, analyse.

        With no subcommand: the sample size for your baseline and MDE, a check of
        that plan by simulating A/A and A/B experiments at that size, and one
        simulated experiment analysed the way a real one would be. --json gives the
        plan's keys (with `verify` and `analysis` nested). The subcommands go deeper
        into each step and show why its rules exist.
        """
        if ctx.invoked_subcommand is not None:
            return
        run("mlsd.sims.abtest:tour", as_json=json_, title="A/B test: plan → verify → analyse",
              baseline=baseline, mde=mde, relative=relative, alpha=alpha, power=power,
              one_sided=one_sided, ratio=ratio, daily_traffic=daily_traffic, metric=metric,
              std=std, experiments=experiments, seed=seed)

    P = "ab-test plan"

    @ab.command("plan")
    def plan_cmd(
        baseline: float = _opt(P, "baseline"),
        mde: float = _opt(P, "mde"),
        relative: bool = _opt(P, "relative"),
        alpha: float = _opt(P, "alpha"),
        power: float = _opt(P, "power"),
        one_sided: bool = _opt(P, "one_sided"),
        ratio: float = _opt(P, "ratio"),
        daily_traffic: int = _opt(P, "daily_traffic"),
        metric: str = _opt(P, "metric"),
        std: float = _opt(P, "std"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Sample size per arm and in total, and the days it takes at your traffic.

        --mde is an absolute difference (0.01 = +1 percentage point) unless --relative.
        Proportions use the two-proportion z-test with pooled variance under H0 (the
        normal approximation of statsmodels' samplesize_proportions_2indep_onetail, at
        α/2 per tail when two-sided); --metric mean uses the pooled two-sample t-test (as
        statsmodels' TTestIndPower). n_per_arm is the control arm, rounded up; the
        treatment arm is --ratio times it. Also prints MDE → n for your baseline. An MDE
        needing more than 1e12 users per arm is refused, with the MDE your traffic allows.
        """
        run("mlsd.sims.abtest:plan", as_json=json_, title="A/B test plan",
              baseline=baseline, mde=mde, relative=relative, alpha=alpha, power=power,
              one_sided=one_sided, ratio=ratio, daily_traffic=daily_traffic, metric=metric,
              std=std, seed=seed)

    V = "ab-test verify"

    @ab.command("verify")
    def verify_cmd(
        baseline: float = _opt(V, "baseline"),
        mde: float = _opt(V, "mde"),
        relative: bool = _opt(V, "relative"),
        alpha: float = _opt(V, "alpha"),
        power: float = _opt(V, "power"),
        one_sided: bool = _opt(V, "one_sided"),
        ratio: float = _opt(V, "ratio"),
        daily_traffic: int = _opt(V, "daily_traffic"),
        metric: str = _opt(V, "metric"),
        std: float = _opt(V, "std"),
        experiments: int = _opt(V, "experiments"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Check the plan by simulation: empirical false-positive rate and power.

        Simulates --experiments A/A experiments (no effect) and as many A/B experiments
        (effect = MDE) at the planned sample size, runs the planned test on each and
        reports how often it fired, with 95% Wilson intervals, plus simulated power at
        other sample sizes. Draws binomial counts, not users, so it is fast at any size.
        """
        run("mlsd.sims.abtest:verify", as_json=json_, title="A/B test plan, verified",
              baseline=baseline, mde=mde, relative=relative, alpha=alpha, power=power,
              one_sided=one_sided, ratio=ratio, daily_traffic=daily_traffic, metric=metric,
              std=std, experiments=experiments, seed=seed)

    A = "ab-test analyze"

    @ab.command("analyze")
    def analyze_cmd(
        control: str = _opt(A, "control"),
        treatment: str = _opt(A, "treatment"),
        data: str = _opt(A, "data"),
        alpha: float = _opt(A, "alpha"),
        one_sided: bool = _opt(A, "one_sided"),
        ratio: float = _opt(A, "ratio"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Analyse a finished test: effect, CI, p-value, decision, sample-ratio check.

        Give counts (--control 1200/10000 --treatment 1310/10000) or a CSV (--data, at
        most 200 MB) with columns variant,converted or variant,value. Conversions use the
        pooled two-proportion z-test with a Wald CI, or at small counts Fisher's exact
        test with Newcombe's score CI; the relative CI is a risk-ratio interval. Values
        use Welch's t-test. --one-sided tests only for a gain but still says when the
        treatment looks worse. A chi-square sample-ratio-mismatch check against --ratio
        refuses to call the result when p < 0.001.
        """
        run("mlsd.sims.abtest:analyze", as_json=json_, title="A/B test analysis",
              control=control, treatment=treatment, data=data, alpha=alpha,
              one_sided=one_sided, ratio=ratio, seed=seed)

    K = "ab-test peeking"

    @ab.command("peeking")
    def peeking_cmd(
        looks: int = _opt(K, "looks"),
        alpha: float = _opt(K, "alpha"),
        power: float = _opt(K, "power"),
        baseline: float = _opt(K, "baseline"),
        mde: float = _opt(K, "mde"),
        method: str = _opt(K, "method"),
        experiments: int = _opt(K, "experiments"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Why not to stop when it looks significant: peeking vs a sequential design.

        Simulates A/A experiments checked at --looks (≥ 2) equally spaced looks: the
        false-positive rate of stopping at the first p < α, against checking once and
        against a group-sequential design whose boundaries spend α with the Lan–DeMets
        --method function (computed by numerical integration). Also its power.
        """
        run("mlsd.sims.abtest_peeking:peeking", as_json=json_, title="A/B test: peeking",
              looks=looks, alpha=alpha, power=power, baseline=baseline, mde=mde, method=method,
              experiments=experiments, seed=seed)

    C = "ab-test cuped"

    @ab.command("cuped")
    def cuped_cmd(
        rho: float = _opt(C, "rho"),
        users_per_arm: int = _opt(C, "users_per_arm"),
        effect: float = _opt(C, "effect"),
        alpha: float = _opt(C, "alpha"),
        experiments: int = _opt(C, "experiments"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """CUPED: a pre-period covariate cuts variance, and sample size, by about ρ².

        Simulates users with a pre-experiment covariate correlated --rho with the metric,
        adjusts Y − θ(X − mean X) and compares variance, power, false-positive rate and
        the users needed for 80% power with and without the adjustment.
        """
        run("mlsd.sims.abtest_users:cuped", as_json=json_, title="A/B test: CUPED",
              rho=rho, users_per_arm=users_per_arm, effect=effect, alpha=alpha,
              experiments=experiments, seed=seed)

    U = "ab-test unit"

    @ab.command("unit")
    def unit_cmd(
        requests_per_user: float = _opt(U, "requests_per_user"),
        icc: float = _opt(U, "icc"),
        users_per_arm: int = _opt(U, "users_per_arm"),
        alpha: float = _opt(U, "alpha"),
        experiments: int = _opt(U, "experiments"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """Randomise by user or by request: what treating requests as independent costs.

        Simulates A/A experiments in which a user's requests share a per-user effect
        (--icc). Randomising users but testing requests as independent inflates the
        false-positive rate by the design effect; per-user analysis, the delta method,
        or request-level randomisation keep it at α.
        """
        run("mlsd.sims.abtest_users:unit", as_json=json_,
              title="A/B test: randomisation unit", requests_per_user=requests_per_user,
              icc=icc, users_per_arm=users_per_arm, alpha=alpha, experiments=experiments,
              seed=seed)

    S = "ab-test segments"

    @ab.command("segments")
    def segments_cmd(
        baseline: float = _opt(S, "baseline"),
        users_per_arm: int = _opt(S, "users_per_arm"),
        effect: float = _opt(S, "effect"),
        new_share: float = _opt(S, "new_share"),
        new_effect: float = _opt(S, "new_effect"),
        alpha: float = _opt(S, "alpha"),
        correction: str = _opt(S, "correction"),
        experiments: int = _opt(S, "experiments"),
        seed: int = _seed(),
        json_: bool = _json(),
    ) -> None:
        """A win overall that hurts new users: per-segment effects, corrected for testing.

        Simulates a treatment with lift --effect for established users and --new-effect
        for new users, tests every segment with a --correction for multiple testing, and
        shows how often uncorrected segment hunting finds an effect that is not there.
        """
        run("mlsd.sims.abtest_users:segments", as_json=json_, title="A/B test: segments",
              baseline=baseline, users_per_arm=users_per_arm, effect=effect,
              new_share=new_share, new_effect=new_effect, alpha=alpha, correction=correction,
              experiments=experiments, seed=seed)

    group.add_typer(ab, name="ab-test")
