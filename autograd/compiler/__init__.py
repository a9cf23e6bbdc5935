"""`autograd.compile`: trace a function once, then run it as generated straight-line code.

>>> from autograd import Value
>>> import autograd
>>> w = Value(0.5, label="w")
>>> step = autograd.compile(lambda x, y: (w * x - y) ** 2)
>>> step(2.0, 3.0)           # the number, and w.grad += d/dw
4.0
>>> w.grad
-8.0

The subpackage is ``autograd.compiler``: `tracing` (stand-in inputs, the
checks that run only while tracing, the traced graph), `codegen` (what every
backend's generator shares: templates, expressions, inlining, the backward
pass), `backends` (one module per backend, each with its own template table,
and the registry: `backends.python`, `backends.c`), `built` (what a backend
hands back for one trace) and `compiled` (the object you call: guards,
retracing, batches, sync with the parameters, verification).
``autograd.compile`` is its `compile` function, loaded on first use so
``import autograd`` stays the engine only; the package is not named
``compile`` so that the attribute ``autograd.compile`` can be the function.

How a trace works: the dynamic arguments are replaced by labelled leaf
`Value`s and `fn` runs once, eagerly, building an ordinary graph (so the first
call costs about one eager call).  Leaves made during the call are constants
(folded into the code), the other leaves are parameters.  Each backend spells
the operations from its own template table (see `autograd.compiler.backends`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..checks import check_int
from ..value import Value
from .backends import Backend, BuildOptions, backend_names, get_backend, register_backend
from .backends.c import CompilerNotFoundError, MissingCCodeError
from .built import BuiltTrace, Stats
from .compiled import Compiled, CompileMismatchError, EagerFallbackWarning, Packed, RetraceWarning
from .tracing import FrozenValueWarning, TraceError

__all__ = [
    "compile",
    "Compiled",
    "TraceError",
    "FrozenValueWarning",
    "RetraceWarning",
    "EagerFallbackWarning",
    "CompileMismatchError",
    "Packed",
    "Stats",
    "BuiltTrace",
    "Backend",
    "register_backend",
    "get_backend",
    "backend_names",
    "CompilerNotFoundError",
    "MissingCCodeError",
]


def compile(  # noqa: A001 - the public name asked for: autograd.compile
    fn: Callable[..., Value | tuple[Value, ...]],
    *,
    backend: str = "python",
    static: int | str | Iterable[int | str] = (),
    strict: bool = True,
    verify: int | bool = False,
    params: Any = None,
    max_traces: int = 8,
    cache_dir: str | None = None,
    compiler: str | None = None,
) -> Compiled:
    """Trace `fn` on its first call and run it as generated code from then on.

    Args:
        fn: takes numbers (or sequences of numbers) and returns a `Value`
            built from the leaf `Value`s it closes over (its parameters),
            e.g. one sample's loss; or a tuple ``(output, *extras)`` of
            `Value`s, where the extras are computed along, forward only, and
            returned by ``.batch(..., extras=True)`` and ``.sgd(..., extras=True)``
            (``nn.fit`` counts its training metric that way).
        backend: ``"python"`` (generated Python, readable in ``.source``) or
            ``"c"`` (generated C built with a C compiler found on the machine),
            or the name of a backend added with `register_backend`.
        static: an argument (position or name, ``static="toks"``), or several, that are settings rather
            than inputs: their value is frozen into a trace, and a new value
            traces again (with a `RetraceWarning`).
        strict: reading ``.data``/``float()`` of a traced `Value` is a
            `TraceError` (``False``: a `FrozenValueWarning`, the number frozen).
        verify: every `verify`-th call (``True``: every call) also runs `fn`
            eagerly and raises `CompileMismatchError` if the output or a
            gradient differs by more than 1e-9.
        params: the parameters to guard (a `Module`, a list of `Value`s or a
            callable returning one): if the list changes, `fn` is traced again.
        max_traces: after this many traces, inputs matching none run eagerly
            (with an `EagerFallbackWarning`).
        cache_dir: C backend only: where built libraries are cached
            (default ``$VALUEGRAD_CACHE_DIR`` or ``~/.cache/valuegrad``).
        compiler: C backend only: which compiler command to use (default:
            the first of ``cc``, ``gcc``, ``clang``, ``tcc``,
            ``python -m ziglang cc`` found).

    Returns:
        A `Compiled`: call it on one sample, or use ``.batch`` (many samples,
        their gradients summed or averaged), ``.forward`` (numbers only),
        ``.sgd`` (a whole epoch of plain SGD; in C with the C backend) and
        ``.pack`` (samples converted once for ``.sgd``); ``.source``,
        ``.stats`` and ``.parameters`` show what was traced and generated.
    """
    if not callable(fn):
        raise TypeError(f"autograd.compile expects a function, got {type(fn).__name__}")
    chosen = get_backend(backend)
    every = 1 if verify is True else 0 if verify is False else check_int(verify, "autograd.compile verify", 0)
    limit = check_int(max_traces, "autograd.compile max_traces", 1)
    options = BuildOptions(cache_dir=cache_dir, compiler=compiler)
    chosen.check(options)  # fail now (e.g. no C compiler, with how to get one) rather than at the first call
    return Compiled(
        fn,
        backend=chosen,
        static=static,
        strict=bool(strict),
        verify=every,
        params=params,
        max_traces=limit,
        options=options,
    )


def __getattr__(name: str) -> object:
    if name == "Entry":  # renamed: one trace's built code
        warnings.warn(
            "autograd.compiler.Entry is now autograd.compiler.BuiltTrace; the old name will be removed",
            DeprecationWarning,
            stacklevel=2,
        )
        return BuiltTrace
    raise AttributeError(f"module 'autograd.compiler' has no attribute {name!r}")
