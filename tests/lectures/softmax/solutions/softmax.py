# 소프트맥스 (softmax) - reference solution
# Generated from tests/lectures/softmax/solutions/softmax.ipynb by `python -m autograder.engine.build`; edit the notebook, not this file.
import numpy as np


# %%
def softmax(z):
    """소프트맥스 / row-wise softmax of the logits z (batch, classes)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
    ### END SOLUTION


# %%
def cross_entropy(p, labels):
    """교차 엔트로피 / mean over the batch of -log p[i, labels[i]]."""
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=float)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
    ### END SOLUTION


# %%
# ---- 분석 문제 / analysis questions ----------------------------------------------------------------------
import initlab_lab as lab  # noqa: E402  (the helper beside this file: initlab_lab.py)

# 학생별 과제인 주에는 학번과 설정 코드를 입력하세요 / for per-student weeks, your id and set-up code
STUDENT_ID = ""
SETUP_CODE = ""

# 이번 주 과제 설정 (고치지 마세요) / this week's set-up (do not edit)
SETUP = {}
V = lab.variant(SETUP, STUDENT_ID)
N_CLASSES, BATCH = V.n_classes, V.batch
print(f"classes {N_CLASSES}, batch {BATCH}")


# %%
z = np.zeros((BATCH, N_CLASSES))
labels = np.arange(BATCH) % N_CLASSES
### BEGIN SOLUTION
answer_uniform_loss = cross_entropy(softmax(z), labels)
### END SOLUTION
