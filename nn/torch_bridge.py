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

A `GPT`, and each building block it is made of (`Linear`, `Sequential`,
`ReLU`, `Tanh`, `Sigmoid`, `Embedding`, `RMSNorm`, `LayerNorm`,
`CausalSelfAttention`, `Block`), becomes the torch module of the same
structure: ``torch.nn.Linear``, ``torch.nn.Embedding``, ``torch.nn.RMSNorm``,
... under the same attribute names, so that the torch parameter
``"layers.0.attn.wq.weight"`` holds valuegrad's ``"layers.0.attn.wq.weight.i.j"``
at ``[i, j]``.  The GPT's torch module takes token ids, a tensor of shape
``(T,)`` or ``(batch, T)``, and returns the logits, ``(..., T, vocab_size)``:
the whole sequence at once, as ``model(tokens)`` does::

    net = nn.to_torch(gpt)                       # GPT(block_size=16, (wte): Embedding(27, 16), ...)
    logits = net(torch.tensor(tokens))           # shape (len(tokens), vocab_size)

`from_torch(net, model)` copies the weights back (after training in PyTorch,
say) into a valuegrad model of the same architecture.  It checks every shape
before it changes anything.

PyTorch is optional (``pip install -e '.[torch]'`` in a clone): it is imported
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
from autograd._installation import missing

from .attention import CausalSelfAttention
from .embedding import Embedding
from .layers import MLP, Layer, Linear, Neuron, ReLU, Sequential, Sigmoid, Tanh
from .models.gpt import GPT, Block
from .module import Module
from .normalization import LayerNorm, RMSNorm

__all__ = ["to_torch", "from_torch"]


def install_hint() -> str:
    """The message when PyTorch is missing: how to install it (into this Python, or with the extra in a clone)."""
    return missing(
        "nn.to_torch / nn.from_torch",
        "torch",
        "Any torch>=2.2,<3 works; the tests use the CPU-only wheel "
        "`pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu`.",
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
        raise ImportError(install_hint()) from error


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
    if isinstance(obj, _DIRECT):
        raise TypeError(
            f"to_torch: {where} is a {type(obj).__name__}, which to_torch exports by itself "
            f"(nn.to_torch(model.{where})) or in an nn.Sequential, not beside Neuron/Layer/MLP parts "
            "in a module of your own"
        )
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
            other (checked on sample inputs); or a `GPT` or one of its
            building blocks, which becomes the torch module of the same
            structure (see the module docstring) instead of a Sequential.
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
    if type(model) in _DIRECT:
        net = _build(model, "", torch, dtype)
        _copy_to_torch(model, net, torch)
        return net
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
    activations; for a `GPT` or a building block, the same modules under the
    same names with parameters of the same shapes.  Everything is checked before anything is assigned, so on a
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
    if type(model) in _DIRECT:
        return _copy_from_torch(torch_module, model, torch)
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


# ------------------------------------------------------------------ GPT and its building blocks: the same structure

_ELEMENTWISE: dict[type, str] = {ReLU: "ReLU", Tanh: "Tanh", Sigmoid: "Sigmoid"}
_DIRECT: tuple[type, ...] = (
    GPT,
    Block,
    CausalSelfAttention,
    Sequential,
    Linear,
    Embedding,
    RMSNorm,
    LayerNorm,
    *_ELEMENTWISE,
)
"""The modules exported as the torch module of the same structure (by exact type: a subclass may compute otherwise)."""


def _build(module: Module, where: str, torch: Any, dtype: Any) -> Any:
    """The torch module of the same structure as ``module`` (weights not yet copied)."""
    kind = type(module)
    at = where or kind.__name__
    if isinstance(module, Linear):
        return torch.nn.utils.skip_init(
            torch.nn.Linear, module.nin, module.nout, bias=module.bias is not None, dtype=dtype
        )
    if isinstance(module, Embedding):
        return torch.nn.utils.skip_init(torch.nn.Embedding, module.num_embeddings, module.embedding_dim, dtype=dtype)
    if isinstance(module, RMSNorm):
        if not hasattr(torch.nn, "RMSNorm"):
            raise ImportError(f"to_torch: {at} is an RMSNorm, which needs torch.nn.RMSNorm (torch >= 2.4)")
        return torch.nn.RMSNorm(module.dim, eps=module.eps, elementwise_affine=module.weight is not None, dtype=dtype)
    if isinstance(module, LayerNorm):
        return torch.nn.LayerNorm(
            module.dim,
            eps=module.eps,
            elementwise_affine=module.weight is not None,
            bias=module.bias is not None,
            dtype=dtype,
        )
    if kind in _ELEMENTWISE:
        return getattr(torch.nn, _ELEMENTWISE[kind])()
    if isinstance(module, Sequential):
        parts = []
        for i, part in enumerate(module):
            name = f"{where}.{i}" if where else str(i)
            if type(part) not in _DIRECT:
                raise TypeError(
                    f"to_torch: {name} is a {type(part).__name__}; a Sequential is exported when it holds "
                    "Linear, activation, Embedding, RMSNorm, LayerNorm, attention or Sequential modules"
                )
            parts.append(_build(part, name, torch, dtype))
        return torch.nn.Sequential(*parts)
    from . import _torch_modules  # imports torch: only here, once torch is known to be installed

    prefix = f"{where}." if where else ""
    if isinstance(module, CausalSelfAttention):
        projections = [_build(getattr(module, p), prefix + p, torch, dtype) for p in ("wq", "wk", "wv", "wo")]
        return _torch_modules.CausalSelfAttention(module.n_head, *projections)
    if isinstance(module, Block):
        return _torch_modules.Block(
            *(_build(getattr(module, p), prefix + p, torch, dtype) for p in ("ln_1", "attn", "ln_2", "mlp"))
        )
    if isinstance(module, GPT):
        wte, wpe, lm_head, ln_emb = (
            _build(getattr(module, p), prefix + p, torch, dtype) for p in ("wte", "wpe", "lm_head", "ln_emb")
        )
        layers = [_build(block, f"{prefix}layers.{i}", torch, dtype) for i, block in enumerate(module.layers)]
        return _torch_modules.GPT(module.block_size, wte, wpe, lm_head, ln_emb, layers)
    raise TypeError(f"to_torch: {at} is a {kind.__name__}, which has no torch counterpart")  # pragma: no cover


def _tensor_entries(name: str) -> tuple[str, tuple[int, ...]]:
    """A valuegrad parameter name split into the torch parameter's name and the index in it.

    ``"layers.0.mlp.2.weight.3.5"`` -> ``("layers.0.mlp.2.weight", (3, 5))``:
    the indices are the numeric components after the last word.
    """
    parts = name.split(".")
    cut_at = len(parts)
    while cut_at > 0 and parts[cut_at - 1].isdigit():
        cut_at -= 1
    return ".".join(parts[:cut_at]), tuple(int(p) for p in parts[cut_at:])


def _layout(model: Module) -> dict[str, dict[tuple[int, ...], Value]]:
    """valuegrad's parameters grouped as torch's: torch parameter name -> {index: Value}."""
    tensors: dict[str, dict[tuple[int, ...], Value]] = {}
    for name, parameter in model.named_parameters():
        tensor, index = _tensor_entries(name)
        tensors.setdefault(tensor, {})[index] = parameter
    return tensors


def _shape(entries: dict[tuple[int, ...], Value]) -> tuple[int, ...]:
    return tuple(max(index[d] for index in entries) + 1 for d in range(len(next(iter(entries)))))


def _nested(entries: dict[tuple[int, ...], Value], shape: tuple[int, ...], prefix: tuple[int, ...] = ()) -> Any:
    """The numbers of ``entries`` as nested lists of ``shape`` (what ``torch.tensor`` takes)."""
    if len(prefix) == len(shape):
        return entries[prefix].data
    return [_nested(entries, shape, (*prefix, i)) for i in range(shape[len(prefix)])]


def _leaves(named: Any) -> list[tuple[str, str]]:
    """(name, class name) of each module without sub-modules, from ``named_modules()`` of either library."""
    pairs = [(name, module) for name, module in named]
    return [(name, type(m).__name__) for name, m in pairs if not any(True for _ in m.children())]


def _copy_to_torch(model: Module, net: Any, torch: Any) -> None:
    params = dict(net.named_parameters())
    layout = _layout(model)
    if set(params) != set(layout):  # pragma: no cover - _build mirrors the structure
        raise TypeError(f"to_torch: internal mismatch of parameter names: {sorted(set(params) ^ set(layout))[:5]}")
    with torch.no_grad():
        for name, entries in layout.items():
            params[name].copy_(torch.tensor(_nested(entries, tuple(params[name].shape)), dtype=torch.float64))


def _copy_from_torch(torch_module: Any, model: Module, torch: Any) -> Module:
    """from_torch for a GPT or a building block: same leaf modules, same parameter names and shapes."""
    ours = sorted((name, kind) for name, kind in _leaves(model.named_modules()) if name)
    theirs = sorted((name, kind) for name, kind in _leaves(torch_module.named_modules()) if name)
    if not ours:  # the model is itself a leaf (Linear, Embedding, ...)
        ours = [("", type(model).__name__)]
        theirs = [("", type(torch_module).__name__)]
    if ours != theirs:
        first = next(
            (f"{a[0] or 'the module'}: {a[1]} here, {b[1]} in torch" for a, b in zip(ours, theirs) if a != b),
            f"{len(ours)} leaf modules here, {len(theirs)} in torch",
        )
        raise ValueError(
            f"from_torch: the torch module is not the structure to_torch({type(model).__name__}) gives "
            f"({first}); nothing was copied"
        )
    layout = _layout(model)
    params = dict(torch_module.named_parameters())
    if set(params) != set(layout):
        missing = sorted(set(layout) - set(params))[:5]
        extra = sorted(set(params) - set(layout))[:5]
        raise ValueError(
            f"from_torch: parameter names differ (missing in torch: {missing}, extra in torch: {extra}); "
            "nothing was copied"
        )
    updates: list[tuple[Value, float]] = []
    for name, entries in layout.items():
        expected = _shape(entries)
        tensor = params[name]
        if tuple(tensor.shape) != expected:
            raise ValueError(
                f"from_torch: {name} has shape {tuple(tensor.shape)} in torch but {expected} here; nothing was copied"
            )
        numbers = tensor.detach().to(device="cpu", dtype=torch.float64).reshape(-1).tolist()
        indices = sorted(entries)  # row-major, as reshape(-1) lists a tensor
        updates += [(entries[index], float(x)) for index, x in zip(indices, numbers)]
    for parameter, number in updates:
        parameter.data = number
    return model
