"""Shared helpers for the autograd.compile tests: run eagerly and compiled, compare values and gradients."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd import Value

HAS_CC = any(shutil.which(c) for c in ("cc", "gcc", "clang", "tcc"))
needs_cc = pytest.mark.skipif(not HAS_CC, reason="no C compiler (cc/gcc/clang/tcc) on this machine")


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def eager(fn: Callable[..., Value], params: Sequence[Value], *args: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    out = fn(*args)
    out.backward()
    return out.data, [p.grad for p in params]


def compiled_run(step: Any, params: Sequence[Value], *args: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    value = step(*args)
    return value, [p.grad for p in params]


def assert_same(a: tuple[float, list[float]], b: tuple[float, list[float]], tol: float = 1e-12) -> None:
    assert close(a[0], b[0], tol), (a[0], b[0])
    assert len(a[1]) == len(b[1])
    for i, (x, y) in enumerate(zip(a[1], b[1])):
        assert close(x, y, tol), (i, x, y)
