"""The `Value` node: construction, attributes, operators, reprs and bad input."""

from __future__ import annotations

import fractions
import gc
import math

import pytest

from autograd import Value, no_grad


class TestConstruction:
    @pytest.mark.parametrize(
        ("given", "stored"),
        [(3, 3.0), (2.5, 2.5), (True, 1.0), (False, 0.0), (fractions.Fraction(1, 4), 0.25), (-0.0, -0.0)],
    )
    def test_real_numbers_are_stored_as_float(self, given: object, stored: float) -> None:
        v = Value(given)  # type: ignore[arg-type]
        assert type(v.data) is float
        assert v.data == stored

    def test_numpy_scalars_are_accepted(self) -> None:
        np = pytest.importorskip("numpy")
        for scalar in (np.float64(1.5), np.float32(1.5), np.int64(3), np.float16(0.5)):
            v = Value(scalar)
            assert type(v.data) is float
            assert v.data == float(scalar)

    def test_nan_and_inf_are_real_numbers(self) -> None:
        assert math.isnan(Value(math.nan).data)
        assert Value(math.inf).data == math.inf

    @pytest.mark.parametrize("bad", ["1.0", None, 1 + 2j, [1.0], (1.0,), {"a": 1}, object(), b"1"])
    def test_non_real_data_raises_type_error_naming_what_was_given(self, bad: object) -> None:
        with pytest.raises(TypeError) as excinfo:
            Value(bad)  # type: ignore[arg-type]
        message = str(excinfo.value)
        assert "real number" in message
        assert type(bad).__name__ in message

    def test_a_value_is_not_data_for_another_value(self) -> None:
        with pytest.raises(TypeError, match="got Value"):
            Value(Value(1.0))  # type: ignore[arg-type]

    def test_label_must_be_a_string(self) -> None:
        with pytest.raises(TypeError, match="label must be a str, got int"):
            Value(1.0, label=3)  # type: ignore[arg-type]

    def test_fresh_leaf_attributes(self) -> None:
        v = Value(2.0, label="w")
        assert (v.data, v.grad, v.label, v.op, v.inputs) == (2.0, 0.0, "w", None, ())
        assert v._op == "" and tuple(v._prev) == ()


class TestAttributes:
    def test_data_grad_label_are_writable(self) -> None:
        v = Value(1.0)
        v.data -= 0.5
        v.grad = 3.0
        v.label = "p"
        assert (v.data, v.grad, v.label) == (0.5, 3.0, "p")

    def test_op_and_inputs_record_the_operation_in_argument_order(self) -> None:
        a, b = Value(2.0), Value(3.0)
        c = a - b
        assert c.op.name == "-" and c.inputs == (a, b)
        d = 5 - a
        assert d.op.name == "-" and d.inputs[1] is a and d.inputs[0].data == 5.0
        e = a.tanh()
        assert e.op.name == "tanh" and e.inputs == (a,)

    def test_micrograd_aliases(self) -> None:
        a, b = Value(2.0), Value(3.0)
        c = a * b
        assert c._op == "*" and set(c._prev) == {a, b}

    def test_identity_equality_and_hashing(self) -> None:
        a, b = Value(1.0), Value(1.0)
        assert a != b and a == a
        assert len({a, b, a}) == 2
        grads = {a: "x", b: "y"}
        assert grads[a] == "x"

    def test_float_conversion(self) -> None:
        assert float(Value(2.5)) == 2.5

    def test_repr(self) -> None:
        v = Value(2.0)
        v.grad = -1.5
        assert repr(v) == "Value(data=2.0, grad=-1.5)"
        assert repr(Value(1.0, label="x")) == "Value(data=1.0, grad=0.0, label='x')"


class TestOperators:
    def test_arithmetic_with_numbers_on_either_side(self) -> None:
        a = Value(3.0)
        assert (a + 2).data == 5.0 and (2 + a).data == 5.0
        assert (a - 2).data == 1.0 and (2 - a).data == -1.0
        assert (a * 2).data == 6.0 and (2 * a).data == 6.0
        assert (a / 2).data == 1.5 and (6 / a).data == 2.0
        assert (a**2).data == 9.0 and (2**a).data == 8.0
        assert (-a).data == -3.0 and abs(Value(-3.0)).data == 3.0
        assert (+a) is a

    def test_numpy_scalars_on_either_side(self) -> None:
        np = pytest.importorskip("numpy")
        a = Value(3.0)
        assert (a * np.float32(2.0)).data == 6.0
        assert (a + np.int64(1)).data == 4.0

    def test_value_power_value_is_differentiable_in_both(self) -> None:
        x, y = Value(2.0), Value(3.0)
        z = x**y
        z.backward()
        assert z.data == 8.0
        assert x.grad == pytest.approx(3 * 2.0**2)
        assert y.grad == pytest.approx(8.0 * math.log(2.0))

    def test_number_power_value(self) -> None:
        y = Value(3.0)
        z = 2**y
        z.backward()
        assert y.grad == pytest.approx(8.0 * math.log(2.0))

    @pytest.mark.parametrize("bad", ["x", None, [1.0], 1j])
    def test_mixing_with_unsupported_types_raises_type_error(self, bad: object) -> None:
        a = Value(1.0)
        for operation in (
            lambda: a + bad, lambda: bad + a, lambda: a * bad, lambda: bad * a, lambda: a - bad,
            lambda: a / bad, lambda: a**bad, lambda: bad**a,
        ):
            with pytest.raises(TypeError):
                operation()

    def test_sum_of_values_starts_from_zero(self) -> None:
        vs = [Value(float(i)) for i in range(5)]
        s = sum(vs)
        assert isinstance(s, Value) and s.data == 10.0
        s.backward()
        assert all(v.grad == 1.0 for v in vs)


class TestMemory:
    def test_graph_is_freed_by_reference_counting_alone(self) -> None:
        gc.collect()
        gc.disable()
        try:
            x = Value(0.5)
            y = x
            for _ in range(1000):
                y = (y * 1.001 + x).tanh() + y.sigmoid()
            y.backward()
            del x, y
            assert gc.collect() == 0, "a graph left reference cycles for the garbage collector"
        finally:
            gc.enable()

    def test_values_made_under_no_grad_hold_no_inputs(self) -> None:
        a = Value(2.0)
        with no_grad():
            b = a * 3 + 1
        assert b.inputs == () and b.op is None and b.data == 7.0
