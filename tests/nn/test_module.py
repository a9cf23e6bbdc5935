"""Module: automatic parameter discovery, names, sharing, zero_grad, state dicts, repr."""

from __future__ import annotations

import math

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron


class Line(Module):
    """A user's own module: two Value attributes and no parameters() override."""

    def __init__(self) -> None:
        self.m = Value(0.5)
        self.b = Value(-1.0)
        self.note = "not a parameter"
        self.scale = 3.0

    def forward(self, x: float) -> Value:
        return self.m * x + self.b


class Net(Module):
    """Sub-modules, lists, tuples, dicts (nested), a shared weight and a shared sub-module."""

    def __init__(self) -> None:
        self.first = Value(1.0)
        self.body = Line()
        self.heads = [Line(), Line()]
        self.table = {"a": Value(2.0), "b": [Value(3.0), (Value(4.0),)]}
        self.again = self.first  # shared Value
        self.body_alias = self.body  # shared sub-module
        self.pair = (self.heads[0], Value(5.0))
        self.unsearched = {Value(6.0)}  # sets are not searched

    def forward(self, x: float) -> Value:
        return self.body(x) * self.first


def test_user_module_needs_no_parameters_override() -> None:
    line = Line()
    assert line.parameters() == [line.m, line.b]
    assert [name for name, _ in line.named_parameters()] == ["m", "b"]
    out = line(2.0)
    out.backward()
    assert (line.m.grad, line.b.grad) == (2.0, 1.0)


def test_discovery_order_names_and_sharing() -> None:
    net = Net()
    named = list(net.named_parameters())
    names = [name for name, _ in named]
    assert names == [
        "first",
        "body.m",
        "body.b",
        "heads.0.m",
        "heads.0.b",
        "heads.1.m",
        "heads.1.b",
        "table.a",
        "table.b.0",
        "table.b.1.0",
        "pair.1",
    ]
    values = [v for _, v in named]
    assert values[0] is net.first and values[1] is net.body.m and values[3] is net.heads[0].m
    assert values[-1] is net.pair[1]
    assert len({id(v) for v in values}) == len(values)  # each once
    assert net.parameters() == values
    assert net.num_parameters() == 11


def test_discovery_is_deterministic_across_instances() -> None:
    a, b = Net(), Net()
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in b.named_parameters()]
    assert [v.data for v in a.parameters()] == [v.data for v in b.parameters()]


def test_cycles_between_modules_terminate() -> None:
    parent = Line()
    child = Line()
    parent.child = child  # type: ignore[attr-defined]
    child.parent = parent  # type: ignore[attr-defined]
    assert [n for n, _ in parent.named_parameters()] == ["m", "b", "child.m", "child.b"]


def test_deep_nesting_does_not_recurse() -> None:
    root = Line()
    node: Module = root
    for _ in range(3000):  # deeper than the default recursion limit
        nxt = Line()
        node.next = nxt  # type: ignore[attr-defined]
        node = nxt
    assert len(root.parameters()) == 2 * 3001


def test_zero_grad_resets_every_parameter() -> None:
    net = Net()
    for p in net.parameters():
        p.grad = 7.0
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_mlp_parameter_order_matches_micrograd() -> None:
    model = MLP(2, [3, 1], seed=0)
    expected: list[Value] = []
    for layer in model.layers:
        for neuron in layer.neurons:
            expected += [*neuron.w, neuron.b]  # type: ignore[list-item]
    assert model.parameters() == expected
    names = [n for n, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"


def test_forward_must_be_defined() -> None:
    class Empty(Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        Empty()(1.0)


# ------------------------------------------------------------------ state dicts


def test_state_dict_round_trip_exact() -> None:
    model = MLP(3, [4, 2], seed=1)
    state = model.state_dict()
    assert list(state) == [n for n, _ in model.named_parameters()]
    other = MLP(3, [4, 2], seed=2)
    assert other.state_dict() != state
    other.load_state_dict(state)
    assert other.state_dict() == state


def test_state_dict_is_a_copy() -> None:
    line = Line()
    state = line.state_dict()
    state["m"] = 100.0
    assert line.m.data == 0.5


def _snapshot(module: Module) -> list[tuple[str, float, float]]:
    return [(n, p.data, p.grad) for n, p in module.named_parameters()]


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        ({"m": 1.0}, ValueError, r"1 missing \('b'\)"),
        ({"m": 1.0, "b": 2.0, "c": 3.0}, ValueError, r"1 unexpected \('c'\)"),
        ({"m": 1.0, "b": "2"}, TypeError, "parameter 'b' must be a real number, got str"),
        ({"m": 1.0, "b": True}, TypeError, "got bool"),
        ({"m": 1.0, "b": Value(2.0)}, TypeError, "got Value"),
        ({"m": 1.0, "b": 10**400}, ValueError, "too large for a float"),
        ([("m", 1.0), ("b", 2.0)], TypeError, "expects a dict"),
    ],
)
def test_load_state_dict_rejects_and_leaves_module_unchanged(state: object, error: type, message: str) -> None:
    line = Line()
    line.m.grad = 0.25
    before = _snapshot(line)
    with pytest.raises(error, match=message):
        line.load_state_dict(state)  # type: ignore[arg-type]
    assert _snapshot(line) == before


def test_load_state_dict_accepts_ints_and_non_finite() -> None:
    line = Line()
    line.load_state_dict({"m": 3, "b": math.inf})
    assert line.m.data == 3.0 and isinstance(line.m.data, float)
    assert line.b.data == math.inf


# ------------------------------------------------------------------ repr


def test_repr_shows_structure() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    assert repr(model) == (
        "MLP(2 -> 16 -> 16 -> 1, 337 parameters\n"
        "  (layers.0): Layer(2 -> 16, relu)\n"
        "  (layers.1): Layer(16 -> 16, relu)\n"
        "  (layers.2): Layer(16 -> 1, linear)\n"
        ")"
    )
    assert repr(Neuron(3, seed=0)) == "Neuron(3, relu)"
    assert repr(Neuron(3, nonlin=False, bias=False, seed=0)) == "Neuron(3, linear, bias=False)"
    assert repr(Layer(3, 2, activation="tanh", seed=0)) == "Layer(3 -> 2, tanh)"


def test_repr_of_user_module_lists_what_holds_parameters() -> None:
    text = repr(Net())
    assert text.startswith("Net(\n")
    assert "  (first): Value(data=1.0, grad=0.0)" in text
    assert "  (body): Line(\n    (m): Value(data=0.5, grad=0.0)" in text
    assert "(heads.1): Line(" in text
    assert "(table.a): Value(data=2.0" in text
    assert "note" not in text and "scale" not in text
    assert repr(Line()) == "Line(\n  (m): Value(data=0.5, grad=0.0)\n  (b): Value(data=-1.0, grad=0.0)\n)"


def test_repr_survives_cycles() -> None:
    parent, child = Line(), Line()
    parent.child = child  # type: ignore[attr-defined]
    child.parent = parent  # type: ignore[attr-defined]
    text = repr(parent)
    assert "(child): Line(" in text and "(parent): <cycle: Line>" in text


def test_subclass_overriding_forward_is_honoured() -> None:
    class Doubled(Neuron):
        def forward(self, x: object) -> Value:
            return super().forward(x) * 2  # type: ignore[arg-type]

    n = Doubled(2, nonlin=False, seed=0)
    assert n([1.0, 2.0]).data == 2 * Neuron.forward(n, [1.0, 2.0]).data


# ------------------------------------------------------------------ only what should be trained (#12)


class Cached(Module):
    """Caches its last output, as users do for plotting or debugging."""

    def __init__(self) -> None:
        self.w = Value(2.0)
        self.last: Value | None = None

    def forward(self, x: float) -> Value:
        out = self.w * x
        self.last = out
        return out


class Const(Value):
    """A leaf marked as not requiring grad: the engine's `requires_grad` attribute, set on a subclass."""

    requires_grad = False


def test_a_cached_output_is_not_a_parameter_and_state_loads_into_a_fresh_instance() -> None:
    model = Cached()
    model(3.0).backward()
    assert [name for name, _ in model.named_parameters()] == ["w"]
    fresh = Cached()
    fresh.load_state_dict(model.state_dict())  # a fresh instance has no cached output: same names
    assert fresh.w.data == 2.0


def test_a_leaf_that_does_not_require_grad_is_a_constant() -> None:
    class Scaled(Module):
        def __init__(self) -> None:
            self.w = Value(1.0)
            self.scale = Const(10.0)

    model = Scaled()
    assert model.parameters() == [model.w]
    assert "scale" not in model.state_dict()


def test_a_value_with_requires_grad_false_is_not_a_parameter() -> None:
    scale = Value(10.0, requires_grad=False)

    class Scaled(Module):
        def __init__(self) -> None:
            self.w = Value(1.0)
            self.scale = scale

    model = Scaled()
    assert model.parameters() == [model.w]


@pytest.mark.parametrize(
    "attributes",
    [
        {"a.b": Value(1.0), "a": {"b": Value(2.0)}},
        {"table": {1: Value(1.0), "1": Value(2.0)}},
        {"x": [Value(1.0)], "x.0": Value(2.0)},
    ],
    ids=["dotted-key", "int-and-str-key", "index-and-attribute"],
)
def test_names_that_would_collide_are_refused(attributes: dict[str, object], tmp_path: object) -> None:
    import nn

    model = Module()
    vars(model).update(attributes)
    with pytest.raises(ValueError, match="would both be named"):
        model.state_dict()
    with pytest.raises(ValueError, match="would both be named"):
        model.parameters()
    with pytest.raises(ValueError, match="would both be named"):
        nn.save(model, f"{tmp_path}/m.json")


# ------------------------------------------------------------------ PyTorch's Module methods (#12)


def test_train_eval_children_and_modules() -> None:
    net = Net()
    assert net.training is True
    assert net.eval() is net
    assert all(m.training is False for m in net.modules())
    net.train()
    assert all(m.training is True for m in net.modules())
    with pytest.raises(TypeError, match="train"):
        net.train("yes")  # type: ignore[arg-type]
    children = list(net.children())
    assert children == [net.body, net.heads[0], net.heads[1]]  # each once; body_alias and pair repeat them
    assert [name for name, _ in net.named_children()] == ["body", "heads.0", "heads.1"]
    assert [name for name, _ in net.named_modules()] == ["", "body", "heads.0", "heads.1"]
    mlp = MLP(2, [3, 1], seed=0)
    assert len(list(mlp.modules())) == 1 + 2 + 3 + 1  # the MLP, its layers, their neurons
    mlp.eval()
    assert mlp.layers[1].neurons[0].training is False


def test_load_state_dict_strict_false_reports_missing_and_unexpected_keys() -> None:
    line = Line()
    result = line.load_state_dict({"m": 4.0, "c": 1.0}, strict=False)
    assert result.missing_keys == ["b"] and result.unexpected_keys == ["c"]
    assert (line.m.data, line.b.data) == (4.0, -1.0)
    assert line.load_state_dict({"m": 1.0, "b": 2.0}) == ([], [])
    with pytest.raises(ValueError, match=r"1 missing \('b'\).*strict=False"):
        line.load_state_dict({"m": 4.0})
    with pytest.raises(TypeError, match="parameter 'm' must be a real number"):
        line.load_state_dict({"m": "4", "zzz": 1.0}, strict=False)
    assert line.m.data == 1.0


def test_zero_grad_accepts_set_to_none() -> None:
    line = Line()
    line.m.grad = 5.0
    line.zero_grad(set_to_none=True)
    assert line.m.grad == 0.0


# ------------------------------------------------------------------ pickling (#13)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_models_pickle_and_copy_with_every_activation(activation: str) -> None:
    import copy
    import pickle

    model = MLP(3, [4, 4, 2], activation=activation, output_activation="sigmoid", seed=0)
    x = [0.5, -1.0, 2.0]
    expected = [v.data for v in model.outputs(x)]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(model, protocol=protocol))
        assert [v.data for v in clone.outputs(x)] == expected
        assert clone.state_dict() == model.state_dict()
        assert clone.layers[0].neurons[0].activation == activation
    clone = copy.deepcopy(model)
    clone.layers[0].neurons[0].w[0].data += 1.0  # a real copy: the original is untouched
    assert [v.data for v in model.outputs(x)] == expected


def test_a_pickled_model_trains_in_another_process() -> None:
    import multiprocessing

    model = MLP(2, [3, 1], activation="tanh", seed=0)
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # a fresh interpreter unpickles the model
        remote = pool.apply(model.forward_one, ([0.5, -0.5],))
    assert remote.data == model.forward_one([0.5, -0.5]).data
