"""A sample class for demos, benchmarks and tests: typical right answers, typical mistakes, broken files.

The mistakes are the mutation suite of tests/lectures/weight_init/checks/test_mutants.py: each is the reference
solution with one function's solution region replaced, so each should cost points in
exactly one function.  ``build_class`` writes them as a Moodle "download all" zip (Korean
names) or as a folder of student folders.
"""
from __future__ import annotations

import codecs
import json
import re
import zipfile
from pathlib import Path

from autograder.reference import functions as _reference_module

REFERENCE_PATH = Path(_reference_module.__file__)  # solutions/weight_init.py


def reference_source() -> str:
    return REFERENCE_PATH.read_text(encoding="utf-8")


# (mutant id, function, body replacing the reference's solution region)
MUTANTS = [
    ("sigmoid-sign-flipped", "sigmoid", "return 1 / (1 + np.exp(x))"),
    ("sigmoid-nan-at-1000", "sigmoid", "return np.exp(x) / (1 + np.exp(x))"),
    ("sigmoid-math-exp", "sigmoid", "import math\nreturn 1 / (1 + math.exp(-x))"),
    ("sigmoid-cast-to-int", "sigmoid", "return (1 / (1 + np.exp(-x))).astype(int)"),
    ("relu-abs", "relu", "return np.abs(x)"),
    ("relu-min", "relu", "return np.minimum(0, x)"),
    ("relu-in-place", "relu", "x[x < 0] = 0\nreturn x"),
    ("normal-ignores-std", "normal_init", "return rng.standard_normal((n_in, n_out))"),
    ("normal-std-squared", "normal_init", "return rng.standard_normal((n_in, n_out)) * std ** 2"),
    ("normal-global-np-random", "normal_init", "return np.random.randn(n_in, n_out) * std"),
    ("normal-reseeds-inside", "normal_init", "return np.random.default_rng(0).standard_normal((n_in, n_out)) * std"),
    ("normal-transposed", "normal_init", "return rng.standard_normal((n_out, n_in)) * std"),
    ("normal-uniform", "normal_init", "return rng.uniform(-std, std, (n_in, n_out))"),
    ("xavier-fan-out", "xavier_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_out)"),
    ("xavier-one-over-n", "xavier_init", "return rng.standard_normal((n_in, n_out)) / n_in"),
    ("xavier-uniform-same-variance", "xavier_init",
     "b = np.sqrt(3.0 / n_in)\nreturn rng.uniform(-b, b, (n_in, n_out))"),
    ("xavier-equal-units", "xavier_init",
     "return np.tile(rng.standard_normal((n_in, 1)), (1, n_out)) * np.sqrt(1.0 / n_in)"),
    ("xavier-constant", "xavier_init", "return np.full((n_in, n_out), np.sqrt(1.0 / n_in))"),
    ("he-is-xavier", "he_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)"),
    ("he-no-sqrt", "he_init", "return rng.standard_normal((n_in, n_out)) * (2.0 / n_in)"),
    ("he-glorot-fan-sum", "he_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))"),
    ("probe-stores-pre-activation", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n    a = prev @ init(prev.shape[1], node_num, rng)\n"
     "    prev = activation(a)\n    acts.append(a)\nreturn acts"),
    ("probe-no-chaining", "activation_probe",
     "return [activation(x @ init(x.shape[1], node_num, rng)) for _ in range(n_layers)]"),
    ("probe-reuses-first-w", "activation_probe",
     "acts, prev = [], x\nw = init(x.shape[1], node_num, rng)\nfor i in range(n_layers):\n"
     "    if i == 1:\n        w = w[:node_num] if w.shape[0] >= node_num else init(node_num, node_num, rng)\n"
     "    prev = activation(prev @ w)\n    acts.append(prev)\nreturn acts"),
    ("probe-one-layer-short", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers - 1):\n    prev = activation(prev @ init(prev.shape[1], node_num, rng))\n"
     "    acts.append(prev)\nreturn acts"),
    ("probe-transposed-init", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n    prev = activation(prev @ init(node_num, prev.shape[1], rng).T)\n"
     "    acts.append(prev)\nreturn acts"),
    ("probe-returns-lecture-dict", "activation_probe",
     "acts, prev = {}, x\nfor i in range(n_layers):\n    prev = activation(prev @ init(prev.shape[1], node_num, rng))\n"
     "    acts[i] = prev\nreturn acts"),
    ("probe-new-rng-per-layer", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n"
     "    prev = activation(prev @ init(prev.shape[1], node_num, np.random.default_rng()))\n"
     "    acts.append(prev)\nreturn acts"),
    ("penalty-no-half", "weight_decay_penalty", "return lam * sum(float(np.sum(w ** 2)) for w in weights)"),
    ("penalty-l1", "weight_decay_penalty", "return 0.5 * lam * sum(float(np.sum(np.abs(w))) for w in weights)"),
    ("penalty-first-matrix-only", "weight_decay_penalty", "return 0.5 * lam * float(np.sum(weights[0] ** 2))"),
    ("penalty-array-per-matrix", "weight_decay_penalty", "return 0.5 * lam * np.array([np.sum(w ** 2) for w in weights])"),
    ("grad-twice", "weight_decay_grad", "return 2 * lam * W"),
    ("grad-scalar", "weight_decay_grad", "return lam"),
    ("grad-missing-lambda", "weight_decay_grad", "return W"),
]

# Right answers in other forms: they must keep full marks.
CORRECT_VARIANTS = [
    ("sigmoid-textbook", "sigmoid", "return 1 / (1 + np.exp(-x))"),
    ("sigmoid-tanh-form", "sigmoid", "return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))"),
    ("relu-mask", "relu", "return x * (x > 0)"),
    ("xavier-rng-normal", "xavier_init", "return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))"),
    ("he-loop-over-columns", "he_init",
     "cols = [rng.standard_normal(n_in) * np.sqrt(2 / n_in) for _ in range(n_out)]\nreturn np.stack(cols, axis=1)"),
    ("probe-lecture-style-loop", "activation_probe",
     "activations = {}\nfor i in range(n_layers):\n    if i != 0:\n        x = activations[i - 1]\n"
     "    w = init(x.shape[1], node_num, rng)\n    activations[i] = activation(np.dot(x, w))\n"
     "return [activations[i] for i in range(n_layers)]"),
    ("penalty-loop", "weight_decay_penalty",
     "total = 0.0\nfor w in weights:\n    total += 0.5 * lam * np.sum(w * w)\nreturn total"),
]




def mutate(function: str, body: str, source: str | None = None) -> str:
    """The reference with ``function``'s solution region replaced by ``body``."""
    source = source if source is not None else reference_source()
    pattern = re.compile(rf"(def {function}\(.*?### BEGIN SOLUTION\n)(.*?)(\s*### END SOLUTION)", re.S)
    indent = "    "
    replaced, n = pattern.subn(lambda m: m.group(1) + "\n".join(indent + line for line in body.split("\n")) + m.group(3),
                               source, count=1)
    if n != 1:
        raise ValueError(f"no solution region for {function}")
    return replaced


def as_notebook(source: str, magics: bool = True) -> str:
    """A .py submission as a notebook: one cell per top-level def, with the IPython syntax students use."""
    header, _, body = source.partition("import numpy as np")
    functions = re.split(r"\n(?=def )", body.strip())
    first = ("%matplotlib inline\n!pip install numpy\n" if magics else "") + "import numpy as np\nimport matplotlib.pyplot as plt"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# 가중치의 초깃값 과제"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": first}]
    for i, fn in enumerate(functions):
        src = ("%%time\n" if magics and i % 3 == 1 else "") + fn
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": src})
    cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                  "source": "plt.plot(sigmoid(np.linspace(-5, 5, 50)))\nplt.show()"})
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                          "language": "python"}}, "cells": cells}
    return json.dumps(nb, ensure_ascii=False, indent=1)


KOREAN_NAMES = ["김민준", "이서연", "박지호", "최수아", "정예준", "강하은", "조도윤", "윤지우", "장시우", "임서윤",
                "한주원", "오하린", "서건우", "신지안", "권도현", "황수빈", "안예린", "송민재", "류채원", "홍길동",
                "전우진", "고은서", "문시윤", "양지민", "손하준", "배소율", "백승민", "허나연", "유준서", "남궁연"]


def sample_submissions() -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes) of about 30 submissions: right, wrong and broken, .py and .ipynb."""
    ref = reference_source()
    out: list[tuple[str, str, bytes]] = [
        ("correct", "weight_init.py", ref.encode()),
        ("correct, notebook with magics", "weight_init.ipynb", as_notebook(ref).encode()),
        ("correct, CP949 (Korean Windows)", "weight_init.py", ("# 한글 주석\n" + ref).encode("cp949")),
        ("correct, UTF-8 BOM + CRLF", "weight_init.py", codecs.BOM_UTF8 + ref.replace("\n", "\r\n").encode()),
    ]
    for label, fn, body in CORRECT_VARIANTS[:4]:
        src = mutate(fn, body, ref)
        out.append((f"correct ({label})", "weight_init.ipynb" if len(out) % 2 else "weight_init.py",
                    as_notebook(src).encode() if len(out) % 2 else src.encode()))
    picks = ["sigmoid-nan-at-1000", "relu-in-place", "normal-global-np-random", "xavier-fan-out", "xavier-one-over-n",
             "he-is-xavier", "he-no-sqrt", "probe-stores-pre-activation", "probe-no-chaining",
             "probe-returns-lecture-dict", "penalty-no-half", "grad-twice", "xavier-uniform-same-variance"]
    bodies = {m[0]: m for m in MUTANTS}
    for i, mid in enumerate(picks):
        _, fn, body = bodies[mid]
        src = mutate(fn, body, ref)
        notebook = i % 3 == 0
        out.append((f"mistake: {mid}", "weight_init.ipynb" if notebook else "weight_init.py",
                    as_notebook(src).encode() if notebook else src.encode()))
    stub = (REFERENCE_PATH.parent.parent / "assignment" / "weight_init.py")
    stub_text = stub.read_text(encoding="utf-8") if stub.is_file() else mutate("sigmoid", "raise NotImplementedError()", ref)
    out += [
        ("untouched stub", "weight_init.py", stub_text.encode()),
        ("syntax error in one function", "weight_init.py",
         mutate("relu", "return np.maximum(0, x", ref).encode()),
        ("infinite loop in one function", "weight_init.py", mutate("he_init", "while True:\n    pass", ref).encode()),
        ("top level never ends", "weight_init.py", (ref + "\nwhile True:\n    pass\n").encode()),
        ("exits the interpreter in one function", "weight_init.py",
         mutate("weight_decay_grad", "import os\nos._exit(0)", ref).encode()),
        ("empty file", "weight_init.py", b""),
        ("binary file", "weight_init.py", bytes(range(256)) * 4),
        ("truncated notebook", "weight_init.ipynb", as_notebook(ref).encode()[:700]),
        ("no code handed in", "report.txt", "보고서만 제출했습니다.\n".encode()),
    ]
    return out


def build_class(dest: Path, moodle_zip: bool = True) -> Path:
    """Write the sample class as a Moodle 'download all' zip (dest is the .zip) or as a folder."""
    subs = sample_submissions()
    if moodle_zip:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, (_label, filename, data) in enumerate(subs):
                folder = f"{KOREAN_NAMES[i % len(KOREAN_NAMES)]}_{1000001 + i}_assignsubmission_file_"
                info = zipfile.ZipInfo(f"{folder}/{filename}", date_time=(2026, 5, 11, 9, 0, 0))
                info.flag_bits |= 0x800  # names are UTF-8, as Moodle writes them
                zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            # Moodle adds an online-text folder when that plugin is on; it is not code.
            info = zipfile.ZipInfo(f"{KOREAN_NAMES[0]}_1000001_assignsubmission_onlinetext_/onlinetext.html",
                                   date_time=(2026, 5, 11, 9, 0, 0))
            info.flag_bits |= 0x800
            zf.writestr(info, "<p>제출합니다</p>")
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    for i, (_label, filename, data) in enumerate(subs):
        folder = dest / f"2026{i + 1:05d}"
        folder.mkdir(exist_ok=True)
        (folder / filename).write_bytes(data)
    return dest


def labels() -> dict[str, str]:
    """Moodle participant id -> what the sample submission is (for the demo's printout)."""
    return {str(1000001 + i): label for i, (label, _, _) in enumerate(sample_submissions())}


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.lectures.weight_init.instructor.samples OUT.zip`` (Moodle zip) or ``OUT_DIR --folder``: write the sample class."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.lectures.weight_init.instructor.samples", description=main.__doc__)
    parser.add_argument("dest")
    parser.add_argument("--folder", action="store_true", help="a folder of student folders instead of a Moodle zip")
    args = parser.parse_args(argv)
    path = build_class(Path(args.dest), moodle_zip=not args.folder)
    print(f"sample class of {len(sample_submissions())} submissions: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
