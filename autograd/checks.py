"""Argument checks used across `autograd` and `nn`, each written once.

Every error message in the project shows what it was given the same way
(`describe`), and checks a number, an int or a sequence the same way.  A check
returns the value converted (a `float`, an `int`, a `list`) or raises a
`TypeError` (wrong kind) or `ValueError` (right kind, bad value) naming
``what`` was being checked.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Set
from typing import Any, SupportsFloat, TypeGuard

__all__ = ["describe", "cut", "quote", "is_real", "to_float", "check_real", "check_int", "check_sequence"]

MAX_QUOTE = 60
"""Longest piece of user input quoted in an error message, in characters."""


def cut(text: str, limit: int = MAX_QUOTE) -> str:
    """`text`, or its start with ``...`` and its length when it is longer than `limit`."""
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 20, 10)]}... ({len(text)} chars)"


def quote(obj: object) -> str:
    """``repr(obj)`` cut to a readable length: how messages quote a value they were given."""
    try:
        return cut(repr(obj))
    except Exception:  # a broken __repr__ must not hide the real error
        return "<unprintable>"


def describe(obj: object) -> str:
    """``"<type name> <short repr>"``: how error messages show what they were given."""
    try:
        text = repr(obj)
    except Exception:  # a broken __repr__ must not hide the real error
        text = "<unprintable>"
    return f"{type(obj).__name__} {cut(text)}"


def is_real(obj: object) -> TypeGuard[SupportsFloat]:
    """True for a real number: int, float, bool, a `fractions.Fraction`, a numpy real scalar.

    The exact types ``float`` and ``int`` are tested first: they are nearly
    every call, and ``isinstance(x, numbers.Real)`` costs an ABC lookup.
    """
    return type(obj) is float or type(obj) is int or isinstance(obj, numbers.Real)


def to_float(data: object, what: str, verb: str = "expects") -> float:
    """`data` as a float, or a TypeError saying `what` `verb` a real number and what it got.

    Accepts bools, as Python's arithmetic does (``True + 1``).
    """
    if is_real(data):
        return float(data)
    raise TypeError(f"{what} {verb} a real number (int, float, bool or a numpy real scalar), got {describe(data)}")


def check_real(value: object, what: str) -> float:
    """A hyper-parameter or option that must be a plain real number: not a bool, not a `Value`."""
    if isinstance(value, bool) or not is_real(value):
        raise TypeError(f"{what} must be a real number, got {describe(value)}")
    return float(value)


def check_int(value: object, what: str, minimum: int | None = None) -> int:
    """``value`` as an int (>= `minimum` when given), or a TypeError/ValueError saying what was given."""
    bound = "" if minimum is None else f" >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int{bound}, got {describe(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be an int{bound}, got {quote(value)}")
    return int(value)


def check_sequence(value: object, what: str) -> list[Any]:
    """The items of an ordered collection (list, tuple, range, numpy array, ...) as a list.

    Refuses what iterates but is not a row of numbers: ``str`` and ``bytes``
    (characters and byte codes), mappings (their keys) and sets (no order).
    """
    if isinstance(value, (str, bytes, bytearray, Mapping, Set)) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a sequence (list or tuple), got {describe(value)}")
    return list(value)
