"""Python code generation: a traced graph as a readable straight-line program.

One statement per node (forward temporaries used once are inlined into the
expression that uses them, up to `MAX_TERMS` terms, so CPython's compiler
never sees thousands of chained operations), then the backward pass as
straight-line chain-rule code in reverse order.  Inputs and parameters are
named by their labels where they have them.  A batch runs the per-sample code
in a loop over the samples (last sample first, the order in which eager
``backward()`` adds the samples' gradients), with the parameters read into
locals once per batch and their gradients gathered in locals.
"""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Sequence
from typing import Any

from ..ops import PY_NAMES, Op
from .tracing import CONST, INPUT, OP, PARAM, Trace

__all__ = ["generate", "classify", "literal", "parenthesize", "inline_decisions", "needed_in_backward", "MAX_TERMS"]

MAX_TERMS = 100
"""Most operations inlined into one expression, and most terms in one sum statement."""

LOW, ADD, MUL, UNARY, ATOM = 0, 1, 2, 3, 5
_BINARY = re.compile(r"\{(\w+)\} ([-+*/]) \{(\w+)\}")
_NEG = re.compile(r"-\{(\w+)\}")
_CALL = re.compile(r"[A-Za-z_]\w*\((.*)\)")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_IDENT = re.compile(r"[A-Za-z_]\w*")


def _balanced_call(text: str) -> bool:
    if not _CALL.fullmatch(text):
        return False
    depth = 0
    start = text.index("(")
    for i, ch in enumerate(text[start:], start):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(text) - 1
    return False


@functools.lru_cache(maxsize=512)
def classify(template: str) -> tuple[int, dict[str, int]]:
    """(precedence of the result, precedence each placeholder needs to go in without parentheses)."""
    m = _BINARY.fullmatch(template)
    if m:
        prec = ADD if m.group(2) in "+-" else MUL
        return prec, {m.group(1): prec, m.group(3): prec + 1}
    m = _NEG.fullmatch(template)
    if m:
        return UNARY, {m.group(1): UNARY}
    if _balanced_call(template):
        return ATOM, dict.fromkeys(_PLACEHOLDER.findall(template), LOW)
    return LOW, dict.fromkeys(_PLACEHOLDER.findall(template), ATOM)


def literal(x: float) -> tuple[str, int]:
    """A float as Python source, with its precedence."""
    if x != x:
        return "_nan", ATOM
    if x in (float("inf"), float("-inf")):
        return ("_inf", ATOM) if x > 0 else ("-_inf", UNARY)
    text = repr(x)
    return text, (UNARY if text.startswith("-") else ATOM)


_SIMPLE = re.compile(r"[A-Za-z_]\w*|\d[\w.]*")


def parenthesize(expr: tuple[str, int], needed: int) -> str:
    text, prec = expr
    return text if prec >= needed or _SIMPLE.fullmatch(text) else f"({text})"


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


Templates = Sequence[tuple[str, Sequence[str]] | None]
"""Per node: an operation's (forward, partials) code templates (``None`` for other nodes)."""


def needed_in_backward(tr: Trace, templates: Templates) -> list[bool]:
    """Which nodes' numbers the backward pass reads (through ``{i}`` or ``{out}`` in the partials)."""
    needed = [False] * len(tr.nodes)
    for j, node in enumerate(tr.nodes):
        if node.kind != OP or not tr.needs_grad[j]:
            continue
        template = templates[j]
        assert template is not None
        _, partials = template
        if not partials:  # a user's operation: its derivative gets every input and the output
            needed[j] = True
            for i in node.inputs:
                needed[i] = True
            continue
        for pos, i in enumerate(node.inputs):
            if not tr.needs_grad[i]:
                continue
            text = partials[pos]
            if "{out}" in text:
                needed[j] = True
            for name in _PLACEHOLDER.findall(text):
                if name.isdigit():
                    needed[node.inputs[int(name)]] = True
    return needed


def inline_decisions(tr: Trace, templates: Templates, backward: bool) -> list[bool]:
    """Which operation nodes go into their one user's expression instead of a statement of their own.

    A node is inlined when one operation uses it, once, the backward pass
    never reads its number, it is not the output, and the expression stays
    under `MAX_TERMS` operations.  Shared by the Python and C generators.
    """
    needed = needed_in_backward(tr, templates) if backward else [False] * len(tr.nodes)
    inline = [False] * len(tr.nodes)
    terms = [1] * len(tr.nodes)
    for k, node in enumerate(tr.nodes):
        if node.kind != OP:
            continue
        terms[k] = 1 + sum(terms[i] for i in node.inputs if inline[i])
        if k == tr.output or needed[k] or len(tr.consumers[k]) != 1 or terms[k] > MAX_TERMS:
            continue
        (j,) = tr.consumers[k]
        consumer = tr.nodes[j]
        positions = [pos for pos, i in enumerate(consumer.inputs) if i == k]
        template = templates[j]
        assert template is not None
        if len(positions) != 1 or template[0].count(f"{{{positions[0]}}}") != 1:
            continue
        inline[k] = True
    return inline


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
    def ref(self, k: int, exprs: dict[int, tuple[str, int]]) -> tuple[str, int]:
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
        exprs: dict[int, tuple[str, int]],
        out: str = "",
        g: str = "",
        const: float | None = None,
    ) -> tuple[str, int]:
        prec, needs = classify(template)
        args = [parenthesize(self.ref(i, exprs), needs.get(str(pos), ATOM)) for pos, i in enumerate(node_inputs)]
        c = literal(const)[0] if const is not None else ""
        return template.format(*args, out=out, g=g, c=c), prec

    # ------------------------------------------------------------------ the program
    def body(self) -> tuple[list[str], list[str]]:
        """(forward statements, backward statements) of one sample, without indentation."""
        tr, names = self.tr, self.names
        exprs: dict[int, tuple[str, int]] = {}
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

    def _backward(self, exprs: dict[int, tuple[str, int]]) -> list[str]:
        tr, names = self.tr, self.names
        gname: dict[int, str] = {}
        lines: list[str] = []
        contributions: dict[int, list[tuple[str, int]]] = {k: [] for k in range(len(tr.nodes))}
        out = tr.output
        if tr.needs_grad[out]:
            contributions[out].append(("_seed", ATOM))
        for k in range(len(tr.nodes) - 1, -1, -1):
            node = tr.nodes[k]
            if not tr.needs_grad[k]:
                continue
            terms = contributions.pop(k)
            if node.kind == PARAM:
                target = f"g_{names.var[k]}"
                for start in range(0, len(terms), MAX_TERMS):
                    chunk = " + ".join(parenthesize(t, MUL) for t in terms[start : start + MAX_TERMS])
                    lines.append(f"{target} = {target} + {chunk}")
                continue
            if not terms:
                continue  # nothing reaches it: its gradient is zero
            if len(terms) == 1 and terms[0][1] == ATOM and _IDENT.fullmatch(terms[0][0]):
                gname[k] = terms[0][0]  # passed on unchanged (as through +): the same variable
            else:
                gname[k] = names.fresh(f"g{k}")
                for start in range(0, len(terms), MAX_TERMS):
                    chunk = " + ".join(parenthesize(t, MUL) for t in terms[start : start + MAX_TERMS])
                    lines.append(f"{gname[k]} = {chunk}" if start == 0 else f"{gname[k]} = {gname[k]} + {chunk}")
            self._propagate(k, gname[k], exprs, contributions, lines)
        return lines

    def _propagate(
        self,
        j: int,
        g: str,
        exprs: dict[int, tuple[str, int]],
        contributions: dict[int, list[tuple[str, int]]],
        lines: list[str],
    ) -> None:
        tr = self.tr
        node = tr.nodes[j]
        if node.kind != OP:
            return
        template = self.templates[j]
        assert template is not None and node.op is not None
        partials = template[1]
        out = self.names.var.get(j, "")
        if not partials:  # a user's operation without a template: call its derivative
            fid = self.fallbacks[node.op]
            args = ", ".join(self.ref(i, exprs)[0] for i in node.inputs)
            d = self.names.fresh(f"d{j}")
            lines.append(f"{d} = _d{fid}({args}, {out})")
            for pos, i in enumerate(node.inputs):
                if tr.needs_grad[i]:
                    part = d if node.op.arity == 1 else f"{d}[{pos}]"
                    contributions[i].append((f"{g} * {part}", MUL))
            return
        for pos, i in enumerate(node.inputs):
            if not tr.needs_grad[i]:
                continue
            text = partials[pos]
            if text == "0.0":
                continue
            if text == "1.0":
                contributions[i].append((g, ATOM))
            elif text == "-1.0":
                contributions[i].append((f"-{g}", UNARY))
            elif "{g}" in text:
                contributions[i].append(self.fill(text, node.inputs, exprs, out=out, g=g, const=node.op.const))
            else:
                partial = self.fill(text, node.inputs, exprs, out=out, const=node.op.const)
                contributions[i].append((f"{g} * {parenthesize(partial, ATOM)}", MUL))


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
