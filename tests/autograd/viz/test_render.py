"""autograd.viz.render: finding dot or the graphviz-pure fallback, running it, and what it draws."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import autograd.viz.render as render_module
from autograd import Value
from autograd.viz import DotProgram, GraphvizNotFoundError, RenderError, find_dot, render_dot, to_dot

Neuron = Callable[[], tuple[Value, dict[str, Value]]]
ParseSvg = Callable[[str | bytes], Any]  # conftest.parse_svg
SVG = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------- what the picture shows


def test_rendered_svg_shows_labels_values_grads_and_ops(program: DotProgram, neuron: Neuron, svg: ParseSvg) -> None:
    o, _ = neuron()
    picture = svg(render_dot(to_dot(o), program=program))
    drawn = picture.nodes
    assert len(drawn) == 10 + 5
    assert len(picture.edges) == 14
    assert drawn["n0"] == ["x1", "data 2", "grad -1.5"]
    by_label = {lines[0]: lines for name, lines in drawn.items() if name.startswith("n") and len(lines) == 3}
    assert by_label["w1"] == ["w1", "data -3", "grad 1"]
    assert by_label["o"] == ["o", "data 0.7071", "grad 1"]
    assert by_label["b"] == ["b", "data 6.881", "grad 0.5"]
    ops = sorted(lines[0] for name, lines in drawn.items() if name.startswith("op"))
    assert ops == ["*", "*", "+", "+", "tanh"]
    assert set(picture.edges) >= {"n0->op2", "op9->n9"}  # x1 feeds x1*w1; tanh makes o


def test_show_grad_false_in_the_picture(program: DotProgram, neuron: Neuron, svg: ParseSvg) -> None:
    drawn = svg(render_dot(to_dot(neuron()[0], show_grad=False), program=program)).nodes
    texts = [t for lines in drawn.values() for t in lines]
    assert "data 0.7071" in texts and not any(t.startswith("grad") for t in texts)


def test_rankdir_changes_the_layout(program: DotProgram, svg: ParseSvg) -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(6):
        y = y.tanh()

    def size(rankdir: str) -> tuple[float, float]:
        view_box = svg(render_dot(to_dot(y, rankdir=rankdir), program=program)).root.get("viewBox", "")
        _, _, width, height = (float(p) for p in view_box.split())
        return width, height

    lr_w, lr_h = size("LR")
    tb_w, tb_h = size("TB")
    assert lr_w > 3 * lr_h and tb_h > 3 * tb_w


def test_highlight_fills_the_chosen_nodes(program: DotProgram, neuron: Neuron, svg: ParseSvg) -> None:
    o, v = neuron()
    source = to_dot(o, highlight=[v["w1"], v["w2"]], highlight_color="#ffcc00")
    root = svg(render_dot(source, program=program)).root
    filled = set()
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node" and any(
            (p.get("fill") or "").lower() == "#ffcc00" for p in group.iter(f"{SVG}polygon")
        ):
            filled.add("".join(group.find(f"{SVG}text").itertext()))
    assert filled == {"w1", "w2"}


# ---------------------------------------------------------------- finding dot, the fallback, no program


def test_find_dot_prefers_graphviz_dot(system_dot: DotProgram) -> None:
    found = find_dot()
    assert found.name == "dot" and not found.is_fallback
    assert os.path.samefile(found.path, system_dot.path)


def test_fallback_is_used_when_dot_is_missing(only_fallback: DotProgram, neuron: Neuron, svg: ParseSvg) -> None:
    found = find_dot()
    assert found.name == "graphviz-pure" and found.is_fallback
    assert os.path.samefile(found.path, only_fallback.path)
    data = render_dot(to_dot(neuron()[0]), "svg")  # the default program: the fallback
    assert b"graphviz-pure" in data[:400]  # its generator comment: the fallback really rendered this
    assert len(svg(data).nodes) == 15


def test_fallback_found_on_path(fallback: DotProgram, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "graphviz-pure").symlink_to(fallback.path)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(render_module, "_script_dirs", lambda: [])
    assert find_dot() == DotProgram(str(bin_dir / "graphviz-pure"), "graphviz-pure")


def test_no_program_at_all_gives_install_instructions(no_graphviz: None, neuron: Neuron) -> None:
    with pytest.raises(GraphvizNotFoundError) as info:
        find_dot()
    message = str(info.value)
    for needle in (
        "neither `dot` nor the `graphviz-pure` fallback was found",
        "apt-get install graphviz",
        "brew install graphviz",
        "https://graphviz.org/download/",
        f"{sys.executable} -m pip install 'graphviz-pure==0.2.2'`",
        "pip install -e '.[viz]'",
        "to_dot() needs neither",
    ):
        assert needle in message
    with pytest.raises(GraphvizNotFoundError):
        render_dot(to_dot(neuron()[0]))


def test_a_vanished_program_is_reported(tmp_path: Path) -> None:
    gone = DotProgram(str(tmp_path / "no-such-dot"), "dot")
    with pytest.raises(GraphvizNotFoundError, match=r"could not run .*no-such-dot"):
        render_dot("digraph {}", program=gone)


def test_the_fallback_pin_matches_the_viz_extra() -> None:
    pyproject = Path(render_module.__file__).parents[2] / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("not running from a source checkout")
    assert f'"{render_module.FALLBACK_REQUIREMENT}"' in pyproject.read_text()


# ---------------------------------------------------------------- render_dot's errors


def test_render_dot_errors(program: DotProgram) -> None:
    with pytest.raises(RenderError, match=f"{program.name} .* failed with exit status .*syntax error"):
        render_dot("digraph { a -> }", program=program)
    with pytest.raises(ValueError, match=f"{program.name} .* cannot write 'nosuchformat'.*; it writes: .*png.*svg"):
        render_dot("digraph { a }", "nosuchformat", program=program)
    for bad in ("svg -o /tmp/x", "", "../svg", 3):
        with pytest.raises(ValueError, match="format must be a Graphviz output format"):
            render_dot("digraph { a }", bad, program=program)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="engine must be"):
        render_dot("digraph { a }", engine="dot -x", program=program)
    with pytest.raises(TypeError, match="render_dot expects DOT source as a str, got bytes"):
        render_dot(b"digraph {}", program=program)  # type: ignore[arg-type]


def test_layout_time_is_bounded_with_a_clear_message(tmp_path: Path) -> None:
    # A stand-in for a Graphviz that takes too long (a tangled graph): stopped at the timeout.
    slow = tmp_path / "slow-dot"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    slow.chmod(0o755)
    program = DotProgram(str(slow), "dot")
    with pytest.raises(RenderError, match=r"did not finish laying out the graph within 0.5 s \(3 edges\).*timeout="):
        render_dot(to_dot(Value(1.0) * 2), "svg", program=program, timeout=0.5)
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds or None"):
        render_dot("digraph {}", "svg", program=program, timeout=0)
