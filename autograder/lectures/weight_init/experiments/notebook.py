"""The lecture's MNIST figures from a notebook: the student's own initialisers, the kit's data and nets.

This is the instructor's kit, not the student helper: it runs where the kit is installed (the course's
JupyterHub), and a notebook elsewhere says so instead (its experiments cell imports this module).
"""
from __future__ import annotations

from autograder.helper.setup import grading
from autograder.lectures.weight_init.experiments.runs import init_compare, weight_decay_compare


def mnist_experiments(normal_init, xavier_init, he_init, iters: int = 2000, epochs: int = 201, seed: int = 0,
                      out: str = "experiments", lam: float = 0.1) -> None:
    """The lecture's two MNIST figures, trained with the student's own initialisers (about 20 s).

    Book 6.2.4 (std 0.01 vs Xavier vs He on a 5-layer ReLU net) and 6.4 (weight decay on 300
    images, λ = ``lam``: the notebook passes the week's LAM), on the MNIST subset that comes with the kit.  The CSV and PNG files go to ``out``.
    """
    if grading():
        return None
    import matplotlib

    backend = matplotlib.get_backend()  # the experiments draw to files; keep the notebook's backend
    try:
        inits = {"std=0.01": lambda n_in, n_out, rng: normal_init(n_in, n_out, rng, 0.01),
                 "Xavier": xavier_init, "He": he_init}
        first = init_compare(out, inits=inits, iters=iters, seed=seed)
        second = weight_decay_compare(out, init=he_init, epochs=epochs, seed=seed, lam=lam)
    except NotImplementedError:
        print("(초기화 함수를 먼저 구현하세요 / implement the init functions first)")
        return None
    finally:
        matplotlib.use(backend)
    for result in (first, second):
        for path in result.files:
            if str(path).endswith(".png"):
                show_image(path)


def show_image(path) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Image, display

        if get_ipython() is not None:
            display(Image(filename=str(path)))
            return
    except ImportError:
        pass
    print(f"figure: {path}")
