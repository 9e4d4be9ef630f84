"""Does the one-pass reader of IPython syntax give what IPython's own transformer gives?"""
from __future__ import annotations

import random

import pytest

from autograder.helper.ipysyntax import needs_transform, transform_cell

TransformerManager = pytest.importorskip("IPython.core.inputtransformer2").TransformerManager

#: What students write in notebook cells (and in .py files saved from them).
CELLS = [
    "%matplotlib inline\nimport numpy as np\n",
    "%%time\nx = 1\ny = 2\n",
    "%%capture out\nprint(1)\n",
    "!pip install numpy\nimport numpy as np\n",
    "!!ls\n",
    "files = !ls -la\nprint(files)\n",
    "x = %who_ls\n",
    "x = %time f(1)\n",
    "np.mean?\n",
    "np.mean??\n",
    "?np.mean\n",
    "obj.attr[0]?\n",
    "%%timeit?\n",
    "for i in range(3):\n    !echo {i}\n    %time f(i)\n",
    "s = '''\n!not a command\n%not magic\n'''\n!real\n",
    "def f(x):\n    return x  # what?\n!ls\n",
    "x = (1,\n     2)\n!echo hi\n",
    "!echo a \\\n  b \\\n  c\nx=1\n",
    "%timeit -n 3 -r 1 f(x)\n",
    "a = !ls\nb = %pwd\nc = a != b\n",
    "    %matplotlib inline\n    x = 1\n",
    "\n\n%matplotlib inline\n",
    "x = 'it''s'\n!echo 'quote\n",
    'x = f"{a!r}"\n!echo\n',
    "print('a?')\n",
    "x = 1 # !comment\n%who\n",
    "/print 1 2\n",
    ",print a b\n",
    ";print a b\n",
    "x = a//b\ny = a % b\n%ls\n",
    'x = "abc\\\ndef"\n!ls\n',
    "y = r'\\''\n!ls\n",
    ">>> x = 1\n>>> !ls\n",
    "In [1]: x = 1\n",
    "x = [\n  1, # c\n]\n!ls\n",
    "import numpy as np\nnp.random.randn?\n%matplotlib\n",
    "x == !y\n",
    "if a != b:\n    pass\n",
    "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
]

#: Lines to build random cells from: IPython syntax, strings, brackets and continuations mixed.
FRAGMENTS = ["x = 1", "!ls -la", "%matplotlib inline", "y = !echo hi", "z = %pwd", "np.mean?", "def f(x):",
             "    return x", "    !echo in", "s = '''", "'''", 't = """', '"""', "a = (1,", "  2)", "# comment !x",
             "print('?')", "b = [", "]", "c = 'unterminated", "d = x \\", "  + 1", "%%time", "!echo '''", "x?",
             "for i in r:", "    %time f(i)", "e = f'{a}'", "if a != b:", "    pass", "", "  ", "u = r'\\''",
             "k = {'a': 1,", "}"]


@pytest.mark.parametrize("cell", CELLS)
def test_cells_students_write_read_as_ipython_reads_them(cell):
    """Does every form students write become exactly what IPython makes of it?"""
    assert transform_cell(cell) == TransformerManager().transform_cell(cell)


def _compiles(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec")
        return True
    except (SyntaxError, ValueError):
        return False


def test_random_cells_that_run_read_as_ipython_reads_them():
    """Of thousands of random cells, does every one that IPython makes runnable read the same here?
    (Cells IPython leaves broken are a syntax error either way; they may differ.)"""
    rng = random.Random(7)
    manager = TransformerManager()
    compared = 0
    for _ in range(4000):
        cell = "\n".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 8))) + rng.choice(["", "\n"])
        try:
            theirs = manager.transform_cell(cell)
        except Exception:
            continue
        if _compiles(theirs):
            compared += 1
            assert transform_cell(cell) == theirs, cell
    assert compared > 500


def test_many_shell_lines_are_all_rewritten():
    """Is a cell of thousands of ! lines read whole (IPython took seconds per hundred)?"""
    cell = "!echo hi\n" * 5000 + "x = 1\n"
    out = transform_cell(cell)
    assert out.count("get_ipython().system('echo hi')") == 5000
    assert _compiles(out)


def test_a_cell_that_would_take_quadratic_work_is_left_as_it_is():
    """Does a cell built to make every line's scan run to its end give up (its syntax error then costs
    that cell only) instead of working for minutes?"""
    cell = "!echo (\n" * 20000
    assert transform_cell(cell) == cell


def test_plain_python_is_not_scanned():
    """Is a cell without any IPython syntax recognised as such by the cheap test?"""
    assert not needs_transform("def relu(x):\n    return np.maximum(0, x)\n")
    assert needs_transform("x = 1\n%matplotlib inline\n")
    assert needs_transform("files = !ls\n")
