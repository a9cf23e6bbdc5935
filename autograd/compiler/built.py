"""What a backend hands back for one trace (`BuiltTrace`): its generated functions, and what building cost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..value import Value
from .tracing import Trace

__all__ = ["BuiltTrace", "Stats", "Run", "Forward", "Pack", "EpochOfSgd", "Extras"]


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


Extras = list[tuple[float, ...]] | None
"""Per sample, the numbers of the trace's extra outputs (``fn`` returned ``(output, *extras)``); ``None`` without."""

Run = Callable[..., tuple[list[float], Sequence[float], Extras]]
"""``run(n, *columns, params, grads, seed) -> (outputs, grads, extras)``: `n` samples, forward and backward."""

Forward = Callable[..., tuple[list[float], Extras]]
"""``forward(n, *columns, params) -> (outputs, extras)``: `n` samples, numbers only."""

Pack = Callable[[Sequence[Sequence[Any]], int], list[Any]]
"""``pack(columns, n) -> packed``: the samples of every dynamic argument converted once for `EpochOfSgd`."""

EpochOfSgd = Callable[
    [list[Any], Sequence[int], list[float], float, list[int], bool],
    tuple[list[float], list[float], list[float], Extras],
]
"""``sgd(packed, order, params, lr, batch_sizes, mean) -> (losses, new params, last gradients, extras)``: an epoch.

The losses and extras are per sample, in `order`'s order."""


@dataclass
class BuiltTrace:
    """One trace's built code: what a backend's ``build`` returns and `Compiled` runs.

    Every backend gives ``run`` and ``forward``; the optional entry points are
    what a backend offers beyond them (its `Backend` capabilities say so):

    Attributes:
        trace: the traced graph.
        params: its parameters, in the order the code takes their numbers.
        run, forward: see `Run` and `Forward`.
        source: the generated code (what ``Compiled.source`` shows).
        sgd, pack: a whole epoch of plain SGD inside the backend, and the
            samples converted once for it (``Backend.runs_epochs``).
        replay_non_finite: the code returns NaN or inf where Python raises
            (C arithmetic), so such results are replayed in Python to raise
            eager's error.
        keep: what must stay alive while the code can run (a loaded library,
            scratch buffers).
        library: the built file, for backends that build one.
    """

    trace: Trace
    params: list[Value]
    run: Run
    forward: Forward
    source: str
    sgd: EpochOfSgd | None = None
    pack: Pack | None = None
    replay_non_finite: bool = False
    keep: tuple[Any, ...] = ()
    library: str | None = None
