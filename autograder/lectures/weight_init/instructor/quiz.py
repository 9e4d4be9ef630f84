"""The week's eclass (Moodle) quiz bank: numbers from the reference solution under the variant.

Six numerical templates, each with two variants in a category of its own
(``$course$/initlab/weekNN/<template>``) so that a Moodle quiz can draw a "random question
from category" per template, and five conceptual multiple-choice questions in Korean with
English.  Every numerical answer is computed here by the reference code (never typed).

Each numerical question lists the typical mistakes it is meant to catch (the decay forgotten, 2ηλ,
the missing 2 or square root, the complementary fraction, ...): the tolerance stays at most half the
distance to each (quiz.Numerical refuses it otherwise), and a template whose numbers bring a mistake
too close draws other numbers.  A student who types a mistake gets its feedback in Moodle.
"""
from __future__ import annotations

import html

import numpy as np

from autograder.engine.config import Variant
from autograder.engine.export.quiz import Category, Choice, Html, Mistake, MultiChoice, Numerical
from autograder.reference import functions as ref


def _rng(variant: Variant, template: str) -> np.random.Generator:
    return np.random.default_rng(variant.quiz_seed(template) % 2**63)


def _fan_ins(variant: Variant, template: str) -> list[int]:
    options = [64, 80, 100, 128, 196, 256, 300, 400, 500, 784, 1000]
    picks = _rng(variant, template).choice(len(options), size=2, replace=False)
    return [options[int(i)] for i in sorted(picks)]


def _precision(decimals: int) -> tuple[str, str, float]:
    """(Korean, English) wording of the precision a question asks for, and the tolerance it implies: one
    unit in the last asked place, so an answer rounded either way is right (and no float sits on the edge)."""
    names = {2: "둘", 3: "셋", 4: "넷"}
    return f"소수점 {names[decimals]}째 자리까지", f"{decimals} decimals", 10.0 ** -decimals


#: How many times a template draws again when its numbers put a typical mistake inside the tolerance.
REDRAWS = 50


def _first_valid(build, what: str):
    """``build(attempt)`` for attempt 0, 1, ...: the first question that keeps its mistakes outside its
    tolerance (Numerical raises ValueError otherwise)."""
    for attempt in range(REDRAWS):
        try:
            return build(attempt)
        except ValueError:
            continue
    raise ValueError(f"{what}: no numbers keep the typical mistakes outside the tolerance")


def _m(value: float, ko: str, en: str) -> Mistake:
    return Mistake(float(value), (ko, en))


def _matrix_text(w: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in w) + "]"


def numerical_templates(variant: Variant) -> dict[str, list[Numerical]]:
    """template -> its questions (two variants each)."""
    week = f"W{variant.week:02d}"
    out: dict[str, list[Numerical]] = {}

    ko4, en4, tol4 = _precision(4)
    out["xavier_std"] = [
        Numerical(f"{week} xavier_std n={n}",
                  (f"앞 층의 노드가 {n}개일 때 Xavier 초깃값의 표준편차는? ({ko4})",
                   f"What is the standard deviation of Xavier initial weights when the previous layer has {n} "
                   f"nodes? ({en4})"),
                  answer=1.0 / np.sqrt(n), tolerance=tol4, feedback=f"1/√{n}",
                  mistakes=(_m(1.0 / n, "제곱근을 빠뜨렸습니다: 1/√n", "the square root is missing: 1/√n"),
                            _m(np.sqrt(2.0 / n), "He 초깃값(ReLU용)입니다: Xavier는 1/√n", "that is He's (for ReLU): Xavier is 1/√n")))
        for n in _fan_ins(variant, "xavier_std")]

    out["he_std"] = [
        Numerical(f"{week} he_std n={n}",
                  (f"앞 층의 노드가 {n}개인 ReLU 층에 쓰는 He 초깃값의 표준편차는? ({ko4})",
                   f"What is the standard deviation of He initial weights for a ReLU layer after {n} nodes? "
                   f"({en4})"),
                  answer=np.sqrt(2.0 / n), tolerance=tol4, feedback=f"√(2/{n})",
                  mistakes=(_m(1.0 / np.sqrt(n), "2가 빠졌습니다 (Xavier의 값): √(2/n)", "the 2 is missing (Xavier's value): √(2/n)"),
                            _m(2.0 / n, "제곱근을 빠뜨렸습니다: √(2/n)", "the square root is missing: √(2/n)")))
        for n in _fan_ins(variant, "he_std")]

    rng = _rng(variant, "preactivation_std")
    ko2, en2, tol2 = _precision(2)

    def preactivation(n: int):
        def build(attempt: int) -> Numerical:
            s = float(rng.choice([0.01, 0.05, 0.1, 0.5, 1.0]))
            return Numerical(
                f"{week} preactivation_std n={n} s={s:g}",
                (f"입력 x의 각 성분이 N(0, 1)이고 가중치가 N(0, {s:g}²)일 때, 입력 {n}개를 받는 노드의 가중합 a = x·w 의 "
                 f"표준편차는? ({ko2})",
                 f"Inputs are N(0, 1) and weights N(0, {s:g}²). What is the standard deviation of a unit's weighted "
                 f"sum a = x·w over {n} inputs? ({en2})"),
                answer=s * np.sqrt(n), tolerance=tol2, feedback=f"{s:g}·√{n}",
                mistakes=(_m(s * n, "n에 제곱근을 씌우세요: 분산이 n배이므로 표준편차는 √n배",
                             "take the square root of n: the variance grows n-fold, the std √n-fold"),
                          _m(s * s * n, "그것은 분산입니다: 표준편차는 그 제곱근", "that is the variance: the std is its square root"),
                          _m(s, "입력 수 n을 빠뜨렸습니다", "the number of inputs n is missing")))
        return _first_valid(build, f"preactivation_std n={n}")

    out["preactivation_std"] = [preactivation(n) for n in _fan_ins(variant, "preactivation_std")]

    def saturation(k: int, first_std: float):
        def build(attempt: int) -> Numerical:
            # The complementary fraction must stay out of reach: a std whose fraction is near 0.5 is replaced.
            std = first_std if attempt == 0 else (0.5, 1.0, 2.0, 3.0, 5.0)[attempt % 5]
            seed = variant.quiz_seed("saturation", k, attempt) % 2**32 if attempt else variant.quiz_seed("saturation", k) % 2**32
            r = np.random.default_rng(seed)
            x = r.standard_normal((1000, 100))
            a1 = ref.sigmoid(x @ ref.normal_init(100, 100, r, std))
            frac = float(np.mean((a1 < 0.02) | (a1 > 0.98)))
            code = ("import numpy as np\n"
                    f"rng = np.random.default_rng({seed})\n"
                    "x = rng.standard_normal((1000, 100))\n"
                    f"w = rng.standard_normal((100, 100)) * {std:g}\n"
                    "a = 1 / (1 + np.exp(-(x @ w)))   # sigmoid\n"
                    "print(np.mean((a < 0.02) | (a > 0.98)))")
            return Numerical(
                f"{week} saturation std={std:g}",
                Html(f"<p>다음 코드로 만든 시그모이드 층에서 0.02 미만 또는 0.98 초과인 값의 비율은? "
                     f"({ko2}, 허용 오차 ±0.03)</p>"
                     f"<p>What fraction of this sigmoid layer's values is below 0.02 or above 0.98? "
                     f"({en2}, within ±0.03)</p><pre>{html.escape(code)}</pre>"),
                answer=frac, tolerance=0.03, feedback="np.mean((a < 0.02) | (a > 0.98))",
                mistakes=(_m(1.0 - frac, "그것은 0.02와 0.98 사이의 비율입니다: 양 끝을 세세요",
                             "that is the fraction between 0.02 and 0.98: count both ends"),))
        return _first_valid(build, "saturation")

    stds = sorted({variant.std_large, 2.0 if variant.std_large != 2.0 else 0.5})
    out["saturation"] = [saturation(k, std) for k, std in enumerate(stds)]

    rng = _rng(variant, "penalty")
    ko3, en3, tol3 = _precision(3)

    def penalty(k: int):
        def build(attempt: int) -> Numerical:
            w1 = rng.integers(-3, 4, size=(2, 2)).astype(float)
            w2 = rng.integers(-3, 4, size=(2, 1)).astype(float)
            lam = float(rng.choice([0.01, 0.05, 0.1, 0.2, 0.5]))
            value = ref.weight_decay_penalty([w1, w2], lam)
            squares = float(np.sum(w1 ** 2) + np.sum(w2 ** 2))
            return Numerical(
                f"{week} penalty v{k + 1}",  # the names differ by k even if two draws happened to coincide
                (f"W1 = {_matrix_text(w1)}, W2 = {_matrix_text(w2)}, λ = {lam:g} 일 때 가중치 감소 항 ½λΣW² 의 값은? ({ko3})",
                 f"With W1 = {_matrix_text(w1)}, W2 = {_matrix_text(w2)} and λ = {lam:g}, what is the weight-decay "
                 f"term ½λΣW²? ({en3})"),
                answer=value, tolerance=tol3, feedback="0.5 * lam * (np.sum(W1**2) + np.sum(W2**2))",
                mistakes=(_m(2 * value, "½을 빠뜨렸습니다: ½λΣW²", "the ½ is missing: ½λΣW²"),
                          _m(0.5 * squares, "λ를 곱하지 않았습니다", "λ is missing"),
                          _m(0.5 * lam * float(np.sum(np.abs(w1)) + np.sum(np.abs(w2))),
                             "제곱이 아니라 절댓값(L1)을 더했습니다", "that adds |W| (L1), not W²")))
        return _first_valid(build, f"penalty v{k + 1}")

    out["penalty"] = [penalty(k) for k in range(2)]

    rng = _rng(variant, "decay_step")
    pairs = [(lr, lam) for lr in (0.01, 0.05, 0.1) for lam in (0.01, 0.1, 0.2, 0.5)]

    def decay_step(lr: float, lam: float) -> Numerical:
        return Numerical(
            f"{week} decay_step lr={lr:g} lam={lam:g}",
            (f"가중치 감소 항만 있을 때, 학습률 η = {lr:g}, λ = {lam:g} 인 SGD 한 걸음 뒤 가중치는 몇 배가 되는가? ({ko4})",
             f"With only the weight-decay term, one SGD step with η = {lr:g} and λ = {lam:g} multiplies the "
             f"weights by what factor? ({en4})"),
            answer=1.0 - lr * lam, tolerance=tol4, feedback="W ← W − η·λW = (1 − ηλ)W",
            mistakes=(_m(1.0, "가중치 감소가 빠졌습니다: W ← W − η·λW", "the decay is missing: W ← W − η·λW"),
                      _m(1.0 - 2 * lr * lam, "2ηλ: ½λW²의 기울기는 λW입니다 (½이 2를 상쇄)",
                         "2ηλ: the gradient of ½λW² is λW (the ½ cancels the 2)"),
                      _m(1.0 - lr, "λ를 빠뜨렸습니다", "λ is missing"),
                      _m(1.0 - lam, "학습률 η를 빠뜨렸습니다", "the learning rate η is missing")))

    # Two different questions, from the pairs whose typical mistakes stay outside the tolerance.
    usable = []
    for lr, lam in pairs:
        try:
            usable.append(decay_step(lr, lam))
        except ValueError:
            continue
    out["decay_step"] = [usable[int(k)] for k in sorted(rng.choice(len(usable), size=2, replace=False))]
    return out


#: Concept questions a week draws from (CONCEPTS_PER_WEEK of them, rotating between weeks).
CONCEPTS_PER_WEEK = 5


def concept_pool(variant: Variant) -> list[MultiChoice]:
    """Every concept question, worded for the week's set-up (its depth and its two stds)."""
    week = f"W{variant.week:02d}"
    layers, small, large = variant.n_layers, variant.std_small, variant.std_large
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
                    (f"표준편차 {small:g}로 초기화한 {layers}층 시그모이드 신경망의 활성화 값 분포는?",
                     f"How are the activations of a {layers}-layer sigmoid net initialised with std {small:g} distributed?"),
                    [Choice(("0.5 근처에 몰려 표현력이 제한된다", "concentrated near 0.5: limited expressive power"), 100),
                     Choice(("0과 1에 몰려 기울기가 사라진다", "piled at 0 and 1: vanishing gradients")),
                     Choice(("0과 1 사이에 고르게 퍼진다", "spread evenly between 0 and 1")),
                     Choice(("음수 쪽으로 치우친다", "skewed towards negative values"))]),
        MultiChoice(f"{week} std_large_sigmoid",
                    (f"표준편차 {large:g}로 초기화한 시그모이드 신경망에서 활성화 값이 0과 1에 몰리면 생기는 문제는?",
                     f"With std {large:g}, sigmoid activations pile up at 0 and 1. What problem does that cause?"),
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
        MultiChoice(f"{week} xavier_fan_in",
                    ("강의의 Xavier 초깃값에서 표준편차를 정하는 것은?", "In the lecture's Xavier rule, what sets the std?"),
                    [Choice(("앞 층의 노드 수 n (표준편차 1/√n)", "the previous layer's node count n (std 1/√n)"), 100),
                     Choice(("다음 층의 노드 수", "the next layer's node count")),
                     Choice(("학습률", "the learning rate")),
                     Choice(("미니배치 크기", "the mini-batch size"))]),
        MultiChoice(f"{week} he_factor",
                    ("He 초깃값의 분산이 Xavier의 두 배(2/n)인 이유는?", "Why is He's variance (2/n) twice Xavier's?"),
                    [Choice(("ReLU가 음수 입력을 0으로 만들어 출력의 분산이 절반이 되기 때문", "ReLU zeroes negative inputs, "
                             "halving the variance it passes on"), 100),
                     Choice(("ReLU의 기울기가 2이기 때문", "ReLU's slope is 2")),
                     Choice(("층이 두 배로 깊기 때문", "the network is twice as deep")),
                     Choice(("가중치 감소를 상쇄하기 위해", "to cancel weight decay"))]),
        MultiChoice(f"{week} decay_gradient",
                    ("가중치 감소 항 ½λΣW² 를 더하면 가중치 W의 기울기에 더해지는 것은?",
                     "What does the weight-decay term ½λΣW² add to the gradient of W?"),
                    [Choice(("λW", "λW"), 100),
                     Choice(("½λW²", "½λW²")),
                     Choice(("λ", "λ")),
                     Choice(("2λW", "2λW"))]),
    ]


def concept_questions(variant: Variant) -> list[MultiChoice]:
    """The week's concept questions: CONCEPTS_PER_WEEK of the pool, rotating by three a week, so two
    weeks in a row share at most two questions and the whole pool comes round."""
    pool = concept_pool(variant)
    start = 3 * max(variant.week - 1, 0)
    return [pool[(start + i) % len(pool)] for i in range(CONCEPTS_PER_WEEK)]


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
