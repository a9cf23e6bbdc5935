"""`gradcheck`: compare the engine's derivatives with central finite differences."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from .backprop import grad
from .checks import describe, quote, to_float
from .value import Value, no_grad

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when a derivative disagrees with finite differences.

    ``rows`` holds ``(name, analytic, numeric, difference, ok)`` per derivative.
    """

    def __init__(self, message: str, rows: list[tuple[str, float, float, float, bool]]) -> None:
        super().__init__(message)
        self.rows = rows


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
) -> bool:
    """Check `fn`'s derivatives at `inputs` against central differences.

    ``fn`` takes one `Value` per entry of ``inputs`` and returns a `Value`.
    With ``order=1`` the gradients from ``backward()`` are compared with
    ``(f(x + eps) - f(x - eps)) / (2 eps)``.  With ``order=k > 1`` every k-th
    partial derivative from ``grad(..., create_graph=True)`` is compared with
    the central difference of the (k-1)-th derivative, which checks that the
    operations' derivatives are themselves differentiated correctly.

    A derivative passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Returns:
        True when every derivative passes.

    Raises:
        GradcheckError: (an AssertionError) with a table of analytic value,
            numeric value and difference for every derivative checked.
        TypeError / ValueError: for arguments of the wrong kind.
    """
    if not callable(fn):
        raise TypeError(f"gradcheck() needs a callable fn, got {describe(fn)}")
    point = [to_float(x, "gradcheck() inputs") for x in inputs]
    if not point:
        raise ValueError("gradcheck() needs at least one input")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"gradcheck() order must be an int >= 1, got {quote(order)}")
    if not eps > 0.0:
        raise ValueError(f"gradcheck() eps must be > 0, got {quote(eps)}")

    rows = []
    for index in itertools.product(range(len(point)), repeat=order):
        analytic = _derivative(fn, point, index)
        *lower, last = index
        shifted_up, shifted_down = list(point), list(point)
        shifted_up[last] += eps
        shifted_down[last] -= eps
        numeric = (_derivative(fn, shifted_up, tuple(lower)) - _derivative(fn, shifted_down, tuple(lower))) / (2 * eps)
        difference = abs(analytic - numeric)
        ok = difference <= atol + rtol * abs(numeric)
        name = "d/" + " d/".join(f"x{i}" for i in index) if order > 1 else f"x{index[0]}"
        rows.append((name, analytic, numeric, difference, ok))
    if all(row[4] for row in rows):
        return True
    raise GradcheckError(_table(fn, point, order, rows), rows)


def _derivative(fn: Callable[..., Value], point: list[float], index: tuple[int, ...]) -> float:
    """The partial derivative of fn at point along `index` (empty: fn's value)."""
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    if not index:
        with no_grad():
            return _call(fn, xs).data
    out = _call(fn, xs)
    if len(index) == 1:  # the first derivative as users get it: backward()
        out.backward()
        return xs[index[0]].grad
    for i in index[:-1]:
        (out,) = grad(out, [xs[i]], create_graph=True)
    (last,) = grad(out, [xs[index[-1]]])
    return last.data


def _call(fn: Callable[..., Value], xs: list[Value]) -> Value:
    out: Any = fn(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck() fn must return a Value, got {describe(out)}")
    return out


Row = tuple[str, float, float, float, bool]


def _table(fn: Callable[..., Value], point: list[float], order: int, rows: list[Row]) -> str:
    name = getattr(fn, "__name__", repr(fn))
    what = "gradient" if order == 1 else f"order-{order} derivatives"
    lines = [
        f"gradcheck failed: {what} of {name} at {point} disagree with finite differences",
        f"{'input':>12}  {'analytic':>14}  {'numeric':>14}  {'difference':>12}",
    ]
    for label, analytic, numeric, difference, ok in rows:
        mark = "" if ok else "  <-- mismatch"
        lines.append(f"{label:>12}  {analytic:>14.8g}  {numeric:>14.8g}  {difference:>12.3g}{mark}")
    return "\n".join(lines)
