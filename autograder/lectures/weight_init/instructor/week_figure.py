"""The feedback figure at the week's set-up: an ungraded look at the student's probe.

The lecture-histogram checks grade ``activation_probe`` on the lecture's set-up (5 layers of 100 units,
1000 inputs of 100 values, std 1 / 0.01): that is what their exact comparison is built on, and it stays
so.  A released week draws its own set-up (numbers.py: ``n_samples``, ``input_dim``, ``n_layers``,
``node_num``, ``std_large``, ``std_small``), and the notebook's figure shows the week's.  So that the
feedback page shows the same, :func:`probe_at_week` calls the student's probe once more per lecture case,
at the week's numbers, **after** every graded check of the submission has run and its results are fixed
(engine: ``Assignment.after_checks``): nothing it does can change a score, and a call that fails only
leaves its row of the figure empty.  It runs only when the week's set-up differs from the lecture's, only
for the cases whose graded call returned drawable layers, and stops at the first failure (a slow probe
costs one timeout at most).  The reference side is the right layers on the very same inputs (the same
grader-made x and weight tables), computed in the judge once per class (per student in a per-student
week) and recorded beside the student's counts.
"""
from __future__ import annotations

from functools import lru_cache

from autograder.helper.calls import StudentFailure
from autograder.helper.declare import CheckFailed, Feedback
from autograder.helper.wire import CallableSpec, NormalArraySpec, RngSpec
from autograder.lectures.weight_init.helper import checks_probe as probe
from autograder.lectures.weight_init.helper.stats import histogram

#: The artifact the lecture-histogram checks record, and the one this module adds beside it.
LECTURE_ARTIFACT, WEEK_ARTIFACT = "histogram", "week_histogram"
#: Inputs of the figure's calls: a histogram's shape does not depend on how many rows make it, and the
#: week's 500-1000 rows (each call returns every layer) made the look 30% of a submission's grading time.
FIGURE_SAMPLES = 200
#: The lecture's set-up, in the order of :func:`week_setup` (what the graded checks use).
LECTURE_SET_UP = (probe.LECTURE_SAMPLES, probe.LECTURE_INPUT_DIM, probe.LECTURE_LAYERS, probe.LECTURE_NODES,
                  probe.PROBE_CASES["sigmoid-std=1"][2]["std"], probe.PROBE_CASES["sigmoid-std=0.01"][2]["std"])


def week_setup(variant) -> tuple | None:
    """(n_samples, input_dim, n_layers, node_num, std_large, std_small) of the week, or None when it is the
    lecture's own (the graded checks' figure is then the week's already)."""
    setup = (int(variant.n_samples), int(variant.input_dim), int(variant.n_layers), int(variant.node_num),
             float(variant.std_large), float(variant.std_small))
    return None if setup == LECTURE_SET_UP else setup


def week_case(case: str, setup: tuple) -> tuple[str, str, dict]:
    """(row label, activation, weight-table params) of a lecture case at the week's set-up: the two plain
    stds become the week's, Xavier and He stay."""
    act, _init, params = probe.PROBE_CASES[case]
    if "std" in params:
        std = setup[4] if params["std"] == LECTURE_SET_UP[4] else setup[5]
        return f"{act}-std={std:g}", act, {"std": std}
    return case, act, dict(params)


def week_seed(variant, case: str) -> int:
    """The seed of a case's inputs at the week's set-up: shared by a class-wide week's submissions."""
    return variant.check_seed(f"week-figure:{case}", "")


def week_specs(case: str, setup: tuple, seed: int):
    n_samples, input_dim = setup[0], setup[1]
    _label, act, params = week_case(case, setup)
    return (NormalArraySpec(seed, (n_samples, input_dim)), CallableSpec("table", dict(params, seed=seed % 2**31)),
            CallableSpec(act))


def probe_at_week(student, variant, results) -> dict[str, dict]:
    """{check id: {WEEK_ARTIFACT: {"case", "counts", "reference", "seed", "seeds", "setup"}}} for the lecture-histogram checks whose
    graded call drew a histogram; {} when the week's set-up is the lecture's.  Never raises for the
    student's code: a failing call ends the look (its row and the later ones stay empty)."""
    setup = week_setup(variant)
    if setup is None:
        return {}
    setup = (min(setup[0], FIGURE_SAMPLES),) + setup[1:]
    drawn = {r.check_id for r in results if (r.artifacts or {}).get(LECTURE_ARTIFACT)}
    n_samples, _input_dim, n_layers, node_num = setup[:4]
    seeds = {case: week_seed(variant, case) for case in probe.PROBE_CASES}
    out: dict[str, dict] = {}
    for case in probe.PROBE_CASES:
        check_id = f"check_activation_probe_lecture_stats[{case}]"
        if check_id not in drawn:
            continue
        seed = seeds[case]
        x, init, act = week_specs(case, setup, seed)
        try:
            reply = probe.probe_call(student, x, init, act, n_layers, node_num, RngSpec(seed))
        except StudentFailure:
            break  # an error, a timeout or a crash: no more calls for a figure
        try:
            acts = probe.layers_of(Feedback(), reply.value, n_layers, n_samples, node_num)
        except CheckFailed:
            continue  # not drawable (wrong shapes): an empty row
        out[check_id] = {WEEK_ARTIFACT: {"case": week_case(case, setup)[0], "counts": histogram(acts),
                                         "reference": week_reference(case, seed, setup), "seed": seed,
                                         "seeds": seeds, "setup": list(setup)}}
    return out


@lru_cache(maxsize=64)
def week_reference(case: str, seed: int, setup: tuple) -> list[list[int]]:
    """Histogram counts of the right layers of a case at the week's set-up, on the inputs the student's
    probe got (the same for every submission of a class-wide week: computed once per judge)."""
    x, init, act = week_specs(case, setup, seed)
    return histogram(probe.expected_layers(x.build(), init, act, setup[2], setup[3]))
