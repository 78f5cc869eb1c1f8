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

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsd.content.architecture import Architecture
    from mlsd.content.scenario import Scenario, Twist

_LANG_KEYS = ("title", "summary", "non_goals", "stages", "twists", "architecture")
_STAGE_TEXTS = ("prompt", "reference")
_STAGE_LISTS = ("questions", "tradeoffs", "pitfalls", "follow_ups")
_POINT_KEYS = ("point", "why")
_TWIST_KEYS = ("text", "reference", "key_points")
_ARCHITECTURE_KEYS = ("components", "flows")


def validate(v: Any, raw: Any, data: dict[str, Any], stages: dict[str, Any], twists: tuple[Twist, ...] = (),
             architecture: Architecture | None = None) -> dict[str, dict[str, Any]]:
    """The `translations` block as plain data, checked against the English (`data`, the
    file's top level, and the validated `stages`, `twists` and `architecture`); `v` is the
    loader's validator, whose `fail` raises the one-line error."""
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
        out[lang] = _language(v, text, path + (lang,), data, stages, twists, architecture)
    return out


def _language(v: Any, raw: Any, path: tuple, data: dict[str, Any], stages: dict[str, Any], twists: tuple[Twist, ...],
              architecture: Architecture | None) -> dict[str, Any]:
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
        out["twists"] = _twists(v, m["twists"], path + ("twists",), twists)
    if m.get("architecture") is not None:
        out["architecture"] = _architecture(v, m["architecture"], path + ("architecture",), architecture)
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


def _twists(v: Any, raw: Any, path: tuple, english: tuple[Twist, ...]) -> dict[str, dict[str, Any]]:
    m = v.mapping(raw, path, tuple(raw) if isinstance(raw, dict) else ())
    by_id = {t.id: t for t in english}
    out = {}
    for tid, item in m.items():
        known_id(v, tid, path + (tid,), list(by_id), "twist")
        t = v.mapping(item, path + (tid,), _TWIST_KEYS)
        entry: dict[str, Any] = {k: v.text(t[k], path + (tid, k)).strip("\n") for k in ("text", "reference")
                                 if t.get(k) is not None}
        if t.get("key_points") is not None:
            entry["key_points"] = point_texts(v, t["key_points"], path + (tid, "key_points"),
                                              [kp.id for kp in by_id[tid].key_points], f"twist {tid!r}")
        out[tid] = entry
    return out


def flow_key(source: str, target: str) -> str:
    """How a translation names a flow: "from->to" (one flow per pair, the loader checks)."""
    return f"{source}->{target}"


def _architecture(v: Any, raw: Any, path: tuple, english: Architecture | None) -> dict[str, dict[str, str]]:
    from mlsd.content.architecture import FLOW_LABEL_MAX, LABEL_MAX

    m = v.mapping(raw, path, _ARCHITECTURE_KEYS)
    out: dict[str, dict[str, str]] = {}
    for key, known, limit in (
        ("components", [c.id for c in english.components] if english else [], LABEL_MAX),
        ("flows", [flow_key(f.source, f.target) for f in english.flows] if english else [], FLOW_LABEL_MAX),
    ):
        if m.get(key) is None:
            continue
        given = v.mapping(m[key], path + (key,), tuple(m[key]) if isinstance(m[key], dict) else ())
        out[key] = {}
        for item_id, label in given.items():
            where = path + (key, item_id)
            known_id(v, item_id, where, known, key[:-1], "the English architecture" if english else
                     "the English scenario (it has no `architecture:`)")
            text = v.text(label, where, one_line=True).strip()
            if len(text) > limit:
                v.fail(where, f"label too long: {len(text)} characters, at most {limit} (as in the English)")
            out[key][item_id] = text
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
    if "twists" in t:
        changes["twists"] = tuple(_twist(tw, t["twists"].get(tw.id)) for tw in scenario.twists)
    if "architecture" in t and scenario.architecture is not None:
        changes["architecture"] = _architecture_shown(scenario.architecture, t["architecture"])
    return replace(scenario, **changes)


def _point(kp: Any, texts: dict[str, str] | None) -> Any:
    return replace(kp, **texts) if texts else kp


def _twist(twist: Twist, texts: dict[str, Any] | None) -> Twist:
    """A twist (the `twists` key's item) with its text, reference and key points translated."""
    if not texts:
        return twist
    changes = {k: texts[k] for k in ("text", "reference") if k in texts}
    if "key_points" in texts:
        changes["key_points"] = tuple(_point(kp, texts["key_points"].get(kp.id)) for kp in twist.key_points)
    return replace(twist, **changes)


def _architecture_shown(arch: Architecture, texts: dict[str, dict[str, str]]) -> Architecture:
    """The architecture with component labels and flow labels ("from->to") translated."""
    labels, flow_labels = texts.get("components", {}), texts.get("flows", {})
    return replace(
        arch,
        components=tuple(replace(c, label=labels.get(c.id, c.label)) for c in arch.components),
        flows=tuple(replace(f, label=flow_labels.get(flow_key(f.source, f.target), f.label)) for f in arch.flows),
    )


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
