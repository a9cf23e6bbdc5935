"""dir(autograd) and dir(nn) list the public names only: what tab completion offers a newcomer."""

from __future__ import annotations

import pytest

import autograd
import nn


@pytest.mark.parametrize("module", [autograd, nn], ids=["autograd", "nn"])
def test_dir_lists_public_names_only(module: object) -> None:
    names = dir(module)
    for helper in ("Any", "TYPE_CHECKING", "importlib", "annotations", "_installation", "_LAZY", "_os", "_libraries"):
        assert helper not in names
    assert not [name for name in names if name.startswith("_") and not name.endswith("__")]
    assert set(module.__all__) <= set(names)  # type: ignore[attr-defined]
    for name in names:  # everything listed is there
        getattr(module, name)


def test_the_lazily_loaded_names_are_listed() -> None:
    names = dir(autograd)
    for name in ("compile", "draw", "explain", "pow", "abs", "ops", "viz", "compiler", "__version__"):
        assert name in names
    for name in ("PY_NAMES", "TABLE", "backprop", "grad_mode", "value", "checks", "libraries"):
        assert name not in names
    assert {"data", "models", "lr_scheduler", "__version__"} <= set(dir(nn))
    assert not {"layers", "training", "serialization", "module", "optim"} & set(dir(nn))
