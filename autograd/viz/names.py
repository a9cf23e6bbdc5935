"""Short, readable names for a model's values in `explain`, kept in side tables (never on the `Value`s).

Given a model (anything with ``named_parameters()`` and ``named_modules()``,
such as an `nn` module: the engine never imports `nn`, it reads the shape),
the parameters get short names from their dotted ones
(``layers.0.neurons.1.w.0`` -> ``L0.n1.w0``), and each call of a neuron-like
module (one with a list of weights ``w`` and a bias ``b`` or ``None``, which
computes ``act(b + w0*x0 + w1*x1 + ...)``) has its computed values found in the
graph and named: ``L0.n1.s1``, ``L0.n1.s2``... for the running sum, ``L0.n1.z`` for
the whole weighted sum and ``L0.n1.a`` for the activation, with ``[k]`` after
the name when the neuron was called more than once (``L0.n1.z[2]`` is its
third call).  A linear layer (``weight`` rows and a ``bias`` list, as
``nn.Linear``) is a layer of such neurons without activation: ``L0.n1.w0`` is
``0.weight.1.0`` of a ``Sequential``, and a ReLU, tanh or sigmoid applied to a
row's sum (by the next module) is named ``a``.

Every name lives in dicts held by the explanation: a `Value` stays 104 bytes.
The groups (one per neuron call) let `explain` step through a network neuron
by neuron, output layer first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.value import Value

__all__ = ["Structure", "is_model", "short_name", "structure"]

_SHORT = {"layers": "L", "neurons": "n"}
"""Containers whose items get a one-letter prefix: ``layers.0`` -> ``L0``, ``neurons.1`` -> ``n1``."""


def is_model(obj: object) -> bool:
    """Whether `obj` looks like a module: it has ``named_parameters()`` and ``named_modules()``."""
    return callable(getattr(obj, "named_parameters", None)) and callable(getattr(obj, "named_modules", None))


def short_name(dotted: str) -> str:
    """``layers.0.neurons.1.w.0`` -> ``L0.n1.w0``: an item of a container is written after its container's name."""
    parts = dotted.split(".") if dotted else []
    out: list[str] = []
    k = 0
    while k < len(parts):
        part = parts[k]
        if k == 0 and part.isdigit():  # a Sequential's item: a layer
            out.append(f"L{part}")
            k += 1
        elif k + 1 < len(parts) and parts[k + 1].isdigit() and not part.isdigit():
            out.append(_SHORT.get(part, part) + parts[k + 1])
            k += 2
        else:
            out.append(part)
            k += 1
    return ".".join(out)


def _unique_short(names: Sequence[str]) -> list[str]:
    """Each dotted name shortened, except where two would collide: those keep their full name."""
    short = [short_name(n) for n in names]
    seen: dict[str, int] = {}
    for s in short:
        seen[s] = seen.get(s, 0) + 1
    return [s if seen[s] == 1 else full for s, full in zip(short, names)]


@dataclass
class Structure:
    """What a model tells about a graph: names for some of its values, and neuron calls as groups."""

    names: dict[Value, str] = field(default_factory=dict)
    """Parameters and the computed values found in neuron calls, by their short names."""
    group: dict[Value, tuple[str, int]] = field(default_factory=dict)
    """Each computed value of a neuron call -> (the neuron's short name, the call's number)."""
    order: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Each neuron's short name -> (its container's name, its place in the model's modules)."""
    products: set[Value] = field(default_factory=set)
    """The weight-times-input products of neuron calls (named by their expression, however long)."""


def _weights(module: object) -> tuple[list[Value], Value | None] | None:
    """A neuron-like module's weights and bias (``None`` when it has none), or ``None`` when it is not neuron-like."""
    w = getattr(module, "w", None)
    b = getattr(module, "b", None)
    if not isinstance(w, list) or not w or not all(isinstance(v, Value) for v in w):
        return None
    if b is not None and not isinstance(b, Value):
        return None
    return w, b


def _rows(module: object) -> tuple[list[list[Value]], list[Value] | None] | None:
    """A linear layer's weight rows and biases (``torch.nn.Linear``'s ``weight``, ``bias``), or ``None``.

    Each row is a neuron without activation: ``bias[i] + row[0]*x0 + ...``.
    """
    weight = getattr(module, "weight", None)
    if not hasattr(module, "bias") or not isinstance(weight, list) or not weight:
        return None
    if not all(isinstance(row, list) and row and all(isinstance(v, Value) for v in row) for row in weight):
        return None
    bias = getattr(module, "bias", None)
    if bias is None:
        return weight, None
    if not isinstance(bias, list) or len(bias) != len(weight) or not all(isinstance(v, Value) for v in bias):
        return None
    return weight, bias


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


_ACTIVATIONS = ("relu", "tanh", "sigmoid")
"""What a linear layer's row is followed by, when the next module is an activation, to be named ``a``."""


def structure(model: Any, nodes: Iterable[Value]) -> Structure:
    """The short names and neuron groups of `model` in the graph of `nodes` (in topological order)."""
    out = Structure()
    modules = list(model.named_modules())
    module_short = dict(zip((n for n, _ in modules), _unique_short([n for n, _ in modules])))
    # Each unit: (short name, container, weights, bias, activation: True (any one-input op), "named" or False).
    units: list[tuple[str, str, list[Value], Value | None, bool | str]] = []
    row_names: dict[Value, str] = {}
    for name, module in modules:
        short = module_short[name]
        neuron = _weights(module)
        if neuron is not None:
            container = short.rsplit(".", 1)[0] if "." in short else ""
            units.append((short, container, neuron[0], neuron[1], bool(getattr(module, "nonlin", False))))
            continue
        rows = _rows(module)
        if rows is None:
            continue
        weight, bias = rows
        for i, row in enumerate(weight):
            unit = _join(short, f"n{i}")
            units.append((unit, short, row, bias[i] if bias is not None else None, "named"))
            for j, weight_j in enumerate(row):
                row_names[weight_j] = _join(unit, f"w{j}")
            if bias is not None:
                row_names[bias[i]] = _join(unit, "b")
    params = list(model.named_parameters())
    shorts = [row_names.get(v) or short_name(n) for n, v in params]
    seen: dict[str, int] = {}
    for text in shorts:
        seen[text] = seen.get(text, 0) + 1
    for (full, value), text in zip(params, shorts):
        out.names[value] = text if seen[text] == 1 else full
    order = list(nodes)
    position = {v: i for i, v in enumerate(order)}
    users: dict[Value, list[Value]] = {}
    for node in order:
        for v in node.inputs:
            users.setdefault(v, []).append(node)
    for place, (short, container, w, b, act_kind) in enumerate(units):
        out.order[short] = (container, place)
        calls = []
        for first in sorted((u for u in users.get(w[0], []) if _op(u) == "*"), key=position.__getitem__):
            call = _trace_call(first, w, b, users, act_kind)
            if call is not None:
                calls.append(call)
        prefix = short + "." if short else ""
        for k, (products, sums, act) in enumerate(calls):
            suffix = f"[{k}]" if len(calls) > 1 else ""
            members = [*products, *sums] + ([act] if act is not None else [])
            for v in members:
                out.group.setdefault(v, (short, k))
            out.products.update(products)
            for j, s in enumerate(sums[:-1]):
                out.names.setdefault(s, f"{prefix}s{j + 1}{suffix}")
            out.names.setdefault(sums[-1], f"{prefix}z{suffix}")
            if act is not None:
                out.names.setdefault(act, f"{prefix}a{suffix}")
    return out


def _op(node: Value) -> str | None:
    return node.op.name if node.op is not None else None


def _trace_call(
    first: Value, w: list[Value], b: Value | None, users: dict[Value, list[Value]], nonlin: bool | str
) -> tuple[list[Value], list[Value], Value | None] | None:
    """One call of a neuron, from its first product: ``(products, running sums, activation)``, or ``None``.

    The call is ``b + w0*x0 + w1*x1 + ...`` summed left to right (Python's
    ``sum(..., b)``), then, for a non-linear neuron, one operation on the sum
    (with ``nonlin="named"``, for a linear layer's row, only a ReLU, tanh or
    sigmoid the next module applies).
    """
    products = [first]
    sums: list[Value] = []
    current = first
    if b is not None:
        step = next((u for u in users.get(first, []) if _op(u) == "+" and b in u.inputs), None)
        if step is None:
            return None
        sums.append(step)
        current = step
    for weight in w[1:]:
        step = None
        for u in users.get(current, []):
            if _op(u) != "+":
                continue
            other = u.inputs[1] if u.inputs[0] is current else u.inputs[0]
            if _op(other) == "*" and weight in other.inputs:
                step, product = u, other
                break
        if step is None:
            return None
        products.append(product)
        sums.append(step)
        current = step
    if not sums:  # one weight and no bias: the product is the sum
        sums.append(first)
        products = []
    act = None
    if nonlin:
        after = users.get(current, [])
        if len(after) == 1 and len(after[0].inputs) == 1 and (nonlin is True or _op(after[0]) in _ACTIVATIONS):
            act = after[0]
    return products, sums, act
