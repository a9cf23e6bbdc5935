"""Finding the Graphviz program (`find_dot`) and running it on DOT source (`render_dot`).

The program is Graphviz's ``dot`` when it is on ``PATH``, otherwise the
``dot``-compatible binary of the ``graphviz-pure`` PyPI package (the fallback
pinned in valuegrad's ``viz`` extra; it writes SVG and PNG, not PDF).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass

from autograd._installation import install_hint
from autograd.checks import describe, quote

__all__ = [
    "DEFAULT_TIMEOUT",
    "FALLBACK_PROGRAM",
    "FALLBACK_REQUIREMENT",
    "DotProgram",
    "GraphvizNotFoundError",
    "RenderError",
    "find_dot",
    "render_dot",
]

FALLBACK_PROGRAM = "graphviz-pure"
"""Name of the ``dot``-compatible binary installed by the ``graphviz-pure`` PyPI package."""

FALLBACK_REQUIREMENT = "graphviz-pure==0.2.2"
"""The pin of the fallback in valuegrad's ``viz`` extra (quoted in error messages)."""

DEFAULT_TIMEOUT = 60.0
"""Seconds Graphviz may spend on one picture before it is stopped (`RenderError`); ``timeout=None``: no limit.

Layout time depends on the graph's shape, not only its size: a 16-neuron
tanh layer (196 values) takes 0.2 s, random tangled graphs of 300 and 480
values (876 and 1416 edges) 2.5 s and 7.6 s (dot 2.43, measured for the README).
"""

_FORMAT_TOKEN = re.compile(r"[A-Za-z0-9_.]+(?::[A-Za-z0-9_.]+){0,2}")
_ENGINE_TOKEN = re.compile(r"[A-Za-z0-9_]+")


class GraphvizNotFoundError(RuntimeError):
    """Neither Graphviz's ``dot`` nor the ``graphviz-pure`` fallback could be found."""


class RenderError(RuntimeError):
    """The Graphviz program ran but failed; the message includes what it printed."""


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
        f"  * or the pure fallback (writes SVG and PNG, not PDF): {install_hint('graphviz-pure')}.\n"
        "Building the DOT source with autograd.to_dot() needs neither."
    )


def find_dot() -> DotProgram:
    """The program `render_dot` will run.

    1. ``dot`` on ``PATH`` (Graphviz).
    2. ``graphviz-pure`` on ``PATH``, or next to the running Python (its
       ``scripts`` directory, e.g. ``.venv/bin``), installed by
       ``pip install graphviz-pure`` (valuegrad's ``viz`` extra).

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


def render_dot(
    source: str,
    format: str = "svg",  # noqa: A002 - Graphviz's name for it, as in graphviz.Digraph
    *,
    engine: str = "dot",
    program: DotProgram | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> bytes:
    """Run Graphviz on DOT `source` and return the picture in `format` (``"svg"``, ``"png"``, ``"pdf"``, ...).

    Args:
        source: DOT source, e.g. from `autograd.viz.to_dot`.
        format: Graphviz output format (``-T``), optionally with ``:renderer:formatter``.
        engine: Graphviz layout engine (``-K``).
        program: which program to run; `find_dot` by default.
        timeout: seconds before the program is stopped (`DEFAULT_TIMEOUT`); None: no limit.

    Raises:
        GraphvizNotFoundError: no Graphviz program was found.
        ValueError: the program cannot write `format` (e.g. PDF with the ``graphviz-pure`` fallback).
        RenderError: the program failed (its error output is in the message), or ran out of time.
    """
    if not isinstance(source, str):
        raise TypeError(f"render_dot expects DOT source as a str, got {describe(source)}")
    if not isinstance(format, str) or not _FORMAT_TOKEN.fullmatch(format):
        raise ValueError(f"format must be a Graphviz output format such as 'svg', 'png' or 'pdf', got {quote(format)}")
    if not isinstance(engine, str) or not _ENGINE_TOKEN.fullmatch(engine):
        raise ValueError(f"engine must be a Graphviz layout engine such as 'dot', got {quote(engine)}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds or None (no limit), got {quote(timeout)}")
    prog = program if program is not None else find_dot()
    try:
        proc = subprocess.run(
            [prog.path, f"-K{engine}", f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        edges = source.count("->")
        raise RenderError(
            f"{prog.name} did not finish laying out the graph within {timeout:g} s ({edges} edges): layout time "
            "grows with how tangled the graph is; draw a sub-graph (pass an intermediate Value), or allow more "
            "time with timeout= (--timeout on the command line; None / 0 for no limit)"
        ) from None
    except OSError as exc:
        raise GraphvizNotFoundError(f"could not run {prog.path}: {exc}\n\n{_install_help('nowhere else')}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", errors="replace").strip()
        if "not recognized" in message and "Use one of" in message:
            formats = sorted({f.split(":", 1)[0] for f in message.split("Use one of:", 1)[1].split()})
            hint = " (install Graphviz's dot for that, or save as .svg or .png)" if prog.is_fallback else ""
            raise ValueError(
                f"{prog.name} ({prog.path}) cannot write {quote(format)}{hint}; it writes: {', '.join(formats)}"
            )
        raise RenderError(f"{prog.name} ({prog.path}) failed with exit status {proc.returncode}: {message}")
    return proc.stdout
