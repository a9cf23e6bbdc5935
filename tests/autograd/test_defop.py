"""User-defined operations through `defop`: the same door the built-ins use."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import GradcheckError, Op, Value, defop, grad, gradcheck, no_grad, ops, sigmoid

softplus = defop("softplus", lambda x: math.log1p(math.exp(x)), lambda x, out: sigmoid(x))


def test_user_op_end_to_end() -> None:
    x = Value(0.5)
    y = softplus(x) * 2
    assert y.inputs[0].op.name == "softplus"
    assert y.data == pytest.approx(2 * math.log1p(math.exp(0.5)))
    y.backward()
    assert x.grad == pytest.approx(2 / (1 + math.exp(-0.5)), rel=1e-14)
    assert gradcheck(lambda v: softplus(v), [0.5])
    assert gradcheck(lambda v: softplus(v * v), [-1.2], order=3)


def test_user_op_higher_order_derivatives() -> None:
    x = Value(0.3)
    (d1,) = grad(softplus(x), [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    s = 1 / (1 + math.exp(-0.3))
    assert d1.data == pytest.approx(s)
    assert d2.data == pytest.approx(s * (1 - s))
    assert d3.data == pytest.approx(s * (1 - s) * (1 - 2 * s))


def test_user_op_under_no_grad_and_on_plain_numbers() -> None:
    with no_grad():
        y = softplus(Value(1.0))
    assert y.inputs == () and y.op is None
    assert softplus(1.0) == pytest.approx(math.log1p(math.e))
    assert isinstance(softplus(1.0), float)


def test_three_input_operation() -> None:
    fma = defop("fma", lambda x, y, z: x * y + z, lambda x, y, z, out: (y, x, 1.0))
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    d = fma(a, b, c)
    assert d.data == 10.0 and d.op.name == "fma" and d.inputs == (a, b, c)
    (d * d).backward()
    assert (a.grad, b.grad, c.grad) == (60.0, 40.0, 20.0)
    assert gradcheck(lambda x, y, z: fma(x, y, z).tanh(), [0.2, -0.4, 0.3], order=2)
    assert fma(1, 2, 3) == 5.0
    (da, dc) = grad(fma(a, a, c), [a, c], create_graph=True)
    assert (da.data, dc.data) == (4.0, 1.0)


def test_numbers_are_lifted_when_mixed_with_values() -> None:
    x = Value(1.0)
    hyp = defop("hypot", lambda x, y: math.hypot(x, y), lambda x, y, out: (x / out, y / out))
    z = hyp(x, 3)
    z.backward()
    assert z.data == pytest.approx(math.sqrt(10)) and x.grad == pytest.approx(1 / math.sqrt(10))


def test_gradcheck_catches_a_wrong_derivative_in_a_user_op() -> None:
    wrong = defop("wrong_square", lambda x: x * x, lambda x, out: 3 * x)
    with pytest.raises(GradcheckError, match=r"wrong_square|<lambda>"):
        gradcheck(lambda v: wrong(v), [1.5])


def test_derivative_written_with_math_is_right_once_but_not_twice() -> None:
    # math.cos turns the Value into a float: fine for backward(), invisible to create_graph.
    sine = defop("sine", math.sin, lambda x, out: math.cos(x))
    assert gradcheck(lambda v: sine(v), [0.4])
    with pytest.raises(GradcheckError):
        gradcheck(lambda v: sine(v), [0.4], order=2)


def test_builtins_are_ops_from_the_same_table() -> None:
    for name in (
        "add",
        "sub",
        "mul",
        "truediv",
        "pow",
        "neg",
        "abs",
        "exp",
        "log",
        "tanh",
        "sigmoid",
        "relu",
        "sqrt",
        "sin",
        "cos",
    ):
        op = getattr(ops, name)
        assert isinstance(op, Op) and getattr(autograd, name) is op
    assert (Value(2.0) * Value(3.0)).op is ops.mul
    assert Value(2.0).exp().op is ops.exp
    assert repr(ops.mul) == "Op('*', arity=2)"


class TestDefopErrors:
    def test_name_must_be_a_non_empty_string(self) -> None:
        with pytest.raises(TypeError, match="non-empty str, got int"):
            defop(3, math.exp, lambda x, out: out)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="non-empty str"):
            defop("", math.exp, lambda x, out: out)

    def test_forward_and_derivative_must_be_callable(self) -> None:
        with pytest.raises(TypeError, match="must be callables"):
            defop("f", 1.0, lambda x, out: out)  # type: ignore[arg-type]

    def test_arity_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="arity must be a positive int, got 0"):
            defop("f", lambda: 1.0, lambda out: ())

    def test_wrong_number_of_arguments(self) -> None:
        with pytest.raises(TypeError, match=r"softplus\(\) takes 1 argument\(s\), got 2"):
            softplus(Value(1.0), Value(2.0))

    def test_non_number_arguments(self) -> None:
        with pytest.raises(TypeError, match=r"softplus\(\) expects a real number.*got str"):
            softplus("x")
        with pytest.raises(TypeError, match="got NoneType"):
            ops.mul(Value(1.0), None)

    def test_builtin_signature_without_introspection_needs_arity(self) -> None:
        with pytest.raises(TypeError, match="cannot read the signature of forward; pass arity="):
            defop("maxish", max, lambda x, y, out: (1.0, 0.0))
        op = defop("maxish", max, lambda x, y, out: (1.0, 0.0), arity=2)
        assert op(Value(3.0), 1).data == 3.0


def test_forward_results_are_checked_and_made_float() -> None:
    np = pytest.importorskip("numpy")
    as_numpy = defop("as_numpy", lambda x: np.float32(x) * 2, lambda x, out: 2.0)
    y = as_numpy(Value(1.5))
    assert type(y.data) is float and y.data == 3.0
    broken = defop("broken", lambda x: complex(x, 1), lambda x, out: 1.0)
    with pytest.raises(TypeError, match=r"the forward of operation 'broken' must return a real number.*got complex"):
        broken(Value(1.0))


def test_graphs_can_be_deep_copied() -> None:
    import copy

    x = Value(2.0)
    y = softplus(x * x)
    z = copy.deepcopy(y)
    assert z is not y and z.op is y.op and z.data == y.data
    z.backward()
    assert z.inputs[0].inputs[0].grad != 0.0 and x.grad == 0.0


class TestDerivativeResultsAreChecked:
    @pytest.mark.parametrize(
        ("partials", "shown"),
        [
            (lambda x, y, out: (1.0,), r"tuple \(1.0,\)"),
            (lambda x, y, out: (1.0, 2.0, 3.0), r"tuple \(1.0, 2.0, 3.0\)"),
            (lambda x, y, out: 1.0, "float 1.0"),
            (lambda x, y, out: (1j, 1.0), r"tuple \(1j, 1.0\)"),
            (lambda x, y, out: (None, 1.0), r"tuple \(None, 1.0\)"),
            (lambda x, y, out: ("1", 1.0), r"tuple \('1', 1.0\)"),
            (lambda x, y, out: (Value(1.0), 1.0), r"tuple \(Value\(data=1.0"),
        ],
    )
    def test_wrong_partials_of_a_two_input_op_raise_in_backward_and_grad(self, partials: object, shown: str) -> None:
        op = defop("mul2", lambda x, y: x * y, partials)  # type: ignore[arg-type]
        a, b = Value(2.0), Value(3.0)
        y = op(a, b)
        pattern = rf"the derivative of operation 'mul2' returned {shown}.*; expected a tuple of 2 partial"
        with pytest.raises(TypeError, match=pattern):
            y.backward()
        assert a.grad == 0.0 and b.grad == 0.0  # nothing half-applied
        with pytest.raises(TypeError, match=pattern):
            grad(y, [a, b])

    def test_three_input_op_with_two_partials(self) -> None:
        fma = defop("fma3", lambda x, y, z: x * y + z, lambda x, y, z, out: (y, x))
        with pytest.raises(TypeError, match=r"returned tuple .*expected a tuple of 3 partial derivatives"):
            fma(Value(1.0), Value(2.0), Value(3.0)).backward()

    def test_one_input_op_returning_numpy_array_or_tuple(self) -> None:
        np = pytest.importorskip("numpy")
        arr = defop("arr", lambda x: x, lambda x, out: np.array([1.0, 2.0]))
        with pytest.raises(TypeError, match=r"derivative of operation 'arr' returned ndarray .*expected a real number"):
            arr(Value(1.0)).backward()
        tup = defop("tup", lambda x: x, lambda x, out: (1.0,))
        with pytest.raises(TypeError, match=r"returned tuple \(1.0,\); expected a real number"):
            tup(Value(1.0)).backward()
        scalar = defop("npscalar", lambda x: x, lambda x, out: np.float64(2.0))
        v = Value(1.0)
        scalar(v).backward()
        assert v.grad == 2.0 and type(v.grad) is float

    def test_value_partials_are_fine_under_create_graph(self) -> None:
        x = Value(0.0)
        (d,) = grad(softplus(x), [x], create_graph=True)
        assert d.data == 0.5

    def test_arity_is_checked_when_defined(self) -> None:
        with pytest.raises(TypeError, match=r"'f2': derivative must take 3 positional argument\(s\) \(the inputs"):
            defop("f2", lambda x, y: x + y, lambda x, out: (1.0, 1.0))
        with pytest.raises(TypeError, match=r"'f1': forward must take 2 positional"):
            defop("f1", lambda x: x, lambda x, y, out: (1.0, 1.0), arity=2)
        defop("variadic", lambda *xs: sum(xs), lambda *args: (1.0, 1.0), arity=2)  # fine: signature accepts

    def test_builtin_derivatives_are_not_wrapped(self) -> None:
        # The table's own operations skip the check: their derivative is the function in the row.
        assert ops.tanh.derivative.__name__ == "<lambda>" and not hasattr(ops.tanh.derivative, "__wrapped__")
        assert hasattr(softplus.derivative, "__wrapped__")
