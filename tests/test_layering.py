"""Imports go one way: cli -> parts (practice, doc) -> scoring -> content -> sims -> base.

Every module under mlsd/ is parsed (ast, nothing imported) and each `import mlsd.…` /
`from mlsd… import …` it contains, at the top, inside a function or under
TYPE_CHECKING, is checked: a module may import its own layer or a lower one, never a
higher one; the two parts of the same layer (practice and doc) may not import each
other. The same order is written in docs/CONTRIBUTING.md ("Layers").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mlsd"

# Lowest first. A module belongs to the first entry that is it or its package.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("mlsd", "mlsd.errors", "mlsd.resources", "mlsd.fileio", "mlsd.threads",
              "mlsd.limits", "mlsd.i18n")),
    ("sims", ("mlsd.sims",)),
    ("content", ("mlsd.content",)),
    ("scoring", ("mlsd.scoring",)),
    ("parts", ("mlsd.practice", "mlsd.doc")),
    ("cli", ("mlsd.cli", "mlsd.__main__")),
)
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}


def place(module: str) -> tuple[str, str]:
    """(layer, part) of a dotted module name; the part is the longest matching prefix."""
    best: tuple[str, str] | None = None
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if prefix == "mlsd":
                if module == "mlsd" and best is None:
                    best = (layer, prefix)
            elif (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[1])
            ):
                best = (layer, prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def mlsd_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of an mlsd module in the file, resolving
    `from mlsd.x import y` to mlsd.x.y when y is a submodule."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "mlsd"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "mlsd":
                continue
            base = PACKAGE.parent.joinpath(*node.module.split("."))
            for alias in node.names:
                sub = base / alias.name
                is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
                found.append((node.lineno, f"{node.module}.{alias.name}" if is_module else node.module))
    return found


def violations(path: Path, name: str | None = None) -> list[str]:
    """Upward or cross-part imports in `path` (module `name`, by default its own)."""
    me = name or module_name(path)
    my_layer, my_part = place(me)
    out = []
    for line, target in mlsd_imports(path):
        layer, part = place(target)
        if RANK[layer] > RANK[my_layer]:
            out.append(f"{me}:{line}: ({my_layer}) imports {target} ({layer}), a higher layer")
        elif layer == my_layer == "parts" and part != my_part:
            out.append(f"{me}:{line}: imports {target}: {my_part} and {part} are separate parts")
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
    assert violations(path) == []


def test_every_module_has_a_layer_and_the_parser_sees_every_kind_of_import():
    assert len(MODULES) > 40
    for path in MODULES:
        place(module_name(path))
    # top-level, inside functions, and `from mlsd.pkg import module`
    seen = {t for _, t in mlsd_imports(PACKAGE / "cli" / "practice.py")}
    assert {"mlsd.practice.engine", "mlsd.cli.output", "mlsd.cli.options"} <= seen


def test_an_upward_import_inside_a_function_is_caught(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from mlsd import errors\n\ndef f():\n    from mlsd.cli import output\n")
    found = violations(probe, "mlsd.content.probe")
    assert len(found) == 1 and "mlsd.cli.output (cli), a higher layer" in found[0]


def test_the_two_parts_may_not_import_each_other(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from mlsd.practice.store import open_store\nfrom mlsd.scoring import rubric\n")
    found = violations(probe, "mlsd.doc.probe")
    assert len(found) == 1 and "separate parts" in found[0]
