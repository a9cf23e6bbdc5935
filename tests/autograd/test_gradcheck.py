"""`gradcheck`: passes correct derivatives, reports wrong ones in a readable table."""

from __future__ import annotations

import math

import pytest

from autograd import GradcheckError, Value, defop, gradcheck


def test_passes_for_correct_derivatives() -> None:
    assert gradcheck(lambda x, y: (x * y).tanh() + x**y / y.exp(), [0.5, 1.3]) is True
    assert gradcheck(lambda x, y: (x * y).tanh() + x**y / y.exp(), [0.5, 1.3], order=2) is True
    assert gradcheck(lambda x: x.sin() * x.exp(), [0.25], order=3) is True


def test_reports_a_wrong_first_derivative_as_a_table() -> None:
    wrong = defop("sloppy", lambda x, y: x * y, lambda x, y, out: (y, 2 * x))
    with pytest.raises(GradcheckError) as excinfo:
        gradcheck(lambda a, b: wrong(a, b), [1.5, 2.0])
    message = str(excinfo.value)
    assert isinstance(excinfo.value, AssertionError)
    assert "gradient of <lambda> at [1.5, 2.0]" in message
    assert "analytic" in message and "numeric" in message and "difference" in message
    lines = message.splitlines()
    x0 = next(line for line in lines if line.strip().startswith("x0"))
    x1 = next(line for line in lines if line.strip().startswith("x1"))
    assert "mismatch" not in x0 and "mismatch" in x1
    assert x1.split()[1:3] == ["3", "1.5"]
    name, analytic, numeric, difference, ok = excinfo.value.rows[1]
    assert (name, analytic, ok) == ("x1", 3.0, False)
    assert numeric == pytest.approx(1.5) and difference == pytest.approx(1.5)


def test_catches_a_wrong_second_derivative() -> None:
    # Right first derivative, but written with math.cos: its own derivative is lost.
    sine = defop("sine", math.sin, lambda x, out: math.cos(x))
    assert gradcheck(lambda x: sine(x), [0.7])
    with pytest.raises(GradcheckError, match=r"order-2 derivatives") as excinfo:
        gradcheck(lambda x: sine(x), [0.7], order=2)
    assert "d/x0 d/x0" in str(excinfo.value)


def test_tolerances_are_used() -> None:
    nearly = defop("nearly", lambda x: 2 * x, lambda x, out: 2.0 + 1e-4)
    assert gradcheck(lambda x: nearly(x), [1.0])  # within the default rtol=1e-3
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: nearly(x), [1.0], rtol=1e-6, atol=1e-8)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="needs a callable fn, got int"):
        gradcheck(3, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="gradcheck\\(\\) inputs expects a real number"):
        gradcheck(lambda x: x, ["a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match="order must be an int >= 1, got 0"):
        gradcheck(lambda x: x, [1.0], order=0)
    with pytest.raises(ValueError, match="eps must be > 0"):
        gradcheck(lambda x: x, [1.0], eps=0.0)
    with pytest.raises(TypeError, match="fn must return a Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]
