"""Short, readable names for a model's values in `explain`, kept in side tables (never on the `Value`s).

Given a model (anything with ``named_parameters()`` and ``named_modules()``,
such as an `nn` module: the engine never imports `nn`, it reads the shape),
the parameters get short names from their dotted ones
(``layers.0.neurons.1.w.0`` -> ``L0.n1.w0``), and each call of a neuron-like
module (one with a list of weights ``w`` and a bias ``b`` or ``None``, which
computes ``act(b + w0*x0 + w1*x1 + ...)``) has its computed values found in the
graph and named: ``L0.n1.s1``, ``L0.n1.s2``... for the running sum, ``L0.n1.z`` for
the whole weighted sum and ``L0.n1.a`` for the activation (``[k]`` after the name
when the neuron was called more than once: ``L0.n1.z[2]`` is its third call).

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
        if k + 1 < len(parts) and parts[k + 1].isdigit() and not part.isdigit():
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


def structure(model: Any, nodes: Iterable[Value]) -> Structure:
    """The short names and neuron groups of `model` in the graph of `nodes` (in topological order)."""
    out = Structure()
    params = list(model.named_parameters())
    for (_, value), name in zip(params, _unique_short([n for n, _ in params])):
        out.names[value] = name
    order = list(nodes)
    position = {v: i for i, v in enumerate(order)}
    users: dict[Value, list[Value]] = {}
    for node in order:
        for v in node.inputs:
            users.setdefault(v, []).append(node)
    modules = [(n, m) for n, m in model.named_modules() if _weights(m) is not None]
    for place, ((_, module), short) in enumerate(zip(modules, _unique_short([n for n, _ in modules]))):
        found = _weights(module)
        assert found is not None
        w, b = found
        container = short.rsplit(".", 1)[0] if "." in short else ""
        out.order[short] = (container, place)
        calls = []
        for first in sorted((u for u in users.get(w[0], []) if _op(u) == "*"), key=position.__getitem__):
            call = _trace_call(first, w, b, users, bool(getattr(module, "nonlin", False)))
            if call is not None:
                calls.append(call)
        prefix = short + "." if short else ""
        for k, (products, sums, act) in enumerate(calls):
            suffix = f"[{k}]" if len(calls) > 1 else ""
            members = [*products, *sums] + ([act] if act is not None else [])
            for v in members:
                out.group[v] = (short, k)
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
    first: Value, w: list[Value], b: Value | None, users: dict[Value, list[Value]], nonlin: bool
) -> tuple[list[Value], list[Value], Value | None] | None:
    """One call of a neuron, from its first product: ``(products, running sums, activation)``, or ``None``.

    The call is ``b + w0*x0 + w1*x1 + ...`` summed left to right (Python's
    ``sum(..., b)``), then, for a non-linear neuron, one operation on the sum.
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
        if len(after) == 1 and len(after[0].inputs) == 1:
            act = after[0]
    return products, sums, act
