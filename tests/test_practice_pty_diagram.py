"""`:diagram` typed in a real pseudo-terminal (pexpect), then the session rendered with both diagrams."""

from __future__ import annotations

import pytest

pexpect = pytest.importorskip("pexpect")

from test_practice_pty import _answer, _spawn  # noqa: E402

from mlsd.practice.store import open_store  # noqa: E402


def test_diagram_typed_during_an_answer_is_saved_and_rendered(tmp_path, monkeypatch, run_cli):
    home = tmp_path / "home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    child = _spawn(["practice", "feed-ranking", "--stages", "requirements", "--untimed"], home)
    child.expect_exact("what is your plan?")
    _answer(child, "requirements first, then the architecture", "")
    child.expect_exact("Agenda score:")
    child.expect_exact("Step 1/1")
    _answer(child, "The objective is meaningful interactions per daily active user.", ":diagram")
    child.expect_exact("End with an empty line or `.`.")
    child.expect_exact("diagram> ")
    child.sendline("Mobile app -> feed service: feed request")
    child.expect_exact("diagram> ")
    child.sendline("feed service -> ranker -> feature store")
    child.expect_exact("has 2 arrows")
    child.expect_exact("(not added: type it again)")
    child.expect_exact("diagram> ")
    child.sendline("feed service -> ranker: candidates")
    child.expect_exact("diagram> ")
    child.sendline("logs => training")
    child.expect_exact("diagram> ")
    child.sendline("")
    child.expect_exact("Diagram saved: 5 boxes, 3 edges (1 offline); 3 typed now.")
    _answer(child, "Guardrails are the hide rate and the report rate.", "")  # the answer goes on after :diagram
    child.expect_exact("Score: ")
    child.expect_exact("Follow-up:")
    _answer(child, "")
    child.expect_exact("Your diagram: 5 boxes, 3 edges.")
    child.expect_exact("not found in it by name:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    with open_store() as store:
        s = store.get_session("latest")
    assert s.finished and s.diagram == ("Mobile app -> feed service: feed request\n"
                                        "feed service -> ranker: candidates\nlogs => training")
    assert "Guardrails are the hide rate" in s.answers["requirements"].answer
    out = tmp_path / "doc.html"
    r = run_cli("render", "feed-ranking", "--session", str(s.id), "--format", "html", "-o", str(out),
                "--no-simulations")
    assert r.code == 0, r.stderr
    html = out.read_text()
    assert html.count('class="architecture"') == 2
    assert "Mobile app" in html and "feed service" in html and "Heavy ranker (multi-task MMoE)" in html
