"""What the Python and C generators share: expressions, inlining, and the backward pass as statements.

Both backends write a traced graph the same way; only the spelling differs
(``g_w = g_w + g4 * x`` in Python, ``G[0] = G[0] + d[4] * x0[0];`` in C).

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .tracing import OP, PARAM, Trace

__all__ = [
    "LOW",
    "ADD",
    "MUL",
    "UNARY",
    "ATOM",
    "MAX_TERMS",
    "Expr",
    "Templates",
    "Spelling",
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

Templates = Sequence[tuple[str, Sequence[str]] | None]
"""Per node: an operation's (forward, partials) code templates (``None`` for other nodes)."""

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
    never reads its number, it is not the output, and the expression stays
    under `MAX_TERMS` operations.
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


@dataclass
class Spelling:
    """How one backend writes the backward pass.

    Attributes:
        seed: the name of the gradient arriving at the output.
        chunk: the most terms summed in one statement (long sums are split).
        statement: ``(target, expression) -> statement``.
        param_gradient: node index of a parameter -> where its gradient accumulates.
        node_gradient: node index -> a new variable for its gradient.
        fill: ``(partial template, node index, gradient name) -> Expr``.
        no_template: for a node whose operation has no partial templates (a
            user's operation, Python only): ``(node index, gradient name) ->
            (statements, one contribution per input)``.
    """

    seed: str
    chunk: int
    statement: Callable[[str, str], str]
    param_gradient: Callable[[int], str]
    node_gradient: Callable[[int], str]
    fill: Callable[[str, int, str], Expr]
    no_template: Callable[[int, str], tuple[list[str], list[Expr]]] | None = None


def backward_statements(tr: Trace, templates: Templates, spell: Spelling) -> list[str]:
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
            assert spell.no_template is not None
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
                contributions[i].append(spell.fill(text, k, g))
            else:
                contributions[i].append((f"{g} * {parenthesize(spell.fill(text, k, ''), ATOM)}", MUL))
    return lines
