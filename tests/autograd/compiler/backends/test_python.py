"""The Python backend: compiled equals eager (values and every gradient) on every operation and random programs."""

from __future__ import annotations

import linecache
import math
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, defop, ops

sys.path.insert(0, str(Path(__file__).parent.parent))
from compile_helpers import assert_same, close, compiled_run, eager

POINTS = [-1.3, -0.4, 0.0, 0.3, 1.7]


def _defined(f: Any, *args: float) -> bool:
    try:
        out = f(*args)
        out.backward()
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    return math.isfinite(out.data)


@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: op.name)
def test_every_builtin_operation_compiles_to_what_eager_computes(op: ops.Op) -> None:
    a, b = Value(0.0, label="a"), Value(0.0, label="b")
    if op.arity == 1:

        def fn(x: float, y: float) -> Value:
            return op(a * x) * b
    else:

        def fn(x: float, y: float) -> Value:
            return op(a * x, b * y) + a * b

    step = autograd.compile(fn)
    checked = 0
    for x in POINTS:
        for y in POINTS:
            a.data, b.data = 1.0, 1.0
            if not _defined(fn, x, y):
                continue
            a.data, b.data = 1.0, 1.0
            expected = eager(fn, [a, b], x, y)
            assert_same(compiled_run(step, [a, b], x, y), expected)
            checked += 1
    assert checked >= 5, f"{op.name}: too few points in its domain ({checked})"
    assert step.traces == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: ops.power(2.0),
        lambda: ops.power(3.0),
        lambda: ops.power(-1.5),
        lambda: ops.power(0.5),
        lambda: ops.power_of(2.0),
        lambda: ops.power_of(0.5),
    ],
    ids=["x**2", "x**3", "x**-1.5", "x**0.5", "2**x", "0.5**x"],
)
def test_constant_powers_compile_with_their_constant(make: Any) -> None:
    op = make()
    a = Value(1.0, label="a")

    def fn(x: float) -> Value:
        return op(a * x)

    step = autograd.compile(fn)
    for x in (0.25, 1.0, 2.5):
        assert_same(compiled_run(step, [a], x), eager(fn, [a], x))
    assert repr(op.const) in step.source


def test_a_user_operation_without_templates_calls_its_own_functions() -> None:
    cube = defop("cube", lambda x: x * x * x, lambda x, out: 3.0 * x * x)
    mix = defop("mix", lambda x, y, z: x * y + z, lambda x, y, z, out: (y, x, 1.0))
    w = Value(0.7, label="w")

    def fn(x: float) -> Value:
        return mix(cube(w * x), w, x)

    step = autograd.compile(fn)
    for x in (-2.0, 0.5, 3.0):
        assert_same(compiled_run(step, [w], x), eager(fn, [w], x))
    assert "_f0(" in step.source and "_d0(" in step.source


def test_a_user_operation_with_a_python_template_uses_it() -> None:
    twice = defop("twice", lambda x: 2.0 * x, lambda x, out: 2.0, code={"python": ("2.0 * {0}", ("2.0",))})
    w = Value(0.7, label="w")
    step = autograd.compile(lambda x: twice(w * x))
    assert compiled_run(step, [w], 3.0) == (4.2, [6.0]) or close(step(3.0), 4.2)
    assert "_f0" not in step.source and "2.0 *" in step.source


def test_the_old_template_key_py_still_works_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match='"py" is now "python"'):
        twice = defop("twice", lambda x: 2.0 * x, lambda x, out: 2.0, code={"py": ("2.0 * {0}", ("2.0",))})
    w = Value(0.7, label="w")
    step = autograd.compile(lambda x: twice(w * x))
    step(3.0)
    assert "_f0" not in step.source and "2.0 *" in step.source


UNARY = {
    "tanh": lambda v: v.tanh(),
    "sigmoid": lambda v: v.sigmoid(),
    "sin": lambda v: v.sin(),
    "neg": lambda v: -v,
    "exp_tanh": lambda v: v.tanh().exp(),
    "log1p_sq": lambda v: (1 + v * v).log(),
    "sqrt1p_sq": lambda v: (1 + v * v).sqrt(),
    "square": lambda v: v**2,
    "relu": lambda v: v.relu(),
    "abs": lambda v: abs(v),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (1 + b * b),
    "pow": lambda a, b: (1 + a * a) ** b.tanh(),
    "const": lambda a, b: 0.5 * a - b * 1.5 + 2,
}
instruction = st.one_of(
    st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 100)),
    st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 100), st.integers(0, 100)),
)
programs = st.lists(instruction, min_size=1, max_size=12)
points = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=5, max_size=5)


def _run(program: list[tuple[Any, ...]], inputs: list[Any]) -> Any:
    env = list(inputs)
    for name, *args in program:
        if name in UNARY:
            env.append(UNARY[name](env[args[0] % len(env)]))
        else:
            env.append(BINARY[name](env[args[0] % len(env)], env[args[1] % len(env)]))
    return env[-1] if not isinstance(env[-1], (int, float)) else env[-1] * env[0]


@settings(max_examples=60, deadline=None)
@given(programs, points)
def test_random_programs_compile_to_what_eager_computes(program: list[tuple[Any, ...]], point: list[float]) -> None:
    """The engine's property-test programs, over 3 parameters and 2 inputs; a batch of two samples too."""
    params = [Value(p, label=f"p{i}") for i, p in enumerate(point[:3])]

    def fn(x: float, y: float) -> Value:
        return _run(program, [*params, x, y])

    step = autograd.compile(fn)
    x, y = point[3], point[4]
    X, Y = Value(x), Value(y)
    assert_same(compiled_run(step, params, x, y), eager(fn, params, X, Y))
    for p in params:
        p.grad = 0.0
    total = step.batch([x, y], [y, x], reduce="mean")
    got = [p.grad for p in params]
    expected = eager(lambda: (fn(X, Y) + fn(Y, X)) / 2, params)
    assert_same((total, got), expected)


def test_the_source_is_readable_straight_line_code() -> None:
    w, b = Value(0.5, label="w"), Value(-1.0, label="b")
    step = autograd.compile(lambda x, y: (w * x + b - y) ** 2)
    step(1.0, 2.0)
    src = step.source
    assert "w, b, = _P" in src and "# forward" in src and "# backward" in src
    assert "g_w = g_w +" in src and "g_b = g_b +" in src
    assert "x" in src and "y = _A1[_i]" in src
    forward = src.split("# forward")[1].split("# backward")[0]
    assert forward.count("\n") <= 4  # w * x + b - y inlined into one statement, then the square
    assert linecache.getline(step._entries[step._last_key].run.__code__.co_filename, 1).startswith("def ")


def test_long_sums_are_split_so_python_can_compile_them() -> None:
    ws = [Value(0.001 * i) for i in range(4000)]

    def fn(x: float) -> Value:
        return sum((w * x for w in ws), Value(0.0)).tanh()

    step = autograd.compile(fn)
    assert_same(compiled_run(step, ws, 0.3), eager(fn, ws, 0.3), tol=1e-12)


def test_an_error_in_generated_code_is_reported_like_eager_with_the_users_line() -> None:
    w = Value(1.0, label="w")

    def fn(x: float) -> Value:
        shifted = w * x - 1.0
        return shifted.log()  # this line

    step = autograd.compile(fn)
    assert close(step(3.0), math.log(2.0))
    with pytest.raises(ValueError) as info:
        step(0.5)
    message = str(info.value)
    assert "log is only defined for x > 0, got log(-0.5)" in message
    assert "operation 'log'" in message
    line = fn.__code__.co_firstlineno + 2
    assert f"{__file__}:{line}" in message
    assert "<autograd.compile fn" in "".join(traceback.format_exception(info.value.__cause__))


def test_forward_only_and_no_grad_leave_gradients_alone() -> None:
    w = Value(2.0)
    step = autograd.compile(lambda x: w * x)
    assert step.forward(3.0) == 6.0 and w.grad == 0.0
    with autograd.no_grad():
        assert step(4.0) == 8.0
        assert step.batch([1.0, 2.0]) == 6.0
    assert w.grad == 0.0
    assert step.forward_batch([1.0, 2.0, 3.0]) == [2.0, 4.0, 6.0]


def test_parameters_are_read_at_every_call_and_gradients_add_up() -> None:
    w = Value(2.0)
    step = autograd.compile(lambda x: w * x)
    assert step(3.0) == 6.0 and w.grad == 3.0
    w.data = 5.0  # what an optimizer step does
    assert step(3.0) == 15.0 and w.grad == 6.0


def test_batch_checks_its_arguments() -> None:
    w = Value(2.0)
    step = autograd.compile(lambda x, y: w * x + y)
    with pytest.raises(ValueError, match="different lengths"):
        step.batch([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="reduce"):
        step.batch([1.0], [1.0], reduce="max")
    with pytest.raises(ValueError, match="no samples"):
        step.batch([], [])
    with pytest.raises(TypeError, match="must be a sequence"):
        step.batch(1.0, 2.0)


def test_compile_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="expects a function"):
        autograd.compile(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="backend"):
        autograd.compile(lambda x: x, backend="fortran")
    with pytest.raises(ValueError, match="static='z'"):
        autograd.compile(lambda x: x, static=["z"])
    w = Value(1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        autograd.compile(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match="is a Value"):
        autograd.compile(lambda x: w * x)(Value(2.0))
    with pytest.raises(TypeError, match="number or a sequence"):
        autograd.compile(lambda x: w)("abc")


def test_compile_is_loaded_lazily_and_is_the_function() -> None:
    import autograd.compiler

    assert autograd.compile is autograd.compiler.compile
