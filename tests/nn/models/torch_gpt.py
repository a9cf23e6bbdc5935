"""A reference GPT in PyTorch, written with tensor operations only: microgpt's architecture, float64, one thread.

For the tests (and the benchmarks): the same model as `nn.GPT`, independent of `nn.torch_bridge`, run two ways,

* `ReferenceGPT.forward`: the whole sequence at once, attention with a causal mask;
* `ReferenceGPT.step`: one token at a time with a key/value cache (lists of tensors), as microgpt runs;

and `ReferenceGPT.loss`, microgpt's mean next-token cross-entropy.  Import it only once torch is known to be
installed (``pytest.importorskip("torch")``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's usual name

from nn import GPT

torch.set_num_threads(1)

DTYPE = torch.float64
EPS = 1e-5


class ReferenceGPT:
    """microgpt's GPT on float64 tensors; the weights are leaf tensors (``requires_grad``) named as microgpt does."""

    def __init__(self, weights: dict[str, torch.Tensor], n_layer: int, n_head: int, block_size: int) -> None:
        self.w = {name: w.detach().clone().to(DTYPE).requires_grad_(True) for name, w in weights.items()}
        self.n_layer, self.n_head, self.block_size = n_layer, n_head, block_size

    @classmethod
    def from_valuegrad(cls, model: GPT) -> ReferenceGPT:
        """The reference with the numbers of ``model``'s parameters (read from its state dict)."""
        state = model.state_dict()

        def matrix(prefix: str) -> torch.Tensor:
            entries = {
                tuple(map(int, name[len(prefix) + 1 :].split("."))): x
                for name, x in state.items()
                if name.startswith(prefix + ".")
            }
            rows = 1 + max(i for i, _ in entries)
            cols = 1 + max(j for _, j in entries)
            return torch.tensor([[entries[i, j] for j in range(cols)] for i in range(rows)], dtype=DTYPE)

        weights = {"wte": matrix("wte.weight"), "wpe": matrix("wpe.weight"), "lm_head": matrix("lm_head.weight")}
        for i in range(model.n_layer):
            for name in ("wq", "wk", "wv", "wo"):
                weights[f"layer{i}.attn_{name}"] = matrix(f"layers.{i}.attn.{name}.weight")
            weights[f"layer{i}.mlp_fc1"] = matrix(f"layers.{i}.mlp.0.weight")
            weights[f"layer{i}.mlp_fc2"] = matrix(f"layers.{i}.mlp.2.weight")
        return cls(weights, model.n_layer, model.n_head, model.block_size)

    @staticmethod
    def rmsnorm(x: torch.Tensor) -> torch.Tensor:
        return x * (x.pow(2).mean(dim=-1, keepdim=True) + EPS) ** -0.5

    def _heads(self, x: torch.Tensor) -> torch.Tensor:  # (T, C) -> (n_head, T, head_dim)
        t, c = x.shape
        return x.view(t, self.n_head, c // self.n_head).transpose(0, 1)

    def forward(self, tokens: list[int]) -> torch.Tensor:
        """The logits at every position, shape ``(T, vocab_size)``: the whole sequence, a causal mask."""
        w, t = self.w, len(tokens)
        x = self.rmsnorm(w["wte"][torch.tensor(tokens)] + w["wpe"][:t])
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        for li in range(self.n_layer):
            h = self.rmsnorm(x)
            q, k, v = (self._heads(h @ w[f"layer{li}.attn_{n}"].T) for n in ("wq", "wk", "wv"))
            scores = (q @ k.transpose(1, 2)) / (q.shape[-1] ** 0.5)
            attended = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v  # (n_head, T, head_dim)
            x = x + attended.transpose(0, 1).reshape(t, -1) @ w[f"layer{li}.attn_wo"].T
            x = x + F.relu(self.rmsnorm(x) @ w[f"layer{li}.mlp_fc1"].T) @ w[f"layer{li}.mlp_fc2"].T
        return x @ w["lm_head"].T

    def new_cache(self) -> tuple[list[list[torch.Tensor]], list[list[torch.Tensor]]]:
        return [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]

    def step(self, token: int, cache: tuple[list[list[torch.Tensor]], list[list[torch.Tensor]]]) -> torch.Tensor:
        """The logits after one more token, shape ``(vocab_size,)``, appending its keys and values to ``cache``."""
        w, (keys, values) = self.w, cache
        pos = len(keys[0])
        x = self.rmsnorm(w["wte"][token] + w["wpe"][pos])
        for li in range(self.n_layer):
            h = self.rmsnorm(x)
            q = h @ w[f"layer{li}.attn_wq"].T
            keys[li].append(h @ w[f"layer{li}.attn_wk"].T)
            values[li].append(h @ w[f"layer{li}.attn_wv"].T)
            ks, vs = torch.stack(keys[li]), torch.stack(values[li])  # (T, C)
            d = q.shape[0] // self.n_head
            heads = []
            for hd in range(self.n_head):
                cols = slice(hd * d, (hd + 1) * d)
                weights = (ks[:, cols] @ q[cols] / d**0.5).softmax(dim=0)
                heads.append(weights @ vs[:, cols])
            x = x + torch.cat(heads) @ w[f"layer{li}.attn_wo"].T
            x = x + F.relu(self.rmsnorm(x) @ w[f"layer{li}.mlp_fc1"].T) @ w[f"layer{li}.mlp_fc2"].T
        return x @ w["lm_head"].T

    def loss(self, tokens: list[int]) -> torch.Tensor:
        """microgpt's loss: the mean cross-entropy of the next token over ``min(block_size, len - 1)`` positions."""
        n = min(self.block_size, len(tokens) - 1)
        return F.cross_entropy(self.forward(tokens[:n]), torch.tensor(tokens[1 : n + 1]))
