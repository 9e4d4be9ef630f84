"""Facts of the tree that keep it readable: no import cycles, no hand-written module over 600 lines,
and an engine that knows a lecture only through engine/assignment.py's interface."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "autograder"
#: Files the build writes (the helper students get): not hand-written.
GENERATED = {"initlab_lab.py", "calibrated.py"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The kit's modules ``path`` imports, at any depth of its code (a lazy import is an import)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def test_there_are_no_import_cycles():
    """Does no module reach itself through the modules it imports (a package's __init__ counted as its own)?"""
    graph = _graph()
    # A package imports its own submodules by design (helper/__init__ registers the checks); what it
    # imports of itself is not a cycle of the layering, so edges to a package's own children are left out.
    edges = {a: {b for b in bs if not b.startswith(a + ".")} for a, bs in graph.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif not state.get(nxt):
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if not state.get(node):
            visit(node, [node])
    assert not cycles, cycles


def test_no_hand_written_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if p.name not in GENERATED and "__pycache__" not in p.parts
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long


def test_the_engine_imports_no_lecture():
    """Does no module of autograder/engine/ (nor the student helper's core) import a lecture's module?"""
    graph = _graph()
    reached = {a: sorted(b for b in bs if b.startswith("autograder.lectures"))
               for a, bs in graph.items() if a.startswith(("autograder.engine", "autograder.helper"))}
    assert not {a: b for a, b in reached.items() if b}, reached


def test_the_helper_core_imports_nothing_of_the_engine():
    """Is what students get (autograder/helper/) free of the instructor's kit?"""
    graph = _graph()
    reached = {a: sorted(b for b in bs if not b.startswith("autograder.helper"))
               for a, bs in graph.items() if a.startswith("autograder.helper")}
    assert not {a: b for a, b in reached.items() if b}, reached


def test_a_lectures_helper_imports_only_the_helper_core_and_itself():
    """Does what students get of a lecture (its helper/ package) reach nothing of the instructor's kit,
    not even lazily (the MNIST experiments live in experiments/, and a notebook imports them there)?"""
    graph = _graph()
    reached = {}
    for module, targets in graph.items():
        if module.startswith("autograder.lectures.") and ".helper" in module:
            own = module.split(".helper")[0] + ".helper"
            reached[module] = sorted(t for t in targets if not t.startswith(("autograder.helper", own)))
    assert reached and not {a: b for a, b in reached.items() if b}, reached


def test_the_text_module_imports_nothing_of_the_kit():
    """Is the bilingual text (autograder/helper/text.py) a leaf every layer can use?"""
    assert _graph()["autograder.helper.text"] == set()
