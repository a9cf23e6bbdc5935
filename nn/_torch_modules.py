"""The torch modules `nn.to_torch` builds for a `GPT`, its `Block`\\ s and their `CausalSelfAttention`.

Private to `nn.torch_bridge`, which imports it only when it exports a GPT (so
``import nn`` never imports torch).  The classes live at module level so that
a torch model made by ``nn.to_torch(gpt)`` pickles (``torch.save(net)``) and
loads back like any torch module.  Importing this module without torch
installed defines nothing.

Each class has the attribute names of its valuegrad counterpart, so that torch
parameter names are valuegrad's without the trailing indices.
"""

from __future__ import annotations

import importlib
from typing import Any

try:  # typed Any: mypy gives the same verdict with and without torch installed
    torch: Any = importlib.import_module("torch")
except ImportError:  # pragma: no cover - collected without torch: nothing to define
    torch = None

__all__ = ["GPT", "Block", "CausalSelfAttention"]

if torch is not None:

    class CausalSelfAttention(torch.nn.Module):  # type: ignore[misc]
        """`nn.CausalSelfAttention` in torch: ``(..., T, C) -> (..., T, C)``, the four projections and a causal mask."""

        def __init__(self, n_head: int, wq: Any, wk: Any, wv: Any, wo: Any) -> None:
            super().__init__()
            self.n_head = n_head
            self.wq, self.wk, self.wv, self.wo = wq, wk, wv, wo

        def forward(self, x: Any) -> Any:
            *lead, t, c = x.shape
            head_dim = c // self.n_head

            def heads(y: Any) -> Any:  # (..., T, C) -> (..., n_head, T, head_dim)
                return y.reshape(*lead, t, self.n_head, head_dim).transpose(-3, -2)

            q, k, v = heads(self.wq(x)), heads(self.wk(x)), heads(self.wv(x))
            scores = q @ k.transpose(-1, -2) / head_dim**0.5
            causal = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            weights = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1)
            return self.wo((weights @ v).transpose(-3, -2).reshape(*lead, t, c))

        def extra_repr(self) -> str:
            return f"n_head={self.n_head}"

    class Block(torch.nn.Module):  # type: ignore[misc]
        """`nn.models.Block` in torch: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``."""

        def __init__(self, ln_1: Any, attn: Any, ln_2: Any, mlp: Any) -> None:
            super().__init__()
            self.ln_1, self.attn, self.ln_2, self.mlp = ln_1, attn, ln_2, mlp

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(torch.nn.Module):  # type: ignore[misc]
        """`nn.GPT` in torch: token ids ``(T,)`` or ``(batch, T)`` -> logits ``(..., T, vocab_size)``."""

        def __init__(self, block_size: int, wte: Any, wpe: Any, lm_head: Any, ln_emb: Any, layers: list[Any]) -> None:
            super().__init__()
            self.block_size = block_size
            self.wte, self.wpe, self.lm_head, self.ln_emb = wte, wpe, lm_head, ln_emb
            self.layers = torch.nn.ModuleList(layers)

        def forward(self, idx: Any) -> Any:
            t = idx.shape[-1]
            if not 1 <= t <= self.block_size:
                raise ValueError(f"GPT: got {t} tokens but block_size is {self.block_size} (and at least 1 is needed)")
            x = self.ln_emb(self.wte(idx) + self.wpe(torch.arange(t, device=idx.device)))
            for block in self.layers:
                x = block(x)
            return self.lm_head(x)

        def extra_repr(self) -> str:
            return f"block_size={self.block_size}"
