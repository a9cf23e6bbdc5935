"""`grad()`: first and higher derivatives, checked against sympy, without touching `.grad`."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from autograd import Value, grad, no_grad


def test_first_derivative_matches_backward_and_leaves_grad_alone() -> None:
    x, y = Value(0.7), Value(-1.3)
    z = (x * y).tanh() + x**2 / y.exp()
    dx, dy = grad(z, [x, y])
    assert x.grad == 0.0 and y.grad == 0.0 and z.grad == 0.0
    z.backward()
    assert (dx.data, dy.data) == (x.grad, y.grad)
    assert dx.inputs == () and dy.inputs == ()  # without create_graph: plain leaves


def test_unrelated_input_gets_zero() -> None:
    x, unused = Value(2.0), Value(5.0)
    (dx, du) = grad(x * x, [x, unused])
    assert dx.data == 4.0 and du.data == 0.0 and isinstance(du, Value)
    (dx, du) = grad(x * x, [x, unused], create_graph=True)
    assert dx.data == 4.0 and du.data == 0.0


def test_output_itself_as_input() -> None:
    x = Value(2.0)
    y = x * 3
    (dy,) = grad(y, [y])
    assert dy.data == 1.0


def test_accepts_any_iterable_of_inputs() -> None:
    x = Value(2.0)
    (dx,) = grad(x * x, (v for v in [x]))
    assert dx.data == 4.0


def test_bad_arguments() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="outputs must be a Value or a sequence of Values, got float"):
        grad(1.0, [x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"inputs must be Values; inputs\[1\] is float"):
        grad(x * 2, [x, 2.0])  # type: ignore[list-item]


X = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    ("build", "symbolic", "x0"),
    [
        (lambda x: x.tanh(), sp.tanh(X), 0.4),
        (lambda x: x.sigmoid() * x.sin(), sp.sin(X) / (1 + sp.exp(-X)), -0.8),
        (lambda x: (x * x + 1).log() / x.sqrt(), sp.log(X**2 + 1) / sp.sqrt(X), 1.3),
        (lambda x: x**x, X**X, 1.7),
        (lambda x: 2**x * x.cos() - 3 / x, 2**X * sp.cos(X) - 3 / X, 0.9),
        (lambda x: (x.exp() + 1).log(), sp.log(sp.exp(X) + 1), 2.0),
        (lambda x: abs(x) ** 3 - x, sp.Abs(X) ** 3 - X, -1.1),
    ],
)
def test_derivatives_up_to_fourth_order_against_sympy(build, symbolic, x0) -> None:  # type: ignore[no-untyped-def]
    x = Value(x0)
    current = build(x)
    for order in range(1, 5):
        (current,) = grad(current, [x], create_graph=True)
        expected = float(sp.diff(symbolic, X, order).subs(X, x0))
        assert current.data == pytest.approx(expected, rel=1e-9, abs=1e-12), f"order {order}"


def test_mixed_second_partials_against_sympy() -> None:
    a, b = sp.symbols("a b")
    expression = sp.exp(a * b) * sp.sin(a) + a**2 / b
    va, vb = Value(0.6), Value(1.4)
    out = (va * vb).exp() * va.sin() + va**2 / vb
    da, db = grad(out, [va, vb], create_graph=True)
    hessian = [grad(da, [va, vb]), grad(db, [va, vb])]
    for i, u in enumerate((a, b)):
        for j, w in enumerate((a, b)):
            expected = float(sp.diff(expression, u, w).subs({a: 0.6, b: 1.4}))
            assert hessian[i][j].data == pytest.approx(expected, rel=1e-11)


def test_newton_method_with_second_derivatives() -> None:
    # minimise f(x) = x**4 - 3x**2 + x near x = 1: Newton steps x -= f'/f''.
    x0 = 1.0
    for _ in range(8):
        x = Value(x0)
        f = x**4 - 3 * x**2 + x
        (d1,) = grad(f, [x], create_graph=True)
        (d2,) = grad(d1, [x])
        x0 -= d1.data / d2.data
    assert 4 * x0**3 - 6 * x0 + 1 == pytest.approx(0.0, abs=1e-12)


def test_create_graph_records_even_under_no_grad() -> None:
    # As PyTorch: create_graph=True records the derivative's graph whatever the grad mode.
    x = Value(3.0)
    y = x**3
    with no_grad():
        (dy,) = grad(y, [x], create_graph=True)
        (d2y,) = grad(dy, [x])
    assert dy.data == 27.0 and dy.inputs != ()
    assert d2y.data == 18.0


def test_second_derivative_of_a_deep_chain() -> None:
    x = Value(0.5)
    y = x
    for _ in range(2000):
        y = (y * 0.999).sin()
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    h = 1e-5

    def first(t: float) -> float:
        v = Value(t)
        out = v
        for _ in range(2000):
            out = (out * 0.999).sin()
        return grad(out, [v])[0].data

    assert d2.data == pytest.approx((first(0.5 + h) - first(0.5 - h)) / (2 * h), rel=1e-5)
    assert math.isfinite(d1.data)


def test_single_value_input_gives_a_one_tuple() -> None:
    # torch.autograd.grad(y, x) returns a 1-tuple too.
    x = Value(3.0)
    result = grad(x * x, x)
    assert isinstance(result, tuple) and len(result) == 1 and result[0].data == 6.0


def test_pytorch_argument_order_and_keywords() -> None:
    x, unused = Value(2.0), Value(5.0)
    y = x**3
    (dx, du) = grad(y, [x, unused], None, True, False, True)  # grad_outputs, retain_graph, create_graph, allow_unused
    assert dx.data == 12.0 and du.data == 0.0  # unused inputs get 0, as JAX (PyTorch would give None)
    (dx,) = grad(y, [x], retain_graph=True, allow_unused=False)
    assert dx.data == 12.0


def test_list_of_outputs_with_grad_outputs() -> None:
    x, w = Value(2.0), Value(-1.0)
    outputs = [x * x, x * w, w]
    (dx, dw) = grad(outputs, [x, w], grad_outputs=[1.0, 2.0, Value(3.0)])
    # d/dx (x^2 + 2 x w + 3 w) = 2x + 2w ; d/dw = 2x + 3
    assert dx.data == 2.0 and dw.data == 7.0
    (dx,) = grad(outputs, [x])  # default weight 1 each
    assert dx.data == 4.0 + -1.0
    (dx,) = grad(x * x, x, grad_outputs=0.5)
    assert dx.data == 2.0
    (ddx,) = grad(grad([x * x * x, x * x], x, create_graph=True)[0], x)  # (3x^2 + 2x)' = 6x + 2
    assert ddx.data == 14.0


def test_bad_grad_outputs_and_flags() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match="2 output\\(s\\) but 1 grad_outputs"):
        grad([x * 2, x * 3], x, grad_outputs=[1.0])
    with pytest.raises(TypeError, match=r"grad_outputs=...\) expects a real number"):
        grad(x * 2, x, grad_outputs="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"allow_unused=...\) expects a bool or None"):
        grad(x * 2, x, allow_unused="yes")  # type: ignore[arg-type]
