"""Build a lecture's student helper: autograder/helper/ and the lecture's helper modules, as one file.

Students get one file, ``initlab_lab.py`` (Colab's one-file upload, ``import initlab_lab``).  The
helper is written as a package for the people who maintain it; this joins its modules, in order,
into that file: each module's docstring becomes a section heading, its imports of other helper
modules are dropped (they are one namespace now), and everything else is kept as written.  The
build refuses a name defined at the top level of two modules (one would silently replace the
other) and an import of anything but the standard library, numpy and matplotlib.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

#: The core modules, in dependency order (each uses only those before it).
CORE = ("text", "setup", "wire", "calls", "results", "declare", "wording", "runner", "questions", "notebook",
        "ipysyntax", "pyfile")
CORE_DIR = Path(__file__).resolve().parents[1] / "helper"
#: What the built file may import at its top level besides the standard library.
ALLOWED_THIRD_PARTY = ("numpy", "matplotlib")


class BuildError(Exception):
    """The helper's modules cannot be joined into one file (the message says which and why)."""


def _is_helper_import(node: ast.stmt, packages: tuple[str, ...]) -> bool:
    """An import of the helper core or of the lecture's own helper package (wherever the lecture lives)."""
    return isinstance(node, ast.ImportFrom) and node.module is not None \
        and any(node.module == p or node.module.startswith(p + ".") for p in packages)


def _section(path: Path, packages: tuple[str, ...], root: Path) -> tuple[str, set[str], list[ast.stmt]]:
    """One module's text as a section of the joined file, the names it defines at its top level, and its
    imports (gathered at the top of the joined file)."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, str(path))
    lines = text.split("\n")
    drop: set[int] = set()
    body = tree.body
    title = ""
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        title = body[0].value.value.strip().split("\n")[0]
        drop |= set(range(body[0].lineno - 1, body[0].end_lineno))
    names: set[str] = set()
    imports: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            drop |= set(range(node.lineno - 1, node.end_lineno))
        elif _is_helper_import(node, packages):
            drop |= set(range(node.lineno - 1, node.end_lineno))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                top = (node.module if isinstance(node, ast.ImportFrom) else alias.name) or ""
                base = top.split(".")[0]
                if base == "autograder" or (base not in sys.stdlib_module_names and base not in ALLOWED_THIRD_PARTY):
                    raise BuildError(f"{_shown(path, root)}:{node.lineno} imports {top}: the helper may import "
                                     "only the standard library, numpy and matplotlib at its top level")
            imports.append(node)
            drop |= set(range(node.lineno - 1, node.end_lineno))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
    rel = _shown(path, root)
    heading = f"# {'=' * 100}\n# {rel}: {title}\n# {'=' * 100}"
    return f"{heading}\n\n{kept}\n", names, imports


def _shown(path: Path, root: Path) -> str:
    """A module's path as the joined file names it: relative to the repository."""
    for base in (root, CORE_DIR.parents[1]):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _merged_imports(nodes: list[ast.stmt]) -> list[str]:
    """Every module's imports as one sorted block: ``import x`` once, ``from x import ...`` merged per module."""
    plain: set[str] = set()
    names: dict[str, set[str]] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            plain |= {ast.unparse(ast.Import(names=[alias])) for alias in node.names}
        else:
            names.setdefault(node.module, set()).update(
                alias.name + (f" as {alias.asname}" if alias.asname else "") for alias in node.names)
    froms = [f"from {module} import {', '.join(sorted(found))}" for module, found in names.items()]
    return sorted(plain) + sorted(froms)


def amalgamate(lecture_dir: Path, lecture_modules: tuple[str, ...], header: str, root: Path) -> str:
    """The joined file: ``header`` (the docstring students read first), the core modules, then the
    lecture's ``lecture_modules`` (in that order) from ``lecture_dir``; ``root`` is the repository (for
    the section headings' paths)."""
    lecture_pkg = ".".join(lecture_dir.relative_to(root).parts)
    packages = ("autograder.helper", lecture_pkg)
    paths = [CORE_DIR / f"{m}.py" for m in CORE] + [lecture_dir / f"{m}.py" for m in lecture_modules]
    sections, seen, imports = [], {}, []
    for path in paths:
        section, names, used = _section(path, packages, root)
        imports += used
        for name in sorted(names):
            if name in seen and name not in ("__all__",):
                raise BuildError(f"{name} is defined at the top level of both {seen[name]} and "
                                 f"{_shown(path, root)}: give one of them another name")
            seen[name] = _shown(path, root)
        sections.append(section)
    lines = _merged_imports(imports)
    third_party = [i for i in lines if i.split()[1].split(".")[0] in ALLOWED_THIRD_PARTY]
    stdlib = [i for i in lines if i not in third_party]
    footer = 'if __name__ == "__main__":\n    sys.exit(main())\n'
    return (f'"""{header.strip()}\n"""\nfrom __future__ import annotations\n\n' + "\n".join(stdlib) + "\n\n"
            + "\n".join(third_party) + "\n\n\n" + "\n\n".join(sections) + "\n\n" + footer)
