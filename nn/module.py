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

Only what should be trained is a parameter:

* a **computed** `Value` (one with an operation, ``v.op is not None``, such
  as an output cached in ``forward`` by ``self.last = out``) is never one;
* a leaf with ``requires_grad`` false (``Value(10.0, requires_grad=False)``
  where the engine supports it) is a **constant**: not trained, not saved.
  A plain number attribute (``self.scale = 10.0``) is a constant too, and
  works with every version of the engine.

Parameter names must be unique: two parameters that would get the same
dotted name (a dict key ``"a.b"`` next to an attribute ``a`` holding a dict
with key ``"b"``, or dict keys ``1`` and ``"1"``) raise `ValueError`, since
`state_dict`, `save` and `load` could not tell them apart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, ParamSpec, Protocol, TypeVar

from autograd import Value
from autograd.checks import check_real, cut, describe

__all__ = ["Module", "IncompatibleKeys", "is_trainable"]

_CONTAINERS = (list, tuple, dict)

P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class _HasForward(Protocol[P, R]):
    """What `Module.__call__` is bound to: a module's ``forward``, whose types a call takes on."""

    def forward(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


def is_trainable(v: Value) -> bool:
    """Whether a `Value` found on a module is a parameter: a leaf (no ``op``) that requires grad."""
    return v.op is None and v.requires_grad


class IncompatibleKeys(NamedTuple):
    """What `Module.load_state_dict` returns, as PyTorch's: names the state lacked and names it had extra."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of everything trainable in `nn`.

    Subclasses store their parameters as attributes (`Value`s, sub-modules, or
    lists/tuples/dicts of them) and define ``forward(...)`` (PyTorch style) or
    ``__call__(...)`` (micrograd style).  They get, for free:

    * `parameters()`: every trainable `Value`, each once, in a fixed order;
    * `named_parameters()`: the same with dotted names (``"layers.0.neurons.3.w.1"``);
    * `zero_grad()`: every parameter's ``grad`` set to 0.0;
    * `state_dict()` / `load_state_dict()`: the parameters' numbers by name;
    * `train()` / `eval()` and the `training` flag, `children()`, `modules()`
      (PyTorch's names; no built-in layer behaves differently in eval mode,
      the flag is there for your own modules);
    * a `repr` that shows the structure.
    """

    training: bool = True
    """True after `train()` (the default), False after `eval()`."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it (or override ``__call__``)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward() (or __call__)")

    def __call__(self: _HasForward[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``forward(...)``: a call is typed as the subclass's ``forward`` is (arguments and result)."""
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ discovery

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield ``(dotted_name, value)`` for every parameter, each once, in order.

        The name is the attribute path from this module: attribute names,
        list/tuple indices and dict keys joined by dots.  Computed values and
        constants (``requires_grad`` false) are skipped (see the module docstring).

        Raises:
            ValueError: two parameters would get the same name.
        """
        names: set[str] = set()
        for name, obj in self._walk(stop_at_modules=False):
            if isinstance(obj, Value) and is_trainable(obj):
                if name in names:
                    raise ValueError(
                        f"two parameters of {type(self).__name__} would both be named {cut(repr(name))}: "
                        "names join attribute names, indices and dict keys with dots, so a key "
                        "like 'a.b' next to a dict 'a' with key 'b', or dict keys 1 and '1', collide; "
                        "rename one"
                    )
                names.add(name)
                yield name, obj

    def _walk(self, stop_at_modules: bool) -> Iterator[tuple[str, object]]:
        """``(dotted name, object)`` for each `Value` and `Module` reachable from this module, each once.

        With ``stop_at_modules`` the search does not enter sub-modules (for
        `named_children`).  Containers are lists, tuples and dicts.
        """
        seen: set[int] = {id(self)}
        # An explicit stack instead of recursion: depth is unlimited.
        stack: list[tuple[str, object]] = list(reversed(list(_items(self))))
        while stack:
            prefix, obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, Value):
                yield prefix, obj
                continue
            if isinstance(obj, Module):
                yield prefix, obj
                if stop_at_modules:
                    continue
            for name, child in reversed(list(_items(obj))):
                stack.append((prefix + "." + name, child))

    def parameters(self) -> list[Value]:
        """Every trainable `Value` of this module and its sub-modules, each once, in order."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set ``grad`` of every parameter to 0.0 (call before each ``backward()``).

        ``set_to_none`` is accepted for PyTorch code; gradients here are floats,
        never ``None``, so either way they become 0.0.
        """
        if not isinstance(set_to_none, bool):
            raise TypeError(f"zero_grad(set_to_none=...) must be True or False, got {describe(set_to_none)}")
        for p in self.parameters():
            p.grad = 0.0

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each direct sub-module (through lists, tuples and dicts too), each once."""
        for name, obj in self._walk(stop_at_modules=True):
            if isinstance(obj, Module):
                yield name, obj

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, each once (PyTorch's ``children()``)."""
        for _, module in self.named_children():
            yield module

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """``("", self)`` and then every sub-module at any depth with its dotted name, each once."""
        yield "", self
        for name, obj in self._walk(stop_at_modules=False):
            if isinstance(obj, Module):
                yield name, obj

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module at any depth, each once (PyTorch's ``modules()``)."""
        for _, module in self.named_modules():
            yield module

    def train(self, mode: bool = True) -> Module:
        """Set `training` to ``mode`` on this module and every sub-module; return ``self``."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) expects True or False, got {describe(mode)}")
        for module in list(self.modules()):
            module.training = mode
        return self

    def eval(self) -> Module:
        """``train(False)``: set `training` to False everywhere; return ``self``."""
        return self.train(False)

    def num_parameters(self) -> int:
        """How many distinct parameters the module has."""
        return sum(1 for _ in self.named_parameters())

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, float]:
        """The parameters' numbers by dotted name, in `named_parameters` order (a new dict)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float], strict: bool = True) -> IncompatibleKeys:
        """Set parameters' ``data`` from ``state`` (as returned by `state_dict`); return the keys that differed.

        With ``strict=True`` (default) ``state`` must name exactly this
        module's parameters.  With ``strict=False`` the names present in both
        are loaded and the others reported, as PyTorch does, in the returned
        ``IncompatibleKeys(missing_keys, unexpected_keys)``.  Every loaded
        value must be a real number (not a bool).  Everything is checked
        before anything is assigned, so on error the module is left unchanged.

        Raises:
            TypeError: ``state`` is not a dict, or a value is not a real number.
            ValueError: names are missing or unexpected (``strict=True``).
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict() expects a dict of name -> float, got {describe(state)}")
        if not isinstance(strict, bool):
            raise TypeError(f"load_state_dict(strict=...) must be True or False, got {describe(strict)}")
        named = list(self.named_parameters())
        expected = [name for name, _ in named]
        given = list(state)
        if strict:
            problem = describe_name_mismatch(expected, given)
            if problem:
                raise ValueError(
                    f"state does not match {type(self).__name__}'s parameters: {problem} "
                    "(load_state_dict(state, strict=False) loads the names that match)"
                )
        updates: list[tuple[Value, float]] = []
        for name, p in named:
            if name in state:
                updates.append((p, _as_number(state[name], name)))
        for p, number in updates:
            p.data = number
        expected_set = set(expected)
        return IncompatibleKeys(
            missing_keys=[n for n in expected if n not in state],
            unexpected_keys=[str(n) for n in given if n not in expected_set],
        )

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

    def _repr_html_(self) -> str:
        """Jupyter's display: the module's tree as a table, each row with its parameter count, and the total.

        Matrices of `Value`s are one row (``28×8 Values``); every name is HTML-escaped.
        """
        from html import escape

        names = [name for name, _ in self.named_parameters()]
        rows: list[tuple[int, str, str]] = []
        _summary_rows(self, "", 0, rows, {id(self)})

        def count(prefix: str) -> int:
            return sum(1 for name in names if name == prefix or name.startswith(prefix + "."))

        body = "".join(
            f"<tr><td style='text-align:left;padding-left:{0.4 + 1.2 * depth:.1f}em'>{escape(name)}</td>"
            f"<td style='text-align:left'>{escape(text)}</td><td>{count(name):,}</td></tr>"
            for depth, name, text in rows
        )
        title = escape(f"{type(self).__name__}({self.extra_repr()})")
        return (
            f"<div class='valuegrad-module'><b>{title}</b>: {len(names):,} parameters"
            + (
                "<table><thead><tr><th style='text-align:left'>name</th><th style='text-align:left'>holds</th>"
                f"<th>parameters</th></tr></thead><tbody>{body}</tbody></table>"
                if rows
                else ""
            )
            + "</div>"
        )


def _summary_rows(module: Module, prefix: str, depth: int, rows: list[tuple[int, str, str]], seen: set[int]) -> None:
    """The rows of `Module._repr_html_`: (depth, dotted name, what it holds), sub-modules after the Values."""
    if type(module)._children_for_repr is Module._children_for_repr:  # Embedding & co. show themselves as one row
        for name, value in vars(module).items():
            rows.extend((depth, prefix + row, text) for row, text in _describe_attribute(name, value, modules=False))
    for name, child in module.named_children():
        if id(child) in seen:
            continue
        seen.add(id(child))
        rows.append((depth, prefix + name, f"{type(child).__name__}({child.extra_repr()})"))
        _summary_rows(child, prefix + name + ".", depth + 1, rows, seen)


_REPR_ACTIVE = threading.local()  # ids of the modules whose repr is being built, per thread


def _items(obj: object) -> Iterator[tuple[str, object]]:
    """The searchable children of a module or container: (name, object) for Values, Modules and containers."""
    if isinstance(obj, Module):
        pairs: Iterator[tuple[Any, object]] = iter(vars(obj).items())
    elif isinstance(obj, dict):
        pairs = iter(obj.items())
    elif isinstance(obj, (list, tuple)):
        pairs = enumerate(obj)
    else:
        return
    for key, child in pairs:
        if isinstance(child, (Value, Module, *_CONTAINERS)):
            yield str(key), child


def _describe_attribute(name: str, value: object, modules: bool = True) -> list[tuple[str, str]]:
    """Repr rows for one attribute: sub-modules expanded (or left out: ``modules=False``), Values summarised."""
    if isinstance(value, Module):
        return [(name, repr(value))] if modules else []
    if isinstance(value, Value):
        return [(name, repr(value))]
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(item, Value) for item in value):
            return [(name, f"{type(value).__name__} of {len(value)} Values")]
        shape = _grid_shape(value)
        if shape:  # a matrix of Values (rows of equal length) is one line, as PyTorch shows one tensor
            return [(name, f"{'×'.join(map(str, shape))} Values")]
        rows: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            rows.extend(_describe_attribute(f"{name}.{i}", item, modules))
        return rows
    if isinstance(value, dict):
        if value and all(isinstance(item, Value) for item in value.values()):
            return [(name, f"dict of {len(value)} Values")]
        rows = []
        for key, item in value.items():
            rows.extend(_describe_attribute(f"{name}.{key}", item, modules))
        return rows
    return []


def _grid_shape(value: object) -> tuple[int, ...] | None:
    """``(28, 8)`` for a list of 28 lists of 8 Values (any depth, every row the same length); else None."""
    if isinstance(value, Value):
        return ()
    if not isinstance(value, (list, tuple)) or not value:
        return None
    inner = _grid_shape(value[0])
    if inner is None or any(_grid_shape(item) != inner for item in value[1:]):
        return None
    return (len(value), *inner)


def _as_number(value: object, name: str) -> float:
    """``value`` as a float if it is a real number (bool excluded), else TypeError."""
    try:
        return check_real(value, f"parameter {cut(repr(name))}")
    except OverflowError:
        raise ValueError(f"parameter {cut(repr(name))}: {cut(repr(value))} is too large for a float") from None


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
    shown = ", ".join(cut(repr(n)) for n in names[:limit])
    return shown + (", ..." if len(names) > limit else "")
