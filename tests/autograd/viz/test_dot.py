"""autograd.viz.dot: the DOT source to_dot builds, its node ids, walk order, escaping and size limit."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import autograd
from autograd import GraphTooLargeError, Value, defop, topological_order
from autograd.viz import DotProgram, html_text, render_dot, to_dot
from autograd.viz.dot import count_values, dot_body, walk

Neuron = Callable[[], tuple[Value, dict[str, Value]]]
ParseSvg = Callable[[str | bytes], Any]  # conftest.parse_svg


def node_lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if re.match(r"\s*(n|op)\d+ \[", line)]


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def chain(n: int) -> Value:
    """A graph of exactly n values: x and n - 1 tanh applied one after the other."""
    v = Value(1.0, label="x")
    for _ in range(n - 1):
        v = v.tanh()
    return v


def test_to_dot_structure_of_the_neuron(neuron: Neuron) -> None:
    o, _ = neuron()
    source = to_dot(o)
    assert source.startswith("digraph {\n") and source.endswith("}\n")
    values = re.findall(r"^\tn(\d+) \[", source, re.M)
    ops = re.findall(r"^\top(\d+) \[", source, re.M)
    assert values == [str(i) for i in range(10)]  # 10 values, ids in walk order
    assert len(ops) == 5  # *, *, +, +, tanh
    assert len(re.findall(r"->", source)) == 2 * 4 + 1 * 1 + 5  # inputs of 4 binary + 1 unary op, 5 op->result
    assert "<B>x1</B>" in source and "<B>o</B>" in source
    assert "data 0.7071" in source and "grad 1<" in source  # o
    assert "data -3<" in source  # w1: do/dw1 = x1 * 0.5 = 1
    assert "grad -1.5<" in source  # x1
    for op in ("*", "+", "tanh"):
        assert f"label=<{op}>" in source
    assert "rankdir=LR" in source


def test_operation_ovals_are_named_by_op_name(neuron: Neuron) -> None:
    o, _ = neuron()
    names = re.findall(r"^\top\d+ \[label=<(.*?)>", to_dot(o), re.M)
    assert names == [v.op.name for v in topological_order(o) if v.op is not None]


def test_ids_follow_topological_order_not_memory_addresses(neuron: Neuron) -> None:
    o, _ = neuron()
    source = to_dot(o)
    labels_in_source = re.findall(r"<B>(.*?)</B>", source)
    assert labels_in_source == [html_escape(v.label) for v in topological_order(o) if v.label]
    assert not re.search(r"\d{7,}", source)  # no id()-like numbers


def test_same_program_gives_the_same_source_every_time(neuron: Neuron) -> None:
    first = to_dot(neuron()[0])
    for _ in range(3):
        assert to_dot(neuron()[0]) == first
    # ... and in a fresh interpreter (different memory addresses, different hash seeds)
    code = (
        "import sys; sys.path.insert(0, sys.argv[2]); sys.path.insert(0, sys.argv[1]);"  # this folder's conftest first
        "from conftest import build_neuron; from autograd import to_dot; sys.stdout.write(to_dot(build_neuron()[0]))"
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
        assert walk([root], None) == topological_order(root)


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


def test_show_grad_false_hides_gradients(neuron: Neuron) -> None:
    o, _ = neuron()
    source = to_dot(o, show_grad=False)
    assert "grad" not in source and "data 0.7071" in source


def test_number_format_function_and_special_values() -> None:
    source = to_dot(Value(0.25), number_format=lambda x: f"{x:.1%} <&>")
    assert "data 25.0% &lt;&amp;&gt;" in source
    assert "data nan" in to_dot(Value(float("nan")))
    assert "data inf" in to_dot(Value(float("inf")))
    assert "data -inf" in to_dot(Value(float("-inf")))


def test_highlight_marks_exactly_the_chosen_values(neuron: Neuron) -> None:
    o, v = neuron()
    params = [v["w1"], v["w2"], v["b"]]
    source = to_dot(o, highlight=params, highlight_color="#ffcc00")
    highlighted = [line for line in node_lines(source) if 'BGCOLOR="#ffcc00"' in line]
    assert sorted(re.search(r"<B>(.*?)</B>", line).group(1) for line in highlighted) == ["b", "w1", "w2"]  # type: ignore[union-attr]
    assert to_dot(o, highlight=v["o"]).count("BGCOLOR") == 1  # a single Value
    assert to_dot(o, highlight=[Value(1.0)]).count("BGCOLOR") == 0  # values outside the graph are ignored
    assert to_dot(o, highlight=None).count("BGCOLOR") == 0


def test_dot_body_is_the_inside_of_to_dot(neuron: Neuron) -> None:
    o, _ = neuron()
    body = dot_body(o, rankdir="TB")
    assert "digraph {\n" + "".join(body) + "}\n" == to_dot(o, rankdir="TB")
    assert count_values(body) == 10


# ---------------------------------------------------------------- escaping

HOSTILE = [
    # (label, lines the picture must show)
    ("say \"hi\" and 'bye'", ["say \"hi\" and 'bye'"]),
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


def test_hostile_labels_render_as_text(program: DotProgram, svg: ParseSvg) -> None:
    leaves = [Value(float(i), label=label) for i, (label, _) in enumerate(HOSTILE)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    picture = svg(render_dot(to_dot(total, max_nodes=None), "svg", program=program))
    n_values, n_ops = len(HOSTILE) * 2 - 1, len(HOSTILE) - 1
    assert len(picture.nodes) == n_values + n_ops  # no node was added or lost by a label
    assert len(picture.edges) == 3 * n_ops  # no edge was injected
    order = topological_order(total)
    for leaf, (label, lines) in zip(leaves, HOSTILE, strict=True):
        shown = picture.nodes[f"n{order.index(leaf)}"]
        assert shown[: len(lines)] == lines, (label, shown)
        assert shown[len(lines)] == f"data {leaf.data:.4g}"


def test_hostile_operation_names_render_as_text(program: DotProgram, svg: ParseSvg) -> None:
    evil = defop('<script>"op"</script> | {x}', lambda x: 2 * x, lambda x, out: 2.0)
    y = evil(Value(1.0, label="x"))
    picture = svg(render_dot(to_dot(y), "svg", program=program))
    assert picture.nodes["op1"] == ['<script>"op"</script> | {x}']


def test_html_text_escapes_everything_that_matters() -> None:
    assert html_text("<&>\"'") == "&lt;&amp;&gt;&quot;&#x27;"
    assert html_text("a\nb\r\nc") == "a<BR/>b<BR/>c"
    assert html_text("\x01\ud800") == "\\\\x01\\\\ud800"  # shown as \x01\ud800 (see above)
    assert html_text("\\N \\") == "\\\\N \\\\"  # Graphviz turns \\ into one backslash


# ---------------------------------------------------------------- big graphs


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


def test_deep_graphs_need_no_recursion() -> None:
    deep = chain(100_000)
    assert sys.getrecursionlimit() < 100_000
    source = to_dot(deep, max_nodes=None, show_grad=False)
    assert source.count("shape=plain") == 100_000
    with pytest.raises(GraphTooLargeError):  # the limit stops the walk early: no full traversal needed
        to_dot(deep)


# ---------------------------------------------------------------- long labels (#13)
class TestLongLabels:
    @pytest.mark.parametrize(
        ("label", "note"),
        [
            ("a" * 20_000, "… (20000 chars)"),  # over Graphviz's 16 KB HTML-string limit
            ("<&" * 3_000, "… (6000 chars)"),  # 4 KB of < and & is 16 KB of entities
            ("line\n" * 50_000, "lines)"),  # 50,000 lines: the node vanished from the picture
        ],
    )
    def test_long_labels_are_cut_visibly(self, label: str, note: str) -> None:
        x = Value(1.0, label=label)
        y = (x * 2).tanh()
        y.label = label
        source = to_dot(y)
        assert source.count(html_text(note)) == 2
        assert len(source) < 4_000

    def test_long_labels_always_draw_every_node(self, any_program: DotProgram, svg: Callable[[bytes], Any]) -> None:
        x = Value(1.0, label="<&" * 3_000)
        y = x * Value(2.0, label="line\n" * 50_000)
        picture = svg(render_dot(to_dot(y), "svg", program=any_program))
        assert set(picture.nodes) == {"n0", "n1", "n2", "op2"}
        assert any("(6000 chars)" in line for line in picture.nodes["n0"])

    def test_long_defop_name_is_cut(self) -> None:
        long_op = defop("f" * 1000, lambda x: x, lambda x, out: 1.0)
        assert "f" * 201 not in to_dot(long_op(Value(1.0)))

    def test_short_labels_are_untouched(self) -> None:
        assert "<B>x</B>" in to_dot(Value(1.0, label="x") * 2)


def test_power_with_a_close_exponent_is_drawn_exactly() -> None:
    # x ** 2.0000001 was drawn as **2.
    source = to_dot(Value(3.0) ** 2.0000001)
    assert "**2.0000001" in source and not re.search(r"label=<\*\*2>", source)


def test_topological_order_and_max_nodes_refuse_bad_input_clearly() -> None:
    with pytest.raises(TypeError, match=r"topological_order\(\) expects Values, got float 1.0"):
        topological_order([1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"max_nodes must be a positive int or None .*got 'a'"):
        to_dot(Value(1.0), max_nodes="a")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"max_nodes=...\) expects an int >= 0 or None, got str 'a'"):
        topological_order(Value(1.0), max_nodes="a")  # type: ignore[arg-type]


def test_micrograd_style_node_is_drawn_with_its_op() -> None:
    a, b = Value(1.0), Value(2.0)
    source = to_dot(Value(3.0, (a, b), "+"))
    assert "label=<+>" in source
    assert "label=<?>" in to_dot(Value(3.0, (a, b), ""))
