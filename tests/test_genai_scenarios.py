"""The GenAI scenarios are backed by the GenAI simulations: their design docs embed the `rag` and
`llm-serving` charts and tables, and `mlsd estimate` gives the token and GPU figures from their scale."""

from __future__ import annotations

import json
import re

import pytest


def _section(html: str, sim: str) -> str:
    start = html.index(f'id="sim-{sim}"')
    nxt = html.find('id="sim-', start + 1)
    return html[start:nxt if nxt != -1 else len(html)]


@pytest.mark.slow
@pytest.mark.parametrize("scenario, sim, caption", [
    ("rag-assistant", "rag", "Retrievers"),
    ("llm-serving", "llm-serving", "Batching policies"),
])
def test_design_doc_embeds_the_genai_simulation(run_cli, tmp_path, scenario, sim, caption):
    out = tmp_path / "doc.html"
    r = run_cli("render", scenario, "--format", "html", "-o", str(out))
    assert r.code == 0, r.stderr
    section = _section(out.read_text(encoding="utf-8"), sim)
    assert section.count("<svg") >= 2, f"{sim}: expected its charts inline"
    assert re.search(rf"<caption>{caption}", section), f"{sim}: expected its tables"


def test_estimate_gives_genai_figures_for_llm_serving(run_cli):
    r = run_cli("estimate", "llm-serving", "--json")
    assert r.code == 0, r.stderr
    text = json.dumps(json.loads(r.stdout)).lower()
    for words in ("tokens per day", "kv", "gpu"):
        assert words in text, words


def test_a_hosted_model_gets_token_figures_but_no_gpu_fleet():
    from mlsd.sims.estimate import estimate

    hosted = estimate(scale={"daily_active_users": 40_000, "requests_per_user_per_day": 5,
                             "prompt_tokens_per_request": 5_000, "output_tokens_per_request": 300})
    names = {f.name for f in hosted.figures}
    assert {"prompt tokens per day", "peak output tokens/s"} <= names
    assert not names & {"GPUs for peak output tokens/s", "model weight memory", "KV-cache bytes per request"}
    assert hosted.figure("prompt tokens per day").value == 40_000 * 5 * 5_000
    assert not {i.name for i in hosted.inputs} & {"model_params_billion", "gpu_memory_gb"}
    self_hosted = estimate(scale={"prompt_tokens_per_request": 1_000, "output_tokens_per_request": 300,
                                  "model_params_billion": 8})
    assert "GPUs for peak output tokens/s" in {f.name for f in self_hosted.figures}


def test_genai_reading_speaks_of_the_llm_not_of_classic_defaults():
    from mlsd.content.scenario import load_scenario
    from mlsd.sims.estimate import estimate

    sc = load_scenario("llm-serving")
    reading = " ".join(estimate(scale=dict(sc.scale), scenario=sc.id).reading())
    assert "ranking model" not in reading and "embedding tables" not in reading
    assert "tokens/s at peak" in reading and "do not fit one GPU" in reading
