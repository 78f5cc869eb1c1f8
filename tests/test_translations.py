"""Per-language content: a scenario's `translations` key and the data overlays under
mlsd/data/<lang>/ (the framework, the drill bank, the mistakes). Small fixtures, not the
shipped Chinese content (translators write it)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from mlsd import i18n
from mlsd.content import overlays
from mlsd.content.scenario import load_scenario, load_scenario_cached, parse_scenario
from mlsd.content.translations import localized
from mlsd.errors import ScenarioError

ENGLISH = textwrap.dedent("""\
    id: tiny-case
    title: A tiny case
    summary: Rank things for users.
    non_goals:
      - Ads.
      - Search.
    stages:
      requirements:
        prompt: What are the requirements?
        questions:
          - Who are the users?
          - What is the latency budget?
        key_points:
          - id: objective
            point: States the business objective and the online metric
            keywords: [business objective, online metric]
            weight: 2
            why: Everything follows from the objective.
          - id: latency
            point: Asks for the latency budget and QPS
            keywords: [latency budget, QPS]
        follow_ups:
          - What if traffic doubles?
        reference: The objective is weekly active use.
      model:
        prompt: Which model?
        key_points:
          - id: baseline
            point: Starts with a simple baseline
            keywords: [baseline]
    """)

CHINESE = textwrap.dedent("""\
    translations:
      zh:
        title: 一个小案例
        non_goals:
          - 广告。
          - 搜索。
        stages:
          requirements:
            prompt: 需求是什么？
            questions:
              - 用户是谁？
              - 延迟预算是多少？
            key_points:
              objective: {point: 说明业务目标和线上指标, why: 一切都从目标出发。}
            follow_ups:
              - 流量翻倍怎么办？
    """)


def _scenario(tmp_path: Path, extra: str = CHINESE, name: str = "tiny.yaml"):
    path = tmp_path / name
    path.write_text(ENGLISH + extra, encoding="utf-8")
    return load_scenario(path), path


def test_a_scenario_without_translations_loads_as_before(tmp_path):
    sc, _path = _scenario(tmp_path, extra="")
    assert sc.translations == {} and localized(sc, "zh") is sc


def test_translated_fields_are_shown_and_the_rest_falls_back_to_english(tmp_path):
    sc, _path = _scenario(tmp_path)
    shown = localized(sc, "zh")
    assert shown.title == "一个小案例" and shown.summary == "Rank things for users."  # no summary given
    assert shown.non_goals == ("广告。", "搜索。")
    req = shown.stage("requirements")
    assert req.prompt == "需求是什么？" and req.questions == ("用户是谁？", "延迟预算是多少？")
    objective, latency = req.key_points
    assert (objective.point, objective.why) == ("说明业务目标和线上指标", "一切都从目标出发。")
    assert latency.point == "Asks for the latency budget and QPS"  # not translated: English
    assert objective.keywords == ("business objective", "online metric") and objective.weight == 2.0
    assert req.reference == "The objective is weekly active use."
    assert shown.stage("model").prompt == "Which model?"
    assert localized(sc, "en") is sc


def test_the_score_does_not_depend_on_the_language(tmp_path, run_cli):
    """The scorer reads the English rubric: the same answers get the same score in both languages."""
    import json

    _sc, path = _scenario(tmp_path)
    answers = tmp_path / "answers.yaml"
    answers.write_text("requirements: The business objective is weekly use; the online metric is retention. "
                       "Latency budget 100 ms at 350 QPS.\nmodel: 我们先用一个简单的 baseline。\n", encoding="utf-8")
    en = json.loads(run_cli("practice", str(path), "--answers", str(answers), "--json").stdout)
    zh = json.loads(run_cli("practice", str(path), "--answers", str(answers), "--json", "--lang", "zh").stdout)
    assert en["total_score"] == zh["total_score"] > 0
    assert {s: v["score"] for s, v in en["stages"].items()} == {s: v["score"] for s, v in zh["stages"].items()}
    assert en["verdict"] == zh["verdict"] and en["level"] == zh["level"]  # values stay English
    assert en["verdict_note"] != zh["verdict_note"]  # prose follows the language


def test_the_interviewer_asks_in_chinese(tmp_path, run_cli):
    _sc, path = _scenario(tmp_path)
    out = run_cli("practice", str(path), "--stages", "requirements", "--piped", "--lang", "zh",
                  input="需求、模型\n\n我会问业务目标和线上指标。\n\n\n").stdout
    assert "需求是什么？" in out and "面试官：" in out and "一个小案例" in out
    assert "流量翻倍怎么办？" in out  # the follow-up, from the translated list (same seed, same index)


@pytest.mark.parametrize(("block", "where", "problem"), [
    ("translations:\n  fr:\n    title: Un cas\n", "translations.fr", "unknown language 'fr'"),
    ("translations:\n  zh:\n    stages:\n      modle:\n        prompt: 模型？\n",
     "translations.zh.stages.modle", "stage 'modle' is not in the English scenario (did you mean 'model'?)"),
    ("translations:\n  zh:\n    stages:\n      requirements:\n        key_points:\n          objectve: {point: 目标}\n",
     "translations.zh.stages.requirements.key_points.objectve", "key point 'objectve' is not in the English scenario"),
    ("translations:\n  zh:\n    stages:\n      requirements:\n        questions: [只有一个？]\n",
     "translations.zh.stages.requirements.questions", "has 1 item(s), the English list has 2"),
    ("translations:\n  zh:\n    non_goals: [广告。, 搜索。, 多余。]\n",
     "translations.zh.non_goals", "has 3 item(s), the English list has 2"),
    ("translations:\n  zh:\n    stages:\n      requirements:\n        key_points:\n          objective: {point: 目标, keywords: [x]}\n",
     "translations.zh.stages.requirements.key_points.objective.keywords", "unknown key 'keywords'"),
    ("translations:\n  zh:\n    title: 123\n", "translations.zh.title", "expected text"),
    ("translations:\n  zh:\n    twists:\n      latency-20ms: {text: 改计划了}\n",
     "translations.zh.twists.latency-20ms", "twist 'latency-20ms' is not in the English scenario"),
    ("translations:\n  zh:\n    architecture:\n      components: {app: 移动端 App}\n",
     "translations.zh.architecture.components.app", "component 'app' is not in the English scenario"),
])
def test_a_bad_translation_is_one_error_naming_the_file_line_and_field(tmp_path, block, where, problem):
    path = tmp_path / "bad.yaml"
    text = ENGLISH + block
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    file_line, field, rest = message.split(": ", 2)
    assert file_line.startswith(str(path) + ":") and field == where and problem in rest
    line = int(file_line.rsplit(":", 1)[1])
    assert line > ENGLISH.count("\n")  # it points into the translations block


FEED = Path(__file__).resolve().parents[1] / "scenarios" / "feed-ranking.yaml"

TWIST_AND_ARCH = textwrap.dedent("""\
    translations:
      zh:
        twists:
          latency-20ms:
            text: 计划有变：端到端 20 ms。
            key_points:
              twist-latency-precompute: {point: 把重计算移出请求路径}
        architecture:
          components: {app: 移动端 App}
          flows: {"app->feed-service": 信息流请求}
    """)


def _feed_english() -> str:
    """feed-ranking as shipped, without its own `translations` block (twists and architecture kept)."""
    text = FEED.read_text(encoding="utf-8")
    return text[: text.index("\ntranslations:\n") + 1] if "\ntranslations:\n" in text else text


def test_twists_and_architecture_translations_are_checked_against_the_english_ids():
    """The `twists` and `architecture` translations name the ids the English file declares
    (the loader's real Twist and Architecture); a wrong one is one error at its line."""
    english = _feed_english()
    sc = parse_scenario(english + TWIST_AND_ARCH, "feed.yaml")
    shown = localized(sc, "zh")
    twist = next(t for t in shown.twists if t.id == "latency-20ms")
    assert twist.text == "计划有变：端到端 20 ms。"
    assert twist.key_points[0].point == "把重计算移出请求路径"
    assert twist.key_points[0].keywords == sc.twist("latency-20ms").key_points[0].keywords  # never translated
    assert shown.architecture.component("app").label == "移动端 App"
    flow = next(f for f in shown.architecture.flows if (f.source, f.target) == ("app", "feed-service"))
    assert flow.label == "信息流请求"
    assert localized(sc, "en").architecture.component("app").label == "Mobile app"
    for bad, where, problem in (
        ("flows: {\"app->feed-service\"", "flows: {\"feed-service->app\"", "flow 'feed-service->app' is not in"),
        ("components: {app:", "components: {phone:", "component 'phone' is not in the English architecture"),
        ("latency-20ms:", "latency-2ms:", "twist 'latency-2ms' is not in the English scenario"),
        ("twist-latency-precompute:", "twist-cascade:", "key point 'twist-cascade' is not in twist 'latency-20ms'"),
    ):
        with pytest.raises(ScenarioError, match=problem):
            parse_scenario(english + TWIST_AND_ARCH.replace(bad, where), "feed.yaml")
    too_long = TWIST_AND_ARCH.replace("移动端 App", "很" * 41)
    with pytest.raises(ScenarioError, match="label too long: 41 characters, at most 40"):
        parse_scenario(english + too_long, "feed.yaml")


@pytest.fixture
def feed_zh(tmp_path):
    """A user's copy of feed-ranking whose only translations are a twist and the architecture."""
    path = tmp_path / "feed-copy.yaml"
    path.write_text(_feed_english().replace("id: feed-ranking", "id: feed-copy", 1) + TWIST_AND_ARCH,
                    encoding="utf-8")
    return path


SERVING = ("The feed service calls candidate generation, then the heavy ranker within the 200 ms p99 budget, with "
           "a timeout per hop and a cached feed as the fallback.")
TWIST_ANSWER = ("I would precompute each active user's ranked feed nearline and serve it from a cache, keeping a "
                "light re-rank online; the cost is staleness.")


def _answers(tmp_path) -> str:
    f = tmp_path / "answers.yaml"
    f.write_text(yaml.safe_dump({"serving": SERVING, "twists": {"latency-20ms": TWIST_ANSWER},
                                 "diagram": "app -> feed service\nfeed service -> ranker\n"}), encoding="utf-8")
    return str(f)


def test_checklist_diagram_shows_the_translated_labels(run_cli, feed_zh):
    zh = run_cli("checklist", str(feed_zh), "--diagram", "--lang", "zh").stdout
    en = run_cli("checklist", str(feed_zh), "--diagram").stdout
    assert "移动端 App" in zh and "信息流请求" in zh and "Mobile app" not in zh
    assert "第 1 层" in zh and "[客户端]" in zh  # the text view's own words and the kind names
    assert "Mobile app" in en and "移动端 App" not in en
    mermaid = run_cli("checklist", str(feed_zh), "--diagram", "--format", "markdown", "--lang", "zh").stdout
    assert '"移动端 App"' in mermaid and '"信息流请求"' in mermaid
    # an untranslated component keeps its English label
    assert "Feed service" in zh


def test_the_twist_and_the_diagram_report_are_shown_in_chinese_and_score_the_same(run_cli, tmp_path, feed_zh):
    import json

    answers = _answers(tmp_path)
    zh = json.loads(run_cli("practice", str(feed_zh), "--answers", answers, "--json", "--lang", "zh").stdout)
    en = json.loads(run_cli("practice", str(feed_zh), "--answers", answers, "--json").stdout)
    assert zh["twist_score"] == en["twist_score"] and zh["total_score"] == en["total_score"]
    (tz,), (te,) = zh["twists"], en["twists"]
    assert tz["text"] == "计划有变：端到端 20 ms。" and te["text"].startswith("Change of plan")
    assert tz["covered"] == te["covered"] and tz["missed"] == te["missed"]
    labels = {c["id"]: c["label"] for c in zh["diagram"]["reference_components"]}
    assert labels["app"] == "移动端 App" and labels["feed-service"] == "Feed service"
    assert [c["id"] for c in zh["diagram"]["missing"]] == [c["id"] for c in en["diagram"]["missing"]]
    card = " ".join(run_cli("practice", str(feed_zh), "--answers", answers, "--lang", "zh").stdout.split())
    assert "计划有变：端到端 20 ms。" in card and "条件变更" in card


def test_the_design_doc_draws_the_translated_architecture_and_twist(run_cli, tmp_path, feed_zh):
    assert run_cli("practice", str(feed_zh), "--answers", _answers(tmp_path)).code == 0
    zh = run_cli("render", str(feed_zh), "--session", "latest", "--no-simulations", "--format", "html", "-o", "-",
                 "--lang", "zh").stdout
    en = run_cli("render", str(feed_zh), "--session", "latest", "--no-simulations", "--format", "html", "-o",
                 "-").stdout
    svg = zh[zh.index('id="arch-reference"'):]
    svg = svg[: svg.index("</figure>")]
    assert "移动端 App" in svg and "信息流请求" in svg and "在线：请求路径" in svg
    assert "计划有变：端到端 20 ms。" in zh and "把重计算移出请求路径" in zh
    assert "移动端 App" not in en and "Change of plan" in en
    md = run_cli("render", str(feed_zh), "--session", "latest", "--no-simulations", "-o", "-", "--lang", "zh").stdout
    assert '"移动端 App"' in md and "## 架构" in md


def test_translations_survive_the_parsed_scenario_cache(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(ENGLISH + CHINESE, encoding="utf-8")
    cache = tmp_path / "cache.json"
    first = load_scenario_cached(path, cache=cache)
    assert cache.is_file()
    second = load_scenario_cached(path, cache=cache)  # from the cache
    assert second.translations == first.translations and localized(second, "zh").title == "一个小案例"


def test_the_scenario_list_shows_translated_titles(tmp_path, run_cli, monkeypatch):
    import json

    from mlsd.content import scenario

    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "tiny-case.yaml").write_text(ENGLISH + CHINESE, encoding="utf-8")
    monkeypatch.setattr(scenario, "builtin_dir", lambda: folder)
    zh = json.loads(run_cli("scenarios", "--json", "--lang", "zh").stdout)
    en = json.loads(run_cli("scenarios", "--json").stdout)
    assert zh == [{"id": "tiny-case", "title": "一个小案例", "difficulty": "medium", "tags": []}]
    assert en[0]["title"] == "A tiny case"
    assert "一个小案例" in run_cli("scenarios", "--lang", "zh").stdout


def test_parse_scenario_keeps_the_translations_as_plain_data():
    sc = parse_scenario(ENGLISH + CHINESE, "inline.yaml")
    assert sc.translations["zh"]["stages"]["requirements"]["key_points"] == {
        "objective": {"point": "说明业务目标和线上指标", "why": "一切都从目标出发。"}}


# ---------------------------------------------------------------- data overlays


@pytest.fixture
def overlay_dir(tmp_path, monkeypatch):
    """An empty mlsd/data stand-in for overlays (the English files stay the shipped ones)."""
    from mlsd.practice import drill
    from mlsd.scoring import mistakes

    folder = tmp_path / "data"
    (folder / "zh").mkdir(parents=True)
    monkeypatch.setattr(overlays, "DATA_DIR", folder)
    overlays._framework_content.cache_clear()
    mistakes._shown_whys.cache_clear()
    yield folder / "zh"
    overlays._framework_content.cache_clear()
    mistakes._shown_whys.cache_clear()
    drill.load_bank.cache_clear()


FRAMEWORK_ZH = textwrap.dedent("""\
    check_in_question: 还有哪里您觉得我漏掉了吗？
    habits:
      communicate: {title: 边画边讲，确认后再往下走, text: "先问一句：{check_in_question}"}
    steps:
      requirements:
        title: 明确需求
        items:
          goal: {point: 明确场景、功能和目标（互动或收入），并给出项目指标}
      evaluation:
        notes: [A/B 测试流程：见下面的清单和 `mlsd simulate ab-test`。]
    """)


def test_the_framework_overlay_is_laid_over_the_english(overlay_dir):
    (overlay_dir / "framework.yaml").write_text(FRAMEWORK_ZH, encoding="utf-8")
    fw = overlays.framework_content("zh")
    english = overlays.framework_content("en")
    assert fw["CHECK_IN_QUESTION"] == "还有哪里您觉得我漏掉了吗？"
    habit = next(h for h in fw["HABITS"] if h.id == "communicate")
    assert habit.text == "先问一句：还有哪里您觉得我漏掉了吗？"  # {check_in_question} filled in
    req = fw["STEPS"][0]
    assert req.title == "明确需求" and req.purpose == english["STEPS"][0].purpose  # purpose not given
    goal = next(kp for kp in req.items if kp.id == "generic-goal")
    assert goal.point.startswith("明确场景") and goal.keywords == next(
        kp for kp in english["STEPS"][0].items if kp.id == "generic-goal").keywords
    assert fw["STEPS"][5].notes == ("A/B 测试流程：见下面的清单和 `mlsd simulate ab-test`。",)
    assert fw["AB_TEST_PROCEDURE"] == english["AB_TEST_PROCEDURE"]


def test_the_checklist_shows_the_framework_overlay(overlay_dir, run_cli):
    (overlay_dir / "framework.yaml").write_text(FRAMEWORK_ZH, encoding="utf-8")
    out = run_cli("checklist", "--stage", "requirements", "--lang", "zh").stdout
    assert "明确需求" in out and "明确场景、功能和目标" in out and "面试习惯" in out


@pytest.mark.parametrize(("text", "field", "problem"), [
    ("steps:\n  modle: {title: 模型}\n", "steps.modle", "step 'modle' is not in mlsd/data/framework.yaml"),
    ("steps:\n  requirements:\n    items:\n      nope: {point: 不}\n", "steps.requirements.items.nope",
     "key point 'nope' is not in mlsd/data/framework.yaml"),
    ("monitoring_list: [只有一项]\n", "monitoring_list", "the English list has"),
    ("habits:\n  layered: {title: 分层思维, text: 先整体, source_term: x}\n", "habits.layered.source_term",
     "unknown key 'source_term'"),
    ("overview: [not, text]\n", "overview", "expected non-empty text"),
    ("examples: [{question: 只有一个}]\n", "examples", "as many as the English"),
])
def test_a_bad_framework_overlay_is_one_error_naming_file_line_and_field(overlay_dir, text, field, problem):
    from mlsd.errors import BadInputError

    (overlay_dir / "framework.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        overlays.framework_content("zh")
    message = str(err.value)
    assert message.startswith("mlsd/data/zh/framework.yaml:") and f": {field}: " in message
    assert problem in message and "\n" not in message


def test_the_drill_overlay_translates_questions_and_keeps_the_scoring(overlay_dir, run_cli, tmp_path):
    import json

    from mlsd.practice import drill

    (overlay_dir / "drill.yaml").write_text(textwrap.dedent("""\
        topics: {scaling: 扩展软件系统、数据和模型}
        questions:
          scale-general:
            question: 流量涨到 10 倍时，你会怎么扩展一个提供机器学习模型服务的通用软件系统？
            key_points:
              load-balancer: {point: 在服务器前面放一个负载均衡器。}
        """), encoding="utf-8")
    bank = drill.load_bank()
    shown = drill.shown_bank(bank, "zh")
    q = next(q for q in shown.questions if q.id == "scale-general")
    assert q.question.startswith("流量涨到 10 倍") and shown.topics["scaling"] == "扩展软件系统、数据和模型"
    english = next(q for q in bank.questions if q.id == "scale-general")
    assert q.reference == english.reference and [kp.keywords for kp in q.key_points] == [
        kp.keywords for kp in english.key_points]
    listed = json.loads(run_cli("drill", "--list", "--json", "--lang", "zh").stdout)
    assert next(r for r in listed["questions"] if r["id"] == "scale-general")["question"] == q.question
    answers = tmp_path / "drill.yaml"
    answers.write_text("scale-general: Put a load balancer in front of stateless servers and shard the data.\n")
    en = json.loads(run_cli("drill", "--answers", str(answers), "--json").stdout)
    zh = json.loads(run_cli("drill", "--answers", str(answers), "--json", "--lang", "zh").stdout)
    assert en["average"] == zh["average"] > 0
    (overlay_dir / "drill.yaml").write_text("questions:\n  nope: {question: 不存在}\n", encoding="utf-8")
    from mlsd.errors import BadInputError

    with pytest.raises(BadInputError, match=r"^mlsd/data/zh/drill.yaml:2: questions.nope: question 'nope'"):
        drill.shown_bank(bank, "zh")


def test_the_shipped_mistakes_overlay_explains_every_mistake_in_chinese():
    from mlsd.scoring.mistakes import load_mistakes, shown_why

    i18n.set_language("zh")
    try:
        for m in load_mistakes().mistakes:
            why = shown_why(m.id, m.why)
            assert why != m.why and any("\u4e00" <= ch <= "\u9fff" for ch in why), m.id
    finally:
        i18n.set_language("en")
    assert all(shown_why(m.id, m.why) == m.why for m in load_mistakes().mistakes)  # English: as written


def test_without_an_overlay_the_english_is_shown(overlay_dir, run_cli):
    fw = overlays.framework_content("zh")
    assert fw["STEPS"][0].title == overlays.framework_content("en")["STEPS"][0].title
