"""Reverse mode: `backward()` fills `.grad`; `grad()` returns derivatives, to any order.

Both walk the graph once in reverse topological order (each node after every
node that uses it), so a node's gradient is complete before it is passed on.
For each node the operation's ``derivative`` gives the local partials and the
chain rule multiplies them by the node's gradient.  Nothing recurses, and the
order depends only on the graph, so results are bit-for-bit repeatable.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from typing import Any

from . import ops
from .checks import describe, quote, to_float
from .grad_mode import enable_grad
from .ops import ClosureOp
from .value import _DONE, Value, install_backward, show_call, topological_order

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
    # The walk allocates little and frees what it allocates, and a graph has no cycles to collect: the cyclic
    # garbage collector would only re-scan the whole heap (a microgpt step's 60k nodes and more) for nothing.
    paused = gc.isenabled()
    gc.disable()
    try:
        _backward(root, seed)
    finally:
        if paused:
            gc.enable()


def _backward(root: Value, seed: float) -> None:
    order, held = _walk(root)
    root.grad = seed
    try:
        _propagate(order)
    except BaseException as exc:
        for node in order:
            node.grad = 0.0
        for node, before in held:
            node.grad = before
        if isinstance(exc, (ArithmeticError, ValueError)) and exc.__traceback__ is not None:
            failed = _failed_node(exc)
            if failed is not None and failed.op is not None and failed.op.name not in str(exc):
                raise type(exc)(
                    f"the derivative of {show_call(failed.op, [x.data for x in failed.inputs])} "
                    f"failed in backward(): {exc}"
                ) from exc
        raise
    for node, before in held:
        node.grad += before


def _walk(root: Value) -> tuple[list[Value], list[tuple[Value, float]]]:
    """`topological_order` of root's graph for `backward`, which also empties every ``.grad`` on the way.

    Returns the order and what the nodes held before (the nonzero ``.grad``s,
    usually only the parameters').  The walk marks a node as visited by
    setting its ``.grad`` to a private marker (its gradient restarts from 0.0
    anyway) instead of keeping a set of 60k nodes: one attribute of a node it
    reads anyway, a third faster on a microgpt step.  Every node of the order
    leaves with ``.grad == 0.0``; if the walk is interrupted, every ``.grad``
    is put back.  The order is exactly `topological_order`'s (a test compares them).
    """
    order: list[Value] = []
    held: list[tuple[Value, float]] = []
    emit, done, seen = order.append, _DONE, _SEEN
    stack: list[Any] = [root]
    pop, push = stack.pop, stack.append
    try:
        while stack:
            node = pop()
            if node is done:
                emit(pop())
                continue
            g = node.grad
            if g is seen:
                continue
            if g:
                held.append((node, g))
            node.grad = seen
            x: Any = node._x
            if x is None:  # a leaf
                emit(node)
                continue
            push(node)
            push(done)
            y = node._y
            if y is not None:  # two inputs: push the second first, so the first is walked first
                if y.grad is not seen:
                    push(y)
                if x.grad is not seen:
                    push(x)
            else:
                for child in reversed(node.inputs):
                    if child.grad is not seen:
                        push(child)
    except BaseException:  # (an interrupt): take the marks away and put back what the nodes held
        # Every marked node is in the order already, or on the stack right under its `done`.
        for node in order + [stack[i] for i in range(len(stack) - 1) if stack[i + 1] is done]:
            node.grad = 0.0
        for node, g in held:
            node.grad = g
        raise
    for node in order:
        node.grad = 0.0
    return order, held


_SEEN: Any = object()
"""`_walk`'s mark in ``.grad`` of a node it has visited (not ``None``, which a user may have written there)."""


def _failed_node(exc: BaseException) -> Value | None:
    """The node `_propagate` was at when `exc` was raised (read from the traceback: no cost in the loop)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is _propagate.__code__:
            node = tb.tb_frame.f_locals.get("node")
            return node if isinstance(node, Value) else None
        tb = tb.tb_next
    return None


def _propagate(order: list[Value]) -> None:
    """The chain rule over plain floats, outputs first.  The engine's hot loop.

    The one place that spells the chain rule out inline (`Op.vjp` is the same
    step for everything else), to save a call and a tuple per node; ``+``,
    ``-`` and ``*`` (most of every graph) skip even the call to their
    derivative, with exactly its numbers (``g * 1.0`` is ``g``, ``a + g * -1.0``
    is ``a - g``, and ``*``'s partials are the other input).

    It reads the two input slots directly (see `autograd.value`): `op` is set
    exactly when `_x` is, and `_y` exactly for two-input operations.  The type
    checker cannot follow that invariant, so `op`, `x` and `y` are `Any` here.
    """
    add, sub, mul = ops.add, ops.sub, ops.mul
    for node in reversed(order):
        x: Any = node._x
        if x is None:  # a leaf: nothing to pass on
            continue
        op: Any = node.op
        g, y = node.grad, node._y
        if y is not None:
            if op is add:
                x.grad += g
                y.grad += g
            elif op is mul:
                x.grad += g * y.data
                y.grad += g * x.data
            elif op is sub:
                x.grad += g
                y.grad -= g
            else:
                dx, dy = op.derivative(x.data, y.data, node.data)
                x.grad += g * dx
                y.grad += g * dy
        elif type(x) is not tuple:
            x.grad += g * op.derivative(x.data, node.data)
        else:
            partials = op.derivative(*[v.data for v in x], node.data)
            for v, d in zip(x, partials):
                v.grad += g * d


def grad(
    outputs: Value | Sequence[Value],
    inputs: Value | Iterable[Value],
    grad_outputs: float | Value | Sequence[float | Value] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
) -> tuple[Value, ...]:
    """The derivatives of `outputs` with respect to each of `inputs`, as a tuple of `Value`s.

    The arguments are PyTorch's ``torch.autograd.grad``'s, in its order.
    No ``.grad`` is read or written.  An input that `outputs` do not depend
    on gets ``Value(0.0)`` (as JAX does; PyTorch would need
    ``allow_unused=True`` and give ``None``), so derivatives of derivatives
    of polynomials keep working; ``allow_unused`` is accepted and changes nothing.

    Args:
        outputs: a `Value`, or several whose derivatives are added up.
        inputs: a `Value` (the result is still a 1-tuple) or several.
        grad_outputs: the weight of each output (default 1.0 each): the
            result is the derivative of ``sum(w * out)``.
        retain_graph: accepted and ignored: the graph is always kept.
        create_graph: compute the derivatives with recorded `Value`
            arithmetic (each operation's ``derivative`` is called with
            `Value`s), so they can be differentiated again, also inside
            `no_grad` (as in PyTorch)::

                (dy,) = grad(y, x, create_graph=True)
                (d2y,) = grad(dy, x)          # the second derivative

            Otherwise the results are plain leaves holding the numbers.
    """
    roots = [outputs] if isinstance(outputs, Value) else _values(outputs, "outputs")
    if not roots:
        raise ValueError("grad() needs at least one output")
    wanted = [inputs] if isinstance(inputs, Value) else _values(inputs, "inputs")
    for flag, what in ((retain_graph, "retain_graph"), (allow_unused, "allow_unused")):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"grad({what}=...) expects a bool or None, got {describe(flag)}")
    if not isinstance(create_graph, bool):
        raise TypeError(f"grad(create_graph=...) expects a bool, got {describe(create_graph)}")
    weights = _weights(grad_outputs, len(roots), isinstance(outputs, Value))
    if create_graph:
        with enable_grad():  # recording is the point, whatever the caller's mode
            seeds = [w if isinstance(w, Value) else Value(w) for w in weights]
            grads = _gradients(roots, seeds, symbolic=True)
        return tuple(grads[x] if x in grads else Value(0.0) for x in wanted)
    numbers = _gradients(roots, [w.data if isinstance(w, Value) else w for w in weights], symbolic=False)
    return tuple(Value(numbers.get(x, 0.0)) for x in wanted)


def _values(items: object, what: str) -> list[Value]:
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(f"grad() {what} must be a Value or a sequence of Values, got {describe(items)}")
    values = list(items)
    for i, x in enumerate(values):
        if not isinstance(x, Value):
            raise TypeError(f"grad() {what} must be Values; {what}[{i}] is {describe(x)}")
    return values


def _weights(grad_outputs: object, count: int, single: bool) -> list[Any]:
    """One weight per output: a float, or a `Value` (kept for create_graph)."""
    if grad_outputs is None:
        return [1.0] * count
    given = [grad_outputs] if single or isinstance(grad_outputs, (Value, int, float)) else grad_outputs
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise TypeError(
            f"grad(grad_outputs=...) expects a number, a Value or one per output, got {describe(grad_outputs)}"
        )
    weights = [w if isinstance(w, Value) else to_float(w, "grad(grad_outputs=...)") for w in given]
    if len(weights) != count:
        raise ValueError(f"grad() got {count} output(s) but {len(weights)} grad_outputs")
    return weights


def _gradients(outputs: list[Value], seeds: list[Any], symbolic: bool) -> dict[Value, Any]:
    """d (sum of seed * output) / d node for every node, as floats or (symbolic) as recorded Values."""
    grads: dict[Value, Any] = {}
    for output, seed in zip(outputs, seeds):
        grads[output] = grads[output] + seed if output in grads else seed
    for node in reversed(topological_order(outputs)):
        op, inputs = node.op, node.inputs
        if op is None or node not in grads:
            continue
        if isinstance(op, ClosureOp):
            raise TypeError(
                f"grad() cannot differentiate through a node made micrograd's way (operation {quote(op.name)} with a "
                "_backward closure): the closure writes .grad directly; call backward() instead"
            )
        args = (*inputs, node) if symbolic else (*[x.data for x in inputs], node.data)
        try:
            contributions = op.vjp(grads[node], *args)
        except (ArithmeticError, ValueError) as exc:
            if op.name in str(exc):
                raise
            raise type(exc)(
                f"the derivative of {show_call(op, [x.data for x in inputs])} failed in grad(): {exc}"
            ) from exc
        for x, contribution in zip(inputs, contributions):
            grads[x] = grads[x] + contribution if x in grads else contribution
    return grads


install_backward(backward)
