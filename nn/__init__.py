"""valuegrad's neural-network package: modules, layers, losses, optimizers, data, training, save/load.

>>> import random
>>> from nn import MLP, SGD, hinge_loss
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])          # micrograd's demo network: 337 parameters
>>> opt = SGD(model.parameters(), lr=0.1)
>>> loss = hinge_loss([model([0.5, -0.2]), model([1.0, 0.3])], [1, -1])
>>> opt.zero_grad(); loss.backward(); opt.step()

Modules: `nn.module` (`Module`, automatic parameter discovery).

Building blocks, by kind: `nn.layers` (fully connected: micrograd's `Neuron`,
`Layer`, `MLP`; PyTorch's `Linear`, `Sequential`, and `ReLU`, `Tanh`,
`Sigmoid` as modules), `nn.embedding` (`Embedding`), `nn.normalization`
(`RMSNorm`, `LayerNorm`), `nn.attention` (`CausalSelfAttention` and its
`KVCache`).  Models assembled from them: `nn.models` (`GPT`, microgpt's
language model).

Training: `nn.losses`, `nn.metrics`, `nn.optim` (`SGD`, `Adam`, `AdamW`),
`nn.lr_scheduler` (`StepLR`, `ExponentialLR`, `CosineAnnealingLR`,
`LinearLR`), `nn.data` (a package: `nn.data.datasets`, two moons,
minibatches, train/test splits, the seed posts' datasets; `nn.data.text`,
makemore's names and `CharTokenizer`), `nn.training` (`fit`),
`nn.serialization` (`save`, `load`), `nn.seeding` (what a ``seed`` argument
may be), `nn.compiling` (a model's loss compiled with `autograd.compile`:
``fit(..., compile=True)``), `nn.torch_bridge` (`to_torch`, `from_torch`: the
same model in PyTorch, an MLP as a ``torch.nn.Sequential``, a `GPT` and its
blocks as torch modules of the same structure; needs the optional ``torch``
extra, imported only when called).  The main demo, which trains and plots
with matplotlib, is an example outside the package: ``examples/demo.py``.
"""

# Before anything imports from `autograd`: both of valuegrad's import names are also other distributions' (HIPS
# autograd, PyPI's nn), and pip lets them overwrite each other's files. Name the clash instead of failing obscurely.
import os as _os
import sys as _sys

try:
    from autograd import _installation
except ModuleNotFoundError as error:  # `import autograd` finds another distribution's package, without our files
    raise ImportError(
        "valuegrad's nn needs valuegrad's autograd, but `import autograd` finds another package: another installed "
        "distribution provides the import name 'autograd' (see `pip show -f autograd`). Install valuegrad in a "
        "virtual environment of its own, or `pip uninstall autograd` and reinstall valuegrad."
    ) from error
_installation.check_import_name("nn", __file__)
_installation.check_import_name("autograd", _os.path.join(_os.path.dirname(__file__), "..", "autograd", "__init__.py"))
_installation.check_intact("autograd", _sys.modules["autograd"])  # its __init__.py removed by pip uninstall

from autograd import libraries as _libraries

_libraries.register(_os.path.dirname(__file__))  # errors in compiled code blame the user's line, not nn's

from . import data, models
from .attention import CausalSelfAttention, KVCache
from .compiling import CompiledLoss, compile_loss
from .data import (
    CharTokenizer,
    Dataset,
    load_digits,
    load_houses,
    load_line,
    load_names,
    make_moons,
    minibatches,
    one_hot,
    train_test_split,
)
from .embedding import Embedding
from .layers import MLP, Layer, Linear, Neuron, ReLU, Sequential, Sigmoid, Tanh
from .losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    log_softmax,
    mse_loss,
    softmax,
    softplus,
)
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LinearLR, LRScheduler, StepLR
from .metrics import binary_accuracy, categorical_accuracy
from .models import GPT
from .module import Module
from .normalization import LayerNorm, RMSNorm
from .optim import SGD, Adam, AdamW, Optimizer
from .serialization import load, save
from .torch_bridge import from_torch, to_torch
from .training import History, evaluate, fit

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "Linear",
    "Sequential",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Embedding",
    "RMSNorm",
    "LayerNorm",
    "CausalSelfAttention",
    "KVCache",
    "models",
    "GPT",
    "mse_loss",
    "hinge_loss",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "softmax",
    "log_softmax",
    "softplus",
    "binary_accuracy",
    "categorical_accuracy",
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "data",
    "Dataset",
    "make_moons",
    "minibatches",
    "train_test_split",
    "load_houses",
    "load_line",
    "load_digits",
    "one_hot",
    "load_names",
    "CharTokenizer",
    "compile_loss",
    "CompiledLoss",
    "fit",
    "evaluate",
    "History",
    "save",
    "load",
    "to_torch",
    "from_torch",
]


_PUBLIC_MODULES = ("lr_scheduler",)  # documented beside the names above (data and models are in __all__)


def __dir__() -> list[str]:
    """The public names only (what tab completion offers): not the submodules that hold them, nor helpers."""
    dunders = {name for name in globals() if name.startswith("__") and name.endswith("__")}
    return sorted(dunders | set(__all__) | set(_PUBLIC_MODULES) | {"__version__"})


def __getattr__(name: str) -> str:
    if name == "__version__":  # from the package metadata (one place: pyproject.toml), read only when asked for
        version = globals()[name] = _installation.version()
        return version
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
