"""Printing for the CLI: one error line, JSON, rich tables, progress bars.

Everything a command prints goes through here so the look is consistent and
`--json` keeps stdout clean (progress and errors go to stderr).
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

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

    return Console(file=_stream_for("stdout"), highlight=False, emoji=False)


@cache
def err_console() -> Console:
    from rich.console import Console

    return Console(file=_stream_for("stderr"), stderr=True, highlight=False, emoji=False)


def error_line(message: str) -> None:
    """The single red line a user sees for any bad input or failure."""
    from rich.markup import escape

    first = " ".join(str(message).split())  # never more than one line
    err_console().print(f"[bold red]error:[/] [red]{escape(first)}[/]", soft_wrap=True)


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


RECORDS_MAX_ROWS = 8  # wider tables with more rows keep their shape (rich folds their cells)


def _natural_width(columns: list[str], rows: list[list[str]]) -> int:
    """Terminal columns a table takes with nothing wrapped or cut (cells, borders, padding).

    Only a table that fits this way is safe from rich's shrinking, which shares the
    missing width out in proportion and cuts numbers to "2,31…" on the way.
    """
    return 1 + sum(max(len(name), *(len(row[i]) for row in rows)) + 3 for i, name in enumerate(columns))


def fitted_table(tbl: Table, width: int):
    """`rich_table(tbl)` when it fits `width` unwrapped; else its transpose (one column per
    row) if that fits, else one two-column block per row. Tables of more than
    RECORDS_MAX_ROWS rows keep their shape (rich wraps them as it can)."""
    rows = tbl.formatted_rows()
    if not rows or _natural_width(list(tbl.columns), rows) <= width or len(rows) > RECORDS_MAX_ROWS:
        return rich_table(tbl)
    headers = [tbl.columns[0], *(row[0] for row in rows)]
    body = [[name, *(row[i] for row in rows)] for i, name in enumerate(tbl.columns) if i > 0]
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text

    rt = RichTable(title=Text(tbl.title), title_justify="left", caption=Text(tbl.note) if tbl.note else None,
                   caption_justify="left")
    if _natural_width(headers, body) <= width:
        rt.add_column(escape(headers[0]), justify="left")
        for header in headers[1:]:
            rt.add_column(escape(header), justify="right")
        for row in body:
            rt.add_row(*(Text(cell) for cell in row))
        return rt
    rt.add_column("", justify="left")
    rt.add_column("", justify="left")
    rt.show_header = False
    for r, row in enumerate(rows):
        rt.add_row(Text(tbl.columns[0], style="bold"), Text(row[0], style="bold"))
        for name, cell in zip(tbl.columns[1:], row[1:], strict=True):
            rt.add_row(Text(name), Text(cell))
        if r < len(rows) - 1:
            rt.add_section()
    return rt


def print_result(result: SimResult, *, title: str | None = None) -> None:
    """The default human view of a simulation: its tables, then its reading."""
    out = console()
    from rich.markup import escape

    if title:
        out.rule(f"[bold]{escape(title)}")
    for tbl in result.tables():
        out.print(fitted_table(tbl, out.width))
        out.print()
    lines = result.reading()
    if lines:
        out.print("[bold]What the numbers say[/]")
        for line in lines:
            out.print(f"  • {escape(line)}")


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
        with progress_bar(enabled=not as_json, description=title or "simulating") as progress:
            result = func(**kwargs, progress=progress)
    except KeyboardInterrupt:
        error_line("interrupted; nothing was printed or saved")
        raise
    emit(result, as_json=as_json, title=title)
    return result
