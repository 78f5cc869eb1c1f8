"""Plain-text drawing for the light commands (`mlsd scenarios`, `mlsd checklist`), without rich.

Importing rich and laying text out with it was most of these commands' start-up
(issue 15), and rich's layout of one enormous unbroken line is quadratic (a 5 MB
summary took ~53 s, issue 16). This module draws the same layout — rich's greedy
word wrap, hanging indents, rules, a rounded panel, a heavy-headed table — in time
linear in the text, with no trailing padding. Styles (bold, dim, …) become ANSI codes
only on a colour terminal, as rich decides it: a TTY, no NO_COLOR, TERM not dumb, or
FORCE_COLOR set.

Text is a list of (string, style) runs; a style is an SGR code such as "1" (bold).
User text is printed as written: no markup, no emoji codes.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

BOLD, DIM, ITALIC, UNDERLINE, BOLD_CYAN = "1", "2", "3", "4", "1;36"
Runs = list[tuple[str, str]]

# A text the terminal view shows at most this many characters of (issue 16: a 5 MB
# one-line summary); --format markdown and json print it all.
MAX_TEXT = 5_000

_WORD = re.compile(r"\s*\S+\s*")
# With `cjk`: a line may also break between two Chinese/Japanese characters (rich breaks only
# at spaces, so a sentence of Chinese is one long word to it). Opening punctuation stays with
# the character after it, closing punctuation with the one before it.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_OPEN = "（「『《【〈“‘"
_CLOSE = "，。、；：！？）」』》】〉”’…—%％"
_WORD_CJK = re.compile(rf"\s*[{_OPEN}]*(?:[{_CJK}]|[^\s{_CJK}{_OPEN}]+)[{_CLOSE}]*\s*")
_CONTROL = {c: None for c in (7, 8, 11, 12, 13)}  # what rich strips: BEL, BS, VT, FF, CR
_TAB = {9: " " * 4}


def clean(text: str) -> str:
    """Text as the terminal shows it: control characters dropped, tabs as spaces."""
    return text.translate(_CONTROL).translate(_TAB)


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """`text`, or its first `limit` characters and a note saying it was shortened."""
    if len(text) <= limit:
        return text
    from mlsd.i18n import _

    return text[:limit] + "… " + _("[shortened: {count} characters; --format markdown or --format json prints it all]").format(
        count=f"{len(text):,}")


def char_width(ch: str) -> int:
    """Terminal cells of one character: 2 for wide East Asian, 0 for combining marks."""
    if ch < "\u0300":
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """Terminal cells `text` takes (linear; ASCII without a per-character loop)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def _chop(word: str, width: int) -> list[str]:
    """`word` cut into pieces of at most `width` cells (rich's fold)."""
    if word.isascii():
        return [word[i:i + width] for i in range(0, len(word), width)] or [""]
    pieces, start, used = [], 0, 0
    for i, ch in enumerate(word):
        w = char_width(ch)
        if used + w > width and i > start:
            pieces.append(word[start:i])
            start, used = i, 0
        used += w
    pieces.append(word[start:])
    return pieces


def _breaks(line: str, width: int, fold: bool = True, cjk: bool = False) -> list[int]:
    """Offsets at which to break `line` (no newline) to fit `width` cells: rich's divide_line.

    A word longer than a line is folded over several (`fold`) or left whole on its own
    line, for the caller to cut. `cjk`: each Chinese character is a word of its own.
    """
    breaks: list[int] = []
    offset = 0
    for match in (_WORD_CJK if cjk else _WORD).finditer(line):
        start, word = match.start(), match.group(0)
        word_len = cell_len(word.rstrip())
        if width - offset >= word_len:
            offset += cell_len(word)
        elif word_len > width and not fold:
            if start:
                breaks.append(start)
            offset = cell_len(word)
        elif word_len > width:
            pieces = _chop(word, width)
            for i, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if i == len(pieces) - 1:
                    offset = cell_len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """rich's `divide_line` (offsets at which to break one line), also breaking between
    Chinese characters: `mlsd.cli.output` hands it to rich for Chinese output."""
    return _breaks(text, width, fold, cjk=True)


def wrap_spans(text: str, width: int, fold: bool = True, cjk: bool = False) -> list[tuple[int, int]]:
    """(start, end) offsets into `text` of each wrapped line, trailing spaces left out;
    `cjk`: lines may also break between Chinese characters (rich's wrap when False)."""
    width = max(1, width)
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        cuts = [0, *_breaks(line, width, fold, cjk), len(line)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            spans.append((pos + a, pos + a + len(line[a:b].rstrip())))
        pos += len(line) + 1
    return spans


def ellipsis(text: str, width: int) -> str:
    """`text` cut to `width` cells with a final "…" if longer (rich's overflow="ellipsis")."""
    if cell_len(text) <= width:
        return text
    return _chop(text, max(1, width - 1))[0] + "…" if width > 1 else "…"[:width]


def _plain(runs: Runs) -> str:
    return "".join(text for text, _ in runs)


class Page:
    """Lines written to `file` at `width` cells, styled when `color`."""

    def __init__(self, file: TextIO | None = None, width: int | None = None, color: bool | None = None,
                 cjk: bool | None = None) -> None:
        from mlsd.i18n import language

        self.file = file if file is not None else sys.stdout
        self.width = width if width is not None else terminal_width()
        self.color = color if color is not None else color_wanted(self.file)
        # Chinese text breaks between characters (English output stays rich's layout)
        self.cjk = cjk if cjk is not None else language() == "zh"
        self._lines: list[str] = []

    # -- styling -----------------------------------------------------------------------
    def styled(self, runs: Runs, start: int = 0, end: int | None = None) -> str:
        """The characters start:end of `runs`, with ANSI codes around styled parts if colour is on."""
        out, pos = [], 0
        end = len(_plain(runs)) if end is None else end
        for text, style in runs:
            a, b = max(start, pos), min(end, pos + len(text))
            if a < b:
                piece = text[a - pos:b - pos]
                out.append(f"\x1b[{style}m{piece}\x1b[0m" if style and self.color else piece)
            pos += len(text)
        return "".join(out)

    # -- building blocks -----------------------------------------------------------------
    def line(self, text: str = "") -> None:
        self._lines.append(text.rstrip())

    def paragraph(self, runs: Runs | str, indent: int = 0) -> None:
        """Wrapped to the page, each line starting `indent` spaces in."""
        runs = [(runs, "")] if isinstance(runs, str) else runs
        for a, b in wrap_spans(_plain(runs), self.width - indent, cjk=self.cjk):
            self.line(" " * indent + self.styled(runs, a, b))

    def bullets(self, rows: Iterable[tuple[Runs, Runs]], indent: int = 2) -> None:
        """(marker, text) rows: the marker right-aligned in indent+1 cells, the text hanging after it."""
        gutter = indent + 1
        for marker, text in rows:
            mark = _plain(marker)
            lead = " " * max(0, gutter - cell_len(mark)) + self.styled(marker) + " "
            for i, (a, b) in enumerate(wrap_spans(_plain(text), self.width - gutter - 1, cjk=self.cjk)):
                self.line((lead if i == 0 else " " * (gutter + 1)) + self.styled(text, a, b))

    def rule(self, title: Runs) -> None:
        """The title, then a line of ─ to the page's width (rich's Rule, aligned left)."""
        plain = _plain(title).replace("\n", " ")
        room = max(0, self.width - 2)
        if cell_len(plain) > room:
            cut = "".join(_chop(plain, max(1, room - 1))[:1]) if room > 1 else ""
            title, plain = [(cut + "…", title[0][1] if title else "")], cut + "…"
        rest = max(0, self.width - cell_len(plain) - 1)
        self.line(self.styled(title) + " " + "─" * rest)

    def panel(self, body: Runs, title: str) -> None:
        """A rounded box around `body`, its `title` centred in the top edge, no wider than needed."""
        plain = _plain(body)
        inner = min(max((cell_len(line) for line in plain.split("\n")), default=0), self.width - 4) + 2
        inner = min(self.width - 2, max(inner, cell_len(title) + 4))
        label = f" {title} "
        if cell_len(label) > inner - 2:
            label = _chop(label, max(1, inner - 2))[0]
        excess = inner - 2 - cell_len(label)
        self.line(f"╭─{'─' * (excess // 2)}{label}{'─' * (excess - excess // 2)}─╮")
        for a, b in wrap_spans(plain, inner - 2, cjk=self.cjk):
            pad = inner - 2 - cell_len(plain[a:b])
            self.line(f"│ {self.styled(body, a, b)}{' ' * pad} │")
        self.line(f"╰{'─' * inner}╯")

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], fold: Sequence[bool] = ()) -> None:
        """A heavy-headed box table like rich's default, cells wrapped; a word too long for its
        cell is folded onto the next line in the columns marked in `fold` (ids: never cut, so
        they can be copied), else cut with "…"."""
        fold = list(fold) + [False] * (len(columns) - len(fold))
        widths = _column_widths([[c, *(r[i] for r in rows)] for i, c in enumerate(columns)], self.width)
        self.paragraph([(title, ITALIC)])

        def border(left: str, fill: str, mid: str, right: str) -> str:
            return left + mid.join(fill * w for w in widths) + right

        def draw(cells: Sequence[str], side: str, style: str) -> None:
            wrapped = [wrap_spans(cell, w - 2, f, self.cjk) for cell, w, f in zip(cells, widths, fold, strict=True)]
            for i in range(max(len(w) for w in wrapped)):
                parts = []
                for cell, spans, w in zip(cells, wrapped, widths, strict=True):
                    a, b = spans[i] if i < len(spans) else (0, 0)
                    piece = ellipsis(cell[a:b], w - 2)
                    parts.append(" " + self.styled([(piece, style)]) + " " * (w - 1 - cell_len(piece)))
                self.line(side + side.join(parts) + side)

        self.line(border("┏", "━", "┳", "┓"))
        draw(columns, "┃", BOLD)
        self.line(border("┡", "━", "╇", "┩"))
        for row in rows:
            draw(row, "│", "")
        self.line(border("└", "─", "┴", "┘"))

    # -- output --------------------------------------------------------------------------
    def lines(self) -> Iterator[str]:
        return iter(self._lines)

    def flush(self) -> None:
        """Write everything drawn so far in one go."""
        if self._lines:
            self.file.write("\n".join(self._lines) + "\n")
            self._lines = []
        self.file.flush()


def _column_widths(columns: list[list[str]], width: int) -> list[int]:
    """Column widths (padding included) for a table `width` cells wide at most: rich's rules.

    Each column gets its longest line; if the table is too wide, the widest columns shrink
    towards the next widest, then all shrink evenly (rich's _collapse_widths and ratio_reduce).
    """
    widths = [max(max((cell_len(line) for line in cell.split("\n")), default=0) for cell in col) + 2
              for col in columns]
    room = width - (len(columns) + 1)  # the borders
    excess = sum(widths) - room
    while excess > 0:
        top = max(widths)
        second = max(w if w != top else 0 for w in widths)
        if top == second:
            break
        widths = _ratio_reduce(excess, [1 if w == top else 0 for w in widths], [min(excess, top - second)] * len(widths), widths)
        excess = sum(widths) - room
    if excess > 0:
        widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
    return [max(3, w) for w in widths]


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    ratios = [r if m else 0 for r, m in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    out = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            cut = min(maximum, round(ratio * total / total_ratio))
            out.append(value - cut)
            total -= cut
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def terminal_width() -> int:
    """Columns as rich counts them: $COLUMNS, else the terminal on stdin/stdout/stderr, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns or 80
        except (OSError, ValueError):
            continue
    return 80


def color_wanted(file: TextIO) -> bool:
    """Colour as rich decides it: FORCE_COLOR, else a terminal that is not dumb and no NO_COLOR."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        tty = file.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and os.environ.get("TERM", "").lower() not in ("dumb", "unknown")
