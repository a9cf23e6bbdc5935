"""Reverse mode: `backward()` fills `.grad`; `grad()` returns derivatives, to any order.

Both walk the graph once in reverse topological order (each node after every
node that uses it), so a node's gradient is complete before it is passed on.
For each node the operation's ``derivative`` gives the local partials and the
chain rule multiplies them by the node's gradient.  Nothing recurses, and the
order depends only on the graph, so results are bit-for-bit repeatable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .checks import describe, to_float
from .value import Value, topological_order

__all__ = ["backward", "grad"]


def backward(root: Value, grad: float = 1.0) -> None:
    """Add d(root)/d(node) * `grad` to ``node.grad`` for every node of root's graph.

    Each node's gradient is gathered in ``.grad`` starting from 0.0 while the
    walk runs, and whatever the node held before is added back at the end; so
    calling `backward` twice gives exactly twice the gradients (never
    micrograd's compounding), and if an operation's derivative raises, every
    ``.grad`` is left as it was.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {describe(root)}")
    seed = to_float(grad, "backward(grad=...)")
    order = topological_order(root)
    held = [(node, node.grad) for node in order if node.grad]  # usually only parameters, or nothing
    for node in order:
        node.grad = 0.0
    root.grad = seed
    try:
        _propagate(order)
    except BaseException:
        for node in order:
            node.grad = 0.0
        for node, before in held:
            node.grad = before
        raise
    for node, before in held:
        node.grad += before


def _propagate(order: list[Value]) -> None:
    """The chain rule over plain floats, outputs first.  The engine's hot loop.

    It reads the two input slots directly (see `autograd.value`): `op` is set
    exactly when `_x` is, and `_y` exactly for two-input operations.  The type
    checker cannot follow that invariant, so `op`, `x` and `y` are `Any` here.
    """
    for node in reversed(order):
        x: Any = node._x
        if x is None:  # a leaf: nothing to pass on
            continue
        op: Any = node.op
        g, y, derivative = node.grad, node._y, op.derivative
        if y is not None:
            dx, dy = derivative(x.data, y.data, node.data)
            x.grad += g * dx
            y.grad += g * dy
        elif type(x) is not tuple:
            x.grad += g * derivative(x.data, node.data)
        else:
            partials = derivative(*[v.data for v in x], node.data)
            for v, d in zip(x, partials):
                v.grad += g * d


def grad(output: Value, inputs: Sequence[Value] | Iterable[Value], create_graph: bool = False) -> tuple[Value, ...]:
    """The derivatives of `output` with respect to each of `inputs`, as `Value`s.

    No ``.grad`` is read or written.  An input that `output` does not depend on
    gets ``Value(0.0)``.

    With ``create_graph=True`` the derivatives are computed with recorded
    `Value` arithmetic (each operation's ``derivative`` is called with `Value`s),
    so they can be differentiated again::

        (dy,) = grad(y, [x], create_graph=True)
        (d2y,) = grad(dy, [x])          # the second derivative

    Otherwise they are plain leaves holding the numbers.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() needs a Value as output, got {describe(output)}")
    wanted = list(inputs)
    for i, x in enumerate(wanted):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values; inputs[{i}] is {describe(x)}")
    if create_graph:
        grads = _gradients(output, Value(1.0), symbolic=True)
        return tuple(grads[x] if x in grads else Value(0.0) for x in wanted)
    numbers = _gradients(output, 1.0, symbolic=False)
    return tuple(Value(numbers.get(x, 0.0)) for x in wanted)


def _gradients(output: Value, seed: Any, symbolic: bool) -> dict[Value, Any]:
    """d output / d node for every node, as floats or (symbolic) as recorded Values."""
    grads: dict[Value, Any] = {output: seed}
    for node in reversed(topological_order(output)):
        op, inputs = node.op, node.inputs
        if op is None:
            continue
        g = grads[node]
        args = (*inputs, node) if symbolic else (*[x.data for x in inputs], node.data)
        partials = op.derivative(*args)
        if len(inputs) == 1:
            partials = (partials,)
        for x, d in zip(inputs, partials):
            # A partial of exactly 1.0 (as for +) passes the gradient on as it is: with
            # recorded Values that saves a `g * 1.0` node per addition in the derivative graph.
            contribution = g if (type(d) is float and d == 1.0) else g * d
            grads[x] = grads[x] + contribution if x in grads else contribution
    return grads
