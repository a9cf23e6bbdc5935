"""explain's saved HTML, driven in a real headless Chromium (Debian's package, through Playwright).

No browser is downloaded: the tests use the system's ``chromium`` (CI installs
it with apt) and skip with a reason when it or Playwright is missing.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, explain
from autograd.viz.explain import Explanation

sys.path.insert(0, str(Path(__file__).parent))
from neuron_graphs import micrograd_neuron as neuron

CHROMIUM = next(
    (
        p
        for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
        if p and os.path.exists(p)
    ),
    None,
)

if CHROMIUM is None:
    pytest.skip("no chromium executable (CI installs Debian's chromium package)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (valuegrad[test])")
if shutil.which("dot") is None and shutil.which("graphviz-pure") is None:
    pytest.skip("no Graphviz program to draw the graph", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        except Exception as exc:  # a chromium that cannot start here (no sandbox support, missing libraries)
            pytest.skip(f"chromium at {CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()


class View:
    """A saved explanation opened in a page, with the console errors it produced."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1100, "height": 800})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route(
            "**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_()
        )  # any network request fails (and shows as an error)
        self.page.goto(path.as_uri())

    def step(self) -> int:
        return int(self.page.locator(".vg-stepper").get_attribute("data-step"))

    def grad(self, node: int) -> str:
        texts = self.page.locator(f"g.node:has(title:text-is('n{node}')) text").all_text_contents()
        return texts[-1]

    def click(self, name: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.get_by_role("button", name=name, exact=True).click()


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Explanation, dict[str, Value], Path]:
    o, values = neuron()
    steps = explain(o)
    return steps, values, steps.save(tmp_path / "backprop.html")


def test_next_shows_the_engines_gradients(browser: Any, saved: tuple[Explanation, dict[str, Value], Path]) -> None:
    steps, v, path = saved
    view = View(browser, path)
    assert view.step() == 0
    index = {node: i for i, node in enumerate(steps.nodes)}
    o = v["o"]
    o.backward()  # the engine's own numbers
    assert view.grad(index[v["n"]]) == "grad ?"
    view.click("Next", 2)  # the seed, then tanh: n.grad is complete
    assert view.step() == 2
    assert view.grad(index[v["n"]]) == f"grad {v['n'].grad:.4g}"
    assert view.grad(index[v["w1"]]) == "grad ?"
    view.click("Next", len(steps) - 2)
    for name in ("x1", "w1", "x2", "w2", "b", "n", "o"):
        assert view.grad(index[v[name]]) == f"grad {v[name].grad:.4g}".replace("-0 ", "0 "), name
    assert view.page.get_by_role("button", name="Next", exact=True).is_disabled()
    assert view.errors == []


def test_current_step_text_and_highlight(browser: Any, saved: tuple[Explanation, dict[str, Value], Path]) -> None:
    steps, _, path = saved
    view = View(browser, path)
    view.click("Next", 2)
    assert view.page.locator(".vg-text").text_content() == "\n".join(steps[1].lines)
    current = view.page.locator("g.vg-current title").all_text_contents()
    assert sorted(current) == sorted([f"n{steps[1].node}", f"op{steps[1].node}"])
    assert len(view.page.locator("g.edge.vg-active").all()) == 2  # n -> tanh -> o
    assert view.page.locator(".vg-counter").text_content() == f"step 2 of {len(steps)}"
    grad_text = view.page.locator(f"g.node:has(title:text-is('n{steps[1].node}')) text").last
    assert grad_text.get_attribute("text-anchor") == "middle"  # numbers are centred in their cells
    assert view.errors == []


def test_back_undoes(browser: Any, saved: tuple[Explanation, dict[str, Value], Path]) -> None:
    steps, v, path = saved
    view = View(browser, path)
    index = {node: i for i, node in enumerate(steps.nodes)}
    view.click("Next", 3)
    before = [view.grad(i) for i in range(len(steps.nodes))]
    view.click("Next")
    assert [view.grad(i) for i in range(len(steps.nodes))] != before
    view.click("Back")
    assert view.step() == 3 and [view.grad(i) for i in range(len(steps.nodes))] == before
    view.click("Back", 3)
    assert view.step() == 0 and view.grad(index[v["o"]]) == "grad ?"
    assert view.page.get_by_role("button", name="Back", exact=True).is_disabled()
    assert view.errors == []


def test_play_reaches_the_end(browser: Any, tmp_path: Path) -> None:
    o, v = neuron()
    steps = explain(o)
    path = steps.save(tmp_path / "fast.html", interval=0.05)
    view = View(browser, path)
    view.click("Play")
    view.page.wait_for_function(
        f"document.querySelector('.vg-stepper').dataset.step === '{len(steps)}'", timeout=10_000
    )
    assert view.page.get_by_role("button", name="Play", exact=True).is_visible()  # back from "Pause"
    index = {node: i for i, node in enumerate(steps.nodes)}
    assert view.grad(index[v["w1"]]) == f"grad {steps.grads[v['w1']]:.4g}"
    assert view.errors == []


def test_arrow_keys_and_slider(browser: Any, saved: tuple[Explanation, dict[str, Value], Path]) -> None:
    steps, _, path = saved
    view = View(browser, path)
    for _ in range(3):
        view.page.keyboard.press("ArrowRight")
    assert view.step() == 3
    view.page.keyboard.press("ArrowLeft")
    assert view.step() == 2
    view.page.locator(".vg-slider").fill(str(len(steps)))
    assert view.step() == len(steps)
    view.page.keyboard.press("ArrowRight")  # at the end: stays
    assert view.step() == len(steps)
    assert view.errors == []


def test_forward_steps_fill_in_values_first(browser: Any, tmp_path: Path) -> None:
    o, _ = neuron()
    steps = explain(o, forward=True)
    view = View(browser, steps.save(tmp_path / "forward.html"))
    index = {node: i for i, node in enumerate(steps.nodes)}
    data = view.page.locator(f"g.node:has(title:text-is('n{index[o]}')) text")
    assert data.all_text_contents()[-2] == "data ?"
    view.click("Next", 5)  # five operations
    assert data.all_text_contents()[-2] == f"data {o.data:.4g}"
    assert view.grad(index[o]) == "grad ?"
    view.click("Next")
    assert view.grad(index[o]) == "grad 1"
    assert view.errors == []


def test_screenshot_is_not_blank(browser: Any, saved: tuple[Explanation, dict[str, Value], Path]) -> None:
    from PIL import Image, ImageStat

    _, _, path = saved
    view = View(browser, path)
    view.click("Next", 3)
    picture = Image.open(io.BytesIO(view.page.screenshot())).convert("L")
    stat = ImageStat.Stat(picture)
    assert stat.var[0] > 100  # a blank (or single-colour) page has no variance
    dark = sum(picture.histogram()[:128]) / (picture.width * picture.height)
    assert 0.005 < dark < 0.5  # text and lines, not a black page
    svg_box = view.page.locator(".vg-graph svg").bounding_box()
    assert svg_box is not None and svg_box["width"] > 300 and svg_box["height"] > 100
    assert view.errors == []


def test_two_views_on_one_page_are_independent(browser: Any, tmp_path: Path) -> None:
    o, _ = neuron()
    first, second = explain(o)._repr_html_(), explain(o)._repr_html_()
    page = tmp_path / "two.html"
    page.write_text(f"<!DOCTYPE html><html><body>{first}{second}</body></html>", encoding="utf-8")
    view = View(browser, page)
    views = view.page.locator(".vg-stepper")
    assert views.count() == 2
    views.nth(0).get_by_role("button", name="Next", exact=True).click()
    assert views.nth(0).get_attribute("data-step") == "1" and views.nth(1).get_attribute("data-step") == "0"
    assert view.errors == []


def test_hostile_labels_run_no_script(browser: Any, tmp_path: Path) -> None:
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = Value(2.0, label='<img src=x onerror="alert(2)">')
    out = x * y
    out.label = "</pre><b>bold?</b>"
    steps = explain(out)
    view = View(browser, steps.save(tmp_path / "hostile.html"))
    dialogs: list[str] = []
    view.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    view.click("Next", len(steps))
    assert dialogs == [] and view.errors == []
    assert view.page.locator("img").count() == 0 and view.page.locator("b").count() == 0
    shown = view.page.locator(".vg-text").text_content() or ""
    assert '<img src=x onerror="alert(2)">' in shown  # shown literally, as text
    assert view.page.locator("g.node:has(title:text-is('n0')) text").first.text_content() == x.label


def test_the_text_stays_beside_the_highlighted_value_on_a_tall_graph(browser: Any, tmp_path: Path) -> None:
    """A deep, narrow network drawn top to bottom is taller than the window: the text panel is sticky."""
    import nn

    model = nn.MLP(1, [1] * 16, activation="tanh", seed=0)
    score = model.forward_one([Value(2.0)])
    loss = (score - 1) ** 2
    loss.label = "loss"
    steps = explain(loss, names=model)
    path = steps.save(tmp_path / "tall.html", rankdir="TB")
    view = View(browser, path)
    page = view.page
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * 800  # the graph is more than two windows tall

    def box(selector: str) -> dict[str, float]:
        found = page.locator(selector).first.bounding_box()  # relative to the window
        assert found is not None, selector
        return found

    def in_window(b: dict[str, float]) -> bool:
        return b["y"] >= -2 and b["y"] + b["height"] <= 802  # (a scroll lands on whole pixels)

    def current_in_window() -> bool:  # the value and its operation
        boxes = [g.bounding_box() for g in page.locator("g.node.vg-current").all()]
        return len(boxes) == 2 and all(b is not None and in_window(b) for b in boxes)

    view.click("Next", 2)  # the loss's step: its value is at the bottom of the drawing
    assert page.evaluate("window.scrollY") > 0  # the step scrolled its value into sight
    node, text = box("g.node.vg-current"), box(".vg-text")
    assert current_in_window() and in_window(text)
    assert text["x"] >= node["x"] + node["width"]  # beside the graph, on its right
    assert page.locator(".vg-text").text_content() == "\n".join(steps[1].lines)
    assert "loss = (L15.n0.z − 1)²" in page.locator(".vg-text").text_content()
    view.click("Next", len(steps) - 2)  # the last step: the first layer's weight, at the top
    assert page.evaluate("window.scrollY") < height / 4
    node, text = box("g.node.vg-current"), box(".vg-text")
    assert current_in_window() and in_window(text) and text["x"] >= node["x"] + node["width"]
    assert page.locator(".vg-text").text_content().startswith("L0.n0.w0*2 = L0.n0.w0 * 2")
    for y in (0, height // 2, height):  # wherever the page is scrolled, the panel and its buttons are in the window
        page.evaluate(f"window.scrollTo(0, {y})")
        assert in_window(box(".vg-text")) and in_window(box(".vg-next"))
    view.click("Back", len(steps) // 2)
    page.evaluate(f"window.scrollTo(0, {height // 2})")
    view.page.keyboard.press("ArrowRight")  # a step by key also brings its value into sight
    assert current_in_window() and in_window(box(".vg-text"))
    shot = tmp_path / "tall.png"
    page.screenshot(path=str(shot))
    from PIL import Image, ImageStat

    assert ImageStat.Stat(Image.open(shot).convert("L")).var[0] > 100
    assert view.errors == []


def test_edge_rules_are_drawn_and_highlighted_with_their_step(browser: Any, tmp_path: Path) -> None:
    o, _ = neuron()
    steps = explain(o)
    view = View(browser, steps.save(tmp_path / "rules.html", edge_rules=True))
    view.click("Next", 2)  # tanh's step
    active = view.page.locator("g.edge.vg-active text").all_text_contents()
    assert " ".join(active) == "d(o)/dn = 1 − o² = 1 − 0.7071² = 0.5"  # one line per form
    assert view.page.locator("g.edge.vg-active text").first.evaluate("t => getComputedStyle(t).fill") == (
        "rgb(214, 39, 40)"
    )
    labels = [" ".join(g.locator("text").all_text_contents()) for g in view.page.locator("g.edge:has(text)").all()]
    assert "d(x1*w1)/dw1 = x1 = 2" in labels and len(labels) == 9  # every edge into an operation
    assert view.errors == []
