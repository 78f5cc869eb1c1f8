"""`mlsd practice`, `history`, `progress`, `drill`: I/O only; the engine is `mlsd.practice.engine`."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from types import ModuleType
from typing import TYPE_CHECKING

import typer

from mlsd.cli.options import ranged_option
from mlsd.content.step_names import step_name, step_names
from mlsd.i18n import N_, _, ngettext, space
from mlsd.limits import SEED, above, closed

if TYPE_CHECKING:
    from rich.console import Console

    from mlsd.practice.drill import Bank, DrillResult, Question
    from mlsd.practice.engine import (
        Event,
        PracticeEngine,
        Prompt,
        Scorecard,
        StageFeedback,
        TwistFeedback,
    )
    from mlsd.practice.store import Store
    from mlsd.scoring import StageScore
    from mlsd.scoring.mistakes import MistakeFound
    from mlsd.scoring.numbers import NumberCheck
    from mlsd.scoring.stage import PointResult

ANSWER_HELP = N_(
    "Finish an answer with an empty line or Ctrl-D. Commands on a line of their own: "
    ":hint (clarifying questions), :diagram (draw your architecture as edges), :skip, :back, :quit (save and stop). "
    "Ctrl-C saves what you typed as a draft for `--resume`."
)


PIPED_HELP = ("Type the interactive session through a pipe or file (scripts, tests): each line is read as "
              "if typed at the prompt. Without it a stdin that is not a terminal is refused.")


def _require_terminal(piped: bool, command: str, answers: str) -> None:
    """Refuse a stdin that is not a terminal unless --piped says it is meant.

    `echo hi | mlsd practice feed-ranking` used to take "hi" as the agenda, reach the
    end of input at the first step and save a 0/100 session without a word: a pipe
    almost always means "score this text", which is what --answers does.
    """
    import sys

    if piped or (sys.stdin is not None and sys.stdin.isatty()):
        return
    from mlsd.errors import BadInputError

    raise BadInputError(
        _("stdin is not a terminal and `mlsd {command}` asks its questions one by one: to score written "
          "answers use --answers FILE (YAML, {answers}), or add --piped to type the session through the pipe"
          ).format(command=command, answers=answers)
    )


def _styled(style: str, text: str) -> str:
    """Plain `text` (user text or a translation: never markup) in a rich style."""
    from rich.markup import escape

    return f"[{style}]{escape(text)}[/]"


def _prose_soft_wrap() -> bool:
    """A long sentence wraps at words on a terminal (the terminal's own wrap cuts words in half); a pipe
    keeps it on one line, which scripts and tests read whole."""
    from mlsd.cli.output import console

    return not console().is_terminal


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


class _Buffer:
    """What is being typed right now, so Ctrl-C can save it as a draft."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _line_editing() -> ModuleType | None:
    """The `readline` module when stdin is a terminal and it is available, else None.

    With it, `input()` keeps the line being typed in readline's buffer, so Ctrl-C
    in the middle of a line can still save it (`_read_answer`). Without it the
    terminal discards an unfinished line on Ctrl-C and only completed lines are
    kept. Tab inserts a tab (no file-name completion in an answer).
    """
    import sys

    if not sys.stdin.isatty():
        return None
    try:
        import readline
    except ImportError:  # e.g. Windows
        return None
    try:
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I ed-insert")
        else:
            readline.parse_and_bind("tab: tab-insert")
    except Exception:  # noqa: BLE001 - a key binding is a nicety, never a reason to fail
        pass
    return readline


def _partial_line(editing: ModuleType | None) -> str:
    """The line being typed when Ctrl-C interrupted `input()` ("" without line editing)."""
    if editing is None:
        return ""
    try:
        return str(editing.get_line_buffer())
    except Exception:  # noqa: BLE001
        return ""


def _read_answer(
    buf: _Buffer,
    *,
    on_line: Callable[[str], None] | None = None,
    on_hint: Callable[[], None] | None = None,
    empty_ends: bool = False,
    commands: tuple[str, ...] = (":hint", ":skip", ":back", ":quit"),
    editing: ModuleType | None = None,
    on_diagram: Callable[[], None] | None = None,
) -> tuple[str, str | None]:
    """Read lines until an empty line (after some text) or EOF; returns (text, command or None).

    EOF with nothing typed returns the command ":quit" (or an empty answer where
    an empty line ends the input, i.e. an optional follow-up). A command on its
    own line returns at once, except ":hint", which calls `on_hint` and keeps reading.
    On Ctrl-C the line being typed (readable only with line editing, `editing`)
    is added to `buf` before KeyboardInterrupt propagates, so the caller saves it.
    """
    while True:
        try:
            line = input("> ")
        except KeyboardInterrupt:
            partial = _partial_line(editing)
            if partial.strip() and partial.strip().lower() not in commands:
                buf.lines.append(partial)
            raise
        except EOFError:
            return (buf.text, None) if buf.text.strip() or empty_ends else ("", ":quit")
        word = line.strip().lower()
        if word in commands:
            if word == ":hint" and on_hint is not None:
                on_hint()
                continue
            return buf.text, word
        if word == ":diagram" and on_diagram is not None:  # draw, then go on with the answer
            on_diagram()
            continue
        if re.fullmatch(r":[a-z-]+", word):  # a mistyped command (":hnit") is not part of the answer
            from rich.markup import escape

            from mlsd.cli.output import console

            known = [*commands, *([":diagram"] if on_diagram is not None else [])]
            console().print("[yellow]" + escape(_("unknown command {command}; commands: {commands}").format(
                command=word, commands=", ".join(known))) + "[/]")
            continue
        if not line.strip():
            if buf.text.strip() or empty_ends:
                return buf.text, None
            continue
        buf.lines.append(line.rstrip("\n"))
        if on_line is not None:
            on_line(buf.text)


# ---------------------------------------------------------------- printing


def _print_earlier(out: Console, what: str, previous: str, draft: str) -> None:
    """A resumed step's earlier agenda or answer, and the draft being typed, indented."""
    from rich.markup import escape

    earlier = {
        "agenda": _("Your earlier agenda (type a new one to replace it, or :skip to keep it):"),
        "twist": _("Your earlier answer to this twist (type a new one to replace it, or :skip to keep it):"),
    }.get(what) or _("Your earlier answer (type a new one to replace it, or :skip to keep it):")
    for text, intro in ((previous, earlier), (draft, _("Your saved draft (keep typing to add to it):"))):
        if text:
            out.print(_styled("dim", intro))
            for line in text.splitlines():
                out.print(f"  {escape(line)}")


def _print_prompt(p: Prompt, untimed: bool, total_seconds: float = 0.0) -> None:
    from rich.markup import escape

    from mlsd.cli.output import console, heading

    out = console()
    if p.kind == "agenda":
        heading(f"[bold]{escape(p.title)}")
        out.print(escape(p.text))
        _print_earlier(out, "agenda", p.previous, p.draft)
        return
    if p.kind == "answer":
        timing = "" if untimed else " · " + _("budget {time}").format(time=_mmss(p.budget_seconds))
        if p.elapsed_seconds and not untimed:
            timing += space() + _("(already spent {time})").format(time=_mmss(p.elapsed_seconds))
        if total_seconds and not untimed:
            timing += " · " + _("interview {spent}/{total}").format(spent=_mmss(p.total_elapsed_seconds),
                                                                  total=_mmss(total_seconds))
        step = _("Step {index}/{count}").format(index=p.index, count=p.count)
        heading(f"[bold]{step} · {escape(p.title)}[/]{escape(timing)}")
        out.print(_styled("bold", _("Interviewer:")) + space() + escape(p.text))
        _print_earlier(out, "answer", p.previous, p.draft)
        return
    if p.kind == "follow_up":
        out.print("\n" + _styled("bold", _("Follow-up:")) + space() + escape(p.text))
        out.print(_styled("dim", _("(answer it, or press Enter on an empty line to move on)")))
    if p.kind == "twist":
        heading(_styled("bold yellow", _("Twist · the interviewer interrupts ({title})").format(title=p.title)))
        out.print(_styled("bold", _("Interviewer:")) + space() + escape(p.text))
        out.print(_styled("dim", _("(the constraint changed: say what must change in your design, what can stay and "
                                   "the trade-off; scored on adapting, apart from the total. :hint, :skip)")))
        _print_earlier(out, "twist", p.previous, p.draft)


def _print_events(events: Sequence[Event], engine: PracticeEngine) -> None:
    from rich.markup import escape

    from mlsd.cli.output import console
    from mlsd.practice.engine import (
        AgendaFeedback,
        DiagramSaved,
        FollowUpFeedback,
        Hint,
        Quit,
        Scorecard,
        Skipped,
        StageFeedback,
        TwistFeedback,
        WentBack,
    )

    out = console()
    for ev in events:
        if isinstance(ev, AgendaFeedback):
            a = ev.score
            out.print("[bold]" + escape(_("Agenda score: {score}/100").format(score=f"{a.score:.0f}")) + "[/] — "
                      + escape(_("you named {named} of {total} steps.").format(
                          named=len(a.named), total=len(a.named) + len(a.missing))))
            if a.missing:
                out.print("  " + escape(_("Not named: {steps}. Name every part before going deep (layered thinking).")
                                        .format(steps=", ".join(a.missing))))
        elif isinstance(ev, StageFeedback):
            _print_stage_feedback(ev, engine.untimed)
        elif isinstance(ev, TwistFeedback):
            _print_twist_feedback(ev)
        elif isinstance(ev, FollowUpFeedback):
            if ev.result is not None:
                out.print(escape(_("Score with the follow-up: {before} → {after}/100").format(
                    before=f"{ev.before:.0f}", after=f"{ev.result.score:.0f}")))
            out.print("\n" + _styled("bold", _("Habit:")) + space() + escape(_("before moving on, ask:")) + space()
                      + _styled("italic", f"“{ev.check_in}”"))
            out.print(_styled("bold", _("Interviewer:")) + space() + escape(ev.reply))
        elif isinstance(ev, Hint):
            out.print(_styled("bold", _("Hint — questions a strong candidate asks here:")))
            for q in ev.questions:
                out.print(f"  ? {escape(q)}")
        elif isinstance(ev, Skipped) and ev.kept:
            kept = (_("Kept your earlier answer to {step} and its score; moving on.").format(step=step_name(ev.stage))
                    if ev.stage
                    else _("Kept your earlier agenda and its score; moving on."))
            out.print(f"[cyan]{escape(kept)}[/]")
        elif isinstance(ev, Skipped):
            out.print(_styled("yellow", _("Skipped {step}.").format(step=step_name(ev.stage)) if ev.stage else _("Skipped the agenda.")))
        elif isinstance(ev, WentBack):
            out.print(_styled("cyan", _("Back to {step}.").format(step=step_name(ev.stage)) if ev.stage else _("Back to the agenda.")))
        elif isinstance(ev, DiagramSaved):
            d = ev.diagram
            offline = sum(1 for f in d.flows if f.offline)
            saved = _("Diagram saved: {boxes}, {edges} ({offline} offline); {typed} typed now.").format(
                boxes=_boxes(len(d.components)), edges=_edges(len(d.flows)), offline=offline, typed=ev.typed)
            out.print(_styled("cyan", saved) + space()
                      + escape(_("`:diagram` again adds edges; the design doc draws it beside the reference.")),
                      soft_wrap=_prose_soft_wrap())
        elif isinstance(ev, Quit):
            out.print(escape(_("Saved. Resume with:")) + space() + _styled("bold", ev.resume_command), soft_wrap=True)
        elif isinstance(ev, Scorecard):
            print_scorecard(ev)


def _print_stage_feedback(ev: StageFeedback, untimed: bool) -> None:
    from rich.markup import escape

    from mlsd.cli.output import console

    out = console()
    r = ev.result
    from mlsd.scoring.verdict import signal_for

    signal = _(signal_for(r.score))
    line = _styled("bold", _("Score: {score}/100").format(score=f"{r.score:.0f}")) + space() + escape(
        _("({text})").format(text=signal))
    if not untimed:
        line += " · " + escape(_("time {time} / budget {budget}").format(time=_mmss(ev.seconds),
                                                                        budget=_mmss(ev.budget_seconds)))
    out.print(line)
    _print_length_note(r)
    if ev.over_budget:
        over = ev.seconds - (ev.budget_seconds or 0)
        out.print(_styled("yellow", "⚠ " + _("over the time budget by {time}: keep the other steps shorter.").format(
            time=_mmss(over))))
    own = [p for p in r.points if not p.generic]
    gen = [p for p in r.points if p.generic]
    _print_points(own, r.mistakes)
    if gen:
        done = sum(1 for p in gen if p.credit >= 1)
        missing = [p.point for p in gen if p.credit < 1]
        line = _("Framework checklist: {done}/{total} covered").format(done=done, total=len(gen))
        if missing:
            line += _("; not heard: {points}").format(points=_("; ").join(missing[:3]))
        out.print("  " + escape(line))
    if ev.tradeoffs:
        out.print(_styled("bold", _("Trade-offs worth naming:")))
        for t in ev.tradeoffs:
            out.print(f"  ⇄ {escape(t)}")
    _print_numbers(ev.numbers)


def _print_numbers(checks: Sequence[NumberCheck], *, with_step: bool = False) -> None:
    """Each stated figure against the scenario's scale: ✓ within 2×, ✗ off, with the arithmetic."""
    from rich.markup import escape

    from mlsd.cli.output import console

    if not checks:
        return
    from mlsd.scoring.numbers import summary

    out = console()
    out.print(_styled("bold", _("Your numbers:")) + space() + escape(summary(checks) + _(".")), soft_wrap=False)
    for c in checks:
        mark = "[green]✓[/]" if c.right else "[red]✗[/]"
        where = escape(_("{step}:").format(step=step_name(c.step))) + space() if with_step else ""
        out.print(f"  {mark} {where}{escape(c.message)}")


def _print_twist_feedback(ev: TwistFeedback) -> None:
    from rich.markup import escape

    from mlsd.cli.output import console

    out = console()
    if ev.kept:
        out.print(_styled("cyan", _("Kept your earlier answer to the twist and its score; moving on.")))
    elif ev.result is None:
        out.print(_styled("yellow", _("Skipped the twist (it scores 0 in the twist score, not in the total).")))
    else:
        from mlsd.scoring.verdict import signal_for

        r = ev.result
        out.print(_styled("bold", _("Twist score: {score}/100").format(score=f"{r.score:.0f}")) + space()
                  + escape(_("({signal}) — adapting to the change, kept apart from the total").format(
                      signal=_(signal_for(r.score)))))
        _print_length_note(r)
        _print_points(r.points, r.mistakes)
    out.print("\n" + _styled("bold", _("Habit:")) + space() + escape(_("before moving on, ask:")) + space()
              + _styled("italic", f"“{ev.check_in}”"))


def _print_points(points: Iterable[PointResult], mistakes: Iterable[MistakeFound] = ()) -> None:
    """Each rubric point with ✓/~/✗, the sentence that earned it, and why a missed one matters;
    then each mistake the answer made, with why it is one."""
    from rich.markup import escape

    from mlsd.cli.output import console

    out = console()
    said = _("you said:")
    for p in points:
        if p.credit >= 1:
            out.print(f"  [green]✓[/] {escape(p.point)}")
            out.print(f"      [dim]{escape(said)}{space()}“{escape(_quote(p.sentence))}”[/]")
        elif p.credit > 0:
            partly = _("(partly: {share})").format(share=f"{p.credit:.0%}")
            out.print(f"  [yellow]~[/] {escape(p.point)}{space()}[dim]{escape(partly)}[/]")
            out.print(f"      [dim]{escape(said)}{space()}“{escape(_quote(p.sentence))}” — {escape(p.missing)}[/]")
        else:
            why = _("why:")
            out.print(f"  [red]✗[/] {escape(p.point)}" + (f"\n      [dim]{escape(why)}{space()}{escape(p.why)}[/]" if p.why else ""))
    for m in mistakes:
        out.print("  " + _styled("red", "⚠ " + _("mistake")) + f" “{escape(_quote(m.sentence))}”\n      [dim]{escape(m.why)}[/]")


def _quote(sentence: str, limit: int = 240) -> str:
    """An answer's sentence as evidence, on one line; past `limit` characters cut at a word."""
    flat = " ".join(sentence.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + " …"


def _print_length_note(r: StageScore) -> None:
    """Why mentions of rubric terms earned nothing (negated, bare keyword, off-topic)."""
    from rich.markup import escape

    from mlsd.cli.output import console

    for note in r.notes:
        console().print(f"[yellow]{escape(note)}[/]")


def _with_evidence(saved: dict, extra: dict) -> dict:
    """The saved session's JSON with each step's evidence and the level read-out merged in."""
    out = dict(saved)
    out.update({k: v for k, v in extra.items() if k != "stages"})
    out["stages"] = {sid: {**st, **extra["stages"].get(sid, {})} for sid, st in saved["stages"].items()}
    return out


def print_scorecard(card: Scorecard) -> None:
    from rich.markup import escape

    from mlsd.cli.output import Column, console, heading, table

    out = console()
    heading(_styled("bold", _("Scorecard")))
    rows = []
    for s in card.stages:
        shown = _("; ").join(m.rstrip(".。") for m in s.missed[:2])
        more = _(" (+{count} more)").format(count=len(s.missed) - 2) if len(s.missed) > 2 else ""
        missed = _("skipped") if s.skipped else shown + more
        rows.append([step_name(s.stage), f"{s.score:.0f}", _mmss(s.seconds), _mmss(s.budget_seconds), missed or "—"])
    columns = [Column(_("step")), Column(_("score"), "right"), Column(_("time"), "right"), Column(_("budget"), "right"),
               Column(_("missed points"), wrap=True)]
    out.print(table(_("{title} — session {id}").format(title=card.scenario_title, id=card.session_id), columns, rows,
                    out.width))
    agenda = (" · " + _("agenda {score}/100").format(score=f"{card.agenda_score:.0f}")
              if card.agenda_score is not None else "")
    from mlsd.content.scenario import STAGE_IDS

    n_all, n_done = len(STAGE_IDS), len(card.answered)
    out.print(_styled("bold", _("Total: {score}/100").format(score=f"{card.total_score:.0f}")) + " · "
              + escape(_("{done} of {total} steps practised").format(done=n_done, total=n_all) + agenda))
    if card.verdict is not None:
        v = card.verdict
        readout = _("{signal}, reads as {level} — {reasons}.").format(
            signal=_(v.signal), level=_(v.level), reasons=_("; ").join(v.reasons))
        out.print(_styled("bold", _("Read-out:")) + space() + escape(readout) + space() + _styled("dim", v.note),
                  soft_wrap=_prose_soft_wrap())
    if not card.complete:
        if card.skipped:
            out.print(_styled("bold yellow", _("Skipped (each counts 0 in the total): {steps}.").format(
                steps=step_names(card.skipped))), soft_wrap=_prose_soft_wrap())
        if card.not_practised:
            out.print(
                _styled("bold yellow", _("Not practised in this session: {steps}.").format(
                    steps=step_names(card.not_practised))) + space()
                + escape(_("The total covers only the steps practised; it is not a full mock-interview score.")),
                soft_wrap=_prose_soft_wrap(),
            )
    _print_pacing_line(card)
    _print_twists(card)
    _print_numbers(card.number_checks, with_step=True)
    by_id = {s.stage: s for s in card.stages}
    if not card.weakest and card.complete:
        out.print(escape(_("Every step scored 100: try a harder scenario (`mlsd scenarios`) or `mlsd drill`.")))
    elif not card.weakest:
        out.print(
            escape(_("Every step you answered scored 100; answer all {total} steps for a full mock interview "
                     "(`mlsd practice {scenario}`).").format(total=n_all, scenario=card.scenario_id)),
            soft_wrap=_prose_soft_wrap(),
        )
    else:
        study = (_("Study next — your three weakest steps:") if len(card.weakest) == 3
                 else _("Study next — your weakest steps:"))
        out.print(_styled("bold", study))
        for sid in card.weakest:
            s = by_id[sid]
            out.print(f"  {_styled('bold', s.title)} ({s.score:.0f}/100)")
            for line in s.study:
                out.print(f"    • {escape(line)}")
    flagged = [(sid, m) for sid, r in card.results.items() for m in r.mistakes]
    if flagged:
        out.print(_styled("bold red", _("Mistakes an interviewer would flag:")))
        for sid, m in flagged:
            out.print(f"  ⚠ {escape(sid)}: “{escape(_quote(m.sentence, 120))}” — {escape(m.why)}", soft_wrap=_prose_soft_wrap())
    if card.diagram:
        _print_diagram_summary(card.diagram)
    out.print(escape(_("Turn this session into a design doc:")) + space() + _styled("bold", card.render_command),
              soft_wrap=True)


def _boxes(n: int) -> str:
    return ngettext("{count} box", "{count} boxes", n).format(count=n)


def _edges(n: int) -> str:
    return ngettext("{count} edge", "{count} edges", n).format(count=n)


def _print_diagram_summary(report: dict) -> None:
    """The candidate's diagram at the end: its size, and the reference components not found in it."""
    from rich.markup import escape

    from mlsd.cli.output import console

    out = console()
    size = _("{boxes}, {edges}.").format(boxes=_boxes(len(report["components"])), edges=_edges(len(report["flows"])))
    out.print(_styled("bold", _("Your diagram:")) + space() + escape(size), soft_wrap=_prose_soft_wrap())
    if report["missing"]:
        names = _(", ").join(c["label"] for c in report["missing"])
        out.print("  " + escape(_("Reference components not found in it by name: {names}.").format(names=names)),
                  soft_wrap=_prose_soft_wrap())
    elif report["missing"] is not None:
        out.print("  " + escape(_("Every reference component has a box of the same name in it.")))


DIAGRAM_PROMPT = N_(
    "Draw your architecture, one edge per line: `app -> ranker: candidates` (online; the label after `:` "
    "is optional), `logs => training` or `logs -> training (offline)` for offline flows; a line `clear` "
    "starts over. End with an empty line or `.`."
)


def _read_diagram(engine: PracticeEngine) -> None:
    """`:diagram`: read edges until an empty line or `.`, checking each line as it comes
    (a bad one is reported and left out, so it can be typed again), then add them."""
    from rich.markup import escape

    from mlsd.cli.output import console
    from mlsd.content.diagram_notation import DiagramError, parse_edge, to_text

    out = console()
    if engine.diagram is not None:
        out.print(_styled("dim", _("Your diagram so far (new edges are added to it):")))
        for line in to_text(engine.diagram).splitlines():
            out.print(f"  {escape(line)}")
    out.print(_styled("dim", _(DIAGRAM_PROMPT)), soft_wrap=_prose_soft_wrap())
    lines: list[str] = []
    n = 0
    while True:
        try:
            line = input("diagram> ")
        except EOFError:
            break
        if line.strip() in ("", "."):
            break
        n += 1
        if line.strip().lower() != "clear":
            try:
                parse_edge(line, n)
            except DiagramError as exc:
                out.print(_styled("red", str(exc)) + space() + escape(_("(not added: type it again)")), soft_wrap=_prose_soft_wrap())
                continue
        lines.append(line)
    if not lines:
        out.print(escape(_("No edges typed; the diagram is unchanged.")))
        return
    try:
        _print_events([engine.add_diagram("\n".join(lines))], engine)
    except DiagramError as exc:
        out.print(_styled("red", str(exc)) + space() + escape(_("(the diagram is unchanged)")), soft_wrap=_prose_soft_wrap())


def _print_pacing_line(card: Scorecard) -> None:
    """The one-line read of how the interview's time went (the table has time and budget per step)."""
    from rich.markup import escape

    from mlsd.cli.output import console

    if card.pacing is None:
        console().print(_styled("bold", _("Pacing:")) + space() + escape(
            _("no time recorded (an answers file: add `minutes:` per step to record it).")), soft_wrap=_prose_soft_wrap())
        return
    read = (_("{read}.") if card.pacing.timed else
            _("{read} (untimed: each step's share of the time spent is its budget).")).format(read=card.pacing.read)
    console().print(_styled("bold", _("Pacing:")) + space() + escape(read), soft_wrap=_prose_soft_wrap())


def _print_twists(card: Scorecard) -> None:
    """The twists asked, scored on adapting, apart from the total."""
    from rich.markup import escape

    from mlsd.cli.output import console

    if not card.twists:
        return
    from mlsd.practice.engine import twist_score

    out = console()
    out.print(_styled("bold", _("Twists:")) + space() + escape(_("{score}/100 on adapting (not in the total)").format(
        score=f"{twist_score(card.twists):.0f}")))
    for t in card.twists:
        state = _("skipped") if t.skipped else f"{t.score:.0f}/100"
        out.print("  " + _styled("bold", _("after {step}").format(step=step_name(t.stage))) + space()
                  + escape(_("({id}, {state}):").format(id=t.id, state=state)) + space() + escape(t.text),
                  soft_wrap=False)
        for point in t.missed_points[:3]:
            out.print(f"    [red]✗[/] {escape(point)}")


# ---------------------------------------------------------------- the interactive loop


def _warm_up() -> None:
    """Load the glossary, the vocabulary and jieba while the candidate types (a daemon thread)."""
    from mlsd.threads import start_background

    def work() -> None:
        from mlsd.scoring import warm_up

        warm_up()

    start_background(work, "mlsd-scoring-warm-up")


def _interactive(engine: PracticeEngine, *, resumed: bool) -> None:
    from mlsd.threads import ctrl_c_reaches_input

    with ctrl_c_reaches_input():  # Ctrl-C at any prompt saves and stops, every time
        _interactive_loop(engine, resumed=resumed)


def _interactive_loop(engine: PracticeEngine, *, resumed: bool) -> None:
    from rich.markup import escape

    from mlsd.cli.output import console, heading
    from mlsd.practice.engine import Quit, Scorecard

    out = console()
    _warm_up()
    editing = _line_editing()
    if not resumed:
        heading(_styled("bold", _("Mock interview · {title}").format(title=engine.shown.title)))
        minutes = _("untimed") if engine.untimed else _("{minutes} minutes").format(minutes=f"{engine.minutes:g}")
        out.print(escape(_("Session {id} · {count} steps · {minutes}.").format(
            id=engine.session_id, count=len(engine.stage_ids), minutes=minutes) + space() + _(ANSWER_HELP)))
    else:
        heading(_styled("bold", _("Resuming session {id} · {title}").format(id=engine.session_id,
                                                                           title=engine.shown.title)))
        out.print(escape(_(ANSWER_HELP)))
    buf = _Buffer()
    try:
        while not engine.finished:
            p = engine.prompt()
            _print_prompt(p, engine.untimed, sum(engine.budgets.values()))
            buf.lines = p.draft.splitlines() if p.draft else []
            on_line = engine.save_draft if p.kind in ("agenda", "answer", "follow_up", "twist") else None
            text, cmd = _read_answer(
                buf, on_line=on_line, on_hint=lambda: _print_events([engine.hint()], engine),
                empty_ends=p.kind == "follow_up", editing=editing, on_diagram=lambda: _read_diagram(engine),
            )
            buf.lines = []
            events = engine.submit(text) if cmd is None else engine.command(cmd, partial=text)
            _print_events(events, engine)
            if any(isinstance(e, (Quit, Scorecard)) for e in events):
                if any(isinstance(e, Quit) for e in events):
                    raise typer.Exit(0)
                return
    except KeyboardInterrupt:
        engine.quit(buf.text)
        kept = (_("including the line you were typing") if editing is not None
                else _("every line you ended with Enter"))
        out.print(
            "\n" + escape(_("Interrupted. Every answer you entered is saved; the one being typed is kept as a draft "
                            "({kept}). Resume with:").format(kept=kept)), soft_wrap=_prose_soft_wrap())
        out.print("  " + _styled("bold", f"mlsd practice --resume {engine.session_id}"), soft_wrap=True)  # never cut
        raise typer.Exit(130) from None


# ---------------------------------------------------------------- commands


def practice_cmd(
    scenario: str = typer.Argument(
        None, metavar="SCENARIO|PATH",
        help="A built-in scenario id (see `mlsd scenarios`) or the path to your own scenario YAML. "
             "With --resume: the session id to continue (default: the latest unfinished one).",
        show_default=False,
    ),
    minutes: float = ranged_option(None, "--minutes", limit=above(0, 600), help="Length of the mock interview in minutes (default 45), split over the steps by their weight.", show_default=False),
    untimed: bool = typer.Option(False, "--untimed", help="No time budget per step."),
    stages: str = typer.Option(None, "--stages", help="Comma-separated steps to practise, e.g. data,features,model (default: all ten).", show_default=False),
    seed: int = ranged_option(None, "--seed", limit=SEED, help="Random seed for the follow-up questions and the twist: same seed, same questions (default 0).", show_default=False),
    twists: str = typer.Option(None, "--twists", metavar="one|all", help="How many of the scenario's twists to ask: one, chosen by --seed (default), or all.", show_default=False),
    no_twists: bool = typer.Option(False, "--no-twists", help="Ask no twist (the interviewer never changes a constraint)."),
    answers: str = typer.Option(None, "--answers", metavar="FILE", help="Score a YAML file (step id → answer text, optional `agenda`, `diagram`, `twists` and `minutes`) instead of asking interactively.", show_default=False),
    json_: bool = typer.Option(False, "--json", help="With --answers: print the scores as JSON on stdout."),
    resume: bool = typer.Option(False, "--resume", help="Continue an unfinished session (the argument is its id; default the latest)."),
    piped: bool = typer.Option(False, "--piped", help=PIPED_HELP),
) -> None:
    """Run a timed mock interview over the ten steps of the answer framework.

    The interviewer reads the scenario, asks for your agenda first (name the
    parts before any detail), then walks through each step: you type an
    answer (finish with an empty line or Ctrl-D), get a score with the key
    points covered (✓) and missed (✗, with why), the trade-offs worth
    naming, one follow-up question, and the check-in habit before moving on.
    In an answer, `:hint` shows the clarifying questions, `:skip` skips the
    step, `:back` returns to the previous one and `:quit` saves and stops.

    `:diagram` (at any prompt) draws your architecture as you narrate: type
    edges one per line, `app -> ranker: candidates` (online, the label after
    `:` optional), `logs => training` or `logs -> training (offline)`
    (offline: training, batch, logging), and end with an empty line or `.`.
    A box is named by what you type ("Feature Store" = "feature store");
    each `:diagram` adds to the diagram, a line `clear` starts it over. A bad
    line is reported with its number and an example, and left out. The
    diagram is saved with the session, never scored; `mlsd render --session`
    draws it beside the scenario's reference architecture and lists the
    reference components it lacks, matched by name with the scorer's
    stemming and glossary (a box sharing a word with a component counts as
    it: "ranker" covers "First-stage ranking" too), so the list errs toward
    leaving a component out.

    Every answer is saved the moment you enter it. The answer being typed is
    saved as a draft after each line you end with Enter, and on Ctrl-C or
    `:quit` with the line being typed too (on terminals with line editing,
    i.e. Linux and macOS; elsewhere an unfinished line is lost).
    `mlsd practice --resume` continues at the first unanswered step and shows
    the draft. The scorecard at the end prints the `mlsd render` command that
    turns the session into a design doc.

    Scoring: a key point earns credit from the one sentence that says it —
    by its term, a synonym, a Chinese term from the bilingual glossary, or in
    plain words (partial credit, more the closer it is). A term only counts
    when the sentence asserts it: negated or dismissed mentions ("we would
    not use X"), bare terms or lists of terms, and keywords in sentences about
    something else earn nothing; a term named in a fragment earns most of a
    point, an explained one all of it. Covering 80 % of a step's rubric
    weight is full marks; each mistake an interviewer flags (a random split
    of time-ordered data, SMOTE, accuracy on rare positives, a 0.5
    threshold) costs 10 points. Each step's feedback quotes the sentence
    behind every point and names the mistakes; the scorecard lists the
    mistakes again and ends with a read-out (strong no hire … strong hire, and
    junior/senior/staff) — guidance from the rubric, not a hiring decision.
    The total averages the practised steps by their share of interview time;
    a skipped step counts 0.

    Twists: when the scenario has them, the interviewer interrupts once, right
    after your answer to one step (in place of its follow-up), with a changed
    constraint ("the latency budget is now 20 ms, not 200"). Your next answer
    is scored on adapting — what must change, what can stay, the trade-off —
    against the twist's own key points. Its score is shown apart and is not in
    the total, so totals stay comparable with sessions without twists. `--seed`
    chooses which twist; `--twists all` asks every one whose step you
    practise; `--no-twists` none.

    Your numbers: figures your answers state (QPS, requests per day, DAU,
    storage per day or year, embedding memory, servers, bandwidth, the p99
    budget, users per A/B arm, test days) are read with their units (k/M/B,
    thousand/million, 万/亿, TB/GB, ms, ranges like 50-70k) and compared with
    what `mlsd estimate` derives from the scenario's scale, or with the A/B
    planner when the same answer gives a baseline rate and an MDE. Within a
    factor of 2 counts as right; otherwise the feedback shows the arithmetic.
    Only figures whose sentence says what they are get checked. Pacing: the
    scorecard shows time per step against its budget and one line on how the
    time went; `mlsd progress` follows it across sessions.

    Non-interactive: `--answers FILE` scores a YAML file mapping step id to
    answer text (same scoring, saved the same way), plus an optional
    `diagram` key (a `|` block, one edge per line as above). A stdin that is not a
    terminal is refused without it (or `--piped`, which reads the typing of
    the interactive session from the pipe), so a pipe never saves an empty
    session. The session practises
    only the steps in the file (or those of `--stages`; one the file leaves
    out counts 0), and the scorecard says how many of the ten steps were
    practised. The file may add `twists: {TWIST-ID: answer}` (each is asked
    after its step, which the file must answer) and `minutes: {STEP: minutes
    spent}` (without it an answers session has no timing, so no pacing).
    Add `--json` for {"scenario", "session_id", "total_score",
    "agenda_score", "stages", "verdict", "level", "verdict_reasons",
    "verdict_note", "diagram", "twists", "twist_score", "number_checks",
    "pacing"}; each stage carries "evidence" (point id → sentence),
    "partial_missing", "mistakes", "verdict" and "level". "diagram" is null
    without one, else {"text", "components", "flows", "reference_components"
    (each with "drawn_as": your matching boxes), "missing"} (the last two null
    when the scenario has no architecture). Each twist {"id", "step", "text",
    "score", "covered", "partial", "missed", "skipped", "evidence",
    "seconds"}; each number check {"step", "kind", "said", "expected",
    "ratio", "right", "arithmetic", "message", …}; "pacing" is null without
    timing.
    """
    from mlsd.errors import BadInputError
    from mlsd.practice.engine import (
        DEFAULT_MINUTES,
        PracticeEngine,
        check_minutes,
        parse_stages,
    )
    from mlsd.practice.store import open_store

    if json_ and not answers:
        raise BadInputError(_("--json needs --answers FILE (the interactive session prints a scorecard)"))
    options_given = answers or stages is not None or minutes is not None or seed is not None or untimed
    if resume and (options_given or twists or no_twists):
        raise BadInputError(
            _("--resume continues a session with its saved options; "
              "drop --answers/--stages/--minutes/--seed/--untimed/--twists/--no-twists")
        )
    if resume:
        with open_store() as store:
            engine = PracticeEngine.resume(store, scenario or "latest")  # reads, saves nothing
            _require_terminal(piped, "practice", "step id: answer text")
            _interactive(engine, resumed=True)
        return
    from mlsd.practice.twists import TWIST_MODES

    if twists is not None and twists not in TWIST_MODES[:2]:
        raise BadInputError(_("--twists must be one or all, got {value} (--no-twists asks none)").format(
            value=repr(twists)))
    if twists is not None and no_twists:
        raise BadInputError(_("--twists {value} and --no-twists contradict each other; give one of them").format(
            value=twists))
    if twists is not None and answers:
        raise BadInputError(_("--twists applies to the interactive session; an answers file lists its twists under "
                              "`twists:` (--no-twists ignores them)"))
    if scenario is None:
        raise BadInputError(_("missing SCENARIO: give a scenario id (see `mlsd scenarios`) or a path to a YAML file"))
    from mlsd.content.scenario import load_scenario

    sc = load_scenario(scenario)
    chosen = parse_stages(stages) if stages is not None else None
    mins = DEFAULT_MINUTES if minutes is None else minutes
    check_minutes(mins)
    if answers:
        from mlsd.practice.engine import run_answers
        from mlsd.practice.twists import check_twist_steps, parse_practice_answers

        data = parse_practice_answers(answers, sc)
        asked = {} if no_twists else data.twists
        if asked:
            check_twist_steps(data, sc, chosen or tuple(s for s in parse_stages(None) if s in data.answers))
        with open_store() as store:
            saved, card = run_answers(sc, store, data.answers, stages=chosen, seed=seed or 0, minutes=mins,
                                      twists=asked, minutes_spent=data.minutes)
        if json_:
            from mlsd.cli.output import print_json

            print_json(_with_evidence(saved.to_dict(), card.to_dict()))
        else:
            print_scorecard(card)
        return
    _require_terminal(piped, "practice", "step id: answer text")
    from mlsd.practice.twists import choose_twists

    practised = chosen or parse_stages(None)
    asked_ids = [t.id for t in choose_twists(sc, practised, seed=seed or 0, mode="none" if no_twists else twists or "one")]
    with open_store() as store:
        engine = PracticeEngine.start(
            sc, store, stages=practised, minutes=mins, untimed=untimed, seed=seed or 0, twists=asked_ids,
        )
        _interactive(engine, resumed=False)

def history_cmd(
    limit: int = ranged_option(20, "--limit", limit=closed(1, 1_000_000), help="Show at most this many sessions, newest first."),
    json_: bool = typer.Option(False, "--json", help="Print the sessions as JSON on stdout."),
) -> None:
    """List saved practice sessions: scenario, date, total score, time spent.

    `steps` is answered / practised steps (skipped ones count 0 in the total).
    Unfinished sessions can be continued with `mlsd practice --resume ID`;
    finished ones rendered with `mlsd render SCENARIO --session ID`.
    """
    from mlsd.errors import check_positive
    from mlsd.practice.store import open_store

    check_positive("limit", limit)
    with open_store() as store:
        sessions = store.list_sessions(limit)
    if json_:
        from mlsd.cli.output import print_json

        print_json([s.summary() for s in sessions])
        return
    from rich.markup import escape

    from mlsd.cli.output import Column, console, table

    out = console()
    if not sessions:
        out.print(escape(_("No saved sessions yet. Start one with")) + " " + _styled("bold", "mlsd practice feed-ranking")
                  + escape(_(".")))
        return
    # Fits 80 columns with the longest shipped scenario id: the date is folded
    # onto two lines (day / time), an unfinished session says so in the total
    # column (it has no total yet), and nothing is cut with "…".
    columns = [Column("id", "right"), Column(_("scenario"), wrap=True), Column(_("date (UTC)")),
               Column(_("total"), "right"), Column(_("agenda"), "right"), Column(_("time"), "right"),
               Column(_("steps"), "right")]
    rows = []
    for s in sessions:
        day, _sep, clock = s.started_at.partition("T")
        rows.append([
            str(s.id), s.scenario_id, f"{day}\n{clock[:5]}",
            _("unfinished") if not s.finished or s.total_score is None else f"{s.total_score:.0f}",
            "-" if s.agenda_score is None else f"{s.agenda_score:.0f}",
            _mmss(s.duration_seconds), f"{len(s.answered)}/{len(s.stages)}",
        ])
    out.print(table(_("Practice sessions"), columns, rows, out.width))
    if any(not s.finished for s in sessions):
        out.print(escape(_("Continue an unfinished one with")) + " " + _styled("bold", "mlsd practice --resume ID")
                  + escape(_(".")))

class ProgressFormat(str, Enum):
    text = "text"
    html = "html"


def progress_cmd(
    window: int = ranged_option(5, "--window", limit=closed(1, 1_000_000), help="Average and trend over this many latest sessions per step."),
    json_: bool = typer.Option(False, "--json", help="Print the progress report as JSON on stdout."),
    fmt: ProgressFormat = typer.Option(ProgressFormat.text, "--format", help="text (a table with a sparkline per step) or html (a page with charts of your scores over time; needs -o)."),
    output: str | None = typer.Option(None, "-o", "--output", metavar="FILE", help="Where --format html writes the page ('-' for stdout).", show_default=False),
    force: bool = typer.Option(False, "--force", help="Overwrite the -o file if it exists (a device, pipe or folder is never replaced)."),
) -> None:
    """Show per-step averages and trends, your weakest steps and what to practise next.

    The trend is the least-squares slope of a step's scores over its last
    sessions (points per session), and the sparkline draws a step's scores
    over your last 20 sessions (▁ low, █ 100). The next scenario is one you
    have not practised that stresses your weakest steps, else your
    lowest-scoring one. `--format html -o progress.html` writes one
    self-contained page with a chart of every step's scores over time.
    Pacing: per step, the average time against its budget over the last
    sessions that recorded time (interactive ones, and answers files with
    `minutes:`), and the step you usually run long on or starve.
    """
    from mlsd.content.scenario import list_scenarios
    from mlsd.errors import check_positive
    from mlsd.practice.engine import progress_report
    from mlsd.practice.store import open_store

    check_positive("window", window)
    if fmt is ProgressFormat.html and not output:
        from mlsd.errors import BadInputError

        raise BadInputError(_("--format html needs -o FILE (or -o - for stdout), e.g. -o progress.html"))
    if output and fmt is not ProgressFormat.html:
        from mlsd.errors import BadInputError

        raise BadInputError(_("-o writes the HTML page: add --format html"))
    with open_store() as store:
        report = progress_report(store, list_scenarios(), window=window)
    if json_:
        from mlsd.cli.output import print_json

        print_json(report.to_dict())
        return
    if fmt is ProgressFormat.html:
        from mlsd import __version__
        from mlsd.doc.progress_page import render_progress_page

        page = render_progress_page(report.to_dict(), window=window, version=__version__)
        if output == "-":
            sys.stdout.write(page)
            return
        from mlsd.fileio import atomic_write

        atomic_write(output, page, force=force, display=output)
        from mlsd.cli.output import console

        console().print(_("Wrote {path}").format(path=output), markup=False)
        return
    from rich.markup import escape

    from mlsd.cli.output import Column, console, sparkline, table

    out = console()
    if not report.steps and not report.drill_topics:
        start, middle, end = _("No practice yet. Start with {practice} or {drill}.").replace(
            "{drill}", "{practice}").split("{practice}")
        out.print(escape(start) + _styled("bold", "mlsd practice feed-ranking") + escape(middle)
                  + _styled("bold", "mlsd drill") + escape(end))
        return
    if report.steps:
        columns = [Column(_("step")), Column(_("sessions"), "right"),
                   Column(_("average (last {count})").format(count=window), "right"),
                   Column(_("last"), "right"), Column(_("trend / session"), "right"), Column(""), Column(_("scores"))]
        rows = [[step_name(s.stage), str(s.sessions), f"{s.average:.0f}", f"{s.last:.0f}", f"{s.trend:+.1f}", _(s.trend_word),
                 sparkline([entry[-1] for entry in s.history][-20:])]
                for s in report.steps]
        out.print(table(ngettext("Progress over {count} session", "Progress over {count} sessions",
                                 report.sessions).format(count=report.sessions), columns, rows, out.width))
        if report.weakest:
            out.print(_styled("bold", _("Weakest steps:")) + space() + escape(
                _("{steps} — `mlsd checklist` shows what they should cover.").format(steps=step_names(report.weakest))))
    if report.pacing is not None:
        pace = report.pacing
        columns = [Column(_("step")), Column(_("sessions"), "right"), Column(_("avg time"), "right"),
                   Column(_("avg budget"), "right"), Column(_("of budget"), "right"), Column(_("of its share"), "right")]
        rows = [[step_name(s.stage), str(s.sessions), _mmss(s.average_seconds), _mmss(s.average_budget_seconds),
                 f"{s.of_budget * 100:.0f} %", f"{s.of_share * 100:.0f} %"] for s in pace.steps]
        out.print(table(ngettext("Pacing over the last {count} timed session", "Pacing over the last {count} timed sessions",
                                 pace.sessions).format(count=pace.sessions), columns, rows, out.width))
        out.print(_styled("bold", _("Pacing:")) + space() + escape(pace.read + _(".")), soft_wrap=_prose_soft_wrap())
    if report.next_scenario:
        out.print(_styled("bold", _("Practise next:")) + space()
                  + escape(f"mlsd practice {report.next_scenario}  " + _("({text})").format(text=report.next_reason)))
    if report.drill_topics:
        columns = [Column(_("topic")), Column(_("answers"), "right"), Column(_("average"), "right")]
        rows = [[topic, str(n), f"{avg:.0f}"] for topic, (n, avg) in report.drill_topics.items()]
        out.print(table(_("Drill topics"), columns, rows, out.width))

def drill_cmd(
    topic: str = typer.Option(None, "--topic", help="Only questions of this topic (see --list).", show_default=False),
    count: int = ranged_option(5, "--count", limit=closed(1, 1000), help="How many questions to ask."),
    answers: str = typer.Option(None, "--answers", metavar="FILE", help="Score a YAML file mapping question id → answer text instead of asking.", show_default=False),
    seed: int = ranged_option(None, "--seed", limit=SEED, help="Random seed for choosing questions (default: a fresh draw each time).", show_default=False),
    list_: bool = typer.Option(False, "--list", help="List the topics and question ids, then exit."),
    due: bool = typer.Option(False, "--due", help="Say how many questions are due for review and when the next one is, then exit."),
    json_: bool = typer.Option(False, "--json", help="Print the results (or --list, --due) as JSON on stdout."),
    piped: bool = typer.Option(False, "--piped", help=PIPED_HELP),
) -> None:
    """Drill short interview questions on scaling, distributed training, serving, A/B tests and more.

    The questions are ones ML system design interviews often ask: how to
    scale a system, data and model parallelism, synchronous vs asynchronous
    SGD, machine translation for 1000 languages (like NLLB, Meta's No
    Language Left Behind model), AutoML, training/serving inconsistency,
    storage, data pipelines, deployment, latency, serving, A/B testing,
    features, on-device inference, retraining and monitoring. Each answer is
    scored like a practice step, shown with the reference answer, and saved;
    topics you score worst on come up more often. `--list` shows them all.

    Spaced repetition: each question is a card scheduled with FSRS (the
    `fsrs` package). Your score is the review rating (85+ easy, 65+ good,
    40+ hard, below 40 again) and decides when the question comes back:
    a day after a poor answer, a week or more after a strong one, longer
    each time you remember it. `mlsd drill` asks the questions that are due
    first, then ones you have never answered; `--due` shows how many are
    due and when the next one is. Answers from before the schedule existed
    count as reviews.
    While answering, `:hint` names what a full answer touches, `:skip` moves
    on and `:quit` stops (answers given so far are saved).
    """
    from mlsd.practice import drill
    from mlsd.practice.store import open_store

    bank = drill.load_bank()
    if list_:
        shown = drill.shown_bank(bank)
        rows = [{"id": q.id, "topic": q.topic, "question": q.question} for q in shown.questions]
        if json_:
            from mlsd.cli.output import print_json

            print_json({"topics": shown.topics, "questions": rows})
            return
        from rich.table import Table

        from mlsd.cli.output import console

        table = Table(title=_("Drill questions"), title_justify="left")
        for col, key in ((_("topic"), "topic"), ("id", "id"), (_("question"), "")):
            # topic and id are typed back (--topic, an answers file): never cut, the question wraps instead
            width = max((len(r[key]) for r in rows), default=0) if key else None
            table.add_column(col, no_wrap=bool(key), min_width=width)
        for r in rows:
            table.add_row(r["topic"], r["id"], r["question"])
        console().print(table)
        return
    if due:
        _print_due(bank, json_)
        return
    if json_ and not answers:
        from mlsd.errors import BadInputError

        raise BadInputError(_("--json needs --answers FILE (or --list, --due)"))
    if answers:
        data = drill.parse_answers(answers, bank)
        with open_store() as store:
            results = drill.run_answers(store, bank, data)
        _emit_drill(results, json_)
        return
    import random

    from mlsd.practice.schedule import load_states

    with open_store() as store:
        history = [(d.topic, d.score) for d in store.drill_answers()]
        qs = drill.choose(bank, count=count, topic=topic, seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
                          history=history, states=load_states(store, bank))
        _require_terminal(piped, "drill", "question id: answer text")
        _drill_interactive(store, qs)

def _print_due(bank: Bank, as_json: bool) -> None:
    from mlsd.practice.schedule import due_report, load_states, until, utc_now
    from mlsd.practice.store import open_store

    with open_store() as store:
        report = due_report(load_states(store, bank), utc_now())
    if as_json:
        from mlsd.cli.output import print_json

        print_json(report.to_dict())
        return
    from rich.markup import escape

    from mlsd.cli.output import console

    out = console()
    out.print(escape(ngettext("{due} of {total} drill question due for review now; {new} never answered.",
                              "{due} of {total} drill questions due for review now; {new} never answered.",
                              report.total).format(due=len(report.due), total=report.total, new=report.new)))
    if report.due:
        ids = ", ".join(s.question_id for s in report.due[:10])
        more = len(report.due) - 10
        out.print(escape(_("Due: {ids}").format(ids=ids) if more <= 0 else
                         _("Due: {ids} and {count} more").format(ids=ids, count=more)))
    if report.next_due and report.next_due.due:
        when = report.next_due.due
        out.print(escape(_("Next one due: {id}, {when} UTC ({until}).").format(
            id=report.next_due.question_id, when=f"{when:%Y-%m-%d %H:%M}", until=until(when, report.now))))
    elif not report.due:
        out.print(escape(_("Nothing scheduled yet: `mlsd drill` starts the schedule.")))
    if report.due or report.new:
        start, end = _("Run {command} to answer them (due ones come first).").split("{command}")
        out.print(escape(start) + _styled("bold", "mlsd drill") + escape(end))


def _emit_drill(results: Sequence[DrillResult], as_json: bool) -> None:
    from dataclasses import replace

    from mlsd.practice import drill
    from mlsd.practice.shown import shown_result

    shown = {q.id: q for q in drill.shown_bank(drill.load_bank()).questions}
    results = [replace(r, result=shown_result(r.result, {kp.id: kp for kp in shown[r.question.id].key_points}))
               if r.question.id in shown else r for r in results]
    avg = round(sum(r.result.score for r in results) / len(results), 1) if results else 0.0
    if as_json:
        from mlsd.cli.output import print_json

        print_json({"answers": [r.to_dict() for r in results], "average": avg})
        return
    from mlsd.cli.output import Column, console, table

    columns = [Column(_("question")), Column(_("topic")), Column(_("score"), "right"), Column(_("missed"), wrap=True)]
    rows = [[r.question.id, r.question.topic, f"{r.result.score:.0f}", ", ".join(r.result.missed) or "—"]
            for r in results]
    console().print(table(_("Drill"), columns, rows, console().width))
    console().print(_styled("bold", _("Average: {score}/100").format(score=f"{avg:.0f}")))


def _drill_interactive(store: Store, questions: Sequence[Question]) -> None:
    from mlsd.threads import ctrl_c_reaches_input

    with ctrl_c_reaches_input():
        _drill_loop(store, questions)


def _drill_loop(store: Store, questions: Sequence[Question]) -> None:
    from rich.markup import escape

    from mlsd.cli.output import console, heading, reflow
    from mlsd.practice import drill
    from mlsd.practice.shown import shown_result

    out = console()
    out.print(escape(_("Drill: answer each question (finish with an empty line or Ctrl-D; :hint, :skip, :quit).")))
    bank = drill.shown_bank(drill.load_bank())
    shown = {sq.id: sq for sq in bank.questions}
    # A topic's id is English; in another language its translated description names it.
    from mlsd.i18n import SOURCE_LANGUAGE, language

    topic_names = {} if language() == SOURCE_LANGUAGE else bank.topics
    results = []
    try:
        for i, q in enumerate(questions, 1):
            sq = shown.get(q.id, q)  # what is shown; `q` (English) is what is scored
            heading(f"[bold]{i}/{len(questions)} · {escape(topic_names.get(q.topic, q.topic))}")
            out.print(_styled("bold", sq.question))
            text, cmd = _read_answer(
                _Buffer(), commands=(":hint", ":skip", ":quit"),
                on_hint=lambda q=q: out.print(_styled("dim", drill.hint(q))),
            )
            if cmd == ":quit":
                break
            if cmd == ":skip":
                text = ""
            r = drill.record(store, q, text)
            results.append(r)
            result = shown_result(r.result, {kp.id: kp for kp in sq.key_points})
            out.print(_styled("bold", _("Score: {score}/100").format(score=f"{result.score:.0f}")))
            if r.card is not None and r.card.due is not None:
                from mlsd.practice.schedule import rating_name, until

                out.print(_styled("dim", _("Review rating {rating}: this question comes back {when} ({date}).").format(
                    rating=_(rating_name(r.result.score)).lower(), when=until(r.card.due, r.card.last_review or r.card.due),
                    date=f"{r.card.due:%Y-%m-%d}")))
            _print_length_note(result)
            _print_points(result.points, result.mistakes)
            out.print(_styled("bold", _("Reference answer:")))
            out.print(escape(reflow(sq.reference)))
    except KeyboardInterrupt:
        out.print("\n" + escape(ngettext("Interrupted; {count} answer saved.", "Interrupted; {count} answers saved.",
                                         len(results)).format(count=len(results))))
        raise typer.Exit(130) from None
    if results:
        avg = sum(r.result.score for r in results) / len(results)
        out.print(_styled("bold", _("Drill average: {score}/100").format(score=f"{avg:.0f}")) + space() + escape(
            ngettext("over {count} question. `mlsd progress` shows your topics.",
                     "over {count} questions. `mlsd progress` shows your topics.", len(results)).format(
                count=len(results))))


class _NegativeIdsAreArguments(typer.core.TyperCommand):
    """`mlsd practice --resume -1`: click takes "-1" for an option it does not know ("No such
    option: -1"). No option of ours looks like a negative number, so one that is not an
    option's value goes on as the argument, and the command says which session ids exist."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        import re

        takes_value = {o for p in self.params if not getattr(p, "is_flag", False) for o in p.opts}
        args = list(args)
        for i, arg in enumerate(args):
            if "--" in args[:i]:
                break
            if re.fullmatch(r"-\d+", arg) and (i == 0 or args[i - 1] not in takes_value):
                args = [*args[:i], *args[i + 1:], "--", arg]
                break
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    """Add `practice`, `history`, `progress` and `drill` to the app."""
    app.command("practice", cls=_NegativeIdsAreArguments)(practice_cmd)
    app.command("history")(history_cmd)
    app.command("progress")(progress_cmd)
    app.command("drill")(drill_cmd)
