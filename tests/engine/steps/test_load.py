"""The load step: encodings, line ends, IPython syntax and broken files, without running anything."""
from __future__ import annotations

import codecs
import json

import pytest

from autograder.lectures.weight_init.helper.contract import ANSWERS, FUNCTIONS
from autograder.engine.steps.load import LoadError, decode_python, load_file, load_notebook, load_python, split_top_level
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
    # named by their place among the code cells: Jupyter's In [1], In [2], ... after "Run All"
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
    assert any("syntax error" in n.en and "문법 오류" in n.ko for n in src.notes)
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


def test_a_py_file_is_cells_one_per_function_and_answer():
    """Is the reference (with the template's `# %%` markers) one cell per function and per analysis
    answer, each keeping the file's line numbers?"""
    text = reference_source()
    src = load_python(text.encode(), "weight_init.py")
    assert not src.notes
    for name in FUNCTIONS:
        holding = [c for c in src.cells if f"def {name}(" in c["source"]]
        assert len(holding) == 1 and "def " not in holding[0]["source"].split(f"def {name}(", 1)[1]
    for name in ANSWERS:
        assert len([c for c in src.cells if f"\n{name} = " in c["source"]]) == 1
    for cell in src.cells:  # padded: line k of a cell is line k of the file
        lines = cell["source"].split("\n")
        first = next(i for i, line in enumerate(lines) if line.strip())
        assert lines[first] == text.split("\n")[first]


def test_a_py_file_without_markers_is_split_into_top_level_groups():
    """Without `# %%`, is each def its own cell, and are other statements grouped in blank-line runs?"""
    text = ("import numpy as np\n\n# the first\ndef f(x):\n    return x\n\n\n@dec\ndef g(x):\n    return x\n"
            "a = f(1)\nb = 2\n\n# answers\nanswer_x = a + b\nprint(answer_x)\n")
    cells = [c["source"].strip() for c in load_python(text.encode(), "w.py").cells]
    assert cells == ["import numpy as np", "# the first\ndef f(x):\n    return x", "@dec\ndef g(x):\n    return x",
                     "a = f(1)\nb = 2", "# answers\nanswer_x = a + b\nprint(answer_x)"]


def test_a_large_file_is_read_in_a_limited_process_with_the_same_result():
    """Is a notebook over the in-process size read by a process of its own, giving the same cells?"""
    from autograder.engine.steps import load

    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": "%matplotlib inline\nx = 1\n"},
             {"cell_type": "markdown", "metadata": {}, "source": "x" * (load.IN_PROCESS_BYTES[".ipynb"] + 10)}]
    data = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()
    bounded = load_file("weight_init.ipynb", data)
    assert bounded == load_notebook(data, "weight_init.ipynb")
    assert "run_line_magic('matplotlib', 'inline')" in bounded.cells[0]["source"]


def test_a_file_whose_parse_needs_too_much_memory_costs_its_own_row(monkeypatch):
    """Does a file that would take gigabytes to parse end as 'unreadable' within the limited process's
    memory, rather than in the grader's?"""
    from autograder.engine.steps import load

    monkeypatch.setattr(load, "BOUNDED_MEMORY_MB", 300)
    data = json.dumps({"nbformat": 4, "cells": [{}] * 5_000_000}).encode()  # dicts: ~30 bytes each per byte
    with pytest.raises(LoadError) as info:
        load_file("weight_init.ipynb", data)
    assert info.value.status == "unreadable" and "300 MB" in info.value.text.en


def test_a_cell_too_large_to_run_is_replaced_by_an_error_that_says_so():
    """Is a 2 MB cell not compiled in the child (it took seconds and a gigabyte), but turned into an
    error of that cell, in both languages, with the declaration it held marked unread?"""
    from autograder.engine.steps.load import MAX_CELL_CHARS

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "x = 1\n"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "STUDENT_ID = [" + "1," * MAX_CELL_CHARS + "]\n"}]}
    src = load_file("weight_init.ipynb", json.dumps(nb).encode())
    assert src.cells[0]["source"] == "x = 1\n"
    big = src.cells[1]
    assert big["source"].startswith("raise RuntimeError(") and "not run" in big["source"] and "실행하지" in big["source"]
    assert big["unread_declaration"] > MAX_CELL_CHARS
