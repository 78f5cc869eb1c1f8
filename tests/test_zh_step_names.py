"""A Chinese reader meets step titles, not step ids, and no stray spaces around full-width
punctuation (found by running the Quick start with MLSD_LANG=zh in a terminal)."""

from __future__ import annotations

import re

import pytest

from mlsd.content.scenario import STAGE_IDS


@pytest.fixture
def zh(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("MLSD_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "1000")
    monkeypatch.chdir(tmp_path)
    return run_cli


@pytest.fixture
def chinese():
    from mlsd import i18n

    before = i18n.language()
    i18n.set_language("zh")
    yield
    i18n.set_language(before)


def test_step_names_are_titles_in_chinese_and_ids_in_english(chinese):
    from mlsd import i18n
    from mlsd.content.overlays import shown_step
    from mlsd.content.step_names import step_name, step_names

    assert step_name("model") == shown_step("model", "zh").title != "model"
    assert step_names(["model", "maintenance"]) == f"{step_name('model')}、{step_name('maintenance')}"
    assert step_name("no-such-step") == "no-such-step"
    i18n.set_language("en")
    assert step_name("ml-task") == "ml-task" and step_names(["model", "data"]) == "model, data"


def _session() -> str:
    """An agenda, an answer, the follow-up passed, :skip on the second step, a bad diagram line."""
    return "\n".join([
        "先讲需求，再讲模型和服务。", "",
        "我会先问互动怎么定义，north star 是每个 DAU 的有意义互动，3 亿 DAU，峰值 20 万 QPS。", "",
        "",
        ":skip",
        ":diagram", "移动端 App -> feed 服务", "精排 到 重排", "",
        "两阶段：召回加精排，p99 200 ms，超时回退到缓存的 feed。", "",
        "",
    ])


def test_a_chinese_session_names_steps_by_title(zh):
    res = zh("practice", "feed-ranking", "--piped", "--stages", "requirements,model,serving", "--no-twists",
             input=_session())
    assert res.code == 0, res.stderr
    out = res.stdout
    assert "已跳过“模型”。" in out  # the :skip line
    assert "已跳过（每个在总分中计 0 分）：模型。" in out  # the scorecard
    assert "明确需求：你说“3 亿 DAU”" in out  # the number checks, with their step
    # The diagram's error gives its example in Chinese ("或", not "or").
    assert "`app -> ranker: candidates` 或 `logs => training (offline)`" in out
    # No step id as a word of its own anywhere a Chinese reader looks.
    ids = "|".join(re.escape(s) for s in STAGE_IDS)
    assert not re.search(rf"(?<![\w-])({ids})(?![\w-])", out.replace("--stages", "")), out
    # Full-width punctuation carries its own spacing: no space after "：" before a quote,
    # none between a sentence's "。" and a full-width parenthesis.
    assert "你说的是：“" in out and "你说的是： “" not in out
    assert "。 （" not in out and "） ·" in out  # "得分：96/100（强烈建议录用） · 用时"
    for args in (("progress",), ("progress", "--format", "html", "-o", "-")):
        shown = zh(*args).stdout
        assert "明确需求" in shown and not re.search(r"(?<![\w-])(requirements|ml-task)(?![\w-])", shown), args


def test_english_keeps_step_ids(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("MLSD_LANG", "en")
    monkeypatch.setenv("COLUMNS", "1000")
    monkeypatch.chdir(tmp_path)
    res = run_cli("practice", "feed-ranking", "--piped", "--stages", "requirements,model", "--no-twists",
                  input="plan\n\nWe measure DAU.\n\n\n:skip\n")
    assert "Skipped model." in res.stdout and "you said: “" in res.stdout


def test_an_existing_output_file_is_refused_in_chinese(zh, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("x")
    res = zh("progress", "--format", "html", "-o", str(page))
    assert res.code == 2 and "已存在" in res.stderr and "already exists" not in res.stderr


def test_a_drill_question_is_headed_by_its_topic_in_chinese(zh):
    from mlsd.practice.drill import load_bank, shown_bank

    res = zh("drill", "--count", "1", "--seed", "3", "--piped", input=":skip\n")
    assert res.code == 0, res.stderr
    topics = shown_bank(load_bank(), "zh").topics
    heading = next(line for line in res.stdout.splitlines() if "1/1 ·" in line)
    assert any(f"1/1 · {name}" in heading for name in topics.values()), heading
    assert "（共 1 题）" in res.stdout


def test_a_first_session_chart_has_whole_session_ticks():
    """One session used to give x ticks 0.945 … 1.050: a session's place is a whole number."""
    from mlsd.doc.charts import to_svg
    from mlsd.doc.progress_page import score_charts

    stages = {"requirements": {"history": [{"session": 7, "started_at": "2026-01-01T00:00:00", "score": 40.0}]},
              "model": {"history": [{"session": 7, "started_at": "2026-01-01T00:00:00", "score": 90.0}]}}
    svg = to_svg(score_charts({"stages": stages})[0])
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "1" in labels and not [t for t in labels if re.fullmatch(r"\d+\.\d+", t.strip())], labels
