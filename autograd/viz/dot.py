"""The DOT source of a graph of `Value`s: `to_dot`, and `html_text`, the one escaping function for user text.

Every value is one box showing its label (when set), ``data`` and ``grad``;
every operation is its own small oval named by the node's ``op.name`` (so
operations made with `autograd.defop` show their own names); edges go from
inputs to the operation and from the operation to its result.  Inputs are
drawn in argument order (``ordering=in``), which tells ``a - b`` from ``b - a``.

Node ids are ``n0, n1, ...`` (values) and ``op<i>`` (the operation that made
``n<i>``) in the order of `autograd.topological_order`, never ``id()``, so the
same program produces the same DOT source on every run.

The graph attribute ``nslimit=1`` caps dot's network-simplex placement, whose
time otherwise grows much faster than the graph; small graphs get the same picture.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from autograd.value import GraphTooLargeError, Value, topological_order

from .options import (
    DEFAULT_MAX_NODES,
    NumberFormat,
    Roots,
    check_color,
    check_highlight,
    check_max_nodes,
    check_rankdir,
    check_roots,
    number_formatter,
)

__all__ = ["MAX_LABEL_CHARS", "MAX_LABEL_LINES", "count_values", "dot_body", "html_text", "shorten", "to_dot", "walk"]

MAX_LABEL_CHARS = 200
"""Longest label (or operation name) drawn in full; longer ones are cut visibly, with their length."""

MAX_LABEL_LINES = 8
"""Most lines of a label drawn; more are cut visibly, with their count."""

# Characters XML 1.0 cannot carry even as character references; Graphviz's HTML
# label parser (expat) would reject them.  Lone surrogates cannot be encoded at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

_VALUE_LINE = re.compile(r"\tn\d+ \[")  # a value's statement in the body (ids n0, n1, ...)
_VALUE_FONT = 'fontname="Helvetica" fontsize=11'
_OP_STYLE = (
    'shape=ellipse style=filled fillcolor="#eeeeee" fontname="Helvetica" fontsize=11 height=0.3 margin="0.05,0.02"'
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def html_text(text: str) -> str:
    """`text` as the content of a Graphviz HTML-like label: shown literally, line breaks kept.

    ``& < > " '`` become entities, line breaks (``\\n``, ``\\r\\n``, ``\\r``)
    become ``<BR/>``, and characters XML cannot carry (control characters,
    lone surrogates, U+FFFE, U+FFFF) are shown as ``\\xNN`` / ``\\uNNNN``.
    The result contains no ``<`` or ``>`` except the ``<BR/>`` tags it adds,
    so it can neither end the label early nor open a tag: quotes,
    backslashes, ``{ } | < >``, ``<script>`` and newlines in labels and
    operation names can neither break the DOT nor inject markup into the SVG.

    Backslashes are doubled: Graphviz expands ``\\N``, ``\\G``, ``\\E``,
    ``\\T``, ``\\H``, ``\\L`` (node, graph, edge names...) and ``\\\\`` even
    inside HTML labels (after decoding entities, so ``&#92;`` would not help),
    and ``\\\\`` is how it spells one literal backslash.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<BR/>".join(
        html.escape(_NOT_XML.sub(_visible, line).replace("\\", "\\\\"), quote=True) for line in lines
    )


def shorten(text: str) -> str:
    """`text`, or its start and ``… (N chars)`` / ``… (N lines)`` when longer than the limits.

    Graphviz refuses an HTML label over 16 KB (about 4 KB of ``<`` or ``&``,
    each written as an entity) and silently drops a node whose label has tens
    of thousands of lines; a cut label is always drawn.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) <= MAX_LABEL_LINES and len(text) <= MAX_LABEL_CHARS:
        return text
    shown = "\n".join(lines[:MAX_LABEL_LINES])[:MAX_LABEL_CHARS]
    size = f"{len(text)} chars" + (f", {len(lines)} lines" if len(lines) > 1 else "")
    return f"{shown}… ({size})"


def walk(roots: Sequence[Value], max_nodes: int | None) -> list[Value]:
    """`autograd.topological_order` of all `roots`, refusing graphs too big to lay out quickly.

    The walk is iterative (no recursion limit) and stops as soon as it finds
    more values than `max_nodes`, so a huge graph fails fast instead of
    hanging a notebook.
    """
    try:
        return topological_order(roots, max_nodes=max_nodes)
    except GraphTooLargeError:
        raise GraphTooLargeError(
            f"the graph has more than {max_nodes} values, too many to draw quickly "
            f"(Graphviz can take minutes on graphs this size); pass max_nodes=<a larger number> "
            f"(or max_nodes=None for no limit) to draw it anyway, or draw a sub-graph by passing "
            f"an intermediate Value instead of the final one"
        ) from None


def dot_body(
    root: object,
    *,
    rankdir: object = "LR",
    number_format: object = ".4f",
    show_grad: bool = True,
    highlight: object = None,
    highlight_color: object = "lightblue",
    max_nodes: object = DEFAULT_MAX_NODES,
) -> list[str]:
    """The statements of the DOT source, each a tab-indented line ending in a newline (the options of `to_dot`)."""
    roots = check_roots(root)
    direction = check_rankdir(rankdir)
    fmt = number_formatter(number_format)
    chosen = check_highlight(highlight)
    color = check_color(highlight_color, "highlight_color")
    order = walk(roots, check_max_nodes(max_nodes))
    index = {node: i for i, node in enumerate(order)}

    lines = [
        f"\tgraph [rankdir={direction} ordering=in nslimit=1]\n",
        f"\tnode [{_VALUE_FONT}]\n",
    ]
    edges: list[str] = []
    for i, node in enumerate(order):
        cells = []
        if node.label:
            cells.append(f"<TD><B>{html_text(shorten(str(node.label)))}</B></TD>")
        cells.append(f"<TD>data {html_text(fmt(node.data))}</TD>")
        if show_grad:
            cells.append(f"<TD>grad {html_text(fmt(node.grad))}</TD>")
        bgcolor = f' BGCOLOR="{color}"' if node in chosen else ""
        table = (
            f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"{bgcolor}>'
            f"<TR>{''.join(cells)}</TR></TABLE>"
        )
        lines.append(f"\tn{i} [label=<{table}> shape=plain]\n")
        if node.inputs:
            op_name = (node.op.name if node.op is not None else "") or "?"
            lines.append(f"\top{i} [label=<{html_text(shorten(op_name))}> {_OP_STYLE}]\n")
            edges.extend(f"\tn{index[child]} -> op{i}\n" for child in node.inputs)
            edges.append(f"\top{i} -> n{i}\n")
    return lines + edges


def to_dot(
    root: Roots,
    *,
    rankdir: str = "LR",
    number_format: NumberFormat = ".4f",
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    highlight_color: str = "lightblue",
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> str:
    """The DOT source of the graph below `root`, as a string (needs no Graphviz at all).

    Takes the same arguments as `autograd.viz.draw`, which returns a
    ``graphviz.Digraph`` whose ``.source`` is exactly this string.
    """
    body = dot_body(
        root,
        rankdir=rankdir,
        number_format=number_format,
        show_grad=show_grad,
        highlight=highlight,
        highlight_color=highlight_color,
        max_nodes=max_nodes,
    )
    return "digraph {\n" + "".join(body) + "}\n"


def count_values(body: Iterable[str]) -> int:
    """How many values the statements of `dot_body` draw."""
    return sum(1 for line in body if _VALUE_LINE.match(line))
