"""The translation catalogs: extract every interface string, update, check and compile the `.po` files.

    python -m mlsd.cli.catalog update     # new strings into each mlsd/locale/<lang>/LC_MESSAGES/mlsd.po
    python -m mlsd.cli.catalog check      # what is untranslated, fuzzy or has other {placeholders}
    python -m mlsd.cli.catalog extract    # the template (.pot) on stdout
    python -m mlsd.cli.catalog compile    # .po -> .mo beside it (optional: the .po is read as it is)

The strings come from three places: `_()`, `N_()`, `ngettext()` and `pgettext()` calls in
mlsd/ (babel's Python extractor), `{{ _("…") }}` and `{% trans %}` in templates/ (jinja2's),
and the built command tree: every command's and option's --help text and every
simulation's title and summary, read from the same objects `--help` shows, so they need
no marking in the code. A developer tool: it needs babel (the `test` extra); the
installed program never imports it (`mlsd.i18n` reads the catalogs with the stdlib).
tests/test_i18n.py fails while `check` reports anything.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mlsd"
TEMPLATES = ROOT / "templates"
HEADER_COMMENT = ("# Translations of mlsd's interface.\n"
                  "# Workflow: docs/CONTRIBUTING.md, \"Translations\". Keep {placeholders} and `code` as they are.\n")
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}(?!\})")


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a str.format pattern (`{{` and `}}` are literal braces)."""
    return set(_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def _code_messages() -> list[tuple[str | tuple[str, str], str | None, str, int, list[str]]]:
    """(message, context, file, line, comments) of each marked string in the code and templates."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    found = []
    sources = [
        (PACKAGE, [("**.py", "python")], {}),
        (TEMPLATES, [("**.j2", "jinja2.ext:babel_extract")],
         {"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}),
    ]
    for folder, method_map, options in sources:
        for filename, line, message, comments, context in extract_from_dir(
                folder, method_map, options, keywords=DEFAULT_KEYWORDS, comment_tags=("TRANSLATORS:",),
                strip_comment_tags=True):
            where = (folder / filename).relative_to(ROOT).as_posix()
            found.append((message, context, where, line, list(comments)))
    return found


def _help_messages() -> list[tuple[str, str]]:
    """(text, where) of every --help text of the command tree and every simulation's title and summary."""
    import typer

    from mlsd import i18n
    from mlsd.cli import app
    from mlsd.cli.lang import help_id
    from mlsd.sims.registry import all_specs

    previous = i18n.language()
    i18n.set_language(i18n.SOURCE_LANGUAGE)
    try:
        found: list[tuple[str, str]] = []
        root = typer.main.get_command(app)
        from mlsd.cli import lang

        lang.add_lang_option(root, recurse=False)

        def english(obj: Any, name: str) -> Any:
            """The English help even when an earlier run in this process translated it in place."""
            kept = obj.__dict__.get(lang.ENGLISH_KEPT) or {}
            return kept.get(name) if name in kept else getattr(obj, name, None)

        def walk(command: Any, path: list[str]) -> None:
            where = "cli:" + ("/".join(path) or "mlsd")  # a location without spaces
            for text in (english(command, "help"), english(command, "short_help")):
                if text:
                    found.append((help_id(text), where))
            for param in command.params:
                text = english(param, "help")
                if text:
                    name = next((o for o in param.opts if o.startswith("--")), param.name)
                    found.append((help_id(text), f"{where}:{name}"))
            for name in command.list_commands(None) if hasattr(command, "list_commands") else []:
                sub = command.get_command(None, name)
                if sub is not None:
                    walk(sub, [*path, name])

        walk(root, [])
        for name, spec in sorted(all_specs().items()):
            for text in (spec.title, spec.summary):
                if text:
                    found.append((text, f"cli:simulate/{name.replace(' ', '/')}:title"))
        return found
    finally:
        i18n.set_language(previous)


def extract() -> Any:
    """The template catalog (babel Catalog) of every interface string."""
    from babel.messages.catalog import Catalog

    from mlsd import __version__

    template = Catalog(project="mlsd", version=__version__, charset="utf-8", fuzzy=False)
    for message, context, where, line, comments in _code_messages():
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        template.add(message, None, [(where, line)], auto_comments=comments, context=context)
    for text, where in _help_messages():
        known = template.get(text)
        if known is None:
            template.add(text, None, [(where, 0)])
        elif len(known.locations) < 3:  # `--lang` is on every command: name a few
            known.locations.append((where, 0))
    return template


def po_path(lang: str) -> Path:
    from mlsd.i18n import catalog_paths

    return catalog_paths(lang, PACKAGE / "locale")[0]


def languages() -> list[str]:
    from mlsd.i18n import LANGUAGES, SOURCE_LANGUAGE

    return [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def read(lang: str) -> Any:
    from babel.messages.pofile import read_po

    path = po_path(lang)
    if not path.is_file():
        from babel.messages.catalog import Catalog

        return Catalog(locale=lang, project="mlsd", charset="utf-8", fuzzy=False)
    with path.open("rb") as fp:
        return read_po(fp, locale=lang, domain="mlsd")


def write(lang: str, catalog: Any) -> Path:
    from babel.messages.pofile import write_po

    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, ignore_obsolete=True, include_lineno=False)
    text = buffer.getvalue().decode("utf-8")
    text = re.sub(r"\A(#.*\n)+", HEADER_COMMENT, text)  # babel's "FIRST AUTHOR" boilerplate out
    text = re.sub(r'"POT-Creation-Date: .*\\n"\n', "", text)  # no churn on every update
    text = re.sub(r'"PO-Revision-Date: .*\\n"\n', "", text)
    path.write_text(text, encoding="utf-8")
    return path


def update() -> list[Path]:
    """Merge the extracted strings into every language's .po (new ones empty, changed ones fuzzy)."""
    template = extract()
    written = []
    for lang in languages():
        catalog = read(lang)
        catalog.update(template, update_header_comment=False)
        written.append(write(lang, catalog))
    return written


def problems(lang: str, template: Any = None) -> list[str]:
    """What keeps `lang`'s catalog from covering the interface: one line per message."""
    template = template if template is not None else extract()
    catalog = read(lang)
    out = []
    for message in template:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        where = ", ".join(f"{f}" + (f":{n}" if n else "") for f, n in message.locations[:2])
        found = catalog.get(message.id, context=message.context)
        short = " ".join(msgid.split())[:70]
        if found is None:
            out.append(f"missing (run `python -m mlsd.cli.catalog update`): {short!r} ({where})")
            continue
        strings = found.string if isinstance(found.string, (list, tuple)) else (found.string,)
        if not all(strings):
            out.append(f"untranslated: {short!r} ({where})")
        elif found.fuzzy:
            out.append(f"fuzzy (check the translation, then delete the `#, fuzzy` line): {short!r} ({where})")
        else:
            ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
            wanted = set().union(*(placeholders(i) for i in ids))
            for s in strings:
                if placeholders(s) != wanted:
                    out.append(f"placeholders differ ({sorted(placeholders(s))} vs {sorted(wanted)}): {short!r}")
    return out


def compile_catalogs() -> list[Path]:
    """Each .po as the .mo beside it (what the wheel carries)."""
    from babel.messages.mofile import write_mo

    written = []
    for lang in languages():
        catalog = read(lang)
        mo = po_path(lang).with_suffix(".mo")
        with mo.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        from babel.messages.pofile import write_po

        buffer = io.BytesIO()
        write_po(buffer, extract(), width=0, include_lineno=False)
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
        return 0
    if command == "update":
        for path in update():
            print(f"updated {path.relative_to(ROOT)}")
        return 0
    if command == "check":
        template = extract()
        found = {lang: problems(lang, template) for lang in languages()}
        for lang, lines in found.items():
            for line in lines:
                print(f"{lang}: {line}")
            print(f"{lang}: {len(lines)} problem(s) in {po_path(lang).relative_to(ROOT)}")
        return 1 if any(found.values()) else 0
    if command == "compile":
        for path in compile_catalogs():
            print(f"compiled {path.relative_to(ROOT)}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
