"""Monitoring a model in production: drift, score distribution, QPS, p99 and delayed labels.

The source notes' interview example "design a monitoring system to realtime measure ML
models, including features, score distribution, qps", run for real:

- A spam classifier (scikit-learn logistic regression, trained here on
  synthetic accounts) serves a stream of requests: 6 numeric and 2 categorical
  features, a score, a latency that grows with load (queueing), a request rate
  per minute with a slow daily cycle, and a label that arrives `label_delay`
  minutes after the request.
- Incidents are injected at known minutes: ``data-drift`` (a campaign brings
  newer accounts from other countries on android: inputs move, P(spam | x) does
  not), ``score-shift`` (a bad model push adds +1.2 to every logit: inputs do not
  move, scores do), ``concept-drift`` (spammers adapt: P(spam | x) changes,
  inputs and scores do not), ``qps-spike`` (3x traffic) and
  ``latency-regression`` (a slow dependency doubles service time).
- Every window is compared with the reference (the first `reference_minutes`):
  QPS, p50/p99 latency, PSI and KS per numeric feature and for the score, PSI and
  Jensen-Shannon per categorical feature (statistics in `mlsd.sims.drift`), and,
  once the labels are in, precision/recall/AUC. KS p-values are scipy's exact
  ``kstwo`` where the effective sample size n*m/(n+m) is under 10,000 and a closed
  form within 0.5 % of it above (`mlsd.sims.drift.ks_pvalue`, "auto").
- Alert rules (defaults in `AlertRules`, overridable from a YAML file) raise
  alerts; each incident's detection delay is the first alert raised at or after
  its start and before its effects can have faded; a second run with no incident
  counts false alarms.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields

import numpy as np

from mlsd.errors import BadInputError, check_positive, check_range, did_you_mean
from mlsd.i18n import _
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
)
from mlsd.sims.drift import DriftReference, categorical_psi, js_distance
from mlsd.sims.metrics import roc_auc

INCIDENTS = ("data-drift", "score-shift", "concept-drift", "qps-spike", "latency-regression")
INCIDENT_CHOICES = (*INCIDENTS, "none")

NUMERIC = ("account_age_days", "msgs_per_hour", "link_ratio", "report_rate", "followers", "text_length")
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "country": ("US", "IN", "BR", "DE", "ID", "other"),
    "device": ("ios", "android", "web"),
}
_COUNTRY_P = np.array([0.35, 0.2, 0.15, 0.1, 0.1, 0.1])
_DEVICE_P = np.array([0.45, 0.4, 0.15])
# data-drift: a campaign in IN/ID on android brings accounts a few months old.
_COUNTRY_P_DRIFT = np.array([0.15, 0.35, 0.1, 0.05, 0.3, 0.05])
_DEVICE_P_DRIFT = np.array([0.2, 0.7, 0.1])
_AGE_SHIFT = -1.0  # in standard deviations of log account age

SCORE_SHIFT_LOGIT = 1.2
QPS_SPIKE_FACTOR = 3.0
LATENCY_REGRESSION_FACTOR = 2.0
CAPACITY_FACTOR = 4.0  # the service saturates at 4x the base request rate
BASE_SERVICE_MS = 30.0
LATENCY_SIGMA = 0.35
THRESHOLD = 0.5  # precision/recall are at score >= 0.5
MAX_REQUESTS = 5_000_000  # per run: keeps memory and the default-time budget sane
MIN_REFERENCE = 1_000  # expected requests in the reference window
SCORE = "score"


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class AlertRules:
    """When an alert fires. Every field can be overridden from a YAML `--rules` file."""

    psi: float = 0.2  # PSI >= this on a feature or the score
    ks_alpha: float = 0.01  # KS p < ks_alpha / (number of KS tests) with bonferroni
    ks_correction: str = "bonferroni"  # or "none"
    js: float = 0.1  # Jensen-Shannon distance (base 2) >= this on a categorical
    p99_ms: float = 150.0  # the latency SLO: window p99 above it
    qps_low: float = 0.5  # window QPS below qps_low x reference QPS
    qps_high: float = 2.0  # ... or above qps_high x reference QPS
    auc_drop: float = 0.05  # AUC below reference AUC minus this, once labels arrive

    def describe(self, n_ks: int, ref_qps: float, ref_auc: float) -> list[tuple[str, str, str]]:
        """(rule, condition, what it watches) rows for the rules table."""
        ks_limit = self.ks_limit(n_ks)
        corr = f" (= {self.ks_alpha:g} / {n_ks}, bonferroni)" if self.ks_correction == "bonferroni" else ""
        return [
            ("psi", f"PSI >= {self.psi:g}", _("each feature and the score")),
            ("ks", f"KS p < {ks_limit:.3g}{corr}", _("numeric features and the score")),
            ("js", _("JS distance >= {js}").format(js=f"{self.js:g}"), _("categorical features")),
            ("p99", f"p99 > {self.p99_ms:g} ms", _("latency SLO")),
            ("qps", _("QPS outside [{low}, {high}] x {qps}").format(
                low=f"{self.qps_low:g}", high=f"{self.qps_high:g}", qps=f"{ref_qps:.1f}"), _("request rate")),
            ("auc", f"AUC < {ref_auc:.3f} - {self.auc_drop:g}",
             _("delayed labels, threshold {threshold}").format(threshold=THRESHOLD)),
        ]

    def ks_limit(self, n_ks: int) -> float:
        return self.ks_alpha / n_ks if self.ks_correction == "bonferroni" else self.ks_alpha


# (low, high, high inclusive): every threshold must be > low.
_RULE_RANGES: dict[str, tuple[float, float | None, bool]] = {
    "psi": (0.0, None, False),
    "ks_alpha": (0.0, 1.0, False),
    "js": (0.0, 1.0, True),
    "p99_ms": (0.0, None, False),
    "qps_low": (0.0, None, False),
    "qps_high": (0.0, None, False),
    "auc_drop": (0.0, 1.0, False),
}


def parse_rules(text: str, path: str) -> AlertRules:
    """A YAML mapping of AlertRules fields (the text of `--rules path`); any problem is one
    BadInputError line. The CLI and the registry read the file and call this."""
    import yaml

    where = f"--rules {path}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise BadInputError(f"{where}: not valid YAML{at}: {problem}") from None
    if data is None:
        return AlertRules()
    if not isinstance(data, dict):
        raise BadInputError(f"{where}: expected a mapping of rule: value, got {type(data).__name__}")
    known = [f.name for f in fields(AlertRules)]
    values: dict[str, object] = {}
    for key, value in data.items():
        if key not in known:
            raise BadInputError(
                f"{where}: unknown rule {key!r}{did_you_mean(str(key), known)}; known: {', '.join(known)}"
            )
        if key == "ks_correction":
            if value not in ("bonferroni", "none"):
                raise BadInputError(f"{where}: ks_correction must be bonferroni or none, got {value!r}")
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadInputError(f"{where}: {key} must be a number, got {value!r}")
            low, high, inclusive = _RULE_RANGES[key]
            too_high = high is not None and (value > high or (value == high and not inclusive))
            if not math.isfinite(value) or value <= low or too_high:
                bound = f"({low:g}, {high:g}{']' if inclusive else ')'}" if high is not None else f"({low:g}, inf)"
                raise BadInputError(f"{where}: {key} must be in {bound}, got {value!r}")
            value = float(value)
        values[key] = value
    rules = AlertRules(**values)  # type: ignore[arg-type]
    if rules.qps_low >= rules.qps_high:
        raise BadInputError(f"{where}: qps_low must be below qps_high, got {rules.qps_low:g} >= {rules.qps_high:g}")
    return rules


# --------------------------------------------------------------------------- result


def _cell(value: float, digits: int) -> float | str:
    """A rounded number for a table, or '—' when it is not known (NaN)."""
    return round(value, digits) if math.isfinite(value) else "—"


@dataclass(frozen=True)
class WindowStats:
    """One monitoring window [start, end) compared with the reference."""

    start: int
    end: int
    requests: int
    qps: float
    p50_ms: float
    p99_ms: float
    psi: tuple[float, ...]  # per MonitorResult.psi_columns
    ks_statistic: tuple[float, ...]  # per MonitorResult.ks_columns
    ks_pvalue: tuple[float, ...]
    js: tuple[float, ...]  # per categorical feature
    labels_at: int  # minute when this window's labels have all arrived
    precision: float  # NaN when labels arrive after the run ends
    recall: float
    auc: float
    incident: str  # incidents active during the window ("" for none)
    alerts: tuple[str, ...]  # "rule:target" raised for this window


@dataclass(frozen=True)
class Alert:
    rule: str  # psi, ks, js, p99, qps, auc
    target: str  # the feature, "score", "latency", "traffic" or "model"
    window_start: int
    raised_at: int  # minute the alert fires (window end, or labels_at for auc)
    value: float
    threshold: float


@dataclass(frozen=True)
class IncidentOutcome:
    kind: str
    start: int
    end: int  # the incident's effect stops at this minute
    attributed_until: int  # alerts raised before this minute count as detections
    detected_at: int | None
    delay_minutes: int | None  # detected_at - start; None when missed
    caught_by: tuple[str, ...]  # rule families that fired for it
    first_alert: str
    max_feature_psi: float  # worst feature PSI over the windows it touched
    max_score_psi: float
    min_auc: float  # worst AUC over those windows (NaN if no label arrived in time)


@dataclass(frozen=True)
class MonitorResult(SimResult):
    minutes: int
    window: int
    reference_minutes: int
    label_delay: int
    qps_base: float
    incidents: tuple[str, ...]
    rules: AlertRules
    numeric_features: tuple[str, ...]
    categorical_features: tuple[str, ...]
    psi_columns: tuple[str, ...]
    ks_columns: tuple[str, ...]
    reference_rows: int
    reference_qps: float
    reference_p99_ms: float
    reference_auc: float
    validation_auc: float  # of the trained model on a held-out set
    windows: tuple[WindowStats, ...]
    alerts: tuple[Alert, ...]
    outcomes: tuple[IncidentOutcome, ...]
    false_alarms: int  # alerts in the incident run outside every incident's span
    clean_windows: int
    clean_alerts: tuple[tuple[str, int], ...]  # per rule family, over a run without incidents
    clean_alert_windows: int  # windows of the clean run with at least one alert
    drift_seconds: float  # wall time of the drift statistics (both runs)

    # ------------------------------------------------------------------ views
    def tables(self) -> list[Table]:
        rows = []
        for o in self.outcomes:
            rows.append(
                (
                    o.kind,
                    f"{o.start}-{o.end}",
                    _("missed") if o.detected_at is None else o.detected_at,
                    "—" if o.delay_minutes is None else o.delay_minutes,
                    ", ".join(o.caught_by) or _("nothing"),
                    _cell(o.max_feature_psi, 3),
                    _cell(o.max_score_psi, 3),
                    _cell(o.min_auc, 3),
                )
            )
        out = []
        if rows:
            out.append(
                table(
                    _("Injected incidents and when the rules caught them"),
                    (_("incident"), _("minutes"), _("detected"), _("delay min"), _("caught by"), _("feature PSI"),
                     _("score PSI"), _("min AUC")),
                    rows,
                    note=_("Worst PSI and AUC over the windows each incident touched. Labels arrive {delay} min after "
                           "each request, so the AUC rule can fire no earlier.").format(delay=self.label_delay),
                )
            )
        fam = dict(self.clean_alerts)
        n = max(self.clean_windows, 1)
        out.append(
            table(
                _("False alarms over a clean run ({windows} windows, no incident)").format(windows=self.clean_windows),
                (_("rule"), _("alerts"), _("per 100 windows")),
                [(r, fam.get(r, 0), 100 * fam.get(r, 0) / n) for r in ("psi", "ks", "js", "p99", "qps", "auc")],
                note=_("{alerting} of {windows} clean windows raised an alert; {false} alerts of the incident run fell "
                       "outside every incident.").format(alerting=self.clean_alert_windows,
                                                         windows=self.clean_windows, false=self.false_alarms),
            )
        )
        out.append(
            table(
                _("Alert rules"),
                (_("rule"), _("fires when"), _("watches")),
                self.rules.describe(len(self.ks_columns), self.reference_qps, self.reference_auc),
            )
        )
        n_feat = len(self.numeric_features) + len(self.categorical_features)
        timeline = []
        for w in self.windows:
            feat_psi = w.psi[:n_feat]
            worst = int(np.argmax(feat_psi)) if w.requests else 0
            timeline.append(
                (
                    f"{w.start}-{w.end}",
                    w.incident or "",
                    round(w.qps, 1),
                    int(round(w.p99_ms)) if math.isfinite(w.p99_ms) else "—",
                    f"{feat_psi[worst]:.3f} {self.psi_columns[worst]}" if w.requests else "—",
                    _cell(w.psi[-1], 3),
                    _cell(w.auc, 3),
                    " ".join(sorted({a.split(":")[0] for a in w.alerts})) or "",
                )
            )
        out.append(
            table(
                _("Timeline (each window against the reference)"),
                (_("minutes"), _("incident"), "req/s", "p99 ms", _("worst feature PSI"), _("score PSI"), "AUC",
                 _("alerts")),
                timeline,
                note=_("Reference: minutes 0-{minutes}, {rows} requests, {qps} req/s, p99 {p99} ms, AUC {auc}. AUC is "
                       "'—' where labels would arrive after the run ends.").format(
                    minutes=self.reference_minutes, rows=f"{self.reference_rows:,}", qps=f"{self.reference_qps:.1f}",
                    p99=f"{self.reference_p99_ms:.0f}", auc=f"{self.reference_auc:.3f}"),
            )
        )
        return out

    def charts(self) -> list[Chart]:
        x = [w.end for w in self.windows]
        marks = tuple((float(o.start), o.kind) for o in self.outcomes)
        drift = tuple(
            series(name, x, [w.psi[i] for w in self.windows]) for i, name in enumerate(self.psi_columns)
        )
        perf_x = [w.labels_at for w in self.windows if math.isfinite(w.auc)]
        perf = [w for w in self.windows if math.isfinite(w.auc)]
        return [
            Chart(
                "monitor-drift",
                _("PSI per feature and for the score, per window"),
                _("minute"),
                _("PSI vs reference"),
                drift,
                hlines=((self.rules.psi, _("alert at PSI {psi}").format(psi=f"{self.rules.psi:g}")),),
                vlines=marks,
            ),
            Chart(
                "monitor-p99",
                _("p99 latency per window"),
                _("minute"),
                _("milliseconds"),
                (series("p99", x, [w.p99_ms for w in self.windows]), series("p50", x, [w.p50_ms for w in self.windows])),
                hlines=((self.rules.p99_ms, f"SLO {self.rules.p99_ms:g} ms"),),
                vlines=marks,
            ),
            Chart(
                "monitor-performance",
                _("Model performance, known {delay} min after each window").format(delay=self.label_delay),
                _("minute the labels are in"),
                _("metric"),
                (
                    series("AUC", perf_x, [w.auc for w in perf]),
                    series("precision", perf_x, [w.precision for w in perf]),
                    series("recall", perf_x, [w.recall for w in perf]),
                ),
                hlines=((self.reference_auc - self.rules.auc_drop, _("AUC alert")),),
                vlines=marks,
            ),
            Chart(
                "monitor-qps",
                _("Requests per second per window"),
                _("minute"),
                "req/s",
                (series("QPS", x, [w.qps for w in self.windows]),),
                hlines=(
                    (self.rules.qps_low * self.reference_qps, _("low band")),
                    (self.rules.qps_high * self.reference_qps, _("high band")),
                ),
                vlines=marks,
            ),
        ]

    def reading(self) -> list[str]:
        lines = []
        if not self.outcomes:
            lines.append(_("No incident was injected, so every alert in this run is a false alarm."))
        if self.outcomes:
            caught = [o for o in self.outcomes if o.delay_minutes is not None]
            delays = sorted(o.delay_minutes for o in caught if o.delay_minutes is not None)
            counts = dict(caught=len(caught), total=len(self.outcomes))
            lines.append(
                _("{caught} of {total} injected incidents raised an alert, median delay {delay} min.").format(
                    **counts, delay=delays[len(delays) // 2]) if delays else
                _("{caught} of {total} injected incidents raised an alert.").format(**counts))
        for o in self.outcomes:
            if o.kind != "concept-drift":
                continue
            input_rules = [r for r in o.caught_by if r in ("psi", "ks", "js")]
            if o.delay_minutes is not None and not input_rules:
                lines.append(_(
                    "Concept drift (minutes {start}-{end}) left every input monitor quiet — worst feature PSI {feature}, "
                    "score PSI {score}, no KS or JS alert — because the features and the scores did not move; only "
                    "P(spam | x) did. Only the delayed performance metric caught it: AUC fell to {auc}, {delay} min "
                    "after the start, since labels arrive {label_delay} min late.").format(
                    start=o.start, end=o.end, feature=f"{o.max_feature_psi:.3f}", score=f"{o.max_score_psi:.3f}",
                    auc=f"{o.min_auc:.3f}", delay=o.delay_minutes, label_delay=self.label_delay))
            elif o.delay_minutes is None:
                lines.append(_(
                    "Concept drift (minutes {start}-{end}) was not caught: input monitors cannot see it "
                    "and its labels did not arrive before the run ended — performance metrics need labels.").format(
                    start=o.start, end=o.end))
            else:
                lines.append(_(
                    "Concept drift was caught by {rules}; input rules fired too here, "
                    "so check whether the window also held another incident.").format(rules=", ".join(o.caught_by)))
        for o in self.outcomes:
            if o.kind == "score-shift" and o.delay_minutes is not None:
                lines.append(_(
                    "The score shift moved no input (worst feature PSI {feature}) but the score PSI reached {score}: "
                    "monitor the score distribution, not only the features.").format(
                    feature=f"{o.max_feature_psi:.3f}", score=f"{o.max_score_psi:.2f}"))
        fam = dict(self.clean_alerts)
        total = sum(fam.values())
        worst = max(fam, key=lambda k: fam[k]) if total else ""
        ks_clean = fam.get("ks", 0)
        if ks_clean:
            fwer = self.rules.ks_alpha if self.rules.ks_correction == "bonferroni" else min(
                1.0, self.rules.ks_alpha * len(self.ks_columns)
            )
            why = _(
                "; {ks} came from KS, a test: by chance alone up to about {expected} of {windows} clean windows should "
                "have one, and since every window is compared with the same reference sample they come in clusters — "
                "PSI, an effect size, is the steadier drift alert").format(
                ks=ks_clean, expected=f"{fwer * self.clean_windows:.1f}", windows=self.clean_windows)
        elif self.outcomes:
            why = _(
                "; KS, corrected for {tests} tests, stayed quiet on clean data while PSI "
                "(an effect size, not a test) sized the real drifts").format(tests=len(self.ks_columns))
        else:
            why = _("; KS is corrected for {tests} tests so that clean windows rarely alert").format(
                tests=len(self.ks_columns))
        clean = (_("A run with no incident raised {total} alert(s) in {windows} windows, most from the {rule} rule")
                 if total else _("A run with no incident raised {total} alert(s) in {windows} windows")).format(
            total=total, windows=self.clean_windows, rule=worst)
        lines.append(clean + why + _("."))
        return lines


# --------------------------------------------------------------------------- world


@dataclass(frozen=True)
class Schedule:
    kind: str
    start: int
    end: int
    attributed_until: int


@dataclass
class Stream:
    """Per-request arrays of one simulated run (what `--serve` replays)."""

    minute: np.ndarray  # int minute of each request
    seconds: np.ndarray  # time of the request in seconds since the start, sorted
    numeric: np.ndarray  # rows x numeric features
    categorical: np.ndarray  # rows x categorical features (codes)
    score: np.ndarray
    label: np.ndarray
    latency_ms: np.ndarray
    per_minute: np.ndarray  # requests per minute


def _draw(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """n category codes with probabilities p (inverse CDF of uniforms)."""
    return np.minimum(np.searchsorted(np.cumsum(p), rng.random(n), side="right"), len(p) - 1)


def _latent(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    z = rng.standard_normal((n, len(NUMERIC)))
    cats = np.column_stack([_draw(rng, _COUNTRY_P, n), _draw(rng, _DEVICE_P, n)])
    return z, cats


def _observe(z: np.ndarray) -> np.ndarray:
    """What the feature pipeline logs: real units (days, counts, ratios)."""
    return np.column_stack(
        [
            np.exp(5.0 + 1.3 * z[:, 0]),  # account_age_days
            np.exp(1.0 + 0.9 * z[:, 1]),  # msgs_per_hour
            1 / (1 + np.exp(-(z[:, 2] - 1.0))),  # link_ratio
            np.exp(-4.0 + z[:, 3]),  # report_rate
            np.floor(np.exp(4.0 + 1.5 * z[:, 4])),  # followers (integers: ties)
            np.round(np.exp(4.5 + 0.6 * z[:, 5])),  # text_length
        ]
    )


def _true_logit(z: np.ndarray, cats: np.ndarray, concept: np.ndarray | None = None) -> np.ndarray:
    """P(spam | x) as a logit; under concept drift spammers age accounts and drop links."""
    base = -2.0 + 0.8 * z[:, 1] + 0.9 * z[:, 3] - 0.4 * z[:, 4] + 0.3 * (cats[:, 1] == 2) + 0.3 * (cats[:, 0] == 5)
    old = base - 0.9 * z[:, 0] + 1.0 * z[:, 2]
    if concept is None:
        return old
    new = base + 0.6 * z[:, 0] - 0.8 * z[:, 2] + 0.5 * z[:, 5]
    return np.where(concept, new, old)


def _design(numeric: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """The model's own preprocessing: logs/logits of the raw features, one-hot categories."""
    x = np.column_stack(
        [
            np.log(numeric[:, 0]),
            np.log(numeric[:, 1]),
            np.log(numeric[:, 2] / (1 - numeric[:, 2])),
            np.log(numeric[:, 3]),
            np.log1p(numeric[:, 4]),
            np.log(numeric[:, 5]),
        ]
    )
    onehot = [(cats[:, j][:, None] == np.arange(1, len(levels))).astype(float) for j, levels in enumerate(CATEGORICAL.values())]
    return np.column_stack([x, *onehot])


@dataclass
class _Model:
    predict_logit: object
    validation_auc: float


def _train(seed: int) -> _Model:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng([seed, 2])
    z, cats = _latent(rng, 30_000)
    y = rng.random(len(z)) < 1 / (1 + np.exp(-_true_logit(z, cats)))
    x = _design(_observe(z), cats)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
    model.fit(x[:20_000], y[:20_000])
    auc = _auc(model.decision_function(x[20_000:]), y[20_000:])
    return _Model(model.decision_function, auc)


def _schedule(incidents: tuple[str, ...], minutes: int, reference: int, window: int, label_delay: int) -> list[Schedule]:
    if not incidents:
        return []
    usable = minutes - reference
    spacing = usable / len(incidents)
    duration = int(0.4 * spacing)
    if duration < window:
        need = reference + math.ceil(window / 0.4 * len(incidents))
        raise BadInputError(
            f"--minutes {minutes} is too short for {len(incidents)} incident(s) with --window {window}: "
            f"each incident needs at least one window; use --minutes {need} or more, a smaller --window, "
            "or fewer --incident"
        )
    out = []
    for k, kind in enumerate(incidents):
        start = reference + int(k * spacing + 0.3 * spacing)
        end = start + duration
        next_start = reference + int((k + 1) * spacing + 0.3 * spacing) if k + 1 < len(incidents) else minutes
        until = min(end + label_delay + window, next_start, minutes)
        out.append(Schedule(kind, start, end, until))
    return out


def _stream(
    rng: np.random.Generator, model: _Model, *, minutes: int, qps: float, schedule: list[Schedule]
) -> Stream:
    t = np.arange(minutes)
    active = {kind: np.zeros(minutes, dtype=bool) for kind in INCIDENTS}
    for s in schedule:
        active[s.kind][s.start : s.end] = True
    rate = qps * (1 + 0.1 * np.sin(2 * np.pi * (t + 300) / 1440))  # slow daily cycle
    rate = rate * np.where(active["qps-spike"], QPS_SPIKE_FACTOR, 1.0)
    per_minute = rng.poisson(rate * 60)
    minute = np.repeat(t, per_minute)
    n = minute.size
    seconds = minute * 60 + np.sort(rng.random(n))  # sorted within each minute
    seconds = np.sort(seconds)

    z, cats = _latent(rng, n)
    drift_rows = active["data-drift"][minute]
    m = int(drift_rows.sum())
    if m:
        z[drift_rows, 0] += _AGE_SHIFT
        cats[drift_rows, 0] = _draw(rng, _COUNTRY_P_DRIFT, m)
        cats[drift_rows, 1] = _draw(rng, _DEVICE_P_DRIFT, m)
    numeric = _observe(z)
    logit = model.predict_logit(_design(numeric, cats))
    logit = logit + SCORE_SHIFT_LOGIT * active["score-shift"][minute]
    score = 1 / (1 + np.exp(-logit))
    p_true = 1 / (1 + np.exp(-_true_logit(z, cats, active["concept-drift"][minute])))
    label = rng.random(n) < p_true

    rho = np.minimum(rate / (qps * CAPACITY_FACTOR), 0.95)  # utilisation per minute
    service = BASE_SERVICE_MS * np.where(active["latency-regression"], LATENCY_REGRESSION_FACTOR, 1.0)
    latency = service[minute] / (1 - rho[minute]) * rng.lognormal(0.0, LATENCY_SIGMA, n)
    return Stream(minute, seconds, numeric, cats, score, label, latency, per_minute)


def _counts(codes: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(codes, minlength=k)


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    """ROC AUC (= sklearn's roc_auc_score), NaN for a window whose labels are all one class."""
    pos = int(label.sum())
    if pos == 0 or pos == label.size:
        return float("nan")
    return roc_auc(label, score)


def _performance(score: np.ndarray, label: np.ndarray) -> tuple[float, float, float]:
    pred = score >= THRESHOLD
    tp = int(np.sum(pred & label))
    precision = tp / max(int(pred.sum()), 1)
    recall = tp / max(int(label.sum()), 1)
    return precision, recall, _auc(score, label)


@dataclass
class _Run:
    windows: list[WindowStats]
    alerts: list[Alert]
    reference_rows: int
    reference_qps: float
    reference_p99: float
    reference_auc: float
    drift_seconds: float


def _monitor(
    s: Stream,
    *,
    minutes: int,
    window: int,
    reference: int,
    label_delay: int,
    rules: AlertRules,
    schedule: list[Schedule],
    progress: ProgressCallback | None,
    lo: float,
    hi: float,
) -> _Run:
    bounds = np.searchsorted(s.minute, np.arange(0, minutes + 1))  # row index of each minute start
    ref_rows = slice(0, bounds[reference])
    cat_k = [len(v) for v in CATEGORICAL.values()]
    columns = np.column_stack([s.numeric, s.score])  # rows x (numeric..., score), sliced per window
    drift_ref = DriftReference(columns[ref_rows])
    ref_cat = [_counts(s.categorical[ref_rows, j], k) for j, k in enumerate(cat_k)]
    n_ref = bounds[reference]
    ref_qps = n_ref / (reference * 60)
    ref_p99 = float(np.percentile(s.latency_ms[ref_rows], 99))
    _p, _r, ref_auc = _performance(s.score[ref_rows], s.label[ref_rows])
    ks_limit = rules.ks_limit(drift_ref.n_columns)
    ks_names = (*NUMERIC, SCORE)
    cat_names = tuple(CATEGORICAL)

    windows: list[WindowStats] = []
    alerts: list[Alert] = []
    drift_seconds = 0.0
    starts = list(range(reference, minutes - window + 1, window))
    for i, start in enumerate(starts):
        end = start + window
        rows = slice(bounds[start], bounds[end])
        n = rows.stop - rows.start
        lat = s.latency_ms[rows]
        t0 = time.perf_counter()
        if n:
            d = drift_ref.compare(columns[rows])
            cur_cat = [_counts(s.categorical[rows, j], k) for j, k in enumerate(cat_k)]
            cat_psi = [categorical_psi(r, c) for r, c in zip(ref_cat, cur_cat, strict=True)]
            js = [js_distance(r, c) for r, c in zip(ref_cat, cur_cat, strict=True)]
            psi = (*d.psi[:-1], *cat_psi, d.psi[-1])
            ks_d, ks_p = tuple(d.ks_statistic), tuple(d.ks_pvalue)
        else:
            nan = float("nan")
            psi = (nan,) * (len(NUMERIC) + len(cat_k) + 1)
            ks_d = ks_p = (nan,) * len(ks_names)
            js = [nan] * len(cat_k)
        drift_seconds += time.perf_counter() - t0
        qps_w = n / (window * 60)
        p50 = float(np.percentile(lat, 50)) if n else float("nan")
        p99 = float(np.percentile(lat, 99)) if n else float("nan")
        labels_at = end + label_delay
        if labels_at <= minutes and n:
            precision, recall, auc = _performance(s.score[rows], s.label[rows])
        else:
            precision = recall = auc = float("nan")

        fired: list[Alert] = []
        psi_names = (*NUMERIC, *cat_names, SCORE)
        for name, v in zip(psi_names, psi, strict=True):
            if v >= rules.psi:
                fired.append(Alert("psi", name, start, end, float(v), rules.psi))
        for name, p in zip(ks_names, ks_p, strict=True):
            if p < ks_limit:
                fired.append(Alert("ks", name, start, end, float(p), ks_limit))
        for name, v in zip(cat_names, js, strict=True):
            if v >= rules.js:
                fired.append(Alert("js", name, start, end, float(v), rules.js))
        if p99 > rules.p99_ms:
            fired.append(Alert("p99", "latency", start, end, p99, rules.p99_ms))
        if qps_w < rules.qps_low * ref_qps:
            fired.append(Alert("qps", "traffic", start, end, qps_w, rules.qps_low * ref_qps))
        elif qps_w > rules.qps_high * ref_qps:
            fired.append(Alert("qps", "traffic", start, end, qps_w, rules.qps_high * ref_qps))
        if math.isfinite(auc) and auc < ref_auc - rules.auc_drop:
            fired.append(Alert("auc", "model", start, labels_at, auc, ref_auc - rules.auc_drop))
        alerts.extend(fired)
        kinds = sorted({sc.kind for sc in schedule if sc.start < end and sc.end > start})
        windows.append(
            WindowStats(
                start, end, n, qps_w, p50, p99,
                tuple(float(v) for v in psi), tuple(float(v) for v in ks_d), tuple(float(v) for v in ks_p),
                tuple(float(v) for v in js), labels_at, precision, recall, auc,
                "+".join(kinds), tuple(f"{a.rule}:{a.target}" for a in fired),
            )
        )  # fmt: skip
        report(progress, lo + (hi - lo) * (i + 1) / len(starts), _("monitoring windows"))
    return _Run(windows, alerts, n_ref, ref_qps, ref_p99, ref_auc, drift_seconds)


def _outcomes(run: _Run, schedule: list[Schedule], window: int) -> tuple[list[IncidentOutcome], int]:
    n_feat = len(NUMERIC) + len(CATEGORICAL)
    outcomes = []
    attributed: set[int] = set()
    for sc in schedule:
        # An alert belongs to the incident when it fires during its span and is
        # about a window that overlapped the incident (auc alerts fire later).
        mine = [
            (i, a)
            for i, a in enumerate(run.alerts)
            if sc.start <= a.raised_at < sc.attributed_until and a.window_start < sc.end and a.window_start + window > sc.start
        ]
        attributed.update(i for i, _ in mine)
        first = min(mine, key=lambda ia: (ia[1].raised_at, ia[0]))[1] if mine else None
        touched = [w for w in run.windows if w.start < sc.end and w.end > sc.start]
        aucs = [w.auc for w in touched if math.isfinite(w.auc)]
        outcomes.append(
            IncidentOutcome(
                sc.kind,
                sc.start,
                sc.end,
                sc.attributed_until,
                None if first is None else first.raised_at,
                None if first is None else first.raised_at - sc.start,
                tuple(sorted({a.rule for _, a in mine})),
                "" if first is None else f"{first.rule}:{first.target}",
                max((max(w.psi[:n_feat]) for w in touched), default=float("nan")),
                max((w.psi[-1] for w in touched), default=float("nan")),
                min(aucs) if aucs else float("nan"),
            )
        )
    false_alarms = sum(1 for i in range(len(run.alerts)) if i not in attributed)
    return outcomes, false_alarms


def _check(minutes: int, window: int, incident: tuple[str, ...], qps: float, label_delay: int, reference_minutes: int) -> tuple[str, ...]:
    check_positive("minutes", minutes)
    check_positive("window", window)
    check_positive("qps", qps)
    check_range("qps", qps, 0, 10_000, high_inclusive=True)
    check_range("label_delay", label_delay, 0, None, low_inclusive=True)
    check_positive("reference_minutes", reference_minutes)
    if minutes > 24 * 60:
        raise BadInputError(f"--minutes must be at most 1440 (one day), got {minutes}")
    expected = qps * 60 * minutes
    if expected > MAX_REQUESTS:
        raise BadInputError(
            f"--qps {qps:g} for --minutes {minutes} is about {expected:,.0f} requests; "
            f"keep qps x minutes x 60 at most {MAX_REQUESTS:,}"
        )
    if qps * 60 * reference_minutes < MIN_REFERENCE:
        raise BadInputError(
            f"--qps {qps:g} over --reference-minutes {reference_minutes} gives about "
            f"{qps * 60 * reference_minutes:,.0f} reference requests; need at least {MIN_REFERENCE:,}"
        )
    if window > minutes:
        raise BadInputError(f"--window {window} is larger than the run (--minutes {minutes})")
    if reference_minutes + window > minutes:
        raise BadInputError(
            f"--reference-minutes {reference_minutes} plus one --window {window} exceed the run "
            f"(--minutes {minutes}): no window is left to monitor"
        )
    for kind in incident:
        if kind not in INCIDENT_CHOICES:
            raise BadInputError(
                f"--incident: unknown incident {kind!r}{did_you_mean(kind, INCIDENT_CHOICES)}; "
                f"expected one of {', '.join(INCIDENT_CHOICES)}"
            )
    if "none" in incident:
        if len(incident) > 1:
            raise BadInputError("--incident none cannot be combined with other incidents")
        return ()
    return tuple(incident)


def simulate_monitor_stream(
    *,
    minutes: int = 240,
    window: int = 5,
    incident: tuple[str, ...] | list[str] = INCIDENTS,
    qps: float = 25.0,
    label_delay: int = 15,
    reference_minutes: int = 30,
    rules: AlertRules | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> tuple[MonitorResult, Stream]:
    """`simulate_monitor`, also returning the incident run's per-request stream."""
    incidents = _check(minutes, window, tuple(incident), qps, label_delay, reference_minutes)
    alert_rules = rules or AlertRules()
    schedule = _schedule(incidents, minutes, reference_minutes, window, label_delay)
    report(progress, 0.0, _("training the model"))
    model = _train(seed)
    report(progress, 0.1, _("simulating traffic"))
    common = dict(minutes=minutes, window=window, reference=reference_minutes, label_delay=label_delay, rules=alert_rules)
    stream = _stream(np.random.default_rng([seed, 0]), model, minutes=minutes, qps=qps, schedule=schedule)
    run = _monitor(stream, schedule=schedule, progress=progress, lo=0.2, hi=0.6, **common)
    if schedule:
        clean_stream = _stream(np.random.default_rng([seed, 1]), model, minutes=minutes, qps=qps, schedule=[])
        clean = _monitor(clean_stream, schedule=[], progress=progress, lo=0.6, hi=1.0, **common)
    else:
        clean = run
    outcomes, false_alarms = _outcomes(run, schedule, window)
    families = ("psi", "ks", "js", "p99", "qps", "auc")
    clean_alerts = tuple((f, sum(1 for a in clean.alerts if a.rule == f)) for f in families)
    result = MonitorResult(
        minutes=minutes,
        window=window,
        reference_minutes=reference_minutes,
        label_delay=label_delay,
        qps_base=float(qps),
        incidents=incidents,
        rules=alert_rules,
        numeric_features=NUMERIC,
        categorical_features=tuple(CATEGORICAL),
        psi_columns=(*NUMERIC, *CATEGORICAL, SCORE),
        ks_columns=(*NUMERIC, SCORE),
        reference_rows=run.reference_rows,
        reference_qps=run.reference_qps,
        reference_p99_ms=run.reference_p99,
        reference_auc=run.reference_auc,
        validation_auc=model.validation_auc,
        windows=tuple(run.windows),
        alerts=tuple(run.alerts),
        outcomes=tuple(outcomes),
        false_alarms=false_alarms,
        clean_windows=len(clean.windows),
        clean_alerts=clean_alerts,
        clean_alert_windows=sum(1 for w in clean.windows if w.alerts),
        drift_seconds=run.drift_seconds + (clean.drift_seconds if clean is not run else 0.0),
    )
    report(progress, 1.0, _("done"))
    return result, stream


def simulate_monitor(
    *,
    minutes: int = 240,
    window: int = 5,
    incident: tuple[str, ...] | list[str] = INCIDENTS,
    qps: float = 25.0,
    label_delay: int = 15,
    reference_minutes: int = 30,
    rules: AlertRules | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> MonitorResult:
    """Serve a trained model to a simulated stream, inject incidents, monitor it, score the alerts."""
    result, _ = simulate_monitor_stream(
        minutes=minutes,
        window=window,
        incident=incident,
        qps=qps,
        label_delay=label_delay,
        reference_minutes=reference_minutes,
        rules=rules,
        seed=seed,
        progress=progress,
    )
    return result
