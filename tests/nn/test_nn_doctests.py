"""The examples in nn's docstrings run and show what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["nn", "nn.module", "nn.layers", "nn.losses", "nn.metrics", "nn.optim", "nn.data", "nn.training",
           "nn.serialization"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
