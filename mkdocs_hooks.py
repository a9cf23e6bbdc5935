"""mkdocs hooks for the documentation site (mkdocs.yml): pages from outside docs/, and links that work on the site.

The guides live in docs/ and link to the repository's other files the way
GitHub shows them (``../README.md``, ``../notebooks/06_mlp_two_moons.ipynb``).
`on_files` adds the README, the changelog, CONTRIBUTING.md and the notebooks
to the site as pages; `on_page_markdown` points every relative link at the page
that file became, and turns a link to a file the site does not have (a source
file, the Makefile) into its path in code, so ``mkdocs build --strict`` finds
no broken link.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent

EXTRA_PAGES = {"README.md": "readme.md", "CHANGELOG.md": "changelog.md", "CONTRIBUTING.md": "contributing.md"}
"""Repository files shown as pages: repository path -> page path on the site."""

_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)|!\[(?P<alt>[^\]]*)\]\((?P<image>[^)\s]+)\)")


def _notebooks() -> list[str]:
    return sorted(f"notebooks/{path.name}" for path in (ROOT / "notebooks").glob("*.ipynb"))


def _site_path(repository_path: str) -> str | None:
    """Where a repository file is on the site (a path under docs_dir), or None if the site does not have it."""
    if repository_path.startswith("docs/"):
        return repository_path[len("docs/") :]
    if repository_path in EXTRA_PAGES:
        return EXTRA_PAGES[repository_path]
    if repository_path in _notebooks():
        return repository_path
    return None


def _repository_path(src_uri: str) -> str:
    """The repository path of a page (inverse of `_site_path`)."""
    for repository_path, page in EXTRA_PAGES.items():
        if src_uri == page:
            return repository_path
    if src_uri.startswith("notebooks/"):
        return src_uri
    return "docs/" + src_uri


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns the notebooks it finds into pages
def on_files(files: Files, config: Any) -> Files:
    for repository_path, page in EXTRA_PAGES.items():
        if (ROOT / repository_path).exists():
            files.append(File.generated(config, page, abs_src_path=str(ROOT / repository_path)))
    for notebook in _notebooks():  # a file of the repository's folder (mkdocs-jupyter reads it from src_dir)
        files.append(File(notebook, str(ROOT), config["site_dir"], config["use_directory_urls"]))
    return files


def rewrite_links(markdown: str, src_uri: str) -> str:
    """Relative links of the page `src_uri`, written for the repository, rewritten for the site."""
    here = posixpath.dirname(_repository_path(src_uri))
    page_dir = posixpath.dirname(src_uri)

    def fix(match: re.Match[str]) -> str:
        image = match.group("image") is not None
        target = match.group("image") if image else match.group("target")
        text = match.group("alt") if image else match.group("text")
        if re.match(r"^([a-z][a-z0-9+.-]*:|#|/)", target):  # a URL, an anchor on the same page, or absolute
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(here, path)).rstrip("/")
        on_site = _site_path(resolved)
        if on_site is None:  # a file of the repository that the site does not show: its path, not a broken link
            return f"{text} (`{resolved}` in the repository)" if text.strip("`") != resolved else f"`{resolved}`"
        new = posixpath.relpath(on_site, page_dir or ".") + (f"#{anchor}" if anchor else "")
        return f"![{text}]({new})" if image else f"[{text}]({new})"

    return _LINK.sub(fix, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    return rewrite_links(markdown, page.file.src_uri)
