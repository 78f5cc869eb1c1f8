"""Issue 19: with MLSD_LANG=zh the Quick start and the common commands show no English
interface sentence, and Chinese output stays aligned at 80 and 120 columns.

"English sentence" is made concrete: a run of 4 or more English words in a row. Runs
that are content (the scenario's, the framework's, the drill bank's and the mistakes'
English text, shown as written until their Chinese overlays land, and the user's own
answers), commands (`mlsd practice …`, anything in backticks), option names and a short
list of technical names are not interface text and are left out before looking. Everything
else a command prints must be Chinese.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from mlsd.cli.plain import cell_len

ROOT = Path(__file__).resolve().parents[1]
WORD = r"[A-Za-z]+(?:['’][A-Za-z]+|-[A-Za-z]+)*"
ENGLISH_RUN = re.compile(rf"(?<![\w/.@-]){WORD}(?: {WORD}){{3,}}")
COMMAND = re.compile(r"`[^`\n]*`|\bmlsd(?: (?:--?[\w-]+|[\w./<>|:=\[\]-]+|'[^']*'))+")
# Names that are English in any language (a product, a paper, a library call, a formula).
TECHNICAL = (
    "No Language Left Behind",  # Meta's NLLB, the drill's machine-translation question
    "samplesize_proportions_2indep_onetail",
    "Noto Sans CJK SC",  # a font in the HTML page's CSS
    "Computer Modern Sans Serif",  # a font matplotlib lists in a chart's SVG (the progress page)
)

ANSWERS = {
    "agenda": "先澄清需求，再讲机器学习任务、数据、特征、模型、评估、部署、服务、监控和维护。",
    "requirements": "我会先问清楚业务目标是提升有意义的互动，用 DAU 和 7 日留存衡量，而不是只看点击。"
                    "还要确认延迟预算 200 ms 和峰值 QPS，以及护栏指标。",
    "model": "We start with a GBDT ranker on the logged impressions, trained with a random split of the data.",
    "evaluation": "离线看 AUC 和 NDCG，线上做 A/B 测试，样本量按 MDE 规划。",
}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@cache
def _content_runs() -> str:
    """Every English run of the content a command may show as written (lower case, one per line)."""
    texts: list[str] = list(ANSWERS.values())
    for path in [*sorted((ROOT / "scenarios").glob("*.yaml")),
                 *(ROOT / "mlsd" / "data" / name for name in ("framework.yaml", "drill.yaml", "mistakes.yaml"))]:
        texts += _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
    runs = {m.group(0).lower() for text in texts for m in ENGLISH_RUN.finditer(" ".join(text.split()))}
    return "\n".join(sorted(runs))


def english_runs(output: str) -> list[str]:
    """The runs of 4+ English words in `output` that are interface text (not content or code),
    line by line (the terminal is wide enough that nothing is wrapped: a line is a unit)."""
    content = _content_runs()
    found = []
    for line in output.splitlines():
        text = " ".join(line.split())
        for term in TECHNICAL:
            text = text.replace(term, " ")
        text = COMMAND.sub(" ", text)
        found += [run for run in (m.group(0) for m in ENGLISH_RUN.finditer(text)) if run.lower() not in content]
    return found


def test_the_check_finds_english_and_spares_content_and_commands():
    """The detector itself: it must flag an English sentence and pass the rest."""
    assert english_runs("得分：99/100 · time 0:00 / budget 20:46") == []
    assert english_runs("这是一个 test of the check 输出") == ["test of the check"]
    assert english_runs("运行 `mlsd simulate ab-test peeking --looks 20` 或 mlsd practice feed-ranking --stages data,model") == []
    framework_point = "Confirms the functional and the non-functional requirements"
    assert english_runs(f"没听到：{framework_point}") == []  # content, shown as written
    assert english_runs("Score with the follow-up: 40 → 60/100") == ["Score with the follow-up"]


@pytest.fixture
def zh(run_cli, monkeypatch, tmp_path):
    """run_cli in Chinese on a terminal wide enough that nothing is wrapped mid-sentence."""
    monkeypatch.setenv("MLSD_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "1000")
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS, allow_unicode=True), encoding="utf-8")
    drill_answers = tmp_path / "drill.yaml"
    drill_answers.write_text("scale-general: 水平扩展，用负载均衡器把请求分到无状态的服务器上，并按用户 id 分片。\n",
                             encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def run(*args: str, input: str = ""):
        res = run_cli(*args, input=input)
        return res

    run.answers, run.drill_answers = str(answers), str(drill_answers)
    return run


def _interactive_session() -> str:
    """Typing of a short practice: an agenda, an answer, :hint, a follow-up answer, :back, :skip, :quit."""
    return "\n".join([
        ANSWERS["agenda"], "",
        ":hint",
        ANSWERS["requirements"], "",
        "先看 DAU 和留存，广告收入是护栏。", "",
        ":back",
        ":skip",
        ":quit", "",
    ])


COMMANDS = [
    ("--help",),
    ("scenarios",),
    ("checklist",),
    ("checklist", "feed-ranking"),
    ("checklist", "feed-ranking", "--format", "markdown"),
    ("history",),
    ("progress",),
    ("drill", "--list"),
    ("estimate", "feed-ranking"),
    ("render", "feed-ranking", "--no-simulations", "-o", "-"),
    ("render", "feed-ranking", "--no-simulations", "--format", "html", "-o", "-"),
    ("simulate", "ab-test", "plan"),
    ("simulate", "ab-test", "analyze", "--control", "1200/10000", "--treatment", "1310/10000"),
    ("simulate", "ab-test", "analyze", "--control", "3/40", "--treatment", "9/41", "--ratio", "2"),
    ("practice", "nope"),
    ("checklist", "--stage", "modle"),
    ("drill", "--count", "0"),
    ("checklist", "a", "b"),
    # main's later features: the drill schedule, the progress page, architecture diagrams, GenAI figures
    ("drill", "--due"),
    ("progress", "--format", "html", "-o", "-"),
    ("checklist", "feed-ranking", "--diagram"),
    ("checklist", "search", "--diagram", "--format", "markdown"),
    ("estimate", "llm-serving"),
    ("estimate", "rag-assistant"),
    ("practice", "feed-ranking", "--twists", "some"),
]


def _check(res, what: str) -> None:
    output = res.stdout + res.stderr
    assert "Traceback" not in output, what
    found = english_runs(output)
    assert found == [], f"{what}: English interface text {found[:5]}"


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_common_commands_speak_chinese(zh, args):
    res = zh(*args)
    assert res.stdout or res.stderr
    _check(res, " ".join(args))


def test_the_quick_start_practice_speaks_chinese(zh):
    """`mlsd practice feed-ranking` (the Quick start), typed through a pipe: the interviewer,
    hints, feedback, the follow-up, the check-in habit and saving; then the scorecard, history
    and the design doc of the session."""
    res = zh("practice", "feed-ranking", "--piped", "--stages", "requirements,model", input=_interactive_session())
    assert res.code == 0 and "面试官：" in res.stdout and "提示" in res.stdout and "已保存" in res.stdout
    _check(res, "practice (interactive)")
    resumed = zh("practice", "--resume", "--piped", input=ANSWERS["model"] + "\n\n\n")
    assert "成绩单" in resumed.stdout
    _check(resumed, "practice --resume")
    scored = zh("practice", "feed-ranking", "--answers", zh.answers)
    assert "综合评估" in scored.stdout
    _check(scored, "practice --answers")
    for args in (("practice", "feed-ranking", "--answers", zh.answers, "--json"), ("history",), ("history", "--json"),
                 ("progress",), ("render", "feed-ranking", "--session", "latest", "--no-simulations", "-o", "-")):
        _check(zh(*args), " ".join(args))


def test_drill_speaks_chinese(zh):
    res = zh("drill", "--answers", zh.drill_answers)
    _check(res, "drill --answers")
    interactive = zh("drill", "--count", "1", "--seed", "3", "--piped", input=":hint\n水平扩展并分片。\n\n")
    assert "平均分" in interactive.stdout
    _check(interactive, "drill (interactive)")


def _twist_session() -> str:
    """Typing of a practice of the serving step with its twist: an agenda, `:diagram` (one bad
    line, typed again), the answer, `:hint` during the twist, the twist's answer."""
    return "\n".join([
        ANSWERS["agenda"], "",
        ":diagram", "移动端 App -> feed 服务：feed 请求", "feed 服务 召回", "feed 服务 -> 召回", "日志 => 训练", "",
        "我会用两阶段：召回加精排，p99 200 ms，峰值 QPS 20 万，超时就回退到缓存的 feed。", "",
        ":hint",
        "把精排挪到近线预计算，缓存每个活跃用户排好的列表；线上只做轻量重排。代价是新鲜度下降。", "",
    ])


def test_practice_with_a_twist_and_a_diagram_speaks_chinese(zh):
    """The interviewer's twist (prompt, hint, feedback, scorecard line), `:diagram` (its prompt,
    a bad line's error, the saved summary), the pacing and number checks; then the design doc
    with the architecture section and the twist, the progress page and the drill schedule."""
    res = zh("practice", "feed-ranking", "--piped", "--stages", "serving", "--twists", "all", input=_twist_session())
    assert res.code == 0, res.stderr
    out = res.stdout
    assert "条件变更 · 面试官打断了你" in out and "架构图已保存" in out and "第 2 行" in out
    assert "应变得分" in out and "时间把控" in out and "你给出的数字" in out
    assert "计划有变" in out  # the twist itself, from the scenario's translation
    _check(res, "practice with a twist and :diagram")
    for args in (("render", "feed-ranking", "--session", "latest", "--no-simulations", "-o", "-"),
                 ("render", "feed-ranking", "--session", "latest", "--no-simulations", "--format", "html", "-o", "-"),
                 ("progress",), ("progress", "--format", "html", "-o", "-")):
        doc = zh(*args)
        assert doc.code == 0, doc.stderr
        _check(doc, " ".join(args))
    html = zh("render", "feed-ranking", "--session", "latest", "--no-simulations", "--format", "html", "-o", "-").stdout
    assert "参考架构" in html and "移动端 App" in html and "面试官可能抛出的条件变更" not in html.split("serving")[0]
    assert zh("drill", "--answers", zh.drill_answers).code == 0
    due = zh("drill", "--due")
    assert "从未回答过" in due.stdout
    _check(due, "drill --due after an answer")


def _all_help_paths() -> list[tuple[str, ...]]:
    import typer

    from mlsd.cli import app

    paths = []

    def walk(command, path):
        paths.append(path)
        for name in command.list_commands(None) if hasattr(command, "list_commands") else []:
            walk(command.get_command(None, name), (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


def test_every_help_screen_speaks_chinese(zh):
    for path in _all_help_paths():
        _check(zh(*path, "--help"), " ".join((*path, "--help")))


# The simulations' own texts (tables, notes, charts' captions in the doc, readings), each at a
# small size so the whole family runs in seconds.
SIMULATIONS = [
    ("ab-test", "--experiments", "200"),
    ("ab-test", "verify", "--experiments", "200"),
    ("ab-test", "peeking", "--experiments", "300", "--looks", "5"),
    ("ab-test", "cuped", "--experiments", "20"),
    ("ab-test", "unit", "--experiments", "20"),
    ("ab-test", "segments", "--experiments", "40", "--users-per-arm", "20000"),
    ("ranking", "--n-users", "400", "--n-items", "200"),
    ("churn", "--n-customers", "3000"),
    ("abuse", "--n-accounts", "3000", "--periods", "3"),
    ("retrieval", "--n", "3000", "--n-queries", "100", "--candidates", "50"),
    ("monitor",),
    ("serving", "--requests", "5000"),
    ("rollout",),
    ("rollout", "--bad-version"),
    ("features", "--n-users", "300", "--days", "10", "--train-days", "7"),
    ("retrain", "--days", "60"),
    ("training",),
    ("tuning", "--n-samples", "600"),
    ("rag", "--n-docs", "40", "--n-queries", "40"),
    ("llm-serving", "--requests", "200"),
]


@pytest.mark.slow
@pytest.mark.parametrize("args", SIMULATIONS, ids=" ".join)
def test_simulations_speak_chinese(zh, args):
    res = zh("simulate", *args)
    assert res.code == 0, res.stderr
    _check(res, "simulate " + " ".join(args))
    data = json.loads(zh("simulate", *args, "--json").stdout)
    assert isinstance(data, dict)  # --json keys stay English (and the output is JSON)


# ---------------------------------------------------------------- alignment


def _boxes(output: str) -> list[list[str]]:
    """The box-drawn tables of `output`: runs of consecutive lines that start with a border."""
    blocks, current = [], []
    for line in output.splitlines():
        if line and line[0] in "┏┃┡│├└┌┗┣┠╭╰":
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _border_cells(line: str) -> list[int]:
    """The terminal cells at which the vertical borders of a table row stand."""
    cells, at = [], 0
    for ch in line:
        if ch in "┃│┆╇╋┼┳┬┻┴┏┓┗┛┡┩└┘┌┐├┤╭╮╰╯":
            cells.append(at)
        at += cell_len(ch)
    return cells


@pytest.mark.parametrize("width", [80, 120])
def test_chinese_output_stays_aligned(run_cli, monkeypatch, tmp_path, width):
    """Chinese characters take two cells: at 80 and 120 columns every line fits and every
    table's borders line up, row after row, in rich's tables and in the plain renderer's."""
    monkeypatch.setenv("MLSD_LANG", "zh")
    monkeypatch.setenv("COLUMNS", str(width))
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS, allow_unicode=True), encoding="utf-8")
    outputs = {
        "scenarios": run_cli("scenarios").stdout,
        "checklist": run_cli("checklist", "feed-ranking").stdout,
        "practice": run_cli("practice", "feed-ranking", "--answers", str(answers)).stdout,
        "history": run_cli("history").stdout,
        "progress": run_cli("progress").stdout,
        "plan": run_cli("simulate", "ab-test", "plan").stdout,
        "estimate": run_cli("estimate", "feed-ranking").stdout,
        "genai": run_cli("estimate", "llm-serving").stdout,
        "help": run_cli("practice", "--help").stdout,
        "diagram": run_cli("checklist", "feed-ranking", "--diagram").stdout,
    }
    # Lines rich prints with soft_wrap (a read-out, a command to copy) are left to the
    # terminal to wrap, in English as in Chinese; everything these draw is wrapped here.
    wrapped_here = ("scenarios", "checklist", "plan", "estimate", "genai", "help", "diagram")
    tables = 0
    for name, out in outputs.items():
        assert out, name
        for line in out.splitlines():
            assert cell_len(line) <= width or name not in wrapped_here, (name, line)
        for block in _boxes(out):
            tables += 1
            assert all(cell_len(line) <= width for line in block), (name, block[:3])
            widths = {cell_len(line) for line in block}
            assert len(widths) == 1, (name, block[:3])  # every row of a table is as wide as its top
            borders = {tuple(_border_cells(line)) for line in block if line[0] in "┃│"}
            assert len(borders) == 1, (name, block[:4])  # the column borders stand in the same cells
    assert tables >= 5
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in out) for out in outputs.values())
