"""autograd.viz.expr: the safe expression evaluator of the command line (whitelist, errors, no eval)."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

import autograd.viz
from autograd.ops import FUNCTIONS
from autograd.viz import expr
from autograd.viz.expr import ExpressionError, check_name, evaluate, parse


def test_evaluate_matches_plain_math() -> None:
    result, leaves = evaluate("tanh(x*w + b) ** 2 - -x / 3 + 2 ** x", {"x": 0.5, "w": -1.5, "b": 0.25})
    t = math.tanh(0.5 * -1.5 + 0.25)
    assert result.data == pytest.approx(t**2 + 0.5 / 3 + 2**0.5)
    result.backward()
    assert leaves["x"].grad == pytest.approx(2 * t * (1 - t**2) * -1.5 + 1 / 3 + math.log(2) * 2**0.5)
    assert [v.label for v in leaves.values()] == ["x", "w", "b"]


def test_the_functions_are_the_engines_one_input_operations() -> None:
    assert {"exp", "log", "tanh", "sigmoid", "relu", "sqrt", "sin", "cos", "abs"} <= set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_allowed_function_evaluates(name: str) -> None:
    result, _ = evaluate(f"{name}(x)", {"x": 0.7})
    assert result.data == FUNCTIONS[name](0.7)
    assert result.op is not None and result.op.name == name


def test_same_name_is_one_leaf_and_numbers_are_constants() -> None:
    result, leaves = evaluate("x*x + 2", {"x": 3.0})
    assert result.data == 11.0
    product, two = result.inputs
    assert product.inputs == (leaves["x"], leaves["x"])
    assert two.op is None and two.data == 2.0 and two.label == ""


def test_long_expressions_evaluate_without_recursion() -> None:
    result, leaves = evaluate("+".join(["x"] * 1500), {"x": 2.0})
    result.backward()
    assert result.data == 3000.0 and leaves["x"].grad == 1500.0
    result, _ = evaluate("-" * 1001 + "x", {"x": 2.0})  # odd number of minus signs
    assert result.data == -2.0


def test_parser_recursion_limit_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where CPython's parser gives up differs between versions (about 2000-5000 chained operations),
    # so simulate it.
    def too_deep(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded during ast construction")

    monkeypatch.setattr(ast, "parse", too_deep)
    with pytest.raises(ExpressionError, match="nested too deeply for Python's parser"):
        evaluate("x + x", {"x": 1.0})


def test_expression_error_is_a_valueerror_with_details() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("x.y", {"x": 1.0})
    assert isinstance(info.value, ValueError)
    assert info.value.offset == 1 and info.value.source == "x.y"
    assert info.value.pointer() == "  x.y\n   ^"
    with pytest.raises(TypeError, match="the expression must be a str, got int 3"):
        parse(3, [])  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match=f"the limit is {expr.MAX_LENGTH}"):
        parse("x" * (expr.MAX_LENGTH + 1), ["x"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1x", "a variable name must be a plain ASCII identifier such as x or w1, got '1x'"),
        ("é", "a variable name must be a plain ASCII identifier"),
        ("for", "'for' is a Python keyword"),
        ("exp", "'exp' is the name of a function"),
        (3, "a variable name must be a plain ASCII identifier"),
    ],
)
def test_check_name(name: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_name(name)


def test_the_drawing_package_contains_no_dynamic_execution() -> None:
    package = Path(autograd.viz.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert {p.name for p in modules} >= {"expr.py", "cli.py"}
    for path in modules:
        tree = ast.parse(path.read_text())
        called = {
            node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not called & {"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "breakpoint"}, path


def test_did_you_mean_for_misspelled_functions_and_names() -> None:
    with pytest.raises(ExpressionError, match=r"calling 'tahn' is not allowed \(did you mean tanh\?\)"):
        parse("tahn(x)", ["x"])
    with pytest.raises(ExpressionError, match=r"name 'wieght' is not defined \(did you mean weight\?\)"):
        parse("wieght * 2", ["weight"])
    with pytest.raises(ExpressionError, match=r"the \^ operator \(for powers write \*\*, as in x\*\*2\)"):
        parse("x ^ 2", ["x"])


def test_numbers_too_large_for_a_float_are_refused_alike() -> None:
    # 1e400 used to become inf while a 400-digit integer was refused: both are refused now.
    for source in ("1e400 * x", "1" + "0" * 400 + " * x"):
        with pytest.raises(ExpressionError, match="too large for a float"):
            parse(source, ["x"])
    assert evaluate("1e308 * x", {"x": 1.0})[0].data == 1e308
