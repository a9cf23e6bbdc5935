"""Draw the computation graph of `Value`s with Graphviz.

Three layers, each usable on its own:

* `to_dot` builds the DOT source as a string.  Pure Python: it needs neither
  the ``graphviz`` PyPI package nor the ``dot`` program.
* `render_dot` runs a Graphviz program on DOT source and returns the picture
  as bytes (SVG, PNG, PDF, ...).  `find_dot` says which program that is:
  Graphviz's ``dot`` when it is on ``PATH``, otherwise the ``dot``-compatible
  binary of the ``graphviz-pure`` PyPI package (the fallback pinned in the
  ``valuegrad[viz]`` extra).
* `draw` returns a ``graphviz.Digraph`` (the object notebooks display inline
  as SVG) and `save_graph` writes a picture to a file in one call.

Every value is one box showing its label (when set), ``data`` and ``grad``;
every operation is its own small oval named by the node's ``.op`` (so
operations made with `autograd.defop` show their own names); edges go from
inputs to the operation and from the operation to its result.  Inputs are
drawn in argument order (top to bottom with ``rankdir="LR"``, left to right
with ``"TB"``), which tells ``a - b`` from ``b - a``.

Node ids are ``n0, n1, ...`` in the order of `autograd.topological_order`,
never ``id()``, so the same program produces the same DOT source on every run.
Every piece of user text (labels, operation names, formatted numbers) goes
into Graphviz HTML-like labels through one escaping function, so quotes,
backslashes, ``{ } | < >``, ``<script>``, newlines and control characters are
shown as text and can neither break the DOT nor inject markup into the SVG.

The graph is walked iteratively (no recursion limit) and the walk stops as
soon as it finds more values than ``max_nodes`` (500 by default), so a huge
graph fails fast with a clear message instead of hanging a notebook.  Layout
time grows much faster than the graph: a tangled graph of ~460 values took
345 s in ``dot`` 2.43 with default settings, so the graph attribute
``nslimit=1`` caps dot's network-simplex placement (same picture for small
graphs; ~9 s with ``dot`` and ~13 s with ``graphviz-pure`` for that graph).
"""

from __future__ import annotations

import html
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .value import GraphTooLargeError, Value, describe, topological_order

if TYPE_CHECKING:
    import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = [
    "DEFAULT_MAX_NODES",
    "DotProgram",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "RenderError",
    "draw",
    "find_dot",
    "render_dot",
    "save_graph",
    "to_dot",
]

DEFAULT_MAX_NODES = 500
"""Default for ``max_nodes``: drawing more values than this is refused."""

FALLBACK_PROGRAM = "graphviz-pure"
"""Name of the ``dot``-compatible binary installed by the ``graphviz-pure`` PyPI package."""

FALLBACK_REQUIREMENT = "graphviz-pure==0.2.2"
"""The pin of the fallback in the ``valuegrad[viz]`` extra (quoted in error messages)."""

NumberFormat = str | Callable[[float], str]
"""A format spec for floats (``".4f"``, ``".3g"``, or old-style ``"%.4f"``) or a function float -> str."""

Roots = Value | Iterable[Value]

_RANKDIRS = ("LR", "TB", "RL", "BT")
_FILE_FORMATS = ("svg", "png", "pdf", "dot", "gv")
_SOURCE_FORMATS = ("dot", "gv")  # written as DOT source, no Graphviz program needed
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?|[A-Za-z][A-Za-z0-9]{0,31}")
_FORMAT_TOKEN = re.compile(r"[A-Za-z0-9_.]+(?::[A-Za-z0-9_.]+){0,2}")
_ENGINE_TOKEN = re.compile(r"[A-Za-z0-9_]+")

# Characters XML 1.0 cannot carry even as character references; Graphviz's HTML
# label parser (expat) would reject them.  Lone surrogates cannot be encoded at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

_VALUE_FONT = 'fontname="Helvetica" fontsize=11'
_OP_STYLE = (
    'shape=ellipse style=filled fillcolor="#eeeeee" fontname="Helvetica" fontsize=11 height=0.3 margin="0.05,0.02"'
)


class GraphvizNotFoundError(RuntimeError):
    """Neither Graphviz's ``dot`` nor the ``graphviz-pure`` fallback could be found."""


class RenderError(RuntimeError):
    """The Graphviz program ran but failed; the message includes what it printed."""


# ---------------------------------------------------------------- escaping


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def html_text(text: str) -> str:
    """`text` as the content of a Graphviz HTML-like label: shown literally, line breaks kept.

    ``& < > " '`` become entities, line breaks (``\\n``, ``\\r\\n``, ``\\r``)
    become ``<BR/>``, and characters XML cannot carry (control characters,
    lone surrogates, U+FFFE, U+FFFF) are shown as ``\\xNN`` / ``\\uNNNN``.
    The result contains no ``<`` or ``>`` except the ``<BR/>`` tags it adds,
    so it can neither end the label early nor open a tag.

    Backslashes are doubled: Graphviz expands ``\\N``, ``\\G``, ``\\E``,
    ``\\T``, ``\\H``, ``\\L`` (node, graph, edge names...) and ``\\\\`` even
    inside HTML labels (after decoding entities, so ``&#92;`` would not help),
    and ``\\\\`` is how it spells one literal backslash.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<BR/>".join(
        html.escape(_NOT_XML.sub(_visible, line).replace("\\", "\\\\"), quote=True) for line in lines
    )


# ---------------------------------------------------------------- options


def _check_roots(root: object) -> list[Value]:
    if isinstance(root, Value):
        return [root]
    if isinstance(root, (str, bytes)) or not isinstance(root, Iterable):
        raise TypeError(f"expected a Value or a list of Values to draw, got {describe(root)}")
    roots = list(root)
    if not roots:
        raise ValueError("expected at least one Value to draw, got an empty collection")
    for item in roots:
        if not isinstance(item, Value):
            raise TypeError(
                f"expected a Value or a list of Values to draw, got a collection containing {describe(item)}"
            )
    return roots


def _check_highlight(highlight: object) -> set[Value]:
    if highlight is None:
        return set()
    if isinstance(highlight, Value):
        return {highlight}
    if isinstance(highlight, (str, bytes)) or not isinstance(highlight, Iterable):
        raise TypeError(f"highlight expects a Value or an iterable of Values, got {describe(highlight)}")
    chosen = set()
    for item in highlight:
        if not isinstance(item, Value):
            raise TypeError(f"highlight expects Values, got an iterable containing {describe(item)}")
        chosen.add(item)
    return chosen


def _check_color(color: object, what: str) -> str:
    if not isinstance(color, str) or not _COLOR.fullmatch(color):
        raise ValueError(
            f"{what} must be a colour name such as 'lightblue' or a hex colour such as '#ffcc00', got {color!r}"
        )
    return color


def _check_rankdir(rankdir: object) -> str:
    if isinstance(rankdir, str) and rankdir.upper() in _RANKDIRS:
        return rankdir.upper()
    raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")


def _check_max_nodes(max_nodes: object) -> int | None:
    if max_nodes is None:
        return None
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int or None (no limit), got {max_nodes!r}")
    return max_nodes


def _number_formatter(number_format: object) -> Callable[[object], str]:
    """A function that formats a node's data or grad with `number_format`, checked once here."""
    if callable(number_format):
        user: Callable[[float], str] = number_format

        def call(x: object) -> str:
            text = user(x)  # type: ignore[arg-type]
            if not isinstance(text, str):
                raise TypeError(f"number_format function must return a str, got {describe(text)} for {x!r}")
            return text

        return call
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a format spec such as '.4f' or a function, got {describe(number_format)}"
        )
    spec = number_format
    old_style = spec.startswith("%")
    try:
        sample = (spec % 1.5) if old_style else format(1.5, spec)
    except (ValueError, TypeError):
        sample = None
    if not isinstance(sample, str):
        raise ValueError(
            f"number_format {spec!r} is not a format spec for floats; expected e.g. '.4f', '.3g', '.2e' or '%.4f'"
        )

    def fmt(x: object) -> str:
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            return (spec % float(x)) if old_style else format(float(x), spec)
        return repr(x)  # something odd was stored in .data/.grad: show it, escaped, rather than fail

    return fmt


# ---------------------------------------------------------------- the walk


def _walk(roots: Sequence[Value], max_nodes: int | None) -> list[Value]:
    """`autograd.topological_order` of all `roots`, refusing graphs too big to lay out quickly."""
    try:
        return topological_order(roots, max_nodes=max_nodes)
    except GraphTooLargeError:
        raise GraphTooLargeError(
            f"the graph has more than {max_nodes} values, too many to draw quickly "
            f"(Graphviz can take minutes on graphs this size); pass max_nodes=<a larger number> "
            f"(or max_nodes=None for no limit) to draw it anyway, or draw a sub-graph by passing "
            f"an intermediate Value instead of the final one"
        ) from None


# ---------------------------------------------------------------- DOT source


def _dot_lines(
    root: object,
    *,
    rankdir: object,
    number_format: object,
    show_grad: bool,
    highlight: object,
    highlight_color: object,
    max_nodes: object,
) -> list[str]:
    """The body statements of the DOT source (each a tab-indented line ending in a newline)."""
    roots = _check_roots(root)
    direction = _check_rankdir(rankdir)
    fmt = _number_formatter(number_format)
    chosen = _check_highlight(highlight)
    color = _check_color(highlight_color, "highlight_color")
    limit = _check_max_nodes(max_nodes)
    order = _walk(roots, limit)
    index = {node: i for i, node in enumerate(order)}

    lines = [
        f"\tgraph [rankdir={direction} ordering=in nslimit=1]\n",
        f"\tnode [{_VALUE_FONT}]\n",
    ]
    edges: list[str] = []
    for i, node in enumerate(order):
        cells = []
        if node.label:
            cells.append(f"<TD><B>{html_text(str(node.label))}</B></TD>")
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
            op_name = str(node.op) if node.op else "?"
            lines.append(f"\top{i} [label=<{html_text(op_name)}> {_OP_STYLE}]\n")
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

    Takes the same arguments as `draw`, which returns a ``graphviz.Digraph``
    whose ``.source`` is exactly this string.
    """
    body = _dot_lines(
        root,
        rankdir=rankdir,
        number_format=number_format,
        show_grad=show_grad,
        highlight=highlight,
        highlight_color=highlight_color,
        max_nodes=max_nodes,
    )
    return "digraph {\n" + "".join(body) + "}\n"


# ---------------------------------------------------------------- finding and running dot


@dataclass(frozen=True)
class DotProgram:
    """The Graphviz program that renders pictures: its path and which kind it is."""

    path: str
    """Absolute path of the executable."""
    name: str
    """``"dot"`` (Graphviz) or ``"graphviz-pure"`` (the fallback)."""

    @property
    def is_fallback(self) -> bool:
        """True for the ``graphviz-pure`` fallback (it writes SVG and PNG, not PDF)."""
        return self.name == FALLBACK_PROGRAM


def _script_dirs() -> list[str]:
    """Where this Python installs console scripts: the fallback lives there even if PATH lacks it.

    (A notebook kernel or ``.venv/bin/python -m pytest`` runs without the
    virtual environment's ``bin`` directory on PATH.)
    """
    dirs: list[str] = []
    for candidate in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        if candidate and candidate not in dirs:
            dirs.append(candidate)
    return dirs


def _install_help(searched: str) -> str:
    return (
        "Rendering a graph needs Graphviz's `dot` program, and neither `dot` nor the `graphviz-pure` fallback "
        f"was found (searched PATH and {searched}).  Install one of them:\n"
        "  * Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `sudo dnf install graphviz` (Fedora), "
        "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, "
        "or the installer from https://graphviz.org/download/ (Windows; tick 'add to PATH');\n"
        f"  * or the pure fallback into this Python: `{sys.executable} -m pip install '{FALLBACK_REQUIREMENT}'` "
        "(included in `pip install 'valuegrad[viz]'`; writes SVG and PNG, not PDF).\n"
        "Building the DOT source with autograd.to_dot() needs neither."
    )


def find_dot() -> DotProgram:
    """The program `render_dot` will run.

    1. ``dot`` on ``PATH`` (Graphviz).
    2. ``graphviz-pure`` on ``PATH``, or next to the running Python (its
       ``scripts`` directory, e.g. ``.venv/bin``), installed by
       ``pip install graphviz-pure`` / ``valuegrad[viz]``.

    Looked up afresh on every call (cheap), so installing Graphviz while a
    notebook runs takes effect immediately.

    Raises:
        GraphvizNotFoundError: neither was found; the message says how to install one.
    """
    dot = shutil.which("dot")
    if dot:
        return DotProgram(os.path.abspath(dot), "dot")
    pure = shutil.which(FALLBACK_PROGRAM)
    scripts = os.pathsep.join(_script_dirs())
    if not pure and scripts:
        pure = shutil.which(FALLBACK_PROGRAM, path=scripts)
    if pure:
        return DotProgram(os.path.abspath(pure), FALLBACK_PROGRAM)
    raise GraphvizNotFoundError(_install_help(scripts or "no other directory"))


def _decode(stderr: bytes) -> str:
    return stderr.decode("utf-8", errors="replace").strip()


def render_dot(source: str, format: str = "svg", *, engine: str = "dot", program: DotProgram | None = None) -> bytes:  # noqa: A002
    """Run Graphviz on DOT `source` and return the picture in `format` (``"svg"``, ``"png"``, ``"pdf"``, ...).

    Args:
        source: DOT source, e.g. from `to_dot`.
        format: Graphviz output format (``-T``), optionally with ``:renderer:formatter``.
        engine: Graphviz layout engine (``-K``).
        program: which program to run; `find_dot` by default.

    Raises:
        GraphvizNotFoundError: no Graphviz program was found.
        ValueError: the program cannot write `format` (e.g. PDF with the ``graphviz-pure`` fallback).
        RenderError: the program failed (its error output is in the message).
    """
    if not isinstance(source, str):
        raise TypeError(f"render_dot expects DOT source as a str, got {describe(source)}")
    if not isinstance(format, str) or not _FORMAT_TOKEN.fullmatch(format):
        raise ValueError(f"format must be a Graphviz output format such as 'svg', 'png' or 'pdf', got {format!r}")
    if not isinstance(engine, str) or not _ENGINE_TOKEN.fullmatch(engine):
        raise ValueError(f"engine must be a Graphviz layout engine such as 'dot', got {engine!r}")
    prog = program if program is not None else find_dot()
    try:
        proc = subprocess.run(
            [prog.path, f"-K{engine}", f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise GraphvizNotFoundError(f"could not run {prog.path}: {exc}\n\n{_install_help('nowhere else')}") from exc
    if proc.returncode != 0:
        message = _decode(proc.stderr)
        if "not recognized" in message and "Use one of" in message:
            formats = message.split("Use one of:", 1)[1].split()
            formats = sorted({f.split(":", 1)[0] for f in formats})
            hint = " (install Graphviz's dot for that, or save as .svg or .png)" if prog.is_fallback else ""
            raise ValueError(
                f"{prog.name} ({prog.path}) cannot write {format!r}{hint}; it writes: {', '.join(formats)}"
            )
        raise RenderError(f"{prog.name} ({prog.path}) failed with exit status {proc.returncode}: {message}")
    return proc.stdout


# ---------------------------------------------------------------- graphviz.Digraph


_digraph_class: type | None = None


def _import_graphviz() -> Any:
    try:
        import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as exc:
        raise ModuleNotFoundError(
            "autograd.draw needs the `graphviz` Python package: "
            f"`{sys.executable} -m pip install 'valuegrad[viz]'` (or `pip install graphviz`). "
            "autograd.to_dot() builds the DOT source without it, and autograd.save_graph() renders without it.",
            name="graphviz",
        ) from exc
    return graphviz


_VALUE_NODE_LINE = re.compile(r"\tn\d+ \[")  # a value's node statement in the DOT body (ids n0, n1, ...)


def _graph_class() -> type:
    """`ValueGraph`, a ``graphviz.Digraph`` subclass defined on first use (graphviz is optional)."""
    global _digraph_class
    if _digraph_class is not None:
        return _digraph_class
    graphviz = _import_graphviz()

    class ValueGraph(graphviz.Digraph):  # type: ignore[misc, name-defined]
        """A ``graphviz.Digraph`` that renders with `autograd.viz.find_dot`'s program.

        ``pipe()`` and therefore Jupyter's inline display (``_repr_mimebundle_``)
        use Graphviz's ``dot`` when it is installed and the ``graphviz-pure``
        fallback otherwise.  (``render()`` and ``view()`` are graphviz's own
        and need ``dot`` on PATH; use `autograd.save_graph` to write files.)
        """

        def pipe(
            self,
            format: str | None = None,  # noqa: A002 - graphviz's signature
            renderer: str | None = None,
            formatter: str | None = None,
            neato_no_op: bool | int | None = None,
            quiet: bool = False,
            *,
            engine: str | None = None,
            encoding: str | None = None,
        ) -> bytes | str:
            fmt = format or self.format or "svg"
            flag = ":".join(part for part in (fmt, renderer, formatter) if part)
            if neato_no_op:
                raise ValueError("neato_no_op is not supported when rendering valuegrad graphs")
            data = render_dot(self.source, flag, engine=engine or self.engine or "dot")
            return data.decode(encoding) if encoding is not None else data

        def __repr__(self) -> str:
            # No memory address (graphviz's default), so saved notebooks do not change on every run.
            values = sum(1 for line in self.body if _VALUE_NODE_LINE.match(line))
            return f"<ValueGraph: {values} values; display it in Jupyter or call autograd.save_graph>"

        def render(self, *args: Any, **kwargs: Any) -> Any:
            """graphviz's ``render()``, which runs ``dot`` from PATH; a clear error when only the fallback exists."""
            if find_dot().is_fallback:
                raise GraphvizNotFoundError(
                    "Digraph.render() and .view() run Graphviz's `dot`, which is not installed; only the "
                    "graphviz-pure fallback is.  Use autograd.save_graph(graph, 'graph.svg') (or .png) instead, "
                    "or install Graphviz (e.g. `sudo apt-get install graphviz`, `brew install graphviz`)."
                )
            return super().render(*args, **kwargs)

    ValueGraph.__module__, ValueGraph.__qualname__ = __name__, "ValueGraph"
    _digraph_class = ValueGraph
    return ValueGraph


def draw(
    root: Roots,
    *,
    rankdir: str = "LR",
    number_format: NumberFormat = ".4f",
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    highlight_color: str = "lightblue",
    max_nodes: int | None = DEFAULT_MAX_NODES,
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
        rankdir: ``"LR"`` (left to right, the default), ``"TB"`` (top to bottom), ``"RL"`` or ``"BT"``.
        number_format: how ``data`` and ``grad`` are written: a format spec
            (``".4f"``, ``".3g"``, ``".2e"``, or old-style ``"%.4f"``) or a function float -> str.
        show_grad: also show each value's ``grad`` (set False before ``backward()``).
        highlight: values to fill with `highlight_color`, e.g. the model's parameters
            (values not in this graph are ignored).
        highlight_color: a colour name (``"lightblue"``) or hex colour (``"#ffcc00"``).
        max_nodes: refuse (`GraphTooLargeError`) graphs with more values than
            this; ``None`` for no limit.

    Returns:
        A ``graphviz.Digraph`` (the ``graphviz`` package from ``valuegrad[viz]``).
        Its ``.source`` is the DOT text (`to_dot` gives the same without
        graphviz); ``.pipe(format="png")`` renders it; `save_graph` writes files.
        Rendering uses Graphviz's ``dot``, or the ``graphviz-pure`` fallback.

    Raises:
        TypeError / ValueError: for a bad argument (the message says what was given).
        GraphTooLargeError: the graph has more than `max_nodes` values.
        ModuleNotFoundError: the ``graphviz`` package is not installed.
    """
    body = _dot_lines(
        root,
        rankdir=rankdir,
        number_format=number_format,
        show_grad=show_grad,
        highlight=highlight,
        highlight_color=highlight_color,
        max_nodes=max_nodes,
    )
    return _graph_class()(body=body, format="svg")


# ---------------------------------------------------------------- saving


def _format_for(path: pathlib.Path, format: str | None) -> str:  # noqa: A002
    if format is not None:
        if not isinstance(format, str) or format.lower().lstrip(".") not in _FILE_FORMATS:
            raise ValueError(f"format must be one of {', '.join(_FILE_FORMATS)}, got {format!r}")
        return format.lower().lstrip(".")
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in _FILE_FORMATS:
        raise ValueError(
            f"cannot tell the picture format from the file name {str(path)!r}; "
            f"end it in {', '.join('.' + f for f in _FILE_FORMATS)} or pass format="
        )
    return suffix


def save_graph(
    graph: Roots | str | Any,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002
    **options: Any,
) -> pathlib.Path:
    """Write a picture of a graph to `path` in one call: SVG, PNG, PDF, or the DOT source.

    >>> save_graph(loss, "loss.svg", highlight=params)        # doctest: +SKIP
    >>> save_graph(draw(loss, rankdir="TB"), "loss.png")       # doctest: +SKIP

    Args:
        graph: a `Value` or a list of them (drawn with `options`, the keyword
            arguments of `draw`), a ``graphviz`` graph returned by `draw`, or DOT source text.
        path: the file to write (overwritten if it exists).
        format: ``"svg"``, ``"png"``, ``"pdf"``, ``"dot"`` or ``"gv"``;
            taken from `path`'s suffix when omitted.

    Returns:
        The path written, as a ``pathlib.Path``.

    Raises:
        GraphvizNotFoundError: no Graphviz program (not needed for ``.dot``/``.gv``).
        ValueError: unknown format, or one the program cannot write
            (the ``graphviz-pure`` fallback writes SVG and PNG but not PDF).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_graph(graph, path): path must be a str or os.PathLike, got {describe(path)}")
    target = pathlib.Path(path)
    fmt = _format_for(target, format)
    if isinstance(graph, str) or isinstance(getattr(graph, "source", None), str):
        if options:
            raise TypeError(
                f"drawing options ({', '.join(sorted(options))}) apply only when save_graph is given Values; "
                "pass them to draw() instead"
            )
        obj: Any = graph
        source = obj if isinstance(obj, str) else obj.source
    else:
        try:
            roots = _check_roots(graph)
        except TypeError:
            raise TypeError(
                "save_graph expects a Value, a list of Values, a graph returned by draw() or DOT source, "
                f"got {describe(graph)}"
            ) from None
        try:
            source = to_dot(roots, **options)
        except TypeError as exc:
            if "unexpected keyword" in str(exc):
                raise TypeError(f"save_graph got an option that draw() does not take: {exc}") from None
            raise
    data = source.encode("utf-8") if fmt in _SOURCE_FORMATS else render_dot(source, fmt)
    target.write_bytes(data)
    return target
