"""`mlsd render`: templates, escaping, sandboxing, safe output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlsd.content.scenario import STAGE_IDS, list_scenarios, load_scenario
from mlsd.doc.render import build_context, render_document
from mlsd.errors import TemplateError

XSS = "<script>alert(1)</script>"


def _fake_session(scenario, answer: str):
    """A stand-in with the fields render reads from mlsd.practice.store.SavedSession."""
    answers = {
        sid: SimpleNamespace(answer=answer, skipped=False, draft=False, score=42.0,
                             covered=(), partial={}, missed=(), follow_up=None, follow_up_answer=None)
        for sid in STAGE_IDS
    }
    return SimpleNamespace(id=7, total_score=42.0, agenda="", agenda_score=0.0, started_at="2026-01-01",
                           finished=True, answers=answers, scenario_id=scenario.id)


@pytest.fixture(scope="module")
def feed():
    return load_scenario("feed-ranking")


def test_html_escapes_user_answers(feed):
    ctx = build_context(feed, session=_fake_session(feed, XSS), include_simulations=False)
    html = render_document(ctx, fmt="html").text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_neutralises_raw_html_in_answers(feed):
    ctx = build_context(feed, session=_fake_session(feed, XSS), include_simulations=False)
    md = render_document(ctx, fmt="md").text
    assert XSS not in md and "&lt;script&gt;" in md


def test_html_escapes_raw_html_in_a_user_scenario_reference(tmp_path):
    text = Path(__file__).with_name("data").joinpath("contract_example.yaml").read_text()
    text = text.replace("simulations:\n  - name: ab-test\n    args: {baseline: 0.05, mde: 0.002}\n", "")
    text = text.replace("  model:\n", f"  model:\n    reference: 'A baseline {XSS} first.'\n")
    path = tmp_path / "x.yaml"
    path.write_text(text)
    html = render_document(build_context(load_scenario(str(path)), include_simulations=False), fmt="html").text
    assert XSS not in html and "&lt;script&gt;" in html


def test_every_section_and_step_is_rendered(feed):
    ctx = build_context(feed, include_simulations=False)
    for fmt in ("md", "html"):
        text = render_document(ctx, fmt=fmt).text
        for section in ("Goals and non-goals", "Success metrics", "Requirements and constraints",
                        "Alternatives considered", "Risks", "Privacy and security", "Cost",
                        "Rollout and A/B plan", "Monitoring and alerts", "Open questions", "Appendix: simulations"):
            assert section in text, (fmt, section)
        for stage in feed.stages.values():
            assert stage.prompt.split()[0] in text


@pytest.mark.parametrize("scenario", [s.id for s in list_scenarios()])
def test_every_shipped_scenario_renders_without_simulations(scenario):
    ctx = build_context(load_scenario(scenario), include_simulations=False)
    md = render_document(ctx, fmt="md").text
    html = render_document(ctx, fmt="html").text
    assert md.startswith("# ") and "\n\n\n" not in md
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)=["']https?://""", html), "HTML must not fetch anything"


def _user_template(tmp_path, body: str) -> Path:
    path = tmp_path / "mine.j2"
    path.write_text(body)
    return path


def test_user_template_renders_plain_data(tmp_path, feed):
    ctx = build_context(feed, include_simulations=False)
    tpl = _user_template(tmp_path, "{{ scenario.title }}|{{ steps | length }}\n")
    assert render_document(ctx, fmt="md", template=tpl).text == f"{feed.title}|10\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("line one\n{% if %}\n", r"mine.j2:2: template syntax error"),
        ("ok\n{{ no_such_thing }}\n", r"mine.j2:2: undefined: 'no_such_thing' is undefined"),
        ("a\nb\n{{ scenario.__class__.__mro__ }}\n", r"mine.j2:3: "),
        ("{{ ''.__class__.__subclasses__() }}", r"mine.j2:1: "),
    ],
)
def test_bad_user_templates_are_one_line_errors(tmp_path, feed, body, expected):
    ctx = build_context(feed, include_simulations=False)
    with pytest.raises(TemplateError, match=expected) as info:
        render_document(ctx, fmt="md", template=_user_template(tmp_path, body))
    assert "\n" not in str(info.value)


def test_cli_refuses_to_overwrite_and_writes_atomically(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = run_cli("render", "churn", "--no-simulations")
    assert first.code == 0, first.stderr
    out = tmp_path / "churn-design.md"
    before = out.read_text()
    out.write_text("my edits")
    again = run_cli("render", "churn", "--no-simulations")
    assert again.code == 2 and "already exists" in again.stderr and out.read_text() == "my edits"
    forced = run_cli("render", "churn", "--no-simulations", "--force")
    assert forced.code == 0 and out.read_text() == before
    assert not list(tmp_path.glob(".*.tmp")), "no temp file left behind"


def test_cli_template_error_exit_2(run_cli, tmp_path):
    tpl = _user_template(tmp_path, "{{ nope.nope }}")
    result = run_cli("render", "churn", "--no-simulations", "--template", str(tpl), "-o", str(tmp_path / "x.md"))
    assert result.code == 2 and result.stderr.count("\n") == 1 and "mine.j2:1" in result.stderr
    assert not (tmp_path / "x.md").exists()


def test_cli_stdout(run_cli):
    result = run_cli("render", "search", "--no-simulations", "-o", "-")
    assert result.code == 0 and result.stdout.startswith("# ")


def test_session_render_end_to_end(run_cli, tmp_path):
    """practice --answers saves a session; render --session latest shows its answers and marks."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "requirements: |\n  The business objective is meaningful engagement measured online by DAU.\n"
        f"  {XSS}\n"
        "model: Start from a logistic regression baseline with a popularity fallback.\n"
    )
    practice = run_cli("practice", "feed-ranking", "--answers", str(answers), "--json")
    assert practice.code == 0, practice.stderr
    out = tmp_path / "doc.html"
    result = run_cli("render", "feed-ranking", "--session", "latest", "--format", "html", "--no-simulations", "-o", str(out))
    assert result.code == 0, result.stderr
    html = out.read_text()
    assert "Your answer" in html and "meaningful engagement measured online" in html
    assert XSS not in html and "&lt;script&gt;" in html
    assert 'class="ok"' in html and 'class="miss"' in html
    assert "Not practised in this session" in html
    md = tmp_path / "doc.md"
    assert run_cli("render", "feed-ranking", "--session", "1", "--no-simulations", "-o", str(md)).code == 0
    assert "✓ States the business objective" in md.read_text()


def test_session_render_quotes_the_sentence_that_earned_each_point(run_cli, tmp_path):
    sentence = "The business objective is meaningful engagement measured online by DAU <b>now</b>."
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"requirements: {sentence}\n")
    saved = run_cli("practice", "feed-ranking", "--answers", str(answers), "--json")
    evidence = json.loads(saved.stdout)["stages"]["requirements"]["evidence"]
    assert evidence.get("business-objective") == sentence
    md, html = tmp_path / "doc.md", tmp_path / "doc.html"
    assert run_cli("render", "feed-ranking", "--session", "1", "--no-simulations", "-o", str(md)).code == 0
    assert run_cli("render", "feed-ranking", "--session", "1", "--no-simulations", "--format", "html", "-o", str(html)).code == 0
    assert "you said: “The business objective is meaningful engagement" in md.read_text()
    page = html.read_text()
    assert "you said: “The business objective" in page and "<b>now</b>" not in page and "&lt;b&gt;now" in page


def test_session_render_lists_the_mistakes_of_each_step(run_cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("data: Labels come from impression logs; we fix the imbalance with SMOTE on the clicks.\n")
    assert run_cli("practice", "feed-ranking", "--answers", str(answers)).code == 0
    md = tmp_path / "doc.md"
    assert run_cli("render", "feed-ranking", "--session", "1", "--no-simulations", "-o", str(md)).code == 0
    text = md.read_text()
    assert "Mistakes an interviewer would flag" in text and "we fix the imbalance with SMOTE" in text


def test_session_of_another_scenario_is_refused(run_cli, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("requirements: churn is the business objective\n")
    assert run_cli("practice", "churn", "--answers", str(answers)).code == 0
    result = run_cli("render", "search", "--session", "1", "--no-simulations", "-o", str(tmp_path / "x.md"))
    assert result.code == 2 and "is a practice of 'churn'" in result.stderr
    result = run_cli("render", "search", "--session", "latest", "--no-simulations", "-o", str(tmp_path / "x.md"))
    result.assert_bad_input("no saved session of scenario 'search' yet")


def test_session_latest_is_the_latest_of_that_scenario(run_cli, tmp_path):
    """`render churn --session latest` used to take the latest session of any scenario
    (feed-ranking here) and then refuse it as a practice of another scenario."""
    answers = tmp_path / "a.yaml"
    answers.write_text("requirements: churn is the business objective\n")
    for scenario in ("churn", "churn", "feed-ranking"):
        assert run_cli("practice", scenario, "--answers", str(answers)).code == 0
    out = tmp_path / "x.md"
    result = run_cli("render", "churn", "--session", "latest", "--no-simulations", "-o", str(out))
    assert result.code == 0, result.stderr
    assert "session 2" in out.read_text().lower()


def test_unknown_session_is_one_line(run_cli, tmp_path):
    result = run_cli("render", "search", "--session", "99", "--no-simulations", "-o", str(tmp_path / "x.md"))
    assert result.code == 2 and result.stderr.count("\n") == 1


# ---------------------------------------------------------------- bounded user templates


def test_template_includes_stay_in_its_folder(tmp_path, feed):
    """An include reads the template's own folder, never through a link that leaves it."""
    ctx = build_context(feed, include_simulations=False)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "part.txt").write_text("PART")
    (tmp_path / "sub" / "link.txt").symlink_to(Path(__file__).resolve())
    (tmp_path / "sub" / "near.txt").symlink_to(tmp_path / "sub" / "part.txt")  # stays inside
    tpl = _user_template(tmp_path, "{% include 'sub/part.txt' %}|{% include 'sub/near.txt' %}")
    assert render_document(ctx, fmt="md", template=tpl).text == "PART|PART"
    for body in ("{% include 'sub/link.txt' %}", "{% include '../" + tmp_path.name + "/mine.j2' %}"):
        with pytest.raises(TemplateError, match="includes only files in its own folder") as info:
            render_document(ctx, fmt="md", template=_user_template(tmp_path, body))
        assert "test_template_includes_stay_in_its_folder" not in str(info.value)


@pytest.mark.parametrize(
    ("body", "stopped"),
    [
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "over depth 100"),
        ("{% include 'mine.j2' %}", "over depth 100"),
        ("{{ 'x' * 3000000000 }}", "over 50 MB"),
        ("{{ [1] * 3000000000 }}", "over 50 MB"),
        ("{{ 2 ** 99999999 }}", "over 50 MB"),
    ],
)
def test_template_past_depth_or_size_stops_with_one_line(tmp_path, feed, body, stopped):
    ctx = build_context(feed, include_simulations=False)
    with pytest.raises(TemplateError, match=f"template stopped: {stopped}") as info:
        render_document(ctx, fmt="md", template=_user_template(tmp_path, body))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",  # prints nothing
    ],
)
def test_template_past_the_time_limit_stops(tmp_path, feed, body, monkeypatch):
    """A 0.3 s limit instead of 10 s; the loops would run for minutes."""
    import mlsd.doc.render

    monkeypatch.setattr(mlsd.doc.render, "TEMPLATE_SECONDS", 0.3)
    monkeypatch.setattr(mlsd.doc.render, "TEMPLATE_BYTES", 10**12)  # only time can stop the first one
    ctx = build_context(feed, include_simulations=False)
    with pytest.raises(TemplateError, match=r"template stopped: over 0\.3 s"):
        render_document(ctx, fmt="md", template=_user_template(tmp_path, body))


def test_template_output_past_the_size_limit_stops(tmp_path, feed, monkeypatch):
    import mlsd.doc.render

    monkeypatch.setattr(mlsd.doc.render, "TEMPLATE_BYTES", 1024 * 1024)
    ctx = build_context(feed, include_simulations=False)
    body = "{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}"  # 10 MB, each piece small
    with pytest.raises(TemplateError, match="template stopped: over 1 MB"):
        render_document(ctx, fmt="md", template=_user_template(tmp_path, body))


def test_cli_template_stopped_is_one_line(run_cli, tmp_path):
    tpl = _user_template(tmp_path, "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
    result = run_cli("render", "churn", "--no-simulations", "--template", str(tpl), "-o", str(tmp_path / "x.md"))
    assert result.code == 2 and result.stderr.count("\n") == 1 and "template stopped: over depth" in result.stderr
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize("workers", [2, 1])
def test_cold_simulations_move_the_progress_within_a_simulation(tmp_path, workers):
    """Issue 15: the bar stood at 0 % until a whole simulation finished (~3-10 s on a cold
    render). Worker processes now pass their simulations' progress back, so the bar shows
    fractions between the finishing points k/n, only goes up, and ends at 1."""
    from mlsd.doc.render import run_simulations

    scenario = load_scenario("feed-ranking")
    seen: list[float] = []
    entries = run_simulations(scenario, cache_dir=tmp_path, progress=lambda f, label: seen.append(f),
                              workers=workers)
    n = len(scenario.simulations)
    assert len(entries) == n and seen[-1] == pytest.approx(1.0)
    assert seen == sorted(seen)
    within = [f for f in seen if all(abs(f - k / n) > 1e-9 for k in range(n + 1))]
    assert within, seen
