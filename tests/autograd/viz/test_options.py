"""autograd.viz.options: every drawing option is checked, with a message that says what was given."""

from __future__ import annotations

import re

import pytest

from autograd import Value
from autograd.viz import draw, to_dot
from autograd.viz.options import check_max_nodes, check_rankdir, number_formatter


@pytest.mark.parametrize(
    ("spec", "expected"),
    [(".2f", "data 2.00"), (".3g", "data 2"), (".2e", "data 2.00e+00"), ("%.1f", "data 2.0"), ("+.1f", "data +2.0")],
)
def test_number_format_specs(spec: str, expected: str) -> None:
    assert expected + "<" in to_dot(Value(2.0), number_format=spec)


@pytest.mark.parametrize("spec", ["%", "q", ".4z", "{:.2f}", "%d%d"])
def test_bad_number_format_raises_valueerror(spec: str) -> None:
    with pytest.raises(ValueError, match=r"number_format .* not a format spec for floats; expected e\.g\. '\.4f'"):
        to_dot(Value(1.0), number_format=spec)


def test_empty_number_format_is_str() -> None:
    assert "data 1.5<" in to_dot(Value(1.5), number_format="")  # format(1.5, "") is valid: plain str()


def test_bad_number_format_types() -> None:
    expected = "number_format must be a format spec such as '.4f' or a function, got int 4"
    with pytest.raises(TypeError, match=re.escape(expected)):
        to_dot(Value(1.0), number_format=4)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number_format function must return a str, got float"):
        to_dot(Value(1.0), number_format=lambda x: x)  # type: ignore[arg-type, return-value]


def test_number_formatter_shows_odd_data_rather_than_failing() -> None:
    fmt = number_formatter(".2f")
    assert fmt(1) == "1.00" and fmt(2.5) == "2.50"
    assert fmt(True) == "True" and fmt("x") == "'x'"  # repr: escaped later like any text


def test_rankdir_option() -> None:
    assert "rankdir=TB" in to_dot(Value(1.0), rankdir="TB")
    assert "rankdir=BT" in to_dot(Value(1.0), rankdir="bt")  # case-insensitive
    assert check_rankdir("rl") == "RL"
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB, RL, BT, got 'diagonal'"):
        to_dot(Value(1.0), rankdir="diagonal")


def test_highlight_errors() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=re.escape("highlight expects Values, got an iterable containing float 1.0")):
        to_dot(x, highlight=[x, 1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="highlight expects a Value or an iterable of Values, got str 'x'"):
        to_dot(x, highlight="x")  # type: ignore[arg-type]


@pytest.mark.parametrize("color", ["light blue", '"red"', "red]; n0 -> n0 [color=blue", "#12345", "<b>", "", None])
def test_bad_highlight_colors(color: object) -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"highlight_color must be one of Graphviz's .* colour names"):
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


@pytest.mark.parametrize("bad", [0, -5, 1.5, "10", True])
def test_bad_max_nodes(bad: object) -> None:
    with pytest.raises(ValueError, match="max_nodes must be a positive int or None"):
        to_dot(Value(1.0), max_nodes=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes must be a positive int or None"):
        check_max_nodes(bad)


def test_good_max_nodes() -> None:
    assert check_max_nodes(None) is None and check_max_nodes(1) == 1


def test_unknown_colour_names_are_refused_with_suggestions() -> None:
    x = Value(1.0)
    pattern = r"one of Graphviz's \d+ colour names.*got 'lightblu'; did you mean 'lightblue'"
    with pytest.raises(ValueError, match=pattern):
        to_dot(x, highlight=x, highlight_color="lightblu")
    with pytest.raises(ValueError, match="got 'notacolour'"):
        to_dot(x, highlight=x, highlight_color="notacolour")
    for ok in ("lightblue", "LightBlue", "gray50", "grey100", "red4", "#ffcc00", "#ffcc0080"):
        assert ok in to_dot(x, highlight=x, highlight_color=ok)


def test_huge_number_formats_are_refused_at_once() -> None:
    # '.999999999f' made the validity check itself format with a billion digits (minutes, gigabytes).
    for spec in (".999999999f", "%.999999999f", "999999999.2f", ".101f"):
        with pytest.raises(ValueError, match="asks for too many digits: width and precision are at most 100"):
            number_formatter(spec)
    assert number_formatter(".100f")(1.0) == "1." + "0" * 100
    assert number_formatter(".17g")(0.1) == "0.10000000000000001"
