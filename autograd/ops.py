"""Every operation of the engine, each defined once: its forward and its local derivative.

An operation is an `Op`: a name, a ``forward`` that computes on plain floats,
and a ``derivative`` that returns the partial derivative of the result with
respect to each input.  The derivative is called with the inputs and the
output (``out``), either as floats (ordinary ``backward()``) or as `Value`s
(``grad(..., create_graph=True)``), so writing it with ordinary arithmetic and
this module's functions (``exp``, ``cos``, ...) makes it differentiable again
for free: that is how second and higher derivatives work.

The table at the bottom of this module is the whole list of built-in
operations; ``Value``'s operators and methods are attached from it.  Your own
operations go through exactly the same door, `defop`::

    softplus = defop("softplus", lambda x: math.log1p(math.exp(x)),
                     derivative=lambda x, out: sigmoid(x))
    softplus(Value(0.5)).backward()

Conventions documented once here: the derivative of ``relu`` and of ``abs`` at
0 is 0 (as in PyTorch).  An infinite derivative (``sqrt`` at 0, ``x ** 0.5`` at
0) raises ``ZeroDivisionError`` during the backward pass rather than handing
back ``inf``.  The derivative of ``x ** y`` with respect to ``y`` is
``out * log(x)`` for ``x > 0``, 0 for ``x == 0`` and NaN for ``x < 0``.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable
from typing import Any

from .value import Value, _recording, _to_float, as_value, describe

__all__ = [
    "Op", "defop", "power", "power_of",
    "add", "sub", "mul", "truediv", "pow", "neg", "abs",
    "exp", "log", "tanh", "sigmoid", "relu", "sqrt", "sin", "cos",
]

Forward = Callable[..., float]
Derivative = Callable[..., Any]

_new = object.__new__


class Op(str):
    """An operation: its name (an `Op` *is* that string), a forward and a derivative.

    ``forward(*xs) -> float`` computes the result from the inputs' floats.
    ``derivative(*xs, out)`` returns d out / d x for a one-input operation, or
    a tuple with one partial derivative per input otherwise.

    Calling an `Op` applies it: with at least one `Value` argument it returns
    a new `Value` (recorded in the graph unless under `no_grad`); with plain
    numbers only it returns a plain float, so the same functions serve in
    derivatives written for both floats and `Value`s.
    """

    forward: Forward
    derivative: Derivative
    arity: int

    def __new__(cls, name: str, forward: Forward, derivative: Derivative, arity: int | None = None) -> Op:
        if not isinstance(name, str) or not name:
            raise TypeError(f"an operation's name must be a non-empty str, got {describe(name)}")
        if not callable(forward) or not callable(derivative):
            raise TypeError(f"operation {name!r}: forward and derivative must be callables")
        if arity is None:
            arity = _count_positional(forward, name)
        if not isinstance(arity, int) or arity < 1:
            raise ValueError(f"operation {name!r}: arity must be a positive int, got {arity!r}")
        op = str.__new__(cls, name)
        op.forward, op.derivative, op.arity = forward, derivative, arity
        return op

    def __call__(self, *args: object) -> Any:
        if len(args) != self.arity:
            raise TypeError(f"{self}() takes {self.arity} argument(s), got {len(args)}")
        if not any(isinstance(a, Value) for a in args):
            return self._forward(*[_to_float(a, f"{self}()") for a in args])
        inputs = tuple(as_value(a) for a in args)
        return _make(self, self._forward(*[x.data for x in inputs]), inputs)

    def _forward(self, *xs: float) -> float:
        """`forward`, with its result checked: a user's forward may return an int or a numpy scalar."""
        result = self.forward(*xs)
        if type(result) is float:
            return result
        return _to_float(result, f"the forward of operation {self!s}", "must return")

    def __repr__(self) -> str:
        return f"Op({str.__repr__(self)}, arity={self.arity})"

    def __copy__(self) -> Op:
        return self  # operations are immutable: copies of a graph share them

    def __deepcopy__(self, memo: dict[int, object]) -> Op:
        return self


def _count_positional(func: Callable[..., Any], name: str) -> int:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(f"operation {name!r}: cannot read the signature of forward; pass arity=") from None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)


def _constant(data: float) -> Value:
    """A leaf holding `data` (already a float), made without re-checking it."""
    out: Value = _new(Value)
    out.data, out.grad, out.op, out.label, out._x, out._y = data, 0.0, "", "", None, None
    return out


def _make(op: Op, data: float, inputs: tuple[Value, ...]) -> Value:
    """A new node holding `data`, recorded as `op` of `inputs` unless under no_grad."""
    out = _constant(data)
    if _recording.get():
        out.op = op
        if len(inputs) == 2:
            out._x, out._y = inputs
        else:
            out._x = inputs[0] if len(inputs) == 1 else inputs
    return out


def defop(name: str, forward: Forward, derivative: Derivative, *, arity: int | None = None) -> Op:
    """Define a new primitive operation from its forward and its local derivative(s).

    Args:
        name: shown as the node's ``.op`` and in drawings.
        forward: computes the result from plain floats, e.g. ``lambda x: math.log1p(math.exp(x))``.
        derivative: called as ``derivative(*inputs, out)``; returns d out/d x for
            a one-input operation, a tuple of partials (one per input) otherwise.
            Write it with arithmetic and `autograd` functions (``exp``, ``sigmoid``,
            ...) rather than ``math``, and ``grad(..., create_graph=True)`` can
            differentiate through it again.
        arity: number of inputs; read from ``forward``'s signature when omitted.

    Returns:
        The `Op`, a callable: ``op(value)`` gives a recorded `Value`,
        ``op(2.0)`` a plain float.
    """
    return Op(name, forward, derivative, arity)


def _data(x: Any) -> float:
    """The float inside a `Value`, or the number itself (derivatives get either)."""
    return float(x.data if isinstance(x, Value) else x)


# ---------------------------------------------------------------- forwards that need care

def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log is only defined for x > 0, got log({x!r})")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt is only defined for x >= 0, got sqrt({x!r})")
    return math.sqrt(x)


def _pow(x: float, y: float) -> float:
    if x < 0.0 and not y.is_integer() and math.isfinite(y):
        raise ValueError(f"** of a negative base to a non-integer power is not real: {x!r} ** {y!r}")
    try:
        result: float = x**y
    except ZeroDivisionError:
        raise ZeroDivisionError(f"0.0 cannot be raised to a negative power: {x!r} ** {y!r}") from None
    return result


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)  # x < 0: no overflow, and no cancellation in 1 - small
    return z / (1.0 + z)


def _relu(x: float) -> float:
    return x if x > 0.0 or x != x else 0.0  # x != x: NaN stays NaN; negatives give +0.0, not -0.0


def _sign(x: Any) -> float:
    x = _data(x)
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 * x


def _d_exponent(base: Any, out: Any) -> Any:
    """d(base ** y)/dy: ``out * log(base)`` for base > 0, 0 at base 0, NaN (not real) below."""
    b = _data(base)
    return out * log(base) if b > 0.0 else 0.0 if b == 0.0 else math.nan


def _dpow(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    return y * x ** (y - 1.0), _d_exponent(x, out)


# ---------------------------------------------------------------- the table
#      name        forward              derivative(*inputs, out)
add = defop("+", operator.add, lambda x, y, out: (1.0, 1.0))
sub = defop("-", operator.sub, lambda x, y, out: (1.0, -1.0))
mul = defop("*", operator.mul, lambda x, y, out: (y, x))
truediv = defop("/", operator.truediv, lambda x, y, out: (1.0 / y, -out / y))
pow = defop("**", _pow, _dpow)  # noqa: A001 - mirrors operator.pow
neg = defop("neg", operator.neg, lambda x, out: -1.0)
abs = defop("abs", math.fabs, lambda x, out: _sign(x))  # noqa: A001 - mirrors builtins.abs
exp = defop("exp", math.exp, lambda x, out: out)
log = defop("log", _log, lambda x, out: 1.0 / x)
tanh = defop("tanh", math.tanh, lambda x, out: 1.0 - out * out)
sigmoid = defop("sigmoid", _sigmoid, lambda x, out: out * (1.0 - out))
relu = defop("relu", _relu, lambda x, out: 1.0 if _data(x) > 0.0 else 0.0)
sqrt = defop("sqrt", _sqrt, lambda x, out: 0.5 / out)
cos: Op  # defined on the next line; sin's derivative refers to it
sin = defop("sin", math.sin, lambda x, out: cos(x))
cos = defop("cos", math.cos, lambda x, out: -sin(x))


# A plain number in a power is a constant, not an input: ``x ** 2`` is the one-input
# operation "**2" (as micrograd names it), so no derivative is spent on the 2 (which
# would be NaN for a negative x), and ``2 ** x`` is "2**".  One Op per constant, cached.
@functools.lru_cache(maxsize=1024)
def power(p: float) -> Op:
    """The operation ``x ** p`` for a constant exponent `p`."""
    return defop(f"**{p:g}", lambda x: _pow(x, p), lambda x, out: p * x ** (p - 1.0), arity=1)


@functools.lru_cache(maxsize=1024)
def power_of(b: float) -> Op:
    """The operation ``b ** x`` for a constant base `b`."""
    return defop(f"{b:g}**", lambda x: _pow(b, x), lambda x, out: _d_exponent(b, out), arity=1)


# ---------------------------------------------------------------- Value's operators and methods

def _unary_method(op: Op) -> Callable[[Value], Value]:
    forward, value_type, new, recording = op.forward, Value, _new, _recording.get

    def method(self: Value) -> Value:
        # _make, inlined: these methods are the hottest path of the engine.
        out: Value = new(value_type)
        out.data, out.grad, out.label, out._y = forward(self.data), 0.0, "", None
        if recording():
            out.op, out._x = op, self
        else:
            out.op, out._x = "", None
        return out

    method.__name__ = method.__qualname__ = str(op)
    method.__doc__ = f"Apply {op!s} (see `autograd.ops`)."
    return method


def _binary_method(op: Op, name: str, reflected: bool, constant: Callable[[float], Op] | None) -> Any:
    forward, value_type, new, recording = op.forward, Value, _new, _recording.get

    def method(self: Value, other: object) -> Any:
        if type(other) is not value_type and not isinstance(other, Value):
            if type(other) is float or type(other) is int:
                other = float(other)
            else:
                try:
                    other = _to_float(other, "")
                except TypeError:
                    return NotImplemented
            if constant is not None:
                return constant(other)(self)
            other = _constant(other)
        left, right = (other, self) if reflected else (self, other)
        out: Value = new(value_type)
        out.data, out.grad, out.label = forward(left.data, right.data), 0.0, ""
        if recording():
            out.op, out._x, out._y = op, left, right
        else:
            out.op, out._x, out._y = "", None, None
        return out

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{'other ' + op + ' self' if reflected else 'self ' + op + ' other'}`` as a recorded operation."
    return method


def _pos(self: Value) -> Value:
    return self


#     operator   operation  with a number on the right / on the left
for _name, _op, _right, _left in [
    ("add", add, None, None),
    ("sub", sub, None, None),
    ("mul", mul, None, None),
    ("truediv", truediv, None, None),
    ("pow", pow, power, power_of),
]:
    setattr(Value, f"__{_name}__", _binary_method(_op, f"__{_name}__", reflected=False, constant=_right))
    setattr(Value, f"__r{_name}__", _binary_method(_op, f"__r{_name}__", reflected=True, constant=_left))
for _name, _op in {"__neg__": neg, "__abs__": abs}.items():
    setattr(Value, _name, _unary_method(_op))
for _op in (exp, log, tanh, sigmoid, relu, sqrt, sin, cos):
    setattr(Value, str(_op), _unary_method(_op))
Value.__pos__ = _pos  # type: ignore[method-assign]
