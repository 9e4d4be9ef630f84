# 가중치의 초깃값 (weight initialisation) - assignment
# Generated from solutions/weight_init.ipynb by `python -m autograder.build`; edit the notebook, not this file.
# 함수 이름과 인자는 그대로 두고 `raise NotImplementedError()` 를 지워 완성하세요.
# Keep every name and argument; replace `raise NotImplementedError()` with your code.
# 점검 / check: initlab check weight_init.py --lang ko
import numpy as np


def sigmoid(x):
    """시그모이드 함수 / sigmoid: 1 / (1 + e^-x), elementwise, same shape as x."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu(x):
    """ReLU 함수 / ReLU: max(0, x), elementwise."""
    # YOUR CODE HERE
    raise NotImplementedError()


def normal_init(n_in, n_out, rng, std):
    """정규분포 초기화 / (n_in, n_out) weights from N(0, std^2), drawn with the Generator rng."""
    # YOUR CODE HERE
    raise NotImplementedError()


def xavier_init(n_in, n_out, rng):
    """Xavier 초깃값 / std = 1/sqrt(n_in), n_in = nodes of the previous layer."""
    # YOUR CODE HERE
    raise NotImplementedError()


def he_init(n_in, n_out, rng):
    """He 초깃값 / std = sqrt(2/n_in), for ReLU."""
    # YOUR CODE HERE
    raise NotImplementedError()


def activation_probe(x, init, activation, n_layers, node_num, rng):
    """은닉층 활성화 값 / the activations of n_layers hidden layers of node_num units.

    Layer i draws W = init(n_prev, node_num, rng) and computes activation(prev @ W);
    returns the list of the n_layers activation arrays, each of shape (len(x), node_num).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def weight_decay_penalty(weights, lam):
    """가중치 감소 항 / 0.5 * lam * (sum of squared entries of every matrix in weights)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def weight_decay_grad(W, lam):
    """가중치 감소 항의 기울기 / gradient of 0.5 * lam * sum(W**2) with respect to W: lam * W."""
    # YOUR CODE HERE
    raise NotImplementedError()
