"""The week's eclass (Moodle) quiz bank: numbers from the reference solution under the variant.

Six numerical templates, each with two variants in a category of its own
(``$course$/initlab/weekNN/<template>``) so that a Moodle quiz can draw a "random question
from category" per template, and five conceptual multiple-choice questions in Korean with
English.  Every numerical answer is computed here by the reference code (never typed).
"""
from __future__ import annotations

import numpy as np

from autograder.config import Variant
from autograder.export.quiz import Category, Choice, MultiChoice, Numerical
from autograder.reference import functions as ref


def _rng(variant: Variant, template: str) -> np.random.Generator:
    return np.random.default_rng(variant.quiz_seed(template) % 2**63)


def _fan_ins(variant: Variant, template: str) -> list[int]:
    options = [64, 80, 100, 128, 196, 256, 300, 400, 500, 784, 1000]
    picks = _rng(variant, template).choice(len(options), size=2, replace=False)
    return [options[int(i)] for i in sorted(picks)]


def _matrix_text(w: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in w) + "]"


def numerical_templates(variant: Variant) -> dict[str, list[Numerical]]:
    """template -> its questions (two variants each)."""
    week = f"W{variant.week:02d}"
    out: dict[str, list[Numerical]] = {}

    out["xavier_std"] = [
        Numerical(f"{week} xavier_std n={n}",
                  (f"앞 층의 노드가 {n}개일 때 Xavier 초깃값의 표준편차는? (소수점 넷째 자리까지)",
                   f"What is the standard deviation of Xavier initial weights when the previous layer has {n} "
                   "nodes? (4 decimals)"),
                  answer=1.0 / np.sqrt(n), tolerance=5e-4, feedback=f"1/√{n}")
        for n in _fan_ins(variant, "xavier_std")]

    out["he_std"] = [
        Numerical(f"{week} he_std n={n}",
                  (f"앞 층의 노드가 {n}개인 ReLU 층에 쓰는 He 초깃값의 표준편차는? (소수점 넷째 자리까지)",
                   f"What is the standard deviation of He initial weights for a ReLU layer after {n} nodes? "
                   "(4 decimals)"),
                  answer=np.sqrt(2.0 / n), tolerance=5e-4, feedback=f"√(2/{n})")
        for n in _fan_ins(variant, "he_std")]

    rng = _rng(variant, "preactivation_std")
    out["preactivation_std"] = []
    for n in _fan_ins(variant, "preactivation_std"):
        s = float(rng.choice([0.01, 0.05, 0.1, 0.5, 1.0]))
        out["preactivation_std"].append(Numerical(
            f"{week} preactivation_std n={n} s={s:g}",
            (f"입력 x의 각 성분이 N(0, 1)이고 가중치가 N(0, {s:g}²)일 때, 입력 {n}개를 받는 노드의 가중합 a = x·w 의 표준편차는? "
             "(소수점 둘째 자리까지)",
             f"Inputs are N(0, 1) and weights N(0, {s:g}²). What is the standard deviation of a unit's weighted "
             f"sum a = x·w over {n} inputs? (2 decimals)"),
            answer=s * np.sqrt(n), tolerance=max(0.005, 0.005 * s * np.sqrt(n)), feedback=f"{s:g}·√{n}"))

    out["saturation"] = []
    for k, std in enumerate(sorted({variant.std_large, 2.0 if variant.std_large != 2.0 else 0.5})):
        seed = variant.quiz_seed("saturation", k) % 2**32
        r = np.random.default_rng(seed)
        x = r.standard_normal((1000, 100))
        a1 = ref.sigmoid(x @ ref.normal_init(100, 100, r, std))
        frac = float(np.mean((a1 < 0.02) | (a1 > 0.98)))
        out["saturation"].append(Numerical(
            f"{week} saturation std={std:g}",
            (f"다음 코드로 만든 시그모이드 층에서 0.02 미만 또는 0.98 초과인 값의 비율은? (소수점 둘째 자리까지)\n"
             f"rng = np.random.default_rng({seed}); x = rng.standard_normal((1000, 100)); "
             f"a = sigmoid(x @ (rng.standard_normal((100, 100)) * {std:g}))",
             f"What fraction of this sigmoid layer's values is below 0.02 or above 0.98? (2 decimals)\n"
             f"rng = np.random.default_rng({seed}); x = rng.standard_normal((1000, 100)); "
             f"a = sigmoid(x @ (rng.standard_normal((100, 100)) * {std:g}))"),
            answer=frac, tolerance=0.03, feedback="np.mean((a < 0.02) | (a > 0.98))"))

    rng = _rng(variant, "penalty")
    out["penalty"] = []
    for k in range(2):  # the names differ by k even if two draws happened to coincide
        w1 = rng.integers(-3, 4, size=(2, 2)).astype(float)
        w2 = rng.integers(-3, 4, size=(2, 1)).astype(float)
        lam = float(rng.choice([0.01, 0.05, 0.1, 0.2, 0.5]))
        value = ref.weight_decay_penalty([w1, w2], lam)
        out["penalty"].append(Numerical(
            f"{week} penalty v{k + 1}",
            (f"W1 = {_matrix_text(w1)}, W2 = {_matrix_text(w2)}, λ = {lam:g} 일 때 가중치 감소 항 ½λΣW² 의 값은?",
             f"With W1 = {_matrix_text(w1)}, W2 = {_matrix_text(w2)} and λ = {lam:g}, what is the weight-decay "
             "term ½λΣW²?"),
            answer=value, tolerance=max(1e-3, 1e-3 * abs(value)), feedback="0.5 * lam * (np.sum(W1**2) + np.sum(W2**2))"))

    rng = _rng(variant, "decay_step")
    out["decay_step"] = []
    pairs = [(lr, lam) for lr in (0.01, 0.05, 0.1) for lam in (0.01, 0.1, 0.2, 0.5)]
    for k in sorted(rng.choice(len(pairs), size=2, replace=False)):  # two different questions
        lr, lam = pairs[int(k)]
        out["decay_step"].append(Numerical(
            f"{week} decay_step lr={lr:g} lam={lam:g}",
            (f"가중치 감소 항만 있을 때, 학습률 η = {lr:g}, λ = {lam:g} 인 SGD 한 걸음 뒤 가중치는 몇 배가 되는가? "
             "(소수점 넷째 자리까지)",
             f"With only the weight-decay term, one SGD step with η = {lr:g} and λ = {lam:g} multiplies the "
             "weights by what factor? (4 decimals)"),
            answer=1.0 - lr * lam, tolerance=5e-5, feedback="W ← W − η·λW = (1 − ηλ)W"))
    return out


def concept_questions(variant: Variant) -> list[MultiChoice]:
    week = f"W{variant.week:02d}"
    return [
        MultiChoice(f"{week} relu_init", ("ReLU를 활성화 함수로 쓸 때 알맞은 초깃값은?", "Which initialisation suits ReLU?"),
                    [Choice(("He 초깃값 (표준편차 √(2/n))", "He (std √(2/n))"), 100),
                     Choice(("Xavier 초깃값 (표준편차 1/√n)", "Xavier (std 1/√n)")),
                     Choice(("표준편차 0.01인 정규분포", "normal with std 0.01")),
                     Choice(("모든 가중치를 0으로", "all weights 0"))]),
        MultiChoice(f"{week} equal_weights",
                    ("가중치를 모두 같은 값으로 초기화하면 학습에 어떤 일이 생기는가?",
                     "What happens to learning if all initial weights are equal?"),
                    [Choice(("모든 노드가 같은 값을 출력하고 같은 기울기로 갱신되어 노드가 여럿인 의미가 없어진다",
                             "every unit outputs the same and gets the same gradient, so many units act as one"), 100),
                     Choice(("기울기가 폭발해 학습이 발산한다", "the gradients explode and training diverges")),
                     Choice(("오버피팅이 줄어든다", "overfitting is reduced")),
                     Choice(("학습이 더 빨라진다", "learning gets faster"))]),
        MultiChoice(f"{week} std_small_sigmoid",
                    ("표준편차 0.01로 초기화한 5층 시그모이드 신경망의 활성화 값 분포는?",
                     "How are the activations of a 5-layer sigmoid net initialised with std 0.01 distributed?"),
                    [Choice(("0.5 근처에 몰려 표현력이 제한된다", "concentrated near 0.5: limited expressive power"), 100),
                     Choice(("0과 1에 몰려 기울기가 사라진다", "piled at 0 and 1: vanishing gradients")),
                     Choice(("0과 1 사이에 고르게 퍼진다", "spread evenly between 0 and 1")),
                     Choice(("음수 쪽으로 치우친다", "skewed towards negative values"))]),
        MultiChoice(f"{week} std_large_sigmoid",
                    ("표준편차 1로 초기화한 시그모이드 신경망에서 활성화 값이 0과 1에 몰리면 생기는 문제는?",
                     "With std 1, sigmoid activations pile up at 0 and 1. What problem does that cause?"),
                    [Choice(("기울기 소실 (역전파의 기울기가 점점 작아져 사라짐)", "vanishing gradients"), 100),
                     Choice(("표현력 부족 (모든 노드가 같은 값)", "no expressive power (all units equal)")),
                     Choice(("가중치 감소가 작동하지 않음", "weight decay stops working")),
                     Choice(("손실이 음수가 됨", "the loss becomes negative"))]),
        MultiChoice(f"{week} weight_decay",
                    ("손실 함수에 ½λΣW² 를 더하는 가중치 감소의 목적은?", "Why add ½λΣW² (weight decay) to the loss?"),
                    [Choice(("가중치를 작게 유지해 오버피팅을 줄인다", "keep the weights small to reduce overfitting"), 100),
                     Choice(("학습률을 자동으로 키운다", "raise the learning rate automatically")),
                     Choice(("대칭을 깨서 노드가 서로 다르게 학습하게 한다", "break symmetry between units")),
                     Choice(("편향을 0으로 만든다", "set the biases to zero"))]),
    ]


def quiz_items(variant: Variant) -> list:
    """The whole bank: a category per numerical template, then the concept questions."""
    base = f"$course$/initlab/week{variant.week:02d}"
    items: list = []
    for template, questions in numerical_templates(variant).items():
        items.append(Category(f"{base}/{template}"))
        items += questions
    items.append(Category(f"{base}/concepts"))
    items += concept_questions(variant)
    return items
