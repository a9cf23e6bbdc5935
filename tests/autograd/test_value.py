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
            lambda: a + bad,
            lambda: bad + a,
            lambda: a * bad,
            lambda: bad * a,
            lambda: a - bad,
            lambda: a / bad,
            lambda: a**bad,
            lambda: bad**a,
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


class TestPyTorchNames:
    def test_item_is_the_float(self) -> None:
        loss = Value(2.0) * 3
        assert loss.item() == 6.0 and type(loss.item()) is float

    def test_is_leaf(self) -> None:
        x = Value(1.0)
        y = x * 2
        assert x.is_leaf and not y.is_leaf
        with no_grad():
            assert (x * 2).is_leaf

    def test_detach_is_a_constant_leaf_with_the_same_number(self) -> None:
        x = Value(1.5)
        y = (x * 2).detach()
        assert y.data == 3.0 and y.is_leaf and not y.requires_grad and y.inputs == ()
        (y * x).backward()
        assert x.grad == 3.0  # no gradient flows through the detached value into x

    def test_requires_grad_false_marks_a_constant_leaf(self) -> None:
        scale = Value(10.0, requires_grad=False)
        w = Value(2.0)
        assert not scale.requires_grad and w.requires_grad and (w * scale).requires_grad
        (w * scale).backward()
        assert w.grad == 10.0
        scale.requires_grad = True
        assert scale.requires_grad
        assert w.requires_grad_(False) is w and not w.requires_grad

    def test_requires_grad_false_only_on_leaves(self) -> None:
        y = Value(1.0) * 2
        with pytest.raises(ValueError, match=r"only on a leaf; use .detach"):
            y.requires_grad = False
        with pytest.raises(TypeError, match="requires_grad must be a bool, got str 'no'"):
            Value(1.0).requires_grad = "no"  # type: ignore[assignment]
        with pytest.raises(TypeError, match=r"requires_grad=...\) expects a bool, got int 0"):
            Value(1.0, requires_grad=0)  # type: ignore[arg-type]

    def test_backward_gradient_and_retain_graph(self) -> None:
        x = Value(3.0)
        y = x * x
        y.backward(gradient=2.0, retain_graph=True)
        assert x.grad == 12.0
        y.backward(0.5)  # the old positional form
        y.backward(grad=0.5)  # and the old keyword
        y.backward(Value(1.0))  # PyTorch passes a tensor: a Value is taken by its number
        assert x.grad == 12.0 + 3.0 + 3.0 + 6.0
        with pytest.raises(TypeError, match="both gradient= and grad="):
            y.backward(1.0, grad=1.0)
        with pytest.raises(TypeError, match=r"retain_graph=...\) expects a bool or None, got str"):
            y.backward(retain_graph="yes")  # type: ignore[arg-type]

    def test_label_given_positionally_still_works(self) -> None:
        # Before micrograd's signature Value(data, _children, _op, label) was supported, the label came second.
        assert Value(2.0, "x").label == "x"
        with pytest.raises(TypeError, match="two labels"):
            Value(2.0, "x", label="y")


class TestPickle:
    def test_non_leaf_graph_round_trips(self) -> None:
        import pickle

        x = Value(2.0, label="x")
        y = (x * x + 1).tanh() ** 2
        y.backward()
        z = pickle.loads(pickle.dumps(y))
        assert z.data == y.data and z.op is y.op and z.grad == y.grad
        (zx,) = {v for v in __import__("autograd").topological_order(z) if v.label == "x"}
        assert zx.grad == x.grad and zx.is_leaf

    def test_deep_graph_round_trips_without_recursion_error(self) -> None:
        import copy
        import pickle

        x = Value(0.5)
        y = x
        for _ in range(5000):
            y = y * 1.0001 + x
        z = pickle.loads(pickle.dumps(y))
        assert z.data == y.data
        w = copy.deepcopy(y)
        assert w.data == y.data and w is not y

    def test_a_deep_copy_of_a_micrograd_made_node_still_runs_its_closure(self) -> None:
        import copy

        a, b = Value(2.0), Value(3.0)
        out = Value(a.data * b.data, (a, b), "*")

        def _backward() -> None:
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad

        out._backward = _backward
        twin = copy.deepcopy(out)
        assert [x.data for x in twin.inputs] == [2.0, 3.0] and twin.op is out.op and twin._x is not None
        twin.backward()  # runs the closure (the original's: a closure is code, shared by copies)
        out.backward()
        assert (a.grad, b.grad) == (3.0, 2.0)

    def test_shared_leaves_stay_shared(self) -> None:
        import pickle

        w = Value(1.0, requires_grad=False)
        a, b = w * 2, w + 3
        a2, b2 = pickle.loads(pickle.dumps([a, b]))
        assert a2.inputs[0] is b2.inputs[0] and not a2.inputs[0].requires_grad

    def test_module_level_defop_pickles_by_reference(self) -> None:
        import pickle

        y = _softsign(Value(2.0)) * 3
        z = pickle.loads(pickle.dumps(y))
        assert z.inputs[0].op is _softsign and z.data == y.data

    def test_local_defop_is_refused_with_the_fix(self) -> None:
        import pickle

        from autograd import defop

        local = defop("local", lambda x: x, lambda x, out: 1.0)
        with pytest.raises(TypeError, match="assign it to a name at the top level of an importable module"):
            pickle.dumps(local(Value(1.0)))


def _softsign_forward(x: float) -> float:
    return x / (1 + abs(x))


_softsign = __import__("autograd").defop("softsign", _softsign_forward, lambda x, out: 1 / (1 + abs(x)) ** 2)


class TestNamedErrors:
    @pytest.mark.parametrize(
        ("compute", "error", "message"),
        [
            (lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000.0\) overflows"),
            (lambda: Value(10.0) ** 400, OverflowError, r"10.0 \*\* 400 overflows"),
            (lambda: Value(10.0) ** Value(400.0), OverflowError, r"10.0 \*\* 400.0 overflows"),
            (lambda: Value(float("inf")).sin(), ValueError, r"sin\(inf\) is not defined: math domain error"),
            (lambda: Value(1.0) / 0, ZeroDivisionError, r"1.0 / 0.0 divides by zero"),
            (lambda: __import__("autograd").exp(1000), OverflowError, r"exp\(1000.0\) overflows"),
            (lambda: __import__("autograd").exp(Value(1000)), OverflowError, r"exp\(1000.0\) overflows"),
        ],
    )
    def test_forward_errors_name_the_operation_and_the_value(
        self, compute: object, error: type[Exception], message: str
    ) -> None:
        with pytest.raises(error, match=message):
            compute()  # type: ignore[operator]

    def test_backward_errors_name_the_operation(self) -> None:
        x = Value(0.0)
        y = x.sqrt()
        with pytest.raises(ZeroDivisionError, match=r"the derivative of sqrt\(0.0\) failed in backward\(\)"):
            y.backward()
        from autograd import grad

        with pytest.raises(ZeroDivisionError, match=r"the derivative of sqrt\(0.0\) failed in grad\(\)"):
            grad(y, x)
