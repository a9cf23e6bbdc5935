"""The drawing options of `to_dot`, `draw` and `save_graph`, checked once, with messages that say what was given."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping

from autograd.checks import cut, describe, quote
from autograd.value import Value

__all__ = [
    "AUTO_LR_DEPTH",
    "COLOR_NAMES",
    "DEFAULT_MAX_NODES",
    "DEFAULT_SIZE",
    "MAX_FORMAT_NUMBER",
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
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?")

# Graphviz's colour names (its default X11 scheme), checked against dot 2.43: these names, the ones
# marked as numbered with suffixes 1-4 (red1 ... red4), and gray0 ... gray100 / grey0 ... grey100.
_NAMES = """
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood
    cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod
    darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon
    darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray
    dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green
    greenyellow grey honeydew hotpink indianred indigo invis ivory khaki lavender lavenderblush lawngreen
    lemonchiffon lightblue lightcoral lightcyan lightgoldenrod lightgoldenrodyellow lightgray lightgreen lightgrey
    lightpink lightsalmon lightseagreen lightskyblue lightslateblue lightslategray lightslategrey lightsteelblue
    lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple
    mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream
    mistyrose moccasin navajowhite navy navyblue none oldlace olive olivedrab orange orangered orchid palegoldenrod
    palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red
    rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray
    slategrey snow springgreen steelblue tan teal thistle tomato transparent turquoise violet violetred webgray
    webgreen webgrey webmaroon webpurple wheat white whitesmoke yellow yellowgreen
""".split()  # noqa: SIM905 - a compact table
_NUMBERED = """
    antiquewhite aquamarine azure bisque blue brown burlywood cadetblue chartreuse chocolate coral cornsilk cyan
    darkgoldenrod darkolivegreen darkorange darkorchid darkseagreen darkslategray deeppink deepskyblue dodgerblue
    firebrick gold goldenrod green honeydew hotpink indianred ivory khaki lavenderblush lemonchiffon lightblue
    lightcyan lightgoldenrod lightpink lightsalmon lightskyblue lightsteelblue lightyellow magenta maroon
    mediumorchid mediumpurple mistyrose navajowhite olivedrab orange orangered orchid palegreen paleturquoise
    palevioletred peachpuff pink plum purple red rosybrown royalblue salmon seagreen seashell sienna skyblue
    slateblue slategray snow springgreen steelblue tan thistle tomato turquoise violetred wheat yellow
""".split()  # noqa: SIM905 - a compact table
COLOR_NAMES: frozenset[str] = frozenset(
    [*_NAMES, *(f"{n}{k}" for n in _NUMBERED for k in range(1, 5)), *(f"gr{a}y{k}" for a in "ae" for k in range(101))]
)
"""Every colour name Graphviz knows (case does not matter); see https://graphviz.org/doc/info/colors.html."""

MAX_FORMAT_NUMBER = 100
"""Largest width or precision accepted in a number format (``.100f``); formatting is then quick."""


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
    """A Graphviz colour name (``"lightblue"``) or hex colour (``"#ffcc00"``): safe to put into DOT unquoted.

    An unknown name is refused (Graphviz would only warn and draw black), with
    the closest known names.
    """
    if isinstance(color, str) and (_HEX_COLOR.fullmatch(color) or color.lower() in COLOR_NAMES):
        return color
    shown = cut(color) if isinstance(color, str) else color
    hint = ""
    if isinstance(color, str):
        close = difflib.get_close_matches(color.lower()[:40], sorted(COLOR_NAMES), n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"{what} must be one of Graphviz's {len(COLOR_NAMES)} colour names such as 'lightblue' "
        f"(https://graphviz.org/doc/info/colors.html) or a hex colour such as '#ffcc00', got {shown!r}{hint}"
    )


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
    raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {quote(rankdir)}")


def check_max_nodes(max_nodes: object) -> int | None:
    """A positive int, or ``None`` for no limit."""
    if max_nodes is None:
        return None
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int or None (no limit), got {quote(max_nodes)}")
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
                raise TypeError(f"number_format function must return a str, got {describe(text)} for {quote(x)}")
            return text

        return call
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a format spec such as '.4f' or a function, got {describe(number_format)}"
        )
    spec = number_format
    old_style = spec.startswith("%")
    # Checked before formatting anything: '.999999999f' would take minutes and gigabytes to try.
    numbers = [int(n) for n in re.findall(r"\d+", spec[:200])]
    if len(spec) > 40 or any(n > MAX_FORMAT_NUMBER for n in numbers):
        raise ValueError(
            f"number_format {cut(spec)!r} asks for too many digits: width and precision are at most "
            f"{MAX_FORMAT_NUMBER} (e.g. '.4f', '.17g')"
        )
    try:
        sample = (spec % 1.5) if old_style else format(1.5, spec)
    except (ValueError, TypeError):
        sample = None
    if not isinstance(sample, str):
        raise ValueError(
            f"number_format {quote(spec)} is not a format spec for floats; expected e.g. '.4f', '.3g', '.2e' or '%.4f'"
        )

    def fmt(x: object) -> str:
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            text = (spec % float(x)) if old_style else format(float(x), spec)
            return _NEGATIVE_ZERO.sub("", text)  # never "grad -0.00": a sign on nothing but zeros misleads
        return repr(x)  # something odd was stored in .data/.grad: show it, escaped, rather than fail

    return fmt
