"""Checks of normal_init, xavier_init and he_init.

Each init is drawn on non-square shapes (fan-in and fan-out only differ there) with at least 40,000
weights, so the statistical rules are many standard errors wide:

======================  =========================================  ==========================
rule                    decision                                   false-fail rate (n >= 4e4)
======================  =========================================  ==========================
std                     |s / sigma - 1| <= 3 %                     < 1e-16 per matrix
mean                    |mean| <= 0.03 s (the weights' own std)    < 2e-9 per matrix
distribution (KS)       p >= 1e-6 for W / s against N(0, 1)        <= 1e-6 (conservative;
                        on the first 20,000 weights)
======================  =========================================  ==========================

The rng contract and symmetry breaking are exact (false-fail rate 0).
"""
from __future__ import annotations

import numpy as np

from autograder.helper.declare import fmt
from autograder.helper.text import T, Text
from autograder.lectures.weight_init.helper.contract import graded_check
from autograder.helper.wire import RngSpec
from autograder.lectures.weight_init.helper.stats import KS_ALPHA, KS_SAMPLE, MEAN_TOL, STD_REL_TOL, ks_normal_shape

INITS = ("normal_init", "xavier_init", "he_init")
RULE = {"normal_init": "std", "xavier_init": "1/sqrt(n_in)", "he_init": "sqrt(2/n_in)"}


def target_std(fn: str, n_in: int, std: float | None = None) -> float:
    if fn == "normal_init":
        return float(std)
    return float(np.sqrt((1.0 if fn == "xavier_init" else 2.0) / n_in))


def draw(student, fn: str, n_in: int, n_out: int, seed: int, std: float | None = None, reuse: bool = False):
    args = (n_in, n_out, RngSpec(seed)) + ((std,) if fn == "normal_init" else ())
    return student.call(fn, *args, reuse=reuse)


def cases(fn: str, variant) -> list[tuple[int, int, float | None]]:
    """(n_in, n_out, std argument) of every matrix the shape and statistical checks judge."""
    if fn == "normal_init":
        (a, b), (c, d) = variant.init_shapes[:2]
        return [(a, b, variant.std_large), (c, d, variant.std_small)]
    return [(n_in, n_out, None) for n_in, n_out in variant.init_shapes]


def draws(student, fn: str, variant, seed_for) -> list[tuple]:
    """The matrices of ``cases``, drawn once per submission and shared by the shape, mean, std and
    distribution checks (each judges the same draw; a correct draw fails any of them with the
    rates in the table above)."""
    return [(n_in, n_out, std, draw(student, fn, n_in, n_out, seed_for(f"draws:{fn}:{k}"), std, reuse=True))
            for k, (n_in, n_out, std) in enumerate(cases(fn, variant))]


def finite_draws(fb, student, fn: str, variant, seed_for):
    """``draws`` as float arrays of the right shape with finite values, or a failure saying otherwise."""
    for n_in, n_out, std, reply in draws(student, fn, variant, seed_for):
        w = fb.array(reply.value, shape=(n_in, n_out), what=fn)
        fb.finite(w, fn)
        yield n_in, n_out, std, w


def mistake_hint(fn: str, ratio: float, n_in: int, n_out: int, std: float | None) -> Text:
    """Name the typical mistake whose std ratio (measured / intended) matches the measurement."""
    if fn == "normal_init":
        known = {1.0 / std: T("The weights have std 1: multiply the standard normal draw by std.",
                              "표준편차가 1입니다: 표준정규분포에서 뽑은 값에 std를 곱하세요."),
                 std: T("That is std squared (the variance); multiply by std, not std**2.",
                        "std의 제곱(분산)을 곱했습니다. std**2가 아니라 std를 곱하세요."),
                 1.0 / np.sqrt(std): T("That is sqrt(std); multiply by std itself.",
                                       "sqrt(std)를 곱했습니다. std 자체를 곱하세요."),
                 1.0 / np.sqrt(3.0): T("A uniform draw U(-std, std) has std/sqrt(3); use rng.normal(0, std, ...).",
                                       "균등분포 U(-std, std)의 표준편차는 std/sqrt(3)입니다. rng.normal(0, std, ...)을 쓰세요.")}
    else:
        gain = 1.0 if fn == "xavier_init" else 2.0
        glorot = T("That is the Glorot rule with (n_in + n_out); the lecture's rule uses the previous layer's "
                   "n_in only.", "(n_in + n_out)을 쓰는 Glorot 규칙입니다. 강의의 규칙은 앞 층의 n_in만 씁니다.")
        known = {np.sqrt(n_in / n_out): T("You scaled by n_out; the rule uses the previous layer's node count n_in.",
                                          "n_out으로 나눴습니다. 규칙은 앞 층의 노드 수 n_in을 씁니다."),
                 np.sqrt(n_in / gain): T("The weights have std 1: scale the standard normal draw.",
                                        "표준편차가 1입니다: 표준정규분포 값에 배율을 곱하세요."),
                 np.sqrt(gain / n_in): T("You used gain/n without the square root; the std is the square root of the variance.",
                                         "제곱근 없이 gain/n을 곱했습니다. 표준편차는 분산의 제곱근입니다."),
                 # Glorot's sqrt(2 / (n_in + n_out)), and the same without its factor 2
                 np.sqrt(2.0 * n_in / (gain * (n_in + n_out))): glorot,
                 np.sqrt(n_in / (gain * (n_in + n_out))): glorot,
                 1.0 / np.sqrt(3.0): T("A uniform draw U(-s, s) has std s/sqrt(3); draw from a normal distribution.",
                                       "균등분포 U(-s, s)의 표준편차는 s/sqrt(3)입니다. 정규분포에서 뽑으세요.")}
        if fn == "xavier_init":
            known[np.sqrt(2.0)] = T("That is He's sqrt(2/n_in); Xavier is 1/sqrt(n_in).",
                                    "He의 sqrt(2/n_in)입니다. Xavier는 1/sqrt(n_in)입니다.")
        else:
            known[np.sqrt(0.5)] = T("That is Xavier's 1/sqrt(n_in); He is sqrt(2/n_in) (for ReLU).",
                                    "Xavier의 1/sqrt(n_in)입니다. He는 sqrt(2/n_in)입니다 (ReLU용).")
    for r, hint in known.items():
        if abs(ratio / r - 1.0) < 0.04:
            return hint
    return T(f"{fn}: draw N(0, 1) with the rng and multiply by {RULE[fn]}.",
             f"{fn}: rng로 N(0, 1)을 뽑고 {RULE[fn]}을 곱하세요.")


@graded_check("{fn}", points=1, title=T("returns shape (n_in, n_out)", "(n_in, n_out) 모양 반환"),
              params={"fn": INITS}, aspect=True)
def check_init_shape(student, fb, variant, seed_for, fn):
    for n_in, n_out, _std, reply in draws(student, fn, variant, seed_for):
        fb.array(reply.value, shape=(n_in, n_out), what=f"{fn}({n_in}, {n_out}, ...)",
                 hint=T("Rows are the n_in inputs, columns the n_out units: shape (n_in, n_out).",
                        "행은 입력 n_in개, 열은 노드 n_out개입니다: 모양 (n_in, n_out)."))


@graded_check("{fn}", points=1, title=T("mean close to 0", "평균이 0에 가까움"), false_fail_rate=4e-9,
              params={"fn": INITS}, aspect=True)
def check_init_mean(student, fb, variant, seed_for, fn):
    """Judged against the weights' own spread (the std check judges the scale), so a centred draw of
    the wrong scale keeps this point."""
    for n_in, n_out, std, w in finite_draws(fb, student, fn, variant, seed_for):
        s = float(w.std())
        unit_interval = bool(w.min() >= 0.0 and w.max() < 1.0)
        fb.expect(abs(w.mean()) <= MEAN_TOL * s,
                  T(f"mean 0 ± {fmt(MEAN_TOL * s)} (0.03 × the weights' std {fmt(s)}), {w.size:,} weights",
                    f"평균 0 ± {fmt(MEAN_TOL * s)} (가중치 표준편차 {fmt(s)}의 0.03배), 가중치 {w.size:,}개"),
                  T(f"mean {fmt(w.mean())}", f"평균 {fmt(w.mean())}"),
                  T("Weights are centred at 0: N(0, std^2), not a draw from [0, 1) (rng.random).",
                    "가중치의 중심은 0입니다: [0, 1) 범위(rng.random)가 아니라 N(0, std^2)에서 뽑으세요.")
                  if unit_interval else
                  T("Weights are centred at 0: draw N(0, 1) and multiply by the scale; do not add an offset.",
                    "가중치의 중심은 0입니다: N(0, 1)에서 뽑아 배율만 곱하고 값을 더하지 마세요."))


@graded_check("{fn}", points=2, title=T("std follows the rule", "표준편차가 규칙을 따름"), false_fail_rate=1e-15,
              params={"fn": INITS})
def check_init_std(student, fb, variant, seed_for, fn):
    for n_in, n_out, std, w in finite_draws(fb, student, fn, variant, seed_for):
        s = target_std(fn, n_in, std)
        measured = float(w.std())
        rule = f"std={std}" if fn == "normal_init" else f"{RULE[fn]}, n_in={n_in}, n_out={n_out}"
        fb.expect(abs(measured / s - 1.0) <= STD_REL_TOL,
                  T(f"std {fmt(s)} ± 3% ({rule})", f"표준편차 {fmt(s)} ± 3% ({rule})"),
                  T(f"std {fmt(measured)} over {w.size:,} weights", f"가중치 {w.size:,}개의 표준편차 {fmt(measured)}"),
                  mistake_hint(fn, measured / s, n_in, n_out, std))


@graded_check("{fn}", points=1, title=T("normally distributed (KS test)", "정규분포를 따름 (KS 검정)"),
       false_fail_rate=KS_ALPHA, params={"fn": INITS})
def check_init_distribution(student, fb, variant, seed_for, fn):
    n_in, n_out, std, reply = draws(student, fn, variant, seed_for)[0]
    w = fb.array(reply.value, shape=(n_in, n_out), what=fn)
    fb.finite(w, fn)
    sample = w.ravel()[:KS_SAMPLE]  # enough for the rule (see KS_SAMPLE), a quarter of the sort
    d, p = ks_normal_shape(sample)
    if p >= KS_ALPHA:
        return
    centred = w - w.mean()  # only to choose the hint: a uniform draw has excess kurtosis -1.2
    kurt = float(np.mean(centred**4) / max(np.mean(centred**2) ** 2, 1e-300) - 3.0)
    uniform = abs(kurt + 1.2) < 0.2
    fb.expect(p >= KS_ALPHA,
              T(f"KS p-value >= {KS_ALPHA:g} against a normal shape ({sample.size:,} weights)",
                f"정규분포 모양에 대한 KS 검정 p값 >= {KS_ALPHA:g} (가중치 {sample.size:,}개)"),
              T(f"KS distance {d:.4f}, p = {p:.2g}, excess kurtosis {kurt:.2f} (normal: 0, uniform: -1.2)",
                f"KS 거리 {d:.4f}, p = {p:.2g}, 초과 첨도 {kurt:.2f} (정규분포: 0, 균등분포: -1.2)"),
              T("The weights look uniform: use rng.standard_normal or rng.normal, not rng.random/rng.uniform."
                if uniform else "Draw from a normal distribution: rng.standard_normal((n_in, n_out)) * scale.",
                "균등분포처럼 보입니다: rng.random/rng.uniform 대신 rng.standard_normal 또는 rng.normal을 쓰세요."
                if uniform else "정규분포에서 뽑으세요: rng.standard_normal((n_in, n_out)) * 배율."))


@graded_check("{fn}", points=1, title=T("uses the rng it is given", "주어진 rng를 사용함"),
              params={"fn": INITS}, aspect=True)
def check_init_rng(student, fb, seed, fn):
    n_in, n_out = 30, 20
    a = fb.array(draw(student, fn, n_in, n_out, seed, 0.5).value, shape=(n_in, n_out), what=fn)
    b = fb.array(draw(student, fn, n_in, n_out, seed, 0.5).value, shape=(n_in, n_out), what=fn)
    c = fb.array(draw(student, fn, n_in, n_out, seed + 1, 0.5).value, shape=(n_in, n_out), what=fn)
    fb.expect(np.array_equal(a, b), T("the same weights from two Generators in the same state",
                                      "상태가 같은 두 Generator에서 같은 가중치"),
              T("different weights", "서로 다른 가중치"),
              T("Draw with the rng argument (rng.standard_normal(...)), not np.random.* or a new default_rng().",
                "np.random.*나 새 default_rng() 대신 인자로 받은 rng로 뽑으세요 (rng.standard_normal(...))."))
    fb.expect(not np.array_equal(a, c), T("different weights from Generators in different states",
                                          "상태가 다른 Generator에서 서로 다른 가중치"),
              T("identical weights", "똑같은 가중치"),
              T("Do not re-seed inside the function (e.g. default_rng(0)): the caller's rng decides the draw.",
                "함수 안에서 시드를 다시 정하지 마세요 (예: default_rng(0)). 뽑는 값은 호출한 쪽의 rng가 정합니다."))


@graded_check("{fn}", points=1, title=T("units start different (symmetry broken)", "노드마다 다른 초깃값 (대칭 깨기)"),
              params={"fn": INITS}, aspect=True)
def check_init_units_differ(student, fb, seed, fn):
    n_in, n_out = 100, 50
    w = fb.array(draw(student, fn, n_in, n_out, seed, 0.5).value, shape=(n_in, n_out), what=fn)
    fb.finite(w, fn)
    # Columns compared by their bytes (+ 0.0 turns -0.0 into 0.0, as np.unique's equality does):
    # np.unique(w, axis=1) sorted the whole matrix for the same count.
    distinct = len({column.tobytes() for column in np.ascontiguousarray((w + 0.0).T)})
    fb.expect(distinct == n_out, T(f"{n_out} different columns (one per unit)", f"서로 다른 열 {n_out}개 (노드마다 하나)"),
              T(f"{distinct} different columns", f"서로 다른 열 {distinct}개"),
              T("Equal initial weights make every unit compute and learn the same thing: draw every weight independently.",
                "초깃값이 같으면 모든 노드가 같은 값을 계산하고 똑같이 갱신됩니다. 가중치를 모두 독립적으로 뽑으세요."))
