"""The `Value` node, the switch that turns graph recording on and off, and the graph walk.

A `Value` holds one float (`data`), the gradient that reverse mode adds into it
(`grad`), and, when it was computed by an operation while recording, the
operation (`op`, an `autograd.ops.Op`) and the `Value`s it was computed from
(`inputs`).  Nothing else: no closures, no sets, so reference counting frees a
graph as soon as the user drops its output, and a node costs about 100 bytes.

The arithmetic operators and methods (`+`, `*`, `exp`, `tanh`, ...) are not
written here one by one: each comes from its row of the operation table in
`autograd.ops`, which calls `setup_value` once to install them.  The
declarations in the `TYPE_CHECKING` block of `Value` only tell type checkers
what exists (a test checks they match what is installed).

Speed tricks, fenced here and nowhere else (each measured, each tested to
build exactly the nodes the general path builds):

* Two input slots, `_x` and `_y`, instead of a tuple (1.2-1.5x faster graph
  building): almost every operation has one or two inputs, and one object per
  node instead of two halves the garbage collector's work, the largest single
  cost of building graphs in pure Python.  `_x is None` marks a leaf; `_y is
  None` a one-input operation; an operation with three or more inputs keeps
  them as a tuple in `_x`.  The public view is the `inputs` tuple.
* The operator methods build their node inline (`_unary_method`,
  `_binary_method`) instead of calling `Op.__call__` (about 2x faster `+`
  and `*`, which are most of every graph).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, Union

from .checks import describe, is_real, to_float

if TYPE_CHECKING:
    from .ops import Op

__all__ = ["Value", "Operand", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "as_value",
           "topological_order", "GraphTooLargeError", "setup_value"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Per thread (and per asyncio task): does arithmetic on Values record a graph?
_recording: contextvars.ContextVar[bool] = contextvars.ContextVar("valuegrad_recording", default=True)
# The tokens of the grad-mode blocks entered and not yet left, innermost last.  Kept in a
# context variable, so each thread and asyncio task has its own stack: one `no_grad()`
# object entered by two tasks leaves each task's block with that task's own token.
_entered: contextvars.ContextVar[tuple[contextvars.Token[bool], ...]] = contextvars.ContextVar(
    "valuegrad_grad_mode_tokens", default=())


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

    def __enter__(self) -> None:
        _entered.set((*_entered.get(), _recording.set(self._enabled)))

    def __exit__(self, *exc_info: object) -> None:
        *rest, token = _entered.get()
        _entered.set(tuple(rest))
        _recording.reset(token)

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        enabled = self._enabled

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with _GradMode(enabled):
                return func(*args, **kwargs)

        return wrapper

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class no_grad(_GradMode):  # noqa: N801 - the name PyTorch users know
    """Compute values without recording a graph (fast inference, optimizer steps).

    Use it as ``with no_grad(): ...`` or as a decorator ``@no_grad()``.
    Results made inside have no `inputs` and no `op`, so they are leaves.
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_GradMode):  # noqa: N801 - the name PyTorch users know
    """Turn recording back on inside a `no_grad` block (context manager or decorator)."""

    def __init__(self) -> None:
        super().__init__(True)


class set_grad_enabled(_GradMode):  # noqa: N801 - the name PyTorch users know
    """Turn recording on or off by a flag, as ``with set_grad_enabled(training): ...``."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode) expects a bool, got {describe(mode)}")
        super().__init__(mode)


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
        op: the `autograd.ops.Op` that produced this value, ``None`` for
            leaves; ``v.op.name`` (or ``str(v.op)``) is its name, e.g. ``"*"``.
        inputs: the `Value`s it was computed from, in argument order
            (empty for leaves and for anything computed under `no_grad`).

    Values compare and hash by identity, so they can be dictionary keys.
    """

    __slots__ = ("data", "grad", "op", "label", "_x", "_y")

    data: float
    grad: float
    op: Op | None
    label: str
    _x: Value | tuple[Value, ...] | None
    _y: Value | None

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {describe(label)}")
        self.data = to_float(data, "Value()")
        self.grad = 0.0
        self.op = None
        self.label = label
        self._x = self._y = None

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The `Value`s this one was computed from, in argument order (empty for leaves)."""
        x, y = self._x, self._y
        if x is None:
            return ()
        if y is not None:
            return (x, y) if isinstance(x, Value) else (*x, y)
        return (x,) if isinstance(x, Value) else x

    # micrograd compatibility: its graph-drawing code walks `_prev` and reads `_op`.
    @property
    def _prev(self) -> tuple[Value, ...]:
        return self.inputs

    @property
    def _op(self) -> str:
        """The operation's name as micrograd spells it (``""`` for a leaf)."""
        return "" if self.op is None else self.op.name

    def backward(self, grad: float = 1.0) -> None:
        """Reverse mode: add d(self)/d(node) * `grad` to `.grad` of every node below.

        Leaves and intermediate nodes alike receive their gradient, added to
        what they held (call `zero_grad` on your parameters between steps).
        Calling it twice adds the same gradients twice.  Works for graphs of
        any depth: nothing here recurses.
        """
        from .backprop import backward  # backprop imports this module

        backward(self, grad)

    def __float__(self) -> float:
        return self.data

    def __pos__(self) -> Value:
        return self

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    if TYPE_CHECKING:  # installed from the table in autograd.ops by setup_value (a test keeps these in step)
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
    return Value(to_float(x, "an operation on Values"))


# ---------------------------------------------------------------- building nodes

_new = object.__new__


def constant(data: float) -> Value:
    """A leaf holding `data` (already a float), made without re-checking it."""
    out: Value = _new(Value)
    out.data, out.grad, out.op, out.label, out._x, out._y = data, 0.0, None, "", None, None
    return out


def make_node(op: Op, data: float, inputs: tuple[Value, ...]) -> Value:
    """The general path: a node holding `data`, recorded as `op` of `inputs` unless under no_grad."""
    out = constant(data)
    if _recording.get():
        out.op = op
        if len(inputs) == 2:
            out._x, out._y = inputs
        else:
            out._x = inputs[0] if len(inputs) == 1 else inputs
    return out


def _unary_method(op: Op) -> Callable[[Value], Value]:
    """``value.exp()``, ``-value``, ...: `make_node` inlined, for the hottest path of the engine."""
    forward, value_type, new, recording = op.forward, Value, _new, _recording.get  # locals: faster than globals

    def method(self: Value) -> Value:
        out: Value = new(value_type)
        out.data, out.grad, out.label, out._y = forward(self.data), 0.0, "", None
        if recording():
            out.op, out._x = op, self
        else:
            out.op, out._x = None, None
        return out

    return method


def _binary_method(
    op: Op, reflected: bool, constant_op: Callable[[float], Op] | None
) -> Callable[[Value, object], Any]:
    """``value + other`` (or ``other + value`` when `reflected`), `make_node` inlined.

    With `constant_op`, a plain number on the other side is not an input but part
    of the operation (``x ** 2`` is the one-input operation "**2").
    """
    forward, value_type, new, recording = op.forward, Value, _new, _recording.get  # locals: faster than globals

    def method(self: Value, other: object) -> Any:
        # Exact-type tests first: `isinstance` against the numbers.Real ABC costs
        # ten times more, and nearly every operand is a Value, a float or an int.
        if type(other) is not value_type and not isinstance(other, Value):
            if type(other) is float or type(other) is int:
                number = float(other)
            elif is_real(other):
                number = to_float(other, "")
            else:
                return NotImplemented  # let Python try other's reflected method, then raise its TypeError
            if constant_op is not None:
                return constant_op(number)(self)
            other = constant(number)
        left, right = (other, self) if reflected else (self, other)
        out: Value = new(value_type)
        out.data, out.grad, out.label = forward(left.data, right.data), 0.0, ""
        if recording():
            out.op, out._x, out._y = op, left, right
        else:
            out.op, out._x, out._y = None, None, None
        return out

    return method


def setup_value(table: Iterable[Op], constant_forms: Mapping[str, Callable[[float], Op]]) -> None:
    """Install the operators and methods of every operation of `table` on `Value`.

    Each operation lists the `Value` methods it provides in ``op.methods``:
    a one-input operation its method (``"exp"``, ``"__neg__"``); a two-input
    one its operator and the reflected operator (``"__add__"``, ``"__radd__"``).
    `constant_forms` maps a method name to the operation to use when the other
    side is a plain number (``x ** 2`` is ``power(2)``, not ``pow(x, 2)``).
    Called once, by `autograd.ops`, after its table.
    """
    for op in table:
        for i, name in enumerate(op.methods):
            if op.arity == 1:
                method: Callable[..., Any] = _unary_method(op)
            else:
                method = _binary_method(op, reflected=i == 1, constant_op=constant_forms.get(name))
            method.__name__ = name
            method.__qualname__ = f"Value.{name}"
            method.__doc__ = f"Apply the operation {op.name!r} (see `autograd.ops`)."
            setattr(Value, name, method)


# ---------------------------------------------------------------- walking the graph

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
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 0):
        raise TypeError(f"topological_order(max_nodes=...) expects an int >= 0 or None, got {describe(max_nodes)}")
    order: list[Value] = []
    seen: set[Value] = set()
    limited, limit = max_nodes is not None, max_nodes or 0
    mark, emit = seen.add, order.append
    for root in (roots,) if isinstance(roots, Value) else roots:
        if not isinstance(root, Value):
            raise TypeError(f"topological_order() expects Values, got {describe(root)}")
        stack: list[tuple[Value, bool]] = [(root, False)]
        pop, push = stack.pop, stack.append
        while stack:
            node, expanded = pop()
            if expanded:
                emit(node)
            elif node not in seen:
                mark(node)
                if limited and len(seen) > limit:
                    raise GraphTooLargeError(f"the graph has more than {max_nodes} values")
                push((node, True))
                x: Any = node._x  # a Value, or a tuple of three or more (see the module docstring)
                if x is None:
                    continue
                y = node._y
                if y is not None:  # two inputs: push the second first, so the first is walked first
                    if y not in seen:
                        push((y, False))
                    if x not in seen:
                        push((x, False))
                else:
                    for child in reversed(node.inputs):
                        if child not in seen:
                            push((child, False))
    return order
