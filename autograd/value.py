"""The `Value` node and the switch that turns graph recording on and off.

A `Value` holds one float (`data`), the gradient that reverse mode adds into it
(`grad`), and, when it was computed by an operation while recording, the
operation (`op`) and the `Value`s it was computed from (`inputs`).  Nothing
else: no closures, no sets, so reference counting frees a graph as soon as the
user drops its output, and a node costs about 100 bytes.

The inputs live in two private slots, `_x` and `_y`, rather than in a tuple:
almost every operation has one or two inputs, and one object per node instead
of two halves the garbage collector's work while a graph is being built (the
largest single cost of building graphs in pure Python).  `_x is None` marks a
leaf; `_y is None` a one-input operation; an operation with three or more
inputs keeps them as a tuple in `_x`.  The public view is the `inputs` tuple.

The arithmetic operators and methods (`+`, `*`, `exp`, `tanh`, ...) are not
written here: they come from the operation table in `autograd.ops`, which
attaches them to this class when `autograd` is imported.  The declarations in
the `TYPE_CHECKING` block below only tell type checkers what exists.
"""

from __future__ import annotations

import contextvars
import functools
import numbers
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, Union, cast

__all__ = ["Value", "Operand", "no_grad", "enable_grad", "is_grad_enabled", "as_value", "topological_order",
           "GraphTooLargeError"]

_F = TypeVar("_F", bound=Callable[..., Any])

# Per thread (and per asyncio task): does arithmetic on Values record a graph?
_recording: contextvars.ContextVar[bool] = contextvars.ContextVar("valuegrad_recording", default=True)


def is_grad_enabled() -> bool:
    """True when operations on `Value`s record the graph (the default)."""
    return _recording.get()


class _GradMode:
    """Context manager and decorator that sets graph recording on or off.

    The setting lives in a `contextvars.ContextVar`, so it is local to the
    thread (and asyncio task) that entered it: `no_grad()` in one thread never
    stops another thread from recording.  Blocks nest and restore the previous
    setting on exit, also when an exception leaves the block.
    """

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._local = threading.local()  # one instance may be entered by several threads at once

    def __enter__(self) -> None:
        tokens: list[contextvars.Token[bool]] = self._local.__dict__.setdefault("tokens", [])
        tokens.append(_recording.set(self._enabled))

    def __exit__(self, *exc_info: object) -> None:
        _recording.reset(self._local.tokens.pop())

    def __call__(self, func: _F) -> _F:
        enabled = self._enabled

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(enabled):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class no_grad(_GradMode):  # noqa: N801 - the name PyTorch users know
    """Compute values without recording a graph (fast inference, optimizer steps).

    Use it as ``with no_grad(): ...`` or as a decorator ``@no_grad()``.
    Results made inside have no `inputs` and empty `op`, so they are leaves.
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_GradMode):  # noqa: N801 - the name PyTorch users know
    """Turn recording back on inside a `no_grad` block (context manager or decorator)."""

    def __init__(self) -> None:
        super().__init__(True)


_REAL_FAST = (float, int)  # exact types that need no further checking (bool is handled by numbers.Real)


def describe(obj: object) -> str:
    """``"<type name> <short repr>"``: how error messages show what they were given."""
    text = repr(obj)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(obj).__name__} {text}"


def _to_float(data: object, what: str, verb: str = "expects") -> float:
    """`data` as a float, or a TypeError that says what was given."""
    if type(data) in _REAL_FAST or isinstance(data, numbers.Real):
        return float(data)  # type: ignore[arg-type]
    raise TypeError(f"{what} {verb} a real number (int, float, bool or a numpy real scalar), got {describe(data)}")


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)

    Attributes:
        data: the number, always a `float`; writable (optimizers update it).
        grad: d(output)/d(self) added by `backward()`; starts at 0.0; writable.
        label: a name for drawings and reprs; writable.
        op: name of the operation that produced this value (``""`` for leaves).
        inputs: the `Value`s it was computed from, in argument order
            (empty for leaves and for anything computed under `no_grad`).

    Values compare and hash by identity, so they can be dictionary keys.
    """

    __slots__ = ("data", "grad", "op", "label", "_x", "_y")

    data: float
    grad: float
    op: str
    label: str
    _x: Value | tuple[Value, ...] | None
    _y: Value | None

    def __init__(self, data: float | numbers.Real, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {describe(label)}")
        self.data = _to_float(data, "Value()")
        self.grad = 0.0
        self.op = ""
        self.label = label
        self._x = self._y = None

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The `Value`s this one was computed from, in argument order (empty for leaves)."""
        x, y = self._x, self._y
        if x is None:
            return ()
        if y is not None:
            return (x, y)  # type: ignore[return-value]
        return x if type(x) is tuple else (x,)  # type: ignore[return-value]

    # micrograd compatibility: its graph-drawing code walks `_prev` and reads `_op`.
    @property
    def _prev(self) -> tuple[Value, ...]:
        return self.inputs

    @property
    def _op(self) -> str:
        return self.op

    def backward(self, grad: float = 1.0) -> None:
        """Reverse mode: add d(self)/d(node) * `grad` to `.grad` of every node below.

        Leaves and intermediate nodes alike receive their gradient, added to
        what they held (call `zero_grad` on your parameters between steps).
        Calling it twice adds the same gradients twice.  Works for graphs of
        any depth: nothing here recurses.
        """
        from .backprop import backward

        backward(self, grad)

    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    if TYPE_CHECKING:  # the real definitions come from the table in autograd.ops
        def __add__(self, other: Operand) -> Value: ...
        def __radd__(self, other: Operand) -> Value: ...
        def __sub__(self, other: Operand) -> Value: ...
        def __rsub__(self, other: Operand) -> Value: ...
        def __mul__(self, other: Operand) -> Value: ...
        def __rmul__(self, other: Operand) -> Value: ...
        def __truediv__(self, other: Operand) -> Value: ...
        def __rtruediv__(self, other: Operand) -> Value: ...
        def __pow__(self, other: Operand) -> Value: ...
        def __rpow__(self, other: Operand) -> Value: ...
        def __neg__(self) -> Value: ...
        def __pos__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...


Operand = Union[Value, float, int]  # noqa: UP007 - a runtime alias must work on Python 3.10 too
"""What arithmetic accepts on either side: a `Value` or a plain real number."""


def as_value(x: object) -> Value:
    """`x` itself if it is a `Value`, else a new constant leaf; TypeError for non-numbers."""
    if isinstance(x, Value):
        return x
    return Value(_to_float(x, "an operation on Values"))


class GraphTooLargeError(ValueError):
    """A graph walk found more values than the ``max_nodes`` it was given."""


def topological_order(roots: Value | Iterable[Value], *, max_nodes: int | None = None) -> list[Value]:
    """Every node of the graph below `roots` once, each after all of its inputs.

    Iterative depth-first post-order: no recursion, so graphs of any depth
    work, and the order depends only on the graph's structure (inputs are
    visited in argument order), never on memory addresses.  With several
    roots, a node they share appears once, where the first root reaching it
    puts it.  With `max_nodes`, the walk stops with `GraphTooLargeError` as
    soon as it finds more values than that, without visiting the rest.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    limited = max_nodes is not None
    mark, emit = seen.add, order.append
    for root in (roots,) if isinstance(roots, Value) else roots:
        stack: list[tuple[Value, bool]] = [(root, False)]
        pop, push = stack.pop, stack.append
        while stack:
            node, expanded = pop()
            if expanded:
                emit(node)
            elif node not in seen:
                mark(node)
                if limited and len(seen) > max_nodes:  # type: ignore[operator]
                    raise GraphTooLargeError(f"the graph has more than {max_nodes} values")
                push((node, True))
                x, y = node._x, node._y
                if x is None:
                    continue
                if y is not None:  # two inputs: push the second first, so the first is walked first
                    if y not in seen:
                        push((y, False))
                    if x not in seen:
                        push((cast(Value, x), False))
                else:
                    for child in reversed(node.inputs):
                        if child not in seen:
                            push((child, False))
    return order
