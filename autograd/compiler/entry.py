"""What a backend hands back for one trace: its generated functions, and what building them cost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..value import Value
from .tracing import Trace

__all__ = ["Entry", "Stats"]


@dataclass
class Stats:
    """What compiling cost, for the last trace: seconds and graph size."""

    trace_seconds: float = 0.0
    generate_seconds: float = 0.0
    compile_seconds: float = 0.0
    nodes: int = 0
    parameters: int = 0
    traces: int = 0
    cached: bool = False


@dataclass
class Entry:
    """One trace's generated code, built by `pygen.build_python` or `cbackend.build_c`.

    ``run(n, *inputs, params, grads, seed) -> (outputs, grads)`` and
    ``forward(n, *inputs, params) -> outputs`` run `n` samples; ``extra``
    holds what a backend offers beyond them (the C backend's ``sgd`` and
    ``pack``) and what the compiled object keeps with the trace.
    """

    trace: Trace
    params: list[Value]
    run: Callable[..., tuple[list[float], Sequence[float]]]
    forward: Callable[..., list[float]]
    source: str
    extra: dict[str, Any] = field(default_factory=dict)
