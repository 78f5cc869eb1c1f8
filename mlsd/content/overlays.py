"""The built-in data in other languages: `mlsd/data/<lang>/<name>.yaml` overlays `mlsd/data/<name>.yaml`.

An overlay holds only text, keyed by the English file's ids (lists: same length and order),
and every field is optional: what it leaves out is shown in English. The framework's is
read here (`framework_content`); the drill's (`mlsd.practice.drill`) and the mistakes'
(`mlsd.scoring.mistakes`) use `cached_overlay` with their own checks. A bad overlay is one
error `mlsd/data/zh/framework.yaml:12: steps.model.items.foo: …` like any data file.

```yaml
# mlsd/data/zh/framework.yaml
overview: ...
check_in_question: ...
habits: {<habit-id>: {title: ..., text: ...}}     # text may use {check_in_question}
steps: {<step-id>: {title: ..., purpose: ..., items: {<item-id>: {point: ..., why: ...}}, notes: [...]}}
ab_test_procedure: [...]     # same length
monitoring_list: [...]       # same length
examples: [{question: ...}]  # same length
```

Parsing YAML is most of a light command's start-up, so a validated overlay is cached like
the framework itself (keyed by the SHA-256 of the overlay's and the English file's text and
this code); anything stale or damaged is parsed again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlsd.content.translations import known_id, point_texts, same_length

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
_FRAMEWORK_KEYS = ("overview", "check_in_question", "habits", "steps", "ab_test_procedure", "monitoring_list",
                   "examples")


def overlay_path(name: str, lang: str) -> Path:
    return DATA_DIR / lang / f"{name}.yaml"


class Checker:
    """Strict reading of an overlay (LocatedData): each problem is `file:line: field: problem`."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def fail(self, path: tuple, problem: str) -> None:
        raise self.doc.error(tuple(path), problem)

    def mapping(self, value: Any, path: tuple, allowed: tuple[str, ...]) -> dict:
        from mlsd.errors import did_you_mean

        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                self.fail((*path, key), f"unknown key {key!r}{did_you_mean(str(key), allowed)}; "
                                        f"valid keys: {', '.join(allowed)}")
        return value

    def ids(self, value: Any, path: tuple) -> dict:
        """A mapping of id -> translation (the ids are checked by the caller)."""
        return self.mapping(value, path, tuple(value) if isinstance(value, dict) else ())

    def text(self, value: Any, path: tuple, *, one_line: bool = False) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "expected non-empty text")
        if one_line and "\n" in value.strip():
            self.fail(path, "must be one line")
        return value.strip()

    def texts(self, value: Any, path: tuple) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(path, "expected a list of text")
        return tuple(self.text(item, (*path, i)) for i, item in enumerate(value))


def cached_overlay(name: str, lang: str, english_text: str, check: Callable[[Checker], dict[str, Any]],
                   cache: Path | None = None) -> dict[str, Any] | None:
    """The overlay `name` in `lang`, validated by `check` (plain data), or None when there is none.

    Cached in MLSD_HOME's cache folder, keyed by both files' text and the code that checks
    it (`check`'s module and this one); a cache that cannot be read or written is skipped.
    """
    import hashlib
    import inspect

    from mlsd.content import scenario, yamlfile

    path = overlay_path(name, lang)
    if not path.is_file():
        return None
    display = f"mlsd/data/{lang}/{name}.yaml"
    text = yamlfile.read_text(path, display)
    digest = hashlib.sha256(f"{text}\0{english_text}".encode()).hexdigest()
    key = f"{lang}/{name}"

    def parse() -> dict[str, Any]:
        return check(Checker(yamlfile.parse(text, display)))

    try:
        from mlsd.resources import user_data_dir

        cache = cache or user_data_dir() / "cache" / "overlays.json"
        h = hashlib.sha256(f"overlay:{scenario._parsed_fingerprint()}".encode())
        h.update(Path(__file__).read_bytes())
        h.update(Path(inspect.getfile(check)).read_bytes())
        fingerprint = h.hexdigest()
    except Exception:  # noqa: BLE001 - no cache folder or unreadable code: parse
        return parse()
    entries = scenario._read_cache_entries(cache, fingerprint)
    entry = entries.get(key)
    if isinstance(entry, dict) and entry.get("sha256") == digest and isinstance(entry.get("content"), dict):
        return entry["content"]
    content = parse()  # raises for a bad overlay, which is never cached
    scenario._write_summary_cache(cache, fingerprint, {**entries, key: {"sha256": digest, "content": content}})
    return content


# ---------------------------------------------------------------- the framework


def _check_framework(v: Checker, english: dict[str, Any]) -> dict[str, Any]:
    source = "mlsd/data/framework.yaml"
    top = v.mapping(v.doc.data if v.doc.data is not None else {}, (), _FRAMEWORK_KEYS)
    out: dict[str, Any] = {}
    for key in ("overview", "check_in_question"):
        if top.get(key) is not None:
            out[key] = v.text(top[key], (key,), one_line=key == "check_in_question")
    if top.get("habits") is not None:
        known = [h.id for h in english["HABITS"]]
        out["habits"] = {}
        for hid, raw in v.ids(top["habits"], ("habits",)).items():
            known_id(v, hid, ("habits", hid), known, "habit", source)
            m = v.mapping(raw, ("habits", hid), ("title", "text"))
            out["habits"][hid] = {k: v.text(m[k], ("habits", hid, k), one_line=k == "title") for k in m}
    if top.get("steps") is not None:
        steps = {s.id: s for s in english["STEPS"]}
        out["steps"] = {}
        for sid, raw in v.ids(top["steps"], ("steps",)).items():
            known_id(v, sid, ("steps", sid), list(steps), "step", source)
            m = v.mapping(raw, ("steps", sid), ("title", "purpose", "items", "notes"))
            entry: dict[str, Any] = {k: v.text(m[k], ("steps", sid, k), one_line=k == "title")
                                     for k in ("title", "purpose") if m.get(k) is not None}
            if m.get("items") is not None:
                ids = [kp.id.removeprefix("generic-") for kp in steps[sid].items]
                entry["items"] = point_texts(v, m["items"], ("steps", sid, "items"), ids, source)
            if m.get("notes") is not None:
                entry["notes"] = same_length(v, m["notes"], ("steps", sid, "notes"), steps[sid].notes)
            out["steps"][sid] = entry
    for key, name in (("ab_test_procedure", "AB_TEST_PROCEDURE"), ("monitoring_list", "MONITORING_LIST")):
        if top.get(key) is not None:
            out[key] = same_length(v, top[key], (key,), english[name])
    if top.get("examples") is not None:
        raw = top["examples"]
        if not isinstance(raw, list) or len(raw) != len(english["EXAMPLES"]):
            v.fail(("examples",), f"expected a list of {len(english['EXAMPLES'])} item(s) ({{question: ...}}), "
                                  "as many as the English, in the same order")
        out["examples"] = [v.text(v.mapping(item, ("examples", i), ("question",)).get("question"),
                                  ("examples", i, "question")) for i, item in enumerate(raw)]
    return out


def framework_content(lang: str | None = None) -> dict[str, Any]:
    """The framework (same keys as `mlsd.content.framework.load_framework`) in `lang`
    (default: the interface language): the English with the overlay's text where it has some."""
    from mlsd.i18n import language

    return _framework_content(lang or language(), DATA_DIR)


@functools.cache
def _framework_content(lang: str, data_dir: Path) -> dict[str, Any]:
    from mlsd.content import framework, yamlfile
    from mlsd.i18n import SOURCE_LANGUAGE

    english = {name: getattr(framework, name) for name in framework._NAMES}
    if lang == SOURCE_LANGUAGE or not overlay_path("framework", lang).is_file():
        return english
    text = yamlfile.read_text(framework.FRAMEWORK_PATH, "mlsd/data/framework.yaml")
    t = cached_overlay("framework", lang, text, lambda v: _check_framework(v, english))
    return apply_framework(english, t or {})


def apply_framework(english: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
    """The English framework content with the validated overlay `t` laid over it."""
    question = t.get("check_in_question", english["CHECK_IN_QUESTION"])
    habits = []
    for h in english["HABITS"]:
        th = t.get("habits", {}).get(h.id, {})
        text = th["text"].replace("{check_in_question}", question) if "text" in th else h.text
        habits.append(replace(h, title=th.get("title", h.title), text=text))
    steps = []
    for s in english["STEPS"]:
        ts = t.get("steps", {}).get(s.id, {})
        items = ts.get("items", {})
        steps.append(replace(
            s, title=ts.get("title", s.title), purpose=ts.get("purpose", s.purpose),
            items=tuple(replace(kp, **items[kp.id.removeprefix("generic-")]) if kp.id.removeprefix("generic-") in items
                        else kp for kp in s.items),
            notes=tuple(ts.get("notes", s.notes)),
        ))
    examples = english["EXAMPLES"]
    if "examples" in t:
        examples = tuple((q, sid) for q, (_, sid) in zip(t["examples"], examples, strict=True))
    return {
        "OVERVIEW": t.get("overview", english["OVERVIEW"]),
        "CHECK_IN_QUESTION": question,
        "HABITS": tuple(habits),
        "STEPS": tuple(steps),
        "AB_TEST_PROCEDURE": tuple(t.get("ab_test_procedure", english["AB_TEST_PROCEDURE"])),
        "MONITORING_LIST": tuple(t.get("monitoring_list", english["MONITORING_LIST"])),
        "EXAMPLES": tuple(examples),
    }


def shown_step(step_id: str, lang: str | None = None) -> Any:
    """The framework step `step_id` as shown in `lang` (its English `framework.step` otherwise)."""
    from mlsd.content.framework import step

    english = step(step_id)  # raises BadInputError for an unknown id
    return next((s for s in framework_content(lang)["STEPS"] if s.id == english.id), english)
