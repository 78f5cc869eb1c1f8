"""The candidate's diagram in a practice session: `:diagram`, `diagram:` in --answers, the store,
`--json`, and the design doc drawing it beside the reference."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import old_history
from test_diagram_text import check_mermaid

from mlsd.content.scenario import load_scenario
from mlsd.practice.engine import PracticeEngine
from mlsd.practice.store import SCHEMA_VERSION, open_store

DIAGRAM = """\
Mobile app -> feed service: feed request
feed service -> ranker: candidates
feature store -> ranker
logs => training
training -> model registry (offline)
model registry => ranker: deploy
"""
ANSWER = ("The business objective is meaningful interactions per daily active user, and I would agree "
          "guardrails such as hide rate and report rate before designing.")


# Every shipped scenario has an architecture; the contract's example file has none.
NO_ARCHITECTURE = str(Path(__file__).parent / "data" / "contract_example.yaml")


def _answers(tmp_path, body: str) -> str:
    p = tmp_path / "answers.yaml"
    p.write_text(body, encoding="utf-8")
    return str(p)


def _block(text: str) -> str:
    return "diagram: |\n" + "".join(f"  {line}\n" for line in text.splitlines())


def test_answers_file_diagram_in_json_and_scorecard(run_cli, tmp_path):
    f = _answers(tmp_path, f"requirements: {ANSWER}\n" + _block(DIAGRAM))
    r = run_cli("practice", "feed-ranking", "--answers", f, "--json")
    assert r.code == 0, r.stderr
    d = json.loads(r.stdout)["diagram"]
    assert [c["label"] for c in d["components"]] == ["Mobile app", "feed service", "ranker", "feature store", "logs",
                                                    "training", "model registry"]
    assert {"from": "logs", "to": "training", "label": "", "mode": "offline"} in d["flows"]
    assert {"from": "model-registry", "to": "ranker", "label": "deploy", "mode": "offline"} in d["flows"]
    missing = {m["id"] for m in d["missing"]}
    assert {"candidate-gen", "ann-index", "event-stream"} <= missing and "feature-store" not in missing
    by_id = {c["id"]: c for c in d["reference_components"]}
    assert by_id["feature-store"]["drawn_as"] == ["feature store"]
    text = run_cli("practice", "feed-ranking", "--answers", f).stdout
    assert "Your diagram: 7 boxes, 6 edges." in text
    assert "Reference components not found in it by name: Candidate generation" in " ".join(text.split())


def test_without_a_diagram_json_says_null_and_a_scenario_without_architecture_has_no_missing(run_cli, tmp_path):
    f = _answers(tmp_path, f"requirements: {ANSWER}\n")
    assert json.loads(run_cli("practice", "feed-ranking", "--answers", f, "--json").stdout)["diagram"] is None
    f = _answers(tmp_path, "data: labels from clicks logged over the last 30 days\n" + _block("app -> api"))
    d = json.loads(run_cli("practice", NO_ARCHITECTURE, "--answers", f, "--json").stdout)["diagram"]
    assert d["missing"] is None and d["reference_components"] is None and d["text"] == "app -> api"


def test_a_bad_diagram_line_in_the_answers_file_is_one_line_naming_file_and_line(run_cli, tmp_path):
    f = _answers(tmp_path, f"requirements: {ANSWER}\n" + _block("app -> api\napi to ranker"))
    r = run_cli("practice", "feed-ranking", "--answers", f)
    r.assert_bad_input(f"{f}:2: diagram: line 2: `api to ranker` has no arrow")
    assert "e.g. `app -> ranker: candidates`" in r.stderr
    f = _answers(tmp_path, f"requirements: {ANSWER}\ndiagram: [a, b]\n")
    run_cli("practice", "feed-ranking", "--answers", f).assert_bad_input("diagram: must be text")
    with open_store() as store:
        assert store.list_sessions() == []  # nothing saved for a bad file


def test_render_draws_both_diagrams_and_lists_what_is_missing(run_cli, tmp_path):
    f = _answers(tmp_path, f"requirements: {ANSWER}\n" + _block(DIAGRAM))
    assert run_cli("practice", "feed-ranking", "--answers", f).code == 0
    html_file, md_file = tmp_path / "doc.html", tmp_path / "doc.md"
    for fmt, out in (("html", html_file), ("md", md_file)):
        r = run_cli("render", "feed-ranking", "--session", "latest", "--format", fmt, "-o", str(out),
                    "--no-simulations")
        assert r.code == 0, r.stderr
    html = html_file.read_text()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="architecture"') == 2
    assert 'id="arch-reference"' in html and 'id="arch-candidate"' in html
    assert '<a href="#architecture">Architecture</a>' in html
    for label in ("feed service", "model registry", "Candidate generation", "Feature store"):
        assert label in html
    assert re.search(r"not found in your diagram.*Candidate generation \(two-tower \+ ANN\)", html, re.S)
    md = md_file.read_text()
    blocks = re.findall(r"```mermaid\n(.*?)\n```", md, re.S)
    assert len(blocks) == 2
    ref_nodes, _ = check_mermaid(blocks[0])
    you_nodes, you_edges = check_mermaid(blocks[1])
    assert "heavy_ranker" in ref_nodes and "model_registry" in you_nodes and len(you_edges) == 6
    assert "- ✗ ANN index (post embeddings) (index)" in md


def test_reference_only_doc_has_the_architecture_and_one_without_any_has_no_section(run_cli, tmp_path):
    out = tmp_path / "ref.md"
    assert run_cli("render", "feed-ranking", "-o", str(out), "--no-simulations").code == 0
    text = out.read_text()
    assert text.count("```mermaid") == 1 and "## Architecture" in text and ":diagram" in text
    assert run_cli("render", NO_ARCHITECTURE, "-o", str(tmp_path / "plain.md"), "--no-simulations").code == 0
    assert "## Architecture" not in (tmp_path / "plain.md").read_text()


def test_one_edge_is_one_edge(run_cli):
    """'2 boxes, 1 edges' read wrong: the counts agree with their nouns, in English and in Chinese."""
    typed = "requirements\n\n:diagram\napp -> feed\n.\nThe objective is meaningful interactions per DAU.\n\n\n"
    r = run_cli("practice", "feed-ranking", "--stages", "requirements", "--untimed", "--piped", input=typed)
    assert r.code == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "Diagram saved: 2 boxes, 1 edge (0 offline); 1 typed now." in out
    assert "Your diagram: 2 boxes, 1 edge." in out and "1 edges" not in out
    zh = run_cli("practice", "feed-ranking", "--stages", "requirements", "--untimed", "--piped", "--lang", "zh",
                 input=typed)
    assert zh.code == 0, zh.stderr
    assert "2 个方框、1 条连线" in zh.stdout


def test_piped_session_with_diagram_bad_line_retyped_and_resume(run_cli, tmp_path):
    typed = "\n".join([
        "requirements, then serving", "",  # the agenda
        "The objective is meaningful interactions per DAU.",
        ":diagram", "app -> feed: request", "feed ranker", "feed -> ranker", ".",
        "Guardrails are hide rate and report rate.", "",
        "",  # no follow-up answer
    ]) + "\n"
    r = run_cli("practice", "feed-ranking", "--stages", "requirements", "--untimed", "--piped", input=typed)
    assert r.code == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "line 2: `feed ranker` has no arrow" in out and "(not added: type it again)" in out
    assert "Diagram saved: 3 boxes, 2 edges (0 offline); 2 typed now." in out
    assert "Your diagram: 3 boxes, 2 edges." in out
    with open_store() as store:
        s = store.get_session("latest")
    assert s.diagram == "app -> feed: request\nfeed -> ranker"
    assert s.answers["requirements"].answer == ("The objective is meaningful interactions per DAU.\n"
                                                "Guardrails are hide rate and report rate.")


def test_engine_adds_to_the_diagram_and_resume_restores_it(tmp_path):
    sc = load_scenario("feed-ranking")
    with open_store() as store:
        eng = PracticeEngine.start(sc, store, stages=("requirements", "data"), untimed=True)
        first = eng.add_diagram("app -> api")
        second = eng.add_diagram("api => logs: events")
        assert first.typed == 1 and second.typed == 1 and len(second.diagram.flows) == 2
        back = PracticeEngine.resume(store, eng.session_id)
        assert back.diagram == second.diagram
        assert back.add_diagram("clear\nx -> y").diagram.components[0].label == "x"
        assert store.get_session(eng.session_id).diagram == "x -> y"


def test_a_version_3_history_migrates_and_its_sessions_load_without_a_diagram():
    conn = old_history(3)
    conn.execute("INSERT INTO sessions (scenario_id, stages, started_at, updated_at) VALUES ('churn', '[\"data\"]', 't', 't')")
    conn.commit()
    conn.close()
    with open_store() as store:
        assert store.schema_version == SCHEMA_VERSION == 6
        old = store.get_session("latest")
        assert old.scenario_id == "churn" and old.diagram is None
        store.save_diagram(old.id, "a -> b")
        assert store.get_session(old.id).diagram == "a -> b"
