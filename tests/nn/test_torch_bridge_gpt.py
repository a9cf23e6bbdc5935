"""nn.to_torch / nn.from_torch for a GPT and its building blocks, against a reference PyTorch GPT (float64).

The reference (tests/nn/models/torch_gpt.py) is written with tensor operations only, independently of
nn.torch_bridge, and runs token by token with a key/value cache and the whole sequence at once.
"""

from __future__ import annotations

import pickle
import random
import sys
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn import GPT, CausalSelfAttention, Embedding, LayerNorm, Linear, ReLU, RMSNorm, Sequential, Tanh

torch = pytest.importorskip(
    "torch", reason="PyTorch is optional: make torch (or pip install -e '.[torch]' in a clone) to run these tests"
)
torch.set_num_threads(1)

sys.path.insert(0, str(Path(__file__).parent / "models"))
from torch_gpt import ReferenceGPT  # noqa: E402 - only once torch is known to be installed

TOL = 1e-12
TOKENS = [26, 8, 18, 0, 1, 4, 11, 11, 0, 26]  # "isabella" between BOS tokens


def logits_of(model: GPT, tokens: list[int]) -> list[list[float]]:
    return [[v.data for v in row] for row in model(tokens)]


def worst(a: Any, b: Any) -> float:
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    assert a.shape == b.shape
    return float((a - b).abs().max())


def models() -> list[GPT]:
    return [GPT(27, seed=0), GPT(27, block_size=6, n_layer=2, n_embd=8, n_head=2, seed=1)]


# ------------------------------------------------------------------ the reference itself


@pytest.mark.parametrize("model", models(), ids=["microgpt", "two-layers"])
def test_reference_kv_cache_and_whole_sequence_agree_and_equal_valuegrad(model: GPT) -> None:
    ref = ReferenceGPT.from_valuegrad(model)
    tokens = TOKENS[: model.block_size]
    with torch.no_grad():
        whole = ref.forward(tokens)
        cache = ref.new_cache()
        stepped = torch.stack([ref.step(t, cache) for t in tokens])
    assert worst(whole, stepped) <= TOL
    assert worst(logits_of(model, tokens), whole) <= TOL


def test_loss_and_gradients_equal_the_references_autograd() -> None:
    model = GPT(27, seed=2)
    ref = ReferenceGPT.from_valuegrad(model)
    loss, expected = model.loss(TOKENS), ref.loss(TOKENS)
    assert abs(loss.data - expected.item()) <= TOL
    loss.backward()
    expected.backward()
    names = {"wte": "wte.weight", "wpe": "wpe.weight", "lm_head": "lm_head.weight"}
    names |= {f"layer0.attn_{n}": f"layers.0.attn.{n}.weight" for n in ("wq", "wk", "wv", "wo")}
    names |= {"layer0.mlp_fc1": "layers.0.mlp.0.weight", "layer0.mlp_fc2": "layers.0.mlp.2.weight"}
    ours = dict(model.named_parameters())
    for theirs, prefix in names.items():
        grad = ref.w[theirs].grad
        assert grad is not None
        mine = [[ours[f"{prefix}.{i}.{j}"].grad for j in range(grad.shape[1])] for i in range(grad.shape[0])]
        assert worst(mine, grad) <= TOL, theirs


# ------------------------------------------------------------------ to_torch and from_torch


@pytest.mark.parametrize("model", models(), ids=["microgpt", "two-layers"])
def test_to_torch_gives_the_same_logits(model: GPT) -> None:
    net = nn.to_torch(model)
    assert isinstance(net, torch.nn.Module) and type(net).__name__ == "GPT"
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert sum(p.numel() for p in net.parameters()) == model.num_parameters()
    assert [n for n, _ in net.named_parameters()][:4] == [
        "wte.weight",
        "wpe.weight",
        "lm_head.weight",
        "layers.0.attn.wq.weight",
    ]
    tokens = TOKENS[: model.block_size]
    with torch.no_grad():
        out = net(torch.tensor(tokens))
        batch = net(torch.tensor([tokens, tokens[::-1]]))
        ref = ReferenceGPT.from_valuegrad(model).forward(tokens)
    assert out.shape == (len(tokens), 27) and batch.shape == (2, len(tokens), 27)
    assert worst(logits_of(model, tokens), out) <= TOL
    assert worst(logits_of(model, tokens[::-1]), batch[1]) <= TOL
    assert worst(out, ref) <= TOL
    with pytest.raises(ValueError, match=f"got {model.block_size + 1} tokens but block_size is {model.block_size}"):
        net(torch.zeros(model.block_size + 1, dtype=torch.long))


def test_a_step_trained_in_torch_comes_back_with_from_torch() -> None:
    model = GPT(27, block_size=8, n_layer=2, n_embd=8, n_head=2, seed=3)
    net = nn.to_torch(model)
    opt = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    tokens = torch.tensor(TOKENS[:8])
    for _ in range(3):
        loss = torch.nn.functional.cross_entropy(net(tokens[:-1]), tokens[1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    other = GPT(27, block_size=8, n_layer=2, n_embd=8, n_head=2, seed=4)
    assert nn.from_torch(net, other) is other
    with torch.no_grad():
        expected = net(tokens)
    assert worst(logits_of(other, TOKENS[:8]), expected) <= TOL
    assert worst(logits_of(other, TOKENS[:8]), logits_of(model, TOKENS[:8])) > 1e-4  # the step changed them


def test_from_torch_refuses_another_architecture_and_changes_nothing() -> None:
    model = GPT(27, block_size=8, n_layer=1, n_embd=8, n_head=2, seed=5)
    before = model.state_dict()
    deeper = nn.to_torch(GPT(27, block_size=8, n_layer=2, n_embd=8, n_head=2, seed=6))
    with pytest.raises(ValueError, match="not the structure to_torch"):
        nn.from_torch(deeper, model)
    wider = nn.to_torch(GPT(27, block_size=8, n_layer=1, n_embd=12, n_head=2, seed=6))
    with pytest.raises(ValueError, match=r"wte\.weight has shape \(27, 12\) in torch but \(27, 8\) here"):
        nn.from_torch(wider, model)
    with pytest.raises(ValueError, match="Linear here, Embedding in torch"):
        nn.from_torch(torch.nn.Embedding(8, 27), Linear(8, 27, bias=False))
    assert model.state_dict() == before


def test_the_torch_gpt_pickles() -> None:
    net = nn.to_torch(GPT(5, block_size=3, n_embd=4, n_head=2, seed=0))
    again = pickle.loads(pickle.dumps(net))
    tokens = torch.tensor([4, 1, 2])
    with torch.no_grad():
        assert torch.equal(again(tokens), net(tokens))


# ------------------------------------------------------------------ the building blocks


def vector(n: int, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1.5, 1.5) for _ in range(n)]


def values(out: list[Value]) -> list[float]:
    return [v.data for v in out]


def test_building_blocks_export_to_their_torch_modules() -> None:
    x = vector(6)
    t = torch.tensor(x, dtype=torch.float64)
    blocks: list[tuple[nn.Module, str]] = [
        (Linear(6, 4, seed=1), "Linear"),
        (Sequential(Linear(6, 5, seed=2), Tanh(), Linear(5, 3, bias=False, seed=3), ReLU()), "Sequential"),
        (RMSNorm(6), "RMSNorm"),
        (RMSNorm(6, elementwise_affine=False), "RMSNorm"),
        (LayerNorm(6), "LayerNorm"),
    ]
    for module, kind in blocks:
        for i, p in enumerate(module.parameters()):  # not the initial 1s and 0s
            p.data += 0.1 * (i % 7) - 0.3
        net = nn.to_torch(module)
        assert type(net).__name__ == kind
        with torch.no_grad():
            assert worst(values(module(x)), net(t)) <= TOL, kind
    emb = Embedding(5, 3, seed=4)
    with torch.no_grad():
        assert worst(values(emb(2)), nn.to_torch(emb)(torch.tensor(2))) <= TOL
    attn = CausalSelfAttention(6, 3, seed=5)
    xs = [vector(6, seed=s) for s in range(4)]
    with torch.no_grad():
        expected = nn.to_torch(attn)(torch.tensor(xs, dtype=torch.float64))
    assert worst([values(row) for row in attn(xs)], expected) <= TOL


def test_building_blocks_come_back_with_from_torch() -> None:
    seq = Sequential(Linear(3, 4, seed=1), ReLU(), Linear(4, 2, seed=2))
    net = nn.to_torch(seq)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(-2.0)
    target = Sequential(Linear(3, 4, seed=7), ReLU(), Linear(4, 2, seed=8))
    nn.from_torch(net, target)
    x = vector(3)
    with torch.no_grad():
        assert worst(values(target(x)), net(torch.tensor(x, dtype=torch.float64))) <= TOL
    norm = LayerNorm(4)
    torch_norm = torch.nn.LayerNorm(4, dtype=torch.float64)
    with torch.no_grad():
        torch_norm.weight.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    nn.from_torch(torch_norm, norm)
    assert [w.data for w in norm.weight or []] == [1.0, 2.0, 3.0, 4.0]


def test_what_cannot_be_exported_is_named() -> None:
    with pytest.raises(TypeError, match=r"to_torch: 0 is a Layer; a Sequential is exported when it holds"):
        nn.to_torch(Sequential(nn.Layer(2, 2, seed=0), ReLU()))

    class Mixed(nn.Module):
        def __init__(self) -> None:
            self.first = nn.Layer(2, 3, seed=0)
            self.head = Linear(3, 1, seed=1)

    with pytest.raises(TypeError, match=r"to_torch: head is a Linear, which to_torch exports by itself"):
        nn.to_torch(Mixed())
