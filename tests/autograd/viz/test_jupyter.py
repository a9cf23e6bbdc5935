"""autograd.viz.jupyter: draw() returns a graphviz.Digraph that notebooks display inline, with either program."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import autograd
import autograd.viz.jupyter as jupyter_module
from autograd import GraphTooLargeError, Value, viz
from autograd.viz import DotProgram, GraphvizNotFoundError, draw, to_dot

Neuron = Callable[[], tuple[Value, dict[str, Value]]]
ParseSvg = Callable[[str | bytes], Any]  # conftest.parse_svg


def test_draw_returns_a_digraph_that_jupyter_displays_inline(
    any_program: DotProgram, neuron: Neuron, svg: ParseSvg
) -> None:
    graphviz = pytest.importorskip("graphviz")
    o, _ = neuron()
    g = draw(o, highlight=[o])
    assert isinstance(g, graphviz.Digraph)
    assert type(g).__name__ == "ValueGraph" and type(g).__module__ == "autograd.viz.jupyter"
    assert g.source == to_dot(o, highlight=[o])
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "data 0.7071" in [t for lines in svg(bundle["image/svg+xml"]).nodes.values() for t in lines]
    assert g.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert g.pipe(format="svg", encoding="utf-8").lstrip().startswith("<?xml")
    assert g.copy().source == g.source


def test_ipython_display_formatter_produces_svg(any_program: DotProgram, neuron: Neuron) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    o, _ = neuron()
    data, _ = formatters.DisplayFormatter().format(draw(o))
    assert "image/svg+xml" in data
    assert "tanh" in data["image/svg+xml"]


def test_inline_display_works_with_only_the_fallback(only_fallback: DotProgram, neuron: Neuron) -> None:
    pytest.importorskip("graphviz")
    bundle = draw(neuron()[0])._repr_mimebundle_()
    assert "data 0.7071" in bundle["image/svg+xml"]


def test_without_any_program_the_graph_is_built_but_not_rendered(no_graphviz: None, neuron: Neuron) -> None:
    pytest.importorskip("graphviz")
    o, _ = neuron()
    g = draw(o)  # building the graph needs no program
    assert g.source == to_dot(o)
    with pytest.raises(GraphvizNotFoundError):
        g._repr_mimebundle_()


def test_neato_no_op_is_refused() -> None:
    pytest.importorskip("graphviz")
    with pytest.raises(ValueError, match="neato_no_op is not supported"):
        draw(Value(1.0)).pipe(neato_no_op=True)


def test_digraph_render_uses_dot(system_dot: DotProgram, neuron: Neuron, tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    out = draw(neuron()[0]).render(filename=str(tmp_path / "g"), format="png")
    assert Path(out).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digraph_render_with_only_the_fallback_explains(
    only_fallback: DotProgram, neuron: Neuron, tmp_path: Path
) -> None:
    pytest.importorskip("graphviz")
    with pytest.raises(GraphvizNotFoundError, match=r"render\(\) and \.view\(\) run Graphviz's `dot`.*save_graph"):
        draw(neuron()[0]).render(filename=str(tmp_path / "g"), format="png")


def test_repr_has_no_memory_address_so_saved_notebooks_are_stable() -> None:
    pytest.importorskip("graphviz")
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    text = repr(draw(y))
    assert text == "<ValueGraph: 4 values; display it in Jupyter or call autograd.save_graph>"
    assert repr(draw(y)) == text


def test_draw_refuses_graphs_that_are_too_large() -> None:
    v = Value(1.0)
    for _ in range(500):
        v = v.tanh()
    with pytest.raises(GraphTooLargeError, match="more than 500 values"):
        draw(v)


# ---------------------------------------------------------------- optional dependency, lazy loading


def test_draw_without_the_graphviz_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    monkeypatch.setattr(jupyter_module, "_graph_class", None)
    x = Value(1.0, label="x")
    assert "<B>x</B>" in to_dot(x)  # the DOT source needs no graphviz package
    with pytest.raises(
        ModuleNotFoundError, match=r"needs graphviz, which is not installed: .*pip install graphviz.*\.\[viz\]"
    ) as info:
        draw(x)
    assert info.value.name == "graphviz"


def test_import_autograd_loads_neither_drawing_nor_graphviz() -> None:
    code = (
        "import sys, autograd; print(sorted(m for m in ('autograd.viz', 'graphviz', 'subprocess') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_autograd_exports_the_drawing_functions_lazily() -> None:
    assert autograd.draw is viz.draw and autograd.save_graph is viz.save_graph and autograd.to_dot is viz.to_dot
    assert {"draw", "save_graph", "to_dot"} <= set(autograd.__all__)
    assert callable(autograd.draw)  # a function, not a submodule


@pytest.mark.parametrize("name", ["autograd.viz.jupyter", "autograd.viz.save", "autograd.viz.dot"])
def test_docstring_examples(name: str) -> None:
    pytest.importorskip("graphviz")
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name == "autograd.viz.jupyter":
        assert result.attempted > 0
