"""valuegrad's autograd engine: scalar `Value`s that record a graph, and reverse mode over it.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0

The engine is a few small modules in one-way layers (each imports only
those below it; `make test` checks the contracts): `autograd.grad_mode`
(`no_grad` and friends) and `autograd.value` (the node and the graph walk) at
the bottom, then `autograd.ops` (the table of operations, pure math, and
`defop` for your own), then `autograd.backprop` (`backward` and `grad`) and
`autograd.gradcheck` (finite-difference checks); `autograd.checks` (argument
checks) and `autograd.libraries` (whose frames errors skip) serve them all.
Drawing lives in `autograd.viz`, loaded only when first used
(``autograd.draw``, ``autograd.to_dot``, ``autograd.save_graph``,
``autograd.explain``: backprop step by step), and so does
``autograd.compile`` (the package `autograd.compiler`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _installation, ops
from .backprop import grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .ops import *  # noqa: F403 - every operation of the table, under its table name
from .value import GraphTooLargeError, Operand, Value, topological_order

if TYPE_CHECKING:
    from .compiler import compile as compile
    from .viz import draw as draw
    from .viz import explain as explain
    from .viz import save_graph as save_graph
    from .viz import to_dot as to_dot

    __version__: str

# Another distribution that also provides `autograd` (HIPS autograd) overwrites our files: say so, naming it.
_installation.check_import_name("autograd", __file__)

_SHADOWING = ("pow", "abs", "compile")  # `autograd.pow` and `autograd.abs` exist; `import *` leaves them out

_TABLE_ITSELF = ("TABLE", "BUILTINS", "FUNCTIONS")  # the table's bookkeeping: autograd.ops.TABLE, not autograd's API

_LAZY = {
    "draw": "autograd.viz",
    "to_dot": "autograd.viz",
    "save_graph": "autograd.viz",
    "explain": "autograd.viz",
    "compile": "autograd.compiler",
}

__all__ = [
    "Value",
    "Operand",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "gradcheck",
    "GradcheckError",
    "topological_order",
    "GraphTooLargeError",
    # the table's exports (see autograd.ops), but not "pow" and "abs", which would shadow the builtins
    *(name for name in vars(ops)["__all__"] if name not in _SHADOWING and name not in _TABLE_ITSELF),
    "draw",
    "to_dot",
    "save_graph",
    "explain",
]  # not "compile" either: `from autograd import *` must not shadow the builtin compile() (use autograd.compile)


_PUBLIC_MODULES = ("ops", "compiler", "viz")  # the documented submodules (autograd.ops.defop, autograd.viz.cli, ...)


def __getattr__(name: str) -> Any:
    """Load drawing and `compile` on first use, so ``import autograd`` loads only the engine."""
    if name == "__version__":  # from the package metadata (one place: pyproject.toml), read only when asked for
        version = globals()[name] = _installation.version()
        return version
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _PUBLIC_MODULES:  # `autograd.viz` without importing it first, as dir() lists it
        return importlib.import_module(f"autograd.{name}")
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names only (what tab completion offers): no helpers such as ``Any`` or ``importlib``."""
    dunders = {name for name in globals() if name.startswith("__") and name.endswith("__")}
    return sorted(dunders | set(__all__) | set(_LAZY) | set(_SHADOWING) | set(_PUBLIC_MODULES) | {"__version__"})
