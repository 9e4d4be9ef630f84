"""The load step: encodings, line ends, IPython syntax and broken files, without running anything."""
from __future__ import annotations

import codecs
import json

import pytest

from autograder.steps.load import LoadError, decode_python, load_file, load_notebook, load_python, split_top_level
from tests.conftest import reference_source

KOREAN = "# 시그모이드 함수: 가중치의 초깃값\n"


@pytest.mark.parametrize("data,encoding", [
    ((KOREAN + "x = 1\n").encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + (KOREAN + "x = 1\r\n").encode("utf-8"), "utf-8-sig"),
    ((KOREAN + "x = 1\r\n").encode("cp949"), "cp949"),
    (("# -*- coding: euc-kr -*-\n" + KOREAN).encode("euc-kr"), "euc-kr"),
])
def test_python_files_are_decoded_as_written(data, encoding):
    """Are UTF-8, UTF-8 with BOM, CP949 without a coding line, and a declared coding all read right?"""
    text, used = decode_python(data)
    assert used == encoding
    assert "시그모이드" in text and "\r" not in text


def test_cr_only_line_ends_are_normalised():
    """Are old-Mac CR line ends turned into newlines?"""
    text, _ = decode_python(b"a = 1\rb = 2\r")
    assert text == "a = 1\nb = 2\n"


def test_a_notebook_keeps_code_cells_in_order_and_rewrites_ipython_syntax(write_notebook):
    """Are magics and shell escapes rewritten into get_ipython() calls, and markdown skipped?"""
    path = write_notebook([
        ("markdown", "# 제목"),
        ("code", "%matplotlib inline\n!pip install numpy\nimport numpy as np"),
        ("code", "%%time\nx = np.ones(3)"),
        ("code", "def f(x):\n    return x"),
    ])
    src = load_file(path)
    assert src.kind == "ipynb" and [c["name"] for c in src.cells] == ["cell 1", "cell 2", "cell 3"]
    assert "get_ipython().run_line_magic('matplotlib', 'inline')" in src.cells[0]["source"]
    assert "get_ipython().system('pip install numpy')" in src.cells[0]["source"]
    assert src.cells[1]["source"].startswith("get_ipython().run_cell_magic('time'")
    assert src.cells[2]["source"] == "def f(x):\n    return x"


def test_a_cell_without_ipython_syntax_is_left_alone(write_notebook):
    """Is plain code passed through untouched (a '%' inside a string is not a magic)?"""
    code = 'msg = """\n%d items\n"""\nrate = 5 % 3\n'
    src = load_file(write_notebook([("code", code)]))
    assert src.cells[0]["source"] == code


def test_a_py_file_with_a_syntax_error_is_split_into_blocks():
    """Does one broken function leave the others loadable, with line numbers kept?"""
    source = "import numpy as np\n\ndef good(x):\n    return x\n\ndef broken(x)\n    return x\n\n@decorator\ndef later(x):\n    return x\n"
    src = load_python(source.encode(), "weight_init.py")
    assert any("syntax error" in n for n in src.notes)
    blocks = [c["source"] for c in src.cells]
    assert any("def good" in b for b in blocks) and any("def broken" in b for b in blocks)
    later = next(b for b in blocks if "def later" in b)
    assert "@decorator" in later and later.split("\n").index("@decorator") == 8  # still line 9


def test_split_keeps_decorators_with_their_function():
    """Do stacked decorators stay with the def below them?"""
    blocks = split_top_level("x = 1\n@a\n@b\ndef f():\n    pass\n", "f.py")
    assert [b["source"].strip() for b in blocks] == ["x = 1", "@a\n@b\ndef f():\n    pass"]


def test_ipython_lines_in_a_py_file_are_graded_as_in_a_notebook():
    """Is a .py exported from Colab (with !pip lines) still loadable?"""
    src = load_python(b"!pip install numpy\nimport numpy as np\ndef f(x):\n    return x\n", "weight_init.py")
    assert "get_ipython().system" in src.cells[0]["source"]


@pytest.mark.parametrize("data,status", [
    (b"", "empty"), (b"   \n\n", "empty"), (b"\x00\x01\x02binary", "binary"), (b"x" * (3 << 20), "too_large"),
])
def test_unusable_python_files_say_why(data, status):
    """Do empty, binary and huge files give a clear status instead of a crash?"""
    with pytest.raises(LoadError) as info:
        load_python(data, "weight_init.py")
    assert info.value.status == status


@pytest.mark.parametrize("data", [b"{not json", b'{"cells": 5}', b"[]", json.dumps({"cells": [
    {"cell_type": "markdown", "source": "only text"}]}).encode()])
def test_broken_notebooks_say_why(data):
    """Are truncated or empty notebooks reported, not crashed on?"""
    with pytest.raises(LoadError) as info:
        load_notebook(data, "weight_init.ipynb")
    assert info.value.status in ("not_a_notebook", "empty")


def test_the_reference_loads_as_one_cell():
    """Does a file that compiles stay one cell (no splitting)?"""
    src = load_python(reference_source().encode(), "weight_init.py")
    assert len(src.cells) == 1 and not src.notes
