"""Terminal tables: nothing a simulation prints is cut to "…" at 80 columns."""

from __future__ import annotations

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
    import io

    from mlsd.cli.output import _NoTrailingSpaces

    sink = io.StringIO()
    out = _NoTrailingSpaces(lambda: sink)
    for part in ("title   ", "\n", "a ", " b  ", "", "c   \nend  "):
        out.write(part)
    assert sink.getvalue() == "title\na  b  c\nend"
