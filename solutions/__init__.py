"""The reference solution, shipped inside the kit as ``autograder.reference``.

``weight_init.py`` is the whole solution file a student would hand in, analysis answers
included, so importing it would run those computations.  The judge only needs the
functions: ``autograder.reference.functions`` is a module with the file's imports and
function definitions and nothing else.
"""
from __future__ import annotations

import ast
import types
from pathlib import Path

SOLUTION_PATH = Path(__file__).with_name("weight_init.py")


def _functions_only(path: Path = SOLUTION_PATH) -> types.ModuleType:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    tree.body = [node for node in tree.body
                 if isinstance(node, ast.FunctionDef)
                 or (isinstance(node, ast.Import) and all(a.name == "numpy" for a in node.names))]
    module = types.ModuleType("autograder.reference.functions", "The reference solution's functions.")
    module.__file__ = str(path)
    exec(compile(tree, str(path), "exec"), module.__dict__)
    return module


functions = _functions_only()
