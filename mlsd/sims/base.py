"""What every simulation returns, and how it reports progress.

A simulation is a pure function with keyword-only arguments and a `seed`,
returning a frozen dataclass that subclasses `SimResult`. The terminal table,
`--json` and the design doc all read that one object:

- `to_dict()`   plain JSON-able data (the `--json` output and the render cache)
- `tables()`    `Table`s printed by the CLI with rich and by `render` as Markdown/HTML
- `charts()`    declarative `Chart`s drawn to SVG by `mlsd.doc.charts` (matplotlib)
- `reading()`   a few plain-English sentences that say what the numbers mean

This module imports no numpy so the registry and CLI stay fast to start.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# progress(fraction_done in [0, 1], label). Only the CLI turns it into a bar.
ProgressCallback = Callable[[float, str], None]


def report(progress: ProgressCallback | None, fraction: float, label: str = "") -> None:
    """Call `progress` if there is one; sims call this instead of checking None."""
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), label)


def plain(value: Any) -> Any:
    """Convert dataclasses, tuples, numpy scalars/arrays to JSON-able Python."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy array or scalar
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


@dataclass(frozen=True)
class Table:
    """A titled table of plain values; `format` renders floats consistently."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""

    def formatted_rows(self) -> list[list[str]]:
        return [[format_cell(v) for v in row] for row in self.rows]


def format_cell(value: Any) -> str:
    """One place that decides how numbers look in tables (terminal and doc)."""
    if value is None:  # NaN becomes None in plain data: "not available"
        return "—"
    if isinstance(value, bool):
        from mlsd.i18n import _

        return _("yes") if value else _("no")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "—" if math.isnan(value) else ("∞" if value > 0 else "-∞")
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.3g}"
        if abs(value) >= 100:
            return f"{value:,.1f}"
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


@dataclass(frozen=True)
class Series:
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A declarative line/bar/step chart; `mlsd.doc.charts.to_svg` draws it."""

    name: str  # a slug, used as the SVG file name
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    kind: str = "line"  # "line", "bar", "step" or "scatter"
    x_log: bool = False
    y_log: bool = False
    hlines: tuple[tuple[float, str], ...] = ()  # (y, label) reference lines
    vlines: tuple[tuple[float, str], ...] = ()  # (x, label) markers, e.g. incidents
    x_integer: bool = False  # ticks only at whole numbers (counts such as sessions)
    y_range: tuple[float, float] | None = None  # fixed y axis (e.g. a 0-100 score), else fitted to the data


@dataclass(frozen=True)
class SimResult:
    """Base for every simulation result (subclasses are frozen dataclasses)."""

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    def tables(self) -> list[Table]:
        return []

    def charts(self) -> list[Chart]:
        return []

    def reading(self) -> list[str]:
        return []


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], note: str = "") -> Table:
    """Build a Table from any sequences (lists from numpy code are fine)."""
    return Table(title, tuple(columns), tuple(tuple(plain(v) for v in r) for r in rows), note)


def series(label: str, x: Sequence[float], y: Sequence[float]) -> Series:
    return Series(label, tuple(float(v) for v in x), tuple(float(v) for v in y))


__all__ = [
    "Chart",
    "ProgressCallback",
    "Series",
    "SimResult",
    "Table",
    "field",
    "format_cell",
    "plain",
    "report",
    "series",
    "table",
]
