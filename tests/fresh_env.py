"""A Python environment with only what a student's Jupyter has: numpy, matplotlib, ipykernel, nbclient.

Built without a network: a venv with no pip whose site-packages holds links to exactly those
distributions and what they require, taken from the kit's own environment (the closure the
jail uses for numpy and matplotlib).  Nothing of the kit (autograder, nbgrader, pytest) is in it,
and its Jupyter and IPython folders are its own, so no kernel spec of the machine leaks in.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.engine.sandbox.jail import site_entries
from tests.kernels import CELL_TIMEOUT, PROCESS_TIMEOUT, STARTUP_TIMEOUT, retry_on_kernel_failure

#: What a bare Jupyter or Colab runtime has (the assignment needs nothing more).
STUDENT_DISTRIBUTIONS = ("numpy", "matplotlib", "ipykernel", "nbclient")

_RUNNER = """
import json, sys
import nbformat
from nbclient import NotebookClient

path, folder, cell_timeout, startup_timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=cell_timeout, startup_timeout=startup_timeout, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": folder}}).execute()
nbformat.write(nb, path)
"""

#: A last cell that says where the kernel runs and what it could import.
PROBE_CELL = ("import importlib.metadata, importlib.util, json, sys\n"
              "print(json.dumps({'python': sys.executable,\n"
              "                  'kit': [m for m in ('autograder', 'nbgrader', 'pytest') if importlib.util.find_spec(m)],\n"
              "                  'distributions': sorted({d.metadata['Name'].lower().replace('_', '-')\n"
              "                                           for d in importlib.metadata.distributions()})}))")


class FreshEnv:
    def __init__(self, root: Path):
        self.root = root
        self.python = root / "bin" / "python"

    @classmethod
    def build(cls, root: Path) -> "FreshEnv":
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(root)], check=True, timeout=PROCESS_TIMEOUT)
        site = next(root.glob("lib/python3*/site-packages"))
        for name, host in site_entries(STUDENT_DISTRIBUTIONS, metadata_too=True).items():
            (site / name).symlink_to(host)
        return cls(root)

    def env(self) -> dict:
        home = self.root / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JUPYTER", "IPYTHON", "VIRTUAL_ENV"))}
        env.update(PATH=f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}", HOME=str(home),
                   JUPYTER_CONFIG_DIR=str(home / "jupyter-config"), JUPYTER_DATA_DIR=str(home / "jupyter-data"),
                   JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"), IPYTHONDIR=str(home / "ipython"),
                   PYTHONNOUSERSITE="1", MPLBACKEND="Agg", MPLCONFIGDIR=str(home / "mpl"))
        return env

    def execute(self, notebook: Path) -> dict:
        """Run ``notebook`` (in its own folder, where the helper is) top to bottom in this environment's
        kernel, with a last cell that reports the kernel's interpreter and what it could import; the
        notebook is saved with its outputs and returned as JSON, with the report under ``"probe"``."""
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "fresh-env-probe", "metadata": {},
                            "outputs": [], "source": PROBE_CELL})
        notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        runner = self.root / "run_notebook.py"
        runner.write_text(_RUNNER, encoding="utf-8")

        def run():
            subprocess.run([str(self.python), str(runner), str(notebook), str(notebook.parent), str(CELL_TIMEOUT),
                            str(STARTUP_TIMEOUT)], check=True, capture_output=True, text=True, env=self.env(),
                           cwd=notebook.parent, timeout=PROCESS_TIMEOUT)

        retry_on_kernel_failure(run)
        done = json.loads(notebook.read_text(encoding="utf-8"))
        probe = done["cells"].pop()
        printed = "".join("".join(o.get("text", "")) for o in probe["outputs"] if o["output_type"] == "stream")
        done["probe"] = json.loads(printed or "null")
        return done
