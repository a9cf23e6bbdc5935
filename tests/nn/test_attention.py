"""CausalSelfAttention: a hand-written float reference, the KV cache against the whole sequence, torch, gradients."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn import CausalSelfAttention, KVCache

sys.path.insert(0, str(Path(__file__).parent))
from module_gradcheck import gradcheck_module, weighted_sum

TOL = 1e-12


def sequence(length: int, dim: int, seed: int = 0) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-1.5, 1.5) for _ in range(dim)] for _ in range(length)]


def matrix(linear: nn.Linear) -> list[list[float]]:
    return [[w.data for w in row] for row in linear.weight]


def reference(attn: CausalSelfAttention, xs: list[list[float]]) -> list[list[float]]:
    """Causal multi-head attention written out on floats: for each position, head by head, then wo."""

    def project(w: list[list[float]], x: list[float]) -> list[float]:
        return [sum(wij * xj for wij, xj in zip(row, x)) for row in w]

    wq, wk, wv, wo = (matrix(getattr(attn, name)) for name in ("wq", "wk", "wv", "wo"))
    q = [project(wq, x) for x in xs]
    k = [project(wk, x) for x in xs]
    v = [project(wv, x) for x in xs]
    d = attn.head_dim
    out = []
    for t in range(len(xs)):
        concat: list[float] = []
        for h in range(attn.n_head):
            cols = range(h * d, (h + 1) * d)
            scores = [sum(q[t][c] * k[s][c] for c in cols) / math.sqrt(d) for s in range(t + 1)]
            top = max(scores)
            exps = [math.exp(z - top) for z in scores]
            weights = [e / sum(exps) for e in exps]
            concat += [sum(weights[s] * v[s][c] for s in range(t + 1)) for c in cols]
        out.append(project(wo, concat))
    return out


def numbers(rows: list[list[Value]]) -> list[list[float]]:
    return [[v.data for v in row] for row in rows]


def worst(a: list[list[float]], b: list[list[float]]) -> float:
    assert len(a) == len(b) and all(len(r) == len(s) for r, s in zip(a, b))
    return max(abs(x - y) for r, s in zip(a, b) for x, y in zip(r, s))


@pytest.mark.parametrize(("n_embd", "n_head"), [(4, 1), (4, 2), (6, 3), (8, 4)])
def test_whole_sequence_matches_the_hand_written_reference(n_embd: int, n_head: int) -> None:
    attn = CausalSelfAttention(n_embd, n_head, seed=n_embd + n_head)
    xs = sequence(5, n_embd, seed=n_head)
    assert worst(numbers(attn(xs)), reference(attn, xs)) <= TOL


def test_the_kv_cache_one_position_at_a_time_gives_the_same_numbers() -> None:
    attn = CausalSelfAttention(8, 2, bias=True, seed=3)
    xs = sequence(6, 8, seed=1)
    cache = KVCache()
    stepped = [attn.step(x, cache) for x in xs]
    assert len(cache) == 6 and len(cache.keys[0]) == 8 and repr(cache) == "KVCache(6 positions)"
    assert numbers(stepped) == numbers(attn(xs))  # the same arithmetic: equal, not just close
    assert worst(numbers(stepped), reference(attn, xs)) <= TOL  # biases start at 0, the reference has none
    # a position never sees a later one: the first outputs do not depend on what follows
    assert numbers(attn(xs[:2])) == numbers(attn(xs))[:2]


def test_gradients_flow_through_the_cache_into_earlier_positions() -> None:
    attn = CausalSelfAttention(4, 2, seed=0)
    xs = [[Value(x) for x in row] for row in sequence(3, 4)]
    cache = KVCache()
    outputs = [attn.step(x, cache) for x in xs]
    weighted_sum(outputs[-1]).backward()
    assert any(v.grad != 0.0 for v in xs[0]) and any(v.grad != 0.0 for v in xs[2])


def test_gradients() -> None:
    attn = CausalSelfAttention(4, 2, seed=4)
    flat = [x for row in sequence(3, 4, seed=2) for x in row]

    def loss(m: nn.Module, inputs: list[Value]) -> Value:
        rows = [inputs[i : i + 4] for i in range(0, 12, 4)]
        return weighted_sum([v for row in m(rows) for v in row])

    assert gradcheck_module(attn, loss, flat)


def test_parameters_names_and_repr() -> None:
    attn = CausalSelfAttention(16, 4, seed=0)
    assert attn.num_parameters() == 4 * 16 * 16 and attn.head_dim == 4
    names = [name for name, _ in attn.named_parameters()]
    assert names[0] == "wq.weight.0.0" and names[-1] == "wo.weight.15.15"
    assert repr(attn).startswith("CausalSelfAttention(n_embd=16, n_head=4\n  (wq): Linear(in_features=16")
    assert CausalSelfAttention(4, 2, bias=True).num_parameters() == 4 * (16 + 4)
    # drawn in the order wq, wk, wv, wo from one generator
    rng = random.Random(9)
    init = lambda r, nin: r.gauss(0.0, 0.08)
    drawn = CausalSelfAttention(4, 2, init=init, seed=9)
    assert [p.data for p in drawn.parameters()] == [rng.gauss(0.0, 0.08) for _ in range(64)]
    assert nn.CausalSelfAttention is CausalSelfAttention and nn.KVCache is KVCache


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"n_embd \(6\) must be a multiple of n_head \(4\)"):
        CausalSelfAttention(6, 4)
    attn = CausalSelfAttention(4, 2, seed=0)
    with pytest.raises(ValueError, match="CausalSelfAttention: got an empty sequence"):
        attn([])
    with pytest.raises(ValueError, match="Linear expects 4 inputs, got 3"):
        attn([[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match=r"expects a KVCache \(start each sequence with KVCache\(\)\), got list"):
        attn.step([1.0, 2.0, 3.0, 4.0], [])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"CausalSelfAttention input .* must be a sequence"):
        attn("abcd")  # type: ignore[arg-type]


def test_against_torch_when_installed() -> None:
    torch = pytest.importorskip(
        "torch", reason="PyTorch is optional: make torch (or pip install -e '.[torch]' in a clone)"
    )
    torch.set_num_threads(1)
    attn = CausalSelfAttention(8, 2, seed=5)
    xs = sequence(5, 8, seed=5)
    names = ("wq", "wk", "wv", "wo")
    weights = {name: torch.tensor(matrix(getattr(attn, name)), dtype=torch.float64) for name in names}
    x = torch.tensor(xs, dtype=torch.float64)

    def heads(y: Any) -> Any:  # (T, C) -> (n_head, T, head_dim)
        return y.view(5, 2, 4).transpose(0, 1)

    q, k, v = (heads(x @ weights[name].T) for name in ("wq", "wk", "wv"))
    y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    expected = (y.transpose(0, 1).reshape(5, 8) @ weights["wo"].T).tolist()
    assert worst(numbers(attn(xs)), expected) <= TOL
