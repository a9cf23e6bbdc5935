"""Draw the computation graph of `Value`s with Graphviz.

Three layers, each usable on its own:

* `to_dot` builds the DOT source as a string (`autograd.viz.dot`).  Pure
  Python: it needs neither the ``graphviz`` PyPI package nor the ``dot`` program.
* `render_dot` runs a Graphviz program on DOT source and returns the picture
  as bytes (SVG, PNG, PDF, ...); `find_dot` says which program that is:
  Graphviz's ``dot`` when it is on ``PATH``, otherwise the ``graphviz-pure``
  fallback (`autograd.viz.render`).
* `draw` returns a ``graphviz.Digraph``, the object notebooks display inline
  as SVG (`autograd.viz.jupyter`), and `save_graph` writes a picture or the
  DOT source to a file in one call (`autograd.viz.save`).

The drawing options they share are checked in `autograd.viz.options`; a graph
with more values than ``max_nodes`` (`DEFAULT_MAX_NODES` by default) is
refused with `GraphTooLargeError` as soon as the walk finds that many.  The
command line (``valuegrad-draw``, or ``python -m autograd.viz``) is
`autograd.viz.cli`, with its safe expression evaluator in `autograd.viz.expr`.

`explain` walks the backward pass step by step with the chain rule in numbers
(`autograd.viz.explain`), shown interactively by `autograd.viz.stepper`
(HTML, Jupyter) and animated by `autograd.viz.animate` (GIF).

The engine never imports this package: ``autograd.draw``, ``autograd.to_dot``,
``autograd.save_graph`` and ``autograd.explain`` load it on first use.
"""

from autograd.value import GraphTooLargeError

from .dot import group_nodes, html_text, to_dot
from .explain import Explanation, Step, Term, explain
from .jupyter import draw
from .options import DEFAULT_MAX_NODES, NumberFormat, Roots
from .render import DotProgram, GraphvizNotFoundError, RenderError, find_dot, render_dot
from .save import FILE_FORMATS, file_format, save_graph

__all__ = [
    "DEFAULT_MAX_NODES",
    "FILE_FORMATS",
    "DotProgram",
    "Explanation",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "NumberFormat",
    "RenderError",
    "Roots",
    "Step",
    "Term",
    "draw",
    "explain",
    "file_format",
    "group_nodes",
    "find_dot",
    "html_text",
    "render_dot",
    "save_graph",
    "to_dot",
]
