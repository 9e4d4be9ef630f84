"""The jail's cost per submission: one child's life (spawn, load, one call, kill) jailed vs not.

What a submission pays for the jail is the difference between the two; the jail's start-up
(bwrap, then the zygote's imports) is paid once per judge process and is printed apart.  Both
kinds of cycle alternate in one run, so a busy machine slows both alike; the anchor is a bare
``python -c "import numpy"`` start-up, measured in the same run (goal: <= 5 ms per submission).

    python benchmarks/jail_cost.py [--cycles N]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from autograder.engine.sandbox.jail import build
from autograder.engine.sandbox.limits import Limits
from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES
from autograder.engine.sandbox.launchers import ZygoteLauncher
from autograder.engine.sandbox.runner import Sandbox

SOURCE = "import numpy as np\n\ndef relu(x):\n    return np.maximum(0, x)\n"


def start(jail) -> tuple[ZygoteLauncher, float]:
    began = time.perf_counter()
    launcher = ZygoteLauncher(REPLY_MAX_BYTES, jail=jail)
    launcher.start()
    launcher._wait_ready()  # bwrap has built the jail and the zygote has imported numpy and matplotlib
    return launcher, time.perf_counter() - began


def cycle(launcher: ZygoteLauncher) -> float:
    began = time.perf_counter()
    sandbox = Sandbox([{"source": SOURCE, "name": "bench"}], ["relu"], Limits(), launcher, setup={})
    sandbox.call("relu", 1.0)
    sandbox.close()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=200)
    args = parser.parse_args()
    anchor = statistics.median(
        _wall([sys.executable, "-c", "import numpy"]) for _ in range(5))
    jailed, jail_start = start(build())
    bare, bare_start = start(None)
    times = {"jail": [], "bare": []}
    try:
        for _ in range(args.cycles):
            times["jail"].append(cycle(jailed))
            times["bare"].append(cycle(bare))
    finally:
        jailed.close()
        bare.close()
    j, b = statistics.median(times["jail"]), statistics.median(times["bare"])
    print(f"anchor  python -c 'import numpy': {anchor * 1000:.1f} ms")
    print(f"start-up once per judge: jailed {jail_start * 1000:.0f} ms, bare zygote {bare_start * 1000:.0f} ms")
    print(f"one submission's child (spawn, load, call, kill), median of {args.cycles}: "
          f"jailed {j * 1000:.2f} ms, bare {b * 1000:.2f} ms")
    print(f"jail cost per submission: {(j - b) * 1000:.2f} ms (goal <= 5 ms) = {(j - b) / anchor:.3f}x the anchor")
    return 0


def _wall(cmd: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - began


if __name__ == "__main__":
    sys.exit(main())
