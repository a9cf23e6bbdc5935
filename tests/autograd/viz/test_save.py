"""autograd.viz.save: save_graph writes SVG, PNG, PDF or DOT source in one call, and file_format picks which."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from autograd.viz import DotProgram, GraphvizNotFoundError, draw, file_format, save_graph, to_dot

Neuron = Callable[[], tuple[Value, dict[str, Value]]]
ParseSvg = Callable[[str | bytes], Any]  # conftest.parse_svg


def test_save_graph_formats(any_program: DotProgram, neuron: Neuron, svg: ParseSvg, tmp_path: Path) -> None:
    o, v = neuron()
    written = save_graph(o, tmp_path / "g.svg", highlight=[v["w1"]])
    assert written == tmp_path / "g.svg"
    assert len(svg(written.read_bytes()).nodes) == 15
    assert save_graph(o, str(tmp_path / "g.PNG")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # str path, any case
    assert save_graph(o, tmp_path / "g.dot", rankdir="TB").read_text() == to_dot(o, rankdir="TB")
    assert save_graph(o, tmp_path / "g.gv").read_text() == to_dot(o)
    assert save_graph(o, tmp_path / "picture", format="svg").read_bytes().lstrip().startswith(b"<?xml")
    assert save_graph(to_dot(o), tmp_path / "from-source.svg").exists()  # DOT text
    assert save_graph([o, v["n"]], tmp_path / "two.dot").read_text() == to_dot([o, v["n"]])


def test_save_graph_pdf_with_dot(system_dot: DotProgram, neuron: Neuron, tmp_path: Path) -> None:
    assert save_graph(neuron()[0], tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


def test_fallback_cannot_write_pdf_and_says_so(only_fallback: DotProgram, neuron: Neuron, tmp_path: Path) -> None:
    expected = r"graphviz-pure .* cannot write 'pdf' \(install Graphviz's dot for that, or save as .svg or .png\)"
    with pytest.raises(ValueError, match=expected):
        save_graph(neuron()[0], tmp_path / "g.pdf")
    assert not (tmp_path / "g.pdf").exists()


def test_dot_source_needs_no_program(no_graphviz: None, neuron: Neuron, tmp_path: Path) -> None:
    o, _ = neuron()
    with pytest.raises(GraphvizNotFoundError):
        save_graph(o, tmp_path / "g.svg")
    assert save_graph(o, tmp_path / "g.dot").read_text() == to_dot(o)


def test_save_graph_from_a_digraph(any_program: DotProgram, neuron: Neuron, tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    g = draw(neuron()[0], rankdir="TB")
    assert save_graph(g, tmp_path / "g.dot").read_text() == g.source
    assert save_graph(g, tmp_path / "g.svg").read_bytes().lstrip().startswith(b"<?xml")
    with pytest.raises(TypeError, match=r"drawing options \(rankdir\) apply only when save_graph is given Values"):
        save_graph(g, tmp_path / "g2.svg", rankdir="LR")


def test_save_graph_errors(tmp_path: Path) -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"cannot tell the picture format from the file name .*g\.bmp.*\.svg, \.png"):
        save_graph(x, tmp_path / "g.bmp")
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, jpg, dot, gv, got 'bmp'"):
        save_graph(x, tmp_path / "g.svg", format="bmp")
    with pytest.raises(TypeError, match=re.escape("path must be a str or os.PathLike, got Value")):
        save_graph(tmp_path / "g.svg", x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="save_graph expects a Value, a list of Values, a graph returned by draw"):
        save_graph(42, tmp_path / "g.dot")
    with pytest.raises(TypeError, match="save_graph got an option that draw\\(\\) does not take"):
        save_graph(x, tmp_path / "g.dot", colour="red")
    with pytest.raises(TypeError, match="highlight expects Values, got an iterable containing int 3"):
        save_graph(x, tmp_path / "g.dot", highlight=[3])  # draw's own message comes through
    with pytest.raises(FileNotFoundError):
        save_graph(x, tmp_path / "missing-dir" / "g.dot")
    assert save_graph((v for v in [x]), tmp_path / "gen.dot").read_text() == to_dot(x)  # any iterable of Values


@pytest.mark.parametrize(
    ("path", "fmt", "expected"),
    [
        ("g.svg", None, "svg"),
        ("G.PNG", None, "png"),
        ("a/b.gv", None, "gv"),
        ("g", "PDF", "pdf"),
        ("g.out", ".dot", "dot"),
    ],
)
def test_file_format(path: str, fmt: str | None, expected: str) -> None:
    assert file_format(path, fmt) == expected


def test_format_that_contradicts_the_file_name_is_refused(tmp_path: Path) -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"says svg but the format asked for is png: name the file \.png"):
        save_graph(x, tmp_path / "g.svg", format="png")
    assert not (tmp_path / "g.svg").exists()
    assert file_format("g.out", "png") == "png"  # an unknown suffix: the format decides
    assert file_format("g.SVG", "svg") == "svg"


def test_jpg_is_listed_and_written(tmp_path: Path, any_program: DotProgram) -> None:
    from autograd.viz import FILE_FORMATS

    assert "jpg" in FILE_FORMATS
    assert file_format("g.jpeg") == "jpg" and file_format("g.jpg") == "jpg"
    path = save_graph(Value(1.0) * 2, tmp_path / "g.jpg")
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG's magic number
