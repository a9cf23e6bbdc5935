"""The documentation site (mkdocs.yml, `make docs`): it builds with ``--strict``, and a browser shows it cleanly.

The build needs the ``docs`` dependency group (``make docs`` installs it), and is
skipped with that reason without it; CI runs ``make docs`` and then this file.
The browser test serves the built site on localhost and opens the home page and
an API page in Debian's chromium through Playwright (never a downloaded browser),
with every request off this machine refused, and fails on any console error.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_links_written_for_the_repository_point_at_the_sites_pages() -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (the docs dependency group: `make docs` installs it)")
    sys.path.insert(0, str(ROOT))
    try:
        import mkdocs_hooks
    finally:
        sys.path.remove(str(ROOT))
    rewrite = mkdocs_hooks.rewrite_links
    assert rewrite("[README](../README.md)", "index.md") == "[README](readme.md)"
    assert rewrite("[n](../notebooks/09_graduating_to_pytorch.ipynb)", "pytorch.md") == (
        "[n](notebooks/09_graduating_to_pytorch.ipynb)"
    )
    assert rewrite("[the guide](docs/nn.md#types) ![gif](docs/a.gif)", "readme.md") == (
        "[the guide](nn.md#types) ![gif](a.gif)"
    )
    assert rewrite("[`autograd/ops.py`](../autograd/ops.py)", "extending.md") == "`autograd/ops.py`"
    assert (
        rewrite("[the table](../autograd/ops.py)", "extending.md") == "the table (`autograd/ops.py` in the repository)"
    )
    assert rewrite("[up](../engine.md) [x](https://a.b/c.md) [here](#top)", "reference/nn.md") == (
        "[up](../engine.md) [x](https://a.b/c.md) [here](#top)"
    )


def test_every_notebook_and_guide_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in [*(ROOT / "docs").glob("*.md"), *(ROOT / "notebooks").glob("*.ipynb")]:
        assert page.name in config, f"{page.name} is not in mkdocs.yml's nav"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with --strict into a temporary folder (about 15 s)."""
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    if mkdocs is None:
        pytest.skip("mkdocs is not installed (the docs dependency group: `make docs` installs it)")
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return out


@pytest.mark.slow
def test_the_site_has_the_guides_the_reference_and_the_notebooks(site: Path) -> None:
    for page in ["index.html", "readme.html", "changelog.html", "contributing.html", "nn.html", "engine.html"]:
        assert (site / page).is_file(), page
    for package, name in [("autograd", "autograd.Value"), ("compile", "autograd.compiler.compile")]:
        assert f'id="{name}"' in (site / "reference" / f"{package}.html").read_text(encoding="utf-8")
    assert 'id="autograd.viz.explain.explain"' in (site / "reference" / "viz.html").read_text(encoding="utf-8")
    assert 'id="nn.MLP"' in (site / "reference" / "nn.html").read_text(encoding="utf-8")
    notebook = (site / "notebooks" / "06_mlp_two_moons.html").read_text(encoding="utf-8")
    assert "jp-OutputArea" in notebook and "data:image/png;base64" in notebook  # the stored outputs, pictures too


CHROMIUM = next(
    (
        p
        for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
        if p and os.path.exists(p)
    ),
    None,
)


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[assignment,method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no chromium executable (CI installs Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test group)")
    with sync_api.sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        except Exception as exc:  # a chromium that cannot start here (no sandbox support, missing libraries)
            pytest.skip(f"chromium at {CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()


@pytest.mark.slow
@pytest.mark.parametrize(("page", "heading"), [("index.html", "valuegrad documentation"), ("reference/nn.html", "MLP")])
def test_pages_open_in_chromium_without_console_errors(browser: Any, served: str, page: str, heading: str) -> None:
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served) else route.abort())
    response = tab.goto(f"{served}/{page}")
    assert response is not None and response.ok
    tab.wait_for_load_state("networkidle")
    assert heading in tab.content()
    assert tab.locator("nav").count() > 0  # the theme's navigation rendered
    assert errors == []
    tab.close()
