"""`Module`: the base class that finds a model's parameters by itself.

A module's parameters are the `Value`s reachable from its instance attributes: a
`Value` attribute, a sub-`Module`, or a list, tuple or dict (nested to any
depth) holding them.  Nothing has to be registered and no ``parameters()``
override is needed::

    class Line(Module):
        def __init__(self):
            self.m = Value(0.0)
            self.b = Value(0.0)

        def forward(self, x):
            return self.m * x + self.b

    Line().parameters()        # [m, b]

Order is deterministic: attributes in the order they were first assigned,
list and tuple items in order, dict entries in insertion order, depth first.
A `Value` or sub-module reached twice (shared weights, a layer stored in two
places, a module that refers back to its parent) is listed once, under the
first name it was reached by.  Sets are not searched (their order is not
deterministic), and neither is anything else (plain numbers, strings,
callables, other objects).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from autograd import Value
from autograd.checks import check_real

__all__ = ["Module"]

_CONTAINERS = (list, tuple, dict)


class Module:
    """Base class of everything trainable in `nn`.

    Subclasses store their parameters as attributes (`Value`s, sub-modules, or
    lists/tuples/dicts of them) and define ``forward(...)`` (PyTorch style) or
    ``__call__(...)`` (micrograd style).  They get, for free:

    * `parameters()`: every trainable `Value`, each once, in a fixed order;
    * `named_parameters()`: the same with dotted names (``"layers.0.neurons.3.w.1"``);
    * `zero_grad()`: every parameter's ``grad`` set to 0.0;
    * `state_dict()` / `load_state_dict()`: the parameters' numbers by name;
    * a `repr` that shows the structure.
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it (or override ``__call__``)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward() (or __call__)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ discovery

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield ``(dotted_name, value)`` for every parameter, each once, in order.

        The name is the attribute path from this module: attribute names,
        list/tuple indices and dict keys joined by dots.
        """
        seen: set[int] = set()
        # An explicit stack instead of recursion: depth is unlimited.
        stack: list[tuple[str, object]] = [("", self)]
        while stack:
            prefix, obj = stack.pop()
            if isinstance(obj, Value):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    yield prefix, obj
                continue
            if isinstance(obj, Module):
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                children: list[tuple[str, object]] = list(vars(obj).items())
            elif isinstance(obj, dict):
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                children = [(str(key), item) for key, item in obj.items()]
            else:  # list or tuple (only those are ever pushed)
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                assert isinstance(obj, (list, tuple))
                children = [(str(i), item) for i, item in enumerate(obj)]
            dot = prefix + "." if prefix else ""
            for name, child in reversed(children):
                if isinstance(child, (Value, Module, *_CONTAINERS)):
                    stack.append((dot + name, child))

    def parameters(self) -> list[Value]:
        """Every trainable `Value` of this module and its sub-modules, each once, in order."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set ``grad`` of every parameter to 0.0 (call before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """How many distinct parameters the module has."""
        return sum(1 for _ in self.named_parameters())

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, float]:
        """The parameters' numbers by dotted name, in `named_parameters` order (a new dict)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Set every parameter's ``data`` from ``state`` (as returned by `state_dict`).

        ``state`` must name exactly this module's parameters and give a real
        number (not a bool) for each.  Everything is checked before anything
        is assigned, so on error the module is left unchanged.

        Raises:
            TypeError: ``state`` is not a dict, or a value is not a real number.
            ValueError: names are missing or unexpected.
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict() expects a dict of name -> float, got {type(state).__name__}")
        named = list(self.named_parameters())
        expected = [name for name, _ in named]
        problem = describe_name_mismatch(expected, list(state))
        if problem:
            raise ValueError(f"state does not match {type(self).__name__}'s parameters: {problem}")
        numbers: list[float] = []
        for name in expected:
            numbers.append(_as_number(state[name], name))
        for (_, p), number in zip(named, numbers):
            p.data = number

    # ------------------------------------------------------------ repr

    def extra_repr(self) -> str:
        """A one-line summary shown inside the parentheses of the repr (override it)."""
        return ""

    def _children_for_repr(self) -> list[tuple[str, str]]:
        """(name, text) for attributes that hold parameters, one level deep."""
        rows: list[tuple[str, str]] = []
        for name, value in vars(self).items():
            rows.extend(_describe_attribute(name, value))
        return rows

    def __repr__(self) -> str:
        active = _REPR_ACTIVE.__dict__.setdefault("ids", set())
        if id(self) in active:  # a module that refers back to one being shown
            return f"<cycle: {type(self).__name__}>"
        active.add(id(self))
        try:
            head = f"{type(self).__name__}({self.extra_repr()}"
            rows = self._children_for_repr()
        finally:
            active.discard(id(self))
        if not rows:
            return head + ")"
        lines = [head]
        for name, text in rows:
            text = text.replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"


_REPR_ACTIVE = threading.local()  # ids of the modules whose repr is being built, per thread


def _describe_attribute(name: str, value: object) -> list[tuple[str, str]]:
    """Repr rows for one attribute: sub-modules expanded, Values summarised."""
    if isinstance(value, Module):
        return [(name, repr(value))]
    if isinstance(value, Value):
        return [(name, repr(value))]
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(item, Value) for item in value):
            return [(name, f"{type(value).__name__} of {len(value)} Values")]
        rows: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            rows.extend(_describe_attribute(f"{name}.{i}", item))
        return rows
    if isinstance(value, dict):
        if value and all(isinstance(item, Value) for item in value.values()):
            return [(name, f"dict of {len(value)} Values")]
        rows = []
        for key, item in value.items():
            rows.extend(_describe_attribute(f"{name}.{key}", item))
        return rows
    return []


def _as_number(value: object, name: str) -> float:
    """``value`` as a float if it is a real number (bool excluded), else TypeError."""
    try:
        return check_real(value, f"parameter {name!r}")
    except OverflowError:
        raise ValueError(f"parameter {name!r}: {value!r:.60} is too large for a float") from None


def describe_name_mismatch(expected: list[str], given: list[str], limit: int = 5) -> str:
    """A readable account of how two lists of parameter names differ ("" if they are the same set)."""
    expected_set, given_set = set(expected), set(given)
    missing = [n for n in expected if n not in given_set]
    unexpected = [n for n in given if n not in expected_set]
    parts = []
    if missing:
        parts.append(f"{len(missing)} missing ({_first(missing, limit)})")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected ({_first(unexpected, limit)})")
    if parts:
        parts.append(f"expected {len(expected)} parameters, got {len(given)}")
    return "; ".join(parts)


def _first(names: list[str], limit: int) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (", ..." if len(names) > limit else "")
