"""The animated view of an `autograd.viz.explain.Explanation`: a GIF, for places where scripts do not run.

Each frame is the graph as the interactive view shows it at one step
(`autograd.viz.stepper`): Graphviz draws it as PNG (the layout is the same in
every frame, because each cell is as wide as the widest number it will show),
and the step's chain-rule lines are drawn by Graphviz too, below it, so no
font has to be found.  Pillow (``pip install -e '.[viz]'`` in a clone) assembles the
frames into a looping GIF.
"""

from __future__ import annotations

import importlib
import io
import re
from typing import TYPE_CHECKING, Any

from autograd._installation import missing
from autograd.checks import describe

from .dot import html_text
from .options import DEFAULT_SIZE, number_formatter
from .render import render_dot
from .stepper import _states, explanation_dot

if TYPE_CHECKING:
    from .explain import Explanation

__all__ = ["frame_dot", "frames", "to_gif"]

_CELL = re.compile(r'<TD WIDTH="(\d+)">(data|grad) [^<]*</TD>')
_CURRENT, _INPUT, _EDGE, _CHANGED = "#fcbba1", "#fee6ce", "#d62728", "#d62728"


def _import_pillow() -> Any:
    try:
        return importlib.import_module("PIL.Image")
    except ImportError as exc:
        raise ModuleNotFoundError(
            missing("saving an explanation as a GIF", "pillow", ".save('backprop.html') needs no Pillow."),
            name="PIL",
        ) from exc


def frame_dot(expl: Explanation, k: int, *, base: str | None = None, **options: Any) -> str:
    """The DOT source of the graph after `k` steps (0: before the first), the current step highlighted."""
    fmt = number_formatter(expl._number_format)
    start, steps = _states(expl, fmt)
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= len(steps):
        raise ValueError(f"k must be a step number from 0 to {len(steps)}, got {describe(k)}")
    source = base if base is not None else explanation_dot(expl, **options)
    shown = {key: dict(cells) for key, cells in start.items()}
    changed: set[tuple[str, str]] = set()
    for i, step in enumerate(steps[:k]):
        for key, cells in step["set"].items():
            shown.setdefault(key, {}).update(cells)
            if i == k - 1:
                changed.update((key, cell) for cell in cells)
    current = steps[k - 1] if k else {"nodes": [], "inputs": [], "edges": []}
    lit_nodes, lit_inputs, lit_edges = set(current["nodes"]), set(current["inputs"]), set(current["edges"])
    out = []
    for line in source.splitlines(keepends=True):
        value = re.match(r"\t+(n\d+) \[label=<<TABLE", line)
        op = re.match(r"\t+(op\d+) \[", line)
        edge = re.match(r"\t+(\w+) -> (\w+)$", line.rstrip("\n"))
        if value:
            key = value.group(1)

            def cell(m: re.Match[str], key: str = key) -> str:
                text = html_text(shown.get(key, {}).get(m.group(2), ""))
                if (key, m.group(2)) in changed:
                    text = f'<FONT COLOR="{_CHANGED}"><B>{text}</B></FONT>'
                return f'<TD WIDTH="{m.group(1)}">{text}</TD>'

            line = _CELL.sub(cell, line)
            color = _CURRENT if key in lit_nodes else _INPUT if key in lit_inputs else None
            if color:
                line = re.sub(r'<TABLE ([^>]*?)( BGCOLOR="[^"]*")?>', rf'<TABLE \1 BGCOLOR="{color}">', line, count=1)
        elif op and op.group(1) in lit_nodes:
            line = line.replace('fillcolor="#eeeeee"', f'fillcolor="{_CURRENT}" penwidth=2')
        elif edge and f"{edge.group(1)}->{edge.group(2)}" in lit_edges:
            line = line.rstrip("\n") + f' [color="{_EDGE}" penwidth=2.5]\n'
        out.append(line)
    return "".join(out)


def _picture(image: Any, png: bytes) -> Any:
    """A PNG from Graphviz as an RGB image on white (its margins are transparent)."""
    picture = image.open(io.BytesIO(png)).convert("RGBA")
    white = image.new("RGBA", picture.size, "white")
    return image.alpha_composite(white, picture).convert("RGB")


def _text_dot(lines: list[str], width_pt: float) -> str:
    rows = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{html_text(line)}</TD></TR>' for line in lines)
    return (
        "digraph {\n\tgraph [margin=0.05 pad=0.1 bgcolor=white]\n"
        f'\tt [shape=plain fontname="Courier" fontsize=11 label=<<TABLE BORDER="0" CELLPADDING="1" '
        f'CELLSPACING="0" WIDTH="{int(width_pt)}">{rows}</TABLE>>]\n}}\n'
    )


def frames(expl: Explanation, *, dpi: int = 96, **options: Any) -> list[Any]:
    """One Pillow image per state, 0 (before step 1) to the last step, the step's text drawn below the graph."""
    options.setdefault("size", DEFAULT_SIZE)  # frames have a fixed size: big graphs are scaled down to a page column
    image = _import_pillow()
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 30 <= dpi <= 300:
        raise ValueError(f"dpi must be an int from 30 to 300, got {describe(dpi)}")
    fmt = number_formatter(expl._number_format)
    _, steps = _states(expl, fmt)
    base = explanation_dot(expl, **options).replace("\tgraph [", f"\tgraph [dpi={dpi} bgcolor=white ", 1)
    graphs = [_picture(image, render_dot(frame_dot(expl, k, base=base), "png")) for k in range(len(steps) + 1)]
    width = max(g.width for g in graphs)
    texts = []
    most = max(len(s["lines"]) for s in steps) + 1
    for k in range(len(steps) + 1):
        head = f"step {k} of {len(steps)}"
        lines = [head + ("  (press Next)" if k == 0 else "")] + (steps[k - 1]["lines"] if k else [])
        lines += [" "] * (most - len(lines))  # same height in every frame
        dot = _text_dot(lines, width * 72 / dpi - 20).replace("\tgraph [", f"\tgraph [dpi={dpi} ", 1)
        texts.append(_picture(image, render_dot(dot, "png")))
    width = max(width, *(t.width for t in texts))
    height = max(g.height for g in graphs) + max(t.height for t in texts)
    out = []
    for g, t in zip(graphs, texts):
        canvas = image.new("RGB", (width, height), "white")
        canvas.paste(g, ((width - g.width) // 2, 0))
        canvas.paste(t, (0, height - t.height))
        out.append(canvas)
    return out


def to_gif(expl: Explanation, *, interval: float = 1.2, dpi: int = 96, **options: Any) -> bytes:
    """The explanation as a looping animated GIF (bytes): one frame per step, the last one held longer."""
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not 0.05 <= interval <= 60:
        raise ValueError(f"interval must be a number of seconds between 0.05 and 60, got {describe(interval)}")
    pictures = frames(expl, dpi=dpi, **options)
    image = _import_pillow()
    # One palette for all frames (from all of them stacked), so frames differ only where the step changed
    # something, and Pillow stores just that rectangle: a third of the size of per-frame palettes.
    width, height = pictures[0].size
    sheet = image.new("RGB", (width, height * len(pictures)), "white")
    for i, picture in enumerate(pictures):
        sheet.paste(picture, (0, i * height))
    shared = sheet.quantize(colors=64, method=image.Quantize.MEDIANCUT)
    palette = [p.quantize(palette=shared, dither=image.Dither.NONE) for p in pictures]
    durations = [int(interval * 1000)] * len(palette)
    durations[-1] = int(interval * 3000)
    buffer = io.BytesIO()
    palette[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=palette[1:],
        duration=durations,
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buffer.getvalue()
