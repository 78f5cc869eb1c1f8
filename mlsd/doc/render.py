"""Turn a scenario, an optional practice session and simulation results into a design doc.

Compute, then render: `build_context()` gathers plain data (the scenario's
reference, the user's answers and scores, the `estimate` arithmetic, every
simulation listed in the scenario run with its args); `render_document()`
feeds it to `templates/design_doc.{md,html}.j2`, which share one section
layout (`_sections.j2`) through format macros (`_markdown.j2`, `_html.j2`).
A user's own template runs in a Jinja sandbox with the same plain data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlsd import __version__
from mlsd.content import framework
from mlsd.content.scenario import Scenario, is_builtin
from mlsd.errors import BadInputError, OutputExistsError, ScenarioError, TemplateError
from mlsd.fileio import atomic_write
from mlsd.i18n import N_, _

FORMATS = ("md", "html")

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", N_("Summary")),
    ("goals", N_("Goals and non-goals")),
    ("success-metrics", N_("Success metrics")),
    ("requirements", N_("Requirements and constraints")),
    ("design", N_("Design, step by step")),
    ("alternatives", N_("Alternatives considered")),
    ("risks", N_("Risks")),
    ("privacy", N_("Privacy and security")),
    ("cost", N_("Cost")),
    ("rollout", N_("Rollout and A/B plan")),
    ("monitoring", N_("Monitoring and alerts")),
    ("open-questions", N_("Open questions")),
    ("appendix", N_("Appendix: simulations")),
)

ARCHITECTURE_SECTION = ("architecture", N_("Architecture"))  # placed after the requirements when there is one

_PRIVACY_WORDS = ("privacy", "gdpr", "pii", "anonym", "encrypt", "consent", "security", "access control", "personal data")
_ONLINE_WORDS = ("online", "a/b", "ab test", "experiment", "treatment", "guardrail", "business metric")
_COST_FIGURES = ("servers", "storage", "bandwidth", "memory", "qps")


@dataclass(frozen=True)
class RenderedDocument:
    text: str
    assets: dict[str, str] = field(default_factory=dict)  # file name -> SVG (Markdown only)


# ------------------------------------------------------------------ context


def _point(kp, status: str | None = None, credit: float | None = None, evidence: str = "") -> dict[str, Any]:
    return {"id": kp.id, "point": kp.point, "keywords": list(kp.keywords), "weight": kp.weight,
            "why": kp.why, "status": status, "credit": credit, "evidence": evidence}


def _rescored(scenario: Scenario, stage_id: str, answer: Any) -> Any:
    """The saved answer scored again, for its evidence and mistakes (scoring is deterministic,
    so this is the saved result)."""
    if answer is None or answer.skipped or not (answer.answer or "").strip():
        return None
    from mlsd.scoring import score_answer

    text = (answer.answer or "") + "\n" + (getattr(answer, "follow_up_answer", None) or "")
    return score_answer(scenario, stage_id, text)


def _answer_for(session: Any, stage_id: str) -> Any:
    if session is None:
        return None
    return session.answers.get(stage_id) if hasattr(session, "answers") else None


def _status(answer: Any, point_id: str) -> tuple[str | None, float | None]:
    if answer is None:
        return None, None
    if point_id in answer.covered:
        return "covered", 1.0
    partial = dict(getattr(answer, "partial", {}) or {})
    if point_id in partial:
        return "partial", float(partial[point_id])
    return "missed", 0.0


def _twist(scenario: Scenario, stage_id: str, session: Any, shown: Scenario | None = None) -> dict[str, Any] | None:
    """The scenario's twist after this step, with the session's answer when it was asked; its
    text from `shown` (the interface language), its score from `scenario` (the English)."""
    twist = next((t for t in getattr(scenario, "twists", ()) if t.step == stage_id), None)
    if twist is None:
        return None
    told = next((t for t in getattr(shown or scenario, "twists", ()) if t.id == twist.id), twist)
    saved = (getattr(session, "twist_answers", None) or {}).get(twist.id) if session is not None else None
    rescored = None
    if saved is not None and not saved.skipped and (saved.answer or "").strip():
        from mlsd.scoring.twist import score_twist

        # The answers up to the twist's step: the design before the change (as in practice).
        order = list(getattr(session, "stages", ()) or ())
        upto = order[: order.index(stage_id) + 1] if stage_id in order else [stage_id]
        given = getattr(session, "answers", None) or {}
        earlier = "\n".join(getattr(given.get(s), "answer", "") or "" for s in upto)
        rescored = score_twist(scenario, twist, saved.answer, earlier=earlier)
    evidence = rescored.evidence if rescored is not None else {}
    return {
        "id": twist.id,
        "text": told.text,
        "reference": told.reference,
        "asked": saved is not None,
        "answer": None if saved is None else ("" if saved.skipped else saved.answer),
        "skipped": bool(saved is not None and saved.skipped),
        "score": None if saved is None else round(float(saved.score), 1),
        "key_points": [_point(kp, *_status(saved, kp.id), evidence.get(kp.id, "")) for kp in told.key_points],
    }


def _number_checks(scenario: Scenario, session: Any) -> list[dict[str, Any]]:
    """The figures the session's answers state, checked against the scenario's scale (`mlsd.scoring.numbers`)."""
    if session is None or not hasattr(session, "answers"):
        return []
    from mlsd.scoring.numbers import check_numbers

    texts = [(sid, (a.answer or "") + "\n" + (getattr(a, "follow_up_answer", None) or ""))
             for sid, a in session.answers.items() if not a.skipped]
    return [c.to_dict() for c in check_numbers(scenario, texts)]


def _pacing(session: Any) -> dict[str, Any] | None:
    if session is None or not hasattr(session, "answers"):
        return None
    from mlsd.scoring.pacing import pacing

    p = pacing({sid: (getattr(a, "seconds", 0.0), getattr(a, "budget_seconds", None), a.skipped)
                for sid, a in session.answers.items()})
    if p is None:
        return None
    out = p.to_dict()
    out["rows"] = [{"stage": s.stage, "seconds": s.seconds, "budget_seconds": s.budget_seconds,
                    "time": _mmss(s.seconds), "budget": _mmss(s.budget_seconds),
                    "share": f"{s.share * 100:.0f} %", "budget_share": f"{s.budget_share * 100:.0f} %"}
                   for s in p.steps]
    return out


def _mmss(seconds: float) -> str:
    from mlsd.scoring.pacing import mmss

    return mmss(seconds)


def _steps(scenario: Scenario, session: Any, shown: Scenario | None = None) -> list[dict[str, Any]]:
    """Each framework step's data; its text from `shown` (the scenario in the interface
    language) and the framework overlay, its scores from `scenario` (the English the scorer reads)."""
    from mlsd.content.overlays import framework_content
    from mlsd.scoring.mistakes import shown_why

    shown = shown or scenario
    steps = []
    for fw in framework_content()["STEPS"]:
        stage = shown.stage(fw.id)
        answer = _answer_for(session, fw.id)
        submitted = answer is not None and not getattr(answer, "draft", False)
        if not submitted:
            answer = None
        rescored = _rescored(scenario, fw.id, answer)
        evidence = rescored.evidence if rescored is not None else {}
        steps.append({
            "id": fw.id,
            "title": fw.title,
            "seed_term": _seed_term(fw.source_term, fw.title),  # templates (also users') read this name
            "purpose": fw.purpose,
            "prompt": stage.prompt if stage else "",
            "questions": list(stage.questions) if stage else [],
            "reference": stage.reference if stage else "",
            "answer": None if answer is None else ("" if answer.skipped else answer.answer),
            "skipped": bool(answer is not None and answer.skipped),
            "in_session": session is not None,
            "follow_up": getattr(answer, "follow_up", None) if answer else None,
            "follow_up_answer": getattr(answer, "follow_up_answer", None) if answer else None,
            "score": None if answer is None else round(float(answer.score), 1),
            "key_points": [_point(kp, *_status(answer, kp.id), evidence.get(kp.id, ""))
                           for kp in (stage.key_points if stage else ())],
            "generic_items": [_point(kp, *_status(answer, kp.id), evidence.get(kp.id, "")) for kp in fw.items],
            "tradeoffs": list(stage.tradeoffs) if stage else [],
            "pitfalls": list(stage.pitfalls) if stage else [],
            "follow_ups": list(stage.follow_ups) if stage else [],
            "notes": list(fw.notes),
            "mistakes": [{"sentence": m.sentence, "why": shown_why(m.id, m.why)} for m in rescored.mistakes]
            if rescored else [],
            "twist": _twist(scenario, fw.id, session, shown),
        })
    return steps


def _estimate(scenario: Scenario) -> dict[str, Any] | None:
    if not scenario.scale:
        return None
    from mlsd.sims.estimate import estimate

    try:
        result = estimate(scale=scenario.scale, scenario=scenario.id)
    except BadInputError as exc:
        return {"error": str(exc), "figures": [], "inputs": []}
    return {
        "error": None,
        "inputs": [{"name": i.name, "value": i.value, "unit": i.unit, "source": i.source} for i in result.inputs],
        # `id`: the figure's English name (what the cost section looks for); `name`: as shown
        "figures": [{"id": f.name, "name": _(f.name), "shown": f.shown, "arithmetic": f.arithmetic}
                    for f in result.shown_figures()],  # a GenAI design: not figures of defaults alone
        "not_used": list(result.not_used),
    }


def _twist_score(session: Any) -> float | None:
    """The average score of the twists the session asked (apart from the total), None without any."""
    answers = list((getattr(session, "twist_answers", None) or {}).values())
    return round(sum(a.score for a in answers) / len(answers), 1) if answers else None


def _seed_term(term: str, title: str) -> str:
    """The notes' term for a step, without the words its title already says: "5. Model (模型)",
    not "Model (模型 Model)"; nothing when the (Chinese) title is the term."""
    said = [w.lower() for w in title.split()]
    kept = [p for p in term.split() if p not in title and not any(w.startswith(p.lower()) for w in said)]
    return " ".join(kept)


def _path_to_type(source: Path | None) -> str:
    """A user's scenario file as they would type it: relative to here when it is below here."""
    if source is None:
        return "SCENARIO.yaml"
    rel = os.path.relpath(source)
    return source.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(w in low for w in words)


def build_context(
    scenario: Scenario,
    *,
    session: Any = None,
    include_simulations: bool = True,
    cache_dir: Path | None = None,
    progress=None,
) -> dict[str, Any]:
    """All the data a template may use, as plain JSON-able values; the text in the interface
    language (`mlsd.i18n`) where it is translated, English elsewhere."""
    from mlsd.content.overlays import framework_content
    from mlsd.content.translations import localized
    from mlsd.i18n import language

    shown = localized(scenario)
    fw = framework_content()
    steps = _steps(scenario, session, shown)
    by_id = {s["id"]: s for s in steps}
    # Which points are about privacy or online metrics is read from the English words.
    english = {kp.id: kp.point for st in scenario.stages.values() for kp in st.key_points}
    english.update({kp.id: kp.point for step in framework.STEPS for kp in step.items})
    all_points = [kp for s in steps for kp in s["key_points"]]
    evaluation = by_id["evaluation"]["key_points"] + by_id["evaluation"]["generic_items"]
    estimate = _estimate(scenario)
    sims = run_simulations(scenario, cache_dir=cache_dir, progress=progress) if include_simulations else []
    architecture = _architecture(scenario, session, shown)

    def about(kp: dict[str, Any], words: tuple[str, ...]) -> bool:
        return _mentions(english.get(kp["id"], kp["point"]), words)

    return {
        "mlsd_version": __version__,
        "lang": language(),
        "sections": [{"id": a, "title": _(t)} for a, t in _sections(architecture is not None)],
        "architecture": architecture,
        "scenario": {
            "id": scenario.id, "title": shown.title, "summary": shown.summary,
            # what to type in a command: the id for a shipped scenario, else the file
            "ref": scenario.id if is_builtin(scenario) else _path_to_type(scenario.source),
            "difficulty": scenario.difficulty, "tags": list(scenario.tags),
            "scale": [{"name": k, "value": v} for k, v in scenario.scale.items()],
            "non_goals": list(getattr(shown, "non_goals", ()) or ()),
        },
        "session": None if session is None else {
            "id": session.id,
            "total_score": session.total_score,
            "agenda": session.agenda,
            "agenda_score": session.agenda_score,
            "started_at": session.started_at,
            "finished": session.finished,
            "twist_score": _twist_score(session),
            "timed": any(getattr(a, "seconds", 0) for a in getattr(session, "answers", {}).values()),
        },
        "number_checks": _number_checks(scenario, session),
        "pacing": _pacing(session),
        "goals": [kp["point"] for kp in by_id["requirements"]["key_points"]],
        "success_metrics": {
            "offline": [kp["point"] for kp in evaluation if not about(kp, _ONLINE_WORDS)],
            "online": [kp["point"] for kp in evaluation if about(kp, _ONLINE_WORDS)],
        },
        "requirements_questions": by_id["requirements"]["questions"],
        "estimate": estimate,
        "steps": steps,
        "alternatives": [{"step": s["title"], "text": t} for s in steps for t in s["tradeoffs"]],
        "risks": [{"step": s["title"], "text": t} for s in steps for t in s["pitfalls"]],
        "privacy": [kp["point"] for kp in all_points + by_id["data"]["generic_items"]
                    if about(kp, _PRIVACY_WORDS)],
        "cost": [f for f in (estimate or {}).get("figures", [])
                 if _mentions(f.get("id", f["name"]), _COST_FIGURES)],
        "rollout": {
            "deployment": by_id["deployment"],
            "ab_procedure": list(fw["AB_TEST_PROCEDURE"]),
            "simulations": [s for s in sims if s["name"].startswith(("ab-test", "rollout"))],
        },
        "monitoring": {
            "step": by_id["monitoring"],
            "list": list(fw["MONITORING_LIST"]),
            "simulations": [s for s in sims if s["name"] == "monitor"],
        },
        "open_questions": [{"step": s["title"], "text": q} for s in steps for q in s["follow_ups"]],
        "simulations": sims,
        "check_in": fw["CHECK_IN_QUESTION"],
    }


def _sections(with_architecture: bool) -> tuple[tuple[str, str], ...]:
    """SECTIONS, with "Architecture" after the requirements when there is a diagram to show."""
    if not with_architecture:
        return SECTIONS
    at = [s for s, title in SECTIONS].index("requirements") + 1
    return (*SECTIONS[:at], ARCHITECTURE_SECTION, *SECTIONS[at:])


def _architecture(scenario: Scenario, session: Any, shown: Scenario | None = None) -> dict[str, Any] | None:
    """The reference architecture and the candidate's diagram, drawn (SVG) and as Mermaid,
    and the reference components the diagram lacks (None when there is nothing to compare).
    The reference is drawn with `shown`'s labels (the interface language); the comparison
    reads the English names, and lists the missing ones as shown."""
    from mlsd.content.diagram_notation import parse_diagram
    from mlsd.content.diagram_text import to_mermaid
    from mlsd.doc.diagram import render_svg

    shown_scenario = shown or scenario
    reference = getattr(scenario, "architecture", None)
    typed = getattr(session, "diagram", None) if session is not None else None
    drawn = parse_diagram(typed) if typed and typed.strip() else None
    if drawn is not None and not drawn.flows:
        drawn = None
    if reference is None and drawn is None:
        return None

    def shown(arch: Any, prefix: str, title: str) -> dict[str, Any]:
        return {"svg": render_svg(arch, id_prefix=prefix, title=title), "mermaid": to_mermaid(arch),
                **arch.to_dict()}

    told = getattr(shown_scenario, "architecture", None) or reference
    out: dict[str, Any] = {
        "reference": shown(told, "arch-ref", _("Reference architecture: {title}").format(title=shown_scenario.title))
        if reference else None,
        "candidate": shown(drawn, "arch-you", _("Your diagram")) if drawn else None,
        "missing": None,
    }
    if drawn is not None:
        from mlsd.content.diagram_notation import to_text

        out["candidate"]["text"] = to_text(drawn)
    if reference is not None and drawn is not None:
        from mlsd.content.architecture import kind_name
        from mlsd.scoring.diagram import compare

        labels = {c.id: c.label for c in told.components}
        also = compare(told, drawn).drawn_as if told is not reference else {}  # named as shown counts too
        out["missing"] = [{**c, "label": labels.get(c["id"], c["label"]), "kind_name": kind_name(c["kind"])}
                          for c in compare(reference, drawn).to_dict(reference)["missing"] if not also.get(c["id"])]
    return out


# ------------------------------------------------------------------ simulations


def _cache_key(name: str, args: dict[str, Any], seed: int) -> str:
    from mlsd.sims import registry

    spec = registry.get_spec(name)
    module = spec.target.split(":")[0]
    import importlib.util

    origin = importlib.util.find_spec(module).origin or ""
    code = Path(origin).read_bytes() if origin and Path(origin).is_file() else b""
    from mlsd.i18n import language

    # the entry holds the tables, charts and reading as text: one per interface language
    raw = json.dumps([__version__, name, args, seed, hashlib.sha256(code).hexdigest(), language()], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def default_cache_dir() -> Path:
    from mlsd.resources import user_data_dir

    return user_data_dir() / "cache" / "simulations"


def simulate_entry(name: str, args: dict[str, Any], seed: int, progress=None) -> dict[str, Any]:
    """Run one simulation and turn it into the plain, cacheable entry the templates read."""
    from mlsd.doc.charts import to_svg
    from mlsd.sims import registry
    from mlsd.sims.base import plain

    spec = registry.get_spec(name)
    result = registry.run(name, args, seed=seed, progress=progress)
    return {
        "name": name,
        "summary": _(spec.summary),
        "args": {**spec.defaults(), **args},
        "seed": seed,
        "tables": [
            {"title": t.title, "columns": list(t.columns), "rows": t.formatted_rows(), "note": t.note}
            for t in result.tables()
        ],
        "charts": [
            {"name": f"{name.replace(' ', '-')}-{c.name}", "title": c.title, "svg": to_svg(c)}
            for c in result.charts()
        ],
        "reading": list(result.reading()),
        "result": plain(result.to_dict()),
    }


def run_simulations(scenario: Scenario, *, cache_dir: Path | None = None, progress=None,
                    workers: int | None = None) -> list[dict[str, Any]]:
    """Run (or load from cache) every simulation the scenario lists, as plain data.

    Cache misses run in parallel worker processes (one per core): the simulations
    are independent and seeded, so the result does not depend on where they ran.
    """
    from mlsd.sims import registry

    cache_dir = cache_dir or default_cache_dir()
    calls = []
    for call in scenario.simulations:
        seed = call.args.get("seed", registry.get_spec(call.name).default_seed)
        calls.append((call.name, dict(call.args), seed, cache_dir / f"{_cache_key(call.name, call.args, seed)}.json"))
    entries: dict[int, dict[str, Any]] = {}
    misses = []
    for i, (*_args, path) in enumerate(calls):
        cached = _read_cache(path)
        if cached is not None:
            entries[i] = cached
        else:
            misses.append(i)
    workers = workers or min(len(misses), os.cpu_count() or 1)
    # How far each simulation still to run has got (0..1): the bar moves within a
    # simulation, not only when one finishes (issue 15: ~10 s at 0 % on a cold render).
    share = dict.fromkeys(misses, 0.0)

    def moved(i: int, fraction: float, label: str) -> None:
        share[i] = max(share[i], min(max(fraction, 0.0), 1.0))
        if progress:
            progress(sum(share.values()) / max(len(misses), 1), f"{calls[i][0]}: {label}" if label else calls[i][0])

    def located(i: int, exc: BadInputError) -> ScenarioError:
        """A bad argument found only when the simulation runs, reported where it was written."""
        call = scenario.simulations[i]
        where = f"{scenario.source}:{call.line}" if scenario.source else scenario.id
        return ScenarioError(f"{where}: simulations[{i}].args: {exc}")

    def finished(i: int, entry: dict[str, Any]) -> None:
        entries[i] = entry
        _write_cache(calls[i][3], entry)
        moved(i, 1.0, "done")

    if workers > 1:
        import multiprocessing
        import queue as queues
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        context = multiprocessing.get_context("spawn")
        updates = context.Queue() if progress else None  # (index, fraction, label) from the workers
        from mlsd.i18n import language

        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_worker_start, initargs=(updates, language())) as pool:
            futures = {pool.submit(_simulate_in_worker, i, *calls[i][:3]): i for i in misses}
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(pending, timeout=0.1 if updates else None, return_when=FIRST_COMPLETED)
                    while updates is not None:
                        try:
                            moved(*updates.get_nowait())
                        except queues.Empty:
                            break
                    for future in done:
                        try:
                            entry = future.result()
                        except BadInputError as exc:
                            raise located(futures[future], exc) from None
                        finished(futures[future], entry)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            finally:
                if updates is not None:
                    updates.cancel_join_thread()
                    updates.close()
    else:
        for i in misses:
            moved(i, 0.0, "")
            try:
                entry = simulate_entry(*calls[i][:3], progress=(lambda f, label, i=i: moved(i, f, label)) if progress else None)
            except BadInputError as exc:
                raise located(i, exc) from None
            finished(i, entry)
    return [entries[i] for i in range(len(calls))]


_updates: Any = None  # in a worker process: the queue its simulations report progress on


def _worker_start(updates: Any, lang: str = "en") -> None:
    """A worker's start: one BLAS thread, where to send progress, the interface language."""
    global _updates
    from mlsd.i18n import set_language

    _one_thread_per_worker()
    set_language(lang)
    _updates = updates


def _simulate_in_worker(i: int, name: str, args: dict[str, Any], seed: int) -> dict[str, Any]:
    """simulate_entry in a worker, its progress sent back at most every 50 ms (and at the end)."""
    if _updates is None:
        return simulate_entry(name, args, seed)
    import time

    last = [0.0]

    def progress(fraction: float, label: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.05 or fraction >= 1.0:
            last[0] = now
            _updates.put((i, fraction, label))

    return simulate_entry(name, args, seed, progress=progress)


def _one_thread_per_worker() -> None:
    """Workers already use every core between them: keep BLAS/OpenMP from oversubscribing."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or corrupt: derived data, recompute


def _write_cache(path: Path, entry: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(entry), force=True)
    except OSError:
        pass  # a cache that cannot be written only costs time


# ------------------------------------------------------------------ templates


def _markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    # html=False: raw HTML in a (possibly user-written) scenario is escaped, not passed through.
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text or ""))


def _md_escape(text: str) -> str:
    """User text inside Markdown: neutralise raw HTML, keep the words."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _environment(fmt: str, sandboxed: bool, search_path: list[Path], env_class=None, loader=None):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    cls = env_class or (SandboxedEnvironment if sandboxed else Environment)
    # autoescape is decided by the output format, not the file name: select_autoescape(["html"])
    # would not match "design_doc.html.j2".
    env = cls(
        loader=loader or FileSystemLoader([str(p) for p in search_path]),
        undefined=StrictUndefined,
        autoescape=(fmt == "html"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # {{ _("…") }} in templates (the shipped ones and a user's): the interface language's catalog
    env.add_extension("jinja2.ext.i18n")
    from mlsd.i18n import translations

    env.install_gettext_translations(translations(), newstyle=True)
    env.filters["md_to_html"] = _markdown_to_html
    env.filters["md_escape"] = _md_escape
    env.filters["pct"] = lambda v: "—" if v is None else f"{float(v):.0f}"
    env.filters["zip_rows"] = lambda first, *others: [list(row) for row in zip(first, *others, strict=True)]
    from mlsd.content.step_names import step_name

    env.filters["step_name"] = step_name  # a step's id in English, its title in another language
    return env


# A user's template is bounded: it stops with one line past any of these.
TEMPLATE_SECONDS = 10.0
TEMPLATE_BYTES = 50 * 1024 * 1024  # output, and any one string or list it builds
TEMPLATE_DEPTH = 100  # nested macro/function calls (and includes)
TEMPLATE_FILE_BYTES = 1024 * 1024  # a template file or one it includes


def _mb() -> str:
    return f"{TEMPLATE_BYTES / (1024 * 1024):g} MB"


class _TemplateStopped(Exception):
    """Raised inside a render that went past a limit; `what` is `over 10 s` etc."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class _Budget:
    """Time, size and depth of one render of a user's template."""

    def __init__(self) -> None:
        import time

        self.deadline = time.monotonic() + TEMPLATE_SECONDS
        self.depth = 0

    def tick(self) -> None:
        import time

        if time.monotonic() > self.deadline:
            raise _TemplateStopped(f"over {TEMPLATE_SECONDS:g} s")

    def size(self, value: Any) -> Any:
        if isinstance(value, (str, bytes, list, tuple, dict)) and len(value) > TEMPLATE_BYTES:
            raise _TemplateStopped(f"over {_mb()}")
        return value


def _bounded_environment(fmt: str, folder: Path, shipped: Path, budget: _Budget, named: dict[str, Path]):
    """A sandbox that loads only the user's folder (never through a link leaving it) and the
    shipped templates, and checks time, depth and sizes at every call, operator and attribute."""
    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.sandbox import SandboxedEnvironment

    from mlsd.fileio import read_user_bytes

    class FolderLoader(BaseLoader):
        def get_source(self, environment, template):
            if template in named:  # the file the user named with --template, wherever it leads
                return _read_template(template, named[template])
            parts = template.replace("\\", "/").split("/")
            if any(p in ("", ".", "..") for p in parts):
                raise TemplateNotFound(template)
            for root in (folder, shipped):
                path = root.joinpath(*parts)
                real = path.resolve()
                if not real.is_relative_to(root) or not path.exists():
                    continue  # absent, or a link that leads out of the folder
                return _read_template(template, real)
            raise TemplateNotFound(template)

    def _read_template(template: str, path: Path):
        raw = read_user_bytes(path, f"template {template}", TEMPLATE_FILE_BYTES, TemplateError)
        try:
            return raw.decode("utf-8"), str(path), lambda: True
        except UnicodeDecodeError:
            raise TemplateError(f"template {template}: not UTF-8 text") from None

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**", "+", "%"])

        def call_binop(self, context, operator, left, right):
            budget.tick()
            too_big = _TemplateStopped(f"over {_mb()}")
            ints = isinstance(left, int) and isinstance(right, int)
            if operator == "**" and ints and abs(right) > 10_000 and abs(left) > 1:
                raise too_big  # 2 ** 99999999: minutes of CPU for a number nobody reads
            if operator == "*":
                for seq, count in ((left, right), (right, left)):
                    sized = isinstance(seq, (str, list, tuple)) and isinstance(count, int)
                    if sized and len(seq) * count > TEMPLATE_BYTES:
                        raise too_big  # before allocating it
            return budget.size(super().call_binop(context, operator, left, right))

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's signature)
            budget.tick()
            budget.depth += 1
            try:
                if budget.depth > TEMPLATE_DEPTH:
                    raise _TemplateStopped(f"over depth {TEMPLATE_DEPTH}")
                return budget.size(super().call(__context, __obj, *args, **kwargs))
            finally:
                budget.depth -= 1

        def getattr(self, obj, attribute):
            budget.tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj, argument):
            budget.tick()
            return super().getitem(obj, argument)

    env = _environment(fmt, sandboxed=True, search_path=[], env_class=Bounded, loader=FolderLoader())
    return env


def _template_line(exc: BaseException, filename: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_document(context: dict[str, Any], *, fmt: str, template: Path | None = None,
                    asset_prefix: str = "") -> RenderedDocument:
    """Render the context with the shipped template for `fmt`, or a user's template (sandboxed)."""
    import jinja2
    from jinja2.exceptions import SecurityError

    from mlsd.resources import resource_dir

    if fmt not in FORMATS:
        raise BadInputError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    shipped = resource_dir("templates")
    assets: dict[str, str] = {}
    ctx = dict(context)
    if fmt == "md":
        for sim in ctx["simulations"]:
            for chart in sim["charts"]:
                assets[f"{chart['name']}.svg"] = chart["svg"]
        ctx["asset_prefix"] = asset_prefix
    if template is None:
        env = _environment(fmt, sandboxed=False, search_path=[shipped])
        text = env.get_template(f"design_doc.{fmt}.j2").render(ctx)
        return RenderedDocument(_tidy(text, fmt), assets if asset_prefix else {})
    from mlsd.fileio import read_user_bytes

    template = Path(template)
    name = template.name
    # Missing, a folder, a FIFO or device (not "no such file"), or over the limit: one line
    # naming --template and the path as typed, before anything is rendered.
    read_user_bytes(template, f"--template {template}", TEMPLATE_FILE_BYTES, TemplateError)
    folder = template.parent.resolve()
    budget = _Budget()
    env = _bounded_environment(fmt, folder, shipped.resolve(), budget, {name: template.resolve()})
    filename = str(template.resolve())
    try:
        with _alarm(budget):
            text = _generate(env.get_template(name), json.loads(json.dumps(ctx, default=str)), budget)
    except _TemplateStopped as exc:
        raise TemplateError(f"{name}: template stopped: {exc.what} (the limits are {TEMPLATE_SECONDS:g} s, "
                            f"{_mb()} and depth {TEMPLATE_DEPTH})") from None
    except RecursionError:
        raise TemplateError(f"{name}: template stopped: over depth {TEMPLATE_DEPTH} (a macro or include "
                            "that calls itself?)") from None
    except (MemoryError, OverflowError):
        raise TemplateError(f"{name}: template stopped: over {_mb()}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{name}: no template {exc.name!r} in {folder} (a template includes only files "
                            "in its own folder, not through links that lead out of it)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, filename)
        raise TemplateError(f"{name}:{line or '?'}: undefined: {exc.message}") from None
    except SecurityError as exc:
        line = _template_line(exc, filename)
        raise TemplateError(f"{name}:{line or '?'}: not allowed in a template: {exc}") from None
    except jinja2.TemplateError as exc:
        line = _template_line(exc, filename)
        raise TemplateError(f"{name}:{line or '?'}: {exc.message or exc}") from None
    except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
        line = _template_line(exc, filename)
        raise TemplateError(f"{name}:{line or '?'}: {type(exc).__name__}: {exc}") from None
    return RenderedDocument(text, assets if asset_prefix else {})


def _generate(template: Any, data: dict[str, Any], budget: _Budget) -> str:
    """Render piece by piece, stopping once the output passes TEMPLATE_BYTES or time runs out."""
    pieces, size = [], 0
    for piece in template.generate(data):
        size += len(piece)
        if size > TEMPLATE_BYTES:
            raise _TemplateStopped(f"over {_mb()}")
        budget.tick()
        pieces.append(piece)
    return "".join(pieces)


@contextlib.contextmanager
def _alarm(budget: _Budget):
    """In the main thread, also stop a loop that never calls, prints or reads (SIGALRM)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise _TemplateStopped(f"over {TEMPLATE_SECONDS:g} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, TEMPLATE_SECONDS + 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _tidy(text: str, fmt: str) -> str:
    """Collapse the blank lines template logic leaves behind (Markdown only)."""
    if fmt != "md":
        return text
    import re

    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# ------------------------------------------------------------------ output


def write_document(doc: RenderedDocument, output: Path, *, force: bool) -> list[Path]:
    """Write the document (and its SVG files beside it); returns the paths written."""
    if output.is_dir():
        raise BadInputError(f"-o {output}: is a directory; give a file name such as {output / 'design.md'}")
    if not output.parent.is_dir():
        raise BadInputError(f"-o {output}: the folder {output.parent} does not exist")
    if output.exists() and not force:
        raise OutputExistsError(f"{output} already exists; pass --force to overwrite it or -o to pick another file")
    written = []
    try:
        if doc.assets:
            assets_dir = output.parent / asset_dir_name(output)
            assets_dir.mkdir(exist_ok=True)
            for name, svg in doc.assets.items():
                atomic_write(assets_dir / name, svg, force=True, display=f"chart {assets_dir / name}")
                written.append(assets_dir / name)
        atomic_write(output, doc.text, force=force, display=f"-o {output}")
    except OutputExistsError:
        raise
    except OSError as exc:
        raise BadInputError(f"-o {output}: cannot write ({exc.strerror or exc}); choose another file") from None
    return [output, *written]


def asset_dir_name(output: Path) -> str:
    """`doc.md` -> `doc_files` (the folder of its charts, linked relatively)."""
    return f"{output.stem}_files"
