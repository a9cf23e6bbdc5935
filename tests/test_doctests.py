"""The examples in the engine's docstrings run and show what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["autograd", "autograd.value", "autograd.ops", "autograd.backprop", "autograd.gradcheck"]
WITH_EXAMPLES = {"autograd", "autograd.value"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name in WITH_EXAMPLES:
        assert result.attempted > 0
