"""mlsd.cli.plain: the rich-free drawing of `mlsd scenarios` and `mlsd checklist`.

It must lay text out as rich did (the output stays the same, trailing padding aside) and
in time linear in the text; the commands must not import rich at all.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from mlsd.cli.plain import Page, cell_len, shorten, wrap_spans

WORDS = st.lists(
    st.sampled_from(["a", "ab", "word", "longer-word", "x" * 30, "模型", "深度和广度", "—", "(weight", "2)", "é"]),
    max_size=40,
)
SEPARATORS = st.lists(st.sampled_from([" ", "  ", "\n"]), min_size=40, max_size=40)


def _rich_lines(text: str, width: int) -> list[str]:
    """rich's own wrap of `text` (with folding), trailing spaces removed."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    return [line.plain.rstrip() for line in Text(text).wrap(console, width, overflow="fold")]


@settings(max_examples=300, deadline=None)
@given(words=WORDS, seps=SEPARATORS, width=st.integers(3, 50))
def test_wrap_breaks_lines_where_rich_does(words, seps, width):
    """Compared with rich's Text.wrap, the reference the old output came from."""
    text = "".join(w + s for w, s in zip(words, seps, strict=False)).rstrip()
    mine = [text[a:b] for a, b in wrap_spans(text, width)]
    assert mine == _rich_lines(text, width)
    assert all(cell_len(line) <= width for line in mine)


def test_cell_len_counts_wide_characters_twice():
    assert cell_len("abc") == 3 and cell_len("模型 Model") == 10 and cell_len("e\u0301") == 1


def test_bullets_hang_under_their_text_and_styles_only_on_colour():
    page = Page(file=io.StringIO(), width=20, color=False)
    page.bullets([([("☐", "")], [("one two three four five six", "1")])], indent=2)
    assert list(page.lines()) == ["  ☐ one two three", "    four five six"]
    coloured = Page(file=io.StringIO(), width=20, color=True)
    coloured.bullets([([("☐", "")], [("one", "1")])])
    assert list(coloured.lines()) == ["  ☐ \x1b[1mone\x1b[0m"]


def test_shorten_keeps_the_start_and_says_so():
    assert shorten("short") == "short"
    long = "start " + "x" * 20_000
    out = shorten(long, 100)
    assert out.startswith("start ") and "shortened: 20,006 characters" in out and len(out) < 200


@pytest.mark.parametrize("argv", [["scenarios"], ["scenarios", "--tag", "fraud"], ["checklist"],
                                  ["checklist", "feed-ranking"], ["checklist", "churn", "--stage", "model"]])
def test_light_commands_draw_without_rich(argv):
    """Importing and laying out with rich was most of their start-up (issue 15)."""
    probe = (
        "import sys\nfrom mlsd.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('RICH:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "RICH:", out.stdout[-300:]


def test_output_has_no_trailing_padding_and_ids_are_never_cut(run_cli, monkeypatch):
    """Issue 16: piped output was padded to the width and ids were cut to `feed-r…`."""
    monkeypatch.setenv("COLUMNS", "40")
    listing = run_cli("scenarios")
    assert listing.code == 0
    assert not [line for line in listing.stdout.splitlines() if line != line.rstrip()]
    ids = "".join(line.split("│")[1].strip() for line in listing.stdout.splitlines() if line.startswith("│"))
    assert "feed-ranking" in ids and "people-you-may-know" in ids
    checklist = run_cli("checklist", "feed-ranking")
    assert checklist.code == 0 and not [line for line in checklist.stdout.splitlines() if line != line.rstrip()]
    assert all(cell_len(line) <= 40 for line in checklist.stdout.splitlines())


def test_user_text_is_printed_as_written(run_cli, tmp_path):
    """No rich markup or emoji codes on a user's text (issue 16: `:x:` became ❌)."""
    from mlsd.content.scenario import builtin_dir

    src = (builtin_dir() / "churn.yaml").read_text(encoding="utf-8")
    case = tmp_path / "case.yaml"
    case.write_text(src.replace("title: ", "title: '[bold]keep :x: as typed' #", 1), encoding="utf-8")
    res = run_cli("checklist", str(case))
    assert res.code == 0, res.stderr
    assert "[bold]keep :x: as typed" in res.stdout and "❌" not in res.stdout
