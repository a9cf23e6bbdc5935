"""Which source folders are libraries: frames there are skipped when an error blames "the user's line".

`autograd.compile` records, for every node it traces, the line that made it
(the innermost frame outside the engine), so errors in generated code point at
the user's code.  A library built on the engine (valuegrad's own `nn`, or
yours) registers its folder here, and its frames are skipped too, unless no
frame outside any library is found::

    autograd.libraries.register(os.path.dirname(__file__))
"""

from __future__ import annotations

import os

from .checks import describe

__all__ = ["ENGINE_DIR", "register", "library_dirs", "where"]

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
"""The engine's own folder (``autograd/``), with a trailing separator."""

ENGINE, LIBRARY, USER = 0, 1, 2
"""Where a source file lives (`where`)."""

_dirs: list[str] = []
_cache: dict[str, int] = {}  # file name -> where it lives, filled as met


def register(directory: str) -> None:
    """Skip frames in files under `directory` when finding the user's line (idempotent)."""
    if not isinstance(directory, str) or not directory:
        raise TypeError(f"autograd.libraries.register expects a folder path (str), got {describe(directory)}")
    path = os.path.join(os.path.abspath(directory), "")
    if path not in _dirs:
        _dirs.append(path)
        _cache.clear()


def library_dirs() -> tuple[str, ...]:
    """The registered library folders."""
    return tuple(_dirs)


def where(filename: str) -> int:
    """`ENGINE`, `LIBRARY` or `USER`: where the file of a frame lives (remembered per file name)."""
    home = _cache.get(filename)
    if home is None:
        if filename.startswith(ENGINE_DIR):
            home = ENGINE
        elif filename.startswith(tuple(_dirs)):
            home = LIBRARY
        else:
            home = USER
        _cache[filename] = home
    return home
