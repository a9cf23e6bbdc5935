"""Fixtures for the drawing tests: the Graphviz programs installed, a sample graph, SVG parsing.

Rendering tests run once per available program: Graphviz's ``dot`` (when it is
installed, as CI does) and the ``graphviz-pure`` fallback.  Assertions are on
the content of the SVG (parsed as XML), never on its bytes.
"""

from __future__ import annotations

import os
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import autograd.viz.render as render_module
from autograd import Value
from autograd.viz import DotProgram

sys.path.insert(0, str(Path(__file__).parent))
from neuron_graphs import micrograd_neuron

SVG = "{http://www.w3.org/2000/svg}"
# Every element Graphviz writes for our graphs; anything else (e.g. <script>) would be injected markup.
SVG_TAGS = {"svg", "g", "title", "polygon", "polyline", "ellipse", "path", "text", "defs"}


def _system_dot() -> DotProgram | None:
    path = shutil.which("dot")
    return DotProgram(os.path.abspath(path), "dot") if path else None


def _fallback() -> DotProgram | None:
    scripts = os.pathsep.join(render_module._script_dirs())
    path = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=scripts)
    return DotProgram(os.path.abspath(path), "graphviz-pure") if path else None


SYSTEM_DOT = _system_dot()
FALLBACK = _fallback()


@pytest.fixture(params=["dot", "graphviz-pure"])
def program(request: pytest.FixtureRequest) -> DotProgram:
    """Each Graphviz program that is installed, in turn (skipped when it is not: CI installs dot)."""
    chosen = SYSTEM_DOT if request.param == "dot" else FALLBACK
    if chosen is None:
        pytest.skip(f"{request.param} is not installed")
    return chosen


@pytest.fixture
def any_program() -> DotProgram:
    """The program find_dot() picks; skips the test when there is none at all."""
    chosen = SYSTEM_DOT or FALLBACK
    if chosen is None:
        pytest.skip("no Graphviz program at all (dot or graphviz-pure)")
    return chosen


@pytest.fixture
def system_dot() -> DotProgram:
    """Graphviz's own dot; skips the test when it is not installed (CI installs it)."""
    if SYSTEM_DOT is None:
        pytest.skip("Graphviz's dot is not installed (CI installs it)")
    return SYSTEM_DOT


@pytest.fixture
def fallback() -> DotProgram:
    """The graphviz-pure program; skips the test when it is not installed (it is in valuegrad[viz])."""
    if FALLBACK is None:
        pytest.skip("graphviz-pure is not installed (it is in valuegrad[viz])")
    return FALLBACK


@pytest.fixture
def only_fallback(fallback: DotProgram, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> DotProgram:
    """A PATH without dot: find_dot must fall back to graphviz-pure next to this Python."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(render_module, "_script_dirs", lambda: [os.path.dirname(fallback.path)])
    return fallback


@pytest.fixture
def no_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither dot nor graphviz-pure can be found."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(render_module, "_script_dirs", lambda: [str(empty)])


def build_neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron example, after backward(): 10 values, 5 operations."""
    return micrograd_neuron(label_steps=True, backward=True)


@pytest.fixture
def neuron() -> Callable[[], tuple[Value, dict[str, Value]]]:
    """`build_neuron`: call it for a fresh copy of the neuron graph."""
    return build_neuron


@dataclass
class Picture:
    """A rendered SVG, parsed."""

    root: ET.Element
    nodes: dict[str, list[str]]
    """DOT node id -> the text lines drawn in that node."""
    edges: list[str]
    """The edges drawn, as their titles (``n0->op2``)."""


def parse_svg(svg: str | bytes) -> Picture:
    """Parse SVG as XML (it must be well-formed) and check it contains only Graphviz's own elements."""
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= SVG_TAGS, f"unexpected elements in the SVG: {tags - SVG_TAGS}"
    for el in root.iter():
        assert not any(name.lower().startswith("on") for name in el.attrib), el.attrib  # no event handlers
    nodes: dict[str, list[str]] = {}
    edges: list[str] = []
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") == "node":
            assert title is not None
            nodes[title.text or ""] = ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]
        elif group.get("class") == "edge":
            assert title is not None
            edges.append(title.text or "")
    return Picture(root, nodes, edges)


@pytest.fixture
def svg() -> Callable[[str | bytes], Picture]:
    """`parse_svg`: SVG text or bytes -> a `Picture` with its nodes and edges."""
    return parse_svg
