"""Neuron, Layer, MLP: micrograd compatibility, activations, input checks, reproducible init; Linear, Sequential."""

from __future__ import annotations

import math
import os
import random
import sys
from pathlib import Path

import pytest

import nn
from autograd import Value
from nn import MLP, Layer, Linear, Neuron, ReLU, Sequential, Sigmoid, Tanh

sys.path.insert(0, str(Path(__file__).parent))
from module_gradcheck import gradcheck_module, weighted_sum


def test_mlp_337_parameters_and_single_value_output() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    out = model([0.5, -1.0])
    assert isinstance(out, Value)


def test_multi_output_returns_list() -> None:
    out = MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(v, Value) for v in out)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(Layer(2, 1, seed=0).outputs([1.0, 2.0])) == 1


def test_width_one_hidden_layer_works() -> None:
    """micrograd's bug: its MLP(2, [16, 1, 1]) passes a bare Value to the third layer and crashes."""
    model = MLP(2, [16, 1, 1], seed=3)
    out = model([0.3, 0.4])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in model.layers[2].parameters())
    assert len(model.parameters()) == 16 * 3 + 17 + 2


def test_neuron_computes_weighted_sum_plus_bias() -> None:
    n = Neuron(3, nonlin=False, seed=0)
    n.w[0].data, n.w[1].data, n.w[2].data, n.b.data = 1.5, -2.0, 0.25, 0.5  # type: ignore[union-attr]
    out = n([2.0, 1.0, 4.0])
    assert out.data == 1.5 * 2.0 - 2.0 * 1.0 + 0.25 * 4.0 + 0.5
    out.backward()
    assert [w.grad for w in n.w] == [2.0, 1.0, 4.0] and n.b.grad == 1.0  # type: ignore[union-attr]


def test_neuron_accepts_values_tuples_generators_and_a_bare_number() -> None:
    n = Neuron(2, nonlin=False, seed=0)
    expected = n([1.0, 2.0]).data
    assert n((1.0, 2.0)).data == expected
    assert n(iter([1.0, 2.0])).data == expected
    assert n([Value(1.0), Value(2.0)]).data == expected
    one = Neuron(1, nonlin=False, seed=0)
    assert one(3.0).data == one([3.0]).data
    assert one(Value(3.0)).data == one([3.0]).data


def test_no_bias() -> None:
    n = Neuron(2, nonlin=False, bias=False, seed=0)
    assert n.b is None and n.parameters() == n.w
    assert n([1.0, 1.0]).data == n.w[0].data + n.w[1].data


@pytest.mark.parametrize(
    ("activation", "fn"),
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1.0 / (1.0 + math.exp(-z))),
        ("linear", lambda z: z),
        (lambda v: v * v, lambda z: z * z),
    ],
)
def test_activations(activation: object, fn: object) -> None:
    for z in (-1.3, 0.7):
        n = Neuron(1, activation=activation, seed=0)  # type: ignore[arg-type]
        n.w[0].data, n.b.data = 1.0, 0.0  # type: ignore[union-attr]
        assert n([z]).data == pytest.approx(fn(z), abs=1e-15)  # type: ignore[operator]


def test_default_nonlinearity_is_micrograd_relu_and_last_layer_linear() -> None:
    assert Neuron(2).activation == "relu" and Neuron(2).nonlin
    assert Neuron(2, nonlin=False).activation == "linear" and not Neuron(2, nonlin=False).nonlin
    model = MLP(2, [3, 3, 1])
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid")
    assert [layer.neurons[0].activation for layer in model.layers] == ["tanh", "sigmoid"]
    assert 0.0 < model([5.0, -5.0]).data < 1.0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0]), "MLP expects 2 inputs, got 3"),
        (lambda: MLP(2, [3, 1], seed=0)([1.0]), "MLP expects 2 inputs, got 1"),
        (lambda: Layer(3, 2, seed=0)([1.0]), "Layer expects 3 inputs, got 1"),
        (lambda: Neuron(1, seed=0)([1.0, 2.0]), "Neuron expects 1 input, got 2"),
        (lambda: Neuron(2, seed=0)(1.0), "Neuron expects 2 inputs, got 1"),
        (lambda: Neuron(2, seed=0)([]), "Neuron expects 2 inputs, got 0"),
    ],
)
def test_wrong_number_of_inputs(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Neuron(0), ValueError, "Neuron nin must be an int >= 1, got 0"),
        (lambda: Neuron(2.0), TypeError, "Neuron nin must be an int >= 1, got float"),
        (lambda: Neuron(True), TypeError, "got bool"),
        (lambda: Layer(2, -1), ValueError, "Layer nout must be an int >= 1, got -1"),
        (lambda: MLP(2, 16), TypeError, r"MLP nouts \(the layer widths, like \[16, 16, 1\]\) must be a sequence"),
        (lambda: MLP(2, []), ValueError, "nouts must be a non-empty list"),
        (lambda: MLP(2, [16, 0]), ValueError, r"MLP nouts\[1\] must be an int >= 1, got 0"),
        (lambda: Neuron(2, activation="softmax"), ValueError, "unknown activation 'softmax'"),
        (lambda: Neuron(2, activation=3), TypeError, "activation must be a name"),
        (lambda: Neuron(2, nonlin=False, activation="tanh"), ValueError, "nonlin=False asks for a linear neuron"),
        (lambda: Neuron(2, init="glorot"), ValueError, "unknown init 'glorot'"),
        (lambda: Neuron(2, seed="x"), TypeError, "seed must be None, an int or a random.Random, got str"),
        (lambda: Neuron(2, seed=True), TypeError, "got bool"),
        (lambda: Neuron(1)(None), TypeError, r"Neuron inputs must be a sequence \(list or tuple\), got NoneType"),
        (lambda: Neuron(2)("ab"), TypeError, r"Neuron inputs must be a sequence \(list or tuple\), got str"),
        (lambda: MLP(2, [1])({1.0, 2.0}), TypeError, r"MLP inputs must be a sequence \(list or tuple\), got set"),
        (lambda: Neuron(1)(["a"]), TypeError, "Neuron input 0 must be a number or a Value, got str 'a'"),
    ],
)
def test_bad_arguments(make: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]


# ------------------------------------------------------------------ initialisation


def _weights(model: MLP | Neuron | Layer) -> list[float]:
    return [p.data for p in model.parameters()]


def test_init_honours_random_seed() -> None:
    random.seed(42)
    a = _weights(MLP(2, [8, 1]))
    random.seed(42)
    b = _weights(MLP(2, [8, 1]))
    assert a == b
    assert a != _weights(MLP(2, [8, 1]))  # the global stream moved on


def test_init_explicit_seed_and_rng_leave_global_state_alone() -> None:
    random.seed(0)
    state = random.getstate()
    a = _weights(MLP(2, [8, 1], seed=7))
    assert random.getstate() == state
    assert a == _weights(MLP(2, [8, 1], seed=7))
    assert a != _weights(MLP(2, [8, 1], seed=8))
    assert a == _weights(MLP(2, [8, 1], seed=random.Random(7)))
    rng = random.Random(7)
    first, second = _weights(MLP(2, [8, 1], seed=rng)), _weights(MLP(2, [8, 1], seed=rng))
    assert first == a and second != a  # the generator was advanced


def test_neurons_of_a_seeded_layer_differ() -> None:
    layer = Layer(3, 4, seed=5)
    rows = [tuple(w.data for w in n.w) for n in layer.neurons]
    assert len(set(rows)) == 4


def test_uniform_init_is_micrograds_draw_order() -> None:
    rng = random.Random(11)
    expected = []
    for nin, nout in ((2, 3), (3, 1)):
        for _ in range(nout):
            expected += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert _weights(MLP(2, [3, 1], seed=11)) == expected


@pytest.mark.parametrize(("init", "bound"), [("uniform", 1.0), ("he", math.sqrt(6 / 50)), ("lecun", math.sqrt(3 / 50))])
def test_init_schemes_bounds_and_spread(init: str, bound: float) -> None:
    layer = Layer(50, 40, init=init, seed=0)
    ws = [w.data for n in layer.neurons for w in n.w]
    assert all(-bound <= w <= bound for w in ws)
    assert max(map(abs, ws)) > 0.95 * bound  # they fill the interval
    variance = sum(w * w for w in ws) / len(ws)
    assert variance == pytest.approx(bound**2 / 3, rel=0.1)
    assert all(n.b.data == 0.0 for n in layer.neurons)  # type: ignore[union-attr]


def test_custom_init_callable() -> None:
    n = Neuron(3, init=lambda rng, nin: 1.0 / nin)
    assert [w.data for w in n.w] == [1 / 3] * 3


def test_same_weights_as_micrograd_after_the_same_random_seed() -> None:
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert [p.data for p in theirs.parameters()] == _weights(ours)
    x = [0.3, -0.8]
    assert ours(x).data == theirs(x).data  # type: ignore[union-attr]


# ------------------------------------------------------------------ input and activation checks (#13)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"a": 1.0, "b": 2.0}, "MLP inputs must be a sequence .*got dict"),
        ({1.0, 2.0}, "MLP inputs must be a sequence .*got set"),
        (b"ab", "MLP inputs must be a sequence .*got bytes"),
        ("ab", "MLP inputs must be a sequence .*got str"),
        ([[1.0], [2.0]], r"MLP input 0 must be a number or a Value, got list \[1.0\]"),
        ([1.0, "2"], "MLP input 1 must be a number or a Value, got str '2'"),
        ([1.0, None], "MLP input 1 must be a number or a Value, got NoneType"),
        ([1.0, 2j], "MLP input 1 must be a number or a Value, got complex"),
    ],
)
def test_a_bad_row_names_the_input(row: object, message: str) -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=message):
        model(row)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=message.replace("MLP", "Layer")):
        Layer(2, 3, seed=0)(row)  # type: ignore[arg-type]


@pytest.mark.parametrize(("activation", "error"), [("Relu", ValueError), (3, TypeError), ("softmax", ValueError)])
def test_activation_is_checked_even_without_hidden_layers(activation: object, error: type) -> None:
    with pytest.raises(error, match="activation"):
        MLP(2, [1], activation=activation)  # type: ignore[arg-type]
    with pytest.raises(error, match="activation"):
        MLP(2, [1], output_activation=activation)  # type: ignore[arg-type]


# ------------------------------------------------------------------ typed users (#12)


def test_forward_one_and_outputs() -> None:
    model = MLP(2, [3, 1], seed=0)
    x = [0.5, -1.0]
    single = model(x)
    assert isinstance(single, Value)
    assert model.forward_one(x).data == single.data
    assert [v.data for v in model.outputs(x)] == [single.data]
    wide = MLP(2, [3, 2], seed=0)
    assert [v.data for v in wide.outputs(x)] == [v.data for v in wide(x)]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="forward_one\\(\\) needs a MLP with one output, this one has 2"):
        wide.forward_one(x)
    assert Layer(2, 1, seed=0).forward_one(x).data == Layer(2, 1, seed=0)(x).data  # type: ignore[union-attr]


TYPED_PROGRAM = """
from autograd import Value
from nn import MLP, SGD, StepLR, hinge_loss


def train(model: MLP, rows: list[list[float]], labels: list[int]) -> float:
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = StepLR(opt, step_size=10)
    scores: list[Value] = [model.forward_one(row) for row in rows]
    loss = hinge_loss(scores, labels)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()
    model.forward_one(rows[0]).backward()
    first: Value = model.outputs(rows[0])[0]
    return first.data


print(train(MLP(2, [4, 1], seed=0), [[0.5, 1.0], [1.0, -1.0]], [1, -1]))
"""

UNTYPED_CALL = """
from nn import MLP

MLP(2, [4, 1])([0.5, 1.0]).backward()
"""


def test_a_typed_user_program_passes_mypy_strict(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    good = tmp_path / "typed_user.py"
    good.write_text(TYPED_PROGRAM)
    out, err, status = api.run(["--strict", "--no-incremental", "--cache-dir", os.devnull, str(good)])
    assert status == 0, out + err
    bad = tmp_path / "untyped_call.py"
    bad.write_text(UNTYPED_CALL)
    out, _, status = api.run(["--strict", "--no-incremental", "--cache-dir", os.devnull, str(bad)])
    assert status == 1 and 'Item "list[Value]" of "Value | list[Value]" has no attribute "backward"' in out


# ------------------------------------------------------------------ Linear, Sequential, activation modules


def test_linear_computes_weight_times_x_plus_bias_and_always_returns_a_list() -> None:
    lin = Linear(3, 2, seed=0)
    lin.weight[0][0].data, lin.weight[0][1].data, lin.weight[0][2].data = 1.0, -2.0, 0.5
    assert lin.bias is not None
    lin.bias[0].data = 0.25
    out = lin([2.0, 1.0, 4.0])
    assert isinstance(out, list) and len(out) == 2
    assert out[0].data == 1.0 * 2.0 - 2.0 * 1.0 + 0.5 * 4.0 + 0.25
    assert len(Linear(2, 1, seed=0)([1.0, 2.0])) == 1  # a list also for one output (unlike Layer)
    assert Linear(1, 1, seed=0)(3.0)[0].data == Linear(1, 1, seed=0)([3.0])[0].data


def test_linear_has_layers_weights_for_the_same_seed_and_torch_names() -> None:
    lin, layer = Linear(3, 4, seed=7), Layer(3, 4, nonlin=False, seed=7)
    assert [w.data for row in lin.weight for w in row] == [w.data for n in layer.neurons for w in n.w]
    no_bias = Linear(3, 2, bias=False, seed=0)
    assert no_bias.bias is None and no_bias.num_parameters() == 6
    assert [name for name, _ in Linear(2, 2, seed=0).named_parameters()] == [
        "weight.0.0",
        "weight.0.1",
        "weight.1.0",
        "weight.1.1",
        "bias.0",
        "bias.1",
    ]
    assert (lin.in_features, lin.out_features) == (3, 4)
    assert repr(no_bias) == "Linear(in_features=3, out_features=2, bias=False)"
    gauss = Linear(2, 3, bias=False, init=lambda rng, nin: rng.gauss(0.0, 0.08), seed=5)
    rng = random.Random(5)
    assert [w.data for row in gauss.weight for w in row] == [rng.gauss(0.0, 0.08) for _ in range(6)]


def test_linear_gradients() -> None:
    lin = Linear(3, 2, seed=1)
    assert gradcheck_module(lin, lambda m, xs: weighted_sum(m(xs)), [0.3, -1.2, 0.7])
    no_bias = Linear(2, 3, bias=False, seed=2)
    assert gradcheck_module(no_bias, lambda m, xs: weighted_sum(m(xs)), [1.5, -0.5])


def test_linear_argument_and_input_errors() -> None:
    with pytest.raises(ValueError, match="Linear nout must be an int >= 1, got 0"):
        Linear(2, 0)
    with pytest.raises(TypeError, match="Linear bias must be True or False, got str 'yes'"):
        Linear(2, 1, bias="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Linear expects 2 inputs, got 3"):
        Linear(2, 1, seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="Linear input 1 must be a number or a Value, got str 'a'"):
        Linear(2, 1, seed=0)([1.0, "a"])  # type: ignore[list-item]


def test_sequential_chains_indexes_and_names_like_torch() -> None:
    first, second = Linear(2, 3, seed=0), Linear(3, 1, seed=1)
    net = Sequential(first, ReLU(), second)
    x = [0.5, -1.5]
    expected = second(ReLU()(first(x)))
    assert [v.data for v in net(x)] == [v.data for v in expected]
    assert len(net) == 3 and net[0] is first and net[-1] is second and list(net)[1].__class__ is ReLU
    assert isinstance(net[1:], Sequential) and len(net[1:]) == 2 and net[1:][1] is second
    assert [name for name, _ in net.named_parameters()][:2] == ["0.weight.0.0", "0.weight.0.1"]
    assert net.num_parameters() == 9 + 4
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=3, out_features=1, bias=True)\n"
        ")"
    )
    state = net.state_dict()
    other = Sequential(Linear(2, 3, seed=5), ReLU(), Linear(3, 1, seed=6))
    other.load_state_dict(state)
    assert [v.data for v in other(x)] == [v.data for v in net(x)]
    with pytest.raises(IndexError, match="Sequential index 3 is out of range for 3 modules"):
        net[3]
    with pytest.raises(TypeError, match=r"Sequential expects nn modules .* got function"):
        Sequential(Linear(1, 1), lambda v: v)  # type: ignore[arg-type]


def test_sequential_gradients_through_every_activation() -> None:
    net = Sequential(Linear(2, 3, seed=3), Tanh(), Linear(3, 3, seed=4), Sigmoid(), Linear(3, 2, seed=5), ReLU())
    assert gradcheck_module(net, lambda m, xs: weighted_sum(m(xs)), [0.4, -0.9])


def test_activation_modules_on_lists_values_and_numbers() -> None:
    assert [v.data for v in ReLU()([-1.0, Value(2.0), 3])] == [0.0, 2.0, 3.0]
    assert ReLU()(Value(-2.0)).data == 0.0
    assert Tanh()(Value(0.5)).data == math.tanh(0.5)
    assert Sigmoid()([0.0])[0].data == 0.5
    assert repr(Tanh()) == "Tanh()" and Tanh().num_parameters() == 0
    with pytest.raises(TypeError, match="ReLU input 1 must be a number or a Value, got str 'x'"):
        ReLU()([1.0, "x"])  # type: ignore[list-item]
    assert nn.ReLU is ReLU and nn.Linear is Linear and nn.Sequential is Sequential
