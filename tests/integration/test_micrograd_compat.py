"""micrograd programs run with only their imports changed (`from autograd import Value`)."""

from __future__ import annotations

import sympy as sp

from autograd import Value


def test_micrograd_sanity_check() -> None:
    # micrograd's test_engine.py::test_sanity_check, imports changed; oracle: sympy.
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()

    s = sp.Symbol("x")
    zs = 2 * s + 2 + s
    ys = sp.Max(zs * zs, 0) + (sp.Max(zs, 0) + zs * s) + (sp.Max(zs, 0) + zs * s) * s
    assert y.data == float(ys.subs(s, -4)) == -20.0
    assert x.grad == float(sp.diff(ys, s).subs(s, -4)) == 46.0


def test_micrograd_more_ops() -> None:
    # micrograd's test_engine.py::test_more_ops, imports changed; oracle: sympy.
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()

    sa, sb = sp.symbols("a b")
    sc = sa + sb
    sd = sa * sb + sb**3
    sc = sc + sc + 1
    sc = sc + 1 + sc + (-sa)
    sd = sd + sd * 2 + sp.Max(sb + sa, 0)
    sd = sd + 3 * sd + sp.Max(sb - sa, 0)
    sf = (sc - sd) ** 2
    sg = sf / 2 + 10 / sf
    at = {sa: -4, sb: 2}
    assert abs(g.data - float(sg.subs(at))) < 1e-12
    assert abs(a.grad - float(sp.diff(sg, sa).subs(at))) < 1e-9
    assert abs(b.grad - float(sp.diff(sg, sb).subs(at))) < 1e-9
    assert abs(g.data - 24.70408163265306) < 1e-12  # the figures in micrograd's README
    assert abs(a.grad - 138.83381924198252) < 1e-9
    assert abs(b.grad - 645.5772594752186) < 1e-9


def test_micrograd_graph_tracing_code_runs_unchanged() -> None:
    # The trace() helper from micrograd's trace_graph.ipynb, verbatim apart from typing.
    def trace(root):  # type: ignore[no-untyped-def]
        nodes, edges = set(), set()

        def build(v):  # type: ignore[no-untyped-def]
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    x = Value(1.0)
    y = (x * 2 + 1).relu()
    nodes, edges = trace(y)
    assert len(nodes) == 6 and len(edges) == 5
    labels = sorted(n._op for n in nodes)
    assert labels == ["", "", "", "*", "+", "relu"]
    for n in nodes:
        assert isinstance(n._op, str) and "{ data %.4f | grad %.4f }" % (n.data, n.grad)  # noqa: UP031 - verbatim


# ---------------------------------------------------------------- micrograd's own way of writing operations
# The lecture ("The spelled-out intro to neural networks and backpropagation") writes each operation as
# out = Value(data, (self, other), '+') plus a `_backward` closure.  Here that code runs on valuegrad's
# Value, as a subclass that (re)defines operations that way, and trains a tiny MLP with it.

import math  # noqa: E402
import random  # noqa: E402

import pytest  # noqa: E402


class LectureValue(Value):
    def __add__(self, other):  # type: ignore[no-untyped-def]
        other = other if isinstance(other, Value) else LectureValue(other)
        out = LectureValue(self.data + other.data, (self, other), "+")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):  # type: ignore[no-untyped-def]
        other = other if isinstance(other, Value) else LectureValue(other)
        out = LectureValue(self.data * other.data, (self, other), "*")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):  # type: ignore[no-untyped-def]
        assert isinstance(other, (int, float)), "only supporting int/float powers for now"
        out = LectureValue(self.data**other, (self,), f"**{other}")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += other * (self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):  # type: ignore[no-untyped-def]
        return self * other

    def __radd__(self, other):  # type: ignore[no-untyped-def]
        return self + other

    def __truediv__(self, other):  # type: ignore[no-untyped-def]
        return self * other**-1

    def __neg__(self):  # type: ignore[no-untyped-def]
        return self * -1

    def __sub__(self, other):  # type: ignore[no-untyped-def]
        return self + (-other)

    def tanh(self):  # type: ignore[no-untyped-def]
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = LectureValue(t, (self,), "tanh")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self):  # type: ignore[no-untyped-def]
        x = self.data
        out = LectureValue(math.exp(x), (self,), "exp")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def softsign(self):  # type: ignore[no-untyped-def]
        # A method the built-ins do not have, added the lecture's way.
        out = LectureValue(self.data / (1 + abs(self.data)), (self,), "softsign")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += out.grad / (1 + abs(self.data)) ** 2

        out._backward = _backward
        return out


def test_lecture_neuron_gradients_match_the_table_driven_engine() -> None:
    def neuron(V: type[Value]) -> list[float]:
        x1, x2, w1, w2, b = V(2.0), V(0.0), V(-3.0), V(1.0), V(6.8813735870195432)
        n = x1 * w1 + x2 * w2 + b
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
        o.backward()
        return [o.data, x1.grad, x2.grad, w1.grad, w2.grad]

    lecture, table = neuron(LectureValue), neuron(Value)
    assert lecture == pytest.approx(table, rel=1e-12)
    assert lecture[1] == pytest.approx(-1.5, rel=1e-6) and lecture[3] == pytest.approx(1.0, rel=1e-6)


def test_lecture_nodes_have_micrograd_attributes_and_run_once_per_backward() -> None:
    a, b = LectureValue(2.0, label="a"), LectureValue(-3.0, label="b")
    c = a * b
    assert c._op == "*" and set(c._prev) == {a, b} and not c.is_leaf and a.is_leaf
    d = c.softsign() + a
    d.backward()
    assert a.grad == pytest.approx(-3.0 / 49.0 + 1.0) and b.grad == pytest.approx(2.0 / 49.0)
    d.backward()  # twice: exactly twice (valuegrad's rule, also for closures)
    assert a.grad == pytest.approx(2 * (-3.0 / 49.0 + 1.0))


def test_lecture_style_with_table_ops_mixed_in() -> None:
    x = LectureValue(0.5)
    y = (x * 3).relu().sigmoid() + x.softsign()  # relu and sigmoid come from the table
    y.backward()
    s = 1 / (1 + math.exp(-1.5))
    assert x.grad == pytest.approx(3 * s * (1 - s) + 1 / 1.5**2)


def test_lecture_mlp_trains() -> None:
    # The lecture's Neuron / Layer / MLP, on its four-example dataset, with LectureValue.
    random.seed(1337)

    class Neuron:
        def __init__(self, nin: int) -> None:
            self.w = [LectureValue(random.uniform(-1, 1)) for _ in range(nin)]
            self.b = LectureValue(random.uniform(-1, 1))

        def __call__(self, x):  # type: ignore[no-untyped-def]
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            return act.tanh()

        def parameters(self) -> list[Value]:
            return [*self.w, self.b]

    class Layer:
        def __init__(self, nin: int, nout: int) -> None:
            self.neurons = [Neuron(nin) for _ in range(nout)]

        def __call__(self, x):  # type: ignore[no-untyped-def]
            outs = [n(x) for n in self.neurons]
            return outs[0] if len(outs) == 1 else outs

        def parameters(self) -> list[Value]:
            return [p for n in self.neurons for p in n.parameters()]

    class MLP:
        def __init__(self, nin: int, nouts: list[int]) -> None:
            sz = [nin, *nouts]
            self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

        def __call__(self, x):  # type: ignore[no-untyped-def]
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self) -> list[Value]:
            return [p for layer in self.layers for p in layer.parameters()]

    n = MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(30):
        ypred = [n(x) for x in xs]
        loss = sum(((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred)), LectureValue(0.0))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    assert all(type(node.op).__name__ == "ClosureOp" for node in [loss, *loss.inputs])
    assert losses[-1] < 0.1 < losses[0]
    # the gradients equal the table-driven engine's on the same weights
    weights = [p.data for p in n.parameters()]
    table_params = [Value(w) for w in weights]
    it = iter(table_params)
    for layer in n.layers:
        for neuron in layer.neurons:
            neuron.w = [next(it) for _ in neuron.w]
            neuron.b = next(it)

    # rebuild with plain Values (table ops) and compare one backward
    def table_forward(x: list[float]) -> Value:
        out: list[Value] | Value = [Value(v) for v in x]
        for layer in n.layers:
            out = [sum((w * xi for w, xi in zip(neu.w, out)), neu.b).tanh() for neu in layer.neurons]  # type: ignore[arg-type]
        return out[0]  # type: ignore[index]

    table_loss = sum(((table_forward(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
    table_loss.backward()
    lecture_params = [LectureValue(w) for w in weights]
    it2 = iter(lecture_params)
    for layer in n.layers:
        for neuron in layer.neurons:
            neuron.w = [next(it2) for _ in neuron.w]
            neuron.b = next(it2)
    lecture_loss = sum(((n(x) - y) ** 2 for x, y in zip(xs, ys)), LectureValue(0.0))
    lecture_loss.backward()
    assert lecture_loss.data == pytest.approx(table_loss.data, rel=1e-12)
    assert [p.grad for p in lecture_params] == pytest.approx([p.grad for p in table_params], rel=1e-9, abs=1e-12)


def test_grad_refuses_closure_nodes_and_pickle_explains() -> None:
    import pickle

    from autograd import grad

    x = LectureValue(1.0)
    y = x * x
    with pytest.raises(TypeError, match=r"micrograd's way .* call backward\(\) instead"):
        grad(y, x)
    with pytest.raises(TypeError, match="a closure is code, not data"):
        pickle.dumps(y)


def test_under_no_grad_lecture_nodes_are_leaves() -> None:
    from autograd import no_grad

    x = LectureValue(2.0)
    with no_grad():
        y = x * x
    assert y.is_leaf and y.data == 4.0
    y.backward()
    assert x.grad == 0.0


def test_plain_value_constructor_with_children_and_table_node_backward_closure() -> None:
    a, b = Value(2.0), Value(5.0)
    out = Value(a.data + b.data, (a, b), "+")
    assert out._op == "+" and out.inputs == (a, b)
    out.backward()  # no _backward assigned yet: like micrograd's lambda: None
    assert a.grad == 0.0
    c = a * b  # a table node: its _backward does what the table's derivative says
    c.grad = 1.0
    c._backward()
    assert (a.grad, b.grad) == (5.0, 2.0)
    with pytest.raises(TypeError, match=r"_children must hold Values, got float 1.0"):
        Value(1.0, (1.0,), "+")  # type: ignore[arg-type]
