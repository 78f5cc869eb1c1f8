"""A scenario's text in other languages: the optional `translations` key (docs/scenario-format.md).

```yaml
translations:
  zh:
    title: 提升信息流的互动
    stages:
      requirements:
        prompt: ...
        questions: [...]                      # same length and order as the English list
        key_points:
          business-objective: {point: ..., why: ...}   # keyed by the English key-point id
```

Every field is optional: what is not translated is shown in English. `validate()` is
called by the scenario loader with the English already checked, so a bad block is one
error naming the file and line, like any other: a language mlsd has no interface for,
a stage, key point, twist or component the English does not have, a list whose length
differs from the English one. Keywords are not translated (the scorer's glossary is
bilingual), and the scorer always reads the English: the language changes what is shown,
never the score. `localized()` gives the scenario as shown in a language.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsd.content.scenario import Scenario

_LANG_KEYS = ("title", "summary", "non_goals", "stages", "twists", "architecture")
_STAGE_TEXTS = ("prompt", "reference")
_STAGE_LISTS = ("questions", "tradeoffs", "pitfalls", "follow_ups")
_POINT_KEYS = ("point", "why")
_TWIST_KEYS = ("text", "reference", "key_points")
_ARCHITECTURE_KEYS = ("components", "flows")


def validate(v: Any, raw: Any, data: dict[str, Any], stages: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The `translations` block as plain data, checked against the English (`data`, the
    file's top level, and `stages`, the validated stages); `v` is the loader's validator,
    whose `fail` raises the one-line error."""
    from mlsd.errors import did_you_mean
    from mlsd.i18n import LANGUAGES, SOURCE_LANGUAGE

    if raw is None:
        return {}
    path: tuple[Any, ...] = ("translations",)
    others = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
    block = v.mapping(raw, path, tuple(raw) if isinstance(raw, dict) else ())
    out: dict[str, dict[str, Any]] = {}
    for lang, text in block.items():
        if lang not in others:
            v.fail(path + (lang,), f"unknown language {lang!r}{did_you_mean(lang, others)}; "
                                   f"translations are for: {', '.join(others)} (the scenario itself is English)")
        out[lang] = _language(v, text, path + (lang,), data, stages)
    return out


def _language(v: Any, raw: Any, path: tuple, data: dict[str, Any], stages: dict[str, Any]) -> dict[str, Any]:
    m = v.mapping(raw, path, _LANG_KEYS)
    out: dict[str, Any] = {}
    if m.get("title") is not None:
        out["title"] = v.text(m["title"], path + ("title",), one_line=True)
    if m.get("summary") is not None:
        out["summary"] = v.text(m["summary"], path + ("summary",)).strip()
    if m.get("non_goals") is not None:
        out["non_goals"] = same_length(v, m["non_goals"], path + ("non_goals",), data.get("non_goals") or [])
    if m.get("stages") is not None:
        out["stages"] = _stages(v, m["stages"], path + ("stages",), stages)
    if m.get("twists") is not None:
        out["twists"] = _twists(v, m["twists"], path + ("twists",), data.get("twists"))
    if m.get("architecture") is not None:
        out["architecture"] = _architecture(v, m["architecture"], path + ("architecture",), data.get("architecture"))
    return out


def same_length(v: Any, raw: Any, path: tuple, english: Any) -> list[str]:
    """A translated list: text items, as many as the English one has."""
    texts = list(v.texts(raw, path))
    if len(texts) != len(english):
        v.fail(path, f"has {len(texts)} item(s), the English list has {len(english)}; "
                     "translate every item, in the same order")
    return [t.strip() for t in texts]


def known_id(v: Any, key: str, path: tuple, known: list[str], what: str, source: str = "the English scenario") -> None:
    """Fail unless `key` is one of the English ids `known` (of `source`)."""
    from mlsd.errors import did_you_mean

    if key not in known:
        listed = ", ".join(known) if known else "none"
        v.fail(path, f"{what} {key!r} is not in {source}{did_you_mean(key, known)}; its {what}s: {listed}")


def point_texts(v: Any, raw: Any, path: tuple, english_ids: list[str],
                source: str = "the English scenario") -> dict[str, dict[str, str]]:
    """Translated key points: English id -> {point, why} (either may be left out)."""
    m = v.mapping(raw, path, tuple(raw) if isinstance(raw, dict) else ())
    out = {}
    for kp_id, item in m.items():
        known_id(v, kp_id, path + (kp_id,), english_ids, "key point", source)
        point = v.mapping(item, path + (kp_id,), _POINT_KEYS)
        out[kp_id] = {k: v.text(point[k], path + (kp_id, k)).strip() for k in _POINT_KEYS if point.get(k) is not None}
    return out


def _stages(v: Any, raw: Any, path: tuple, stages: dict[str, Any]) -> dict[str, dict[str, Any]]:
    m = v.mapping(raw, path, tuple(raw) if isinstance(raw, dict) else ())
    out = {}
    for sid, item in m.items():
        known_id(v, sid, path + (sid,), list(stages), "stage")
        st = stages[sid]
        where = path + (sid,)
        s = v.mapping(item, where, ("prompt", "questions", "key_points", "tradeoffs", "pitfalls", "follow_ups",
                                    "reference"))
        entry: dict[str, Any] = {}
        for key in _STAGE_TEXTS:
            if s.get(key) is not None:
                entry[key] = v.text(s[key], where + (key,)).strip("\n")
        for key in _STAGE_LISTS:
            if s.get(key) is not None:
                entry[key] = same_length(v, s[key], where + (key,), getattr(st, key))
        if s.get("key_points") is not None:
            entry["key_points"] = point_texts(v, s["key_points"], where + ("key_points",), [kp.id for kp in st.key_points])
        out[sid] = entry
    return out


def _ids(raw: Any, key: str = "id") -> list[str]:
    """The ids of an English list of mappings (already checked by its own loader, or not at all)."""
    return [str(x[key]) for x in raw if isinstance(x, dict) and key in x] if isinstance(raw, list) else []


def _twists(v: Any, raw: Any, path: tuple, english: Any) -> dict[str, dict[str, Any]]:
    m = v.mapping(raw, path, tuple(raw) if isinstance(raw, dict) else ())
    by_id = {str(t["id"]): t for t in english or [] if isinstance(t, dict) and "id" in t}
    out = {}
    for tid, item in m.items():
        known_id(v, tid, path + (tid,), list(by_id), "twist")
        t = v.mapping(item, path + (tid,), _TWIST_KEYS)
        entry: dict[str, Any] = {k: v.text(t[k], path + (tid, k)).strip("\n") for k in ("text", "reference")
                                 if t.get(k) is not None}
        if t.get("key_points") is not None:
            entry["key_points"] = point_texts(v, t["key_points"], path + (tid, "key_points"),
                                          _ids(by_id[tid].get("key_points")))
        out[tid] = entry
    return out


def _architecture(v: Any, raw: Any, path: tuple, english: Any) -> dict[str, dict[str, str]]:
    m = v.mapping(raw, path, _ARCHITECTURE_KEYS)
    english = english if isinstance(english, dict) else {}
    out: dict[str, dict[str, str]] = {}
    if m.get("components") is not None:
        known = _ids(english.get("components"))
        comps = v.mapping(m["components"], path + ("components",),
                          tuple(m["components"]) if isinstance(m["components"], dict) else ())
        out["components"] = {}
        for cid, label in comps.items():
            known_id(v, cid, path + ("components", cid), known, "component")
            out["components"][cid] = v.text(label, path + ("components", cid), one_line=True)
    if m.get("flows") is not None:
        flows = english.get("flows") if isinstance(english.get("flows"), list) else []
        known = [f"{f.get('from')}->{f.get('to')}" for f in flows if isinstance(f, dict)]
        given = v.mapping(m["flows"], path + ("flows",), tuple(m["flows"]) if isinstance(m["flows"], dict) else ())
        out["flows"] = {}
        for key, label in given.items():
            known_id(v, key, path + ("flows", key), known, "flow")
            out["flows"][key] = v.text(label, path + ("flows", key), one_line=True)
    return out


# ---------------------------------------------------------------- the scenario as shown


def localized(scenario: Scenario, lang: str | None = None) -> Scenario:
    """`scenario` with its text in `lang` (default: the interface language) where the file
    translates it, English elsewhere. Ids, keywords, weights and scale are unchanged, so
    the result is for showing; score with the scenario itself."""
    from mlsd.i18n import language

    t = (getattr(scenario, "translations", None) or {}).get(lang or language())
    if not t:
        return scenario
    stages = {}
    for sid, st in scenario.stages.items():
        ts = t.get("stages", {}).get(sid)
        if not ts:
            stages[sid] = st
            continue
        points = ts.get("key_points", {})
        stages[sid] = replace(
            st,
            **{k: ts[k] for k in _STAGE_TEXTS if k in ts},
            **{k: tuple(ts[k]) for k in _STAGE_LISTS if k in ts},
            key_points=tuple(_point(kp, points.get(kp.id)) for kp in st.key_points),
        )
    changes: dict[str, Any] = {"stages": stages}
    for key in ("title", "summary"):
        if key in t:
            changes[key] = t[key]
    if "non_goals" in t:
        changes["non_goals"] = tuple(t["non_goals"])
    names = {f.name for f in fields(scenario)}
    if "twists" in t and "twists" in names:
        changes["twists"] = tuple(_twist(tw, t["twists"].get(getattr(tw, "id", ""))) for tw in scenario.twists)
    if "architecture" in t and "architecture" in names and scenario.architecture is not None:
        changes["architecture"] = _architecture_shown(scenario.architecture, t["architecture"])
    return replace(scenario, **changes)


def _point(kp: Any, texts: dict[str, str] | None) -> Any:
    return replace(kp, **texts) if texts else kp


def _twist(twist: Any, texts: dict[str, Any] | None) -> Any:
    """A twist (the `twists` key's item) with its text, reference and key points translated."""
    if not texts:
        return twist
    own = {f.name for f in fields(twist)}
    changes = {k: texts[k] for k in ("text", "reference") if k in texts and k in own}
    if "key_points" in texts and "key_points" in own:
        changes["key_points"] = tuple(_point(kp, texts["key_points"].get(kp.id)) for kp in twist.key_points)
    return replace(twist, **changes)


def _architecture_shown(arch: Any, texts: dict[str, dict[str, str]]) -> Any:
    """The architecture with component labels and flow labels ("from->to") translated."""
    own = {f.name for f in fields(arch)}
    changes: dict[str, Any] = {}
    labels = texts.get("components", {})
    if labels and "components" in own:
        changes["components"] = tuple(replace(c, label=labels[c.id]) if c.id in labels else c
                                      for c in arch.components)
    flow_labels = texts.get("flows", {})
    if flow_labels and "flows" in own:
        def ends(flow: Any) -> str:
            start = next((getattr(flow, n) for n in ("from_", "source", "src", "start") if hasattr(flow, n)), None)
            end = next((getattr(flow, n) for n in ("to", "target", "dst", "end") if hasattr(flow, n)), None)
            return f"{start}->{end}"

        changes["flows"] = tuple(replace(f, label=flow_labels[ends(f)]) if ends(f) in flow_labels else f
                                 for f in arch.flows)
    return replace(arch, **changes) if changes else arch


def plain_translations(raw: Any) -> dict[str, dict[str, Any]]:
    """A cached `translations` value, checked to be what `validate` returns (plain mappings,
    lists and text); ValueError for anything else, so a damaged cache entry is not used."""
    def check(value: Any, depth: int) -> None:
        if isinstance(value, str):
            return
        if depth > 6:
            raise ValueError("cached translations: nested too deeply")
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, str):
                    raise ValueError("cached translations: a list of non-text")
            return
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ValueError("cached translations: expected a mapping")
        for item in value.values():
            check(item, depth + 1)

    if not isinstance(raw, dict):
        raise ValueError("cached translations: expected a mapping")
    check(raw, 0)
    return raw
