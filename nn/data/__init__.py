"""Data, in pure Python: small datasets, the helpers that feed them to a model, and text for language models.

* `nn.data.datasets`: two moons, the seed posts' datasets, scikit-learn's
  digits, `minibatches`, `train_test_split` (with or without labels), `one_hot`.
* `nn.data.text`: `load_names` (makemore's 32,033 names, shipped inside the
  package as ``nn/data/names.txt``) and `CharTokenizer` (microgpt's
  character-level tokenizer with a BOS token).

Every name is importable from ``nn.data`` itself (and the common ones from ``nn``).
"""

from .datasets import (
    Dataset,
    batches_in_order,
    epoch_order,
    load_digits,
    load_houses,
    load_line,
    make_moons,
    minibatches,
    one_hot,
    train_test_split,
)
from .text import CharTokenizer, load_names

__all__ = [
    "Dataset",
    "make_moons",
    "minibatches",
    "epoch_order",
    "batches_in_order",
    "train_test_split",
    "load_houses",
    "load_line",
    "load_digits",
    "one_hot",
    "load_names",
    "CharTokenizer",
]
