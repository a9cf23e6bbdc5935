"""Moving a trained valuegrad model to PyTorch and back: `to_torch` and `from_torch`.

`to_torch(model)` turns a `Neuron`, `Layer` or `MLP` (or your own `Module`
built as a chain of them) into a ``torch.nn.Sequential`` of ``Linear``
layers and activation modules, float64 by default, with the trained weights
copied.  On the same inputs it computes the same numbers (to about 1e-15),
a whole batch at a time::

    net = nn.to_torch(model)                     # Sequential(Linear(2, 16), ReLU(), ...)
    scores = net(torch.tensor(X, dtype=torch.float64))     # shape (len(X), n_outputs)

One difference in shape: a valuegrad model with one output returns a single
`Value` per sample, the torch module a tensor of shape ``(batch, 1)`` (use
``scores[:, 0]`` or ``scores.squeeze(-1)`` for a flat vector), which is what
``torch.nn.Linear(..., 1)`` always gives.

`from_torch(net, model)` copies the weights back (after training in PyTorch,
say) into a valuegrad model of the same architecture.  It checks every shape
before it changes anything.

PyTorch is optional (``pip install 'valuegrad[torch]'``): it is imported
inside these functions, so ``import nn`` never imports it.
"""

from __future__ import annotations

import importlib
import itertools
import math
import random
from collections.abc import Callable
from typing import Any, NamedTuple

from autograd import Value
from autograd import ops as _ops

from .layers import MLP, Layer, Neuron
from .module import Module

__all__ = ["to_torch", "from_torch"]

INSTALL_HINT = (
    "PyTorch is not installed; nn.to_torch / nn.from_torch need it. Install it with "
    "pip install 'valuegrad[torch]' (any torch>=2.2,<3), or the CPU-only wheel this project is tested with: "
    "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
)

# Activation functions valuegrad knows -> the name of the torch.nn module that computes the same.
_TORCH_ACTIVATIONS: dict[Callable[[Value], Value], str] = {
    Value.relu: "ReLU",
    Value.tanh: "Tanh",
    Value.sigmoid: "Sigmoid",
}
for _name, _module_name in (("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid")):
    _fn = getattr(_ops, _name, None)
    if callable(_fn):  # autograd.relu etc., the same operations as functions
        _TORCH_ACTIVATIONS[_fn] = _module_name


def _import_torch() -> Any:
    """The torch module, or an ImportError that says how to install it.

    Typed as Any: torch is optional, so mypy must type-check this package
    without torch's annotations (and gives the same verdict with them).
    """
    try:
        return importlib.import_module("torch")
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error


class _Linear(NamedTuple):
    """One stage of the chain: a fully connected layer (the neurons of a Layer, or one Neuron)."""

    where: str  # e.g. "layers.1" or "neuron", for error messages
    neurons: list[Neuron]
    activation: str | None  # torch.nn class name, None for identity

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    @property
    def bias(self) -> bool:
        return self.neurons[0].b is not None


def _activation_of(neuron: Neuron, where: str) -> str | None:
    fn = neuron._fn
    if fn is None:
        return None
    name = _TORCH_ACTIVATIONS.get(fn)
    if name is None:
        raise TypeError(
            f"to_torch: {where} has the custom activation {neuron.activation!r}, which has no "
            f"torch.nn equivalent; only relu, tanh, sigmoid and linear can be exported"
        )
    return name


def _stage(neurons: list[Neuron], where: str) -> _Linear:
    """The neurons of one layer as one Linear stage, if they agree on activation, bias and width."""
    first = neurons[0]
    activation = _activation_of(first, f"{where}.neurons.0" if len(neurons) > 1 else where)
    for i, neuron in enumerate(neurons[1:], start=1):
        name = f"{where}.neurons.{i}"
        if neuron.nin != first.nin:
            raise TypeError(
                f"to_torch: {name} has {neuron.nin} inputs but {where}.neurons.0 has {first.nin}; "
                "a torch.nn.Linear needs one width"
            )
        if _activation_of(neuron, name) != activation:
            raise TypeError(
                f"to_torch: {where} mixes activations ({first.activation!r} and "
                f"{neuron.activation!r}); a torch.nn.Sequential applies one per layer"
            )
        if (neuron.b is None) != (first.b is None):
            raise TypeError(
                f"to_torch: {where} mixes neurons with and without a bias; "
                "a torch.nn.Linear has a bias for all outputs or none"
            )
    return _Linear(where, neurons, activation)


def _chain(obj: object, where: str, seen: set[int]) -> list[_Linear]:
    """The Linear stages of ``obj``, in order; TypeError for anything a Sequential cannot express."""
    if isinstance(obj, Value):
        raise TypeError(
            f"to_torch: {where} is a bare Value parameter, not part of a Neuron/Layer/MLP; "
            "a torch.nn.Sequential of Linear layers cannot hold it"
        )
    if isinstance(obj, (list, tuple, dict)):
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        stages: list[_Linear] = []
        for key, item in items:
            stages += _chain(item, f"{where}.{key}" if where else str(key), seen)
        return stages
    if not isinstance(obj, Module):
        return []  # numbers, names, callables: not parameters
    if id(obj) in seen:
        raise TypeError(
            f"to_torch: {where or type(obj).__name__} is the same module reached twice "
            "(shared weights); export it without the sharing"
        )
    seen.add(id(obj))
    if isinstance(obj, Neuron):
        return [_stage([obj], where or "neuron")]
    if isinstance(obj, Layer):
        if not obj.neurons:
            raise TypeError(f"to_torch: {where or 'layer'} has no neurons")
        return [_stage(list(obj.neurons), where or "layer")]
    if isinstance(obj, MLP):
        prefix = f"{where}." if where else ""
        return [_stage(list(layer.neurons), f"{prefix}layers.{i}") for i, layer in enumerate(obj.layers)]
    stages = []
    for name, value in vars(obj).items():
        stages += _chain(value, f"{where}.{name}" if where else name, seen)
    return stages


def _plan(model: object) -> list[_Linear]:
    """The chain of Linear stages that computes ``model``, checked for matching widths."""
    if not isinstance(model, Module):
        raise TypeError(f"to_torch expects a valuegrad Neuron, Layer, MLP or Module, got {type(model).__name__}")
    stages = _chain(model, "", set())
    if not stages:
        raise TypeError(f"to_torch: {type(model).__name__} holds no Neuron, Layer or MLP to export")
    for before, after in itertools.pairwise(stages):
        if before.nout != after.nin:
            raise TypeError(
                f"to_torch: {type(model).__name__} is not a chain of its layers: {before.where} has "
                f"{before.nout} outputs but the next one, {after.where}, takes {after.nin} inputs"
            )
    return stages


def _exact_builtin(model: object) -> bool:
    """Whether the model is a plain Neuron/Layer/MLP, whose forward is known to be the chain."""
    return type(model) in (Neuron, Layer, MLP)


def _check_forward_is_chain(model: Module, net: Any, torch: Any) -> None:
    """For your own Module: does its forward compute the chain of its layers? Checked on a few inputs."""
    nin = net[0].in_features
    rng = random.Random(20261128)
    probes = [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(3)]
    with torch.no_grad():
        expected = net(torch.tensor(probes, dtype=torch.float64)).tolist()
    for x, row in zip(probes, expected):
        try:
            out = model(list(x))
        except Exception as error:  # the user's forward rejected a plain list of floats
            raise TypeError(
                f"to_torch: could not check {type(model).__name__}'s forward on a list of {nin} "
                f"numbers ({type(error).__name__}: {error})"
            ) from error
        got = [out] if isinstance(out, Value) else out
        numbers = [v.data if isinstance(v, Value) else v for v in got] if isinstance(got, (list, tuple)) else None
        if (
            numbers is None
            or len(numbers) != len(row)
            or not all(
                isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
                for a, b in zip(numbers, row)
            )
        ):
            raise TypeError(
                f"to_torch: {type(model).__name__}.forward does not compute its layers one after "
                "the other (checked on sample inputs), so it cannot be a torch.nn.Sequential; "
                "export its Neuron/Layer/MLP parts instead"
            )


def to_torch(model: Module, *, dtype: Any = None) -> Any:
    """A ``torch.nn.Sequential`` that computes what ``model`` computes, with its weights copied.

    Args:
        model: a `Neuron`, `Layer`, `MLP`, or your own `Module` whose parameters
            all live in such parts and whose forward runs them one after the
            other (checked on sample inputs).
        dtype: the torch dtype of the weights (default ``torch.float64``, which
            reproduces valuegrad's float arithmetic to about 1e-15).

    Returns:
        ``torch.nn.Sequential(Linear, activation, Linear, ...)``: one
        ``torch.nn.Linear(nin, nout)`` per layer (weight row ``i`` is neuron
        ``i``'s ``w``), followed by ``ReLU()``, ``Tanh()`` or ``Sigmoid()``
        unless the layer is linear.  It takes a ``(batch, nin)`` tensor and
        returns ``(batch, nout)``, also when valuegrad returns one `Value`.

    Raises:
        ImportError: PyTorch is not installed (the message says how to install it).
        TypeError: the model cannot be written as such a Sequential; the
            message names the part (a custom activation, mixed activations
            in one layer, a bare `Value` parameter, a forward that is not a chain).
    """
    torch = _import_torch()
    dtype = torch.float64 if dtype is None else dtype
    stages = _plan(model)
    modules: list[Any] = []
    with torch.no_grad():
        for stage in stages:
            # skip_init: no random initialisation (it would advance torch's global generator for nothing).
            linear = torch.nn.utils.skip_init(torch.nn.Linear, stage.nin, stage.nout, bias=stage.bias, dtype=dtype)
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in stage.neurons], dtype=torch.float64))
            if stage.bias:
                linear.bias.copy_(
                    torch.tensor([n.b.data for n in stage.neurons if n.b is not None], dtype=torch.float64)
                )
            modules.append(linear)
            if stage.activation is not None:
                modules.append(getattr(torch.nn, stage.activation)())
    net = torch.nn.Sequential(*modules)
    if not _exact_builtin(model):
        _check_forward_is_chain(model, net, torch)
    return net


def _describe_torch_stages(torch_module: Any, torch: Any) -> list[tuple[str, Any]]:
    """(kind, module) for each leaf of a torch module, in registration order: Linear or an activation."""
    kinds = [(getattr(torch.nn, kind), kind) for kind in ("Linear", "ReLU", "Tanh", "Sigmoid")]
    leaves: list[tuple[str, Any]] = []
    for name, module in torch_module.named_modules():
        if any(True for _ in module.children()):
            continue
        kind = next((kind for cls, kind in kinds if isinstance(module, cls)), None)
        if kind is not None:
            leaves.append((kind, module))
        elif isinstance(module, torch.nn.Identity):
            continue
        else:
            raise ValueError(
                f"from_torch: the torch module has a {type(module).__name__} "
                f"({name or 'at the top'}), which valuegrad's Neuron/Layer/MLP have no counterpart for"
            )
    return leaves


def from_torch(torch_module: Any, model: Module) -> Module:
    """Copy the weights of ``torch_module`` (e.g. made by `to_torch`, then trained) into ``model``.

    ``torch_module`` must have the architecture ``to_torch(model)`` would
    give: the same ``Linear`` layers in order (shapes and biases) and the same
    activations.  Everything is checked before anything is assigned, so on a
    mismatch ``model`` is left unchanged.

    Returns:
        ``model``, with every parameter's ``data`` set (as float64 numbers).

    Raises:
        ImportError: PyTorch is not installed.
        TypeError: ``torch_module`` is not a ``torch.nn.Module``, or ``model``
            cannot be expressed in PyTorch (see `to_torch`).
        ValueError: the architectures differ; the message says where.
    """
    torch = _import_torch()
    if not isinstance(torch_module, torch.nn.Module):
        raise TypeError(f"from_torch expects a torch.nn.Module, got {type(torch_module).__name__}")
    stages = _plan(model)
    leaves = _describe_torch_stages(torch_module, torch)
    expected = [kind for stage in stages for kind in ("Linear", stage.activation) if kind is not None]
    found = [kind for kind, _ in leaves]
    if found != expected:
        raise ValueError(
            f"from_torch: the torch module's layers are {found} but {type(model).__name__} "
            f"needs {expected}; nothing was copied"
        )
    linears = [module for kind, module in leaves if kind == "Linear"]
    updates: list[tuple[Value, float]] = []
    for i, (stage, linear) in enumerate(zip(stages, linears)):
        shape = tuple(linear.weight.shape)
        if shape != (stage.nout, stage.nin):
            raise ValueError(
                f"from_torch: Linear layer {i} has weight shape {shape} but {stage.where} needs "
                f"({stage.nout}, {stage.nin}) (outputs, inputs); nothing was copied"
            )
        has_bias = linear.bias is not None
        if has_bias != stage.bias:
            raise ValueError(
                f"from_torch: Linear layer {i} {'has' if has_bias else 'has no'} bias but "
                f"{stage.where} {'has' if stage.bias else 'has no'} bias; nothing was copied"
            )
        weights = linear.weight.detach().to(device="cpu", dtype=torch.float64).tolist()
        biases = linear.bias.detach().to(device="cpu", dtype=torch.float64).tolist() if has_bias else None
        for j, neuron in enumerate(stage.neurons):
            updates += zip(neuron.w, weights[j])
            if neuron.b is not None and biases is not None:
                updates.append((neuron.b, biases[j]))
    for parameter, number in updates:
        parameter.data = float(number)
    return model
