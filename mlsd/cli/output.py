"""Printing for the CLI: one error line, JSON, rich tables, progress bars.

Everything a command prints goes through here so the look is consistent and
`--json` keeps stdout clean (progress and errors go to stderr).
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from mlsd.sims.base import SimResult, Table

T = TypeVar("T")

# True when the CLI runs as its own process (`mlsd.cli.run`), False when main() is called
# from other code such as the tests.
owns_process = False


class _NoTrailingSpaces:
    """A text stream that drops the spaces at the end of each line on the way to `stream()`.

    rich pads a table's title and wrapped lines to the console width; on a terminal that
    is invisible, in a pipe or a file it is 80 columns of trailing spaces on every line.
    Spaces at the end of a write are held back until the next write shows whether text
    (then they are written) or a line end (then they are dropped) follows.
    """

    def __init__(self, stream: Callable[[], Any]) -> None:
        self._stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        *lines, last = (self._held + text).split("\n")
        kept = last.rstrip(" ")
        self._held = last[len(kept):]
        self._stream().write("".join(line.rstrip(" ") + "\n" for line in lines) + kept)
        return len(text)

    def flush(self) -> None:
        self._stream().flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, …: the real stream's
        return getattr(self._stream(), name)


def _stream_for(name: str) -> Any:
    """None (rich writes to the terminal as it is) when sys.<name> is a terminal, else a
    stream without trailing spaces that follows sys.<name> (tests replace it)."""
    stream = getattr(sys, name)
    if stream is not None and stream.isatty():
        return None
    return _NoTrailingSpaces(lambda: getattr(sys, name))


# emoji=False: rich would turn ":x:" in an answer, a quote of one or a file name into ❌.
# Our own text writes its symbols (✓ ⚠) as characters; user text is escaped or a Text.
@cache
def console() -> Console:
    from rich.console import Console

    _line_breaks_for_language()
    return Console(file=_stream_for("stdout"), highlight=False, emoji=False)


@cache
def err_console() -> Console:
    from rich.console import Console

    _line_breaks_for_language()
    return Console(file=_stream_for("stderr"), stderr=True, highlight=False, emoji=False)


def _line_breaks_for_language() -> None:
    """rich breaks lines only at spaces, and a Chinese sentence has none: a bullet's text
    would jump whole to the next line. For Chinese output rich's line divider also breaks
    between Chinese characters (`mlsd.cli.plain.divide_line`, the same layout otherwise);
    English keeps rich's own. A no-op if rich moves the function."""
    import rich._wrap
    import rich.text

    from mlsd.cli.plain import divide_line
    from mlsd.i18n import language

    if not hasattr(rich.text, "divide_line"):  # pragma: no cover - another rich
        return
    rich.text.divide_line = divide_line if language() == "zh" else rich._wrap.divide_line


def error_line(message: str) -> None:
    """The single red line a user sees for any bad input or failure."""
    from rich.markup import escape

    from mlsd.i18n import _, space

    first = " ".join(str(message).split())  # never more than one line
    label = escape(_("error:"))
    err_console().print(f"[bold red]{label}[/]{space()}[red]{escape(first)}[/]", soft_wrap=True)


def reflow(text: str) -> str:
    """Prose written with hard line breaks (a YAML `|` block) as paragraphs the console wraps
    to its width: single breaks become spaces; blank lines and list items ("- ", "* ",
    "1. ") keep their own lines."""
    import re

    paragraphs = re.split(r"\n\s*\n", text.strip())
    out = []
    for para in paragraphs:
        lines: list[str] = []
        for raw in para.splitlines():
            line = raw.strip()
            if lines and not re.match(r"([-*•]|\d+[.)])\s", line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def print_json(data: Any) -> None:
    """Machine-readable output: stdout only, nothing else printed there."""
    from mlsd.sims.base import plain

    sys.stdout.write(json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def rich_table(tbl: Table):
    """A `mlsd.sims.base.Table` as a rich Table (right-aligned numbers)."""
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text

    # Simulation text is data, not markup: "E[k²]" must print as written.
    rt = RichTable(title=Text(tbl.title), title_justify="left", caption=Text(tbl.note) if tbl.note else None,
                   caption_justify="left")
    numeric = [
        all(isinstance(row[i], (int, float)) and not isinstance(row[i], bool) for row in tbl.rows)
        for i in range(len(tbl.columns))
    ]
    for name, is_num in zip(tbl.columns, numeric, strict=True):
        # fold, never "…": a word too long for its column goes on to the next line whole
        rt.add_column(escape(name), justify="right" if is_num else "left", overflow="fold")
    for row in tbl.formatted_rows():
        rt.add_row(*(Text(cell) for cell in row))
    return rt


RECORDS_MAX_ROWS = 8  # longer tables keep their shape while their numbers fit whole (text folds)

_BLOCK_SEP = " "  # a cell's lines ("day\ntime") on one line in a row's block


@dataclass(frozen=True)
class Column:
    """A column of a `table`: ids and numbers (`wrap=False`) are never wrapped or cut; free
    text (`wrap=True`) wraps between words."""

    name: str
    justify: Literal["left", "right"] = "left"
    wrap: bool = False


def _cell_width(cell: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in cell.split("\n")), default=0)


def _longest_word(cell: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(word) for word in cell.split()), default=0)


def _natural_width(columns: list[str], rows: list[list[str]]) -> int:
    """Terminal columns a table takes with nothing wrapped or cut (cells, borders, padding).

    Only a table that fits this way is safe from rich's shrinking, which shares the
    missing width out in proportion and cuts numbers to "2,31…" on the way.
    """
    return 1 + sum(max(_cell_width(name), *(_cell_width(row[i]) for row in rows)) + 3
                   for i, name in enumerate(columns))


def _columns_stay_whole(widths: list[int], needed: list[int], width: int) -> bool:
    """Whether rich, shrinking a table of wrapable columns (`widths`: natural, padding and
    border included) to `width`, leaves each column at least its `needed` width: it
    narrows the widest columns first, down to a common level, so they are safe when
    every column cut to the largest need fits."""
    level = max(needed, default=0)
    return 1 + sum(min(w, level) for w in widths) <= width


def _records(title: str, note: str | None, columns: list[str], rows: list[list[str]]):
    """One two-column block ("column  value") per row, the first row's key in bold: the
    shape of any table on a narrow terminal."""
    from rich.table import Table as RichTable
    from rich.text import Text

    rt = RichTable(title=Text(title), title_justify="left", caption=Text(note) if note else None,
                   caption_justify="left")
    rt.add_column("", justify="left")
    rt.add_column("", justify="left", overflow="fold")
    rt.show_header = False
    for r, row in enumerate(rows):
        cells = [cell.replace("\n", _BLOCK_SEP) for cell in row]
        rt.add_row(Text(columns[0], style="bold"), Text(cells[0], style="bold"))
        for name, cell in zip(columns[1:], cells[1:], strict=True):
            rt.add_row(Text(name), Text(cell))
        if r < len(rows) - 1:
            rt.add_section()
    return rt


def fitted_table(tbl: Table, width: int):
    """`rich_table(tbl)` when it fits `width` unwrapped; else its transpose (one column per
    row) if that fits, else one two-column block per row. Tables of more than
    RECORDS_MAX_ROWS rows keep their shape while their numbers and the words of their
    first column stay whole (rich folds their other text), else they become blocks too."""
    rows = tbl.formatted_rows()
    if not rows or _natural_width(list(tbl.columns), rows) <= width:
        return rich_table(tbl)
    if len(rows) > RECORDS_MAX_ROWS:
        numeric = [all(isinstance(row[i], (int, float)) and not isinstance(row[i], bool) for row in tbl.rows)
                   for i in range(len(tbl.columns))]
        widths = [max(_cell_width(name), *(_cell_width(row[i]) for row in rows)) + 3 for i, name in enumerate(tbl.columns)]
        # numbers whole; the first column's words (ids, labels) whole; other text folds
        needed = [max(_longest_word(name), *((_cell_width if numeric[i] else _longest_word)(row[i]) for row in rows)) + 3
                  if numeric[i] or i == 0 else 0 for i, name in enumerate(tbl.columns)]
        if _columns_stay_whole(widths, needed, width):
            return rich_table(tbl)
        return _records(tbl.title, tbl.note, list(tbl.columns), rows)
    headers = [tbl.columns[0], *(row[0] for row in rows)]
    body = [[name, *(row[i] for row in rows)] for i, name in enumerate(tbl.columns) if i > 0]
    if _natural_width(headers, body) > width:
        return _records(tbl.title, tbl.note, list(tbl.columns), rows)
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text

    rt = RichTable(title=Text(tbl.title), title_justify="left", caption=Text(tbl.note) if tbl.note else None,
                   caption_justify="left")
    rt.add_column(escape(headers[0]), justify="left")
    for header in headers[1:]:
        rt.add_column(escape(header), justify="right")
    for row in body:
        rt.add_row(*(Text(cell) for cell in row))
    return rt


def table(title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int):
    """A command's table (plain text cells, no markup) as it is when it fits `width` with
    its ids and numbers whole and its free text and headers wrapped between words; else
    one "column  value" block per row, so nothing is cut to "feed-r…" or "-41…"."""
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text

    names = [c.name for c in columns]
    cells = [list(row) for row in rows]
    widths = [max([_cell_width(c.name), *(_cell_width(row[i]) for row in cells)]) + 3 for i, c in enumerate(columns)]
    needed = [max([_longest_word(c.name), *((_longest_word if c.wrap else _cell_width)(row[i]) for row in cells)]) + 3
              for i, c in enumerate(columns)]
    if not _columns_stay_whole(widths, needed, width):
        return _records(title, None, names, cells)
    rt = RichTable(title=Text(title), title_justify="left")
    for c in columns:
        rt.add_column(escape(c.name), justify=c.justify, overflow="fold")
    for row in cells:
        rt.add_row(*(Text(cell) for cell in row))
    return rt


def heading(title: str) -> None:
    """A rule with `title` (markup) in it, as `console().rule` draws it; a title too long
    for the line gets a line of its own under the rule instead of being cut to "…"."""
    from rich.text import Text

    out = console()
    if Text.from_markup(title).cell_len + 4 <= out.width:
        out.rule(title)
    else:
        out.rule()
        out.print(title)


def print_result(result: SimResult, *, title: str | None = None) -> None:
    """The default human view of a simulation: its tables, then its reading."""
    out = console()
    from rich.markup import escape

    from mlsd.i18n import _, language

    # Chinese has no spaces for rich to break lines at: its notes and reading are wrapped here,
    # between characters and measured in cells (English keeps rich's layout).
    cjk = language() == "zh"
    if title:
        heading(f"[bold]{escape(title)}")
    for tbl in result.tables():
        if cjk and tbl.note:
            from dataclasses import replace

            out.print(fitted_table(replace(tbl, note=""), out.width))
            for text in cjk_lines(tbl.note, out.width):
                out.print(escape(text), soft_wrap=True)
        else:
            out.print(fitted_table(tbl, out.width))
        out.print()
    lines = result.reading()
    if lines:
        out.print("[bold]" + escape(_("What the numbers say")) + "[/]")
        for line in lines:
            if cjk:
                for i, text in enumerate(cjk_lines(line, out.width - 4)):
                    out.print(("  • " if i == 0 else "    ") + escape(text), soft_wrap=True)
            else:
                out.print(f"  • {escape(line)}")


def cjk_lines(text: str, width: int) -> list[str]:
    """`text` wrapped to `width` terminal cells, breaking between Chinese characters too."""
    from mlsd.cli.plain import wrap_spans

    return [text[a:b] for a, b in wrap_spans(" ".join(text.split()), max(width, 10), cjk=True)]


@contextmanager
def progress_bar(enabled: bool = True, description: str = "simulating") -> Iterator[Callable[[float, str], None] | None]:
    """Yield a progress callback drawn as a transient rich bar on stderr."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=1.0)

        def update(fraction: float, label: str) -> None:
            bar.update(task, completed=fraction, description=label or description)

        yield update


def emit(result: SimResult, *, as_json: bool, title: str | None = None) -> None:
    """`--json` prints `to_dict()`, otherwise tables and a plain reading."""
    if as_json:
        print_json(result.to_dict())
    else:
        print_result(result, title=title)


def run_and_emit(func: Callable[..., SimResult], *, as_json: bool, title: str | None = None, **kwargs: Any) -> SimResult:
    """Run a simulation under a progress bar, then print it: the common command body."""
    if owns_process:
        # The simulation's modules are imported by now and live until exit: frozen, the
        # full collections that a simulation's allocations trigger no longer re-scan
        # their million objects (~0.3 s of a default run). Not done when main() is
        # called inside another program (tests): its garbage would be frozen too.
        gc.freeze()
    try:
        from mlsd.i18n import _

        with progress_bar(enabled=not as_json, description=title or _("simulating")) as progress:
            result = func(**kwargs, progress=progress)
    except KeyboardInterrupt:
        from mlsd.i18n import _

        error_line(_("interrupted; nothing was printed or saved"))
        raise
    emit(result, as_json=as_json, title=title)
    return result


SPARK_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], low: float = 0.0, high: float = 100.0) -> str:
    """One character per value, ▁ at `low` up to █ at `high` (scores on a fixed 0–100 scale,
    so two steps' lines compare at a glance)."""
    span = high - low
    out = []
    for v in values:
        frac = min(max((v - low) / span, 0.0), 1.0) if span > 0 else 0.0
        out.append(SPARK_BARS[round(frac * (len(SPARK_BARS) - 1))])
    return "".join(out)
