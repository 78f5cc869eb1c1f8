"""The interface language and the gettext catalogs that translate mlsd into it.

Every sentence mlsd shows goes through `_()` (or `ngettext`/`pgettext`); `N_()` marks a
constant for extraction and leaves it as written, to be translated where it is shown.
The catalogs are `mlsd/locale/<lang>/LC_MESSAGES/mlsd.po` (edited by translators; the
workflow is in docs/CONTRIBUTING.md, "Translations"). English is the source language and
the fallback: a message without a translation is shown as written.

Which language: the CLI reads `--lang` from the command line before anything is built
(help texts are interface strings too), else `MLSD_LANG`, else the locale (`LANG=zh_CN.UTF-8`);
`set_language()` sets it. Library code that is not driven by the CLI stays in English
until `set_language()` is called, so embedding programs and tests are deterministic.

Where the translations come from: a wheel carries `mlsd.mo`, compiled from the `.po` by the
build hook (hatch_build.py, with babel); a source checkout or an editable install has only
the `.po` (nothing generated is committed, so no compile step can go stale; a `.mo` older
than its `.po` is ignored). Either is read here with the standard library (`parse_mo`,
`parse_po`: 5-15 ms for the whole catalog), and the entries are cached in MLSD_HOME's
cache folder keyed by the file's bytes, so a later start reads them back in under a
millisecond (benchmarks/startup.py). Only the chosen language's catalog is read, and only
when a message is first translated; English reads none. Standard library only: this
module is part of the base layer.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

LANGUAGES: tuple[str, ...] = ("en", "zh")
SOURCE_LANGUAGE = "en"
DOMAIN = "mlsd"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENV_VAR = "MLSD_LANG"

_LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class Translations(Protocol):
    """What a catalog offers (stdlib GNUTranslations and `PoTranslations` both do)."""

    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
    def pgettext(self, context: str, message: str) -> str: ...
    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str: ...


# ---------------------------------------------------------------- choosing the language


class LanguageError(ValueError):
    """A language code mlsd has no interface for; the message names it and the choices."""


def normalize(code: str | None) -> str | None:
    """`zh_CN.UTF-8`, `zh-Hans`, `ZH` -> "zh"; "C"/"POSIX" -> "en"; None when mlsd has no such language."""
    if not code:
        return None
    base = re.split(r"[_.@-]", code.strip(), maxsplit=1)[0].lower()
    if base in ("c", "posix"):
        return SOURCE_LANGUAGE
    return base if base in LANGUAGES else None


def language_from(argv: list[str] | tuple[str, ...], environ: Mapping[str, str]) -> str:
    """The language a command line asks for: `--lang X` (the last one, before `--`), else
    $MLSD_LANG, else the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English.

    A `--lang` or MLSD_LANG that mlsd has no interface for is a LanguageError (the user
    asked for it); a locale mlsd does not speak falls back to English silently.
    """
    asked = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang":
            asked = argv[i + 1] if i + 1 < len(argv) else ""
        elif arg.startswith("--lang="):
            asked = arg.partition("=")[2]
    if asked is not None:
        return _checked(asked, "--lang")
    if environ.get(ENV_VAR, "").strip():
        return _checked(environ[ENV_VAR], ENV_VAR)
    for var in _LOCALE_VARS:
        value = environ.get(var, "").strip()
        if not value:
            continue
        if var == "LANGUAGE":  # a preference list; used when one of them is ours
            found = next((c for c in map(normalize, value.split(":")) if c), None)
            if found:
                return found
            continue
        return normalize(value) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def _checked(value: str, where: str) -> str:
    code = normalize(value)
    if code is None or (code == SOURCE_LANGUAGE and value.strip().lower() in ("c", "posix")):
        raise LanguageError(f"{where} must be one of {', '.join(LANGUAGES)}, got {value!r}")
    return code


_state: dict[str, object] = {"lang": SOURCE_LANGUAGE, "catalog": None, "loaded": False}


def set_language(lang: str) -> None:
    """Speak `lang` from now on (one of LANGUAGES); its catalog is read on first use."""
    if lang not in LANGUAGES:
        raise LanguageError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if lang != _state["lang"]:
        _state.update(lang=lang, catalog=None, loaded=False)


def language() -> str:
    """The interface language now in use."""
    return str(_state["lang"])


def translations(lang: str | None = None) -> Translations:
    """The catalog for `lang` (default: the current language), for jinja2's i18n extension."""
    lang = lang or language()
    if lang == language():
        return _catalog() or _gettext.NullTranslations()
    return load_catalog(lang) or _gettext.NullTranslations()


def _catalog() -> Translations | None:
    if not _state["loaded"]:
        _state.update(catalog=load_catalog(language()), loaded=True)
    return _state["catalog"]  # type: ignore[return-value]


# ---------------------------------------------------------------- the translation functions


def gettext(message: str) -> str:
    """`message` in the interface language (as written when it has no translation)."""
    catalog = _catalog()
    return message if catalog is None else catalog.gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for the count `n`, translated."""
    catalog = _catalog()
    if catalog is None:
        return singular if n == 1 else plural
    return catalog.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` translated in `context` (a short word that means different things)."""
    catalog = _catalog()
    return message if catalog is None else catalog.pgettext(context, message)


def space() -> str:
    """What goes between two sentences, or a label ("Interviewer:") and its text: a space in
    English, nothing in Chinese (its full-width punctuation carries the spacing)."""
    return "" if language() == "zh" else " "


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark `message` for extraction without translating it (translate it where it is shown)."""
    return message


# ---------------------------------------------------------------- catalogs


def catalog_paths(lang: str, locale_dir: Path | None = None) -> tuple[Path, Path]:
    """(.po, .mo) of `lang`'s catalog."""
    folder = (locale_dir or LOCALE_DIR) / lang / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def load_catalog(lang: str, locale_dir: Path | None = None, cache_dir: Path | None = None) -> Translations | None:
    """`lang`'s catalog: the compiled .mo when it is not older than the .po, else the .po;
    None for English or when mlsd ships no catalog for `lang`.

    Reading either costs 5-15 ms; the entries are kept in the user's cache folder
    (MLSD_HOME/cache/i18n, keyed by the SHA-256 of the file and the Python version), which
    reads back in about a millisecond. A cache that cannot be read or written is skipped.
    """
    if lang == SOURCE_LANGUAGE:
        return None
    po, mo = catalog_paths(lang, locale_dir)

    def modified(path: Path) -> int | None:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    po_time, mo_time = modified(po), modified(mo)
    if mo_time is not None and (po_time is None or mo_time >= po_time):
        source = mo
    elif po_time is not None:
        source = po
    else:
        return None
    data = source.read_bytes()
    return PoTranslations(_cached_entries(data, source.suffix, lang, cache_dir))


def _cached_entries(data: bytes, kind: str, lang: str, cache_dir: Path | None) -> dict[str, object]:
    import hashlib
    import marshal
    import sys

    def parse() -> dict[str, object]:
        return parse_mo(data) if kind == ".mo" else parse_po(data.decode("utf-8"))

    try:
        from mlsd.resources import user_data_dir

        folder = cache_dir or user_data_dir() / "cache" / "i18n"
        key = hashlib.sha256(data + sys.version.encode()).hexdigest()[:24]
        path = folder / f"{lang}-{key}.marshal"
    except Exception:  # noqa: BLE001 - no home folder: parse every time
        return parse()
    try:
        entries = marshal.loads(path.read_bytes())
        if isinstance(entries, dict):
            return entries
    except (OSError, ValueError, EOFError, TypeError):
        pass
    entries = parse()
    try:
        import os

        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(entries))
        os.replace(tmp, path)  # atomic: a reader sees a whole file or none
    except OSError:
        pass
    return entries


def parse_mo(data: bytes) -> dict[str, object]:
    """The entries of a compiled .mo file, in `parse_po`'s form (GNU gettext's format)."""
    import struct

    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">" if magic == 0xDE120495 else None
    if order is None:
        raise ValueError("not a .mo file")
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    entries: dict[str, object] = {}
    for i in range(count):
        o_len, o_at = struct.unpack(order + "2I", data[originals + 8 * i:originals + 8 * i + 8])
        t_len, t_at = struct.unpack(order + "2I", data[translations + 8 * i:translations + 8 * i + 8])
        msgid = data[o_at:o_at + o_len].decode("utf-8")
        msgstr = data[t_at:t_at + t_len].decode("utf-8")
        if "\0" in msgid:  # a plural entry: singular NUL plural -> forms NUL-separated
            entries[msgid.split("\0", 1)[0]] = tuple(msgstr.split("\0"))
        else:
            entries[msgid] = msgstr
    return entries


class PoTranslations:
    """Translations read straight from a .po file's entries (see `parse_po`)."""

    def __init__(self, entries: dict[str, object]) -> None:
        self._messages = entries
        header = str(entries.get("", ""))
        match = re.search(r"plural=([^;\n]+)", header)
        self._plural: Callable[[int], int] = _plural_function(match.group(1) if match else "n != 1")

    def gettext(self, message: str) -> str:
        found = self._messages.get(message)
        return found if isinstance(found, str) and found else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._messages.get(singular)
        if isinstance(forms, tuple):
            index = self._plural(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        found = self._messages.get(f"{context}\x04{message}")
        return found if isinstance(found, str) and found else message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        forms = self._messages.get(f"{context}\x04{singular}")
        if isinstance(forms, tuple):
            index = self._plural(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return singular if n == 1 else plural


def _plural_function(expression: str) -> Callable[[int], int]:
    try:
        return _gettext.c2py(expression.strip())
    except (ValueError, AttributeError):  # pragma: no cover - a malformed header
        return lambda n: int(n != 1)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"expected a quoted string, got {text[:40]!r}")
    body = text[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), body) if "\\" in body else body


def parse_po(text: str) -> dict[str, object]:
    """The translated entries of a .po file: msgid -> msgstr, a plural msgid -> its forms (a
    tuple), a message with context under "context\\x04msgid"; the header under "".

    Like `msgfmt` (and babel's compile) without --use-fuzzy: fuzzy and obsolete (`#~`)
    entries and empty translations are left out, so they fall back to English.
    """
    entries: dict[str, object] = {}
    fields: dict[str, str] = {}
    forms: dict[int, str] = {}
    fuzzy = False
    current: str | None = None  # the field a continuation line adds to

    def finish() -> None:
        nonlocal fuzzy, current
        if "msgid" in fields and not fuzzy:
            key = fields["msgid"] if "msgctxt" not in fields else f"{fields['msgctxt']}\x04{fields['msgid']}"
            if "msgid_plural" in fields:
                values = tuple(forms.get(i, "") for i in range(max(forms, default=-1) + 1))
                if any(values):
                    entries[key] = values
            elif fields.get("msgstr"):
                entries[key] = fields["msgstr"]
        fields.clear()
        forms.clear()
        fuzzy, current = False, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if current is not None:  # a comment starts the next entry
                finish()
            if line.startswith("#,") and "fuzzy" in [flag.strip() for flag in line[2:].split(",")]:
                fuzzy = True
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"a continuation line outside an entry: {line[:40]!r}")
            if current.startswith("msgstr["):
                index = int(current[7:-1])
                forms[index] = forms.get(index, "") + _unquote(line)
            else:
                fields[current] = fields.get(current, "") + _unquote(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current is not None and current != "msgctxt":
            finish()
        if keyword.startswith("msgstr["):
            forms[int(keyword[7:-1])] = _unquote(value)
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            fields[keyword] = _unquote(value)
        else:
            raise ValueError(f"unexpected line in a .po file: {line[:40]!r}")
        current = keyword
    finish()
    return entries
