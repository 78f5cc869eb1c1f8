"""The interface language on the command line: `--lang` on every command, help screens translated.

`mlsd.cli.main` reads the language from argv, MLSD_LANG or the locale before the command
runs (`mlsd.i18n.language_from`); this module makes the command tree speak it:

- `add_lang_option(command)` gives a command (and every subcommand) the `--lang zh|en`
  option, so `mlsd checklist --lang zh` and `mlsd --lang zh checklist` both parse (the
  value was already read; the option is there to be accepted and shown in --help);
- `localize(command)` swaps each command's and option's help for its translation (the
  English is kept, so a later `main()` in another language swaps it back) and, for a
  language other than English, draws the help screen with a formatter that measures
  terminal cells, not characters: click's own wraps Chinese at twice the terminal width;
- `install()` routes typer's own words ("Options", "Commands", "[default: …]") through
  the catalog.

The help texts need no marking in the code: `python -m mlsd.cli.catalog extract` reads
them from the built command tree (the same strings --help shows).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import typer

from mlsd.i18n import N_, SOURCE_LANGUAGE, gettext, language

LANG_HELP = N_("Interface language: zh (Chinese) or en (English). Default: $MLSD_LANG, else the locale, else English.")

# typer's and click's own words on a help screen (they are not in mlsd's code).
TYPER_WORDS = (
    N_("Usage: "), N_("Options"), N_("Arguments"), N_("Commands"), N_("Show this message and exit."),
    N_("default: {default}"), N_("required"), N_("(dynamic)"), N_("env var: {var}"), N_("Aborted!"), N_(":"),
    N_("No such command {name!r}."), N_("Missing command."),
)


def _lang_source(
    lang: str = typer.Option(None, "--lang", help=LANG_HELP, show_default=False, expose_value=False,
                             metavar="<en|zh>"),
) -> None:
    """Only here so typer builds the `--lang` option exactly as it builds every other one.

    A plain str (`mlsd.i18n.language_from` has checked the value before click parses it):
    an Enum would be matched case-insensitively through pydantic, ~70 ms of start-up."""


def force_english(command: Any) -> None:
    """Every help text of `command`, its options and subcommands back to English, whatever an
    earlier run in this process translated in place (options are shared between commands)."""
    localize(command, SOURCE_LANGUAGE, recurse=False)
    for param in command.params:
        kept = param.__dict__.get(_EN)
        if kept is not None:
            param.help = kept["help"]
    for sub in _subcommands(command):
        force_english(sub)


@functools.cache
def lang_option() -> Any:
    """The `--lang` click option (one object, shared by every command)."""
    app = typer.Typer(add_completion=False)
    app.command()(_lang_source)
    return typer.main.get_command(app).params[0]


def _subcommands(command: Any) -> list[Any]:
    found = getattr(command, "commands", None)
    return list(found.values()) if isinstance(found, dict) else []


def add_lang_option(command: Any, *, recurse: bool = True) -> None:
    """`--lang` on `command` and (`recurse`) on each of its subcommands (before --help)."""
    if not any("--lang" in getattr(p, "opts", ()) for p in command.params):
        command.params.append(lang_option())
    for sub in _subcommands(command) if recurse else ():
        add_lang_option(sub)


_EN = ENGLISH_KEPT = "_mlsd_help_en"  # where a command or option keeps its English help


def _english(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    kept = obj.__dict__.get(_EN)
    if kept is None:
        kept = {name: getattr(obj, name, None) for name in names}
        obj.__dict__[_EN] = kept
    return kept


def help_id(text: str) -> str:
    """The msgid of a help text: as written, minus the docstring's indentation."""
    return inspect.cleandoc(text)


def _translated(text: str | None) -> str | None:
    return text if not text else gettext(help_id(text))


def _short_help(help_text: str | None) -> str | None:
    """A translated command's line in its group's list: the first sentence of its help
    (click looks for ". " to end a sentence, which Chinese does not write)."""
    if not help_text:
        return None
    first = help_text.strip().split("\n\n", 1)[0]
    for stop in ("。", "！", "？"):
        if stop in first:
            return first.split(stop, 1)[0] + stop
    return None


def localize(command: Any, lang: str | None = None, *, recurse: bool = True) -> None:
    """Help texts of `command`, its options and (`recurse`) subcommands in `lang` (default:
    the current one). English on a command never translated costs nothing."""
    lang = lang or language()
    if command.__dict__.get("_mlsd_lang", SOURCE_LANGUAGE) == lang:
        return
    english = _english(command, ("help", "short_help"))
    command.__dict__["_mlsd_lang"] = lang
    if lang == SOURCE_LANGUAGE:
        command.help, command.short_help = english["help"], english["short_help"]
        if "context_class" in command.__dict__:
            del command.context_class  # back to the class's own
    else:
        command.help = _translated(english["help"])
        command.short_help = _translated(english["short_help"]) or _short_help(command.help)
        command.context_class = cell_context(type(command).context_class)
    for param in command.params:
        if getattr(param, "help", None) is None and _EN not in param.__dict__:
            continue
        kept = _english(param, ("help",))
        param.help = kept["help"] if lang == SOURCE_LANGUAGE else _translated(kept["help"])
    for sub in _subcommands(command) if recurse else ():
        localize(sub, lang)


@functools.cache
def cell_context(base: type) -> type:
    """A click context class (`base`) whose help formatter measures terminal cells."""
    return type("CellContext", (base,), {"formatter_class": cell_formatter(base.formatter_class)})


@functools.cache
def cell_formatter(base: type) -> type:
    """click's HelpFormatter (`base`), wrapping by terminal cells and breaking between Chinese
    characters; used only for languages other than English (English help stays byte-identical)."""
    from mlsd.cli.plain import cell_len, wrap_spans

    def wrap(text: str, width: int) -> list[str]:
        return [text[a:b] for a, b in wrap_spans(text, max(width, 10), cjk=True)]

    def paragraphs(text: str) -> list[tuple[int, str]]:
        """(indent, text) of each paragraph, lines joined as click does."""
        out: list[tuple[int, str]] = []
        for block in text.expandtabs().split("\n\n"):
            lines = [line for line in block.splitlines() if line.strip()]
            if lines:
                indent = len(lines[0]) - len(lines[0].lstrip())
                out.append((indent, " ".join(line.strip() for line in lines)))
        return out

    class CellFormatter(base):  # type: ignore[misc,valid-type]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, gettext("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            colon = gettext(":")
            self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

        def write_text(self, text: str) -> None:
            blocks = []
            for indent, para in paragraphs(text):
                pad = " " * (self.current_indent + indent)
                blocks.append("\n".join(pad + line for line in wrap(para, self.width - len(pad))))
            self.write("\n\n".join(blocks) + "\n")

        def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
            rows = [tuple(row) + ("",) * (2 - len(row)) for row in rows]
            first_col = min(max((cell_len(r[0]) for r in rows), default=0), col_max) + col_spacing
            lead = " " * self.current_indent
            for first, second in rows:
                self.write(f"{lead}{first}")
                if not second:
                    self.write("\n")
                    continue
                if cell_len(first) <= first_col - col_spacing:
                    self.write(" " * (first_col - cell_len(first)))
                else:
                    self.write("\n" + " " * (first_col + self.current_indent))
                lines = [line for _, para in paragraphs(second)
                         for line in wrap(para, max(self.width - first_col - 2, 10))]
                self.write((lines[0] if lines else "") + "\n")
                for line in lines[1:]:
                    self.write(" " * (first_col + self.current_indent) + line + "\n")

    return CellFormatter


def install() -> None:
    """typer's own help words through mlsd's catalog (typer.core looks up `_` at call time)."""
    from typer import core

    if getattr(core, "_", None) is not gettext:
        core._ = gettext  # type: ignore[attr-defined]
    command_base = next((c for c in core.TyperCommand.__mro__ if "get_help_option" in c.__dict__), None)
    if command_base is None or getattr(command_base.get_help_option, "_mlsd", False):
        return
    original = command_base.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        """click's --help option, its help ("Show this message and exit.") translated."""
        option = original(self, ctx)
        if option is not None:
            option.help = gettext("Show this message and exit.")
        return option

    get_help_option._mlsd = True  # type: ignore[attr-defined]
    command_base.get_help_option = get_help_option
