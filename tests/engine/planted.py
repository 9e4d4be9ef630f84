"""A class with planted copies, for the similarity tests and benchmark.

Independent students: each a correct solution with its own pick of correct forms
(instructor/independent.py, a seed the baseline does not use) and a cell of its own exploring the
lecture (its own constants and steps, as students' extra cells are).  Copiers take another
student's whole file and disguise it the ways copiers do.
"""
from __future__ import annotations

import builtins
import io
import json
import keyword
import random
import re
import tokenize

from autograder.lectures.weight_init.instructor.independent import independent_solutions
from autograder.lectures.weight_init.instructor.samples import as_notebook

_STEPS = [
    "for std in [{a}, {b}, {c}]:\n    acts = activation_probe(x, lambda i, o, r: normal_init(i, o, r, std), sigmoid, {n}, {m}, rng)\n"
    "    print(std, [round(float(a.mean()), {d}) for a in acts])",
    "h = activation_probe(x, he_init, relu, {n}, {m}, rng)\nfor k, a in enumerate(h):\n    print(k, float(a.std()), float((a == 0).mean()))",
    "w = xavier_init({m}, {n}, rng)\nprint(w.shape, w.std() * np.sqrt({m}), np.abs(w).max() < {a})",
    "plt.figure(figsize=({n}, {d}))\nfor i, a in enumerate(activation_probe(x, xavier_init, sigmoid, {n}, {m}, rng)):\n"
    "    plt.subplot(1, {n}, i + 1)\n    plt.hist(a.flatten(), {m}, range=(0, 1))\nplt.show()",
    "lams = np.linspace(0, {a}, {n})\npens = [weight_decay_penalty([np.ones(({m}, {d}))], l) for l in lams]\nprint(pens[-1] / {m})",
    "g = weight_decay_grad(np.full(({d}, {n}), {b}), {c})\nassert g.shape == ({d}, {n})\nprint(g.sum())",
    "ys = sigmoid(np.linspace(-{m}, {m}, {n} * {d}))\nprint(ys.min(), ys.max(), np.allclose(ys[::-1], 1 - ys))",
    "t = relu(np.arange(-{n}, {m}))\nprint(t[:{d}], t.sum() == sum(range({m})))",
    "sat = []\nfor std in (1, {a}, {c}):\n    a = activation_probe(x, lambda i, o, r: normal_init(i, o, r, std), sigmoid, 1, {m}, rng)[0]\n"
    "    sat.append(np.mean((a < 0.0{d}) | (a > 0.9{d})))\nprint(sat)",
    "def compare_inits(n_layers={n}):\n    out = {{}}\n    for name, f in [('xavier', xavier_init), ('he', he_init)]:\n"
    "        out[name] = [float(a.std()) for a in activation_probe(x, f, relu, n_layers, {m}, rng)]\n    return out\n"
    "print(compare_inits())",
]


def own_cell(rng: random.Random) -> str:
    """A student's own exploration: a few of the steps above, with the student's own numbers."""
    steps = rng.sample(_STEPS, 4)
    numbers = lambda: dict(a=round(rng.uniform(0.1, 3), 2), b=round(rng.uniform(0.1, 3), 2),  # noqa: E731
                           c=round(rng.uniform(0.1, 3), 2), n=rng.randint(2, 9), m=rng.randint(10, 300),
                           d=rng.randint(1, 9))
    seed = rng.randint(0, 10**6)
    return f"\n\n# %%\nrng = np.random.default_rng({seed})\nx = rng.standard_normal(({rng.randint(100, 2000)}, " \
           f"{rng.randint(10, 200)}))\n" + "\n".join(s.format(**numbers()) for s in steps) + "\n"


def independent_class(n: int, seed: int = 7) -> list[str]:
    """``n`` independent students' .py files."""
    rng = random.Random(seed)
    return [src + own_cell(rng) for src in independent_solutions(n, seed=1000 + seed)]


# ---- what copiers do ----------------------------------------------------------------------------

_KEEP = set(dir(builtins)) | set(keyword.kwlist) | {"np", "plt", "lab", "initlab_lab"}


def rename_variables(source: str) -> str:
    """Every name the student chose (assigned, or a parameter) renamed everywhere; numpy's, Python's and
    the contract's names stay, so the copy still runs."""
    import ast

    from autograder.lectures.weight_init.assignment import ASSIGNMENT

    keep = _KEEP | set(ASSIGNMENT.contract.functions) | {"answer_saturated", "answer_xavier_std", "answer_he_relu_std",
                                                         "answer_penalty", "STUDENT_ID", "SETUP_CODE", "SETUP"}
    tree = ast.parse(source)
    chosen = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    chosen |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arg) for a in [n]}
    chosen -= keep
    out, previous = [], None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in chosen and not (previous and previous.string == "."):
            tok = tok._replace(string=f"my_{tok.string}")
        out.append(tok)
        previous = tok
    return tokenize.untokenize(out)


def reorder_functions(source: str, rng: random.Random) -> str:
    """The cells that define functions, in another order (the rest stays where it was)."""
    cells = source.split("\n# %%\n")
    defs = [i for i, c in enumerate(cells) if c.lstrip().startswith("def ")]
    moved = [cells[i] for i in defs]
    rng.shuffle(moved)
    for i, c in zip(defs, moved):
        cells[i] = c
    return "\n# %%\n".join(cells)


def change_comments(source: str) -> str:
    """Comments dropped, new ones written, blank lines doubled."""
    lines = []
    for line in source.splitlines():
        code = re.sub(r"\s+#.*$", "", line) if not line.lstrip().startswith("#") else ""
        if code.strip():
            lines.append(code)
            if code.rstrip().endswith(":"):
                lines.append(" " * (len(code) - len(code.lstrip()) + 4) + "# 여기서 계산")
        else:
            lines += ["", ""]
    return "\n".join(lines) + "\n"


def move_between_cells(source: str) -> str:
    """A notebook whose cells are cut elsewhere: two cells joined, one split in the middle."""
    cells = source.split("\n# %%\n")
    joined = [cells[0] + "\n" + cells[1]] + cells[2:]
    lines = joined[-1].splitlines()  # the student's own cell, cut between two top-level statements
    cut = next(i for i in range(len(lines) // 2, len(lines)) if lines[i][:1].strip())
    joined[-1:] = ["\n".join(lines[:cut]), "\n".join(lines[cut:])]
    return notebook_of_cells(joined)


def notebook_to_py(source: str) -> str:
    """The original handed in as a notebook, copied as the .py nbconvert writes of it."""
    nb = json.loads(as_notebook(source))
    parts = ["#!/usr/bin/env python\n# coding: utf-8\n"]
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "\n".join(f"get_ipython().run_line_magic('{ln[1:].split()[0]}', '{' '.join(ln[1:].split()[1:])}')"
                         if ln.startswith("%") and not ln.startswith("%%") else
                         f"get_ipython().system('{ln[1:]}')" if ln.startswith("!") else ln
                         for ln in cell["source"].splitlines() if not ln.startswith("%%"))
        parts.append(f"# In[ ]:\n\n\n{text}\n\n")
    return "\n".join(parts)


def notebook_of_cells(cells: list[str]) -> str:
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
                    for c in cells]}
    return json.dumps(nb, ensure_ascii=False, indent=1)


#: kind -> (disguise, the copy's file name)
DISGUISES = {
    "renamed variables": (lambda s, r: rename_variables(s), "weight_init.py"),
    "reordered functions": (reorder_functions, "weight_init.py"),
    "changed comments and blank lines": (lambda s, r: change_comments(s), "weight_init.py"),
    "code moved between cells": (lambda s, r: move_between_cells(s), "weight_init.ipynb"),
    "a notebook copied into a .py": (lambda s, r: notebook_to_py(s), "weight_init.py"),
    "all of them": (lambda s, r: change_comments(reorder_functions(rename_variables(s), r)), "weight_init.py"),
}


def planted_class(n_independent: int = 30, seed: int = 7) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """{student id: (file name, text)} and the planted (original, copy) pairs: one copy of each kind,
    each of a different original."""
    rng = random.Random(seed)
    sources = independent_class(n_independent, seed)
    files = {f"2026{i:06d}": ("weight_init.py", s) for i, s in enumerate(sources)}
    originals = iter(rng.sample(sorted(files), len(DISGUISES)))
    planted = []
    for j, (kind, (disguise, name)) in enumerate(DISGUISES.items()):
        original = next(originals)
        copy_id = f"2027{j:06d}"
        text = files[original][1]
        if kind == "a notebook copied into a .py":  # the original handed in the notebook
            files[original] = ("weight_init.ipynb", as_notebook(text, magics=True))
        files[copy_id] = (name, disguise(text, rng))
        planted.append((original, copy_id))
    return files, planted
