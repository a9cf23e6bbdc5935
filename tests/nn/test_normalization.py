"""RMSNorm and LayerNorm: the formulas on plain floats, microgpt's rmsnorm, PyTorch's reprs, gradients, errors."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import nn
from autograd import Value
from nn import LayerNorm, RMSNorm

sys.path.insert(0, str(Path(__file__).parent))
from module_gradcheck import gradcheck_module, weighted_sum

X = [0.5, -1.25, 2.0, 0.125]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def test_rmsnorm_without_weight_is_microgpts_rmsnorm() -> None:
    norm = RMSNorm(4, elementwise_affine=False)
    assert norm.num_parameters() == 0 and norm.weight is None and not norm.elementwise_affine
    scale = (sum(x * x for x in X) / 4 + 1e-5) ** -0.5
    assert all(close(out.data, x * scale) for out, x in zip(norm(X), X))
    assert repr(norm) == "RMSNorm((4,), eps=1e-05, elementwise_affine=False)"


def test_rmsnorm_weight_scales_each_component() -> None:
    norm = RMSNorm(4, eps=1e-6)
    assert norm.num_parameters() == 4 and [w.data for w in norm.weight or []] == [1.0] * 4
    for w, g in zip(norm.weight or [], [2.0, 0.5, -1.0, 3.0]):
        w.data = g
    scale = 1.0 / math.sqrt(sum(x * x for x in X) / 4 + 1e-6)
    assert all(close(o.data, x * scale * g) for o, x, g in zip(norm(X), X, [2.0, 0.5, -1.0, 3.0]))
    assert [name for name, _ in norm.named_parameters()] == ["weight.0", "weight.1", "weight.2", "weight.3"]


def test_layernorm_is_pytorchs_formula() -> None:
    norm = LayerNorm(4)
    assert norm.num_parameters() == 8 and repr(norm) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    mean = sum(X) / 4
    var = sum((x - mean) ** 2 for x in X) / 4
    expected = [(x - mean) / math.sqrt(var + 1e-5) for x in X]
    assert all(close(o.data, e) for o, e in zip(norm(X), expected))
    assert abs(sum(o.data for o in norm(X))) < 1e-12
    assert LayerNorm(4, bias=False).num_parameters() == 4
    assert LayerNorm(4, elementwise_affine=False).num_parameters() == 0


def test_gradients() -> None:
    loss = lambda m, xs: weighted_sum(m(xs))
    assert gradcheck_module(RMSNorm(4, elementwise_affine=False), loss, X)
    weighted = RMSNorm(3)
    for w, g in zip(weighted.weight or [], [0.7, -1.1, 1.3]):
        w.data = g
    assert gradcheck_module(weighted, loss, [0.3, -0.8, 1.1])
    layer = LayerNorm(4)
    for i, (w, b) in enumerate(zip(layer.weight or [], layer.bias or [])):
        w.data, b.data = 1.0 + 0.3 * i, -0.2 * i
    assert gradcheck_module(layer, loss, X)


def test_inputs_may_be_values_and_the_gradient_reaches_them() -> None:
    xs = [Value(x) for x in X]
    out = RMSNorm(4, elementwise_affine=False)(xs)
    out[0].backward()
    assert xs[0].grad != 0.0 and xs[1].grad != 0.0
    assert nn.RMSNorm is RMSNorm and nn.LayerNorm is LayerNorm


def test_errors_name_the_module() -> None:
    with pytest.raises(ValueError, match="RMSNorm expects a vector of 4 numbers or Values, got 3"):
        RMSNorm(4)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"LayerNorm expects a list of 2 numbers or Values .*got float 1\.5"):
        LayerNorm(2)(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="RMSNorm input 1 must be a number or a Value, got str 'a'"):
        RMSNorm(2)([1.0, "a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="RMSNorm eps must be a finite number >= 0"):
        RMSNorm(2, eps=-1.0)
    with pytest.raises(TypeError, match="RMSNorm elementwise_affine must be True or False, got int 0"):
        RMSNorm(2, elementwise_affine=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="LayerNorm dim must be an int >= 1, got 0"):
        LayerNorm(0)
