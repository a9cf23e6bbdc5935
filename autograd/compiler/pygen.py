"""Python code generation: a traced graph as a readable straight-line program.

One statement per node (forward temporaries used once are inlined into the
expression that uses them, up to `chainrule.MAX_TERMS` operations, so
CPython's compiler never sees thousands of chained operations), then the
backward pass as straight-line chain-rule code in reverse order (written by
`chainrule.backward_statements`, which the C generator shares).  Inputs and parameters are
named by their labels where they have them.  A batch runs the per-sample code
in a loop over the samples (last sample first, the order in which eager
``backward()`` adds the samples' gradients), with the parameters read into
locals once per batch and their gradients gathered in locals.
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..ops import PY_NAMES, Op
from .chainrule import ATOM, MUL, UNARY, Expr, Spelling, backward_statements, classify, inline_decisions, parenthesize
from .entry import Entry, Stats
from .tracing import CONST, INPUT, OP, PARAM, Trace

__all__ = ["generate", "build_python", "literal", "SUM_TERMS"]

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


class _Generator:
    def __init__(self, tr: Trace, backward: bool) -> None:
        self.tr, self.backward = tr, backward
        self.names = _Names(tr)
        self.fallbacks: dict[Op, int] = {}
        self.namespace: dict[str, Any] = dict(PY_NAMES)
        nodes = tr.nodes
        self.templates: list[tuple[str, tuple[str, ...]] | None] = []
        for node in nodes:
            if node.kind != OP:
                self.templates.append(None)
                continue
            assert node.op is not None
            code = node.op.code.get("py")
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
        return forward, (self._backward(exprs) if self.backward else [])

    def _backward(self, exprs: dict[int, Expr]) -> list[str]:
        tr, names = self.tr, self.names

        def fill(template: str, k: int, g: str) -> Expr:
            node = tr.nodes[k]
            assert node.op is not None
            return self.fill(template, node.inputs, exprs, out=names.var.get(k, ""), g=g, const=node.op.const)

        def no_template(k: int, g: str) -> tuple[list[str], list[Expr]]:
            """A user's operation without templates: call its derivative (``_d0(x, out)``)."""
            node = tr.nodes[k]
            assert node.op is not None
            args = ", ".join(self.ref(i, exprs)[0] for i in node.inputs)
            d = names.fresh(f"d{k}")
            parts = [d] if node.op.arity == 1 else [f"{d}[{pos}]" for pos in range(node.op.arity)]
            call = f"{d} = _d{self.fallbacks[node.op]}({args}, {names.var.get(k, '')})"
            return [call], [(f"{g} * {part}", MUL) for part in parts]

        spelling = Spelling(
            seed="_seed",
            chunk=SUM_TERMS,
            statement=lambda target, expression: f"{target} = {expression}",
            param_gradient=lambda k: f"g_{names.var[k]}",
            node_gradient=lambda k: names.fresh(f"g{k}"),
            fill=fill,
            no_template=no_template,
        )
        return backward_statements(tr, self.templates, spelling)


def _target(structure: Any, names: dict[int, str]) -> str:
    if isinstance(structure, int):
        return names[structure] if structure >= 0 else "_"
    return "[" + ", ".join(_target(s, names) for s in structure) + "]"


def generate(tr: Trace, name: str, backward: bool) -> tuple[str, dict[str, Any]]:
    """Source of ``name(_n, _A0, _A1, ..., _P[, _G, _seed]) -> (outputs, gradients)`` and its namespace.

    ``_Ai`` holds argument i of every sample; ``_P`` the parameters' numbers.
    With `backward`, it returns the per-sample outputs and every parameter's
    gradient: ``_G`` (the parameters' ``.grad`` before the call) plus each
    sample's contributions, added one by one in eager ``backward()``'s order,
    each sample's output seeded with ``_seed``; without, the outputs only.
    """
    gen = _Generator(tr, backward)
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
    lines.append("    for _i in range(_n - 1, -1, -1):" if backward else "    for _i in range(_n):")
    for i, structure in enumerate(tr.arg_structures):
        lines.append(f"        {_target(structure, names)} = _A{i}[_i]")
    lines.append("        # forward")
    lines.extend("        " + s for s in forward)
    result = gen.ref(tr.output, gen.exprs)[0]
    lines.append(f"        _outs.append({result})")
    if backward:
        lines.append("        # backward: the chain rule, last operation first")
        lines.extend("        " + s for s in back)
        lines.append("    _outs.reverse()")
        grads = "".join(f"g_{p}, " for p in params)
        lines.append(f"    return _outs, ({grads})")
    else:
        lines.append("    return _outs")
    return "\n".join(lines) + "\n", gen.namespace


_counter = itertools.count(1)  # numbers the generated files' names


def _define(tr: Trace, func: str, filename: str, backward: bool, stats: Stats | None = None) -> Any:
    """Generate, compile and load one Python function of a trace (its source registered with `linecache`).

    Returns ``(function, source)``; the seconds spent go into `stats` if given.
    """
    t0 = time.perf_counter()
    source, namespace = generate(tr, func, backward=backward)
    t1 = time.perf_counter()
    code = compile(source, filename, "exec")
    exec(code, namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    if stats is not None:
        stats.generate_seconds, stats.compile_seconds = t1 - t0, time.perf_counter() - t1
    return namespace[func], source


def build_python(tr: Trace, name: str, stats: Stats) -> Entry:
    """Generate and compile the Python code of a trace (the forward-only function when first needed)."""
    func = "".join(ch if ch.isalnum() else "_" for ch in name) or "compiled"
    if not func[0].isalpha():
        func = "f_" + func
    filename = f"<autograd.compile {name} #{next(_counter)}>"
    run, source = _define(tr, func, filename, True, stats)
    forward_only: list[Callable[..., list[float]]] = []

    def forward(*args: Any) -> list[float]:
        if not forward_only:
            forward_only.append(_define(tr, func + "_forward", filename[:-1] + " forward>", False)[0])
        return forward_only[0](*args)

    return Entry(tr, list(tr.params), run, forward, source)
