"""The `Value` node, how nodes are built, and the graph walk: the bottom layer of the engine.

A `Value` holds one float (`data`), the gradient that reverse mode adds into it
(`grad`), and, when it was computed by an operation while recording, the
operation (`op`, an `autograd.ops.Op`) and the `Value`s it was computed from
(`inputs`).  Nothing else: no closures, no sets, so reference counting frees a
graph as soon as the user drops its output, and a node costs about 100 bytes.
(A node built micrograd's way, ``Value(data, (a, b), '+')`` with a
``_backward`` closure, keeps its closure in its operation, an
`autograd.ops.ClosureOp`; the built-in operations never make one.)

The leaf flag ``requires_grad=False`` is kept in the `_y` slot, which leaves
never use otherwise (`_FROZEN`), so it costs no memory.

The arithmetic operators and methods (`+`, `*`, `exp`, `tanh`, ...) are not
written here one by one: each comes from its row of the operation table in
`autograd.ops`, which calls `setup_value` once to install them (with the
class of micrograd-made operations), and ``backward()`` runs the driver that
`autograd.backprop` installs with `install_backward`: this module imports
neither, so the layers go one way (grad mode and node, then the operation
table, then the backward driver).  Grad mode itself is `autograd.grad_mode`;
its names are importable from here too.  The
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

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

from .checks import cut, describe, is_real, to_float
from .grad_mode import enable_grad, is_grad_enabled, no_grad, recording, set_grad_enabled

if TYPE_CHECKING:  # for annotations only: the operation table sits above this module and installs into it
    from .ops import Op

__all__ = [
    "Value",
    "Operand",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "as_value",
    "topological_order",
    "GraphTooLargeError",
    "setup_value",
    "install_backward",
]


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

    def __init__(
        self,
        data: float,
        _children: Iterable[Value] | str = (),
        _op: str = "",
        label: str = "",
        *,
        requires_grad: bool = True,
    ) -> None:
        if isinstance(_children, str):  # ``Value(2.0, "x")``: a str is never children, so it is the label
            if label:
                raise TypeError(f"Value() got two labels: {cut(_children)!r} and label={cut(label)!r}")
            label, _children = _children, ()
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {describe(label)}")
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Value(requires_grad=...) expects a bool, got {describe(requires_grad)}")
        self.data = to_float(data, "Value()")
        self.grad = 0.0
        self.op = None
        self.label = label
        self._x = None
        self._y = None if requires_grad else _FROZEN
        if _children != ():
            self._record_micrograd_node(_children, _op)

    def _record_micrograd_node(self, children: object, op_name: object) -> None:
        """micrograd's ``Value(data, (self, other), '+')``: a node whose backward is its `_backward` closure."""
        if isinstance(children, (str, bytes, Mapping)) or not isinstance(children, Iterable):
            raise TypeError(f"Value(data, _children): _children must be a tuple of Values, got {describe(children)}")
        inputs = tuple(children)
        for child in inputs:
            if not isinstance(child, Value):
                raise TypeError(f"Value(data, _children): _children must hold Values, got {describe(child)}")
        if not isinstance(op_name, str):
            raise TypeError(f"Value(data, _children, _op): _op must be a str, got {describe(op_name)}")
        if inputs and recording():
            self.op, self._x, self._y = _hooks.closure_op(op_name, len(inputs)), inputs, None

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

    @property
    def _backward(self) -> Callable[[], object]:
        """micrograd's per-node closure: adds this node's share of gradient into its inputs' ``.grad``.

        For a node made micrograd's way (``Value(data, (a, b), '+')``) it is
        what you assign; for a node made by an operation of the table, a
        function doing the same from the table's derivative; for a leaf, a
        function doing nothing.  `backward()` calls assigned closures in
        reverse topological order, as micrograd does.  Assigning one to a
        `Value` without inputs (a leaf, or a node made under `no_grad`) has no
        effect: it has nothing to pass a gradient to.
        """
        op, node = self.op, self
        if isinstance(op, _hooks.closure_op):
            closure: Callable[[], object] = op.closure
            return closure
        if op is None:
            return _nothing

        def table_backward() -> None:
            inputs = node.inputs
            for x, contribution in zip(inputs, op.vjp(node.grad, *[x.data for x in inputs], node.data)):
                x.grad += contribution

        return table_backward

    @_backward.setter
    def _backward(self, closure: Callable[[], object]) -> None:
        if not callable(closure):
            raise TypeError(f"_backward must be a function of no arguments, got {describe(closure)}")
        inputs = self.inputs
        if not inputs:
            return
        closure_op = _hooks.closure_op
        if not isinstance(self.op, closure_op):
            self.op, self._x, self._y = closure_op(self._op, len(inputs)), inputs, None
        self.op.closure = closure

    @property
    def is_leaf(self) -> bool:
        """True when this value was not computed from others here (no `inputs`), as PyTorch's ``is_leaf``."""
        return self._x is None

    @property
    def requires_grad(self) -> bool:
        """False for a constant leaf made with ``Value(x, requires_grad=False)`` (or by `detach`), else True.

        `nn` modules and optimizers do not train such a value.  Unlike in
        PyTorch, arithmetic on it still records a graph and `backward()`
        still fills its ``.grad``: the flag says "do not train", nothing more.
        Only a leaf's flag can be set to False.
        """
        return self._y is not _FROZEN

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if not isinstance(flag, bool):
            raise TypeError(f"requires_grad must be a bool, got {describe(flag)}")
        if self._x is not None:
            if not flag:
                raise ValueError(
                    "requires_grad can be set to False only on a leaf; use .detach() for a constant copy of a "
                    "computed value"
                )
            return
        self._y = None if flag else _FROZEN

    def requires_grad_(self, requires_grad: bool = True) -> Value:
        """Set `requires_grad` in place and return this value (PyTorch's spelling)."""
        self.requires_grad = requires_grad
        return self

    def item(self) -> float:
        """The number held, as a Python float (PyTorch's ``tensor.item()``; the same as ``.data``)."""
        return self.data

    def detach(self) -> Value:
        """A new constant leaf holding the same number: no inputs, ``requires_grad=False``, grad 0.0."""
        out = constant(self.data)
        out._y = _FROZEN
        return out

    def backward(
        self,
        gradient: float | Value | None = None,
        retain_graph: bool | None = None,
        *,
        grad: float | Value | None = None,
    ) -> None:
        """Reverse mode: add d(self)/d(node) * `gradient` to `.grad` of every node below.

        Leaves and intermediate nodes alike receive their gradient, added to
        what they held (call `zero_grad` on your parameters between steps).
        Calling it twice adds the same gradients twice.  Works for graphs of
        any depth: nothing here recurses.

        Args:
            gradient: the gradient of some final result with respect to this
                value (default 1.0), as PyTorch's ``backward(gradient=...)``;
                ``grad=`` and a first positional argument (older valuegrad) mean the same.
            retain_graph: accepted for PyTorch compatibility and ignored:
                the graph is always kept, so ``backward()`` may be called again.
        """
        if grad is not None:
            if gradient is not None:
                raise TypeError("backward() got both gradient= and grad=; they are the same argument")
            gradient = grad
        if retain_graph is not None and not isinstance(retain_graph, bool):
            raise TypeError(f"backward(retain_graph=...) expects a bool or None, got {describe(retain_graph)}")
        if isinstance(gradient, Value):
            gradient = gradient.data
        _hooks.backward(self, 1.0 if gradient is None else gradient)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle (and `copy.deepcopy`) the graph below this value, without recursion, so deep graphs work.

        Leaves are pickled as themselves, so leaves shared between pickled
        values (a model's parameters) stay shared; the computed nodes are
        stored as a flat list.  A `Value` subclass's instance attributes (its
        ``__dict__``) are kept.  Operations are pickled by reference.
        """
        if self._x is None:
            return (
                _restore_leaf,
                (type(self), self.data, self.grad, self.label, self._y is not _FROZEN),
                getattr(self, "__dict__", None) or None,
            )
        order = topological_order(self)
        index = {node: i for i, node in enumerate(order)}
        leaves = [node for node in order if node._x is None]
        rows = [
            (
                type(node),
                node.data,
                node.grad,
                node.op,
                node.label,
                tuple(index[x] for x in node.inputs),
                getattr(node, "__dict__", None) or None,
            )
            if node._x is not None
            else None
            for node in order
        ]
        return (_restore_graph, (leaves, rows))

    def __float__(self) -> float:
        return self.data

    def __pos__(self) -> Value:
        return self

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def _repr_html_(self) -> str:
        """Jupyter's display: a one-row table of label, data, grad and the operation (the label escaped)."""
        from html import escape

        op = "leaf" if self.op is None else f"op {escape(self.op.name)}"
        label = f"<b>{escape(self.label)}</b> " if self.label else ""
        cells = "".join(
            f"<td style='text-align:left'>{cell}</td>"
            for cell in (f"{label}Value", f"data {self.data!r}", f"grad {self.grad!r}", op)
        )
        return f"<table class='valuegrad-value'><tr>{cells}</tr></table>"

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


def _nothing() -> None:
    """A leaf's `_backward`: there is nothing below it."""


_FROZEN: Any = object()
"""In a leaf's `_y` slot (unused by leaves): ``requires_grad`` is False.  No slot is added for the flag."""


def _restore_leaf(cls: type[Value], data: float, grad: float, label: str, requires_grad: bool) -> Value:
    out: Value = _new(cls)
    out.data, out.grad, out.op, out.label, out._x = data, grad, None, label, None
    out._y = None if requires_grad else _FROZEN
    return out


def _restore_graph(leaves: list[Value], rows: list[tuple[Any, ...] | None]) -> Value:
    """Rebuild the nodes of `Value.__reduce__` in order; returns the last one (the pickled value)."""
    built: list[Value] = []
    remaining = iter(leaves)
    for row in rows:
        if row is None:
            built.append(next(remaining))
            continue
        cls, data, grad, op, label, inputs, state = row
        node: Value = _new(cls)
        node.data, node.grad, node.op, node.label = data, grad, op, label
        xs = tuple(built[i] for i in inputs)
        if isinstance(op, _hooks.closure_op):  # a micrograd-made node (copied, never pickled) keeps its tuple
            node._x, node._y = xs, None
        elif len(xs) == 2:
            node._x, node._y = xs
        else:
            node._x, node._y = (xs[0] if len(xs) == 1 else xs), None
        if state:
            node.__dict__.update(state)
        built.append(node)
    return built[-1]


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
    if recording():
        out.op = op
        if len(inputs) == 2:
            out._x, out._y = inputs
        else:
            out._x = inputs[0] if len(inputs) == 1 else inputs
    return out


def show_call(op: Op, args: Iterable[object]) -> str:
    """How an error message shows an operation applied to numbers: ``exp(1000.0)``, ``10.0 ** 400.0``."""
    shown = [cut(repr(a)) for a in args]
    if len(shown) == 2 and not op.name.isidentifier():
        return f"{shown[0]} {op.name} {shown[1]}"
    if len(shown) == 1 and op.const is not None and not op.name.isidentifier():  # "**2", "2**"
        return f"{shown[0]} ** {op.name[2:]}" if op.name.startswith("**") else f"{op.name[:-2]} ** {shown[0]}"
    return f"{op.name}({', '.join(shown)})"


def named_error(op: Op, args: tuple[object, ...], exc: BaseException) -> BaseException:
    """`exc` with a message naming the operation and its inputs (``exp(1000.0) overflows ...``), same type.

    Python's math says only ``math range error``; the engine's own checks
    (``log is only defined for x > 0 ...``) already name both and are kept.
    """
    message = str(exc)
    if op.name in message:
        return exc
    call = show_call(op, args)
    if isinstance(exc, OverflowError):
        text = f"{call} overflows: the result is too large for a float"
    elif isinstance(exc, ZeroDivisionError):
        text = f"{call} divides by zero ({message})"
    elif message in ("math domain error", "expected a finite input, got inf", "math range error"):
        text = f"{call} is not defined: {message} (the input is outside the operation's domain)"
    else:
        text = f"{call} failed: {message}"
    try:
        return type(exc)(text)
    except Exception:  # an exception type that takes other arguments: keep it as it is
        return exc


def _unary_method(op: Op) -> Callable[[Value], Value]:
    """``value.exp()``, ``-value``, ...: `make_node` inlined, for the hottest path of the engine."""
    forward, value_type, new, recording_ = op.forward, Value, _new, recording  # locals: faster than globals

    def method(self: Value) -> Value:
        out: Value = new(value_type)
        try:  # free when nothing is raised (Python 3.11+)
            out.data = forward(self.data)
        except (ArithmeticError, ValueError) as exc:
            raise named_error(op, (self.data,), exc) from None
        out.grad = 0.0
        out.label = ""
        out._y = None
        if recording_():
            out.op = op
            out._x = self
        else:
            out.op = out._x = None
        return out

    return method


def _binary_method(
    op: Op, reflected: bool, constant_op: Callable[[float], Op] | None
) -> Callable[[Value, object], Any]:
    """``value + other`` (or ``other + value`` when `reflected`), `make_node` inlined.

    With `constant_op`, a plain number on the other side is not an input but part
    of the operation (``x ** 2`` is the one-input operation "**2"), whose method
    is made once per constant (the last 1024 kept).
    """
    forward, value_type, new, recording_ = op.forward, Value, _new, recording  # locals: faster than globals
    constant_method = None
    if constant_op is not None:
        make = constant_op
        constant_method = functools.lru_cache(maxsize=1024)(lambda number: _unary_method(make(number)))

    def number_operand(self: Value, other: object) -> Any:
        """The operation with a plain number on the other side (off the hot path)."""
        # Exact-type tests first: `isinstance` against the numbers.Real ABC costs
        # ten times more, and nearly every operand is a Value, a float or an int.
        if type(other) is float or type(other) is int:
            number = float(other)
        elif is_real(other):
            number = to_float(other, "")
        else:
            return NotImplemented  # let Python try other's reflected method, then raise its TypeError
        if constant_method is not None:
            return constant_method(number)(self)
        return method(self, constant(number))

    def method(self: Value, other: object) -> Any:
        if type(other) is not value_type and not isinstance(other, Value):
            return number_operand(self, other)
        if reflected:
            left, right = other, self
        else:
            left, right = self, other
        out: Value = new(value_type)
        try:  # free when nothing is raised (Python 3.11+)
            out.data = forward(left.data, right.data)
        except (ArithmeticError, ValueError) as exc:
            raise named_error(op, (left.data, right.data), exc) from None
        out.grad = 0.0
        out.label = ""
        if recording_():
            out.op = op
            out._x = left
            out._y = right
        else:
            out.op = out._x = out._y = None
        return out

    return method


class _Hooks:
    """What the layers above install into the node layer (it imports none of them).

    ``closure_op``: the class of a micrograd-made node's operation
    (`autograd.ops.ClosureOp`), installed with the table by `setup_value`;
    ``backward``: the driver `Value.backward` runs (`autograd.backprop.backward`),
    installed by `install_backward`.  Until then, both say what is missing.
    """

    closure_op: Any = type("ClosureOpNotInstalled", (), {})
    backward: Callable[[Value, float], None]

    def __init__(self) -> None:
        def missing(root: Value, seed: float) -> None:
            raise RuntimeError("backward() needs autograd.backprop: import autograd, not only autograd.value")

        self.backward = missing


_hooks = _Hooks()


def setup_value(table: Iterable[Op], constant_forms: Mapping[str, Callable[[float], Op]], closure_op: type[Op]) -> None:
    """Install the operators and methods of every operation of `table` on `Value`.

    Each operation lists the `Value` methods it provides in ``op.methods``:
    a one-input operation its method (``"exp"``, ``"__neg__"``); a two-input
    one its operator and the reflected operator (``"__add__"``, ``"__radd__"``).
    `constant_forms` maps a method name to the operation to use when the other
    side is a plain number (``x ** 2`` is ``power(2)``, not ``pow(x, 2)``).
    `closure_op` is the operation class of nodes made micrograd's way.
    Called once, by `autograd.ops`, after its table.
    """
    _hooks.closure_op = closure_op
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


def install_backward(driver: Callable[[Value, float], None]) -> None:
    """Set the driver `Value.backward` runs: ``driver(root, seed)``.  Called once, by `autograd.backprop`."""
    _hooks.backward = driver


# ---------------------------------------------------------------- walking the graph


_DONE: Any = object()
"""A marker on `topological_order`'s stack (no tuple per node: the walk allocates almost nothing)."""


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
    done = _DONE  # on the stack above a node whose inputs are all pushed: next, emit that node
    for root in (roots,) if isinstance(roots, Value) else roots:
        if not isinstance(root, Value):
            raise TypeError(f"topological_order() expects Values, got {describe(root)}")
        stack: list[Any] = [root]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            if node is done:
                emit(pop())
            elif node not in seen:
                mark(node)
                if limited and len(seen) > limit:
                    raise GraphTooLargeError(f"the graph has more than {max_nodes} values")
                x: Any = node._x  # a Value, or a tuple of three or more (see the module docstring)
                if x is None:
                    emit(node)  # a leaf: nothing below it
                    continue
                push(node)
                push(done)
                y = node._y
                if y is not None:  # two inputs: push the second first, so the first is walked first
                    if y not in seen:
                        push(y)
                    if x not in seen:
                        push(x)
                else:
                    for child in reversed(node.inputs):
                        if child not in seen:
                            push(child)
    return order
