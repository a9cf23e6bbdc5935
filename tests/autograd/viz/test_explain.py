"""autograd.explain: the steps of backprop, their order, their numbers, and agreement with backward()."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, defop, explain, topological_order

sys.path.insert(0, str(Path(__file__).parent))
from neuron_graphs import micrograd_neuron as neuron_graph


def backward_grads(root: Value) -> dict[Value, float]:
    """What backward() puts into .grad of every node, starting from zero."""
    nodes = topological_order(root)
    for v in nodes:
        v.grad = 0.0
    root.backward()
    grads = {v: v.grad for v in nodes}
    for v in nodes:
        v.grad = 0.0
    return grads


def assert_same_as_backward(root: Value) -> None:
    steps = explain(root)
    expected = backward_grads(root)
    assert set(steps.grads) == set(expected)
    for v, g in expected.items():
        got = steps.grads[v]
        assert got == g or (math.isnan(got) and math.isnan(g)), (v, got, g)  # bit for bit, not approximately


def test_steps_follow_reverse_topological_order_of_computed_nodes() -> None:
    o, _ = neuron_graph()
    steps = explain(o)
    order = topological_order(o)
    assert steps.nodes == order
    assert steps.steps[0].kind == "seed" and steps.steps[0].node == len(order) - 1 and steps.steps[0].grad == 1.0
    backward = [s.node for s in steps.steps[1:]]
    assert backward == [i for i in reversed(range(len(order))) if order[i].op is not None]
    assert all(s.kind == "backward" for s in steps.steps[1:])
    assert len(steps) == 1 + 5


def test_chain_rule_numbers_of_the_neuron() -> None:
    o, v = neuron_graph()
    steps = explain(o)
    tanh_step = steps.steps[1]
    assert tanh_step.name == "o" and tanh_step.op == "tanh"
    (term,) = tanh_step.terms
    assert term.name == "n" and term.partial == pytest.approx(0.5) and term.contribution == pytest.approx(0.5)
    assert tanh_step.lines[1] == "d(o)/dn = 1 − o² = 1 − 0.7071² = 0.5" == term.rule  # the rule, with its numbers
    assert tanh_step.lines[2] == "n.grad += o.grad × d(o)/dn = 1 × 0.5 = 0.5"
    last = steps.steps[-1]  # x1 * w1 is visited last
    assert [t.name for t in last.terms] == ["x1", "w1"]
    assert [t.partial for t in last.terms] == [-3.0, 2.0]
    assert last.lines[1:] == (
        "d(x1*w1)/dx1 = w1 = -3",
        "x1.grad += (x1*w1).grad × d(x1*w1)/dx1 = 0.5 × -3 = -1.5",
        "d(x1*w1)/dw1 = x1 = 2",
        "w1.grad += (x1*w1).grad × d(x1*w1)/dw1 = 0.5 × 2 = 1",
    )
    assert steps.grads[v["w1"]] == pytest.approx(1.0) and steps.grads[v["x1"]] == pytest.approx(-1.5)


def test_explain_does_not_touch_grad() -> None:
    o, v = neuron_graph()
    v["w1"].grad = 42.0
    steps = explain(o)
    assert v["w1"].grad == 42.0 and all(n.grad == 0.0 for n in topological_order(o) if n is not v["w1"])
    assert steps.grads[v["w1"]] == backward_grads(o)[v["w1"]]


def test_a_value_used_several_times_accumulates_and_says_so() -> None:
    a = Value(3.0, label="a")
    out = a * a + a
    out.label = "out"
    steps = explain(out)
    terms = [t for s in steps.steps for t in s.terms if t.name == "a"]
    assert [t.use for t in terms] == [1, 2, 3]
    assert [t.before for t in terms] == [0.0, 1.0, 4.0]
    assert [t.after for t in terms] == [1.0, 4.0, 7.0]
    text = steps.text()
    assert "(2nd use: 1 + 3 = 4)" in text and "(3rd use: 4 + 3 = 7)" in text
    assert steps.grads[a] == 7.0 == 2 * 3.0 + 1


def test_forward_steps_come_first_in_topological_order() -> None:
    o, _ = neuron_graph()
    steps = explain(o, forward=True)
    forward = [s for s in steps.steps if s.kind == "forward"]
    order = topological_order(o)
    assert [s.node for s in forward] == [i for i, v in enumerate(order) if v.op is not None]
    assert steps.steps[: len(forward)] == forward
    assert forward[-1].lines[0] == "o = tanh(n) = tanh(0.8814) = 0.7071"
    assert forward[0].lines[0] == "x1*w1 = x1 * w1 = 2 * -3 = -6"


def test_text_numbers_the_steps() -> None:
    o, _ = neuron_graph()
    text = explain(o).text()
    assert text.splitlines()[0] == "step 1  o.grad = 1  (the output: d(o)/d(o) = 1)"
    assert text.count("step ") == 6
    assert str(explain(o)) == text


def test_names_for_unlabelled_values() -> None:
    neuron = nn.Neuron(2, activation="tanh", seed=1)
    out = neuron([Value(1.0, label="x1"), Value(-2.0, label="x2")])
    steps = explain(out, names=neuron.named_parameters())
    text = steps.text()
    assert "w.0.grad +=" in text and "b.grad +=" in text
    assert explain(out, names={"bias": neuron.b}).text().count("bias.grad") == 1
    with pytest.raises(TypeError, match="pairs"):
        explain(out, names=[1, 2])
    with pytest.raises(TypeError, match="name -> Value"):
        explain(out, names=3)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="Value"):
        explain(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="one Value"):
        explain([Value(1.0), Value(2.0)])  # type: ignore[arg-type]
    with pytest.raises(autograd.GraphTooLargeError):
        v = Value(1.0)
        for _ in range(20):
            v = v.tanh()
        explain(v, max_nodes=5)


def test_leaf_root_has_only_the_seed_step() -> None:
    x = Value(2.0, label="x")
    steps = explain(x)
    assert len(steps) == 1 and steps.grads == {x: 1.0}


def test_agrees_with_backward_on_engine_graphs() -> None:
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    graphs = [
        (x * y + x.exp() - y / (1 + x * x)).tanh(),
        ((x**2 + y**2).sqrt() * 2**x).log(),
        (x.sigmoid() * y.relu() + abs(y) - (-x).sin() * y.cos()),
        sum([x, y, x * y]) / 3,
        (x ** y.sigmoid()) * x,
    ]
    for root in graphs:
        assert_same_as_backward(root)


def test_agrees_with_backward_on_nn_models() -> None:
    neuron = nn.Neuron(3, activation="tanh", seed=0)
    assert_same_as_backward(neuron([0.5, -1.0, 2.0]))
    mlp = nn.MLP(2, [4, 4, 1], seed=0)
    xs = [[1.0, -0.5], [0.3, 0.8], [-1.2, 0.1]]
    loss = nn.mse_loss([mlp(x) for x in xs], [1.0, -1.0, 0.5])
    assert_same_as_backward(loss)


def test_agrees_with_backward_on_user_operations() -> None:
    softplus = defop("softplus", lambda x: math.log1p(math.exp(x)), lambda x, out: autograd.sigmoid(x))
    hypot = defop("hypot", math.hypot, lambda x, y, out: (x / out, y / out), arity=2)
    fma = defop("fma", lambda a, b, c: a * b + c, lambda a, b, c, out: (b, a, 1))  # three inputs, an int partial
    x, y, z = Value(0.4, label="x"), Value(-2.0, label="y"), Value(1.5, label="z")
    root = softplus(hypot(x, y) * fma(x, y, z)) + fma(z, z, x)
    assert_same_as_backward(root)
    step = next(s for s in explain(root).steps if s.op == "fma" and len(s.terms) == 3)
    assert len(step.lines) == 7  # the formula, then per input: the derivative (no rule given: its number), the +=
    assert step.lines[1] == "d(fma(z, z, x))/dz = 1.5"


UNARY = [
    lambda v: v.tanh(),
    lambda v: v.sigmoid(),
    lambda v: -v,
    lambda v: v.sin(),
    lambda v: v**2,
    lambda v: (1 + v * v).log(),
    lambda v: v.relu(),
]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (1 + b * b)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(0, 10), st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=25),
)
def test_agrees_with_backward_on_random_graphs(inputs: list[float], program: list[tuple[int, int, int]]) -> None:
    pool = [Value(x) for x in inputs]
    for kind, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(UNARY[kind](a) if kind < len(UNARY) else BINARY[kind - len(UNARY)](a, b))
    assert_same_as_backward(pool[-1])


def test_import_autograd_does_not_load_explain() -> None:
    code = (
        "import autograd, sys; print('autograd.viz' in sys.modules); autograd.explain; "
        "print('autograd.viz.explain' in sys.modules)"
    )
    root = str(Path(autograd.__file__).parent.parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.split() == ["False", "True"]
    assert "explain" in dir(autograd) and "explain" in autograd.__all__


RULE_CASES = [
    # (build the output from x = 0.5 and y = -2, the expected rule line for x's local derivative)
    (lambda x, y: x + y, "d(out)/dx = 1"),
    (lambda x, y: y - x, "d(out)/dx = −1"),
    (lambda x, y: x * y, "d(out)/dx = y = -2"),
    (lambda x, y: x / y, "d(out)/dx = 1/y = 1/(-2) = -0.5"),
    (lambda x, y: y / x, "d(out)/dx = −out/x = −(-4)/0.5 = 8"),
    (lambda x, y: x**y, "d(out)/dx = y·x**(y − 1) = (-2)·0.5**((-2) − 1) = -16"),
    (lambda x, y: -x, "d(out)/dx = −1"),
    (lambda x, y: abs(x), "d(out)/dx = sign(x) = sign(0.5) = 1"),
    (lambda x, y: x.exp(), "d(out)/dx = out = 1.649"),
    (lambda x, y: x.log(), "d(out)/dx = 1/x = 1/0.5 = 2"),
    (lambda x, y: x.tanh(), "d(out)/dx = 1 − out² = 1 − 0.4621² = 0.7864"),
    (lambda x, y: x.sigmoid(), "d(out)/dx = out·(1 − out) = 0.6225·(1 − 0.6225) = 0.235"),
    (lambda x, y: x.relu(), "d(out)/dx = 1 if x > 0 else 0 = 1 if 0.5 > 0 else 0 = 1"),
    (lambda x, y: x.sqrt(), "d(out)/dx = 0.5/out = 0.5/0.7071 = 0.7071"),
    (lambda x, y: x.sin(), "d(out)/dx = cos(x) = cos(0.5) = 0.8776"),
    (lambda x, y: x.cos(), "d(out)/dx = −sin(x) = −sin(0.5) = -0.4794"),
    (lambda x, y: x**2, "d(out)/dx = 2·x = 2·0.5 = 1"),
    (lambda x, y: x**3, "d(out)/dx = 3·x**(3 − 1) = 3·0.5**(3 − 1) = 0.75"),
    (lambda x, y: 2**x, "d(out)/dx = out·log(2) = 1.414·log(2) = 0.9803"),
    (lambda x, y: autograd.detached_max(x, y), "d(out)/dx = 0"),
]


@pytest.mark.parametrize(("build", "expected"), RULE_CASES)
def test_every_local_derivative_is_written_as_its_rule_then_its_numbers(build: object, expected: str) -> None:
    x, y = Value(0.5, label="x"), Value(-2.0, label="y")
    out = build(x, y)  # type: ignore[operator]
    out.label = "out"
    (step,) = [s for s in explain(out).steps if s.kind == "backward"]
    assert [line for line in step.lines if line.startswith("d(out)/dx ")] == [expected]


def test_every_operation_of_the_table_has_a_rule_per_input() -> None:
    from autograd import ops
    from autograd.viz.rules import RULES, rule_for

    assert set(RULES) == {op.family for op in ops.TABLE} | {"**c", "c**"}
    for op in ops.TABLE:
        rule = rule_for(op)
        assert rule is not None and len(rule) == op.arity, op


def test_a_users_operation_can_bring_its_rule_and_bad_rules_are_refused() -> None:
    softplus = defop(
        "softplus", lambda x: math.log1p(math.exp(x)), lambda x, out: autograd.sigmoid(x), explain="sigmoid({0})"
    )
    x = Value(0.5, label="x")
    out = softplus(x)
    out.label = "out"
    assert explain(out).steps[1].lines[1] == "d(out)/dx = sigmoid(x) = sigmoid(0.5) = 0.6225"
    with pytest.raises(TypeError, match=r"explain must be 2 formula\(s\), one str per input"):
        defop("two", lambda a, b: a, lambda a, b, out: (1.0, 0.0), explain="1")
    with pytest.raises(ValueError, match=r"uses \['x'\]; it may use \{0\}..\{0\}"):
        defop("bad", lambda a: a, lambda a, out: 1.0, explain=("{x}",))


def test_constants_get_no_gradient_line_but_their_gradient_is_still_computed() -> None:
    x = Value(3.0, label="x")
    out = 2.0 * x + 1.0
    out.label = "out"
    steps = explain(out)
    text = steps.text()
    assert "2.grad" not in text and "1.grad" not in text and "x.grad +=" in text
    assert_same_as_backward(out)
