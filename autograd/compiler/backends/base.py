"""The `Backend` protocol and the options `autograd.compile` passes to a backend's build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..built import BuiltTrace, Stats
from ..codegen import TemplateTable
from ..tracing import Trace

__all__ = ["Backend", "BuildOptions"]


@dataclass(frozen=True)
class BuildOptions:
    """What `autograd.compile` passes on to a backend's build (backends ignore what they do not use).

    Attributes:
        cache_dir: where built files are cached (the C backend).
        compiler: the compiler command to use (the C backend).
    """

    cache_dir: str | None = None
    compiler: str | None = None


@runtime_checkable
class Backend(Protocol):
    """What a backend provides.

    Attributes:
        name: its one name, as ``compile(backend=...)`` and ``defop(code={name: ...})`` spell it.
        templates: how it writes each operation.
        runs_epochs: its built code offers ``sgd`` and ``pack`` (`BuiltTrace`):
            whole epochs of plain SGD without returning to Python, which
            ``nn.fit`` uses when the optimizer is plain SGD.
    """

    name: str
    templates: TemplateTable
    runs_epochs: bool

    def check(self, options: BuildOptions) -> None:
        """Raise now, with how to fix it, if this backend cannot build here (e.g. no C compiler)."""

    def build(self, tr: Trace, name: str, stats: Stats, options: BuildOptions) -> BuiltTrace:
        """Generate, build and load the code of one trace; record the seconds spent in `stats`."""
