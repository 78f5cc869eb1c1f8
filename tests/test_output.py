"""Terminal tables: nothing is cut to "…" at 80 columns, and at 40 tables turn into blocks."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from mlsd.cli.output import RECORDS_MAX_ROWS, fitted_table
from mlsd.sims.base import Table


def _render(table, width: int = 80) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(fitted_table(table, width))
    return console.export_text()


def test_a_table_that_fits_keeps_its_shape():
    t = Table("small", ("model", "AUC"), (("GBDT", 0.81), ("LR", 0.79)))
    out = _render(t)
    assert out.splitlines()[2].split() == ["┃", "model", "┃", "AUC", "┃"]


def test_a_wide_table_with_few_rows_is_transposed_and_nothing_is_cut():
    cols = ("strategy", *(f"metric number {i}" for i in range(9)))
    rows = (("rolling", *(2318.65 + i for i in range(9))), ("canary", *(70.99 + i for i in range(9))))
    out = _render(Table("rollout", cols, rows))
    assert "…" not in out
    header = next(line for line in out.splitlines() if "strategy" in line)
    assert "rolling" in header and "canary" in header  # one column per original row
    assert "2,326.7" in out and "metric number 8" in out


def test_a_table_too_wide_even_transposed_becomes_one_block_per_row():
    cols = ("search", "best parameters", "validation AUC")
    rows = tuple((f"search {i}", "max_depth=None, min_samples_leaf=100 " * 2, 94.2) for i in range(4))
    out = _render(Table("tuning", cols, rows))
    assert "…" not in out
    assert out.count("best parameters") == 4 and out.count("validation AUC") == 4


def test_long_tables_keep_their_shape_and_fold_long_words():
    cols = ("window", *(f"psi {i}" for i in range(7)))
    rows = tuple((f"{i}-{i + 5}", *(f"0.003 report_rate_of_users_{j}" for j in range(7)))
                 for i in range(RECORDS_MAX_ROWS + 1))
    out = _render(Table("windows", cols, rows))
    assert "…" not in out  # rich's default overflow would cut these identifiers
    assert sum(1 for line in out.splitlines() if "psi 6" in line) == 1  # still one header row


@pytest.mark.parametrize("name", ["rollout", "tuning", "churn", "retrieval", "monitor"])
def test_simulation_tables_are_not_cut_at_80_columns(run_cli, monkeypatch, name):
    monkeypatch.setenv("COLUMNS", "80")
    args = {"churn": ["--n-customers", "3000"], "retrieval": ["--n", "2000", "--clusters", "50"],
            "tuning": ["--n-samples", "600"], "monitor": ["--minutes", "100"]}.get(name, [])
    res = run_cli("simulate", name, *args)
    assert res.code == 0, res.stderr
    assert "…" not in res.stdout
    assert max(len(line) for line in res.stdout.splitlines()) <= 80


def test_piped_output_has_no_trailing_spaces(run_cli, monkeypatch, tmp_path):
    """rich padded table titles and wrapped lines to 80 columns: in a pipe every line ended
    in spaces. run_cli's stdout is not a terminal, like a pipe."""
    monkeypatch.setenv("COLUMNS", "80")
    answers = tmp_path / "a.yaml"
    answers.write_text("requirements: We want more engagement; ask about latency p99 and daily active users.\n")
    runs = [("practice", "feed-ranking", "--answers", str(answers)), ("history",), ("progress",),
            ("simulate", "ab-test", "plan"), ("drill", "--list")]
    for args in runs:
        res = run_cli(*args)
        assert res.code == 0, (args, res.stderr)
        padded = [line for line in res.stdout.splitlines() if line != line.rstrip()]
        assert not padded, (args, padded[:3])


def test_trailing_spaces_go_but_spaces_inside_a_line_stay():

    from mlsd.cli.output import _NoTrailingSpaces

    sink = io.StringIO()
    out = _NoTrailingSpaces(lambda: sink)
    for part in ("title   ", "\n", "a ", " b  ", "", "c   \nend  "):
        out.write(part)
    assert sink.getvalue() == "title\na  b  c\nend"


def _narrow_check(text: str, width: int = 40) -> None:
    """No table line or rule wider than the terminal and nothing cut to "…" (prose printed
    with soft_wrap is left to the terminal)."""
    from rich.cells import cell_len

    assert "…" not in text
    drawn = [line for line in text.splitlines() if line[:1] in set("┌┏┃┡│├└─")]
    assert drawn and max(cell_len(line) for line in drawn) <= width


@pytest.fixture
def narrow_sessions(run_cli, monkeypatch, tmp_path):
    """Two practice sessions on each of two scenarios and two drill answers, then COLUMNS=40.
    Returns each scenario's JSON scorecard and its printed scorecard, and the printed drill."""
    import json

    answers = tmp_path / "a.yaml"
    answers.write_text("requirements: We want more engagement; ask about latency p99 and daily active users.\n"
                       "data: labels from impression logs\n")
    drill = tmp_path / "d.yaml"
    drill.write_text("sync-async-sgd: synchronous SGD waits for every worker\nwhat-to-monitor: latency\n")
    monkeypatch.setenv("COLUMNS", "40")
    cards = {}
    for scenario in ("feed-ranking", "people-you-may-know"):
        saved = json.loads(run_cli("practice", scenario, "--answers", str(answers), "--json").stdout)
        card = run_cli("practice", scenario, "--answers", str(answers))
        assert card.code == 0, card.stderr
        cards[scenario] = (saved, card.stdout)
    drilled = run_cli("drill", "--answers", str(drill))
    assert drilled.code == 0, drilled.stderr
    return cards, drilled.stdout


def test_the_scorecard_keeps_steps_and_scores_whole_at_40_columns(narrow_sessions):
    """Issue 16: at 40 columns the scorecard showed `requ…` and `budg…`."""
    for saved, printed in narrow_sessions[0].values():
        _narrow_check(printed)
        for step, st in saved["stages"].items():
            assert re.search(rf"│ step +│ {step} +│\n│ score +│ {st['score']:.0f} +│", printed), (step, st)


def test_drill_results_keep_question_ids_whole_at_40_columns(narrow_sessions):
    """Issue 16: at 40 columns the drill table showed `sync-a…` and `distri…`."""
    printed = narrow_sessions[1]
    _narrow_check(printed)
    for word in ("sync-async-sgd", "what-to-monitor", "distributed-training", "performance-drop"):
        assert re.search(rf"│ {word}[ ,]", printed), word


def test_history_keeps_ids_and_dates_whole_at_40_columns(run_cli, narrow_sessions):
    """Issue 16: at 40 columns history showed empty id and scenario columns and `2026-11-`."""
    history = run_cli("history")
    assert history.code == 0
    _narrow_check(history.stdout)
    for word in ("feed-ranking", "people-you-may-know", "2/2", "3"):
        assert re.search(rf"│ {word} +│", history.stdout), word
    assert re.search(r"│ \d{4}-\d\d-\d\d \d\d:\d\d +│", history.stdout)  # the date on one line


def test_progress_keeps_steps_and_trends_whole_at_40_columns(run_cli, narrow_sessions):
    """Issue 16: at 40 columns progress showed `req…` and `-41…`."""
    import json

    progress = run_cli("progress")
    assert progress.code == 0
    _narrow_check(progress.stdout)
    report = json.loads(run_cli("progress", "--json").stdout)
    assert any(abs(step["trend"]) >= 10 for step in report["stages"].values())  # a five-character trend
    for stage, step in report["stages"].items():
        assert re.search(rf"│ step +│ {stage} +│", progress.stdout), stage
        trend = re.escape(f"{step['trend']:+.1f}")
        assert re.search(rf"│ trend / session +│ {trend} +│", progress.stdout), (stage, step)
    assert re.search(r"│ topic +│ distributed-training +│", progress.stdout)


def test_a_table_that_fits_is_unchanged_and_one_that_does_not_becomes_blocks():
    from mlsd.cli.output import Column, table

    columns = [Column("id", "right"), Column("scenario"), Column("note", wrap=True), Column("trend", "right")]
    rows = [["1", "people-you-may-know", "a long note that may wrap between its words", "-41.7"]]

    def render(width: int) -> str:
        console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(table("t", columns, rows, width))
        return console.export_text()

    wide = render(60)
    assert [cell.strip() for cell in wide.splitlines()[2].split("┃")[1:-1]] == ["id", "scenario", "note", "trend"]
    assert "│ people-you-may-know │" in wide and "│ -41.7 │" in wide  # the note wraps instead
    narrow = render(40)
    _narrow_check(narrow)
    assert re.search(r"│ scenario │ people-you-may-know +│", narrow) and re.search(r"│ trend +│ -41\.7 +│", narrow)


def test_long_simulation_tables_become_blocks_rather_than_split_numbers():
    cols = ("window", *(f"psi {i}" for i in range(6)))
    rows = tuple((f"{i}-{i + 5}", *(123456.789 + j for j in range(6))) for i in range(RECORDS_MAX_ROWS + 1))
    out = _render(Table("windows", cols, rows), 40)
    _narrow_check(out)
    assert out.count("123,457.8") == RECORDS_MAX_ROWS + 1 and out.count("psi 5") == RECORDS_MAX_ROWS + 1


def test_a_heading_too_long_for_the_rule_gets_its_own_line(monkeypatch):
    from mlsd.cli import output

    sink = io.StringIO()
    monkeypatch.setattr(output, "console", lambda: Console(width=40, file=sink, highlight=False))
    output.heading("[bold]Step 3/10 · Training and serving data pipelines")
    output.heading("[bold]Scorecard")
    lines = [line.rstrip() for line in sink.getvalue().splitlines()]
    assert lines[0] == "─" * 40
    assert lines[1] == "Step 3/10 · Training and serving data"
    assert lines[2] == "pipelines"
    assert lines[3].strip("─ ") == "Scorecard"
