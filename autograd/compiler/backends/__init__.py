"""The compiler's backends: one module each, and the registry `autograd.compile(backend=...)` asks.

A backend is one room: its own `~autograd.compiler.codegen.TemplateTable`
(how it spells each operation, keyed by the operation's family), its
generator (a `~autograd.compiler.codegen.Writer` for the backward pass), how
it builds and loads the code, and the capabilities it declares.  Nothing
outside this folder compares backend names: `autograd.compile` and
``nn.fit(compile=...)`` ask the registry for the backend and read its
capabilities.

Adding one is one file and one line::

    class MyBackend:                      # satisfies the `Backend` protocol
        name = "mine"
        runs_epochs = False
        templates = TemplateTable("mine", {...})
        def check(self, options): ...
        def build(self, tr, name, stats, options): ...

    register_backend(MyBackend())

The built-in ones: ``"python"`` (`autograd.compiler.backends.python`) and
``"c"`` (`autograd.compiler.backends.c`).
"""

from __future__ import annotations

from ...checks import describe
from .base import Backend, BuildOptions
from .c import CBackend
from .python import PythonBackend

__all__ = ["Backend", "BuildOptions", "register_backend", "get_backend", "backend_names"]


_REGISTRY: dict[str, Backend] = {}


def register_backend(backend: Backend) -> None:
    """Make `backend` available as ``autograd.compile(fn, backend=backend.name)`` (replacing one of that name)."""
    if not isinstance(backend, Backend):
        raise TypeError(
            "register_backend expects an object with name, templates, runs_epochs, check() and build(), "
            f"got {describe(backend)}"
        )
    if not isinstance(backend.name, str) or not backend.name:
        raise TypeError(f"a backend's name must be a non-empty str, got {describe(backend.name)}")
    _REGISTRY[backend.name] = backend


def get_backend(name: str) -> Backend:
    """The backend registered as `name`; a `ValueError` naming the registered ones otherwise."""
    backend = _REGISTRY.get(name) if isinstance(name, str) else None
    if backend is None:
        raise ValueError(f"autograd.compile: backend must be one of {backend_names()}, got {name!r}")
    return backend


def backend_names() -> tuple[str, ...]:
    """The registered backends' names, in registration order."""
    return tuple(_REGISTRY)


register_backend(PythonBackend())
register_backend(CBackend())
