"""Deprecated: ``Entry`` is now `autograd.compiler.built.BuiltTrace` (one trace's built code).

Kept for one release: importing ``Entry`` (or ``Stats``) from here still
works, with a `DeprecationWarning`.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import built

_RENAMED = {"Entry": "BuiltTrace", "Stats": "Stats"}


def __getattr__(name: str) -> Any:
    if name not in _RENAMED:
        raise AttributeError(f"module 'autograd.compiler.entry' has no attribute {name!r}")
    new = _RENAMED[name]
    warnings.warn(
        f"autograd.compiler.entry.{name} is now autograd.compiler.built.{new}; the old name will be removed",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(built, new)
