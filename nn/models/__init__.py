"""Models assembled from `nn`'s building blocks: `GPT` (microgpt's language model) and its `Block`."""

from .gpt import GPT, Block

__all__ = ["GPT", "Block"]
