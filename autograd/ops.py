"""Every operation of the engine, each defined once: its forward and its local derivative.

An operation is an `Op`: a name, a ``forward`` that computes on plain floats,
and a ``derivative`` that returns the partial derivative of the result with
respect to each input.  The derivative is called with the inputs and the
output (``out``), either as floats (ordinary ``backward()``) or as `Value`s
(``grad(..., create_graph=True)``), so writing it with ordinary arithmetic and
this module's functions (``exp``, ``cos``, ...) makes it differentiable again
for free: that is how second and higher derivatives work.

The table at the bottom of this module is the whole list of built-in
operations.  Everything else is derived from it: `Value`'s operators and
methods (installed by `autograd.value.setup_value`), this module's exports
and ``autograd``'s, and the functions the command line accepts (`FUNCTIONS`).
Adding a built-in operation is adding one row.  Your own operations go through
the same door, `defop`::

    softplus = defop("softplus", lambda x: math.log1p(math.exp(x)),
                     derivative=lambda x, out: sigmoid(x))
    softplus(Value(0.5)).backward()

Conventions documented once here: the derivative of ``relu`` and of ``abs`` at
0 is 0 (as in PyTorch).  An infinite derivative (``sqrt`` at 0, ``x ** 0.5`` at
0) raises ``ZeroDivisionError`` during the backward pass rather than handing
back ``inf``.  The derivative of ``x ** y`` with respect to ``y`` is
``out * log(x)`` for ``x > 0``, 0 for ``x == 0`` and NaN for ``x < 0``.

The table is math only.  What an interpretation needs beyond it lives in
that interpretation's own table, keyed by the operation's ``family`` (its
name; ``"**c"`` and ``"c**"`` for the powers with a constant): the compiler
backends' code templates (`autograd.compiler.backends`), the rule `explain`
writes for each local derivative (`autograd.viz.rules`).  For your own
operations, `defop` takes those extras (``code={"c": ...}``,
``explain=(...)``) and keeps them in `register_rule`'s registry, where each
interpretation looks them up.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
import string
import sys
import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, overload

from .checks import cut, describe, is_real, quote, to_float
from .value import Operand, Value, as_value, make_node, named_error, setup_value

_Forward = Callable[..., float]
_Derivative = Callable[..., Any]


class Op:
    """An operation: a name, a float forward, a derivative, and what the table says about it.

    ``forward(*xs) -> float`` computes the result from the inputs' floats.
    ``derivative(*xs, out)`` returns d out / d x for a one-input operation, or
    a tuple with one partial derivative per input otherwise.

    Calling an `Op` applies it: with at least one `Value` argument it returns
    a new `Value` (recorded in the graph unless under `no_grad`); with plain
    numbers only it returns a plain float, so the same functions serve in
    derivatives written for both floats and `Value`s.

    Attributes (read-only):
        name: how the operation is shown (``"*"``, ``"tanh"``, ``"**2"``);
            ``str(op)`` is the same.  Two operations may share a name and are
            still different operations: an `Op` equals only itself.
        forward, derivative, arity: as above.
        const: the constant baked into the operation, if any (the ``2.5`` of
            ``x ** 2.5``, the ``2`` of ``2 ** x``), else ``None``.
        methods: the `Value` methods this operation provides (``("__add__",
            "__radd__")``); empty for operations made with `defop`.
        family: the key of the table's own rows in every interpretation's
            table (its name; ``"**c"``/``"c**"`` for the powers with a
            constant); ``None`` for operations made outside the table, whose
            extras are in `register_rule`'s registry.
    """

    __slots__ = ("name", "forward", "derivative", "arity", "const", "methods", "family", "home", "__weakref__")

    name: str
    forward: _Forward
    derivative: _Derivative
    arity: int
    const: float | None
    methods: tuple[str, ...]
    family: str | None
    home: str | None  # the module that defined it with `defop`, for pickling by reference

    def __init__(
        self,
        name: str,
        forward: _Forward,
        derivative: _Derivative,
        arity: int | None = None,
        *,
        const: float | None = None,
        methods: tuple[str, ...] = (),
        family: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"an operation's name must be a non-empty str, got {describe(name)}")
        if not callable(forward) or not callable(derivative):
            raise TypeError(f"operation {quote(name)}: forward and derivative must be callables")
        if arity is None:
            arity = _count_positional(forward, name)
        if isinstance(arity, bool) or not isinstance(arity, int) or arity < 1:
            raise ValueError(f"operation {quote(name)}: arity must be a positive int, got {quote(arity)}")
        fields = {
            "name": name,
            "forward": forward,
            "derivative": derivative,
            "arity": arity,
            "const": const,
            "methods": tuple(methods),
            "family": family,
            "home": None,
        }
        for field, value in fields.items():
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"operations are immutable: cannot set {name!r} of {self!r}")

    @overload
    def __call__(self, x: Value, /, *rest: Operand) -> Value: ...
    @overload
    def __call__(self, x: float, y: Value, /, *rest: Operand) -> Value: ...
    @overload
    def __call__(self, *args: float) -> float: ...

    def __call__(self, *args: object) -> Value | float:
        if len(args) != self.arity:
            raise TypeError(f"{self.name}() takes {self.arity} argument(s), got {len(args)}")
        if not any(isinstance(a, Value) for a in args):
            return self.apply(*[to_float(a, f"{self.name}()") for a in args])
        inputs = tuple(as_value(a) for a in args)
        return make_node(self, self.apply(*[x.data for x in inputs]), inputs)

    def apply(self, *xs: float) -> float:
        """`forward`, with its result checked: a user's forward may return an int or a numpy scalar."""
        try:  # free when nothing is raised (Python 3.11+)
            result = self.forward(*xs)
        except (ArithmeticError, ValueError) as exc:
            raise named_error(self, xs, exc) from None
        if type(result) is float:
            return result
        return to_float(result, f"the forward of operation {quote(self.name)}", "must return")

    def vjp(self, g: Any, *args: Any) -> tuple[Any, ...]:
        """The chain rule at one node: what reaches each input, ``g * d out/d input``, as a tuple.

        `args` are the inputs and then the output (floats, or `Value`s under
        ``grad(..., create_graph=True)``), as `derivative` takes them.  A
        partial of exactly 1.0 passes `g` on as it is (the same number for
        floats; one node fewer for `Value`s).  `backward()`'s hot loop
        (`autograd.backprop._propagate`) inlines this; everything else calls it.
        """
        return tuple(g if (type(d) is float and d == 1.0) else g * d for d in self.partials(*args))

    def partials(self, *args: Any) -> tuple[Any, ...]:
        """`derivative` called on the inputs and the output, always as a tuple (one partial per input)."""
        partials = self.derivative(*args)
        return (partials,) if self.arity == 1 else tuple(partials)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"

    def __copy__(self) -> Op:
        return self  # immutable: copies of a graph share their operations

    def __deepcopy__(self, memo: dict[int, object]) -> Op:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a built-in operation by reference, so unpickled graphs use the table's own `Op`s."""
        if BUILTINS.get(self.name) is self:
            return (_builtin, (self.name,))
        if self.const is not None and self in (power(self.const), power_of(self.const)):
            return (power if self is power(self.const) else power_of, (self.const,))
        attribute = _find_in_module(self)
        if attribute is None:
            raise TypeError(
                f"cannot pickle the operation {quote(self.name)} made by defop: pickle stores an operation by "
                "reference, so assign it to a name at the top level of an importable module "
                "(softplus = defop(...)) and pickle there"
            )
        return (_by_reference, attribute)


def _builtin(name: str) -> Op:
    return BUILTINS[name]


def _find_in_module(op: Op) -> tuple[str, str] | None:
    """(module, name) of a module-level global holding `op` in the module that defined it, if any."""
    module = sys.modules.get(op.home or "")
    if module is None or (op.home == "__main__" and not hasattr(module, "__file__")):
        return None
    for name, value in vars(module).items():
        if value is op:
            return (module.__name__, name)
    return None


def _by_reference(module: str, name: str) -> Op:
    import importlib

    op = getattr(importlib.import_module(module), name)
    if not isinstance(op, Op):
        raise TypeError(f"{module}.{name} is not an operation, got {describe(op)}")
    return op


class ClosureOp(Op):
    """The operation of a node made micrograd's way, ``Value(data, (a, b), '+')``: its backward is a closure.

    `backward()` calls the node's ``_backward`` closure (which adds into its
    inputs' ``.grad`` itself) where a table operation's derivative would be
    used.  Such nodes cannot be differentiated by `grad()` nor pickled (the
    closure is code, not data).  One per node; ``name`` is micrograd's ``_op``.
    """

    __slots__ = ("closure",)

    closure: Callable[[], object]

    def __init__(self, name: str, arity: int) -> None:  # no checks: made by Value() only
        closure_op = self

        def derivative(*_floats: float) -> tuple[()]:
            closure_op.closure()
            return ()  # the closure has done the work; nothing for the engine to add

        for field, value in {
            "name": name,
            "forward": _no_forward,
            "derivative": derivative,
            "arity": arity,
            "const": None,
            "methods": (),
            "family": None,
            "home": None,
            "closure": _no_closure,
        }.items():
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: object) -> None:
        if name != "closure":
            super().__setattr__(name, value)
        object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError(
            f"cannot pickle a node made micrograd's way (operation {quote(self.name)} with a _backward closure): "
            "a closure is code, not data; build the graph with valuegrad's operations (or defop) to pickle it"
        )


def _no_forward(*_xs: float) -> float:
    raise TypeError("an operation made micrograd's way (Value(data, children, op)) cannot be applied again")


def _no_closure() -> None:
    """A micrograd node's `_backward` until one is assigned (micrograd's ``lambda: None``)."""


def _count_positional(func: Callable[..., Any], name: str) -> int:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(f"operation {quote(name)}: cannot read the signature of forward; pass arity=") from None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)


def defop(
    name: str,
    forward: _Forward,
    derivative: _Derivative,
    *,
    arity: int | None = None,
    code: Mapping[str, Any] | None = None,
    explain: str | Sequence[str] | None = None,
) -> Op:
    """Define a new primitive operation from its forward and its local derivative(s).

    Args:
        name: shown as the node's ``.op.name`` and in drawings.
        forward: computes the result from plain floats, e.g. ``lambda x: math.log1p(math.exp(x))``.
        derivative: called as ``derivative(*inputs, out)``; returns d out/d x for
            a one-input operation, a tuple of partials (one per input) otherwise.
            Write it with arithmetic and `autograd` functions (``exp``, ``sigmoid``,
            ...) rather than ``math``, and ``grad(..., create_graph=True)`` can
            differentiate through it again.
        arity: number of inputs; read from ``forward``'s signature when omitted.
        code: optional code templates for `autograd.compile`, by backend name,
            e.g. ``{"c": ("log1p(exp({0}))", ("1.0 / (1.0 + exp(-{0}))",))}``
            (the format is `autograd.compiler.backends`'); each is registered
            with `register_rule` under the backend's name.  The C backend needs
            a ``"c"`` entry; the Python backend calls ``forward`` and
            ``derivative`` when there is no ``"python"`` entry.  (The key
            ``"py"`` still means ``"python"``, with a `DeprecationWarning`.)
        explain: optional rule of each local derivative for `autograd.explain`,
            one formula per input, e.g. ``("1/(1 + exp(−{0}))",)``: ``{0}``,
            ``{1}``, ... are the inputs, ``{out}`` the result.  Explain writes
            ``d(out)/dx = rule = rule with the numbers = the derivative's number``;
            without it, the number alone.  Registered with `register_rule` under
            ``"explain"``.

    Returns:
        The `Op`, a callable: ``op(value)`` gives a recorded `Value`,
        ``op(2.0)`` a plain float.

    Checked here: that ``forward`` takes `arity` arguments and ``derivative``
    ``arity + 1`` (when their signatures can be read).  Checked each time it
    is used: that ``derivative`` returns one real number per input (a `Value`
    is accepted only under ``grad(..., create_graph=True)``); anything else
    (the wrong number of partials, a complex number, a numpy array, None, a
    str) is a `TypeError` naming the operation.  The table's own operations
    skip that check, so they stay as fast.
    """
    templates = _check_code(name, code)
    op = Op(name, forward, derivative, arity)
    rules = _check_explain(name, explain, op.arity)
    _check_takes(forward, op.arity, f"operation {quote(name)}: forward", "the inputs")
    _check_takes(derivative, op.arity + 1, f"operation {quote(name)}: derivative", "the inputs and then out")
    object.__setattr__(op, "derivative", _checked_derivative(op, derivative))
    try:
        home = sys._getframe(1).f_globals.get("__name__")
    except (AttributeError, ValueError):  # a Python without frames
        home = None
    object.__setattr__(op, "home", home if isinstance(home, str) else None)
    for backend, template in templates.items():
        register_rule(backend, op, template)
    if rules is not None:
        register_rule("explain", op, rules)
    return op


def _check_explain(name: str, explain: object, arity: int) -> tuple[str, ...] | None:
    """A user's explain rule: one formula (a str) per input, using only {0}..{arity-1}, {out} and {c}."""
    if explain is None:
        return None
    formulas = (explain,) if isinstance(explain, str) else explain
    if (
        not isinstance(formulas, (tuple, list))
        or len(formulas) != arity
        or not all(isinstance(f, str) for f in formulas)
    ):
        raise TypeError(
            f"defop {name!r}: explain must be {arity} formula(s), one str per input, got {describe(explain)}"
        )
    allowed = {str(i) for i in range(arity)} | {"out", "c"}
    for formula in formulas:
        try:
            fields = {field for _, field, _, _ in string.Formatter().parse(formula) if field is not None}
        except ValueError as error:
            raise ValueError(f"defop {name!r}: the explain formula {formula!r} is not a template: {error}") from None
        if fields - allowed:
            raise ValueError(
                f"defop {name!r}: the explain formula {formula!r} uses {sorted(fields - allowed)}; "
                f"it may use {{0}}..{{{arity - 1}}} (the inputs), {{out}} and {{c}}"
            )
    return tuple(formulas)


def _check_code(name: str, code: Mapping[str, Any] | None) -> dict[str, Any]:
    if code is None:
        return {}
    if not isinstance(code, Mapping):
        raise TypeError(
            f"defop {name!r}: code must be a mapping of backend name to (forward, partials), got {describe(code)}"
        )
    for backend, entry in code.items():
        ok = (
            isinstance(entry, tuple)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and isinstance(entry[1], tuple)
            and all(isinstance(t, str) for t in entry[1])
        )
        if not ok:
            raise TypeError(
                f"defop {name!r}: code[{backend!r}] must be a pair (forward template, tuple of "
                f"partial templates), got {describe(entry)}"
            )
    if "py" in code:
        warnings.warn(
            f'defop {name!r}: the code key "py" is now "python" (the backend\'s one name); "py" will be removed',
            DeprecationWarning,
            stacklevel=3,
        )
        code = {("python" if backend == "py" else backend): entry for backend, entry in code.items()}
    return dict(code)


# ---------------------------------------------------------------- each interpretation's extras for users' ops
_RULES: dict[str, weakref.WeakKeyDictionary[Op, Any]] = {}


def register_rule(interpretation: str, op: Op, rule: Any) -> None:
    """Keep what `interpretation` needs to handle `op` beyond its math (e.g. a backend's code template).

    The table's own operations have their rows in each interpretation's table
    (keyed by ``op.family``); this registry is for operations made with
    `defop`, which registers its ``code=`` entries here under each backend's
    name.  An operation that is no longer used anywhere drops out of it.
    """
    if not isinstance(interpretation, str) or not interpretation:
        raise TypeError(f"register_rule: the interpretation must be a non-empty str, got {describe(interpretation)}")
    if not isinstance(op, Op):
        raise TypeError(f"register_rule: expected an operation (an Op), got {describe(op)}")
    _RULES.setdefault(interpretation, weakref.WeakKeyDictionary())[op] = rule


def rule_of(interpretation: str, op: Op) -> Any:
    """What `register_rule` keeps for `op` under `interpretation`, or ``None``."""
    rules = _RULES.get(interpretation)
    return None if rules is None else rules.get(op)


def _check_takes(func: Callable[..., Any], count: int, what: str, meaning: str) -> None:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return  # a builtin or C function: cannot tell here; a wrong call fails when it is used
    try:
        signature.bind(*range(count))
    except TypeError:
        raise TypeError(
            f"{what} must take {count} positional argument(s) ({meaning}); its signature is {cut(str(signature))}"
        ) from None


_PARTIAL_TYPES = (float, int)


def _checked_derivative(op: Op, derivative: _Derivative) -> _Derivative:
    """`derivative`, with what it returns checked: one real number (or `Value`) per input."""
    arity, name = op.arity, op.name

    def bad(result: object, expected: str) -> TypeError:
        return TypeError(f"the derivative of operation {quote(name)} returned {describe(result)}; expected {expected}")

    def partial(d: object, symbolic: bool, result: object, expected: str) -> Any:
        if type(d) is float or (symbolic and isinstance(d, Value)):
            return d
        if isinstance(d, bool) or not (isinstance(d, _PARTIAL_TYPES) or is_real(d)):
            raise bad(result, expected)
        return float(d)  # an int, a Fraction, a numpy real scalar (numpy arrays are not real numbers)

    @functools.wraps(derivative)
    def checked(*args: Any) -> Any:
        symbolic = isinstance(args[-1], Value)  # grad(create_graph=True) passes Values, backward() floats
        kind = "a real number or a Value" if symbolic else "a real number (a float: it is called with floats)"
        result = derivative(*args)
        if arity == 1:
            return partial(result, symbolic, result, kind)
        expected = f"a tuple of {arity} partial derivatives, each {kind}"
        if not isinstance(result, (tuple, list)) or len(result) != arity:
            raise bad(result, expected)
        return tuple(partial(d, symbolic, result, expected) for d in result)

    return checked


def _data(x: Any) -> float:
    """The float inside a `Value`, or the number itself (derivatives get either)."""
    return float(x.data if isinstance(x, Value) else x)


# ---------------------------------------------------------------- forwards and derivatives that need care


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


def _max(x: float, y: float) -> float:
    return y if y > x else x  # as builtins.max(x, y)


def _relu(x: float) -> float:
    return x if x > 0.0 or x != x else 0.0  # x != x: NaN stays NaN; negatives give +0.0, not -0.0


def _sign(x: Any) -> float:
    x = _data(x)
    # At 0 (and NaN) `0.0 * x` is 0.0 for +0.0, -0.0 for -0.0 and NaN for NaN: the
    # derivative of abs at 0 is 0 as in PyTorch, and a NaN input stays visible.
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 * x


def _d_exponent(base: Any, out: Any) -> Any:
    """d(base ** y)/dy: ``out * log(base)`` for base > 0, 0 at base 0, NaN (not real) below."""
    b = _data(base)
    return out * log(base) if b > 0.0 else 0.0 if b == 0.0 else math.nan


def _dpow(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    # d(x ** y)/dx at y = 0 is 0, also at x = 0 where y * x ** (y - 1) would divide by zero (as PyTorch).
    # Only there: elsewhere the formula is kept, since under create_graph its own derivative in y matters.
    at_zero = _data(y) == 0.0 and _data(x) == 0.0
    return (0.0 if at_zero else y * x ** (y - 1.0)), _d_exponent(x, out)


# One row per operation, read row by row: the formatter leaves the table as written.
# fmt: off
# ---------------------------------------------------------------- the table
#            name       forward        derivative(*inputs, out)                     Value methods
add = Op("+", operator.add, lambda x, y, out: (1.0, 1.0), methods=("__add__", "__radd__"))
sub = Op("-", operator.sub, lambda x, y, out: (1.0, -1.0), methods=("__sub__", "__rsub__"))
mul = Op("*", operator.mul, lambda x, y, out: (y, x), methods=("__mul__", "__rmul__"))
truediv = Op("/", operator.truediv, lambda x, y, out: (1.0 / y, -out / y), methods=("__truediv__", "__rtruediv__"))
pow = Op("**", _pow, _dpow, methods=("__pow__", "__rpow__"))  # noqa: A001 - mirrors operator.pow
neg = Op("neg", operator.neg, lambda x, out: -1.0, methods=("__neg__",))
abs = Op("abs", math.fabs, lambda x, out: _sign(x), methods=("__abs__",))  # noqa: A001 - mirrors builtins.abs
exp = Op("exp", math.exp, lambda x, out: out, methods=("exp",))
log = Op("log", _log, lambda x, out: 1.0 / x, methods=("log",))
tanh = Op("tanh", math.tanh, lambda x, out: 1.0 - out * out, methods=("tanh",))
sigmoid = Op("sigmoid", _sigmoid, lambda x, out: out * (1.0 - out), methods=("sigmoid",))
relu = Op("relu", _relu, lambda x, out: 1.0 if _data(x) > 0.0 else 0.0, methods=("relu",))
sqrt = Op("sqrt", _sqrt, lambda x, out: 0.5 / out, methods=("sqrt",))
cos: Op  # the next row's: sin's derivative refers to it
sin = Op("sin", math.sin, lambda x, out: cos(x), methods=("sin",))
cos = Op("cos", math.cos, lambda x, out: -sin(x), methods=("cos",))
# The larger of two numbers as a constant: its derivative is 0.  For the shift of a
# stable softmax / log-sum-exp, whose gradient cancels exactly, so the shift can stay
# in the graph (and in a compiled trace) instead of being read out of `.data`.
detached_max = Op("detached_max", _max, lambda x, y, out: (0.0, 0.0))
# ---------------------------------------------------------------- end of the table
# fmt: on

TABLE: tuple[Op, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Op))
"""The built-in operations, in table order."""

for _op in TABLE:  # a row's key in every interpretation's table is its name
    object.__setattr__(_op, "family", _op.name)
del _op

BUILTINS: Mapping[str, Op] = MappingProxyType({op.name: op for op in TABLE})
"""The built-in operations by name."""

FUNCTIONS: Mapping[str, Op] = MappingProxyType(
    {op.name: op for op in TABLE if op.arity == 1 and op.name.isidentifier()}
)
"""The one-input operations that have a function's name (``exp``, ``tanh``, ...): what expressions may call."""


def _const_name(c: float) -> str:
    text = repr(c)  # the shortest text that reads back as the same float: 2.0000001 is not drawn as 2
    return text[:-2] if text.endswith(".0") else text


# A plain number in a power is a constant, not an input: ``x ** 2`` is the one-input
# operation "**2" (as micrograd names it), so no derivative is spent on the 2 (which
# would be NaN for a negative x), and ``2 ** x`` is "2**".  One Op per constant, cached.
@functools.lru_cache(maxsize=1024)
def power(p: float) -> Op:
    """The operation ``x ** p`` for a constant exponent `p` (``op.const == p``, family ``"**c"``)."""
    derivative = _zero if p == 0.0 else lambda x, out: p * x ** (p - 1.0)  # x ** 0: 0 also at x = 0 (PyTorch)
    return Op(f"**{_const_name(p)}", lambda x: _pow(x, p), derivative, 1, const=p, family="**c")


def _zero(x: Any, out: Any) -> float:
    return 0.0


@functools.lru_cache(maxsize=1024)
def power_of(b: float) -> Op:
    """The operation ``b ** x`` for a constant base `b` (``op.const == b``, family ``"c**"``)."""
    return Op(f"{_const_name(b)}**", lambda x: _pow(b, x), lambda x, out: _d_exponent(b, out), 1, const=b, family="c**")


if not TYPE_CHECKING:
    # The exports, derived from the table.  Type checkers cannot evaluate this list, so
    # they are not shown it: without an `__all__`, they export the names defined here.
    __all__ = [
        "Op",
        "defop",
        "power",
        "power_of",
        "TABLE",
        "BUILTINS",
        "FUNCTIONS",
        "register_rule",
        "rule_of",
        *(name for name, v in dict(globals()).items() if isinstance(v, Op)),
    ]

setup_value(TABLE, {"__pow__": power, "__rpow__": power_of}, ClosureOp)
