"""mlsd.i18n and the catalogs: which language, where its translations come from, and that
every interface string has a Chinese translation (issue 19)."""

from __future__ import annotations

import ast
import gettext
import io
import os
from pathlib import Path

import pytest

from mlsd import i18n
from mlsd.cli.plain import cell_len

PACKAGE = Path(__file__).resolve().parents[1] / "mlsd"


# ---------------------------------------------------------------- the catalogs are complete


# The catalog as edited in the repo: a plain (non-editable) install carries only the compiled .mo.
REPO_PO = Path(__file__).resolve().parents[1] / "mlsd" / "locale" / "zh" / "LC_MESSAGES" / "mlsd.po"


def test_every_interface_string_has_a_chinese_translation(monkeypatch):
    """Every `_()`/`N_()`/`ngettext()` string in mlsd/, every `_()` in templates/, every
    --help text of every command and option and every simulation's title and summary has a
    Chinese translation that is not fuzzy and keeps the same {placeholders}.

    On failure: `python -m mlsd.cli.catalog update`, translate the new entries in
    mlsd/locale/zh/LC_MESSAGES/mlsd.po, and `python -m mlsd.cli.catalog check`
    (docs/CONTRIBUTING.md, "Translations")."""
    from mlsd.cli import catalog as tool
    from mlsd.cli.catalog import extract, problems

    monkeypatch.setattr(tool, "po_path", lambda lang: REPO_PO)
    template = extract()
    assert len(template) > 400  # the extraction sees the code, the templates and the help texts
    found = problems("zh", template)
    assert found == [], "\n".join(found[:30])


def test_the_check_notices_a_missing_an_untranslated_and_a_broken_translation(tmp_path, monkeypatch):
    """The completeness check itself can fail: a new string, an empty translation and one
    that drops a {placeholder} are each reported."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from mlsd.cli import catalog as tool

    template = Catalog()
    template.add("Score: {score}/100")
    template.add("Brand new sentence")
    template.add("Untranslated sentence")
    po = Catalog(locale="zh")
    po.add("Score: {score}/100", "得分：{分数}/100")
    po.add("Untranslated sentence", "")
    path = tmp_path / "zh" / "LC_MESSAGES" / "mlsd.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as fp:
        write_po(fp, po)
    monkeypatch.setattr(tool, "po_path", lambda lang: path)
    found = tool.problems("zh", template)
    assert len(found) == 3
    assert any(line.startswith("placeholders differ") for line in found)
    assert any(line.startswith("missing") and "Brand new" in line for line in found)
    assert any(line.startswith("untranslated") for line in found)


_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "N_"}


def test_no_translated_string_is_inside_an_f_string():
    """babel (on Python 3.11) does not see `_("…")` inside an f-string's braces, so such a
    string would never reach the catalog and stay English silently: translate it into a
    variable first."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                bad += [f"{path.relative_to(PACKAGE.parent)}:{sub.lineno}" for sub in ast.walk(node)
                        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in _CALLS]
    assert bad == []


def test_no_translated_string_is_built_from_an_f_string_or_a_variable():
    """`_(f"…{x}")` can never match a catalog entry; `_(variable)` only when the variable holds
    a string marked with N_() elsewhere. Only literals reach the catalog, so a call with an
    f-string is a bug (the format placeholders belong inside the literal)."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS
                    and node.args and isinstance(node.args[0], ast.JoinedStr)):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert bad == []


# ---------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        ([], {}, "en"),
        (["checklist", "--lang", "zh"], {}, "zh"),
        (["checklist", "--lang=zh"], {"MLSD_LANG": "en"}, "zh"),  # the command line wins
        (["--lang", "zh", "checklist", "--lang", "en"], {}, "en"),  # the last one, as click reads it
        (["checklist"], {"MLSD_LANG": "zh"}, "zh"),
        (["checklist"], {"MLSD_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
        (["checklist"], {"LANG": "zh_CN.UTF-8"}, "zh"),
        (["checklist"], {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (["checklist"], {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        (["checklist"], {"LANGUAGE": "fr:zh", "LANG": "en_US.UTF-8"}, "zh"),
        (["checklist"], {"LANG": "de_DE.UTF-8"}, "en"),  # a locale mlsd does not speak: English
        (["practice", "--", "--lang", "zh"], {}, "en"),  # after --, an argument, not the option
    ],
)
def test_language_comes_from_the_command_line_then_mlsd_lang_then_the_locale(argv, env, expected):
    assert i18n.language_from(argv, env) == expected


@pytest.mark.parametrize(("argv", "env", "named"), [
    (["--lang", "fr"], {}, "--lang"),
    (["--lang"], {}, "--lang"),
    ([], {"MLSD_LANG": "klingon"}, "MLSD_LANG"),
])
def test_a_language_mlsd_does_not_have_is_an_error_naming_where_it_was_asked(argv, env, named):
    with pytest.raises(i18n.LanguageError, match=f"^{named} must be one of en, zh"):
        i18n.language_from(argv, env)


def test_a_bad_language_is_one_line_and_exit_2(run_cli, monkeypatch):
    run_cli("checklist", "--lang", "fr").assert_bad_input("--lang must be one of en, zh, got 'fr'")
    monkeypatch.setenv("MLSD_LANG", "xx")
    run_cli("scenarios").assert_bad_input("MLSD_LANG must be one of en, zh, got 'xx'")


def test_english_needs_no_catalog_and_chinese_translates():
    i18n.set_language("en")
    assert i18n._("Scorecard") == "Scorecard" and i18n.load_catalog("en") is None
    i18n.set_language("zh")
    try:
        assert i18n._("Scorecard") == "成绩单"
        assert i18n._("A sentence nobody translated") == "A sentence nobody translated"  # the fallback
        assert i18n.ngettext("{n} step", "{n} steps", 3).format(n=3) == "3 个步骤"
    finally:
        i18n.set_language("en")


# ---------------------------------------------------------------- where translations come from


def test_the_po_reader_matches_babel_on_the_shipped_catalog():
    """A source checkout reads the .po with the stdlib (`parse_po`); the wheel carries the
    .mo babel compiles from the same file (hatch_build.py). Both must give the same text."""
    from babel.messages.pofile import read_po

    path = REPO_PO
    mine = i18n.parse_po(path.read_text(encoding="utf-8"))
    with path.open("rb") as fp:
        theirs = read_po(fp, locale="zh")
    expected = {}
    for m in theirs:
        if not m.id or m.fuzzy:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        key = f"{m.context}\x04{key}" if m.context else key
        value = tuple(m.string) if isinstance(m.id, tuple) else m.string
        if (all(value) if isinstance(value, tuple) else value):
            expected[key] = value
    mine.pop("", None)
    assert len(expected) > 400 and mine == expected


PO = r'''# a comment
msgid ""
msgstr ""
"Plural-Forms: nplurals=1; plural=0;\n"

#: somewhere.py:1
msgid "Two "
"lines"
msgstr "两"
"行"

#, fuzzy
msgid "Fuzzy one"
msgstr "不该用"

msgid "Quote \"me\"\n"
msgstr "引用“我”\n"

msgctxt "difficulty"
msgid "hard"
msgstr "困难"

msgid "{n} step"
msgid_plural "{n} steps"
msgstr[0] "{n} 个步骤"

msgid "Left empty"
msgstr ""

#~ msgid "Obsolete"
#~ msgstr "过时"
'''


def test_the_po_reader_keeps_what_msgfmt_keeps():
    t = i18n.PoTranslations(i18n.parse_po(PO))
    assert t.gettext("Two lines") == "两行"
    assert t.gettext("Fuzzy one") == "Fuzzy one"  # fuzzy entries are not used
    assert t.gettext('Quote "me"\n') == "引用“我”\n"
    assert t.pgettext("difficulty", "hard") == "困难" and t.gettext("hard") == "hard"
    assert t.ngettext("{n} step", "{n} steps", 5) == "{n} 个步骤"
    assert t.gettext("Left empty") == "Left empty" and t.gettext("Obsolete") == "Obsolete"


def test_a_compiled_catalog_is_used_unless_the_po_is_newer(tmp_path):
    """The wheel's .mo is read with the stdlib's GNUTranslations; a .mo left behind an
    edited .po (a developer's `catalog compile`) is ignored rather than shown stale."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    po_path, mo_path = i18n.catalog_paths("zh", tmp_path)
    po_path.parent.mkdir(parents=True)
    compiled = Catalog(locale="zh")
    compiled.add("Hello", "来自 mo")
    with mo_path.open("wb") as fp:
        write_mo(fp, compiled)
    source = Catalog(locale="zh")
    source.add("Hello", "来自 po")
    with po_path.open("wb") as fp:
        write_po(fp, source)
    os.utime(po_path, ns=(1_000_000_000, 1_000_000_000))
    os.utime(mo_path, ns=(2_000_000_000, 2_000_000_000))
    cache = tmp_path / "cache"
    assert i18n.load_catalog("zh", tmp_path, cache).gettext("Hello") == "来自 mo"
    os.utime(po_path, ns=(3_000_000_000, 3_000_000_000))  # the .po edited since
    assert i18n.load_catalog("zh", tmp_path, cache).gettext("Hello") == "来自 po"
    mo_path.unlink()
    po_path.unlink()
    assert i18n.load_catalog("zh", tmp_path, cache) is None  # no catalog: English


def test_the_mo_reader_matches_the_po_reader_on_the_shipped_catalog():
    """The wheel's .mo (compiled by babel in hatch_build.py) holds exactly what the .po says."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = REPO_PO
    buffer = io.BytesIO()
    with path.open("rb") as fp:
        write_mo(buffer, read_po(fp, locale="zh"), use_fuzzy=False)
    from_mo = i18n.parse_mo(buffer.getvalue())
    from_po = i18n.parse_po(path.read_text(encoding="utf-8"))
    from_mo.pop("", None)
    from_po.pop("", None)
    assert from_mo == from_po and len(from_po) > 400
    compiled = gettext.GNUTranslations(io.BytesIO(buffer.getvalue()))  # and the stdlib agrees
    assert all(compiled.gettext(k) == v for k, v in from_po.items() if isinstance(v, str) and "\x04" not in k)


def test_a_parsed_catalog_is_read_back_from_the_cache(tmp_path, monkeypatch):
    """Parsing the .po is ~14 ms of every Chinese start; the second start reads the entries
    back from the cache (keyed by the file's bytes) without parsing."""
    cache = tmp_path / "cache"
    first = i18n.load_catalog("zh", cache_dir=cache)
    assert len(list(cache.glob("zh-*.marshal"))) == 1

    def no_parsing(text):
        raise AssertionError("parsed again")

    monkeypatch.setattr(i18n, "parse_po", no_parsing)
    monkeypatch.setattr(i18n, "parse_mo", no_parsing)
    again = i18n.load_catalog("zh", cache_dir=cache)
    assert again.gettext("Scorecard") == first.gettext("Scorecard") == "成绩单"
    (next(cache.glob("zh-*.marshal"))).write_bytes(b"damaged")
    monkeypatch.undo()
    assert i18n.load_catalog("zh", cache_dir=cache).gettext("Scorecard") == "成绩单"  # parsed again


# ---------------------------------------------------------------- the command line


def _command_paths() -> list[list[str]]:
    import typer

    from mlsd.cli import app

    paths = []

    def walk(command, path):
        paths.append(path)
        for name in command.list_commands(None) if hasattr(command, "list_commands") else []:
            walk(command.get_command(None, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_every_command_takes_lang_and_its_help_is_translated(run_cli):
    for path in _command_paths():
        english = run_cli(*path, "--help")
        chinese = run_cli(*path, "--help", "--lang", "zh")
        assert english.code == chinese.code == 0, (path, chinese.stderr)
        assert "--lang" in english.stdout and english.stdout.startswith("Usage: mlsd")
        assert chinese.stdout.startswith("用法：mlsd") and "显示本帮助并退出。" in chinese.stdout, path
        assert "Show this message and exit." not in chinese.stdout
    # and before the command, on the root
    assert run_cli("--lang", "zh", "checklist", "--help").stdout.startswith("用法：mlsd checklist")


@pytest.mark.parametrize("width", [80, 120])
def test_chinese_help_fits_the_terminal_in_cells(run_cli, monkeypatch, width):
    """click wraps by characters; a Chinese character takes two cells, so its own wrap would
    run past the edge. Every line of every translated help screen fits `width` cells (long
    option names excepted, as in English)."""
    monkeypatch.setenv("COLUMNS", str(width))
    for path in _command_paths():
        out = run_cli(*path, "--help", "--lang", "zh").stdout
        for line in out.splitlines():
            if cell_len(line) > width:
                assert line.isascii(), (path, line)


def test_the_same_process_can_switch_language_back(run_cli):
    """Tests and programs embedding the CLI call main() many times: the English help comes back."""
    first = run_cli("checklist", "--help").stdout
    run_cli("checklist", "--help", "--lang", "zh")
    assert run_cli("checklist", "--help").stdout == first


def test_english_help_is_drawn_by_click_unchanged(run_cli):
    """The cell-measuring formatter is only for other languages: English output stays as it was."""
    from mlsd.cli import _command

    root = _command()
    run_cli("checklist", "--help", "--lang", "zh")
    run_cli("checklist", "--help")
    command = root.get_command(None, "checklist")
    assert "context_class" not in command.__dict__


def test_json_keys_stay_english_and_prose_follows_the_language(run_cli):
    import json

    english = json.loads(run_cli("checklist", "churn", "--format", "json").stdout)
    chinese = json.loads(run_cli("checklist", "churn", "--format", "json", "--lang", "zh").stdout)

    def keys(value):
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return None

    assert keys(english) == keys(chinese)
    assert chinese["schema"] == english["schema"] and chinese["steps"][0]["id"] == "requirements"


def test_the_plain_renderer_measures_chinese_like_rich():
    """mlsd.cli.plain (the fast commands' renderer) counts cells with unicodedata: for CJK
    ideographs, kana, Hangul, full-width forms and CJK punctuation it agrees with rich's
    own table, character by character."""
    from rich.cells import cell_len as rich_cell_len

    ranges = [(0x3000, 0x303F), (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
              (0xF900, 0xFAFF), (0xFF01, 0xFF60), (0xFE30, 0xFE4F)]
    import unicodedata

    for low, high in ranges:
        for cp in range(low, high + 1):
            if unicodedata.category(chr(cp)) != "Cn":  # unassigned code points have no width to agree on
                assert cell_len(chr(cp)) == rich_cell_len(chr(cp)), hex(cp)
    assert cell_len("提升信息流的互动 AUC") == 20


def test_the_plain_renderer_breaks_chinese_between_characters_and_keeps_lines_in_width():
    from mlsd.cli.plain import Page

    text = "我们运营一款社交 App，首页信息流混合了好友的帖子、用户关注的创作者发布的内容（以及推荐内容）。" * 3
    for width in (20, 37, 80):
        page = Page(file=io.StringIO(), width=width, color=False, cjk=True)
        page.paragraph(text)
        lines = list(page.lines())
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost at the breaks
        assert all(cell_len(line) <= width for line in lines)
        # breaking between characters fills the lines: none but the last is much shorter than the width
        assert all(cell_len(line) >= width - 4 for line in lines[:-1])
        # punctuation never starts a line, an opening bracket never ends one
        assert not any(line[0] in "，。、；：）" for line in lines[1:])
        assert not any(line.endswith("（") for line in lines)


def _shadows_gettext(function: ast.AST) -> tuple[list[int], list[int]]:
    """(lines where `function` binds the name `_`, lines where it calls `_()`), nested defs aside."""
    stores: list[int] = []
    calls: list[int] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                                  ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue  # a scope of its own
            if isinstance(child, ast.Name) and child.id == "_" and isinstance(child.ctx, ast.Store):
                stores.append(child.lineno)
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "_":
                calls.append(child.lineno)
            visit(child)

    visit(function)
    return stores, calls


def test_no_function_uses_underscore_both_as_a_throwaway_and_as_gettext():
    """`_, x = pair` or `for _ in …` makes `_` a local for the whole function, so its `_("…")`
    calls raise at run time (TypeError, or UnboundLocalError before the assignment). Ruff
    catches the loop case only."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stores, calls = _shadows_gettext(node)
                if stores and calls:
                    bad.append(f"{path.relative_to(PACKAGE.parent)}:{stores[0]} binds _ in {node.name}()")
    assert bad == []


def test_the_shadowing_check_sees_a_tuple_target(tmp_path):
    tree = ast.parse("def f(p):\n    _, x = p\n    return _('word')\n")
    assert _shadows_gettext(tree.body[0]) == ([2], [3])
