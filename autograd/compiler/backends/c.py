"""The C backend: a traced graph as C, built with a C compiler found on the machine, loaded with ctypes.

Its room holds how it spells every operation in C (`TEMPLATES`, keyed by the
operation's family; templates may use ``<math.h>``), the generator, finding
a compiler, building and caching, and the ctypes glue.

The generated C keeps one slot per node in a scratch array (``t`` for
values, ``d`` for gradients), so the code can be split into functions of
`CHUNK` statements: compilers optimise many small functions far faster than
one huge one.  A batch runs entirely inside C (no Python call per sample):
the inputs of all samples go in as flat arrays of doubles, the parameters as
one flat array read from the `Value`s' ``.data`` at the start of the batch,
and the gradients in one flat array that starts from their ``.grad`` and
is written back at its end (see `autograd.compiler.compiled` for the sync
points).  Lists of numbers are packed into C arrays with `struct`.

Built libraries are cached on disk, keyed by a hash of the C source and of
the compiler (its command and version): in ``cache_dir=``, else
``$VALUEGRAD_CACHE_DIR``, else ``$XDG_CACHE_HOME/valuegrad`` (``~/.cache/valuegrad``).
Temporary files are built in a private directory inside it and removed.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.util
import os
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from ..._installation import c_compiler_hint
from ...checks import describe
from ..built import BuiltTrace, Extras, Stats
from ..codegen import (
    ATOM,
    Expr,
    Template,
    TemplateTable,
    Writer,
    backward_statements,
    classify,
    inline_decisions,
    parenthesize,
)
from ..tracing import CONST, OP, Trace
from .base import BuildOptions

__all__ = [
    "CBackend",
    "TEMPLATES",
    "CompilerNotFoundError",
    "MissingCCodeError",
    "find_compiler",
    "generate_c",
    "cache_directory",
]

CHUNK = 250
"""Statements per generated C function."""

SUM_TERMS = 64
"""Most terms in one sum statement of the backward pass."""


# fmt: off
_D_BASE = "(({1} == 0.0 && {0} == 0.0) ? 0.0 : {1} * pow({0}, {1} - 1.0))"  # d(x ** y)/dx: 0 at 0 ** 0
_D_EXPONENT = "({0} > 0.0 ? {out} * log({0}) : {0} == 0.0 ? 0.0 : NAN)"
_SIGN = "({0} > 0.0 ? 1.0 : {0} < 0.0 ? -1.0 : 0.0 * {0})"


def _power(p: float) -> Template:
    """``x ** p`` for a constant p."""
    if p == 2.0:
        return "{0} * {0}", ("2.0 * {0}",)
    if p == 0.0:  # x ** 0 is 1, and its derivative 0 also at x = 0 (as PyTorch)
        return "1.0", ("0.0",)
    return "pow({0}, {c})", ("{c} * pow({0}, {c} - 1.0)",)


def _power_of(b: float) -> Template:
    """``b ** x`` for a constant b."""
    return "pow({c}, {0})", ("{out} * log({c})" if b > 0.0 else "0.0" if b == 0.0 else "NAN",)


TEMPLATES = TemplateTable("c", {
    #  family         forward                                   partials, one per input
    "+":            ("{0} + {1}",                              ("1.0", "1.0")),
    "-":            ("{0} - {1}",                              ("1.0", "-1.0")),
    "*":            ("{0} * {1}",                              ("{1}", "{0}")),
    "/":            ("{0} / {1}",                              ("1.0 / {1}", "-{out} / {1}")),
    "**":           ("pow({0}, {1})",                          (_D_BASE, _D_EXPONENT)),
    "neg":          ("-{0}",                                   ("-1.0",)),
    "abs":          ("fabs({0})",                              (_SIGN,)),
    "exp":          ("exp({0})",                               ("{out}",)),
    "log":          ("log({0})",                               ("1.0 / {0}",)),
    "tanh":         ("tanh({0})",                              ("1.0 - {out} * {out}",)),
    "sigmoid":      ("({0} >= 0.0 ? 1.0 / (1.0 + exp(-{0})) : exp({0}) / (1.0 + exp({0})))",
                                                               ("{out} * (1.0 - {out})",)),
    "relu":         ("({0} > 0.0 || {0} != {0} ? {0} : 0.0)",  ("({0} > 0.0 ? {g} : 0.0 * {g})",)),
    "sqrt":         ("sqrt({0})",                              ("0.5 / {out}",)),
    "sin":          ("sin({0})",                               ("cos({0})",)),
    "cos":          ("cos({0})",                               ("-sin({0})",)),
    "detached_max": ("({1} > {0} ? {1} : {0})",                ("0.0", "0.0")),
    "**c":          _power,
    "c**":          _power_of,
})
"""How the C backend writes each operation (see `autograd.compiler.codegen` for the format)."""
# fmt: on


class CompilerNotFoundError(RuntimeError):
    """No C compiler was found (or the one asked for does not work)."""


class MissingCCodeError(ValueError):
    """An operation in the graph has no C template (``defop(..., code={"c": ...})``)."""


@functools.lru_cache(maxsize=8)
def find_compiler(command: str | None = None) -> tuple[str, ...]:
    """The compiler command to use: `command`, ``$VALUEGRAD_CC``, or the first of cc/gcc/clang/tcc/zig found."""
    wanted = command or os.environ.get("VALUEGRAD_CC")
    if wanted:
        argv = tuple(shlex.split(wanted))
        if not argv or shutil.which(argv[0]) is None:
            raise CompilerNotFoundError(f"the C compiler {wanted!r} was not found; {c_compiler_hint()}")
        return argv
    for name in ("cc", "gcc", "clang", "tcc"):
        path = shutil.which(name)
        if path:
            return (path,)
    if importlib.util.find_spec("ziglang") is not None:
        return (sys.executable, "-m", "ziglang", "cc")
    raise CompilerNotFoundError(
        "backend='c' needs a C compiler and none was found (tried cc, gcc, clang, tcc and the ziglang package); "
        + c_compiler_hint()
    )


@functools.lru_cache(maxsize=8)
def _identity(argv: tuple[str, ...]) -> str:
    try:
        run = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60)
        version = (run.stdout or run.stderr).strip().splitlines()[:1]
    except (OSError, subprocess.SubprocessError):
        version = []
    return " ".join(argv) + " | " + (version[0] if version else "unknown version")


BIG = 50_000
"""Above this many characters of C, build with -O1: less than half of -O2's build time and, on the
digits graph (167 kB of C), code as fast: gcc 12 took 2.6 s instead of 5.9 s, and both ran a batch
of 32 samples in 155-180 microseconds."""


def _flags(argv: tuple[str, ...], size: int) -> list[str]:
    base = os.path.basename(argv[-1])
    if base.startswith("tcc"):
        return ["-shared", "-fPIC", "-O2"]
    # -ffp-contract=off: no fused multiply-add, so results equal Python's to the last bit.
    level = "-O1" if size > BIG else "-O2"
    return [level, "-shared", "-fPIC", "-ffp-contract=off", "-fno-math-errno"]


def cache_directory(cache_dir: str | None = None) -> str:
    if cache_dir:
        return cache_dir
    if os.environ.get("VALUEGRAD_CACHE_DIR"):
        return os.environ["VALUEGRAD_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "valuegrad")


def _literal(x: float) -> str:
    if x != x:
        return "NAN"
    if x in (float("inf"), float("-inf")):
        return "INFINITY" if x > 0 else "(-INFINITY)"
    text = repr(x)
    if "e" not in text and "." not in text:
        text += ".0"
    return f"({text})" if text.startswith("-") else text


def _leaves(structure: Any) -> list[int]:
    if isinstance(structure, int):
        return [structure]
    return [k for s in structure for k in _leaves(s)]


class _Writer(Writer):
    """How the backward pass is spelled in C: gradients in the scratch array ``d``, parameters' in ``G``."""

    seed = "seed"
    chunk = SUM_TERMS

    def __init__(self, param_slot: dict[int, int], fill: Callable[[str, int, str], Expr]) -> None:
        self.param_slot, self.fill = param_slot, fill

    def statement(self, target: str, expression: str) -> str:
        return f"{target} = {expression};"

    def param_gradient(self, k: int) -> str:
        return f"G[{self.param_slot[k]}]"

    def node_gradient(self, k: int) -> str:
        return f"d[{k}]"

    def partial(self, template: str, k: int, g: str) -> Expr:
        return self.fill(template, k, g)


def generate_c(tr: Trace, name: str, table: TemplateTable = TEMPLATES) -> tuple[str, list[int]]:
    """C source for ``vg_batch``, ``vg_forward`` and ``vg_sgd``, and the input sizes (numbers per dynamic argument)."""
    nodes = tr.nodes
    templates = [table.lookup(node.op) if node.kind == OP and node.op is not None else None for node in nodes]
    missing = sorted({n.op.name for n, t in zip(nodes, templates) if n.kind == OP and n.op is not None and t is None})
    if missing:
        raise MissingCCodeError(
            f"backend='c': the operation(s) {', '.join(map(repr, missing))} have no C code; give it when defining "
            "the operation, e.g. defop(name, forward, derivative, code={'c': ('log1p(exp({0}))', "
            "('1.0 / (1.0 + exp(-{0}))',))}), or use backend='python'"
        )
    ref: dict[int, str] = {}
    sizes: list[int] = []
    for a, structure in enumerate(tr.arg_structures):
        flat = _leaves(structure)
        sizes.append(len(flat))
        for q, k in enumerate(flat):
            if k >= 0:
                ref[k] = f"x{a}[{q}]"
    for j, k in enumerate(tr.param_nodes):
        ref[k] = f"p[{j}]"
    for k, node in enumerate(nodes):
        if node.kind == CONST:
            ref[k] = _literal(node.value)

    inline = inline_decisions(tr, templates, backward=True)
    exprs: dict[int, Expr] = {}  # inlined operations: their C expression and its precedence

    def fill(template: str, node_index: int, g: str = "") -> Expr:
        node = nodes[node_index]
        prec, needs = classify(template)
        # an input is a slot, a literal (negative ones come in parentheses) or an inlined expression
        args = [
            parenthesize(exprs[i], needs.get(str(pos), ATOM)) if i in exprs else ref[i]
            for pos, i in enumerate(node.inputs)
        ]
        const = _literal(node.op.const) if node.op is not None and node.op.const is not None else ""
        return template.format(*args, out=ref.get(node_index, ""), g=g, c=const), prec

    # forward: one statement per node whose number is stored (the backward pass or several users read it);
    # the others are written into their one user's expression, so the compiler keeps them in registers
    forward: list[str] = []
    for k, node in enumerate(nodes):
        template = templates[k]
        if node.kind != OP or template is None:
            continue
        expr = fill(template[0], k)
        if inline[k]:
            exprs[k] = expr
        else:
            ref[k] = f"t[{k}]"
            forward.append(f"t[{k}] = {expr[0]};")
    param_slot = {k: j for j, k in enumerate(tr.param_nodes)}
    backward = backward_statements(tr, templates, _Writer(param_slot, fill))
    xs = ", ".join(f"const double *restrict x{a}" for a in range(len(sizes)))
    xs_args = ", ".join(f"x{a}" for a in range(len(sizes)))
    head = "const double *restrict p, double *restrict t" + (f", {xs}" if xs else "")
    call_args = "p, t" + (f", {xs_args}" if xs_args else "")
    out: list[str] = [
        f"/* generated by autograd.compile (backend='c') from {name}: {len(nodes)} nodes, "
        f"{len(tr.param_nodes)} parameters */",
        "#include <math.h>",
        "#define NOINLINE __attribute__((noinline))",
        "",
    ]
    fchunks = [forward[i : i + CHUNK] for i in range(0, len(forward), CHUNK)]
    bchunks = [backward[i : i + CHUNK] for i in range(0, len(backward), CHUNK)]
    for c, chunk in enumerate(fchunks):
        out.append(f"static NOINLINE void forward_{c}({head}) {{")
        out.extend("    " + s for s in chunk)
        out.append("}")
    for c, chunk in enumerate(bchunks):
        out.append(f"static NOINLINE void backward_{c}({head}, double *restrict d, double *restrict G, double seed) {{")
        out.append("    (void)seed; (void)d;")
        out.extend("    " + s for s in chunk)
        out.append("}")
    batch_xs = "".join(f", const double *X{a}" for a in range(len(sizes)))
    offsets = "".join(f"        const double *x{a} = X{a} + (long)s * {sizes[a]};\n" for a in range(len(sizes)))
    fcalls = "".join(f"        forward_{c}({call_args});\n" for c in range(len(fchunks)))
    bcalls = "".join(f"        backward_{c}({call_args}, d, G, seed);\n" for c in range(len(bchunks)))
    out_ref = ref[tr.output]
    n_extras = len(tr.extras)

    def extras(sample: str, indent: str) -> str:
        """The statements storing sample `sample`'s extra outputs (none for a trace without extras)."""
        return "".join(f"{indent}ex[({sample}) * {n_extras} + {i}] = {ref[k]};\n" for i, k in enumerate(tr.extras))

    out.append(
        f"void vg_batch(int n{batch_xs}, const double *p, double *G, double *outs, double *ex, double seed, "
        "double *t, double *d) {"
    )
    out.append("    (void)ex;")
    out.append("    for (int s = n - 1; s >= 0; s--) {")
    out.append(offsets + fcalls + f"        outs[s] = {out_ref};\n" + extras("s", "        ") + bcalls.rstrip("\n"))
    out.append("    }")
    out.append("}")
    out.append(f"void vg_forward(int n{batch_xs}, const double *p, double *outs, double *ex, double *t) {{")
    out.append("    (void)ex;")
    out.append("    for (int s = 0; s < n; s++) {")
    out.append(offsets + fcalls + f"        outs[s] = {out_ref};" + ("\n" + extras("s", "        ")).rstrip("\n"))
    out.append("    }")
    out.append("}")
    # An epoch of SGD: the samples in the order `order` (indices into X), cut into batches of `sizes`.
    picked = "".join(
        f"            const double *x{a} = X{a} + (long)order[off + s] * {sizes[a]};\n" for a in range(len(sizes))
    )
    out.append(
        f"void vg_sgd(int nb, const int *sizes, const int *order{batch_xs}, double *p, double *G, int np, "
        "double lr, int mean, double *outs, double *ex, double *t, double *d) {"
    )
    out.append("    (void)ex;")
    out.append("    long off = 0;")
    out.append("    for (int b = 0; b < nb; b++) {")
    out.append("        int n = sizes[b];")
    out.append("        double seed = mean ? 1.0 * (1.0 / n) : 1.0;")
    out.append("        for (int j = 0; j < np; j++) G[j] = 0.0;")
    out.append("        for (int s = n - 1; s >= 0; s--) {")
    out.append(
        picked
        + fcalls.replace("        ", "            ")
        + f"            outs[off + s] = {out_ref};\n"
        + extras("off + s", "            ")
        + bcalls.replace("        ", "            ").rstrip("\n")
    )
    out.append("        }")
    out.append("        for (int j = 0; j < np; j++) p[j] = p[j] - lr * G[j];")
    out.append("        off += n;")
    out.append("    }")
    out.append("}")
    source = "\n".join(line for line in out if line != "") + "\n"
    return source, sizes


def _build(source: str, argv: tuple[str, ...], cache_dir: str | None) -> tuple[str, bool]:
    """Path of the shared library for `source` (built now, or found in the cache), and whether it was cached."""
    flags = _flags(argv, len(source))
    key = hashlib.sha256("\0".join([source, _identity(argv), *flags]).encode()).hexdigest()[:32]
    directory = cache_directory(cache_dir)
    os.makedirs(directory, exist_ok=True)
    suffix = ".dll" if sys.platform == "win32" else ".so"
    path = os.path.join(directory, f"vg_{key}{suffix}")
    if os.path.exists(path):
        return path, True
    work = tempfile.mkdtemp(prefix="build-", dir=directory)
    try:
        c_file = os.path.join(work, "graph.c")
        lib = os.path.join(work, "graph" + suffix)
        with open(c_file, "w", encoding="utf-8") as f:
            f.write(source)
        cmd = [*argv, *flags, "-o", lib, c_file, "-lm"]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as error:
            raise CompilerNotFoundError(
                f"running the C compiler failed ({' '.join(cmd)}): {error}; {c_compiler_hint()}"
            ) from None
        if run.returncode != 0:
            raise RuntimeError(
                f"the C compiler failed ({' '.join(argv)}, exit {run.returncode}):\n"
                f"{(run.stderr or run.stdout)[-3000:]}"
            )
        os.replace(lib, path)  # atomic: a concurrent reader sees the whole library or none
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path, False


def _flatten(column: Sequence[Any], structure: Any) -> list[Any]:
    """The numbers of every sample of one argument, in order, as one flat list."""
    if isinstance(structure, int):
        return list(column)
    if all(isinstance(s, int) for s in structure):
        return list(chain.from_iterable(column))

    def leaves(x: Any) -> Any:
        if hasattr(x, "__len__"):
            for y in x:
                yield from leaves(y)
        else:
            yield x

    return list(chain.from_iterable(leaves(x) for x in column))


def _pack(numbers: Sequence[Any], what: str) -> array[float]:
    """Numbers as a C array of doubles (``struct`` packs a list about 4x faster than ``array("d", list)``)."""
    buffer = array("d", bytes(8 * len(numbers)))
    try:
        struct.pack_into(f"{len(numbers)}d", buffer, 0, *numbers)
    except struct.error:
        bad = next((x for x in numbers if not isinstance(x, (int, float))), None)
        raise TypeError(f"{what} must be numbers, got {describe(bad)}") from None
    return buffer


def _address(buffer: array[Any] | None) -> int | None:
    """A C array's address for ctypes (``None``, C's NULL, for no array)."""
    return None if buffer is None else buffer.buffer_info()[0]


def _build_c(tr: Trace, name: str, stats: Stats, options: BuildOptions, table: TemplateTable) -> BuiltTrace:
    """Generate, build (or find in the cache) and load the C code of a trace."""
    t0 = time.perf_counter()
    source, sizes = generate_c(tr, name, table)
    t1 = time.perf_counter()
    argv = find_compiler(options.compiler)
    path, cached = _build(source, argv, options.cache_dir)
    lib = ctypes.CDLL(path)
    t2 = time.perf_counter()
    stats.generate_seconds, stats.compile_seconds, stats.cached = t1 - t0, t2 - t1, cached
    n_args = len(sizes)
    vp, ci, cd = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
    batch_fn, forward_fn = lib.vg_batch, lib.vg_forward
    batch_fn.argtypes = [ci, *[vp] * n_args, vp, vp, vp, vp, cd, vp, vp]
    batch_fn.restype = None
    forward_fn.argtypes = [ci, *[vp] * n_args, vp, vp, vp, vp]
    forward_fn.restype = None
    sgd_fn = lib.vg_sgd
    sgd_fn.argtypes = [ci, vp, vp, *[vp] * n_args, vp, vp, ci, cd, ci, vp, vp, vp, vp]
    sgd_fn.restype = None
    scratch_t = array("d", bytes(8 * max(1, len(tr.nodes))))
    scratch_d = array("d", bytes(8 * max(1, len(tr.nodes))))
    t_ptr, d_ptr = _address(scratch_t), _address(scratch_d)
    n_params = len(tr.params)
    n_extras = len(tr.extras)
    structures = tr.arg_structures

    def extras_of(n: int) -> array[float] | None:
        return array("d", bytes(8 * n * n_extras)) if n_extras else None

    def per_sample(ex: array[float] | None) -> Extras:
        if ex is None:
            return None
        return list(zip(*[iter(ex.tolist())] * n_extras))  # one tuple per sample, made in C

    def inputs(columns: Sequence[Sequence[Any]], n: int) -> list[array[float]]:
        """Each argument's numbers for every sample, packed into one C array per argument."""
        arrays = []
        for a, column in enumerate(columns):
            numbers = _flatten(column, structures[a])
            if len(numbers) != n * sizes[a]:
                raise ValueError(
                    f"{name}: argument {a} has {len(numbers) // max(n, 1)} numbers per sample on average, "
                    f"the trace has {sizes[a]}"
                )
            arrays.append(_pack(numbers, f"{name}: the inputs of argument {a}"))
        return arrays

    def run(n: int, *rest: Any) -> tuple[list[float], list[float], Extras]:
        *columns, params, grads, seed = rest
        xs = inputs(columns, n)
        p, g, outs = _pack(params, "the parameters"), _pack(grads, "the gradients"), array("d", bytes(8 * n))
        ex = extras_of(n)
        batch_fn(n, *map(_address, xs), _address(p), _address(g), _address(outs), _address(ex), seed, t_ptr, d_ptr)
        return outs.tolist(), g.tolist(), per_sample(ex)

    def forward(n: int, *rest: Any) -> tuple[list[float], Extras]:
        *columns, params = rest
        xs = inputs(columns, n)
        p, outs, ex = _pack(params, "the parameters"), array("d", bytes(8 * n)), extras_of(n)
        forward_fn(n, *map(_address, xs), _address(p), _address(outs), _address(ex), t_ptr)
        return outs.tolist(), per_sample(ex)

    def sgd(
        xs: list[array[float]], order: Sequence[int], params: list[float], lr: float, sizes_: list[int], mean: bool
    ) -> tuple[list[float], list[float], list[float], Extras]:
        """An epoch of SGD in C on packed inputs (`inputs`); per sample in `order`'s order the losses (and extras),
        then the new data and the last batch's gradients."""
        p, g, outs = _pack(params, "the parameters"), array("d", bytes(8 * n_params)), array("d", bytes(8 * len(order)))
        counts, indices, ex = array("i", sizes_), array("i", order), extras_of(len(order))
        sgd_fn(
            len(sizes_),
            _address(counts),
            _address(indices),
            *map(_address, xs),
            _address(p),
            _address(g),
            n_params,
            lr,
            int(mean),
            _address(outs),
            _address(ex),
            t_ptr,
            d_ptr,
        )
        return outs.tolist(), p.tolist(), g.tolist(), per_sample(ex)

    return BuiltTrace(
        tr,
        list(tr.params),
        run,
        forward,
        source,
        sgd=sgd,
        pack=inputs,
        replay_non_finite=True,
        keep=(lib, scratch_t, scratch_d),
        library=path,
    )


class CBackend:
    """``backend="c"``: generated C, built with a C compiler found on the machine, loaded with ctypes.

    It runs whole epochs of plain SGD inside C (``runs_epochs``), and its
    arithmetic gives NaN or inf where Python raises, so such results are
    replayed in Python to raise eager's error.
    """

    name = "c"
    runs_epochs = True
    templates: TemplateTable = TEMPLATES

    def check(self, options: BuildOptions) -> None:
        """Find the compiler now, so that a missing one is reported when compiling, not at the first call."""
        find_compiler(options.compiler)

    def build(self, tr: Trace, name: str, stats: Stats, options: BuildOptions) -> BuiltTrace:
        return _build_c(tr, name, stats, options, self.templates)

    def __repr__(self) -> str:
        return f"<backend {self.name!r}>"
