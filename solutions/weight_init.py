# 가중치의 초깃값 (weight initialisation) - reference solution
# Generated from solutions/weight_init.ipynb by `python -m autograder.build`; edit the notebook, not this file.
import numpy as np


def sigmoid(x):
    """시그모이드 함수 / sigmoid: 1 / (1 + e^-x), elementwise, same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    # Split by sign so that exp() only ever sees non-positive numbers: no overflow at x = -1000.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


def relu(x):
    """ReLU 함수 / ReLU: max(0, x), elementwise."""
    ### BEGIN SOLUTION
    return np.maximum(0, x)
    ### END SOLUTION


def normal_init(n_in, n_out, rng, std):
    """정규분포 초기화 / (n_in, n_out) weights from N(0, std^2), drawn with the Generator rng."""
    ### BEGIN SOLUTION
    return rng.standard_normal((n_in, n_out)) * std
    ### END SOLUTION


def xavier_init(n_in, n_out, rng):
    """Xavier 초깃값 / std = 1/sqrt(n_in), n_in = nodes of the previous layer."""
    ### BEGIN SOLUTION
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
    ### END SOLUTION


def he_init(n_in, n_out, rng):
    """He 초깃값 / std = sqrt(2/n_in), for ReLU."""
    ### BEGIN SOLUTION
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
    ### END SOLUTION


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


def weight_decay_penalty(weights, lam):
    """가중치 감소 항 / 0.5 * lam * (sum of squared entries of every matrix in weights)."""
    ### BEGIN SOLUTION
    return 0.5 * lam * sum(float(np.sum(np.square(w))) for w in weights)
    ### END SOLUTION


def weight_decay_grad(W, lam):
    """가중치 감소 항의 기울기 / gradient of 0.5 * lam * sum(W**2) with respect to W: lam * W."""
    ### BEGIN SOLUTION
    return lam * W
    ### END SOLUTION
