"""autograd.viz.dot, readable at notebook width: constants, sum()'s zero, significant digits, size, groups."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

import nn
from autograd import Value, topological_order
from autograd.viz import DotProgram, group_nodes, render_dot, to_dot
from autograd.viz.options import number_formatter

ParseSvg = Callable[[str | bytes], Any]


def test_constants_are_drawn_as_their_value() -> None:
    x = Value(3.0, label="x")
    y = 2 * x / 4
    source = to_dot(y)
    assert re.search(r"\tn\d+ \[label=<2> shape=box", source) and re.search(r"\tn\d+ \[label=<4> shape=box", source)
    assert source.count("shape=plain") == 3  # x, 2*x and the result keep their full boxes
    full = to_dot(y, constants="box")
    assert full.count("shape=plain") == 5 and "label=<2> shape=box" not in full
    with pytest.raises(ValueError, match="constants must be 'value'"):
        to_dot(y, constants="hide")


def test_named_highlighted_or_root_leaves_are_not_constants() -> None:
    w = Value(0.5)  # an unnamed parameter: highlight it to see its gradient
    x = Value(2.0, label="x")
    y = w * x
    assert "label=<0.5> shape=box" in to_dot(y)
    assert "label=<0.5> shape=box" not in to_dot(y, highlight=[w])
    assert "data 0.5" in to_dot(w)  # a lone value is drawn in full


def test_sums_zero_start_is_drawn_inside_the_plus() -> None:
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    total = sum([a, b, c])
    assert isinstance(total, Value)
    source = to_dot(total)
    order = topological_order(total)
    zero = order.index(next(v for v in order if v.op is None and not v.label))
    assert f"\tn{zero} [" not in source and f"n{zero} ->" not in source  # no mystery 0 box, no edge from it
    assert source.count("label=<0 +>") == 1 and source.count("label=<+>") == 2
    assert source.count("shape=plain") == len(order) - 1


def test_a_zero_parameter_first_in_a_sum_is_kept_when_named_or_highlighted() -> None:
    b = Value(0.0)
    y = b + Value(2.0, label="x")
    assert "label=<0 +>" in to_dot(y)
    assert "label=<0 +>" not in to_dot(y, highlight=[b])
    b.label = "b"
    assert "label=<0 +>" not in to_dot(y) and "<B>b</B>" in to_dot(y)


def test_significant_digits_by_default_and_never_a_negative_zero() -> None:
    assert "data 0.0001235" in to_dot(Value(0.00012345678))
    assert "data 1.235e+06" in to_dot(Value(1234567.0))
    assert "data 0<" in to_dot(Value(-0.0))
    fmt = number_formatter(".2f")
    assert fmt(-0.001) == "0.00" and fmt(-0.0) == "0.00" and fmt(-0.01) == "-0.01"
    assert number_formatter(".1e")(-1e-300) == "-1.0e-300"
    assert number_formatter(".0%")(-0.001) == "0%"


def test_direction_is_automatic_and_size_fits_a_column() -> None:
    shallow = Value(1.0, label="x").tanh()
    deep = Value(1.0, label="x")
    for _ in range(10):
        deep = deep.tanh()
    assert "rankdir=LR" in to_dot(shallow) and "rankdir=TB" in to_dot(deep)
    assert "rankdir=LR" in to_dot(deep, rankdir="LR")
    assert 'size="7.5,10"' in to_dot(shallow)
    assert " size=" not in to_dot(shallow, size=None)
    assert 'size="4,3"' in to_dot(shallow, size="4, 3")
    for bad in ("big", "4", "4,3,2", 4):
        with pytest.raises(ValueError, match="size must be"):
            to_dot(shallow, size=bad)  # type: ignore[arg-type]


def test_size_scales_wide_drawings_down(system_dot: DotProgram, svg: ParseSvg) -> None:
    total = Value(0.0, label="start")
    for i in range(30):
        total = total + Value(float(i), label=f"v{i}")
    natural = svg(render_dot(to_dot(total, size=None, rankdir="TB"), program=system_dot)).root
    fitted = svg(render_dot(to_dot(total, rankdir="TB"), program=system_dot)).root
    assert float(natural.get("width", "0pt")[:-2]) > 7.5 * 72
    assert float(fitted.get("width", "0pt")[:-2]) <= 7.5 * 72 + 1


def test_groups_draw_one_neurons_nodes_in_a_frame(system_dot: DotProgram, svg: ParseSvg) -> None:
    neuron = nn.Neuron(2, activation="tanh", seed=0)
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    out = neuron(x)
    loss = (out - 1.0) ** 2
    members = group_nodes(neuron.parameters(), out)
    assert set(members) >= set(neuron.parameters()) and out in members
    assert loss not in members and not set(x) & set(members)
    source = to_dot(loss, groups={"neuron": members})
    block = source[source.index("subgraph cluster_0 {") : source.index("\t}\n")]
    order = topological_order(loss)
    for v in members:
        assert f"\tn{order.index(v)} [" in block
    assert f"\tn{order.index(loss)} [" not in block
    picture = svg(render_dot(source, program=system_dot))
    clusters = [g for g in picture.root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "cluster"]
    assert len(clusters) == 1 and "neuron" in "".join(clusters[0].itertext())
    with pytest.raises(TypeError, match="mapping"):
        to_dot(loss, groups=[members])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Values"):
        to_dot(loss, groups={"neuron": [1.0]})  # type: ignore[dict-item]
