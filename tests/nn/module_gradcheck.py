"""`gradcheck_module`: `autograd.gradcheck` in every parameter of an `nn.Module` (and its inputs), for the tests.

gradcheck calls a function of plain `Value`s; this one puts those `Value`s
in the module's place (by the dotted names of `named_parameters`), runs the
module, and puts the module's own parameters back afterwards.  The outputs
are combined with fixed, unequal weights so that no derivative cancels by
symmetry (the outputs of a LayerNorm sum to zero, for instance).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from autograd import Value, gradcheck
from nn import Module


def _set(root: Module, name: str, value: Value) -> None:
    *path, last = name.split(".")
    obj: object = root
    for part in path:
        obj = obj[int(part)] if isinstance(obj, list) else getattr(obj, part)
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        setattr(obj, last, value)


def weighted_sum(outputs: Sequence[Value], seed: int = 0) -> Value:
    """``sum(c_i * out_i)`` with fixed coefficients ``c_i`` in [0.5, 1.5] (drawn from ``seed``)."""
    rng = random.Random(seed)
    terms = [out * rng.uniform(0.5, 1.5) for out in outputs]
    return sum(terms[1:], terms[0])


def gradcheck_module(
    module: Module,
    loss_of: Callable[[Module, list[Value]], Value],
    inputs: Sequence[float] = (),
) -> bool:
    """gradcheck of ``loss_of(module, input_values)`` in every parameter of ``module`` and every input."""
    named = list(module.named_parameters())
    assert named or inputs, "nothing to check"
    point = [p.data for _, p in named] + [float(x) for x in inputs]

    def fn(*values: Value) -> Value:
        for (name, _), value in zip(named, values):
            _set(module, name, value)
        return loss_of(module, list(values[len(named) :]))

    try:
        return gradcheck(fn, point)
    finally:
        for name, parameter in named:
            _set(module, name, parameter)
