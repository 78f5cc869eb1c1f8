"""Bad input anywhere a user controls it: one red line on stderr, exit 2, nothing lost."""

from __future__ import annotations

import os
import stat

import pytest


def _one_line(result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


def test_fifo_and_device_files_are_refused_without_reading(run_cli, tmp_path):
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_line(run_cli("checklist", str(fifo)))  # would hang if opened
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert "not a regular file" in _one_line(run_cli("checklist", str(link)))  # would exhaust memory
    assert "not a regular file" in _one_line(run_cli("practice", "churn", "--answers", "/dev/zero"))


def test_oversized_scenario_file_is_refused(run_cli, tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.seek(6 * 1024 * 1024)
        fh.write(b"\n")
    assert "the limit is" in _one_line(run_cli("checklist", str(big)))


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_seed_out_of_range(run_cli, seed):
    assert "--seed" in _one_line(run_cli("simulate", "churn", "--seed", seed))


@pytest.mark.parametrize(("cmd", "flag"), [("serving", "--service-ms"), ("monitor", "--qps"), ("training", "--lr")])
@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_non_finite_numbers_are_refused(run_cli, cmd, flag, value):
    assert f"{flag} must be in (" in _one_line(run_cli("simulate", cmd, flag, value))


def test_no_arguments_prints_help_not_an_error(run_cli):
    for args in ((), ("simulate",)):
        result = run_cli(*args)
        assert result.code == 0 and result.stdout.startswith("Usage: mlsd") and result.stderr == ""


def test_render_to_a_directory_or_an_unwritable_place(run_cli, tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    for extra in ((), ("--force",)):
        assert "is a directory" in _one_line(run_cli("render", "churn", "--no-simulations", "-o", str(folder), *extra))
    missing = tmp_path / "nope" / "doc.md"
    assert "does not exist" in _one_line(run_cli("render", "churn", "--no-simulations", "-o", str(missing)))


def test_rendered_files_follow_the_umask(run_cli, tmp_path):
    old = os.umask(0o022)
    try:
        assert run_cli("render", "churn", "--no-simulations", "-o", str(tmp_path / "d.md")).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "d.md").stat().st_mode) == 0o644


def test_scientific_notation_in_yaml_gets_a_helpful_message(run_cli, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("id: c\ntitle: t\nsummary: s\nscale: {dau: 3e8}\nstages:\n  requirements: {prompt: p}\n")
    assert "write it out (300000000)" in _one_line(run_cli("checklist", str(case)))


def test_simulation_args_checked_at_run_time_are_reported_where_written(run_cli, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(
        "id: c\ntitle: t\nsummary: s\nstages:\n  requirements: {prompt: p}\n"
        "simulations:\n  - name: ab-test plan\n    args: {baseline: 5, seed: 3}\n"
    )
    err = _one_line(run_cli("render", str(case), "-o", str(tmp_path / "d.md")))
    assert f"{case}:7: simulations[0].args: --baseline must be in (0, 1), got 5" in err
    assert not (tmp_path / "d.md").exists()


def test_scenario_args_may_pin_a_seed_and_it_is_checked(run_cli, tmp_path):
    case = tmp_path / "case.yaml"
    body = "id: c\ntitle: t\nsummary: s\nstages:\n  requirements: {prompt: p}\nsimulations:\n  - name: ab-test plan\n    args: {seed: %s}\n"
    case.write_text(body % "-3")
    assert "--seed" in _one_line(run_cli("checklist", str(case)))
    case.write_text(body % "3")
    assert run_cli("checklist", str(case)).code == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["simulate", "ranking", "--seed", "-1"], "--seed must be in [0, 4294967295], got -1"),
        (["simulate", "ranking", "--seed", "99999999999"], "--seed must be in [0, 4294967295], got 99999999999"),
        (["simulate", "churn", "--n-customers", "1e11"],
         "--n-customers must be a whole number written out (like 20000, not 2e4 or 1.5), got '1e11'"),
        (["estimate", "--dau=2.5"], "--dau must be a whole number written out (like 20000, not 2e4 or 1.5), got '2.5'"),
        (["simulate", "serving", "--qps", "abc"], "--qps must be a number, got 'abc'"),
        (["render", "feed-ranking", "--format", "pdf"], "--format must be one of md, html, got 'pdf'"),
        (["simulate", "ab-test", "--metric", "foo"], "--metric must be one of proportion, mean, got 'foo'"),
    ],
)
def test_type_errors_speak_of_the_value_not_of_pydantic_input(run_cli, args, says):
    """One style for every wrong option value, ours: `--alpha must be in (0, 1), got 1.5`. Not
    pydantic's "Input should …" or "Value error, 'pdf' is not one of 'md', 'html'.", nor
    click's "Invalid value for '--format': … (see --help)"."""
    res = run_cli(*args)
    res.assert_bad_input(says)
    for theirs in ("Input should", "parse string", "Value error", "Invalid value", "see --help"):
        assert theirs not in res.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["simulate", "features", "--n-users", "100000000"], "--n-users 100,000,000 needs about"),
        (["simulate", "features", "--events-per-user-per-day", "1e9"], "--events-per-user-per-day 1,000,000,000 needs about"),
        (["simulate", "tuning", "--n-samples", "100000000"], "--n-samples must be in [300, 1e+06]"),
        (["simulate", "tuning", "--n-features", "100000"], "--n-features must be in [4, 1000]"),
        (["simulate", "tuning", "--random-iter", "19"], "--random-iter must be in [1, 18]"),
    ],
)
def test_sizes_that_would_not_fit_are_refused_before_allocating(run_cli, args, says):
    run_cli(*args).assert_bad_input(says)


# ---------------------------------------------------------------- writes replace only regular files


def _render_to(run_cli, target, *extra):
    return run_cli("render", "churn", "--no-simulations", "-o", str(target), "--force", *extra)


def test_force_never_replaces_a_fifo_or_a_device(run_cli, tmp_path):
    fifo = tmp_path / "doc.md"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_line(_render_to(run_cli, fifo))
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    link = tmp_path / "null.md"
    link.symlink_to("/dev/null")
    assert "not a regular file" in _one_line(_render_to(run_cli, link))
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_force_keeps_the_mode_of_the_file_it_replaces(run_cli, tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("old")
    doc.chmod(0o600)
    assert _render_to(run_cli, doc).code == 0
    assert doc.read_text() != "old" and stat.S_IMODE(doc.stat().st_mode) == 0o600


def test_force_writes_through_a_symlink_to_its_target(run_cli, tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "doc.md"
    real.write_text("old")
    link = tmp_path / "doc.md"
    link.symlink_to(real)
    result = _render_to(run_cli, link)
    assert result.code == 0, result.stderr
    assert link.is_symlink() and real.read_text().startswith("# ")


def test_monitor_exports_never_replace_a_fifo(run_cli, tmp_path):
    fifo = tmp_path / "dash.json"
    os.mkfifo(fifo)
    for flag in ("--grafana-dashboard", "--prometheus-rules"):
        result = run_cli("simulate", "monitor", flag, str(fifo), "--force")
        assert flag in _one_line(result) and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_chart_folder_files_are_not_replaced_when_not_regular(tmp_path):
    from mlsd.doc.render import RenderedDocument, write_document
    from mlsd.errors import BadInputError

    (tmp_path / "doc_files").mkdir()
    os.mkfifo(tmp_path / "doc_files" / "c.svg")
    doc = RenderedDocument("# doc\n", {"c.svg": "<svg/>"})
    with pytest.raises(BadInputError, match="not a regular file"):
        write_document(doc, tmp_path / "doc.md", force=True)
    assert stat.S_ISFIFO((tmp_path / "doc_files" / "c.svg").lstat().st_mode)


# Every option or argument that names a file the user gives, and the display its error uses.
FILE_INPUTS = [
    (("checklist", "{}"), "{}"),
    (("scenarios", "validate", "{}"), "{}"),
    (("practice", "feed-ranking", "--answers", "{}"), "{}"),
    (("drill", "--answers", "{}"), "{}"),
    (("simulate", "monitor", "--rules", "{}"), "--rules {}"),
    (("simulate", "ab-test", "analyze", "--data", "{}"), "--data {}"),
    (("render", "feed-ranking", "--no-simulations", "-o", "-", "--template", "{}"), "--template {}"),
]


@pytest.mark.parametrize(("argv", "display"), FILE_INPUTS, ids=[" ".join(a[:2]) for a, _ in FILE_INPUTS])
def test_every_file_input_names_itself_for_a_fifo_and_for_a_file_over_its_limit(run_cli, tmp_path, argv, display):
    """`monitor --rules FIFO` once said "no such file", `render --template FIFO` still did; a file
    over the limit must name the file and the limit."""
    fifo = tmp_path / "in.yaml"
    os.mkfifo(fifo)
    said = _one_line(run_cli(*(a.format(fifo) for a in argv)))  # would hang if it were opened
    assert f"{display.format(fifo)}: is not a regular file" in said, said
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.seek(300 * 1024 * 1024)  # sparse: over every limit (the largest is --data's 200 MB)
        fh.write(b"\n")
    said = _one_line(run_cli(*(a.format(big) for a in argv)))
    assert f"{display.format(big)}: file is {big.stat().st_size:,} bytes, larger than" in said, said
    assert "the limit is" in said
