"""`backward()`: accumulation, shared subexpressions, deep graphs, determinism, errors."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, defop, topological_order


class TestAccumulation:
    def test_backward_twice_gives_exactly_twice_the_gradient(self) -> None:
        # micrograd's c = a*b + a compounds to 8 and 9 on the second call; PyTorch (and we) give 6 and 6.
        a, b = Value(2.0), Value(3.0)
        c = a * b + a
        c.backward()
        assert (a.grad, b.grad) == (4.0, 2.0)
        c.backward()
        assert (a.grad, b.grad) == (8.0, 4.0)

    def test_intermediate_nodes_also_accumulate_exactly(self) -> None:
        a = Value(0.3)
        h = (a * 1.7).tanh()
        out = h * h + h.exp()
        out.backward()
        first = {id(n): n.grad for n in topological_order(out)}
        out.backward()
        for node in topological_order(out):
            assert node.grad == 2 * first[id(node)]

    def test_twice_is_exactly_twice_for_awkward_floats(self) -> None:
        xs = [Value(0.1 * i + 0.013) for i in range(1, 30)]
        out = sum((x.tanh() * x.sin() for x in xs), Value(0.0)) * (1 / 3)
        out.backward()
        once = [x.grad for x in xs]
        out.backward()
        assert [x.grad for x in xs] == [2 * g for g in once]

    def test_existing_gradient_is_added_to(self) -> None:
        x = Value(3.0)
        x.grad = 0.5
        (x * x).backward()
        assert x.grad == 6.5

    def test_seed_gradient(self) -> None:
        x = Value(3.0)
        y = x * x
        y.backward(grad=-2.0)
        assert y.grad == -2.0 and x.grad == -12.0

    def test_seed_must_be_a_number(self) -> None:
        with pytest.raises(TypeError, match=r"backward\(grad=...\) expects a real number"):
            Value(1.0).backward("1")  # type: ignore[arg-type]

    def test_leaf_backward(self) -> None:
        x = Value(3.0)
        x.backward()
        assert x.grad == 1.0


class TestSharing:
    def test_a_plus_a(self) -> None:
        a = Value(3.0)
        b = a + a
        b.backward()
        assert a.grad == 2.0

    def test_reused_intermediate(self) -> None:
        a = Value(3.0)
        b = a + a
        c = b * b
        c.backward()
        assert c.data == 36.0 and b.grad == 12.0 and a.grad == 24.0

    def test_diamond(self) -> None:
        x = Value(0.5)
        u, v = x.exp(), x.sin()
        y = u * v + u
        y.backward()
        expected = math.exp(0.5) * math.sin(0.5) + math.exp(0.5) * math.cos(0.5) + math.exp(0.5)
        assert x.grad == pytest.approx(expected, rel=1e-14)


class TestDeepGraphs:
    def test_sum_of_100k_values(self) -> None:
        # Python's default limit, whatever another library in this process set it to: nothing may recurse.
        before = sys.getrecursionlimit()
        sys.setrecursionlimit(1000)
        try:
            xs = [Value(1.0) for _ in range(100_000)]
            total = sum(xs)
            assert isinstance(total, Value)
            total.backward()
        finally:
            sys.setrecursionlimit(before)
        assert total.data == 100_000.0
        assert all(x.grad == 1.0 for x in xs)

    @pytest.mark.slow
    def test_million_op_chain(self) -> None:
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = y * 1.0
        y = y + 0.0
        y.backward()
        assert y.data == 1.0 and x.grad == 1.0
        # x, a constant leaf and a product per multiplication, then 0.0 and the sum
        assert len(topological_order(y)) == 1 + 2 * 1_000_000 + 2


class TestRobustness:
    def test_failing_derivative_leaves_every_grad_as_it_was(self) -> None:
        def broken(x: float, out: float) -> float:
            raise RuntimeError("boom")

        bad = defop("bad", lambda x: 2 * x, broken)
        a = Value(1.0)
        a.grad = 0.25
        b = a * 3
        c = bad(b) + b
        with pytest.raises(RuntimeError, match="boom"):
            c.backward()
        assert (a.grad, b.grad, c.grad) == (0.25, 0.0, 0.0)

    def test_backward_needs_a_value(self) -> None:
        from autograd.backprop import backward

        with pytest.raises(TypeError, match="backward\\(\\) needs a Value, got float"):
            backward(1.0)  # type: ignore[arg-type]


class TestOrder:
    def test_topological_order_puts_inputs_first_and_visits_each_node_once(self) -> None:
        a, b = Value(1.0), Value(2.0)
        c = a * b
        d = c + a
        e = d * c
        order = topological_order(e)
        assert len(order) == len({id(n) for n in order}) == 5
        position = {id(n): i for i, n in enumerate(order)}
        for node in order:
            for parent in node.inputs:
                assert position[id(parent)] < position[id(node)]
        assert order[-1] is e and order[:2] == [a, b]


def test_gradients_are_bit_identical_across_processes() -> None:
    program = textwrap.dedent(
        """
        import random
        from autograd import Value
        rng = random.Random(7)
        xs = [Value(rng.uniform(-1, 1)) for _ in range(40)]
        acc = Value(0.0)
        for i in range(400):
            a, b = rng.choice(xs), rng.choice(xs)
            acc = acc + (a * b).tanh() * rng.uniform(-1, 1) + a.sigmoid() * b
        acc.backward()
        print(repr(acc.data), *[x.grad.hex() for x in xs])
        """
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (0, 1, 12345)
    }
    assert len(outputs) == 1


def test_topological_order_of_several_roots_and_with_a_limit() -> None:
    from autograd import GraphTooLargeError

    a, b = Value(1.0), Value(2.0)
    c = a * b
    d, e = c + a, c.exp()
    both = topological_order([d, e])
    assert both == [*topological_order(d), e]  # shared nodes appear once, where d's walk put them
    assert len(topological_order(d, max_nodes=4)) == 4
    with pytest.raises(GraphTooLargeError, match="more than 3 values"):
        topological_order(d, max_nodes=3)


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1), st.integers(2, 60))
def test_backwards_own_walk_is_topological_order_and_empties_every_grad(seed: int, size: int) -> None:
    """The walk backward() uses (marks in .grad instead of a set) gives exactly topological_order's order."""
    import random

    from autograd.backprop import _walk

    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2)) for _ in range(4)]
    nodes = list(leaves)
    three = defop("three", lambda a, b, c: a + b * c, lambda a, b, c, out: (1.0, c, b))
    for _ in range(size):
        kind = rng.randrange(5)
        pick = [rng.choice(nodes) for _ in range(3)]
        if kind == 0:
            nodes.append(pick[0] * pick[1])
        elif kind == 1:
            nodes.append(pick[0] + pick[1] - 0.5)
        elif kind == 2:
            nodes.append(pick[0].tanh())
        elif kind == 3:
            nodes.append(three(*pick))  # three inputs: kept as a tuple
        else:
            micro = Value(pick[0].data + pick[1].data, (pick[0], pick[1]), "+")  # micrograd's way
            nodes.append(micro)
    root = nodes[-1] + nodes[-2] * nodes[len(nodes) // 2]
    for node in nodes:
        node.grad = rng.choice([0.0, 0.0, 1.5, -2.0])
    before = {node: node.grad for node in topological_order(root)}
    order, held = _walk(root)
    assert order == topological_order(root)
    assert all(node.grad == 0.0 for node in order)
    assert dict(held) == {node: g for node, g in before.items() if g}


def test_backward_pauses_the_garbage_collector_and_restores_it() -> None:
    import gc

    x = Value(2.0)
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            (x * x).backward()
            assert gc.isenabled() is enabled
            with pytest.raises(ZeroDivisionError):
                (x - 2.0).sqrt().backward()  # an error in a derivative: the state is restored all the same
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_a_grad_set_to_none_is_treated_as_zero_not_as_visited() -> None:
    """PyTorch code writes ``p.grad = None``; backward() restarts it from 0 as it always did."""
    w, x = Value(3.0), Value(2.0)
    w.grad = None  # type: ignore[assignment]
    (w * x + w).backward()
    assert w.grad == 3.0 and x.grad == 3.0


def test_an_interrupted_walk_puts_every_grad_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd import backprop

    w, x = Value(3.0), Value(2.0)
    w.grad = 5.0
    out = (w * x).tanh() + w
    calls = []

    class Interrupt(BaseException):
        pass

    original = Value.inputs

    def interrupting(self: Value) -> tuple[Value, ...]:
        calls.append(self)
        raise Interrupt

    three = defop("three", lambda a, b, c: a + b + c, lambda a, b, c, out: (1.0, 1.0, 1.0))
    root = three(out, w, x)  # three inputs: the walk reads .inputs there, where the interrupt comes
    monkeypatch.setattr(Value, "inputs", property(interrupting))
    with pytest.raises(Interrupt):
        backprop._walk(root)
    monkeypatch.setattr(Value, "inputs", original)
    assert calls and w.grad == 5.0 and x.grad == 0.0 and out.grad == 0.0 and root.grad == 0.0
