"""The interactive view of an `autograd.viz.explain.Explanation`: one self-contained HTML page.

The page is the SVG that Graphviz draws for the graph (`autograd.viz.dot`,
node ids ``n<i>`` / ``op<i>`` in `autograd.topological_order`), the buttons
**Back**, **Next** and **Play**, a step slider, and the current step's chain
rule as text beside the graph; the Left/Right arrow keys step too (when the
view has the keyboard focus: click it).  The script is ``stepper.js`` next to
this module, inlined: no CDN, no network, nothing to install in the browser.

Without scripts (a saved notebook on a site that strips them) the SVG simply
shows the final state: every value with its gradient.  Every label is escaped
by `autograd.viz.dot.html_text` before Graphviz sees it, and the step data is
JSON with ``<``, ``>`` and ``&`` escaped, so no label can end the script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from autograd.checks import describe

from .dot import dot_body, html_text
from .options import number_formatter
from .render import GraphvizNotFoundError, render_dot

if TYPE_CHECKING:
    from .explain import Explanation

__all__ = ["explanation_dot", "mimebundle", "script", "to_html"]

_counter = itertools.count(1)

_CSS = """
#{id} {{ font-family: Helvetica, Arial, sans-serif; font-size: 14px; outline: none; margin: 4px 0; }}
#{id}:focus-visible {{ outline: 2px solid #9ecae1; }}
#{id} .vg-controls {{ display: flex; align-items: center; gap: 6px; flex-wrap: wrap; margin-bottom: 6px; }}
#{id} .vg-controls button {{ font-size: 14px; padding: 2px 10px; min-width: 56px; }}
#{id} .vg-slider {{ flex: 1 1 160px; max-width: 360px; }}
#{id} .vg-counter {{ color: #555; min-width: 90px; }}
#{id} .vg-body {{ display: flex; gap: 12px; align-items: flex-start; }}
#{id} .vg-graph {{ flex: 1 1 auto; min-width: 0; overflow-x: auto; }}
#{id} .vg-graph svg {{ max-width: 100%; height: auto; }}
#{id} .vg-side {{ flex: 0 0 min(400px, 38%); position: sticky; top: 8px; max-height: calc(100vh - 16px);
  overflow-y: auto; }}
#{id} .vg-text {{ margin: 0; padding: 8px; background: #f7f7f7; border-left: 3px solid #d62728;
  font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; white-space: pre-wrap; }}
@media (max-width: 640px) {{
  #{id} .vg-body {{ flex-direction: column; }}
  #{id} .vg-side {{ position: static; max-height: none; flex-basis: auto; width: 100%; }}
}}
#{id} .vg-current polygon, #{id} .vg-current ellipse {{ stroke: #d62728; stroke-width: 2.5px; }}
#{id} .vg-input polygon {{ stroke: #ff7f0e; stroke-width: 2px; }}
#{id} .vg-active path {{ stroke: #d62728; stroke-width: 2.5px; }}
#{id} .vg-active polygon {{ fill: #d62728; stroke: #d62728; }}
#{id} .vg-active text {{ fill: #d62728; font-weight: bold; }}
#{id} text.vg-changed {{ fill: #d62728; font-weight: bold; }}
"""

_EDGE = re.compile(r"\tn(\d+) -> op(\d+)\n")
_EDGE_STYLE = 'fontname="Helvetica" fontsize=9 fontcolor="#555555"'

_CELL = re.compile(r"<TD>(data|grad) ([^<]*)</TD>")


def script() -> str:
    """The JavaScript of the view (``stepper.js``, shipped with the package)."""
    return resources.files("autograd.viz").joinpath("stepper.js").read_text(encoding="utf-8")


def _width(text: str) -> int:
    """A cell width in points that fits `text` in 11 pt Helvetica (digits are about 6.1 pt wide)."""
    return int(len(text) * 6.3 + 10)


def _states(expl: Explanation, fmt: Any) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]]]:
    """What each box shows before step 1, and each step's changes, highlights and text (the view's data)."""
    forward = any(s.kind == "forward" for s in expl.steps)
    start: dict[str, dict[str, str]] = {}
    for i, node in enumerate(expl.nodes):
        data = "data ?" if forward and node.op is not None else f"data {fmt(node.data)}"
        start[f"n{i}"] = {"data": data, "grad": "grad ?"}
    steps: list[dict[str, Any]] = []
    for step in expl.steps:
        i = step.node
        nodes = [f"n{i}"] + ([f"op{i}"] if step.kind != "seed" and step.op is not None else [])
        edges = [] if step.kind == "seed" else [f"n{j}->op{i}" for j in step.inputs] + [f"op{i}->n{i}"]
        changes: dict[str, dict[str, str]] = {}
        if step.kind == "forward":
            changes[f"n{i}"] = {"data": f"data {fmt(step.data)}"}
        elif step.kind == "seed":
            changes[f"n{i}"] = {"grad": f"grad {fmt(step.grad)}"}
        for term in step.terms:
            changes[f"n{term.input}"] = {"grad": f"grad {fmt(term.after)}"}
        steps.append(
            {
                "node": f"n{i}",
                "kind": step.kind,
                "lines": list(step.lines),
                "nodes": nodes,
                "edges": edges,
                "inputs": [f"n{j}" for j in step.inputs],
                "set": changes,
            }
        )
    return start, steps


def explanation_dot(expl: Explanation, **options: Any) -> str:
    """The DOT source of the view: the graph with its final values and gradients, cells wide enough for every step.

    Options are those of `autograd.viz.to_dot` (``rankdir``, ``size``, ``groups``,
    ``highlight``, ...), and ``edge_rules=True``, which writes on each edge
    into an operation the local derivative the text gives it (`Term.rule`:
    ``d(o)/dn = 1 − o² = 1 − 0.7071² = 0.5``; a constant's edge stays bare);
    ``number_format`` and names come from the explanation.
    """
    edge_rules = options.pop("edge_rules", False)
    if not isinstance(edge_rules, bool):
        raise TypeError(f"edge_rules must be True or False, got {describe(edge_rules)}")
    for banned in ("number_format", "show_grad", "max_nodes", "constants"):
        if banned in options:
            raise TypeError(f"{banned} is set by explain() for its views; pass it to explain() (or leave it)")
    fmt = number_formatter(expl._number_format)
    options.setdefault("size", None)  # the page scales the picture to its width
    # Every computed value shows the name the text gives it, so "(x*w).grad" can be found in the picture.
    labels = {node: name for node, name in zip(expl.nodes, expl.names) if node.op is not None and not node.label}
    labels.update(expl._labels)
    body = dot_body(
        expl.root,
        number_format=expl._number_format,
        max_nodes=expl._max_nodes,
        constants="box",
        labels=labels,
        **options,
    )
    start, steps = _states(expl, fmt)
    widest: dict[str, dict[str, int]] = {}
    for key, cells in itertools.chain(start.items(), ((k, v) for s in steps for k, v in s["set"].items())):
        for cell, text in cells.items():
            row = widest.setdefault(key, {})
            row[cell] = max(row.get(cell, 0), _width(text))
    rules: dict[tuple[int, int], list[str]] = {}  # (input, node) -> the rule of each use, in order
    if edge_rules:
        for step in expl.steps:
            for term in step.terms:
                rules.setdefault((term.input, step.node), []).append(term.rule)
    out = []
    for line in body:
        edge = _EDGE.fullmatch(line)
        if edge and rules.get((int(edge.group(1)), int(edge.group(2)))):
            rule = rules[(int(edge.group(1)), int(edge.group(2)))].pop(0)
            if rule:  # one line per form (rule, numbers, number): narrow labels keep the drawing narrow
                label = html_text(rule.replace(" = ", "\n= "))
                line = f"{line[:-1]} [label=<{label}> {_EDGE_STYLE}]\n"
        match = re.match(r"\t+n(\d+) \[label=<<TABLE", line)
        if match:
            i = int(match.group(1))
            final = {"data": f"{fmt(expl.nodes[i].data)}", "grad": f"{fmt(expl.grads[expl.nodes[i]])}"}
            sizes = widest.get(f"n{i}", {})

            def cell(m: re.Match[str], final: dict[str, str] = final, sizes: dict[str, int] = sizes) -> str:
                kind = m.group(1)
                width = max(sizes.get(kind, 0), _width(f"{kind} {final[kind]}"))
                return f'<TD WIDTH="{width}">{kind} {html_text(final[kind])}</TD>'

            line = _CELL.sub(cell, line)
        out.append(line)
    return "digraph {\n" + "".join(out) + "}\n"


def _json(data: object) -> str:
    """JSON that is safe inside a <script> element: no ``</script>``, no ``<!--``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_MIN_SCALE = 0.6
"""The page shrinks a wide drawing to its column, but not below this scale: then the drawing scrolls sideways."""


def _svg(source: str) -> str:
    svg = render_dot(source, "svg").decode("utf-8")
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    width = re.match(r'<svg width="([\d.]+)pt"', svg)
    if width:  # points to CSS pixels: 4/3
        least = float(width.group(1)) * 4 / 3 * _MIN_SCALE
        svg = svg.replace("<svg ", f'<svg style="min-width: {least:.0f}px" ', 1)
    return svg


def to_html(expl: Explanation, *, fragment: bool = False, interval: float = 0.9, **options: Any) -> str:
    """The view as HTML: a whole page (default) or a fragment for Jupyter (``fragment=True``).

    Args:
        interval: seconds between steps when Play runs.
        options: drawing options of `autograd.viz.to_dot` (``rankdir``, ``size``, ``groups``, ``highlight``),
            and ``edge_rules=True`` (each edge labelled with its rule, see `explanation_dot`).
    """
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not 0.05 <= interval <= 60:
        raise ValueError(f"interval must be a number of seconds between 0.05 and 60, got {describe(interval)}")
    fmt = number_formatter(expl._number_format)
    source = explanation_dot(expl, **options)
    svg = _svg(source)
    start, steps = _states(expl, fmt)
    forward = any(s["kind"] == "forward" for s in steps)
    first = "the forward pass" if forward else "backprop"
    data = {
        "start": start,
        "steps": steps,
        "interval": int(interval * 1000),
        "intro": f"Press Next (or the → key) to start {first}: {len(steps)} steps.",
    }
    digest = hashlib.sha1((source + _json(data)).encode("utf-8")).hexdigest()[:10]
    uid = f"vg-{digest}-{next(_counter)}"
    n = len(steps)
    title = html.escape(expl.names[-1])
    view = (
        f'<div class="vg-stepper" id="{uid}" tabindex="0" data-step="{n}" '
        f'aria-label="backprop of {title}, step by step">\n'
        f"<style>{_CSS.format(id=uid)}</style>\n"
        f'<div class="vg-body"><div class="vg-graph">{svg}</div>\n'
        '<div class="vg-side"><div class="vg-controls">'
        '<button type="button" class="vg-back">Back</button>'
        '<button type="button" class="vg-next">Next</button>'
        '<button type="button" class="vg-play">Play</button>'
        f'<input type="range" class="vg-slider" min="0" max="{n}" value="{n}" step="1" aria-label="step">'
        f'<span class="vg-counter">step {n} of {n}</span></div>'
        f'<pre class="vg-text">{html.escape(expl.text())}</pre></div></div>\n'
        "</div>\n"
        f"<script>{script()}\n"
        f'window.valuegradStepper(document.getElementById("{uid}"), {_json(data)});</script>\n'
    )
    if fragment:
        return view
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>backprop of {title}, step by step (valuegrad)</title>\n"
        "<style>body { margin: 16px; }</style>\n</head>\n<body>\n"
        f'{view}<script>document.getElementById("{uid}").focus();</script>\n</body>\n</html>\n'
    )


def mimebundle(expl: Explanation) -> dict[str, Any]:
    """Jupyter's display: the interactive HTML, a PNG of the final state (for viewers without scripts), and text."""
    bundle: dict[str, Any] = {"text/plain": repr(expl)}
    try:
        bundle["text/html"] = to_html(expl, fragment=True)
        bundle["image/png"] = base64.b64encode(render_dot(explanation_dot(expl), "png")).decode("ascii")
    except (GraphvizNotFoundError, ValueError):
        bundle["text/html"] = f"<pre>{html.escape(expl.text())}</pre>"
    return bundle
