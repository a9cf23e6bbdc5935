"""`draw`: the graph as a ``graphviz.Digraph``, the object Jupyter displays inline as SVG.

The ``graphviz`` package (in valuegrad's ``viz`` extra) is imported on the
first call of `draw`, never before: `autograd.viz.to_dot` and
`autograd.viz.save_graph` work without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from autograd._installation import missing
from autograd.value import Value

from .dot import count_values, dot_body
from .options import DEFAULT_MAX_NODES, DEFAULT_SIZE, NumberFormat, Roots
from .render import GraphvizNotFoundError, find_dot, render_dot

if TYPE_CHECKING:
    # Only for the annotation of draw(): graphviz is optional (not-found) and has no type hints (untyped).
    import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = ["draw"]

_graph_class: type | None = None
"""`ValueGraph` once made (it needs graphviz, so it is made on first use)."""

_VALUE_GRAPH_DOC = """A ``graphviz.Digraph`` that renders with `autograd.viz.find_dot`'s program.

``pipe()`` and therefore Jupyter's inline display (``_repr_mimebundle_``)
use Graphviz's ``dot`` when it is installed and the ``graphviz-pure``
fallback otherwise.  (``render()`` and ``view()`` are graphviz's own
and need ``dot`` on PATH; use `autograd.save_graph` to write files.)
"""


def _import_graphviz() -> Any:
    try:
        return importlib.import_module("graphviz")
    except ImportError as exc:
        raise ModuleNotFoundError(
            missing(
                "autograd.draw",
                "graphviz",
                "autograd.to_dot() builds the DOT source without it, and autograd.save_graph() renders without it.",
            ),
            name="graphviz",
        ) from exc


def _value_graph() -> type:
    """`ValueGraph`, a subclass of ``graphviz.Digraph`` made on first use (graphviz is optional).

    Made with ``type(...)`` because its base class is only known at run time.
    """
    global _graph_class
    if _graph_class is not None:
        return _graph_class
    digraph: Any = _import_graphviz().Digraph

    def pipe(
        self: Any,
        format: str | None = None,  # noqa: A002 - graphviz's signature
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """Render with `autograd.viz.render_dot` (``dot`` or the ``graphviz-pure`` fallback)."""
        fmt = format or self.format or "svg"
        flag = ":".join(part for part in (fmt, renderer, formatter) if part)
        if neato_no_op:
            raise ValueError("neato_no_op is not supported when rendering valuegrad graphs")
        data = render_dot(self.source, flag, engine=engine or self.engine or "dot")
        return data.decode(encoding) if encoding is not None else data

    def render(self: Any, *args: Any, **kwargs: Any) -> Any:
        """graphviz's ``render()``, which runs ``dot`` from PATH; a clear error when only the fallback exists."""
        if find_dot().is_fallback:
            raise GraphvizNotFoundError(
                "Digraph.render() and .view() run Graphviz's `dot`, which is not installed; only the "
                "graphviz-pure fallback is.  Use autograd.save_graph(graph, 'graph.svg') (or .png) instead, "
                "or install Graphviz (e.g. `sudo apt-get install graphviz`, `brew install graphviz`)."
            )
        return digraph.render(self, *args, **kwargs)

    def value_graph_repr(self: Any) -> str:
        # No memory address (graphviz's default), so saved notebooks do not change on every run.
        return f"<ValueGraph: {count_values(self.body)} values; display it in Jupyter or call autograd.save_graph>"

    namespace = {
        "__doc__": _VALUE_GRAPH_DOC,
        "__module__": __name__,
        "__qualname__": "ValueGraph",
        "pipe": pipe,
        "render": render,
        "__repr__": value_graph_repr,
    }
    _graph_class = type("ValueGraph", (digraph,), namespace)
    return _graph_class


def draw(
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
) -> graphviz.Digraph:
    """Draw the computation graph below `root`; shows inline in Jupyter (as SVG) with no extra call.

    >>> from autograd import Value, draw
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = (x * w).tanh(); y.backward()
    >>> g = draw(y, highlight=[x, w])      # in a notebook, just end the cell with it
    >>> "tanh" in g.source
    True

    Args:
        root: a `Value`, or a list of them (nodes they share are drawn once).
        rankdir: ``"auto"`` (the default: left to right, or top to bottom for deep
            graphs), ``"LR"`` (left to right), ``"TB"`` (top to bottom), ``"RL"`` or ``"BT"``.
        number_format: how ``data`` and ``grad`` are written: a format spec
            (``".4g"``, the default: 4 significant digits; ``".4f"``, ``".2e"``, or
            old-style ``"%.4f"``) or a function float -> str.  ``-0`` is written ``0``.
        show_grad: also show each value's ``grad`` (set False before ``backward()``).
        highlight: values to fill with `highlight_color`, e.g. the model's parameters
            (values not in this graph are ignored).
        highlight_color: a colour name (``"lightblue"``) or hex colour (``"#ffcc00"``).
        max_nodes: refuse (`GraphTooLargeError`) graphs with more values than
            this; ``None`` for no limit.
        size: the largest drawing, ``"width,height"`` in inches (default
            ``"7.5,10"``, a notebook column); bigger ones are scaled down. ``None``: natural size.
        groups: frames around chosen nodes, a mapping name -> Values, e.g.
            ``{"neuron": autograd.viz.group_nodes(neuron.parameters(), out)}``.
        constants: ``"value"`` (default) draws an input with no label that is
            not highlighted (a number such as the ``2`` of ``2 * x``) as a small box
            showing its value; ``"box"`` draws it like any value.  Label or
            highlight parameters to see their gradients.

    Returns:
        A ``graphviz.Digraph`` (the ``graphviz`` package from valuegrad's ``viz`` extra).
        Its ``.source`` is the DOT text (`to_dot` gives the same without
        graphviz); ``.pipe(format="png")`` renders it; `save_graph` writes files.
        Rendering uses Graphviz's ``dot``, or the ``graphviz-pure`` fallback.

    Raises:
        TypeError / ValueError: for a bad argument (the message says what was given).
        GraphTooLargeError: the graph has more than `max_nodes` values.
        ModuleNotFoundError: the ``graphviz`` package is not installed.
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
    return _value_graph()(body=body, format="svg")
