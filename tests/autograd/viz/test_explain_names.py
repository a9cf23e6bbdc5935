"""explain's readable names (a model's short names, powers, no doubled parentheses) and its neuron-by-neuron order.

For the README's neuron and a 2-2-1 MLP the tests spell out what each step
must show; the gradients stay those of backward(), bit for bit.
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from pathlib import Path

import pytest

import nn
from autograd import Value, explain, topological_order
from autograd.viz.names import short_name

sys.path.insert(0, str(Path(__file__).parent))
from neuron_graphs import micrograd_neuron as neuron_graph


def backward_grads(root: Value) -> dict[Value, float]:
    nodes = topological_order(root)
    for v in nodes:
        v.grad = 0.0
    root.backward()
    grads = {v: v.grad for v in nodes}
    for v in nodes:
        v.grad = 0.0
    return grads


def assert_bit_for_bit(root: Value, **options: object) -> None:
    steps = explain(root, max_nodes=None, **options)
    expected = backward_grads(root)
    assert set(steps.grads) == set(expected)
    for v, g in expected.items():
        got = steps.grads[v]
        assert got == g or (math.isnan(got) and math.isnan(g)), (v, got, g)
        assert math.copysign(1.0, got) == math.copysign(1.0, g)  # even the sign of a zero


def assert_valid_backprop_order(root: Value, **options: object) -> None:
    """Every node is stepped only after every node that uses it (so its gradient is complete)."""
    steps = explain(root, max_nodes=None, **options)
    done: set[int] = set()
    nodes = steps.nodes
    users: dict[int, set[int]] = {}
    for i, node in enumerate(nodes):
        for v in node.inputs:
            users.setdefault(nodes.index(v), set()).add(i)
    for step in steps.steps[1:]:
        assert users.get(step.node, set()) <= done, step.name
        done.add(step.node)


def redundant_parentheses(text: str) -> list[str]:
    """Every ``((...))`` in `text` whose two pairs enclose the same thing (``(tanh((x*w))).grad`` has one)."""
    close: dict[int, int] = {}
    stack: list[int] = []
    for k, ch in enumerate(text):
        if ch == "(":
            stack.append(k)
        elif ch == ")" and stack:
            close[stack.pop()] = k
    return [text[k : close[k] + 1] for k in close if k + 1 in close and close[k + 1] == close[k] - 1]


def test_the_redundancy_check_finds_what_the_issue_quoted() -> None:
    assert redundant_parentheses("(tanh((x*w))).grad") == ["((x*w))"]
    assert redundant_parentheses("d((x-y)²)/dx ((a+b)*c).grad") == []


def mlp_221() -> tuple[nn.MLP[Value | list[Value]], Value]:
    model = nn.MLP(2, [2, 1], seed=0)
    score = model([Value(2.0), Value(-1.0)])
    assert isinstance(score, Value)
    loss = (score - 1) ** 2
    loss.label = "loss"
    return model, loss


MLP_STEPS = [
    ["loss.grad = 1  (the output: d(loss)/d(loss) = 1)"],
    [
        "loss = (L1.n0.z − 1)²",
        "d(loss)/d(L1.n0.z-1) = 2·(L1.n0.z-1) = 2·(-1.012) = -2.024",
        "(L1.n0.z-1).grad += loss.grad × d(loss)/d(L1.n0.z-1) = 1 × -2.024 = -2.024",
    ],
    [
        "L1.n0.z-1 = L1.n0.z - 1",
        "d(L1.n0.z-1)/dL1.n0.z = 1",
        "L1.n0.z.grad += (L1.n0.z-1).grad × d(L1.n0.z-1)/dL1.n0.z = -2.024 × 1 = -2.024",
    ],
    [
        "L1.n0.z = L1.n0.s1 + (L1.n0.w1*L0.n1.a)",
        "d(L1.n0.z)/dL1.n0.s1 = 1",
        "L1.n0.s1.grad += L1.n0.z.grad × d(L1.n0.z)/dL1.n0.s1 = -2.024 × 1 = -2.024",
        "d(L1.n0.z)/d(L1.n0.w1*L0.n1.a) = 1",
        "(L1.n0.w1*L0.n1.a).grad += L1.n0.z.grad × d(L1.n0.z)/d(L1.n0.w1*L0.n1.a) = -2.024 × 1 = -2.024",
    ],
    [
        "L1.n0.w1*L0.n1.a = L1.n0.w1 * L0.n1.a",
        "d(L1.n0.w1*L0.n1.a)/dL1.n0.w1 = L0.n1.a = 0.1645",
        "L1.n0.w1.grad += (L1.n0.w1*L0.n1.a).grad × d(L1.n0.w1*L0.n1.a)/dL1.n0.w1 = -2.024 × 0.1645 = -0.3328",
        "d(L1.n0.w1*L0.n1.a)/dL0.n1.a = L1.n0.w1 = -0.1901",
        "L0.n1.a.grad += (L1.n0.w1*L0.n1.a).grad × d(L1.n0.w1*L0.n1.a)/dL0.n1.a = -2.024 × -0.1901 = 0.3848",
    ],
    [
        "L1.n0.s1 = L1.n0.b + (L1.n0.w0*L0.n0.a)",
        "d(L1.n0.s1)/dL1.n0.b = 1",
        "L1.n0.b.grad += L1.n0.s1.grad × d(L1.n0.s1)/dL1.n0.b = -2.024 × 1 = -2.024",
        "d(L1.n0.s1)/d(L1.n0.w0*L0.n0.a) = 1",
        "(L1.n0.w0*L0.n0.a).grad += L1.n0.s1.grad × d(L1.n0.s1)/d(L1.n0.w0*L0.n0.a) = -2.024 × 1 = -2.024",
    ],
    [
        "L1.n0.w0*L0.n0.a = L1.n0.w0 * L0.n0.a",
        "d(L1.n0.w0*L0.n0.a)/dL1.n0.w0 = L0.n0.a = 0.8618",
        "L1.n0.w0.grad += (L1.n0.w0*L0.n0.a).grad × d(L1.n0.w0*L0.n0.a)/dL1.n0.w0 = -2.024 × 0.8618 = -1.744",
        "d(L1.n0.w0*L0.n0.a)/dL0.n0.a = L1.n0.w0 = 0.02255",
        "L0.n0.a.grad += (L1.n0.w0*L0.n0.a).grad × d(L1.n0.w0*L0.n0.a)/dL0.n0.a = -2.024 × 0.02255 = -0.04563",
    ],
    [
        "L0.n0.a = relu(L0.n0.z)",
        "d(L0.n0.a)/dL0.n0.z = 1 if L0.n0.z > 0 else 0 = 1 if 0.8618 > 0 else 0 = 1",
        "L0.n0.z.grad += L0.n0.a.grad × d(L0.n0.a)/dL0.n0.z = -0.04563 × 1 = -0.04563",
    ],
    [
        "L0.n0.z = L0.n0.s1 + (L0.n0.w1*-1)",
        "d(L0.n0.z)/dL0.n0.s1 = 1",
        "L0.n0.s1.grad += L0.n0.z.grad × d(L0.n0.z)/dL0.n0.s1 = -0.04563 × 1 = -0.04563",
        "d(L0.n0.z)/d(L0.n0.w1*-1) = 1",
        "(L0.n0.w1*-1).grad += L0.n0.z.grad × d(L0.n0.z)/d(L0.n0.w1*-1) = -0.04563 × 1 = -0.04563",
    ],
    [  # the input -1 is a constant: no line for its gradient
        "L0.n0.w1*-1 = L0.n0.w1 * -1",
        "d(L0.n0.w1*-1)/dL0.n0.w1 = -1",
        "L0.n0.w1.grad += (L0.n0.w1*-1).grad × d(L0.n0.w1*-1)/dL0.n0.w1 = -0.04563 × -1 = 0.04563",
    ],
    [
        "L0.n0.s1 = L0.n0.b + (L0.n0.w0*2)",
        "d(L0.n0.s1)/dL0.n0.b = 1",
        "L0.n0.b.grad += L0.n0.s1.grad × d(L0.n0.s1)/dL0.n0.b = -0.04563 × 1 = -0.04563",
        "d(L0.n0.s1)/d(L0.n0.w0*2) = 1",
        "(L0.n0.w0*2).grad += L0.n0.s1.grad × d(L0.n0.s1)/d(L0.n0.w0*2) = -0.04563 × 1 = -0.04563",
    ],
    [
        "L0.n0.w0*2 = L0.n0.w0 * 2",
        "d(L0.n0.w0*2)/dL0.n0.w0 = 2",
        "L0.n0.w0.grad += (L0.n0.w0*2).grad × d(L0.n0.w0*2)/dL0.n0.w0 = -0.04563 × 2 = -0.09127",
    ],
    [
        "L0.n1.a = relu(L0.n1.z)",
        "d(L0.n1.a)/dL0.n1.z = 1 if L0.n1.z > 0 else 0 = 1 if 0.1645 > 0 else 0 = 1",
        "L0.n1.z.grad += L0.n1.a.grad × d(L0.n1.a)/dL0.n1.z = 0.3848 × 1 = 0.3848",
    ],
    [
        "L0.n1.z = L0.n1.s1 + (L0.n1.w1*-1)",
        "d(L0.n1.z)/dL0.n1.s1 = 1",
        "L0.n1.s1.grad += L0.n1.z.grad × d(L0.n1.z)/dL0.n1.s1 = 0.3848 × 1 = 0.3848",
        "d(L0.n1.z)/d(L0.n1.w1*-1) = 1",
        "(L0.n1.w1*-1).grad += L0.n1.z.grad × d(L0.n1.z)/d(L0.n1.w1*-1) = 0.3848 × 1 = 0.3848",
    ],
    [
        "L0.n1.w1*-1 = L0.n1.w1 * -1",
        "d(L0.n1.w1*-1)/dL0.n1.w1 = -1",
        "L0.n1.w1.grad += (L0.n1.w1*-1).grad × d(L0.n1.w1*-1)/dL0.n1.w1 = 0.3848 × -1 = -0.3848",
    ],
    [
        "L0.n1.s1 = L0.n1.b + (L0.n1.w0*2)",
        "d(L0.n1.s1)/dL0.n1.b = 1",
        "L0.n1.b.grad += L0.n1.s1.grad × d(L0.n1.s1)/dL0.n1.b = 0.3848 × 1 = 0.3848",
        "d(L0.n1.s1)/d(L0.n1.w0*2) = 1",
        "(L0.n1.w0*2).grad += L0.n1.s1.grad × d(L0.n1.s1)/d(L0.n1.w0*2) = 0.3848 × 1 = 0.3848",
    ],
    [
        "L0.n1.w0*2 = L0.n1.w0 * 2",
        "d(L0.n1.w0*2)/dL0.n1.w0 = 2",
        "L0.n1.w0.grad += (L0.n1.w0*2).grad × d(L0.n1.w0*2)/dL0.n1.w0 = 0.3848 × 2 = 0.7695",
    ],
]


def test_every_step_of_a_2_2_1_mlp_given_the_model() -> None:
    model, loss = mlp_221()
    steps = explain(loss, names=model)
    assert [list(s.lines) for s in steps.steps] == MLP_STEPS
    text = steps.text()
    assert "#" not in text and "((" not in text and "**" not in text
    for constant in ("2", "-1", "1"):  # the inputs and the target: no gradient line
        assert f"\n{constant}.grad" not in text and f" {constant}.grad +=" not in text
    rule_lines = [t.rule for s in steps.steps for t in s.terms if t.rule]
    assert "d(loss)/d(L1.n0.z-1) = 2·(L1.n0.z-1) = 2·(-1.012) = -2.024" in rule_lines
    assert_bit_for_bit(loss, names=model)


def test_a_model_steps_neuron_by_neuron_output_layer_first() -> None:
    model, loss = mlp_221()
    steps = explain(loss, names=model)
    owners = []
    for step in steps.steps[2:]:  # after the loss: every step belongs to one neuron
        owner = step.name.split(".")[:2] if step.name.startswith("L") else None
        if owner and (not owners or owners[-1] != owner):
            owners.append(owner)
    assert owners == [["L1", "n0"], ["L0", "n0"], ["L0", "n1"]]  # each neuron once: stepped through as a unit
    # Without the model: backprop's own order, which goes into layer 0's second neuron halfway through layer 1.
    plain = explain(loss, names=model.named_parameters())
    assert [s.node for s in plain.steps[1:]] == [
        i for i in reversed(range(len(plain.nodes))) if plain.nodes[i].op is not None
    ]
    assert plain.steps[4].name != steps.steps[4].name or plain.steps[5].name != steps.steps[5].name


def test_named_parameters_keep_their_full_names_and_labels_win_over_the_model() -> None:
    model, loss = mlp_221()
    plain = explain(loss, names=model.named_parameters())
    assert "layers.0.neurons.1.w.0" in plain.text() and "L0.n1.w0" not in plain.text()
    score = loss.inputs[0].inputs[0]
    score.label = "score"
    steps = explain(loss, names=model)
    assert steps.steps[1].lines[0] == "loss = (score − 1)²"
    assert steps.steps[2].lines[1] == "d(score-1)/dscore = 1"
    assert "L1.n0.z" not in steps.text() and "L1.n0.w1" in steps.text()
    assert score.label == "score" and not model.layers[0].neurons[0].w[0].label  # the model's names are not stored


@pytest.mark.parametrize(
    ("dotted", "short"),
    [
        ("layers.0.neurons.1.w.0", "L0.n1.w0"),
        ("layers.2.neurons.10.b", "L2.n10.b"),
        ("w.3", "w3"),
        ("b", "b"),
        ("blocks.1.attn.wq.0.2", "blocks1.attn.wq0.2"),
    ],
)
def test_short_names_from_dotted_ones(dotted: str, short: str) -> None:
    assert short_name(dotted) == short


def test_a_lone_neuron_is_named_w0_b_z_a() -> None:
    neuron = nn.Neuron(2, activation="tanh", seed=1)
    out = neuron([Value(1.0, label="x0"), Value(-2.0, label="x1")])
    text = explain(out, names=neuron).text()
    assert text.splitlines()[0] == "step 1  a.grad = 1  (the output: d(a)/d(a) = 1)"
    assert "a = tanh(z)" in text and "d(a)/dz = 1 − a² = " in text and "z = s1 + (w1*x1)" in text
    assert "s1 = b + (w0*x0)" in text


def test_a_model_called_on_a_batch_names_each_call_and_keeps_backprops_gradients() -> None:
    rng = random.Random(3)
    model = nn.MLP(3, [4, 4, 1], activation="tanh", seed=2)
    xs = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
    outs = [model(x) for x in xs]
    loss = sum(((o - y) ** 2 for o, y in zip(outs, [1.0, -1.0, 0.5, 0.0])), Value(0.0))
    assert isinstance(loss, Value)
    steps = explain(loss, names=model, max_nodes=None)
    text = steps.text()
    assert "L2.n0.z[3]" in text and "L0.n3.a[0]" in text and "L1.n2.s3[1]" in text
    assert not any("#" in s.name for s in steps.steps if s.op not in ("+", "**2"))  # only the loss's sums are long
    assert_bit_for_bit(loss, names=model)  # weights are used 4 times: the 3rd and 4th keep backprop's order
    assert_valid_backprop_order(loss, names=model)


@pytest.mark.parametrize("seed", range(6))
def test_random_models_keep_backprops_gradients_bit_for_bit(seed: int) -> None:
    rng = random.Random(seed)
    widths = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    model = nn.MLP(rng.randint(1, 3), widths, activation=rng.choice(["relu", "tanh", "sigmoid"]), seed=seed)
    outs = [model.outputs([rng.uniform(-3, 3) for _ in range(model.nin)]) for _ in range(rng.randint(1, 3))]
    loss = sum((o * o for out in outs for o in out), Value(0.0))
    assert_bit_for_bit(loss, names=model)
    assert_valid_backprop_order(loss, names=model)


def test_the_readme_neuron_reads_without_doubled_parentheses() -> None:
    o, _ = neuron_graph()
    text = explain(o).text()
    assert "((" not in text and "))" not in text and "#" not in text
    assert redundant_parentheses(explain(o, forward=True).text()) == []
    assert text.splitlines()[:5] == [
        "step 1  o.grad = 1  (the output: d(o)/d(o) = 1)",
        "step 2  o = tanh(n)",
        "        d(o)/dn = 1 − o² = 1 − 0.7071² = 0.5",
        "        n.grad += o.grad × d(o)/dn = 1 × 0.5 = 0.5",
        "step 3  n = (x1*w1+x2*w2) + b",
    ]
    assert "d(x1*w1)/dx1 = w1 = -3" in text and "x1.grad += (x1*w1).grad × d(x1*w1)/dx1 = 0.5 × -3 = -1.5" in text


def test_powers_are_written_as_superscripts() -> None:
    x = Value(3.0, label="x")
    y = Value(2.0, label="y")
    out = (x - y) ** 2 + x**3 + (x + 1) ** 0.5
    text = explain(out).text()
    assert "(x-y)²" in text and "x³" in text and "(x+1)**0.5" in text and "**2" not in text
    assert "(x − y)²" in text  # the formula writes the minus as a minus, spaced
    assert "d(x³)/dx = 3·x**(3 − 1) = 3·3**(3 − 1) = 27" in text
    assert redundant_parentheses(text) == []


def test_edge_rules_label_each_edge_with_its_local_derivative() -> None:
    o, v = neuron_graph()
    steps = explain(o)
    index = {node: i for i, node in enumerate(steps.nodes)}
    plain = steps.dot()
    assert "label=<d(" not in plain
    dot = steps.dot(edge_rules=True)
    n, root = index[v["n"]], index[o]
    assert f"\tn{n} -> op{root} [label=<d(o)/dn<BR/>= 1 − o²<BR/>= 1 − 0.7071²<BR/>= 0.5> " in dot  # a line a form
    product = next(i for i, node in enumerate(steps.nodes) if v["w1"] in node.inputs)
    assert f"\tn{index[v['w1']]} -> op{product} [label=<d(x1*w1)/dw1<BR/>= x1<BR/>= 2> " in dot
    assert dot.count(" -> op") == plain.count(" -> op")  # the same edges, some with a label
    with pytest.raises(TypeError, match="edge_rules"):
        steps.dot(edge_rules="yes")


def test_edge_rules_leave_a_constants_edge_bare_and_label_both_uses_of_a_square() -> None:
    x = Value(3.0, label="x")
    out = x * x + 1
    out.label = "out"
    dot = explain(out).dot(edge_rules=True)
    assert dot.count("d(x*x)/dx<BR/>= x<BR/>= 3>") == 2  # x * x: one edge per use, each with its rule
    assert "\tn2 -> op3\n" in dot and dot.count("[label=<d(") == 3  # the constant 1's edge has no label


def test_a_sequential_of_linear_layers_is_named_like_an_mlp() -> None:
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.ReLU(), nn.Linear(2, 1, seed=1))
    out = model([Value(1.0), Value(2.0)])[0]
    steps = explain(out, names=model)
    assert [s.name for s in steps][:3] == ["L2.n0.z", "L2.n0.z", "L2.n0.w1*L0.n1.a"]
    assert steps[5].lines[0] == "L0.n0.a = relu(L0.n0.z)"
    assert "L0.n1.w0" in steps.text() and "weight" not in steps.text() and "#" not in steps.text()
    assert_bit_for_bit(out, names=model)
    assert_valid_backprop_order(out, names=model)


@pytest.mark.parametrize("seed", range(4))
def test_random_sequentials_on_batches_keep_backprops_gradients(seed: int) -> None:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
    layers: list[nn.Module] = []
    for k, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, bias=rng.random() < 0.7, seed=seed + k))
        layers.append(rng.choice([nn.ReLU(), nn.Tanh(), nn.Sigmoid()]))
    model = nn.Sequential(*layers)
    outs = [model([rng.uniform(-2, 2) for _ in range(sizes[0])]) for _ in range(rng.randint(1, 4))]
    loss = sum((o * 2 for out in outs for o in out), Value(0.0))
    assert_bit_for_bit(loss, names=model)
    assert_valid_backprop_order(loss, names=model)


def test_a_tiny_gpt_keeps_backprops_gradients_and_names_its_linear_rows() -> None:
    model = nn.GPT(5, block_size=4, n_embd=4, n_head=2, seed=0)
    loss = model.loss([0, 1, 2, 3])
    steps = explain(loss, names=model, max_nodes=None)
    assert "L0.mlp0.n0.w1" in steps.names and "L0.mlp0.n0.s1[0]" in steps.names
    assert_bit_for_bit(loss, names=model)
    assert_valid_backprop_order(loss, names=model)


def test_the_forward_pass_writes_powers_with_their_numbers() -> None:
    score = Value(0.0022, label="score")
    loss = (score - 1) ** 2 + (score + 1) ** 0.5 + 2**score
    lines = explain(loss, forward=True).text().splitlines()
    assert "step 2  (score-1)² = (score − 1)² = (-0.9978)² = 0.9956" in lines  # it read **2(-0.9978)
    assert "step 4  (score+1)**0.5 = (score+1)**0.5 = 1.002**0.5 = 1.001" in lines
    assert "step 6  2**score = 2**score = 2**0.0022 = 1.002" in lines
    assert "step 7  #7+2**score = #7 + (2**score) = 1.997 + 1.002 = 2.998" in lines  # ** binds tighter than +
