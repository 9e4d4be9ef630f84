# 소프트맥스 (softmax) - assignment
# Generated from tests/lectures/softmax/solutions/softmax.ipynb by `python -m autograder.engine.build`; edit the notebook, not this file.
# 함수 이름과 인자는 그대로 두고 `raise NotImplementedError()` 를 지워 완성하세요.
# Keep every name and argument; replace `raise NotImplementedError()` with your code.
# 점검 / check: python initlab_lab.py softmax.py  (initlab_lab.py: 과제 폴더의 도우미 / the helper in
#   the assignment folder, beside this file; numpy and matplotlib only)
# 셀 / cells: 채점은 "# %%" 줄로 나뉜 셀마다 따로 합니다 (한 셀의 오류는 그 셀만) / the grader runs each
#   "# %%" cell on its own, so an error costs that cell only
import numpy as np


# %%
def softmax(z):
    """소프트맥스 / row-wise softmax of the logits z (batch, classes)."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def cross_entropy(p, labels):
    """교차 엔트로피 / mean over the batch of -log p[i, labels[i]]."""
    # YOUR CODE HERE
    raise NotImplementedError()


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
# YOUR CODE HERE
raise NotImplementedError()
