"""The drawing options of `to_dot`, `draw` and `save_graph`, checked once, with messages that say what was given."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from autograd.checks import describe
from autograd.value import Value

__all__ = [
    "AUTO_LR_DEPTH",
    "DEFAULT_MAX_NODES",
    "DEFAULT_SIZE",
    "RANKDIRS",
    "NumberFormat",
    "Roots",
    "check_color",
    "check_groups",
    "check_highlight",
    "check_max_nodes",
    "check_rankdir",
    "check_roots",
    "check_size",
    "number_formatter",
]

AUTO_LR_DEPTH = 6
"""``rankdir="auto"`` draws left to right when no path has more operations than this, else top to bottom."""

DEFAULT_SIZE = "7.5,10"
"""Default ``size``: the largest drawing, "width,height" in inches (about a notebook column); bigger ones shrink."""

_SIZE = re.compile(r"\d{1,3}(?:\.\d{1,3})?,\d{1,3}(?:\.\d{1,3})?!?")

DEFAULT_MAX_NODES = 500
"""Default for ``max_nodes``: drawing more values than this is refused."""

RANKDIRS = ("LR", "TB", "RL", "BT")
"""The directions a graph can be laid out in (Graphviz's ``rankdir``)."""

NumberFormat = str | Callable[[float], str]
"""A format spec for floats (``".4f"``, ``".3g"``, or old-style ``"%.4f"``) or a function float -> str."""

Roots = Value | Iterable[Value]
"""What can be drawn: one `Value` or several (the nodes they share are drawn once)."""

_NEGATIVE_ZERO = re.compile(r"^-(?=[0.]*(?:[eE][+-]?0*)?%?$)")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?|[A-Za-z][A-Za-z0-9]{0,31}")


def check_roots(root: object) -> list[Value]:
    """The values to draw as a non-empty list; TypeError / ValueError for anything else."""
    if isinstance(root, Value):
        return [root]
    if isinstance(root, (str, bytes)) or not isinstance(root, Iterable):
        raise TypeError(f"expected a Value or a list of Values to draw, got {describe(root)}")
    roots = list(root)
    if not roots:
        raise ValueError("expected at least one Value to draw, got an empty collection")
    for item in roots:
        if not isinstance(item, Value):
            raise TypeError(
                f"expected a Value or a list of Values to draw, got a collection containing {describe(item)}"
            )
    return roots


def check_highlight(highlight: object) -> set[Value]:
    """The set of values to fill with the highlight colour (``None``: none)."""
    if highlight is None:
        return set()
    if isinstance(highlight, Value):
        return {highlight}
    if isinstance(highlight, (str, bytes)) or not isinstance(highlight, Iterable):
        raise TypeError(f"highlight expects a Value or an iterable of Values, got {describe(highlight)}")
    chosen = set()
    for item in highlight:
        if not isinstance(item, Value):
            raise TypeError(f"highlight expects Values, got an iterable containing {describe(item)}")
        chosen.add(item)
    return chosen


def check_color(color: object, what: str) -> str:
    """A colour name (``"lightblue"``) or hex colour (``"#ffcc00"``): safe to put into DOT unquoted."""
    if not isinstance(color, str) or not _COLOR.fullmatch(color):
        raise ValueError(
            f"{what} must be a colour name such as 'lightblue' or a hex colour such as '#ffcc00', got {color!r}"
        )
    return color


def check_size(size: object) -> str | None:
    """Graphviz's ``size``: ``"width,height"`` in inches (``"7.5,10"``), or ``None`` for the natural size."""
    if size is None:
        return None
    if not isinstance(size, str) or not _SIZE.fullmatch(size.replace(" ", "")):
        raise ValueError(f"size must be 'width,height' in inches such as '7.5,10', or None, got {size!r}")
    return size.replace(" ", "")


def check_groups(groups: object) -> list[tuple[str, list[Value]]]:
    """``groups``: a mapping name -> the Values to draw inside one frame (``None``: no frames)."""
    if groups is None:
        return []
    if not isinstance(groups, Mapping):
        raise TypeError(f"groups expects a mapping name -> Values, e.g. {{'neuron': nodes}}, got {describe(groups)}")
    out = []
    for name, members in groups.items():
        if not isinstance(name, str):
            raise TypeError(f"groups: names must be str, got {describe(name)}")
        out.append((name, list(check_highlight(members) if isinstance(members, Value) else _values(members))))
    return out


def _values(members: object) -> list[Value]:
    if isinstance(members, (str, bytes)) or not isinstance(members, Iterable):
        raise TypeError(f"groups expects Values for each name, got {describe(members)}")
    items = list(members)
    for item in items:
        if not isinstance(item, Value):
            raise TypeError(f"groups expects Values for each name, got a collection containing {describe(item)}")
    return items


def check_rankdir(rankdir: object) -> str:
    """One of `RANKDIRS`, given in any case."""
    if isinstance(rankdir, str) and rankdir.upper() in RANKDIRS:
        return rankdir.upper()
    raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")


def check_max_nodes(max_nodes: object) -> int | None:
    """A positive int, or ``None`` for no limit."""
    if max_nodes is None:
        return None
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int or None (no limit), got {max_nodes!r}")
    return max_nodes


def number_formatter(number_format: object) -> Callable[[object], str]:
    """A function that writes a node's ``data`` or ``grad`` with `number_format`, which is checked here, once.

    Raises:
        TypeError: `number_format` is neither a str nor callable.
        ValueError: the str is not a format spec for floats.
    """
    if callable(number_format):
        user: Callable[[object], object] = number_format

        def call(x: object) -> str:
            text = user(x)
            if not isinstance(text, str):
                raise TypeError(f"number_format function must return a str, got {describe(text)} for {x!r}")
            return text

        return call
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a format spec such as '.4f' or a function, got {describe(number_format)}"
        )
    spec = number_format
    old_style = spec.startswith("%")
    try:
        sample = (spec % 1.5) if old_style else format(1.5, spec)
    except (ValueError, TypeError):
        sample = None
    if not isinstance(sample, str):
        raise ValueError(
            f"number_format {spec!r} is not a format spec for floats; expected e.g. '.4f', '.3g', '.2e' or '%.4f'"
        )

    def fmt(x: object) -> str:
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            text = (spec % float(x)) if old_style else format(float(x), spec)
            return _NEGATIVE_ZERO.sub("", text)  # never "grad -0.00": a sign on nothing but zeros misleads
        return repr(x)  # something odd was stored in .data/.grad: show it, escaped, rather than fail

    return fmt
