"""Tracing: run the user's function once on stand-in `Value`s and keep the graph it built.

While `tracing` is active (only inside `trace`), a few attributes of `Value`
and `Op` are swapped for checking versions and put back afterwards, so the
engine's hot path never pays for the checks:

* ``Value.data`` becomes a property: reading the number of a `Value` that
  depends on an input or a parameter from outside the engine (``if
  loss.data > 1``, ``max(z.data for z in row)``) would freeze that number into
  the trace, so it is an error naming the file and line (``strict=False``: a
  warning).  ``float(v)`` is checked the same way, and using such a `Value` as
  an index (``row[label]``) says how to avoid it.
* The operator methods and ``Op.__call__`` record where each node was made
  (the innermost line outside the engine), so errors in generated code point
  at the user's line.
* ``Value.__init__`` and ``autograd.value.constant`` record the `Value`s made
  during the trace: those leaves are constants (folded into the code); every
  other leaf the output depends on is a parameter.

The checking versions are swapped in while any trace runs and act only for
the thread that traces: another thread computing eagerly meanwhile is neither
checked nor recorded (it pays a dictionary lookup per operation, no more),
and several threads may trace at once.  ``Value(...)`` takes every form it
takes outside a trace (``requires_grad=``, labels, micrograd's ``Value(data,
children, op)``).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import libraries
from .. import value as value_module
from ..checks import describe, is_real
from ..grad_mode import enable_grad
from ..libraries import ENGINE_DIR
from ..ops import TABLE, ClosureOp, Op
from ..value import Value, topological_order

__all__ = ["TraceError", "FrozenValueWarning", "Node", "Trace", "trace", "signature", "ENGINE_DIR"]

INPUT, PARAM, CONST, OP = "input", "param", "const", "op"


class TraceError(RuntimeError):
    """The traced function did something a trace cannot replay (read a traced number, used it as an index)."""


class FrozenValueWarning(UserWarning):
    """``strict=False``: a traced number was read and is frozen into the compiled code as a constant."""


@dataclass
class Node:
    """One node of a traced graph; `inputs` are indices of earlier nodes."""

    kind: str  # INPUT, PARAM, CONST or OP
    value: float  # its number during the trace (the constant, for CONST)
    op: Op | None = None
    inputs: tuple[int, ...] = ()
    name: str = ""  # for inputs and parameters: the name used in generated code
    where: str = ""  # file:line that made it (OP nodes)


@dataclass
class Trace:
    """The graph of one call, in topological order, with what code generation needs."""

    nodes: list[Node]
    output: int
    params: list[Value]  # the parameters, in the order of their PARAM nodes
    param_nodes: list[int]
    input_nodes: list[int]  # in the order of the flattened inputs
    arg_structures: list[Any]  # per dynamic argument: an input node index (-1: unused), or a nested list of them
    arg_names: list[str]
    output_value: float
    extras: list[int] = field(default_factory=list)  # forward-only outputs: ``fn`` returned (output, *extras)
    consumers: list[list[int]] = field(default_factory=list)
    needs_grad: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.consumers = [[] for _ in self.nodes]
        for j, node in enumerate(self.nodes):
            for i in dict.fromkeys(node.inputs):
                self.consumers[i].append(j)
        self.needs_grad = [False] * len(self.nodes)
        for k, node in enumerate(self.nodes):
            self.needs_grad[k] = node.kind == PARAM or (
                node.kind == OP and any(self.needs_grad[i] for i in node.inputs)
            )

    @property
    def size(self) -> int:
        """Number of nodes that run (inputs, parameters and operations; folded constants excluded)."""
        return sum(1 for n in self.nodes if n.kind != CONST)


def signature(arg: object) -> Any:
    """The structure of one dynamic argument: ``None`` for a number, a tuple of sub-structures for a sequence."""
    if isinstance(arg, (list, tuple)) or (
        hasattr(arg, "__len__") and hasattr(arg, "__getitem__") and not isinstance(arg, (str, bytes, dict))
    ):
        items: Any = arg  # a sequence: checked just above
        return tuple(signature(a) for a in items)
    return None


def describe_signature(sig: Any) -> str:
    if sig is None:
        return "a number"
    inner = {describe_signature(s) for s in sig}
    what = inner.pop() if len(inner) == 1 else "mixed items"
    return f"a sequence of {len(sig)} ({what})" if sig else "an empty sequence"


def _site(depth: int) -> tuple[str, int]:
    """The innermost frame outside the engine (preferring one outside registered libraries too), as (file, line).

    Libraries (valuegrad's `nn` among them) register their folders with `autograd.libraries.register`.
    """
    frame: Any = sys._getframe(depth)
    fallback = None
    where, user = libraries.where, libraries.USER
    while frame is not None:
        filename = frame.f_code.co_filename
        home = where(filename)
        if home != libraries.ENGINE:
            if home == user:
                return filename, frame.f_lineno
            if fallback is None:
                fallback = (filename, frame.f_lineno)
        frame = frame.f_back
    return fallback or ("<unknown>", 0)


class _Recorder:
    """The state of one trace: stand-ins, the `Value`s made while tracing, where nodes were made."""

    def __init__(self, strict: bool, warned: set[tuple[str, int]] | None = None) -> None:
        self.strict = strict
        self.warned = warned if warned is not None else set()  # source lines already warned about
        self.placeholders: set[Value] = set()
        self.created: set[Value] = set()
        self.sites: dict[Value, tuple[str, int]] = {}
        self.varying: dict[Value, bool] = {}

    def is_varying(self, v: Value) -> bool:
        """Does `v` depend on an input or a parameter?  (Walks the graph below it once, memoised.)"""
        known = self.varying
        if v in known:
            return known[v]
        for node in topological_order(v):
            if node in known:
                continue
            if node.op is None or node._x is None:
                known[node] = node in self.placeholders or node not in self.created
            else:
                known[node] = any(known[i] for i in node.inputs)
        return known[v]

    def frozen(self, v: Value, what: str) -> None:
        """A traced number was read: an error (strict), or one warning per source line (strict=False)."""
        filename, line = _site(3)
        if not self.strict and (filename, line) in self.warned:
            return  # said once for this line: a softmax's max(v.data for v in row) reads a whole row each call
        message = (
            f"{what} of a traced Value at {filename}:{line}: during autograd.compile tracing its number "
            f"depends on the inputs or parameters, so using it would freeze this call's number "
            f"({_slot_get(v)!r}) into the compiled code. "
            "Keep the computation in the graph instead: for a stable softmax's shift "
            "(`max(v.data for v in row)`), nn.softmax, nn.log_softmax and nn.cross_entropy shift by "
            "`detached_max` inside the graph; `relu`/`abs` instead of `if x.data > 0`; one-hot rows instead "
            "of an index"
        )
        if self.strict:
            raise TraceError(message + "; or pass strict=False to accept the frozen number with a warning")
        self.warned.add((filename, line))
        warnings.warn_explicit(
            message + " (this line is not warned about again for this compiled function)",
            FrozenValueWarning,
            filename,
            line,
        )


_slot = Value.__dict__["data"]
_slot_get = _slot.__get__

# The recorders of the traces running, per thread (innermost last): a trace sees only its own thread's work, so
# another thread computing eagerly meanwhile is neither checked nor recorded, and two threads may trace at once.
_recorders: dict[int, list[_Recorder]] = {}
_get_ident = threading.get_ident


def _current() -> _Recorder | None:
    stack = _recorders.get(_get_ident())
    return stack[-1] if stack else None


def _data_get(self: Value) -> float:
    value: float = _slot_get(self)
    recorder = _current()
    outside = recorder is not None and not sys._getframe(1).f_code.co_filename.startswith(ENGINE_DIR)
    if outside and recorder is not None and recorder.is_varying(self):
        recorder.frozen(self, "reading .data")
    return value


def _data_set(self: Value, value: float) -> None:
    _slot.__set__(self, value)


def _float(self: Value) -> float:
    recorder = _current()
    if recorder is not None and recorder.is_varying(self):
        recorder.frozen(self, "float()")
    value: float = _slot_get(self)
    return value


def _index(self: Value) -> int:
    recorder = _current()
    if recorder is not None and recorder.is_varying(self):
        filename, line = _site(2)
        raise TraceError(
            f"a traced Value was used as an index (or int) at {filename}:{line}: its number changes "
            "from call to call, so it cannot choose a Python path; pass one-hot rows (e.g. "
            "cross_entropy's targets as probability rows) or mark the argument static "
            "(autograd.compile(fn, static=...))"
        )
    raise TypeError(f"a Value cannot be used as an index: {describe(self)}")


_original_init = Value.__init__
_original_constant = value_module.constant
_original_call = Op.__call__


def _init(self: Value, *args: Any, **kwargs: Any) -> None:
    """`Value.__init__` while tracing: every form it takes, and the value is remembered as made by the trace."""
    recorder = _current()
    if recorder is not None and args and isinstance(args[0], Value):
        filename, line = _site(2)
        raise TypeError(
            f"Value(x) at {filename}:{line} got a Value, not a number: inside a compiled function x depends on "
            "the inputs, so it has no fixed number to copy; use x itself (it already is a Value), or "
            "x.detach() for a constant that passes no gradient"
        )
    _original_init(self, *args, **kwargs)
    if recorder is not None:
        recorder.created.add(self)
        if self.op is not None:  # micrograd's Value(data, children, op)
            recorder.sites[self] = _site(2)


def _constant(data: float) -> Value:
    out = _original_constant(data)
    recorder = _current()
    if recorder is not None:
        recorder.created.add(out)
    return out


def _call(self: Op, *args: Any) -> Any:
    out = _original_call(self, *args)
    recorder = _current()
    if recorder is not None and type(out) is Value and out.op is not None:
        recorder.sites[out] = _site(2)
    return out


def _recorded(method: Callable[..., Any]) -> Callable[..., Any]:
    """An operator method that also records, for a trace of this thread, where each node was made."""

    def recorded(*args: Any) -> Any:
        out = method(*args)
        recorder = _current()
        if recorder is not None and type(out) is Value and out.op is not None:
            recorder.sites[out] = _site(2)
        return out

    return recorded


_lock = threading.Lock()
_saved: dict[tuple[Any, str], Any] = {}  # what the checking versions replaced, while any trace runs


def _install() -> None:
    """Swap in the checking versions (the first trace running does; the others find them in place)."""

    def swap(owner: Any, name: str, new: Any) -> None:
        _saved[(owner, name)] = owner.__dict__.get(name, _MISSING) if isinstance(owner, type) else getattr(owner, name)
        setattr(owner, name, new)

    swap(Value, "data", property(_data_get, _data_set))
    swap(Value, "__float__", _float)
    swap(Value, "__index__", _index)
    swap(Value, "__init__", _init)
    swap(value_module, "constant", _constant)
    swap(Op, "__call__", _call)
    for op in TABLE:
        for name in op.methods:
            method = Value.__dict__.get(name)
            if method is not None:  # (a method someone deleted stays deleted)
                swap(Value, name, _recorded(method))


def _uninstall() -> None:
    for (owner, name), old in reversed(list(_saved.items())):
        if old is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, old)
    _saved.clear()


@contextlib.contextmanager
def _patched(recorder: _Recorder) -> Iterator[None]:
    """Trace in this thread with `recorder`: the checking versions are in place while any thread traces."""
    with _lock:
        if not any(_recorders.values()):
            _install()
        _recorders.setdefault(_get_ident(), []).append(recorder)
    try:
        yield
    finally:
        with _lock:
            stack = _recorders.get(_get_ident(), [])
            if stack and stack[-1] is recorder:
                stack.pop()
            if not stack:
                _recorders.pop(_get_ident(), None)
            if not any(_recorders.values()):
                _uninstall()


_MISSING = object()


def _stand_ins(arg: object, name: str, recorder: _Recorder, leaves: list[Value]) -> Any:
    """The argument with each number replaced by a labelled stand-in `Value` (nested sequences kept)."""
    if isinstance(arg, Value):
        raise TypeError(
            f"autograd.compile: argument {name!r} is a Value; pass plain numbers (or sequences of "
            "them) as inputs: the Values a function closes over are its parameters"
        )
    if is_real(arg) and not isinstance(arg, bool):
        v = Value(float(arg), label=name)
        recorder.placeholders.add(v)
        leaves.append(v)
        return v
    if isinstance(arg, (str, bytes)) or not hasattr(arg, "__len__"):
        raise TypeError(
            f"autograd.compile: argument {name!r} must be a number or a sequence of numbers, "
            f"got {describe(arg)} (mark it static=... if it is a setting)"
        )
    items: Any = arg  # a sequence: checked just above
    return [_stand_ins(a, f"{name}_{i}", recorder, leaves) for i, a in enumerate(items)]


def _structure(stand_in: Any, index: dict[Value, int]) -> Any:
    """Per number of the argument: its input node's index, or -1 when the output does not use it."""
    if isinstance(stand_in, Value):
        return index.get(stand_in, -1)
    return [_structure(s, index) for s in stand_in]


def trace(
    fn: Callable[..., Any],
    args: Sequence[object],
    dynamic: Sequence[int],
    names: Sequence[str],
    strict: bool = True,
    warned: set[tuple[str, int]] | None = None,
) -> Trace:
    """Run ``fn(*args)`` once with stand-ins for the dynamic arguments; return its graph as a `Trace`.

    ``fn`` returns a `Value` (the output, which gets the gradient), or a tuple
    ``(output, *extras)`` of `Value`s: the extras are computed along, forward only.
    """
    recorder = _Recorder(strict, warned)
    leaves: list[Value] = []
    call_args = list(args)
    stand_ins = []
    for i in dynamic:
        call_args[i] = _stand_ins(args[i], names[i], recorder, leaves)
        stand_ins.append(call_args[i])
    with _patched(recorder), enable_grad():
        out = fn(*call_args)
    extras: tuple[object, ...] = ()
    if isinstance(out, tuple) and out:
        out, *rest = out
        extras = tuple(rest)
    if not isinstance(out, Value) or not all(isinstance(e, Value) for e in extras):
        raise TypeError(
            "autograd.compile: the function must return a Value (e.g. one sample's loss), or a tuple of Values "
            f"(the output, then extras computed forward only), got {describe(out)}"
        )
    roots = [out, *[e for e in extras if isinstance(e, Value)]]
    order = topological_order(roots)
    index: dict[Value, int] = {}
    nodes: list[Node] = []
    params: list[Value] = []
    param_nodes: list[int] = []
    for v in order:
        k = len(nodes)
        index[v] = k
        data = _slot_get(v)
        if v.op is None or v._x is None:
            if v in recorder.placeholders:
                nodes.append(Node(INPUT, data, name=v.label))
            elif v in recorder.created:
                nodes.append(Node(CONST, data))
            else:
                params.append(v)
                param_nodes.append(k)
                nodes.append(Node(PARAM, data, name=v.label))
            continue
        if isinstance(v.op, ClosureOp):
            filename, line = recorder.sites.get(v, ("<unknown>", 0))
            raise TraceError(
                f"a node made micrograd's way at {filename}:{line} (Value(data, children, {v.op.name!r}) with a "
                "_backward closure) "
                "cannot be compiled: its derivative is Python code, not an operation the generated code can "
                "spell; build it from valuegrad's operations, or define the operation with autograd.defop"
            )
        ins = tuple(index[i] for i in v.inputs)
        kind = OP if any(nodes[i].kind != CONST for i in ins) else CONST
        filename, line = recorder.sites.get(v, ("<unknown>", 0))
        nodes.append(Node(kind, data, op=v.op, inputs=ins, where=f"{filename}:{line}"))
    input_nodes = [index[v] for v in leaves if v in index]
    structures = [_structure(s, index) for s in stand_ins]
    return Trace(
        nodes,
        index[out],
        params,
        param_nodes,
        input_nodes,
        structures,
        [names[i] for i in dynamic],
        _slot_get(out),
        [index[e] for e in roots[1:]],
    )
