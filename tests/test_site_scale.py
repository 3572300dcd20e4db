"""The website at network scale: its work per reseller does not grow with the number of resellers.

Counts, not seconds (the machine is shared): project loads during a whole `mkdocs build` (the
feeds used to load the project once per reseller: O(N²)), and the bytes per reseller of the
search index and the home page. Real synthetic repositories (bench/bench_scale.make_repo: N
resellers made from the shipped ones), a real in-process mkdocs build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

from bench_scale import make_repo  # noqa: E402


def _build_site(root: Path) -> tuple[int, Path]:
    """(project loads in this process, site folder) for one `mkdocs build --strict` of root."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.source.load import project_loads

    out = root / "site"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(out), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    before = project_loads()
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return project_loads() - before, out


@pytest.fixture(scope="module")
def scales(tmp_path_factory) -> dict[int, tuple[int, Path]]:
    out = {}
    for n in (5, 50):
        root = tmp_path_factory.mktemp(f"n{n}") / "repo"
        make_repo(n, root)
        out[n] = _build_site(root)
    return out


@pytest.mark.slow
def test_project_loads_do_not_grow_with_the_number_of_resellers(scales) -> None:
    (loads_5, _), (loads_50, _) = scales[5], scales[50]
    assert loads_50 == loads_5, f"5 resellers: {loads_5} loads, 50 resellers: {loads_50}"
    assert loads_50 <= 3  # the site's own load, and kiyaku build's (lint) for the downloads


@pytest.mark.slow
def test_every_feed_is_valid_atom_with_an_author_and_a_real_updated(scales) -> None:
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    _, site = scales[50]
    feeds = [site / "notices.atom", *sorted(site.glob("*/notices.atom"))]
    assert len(feeds) == 51
    for path in feeds:
        root = ET.fromstring(path.read_bytes())
        assert root.findtext("a:author/a:name", namespaces=ns), path
        updated = root.findtext("a:updated", namespaces=ns) or ""
        assert updated >= "2020" and not updated.startswith("1970"), (path, updated)
        assert root.findtext("a:id", namespaces=ns) and root.findtext("a:title", namespaces=ns)


@pytest.mark.slow
def test_search_index_and_home_page_per_reseller_fit_500_resellers(scales) -> None:
    """≤ 5 MB of search index and ≤ 300 KB of home page at 500 resellers, extrapolated from 5 → 50."""
    (_, small), (_, large) = scales[5], scales[50]

    def size(site: Path, name: str) -> int:
        return (site / name).stat().st_size

    per_reseller = (size(large, "search/search_index.json") - size(small, "search/search_index.json")) / 45
    assert size(large, "search/search_index.json") + per_reseller * 450 <= 5 * 1024 * 1024, per_reseller
    home = (size(large, "index.html") - size(small, "index.html")) / 45
    assert size(large, "index.html") + home * 450 <= 300 * 1024, home
    index = json.loads((large / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "反社会的勢力" in (large / "search" / "search_index.json").read_text(encoding="utf-8")  # UTF-8, not \\uXXXX
    article = [d for d in index["docs"] if d["location"].endswith("#antisocial-forces")]
    assert 1 <= len(article) <= 3, [d["location"] for d in article]  # one per distinct text, not one per reseller


@pytest.mark.slow
def test_pages_do_not_grow_with_the_number_of_resellers(scales) -> None:
    """Above 20 resellers a page links no other reseller (navigation, feeds), so its size does not grow."""
    (_, small), (_, large) = scales[5], scales[50]
    for site in (small, large):
        page = (site / "r0000-hiroshima" / "index.html").read_text(encoding="utf-8")
        assert page.count('rel="alternate"') == 1  # the feed of all resellers; its own is linked in the page
    others = [f"r{i:04d}-" for i in range(1, 50)]
    page = (large / "r0000-hiroshima" / "index.html").read_text(encoding="utf-8")
    assert not [o for o in others if o in page]


@pytest.mark.slow
def test_home_groups_resellers_by_prefecture_without_javascript(scales) -> None:
    from html.parser import HTMLParser

    _, site = scales[50]
    html = (site / "index.html").read_text(encoding="utf-8")

    class Groups(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.groups: dict[str, int] = {}
            self.current = ""

        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "section" and values.get("data-kiyaku-group"):
                self.current = values["data-kiyaku-group"]
                self.groups[self.current] = 0
            elif tag == "li" and "data-kiyaku-text" in values:
                assert self.current in values["data-kiyaku-text"]  # the filter matches the prefecture
                self.groups[self.current] += 1

    parser = Groups()
    parser.feed(html)
    assert sum(parser.groups.values()) == 50
    assert list(parser.groups)[:2] == ["北海道", "青森県"]  # north to south, as prefectures are listed
    assert 'id="k-filter"' in html and "kiyaku-filter.js" in html
