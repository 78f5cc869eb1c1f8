"""Draw the declarative `Chart`s of simulation results as SVG with matplotlib.

Used by `render` (inlined in HTML, written beside Markdown). The SVG is made
reproducible: a fixed hash salt for element ids and no date metadata, so the
same result always gives the same bytes.
"""

from __future__ import annotations

from mlsd.sims.base import Chart

_COLORS = ("#1f5fa8", "#d1495b", "#2a9d8f", "#e9a23b", "#6a4c93", "#5c677d", "#8ab17d", "#b5651d")


def to_svg(chart: Chart, *, width: float = 6.4, height: float = 3.4) -> str:
    """One chart as an `<svg …>` element (no XML prolog), ready to inline."""
    import io
    import warnings

    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(
        {"svg.hashsalt": f"mlsd-{chart.name}", "svg.fonttype": "none", "font.size": 9,
         "axes.spines.top": False, "axes.spines.right": False}
    ), warnings.catch_warnings():
        # The text stays text in the SVG (svg.fonttype none): the viewer draws it with its own
        # fonts, Chinese included. matplotlib only measures it, and warns when its font has
        # no Chinese glyph to measure.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        # Fixed margins: a constrained layout doubles the time of every chart.
        fig = Figure(figsize=(width, height))
        fig.subplots_adjust(left=0.11, right=0.98, top=0.9, bottom=0.15)
        ax = fig.add_subplot()
        _draw(ax, chart)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "mlsd"})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _draw(ax, chart: Chart) -> None:
    n = max(len(chart.series), 1)
    for i, s in enumerate(chart.series):
        color = _COLORS[i % len(_COLORS)]
        if chart.kind == "bar":
            width = 0.8 / n
            xs = [j + (i - (n - 1) / 2) * width for j in range(len(s.x))]
            ax.bar(xs, s.y, width=width, label=s.label, color=color)
            ax.set_xticks(range(len(s.x)), [f"{v:g}" for v in s.x])
        elif chart.kind == "step":
            ax.step(s.x, s.y, where="post", label=s.label, color=color)
        elif chart.kind == "scatter":
            ax.scatter(s.x, s.y, label=s.label, color=color, s=14)
        else:
            ax.plot(s.x, s.y, label=s.label, color=color, marker="o" if len(s.x) <= 12 else None, markersize=3)
    for y, label in chart.hlines:
        ax.axhline(y, color="#444", linestyle="--", linewidth=0.9)
        ax.annotate(label, xy=(1, y), xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize=8, color="#444")
    for x, label in chart.vlines:
        ax.axvline(x, color="#999", linestyle=":", linewidth=1)
        ax.annotate(label, xy=(x, 1), xycoords=("data", "axes fraction"), ha="left", va="top", fontsize=8,
                    color="#555", rotation=90)
    if chart.x_integer:
        from matplotlib.ticker import MaxNLocator

        xs = {x for s in chart.series for x in s.x}
        if len(xs) == 1:  # one x (a first session): the locator would fall back to ticks like 0.975
            (only,) = xs
            ax.set_xticks([only])
            ax.set_xlim(only - 1, only + 1)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if chart.x_log:
        ax.set_xscale("log")
    if chart.y_log:
        ax.set_yscale("log")
    if chart.y_range is not None:
        low, high = chart.y_range
        pad = (high - low) * 0.04  # markers on the limits stay whole
        ax.set_ylim(low - pad, high + pad)
    ax.set_title(chart.title, loc="left", fontsize=10)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    ax.grid(True, alpha=0.3)
    if len(chart.series) > 1 or (chart.series and chart.series[0].label):
        ax.legend(fontsize=8, frameon=False)
