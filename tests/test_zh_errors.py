"""The common user-input errors (option ranges, files the user names, answers files, scenario
files, the history database) are translated with MLSD_LANG=zh, and stay the same English
sentences without it.

Each case runs the command twice: in Chinese the message is the catalog's Chinese sentence
(the option, path or id kept as typed) and no longer the English one; in English it is the
English sentence. Both exit with the same code (2 for bad input), without a traceback.
"""

from __future__ import annotations

import pytest

CASES = [
    # (args, English sentence, Chinese sentence); "{tmp}" is the test's folder
    (("simulate", "ab-test", "plan", "--alpha", "1.5"),
     "--alpha must be in (0, 1), got 1.5", "--alpha 必须在 (0, 1) 范围内，实际为 1.5"),
    (("practice", "feed-ranking", "--answers", "/nope/answers.yaml"),
     "/nope/answers.yaml: no such file; check the path", "/nope/answers.yaml：文件不存在；请检查路径"),
    (("practice", "feed-ranking", "--answers", "{tmp}"),
     "{tmp}: is a directory, not a file", "{tmp}：这是一个目录，不是文件"),
    (("practice", "feed-ranking", "--answers", "{tmp}/unknown-step.yaml"),
     "unknown step 'modle' (did you mean 'model'?)", "未知的步骤 'modle'"),
    (("practice", "feed-ranking", "--answers", "{tmp}/not-text.yaml"),
     "model: must be text, got nothing; quote it or use a `|` block", "model: 应为文本，但这里是空的"),
    (("practice", "feed-ranking", "--answers", "{tmp}/unknown-twist.yaml"),
     "unknown twist 'no-such-twist'", "未知的追问 'no-such-twist'"),
    (("practice", "feed-ranking", "--answers", "{tmp}/minutes.yaml"),
     "must be a number of minutes in (0, ", "应为 (0, "),
    (("drill", "--topic", "scal"),
     "--topic: unknown topic 'scal' (did you mean 'scaling'?); topics: scaling,", "--topic：未知的主题 'scal'"),
    (("scenarios", "validate", "{tmp}/bad-key.yaml"),
     "sumary: unknown key 'sumary' (did you mean 'summary'?); valid keys: id,", "sumary: 未知的键 'sumary'"),
    (("scenarios", "validate", "{tmp}/missing-key.yaml"),
     "(top level): missing required key 'summary'", "(top level): 缺少必需的键 'summary'"),
    (("scenarios", "validate", "{tmp}/duplicate-key.yaml"),
     "title: duplicate key 'title'", "title: 重复的键 'title'"),
    (("scenarios", "validate", "{tmp}/stages-list.yaml"),
     "stages: expected a mapping of stage id to stage, got a list", "stages: 应为阶段 id 到阶段内容的映射，实际为列表"),
]

FILES = {
    "unknown-step.yaml": "data: I would log impressions and clicks.\nmodle: a two-tower retriever\n",
    "not-text.yaml": "data: I would log impressions and clicks.\nmodel:\n",
    "unknown-twist.yaml": "data: I would log impressions.\ntwists:\n  no-such-twist: I would cache.\n",
    "minutes.yaml": "data: I would log impressions.\nminutes:\n  data: -3\n",
    "bad-key.yaml": "id: bad-key\ntitle: T\nsumary: s\nstages:\n  requirements: {}\n",
    "missing-key.yaml": "id: missing-key\ntitle: T\nstages:\n  requirements: {}\n",
    "duplicate-key.yaml": "id: duplicate-key\ntitle: T\ntitle: U\n",
    "stages-list.yaml": "id: stages-list\ntitle: T\nsummary: S\nstages: [requirements]\n",
}


@pytest.mark.parametrize(("args", "english", "chinese"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_common_errors_are_translated(run_cli, monkeypatch, tmp_path, args, english, chinese):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "1000")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    english, chinese = english.replace("{tmp}", str(tmp_path)), chinese.replace("{tmp}", str(tmp_path))

    monkeypatch.setenv("MLSD_LANG", "en")
    res = run_cli(*argv)
    assert res.code == 2, res.stderr
    assert english in res.stderr and "Traceback" not in res.stderr

    monkeypatch.setenv("MLSD_LANG", "zh")
    res = run_cli(*argv)
    assert res.code == 2, res.stderr
    assert chinese in res.stderr, res.stderr
    assert english not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize(("env", "code", "english", "chinese"), [
    ({"MLSD_DB_TIMEOUT": "soon"}, 2,
     "MLSD_DB_TIMEOUT must be a number of seconds, got 'soon'", "MLSD_DB_TIMEOUT 必须是秒数，实际为 'soon'"),
    ({}, 1, "it is not an SQLite database (corrupt or another file); move it aside",
     "不是 SQLite 数据库（已损坏，或是别的文件）；请把它移走"),
], ids=["timeout", "not-sqlite"])
def test_history_database_errors_are_translated(run_cli, monkeypatch, tmp_path, env, code, english, chinese):
    """A history database that is not SQLite is left untouched, and said so in either language."""
    monkeypatch.setenv("MLSD_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "1000")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "mlsd.db").write_text("not a database\n", encoding="utf-8")
    for lang, expected, other in (("en", english, chinese), ("zh", chinese, english)):
        monkeypatch.setenv("MLSD_LANG", lang)
        res = run_cli("progress")
        assert res.code == code, res.stderr
        assert expected in res.stderr and other not in res.stderr, res.stderr
    assert (tmp_path / "mlsd.db").read_text(encoding="utf-8") == "not a database\n"
