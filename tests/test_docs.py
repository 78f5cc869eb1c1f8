"""The command reference (docs/cli-reference.md) is generated from --help and must be current."""

from __future__ import annotations

import re
from pathlib import Path

from mlsd.cli.reference import BEGIN, END, generate, help_texts

README = Path(__file__).resolve().parent.parent / "README.md"
CLI_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli-reference.md"


def test_command_reference_is_current():
    text = CLI_REFERENCE.read_text(encoding="utf-8")
    current = text[text.index(BEGIN): text.index(END) + len(END)]
    assert current == generate(), "stale: run `python -m mlsd.cli.reference --write docs/cli-reference.md`"


def test_every_command_has_a_summary_and_every_option_a_help():
    for path, text in help_texts():
        assert re.search(r"^Usage: ", text, re.M), path
        summary = text.split("\n\n")[1].strip() if "\n\n" in text else ""
        assert summary, f"mlsd {' '.join(path)} has no docstring"
    import typer

    from mlsd.cli import app

    def walk(cmd, name):
        for p in cmd.params:
            if getattr(p, "param_type_name", "") == "option" and p.name not in ("help",):
                assert p.help, f"{name} {p.opts}: no help text"
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{name} {sub_name}")

    walk(typer.main.get_command(app), "mlsd")


def test_quick_start_is_exactly_two_command_lines():
    text = README.read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    lines = [line for line in block.splitlines()[1:] if line.strip()]
    assert lines == ["pip install . && mlsd practice feed-ranking", "pip install '.[test]' && pytest"]
