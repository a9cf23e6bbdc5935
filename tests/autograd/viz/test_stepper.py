"""explain's views without a browser: the self-contained HTML, the GIF, Jupyter's display, saving, the CLI."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import pytest

from autograd import Value, explain
from autograd.viz import cli
from autograd.viz.animate import frame_dot
from autograd.viz.render import DotProgram
from autograd.viz.stepper import explanation_dot, script, to_html

sys.path.insert(0, str(Path(__file__).parent))
from neuron_graphs import micrograd_neuron as neuron


def view_data(page: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r"valuegradStepper\(document\.getElementById\(\"[^\"]+\"\), (\{.*\})\);</script>", page)
    assert match, "the view's data"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_html_is_one_offline_file(any_program: DotProgram) -> None:
    o, _ = neuron()
    page = explain(o).html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<svg" in page and script() in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)  # nothing loaded from anywhere
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    for label in ("Back", "Next", "Play"):
        assert f">{label}</button>" in page
    assert 'type="range"' in page


def test_view_data_matches_the_steps(any_program: DotProgram) -> None:
    o, v = neuron()
    steps = explain(o)
    data = view_data(steps.html())
    assert len(data["steps"]) == len(steps)
    assert [s["lines"] for s in data["steps"]] == [list(s.lines) for s in steps]
    index = {node: i for i, node in enumerate(steps.nodes)}
    last_w1 = [s["set"][f"n{index[v['w1']]}"]["grad"] for s in data["steps"] if f"n{index[v['w1']]}" in s["set"]]
    assert last_w1 == [f"grad {steps.grads[v['w1']]:.4g}"]
    assert data["start"][f"n{index[o]}"] == {"data": f"data {o.data:.4g}", "grad": "grad ?"}


def test_hostile_labels_cannot_break_out(any_program: DotProgram) -> None:
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = Value(2.0, label="<!-- & \u2028 ]]>")
    out = x * y
    out.label = "</pre><b>out</b>"
    page = explain(out).html()
    body = page.split("<script>", 1)[0]
    assert "<script>alert" not in page and "</script><script>alert" not in page
    assert "<b>out</b>" not in body
    assert view_data(page)["steps"][1]["lines"][2].startswith("(</script><script>alert(1)</script>).grad")


def test_final_state_is_drawn_for_viewers_without_scripts(any_program: DotProgram) -> None:
    o, v = neuron()
    steps = explain(o)
    source = explanation_dot(steps)
    assert f"grad {steps.grads[v['x1']]:.4g}" in source and "grad ?" not in source
    v["x1"].grad = 99.0  # the drawing shows explain's gradients, not whatever .grad holds
    assert "grad 99" not in explanation_dot(steps)
    bundle = steps._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert "vg-stepper" in bundle["text/html"] and "<html" not in bundle["text/html"]
    assert steps._repr_html_().count("<svg") == 1


def test_frames_highlight_the_current_step() -> None:
    o, v = neuron()
    steps = explain(o)
    index = {node: i for i, node in enumerate(steps.nodes)}
    first = frame_dot(steps, 0)
    assert "grad ?" in first and "#d62728" not in first
    second = frame_dot(steps, 2)  # tanh: n gets its gradient
    n = index[v["n"]]
    assert re.search(rf'\tn{n} \[label=<<TABLE [^>]*BGCOLOR="#fee6ce"', second)
    assert f'n{n} -> op{index[o]} [color="#d62728"' in second
    assert '<FONT COLOR="#d62728"><B>grad 0.5</B></FONT>' in second
    with pytest.raises(ValueError, match="step number from 0 to 6"):
        frame_dot(steps, 7)


def test_gif_has_one_frame_per_state(tmp_path: Path, any_program: DotProgram) -> None:
    from PIL import Image

    o, _ = neuron()
    steps = explain(o)
    path = steps.save(tmp_path / "backprop.gif")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == len(steps) + 1
        assert 300 <= gif.width <= 1200 and 150 <= gif.height <= 900
        assert gif.info.get("loop") == 0
    assert path.stat().st_size < 400_000


def test_save_text_and_refusals(tmp_path: Path) -> None:
    o, _ = neuron()
    steps = explain(o)
    assert steps.save(tmp_path / "s.txt").read_text(encoding="utf-8") == steps.text() + "\n"
    with pytest.raises(ValueError, match=r"\.html, \.gif or \.txt"):
        steps.save(tmp_path / "s.svg")
    with pytest.raises(TypeError, match="path"):
        steps.save(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="interval"):
        to_html(steps, interval=0)
    with pytest.raises(TypeError, match="set by explain"):
        explanation_dot(steps, number_format=".2f")
    assert not list(tmp_path.glob("*.tmp"))


def test_cli_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str], any_program: DotProgram) -> None:
    argv = ["tanh(x*w + b)", "--set", "x=2", "w=-3", "b=6.88", "--explain"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("step 1  out.grad = 1") and "w.grad += (x*w).grad × d(x*w)/dw" in printed
    target = tmp_path / "steps.html"
    assert cli.main([*argv, "-o", str(target)]) == 0
    assert "vg-stepper" in target.read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out
    assert cli.main([*argv, "-o", str(tmp_path / "steps.svg")]) == 2
    assert "--explain writes" in capsys.readouterr().err
