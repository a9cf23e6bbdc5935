"""Fully connected layers: micrograd's `Neuron`, `Layer` and `MLP`, and PyTorch's `Linear` and `Sequential`.

`Neuron`, `Layer` and `MLP` are micrograd's building blocks, with a choice of
activation and init.  `Linear` is PyTorch's layer without activation, its
weights stored as a matrix (``weight[i][j]``, output ``i``, input ``j``, as
``torch.nn.Linear.weight``); `Sequential` chains modules, and `ReLU`, `Tanh`
and `Sigmoid` are activations as modules to chain between them.

A neuron computes ``activation(w1*x1 + ... + wn*xn + b)``.  The signatures and
default behaviour are micrograd's: ``Neuron(nin, nonlin=True)`` is a ReLU
neuron, ``Layer(nin, nout)`` is ``nout`` neurons that share the inputs (and
returns a single `Value` when ``nout == 1``), and ``MLP(nin, nouts)`` has ReLU
hidden layers and a linear last layer, so ``MLP(2, [16, 16, 1])`` has 337
parameters and returns one `Value`.  Unlike micrograd, a width-1 hidden layer
works (``MLP(2, [16, 1, 1])``).

Weight initialisation
---------------------
Biases start at 0.  Each weight is drawn independently, in order (neuron by
neuron, input by input), from the uniform distribution given by ``init``:

* ``"uniform"`` (default, micrograd's scheme): U(-1, 1).  After
  ``random.seed(s)``, ``MLP(...)`` has exactly the weights micrograd's
  ``MLP(...)`` gets after the same ``random.seed(s)``.
* ``"he"``: U(-sqrt(6/nin), sqrt(6/nin)), variance 2/nin (Kaiming uniform),
  which keeps ReLU activations at a steady scale through deep or wide nets.
* ``"lecun"``: U(-sqrt(3/nin), sqrt(3/nin)), variance 1/nin, for tanh,
  sigmoid and linear units.
* a callable ``init(rng, nin) -> float`` for anything else.

Randomness comes from ``seed``: ``None`` (default) uses the global `random`
module, so ``random.seed(...)`` makes runs repeatable; an ``int`` uses a
private ``random.Random(seed)``; a ``random.Random`` instance is used as is
(and advanced).  An `MLP` or `Layer` draws all its weights from one stream,
so ``MLP(2, [16, 1], seed=0)`` is the same network every time.  `Linear`
draws its weights in the same order (row by row, input by input), so
``Linear(nin, nout, seed=s)`` has the weights of ``Layer(nin, nout,
nonlin=False, seed=s)``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from autograd import Value
from autograd.checks import check_int, check_sequence, describe, is_real
from autograd.value import Operand

from .module import Module
from .seeding import RandomSource, Seed, make_rng

if TYPE_CHECKING:
    from typing_extensions import TypeVar as TypeVar_  # only the type checker reads these (3.13's and 3.11's typing)
    from typing_extensions import Unpack

__all__ = [
    "Neuron",
    "Layer",
    "MLP",
    "Linear",
    "Sequential",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Inputs",
    "Activation",
    "Init",
    "Seed",
    "ACTIVATIONS",
    "INITS",
]


Inputs = Sequence[Operand] | Operand
"""What a neuron, layer or network is called with: one number or `Value` per input (or a bare one for one input)."""


Activation = str | Callable[[Value], Value]
"""``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"linear"``, or any callable taking and returning a `Value`."""

Init = str | Callable[[RandomSource, int], float]
"""``"uniform"``, ``"he"``, ``"lecun"``, or a callable ``(rng, nin) -> weight``."""

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}
"""The activations known by name (``None`` means identity)."""

INITS: dict[str, Callable[[RandomSource, int], float]] = {
    "uniform": lambda rng, nin: rng.uniform(-1.0, 1.0),
    "he": lambda rng, nin: rng.uniform(-math.sqrt(6.0 / nin), math.sqrt(6.0 / nin)),
    "lecun": lambda rng, nin: rng.uniform(-math.sqrt(3.0 / nin), math.sqrt(3.0 / nin)),
}
"""The weight initialisations known by name (see the module docstring)."""

_mul = operator.mul


def _resolve_activation(nonlin: bool, activation: Activation | None) -> tuple[str, Callable[[Value], Value] | None]:
    """(display name, function or None for identity) for a neuron's arguments."""
    if activation is None:
        return ("relu", Value.relu) if nonlin else ("linear", None)
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)} or a callable")
        if not nonlin and activation != "linear":
            raise ValueError(f"nonlin=False asks for a linear neuron but activation={activation!r}; give only one")
        return activation, ACTIVATIONS[activation]
    if callable(activation):
        if not nonlin:
            raise ValueError(
                "nonlin=False asks for a linear neuron but an activation function was given; give only one"
            )
        return getattr(activation, "__name__", repr(activation)), activation
    raise TypeError(f"activation must be a name ({sorted(ACTIVATIONS)}) or a callable, got {describe(activation)}")


def _resolve_init(init: Init) -> Callable[[RandomSource, int], float]:
    if isinstance(init, str):
        if init not in INITS:
            raise ValueError(
                f"unknown init {init!r}; expected one of {sorted(INITS)} or a callable (rng, nin) -> float"
            )
        return INITS[init]
    if callable(init):
        return init
    raise TypeError(f"init must be a name ({sorted(INITS)}) or a callable, got {describe(init)}")


def _inputs(x: object, nin: int, who: str) -> Sequence[object]:
    """The inputs as a sequence of ``nin`` items; a bare number or `Value` counts as one input."""
    if isinstance(x, (list, tuple)):  # nearly every call: used as is, not copied
        xs: Sequence[object] = x
    elif isinstance(x, Value) or is_real(x):
        xs = (x,)
    else:
        xs = check_sequence(x, f"{who} inputs")
    if len(xs) != nin:
        raise ValueError(f"{who} expects {nin} input{'s' if nin != 1 else ''}, got {len(xs)}")
    return xs


def _explain(error: TypeError, xs: Sequence[object], who: str) -> TypeError:
    """A clear TypeError naming the input that is not a number, or ``error`` itself if every input is one.

    Called only after the arithmetic failed, so the usual path checks nothing.
    """
    for i, item in enumerate(xs):
        if not (isinstance(item, Value) or is_real(item)):
            return TypeError(f"{who} input {i} must be a number or a Value, got {describe(item)}")
    return error


def _only(out: list[Value], who: str) -> Value:
    if len(out) != 1:
        raise ValueError(f"forward_one() needs a {who} with one output, this one has {len(out)}; use outputs(x)")
    return out[0]


class Neuron(Module):
    """One neuron: ``activation(sum(w_i * x_i) + b)``.

    Args:
        nin: number of inputs.
        nonlin: micrograd's switch: ``True`` is a ReLU neuron, ``False`` a linear one.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"linear"`` or a callable
            on a `Value`; overrides ``nonlin``'s default (``nonlin=False`` with a
            non-linear activation is an error).
        bias: whether the neuron has the bias ``b`` (default True).
        init: weight initialisation, ``"uniform"`` (micrograd's U(-1, 1)),
            ``"he"``, ``"lecun"`` or a callable ``(rng, nin) -> float``.
        seed: ``None`` (global `random`), an int or a `random.Random`.

    Call it with ``nin`` inputs (a list/tuple of numbers or `Value`s; a bare
    number is accepted when ``nin == 1``); it returns one `Value`.

    Attributes:
        w: the list of ``nin`` weight `Value`s.
        b: the bias `Value` (``None`` when ``bias=False``).
    """

    w: list[Value]
    b: Value | None

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        activation: Activation | None = None,
        *,
        bias: bool = True,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None:
        self.nin = check_int(nin, "Neuron nin", 1)
        self.activation, self._fn = _resolve_activation(bool(nonlin), activation)
        self.nonlin = self._fn is not None
        draw, rng = _resolve_init(init), make_rng(seed)
        self.w = [Value(draw(rng, self.nin)) for _ in range(self.nin)]
        self.b = Value(0.0) if bias else None

    def __call__(self, x: Inputs) -> Value:
        return self.forward(x)

    def forward(self, x: Inputs) -> Value:
        """The neuron's output for inputs ``x`` (what calling the neuron does)."""
        xs = _inputs(x, self.nin, "Neuron")
        try:
            return self._forward(xs)
        except TypeError as error:
            raise _explain(error, xs, "Neuron") from None

    def __getstate__(self) -> dict[str, object]:
        # A named activation is pickled (and copied) by its name, whatever kind of callable implements it.
        state = dict(vars(self))
        if ACTIVATIONS.get(self.activation, False) is self._fn:
            del state["_fn"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        vars(self).update(state)
        if "_fn" not in state:
            self._fn = ACTIVATIONS[self.activation]

    def _forward(self, x: Sequence[object]) -> Value:
        """The neuron on inputs already known to be ``nin`` long: the hot path."""
        b = self.b
        if b is not None:
            act: Value = sum(map(_mul, self.w, x), b)
        else:
            products = map(_mul, self.w, x)
            act = sum(products, next(products))
        fn = self._fn
        return act if fn is None else fn(act)

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.activation}" + ("" if self.b is not None else ", bias=False")

    def _children_for_repr(self) -> list[tuple[str, str]]:
        return []


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs.

    Keyword arguments (``nonlin``, ``activation``, ``bias``, ``init``) are
    passed to every `Neuron`; ``seed`` is turned into one generator shared by
    all of them.  Calling a layer returns a list of ``nout`` `Value`s, or the
    single `Value` when ``nout == 1`` (as micrograd does).

    Attributes:
        neurons: the list of `Neuron`s.
    """

    neurons: list[Neuron]

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        activation: Activation | None = None,
        *,
        bias: bool = True,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None:
        self.nin = check_int(nin, "Layer nin", 1)
        self.nout = check_int(nout, "Layer nout", 1)
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, nonlin, activation, bias=bias, init=init, seed=rng) for _ in range(nout)]

    def __call__(self, x: Inputs) -> Value | list[Value]:
        return self.forward(x)

    def forward(self, x: Inputs) -> Value | list[Value]:
        """The layer's outputs for inputs ``x`` (what calling the layer does)."""
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def outputs(self, x: Inputs, *, who: str = "Layer") -> list[Value]:
        """Like calling the layer, but always a list (also when ``nout == 1``)."""
        xs = _inputs(x, self.nin, who)
        try:
            return [neuron._forward(xs) for neuron in self.neurons]
        except TypeError as error:
            raise _explain(error, xs, who) from None

    def forward_one(self, x: Inputs) -> Value:
        """The output of a one-neuron layer, typed as a `Value` (ValueError for a wider layer)."""
        return _only(self.outputs(x), "Layer")

    def extra_repr(self) -> str:
        activations = {n.activation for n in self.neurons}
        shown = activations.pop() if len(activations) == 1 else "mixed"
        return f"{self.nin} -> {self.nout}, {shown}"

    def _children_for_repr(self) -> list[tuple[str, str]]:
        return []


if TYPE_CHECKING:  # a default (PEP 696): a bare `MLP` annotation means MLP[Value | list[Value]], as before
    Out = TypeVar_("Out", bound=Value | list[Value], covariant=True, default=Value | list[Value])
else:  # typing.TypeVar takes default= from Python 3.13 only, and the core depends on nothing
    Out = TypeVar("Out", bound=Value | list[Value], covariant=True)
"""What calling an `MLP` returns: ``Value`` (one output) or ``list[Value]``, or either (``Value | list[Value]``)."""


class MLP(Module, Generic[Out]):
    """A multi-layer perceptron: ``nin`` inputs, then one `Layer` per entry of ``nouts``.

    Args:
        nin: number of inputs.
        nouts: the width of each layer; the last is the number of outputs.
        activation: of the hidden layers (default ``"relu"``, as micrograd).
        output_activation: of the last layer (default ``"linear"``: raw scores
            or logits, which is what the losses in `nn.losses` expect).
        bias: as for `Neuron`.
        init: as for `Neuron`.
        seed: as for `Neuron`; one generator serves the whole net.

    Calling it returns the single output `Value` when the last layer has one
    neuron, else the list of outputs.

    Typing: ``MLP`` is generic in what a call returns.  A type checker sees
    the widths' last entry only in a tuple, so ``MLP(2, (16, 16, 1))`` is an
    ``MLP[Value]`` (``model(x).data`` type-checks), while micrograd's
    ``MLP(2, [16, 16, 1])`` is an ``MLP[Value | list[Value]]``: the same object,
    returning the same `Value` at run time, but typed with both cases (narrow it
    with `forward_one`, or use `outputs` for a list).  See docs/nn.md.

    Attributes:
        layers: the list of `Layer`s.
    """

    layers: list[Layer]

    @overload
    def __init__(
        self: MLP[Value],
        nin: int,
        nouts: tuple[Unpack[tuple[int, ...]], Literal[1]],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        bias: bool = True,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None: ...
    @overload
    def __init__(
        self: MLP[Value | list[Value]],
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        bias: bool = True,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None: ...
    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        bias: bool = True,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None:
        self.nin = check_int(nin, "MLP nin", 1)
        _resolve_activation(True, activation)  # checked even when no hidden layer uses it
        _resolve_activation(True, output_activation)
        widths = check_sequence(nouts, "MLP nouts (the layer widths, like [16, 16, 1])")
        if not widths:
            raise ValueError("MLP nouts must be a non-empty list of layer widths, like [16, 16, 1]; got an empty one")
        sizes = [self.nin] + [check_int(n, f"MLP nouts[{i}]", 1) for i, n in enumerate(widths)]
        rng = make_rng(seed)
        last = len(widths) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=activation if i != last else output_activation,
                bias=bias,
                init=init,
                seed=rng,
            )
            for i in range(len(widths))
        ]

    def __call__(self, x: Inputs) -> Out:  # a Value when the last layer has one neuron
        return self.forward(x)

    def forward(self, x: Inputs) -> Out:
        """The network's output(s) for inputs ``x`` (what calling the network does)."""
        out = self.outputs(x)
        result: Value | list[Value] = out[0] if len(out) == 1 else out
        return result  # type: ignore[return-value]  # Out is what the widths said: 1 output is a Value

    def outputs(self, x: Inputs) -> list[Value]:
        """The network's outputs for inputs ``x``, always as a list (typed ``list[Value]``)."""
        layers = self.layers
        out = layers[0].outputs(x, who="MLP")
        for layer in layers[1:]:
            out = layer.outputs(out)
        return out

    def forward_one(self, x: Inputs) -> Value:
        """The single output of a network whose last layer has one neuron, typed as a `Value`.

        Calling an ``MLP(2, [16, 16, 1])`` is typed ``Value | list[Value]``
        (a list's last width is not visible to a type checker), which
        ``mypy --strict`` will not let you call ``.backward()`` on;
        ``model.forward_one(x).backward()`` type-checks (so does
        ``MLP(2, (16, 16, 1))(x).backward()``).
        Raises ValueError when the last layer has more than one neuron.
        """
        return _only(self.outputs(x), "MLP")

    def extra_repr(self) -> str:
        sizes = " -> ".join(str(n) for n in [self.nin] + [layer.nout for layer in self.layers])
        return f"{sizes}, {self.num_parameters()} parameters"


class Linear(Module):
    """``y = W x + b``, a fully connected layer without activation (``torch.nn.Linear``).

    Args:
        nin: number of inputs (PyTorch's ``in_features``).
        nout: number of outputs (``out_features``).
        bias: whether the layer adds the bias vector ``b`` (default True).
        init: weight initialisation, as for `Neuron` (default ``"uniform"``,
            micrograd's U(-1, 1)); a callable ``(rng, nin) -> float`` draws
            anything else, e.g. ``lambda rng, nin: rng.gauss(0.0, 0.08)``.
        seed: ``None`` (global `random`), an int or a `random.Random`.

    Biases start at 0.  Call it with ``nin`` inputs (numbers or `Value`s); it
    returns the list of ``nout`` output `Value`s, also when ``nout == 1``.

    Attributes:
        weight: ``nout`` rows of ``nin`` weight `Value`s (parameters named
            ``weight.i.j``, like the entries of ``torch.nn.Linear.weight``).
        bias: the ``nout`` bias `Value`s (``bias.i``), or ``None``.
    """

    weight: list[list[Value]]
    bias: list[Value] | None

    def __init__(
        self,
        nin: int,
        nout: int,
        bias: bool = True,
        *,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None:
        self.nin = check_int(nin, "Linear nin", 1)
        self.nout = check_int(nout, "Linear nout", 1)
        if not isinstance(bias, bool):
            raise TypeError(f"Linear bias must be True or False, got {describe(bias)}")
        draw, rng = _resolve_init(init), make_rng(seed)
        self.weight = [[Value(draw(rng, self.nin)) for _ in range(self.nin)] for _ in range(self.nout)]
        self.bias = [Value(0.0) for _ in range(self.nout)] if bias else None

    @property
    def in_features(self) -> int:
        """PyTorch's name for `nin`."""
        return self.nin

    @property
    def out_features(self) -> int:
        """PyTorch's name for `nout`."""
        return self.nout

    def __call__(self, x: Inputs) -> list[Value]:
        return self.forward(x)

    def forward(self, x: Inputs) -> list[Value]:
        """The ``nout`` outputs ``sum_j weight[i][j] * x[j] + bias[i]`` for inputs ``x``."""
        xs = _inputs(x, self.nin, "Linear")
        try:
            if self.bias is not None:
                return [sum(map(_mul, row, xs), b) for row, b in zip(self.weight, self.bias)]
            out = []
            for row in self.weight:
                products = map(_mul, row, xs)
                out.append(sum(products, next(products)))
            return out
        except TypeError as error:
            raise _explain(error, xs, "Linear") from None

    def extra_repr(self) -> str:
        return f"in_features={self.nin}, out_features={self.nout}, bias={self.bias is not None}"

    def _children_for_repr(self) -> list[tuple[str, str]]:
        return []


class _Elementwise(Module):
    """An activation as a module: applied to each item of a list (or to one `Value`); no parameters."""

    @staticmethod
    def _fn(v: Value) -> Value:
        raise NotImplementedError

    @overload
    def __call__(self, x: Value) -> Value: ...

    @overload
    def __call__(self, x: Sequence[Operand]) -> list[Value]: ...

    def __call__(self, x: Value | Sequence[Operand]) -> Value | list[Value]:
        return self.forward(x)

    def forward(self, x: Value | Sequence[Operand]) -> Value | list[Value]:
        """The activation of each input (a list for a list, a `Value` for a `Value` or a number)."""
        fn, name = self._fn, type(self).__name__
        if isinstance(x, Value):
            return fn(x)
        if is_real(x):
            return fn(Value(float(x)))
        items = check_sequence(x, f"{name} input")
        out = []
        for i, item in enumerate(items):
            if isinstance(item, Value):
                out.append(fn(item))
            elif is_real(item) and not isinstance(item, bool):
                out.append(fn(Value(float(item))))
            else:
                raise TypeError(f"{name} input {i} must be a number or a Value, got {describe(item)}")
        return out


class ReLU(_Elementwise):
    """``max(0, x)`` for each input (``torch.nn.ReLU``), as a module for `Sequential`."""

    @staticmethod
    def _fn(v: Value) -> Value:
        return v.relu()


class Tanh(_Elementwise):
    """``tanh(x)`` for each input (``torch.nn.Tanh``), as a module for `Sequential`."""

    @staticmethod
    def _fn(v: Value) -> Value:
        return v.tanh()


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-x))`` for each input (``torch.nn.Sigmoid``), as a module for `Sequential`."""

    @staticmethod
    def _fn(v: Value) -> Value:
        return v.sigmoid()


class Sequential(Module):
    """Modules called one after the other, each on the previous one's output (``torch.nn.Sequential``).

    >>> net = Sequential(Linear(2, 8, seed=0), ReLU(), Linear(8, 1, seed=1))
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=1, bias=True)
    )
    >>> len(net([0.5, -1.0])), net.num_parameters()
    (1, 33)

    The modules are stored as the attributes ``"0"``, ``"1"``, ... (as
    PyTorch does), so parameter names are ``0.weight.0.0``, ``2.bias.0``, ...
    Index it (``net[0]``, ``net[-1]``, a slice gives a `Sequential`),
    iterate over it, take its ``len``.
    """

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential expects nn modules (Linear, ReLU, MLP, ...), got {describe(module)} as module {i}"
                )
            setattr(self, str(i), module)
        self._length = len(modules)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Module]:
        return (getattr(self, str(i)) for i in range(self._length))

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        modules = list(self)
        if isinstance(index, slice):
            return Sequential(*modules[index])
        i = check_int(index, "Sequential index")
        if not -len(modules) <= i < len(modules):
            raise IndexError(f"Sequential index {i} is out of range for {len(modules)} modules")
        result: Module = modules[i]
        return result

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def forward(self, x: Any) -> Any:
        """``x`` through every module in order."""
        for module in self:
            x = module(x)
        return x
