"""The compiled object: guards, retracing, the batch loop, syncing with the parameters' `Value`s.

When the numbers move between the `Value`s and the compiled code (the sync
points): at the start of every call or batch the parameters' ``.data`` and
``.grad`` are read (so an optimizer's ``step()``, ``zero_grad()`` and
``nn.load`` between calls are seen); the generated code adds each sample's
gradient to those ``.grad`` in eager ``backward()``'s order, and at its end
writes them back.  ``sgd()`` reads ``.data`` once when the epoch starts and
writes ``.data`` and ``.grad`` once when it ends.  Nothing else about the
`Value`s is touched, and nothing is cached between calls.
"""

from __future__ import annotations

import gc
import math
import numbers
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, cast, overload

from ..checks import check_int, check_sequence, describe, to_float
from ..grad_mode import is_grad_enabled
from ..value import Value
from .backends import Backend, BuildOptions
from .built import BuiltTrace, Stats
from .tracing import CONST, OP, Trace, describe_signature, signature, trace

__all__ = ["Compiled", "Packed", "RetraceWarning", "CompileMismatchError", "EagerFallbackWarning"]


class RetraceWarning(UserWarning):
    """A guard failed, so the function was traced again; the message says which."""


class EagerFallbackWarning(UserWarning):
    """Too many traces: calls whose inputs match none of them run eagerly."""


class CompileMismatchError(AssertionError):
    """``verify=``: the compiled result or a gradient differs from eager by more than 1e-9."""


def _interpret(tr: Trace, args: Sequence[object], params: Sequence[float], seed: float | None) -> None:
    """Replay one sample node by node with the operations' own forward and derivative (eager's code).

    Used only after generated code raised: it raises eager's error at the node
    that fails, with the line that created the node.
    """
    values = [0.0] * len(tr.nodes)

    def fill(structure: Any, arg: Any) -> None:
        if isinstance(structure, int):
            if structure >= 0:
                values[structure] = float(arg)
        else:
            for s, a in zip(structure, arg):
                fill(s, a)

    for structure, arg in zip(tr.arg_structures, args):
        fill(structure, arg)
    for k, p in zip(tr.param_nodes, params):
        values[k] = p
    for k, node in enumerate(tr.nodes):
        if node.kind == CONST:
            values[k] = node.value
        elif node.kind == OP:
            assert node.op is not None
            with _Blame(node.op.name, node.where, "forward"):
                values[k] = node.op.apply(*[values[i] for i in node.inputs])
    if seed is None:
        return
    grads = [0.0] * len(tr.nodes)
    grads[tr.output] = seed
    for k in range(len(tr.nodes) - 1, -1, -1):
        node = tr.nodes[k]
        if node.kind != OP or not tr.needs_grad[k]:
            continue
        assert node.op is not None
        with _Blame(node.op.name, node.where, "derivative"):
            contributions = node.op.vjp(grads[k], *[values[i] for i in node.inputs], values[k])
        for i, contribution in zip(node.inputs, contributions):
            grads[i] += contribution


class _Blame:
    """Re-raise an operation's error with the operation and the user's line that created the node."""

    def __init__(self, name: str, where: str, phase: str) -> None:
        self.name, self.where, self.phase = name, where, phase

    def __enter__(self) -> None:
        pass

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        if error is None or not isinstance(error, Exception):
            return
        message = (
            f"{error} [in the {self.phase} of operation {self.name!r} of compiled code; the node was "
            f"created at {self.where}]"
        )
        try:
            new = type(error)(message)
        except Exception:
            new = RuntimeError(message)
        raise new from error


class Compiled:
    """A function traced once and run as generated code.  Made by `autograd.compile`.

    ``compiled(*args)`` returns the output's number and adds the gradient to
    ``.grad`` of every parameter, as ``out = fn(*args); out.backward()`` would
    (under `no_grad` it only computes the number); ``compiled.forward(*args)``
    never touches gradients.  ``compiled.batch(xs, ys, reduce="sum")`` does the
    same over samples (one sequence per argument), adding the gradient of the
    sum (or mean) of the outputs.  ``compiled.sgd(...)`` runs an epoch of plain
    SGD (inside C with the C backend), on the columns or on what
    ``compiled.pack(...)`` converted once.
    """

    def __init__(
        self,
        fn: Callable[..., Value | tuple[Value, ...]],
        *,
        backend: Backend,
        static: int | str | Iterable[int | str],
        strict: bool,
        verify: int,
        params: Any,
        max_traces: int,
        options: BuildOptions,
    ) -> None:
        import inspect

        self.fn = fn
        self._backend = backend
        self.backend = backend.name
        self.strict = strict
        self.verify = verify
        self.max_traces = max_traces
        self._options = options
        self._params_source = params
        self.__name__ = getattr(fn, "__name__", "compiled")
        try:
            self._names = [p.name for p in inspect.signature(fn).parameters.values()]
        except (TypeError, ValueError):
            self._names = []
        statics: set[int] = set()
        for s in (static,) if isinstance(static, (int, str)) else static:  # static="toks": one name, not 4 letters
            if isinstance(s, str):
                if s not in self._names:
                    raise ValueError(
                        f"autograd.compile: static={s!r} is not an argument of {self.__name__} "
                        f"(its arguments: {', '.join(self._names) or 'unknown'})"
                    )
                statics.add(self._names.index(s))
            elif isinstance(s, int) and not isinstance(s, bool) and s >= 0:
                statics.add(s)
            else:
                raise TypeError(f"autograd.compile: static= takes argument positions or names, got {describe(s)}")
        self._static = frozenset(statics)
        self._entries: dict[Any, BuiltTrace] = {}
        self._frozen_lines: set[tuple[str, int]] = set()  # strict=False: lines already warned about, for all traces
        self._param_lists: dict[Any, list[Value]] = {}  # per trace: the parameter list it was guarded with
        self._last_key: Any = None
        self._calls = 0
        self._eager_warned = False
        self.stats = Stats()

    # ------------------------------------------------------------------ public
    @property
    def source(self) -> str:
        """The generated code of the most recent trace (Python; the C backend's C source)."""
        if self._last_key is None:
            raise RuntimeError(f"{self.__name__} has not been traced yet: call it (or .trace(...)) once first")
        return self._entries[self._last_key].source

    @property
    def parameters(self) -> list[Value]:
        """The parameters of the most recent trace (the leaf `Value`s the function reads), in the code's order."""
        if self._last_key is None:
            raise RuntimeError(f"{self.__name__} has not been traced yet: call it (or .trace(...)) once first")
        return list(self._entries[self._last_key].params)

    @property
    def traces(self) -> int:
        """How many different traces were made (one per guard outcome)."""
        return len(self._entries)

    def __call__(self, *args: object) -> float:
        if not is_grad_enabled():
            return self.forward(*args)
        return self.batch(*[[a] for a in args])

    def forward(self, *args: object) -> float:
        """The output's number for one sample; no gradient is computed or added."""
        return self.forward_batch(*[[a] for a in args])[0]

    def trace(self, *args: object) -> None:
        """Trace (and generate and compile) for these example arguments without running the step."""
        self._entry(self._key(args), args)

    def forward_batch(self, *columns: Sequence[object]) -> list[float]:
        """The output's number for each sample; no gradient is computed or added."""
        return self._run(columns, None)[0]

    @overload
    def batch(self, *columns: Sequence[object], reduce: str = ..., extras: Literal[False] = ...) -> float: ...
    @overload
    def batch(
        self, *columns: Sequence[object], reduce: str = ..., extras: Literal[True]
    ) -> tuple[float, list[tuple[float, ...]]]: ...

    def batch(
        self, *columns: Sequence[object], reduce: str = "sum", extras: bool = False
    ) -> float | tuple[float, list[tuple[float, ...]]]:
        """Run every sample (one sequence per argument); return the sum or mean of the outputs.

        Adds the gradient of that sum (or mean) to the parameters' ``.grad``,
        exactly as building the eager graph of the reduced output and calling
        ``backward()`` would (to rounding).  With ``extras=True`` (for a
        function returning ``(output, *extras)``), it returns ``(result,
        extras)``: the extras' numbers, one tuple per sample.
        """
        if reduce not in ("sum", "mean"):
            raise ValueError(f"batch(reduce=...) must be 'sum' or 'mean', got {reduce!r}")
        recording = is_grad_enabled()
        before = None
        if recording:
            self._calls += 1
            if self.verify and self._calls % self.verify == 0:
                before = self._snapshot()
        results, found = self._run(columns, reduce if recording else None)
        total = _sum(results)
        result = total / len(results) if reduce == "mean" else total
        if before is not None:
            self._verify(columns, reduce, result, before)
        if extras:
            return result, self._extras_or_raise(found)
        return result

    def _extras_or_raise(self, found: list[tuple[float, ...]] | None) -> list[tuple[float, ...]]:
        if found is None:
            raise TypeError(
                f"{self.__name__} returns a single Value, so it has no extras: return (output, *extras) to have some"
            )
        return found

    def _run(
        self, columns: Sequence[Sequence[object]], reduce: str | None
    ) -> tuple[list[float], list[tuple[float, ...]] | None]:
        """Each sample's output (and extras), trace by trace; with `reduce`, the gradient of the sum or mean is
        added too.

        The parameters' ``.data`` (and, for gradients, ``.grad``) are read
        before each run of generated code and ``.grad`` is written after it.
        """
        n, groups = self._groups(columns)
        seed = None if reduce is None else 1.0 * (1.0 / n) if reduce == "mean" else 1.0
        results = [0.0] * n
        found: list[tuple[float, ...]] | None = None
        for key, (indices, example) in groups.items():
            entry = self._entry(key, example)
            cols = self._columns(columns, indices)
            if entry is None:
                for i, sample in zip(indices, zip(*cols)):
                    results[i], extra = self._eager_sample(sample, seed)
                    if extra is not None:
                        found = found if found is not None else [()] * n
                        found[i] = extra
                continue
            params = entry.params
            data = [p.data for p in params]
            dyn = [cols[i] for i in range(len(cols)) if i not in self._static]
            if seed is None:
                outs, extras = self._guarded(entry, dyn, data, None, len(indices))
            else:
                outs, grads, extras = self._guarded(entry, dyn, data, seed, len(indices), [p.grad for p in params])
                for p, g in zip(params, grads):  # they started from .grad: set, not add
                    p.grad = g
            for i, out in zip(indices, outs):
                results[i] = out
            if extras is not None:
                found = found if found is not None else [()] * n
                for i, extra in zip(indices, extras):
                    found[i] = extra
        return results, found

    def pack(self, *columns: Sequence[object]) -> Packed:
        """The samples (one sequence per argument) converted once for `sgd`.

        Training for many epochs on the same data, ``sgd(packed, ...)`` then
        skips turning every number into a C double each epoch (for the digits
        set that conversion costs about as much as an epoch's arithmetic).
        With the C backend the numbers are copied now (changing the
        sequences later does not change the packed samples, except in an
        epoch replayed batch by batch because C met a NaN or inf: the replay
        reads the sequences); the Python backend keeps the sequences and reads
        them when it runs.  Traces the function if needed.
        """
        n, groups = self._groups(columns)
        arrays = None
        if len(groups) == 1:
            key, (_, example) = next(iter(groups.items()))
            entry = self._entry(key, example)
            if entry is not None and entry.pack is not None:
                dyn = [c for i, c in enumerate(columns) if i not in self._static]
                arrays = entry.pack(dyn, n)
        return Packed(self, list(columns), n, groups, arrays)

    @overload
    def sgd(
        self,
        *columns: Sequence[object] | Packed,
        lr: float,
        batch_size: int,
        reduce: str = ...,
        order: Sequence[int] | None = ...,
        extras: Literal[False] = ...,
    ) -> list[float]: ...
    @overload
    def sgd(
        self,
        *columns: Sequence[object] | Packed,
        lr: float,
        batch_size: int,
        reduce: str = ...,
        order: Sequence[int] | None = ...,
        extras: Literal[True],
    ) -> tuple[list[float], list[tuple[float, ...]]]: ...

    def sgd(
        self,
        *columns: Sequence[object] | Packed,
        lr: float,
        batch_size: int,
        reduce: str = "mean",
        order: Sequence[int] | None = None,
        extras: bool = False,
    ) -> list[float] | tuple[list[float], list[tuple[float, ...]]]:
        """An epoch of plain SGD: per batch, ``zero_grad``, `batch`, ``p.data -= lr * p.grad``.

        The samples are taken in ``order`` (indices; default: as given) and cut
        into batches of ``batch_size`` (the last one may be shorter).  Pass the
        columns, or what `pack` made of them.  Returns the batch losses (with
        ``extras=True``, also the extras' numbers per sample, in ``order``'s
        order, each computed before its batch's step).

        With the C backend the whole epoch runs in C with the parameters in a
        flat array: their ``.data`` are read when it starts, and ``.data`` and
        ``.grad`` (the last batch's gradient, as after an eager loop) are
        written when it ends; nothing in between touches the `Value`s.  The
        Python backend (or inputs needing several traces) runs the same loop
        batch by batch.  The parameters are the traced ones.
        """
        rate = to_float(lr, "sgd(lr=...)")
        size = check_int(batch_size, "sgd(batch_size=...)", 1)
        if reduce not in ("sum", "mean"):
            raise ValueError(f"sgd(reduce=...) must be 'sum' or 'mean', got {reduce!r}")
        if len(columns) == 1 and isinstance(columns[0], Packed):
            packed = columns[0]
            if packed.owner is not self:
                raise ValueError(f"{self.__name__}.sgd() got samples packed by another compiled function")
            cols, n, groups, arrays = packed.columns, packed.n, packed.groups, packed.arrays
        else:
            if any(isinstance(c, Packed) for c in columns):
                raise TypeError(f"{self.__name__}.sgd() takes either the columns or one packed set of samples")
            cols = cast("list[Sequence[object]]", list(columns))  # no Packed among them: checked just above
            n, groups = self._groups(cols)
            arrays = None
        indices = list(range(n)) if order is None else _check_order(order, n, self.__name__)
        sizes = [min(size, len(indices) - start) for start in range(0, len(indices), size)]
        key, (_, example) = next(iter(groups.items()))
        entry = self._entry(key, example) if len(groups) == 1 else None
        whole_epoch = entry is not None and entry.sgd is not None and is_grad_enabled() and not self.verify
        if whole_epoch and indices:
            assert entry is not None and entry.sgd is not None and entry.pack is not None  # (whole_epoch)
            if arrays is None:
                arrays = entry.pack([c for i, c in enumerate(cols) if i not in self._static], n)
            data = [p.data for p in entry.params]
            outs, new, grads, found = entry.sgd(arrays, indices, data, rate, sizes, reduce == "mean")
            if all(map(math.isfinite, outs)):
                reduced, start = [], 0
                for count in sizes:
                    total = _sum(outs[start : start + count])
                    reduced.append(total / count if reduce == "mean" else total)
                    start += count
                for p, value, g in zip(entry.params, new, grads):
                    p.data, p.grad = value, g
                return (reduced, self._extras_or_raise(found)) if extras else reduced
            # C computed NaN or inf somewhere: forget it and run batch by batch from the same start, which
            # raises eager's error at the batch and node where it happens (or gives the same non-finite losses).
        losses: list[float] = []
        every: list[tuple[float, ...]] = []
        start = 0
        for count in sizes:
            chosen = indices[start : start + count]
            part = [[c[i] for i in chosen] for c in cols]
            params = self._snapshot()
            for p, _ in params:
                p.grad = 0.0
            if extras:
                loss, found_here = self.batch(*part, reduce=reduce, extras=True)
                every.extend(found_here)
            else:
                loss = self.batch(*part, reduce=reduce)
            losses.append(loss)
            for p, _ in params:
                p.data -= rate * p.grad
            start += count
        return (losses, every) if extras else losses

    def __repr__(self) -> str:
        return f"<compiled {self.__name__} backend={self.backend!r} traces={self.traces}>"

    # ------------------------------------------------------------------ guards and traces
    def _key(self, args: Sequence[object]) -> Any:
        return tuple(
            ("static", _hashable(a)) if i in self._static else ("dyn", signature(a)) for i, a in enumerate(args)
        )

    def _groups(self, columns: Sequence[Sequence[object]]) -> tuple[int, dict[Any, tuple[list[int], tuple[Any, ...]]]]:
        """The samples grouped by guard key: (number of samples, key -> (sample indices, an example sample))."""
        if not columns:  # a function of no arguments (a regulariser): one sample
            return 1, {(): ([0], ())}
        cols = []
        for i, c in enumerate(columns):
            if isinstance(c, (str, bytes)) or not hasattr(c, "__len__"):
                raise TypeError(
                    f"{self.__name__}: batch() argument {i} must be a sequence (one entry per "
                    f"sample), got {describe(c)}"
                )
            cols.append(c)
        n = len(cols[0])
        if any(len(c) != n for c in cols):
            raise ValueError(
                f"{self.__name__}: batch() got sequences of different lengths "
                f"{[len(c) for c in cols]}; give one entry per sample in each"
            )
        if n == 0:
            raise ValueError(f"{self.__name__}: batch() got no samples")
        first = tuple(c[0] for c in cols)
        key = self._key(first)
        # Fast check: every sample has the first one's top-level lengths and static values.
        same = True
        for i, (kind, sig) in enumerate(key):
            col = cols[i]
            if kind == "static":
                v = first[i]
                same = all(x == v for x in col)
            elif sig is None:  # numbers (one C-level pass over their types in the usual case)
                same = {float, int}.issuperset(map(type, col)) or all(not hasattr(x, "__len__") for x in col)
            else:
                items: Any = col  # any objects: their lengths are what is checked
                try:
                    same = set(map(len, items)) == {len(sig)}
                except TypeError:  # an item without a length
                    same = False
            if not same:
                break
        if same:
            return n, {key: (list(range(n)), first)}
        groups: dict[Any, tuple[list[int], tuple[Any, ...]]] = {}
        for s in range(n):
            sample = tuple(c[s] for c in cols)
            groups.setdefault(self._key(sample), ([], sample))[0].append(s)
        return n, groups

    @staticmethod
    def _columns(columns: Sequence[Sequence[object]], indices: list[int]) -> list[Sequence[object]]:
        if not columns or len(indices) == len(columns[0]):
            return list(columns)
        return [[c[i] for i in indices] for c in columns]

    def _param_list(self) -> list[Value] | None:
        source = self._params_source
        if source is None:
            return None
        if hasattr(source, "parameters"):
            return list(source.parameters())
        if callable(source):
            return list(source())
        return list(source)

    def _entry(self, key: Any, example: Sequence[object]) -> BuiltTrace | None:
        entry = self._entries.get(key)
        current = self._param_list()
        if entry is not None and current is not None and not _same(current, self._param_lists[key]):
            self._warn_retrace(
                f"the set of parameters changed ({len(self._param_lists[key])} before, "
                f"{len(current)} now, or different Value objects)"
            )
            del self._entries[key]
            entry = None
        if entry is not None:
            self._last_key = key
            return entry
        if len(self._entries) >= self.max_traces:
            if not self._eager_warned:
                self._eager_warned = True
                warnings.warn(
                    f"autograd.compile: {self.__name__} was traced {len(self._entries)} times "
                    f"(max_traces={self.max_traces}); inputs that match no trace now run eagerly "
                    f"(uncompiled). Last guard: {self._explain(key)}",
                    EagerFallbackWarning,
                    stacklevel=4,
                )
            return None
        if self._entries:
            self._warn_retrace(self._explain(key))
        entry = self._build(example)
        self._entries[key] = entry
        self._param_lists[key] = current if current is not None else list(entry.trace.params)
        self._last_key = key
        return entry

    def _explain(self, key: Any) -> str:
        old = self._last_key if self._last_key is not None else next(iter(self._entries))
        for i, ((kind, a), (_, b)) in enumerate(zip(old, key)):
            name = self._names[i] if i < len(self._names) else f"#{i}"
            if a != b:
                if kind == "static":
                    return (
                        f"the static argument {name!r} changed from {_shown(a)} to {_shown(b)} (a Python value "
                        "frozen into the trace)"
                    )
                return (
                    f"argument {name!r} changed structure: it was {describe_signature(a)}, now {describe_signature(b)}"
                )
        if len(old) != len(key):
            return f"the number of arguments changed from {len(old)} to {len(key)}"
        return "a guard failed"

    def _warn_retrace(self, why: str) -> None:
        warnings.warn(f"autograd.compile: retracing {self.__name__} because {why}", RetraceWarning, stacklevel=5)

    def _build(self, example: Sequence[object]) -> BuiltTrace:
        dynamic = [i for i in range(len(example)) if i not in self._static]
        names = [self._names[i] if i < len(self._names) else f"arg{i}" for i in range(len(example))]
        # Tracing and generating allocate a great many objects and free few before the end, which triggers
        # full passes of the cyclic garbage collector over everything alive; they find nothing to free here.
        # With a 32-sample eager digits graph alive (237k objects), one such pass took half of a 0.49 s build.
        paused = gc.isenabled()
        gc.disable()
        try:
            t0 = time.perf_counter()
            tr = trace(self.fn, example, dynamic, names, self.strict, self._frozen_lines)
            t1 = time.perf_counter()
            stats = Stats(
                trace_seconds=t1 - t0, nodes=tr.size, parameters=len(tr.params), traces=len(self._entries) + 1
            )
            entry = self._backend.build(tr, self.__name__, stats, self._options)
        finally:
            if paused:
                gc.enable()
        self.stats = stats
        return entry

    def _guarded(
        self,
        entry: BuiltTrace,
        dyn: list[Sequence[object]],
        params: list[float],
        seed: float | None,
        n: int,
        grads: list[float] | None = None,
    ) -> Any:
        """Run the generated code; if it raises, replay the samples eagerly to raise eager's error at the node."""
        try:
            if seed is None:
                return entry.forward(n, *dyn, params)
            result = entry.run(n, *dyn, params, grads, seed)
        except Exception as error:
            # Replay the samples through the operations (backward's order) to raise eager's error at its node.
            for s in range(n - 1, -1, -1) if seed is not None else range(n):
                try:
                    _interpret(entry.trace, [c[s] for c in dyn], params, seed)
                except Exception as found:
                    if found.__cause__ is not None:
                        raise found from error
                    raise
            raise
        if entry.replay_non_finite and not all(map(math.isfinite, result[0])):
            # C computes NaN/inf where Python raises: replay in Python to raise eager's error, if there is one.
            for s in range(n):
                _interpret(entry.trace, [c[s] for c in dyn], params, seed)
        return result

    # ------------------------------------------------------------------ eager fallback and verification
    def _eager_sample(self, sample: Sequence[object], seed: float | None) -> tuple[float, tuple[float, ...] | None]:
        """One sample run eagerly (with `seed`, its gradient added too): its output and extras."""
        out, extras = _split(self.fn(*sample))
        if seed is not None:
            out.backward(seed)
        return float(out.data), extras

    def _snapshot(self) -> list[tuple[Value, float]]:
        params: list[Value] = []
        seen: set[Value] = set()
        for entry in self._entries.values():
            for p in entry.params:
                if p not in seen:
                    seen.add(p)
                    params.append(p)
        return [(p, p.grad) for p in params]

    def _verify(
        self, columns: Sequence[Sequence[object]], reduce: str, result: float, before: list[tuple[Value, float]]
    ) -> None:
        after = [(p, p.grad) for p, _ in before]
        for p, _ in before:
            p.grad = 0.0
        n = len(columns[0]) if columns else 1
        outs = [_split(self.fn(*[c[s] for c in columns]))[0] for s in range(n)]
        total = outs[0]
        for o in outs[1:]:
            total = total + o
        if reduce == "mean":
            total = total / n
        total.backward()
        problems = []
        if not _close(total.data, result):
            problems.append(f"output: compiled {result!r}, eager {total.data!r}")
        for (p, g0), (_, g1) in zip(before, after):
            if not _close(p.grad, g1 - g0):
                problems.append(f"gradient of {p!r}: compiled {g1 - g0!r}, eager {p.grad!r}")
        for p, g1 in after:
            p.grad = g1
        if problems:
            raise CompileMismatchError(
                f"autograd.compile(verify=...): {self.__name__} differs from eager by more "
                f"than 1e-9: "
                + "; ".join(problems[:5])
                + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
            )


class Packed:
    """Samples converted once for `Compiled.sgd` (made by `Compiled.pack`)."""

    def __init__(
        self, owner: Compiled, columns: list[Sequence[object]], n: int, groups: Any, arrays: list[Any] | None
    ) -> None:
        self.owner, self.columns, self.n, self.groups, self.arrays = owner, columns, n, groups, arrays

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        where = "C doubles" if self.arrays is not None else "as given"
        return f"<{self.n} samples packed for {self.owner.__name__} ({where})>"


def _check_order(order: object, n: int, name: str) -> list[int]:
    indices = check_sequence(order, f"{name}.sgd(order=...)")
    if not {int}.issuperset(map(type, indices)):  # the usual case (plain ints) costs one C-level pass
        for i in indices:
            if isinstance(i, bool) or not isinstance(i, numbers.Integral):
                raise TypeError(f"{name}.sgd(order=...) must hold sample indices (ints), got {describe(i)}")
        indices = [int(i) for i in indices]
    if indices and (min(indices) < 0 or max(indices) >= n):
        bad = next(i for i in indices if not 0 <= i < n)
        raise ValueError(f"{name}.sgd(order=...) must hold sample indices 0..{n - 1}, got {bad}")
    return indices


def _split(result: object) -> tuple[Value, tuple[float, ...] | None]:
    """A function's result as (output, the extras' numbers or ``None``), for ``fn`` returning ``(output, *extras)``."""
    if isinstance(result, tuple) and result:
        out, *extras = result
        return out, tuple(float(e.data) for e in extras)
    return cast(Value, result), None


def _close(a: float, b: float) -> bool:
    if a != a or b != b:
        return a != a and b != b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _sum(xs: Sequence[float]) -> float:
    total = xs[0]
    for x in xs[1:]:
        total += x
    return total


def _same(a: Sequence[Value], b: Sequence[Value]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _shown(key: Any) -> str:
    """A static argument's value as the user wrote it, from its guard key (see `_hashable`)."""
    kind, value = key
    return str(value) if kind == "unhashable" else repr(value)


def _hashable(x: object) -> Any:
    try:
        hash(x)
    except TypeError:
        return ("unhashable", repr(x))
    return (type(x).__name__, x)
