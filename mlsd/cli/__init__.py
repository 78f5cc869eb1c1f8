"""The `mlsd` command line: parse, call the library, print. No work lives here.

`main()` is the single error path: an `MlsdError` or a usage error becomes one
red line on stderr and a non-zero exit (2 for bad input), never a traceback.
"""

from __future__ import annotations

import functools
import gc
import re
import sys
from typing import Any

import typer

from mlsd import __version__
from mlsd.errors import MlsdError
from mlsd.i18n import N_, _


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlsd {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """A command-line coach for machine-learning system design.

    Practise the ten-step answer framework as a timed mock interview, get real
    numbers from small seeded simulations, and render a design doc.
    """


# The module (in mlsd/cli/) that adds each top-level command, in `mlsd --help` order.
# `mlsd scenarios` imports and converts only its own module; --help, a mistyped command and
# anything reading `.commands` load them all (issue 15: registering every command was a
# third of the light commands' start-up). tests/test_startup.py checks this against
# what the modules register.
COMMANDS: dict[str, str] = {
    "checklist": "checklist",
    "practice": "practice",
    "history": "practice",
    "progress": "practice",
    "drill": "practice",
    "estimate": "estimate",
    "render": "render",
    "scenarios": "scenarios",
    "simulate": "simulate",
}
_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # plain click help: rich's help renderer costs ~200 ms of start-up
}


def register_module(app: typer.Typer, module: str) -> None:
    """Add the commands of `mlsd.cli.<module>` to `app`."""
    import importlib

    importlib.import_module(f"mlsd.cli.{module}").register(app)


class _LazyRoot(typer.core.TyperGroup):
    """The `mlsd` group, loading a command's module when that command is asked for."""

    def __init__(self, **kwargs: Any) -> None:
        self._loaded: dict[str, Any] = {}
        self._modules: set[str] = set()
        super().__init__(**kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, Any]:
        """Every command (all modules loaded), in --help order."""
        for module in dict.fromkeys(COMMANDS.values()):
            self._load(module)
        return self._loaded

    @commands.setter
    def commands(self, value: Any) -> None:
        self._loaded = dict(value)

    def _load(self, module: str) -> None:
        if module in self._modules:
            return
        self._modules.add(module)
        sub = typer.Typer(**_SETTINGS)
        sub.callback()(_root)  # a callback makes typer build a group whatever the module adds
        register_module(sub, module)
        from mlsd.cli import lang

        added = typer.main.get_command(sub).commands
        for command in added.values():
            lang.add_lang_option(command)
            lang.localize(command)
        self._loaded.update(added)
        order = list(COMMANDS)
        self._loaded = dict(sorted(self._loaded.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in COMMANDS:
            self._load(COMMANDS[cmd_name])
            return self._loaded.get(cmd_name)
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)


def build_app() -> typer.Typer:
    """The `mlsd` command tree; each command's module is imported when the command is used.

    `mlsd simulate` is built from the simulations' declarations (when it is first used).
    None of the modules imports numpy & co at import time.
    """
    root = typer.Typer(
        name="mlsd",
        help="A command-line coach for machine-learning system design interviews and design docs.",
        no_args_is_help=True,
        cls=_LazyRoot,
        context_settings={"help_option_names": ["-h", "--help"]},
        **_SETTINGS,
    )
    root.callback()(_root)
    return root


def _skip_pydantic_for_plain_values() -> None:
    """Let typer check a str, bool, list[str] or Enum option without building a pydantic adapter.

    typer validates every non-flag parameter with a pydantic TypeAdapter; importing
    pydantic and building one costs ~70 ms, more than the rest of `mlsd scenarios` or
    `mlsd checklist ID` (issue 15). For values that are already what the annotation
    asks for (a str for `str`, a bool for `bool`, strs for `list[str]`, an Enum member
    or its exact value)
    that adapter returns the value unchanged, so here they skip it; everything else
    (numbers, ranges, paths, files, callbacks' parsers, near-miss choices) goes to
    typer's own coercion, built on first use. A no-op when typer's internals differ
    from the ones this was written against (0.29): start-up is slower, nothing breaks;
    tests/test_startup.py notices.
    """
    from dataclasses import dataclass
    from enum import Enum
    from typing import get_args, get_origin

    try:
        from typer import _coercion
        from typer import core as typer_core
    except ImportError:  # pragma: no cover - another typer
        return
    build = getattr(typer_core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if build is None or base is None or build is not getattr(_coercion, "build_runtime_param", None):
        return  # pragma: no cover

    def plain(desc: Any) -> bool:
        info = desc.parameter_info
        return (
            getattr(info, "parser", None) is None
            and getattr(info, "callback", None) is None
            and desc.file_annotation is None
            and not desc.is_path
        )

    @dataclass(frozen=True)
    class _PlainRuntimeParam(base):  # type: ignore[misc,valid-type]
        descriptor: Any = None
        kind: str = "str"

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            ann = self.annotation
            if self.kind in ("str", "bool") and type(value) is ann:
                return value
            if self.kind == "list" and isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
                return list(value)
            if self.kind == "enum":
                if isinstance(value, ann):
                    return value
                if (type(value) is str and self.parameter_info.case_sensitive
                        and getattr(ctx, "token_normalize_func", None) is None):
                    for member in ann:
                        if member.value == value:
                            return member
            return build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(desc: Any) -> Any:
        ann = desc.annotation
        kind = None
        if plain(desc):
            if ann is str or ann is bool:
                kind = ann.__name__
            elif get_origin(ann) is list and get_args(ann) == (str,):
                kind = "list"
            elif isinstance(ann, type) and issubclass(ann, Enum) and all(type(m.value) is str for m in ann):
                kind = "enum"
        if kind is None:
            return build(desc)
        return _PlainRuntimeParam(parameter_info=desc.parameter_info, annotation=ann, descriptor=desc, kind=kind)

    typer_core.build_runtime_param = build_runtime_param


_skip_pydantic_for_plain_values()


app = build_app()

# typer bundles click; its exception classes are reached through a public name.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


# typer checks option types with pydantic, whose messages speak of "Input" and parsing;
# a user typed an option value, so say what the value must be.
_PYDANTIC_WORDS = (
    (re.compile(r"Input should be a valid integer, unable to parse string as an integer"),
     "expected a whole number written out (like 20000, not 2e4 or 1.5)"),
    (re.compile(r"Input should be a valid integer(, got a number with a fractional part)?"),
     "expected a whole number (like 20000, not 1.5)"),
    (re.compile(r"Input should be a valid number, unable to parse string as a number"), "expected a number"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be at least \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be at most \1"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be more than \1"),
    (re.compile(r"Input should be less than (\S+)"), r"must be less than \1"),
)


def _plain_words(message: str) -> str:
    for pattern, words in _PYDANTIC_WORDS:
        message = pattern.sub(words, message)
    return message


_NOT_ONE_OF = re.compile(r"^(?:Value error, )?('.*?') is not one of (.*?)\.?$")

# The lines above (typer's, click's and pydantic's words, made plain) in the interface
# language: each pattern's groups fill its message's {placeholders}.
_GOT = r"(?:, got (?P<value>.+))?"
_CLICK_LINES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"^(?P<option>\S+) must be one of (?P<choices>.+), got (?P<got>.+)$",
     N_("{option} must be one of {choices}, got {got}")),
    (r"^(?P<option>\S+) (?:must be|expected) a whole number written out \(like 20000, not 2e4 or 1\.5\)" + _GOT + "$",
     N_("{option} must be a whole number written out (like 20000, not 2e4 or 1.5){got}")),
    (r"^(?P<option>\S+) (?:must be|expected) a whole number \(like 20000, not 1\.5\)" + _GOT + "$",
     N_("{option} must be a whole number (like 20000, not 1.5){got}")),
    (r"^(?P<option>\S+) (?:must be|expected) a number" + _GOT + "$", N_("{option} must be a number{got}")),
    (r"^(?P<option>\S+) must be at least (?P<limit>\S+?)" + _GOT + "$", N_("{option} must be at least {limit}{got}")),
    (r"^(?P<option>\S+) must be at most (?P<limit>\S+?)" + _GOT + "$", N_("{option} must be at most {limit}{got}")),
    (r"^(?P<where>.*?: )?No such option: (?P<option>\S+?)(?: \(Possible options: (?P<possible>.+?)\))?"
     r"(?P<hint> \(see --help\))?$", N_("{where}No such option: {option}{possible}{hint}")),
    (r"^(?P<where>.*?: )?Missing argument '(?P<argument>.+)'\.(?P<hint> \(see --help\))?$",
     N_("{where}Missing argument '{argument}'.{hint}")),
    (r"^(?P<where>.*?: )?Got unexpected extra argument(?:s|\(s\))? \((?P<arguments>.+?)\)(?P<hint> \(see --help\))?$",
     N_("{where}Got unexpected extra argument(s) ({arguments}){hint}")),
    (r"^(?P<where>.*?: )?Option '(?P<option>.+)' requires an argument\.(?P<hint> \(see --help\))?$",
     N_("{where}Option '{option}' requires an argument.{hint}")),
))


def _in_language(line: str) -> str:
    """A usage error line (built in English above) in the interface language."""
    from mlsd.i18n import SOURCE_LANGUAGE, language

    if language() == SOURCE_LANGUAGE:
        return line
    for pattern, message in _CLICK_LINES:
        match = pattern.match(line)
        if match:
            fields = {k: v or "" for k, v in match.groupdict().items()}
            if "value" in pattern.groupindex:
                fields["got"] = _(", got {value}").format(value=fields.pop("value")) if fields["value"] else ""
            if fields.get("hint"):
                fields["hint"] = " " + _("(see --help)")
            if fields.get("possible"):
                fields["possible"] = " " + _("(possible options: {options})").format(options=fields["possible"])
            return _(message).format(**fields)
    if line.endswith(" (see --help)"):  # typer's own words, translated already
        return line.removesuffix(" (see --help)") + " " + _("(see --help)")
    return line


def _typed_value(flags: list[str], argv: list[str]) -> str | None:
    """What the user typed for the option `flags` (`--x v` or `--x=v`), the last time."""
    found = None
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if name in flags:
            found = value if eq else (argv[i + 1] if i + 1 < len(argv) else None)
    return found


def _bad_value_line(exc: Any, argv: list[str]) -> str | None:
    """A wrong option value in the style of every other (`--alpha must be in (0, 1), got 1.5`):
    `--format must be one of md, html, got 'pdf'`, instead of click's "Invalid value for
    '--format': Value error, 'pdf' is not one of 'md', 'html'. (see --help)"."""
    param = getattr(exc, "param", None)
    if type(exc).__name__ != "BadParameter" or param is None:
        return None
    opts = list(getattr(param, "opts", []) or [])
    is_option = bool(opts) and opts[0].startswith("-")
    name = next((o for o in opts if o.startswith("--")), opts[0]) if is_option else param.human_readable_name
    message = " ".join(str(getattr(exc, "message", "")).split())
    choice = _NOT_ONE_OF.match(message)
    if choice:
        allowed = ", ".join(c.strip().strip("'") for c in choice.group(2).split(","))
        return f"{name} must be one of {allowed}, got {choice.group(1)}"
    words = _plain_words(message.removeprefix("Value error, ")).rstrip(".")
    words = re.sub(r"^expected ", "must be ", words)
    value = _typed_value(opts, argv) if is_option else None
    return f"{name} {words}" + (f", got {value!r}" if value is not None else "")


def run() -> None:
    """The `mlsd` script and `python -m mlsd`: `main()` in a process of its own.

    Owning the process lets the CLI skip work nobody needs: at exit, Python's final
    garbage collections walk every object numpy, pandas and scikit-learn created at
    import (about a million), which took ~0.5 s of each simulation run. `gc.freeze()`
    moves them out of the collector's reach; everything mlsd writes is flushed and
    closed before this point, and the OS frees the memory.
    """
    from mlsd.cli import output

    output.owns_process = True
    try:
        main()
    finally:
        gc.freeze()


@functools.cache
def _command() -> Any:
    """The click command tree, built once per process (~30 ms; the app does not change)."""
    from mlsd.cli import lang

    command = typer.main.get_command(app)
    lang.add_lang_option(command, recurse=False)  # commands get theirs when their module loads
    lang.install()
    return command


def _speak(command: Any) -> None:
    """The root's help and every loaded command's in the current language (main() may run
    again in the same process in another language: tests, programs embedding the CLI)."""
    from mlsd.cli import lang

    lang.localize(command, recurse=False)
    for sub in getattr(command, "_loaded", {}).values():
        lang.localize(sub)


def main(argv: list[str] | None = None) -> None:
    """Parse `argv` (default: sys.argv), run the command, exit with its status.

    The interface language is read first (`--lang`, MLSD_LANG, the locale: `mlsd.i18n`),
    since the help texts typer shows are interface strings too."""
    import os

    from mlsd import i18n
    from mlsd.cli.output import error_line

    try:
        i18n.set_language(i18n.language_from(sys.argv[1:] if argv is None else argv, os.environ))
    except i18n.LanguageError as exc:
        error_line(str(exc))
        sys.exit(2)
    command = _command()
    _speak(command)
    try:
        code = command.main(args=argv, prog_name="mlsd", standalone_mode=False)
    except MlsdError as exc:
        error_line(str(exc))
        sys.exit(exc.exit_code)
    except _ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
            typer.echo(exc.ctx.get_help())  # `mlsd` or `mlsd simulate` alone: help, not an error
            sys.exit(0)
        line = _bad_value_line(exc, sys.argv[1:] if argv is None else argv)
        if line is not None:
            error_line(_in_language(line))
            sys.exit(2)
        hint = " (see --help)" if getattr(exc, "exit_code", 1) == 2 else ""
        ctx = getattr(exc, "ctx", None)
        where = f"{ctx.command_path}: " if ctx is not None else ""
        error_line(_in_language(f"{where}{_plain_words(exc.format_message())}{hint}"))
        sys.exit(exc.exit_code)
    except typer.Abort:
        error_line(_("aborted"))
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
