"""`mlsd progress --format html`: one self-contained page with a chart of scores over time.

Reads the plain dict of a progress report (`ProgressReport.to_dict()`), so it depends on no
practice code, and draws with the design doc's chart code (`mlsd.doc.charts.to_svg`).
"""

from __future__ import annotations

from typing import Any

from mlsd.i18n import _
from mlsd.sims.base import Chart, Series

# One chart holds at most this many steps, so its lines stay apart: ten steps make two charts.
STEPS_PER_CHART = 5


def score_charts(report: dict[str, Any]) -> list[Chart]:
    """Line charts of each step's score per session (x: the session's place in your history)."""
    from mlsd.content.step_names import step_name, step_names

    order: dict[int, int] = {}  # session id -> 1-based position over all sessions
    for s in report["stages"].values():
        for h in s["history"]:
            order.setdefault(h["session"], 0)
    for i, sid in enumerate(sorted(order), 1):
        order[sid] = i
    stages = list(report["stages"].items())
    charts = []
    for start in range(0, len(stages), STEPS_PER_CHART):
        group = stages[start:start + STEPS_PER_CHART]
        series = tuple(
            Series(step_name(stage), tuple(float(order[h["session"]]) for h in s["history"]),
                   tuple(float(h["score"]) for h in s["history"]))
            for stage, s in group
        )
        names = step_names(stage for stage, _s in group)
        charts.append(Chart(f"progress-{start // STEPS_PER_CHART + 1}", _("Score per session: {steps}").format(steps=names),
                            _("practice session (oldest = 1)"), _("score / 100"), series, x_integer=True,
                            y_range=(0.0, 100.0)))  # the whole scale: a 99 → 100 step is not drawn as a cliff
    return charts


def render_progress_page(report: dict[str, Any], *, window: int, version: str) -> str:
    """The HTML page (autoescaped; the SVG comes from our own chart code)."""
    from jinja2 import FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment

    from mlsd.doc.charts import to_svg
    from mlsd.i18n import language, translations
    from mlsd.resources import resource_dir

    env = SandboxedEnvironment(loader=FileSystemLoader(str(resource_dir("templates"))), autoescape=True,
                               trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    from mlsd.content.step_names import step_name

    env.filters["step_name"] = step_name
    env.install_gettext_translations(translations(), newstyle=True)
    caption = _("Each point is one practice session in the order you practised (1 = your first); a step you skipped "
                "or did not practise in a session has no point there.")
    charts = [{"svg": to_svg(c), "caption": caption} for c in score_charts(report)]
    days = sorted(h["started_at"][:10] for s in report["stages"].values() for h in s["history"])
    return env.get_template("progress.html.j2").render(
        report=report, charts=charts, window=window, mlsd_version=version, lang=language(),
        first_day=days[0] if days else "", last_day=days[-1] if days else "",
    )
