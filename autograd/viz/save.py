"""`save_graph`: write a picture of a graph (SVG, PNG, PDF) or its DOT source to a file in one call."""

from __future__ import annotations

import os
import pathlib
from typing import Any

from autograd.checks import cut, describe, quote

from .dot import to_dot
from .options import Roots, check_roots
from .render import DEFAULT_TIMEOUT, render_dot

__all__ = ["FILE_FORMATS", "SOURCE_FORMATS", "file_format", "save_graph"]

FILE_FORMATS = ("svg", "png", "pdf", "jpg", "dot", "gv")
"""The formats `save_graph` writes (``.jpeg`` is read as ``jpg``)."""

_ALIASES = {"jpeg": "jpg"}

SOURCE_FORMATS = ("dot", "gv")
"""The formats written as DOT source, which need no Graphviz program."""


def file_format(path: str | os.PathLike[str], format: str | None = None) -> str:  # noqa: A002 - as in save_graph
    """The picture format to write `path` in: `format` when given, else `path`'s suffix; one of `FILE_FORMATS`.

    Raises:
        ValueError: `format` is not one of `FILE_FORMATS`, or it is omitted and the suffix is not either.
    """
    suffix = pathlib.Path(path).suffix.lower().lstrip(".")
    suffix = _ALIASES.get(suffix, suffix)
    if format is not None:
        chosen = format.lower().lstrip(".") if isinstance(format, str) else None
        chosen = _ALIASES.get(chosen, chosen) if chosen is not None else None
        if chosen not in FILE_FORMATS:
            raise ValueError(f"format must be one of {', '.join(FILE_FORMATS)}, got {quote(format)}")
        if suffix in FILE_FORMATS and suffix != chosen:
            raise ValueError(
                f"the file name {cut(str(path), 200)!r} says {suffix} but the format asked for is {chosen}: "
                f"name the file .{chosen} or drop the format"
            )
        return chosen
    if suffix not in FILE_FORMATS:
        raise ValueError(
            f"cannot tell the picture format from the file name {cut(str(path), 200)!r}; "
            f"end it in {', '.join('.' + f for f in FILE_FORMATS)} or pass format="
        )
    return suffix


def save_graph(
    graph: Roots | str | Any,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - Graphviz's name for it
    timeout: float | None = DEFAULT_TIMEOUT,
    **options: Any,
) -> pathlib.Path:
    """Write a picture of a graph to `path` in one call: SVG, PNG, PDF, or the DOT source.

    >>> save_graph(loss, "loss.svg", highlight=params)        # doctest: +SKIP
    >>> save_graph(draw(loss, rankdir="TB"), "loss.png")       # doctest: +SKIP

    Args:
        graph: a `Value` or a list of them (drawn with `options`, the keyword
            arguments of `draw`), a ``graphviz`` graph returned by `draw`, or DOT source text.
        path: the file to write (overwritten if it exists).
        format: ``"svg"``, ``"png"``, ``"pdf"``, ``"jpg"``, ``"dot"`` or ``"gv"``;
            taken from `path`'s suffix when omitted; it must agree with a known suffix.
        timeout: seconds Graphviz may take (`autograd.viz.render.DEFAULT_TIMEOUT`); None: no limit.

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
    fmt = file_format(target, format)
    source = getattr(graph, "source", graph)  # a graph from draw() carries its DOT text in .source
    if isinstance(source, str):
        if options:
            raise TypeError(
                f"drawing options ({', '.join(sorted(options))}) apply only when save_graph is given Values; "
                "pass them to draw() instead"
            )
    else:
        try:
            roots = check_roots(graph)
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
    data = source.encode("utf-8") if fmt in SOURCE_FORMATS else render_dot(source, fmt, timeout=timeout)
    target.write_bytes(data)
    return target
