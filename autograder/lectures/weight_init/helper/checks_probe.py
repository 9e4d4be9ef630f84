"""Checks of activation_probe, with grader-made inits and activations only.

* exact: a deterministic init (fixed matrices per call) and an activation no student writes
  (softsign) make the correct output computable to round-off; this catches missing chaining, a
  reused or transposed W, stored pre-activations, a wrong layer count.
* the lecture's histograms: the lecture's protocol (x ~ N(0,1), 1000 x 100, 5 layers of 100) with
  weights at std 1, std 0.01, Xavier and He under sigmoid, and He under ReLU.  The weights are fixed
  matrices of those scales, so the right layers are known exactly (no calibrated band is needed, and
  none is kept here); the histograms are the lecture's figure.
* symmetry: with equal initial weights every unit of every layer is identical.
"""
from __future__ import annotations

import functools

import numpy as np

from autograder.helper.calls import CallReply, StudentRaised, build_callable
from autograder.helper.declare import describe
from autograder.helper.text import T, Text
from autograder.helper.wire import PREBUILT, CallableSpec, NormalArraySpec, RngSpec
from autograder.lectures.weight_init.helper.callables import TableInit
from autograder.lectures.weight_init.helper.contract import graded_check
from autograder.lectures.weight_init.helper.stats import histogram

EXACT_RTOL, EXACT_ATOL = 1e-9, 1e-12

#: The lecture's protocol: x ~ N(0,1) of shape (1000, 100); 5 layers of 100 units; no bias.
LECTURE_SAMPLES, LECTURE_INPUT_DIM, LECTURE_LAYERS, LECTURE_NODES = 1000, 100, 5, 100

#: (activation, init, init params) of each of the lecture's cases (the init's seed is added per check).
PROBE_CASES: dict[str, tuple[str, str, dict]] = {
    "sigmoid-std=1": ("sigmoid", "table", {"std": 1.0}),
    "sigmoid-std=0.01": ("sigmoid", "table", {"std": 0.01}),
    "sigmoid-Xavier": ("sigmoid", "table", {"gain": 1.0}),
    "sigmoid-He": ("sigmoid", "table", {"gain": 2.0}),
    "relu-He": ("relu", "table", {"gain": 2.0}),
}

LIST_HINT = T("Return a list with one array per layer, in order (the lecture's dict {0: ..., 1: ...} "
              "becomes [a1, a2, ...]).",
              "층마다 배열 하나씩, 순서대로 담은 리스트를 반환하세요 (강의의 딕셔너리 {0: ..., 1: ...} 대신 [a1, a2, ...]).")
LAYER_HINT = T("Layer i computes activation(prev @ W) with a new W = init(n_prev, node_num, rng), and prev is the "
               "previous layer's activations (x for the first layer).",
               "i번째 층은 새 W = init(n_prev, node_num, rng)로 activation(prev @ W)를 계산합니다. prev는 앞 층의 "
               "활성화 값입니다 (첫 층은 x).")


def layers_of(fb, value, n_layers: int, rows: int, node_num: int) -> list[np.ndarray]:
    """The returned layers as float arrays, or a failure that says what came back instead."""
    listed = T(f"a list of {n_layers} arrays", f"배열 {n_layers}개의 리스트")
    if isinstance(value, dict):
        fb.fail(listed, describe(value), LIST_HINT)
    if not isinstance(value, (list, tuple)):
        fb.fail(listed, describe(value),
                T("Collect every layer's activations and return them all, not only the last layer.",
                  "마지막 층만이 아니라 모든 층의 활성화 값을 모아 반환하세요."))
    fb.expect(len(value) == n_layers, T(f"{n_layers} layers", f"층 {n_layers}개"),
              T(f"{len(value)} layers", f"층 {len(value)}개"),
              T("One entry per hidden layer: loop n_layers times and append each layer's output.",
                "은닉층마다 하나씩: n_layers번 반복하며 각 층의 출력을 추가하세요."))
    return [fb.array(a, shape=(rows, node_num), what=layer_name(i + 1)) for i, a in enumerate(value)]


def layer_name(i: int) -> Text:
    return T(f"layer {i}", f"{i}층")


def expected_layers(x, init_spec, act_spec, n_layers, node_num, store_pre=False, chain=True):
    """The rule's layers for a grader-made init that ignores the rng (a table of fixed matrices);
    ``store_pre`` and ``chain=False`` model two typical mistakes, for the hints."""
    init = build_callable(init_spec.name, init_spec.params)
    act = build_callable(act_spec.name, act_spec.params)
    out, prev = [], x
    for _ in range(n_layers):
        a = (prev if chain else x) @ init(prev.shape[1] if chain else x.shape[1], node_num, None)
        z = act(a)
        out.append(a if store_pre else z)
        prev = z
    return out


_CHAIN_HINT = T("The matrices do not chain: layer 1 needs W = init(x.shape[1], node_num, rng) and every later layer "
                "init(node_num, node_num, rng), i.e. always init(prev.shape[1], node_num, rng), then prev @ W.",
                "행렬 크기가 이어지지 않습니다: 첫 층은 W = init(x.shape[1], node_num, rng), 그다음 층부터는 "
                "init(node_num, node_num, rng), 즉 항상 init(prev.shape[1], node_num, rng)로 뽑고 prev @ W를 계산하세요.")


def probe_call(student, *args, reuse: bool = False) -> CallReply:
    """A call of the probe; a matrix-shape error it raises gets the hint that explains it."""
    try:
        return student.call("activation_probe", *args, reuse=reuse)
    except StudentRaised as exc:
        text = str(exc.info.get("message", ""))
        if any(s in text for s in ("matmul", "not aligned", "core dimension", "shapes")):
            exc.info.setdefault("hint", _CHAIN_HINT)
        raise


def exact_inputs(variant, seed: int):
    rows, cols, n_layers, node_num = variant.probe_shape
    x = np.random.default_rng(seed).normal(size=(rows, cols))
    return x, n_layers, node_num, CallableSpec("table", {"seed": seed % 2**31}), CallableSpec("softsign")


def exact_run(student, variant, seed: int):
    """The probe on the exact check's inputs: one call per submission, judged by three checks."""
    x, n_layers, node_num, init, act = exact_inputs(variant, seed)
    reply = probe_call(student, x, init, act, n_layers, node_num, RngSpec(seed), reuse=True)
    return reply, x, n_layers, node_num, init, act


@graded_check("activation_probe", points=1, title=T("returns one (len(x), node_num) array per layer",
                                                    "층마다 (len(x), node_num) 배열 하나씩 반환"), aspect=True)
def check_activation_probe_layers(student, fb, variant, seed_for):
    reply, x, n_layers, node_num, _, _ = exact_run(student, variant, seed_for("probe-exact"))
    layers_of(fb, reply.value, n_layers, len(x), node_num)


@graded_check("activation_probe", points=2, title=T("exact activations for a known init and activation",
                                                    "정해진 초깃값·활성화 함수에서 정확한 값"))
def check_activation_probe_exact(student, fb, variant, seed_for):
    seed = seed_for("probe-exact")
    reply, x, n_layers, node_num, init, act = exact_run(student, variant, seed)
    got = layers_of(fb, reply.value, n_layers, len(x), node_num)
    want = expected_layers(x, init, act, n_layers, node_num)
    hint = LAYER_HINT
    if all(np.allclose(g, w) for g, w in zip(got, expected_layers(x, init, act, n_layers, node_num, store_pre=True))):
        hint = T("You stored prev @ W (before the activation); store activation(prev @ W).",
                 "활성화 함수 적용 전의 prev @ W를 저장했습니다. activation(prev @ W)를 저장하세요.")
    elif all(np.allclose(g, w) for g, w in zip(got, expected_layers(x, init, act, n_layers, node_num, chain=False))):
        hint = T("Every layer starts from x; each layer must take the previous layer's activations.",
                 "모든 층이 x에서 시작합니다. 각 층은 앞 층의 활성화 값을 입력으로 받아야 합니다.")
    elif reply.callable_logs and len(reply.callable_logs[0]) == 1 and n_layers > 1:
        hint = T("init was called once: draw a new W for every layer.",
                 "init을 한 번만 호출했습니다. 층마다 새 W를 뽑으세요.")
    for i, (g, w) in enumerate(zip(got, want), start=1):
        fb.allclose(g, w, layer_name(i), EXACT_RTOL, EXACT_ATOL, hint)


@graded_check("activation_probe", points=1, title=T("calls init(n_prev, node_num, rng) once per layer",
                                                    "층마다 init(n_prev, node_num, rng)을 한 번씩 호출"), aspect=True)
def check_activation_probe_init_calls(student, fb, variant, seed_for):
    """Judged from the calls alone: init is called once per layer with the shape (n_prev, node_num), n_prev
    being x.shape[1] for the first layer and node_num after it, and with the Generator the probe was given.
    What the probe returns is the other checks' business: a probe whose only bug is in its values (the
    activation skipped, a layer stored twice) keeps this point.  The calls are the ones the grader's init
    recorded as it ran in the child (their count, shapes and the seed of the rng it received).

    An aspect check, as it judges no value: like the shape checks, its point counts only beside a passing
    value check of the probe (else right calls and arrays of zeros would score), and is held with the
    aspect rule's message, which names the values, not the calls."""
    seed = seed_for("probe-exact")
    reply, x, n_layers, node_num, _init, _act = exact_run(student, variant, seed)
    log = reply.callable_logs[0] if reply.callable_logs else []
    shapes = [tuple(c[:2]) for c in log]
    want = [(x.shape[1] if i == 0 else node_num, node_num) for i in range(n_layers)]
    listed = f"{shapes[:8]}{' ...' if len(shapes) > 8 else ''}"
    shown = T(f"{len(log)} call(s): {listed}", f"{len(log)}번 호출: {listed}")
    expected = T(f"{n_layers} calls: {want}", f"{n_layers}번 호출: {want}")
    if len(log) != n_layers:
        fb.fail(expected, shown,
                T("init was never called: draw each layer's W with W = init(prev.shape[1], node_num, rng)."
                  if not log else
                  "init was called once: draw a new W for every layer, inside the loop over layers."
                  if len(log) == 1 else
                  "Draw one new weight matrix per layer, inside the loop over layers (n_layers calls in all).",
                  "init을 한 번도 호출하지 않았습니다. 층마다 W = init(prev.shape[1], node_num, rng)로 뽑으세요."
                  if not log else
                  "init을 한 번만 호출했습니다. 층 반복문 안에서 층마다 새 W를 뽑으세요."
                  if len(log) == 1 else
                  "층 반복문 안에서 층마다 새 가중치 행렬을 하나씩 뽑으세요 (모두 n_layers번)."))
    if shapes != want:
        if shapes == [w_[::-1] for w_ in want]:
            hint = T("init(n_in, n_out, ...) takes the previous layer's width first: init(prev.shape[1], node_num, rng).",
                     "init(n_in, n_out, ...)은 앞 층의 너비를 먼저 받습니다: init(prev.shape[1], node_num, rng).")
        else:
            hint = T("The first layer's n_in is x.shape[1]; after that it is node_num.",
                     "첫 층의 n_in은 x.shape[1], 그다음 층부터는 node_num입니다.")
        fb.fail(expected, shown, hint)
    fb.expect(all(c[2] == seed for c in log), T("init receives the rng given to the probe",
                                                "activation_probe가 받은 rng를 init이 받음"),
              T("a different rng (or none)", "다른 rng (또는 rng 없음)"),
              T("Pass the probe's own rng argument to init; do not create a new Generator.",
                "probe가 받은 rng를 그대로 init에 넘기세요. 새 Generator를 만들지 마세요."))


def lecture_specs(case: str, seed: int):
    """(x, init, activation) of one lecture case: x is built where it is used, not sent."""
    act_name, init_name, params = PROBE_CASES[case]
    return (NormalArraySpec(seed, (LECTURE_SAMPLES, LECTURE_INPUT_DIM)),
            CallableSpec(init_name, dict(params, seed=seed % 2**31)), CallableSpec(act_name))


def lecture_seeds(variant) -> list[tuple[str, int]]:
    """(case, seed) of each lecture case under ``variant``: the same for every submission of a
    class-wide week (they are the checks' ``class_seed_for``)."""
    return [(case, variant.check_seed(f"lecture:{case}", "")) for case in PROBE_CASES]


def prebuild(cases: list[tuple[str, int]]) -> None:
    """Draw the inputs of these lecture cases (x and every layer's weight table) into PREBUILT; run
    by the zygote before it forks the submissions' processes, which then copy instead of drawing."""
    for case, seed in cases:
        x, init, _act = lecture_specs(case, int(seed))
        keyed = [(("normal", x.seed, tuple(x.shape)), x.build)]
        params = init.params
        for k in range(LECTURE_LAYERS):
            n_in = LECTURE_INPUT_DIM if k == 0 else LECTURE_NODES
            keyed.append((("table", params["seed"], k, n_in, LECTURE_NODES, params.get("std"), params.get("gain")),
                          functools.partial(TableInit.matrix, params["seed"], k, n_in, LECTURE_NODES,
                                            params.get("std"), params.get("gain"))))
        for key, make in keyed:
            if key not in PREBUILT:
                made = make()
                made.flags.writeable = False
                PREBUILT[key] = made


CASE_HINTS = {
    "sigmoid-std=1": T("With std 1 the sigmoid outputs pile up at 0 and 1; check that each layer applies the "
                       "activation to prev @ W with the W that init returns.",
                       "표준편차 1이면 시그모이드 출력이 0과 1에 몰립니다. 각 층이 init이 준 W로 activation(prev @ W)를 "
                       "계산하는지 확인하세요."),
    "sigmoid-std=0.01": T("With std 0.01 every output sits near 0.5; check the chaining of layers.",
                          "표준편차 0.01이면 모든 출력이 0.5 근처에 모입니다. 층 연결을 확인하세요."),
    "sigmoid-Xavier": T("Under Xavier the spread narrows with depth but stays wide; each layer must feed the next.",
                        "Xavier에서는 깊어질수록 분포가 좁아지지만 넓게 퍼져 있습니다. 각 층이 다음 층의 입력이 되어야 합니다."),
    "sigmoid-He": T("Under He the first layer is wider than under Xavier; each layer must feed the next.",
                    "He에서는 첫 층이 Xavier보다 넓게 퍼집니다. 각 층이 다음 층의 입력이 되어야 합니다."),
    "relu-He": T("He with ReLU keeps the same spread in every layer; store relu(prev @ W) for every layer.",
                 "ReLU와 He를 쓰면 모든 층에서 퍼짐이 비슷합니다. 층마다 relu(prev @ W)를 저장하세요."),
}

_STORE_ACTIVATION = T("Store activation(prev @ W), not prev @ W.", "prev @ W가 아니라 activation(prev @ W)를 저장하세요.")


@functools.lru_cache(maxsize=16)
def lecture_expected(case: str, seed: int) -> tuple[tuple[np.ndarray, ...], list[list[int]]]:
    """The right layers of a lecture case and their histogram: the same for every submission of a
    class-wide week (its seed comes from the set-up, not the student), so computed once per batch."""
    x, init, act = lecture_specs(case, seed)
    layers = tuple(expected_layers(x.build(), init, act, LECTURE_LAYERS, LECTURE_NODES))
    for layer in layers:
        layer.flags.writeable = False
    return layers, histogram(list(layers))


@graded_check("activation_probe", points=1, title=T("lecture histogram {case}", "강의의 히스토그램 {case}"),
              params={"case": tuple(PROBE_CASES)})
def check_activation_probe_lecture_stats(student, fb, class_seed_for, case):
    """Exact, on the lecture's protocol with fixed weight tables; the inputs are the set-up's (not each
    student's), so the right layers are computed once per class."""
    seed = class_seed_for(f"lecture:{case}")
    x, init, act = lecture_specs(case, seed)
    reply = probe_call(student, x, init, act, LECTURE_LAYERS, LECTURE_NODES, RngSpec(seed))
    acts = layers_of(fb, reply.value, LECTURE_LAYERS, LECTURE_SAMPLES, LECTURE_NODES)
    want, want_counts = lecture_expected(case, seed)
    right = all(np.array_equal(g, w) or np.allclose(g, w, rtol=EXACT_RTOL, atol=EXACT_ATOL) for g, w in zip(acts, want))
    # The figure's data: the student's histogram and the reference's on the same inputs (ungraded).
    fb.artifacts["histogram"] = {"case": case, "counts": want_counts if right else histogram(acts), "seed": seed,
                                 "reference": want_counts}
    if right:
        return
    high = 1.0 if act.name == "sigmoid" else np.inf
    outside = [i for i, a in enumerate(acts, start=1) if not (a.min() >= 0.0 and a.max() <= high)]
    if outside:
        k = outside[0]
        a = acts[k - 1]
        span = "[0, 1]" if high == 1.0 else "[0, inf)"
        low_, high_ = f"{float(a.min()):.3g}", f"{float(a.max()):.3g}"
        fb.fail(T(f"{act.name} activations in {span} in every layer", f"모든 층의 {act.name} 활성화 값이 {span} 안"),
                T(f"layer {k} of {len(acts)} has values from {low_} to {high_}"
                  + (f" (layers out of range: {outside})" if len(outside) > 1 else ""),
                  f"{len(acts)}개 층 중 {k}층의 값이 {low_}부터 {high_}까지"
                  + (f" (범위를 벗어난 층: {outside})" if len(outside) > 1 else "")),
                _STORE_ACTIVATION if len(outside) == len(acts) else
                T(f"Only layer(s) {outside} are out of range: every layer must store activation(prev @ W) with the "
                  "activation the probe is given.",
                  f"{outside}층만 범위를 벗어났습니다: 모든 층이 probe가 받은 활성화 함수로 activation(prev @ W)를 "
                  "저장해야 합니다."))
    for i, (g, w) in enumerate(zip(acts, want), start=1):
        fb.allclose(g, w, T(f"{case}: layer {i}", f"{case}: {i}층"), EXACT_RTOL, EXACT_ATOL, CASE_HINTS[case])


@graded_check("activation_probe", points=1, title=T("equal initial weights give identical units",
                                                    "같은 초깃값이면 모든 노드가 같은 값"), aspect=True)
def check_activation_probe_symmetry(student, fb, seed):
    x = np.random.default_rng(seed).normal(size=(50, 20))
    reply = probe_call(student, x, CallableSpec("constant", {"value": 0.05}), CallableSpec("sigmoid"), 3, 10,
                       RngSpec(seed))
    for i, layer in enumerate(layers_of(fb, reply.value, 3, len(x), 10), start=1):
        spread = float(np.max(np.abs(layer - layer[:, :1])))
        fb.expect(spread <= 1e-12, T(f"layer {i}: every unit (column) identical", f"{i}층: 모든 노드(열)가 같음"),
                  T(f"units differ by up to {spread:.3g}", f"노드 사이의 차이가 최대 {spread:.3g}"),
                  T("With equal weights each unit sums the same inputs with the same weights; the probe must use "
                    "exactly the W that init returns (no extra noise, no reordering).",
                    "가중치가 모두 같으면 모든 노드가 같은 입력을 같은 가중치로 더합니다. probe는 init이 반환한 W를 "
                    "그대로 써야 합니다 (잡음 추가나 순서 변경 없이)."))
