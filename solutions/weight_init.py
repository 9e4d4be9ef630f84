# 가중치의 초깃값 (weight initialisation) - reference solution
# Generated from solutions/weight_init.ipynb by `python -m autograder.engine.build`; edit the notebook, not this file.
import numpy as np


# %%
def sigmoid(x):
    """시그모이드 함수 / sigmoid: 1 / (1 + e^-x), elementwise, same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    # Split by sign so that exp() only ever sees non-positive numbers: no overflow at x = -1000.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


# %%
def relu(x):
    """ReLU 함수 / ReLU: max(0, x), elementwise."""
    ### BEGIN SOLUTION
    return np.maximum(0, x)
    ### END SOLUTION


# %%
def normal_init(n_in, n_out, rng, std):
    """정규분포 초기화 / (n_in, n_out) weights from N(0, std^2), drawn with the Generator rng."""
    ### BEGIN SOLUTION
    return rng.standard_normal((n_in, n_out)) * std
    ### END SOLUTION


# %%
def xavier_init(n_in, n_out, rng):
    """Xavier 초깃값 / std = 1/sqrt(n_in), n_in = nodes of the previous layer."""
    ### BEGIN SOLUTION
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
    ### END SOLUTION


# %%
def he_init(n_in, n_out, rng):
    """He 초깃값 / std = sqrt(2/n_in), for ReLU."""
    ### BEGIN SOLUTION
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
    ### END SOLUTION


# %%
def activation_probe(x, init, activation, n_layers, node_num, rng):
    """은닉층 활성화 값 / the activations of n_layers hidden layers of node_num units.

    Layer i draws W = init(n_prev, node_num, rng) and computes activation(prev @ W);
    returns the list of the n_layers activation arrays, each of shape (len(x), node_num).
    """
    ### BEGIN SOLUTION
    activations = []
    prev = x
    for _ in range(n_layers):
        w = init(prev.shape[1], node_num, rng)
        prev = activation(prev @ w)
        activations.append(prev)
    return activations
    ### END SOLUTION


# %%
def weight_decay_penalty(weights, lam):
    """가중치 감소 항 / 0.5 * lam * (sum of squared entries of every matrix in weights)."""
    ### BEGIN SOLUTION
    return 0.5 * lam * sum(float(np.sum(np.square(w))) for w in weights)
    ### END SOLUTION


# %%
def weight_decay_grad(W, lam):
    """가중치 감소 항의 기울기 / gradient of 0.5 * lam * sum(W**2) with respect to W: lam * W."""
    ### BEGIN SOLUTION
    return lam * W
    ### END SOLUTION


# %%
# ---- 분석 문제 / analysis questions ----------------------------------------------------------------------
import initlab_lab as lab  # noqa: E402  (the helper beside this file: initlab_lab.py)

# 학생별 과제인 주에는 학번과, 조교가 보낸 설정 코드를 입력하세요 / for per-student weeks, your student id and the set-up code your TA sent you
STUDENT_ID = ""
SETUP_CODE = ""

# 이번 주 과제 설정: 조교가 배포할 때 정합니다 (고치지 마세요) / this week's set-up, fixed by the release (do not edit)
SETUP = {}
V = lab.variant(SETUP, STUDENT_ID)
N_SAMPLES, INPUT_DIM, N_LAYERS, NODE_NUM = V.n_samples, V.input_dim, V.n_layers, V.node_num
STD_LARGE, STD_SMALL, LAM = V.std_large, V.std_small, V.lam
print(f"입력 / input {N_SAMPLES}x{INPUT_DIM}, 은닉층 / hidden layers {N_LAYERS} x {NODE_NUM}, "
      f"std {STD_LARGE:g} / {STD_SMALL:g}, λ = {LAM:g}")


# %%
rng = np.random.default_rng(V.analysis_seed("saturated"))
x = rng.standard_normal((N_SAMPLES, INPUT_DIM))
### BEGIN SOLUTION
acts = activation_probe(x, lambda n_in, n_out, r: normal_init(n_in, n_out, r, STD_LARGE), sigmoid, 1, NODE_NUM, rng)
answer_saturated = float(np.mean((acts[0] < 0.02) | (acts[0] > 0.98)))
### END SOLUTION
print("answer_saturated =", answer_saturated)


# %%
rng = np.random.default_rng(V.analysis_seed("xavier"))
x = rng.standard_normal((N_SAMPLES, INPUT_DIM))
### BEGIN SOLUTION
acts = activation_probe(x, xavier_init, sigmoid, 1, NODE_NUM, rng)
answer_xavier_std = float(acts[0].std())
### END SOLUTION
print("answer_xavier_std =", answer_xavier_std)


# %%
rng = np.random.default_rng(V.analysis_seed("he"))
x = rng.standard_normal((N_SAMPLES, INPUT_DIM))
### BEGIN SOLUTION
acts = activation_probe(x, he_init, relu, 1, NODE_NUM, rng)
answer_he_relu_std = float(acts[0].std())
### END SOLUTION
print("answer_he_relu_std =", answer_he_relu_std)


# %%
rng = np.random.default_rng(V.analysis_seed("penalty"))
matrices = [rng.standard_normal(shape) for shape in ((INPUT_DIM, NODE_NUM), (NODE_NUM, NODE_NUM), (NODE_NUM, 10))]
### BEGIN SOLUTION
answer_penalty = float(weight_decay_penalty(matrices, LAM))
### END SOLUTION
print("answer_penalty =", answer_penalty)
