"""Every relative link of the README, the changelog and the guides in docs/ leads somewhere.

A link ``[text](target)`` (or an ``href=``/``src=``) whose target is not a URL must name a file or folder
that exists, relative to the page, and a ``#fragment`` must be a heading of the page it points to, spelled as
GitHub makes anchors of headings.  Links inside code (fenced blocks, `spans`) are not links.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def prose(text: str, *, spans: bool = False) -> str:
    """The page without its fenced code blocks, and with every code span replaced by `code` unless `spans`."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(line if spans else re.sub(r"(`+)(.+?)\1", "code", line))
    return "\n".join(kept)


def links(text: str) -> list[str]:
    body = prose(text)
    return re.findall(r"\]\(([^)\s]+)", body) + re.findall(r'(?:src|href)="([^"]+)"', body)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces as '-', repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose(page.read_text(encoding="utf-8"), spans=True).splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(1)).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def test_links_outside_code_and_anchors_as_github_spells_them(tmp_path: Path) -> None:
    assert links("[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n[d](w.md#e)") == ["x.md", "w.md#e"]
    page = tmp_path / "page.md"
    page.write_text(
        "# Compiling: `autograd.compile`\n## Data and `fit`\n## Data and `fit`\n```\n# not a heading\n```\n"
    )
    assert anchors(page) == {"compiling-autogradcompile", "data-and-fit", "data-and-fit-1"}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_relative_links_lead_to_files_and_headings_that_exist(page: Path) -> None:
    if not page.exists():
        pytest.skip(f"{page.name} does not exist")
    broken = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, flags=re.IGNORECASE):  # https:, mailto:, ...
            continue
        path, _, fragment = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"{target}: no heading #{fragment} in {destination.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


def test_the_guides_index_lists_every_page() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    listed = {target.partition("#")[0] for target in links(index)}
    pages = {page.name for page in (ROOT / "docs").glob("*.md")} - {"index.md"}
    assert pages <= listed, f"docs/index.md does not list {sorted(pages - listed)}"
