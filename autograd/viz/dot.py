"""The DOT source of a graph of `Value`s: `to_dot`, and `html_text`, the one escaping function for user text.

Every value is one box showing its label (when set), ``data`` and ``grad``
stacked (narrow boxes keep left-to-right drawings narrow); a number written in
the program (``2 * x``: an input with no label that is not highlighted) is a
small grey box showing just its value (``constants="box"`` draws it in full),
and the ``0`` that Python's ``sum()`` starts from is drawn inside its
operation, as ``0 +``;
every operation is its own small oval named by the node's ``op.name`` (so
operations made with `autograd.defop` show their own names); edges go from
inputs to the operation and from the operation to its result.  Inputs are
drawn in argument order (``ordering=in``), which tells ``a - b`` from ``b - a``.

Node ids are ``n0, n1, ...`` (values) and ``op<i>`` (the operation that made
``n<i>``) in the order of `autograd.topological_order`, never ``id()``, so the
same program produces the same DOT source on every run.

Graphs fit a notebook column: ``size`` (default `DEFAULT_SIZE` inches)
scales bigger drawings down, and ``rankdir="auto"`` lays out deep graphs top
to bottom.  ``groups`` draws chosen nodes (e.g. one neuron's, from
`group_nodes`) inside a labelled frame (a Graphviz cluster).

The graph attribute ``nslimit=1`` caps dot's network-simplex placement, whose
time otherwise grows much faster than the graph; small graphs get the same picture.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from autograd.value import GraphTooLargeError, Value, topological_order

from .options import (
    AUTO_LR_DEPTH,
    DEFAULT_MAX_NODES,
    DEFAULT_SIZE,
    NumberFormat,
    Roots,
    check_color,
    check_groups,
    check_highlight,
    check_max_nodes,
    check_rankdir,
    check_roots,
    check_size,
    number_formatter,
)

__all__ = [
    "MAX_LABEL_CHARS",
    "MAX_LABEL_LINES",
    "count_values",
    "dot_body",
    "group_nodes",
    "html_text",
    "shorten",
    "to_dot",
    "walk",
]

MAX_LABEL_CHARS = 200
"""Longest label (or operation name) drawn in full; longer ones are cut visibly, with their length."""

MAX_LABEL_LINES = 8
"""Most lines of a label drawn; more are cut visibly, with their count."""

# Characters XML 1.0 cannot carry even as character references; Graphviz's HTML
# label parser (expat) would reject them.  Lone surrogates cannot be encoded at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

_VALUE_LINE = re.compile(r"\tn\d+ \[")  # a value's statement in the body (ids n0, n1, ...)
_VALUE_FONT = 'fontname="Helvetica" fontsize=11'
_CONST_STYLE = 'shape=box style="rounded,filled" fillcolor="#f4f4f4" color="#999999" height=0.25 margin="0.05,0.02"'
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
    return "<BR/>".join(html.escape(_NOT_XML.sub(_visible, line).replace("\\", "\\\\"), quote=True) for line in lines)


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
    rankdir: object = "auto",
    number_format: object = ".4g",
    show_grad: bool = True,
    highlight: object = None,
    highlight_color: object = "lightblue",
    max_nodes: object = DEFAULT_MAX_NODES,
    size: object = DEFAULT_SIZE,
    groups: object = None,
    constants: object = "value",
    labels: Mapping[Value, str] | None = None,
) -> list[str]:
    """The statements of the DOT source, each a tab-indented line ending in a newline (the options of `to_dot`).

    `labels` (used by `autograd.viz.explain`) gives names to values, shown like labels.
    """
    roots = check_roots(root)
    fmt = number_formatter(number_format)
    chosen = check_highlight(highlight)
    color = check_color(highlight_color, "highlight_color")
    fit = check_size(size)
    if constants not in ("value", "box"):
        raise ValueError(f"constants must be 'value' (draw unnamed inputs as their value) or 'box', got {constants!r}")
    order = walk(roots, check_max_nodes(max_nodes))
    direction = check_rankdir(_auto_direction(order) if rankdir == "auto" else rankdir)
    index = {node: i for i, node in enumerate(order)}
    named = dict(labels or {})
    clusters = check_groups(groups)
    root_set = set(roots)
    grouped = {v for _, members in clusters for v in members}

    def is_constant(node: Value) -> bool:
        """An input nobody named, highlighted or grouped: a number written in the program (``2 * x``)."""
        return (
            node.op is None
            and not node.label
            and node not in named
            and node not in chosen
            and node not in root_set
            and node not in grouped
        )

    # The 0 that Python's sum() starts from: drawn inside the "+" as "0 +", not as a box of its own.
    folded = {
        i
        for i, node in enumerate(order)
        if node.op is not None
        and node.op.name == "+"
        and len(node.inputs) == 2
        and is_constant(node.inputs[0])
        and node.inputs[0].data == 0.0
    }
    shown = set(order)
    users: dict[Value, int] = {}
    for node in order:
        for child in node.inputs:
            users[child] = users.get(child, 0) + 1
    for i in folded:
        zero = order[i].inputs[0]
        users[zero] -= 1
        if users[zero] == 0:
            shown.discard(zero)

    size_attr = f' size="{fit}"' if fit else ""
    lines = [
        f"\tgraph [rankdir={direction} ordering=in nslimit=1 nodesep=0.2 ranksep=0.3{size_attr}]\n",
        f"\tnode [{_VALUE_FONT}]\n",
    ]
    statements: dict[int, list[str]] = {}
    edges: list[str] = []
    for i, node in enumerate(order):
        own: list[str] = []
        if node in shown and constants == "value" and is_constant(node):
            own.append(f"\tn{i} [label=<{html_text(fmt(node.data))}> {_CONST_STYLE}]\n")
        elif node in shown:
            rows = []
            label = named.get(node) or node.label
            if label:
                rows.append(f"<TR><TD><B>{html_text(shorten(str(label)))}</B></TD></TR>")
            rows.append(f"<TR><TD>data {html_text(fmt(node.data))}</TD></TR>")
            if show_grad:
                rows.append(f"<TR><TD>grad {html_text(fmt(node.grad))}</TD></TR>")
            bgcolor = f' BGCOLOR="{color}"' if node in chosen else ""
            table = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{bgcolor}>{"".join(rows)}</TABLE>'
            own.append(f"\tn{i} [label=<{table}> shape=plain]\n")
        if node.inputs:
            op_name = (node.op.name if node.op is not None else "") or "?"  # "" from a micrograd-style node
            inputs = node.inputs
            if i in folded:
                op_name, inputs = "0 +", inputs[1:]
            own.append(f"\top{i} [label=<{html_text(shorten(op_name))}> {_OP_STYLE}]\n")
            edges.extend(f"\tn{index[child]} -> op{i}\n" for child in inputs)
            edges.append(f"\top{i} -> n{i}\n")
        statements[i] = own
    placed: set[int] = set()
    for k, (name, members) in enumerate(clusters):
        inside = [index[v] for v in members if v in index and index[v] not in placed]
        if not inside:
            continue
        lines.append(f"\tsubgraph cluster_{k} {{\n")
        lines.append(
            f'\t\tgraph [label=<{html_text(name)}> style="rounded,dashed" color="#888888" '
            f'fontname="Helvetica" fontsize=11]\n'
        )
        for i in sorted(inside):
            lines.extend("\t" + line for line in statements[i])
            placed.add(i)
        lines.append("\t}\n")
    for i in range(len(order)):
        if i not in placed:
            lines.extend(statements[i])
    return lines + edges


def _auto_direction(order: list[Value]) -> str:
    """Left to right for shallow graphs, top to bottom for deep ones (which would be too wide for a page)."""
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[c] for c in node.inputs), default=-1)
    deepest = max(depth.values(), default=0)
    return "LR" if deepest <= AUTO_LR_DEPTH else "TB"


def group_nodes(params: Iterable[Value], output: Value) -> list[Value]:
    """The nodes of one unit (a neuron) for ``groups=``: its parameters and what is computed from them up to `output`.

    >>> import nn
    >>> neuron = nn.Neuron(2, activation="tanh", seed=0)
    >>> out = neuron([1.0, 2.0])
    >>> len(group_nodes(neuron.parameters(), out))  # w0, w1, b, 2 products, 2 sums, tanh
    8
    """
    chosen = set(check_highlight(list(params)))
    inside: dict[Value, bool] = {}
    order = topological_order(output)
    for node in order:
        inside[node] = node in chosen or any(inside[c] for c in node.inputs)
    return [node for node in order if inside[node]]


def to_dot(
    root: Roots,
    *,
    rankdir: str = "auto",
    number_format: NumberFormat = ".4g",
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    highlight_color: str = "lightblue",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    size: str | None = DEFAULT_SIZE,
    groups: Mapping[str, Iterable[Value]] | None = None,
    constants: str = "value",
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
        size=size,
        groups=groups,
        constants=constants,
    )
    return "digraph {\n" + "".join(body) + "}\n"


def count_values(body: Iterable[str]) -> int:
    """How many values the statements of `dot_body` draw."""
    return sum(1 for line in body if _VALUE_LINE.match(line))
