"""nn.to_torch / nn.from_torch against real PyTorch: same outputs, same gradients, same optimizer steps (float64).

Every comparison is of real numbers computed by both libraries: valuegrad one
sample at a time, PyTorch on the whole batch.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value

torch = pytest.importorskip(
    "torch", reason="PyTorch is optional: make torch (or pip install -e '.[torch]' in a clone) to run these tests"
)
F = torch.nn.functional

TOL = 1e-12
ROOT = Path(__file__).resolve().parents[2]


def close(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


def inputs(n: int, nin: int, seed: int = 0) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(n)]


def valuegrad_outputs(model: nn.Module, X: list[list[float]]) -> list[list[float]]:
    rows = []
    for x in X:
        out = model(x)
        rows.append([out.data] if isinstance(out, Value) else [v.data for v in out])
    return rows


def max_difference(a: list[list[float]], b: list[list[float]]) -> float:
    assert len(a) == len(b) and all(len(r) == len(s) for r, s in zip(a, b))
    return max(abs(x - y) for r, s in zip(a, b) for x, y in zip(r, s))


def linears(net: Any) -> list[Any]:
    return [m for m in net if isinstance(m, torch.nn.Linear)]


def torch_parameters(net: Any) -> list[float]:
    """All weights and biases of a to_torch module, in valuegrad's order (neuron by neuron: w..., b)."""
    numbers: list[float] = []
    for linear in linears(net):
        weight = linear.weight.detach().tolist()
        bias = linear.bias.detach().tolist() if linear.bias is not None else None
        for j, row in enumerate(weight):
            numbers += row
            if bias is not None:
                numbers.append(bias[j])
    return numbers


def torch_gradients(net: Any) -> list[float]:
    numbers: list[float] = []
    for linear in linears(net):
        weight = linear.weight.grad.tolist()
        bias = linear.bias.grad.tolist() if linear.bias is not None else None
        for j, row in enumerate(weight):
            numbers += row
            if bias is not None:
                numbers.append(bias[j])
    return numbers


# ------------------------------------------------------------------ models


class Chain(nn.Module):
    """A user module that is a chain of layers: expressible as a Sequential."""

    def __init__(self) -> None:
        self.name = "chain"  # not a parameter: ignored
        self.hidden = [nn.Layer(3, 5, activation="tanh", seed=1), nn.Layer(5, 4, seed=2)]
        self.head = nn.Layer(4, 2, nonlin=False, seed=3)

    def forward(self, x: list[float]) -> Any:
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


class Wrapper(nn.Module):
    """A user module holding an MLP and a final neuron."""

    def __init__(self) -> None:
        self.body = nn.MLP(2, [6, 3], activation="sigmoid", output_activation="tanh", seed=4)
        self.out = nn.Neuron(3, activation="sigmoid", seed=5)

    def forward(self, x: list[float]) -> Any:
        return self.out(self.body(x))


MODELS: dict[str, Callable[[], nn.Module]] = {
    "mlp-2-16-16-1": lambda: nn.MLP(2, [16, 16, 1], seed=0),
    "mlp-tanh-sigmoid-out": lambda: nn.MLP(3, [8, 8, 4], activation="tanh", output_activation="sigmoid", seed=1),
    "mlp-width-1-hidden": lambda: nn.MLP(2, [16, 1, 1], seed=2),
    "mlp-no-bias-he": lambda: nn.MLP(4, [7, 3], bias=False, init="he", seed=3),
    "mlp-callable-relu": lambda: nn.MLP(2, [5, 2], activation=Value.relu, seed=4),
    "neuron-relu": lambda: nn.Neuron(3, seed=5),
    "neuron-linear": lambda: nn.Neuron(2, nonlin=False, seed=6),
    "neuron-no-bias-tanh": lambda: nn.Neuron(4, activation="tanh", bias=False, seed=7),
    "neuron-one-input": lambda: nn.Neuron(1, activation="sigmoid", seed=8),
    "layer-sigmoid": lambda: nn.Layer(3, 5, activation="sigmoid", seed=9),
    "layer-one-output": lambda: nn.Layer(4, 1, seed=10),
    "user-chain": Chain,
    "user-wrapper": Wrapper,
}


def trained_biases(model: nn.Module) -> nn.Module:
    """Give every bias a non-zero value (they start at 0, which would hide a bias that is not copied)."""
    rng = random.Random(99)
    for name, p in model.named_parameters():
        if name.endswith("b"):
            p.data = rng.uniform(-0.5, 0.5)
    return model


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_to_torch_computes_the_same_outputs(make: Callable[[], nn.Module]) -> None:
    model = trained_biases(make())
    net = nn.to_torch(model)
    assert isinstance(net, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert sum(p.numel() for p in net.parameters()) == model.num_parameters()
    nin = linears(net)[0].in_features
    X = inputs(64, nin)
    with torch.no_grad():
        ours = net(torch.tensor(X, dtype=torch.float64))
    expected = valuegrad_outputs(model, X)
    assert tuple(ours.shape) == (64, len(expected[0]))
    assert max_difference(ours.tolist(), expected) <= TOL


def test_structure_is_idiomatic() -> None:
    net = nn.to_torch(nn.MLP(2, [16, 16, 1], seed=0))
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [(m.in_features, m.out_features) for m in linears(net)] == [(2, 16), (16, 16), (16, 1)]
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    net = nn.to_torch(nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", bias=False))
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    assert all(m.bias is None for m in linears(net))


def test_weights_are_copied_row_per_neuron() -> None:
    model = trained_biases(nn.Layer(3, 2, seed=0))
    (linear,) = linears(nn.to_torch(model))
    assert linear.weight.tolist() == [[w.data for w in n.w] for n in model.neurons]
    assert linear.bias.tolist() == [n.b.data for n in model.neurons if n.b is not None]


def test_float32_on_request() -> None:
    model = nn.MLP(2, [8, 1], seed=0)
    net = nn.to_torch(model, dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in net.parameters())
    X = inputs(16, 2)
    with torch.no_grad():
        ours = net(torch.tensor(X, dtype=torch.float32)).double().tolist()
    assert 0 < max_difference(ours, valuegrad_outputs(model, X)) < 1e-5  # float32 rounding, and only that


def test_to_torch_leaves_torchs_random_generator_alone() -> None:
    torch.manual_seed(0)
    nn.to_torch(nn.MLP(2, [16, 16, 1], seed=0))
    after = torch.rand(3)
    torch.manual_seed(0)
    assert torch.equal(after, torch.rand(3))


def test_exported_module_is_independent_of_the_model() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    net = nn.to_torch(model)
    before = torch_parameters(net)
    model.parameters()[0].data += 1.0
    assert torch_parameters(net) == before


# ------------------------------------------------------------------ what cannot be exported


class WithScale(Chain):
    def __init__(self) -> None:
        super().__init__()
        self.scale = Value(2.0)


class Residual(Chain):
    def forward(self, x: list[float]) -> Any:
        return [v * 2 for v in super().forward(x)]


class Mismatched(nn.Module):
    def __init__(self) -> None:
        self.a = nn.Layer(2, 3)
        self.b = nn.Layer(4, 1)


class Shared(nn.Module):
    def __init__(self) -> None:
        layer = nn.Layer(3, 3)
        self.layers = [layer, layer]


class Empty(nn.Module):
    def __init__(self) -> None:
        self.width = 3


def mixed_layer() -> nn.Module:
    layer = nn.Layer(2, 3)
    layer.neurons[1] = nn.Neuron(2, activation="tanh")
    return layer


def half_biased_layer() -> nn.Module:
    layer = nn.Layer(2, 3)
    layer.neurons[2] = nn.Neuron(2, bias=False)
    return layer


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.MLP(2, [4, 1], activation=lambda v: v * v), r"layers\.0\.neurons\.0 has the custom activation"),
        (lambda: nn.Neuron(2, activation=lambda v: v.exp()), r"neuron has the custom activation"),
        (mixed_layer, r"layer mixes activations \('relu' and 'tanh'\)"),
        (half_biased_layer, r"mixes neurons with and without a bias"),
        (WithScale, r"scale is a bare Value parameter"),
        (Residual, r"Residual\.forward does not compute its layers one after the other"),
        (Mismatched, r"a has 3 outputs but the next one, b, takes 4 inputs"),
        (Shared, r"layers\.1 is the same module reached twice"),
        (Empty, r"holds no Neuron, Layer or MLP"),
        (lambda: [nn.Layer(2, 2)], r"expects a valuegrad Neuron, Layer, MLP or Module, got list"),
    ],
)
def test_what_cannot_be_exported_is_named(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        nn.to_torch(make())


# ------------------------------------------------------------------ from_torch


def test_from_torch_round_trip_after_changing_the_torch_weights() -> None:
    net = nn.to_torch(nn.MLP(3, [8, 8, 2], activation="tanh", seed=0))
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn(p.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1)))
    model = nn.from_torch(net, nn.MLP(3, [8, 8, 2], activation="tanh", seed=5))
    assert [p.data for p in model.parameters()] == torch_parameters(net)  # exact copy
    X = inputs(32, 3)
    with torch.no_grad():
        expected = net(torch.tensor(X, dtype=torch.float64)).tolist()
    assert max_difference(valuegrad_outputs(model, X), expected) <= TOL


def test_from_torch_accepts_a_handwritten_sequential_and_float32() -> None:
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).float()
    model = nn.from_torch(net, nn.MLP(2, [4, 1]))
    assert [p.data for p in model.parameters()] == torch_parameters(net)  # float32 -> float is exact


def test_from_torch_into_a_user_module() -> None:
    source = trained_biases(Chain())
    target = nn.from_torch(nn.to_torch(source), Chain())
    assert target.state_dict() == source.state_dict()


@pytest.mark.parametrize(
    ("make_net", "message"),
    [
        (lambda: nn.to_torch(nn.MLP(2, [16, 8, 1], seed=1)), r"weight shape \(8, 16\) but layers\.1 needs \(16, 16\)"),
        (lambda: nn.to_torch(nn.MLP(3, [16, 16, 1], seed=1)), r"Linear layer 0 has weight shape \(16, 3\)"),
        (lambda: nn.to_torch(nn.MLP(2, [16, 1], seed=1)), r"layers are \['Linear', 'ReLU', 'Linear'\]"),
        (lambda: nn.to_torch(nn.MLP(2, [16, 16, 1], activation="tanh")), r"'Tanh'.* needs .*'ReLU'"),
        (lambda: nn.to_torch(nn.MLP(2, [16, 16, 1], bias=False)), r"Linear layer 0 has no bias but layers\.0 has bias"),
        (
            lambda: torch.nn.Sequential(
                torch.nn.Linear(2, 16),
                torch.nn.ReLU(),
                torch.nn.Dropout(),
                torch.nn.Linear(16, 16),
                torch.nn.ReLU(),
                torch.nn.Linear(16, 1),
            ),
            r"has a Dropout",
        ),
    ],
)
def test_from_torch_checks_everything_before_changing_anything(make_net: Callable[[], Any], message: str) -> None:
    model = trained_biases(nn.MLP(2, [16, 16, 1], seed=0))
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        nn.from_torch(make_net(), model)
    assert model.state_dict() == before


def test_from_torch_with_the_last_layer_wrong_leaves_the_first_layers_alone() -> None:
    # The first two Linear layers match and would be copied first by a careless implementation.
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)
    ).double()
    model = nn.MLP(2, [16, 16, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"Linear layer 2 has weight shape \(2, 16\)"):
        nn.from_torch(net, model)
    assert model.state_dict() == before


def test_from_torch_wants_a_torch_module() -> None:
    with pytest.raises(TypeError, match=r"expects a torch\.nn\.Module, got dict"):
        nn.from_torch({"0.weight": torch.zeros(1, 2)}, nn.Neuron(2))


# ------------------------------------------------------------------ one training step, side by side


def hinge_torch(scores: Any, labels: Any) -> Any:
    return torch.relu(1.0 - labels * scores).mean()  # micrograd's max-margin loss; torch has no built-in one


LOSSES: dict[str, tuple[list[int], Callable[..., Value], Callable[[Any, Any], Any], str]] = {
    # name: (MLP widths after 3 inputs, valuegrad loss, torch loss on (batch output, targets), kind of targets)
    "mse": ([8, 8, 2], nn.mse_loss, F.mse_loss, "real"),
    "hinge": ([8, 8, 1], nn.hinge_loss, hinge_torch, "sign"),
    "bce-with-logits": ([8, 8, 1], nn.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, "0/1"),
    "cross-entropy": ([8, 8, 3], nn.cross_entropy, F.cross_entropy, "class"),
}


def batch_for(kind: str, n: int = 24) -> tuple[list[list[float]], list[Any]]:
    rng = random.Random(7)
    X = inputs(n, 3, seed=8)
    if kind == "real":
        y: list[Any] = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n)]
    elif kind == "sign":
        y = [rng.choice([-1.0, 1.0]) for _ in range(n)]
    elif kind == "0/1":
        y = [float(rng.random() < 0.5) for _ in range(n)]
    else:
        y = [rng.randrange(3) for _ in range(n)]
    return X, y


def losses_side_by_side(name: str, model: nn.Module, net: Any, X: list[list[float]], y: list[Any]) -> tuple[Value, Any]:
    _, vg_loss, torch_loss, kind = LOSSES[name]
    out = net(torch.tensor(X, dtype=torch.float64))
    if kind == "real":  # two outputs per sample: the mean over every output, as torch's mse_loss
        preds = [v for x in X for v in model(x)]
        return vg_loss(preds, [t for row in y for t in row]), torch_loss(out, torch.tensor(y, dtype=torch.float64))
    if kind == "class":
        return vg_loss([model(x) for x in X], y), torch_loss(out, torch.tensor(y))
    return vg_loss([model(x) for x in X], y), torch_loss(out[:, 0], torch.tensor(y, dtype=torch.float64))


@pytest.mark.parametrize("loss_name", LOSSES)
def test_same_loss_and_gradients(loss_name: str) -> None:
    model = trained_biases(nn.MLP(3, LOSSES[loss_name][0], activation="tanh", seed=11))
    net = nn.to_torch(model)
    X, y = batch_for(LOSSES[loss_name][3])
    ours, theirs = losses_side_by_side(loss_name, model, net, X, y)
    assert close(ours.data, theirs.item())
    model.zero_grad()
    ours.backward()
    theirs.backward()
    grads = torch_gradients(net)
    assert max(abs(p.grad - g) for p, g in zip(model.parameters(), grads)) <= TOL
    assert any(g != 0.0 for g in grads)


OPTIMIZERS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.02, "maximize": True, "weight_decay": 0.01}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
]


def optimizer_id(case: tuple[str, dict[str, Any]]) -> str:
    name, kwargs = case
    return name + "".join(f",{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("loss_name", ["mse", "cross-entropy"])
@pytest.mark.parametrize("case", OPTIMIZERS, ids=[optimizer_id(c) for c in OPTIMIZERS])
def test_training_steps_give_the_same_parameters(case: tuple[str, dict[str, Any]], loss_name: str) -> None:
    name, kwargs = case
    model = trained_biases(nn.MLP(3, LOSSES[loss_name][0], activation="tanh", seed=12))
    net = nn.to_torch(model)
    ours = getattr(nn, name)(model.parameters(), **({"lr": 1e-3} | kwargs))
    theirs = getattr(torch.optim, name)(net.parameters(), **({"lr": 1e-3} | kwargs))
    X, y = batch_for(LOSSES[loss_name][3])
    start = [p.data for p in model.parameters()]
    for step in range(1, 4):  # three steps: momentum buffers and Adam's moments are used from the second on
        loss, torch_loss = losses_side_by_side(loss_name, model, net, X, y)
        ours.zero_grad()
        loss.backward()
        ours.step()
        theirs.zero_grad()
        torch_loss.backward()
        theirs.step()
        after = torch_parameters(net)
        worst = max(abs(p.data - q) for p, q in zip(model.parameters(), after))
        assert worst <= TOL, f"step {step}: parameters differ by {worst:.3g}"
    assert max(abs(p.data - q) for p, q in zip(model.parameters(), start)) > 1e-4  # the steps did move them


def test_a_step_in_torch_then_back_equals_a_step_in_valuegrad() -> None:
    """The notebook's workflow: export, step in torch, import back; same as stepping in valuegrad."""
    X, labels = nn.make_moons(40, noise=0.1, seed=0)
    y = [2.0 * label - 1.0 for label in labels]
    model = nn.MLP(2, [16, 16, 1], seed=0)
    net = nn.to_torch(model)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    hinge_torch(net(torch.tensor(X, dtype=torch.float64))[:, 0], torch.tensor(y, dtype=torch.float64)).backward()
    opt.step()
    stepped_in_torch = nn.from_torch(net, nn.MLP(2, [16, 16, 1]))
    sgd = nn.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    nn.hinge_loss([model(x) for x in X], y).backward()
    sgd.step()
    worst = max(abs(p.data - q.data) for p, q in zip(model.parameters(), stepped_in_torch.parameters()))
    assert worst <= TOL


# ------------------------------------------------------------------ the example of docs/pytorch.md


def test_docs_torch_example_runs_and_prints_what_it_says() -> None:
    """docs/pytorch.md's PyTorch block is fenced ```py (sybil runs only ```python blocks, and without torch)."""
    page = (ROOT / "docs" / "pytorch.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```py\n(.*?)```", page, flags=re.DOTALL) if "to_torch" in b]
    assert blocks, "docs/pytorch.md has no ```py block using nn.to_torch"
    for code in blocks:
        run = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert run.returncode == 0, run.stderr
        printed = run.stdout.splitlines()
        expected = [
            line.split("# ", 1)[1].strip() for line in code.splitlines() if line.startswith("print(") and "# " in line
        ]
        assert expected
        for comment in expected:
            assert comment in printed, f"docs/pytorch.md says {comment!r}; the example printed {printed}"
