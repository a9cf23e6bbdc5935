"""nn.GPT: microgpt's architecture and parameter count, its loss and gradients against a plain-Value program with
the same weights, the KV cache against the whole sequence, the documented draws of weights and samples, save/load."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest

import nn
from autograd import Value
from nn import GPT, CharTokenizer, KVCache, load_names

sys.path.insert(0, str(Path(__file__).parents[1]))
from module_gradcheck import gradcheck_module

TOL = 1e-12
NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia"]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


# ------------------------------------------------------------------ a plain-Value program, microgpt's way


class Plain:
    """microgpt's forward pass and loss written with bare `Value` arithmetic, on weight matrices taken from a GPT.

    Nothing of `nn` is used but the numbers: ``sum`` over generators from int 0, the softmax shifted by the
    largest ``.data``, ``-log(p[target])`` averaged with ``(1 / n) * sum(...)``, a KV cache as lists.
    """

    def __init__(self, model: GPT) -> None:
        state = model.state_dict()
        self.n_layer, self.n_head, self.block_size = model.n_layer, model.n_head, model.block_size
        self.head_dim = model.n_embd // model.n_head

        def matrix(prefix: str) -> list[list[Value]]:
            rows: dict[int, dict[int, Value]] = {}
            for name, x in state.items():
                if name.startswith(prefix + "."):
                    i, j = map(int, name[len(prefix) + 1 :].split("."))
                    rows.setdefault(i, {})[j] = Value(x)
            return [[row[j] for j in range(len(row))] for _, row in sorted(rows.items())]

        self.w = {"wte": matrix("wte.weight"), "wpe": matrix("wpe.weight"), "lm_head": matrix("lm_head.weight")}
        for i in range(self.n_layer):
            for ours, theirs in (("wq", "attn.wq"), ("wk", "attn.wk"), ("wv", "attn.wv"), ("wo", "attn.wo")):
                self.w[f"layer{i}.attn_{ours}"] = matrix(f"layers.{i}.{theirs}.weight")
            self.w[f"layer{i}.mlp_fc1"] = matrix(f"layers.{i}.mlp.0.weight")
            self.w[f"layer{i}.mlp_fc2"] = matrix(f"layers.{i}.mlp.2.weight")

    @staticmethod
    def linear(x: list[Value], w: list[list[Value]]) -> list[Value]:
        return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]  # type: ignore[misc]

    @staticmethod
    def softmax(logits: list[Value]) -> list[Value]:
        top = max(v.data for v in logits)
        exps = [(v - top).exp() for v in logits]
        total = sum(exps)
        return [e / total for e in exps]

    @staticmethod
    def rmsnorm(x: list[Value]) -> list[Value]:
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def gpt(self, token: int, pos: int, keys: list[list[list[Value]]], values: list[list[list[Value]]]) -> list[Value]:
        w = self.w
        x = [t + p for t, p in zip(w["wte"][token], w["wpe"][pos])]
        x = self.rmsnorm(x)
        for li in range(self.n_layer):
            residual = x
            x = self.rmsnorm(x)
            q = self.linear(x, w[f"layer{li}.attn_wq"])
            keys[li].append(self.linear(x, w[f"layer{li}.attn_wk"]))
            values[li].append(self.linear(x, w[f"layer{li}.attn_wv"]))
            heads: list[Value] = []
            for h in range(self.n_head):
                lo, hi = h * self.head_dim, (h + 1) * self.head_dim
                scores = [sum(q[j] * k[j] for j in range(lo, hi)) / self.head_dim**0.5 for k in keys[li]]
                weights = self.softmax(scores)
                heads += [sum(a * v[j] for a, v in zip(weights, values[li])) for j in range(lo, hi)]  # type: ignore[misc]
            x = [a + b for a, b in zip(self.linear(heads, w[f"layer{li}.attn_wo"]), residual)]
            residual = x
            hidden = [h.relu() for h in self.linear(self.rmsnorm(x), w[f"layer{li}.mlp_fc1"])]
            x = [a + b for a, b in zip(self.linear(hidden, w[f"layer{li}.mlp_fc2"]), residual)]
        return self.linear(x, w["lm_head"])

    def loss(self, tokens: list[int]) -> Value:
        n = min(self.block_size, len(tokens) - 1)
        keys: list[list[list[Value]]] = [[] for _ in range(self.n_layer)]
        values: list[list[list[Value]]] = [[] for _ in range(self.n_layer)]
        losses = [-self.softmax(self.gpt(tokens[p], p, keys, values))[tokens[p + 1]].log() for p in range(n)]
        total: Value = sum(losses)  # type: ignore[assignment]
        return (1 / n) * total

    def parameters(self) -> list[Value]:
        return [p for mat in self.w.values() for row in mat for p in row]


# ------------------------------------------------------------------ architecture


def test_microgpts_size_has_4192_parameters_in_microgpts_order() -> None:
    model = GPT(27)
    assert model.num_parameters() == 4192
    assert (model.block_size, model.n_layer, model.n_embd, model.n_head) == (16, 1, 16, 4)
    names = [name for name, _ in model.named_parameters()]
    firsts = [n for n in names if n.endswith(".0.0") and n.count(".") <= 6]
    assert firsts == [
        "wte.weight.0.0",
        "wpe.weight.0.0",
        "lm_head.weight.0.0",
        "layers.0.attn.wq.weight.0.0",
        "layers.0.attn.wk.weight.0.0",
        "layers.0.attn.wv.weight.0.0",
        "layers.0.attn.wo.weight.0.0",
        "layers.0.mlp.0.weight.0.0",
        "layers.0.mlp.2.weight.0.0",
    ]
    assert GPT(27, n_layer=2, n_embd=8, n_head=2, block_size=8).num_parameters() == 27 * 8 * 2 + 8 * 8 + 2 * 12 * 64
    head = "GPT(vocab_size=27, block_size=16, n_layer=1, n_embd=16, n_head=4\n  (wte): Embedding(27, 16)\n"
    assert repr(model).startswith(head)
    assert nn.GPT is GPT and nn.models.GPT is GPT


def test_weights_are_drawn_in_the_documented_order() -> None:
    model = GPT(5, block_size=3, n_layer=2, n_embd=4, n_head=2, seed=123)
    rng = random.Random(123)
    sizes = [(5, 4), (3, 4), (5, 4)] + [(4, 4)] * 4 * 1 + [(16, 4), (4, 16)]
    sizes += [(4, 4)] * 4 + [(16, 4), (4, 16)]
    expected = [rng.gauss(0.0, 0.08) for rows, cols in sizes for _ in range(rows * cols)]
    assert [p.data for p in model.parameters()] == expected
    # seed=None draws from the global generator: after microgpt's random.seed(42) and shuffle, its weights
    random.seed(42)
    docs = list(NAMES)
    random.shuffle(docs)
    first = GPT(27)
    random.seed(42)
    random.shuffle(docs)
    again = [random.gauss(0, 0.08) for _ in range(27 * 16)]  # microgpt's matrix(vocab_size, n_embd) for wte
    assert [w.data for row in first.wte.weight for w in row] == again
    assert GPT(27, seed=7).state_dict() == GPT(27, seed=random.Random(7)).state_dict()


# ------------------------------------------------------------------ the numbers


def tiny(seed: int = 0, **sizes: int) -> GPT:
    config = {"block_size": 8, "n_layer": 2, "n_embd": 8, "n_head": 2, **sizes}
    return GPT(27, seed=seed, **config)


def test_loss_and_gradients_equal_the_plain_value_program() -> None:
    tok = CharTokenizer(load_names())
    for model, name in ((GPT(27, seed=1), "isabella"), (tiny(2), "charlotte"), (tiny(3, n_layer=1), "mia")):
        plain = Plain(model)
        tokens = tok.encode(name)
        ours, theirs = model.loss(tokens), plain.loss(tokens)
        assert close(ours.data, theirs.data), (name, ours.data, theirs.data)
        model.zero_grad()
        ours.backward()
        theirs.backward()
        grads = [p.grad for p in model.parameters()]
        assert max(abs(a - p.grad) for a, p in zip(grads, plain.parameters())) <= TOL
        assert any(g != 0.0 for g in grads)


def test_loss_covers_min_block_size_and_len_minus_one_positions() -> None:
    model = tiny(4, block_size=4)
    long = [26, 1, 2, 3, 4, 5, 6, 26]  # 7 next-token pairs, block_size 4: the first 4 count
    expected = nn.cross_entropy(model(long[:4]), long[1:5])
    assert model.loss(long).data == expected.data
    assert close(model.loss(long).data, Plain(model).loss(long).data)
    assert model.loss([26, 0]).data == nn.cross_entropy(model([26]), [0]).data


def test_whole_sequence_and_kv_cache_give_the_same_logits() -> None:
    model = tiny(5)
    tokens = [26, 8, 18, 0, 1, 4, 11, 11]
    cache = model.new_cache()
    stepped = [model.step(t, cache) for t in tokens]
    assert [[v.data for v in row] for row in stepped] == [[v.data for v in row] for row in model(tokens)]
    assert len(cache) == 2 and all(isinstance(c, KVCache) and len(c) == 8 for c in cache)
    keys: list[list[list[Value]]] = [[], []]
    values: list[list[list[Value]]] = [[], []]
    plain = Plain(model)
    for p, t in enumerate(tokens):
        assert all(close(a.data, b.data) for a, b in zip(stepped[p], plain.gpt(t, p, keys, values)))


def test_gradients_of_a_tiny_gpt() -> None:
    model = GPT(4, block_size=3, n_layer=1, n_embd=2, n_head=1, seed=6)
    assert model.num_parameters() == 4 * 2 + 3 * 2 + 4 * 2 + 4 * 4 + 2 * 16
    assert gradcheck_module(model, lambda m, _: m.loss([3, 0, 2, 3]))  # type: ignore[attr-defined]
    two_heads = GPT(3, block_size=2, n_layer=1, n_embd=4, n_head=2, seed=7)
    assert gradcheck_module(two_heads, lambda m, _: m.loss([2, 1, 2]))  # type: ignore[attr-defined]


# ------------------------------------------------------------------ sampling


def plain_samples(model: GPT, tok: CharTokenizer, n: int, temperature: float, seed: int) -> list[str]:
    """The draws GPT.sample documents, written out with the plain program."""
    plain, rng = Plain(model), random.Random(seed)
    out = []
    for _ in range(n):
        keys: list[list[list[Value]]] = [[] for _ in range(model.n_layer)]
        values: list[list[list[Value]]] = [[] for _ in range(model.n_layer)]
        token, chars = tok.bos, []
        for pos in range(model.block_size):
            scaled = [z.data / temperature for z in plain.gpt(token, pos, keys, values)]
            top = max(scaled)
            exps = [math.exp(s - top) for s in scaled]
            total = sum(exps)
            token = rng.choices(range(tok.vocab_size), weights=[e / total for e in exps])[0]
            if token == tok.bos:
                break
            chars.append(tok.chars[token])
        out.append("".join(chars))
    return out


def test_samples_are_reproducible_by_a_plain_program() -> None:
    tok = CharTokenizer(NAMES)
    model = GPT(tok.vocab_size, block_size=6, n_embd=8, n_head=2, seed=8)
    got = model.sample(tok, n=6, temperature=0.7, seed=3)
    assert got == plain_samples(model, tok, 6, 0.7, 3)
    assert len(got) == 6 and all(isinstance(s, str) and len(s) <= 6 and set(s) <= set(tok.chars) for s in got)
    assert model.sample(tok, n=6, temperature=0.7, seed=3) == got
    assert model.sample(tok, n=6, temperature=0.7, seed=4) != got
    random.seed(1)
    a = model.sample(tok, n=3)
    random.seed(1)
    assert model.sample(tok, n=3) == a and model.sample(tok, n=0) == []


def test_sampling_errors() -> None:
    tok = CharTokenizer(NAMES)
    model = GPT(tok.vocab_size, block_size=4, n_embd=4, n_head=1, seed=0)
    with pytest.raises(ValueError, match="the tokenizer has vocab_size 27 but the model 15"):
        model.sample(CharTokenizer(load_names()))
    with pytest.raises(ValueError, match=r"temperature must be a finite number > 0, got 0\.0"):
        model.sample(tok, temperature=0.0)
    with pytest.raises(TypeError, match=r"expects a tokenizer such as nn\.data\.CharTokenizer, got str"):
        model.sample("abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"GPT\.sample n must be an int >= 0, got -1"):
        model.sample(tok, n=-1)


# ------------------------------------------------------------------ errors, save and load


def test_input_errors_name_the_model_and_the_token() -> None:
    model = tiny(0, block_size=4)
    with pytest.raises(ValueError, match=r"GPT: tokens\[1\] = 27 is not a token id: expected 0 \.\. 26"):
        model([0, 27])
    with pytest.raises(ValueError, match="GPT: got 5 tokens but block_size is 4"):
        model([0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="GPT: got no tokens"):
        model([])
    with pytest.raises(TypeError, match=r"GPT: tokens\[0\] must be an int, got str 'a'"):
        model(["a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"GPT\.loss needs at least 2 tokens"):
        model.loss([3])
    with pytest.raises(ValueError, match=r"GPT.loss: tokens\[2\] = -1 is not a token id"):
        model.loss([3, 4, -1])
    cache = model.new_cache()
    for t in [0, 1, 2, 3]:
        model.step(t, cache)
    with pytest.raises(ValueError, match="the cache already holds 4 positions, the block_size"):
        model.step(0, cache)
    with pytest.raises(TypeError, match=r"expects the cache from model.new_cache\(\) \(2 KVCaches\)"):
        model.step(0, [KVCache()])
    with pytest.raises(ValueError, match=r"n_embd \(10\) must be a multiple of n_head \(4\)"):
        GPT(27, n_embd=10)
    with pytest.raises(ValueError, match="GPT n_layer must be an int >= 1, got 0"):
        GPT(27, n_layer=0)


def test_save_and_load_a_gpt(tmp_path: Path) -> None:
    model = tiny(10)
    model.layers[1].mlp[2].weight[3][5].data = -1.0 / 3.0  # type: ignore[attr-defined]
    path = tmp_path / "gpt.json"
    nn.save(model, path)
    text = path.read_text(encoding="utf-8")
    assert '"model": "GPT"' in text and '"version": 2' in text
    other = nn.load(tiny(11), path)
    assert other.state_dict() == model.state_dict()
    tokens = [26, 1, 2, 3]
    assert [v.data for v in other(tokens)[-1]] == [v.data for v in model(tokens)[-1]]
    with pytest.raises(ValueError, match="different architecture"):
        nn.load(tiny(0, n_layer=1), path)
