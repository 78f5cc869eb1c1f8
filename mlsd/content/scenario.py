"""Scenarios: the data model and the strict loader for `docs/scenario-format.md`.

`load_scenario("feed-ranking")` finds a shipped scenario by id;
`load_scenario("./my-case.yaml")` loads a user's file. Both go through the same
validation, and a bad file raises `ScenarioError("file:line: field: problem")`.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsd.i18n import _, pgettext

if TYPE_CHECKING:
    from mlsd.content.architecture import Architecture

STAGE_IDS: tuple[str, ...] = (
    "requirements",
    "ml-task",
    "data",
    "features",
    "model",
    "evaluation",
    "deployment",
    "serving",
    "monitoring",
    "maintenance",
)

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class KeyPoint:
    """One rubric item: covered when its keywords (or a paraphrase) appear."""

    id: str
    point: str
    keywords: tuple[str, ...]
    weight: float = 1.0
    why: str = ""
    # Extension: other ways candidates say the same idea (plain words, longer phrasings).
    # Matched like keywords, but not shown as the point's terms (hints use keywords).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    id: str
    prompt: str
    questions: tuple[str, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    tradeoffs: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    reference: str = ""


@dataclass(frozen=True)
class Twist:
    """An interviewer's curveball: after the candidate answers `step`, a constraint changes.

    The answer to `text` is scored against the twist's own key points (what must change,
    what can stay, the trade-off), apart from the step's rubric."""

    id: str
    step: str
    text: str
    key_points: tuple[KeyPoint, ...]
    reference: str


@dataclass(frozen=True)
class SimulationCall:
    """A `simulations:` entry: a registered simulation and its args."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    line: int = 0  # where the entry stands in its file, for errors found when it runs


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    stages: dict[str, Stage]  # in framework order
    tags: tuple[str, ...] = ()
    difficulty: str = "medium"
    scale: dict[str, float] = field(default_factory=dict)
    simulations: tuple[SimulationCall, ...] = ()
    non_goals: tuple[str, ...] = ()  # extension: what the design deliberately leaves out
    source: Path | None = None  # the file it came from
    # language -> its text (`translations` key; mlsd.content.translations shows it)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    architecture: Architecture | None = None  # extension: components and flows, drawn by `render`
    twists: tuple[Twist, ...] = ()  # extension: interviewer curveballs, one per step at most

    def stage(self, stage_id: str) -> Stage | None:
        return self.stages.get(stage_id)

    def twist(self, twist_id: str) -> Twist | None:
        return next((t for t in self.twists if t.id == twist_id), None)


# --------------------------------------------------------------------------- loading

SLUG = re.compile(r"[a-z0-9-]+")

# `non_goals` is an mlsd extension of the contract (optional; used by `render`).
_TOP_KEYS = ("id", "title", "summary", "tags", "difficulty", "scale", "stages", "simulations", "non_goals",
             "architecture", "twists", "translations")
_TOP_REQUIRED = ("id", "title", "summary", "stages")
_STAGE_KEYS = ("prompt", "questions", "key_points", "tradeoffs", "pitfalls", "follow_ups", "reference")
_STAGE_LISTS = ("questions", "tradeoffs", "pitfalls", "follow_ups")
_POINT_KEYS = ("id", "point", "keywords", "weight", "why", "aliases")
_SIM_KEYS = ("name", "args")
_TWIST_KEYS = ("id", "step", "text", "key_points", "reference")
TWIST_POINTS = (3, 5)  # key points per twist: what must change, what can stay, the trade-off
MIN_TWISTS = 2  # a scenario that declares twists gives at least this many, at different steps


def _kind(value: Any) -> str:
    """What YAML read, as a noun phrase ("got {kind}" in the messages below)."""
    if value is None:
        return pgettext("what YAML read", "nothing")
    if isinstance(value, bool):
        return _("a boolean ({value})").format(value=value)
    if isinstance(value, (int, float)):
        return _("a number ({value})").format(value=value)
    if isinstance(value, str):
        return _("text ({value})").format(value=repr(value[:30]))
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


class _Validator:
    """Turns located YAML data into a Scenario, or raises the first error found."""

    def __init__(self, doc):
        from mlsd.errors import ScenarioError

        self.doc = doc
        self.error_cls = ScenarioError

    def fail(self, path, problem: str):
        """`problem` is already translated (a whole sentence: `_("…").format(…)`)."""
        raise self.doc.error(tuple(path), problem, self.error_cls)

    def mapping(self, value, path, allowed, required=()) -> dict:
        from mlsd.errors import did_you_mean

        if not isinstance(value, dict):
            self.fail(path, _("expected a mapping, got {kind}").format(kind=_kind(value)))
        for key in value:
            if key not in allowed:
                self.fail(
                    path + (key,),
                    _("unknown key {key}{hint}; valid keys: {keys}").format(
                        key=repr(key), hint=did_you_mean(key, allowed), keys=", ".join(allowed)),
                )
        for key in required:
            if key not in value:
                self.fail(path, _("missing required key {key}").format(key=repr(key)))
        return value

    def text(self, value, path, *, one_line=False) -> str:
        if not isinstance(value, str):
            self.fail(path, _("expected text, got {kind}").format(kind=_kind(value)))
        if not value.strip():
            self.fail(path, _("must not be empty"))
        if one_line and "\n" in value.strip():
            self.fail(path, _("must be one line"))
        return value.strip() if one_line else value.strip("\n")

    def slug(self, value, path) -> str:
        value = self.text(value, path, one_line=True)
        if not SLUG.fullmatch(value):
            self.fail(path, _("{value} is not a slug: use lowercase letters, digits and '-' only").format(value=repr(value)))
        return value

    def texts(self, value, path) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(path, _("expected a list of text, got {kind}").format(kind=_kind(value)))
        return tuple(self.text(v, path + (i,)) for i, v in enumerate(value))

    def number(self, value, path) -> float:
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+", value.strip()):
            self.fail(path, _("YAML reads {value} as text; write it out ({plain}) or as {exponent}").format(
                value=repr(value), plain=f"{float(value):.0f}", exponent=f"{float(value):.1e}"))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, _("expected a number, got {kind}").format(kind=_kind(value)))
        if not math.isfinite(value):
            self.fail(path, _("expected a finite number, got {value}").format(value=value))
        return value

    def scenario(self) -> Scenario:
        from mlsd.errors import did_you_mean

        data = self.mapping(self.doc.data, (), _TOP_KEYS, _TOP_REQUIRED)
        scale = {}
        if data.get("scale") is not None:
            for name, value in self.mapping(data["scale"], ("scale",), tuple(data["scale"] or ())).items():
                number = self.number(value, ("scale", name))
                if number < 0:
                    self.fail(("scale", name), _("must be >= 0, got {value}").format(value=number))
                scale[name] = number
        difficulty = data.get("difficulty", "medium")
        if difficulty not in DIFFICULTIES:
            self.fail(
                ("difficulty",),
                _("expected one of {choices}, got {value}{hint}").format(
                    choices=", ".join(DIFFICULTIES), value=repr(difficulty),
                    hint=did_you_mean(difficulty, DIFFICULTIES) if isinstance(difficulty, str) else ""),
            )
        stages_raw = data["stages"]
        if not isinstance(stages_raw, dict):
            self.fail(("stages",), _("expected a mapping of stage id to stage, got {kind}").format(kind=_kind(stages_raw)))
        for stage_id in stages_raw:
            if stage_id not in STAGE_IDS:
                self.fail(
                    ("stages", stage_id),
                    _("unknown stage {stage}{hint}; valid stages: {stages}").format(
                        stage=repr(stage_id), hint=did_you_mean(stage_id, STAGE_IDS), stages=", ".join(STAGE_IDS)),
                )
        if "requirements" not in stages_raw:
            self.fail(("stages",), _("missing the 'requirements' stage (every scenario needs at least it)"))
        seen_points: dict[str, tuple] = {}
        stages = {
            sid: self.stage(sid, stages_raw[sid], seen_points) for sid in STAGE_IDS if sid in stages_raw
        }
        twists = self.twists(data.get("twists"), seen_points)
        scenario = Scenario(
            id=self.slug(data["id"], ("id",)),
            title=self.text(data["title"], ("title",), one_line=True),
            summary=self.text(data["summary"], ("summary",)).strip(),
            stages=stages,
            tags=self.texts(data["tags"], ("tags",)) if data.get("tags") is not None else (),
            difficulty=difficulty,
            scale=scale,
            simulations=self.simulations(data.get("simulations")),
            non_goals=self.texts(data["non_goals"], ("non_goals",)) if data.get("non_goals") is not None else (),
            architecture=self.architecture(data.get("architecture")),
            twists=twists,
        )
        # Checked last: the translations name the English's ids (steps, key points, twists, components).
        return replace(scenario, translations=self.translations(data, stages, twists, scenario.architecture))

    def translations(self, data: dict, stages: dict[str, Stage], twists: tuple[Twist, ...] = (),
                     architecture: Architecture | None = None) -> dict[str, dict[str, Any]]:
        """The optional `translations` block, checked against the English (mlsd.content.translations)."""
        from mlsd.content import translations

        return translations.validate(self, data.get("translations"), data, stages, twists, architecture)

    def architecture(self, raw) -> Architecture | None:
        if raw is None:
            return None
        from mlsd.content import architecture

        return architecture.validate(self, raw)

    def twists(self, raw, seen_points) -> tuple[Twist, ...]:
        """The `twists:` list (docs/scenario-format.md, "Twists"); () when absent."""
        if raw is None:
            return ()
        from mlsd.errors import did_you_mean

        if not isinstance(raw, list):
            self.fail(("twists",), _("expected a list of twists, got {kind}").format(kind=_kind(raw)))
        if len(raw) < MIN_TWISTS:
            self.fail(("twists",), _("needs at least {n} twists, at different steps, got {count}").format(
                n=MIN_TWISTS, count=len(raw)))
        out: list[Twist] = []
        ids: dict[str, int] = {}
        steps: dict[str, str] = {}
        for i, item in enumerate(raw):
            path = ("twists", i)
            item = self.mapping(item, path, _TWIST_KEYS, _TWIST_KEYS)
            twist_id = self.slug(item["id"], path + ("id",))
            if twist_id in ids:
                self.fail(path + ("id",), _("duplicate twist id {id} (first used at {where}); "
                                            "ids must be unique within the scenario").format(
                    id=repr(twist_id), where=f"twists[{ids[twist_id]}]"))
            ids[twist_id] = i
            step_id = self.text(item["step"], path + ("step",), one_line=True)
            if step_id not in STAGE_IDS:
                self.fail(path + ("step",), _("unknown step {step}{hint}; valid steps: {steps}").format(
                    step=repr(step_id), hint=did_you_mean(step_id, STAGE_IDS), steps=", ".join(STAGE_IDS)))
            if step_id in steps:
                self.fail(path + ("step",), _("twist {twist} is already asked after {step}; "
                                              "give each twist its own step").format(
                    twist=repr(steps[step_id]), step=repr(step_id)))
            steps[step_id] = twist_id
            points_raw = item["key_points"]
            low, high = TWIST_POINTS
            if not isinstance(points_raw, list):
                self.fail(path + ("key_points",), _("expected a list of key points, got {kind}").format(kind=_kind(points_raw)))
            if not low <= len(points_raw) <= high:
                self.fail(path + ("key_points",), _("needs {low} to {high} key points (what must change, what can "
                                                    "stay, the trade-off), got {count}").format(
                    low=low, high=high, count=len(points_raw)))
            points = tuple(self.key_point(p, path + ("key_points", j), seen_points) for j, p in enumerate(points_raw))
            out.append(Twist(
                id=twist_id, step=step_id, text=self.text(item["text"], path + ("text",)).strip(),
                key_points=points, reference=self.text(item["reference"], path + ("reference",)),
            ))
        return tuple(out)

    def stage(self, sid: str, raw, seen_points) -> Stage:
        path = ("stages", sid)
        raw = self.mapping(raw, path, _STAGE_KEYS, ("prompt",))
        lists = {k: self.texts(raw[k], path + (k,)) if raw.get(k) is not None else () for k in _STAGE_LISTS}
        points = []
        if raw.get("key_points") is not None:
            if not isinstance(raw["key_points"], list):
                self.fail(path + ("key_points",), _("expected a list of key points, got {kind}").format(
                    kind=_kind(raw["key_points"])))
            for i, item in enumerate(raw["key_points"]):
                points.append(self.key_point(item, path + ("key_points", i), seen_points))
        reference = self.text(raw["reference"], path + ("reference",)) if raw.get("reference") is not None else ""
        return Stage(
            id=sid,
            prompt=self.text(raw["prompt"], path + ("prompt",)).strip(),
            key_points=tuple(points),
            reference=reference,
            **lists,
        )

    def key_point(self, raw, path, seen_points) -> KeyPoint:
        raw = self.mapping(raw, path, _POINT_KEYS, ("id", "point", "keywords"))
        point_id = self.slug(raw["id"], path + ("id",))
        if point_id in seen_points:
            from mlsd.content.yamlfile import field_name

            self.fail(
                path + ("id",),
                _("duplicate key point id {id} (first used at {where}); ids must be unique within the scenario").format(
                    id=repr(point_id), where=field_name(seen_points[point_id])),
            )
        seen_points[point_id] = path
        keywords = self.texts(raw["keywords"], path + ("keywords",))
        if not keywords:
            self.fail(path + ("keywords",), _("needs at least one keyword"))
        weight = 1.0
        if raw.get("weight") is not None:
            weight = float(self.number(raw["weight"], path + ("weight",)))
            if weight <= 0:
                self.fail(path + ("weight",), _("must be > 0, got {value}").format(value=raw["weight"]))
        why = self.text(raw["why"], path + ("why",)).strip() if raw.get("why") is not None else ""
        aliases: tuple[str, ...] = ()
        if raw.get("aliases") is not None:
            aliases = tuple(a.strip() for a in self.texts(raw["aliases"], path + ("aliases",)))
        return KeyPoint(
            id=point_id,
            point=self.text(raw["point"], path + ("point",)).strip(),
            keywords=tuple(k.strip() for k in keywords),
            weight=weight,
            why=why,
            aliases=aliases,
        )

    def simulations(self, raw) -> tuple[SimulationCall, ...]:
        if raw is None:
            return ()
        from mlsd.sims import registry

        if not isinstance(raw, list):
            self.fail(("simulations",), _("expected a list of simulations, got {kind}").format(kind=_kind(raw)))
        calls = []
        specs = registry.all_specs()
        for i, item in enumerate(raw):
            path = ("simulations", i)
            item = self.mapping(item, path, _SIM_KEYS, ("name",))
            name = self.text(item["name"], path + ("name",), one_line=True)
            if name not in specs:
                from mlsd.errors import did_you_mean

                self.fail(
                    path + ("name",),
                    _("unknown simulation {name}{hint}; known: {known}").format(
                        name=repr(name), hint=did_you_mean(name, list(specs)), known=", ".join(sorted(specs)))
                    if specs else _("unknown simulation {name}; known: none yet").format(name=repr(name)),
                )
            args = item.get("args") or {}
            if not isinstance(args, dict):
                self.fail(path + ("args",), _("expected a mapping of option to value, got {kind}").format(kind=_kind(args)))
            bad = registry.check_args(specs[name], args)
            if bad:
                self.fail(path + ("args", bad[0]), bad[1])
            calls.append(SimulationCall(name=name, args=dict(args), line=self.doc.line(path)))
        return tuple(calls)


def parse_scenario(text: str, display: str) -> Scenario:
    """Validate scenario YAML text; `display` names the file in errors."""
    from mlsd.content import yamlfile
    from mlsd.errors import ScenarioError

    return _Validator(yamlfile.parse(text, display, ScenarioError)).scenario()


def load_scenario_file(path: Path | str, display: str | None = None) -> Scenario:
    """Load and validate one scenario file."""
    from dataclasses import replace

    from mlsd.content import yamlfile
    from mlsd.errors import ScenarioError

    path = Path(path)
    display = display or str(path)
    scenario = parse_scenario(yamlfile.read_text(path, display, ScenarioError), display)
    return replace(scenario, source=path.resolve())


def builtin_dir() -> Path:
    from mlsd.resources import resource_dir

    return resource_dir("scenarios")


def is_builtin(scenario: Scenario) -> bool:
    """True when the scenario was read from the shipped folder, so its id alone re-loads it.

    A scenario built in memory (no `source`) is not: nothing re-loads it. Paths are compared
    resolved (a symlink into the shipped folder is the shipped file); without a shipped
    folder every file is the user's.
    """
    if scenario.source is None:
        return False
    from mlsd.errors import MlsdError

    try:
        return scenario.source.resolve().parent == builtin_dir().resolve()
    except MlsdError:
        return False


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def list_scenarios() -> list[Scenario]:
    """Every shipped scenario, sorted by id."""
    return [load_scenario_file(builtin_dir() / f"{sid}.yaml") for sid in builtin_ids()]


@dataclass(frozen=True)
class ScenarioSummary:
    """What `mlsd scenarios` lists: a validated scenario's header fields."""

    id: str
    title: str
    difficulty: str
    tags: tuple[str, ...]
    titles: dict[str, str] = field(default_factory=dict)  # language -> translated title

    def title_in(self, lang: str) -> str:
        """The title in `lang`, or the English one when the file does not translate it."""
        return self.titles.get(lang, self.title)


SUMMARY_CACHE_FORMAT = 2


def list_summaries(cache: Path | None = None) -> list[ScenarioSummary]:
    """`list_scenarios()`'s ids, titles, difficulties and tags, without re-parsing unchanged files.

    Parsing and validating every shipped file costs ~5 ms each (13 files: most of
    `mlsd scenarios`). A file that validated before is listed from a cache entry
    keyed by the SHA-256 of its bytes and of the loader's own code (`_loader_fingerprint`),
    so an edited file, or a new mlsd, is parsed and validated again. The cache is
    a convenience, never trusted: an entry that is unreadable, malformed or fails
    its checksum is ignored, and a cache that cannot be written is skipped.
    `cache` defaults to `scenarios.json` beside the simulation cache (MLSD_HOME).
    """
    import hashlib

    cache = cache or _summary_cache_path()
    fingerprint = _loader_fingerprint()
    entries = _read_summary_cache(cache, fingerprint)
    out: list[ScenarioSummary] = []
    fresh: dict[str, dict[str, Any]] = {}
    for sid in builtin_ids():
        path = builtin_dir() / f"{sid}.yaml"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = entries.get(sid)
        if entry is None or entry.get("sha256") != digest:
            sc = load_scenario_file(path)  # validates; raises for a bad file, which is never cached
            entry = {"sha256": digest, "id": sc.id, "title": sc.title, "difficulty": sc.difficulty,
                     "tags": list(sc.tags),
                     "titles": {lang: t["title"] for lang, t in sc.translations.items() if "title" in t}}
        fresh[sid] = entry
        out.append(ScenarioSummary(entry["id"], entry["title"], entry["difficulty"], tuple(entry["tags"]),
                                   dict(entry["titles"])))
    if fresh != entries:
        _write_summary_cache(cache, fingerprint, fresh)
    return out


def _summary_cache_path() -> Path:
    from mlsd.resources import user_data_dir

    return user_data_dir() / "cache" / "scenarios.json"


def _loader_fingerprint() -> str:
    """SHA-256 of mlsd's version and the code that decides whether a scenario is valid."""
    import hashlib

    from mlsd import __version__

    package = Path(__file__).resolve().parents[1]
    content, sims = package / "content", package / "sims"
    h = hashlib.sha256(f"{SUMMARY_CACHE_FORMAT}:{__version__}".encode())
    for path in (content / "scenario.py", content / "yamlfile.py", content / "translations.py",
                 content / "architecture.py", sims / "registry.py",
                 *sorted((sims / "specs").glob("*.py"))):
        h.update(path.name.encode() + b"\0")
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()


def _summary_checksum(body: dict[str, Any]) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def _read_cache_entries(path: Path, fingerprint: str) -> dict[str, Any]:
    """A cache file's entries, or {} when it is missing, stale (another fingerprint) or fails its checksum.

    Shared by the summaries, the parsed scenarios and the parsed framework; each checks its
    entries' shapes itself."""
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        body, check = doc["body"], doc["sha256"]
        if _summary_checksum(body) != check or body["fingerprint"] != fingerprint:
            return {}
        entries = body["entries"]
        return entries if isinstance(entries, dict) else {}
    except Exception:  # noqa: BLE001 - any damage means: parse the files instead
        return {}


def _read_summary_cache(path: Path, fingerprint: str) -> dict[str, dict[str, Any]]:
    """The cached entries by id, or {} when the file is missing, stale or damaged in any way."""
    try:
        entries = _read_cache_entries(path, fingerprint)
        for sid, e in entries.items():
            fields_ok = all(isinstance(e[k], str) for k in ("sha256", "id", "title", "difficulty"))
            if not (isinstance(sid, str) and fields_ok and isinstance(e["tags"], list)
                    and all(isinstance(t, str) for t in e["tags"])):
                return {}
            titles = e["titles"]
            if not isinstance(titles, dict) or not all(isinstance(t, str) for t in (*titles, *titles.values())):
                return {}
        return entries
    except Exception:  # noqa: BLE001 - any damage means: parse the files instead
        return {}


def _write_summary_cache(path: Path, fingerprint: str, entries: dict[str, dict[str, Any]]) -> None:
    import json
    import os

    body = {"fingerprint": fingerprint, "entries": entries}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"body": body, "sha256": _summary_checksum(body)}), encoding="utf-8")
        os.replace(tmp, path)  # atomic: readers see the old file or the new one
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


# ------------------------------------------------------- the parsed scenarios' cache

PARSED_CACHE_FORMAT = 1
PARSED_CACHE_ENTRIES = 32  # the most recently parsed files kept; older entries are dropped


def _parsed_cache_path() -> Path:
    from mlsd.resources import user_data_dir

    return user_data_dir() / "cache" / "parsed-scenarios.json"


def _parsed_fingerprint() -> str:
    """The loader's fingerprint plus the code that writes and rebuilds the cached form."""
    import hashlib

    return hashlib.sha256(f"parsed:{PARSED_CACHE_FORMAT}:{_loader_fingerprint()}".encode()).hexdigest()


def _key_point_json(kp: KeyPoint) -> dict[str, Any]:
    return {"id": kp.id, "point": kp.point, "keywords": list(kp.keywords), "weight": kp.weight, "why": kp.why,
            "aliases": list(kp.aliases)}


def _scenario_json(sc: Scenario) -> dict[str, Any]:
    """The validated scenario as JSON (its `source` is not part of it: the file read sets it)."""
    return {
        "id": sc.id, "title": sc.title, "summary": sc.summary, "tags": list(sc.tags), "difficulty": sc.difficulty,
        "scale": dict(sc.scale), "non_goals": list(sc.non_goals),
        "stages": [{"id": st.id, "prompt": st.prompt, "questions": list(st.questions),
                    "key_points": [_key_point_json(kp) for kp in st.key_points], "tradeoffs": list(st.tradeoffs),
                    "pitfalls": list(st.pitfalls), "follow_ups": list(st.follow_ups), "reference": st.reference}
                   for st in sc.stages.values()],
        "simulations": [{"name": c.name, "args": c.args, "line": c.line} for c in sc.simulations],
        "translations": sc.translations,
        "architecture": sc.architecture.to_dict() if sc.architecture is not None else None,
        "twists": [{"id": t.id, "step": t.step, "text": t.text, "reference": t.reference,
                    "key_points": [_key_point_json(kp) for kp in t.key_points]} for t in sc.twists],
    }


def _fields_of(raw: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """`raw` when it is a mapping with exactly these keys; else ValueError (the entry is not used)."""
    if not isinstance(raw, dict) or set(raw) != set(keys):
        raise ValueError("cached entry has the wrong fields")
    return raw


def _str_of(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError("cached entry: expected text")
    return raw


def _strs_of(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise ValueError("cached entry: expected a list")
    return tuple(_str_of(x) for x in raw)


def _number_of(raw: Any, kind: type | tuple[type, ...] = (int, float)) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, kind):
        raise ValueError("cached entry: expected a number")
    return raw


def _key_point_of(raw: Any) -> KeyPoint:
    m = _fields_of(raw, ("id", "point", "keywords", "weight", "why", "aliases"))
    return KeyPoint(id=_str_of(m["id"]), point=_str_of(m["point"]), keywords=_strs_of(m["keywords"]),
                    weight=_number_of(m["weight"], float), why=_str_of(m["why"]), aliases=_strs_of(m["aliases"]))


def _scenario_of(raw: Any) -> Scenario:
    """The Scenario that `_scenario_json` wrote; ValueError for anything else."""
    m = _fields_of(raw, ("id", "title", "summary", "tags", "difficulty", "scale", "non_goals", "stages",
                         "simulations", "translations", "architecture", "twists"))
    if not isinstance(m["scale"], dict) or not isinstance(m["stages"], list) or not isinstance(m["simulations"], list):
        raise ValueError("cached entry: bad scale, stages or simulations")
    stages = {}
    for raw_stage in m["stages"]:
        st = _fields_of(raw_stage, ("id", "prompt", "questions", "key_points", "tradeoffs", "pitfalls", "follow_ups",
                                    "reference"))
        if st["id"] not in STAGE_IDS or st["id"] in stages or not isinstance(st["key_points"], list):
            raise ValueError("cached entry: bad stage")
        stages[st["id"]] = Stage(id=st["id"], prompt=_str_of(st["prompt"]), questions=_strs_of(st["questions"]),
                                 key_points=tuple(_key_point_of(kp) for kp in st["key_points"]),
                                 tradeoffs=_strs_of(st["tradeoffs"]), pitfalls=_strs_of(st["pitfalls"]),
                                 follow_ups=_strs_of(st["follow_ups"]), reference=_str_of(st["reference"]))
    if list(stages) != [sid for sid in STAGE_IDS if sid in stages]:
        raise ValueError("cached entry: stages out of order")
    calls = []
    for raw_call in m["simulations"]:
        c = _fields_of(raw_call, ("name", "args", "line"))
        if not isinstance(c["args"], dict):
            raise ValueError("cached entry: bad args")
        calls.append(SimulationCall(name=_str_of(c["name"]), args=c["args"], line=_number_of(c["line"], int)))
    if not isinstance(m["twists"], list):
        raise ValueError("cached entry: bad twists")
    twists = []
    for raw_twist in m["twists"]:
        t = _fields_of(raw_twist, ("id", "step", "text", "reference", "key_points"))
        if t["step"] not in STAGE_IDS or not isinstance(t["key_points"], list):
            raise ValueError("cached entry: bad twist")
        twists.append(Twist(id=_str_of(t["id"]), step=t["step"], text=_str_of(t["text"]),
                            key_points=tuple(_key_point_of(kp) for kp in t["key_points"]),
                            reference=_str_of(t["reference"])))
    return Scenario(
        id=_str_of(m["id"]), title=_str_of(m["title"]), summary=_str_of(m["summary"]), stages=stages,
        tags=_strs_of(m["tags"]), difficulty=_str_of(m["difficulty"]),
        scale={_str_of(k): _number_of(v) for k, v in m["scale"].items()},
        simulations=tuple(calls), non_goals=_strs_of(m["non_goals"]), twists=tuple(twists),
        architecture=None if m["architecture"] is None else _architecture_of(m["architecture"]),
        translations=_translations_of(m["translations"]),
    )


def _translations_of(raw: Any) -> dict[str, dict[str, Any]]:
    from mlsd.content.translations import plain_translations

    return plain_translations(raw)


def _architecture_of(raw: Any) -> Architecture:
    from mlsd.content.architecture import from_dict

    return from_dict(raw)


def load_scenario_cached(path: Path | str, display: str | None = None, cache: Path | None = None) -> Scenario:
    """`load_scenario_file`, without re-parsing a file whose exact text validated before.

    For `mlsd checklist` (parsing with line tracking is most of its start-up). The entry is
    keyed by the SHA-256 of the file's text and checked like the summaries' cache (loader
    fingerprint, checksum, every field's type); anything else, or a changed file, is parsed
    and validated for real, so errors still name the file and line. A file that fails is never
    cached. `cache` defaults to `parsed-scenarios.json` in MLSD_HOME's cache folder.
    """
    import hashlib
    from dataclasses import replace

    from mlsd.content import yamlfile
    from mlsd.errors import ScenarioError

    path = Path(path)
    display = display or str(path)
    text = yamlfile.read_text(path, display, ScenarioError)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        cache = cache or _parsed_cache_path()
    except Exception:  # noqa: BLE001 - no cache folder: parse
        return replace(parse_scenario(text, display), source=path.resolve())
    fingerprint = _parsed_fingerprint()
    entries = _read_cache_entries(cache, fingerprint)
    scenario = None
    if digest in entries:
        try:
            scenario = _scenario_of(entries[digest])
        except Exception:  # noqa: BLE001 - a damaged entry: parse instead
            scenario = None
    if scenario is None:
        scenario = parse_scenario(text, display)  # raises for a bad file, which is never cached
        fresh = {k: v for k, v in entries.items() if k != digest}
        fresh[digest] = _scenario_json(scenario)
        _write_summary_cache(cache, fingerprint, dict(list(fresh.items())[-PARSED_CACHE_ENTRIES:]))
    return replace(scenario, source=path.resolve())


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")) or ref.startswith(".")


def load_scenario(ref: str | Path, *, cached: bool = False) -> Scenario:
    """A shipped scenario by id, or a user's scenario file by path (`cached`: see `load_scenario_cached`)."""
    from mlsd.errors import UnknownScenarioError, did_you_mean

    load = load_scenario_cached if cached else load_scenario_file
    if isinstance(ref, Path) or _looks_like_path(ref):
        return load(Path(ref), str(ref))
    if SLUG.fullmatch(ref):
        builtin = builtin_dir() / f"{ref}.yaml"
        if builtin.is_file():
            return load(builtin)
    if Path(ref).is_file():
        return load(Path(ref), ref)
    ids = builtin_ids()
    from mlsd.i18n import _

    raise UnknownScenarioError(
        _("unknown scenario {ref}{hint}; available: {ids} (or pass the path to a scenario YAML file)").format(
            ref=repr(ref), hint=did_you_mean(ref, ids), ids=", ".join(ids) or _("none"))
    )
