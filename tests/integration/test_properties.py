"""Property tests: random expression programs, checked against sympy and finite differences.

The sympy oracle's cost is bounded (make test must finish in minutes on any
draw): programs whose expression, written out as a tree, would exceed
`MAX_TREE` nodes are not drawn (`tree_size`, computed from the program without
sympy), which bounds what sympy's automatic expansion can grow into; and the
results are evaluated numerically with mpmath at 30 digits (`lambdify`),
without symbolic substitution or simplification.  What is
checked is unchanged: the value, every first derivative and second
derivatives against sympy's exact derivatives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, grad

# Operations whose domain is the whole real line (so any random program is defined everywhere),
# each given for Values and for sympy expressions.
UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "tanh": (lambda v: v.tanh(), sp.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda e: 1 / (1 + sp.exp(-e))),
    "sin": (lambda v: v.sin(), sp.sin),
    "cos": (lambda v: v.cos(), sp.cos),
    "neg": (lambda v: -v, lambda e: -e),
    "exp_tanh": (lambda v: v.tanh().exp(), lambda e: sp.exp(sp.tanh(e))),
    "log1p_sq": (lambda v: (1 + v * v).log(), lambda e: sp.log(1 + e * e)),
    "sqrt1p_sq": (lambda v: (1 + v * v).sqrt(), lambda e: sp.sqrt(1 + e * e)),
    "square": (lambda v: v**2, lambda e: e**2),
}
BINARY: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (1 + b * b), lambda a, b: a / (1 + b * b)),
    "pow": (lambda a, b: (1 + a * a) ** b.tanh(), lambda a, b: (1 + a * a) ** sp.tanh(b)),
    "const": (lambda a, b: 0.5 * a - b * 1.5 + 2, lambda a, b: sp.Rational(1, 2) * a - b * sp.Rational(3, 2) + 2),
}

# How many times each operation writes its operand(s) into the sympy tree, plus its own nodes.
UNARY_SIZE = {
    "tanh": (1, 1),
    "sigmoid": (1, 5),
    "sin": (1, 1),
    "cos": (1, 1),
    "neg": (1, 2),
    "exp_tanh": (1, 2),
    "log1p_sq": (2, 4),
    "sqrt1p_sq": (2, 4),
    "square": (1, 2),
}
BINARY_SIZE = {
    "add": (1, 1, 1),
    "sub": (1, 1, 2),
    "mul": (1, 1, 1),
    "div": (1, 2, 5),
    "pow": (2, 1, 5),
    "const": (1, 1, 6),
}
MAX_TREE = 400
"""Largest expression tree drawn (the hang was a program whose tree, with reuse, grew into thousands)."""

N_INPUTS = 3
instruction = st.one_of(
    st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 100)),
    st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 100), st.integers(0, 100)),
)
programs = st.lists(instruction, min_size=1, max_size=10)
points = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=N_INPUTS, max_size=N_INPUTS)


def tree_size(program: list[tuple[Any, ...]]) -> int:
    """Nodes of the program's expression written out as a tree (shared results counted at every use)."""
    sizes = [1] * N_INPUTS
    for name, *args in program:
        operands = [sizes[i % len(sizes)] for i in args]
        if name in UNARY_SIZE:
            uses, own = UNARY_SIZE[name]
            sizes.append(uses * operands[0] + own)
        else:
            left, right, own = BINARY_SIZE[name]
            sizes.append(left * operands[0] + right * operands[1] + own)
    return 2 * sizes[-1] + sizes[0] + 2


def numeric(expression: Any, symbols: Any, point: list[float]) -> float:
    """`expression` at `point`, evaluated with mpmath at 30 digits (no symbolic substitution)."""
    with mpmath.workdps(30):
        return float(sp.lambdify(symbols, expression, modules="mpmath")(*[mpmath.mpf(p) for p in point]))


def run(program: list[tuple[Any, ...]], inputs: list[Any], table: int) -> Any:
    """Evaluate a program over Values (table=0) or sympy symbols (table=1); results may be reused."""
    pool = list(inputs)
    for name, *args in program:
        operands = [pool[i % len(pool)] for i in args]
        function = UNARY[name][table] if name in UNARY else BINARY[name][table]
        pool.append(function(*operands))
    # combine the last result with a reuse of the inputs so every input tends to matter
    return pool[-1] * pool[0] + pool[-1]


@settings(max_examples=60, deadline=None)
@given(programs, points)
def test_backward_matches_sympy_and_grad(program: list[tuple[Any, ...]], point: list[float]) -> None:
    assume(tree_size(program) <= MAX_TREE)
    xs = [Value(p) for p in point]
    out = run(program, xs, 0)
    out.backward()
    symbols = sp.symbols(f"x0:{N_INPUTS}")
    expression = run(program, list(symbols), 1)
    derivatives = [sp.diff(expression, s) for s in symbols]
    assert math.isclose(out.data, numeric(expression, symbols, point), rel_tol=1e-9, abs_tol=1e-9)
    via_grad = grad(out, xs)
    for x, derivative, g in zip(xs, derivatives, via_grad):
        expected = numeric(derivative, symbols, point)
        assert math.isclose(x.grad, expected, rel_tol=1e-7, abs_tol=1e-8), (x.grad, expected)
        assert g.data == x.grad  # same walk, same summation order: bit-identical


@settings(max_examples=60, deadline=None)
@given(programs, points)
def test_backward_matches_central_differences(program: list[tuple[Any, ...]], point: list[float]) -> None:
    xs = [Value(p) for p in point]
    out = run(program, xs, 0)
    out.backward()
    h = 1e-6
    for i, x in enumerate(xs):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        f_up, f_down = run(program, [Value(p) for p in up], 0).data, run(program, [Value(p) for p in down], 0).data
        numeric = (f_up - f_down) / (2 * h)
        assert math.isclose(x.grad, numeric, rel_tol=1e-4, abs_tol=1e-5), (x.grad, numeric)


@settings(max_examples=25, deadline=None)
@given(programs, points)
def test_second_derivatives_match_sympy(program: list[tuple[Any, ...]], point: list[float]) -> None:
    assume(tree_size(program) <= MAX_TREE)
    xs = [Value(p) for p in point]
    out = run(program, xs, 0)
    symbols = sp.symbols(f"x0:{N_INPUTS}")
    expression = run(program, list(symbols), 1)
    first = sp.diff(expression, symbols[0])
    seconds = [sp.diff(first, s) for s in symbols]
    (d0,) = grad(out, [xs[0]], create_graph=True)
    second = grad(d0, xs)
    for value, derivative in zip(second, seconds):
        expected = numeric(derivative, symbols, point)
        assert math.isclose(value.data, expected, rel_tol=1e-7, abs_tol=1e-7), (value.data, expected)


@settings(max_examples=40, deadline=None)
@given(programs, points, st.integers(2, 4))
def test_backward_k_times_is_exactly_k_times(program: list[tuple[Any, ...]], point: list[float], k: int) -> None:
    xs = [Value(p) for p in point]
    out = run(program, xs, 0)
    out.backward()
    once = [x.grad for x in xs]
    for _ in range(k - 1):
        out.backward()
    # Summing the same float k times is exact for k = 2 and 4 (powers of two) and deterministic always.
    if k in (2, 4):
        assert [x.grad for x in xs] == [k * g for g in once]
    again = [Value(p) for p in point]
    out2 = run(program, again, 0)
    for _ in range(k):
        out2.backward()
    assert [x.grad for x in again] == [x.grad for x in xs]
