"""The Python backend: a traced graph as a readable straight-line Python program.

Its room holds how it spells every operation (`TEMPLATES`, keyed by the
operation's family, with the names they may call in `NAMESPACE`), the
generator, and loading the code with Python's own ``compile``.

One statement per node (forward temporaries used once are inlined into the
expression that uses them, up to `codegen.MAX_TERMS` operations, so
CPython's compiler never sees thousands of chained operations), then the
backward pass as straight-line chain-rule code in reverse order (written by
`codegen.backward_statements`, which the C generator shares).  Inputs and parameters are
named by their labels where they have them.  A batch runs the per-sample code
in a loop over the samples (last sample first, the order in which eager
``backward()`` adds the samples' gradients), with the parameters read into
locals once per batch and their gradients gathered in locals.
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import math
import re
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from ... import ops
from ...ops import Op
from ..built import BuiltTrace, Extras, Forward, Stats
from ..codegen import (
    ATOM,
    MUL,
    UNARY,
    Expr,
    Template,
    TemplateTable,
    Writer,
    backward_statements,
    classify,
    inline_decisions,
    parenthesize,
)
from ..tracing import CONST, INPUT, OP, PARAM, Trace
from .base import BuildOptions

__all__ = ["PythonBackend", "TEMPLATES", "NAMESPACE", "generate", "literal", "SUM_TERMS"]

# fmt: off
_D_BASE = "(0.0 if {1} == 0.0 and {0} == 0.0 else {1} * {0} ** ({1} - 1.0))"  # d(x ** y)/dx: 0 at 0 ** 0
_D_EXPONENT = "({out} * _log({0}) if {0} > 0.0 else 0.0 if {0} == 0.0 else _nan)"
_SIGN = "(1.0 if {0} > 0.0 else -1.0 if {0} < 0.0 else 0.0 * {0})"


def _power(p: float) -> Template:
    """``x ** p`` for a constant p (``_pow`` for non-integer p: Python's ** gives a complex for a negative x)."""
    if p == 2.0:
        return "{0} * {0}", ("2.0 * {0}",)
    if p == 0.0:  # x ** 0 is 1, and its derivative 0 also at x = 0 (as PyTorch)
        return "1.0", ("0.0",)
    return ("{0} ** {c}" if p.is_integer() else "_pow({0}, {c})"), ("{c} * {0} ** ({c} - 1.0)",)


def _power_of(b: float) -> Template:
    """``b ** x`` for a constant b."""
    return "_pow({c}, {0})", ("{out} * _log({c})" if b > 0.0 else "0.0" if b == 0.0 else "_nan",)


TEMPLATES = TemplateTable("python", {
    #  family         forward                                      partials, one per input
    "+":            ("{0} + {1}",                                 ("1.0", "1.0")),
    "-":            ("{0} - {1}",                                 ("1.0", "-1.0")),
    "*":            ("{0} * {1}",                                 ("{1}", "{0}")),
    "/":            ("{0} / {1}",                                 ("1.0 / {1}", "-{out} / {1}")),
    "**":           ("_pow({0}, {1})",                            (_D_BASE, _D_EXPONENT)),
    "neg":          ("-{0}",                                      ("-1.0",)),
    "abs":          ("_fabs({0})",                                (_SIGN,)),
    "exp":          ("_exp({0})",                                 ("{out}",)),
    "log":          ("_log({0})",                                 ("1.0 / {0}",)),
    "tanh":         ("_tanh({0})",                                ("1.0 - {out} * {out}",)),
    "sigmoid":      ("_sigmoid({0})",                             ("{out} * (1.0 - {out})",)),
    "relu":         ("({0} if {0} > 0.0 or {0} != {0} else 0.0)", ("({g} if {0} > 0.0 else 0.0 * {g})",)),
    "sqrt":         ("_sqrt({0})",                                ("0.5 / {out}",)),
    "sin":          ("_sin({0})",                                 ("_cos({0})",)),
    "cos":          ("_cos({0})",                                 ("-_sin({0})",)),
    "detached_max": ("({1} if {1} > {0} else {0})",               ("0.0", "0.0")),
    "**c":          _power,
    "c**":          _power_of,
})
"""How the Python backend writes each operation (see `autograd.compiler.codegen` for the format)."""
# fmt: on

NAMESPACE: Mapping[str, Any] = MappingProxyType(
    {
        "_exp": math.exp,
        "_log": math.log,
        "_tanh": math.tanh,
        "_sqrt": math.sqrt,
        "_sin": math.sin,
        "_cos": math.cos,
        "_fabs": math.fabs,
        "_pow": ops.pow.forward,  # the table's own forwards, with their checks
        "_sigmoid": ops.sigmoid.forward,
        "_nan": math.nan,
        "_inf": math.inf,
    }
)
"""The names `TEMPLATES` may use (bound as locals of the generated function)."""

SUM_TERMS = 100
"""Most terms in one sum statement of the backward pass."""

_IDENT = re.compile(r"[A-Za-z_]\w*")


def literal(x: float) -> Expr:
    """A float as Python source, with its precedence."""
    if x != x:
        return "_nan", ATOM
    if x in (float("inf"), float("-inf")):
        return ("_inf", ATOM) if x > 0 else ("-_inf", UNARY)
    text = repr(x)
    return text, (UNARY if text.startswith("-") else ATOM)


def _identifier(label: str) -> str | None:
    if label and _IDENT.fullmatch(label) and not keyword.iskeyword(label) and not label.startswith(("_", "g_")):
        return label
    return None


class _Names:
    """Unique names for inputs, parameters (their labels where usable), temporaries and gradients."""

    def __init__(self, tr: Trace) -> None:
        self.used: set[str] = set()
        self.counts: dict[str, int] = {}
        self.var: dict[int, str] = {}
        for k, node in enumerate(tr.nodes):
            if node.kind in (INPUT, PARAM):
                self.var[k] = self.fresh(_identifier(node.name) or ("p" if node.kind == PARAM else "x"), True)

    def fresh(self, base: str, user: bool = False) -> str:
        """`base`, or `base_2`, ... if taken (a user's name never takes the shape of a temporary's: t12, g12, d12)."""
        name, n = base, self.counts.get(base, 1)
        while name in self.used or (user and re.fullmatch(r"[tgd]\d+", name)):
            n += 1
            name = f"{base}_{n}"
        self.counts[base] = n
        self.used.add(name)
        return name


def _fallback_forward(op: Op) -> str:
    return "_f{id}(" + ", ".join(f"{{{i}}}" for i in range(op.arity)) + ")"


class _Generator(Writer):
    """The code of one trace; as a `Writer`, how the shared backward pass is spelled in Python."""

    seed = "_seed"
    chunk = SUM_TERMS

    def __init__(self, tr: Trace, backward: bool, table: TemplateTable, namespace: Mapping[str, Any]) -> None:
        self.tr, self.backward = tr, backward
        self.names = _Names(tr)
        self.fallbacks: dict[Op, int] = {}
        self.namespace: dict[str, Any] = dict(namespace)
        self.exprs: dict[int, Expr] = {}
        nodes = tr.nodes
        self.templates: list[Template | None] = []
        for node in nodes:
            if node.kind != OP:
                self.templates.append(None)
                continue
            assert node.op is not None
            code = table.lookup(node.op)
            if code is None:
                fid = self.fallbacks.setdefault(node.op, len(self.fallbacks))
                self.namespace[f"_f{fid}"] = node.op.apply
                self.namespace[f"_d{fid}"] = node.op.derivative
                code = (_fallback_forward(node.op).replace("{id}", str(fid)), ())
            self.templates.append(code)
        self.inline = inline_decisions(tr, self.templates, backward)

    # ------------------------------------------------------------------ expressions
    def ref(self, k: int, exprs: dict[int, Expr]) -> Expr:
        node = self.tr.nodes[k]
        if node.kind == CONST:
            return literal(node.value)
        if k in exprs:
            return exprs[k]
        return self.names.var[k], ATOM

    def fill(
        self,
        template: str,
        node_inputs: Sequence[int],
        exprs: dict[int, Expr],
        out: str = "",
        g: str = "",
        const: float | None = None,
    ) -> Expr:
        prec, needs = classify(template)
        args = [parenthesize(self.ref(i, exprs), needs.get(str(pos), ATOM)) for pos, i in enumerate(node_inputs)]
        c = literal(const)[0] if const is not None else ""
        return template.format(*args, out=out, g=g, c=c), prec

    # ------------------------------------------------------------------ the program
    def body(self) -> tuple[list[str], list[str]]:
        """(forward statements, backward statements) of one sample, without indentation."""
        tr, names = self.tr, self.names
        exprs: dict[int, Expr] = {}
        forward: list[str] = []
        for k, node in enumerate(tr.nodes):
            if node.kind != OP:
                continue
            template = self.templates[k]
            assert template is not None and node.op is not None
            expr = self.fill(template[0], node.inputs, exprs, const=node.op.const)
            if self.inline[k]:
                exprs[k] = expr
            else:
                names.var[k] = names.fresh(f"t{k}")
                forward.append(f"{names.var[k]} = {expr[0]}")
        self.exprs = exprs
        return forward, (backward_statements(tr, self.templates, self) if self.backward else [])

    # ------------------------------------------------------------------ the Writer's spelling
    def statement(self, target: str, expression: str) -> str:
        return f"{target} = {expression}"

    def param_gradient(self, k: int) -> str:
        return f"g_{self.names.var[k]}"

    def node_gradient(self, k: int) -> str:
        return self.names.fresh(f"g{k}")

    def partial(self, template: str, k: int, g: str) -> Expr:
        node = self.tr.nodes[k]
        assert node.op is not None
        return self.fill(template, node.inputs, self.exprs, out=self.names.var.get(k, ""), g=g, const=node.op.const)

    def no_template(self, k: int, g: str) -> tuple[list[str], list[Expr]]:
        """A user's operation without templates: call its derivative (``_d0(x, out)``)."""
        node = self.tr.nodes[k]
        assert node.op is not None
        args = ", ".join(self.ref(i, self.exprs)[0] for i in node.inputs)
        d = self.names.fresh(f"d{k}")
        parts = [d] if node.op.arity == 1 else [f"{d}[{pos}]" for pos in range(node.op.arity)]
        call = f"{d} = _d{self.fallbacks[node.op]}({args}, {self.names.var.get(k, '')})"
        return [call], [(f"{g} * {part}", MUL) for part in parts]


def _target(structure: Any, names: dict[int, str]) -> str:
    if isinstance(structure, int):
        return names[structure] if structure >= 0 else "_"
    return "[" + ", ".join(_target(s, names) for s in structure) + "]"


def generate(
    tr: Trace, name: str, backward: bool, table: TemplateTable = TEMPLATES, namespace: Mapping[str, Any] = NAMESPACE
) -> tuple[str, dict[str, Any]]:
    """Source of ``name(_n, _A0, _A1, ..., _P[, _G, _seed]) -> (outputs, gradients, extras)`` and its namespace.

    ``_Ai`` holds argument i of every sample; ``_P`` the parameters' numbers.
    With `backward`, it returns the per-sample outputs and every parameter's
    gradient: ``_G`` (the parameters' ``.grad`` before the call) plus each
    sample's contributions, added one by one in eager ``backward()``'s order,
    each sample's output seeded with ``_seed``; without, ``(outputs, extras)``.
    ``extras`` is a tuple of the trace's extra outputs per sample (``None``
    when it has none).
    The operations are spelled by `table`, which may call the names of `namespace`.
    """
    gen = _Generator(tr, backward, table, namespace)
    forward, back = gen.body()
    names = gen.names.var
    args = [f"_A{i}" for i in range(len(tr.arg_structures))]
    defaults = ", ".join(f"{n}={n}" for n in gen.namespace)
    params = [names[k] for k in tr.param_nodes]
    head = ["_n", *args, "_P"] + (["_G", "_seed"] if backward else [])
    lines = [f"def {name}({', '.join(head)}, *, {defaults}):" if defaults else f"def {name}({', '.join(head)}):"]
    doc = "forward and backward" if backward else "forward only"
    lines.append(f'    """{len(tr.nodes)} nodes, {len(params)} parameters: {doc}, one sample at a time."""')
    if params:
        lines.append(f"    {', '.join(params)}, = _P")
        if backward:
            lines.append(f"    {', '.join(f'g_{p}' for p in params)}, = _G")
    lines.append("    _outs = []")
    if tr.extras:
        lines.append("    _extras = []")
    lines.append("    for _i in range(_n - 1, -1, -1):" if backward else "    for _i in range(_n):")
    for i, structure in enumerate(tr.arg_structures):
        lines.append(f"        {_target(structure, names)} = _A{i}[_i]")
    lines.append("        # forward")
    lines.extend("        " + s for s in forward)
    result = gen.ref(tr.output, gen.exprs)[0]
    lines.append(f"        _outs.append({result})")
    if tr.extras:
        lines.append(f"        _extras.append(({''.join(gen.ref(k, gen.exprs)[0] + ', ' for k in tr.extras)}))")
    extras = "_extras" if tr.extras else "None"
    if backward:
        lines.append("        # backward: the chain rule, last operation first")
        lines.extend("        " + s for s in back)
        lines.append("    _outs.reverse()")
        if tr.extras:
            lines.append("    _extras.reverse()")
        grads = "".join(f"g_{p}, " for p in params)
        lines.append(f"    return _outs, ({grads}), {extras}")
    else:
        lines.append(f"    return _outs, {extras}")
    return "\n".join(lines) + "\n", gen.namespace


_counter = itertools.count(1)  # numbers the generated files' names


class PythonBackend:
    """``backend="python"``: generated Python, readable in ``Compiled.source``, loaded with ``compile``/``exec``.

    A subclass with another `name`, `templates` and `namespace` is a backend
    that spells Python differently (the tests add one that way).
    """

    name = "python"
    runs_epochs = False
    templates: TemplateTable = TEMPLATES
    namespace: Mapping[str, Any] = NAMESPACE

    def check(self, options: BuildOptions) -> None:
        """Python can always run here."""

    def build(self, tr: Trace, name: str, stats: Stats, options: BuildOptions) -> BuiltTrace:
        """Generate and compile the Python code of a trace (the forward-only function when first needed)."""
        func = "".join(ch if ch.isalnum() else "_" for ch in name) or "compiled"
        if not func[0].isalpha():
            func = "f_" + func
        filename = f"<autograd.compile {name} #{next(_counter)}>"
        run, source = self._define(tr, func, filename, True, stats)
        forward_only: list[Forward] = []

        def forward(*args: Any) -> tuple[list[float], Extras]:
            if not forward_only:
                forward_only.append(self._define(tr, func + "_forward", filename[:-1] + " forward>", False)[0])
            return forward_only[0](*args)

        return BuiltTrace(tr, list(tr.params), run, forward, source)

    def _define(self, tr: Trace, func: str, filename: str, backward: bool, stats: Stats | None = None) -> Any:
        """Generate, compile and load one Python function of a trace (its source registered with `linecache`).

        Returns ``(function, source)``; the seconds spent go into `stats` if given.
        """
        t0 = time.perf_counter()
        source, namespace = generate(tr, func, backward, self.templates, self.namespace)
        t1 = time.perf_counter()
        code = compile(source, filename, "exec")
        exec(code, namespace)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        if stats is not None:
            stats.generate_seconds, stats.compile_seconds = t1 - t0, time.perf_counter() - t1
        return namespace[func], source

    def __repr__(self) -> str:
        return f"<backend {self.name!r}>"
