"""autograd.draw / to_dot / save_graph / render_dot: DOT source, real rendering, escaping, limits, dot lookup.

Rendering tests run once per available program: Graphviz's ``dot`` (when it is
installed, as CI does) and the ``graphviz-pure`` fallback.  Assertions are on
the content of the SVG (parsed as XML), never on its bytes.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
from autograd import Value, defop, draw, save_graph, to_dot, topological_order, viz
from autograd.viz import (
    DotProgram,
    GraphTooLargeError,
    GraphvizNotFoundError,
    RenderError,
    find_dot,
    render_dot,
)

SVG = "{http://www.w3.org/2000/svg}"
# Every element Graphviz writes for our graphs; anything else (e.g. <script>) would be injected markup.
SVG_TAGS = {"svg", "g", "title", "polygon", "polyline", "ellipse", "path", "text", "defs"}


# ---------------------------------------------------------------- helpers


def _system_dot() -> DotProgram | None:
    path = shutil.which("dot")
    return DotProgram(os.path.abspath(path), "dot") if path else None


def _fallback() -> DotProgram | None:
    path = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=os.pathsep.join(viz._script_dirs()))
    return DotProgram(os.path.abspath(path), "graphviz-pure") if path else None


SYSTEM_DOT = _system_dot()
FALLBACK = _fallback()
needs_system_dot = pytest.mark.skipif(SYSTEM_DOT is None, reason="Graphviz's dot is not installed (CI installs it)")
needs_fallback = pytest.mark.skipif(FALLBACK is None, reason="graphviz-pure is not installed (it is in valuegrad[viz])")
needs_any = pytest.mark.skipif(SYSTEM_DOT is None and FALLBACK is None, reason="no Graphviz program at all")


@pytest.fixture(
    params=[
        pytest.param("dot", marks=needs_system_dot),
        pytest.param("graphviz-pure", marks=needs_fallback),
    ]
)
def program(request: pytest.FixtureRequest) -> DotProgram:
    """Each Graphviz program that is installed, in turn."""
    chosen = SYSTEM_DOT if request.param == "dot" else FALLBACK
    assert chosen is not None
    return chosen


@pytest.fixture
def only_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> DotProgram:
    """A PATH without dot: find_dot must fall back to graphviz-pure next to this Python."""
    if FALLBACK is None:
        pytest.skip("graphviz-pure is not installed")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viz, "_script_dirs", lambda: [os.path.dirname(FALLBACK.path)])
    return FALLBACK


@pytest.fixture
def no_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither dot nor graphviz-pure can be found."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viz, "_script_dirs", lambda: [str(empty)])


def svg_root(svg: str | bytes) -> ET.Element:
    """Parse SVG text as XML (it must be well-formed) and check it contains only Graphviz's own elements."""
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= SVG_TAGS, f"unexpected elements in the SVG: {tags - SVG_TAGS}"
    for el in root.iter():
        assert not any(name.lower().startswith("on") for name in el.attrib), el.attrib  # no event handlers
    return root


def nodes(root: ET.Element) -> dict[str, list[str]]:
    """DOT node id -> the text lines drawn in that node."""
    out = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title")
            assert title is not None
            out[title.text or ""] = ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]
    return out


def edges(root: ET.Element) -> list[str]:
    """The edges drawn, as their titles (``n0->op2``)."""
    titles = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "edge":
            title = group.find(f"{SVG}title")
            assert title is not None
            titles.append(title.text or "")
    return titles


def render(root: Value | list[Value], program: DotProgram, **options: object) -> ET.Element:
    return svg_root(render_dot(to_dot(root, **options), "svg", program=program))  # type: ignore[arg-type]


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron example, after backward()."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


def node_lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if re.match(r"\s*(n|op)\d+ \[", line)]


# ---------------------------------------------------------------- the DOT source


def test_to_dot_structure_of_the_neuron() -> None:
    o, _ = neuron()
    source = to_dot(o)
    assert source.startswith("digraph {\n") and source.endswith("}\n")
    values = re.findall(r"^\tn(\d+) \[", source, re.M)
    ops = re.findall(r"^\top(\d+) \[", source, re.M)
    assert values == [str(i) for i in range(10)]  # 10 values, ids in walk order
    assert len(ops) == 5  # *, *, +, +, tanh
    assert len(re.findall(r"->", source)) == 2 * 4 + 1 * 1 + 5  # inputs of 4 binary + 1 unary op, 5 op->result
    assert "<B>x1</B>" in source and "<B>o</B>" in source
    assert "data 0.7071" in source and "grad 1.0000" in source  # o
    assert "data -3.0000" in source and "grad 1.0000" in source  # w1: do/dw1 = x1 * 0.5
    assert "grad -1.5000" in source  # x1
    for op in ("*", "+", "tanh"):
        assert f"label=<{op}>" in source
    assert "rankdir=LR" in source


def test_ids_follow_topological_order_not_memory_addresses() -> None:
    o, _ = neuron()
    source = to_dot(o)
    labels_in_source = re.findall(r"<B>(.*?)</B>", source)
    assert labels_in_source == [html_escape(v.label) for v in topological_order(o) if v.label]
    assert not re.search(r"\d{7,}", source)  # no id()-like numbers


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def test_same_program_gives_the_same_source_every_time() -> None:
    first = to_dot(neuron()[0])
    for _ in range(3):
        assert to_dot(neuron()[0]) == first
    # ... and in a fresh interpreter (different memory addresses, different hash seeds)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "from test_draw import neuron; from autograd import to_dot; sys.stdout.write(to_dot(neuron()[0]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    here = str(Path(__file__).parent)
    root = str(Path(autograd.__file__).parent.parent)
    out = subprocess.run([sys.executable, "-c", code, here, root], capture_output=True, text=True, env=env, check=True)
    assert out.stdout == first


def test_reused_values_are_drawn_once_with_one_edge_per_use() -> None:
    a = Value(3.0, label="a")
    b = a + a
    c = b * b
    source = to_dot(c)
    assert source.count("<B>a</B>") == 1
    assert len(re.findall(r"^\tn0 -> op1$", source, re.M)) == 2  # a + a: two edges from a
    assert len(re.findall(r"^\tn1 -> op2$", source, re.M)) == 2  # b * b


def test_inputs_are_listed_in_argument_order() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    d1, d2 = a - b, b - a
    s1, s2 = to_dot(d1), to_dot(d2)
    assert s1.index("\tn0 -> op2") < s1.index("\tn1 -> op2")  # a is n0, b is n1: a first
    assert re.findall(r"<B>(\w)</B>", s2) == ["b", "a"]  # walked in argument order: b first
    assert "ordering=in" in s1  # dot keeps that order when placing the inputs


def test_multiple_roots_share_nodes_and_follow_merged_walk_order() -> None:
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    h = x * y
    h.label = "h"
    out1, out2 = h.tanh(), h + x
    out1.label, out2.label = "out1", "out2"
    source = to_dot([out1, out2])
    assert source.count("<B>h</B>") == 1 and source.count("<B>x</B>") == 1
    merged: list[Value] = []
    for root in (out1, out2):
        merged.extend(v for v in topological_order(root) if v not in merged)
    assert re.findall(r"<B>(.*?)</B>", source) == [v.label for v in merged]
    assert to_dot([out1, out2, out1]) == source  # a root given twice is drawn once
    assert to_dot((out1, out2)) == source  # any iterable


def test_walk_matches_topological_order_on_random_graphs() -> None:
    import random

    rng = random.Random(7)
    for _ in range(50):
        pool = [Value(rng.random()) for _ in range(rng.randint(1, 4))]
        for _ in range(rng.randint(0, 30)):
            a, b = rng.choice(pool), rng.choice(pool)
            pool.append(rng.choice([a + b, a * b, a - b, a.tanh(), -a]))
        root = pool[-1]
        assert viz._walk([root], None) == topological_order(root)


def test_user_defined_operations_show_their_own_name() -> None:
    softplus = defop("softplus", lambda x: math.log1p(math.exp(x)), lambda x, out: autograd.sigmoid(x))
    y = softplus(Value(0.5, label="x"))
    assert "label=<softplus>" in to_dot(y)


def test_no_grad_values_are_leaves_and_show_no_operation() -> None:
    x = Value(1.0, label="x")
    with autograd.no_grad():
        y = x * 2.0
    source = to_dot(y)
    assert re.findall(r"^\top\d+ \[", source, re.M) == [] and "->" not in source
    assert len(re.findall(r"^\tn\d+ \[", source, re.M)) == 1


def test_show_grad_false_hides_gradients() -> None:
    o, _ = neuron()
    source = to_dot(o, show_grad=False)
    assert "grad" not in source and "data 0.7071" in source


@pytest.mark.parametrize(
    ("spec", "expected"),
    [(".2f", "data 2.00"), (".3g", "data 2"), (".2e", "data 2.00e+00"), ("%.1f", "data 2.0"), ("+.1f", "data +2.0")],
)
def test_number_format_specs(spec: str, expected: str) -> None:
    assert expected + "<" in to_dot(Value(2.0), number_format=spec)


def test_number_format_function_and_special_values() -> None:
    source = to_dot(Value(0.25), number_format=lambda x: f"{x:.1%} <&>")
    assert "data 25.0% &lt;&amp;&gt;" in source
    assert "data nan" in to_dot(Value(float("nan")))
    assert "data inf" in to_dot(Value(float("inf")))
    assert "data -inf" in to_dot(Value(float("-inf")))


@pytest.mark.parametrize("spec", ["%", "q", ".4z", "{:.2f}", "", "%d%d"])
def test_bad_number_format_raises_valueerror(spec: str) -> None:
    if spec == "":  # format(1.5, "") is valid: plain str()
        assert "data 1.5<" in to_dot(Value(1.5), number_format=spec)
        return
    with pytest.raises(ValueError, match=r"number_format .* not a format spec for floats; expected e\.g\. '\.4f'"):
        to_dot(Value(1.0), number_format=spec)


def test_bad_number_format_types() -> None:
    expected = "number_format must be a format spec such as '.4f' or a function, got int 4"
    with pytest.raises(TypeError, match=re.escape(expected)):
        to_dot(Value(1.0), number_format=4)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number_format function must return a str, got float"):
        to_dot(Value(1.0), number_format=lambda x: x)  # type: ignore[arg-type, return-value]


def test_rankdir_option() -> None:
    assert "rankdir=TB" in to_dot(Value(1.0), rankdir="TB")
    assert "rankdir=BT" in to_dot(Value(1.0), rankdir="bt")  # case-insensitive
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB, RL, BT, got 'diagonal'"):
        to_dot(Value(1.0), rankdir="diagonal")


def test_highlight_marks_exactly_the_chosen_values() -> None:
    o, v = neuron()
    params = [v["w1"], v["w2"], v["b"]]
    source = to_dot(o, highlight=params, highlight_color="#ffcc00")
    highlighted = [line for line in node_lines(source) if 'BGCOLOR="#ffcc00"' in line]
    assert sorted(re.search(r"<B>(.*?)</B>", line).group(1) for line in highlighted) == ["b", "w1", "w2"]  # type: ignore[union-attr]
    assert to_dot(o, highlight=v["o"]).count("BGCOLOR") == 1  # a single Value
    assert to_dot(o, highlight=[Value(1.0)]).count("BGCOLOR") == 0  # values outside the graph are ignored
    assert to_dot(o, highlight=None).count("BGCOLOR") == 0


def test_highlight_errors() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=re.escape("highlight expects Values, got an iterable containing float 1.0")):
        to_dot(x, highlight=[x, 1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="highlight expects a Value or an iterable of Values, got str 'x'"):
        to_dot(x, highlight="x")  # type: ignore[arg-type]
    for color in ("light blue", '"red"', "red]; n0 -> n0 [color=blue", "#12345", "<b>", "", None):
        with pytest.raises(ValueError, match="highlight_color must be a colour name"):
            to_dot(x, highlight=[x], highlight_color=color)  # type: ignore[arg-type]


def test_bad_roots() -> None:
    with pytest.raises(TypeError, match="expected a Value or a list of Values to draw, got str 'x'"):
        to_dot("x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("expected a Value or a list of Values to draw, got float 2.0")):
        to_dot(2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got a collection containing int 3"):
        to_dot([Value(1.0), 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="at least one Value"):
        to_dot([])
    with pytest.raises(TypeError, match="got str 'x'"):
        draw("x")  # type: ignore[arg-type]


# ---------------------------------------------------------------- escaping

HOSTILE = [
    # (label, lines the picture must show)
    ('say "hi" and \'bye\'', ['say "hi" and \'bye\'']),
    ("back\\slash \\n \\l \\N \\G \\\\", ["back\\slash \\n \\l \\N \\G \\\\"]),
    ("{ } | < > [ ] ; , = -> -- \\|", ["{ } | < > [ ] ; , = -> -- \\|"]),
    ("<script>alert(1)</script>", ["<script>alert(1)</script>"]),
    ("<b>not bold</b> &amp; &lt; &#x41; &", ["<b>not bold</b> &amp; &lt; &#x41; &"]),
    ("]]> <!-- c --> <?xml?> <![CDATA[x]]>", ["]]> <!-- c --> <?xml?> <![CDATA[x]]>"]),
    ('}"]; n0 -> n0 [color=red]; evil [label="x', ['}"]; n0 -> n0 [color=red]; evil [label="x']),
    ("> <TABLE><TR><TD>x</TD></TR></TABLE>", ["> <TABLE><TR><TD>x</TD></TR></TABLE>"]),
    ("é ñ 中文 😀 ∂L/∂w", ["é ñ 中文 😀 ∂L/∂w"]),
    ("two\nlines", ["two", "lines"]),
    ("crlf\r\nand\rcr", ["crlf", "and", "cr"]),
    ("nul\x00bell\x07esc\x1bdel\x7f", ["nul\\x00bell\\x07esc\\x1bdel\\x7f"]),
    ("lone \ud800 surrogate \ufffe", ["lone \\ud800 surrogate \\ufffe"]),
    ("%s %d {0} {x!r}", ["%s %d {0} {x!r}"]),
]


def test_hostile_labels_in_the_dot_source() -> None:
    for label, _ in HOSTILE:
        source = to_dot(Value(1.0, label=label))
        (line,) = [x for x in source.splitlines() if x.startswith("\tn0 ")]
        inner = line[len("\tn0 [label=<") : line.rindex("> shape=plain]")]
        text = re.search(r"<B>(.*)</B>", inner).group(1)  # type: ignore[union-attr]
        assert "<" not in text.replace("<BR/>", "") and ">" not in text.replace("<BR/>", ""), label
        assert '"' not in text and "\n" not in text and "\x00" not in text, label
        text.encode("utf-8")  # no lone surrogates left


def test_html_text_escapes_everything_that_matters() -> None:
    assert viz.html_text("<&>\"'") == "&lt;&amp;&gt;&quot;&#x27;"
    assert viz.html_text("a\nb\r\nc") == "a<BR/>b<BR/>c"
    assert viz.html_text("\x01\ud800") == "\\\\x01\\\\ud800"  # shown as \x01\ud800 (see below)
    assert viz.html_text("\\N \\") == "\\\\N \\\\"  # Graphviz turns \\ into one backslash


@needs_any
def test_hostile_labels_render_as_text(program: DotProgram) -> None:
    leaves = [Value(float(i), label=label) for i, (label, _) in enumerate(HOSTILE)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    root = svg_root(render_dot(to_dot(total, max_nodes=None), "svg", program=program))
    drawn = nodes(root)
    n_values, n_ops = len(HOSTILE) * 2 - 1, len(HOSTILE) - 1
    assert len(drawn) == n_values + n_ops  # no node was added or lost by a label
    assert len(edges(root)) == 3 * n_ops  # no edge was injected
    order = topological_order(total)
    for leaf, (label, lines) in zip(leaves, HOSTILE, strict=True):
        shown = drawn[f"n{order.index(leaf)}"]
        assert shown[: len(lines)] == lines, (label, shown)
        assert shown[len(lines)] == f"data {leaf.data:.4f}"


@needs_any
def test_hostile_operation_names_render_as_text(program: DotProgram) -> None:
    evil = defop('<script>"op"</script> | {x}', lambda x: 2 * x, lambda x, out: 2.0)
    y = evil(Value(1.0, label="x"))
    drawn = nodes(render(y, program))
    assert drawn["op1"] == ['<script>"op"</script> | {x}']


# ---------------------------------------------------------------- rendering


@needs_any
def test_rendered_svg_shows_labels_values_grads_and_ops(program: DotProgram) -> None:
    o, _ = neuron()
    root = render(o, program)
    drawn = nodes(root)
    assert len(drawn) == 10 + 5
    assert len(edges(root)) == 14
    assert drawn["n0"] == ["x1", "data 2.0000", "grad -1.5000"]
    by_label = {lines[0]: lines for name, lines in drawn.items() if name.startswith("n") and len(lines) == 3}
    assert by_label["w1"] == ["w1", "data -3.0000", "grad 1.0000"]
    assert by_label["o"] == ["o", "data 0.7071", "grad 1.0000"]
    assert by_label["b"] == ["b", "data 6.8814", "grad 0.5000"]
    ops = sorted(lines[0] for name, lines in drawn.items() if name.startswith("op"))
    assert ops == ["*", "*", "+", "+", "tanh"]
    assert set(edges(root)) >= {"n0->op2", "op9->n9"}  # x1 feeds x1*w1; tanh makes o


@needs_any
def test_show_grad_false_in_the_picture(program: DotProgram) -> None:
    drawn = nodes(render(neuron()[0], program, show_grad=False))
    texts = [t for lines in drawn.values() for t in lines]
    assert "data 0.7071" in texts and not any(t.startswith("grad") for t in texts)


@needs_any
def test_rankdir_changes_the_layout(program: DotProgram) -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(6):
        y = y.tanh()

    def size(rankdir: str) -> tuple[float, float]:
        view_box = render(y, program, rankdir=rankdir).get("viewBox", "")
        _, _, width, height = (float(p) for p in view_box.split())
        return width, height

    lr_w, lr_h = size("LR")
    tb_w, tb_h = size("TB")
    assert lr_w > 3 * lr_h and tb_h > 3 * tb_w


@needs_any
def test_highlight_fills_the_chosen_nodes(program: DotProgram) -> None:
    o, v = neuron()
    root = render(o, program, highlight=[v["w1"], v["w2"]], highlight_color="#ffcc00")
    filled = set()
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node" and any(
            (p.get("fill") or "").lower() == "#ffcc00" for p in group.iter(f"{SVG}polygon")
        ):
            filled.add("".join(group.find(f"{SVG}text").itertext()))  # type: ignore[union-attr]
    assert filled == {"w1", "w2"}


@needs_any
def test_draw_returns_a_digraph_that_jupyter_displays_inline(program: DotProgram) -> None:
    graphviz = pytest.importorskip("graphviz")
    o, _ = neuron()
    g = draw(o, highlight=[o])
    assert isinstance(g, graphviz.Digraph)
    assert g.source == to_dot(o, highlight=[o])
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "data 0.7071" in [t for lines in nodes(svg_root(bundle["image/svg+xml"])).values() for t in lines]
    assert g.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert g.pipe(format="svg", encoding="utf-8").lstrip().startswith("<?xml")
    assert g.copy().source == g.source


@needs_any
def test_ipython_display_formatter_produces_svg() -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    o, _ = neuron()
    data, _ = formatters.DisplayFormatter().format(draw(o))
    assert "image/svg+xml" in data
    assert "tanh" in data["image/svg+xml"]


# ---------------------------------------------------------------- finding dot, the fallback, no program


@needs_system_dot
def test_find_dot_prefers_graphviz_dot() -> None:
    found = find_dot()
    assert found.name == "dot" and not found.is_fallback
    assert os.path.samefile(found.path, shutil.which("dot"))  # type: ignore[arg-type]


def test_fallback_is_used_when_dot_is_missing(only_fallback: DotProgram) -> None:
    found = find_dot()
    assert found.name == "graphviz-pure" and found.is_fallback
    assert os.path.samefile(found.path, only_fallback.path)
    svg = render_dot(to_dot(neuron()[0]), "svg")  # the default program: the fallback
    assert b"graphviz-pure" in svg[:400]  # its generator comment: the fallback really rendered this
    assert len(nodes(svg_root(svg))) == 15
    if pytest.importorskip("graphviz"):
        bundle = draw(neuron()[0])._repr_mimebundle_()  # Jupyter works with only the fallback
        assert "data 0.7071" in bundle["image/svg+xml"]


def test_fallback_found_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if FALLBACK is None:
        pytest.skip("graphviz-pure is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "graphviz-pure").symlink_to(FALLBACK.path)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(viz, "_script_dirs", lambda: [])
    assert find_dot() == DotProgram(str(bin_dir / "graphviz-pure"), "graphviz-pure")


def test_fallback_cannot_write_pdf_and_says_so(only_fallback: DotProgram, tmp_path: Path) -> None:
    expected = r"graphviz-pure .* cannot write 'pdf' \(install Graphviz's dot for that, or save as .svg or .png\)"
    with pytest.raises(ValueError, match=expected):
        save_graph(neuron()[0], tmp_path / "g.pdf")
    assert not (tmp_path / "g.pdf").exists()


def test_no_program_at_all_gives_install_instructions(no_graphviz: None, tmp_path: Path) -> None:
    with pytest.raises(GraphvizNotFoundError) as info:
        find_dot()
    message = str(info.value)
    for needle in (
        "neither `dot` nor the `graphviz-pure` fallback was found",
        "apt-get install graphviz",
        "brew install graphviz",
        "https://graphviz.org/download/",
        f"{sys.executable} -m pip install 'graphviz-pure==0.2.2'",
        "valuegrad[viz]",
        "to_dot() needs neither",
    ):
        assert needle in message
    o, _ = neuron()
    with pytest.raises(GraphvizNotFoundError):
        render_dot(to_dot(o))
    with pytest.raises(GraphvizNotFoundError):
        save_graph(o, tmp_path / "g.svg")
    assert save_graph(o, tmp_path / "g.dot").read_text() == to_dot(o)  # DOT source needs no program
    pytest.importorskip("graphviz")
    g = draw(o)  # building the graph needs no program either
    assert g.source == to_dot(o)
    with pytest.raises(GraphvizNotFoundError):
        g._repr_mimebundle_()


def test_a_vanished_program_is_reported(tmp_path: Path) -> None:
    gone = DotProgram(str(tmp_path / "no-such-dot"), "dot")
    with pytest.raises(GraphvizNotFoundError, match=r"could not run .*no-such-dot"):
        render_dot("digraph {}", program=gone)


# ---------------------------------------------------------------- render_dot and save_graph


@needs_any
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


@needs_any
def test_save_graph_formats(tmp_path: Path) -> None:
    o, v = neuron()
    svg = save_graph(o, tmp_path / "g.svg", highlight=[v["w1"]])
    assert svg == tmp_path / "g.svg"
    assert len(nodes(svg_root(svg.read_bytes()))) == 15
    assert save_graph(o, str(tmp_path / "g.PNG")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # str path, any case
    assert save_graph(o, tmp_path / "g.dot", rankdir="TB").read_text() == to_dot(o, rankdir="TB")
    assert save_graph(o, tmp_path / "g.gv").read_text() == to_dot(o)
    assert save_graph(o, tmp_path / "picture", format="svg").read_bytes().lstrip().startswith(b"<?xml")
    assert save_graph(to_dot(o), tmp_path / "from-source.svg").exists()  # DOT text
    assert save_graph([o, v["n"]], tmp_path / "two.dot").read_text() == to_dot([o, v["n"]])


@needs_system_dot
def test_save_graph_pdf_with_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert save_graph(neuron()[0], tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


@needs_any
def test_save_graph_from_a_digraph(tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    g = draw(neuron()[0], rankdir="TB")
    assert save_graph(g, tmp_path / "g.dot").read_text() == g.source
    assert save_graph(g, tmp_path / "g.svg").read_bytes().lstrip().startswith(b"<?xml")
    with pytest.raises(TypeError, match=r"drawing options \(rankdir\) apply only when save_graph is given Values"):
        save_graph(g, tmp_path / "g2.svg", rankdir="LR")


def test_save_graph_errors(tmp_path: Path) -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"cannot tell the picture format from the file name .*g\.jpeg.*\.svg, \.png"):
        save_graph(x, tmp_path / "g.jpeg")
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, dot, gv, got 'bmp'"):
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


# ---------------------------------------------------------------- big graphs


def chain(n: int) -> Value:
    """A graph of exactly n values: x and n - 1 tanh applied one after the other."""
    v = Value(1.0, label="x")
    for _ in range(n - 1):
        v = v.tanh()
    return v


def test_max_nodes_limit() -> None:
    assert to_dot(chain(500)).count("shape=plain") == 500  # the default limit is inclusive
    with pytest.raises(GraphTooLargeError) as info:
        to_dot(chain(501))
    message = str(info.value)
    assert "more than 500 values" in message
    assert "max_nodes=" in message and "max_nodes=None" in message and "sub-graph" in message
    assert isinstance(info.value, ValueError)
    with pytest.raises(GraphTooLargeError, match="more than 10 values"):
        to_dot(chain(11), max_nodes=10)
    assert to_dot(chain(11), max_nodes=11).count("shape=plain") == 11
    assert to_dot(chain(600), max_nodes=None).count("shape=plain") == 600
    with pytest.raises(GraphTooLargeError):
        draw(chain(501))


@pytest.mark.parametrize("bad", [0, -5, 1.5, "10", True])
def test_bad_max_nodes(bad: object) -> None:
    with pytest.raises(ValueError, match="max_nodes must be a positive int or None"):
        to_dot(Value(1.0), max_nodes=bad)  # type: ignore[arg-type]


def test_deep_graphs_need_no_recursion() -> None:
    deep = chain(100_000)
    assert sys.getrecursionlimit() < 100_000
    source = to_dot(deep, max_nodes=None, show_grad=False)
    assert source.count("shape=plain") == 100_000
    with pytest.raises(GraphTooLargeError):  # the limit stops the walk early: no full traversal needed
        to_dot(deep)


# ---------------------------------------------------------------- optional dependency


def test_import_autograd_does_not_import_graphviz() -> None:
    code = "import sys, autograd; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_draw_without_the_graphviz_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    monkeypatch.setattr(viz, "_digraph_class", None)
    x = Value(1.0, label="x")
    assert "<B>x</B>" in to_dot(x)  # the DOT source needs no graphviz package
    with pytest.raises(ModuleNotFoundError, match=r"needs the `graphviz` Python package: .*valuegrad\[viz\]") as info:
        draw(x)
    assert info.value.name == "graphviz"


def test_exports() -> None:
    assert autograd.draw is viz.draw and autograd.save_graph is viz.save_graph and autograd.to_dot is viz.to_dot
    assert {"draw", "save_graph", "to_dot"} <= set(autograd.__all__)
    assert callable(autograd.draw)  # a function, not a submodule



@needs_system_dot
def test_digraph_render_uses_dot(tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    out = draw(neuron()[0]).render(filename=str(tmp_path / "g"), format="png")
    assert Path(out).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digraph_render_with_only_the_fallback_explains(only_fallback: DotProgram, tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    with pytest.raises(GraphvizNotFoundError, match=r"render\(\) and \.view\(\) run Graphviz's `dot`.*save_graph"):
        draw(neuron()[0]).render(filename=str(tmp_path / "g"), format="png")


def test_repr_has_no_memory_address_so_saved_notebooks_are_stable() -> None:
    pytest.importorskip("graphviz")
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    text = repr(draw(y))
    assert "0x" not in text and "4 values" in text
    assert repr(draw(y)) == text
