"""Grad mode: the switch that turns graph recording on and off, as PyTorch's ``grad_mode.py``.

`no_grad`, `enable_grad` and `set_grad_enabled` are context managers and
decorators; `is_grad_enabled` reads the switch.  The setting lives in a
`contextvars.ContextVar`, so each thread and asyncio task has its own: a
`no_grad()` block in one thread never stops another from recording.  The
engine's hot path reads `recording` (the variable's ``get``) directly.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
from collections.abc import Callable, Generator
from typing import Any, ParamSpec, TypeVar, cast

from .checks import describe

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "recording"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Per thread (and per asyncio task): does arithmetic on Values record a graph?
_recording: contextvars.ContextVar[bool] = contextvars.ContextVar("valuegrad_recording", default=True)
# The tokens of the grad-mode blocks entered and not yet left, innermost last.  Kept in a
# context variable, so each thread and asyncio task has its own stack: one `no_grad()`
# object entered by two tasks leaves each task's block with that task's own token.
_entered: contextvars.ContextVar[tuple[contextvars.Token[bool], ...]] = contextvars.ContextVar(
    "valuegrad_grad_mode_tokens", default=()
)


recording = _recording.get
"""The switch's reader, bound once: what the node-building hot path calls."""


def is_grad_enabled() -> bool:
    """True when operations on `Value`s record the graph (the default)."""
    return _recording.get()


class _GradMode:
    """Context manager and decorator that sets graph recording on or off.

    The setting lives in a `contextvars.ContextVar`, so it is local to the
    thread (and asyncio task) that entered it: `no_grad()` in one thread never
    stops another thread from recording.  Blocks nest and restore the previous
    setting on exit, also when an exception leaves the block.
    """

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled

    def __enter__(self) -> None:
        _entered.set((*_entered.get(), _recording.set(self._enabled)))

    def __exit__(self, *exc_info: object) -> None:
        *rest, token = _entered.get()
        _entered.set(tuple(rest))
        _recording.reset(token)

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        """Decorate `func`: its calls run in this mode; a generator function's body does too, at every resume."""
        if not callable(func):
            raise TypeError(f"{type(self).__name__}() decorates a function, got {describe(func)}")
        enabled = self._enabled
        if inspect.isgeneratorfunction(func):
            return cast("Callable[_P, _R]", _generator_wrapper(func, enabled))

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with _GradMode(enabled):
                return func(*args, **kwargs)

        return wrapper

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _generator_wrapper(func: Callable[..., Generator[Any, Any, Any]], enabled: bool) -> Callable[..., Any]:
    """A generator function whose body runs in the mode at each resume (as PyTorch's decorators do).

    The mode is set only while the body runs: between two ``next()`` calls the
    caller's own mode applies, so a ``for`` loop over the generator is unaffected.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        gen = func(*args, **kwargs)
        try:
            with _GradMode(enabled):
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with _GradMode(enabled):
                        gen.close()
                    raise
                except BaseException:
                    with _GradMode(enabled):
                        response = gen.throw(*sys.exc_info()[1:2])
                else:
                    with _GradMode(enabled):
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


class _BareDecorator(type):
    """Lets ``@no_grad`` work without parentheses, as in PyTorch: called with a function, decorate it.

    (Type checkers see only ``no_grad()``: typed code writes ``@no_grad()``.)
    """

    def __call__(cls, *args: Any) -> Any:
        mode = super().__call__()
        return mode(*args) if args else mode


class _NoArgumentMode(_GradMode, metaclass=_BareDecorator):
    """A mode taking no argument: ``with no_grad():``, ``@no_grad()`` or ``@no_grad``."""

    _mode: bool

    def __init__(self, func: None = None) -> None:  # `func` only for type checkers: see _BareDecorator
        super().__init__(self._mode)


class no_grad(_NoArgumentMode):  # noqa: N801 - the name PyTorch users know
    """Compute values without recording a graph (fast inference, optimizer steps).

    Use it as ``with no_grad(): ...`` or as a decorator, ``@no_grad`` or
    ``@no_grad()``; on a generator function it covers the generator's body.
    Results made inside have no `inputs` and no `op`, so they are leaves.
    """

    _mode = False


class enable_grad(_NoArgumentMode):  # noqa: N801 - the name PyTorch users know
    """Turn recording back on inside a `no_grad` block (context manager or decorator, with or without ``()``)."""

    _mode = True


class set_grad_enabled(_GradMode):  # noqa: N801 - the name PyTorch users know
    """Turn recording on or off by a flag, as ``with set_grad_enabled(training): ...``."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode) expects a bool, got {describe(mode)}")
        super().__init__(mode)
