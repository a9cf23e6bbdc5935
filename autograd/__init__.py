"""valuegrad's autograd engine: scalar `Value`s that record a graph, and reverse mode over it.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0

Modules: `autograd.value` (the node and `no_grad`), `autograd.ops` (the table
of operations and `defop` for your own), `autograd.backprop` (`backward` and
`grad`), `autograd.gradcheck` (finite-difference checks).
"""

from .value import GraphTooLargeError, Value, enable_grad, is_grad_enabled, no_grad, topological_order  # noqa: I001
from .ops import (
    Op,
    abs,
    add,
    cos,
    defop,
    exp,
    log,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sin,
    sqrt,
    sub,
    tanh,
    truediv,
)
from .backprop import grad
from .gradcheck import GradcheckError, gradcheck
from .viz import draw, save_graph, to_dot

__version__ = "0.1.0"

__all__ = [
    "Value", "no_grad", "enable_grad", "is_grad_enabled", "grad", "gradcheck", "GradcheckError",
    "Op", "defop", "topological_order", "GraphTooLargeError",
    "add", "sub", "mul", "truediv", "pow", "neg", "abs",
    "exp", "log", "tanh", "sigmoid", "relu", "sqrt", "sin", "cos",
    "draw", "save_graph", "to_dot",
]
