"""Code generation every backend shares: templates, expressions, inlining, the backward pass as statements.

Every backend writes a traced graph the same way; only the spelling differs
(``g_w = g_w + g4 * x`` in Python, ``G[0] = G[0] + d[4] * x0[0];`` in C).
A backend brings its spelling as a `TemplateTable` (how each operation is
written) and a `Writer` (how the backward pass's statements are written).

A code template is a pair ``(forward, partials)`` of format strings, one
partial per input.  ``{0}``, ``{1}``, ... stand for the inputs, ``{out}`` for
the result and ``{c}`` for ``op.const``.  A partial is the local derivative,
which the generated code multiplies by the gradient arriving at the node; the
literals ``"1.0"``, ``"-1.0"`` and ``"0.0"`` are recognised (no multiplication;
nothing passed on).  A partial containing ``{g}`` is the whole contribution,
written with the arriving gradient ``{g}`` (as relu's ``"({g} if {0} > 0.0
else 0.0)"``).  Templates must compute exactly what the operation's
``forward`` and ``derivative`` compute (the tests compare every row).

* Expressions carry a precedence, so a template's result goes into another
  template with parentheses only where they are needed (`classify`,
  `parenthesize`).  ``+``, ``-``, ``*``, ``/`` and unary minus bind the same
  way in Python and C.
* A forward temporary used once is written into the expression that uses it
  (`inline_decisions`), unless the backward pass reads its number.
* The backward pass (`backward_statements`) is pull style: walking the nodes
  last to first, a node's gradient is the sum of what its users passed back,
  in eager ``backward()``'s order, and it then passes its own share on through
  its operation's partial templates.
"""

from __future__ import annotations

import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Union

from ..ops import Op, register_rule, rule_of
from .tracing import OP, PARAM, Trace

__all__ = [
    "LOW",
    "ADD",
    "MUL",
    "UNARY",
    "ATOM",
    "MAX_TERMS",
    "Expr",
    "Template",
    "Templates",
    "TemplateTable",
    "Writer",
    "classify",
    "parenthesize",
    "needed_in_backward",
    "inline_decisions",
    "backward_statements",
]

LOW, ADD, MUL, UNARY, ATOM = 0, 1, 2, 3, 5
"""Precedences: anything, a sum, a product, a negation, an atom (name, literal, call, slot)."""

MAX_TERMS = 100
"""Most operations inlined into one expression."""

Expr = tuple[str, int]
"""Source text and its precedence."""

Template = tuple[str, tuple[str, ...]]
"""An operation's code: (forward, one partial per input)."""

Templates = Sequence[Union[tuple[str, Sequence[str]], None]]  # noqa: UP007 - a runtime alias on Python 3.10
"""Per node: an operation's (forward, partials) code templates (``None`` for other nodes)."""


class TemplateTable:
    """One backend's code templates: the table's operations by family, users' operations by registration.

    ``rows`` maps an operation's ``family`` (``"+"``, ``"tanh"``, ``"**c"``) to
    its template, or to a function of the operation's constant giving one (for
    the powers with a constant).  Operations made with `autograd.defop` have
    no family: their templates are registered under the backend's name with
    `autograd.ops.register_rule` (``defop(..., code={"c": ...})`` does that).
    """

    def __init__(self, backend: str, rows: Mapping[str, Template | Callable[[float], Template]]) -> None:
        self.backend = backend
        self.rows = dict(rows)

    def lookup(self, op: Op) -> Template | None:
        """The template for `op`, or ``None`` when this backend has none."""
        if op.family is None:
            found: Template | None = rule_of(self.backend, op)
            return found
        row = self.rows.get(op.family)
        if callable(row):
            assert op.const is not None
            return row(op.const)
        return row

    def register(self, op: Op, template: Template) -> None:
        """Give a user's operation its template for this backend (as ``defop(..., code=...)`` does)."""
        register_rule(self.backend, op, template)

    def __repr__(self) -> str:
        return f"<{self.backend} templates for {len(self.rows)} operation families>"


_BINARY = re.compile(r"\{(\w+)\} ([-+*/]) \{(\w+)\}")
_NEG = re.compile(r"-\{(\w+)\}")
_CALL = re.compile(r"[A-Za-z_]\w*\((.*)\)")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SIMPLE = re.compile(r"[A-Za-z_]\w*|\d[\w.]*")


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


def parenthesize(expr: Expr, needed: int) -> str:
    """The text of `expr`, in parentheses unless its precedence is at least `needed`."""
    text, prec = expr
    return text if prec >= needed or _SIMPLE.fullmatch(text) else f"({text})"


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
    never reads its number, it is not an output (nor an extra), and the expression stays
    under `MAX_TERMS` operations.
    """
    needed = needed_in_backward(tr, templates) if backward else [False] * len(tr.nodes)
    inline = [False] * len(tr.nodes)
    terms = [1] * len(tr.nodes)
    extras = set(tr.extras)
    for k, node in enumerate(tr.nodes):
        if node.kind != OP:
            continue
        terms[k] = 1 + sum(terms[i] for i in node.inputs if inline[i])
        if k == tr.output or k in extras or needed[k] or len(tr.consumers[k]) != 1 or terms[k] > MAX_TERMS:
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


class Writer(ABC):
    """How one backend writes the backward pass (the spelling `backward_statements` asks for).

    A backend's generator subclasses it for one trace: the names it gives
    gradients depend on that trace.

    Attributes:
        seed: the name of the gradient arriving at the output.
        chunk: the most terms summed in one statement (long sums are split).
    """

    seed: str
    chunk: int

    @abstractmethod
    def statement(self, target: str, expression: str) -> str:
        """``target = expression`` as a statement."""

    @abstractmethod
    def param_gradient(self, k: int) -> str:
        """Where the gradient of parameter node `k` accumulates."""

    @abstractmethod
    def node_gradient(self, k: int) -> str:
        """A new variable for the gradient of node `k`."""

    @abstractmethod
    def partial(self, template: str, k: int, g: str) -> Expr:
        """Partial `template` of node `k`, with `g` for ``{g}``, as an expression."""

    def no_template(self, k: int, g: str) -> tuple[list[str], list[Expr]]:
        """For an operation with no partial templates: (statements, one contribution per input)."""
        raise NotImplementedError(f"{type(self).__name__} cannot write an operation without templates")


def backward_statements(tr: Trace, templates: Templates, spell: Writer) -> list[str]:
    """The backward pass of one sample: chain-rule statements, last operation first.

    A parameter's gradient accumulates (``g = g + ...``) from the value it
    enters with; any other node's gradient is a new variable, or, when a
    single gradient reaches it unchanged (through ``+``), that same variable.
    """
    lines: list[str] = []
    variables = {spell.seed}  # names that hold a gradient as they are (can be passed on without a statement)
    contributions: dict[int, list[Expr]] = {k: [] for k in range(len(tr.nodes))}
    if tr.needs_grad[tr.output]:
        contributions[tr.output].append((spell.seed, ATOM))

    def sums(terms: list[Expr]) -> list[str]:
        return [
            " + ".join(parenthesize(t, MUL) for t in terms[start : start + spell.chunk])
            for start in range(0, len(terms), spell.chunk)
        ]

    for k in range(len(tr.nodes) - 1, -1, -1):
        node = tr.nodes[k]
        if not tr.needs_grad[k]:
            continue
        terms = contributions.pop(k)
        if node.kind == PARAM:
            target = spell.param_gradient(k)
            lines.extend(spell.statement(target, f"{target} + {part}") for part in sums(terms))
            continue
        if not terms:
            continue  # nothing reaches it: its gradient is zero
        if len(terms) == 1 and terms[0][0] in variables:
            g = terms[0][0]  # passed on unchanged (as through +): the same variable
        else:
            g = spell.node_gradient(k)
            variables.add(g)
            for n, part in enumerate(sums(terms)):
                lines.append(spell.statement(g, part if n == 0 else f"{g} + {part}"))
        if node.kind != OP:
            continue
        template = templates[k]
        assert template is not None
        partials = template[1]
        if not partials:
            statements, parts = spell.no_template(k, g)
            lines.extend(statements)
            for i, contribution in zip(node.inputs, parts):
                if tr.needs_grad[i]:
                    contributions[i].append(contribution)
            continue
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
                contributions[i].append(spell.partial(text, k, g))
            else:
                contributions[i].append((f"{g} * {parenthesize(spell.partial(text, k, ''), ATOM)}", MUL))
    return lines
