"""Class 1 of issue 11: no value from the sources becomes markup on the site, in a notice or in a feed.

Hostile text (tags, attribute breakers, entities, javascript: links) is put in front of every
string field of both schemas (terms/ and variants/, found by walking the YAML, not by a list),
and in a release's reason; then the real site is built with mkdocs. Every HTML page and feed
must parse to exactly the elements and attributes of the same site built with harmless text:
the same sequence of (tag, attribute names) per file. A hypothesis property draws the hostile
text; a fixed payload runs first as an example.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import MINI
from site_fixtures import REPO, SITE_CONFIG, _git, mkdocs_build, pin_today

# keys whose values are ids, option names, paths or dates: the schema refuses markup there already
_NOT_TEXT = {"id", "when", "replace", "insert_after", "insert_before", "remove", "template", "issued", "effective",
             "status", "articles", "edition", "notice_days"}
FIXED = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>&lt;b&gt;&amp;javascript:alert(3)<!--"
_FRAGMENTS = ["<", ">", "\"", "'", "&", "&lt;", "&#x3c;", "<script>", "</title>", "<svg onload=alert(1)>", "javascript:",
              "]]>", "<!--", "-->", "=", " on", "<a href=//e.jp>", "</textarea>", "</style>", "\\", "/"]
# contact fields with a format: hostile text goes where the format still accepts it (after https://…,
# before the @), minus the characters the format refuses, so it reaches the notice and the site
_PATTERNED = {"web": lambda value, payload: value + re.sub(r"\s", "", payload),
              "email": lambda value, payload: re.sub(r"[\s@]", "", payload) + value}
HOSTILE = st.lists(st.sampled_from(_FRAGMENTS) | st.text(alphabet="<>\"'&=/;:abcdehilnoprstx ", max_size=8),
                   min_size=1, max_size=8).map("".join)


def _prefix_strings(node, payload: str, key: str = "") -> None:
    """Put payload in front of every string value of a ruamel tree, except ids, dates and names."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        for k in list(node):
            if str(k) in _NOT_TEXT:
                continue
            if isinstance(node[k], str) and str(k) in _PATTERNED:
                node[k] = _PATTERNED[str(k)](node[k], payload)
            elif isinstance(node[k], str):
                node[k] = payload + node[k]
            else:
                _prefix_strings(node[k], payload, str(k))
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            if isinstance(item, str):
                node[i] = payload + item
            else:
                _prefix_strings(item, payload, key)


def _hostile_repo(dest: Path, payload: str, today: dt.date) -> Path:
    """The sample sources with payload in every text field, two editions of alpha, and the site config."""
    from generator.history._calendar import earliest_effective
    from generator.source._yaml import make_yaml
    from generator.changes.release import release

    shutil.copytree(MINI, dest)
    for name in SITE_CONFIG:
        src, target = REPO / name, dest / name
        shutil.copytree(src, target) if src.is_dir() else shutil.copy(src, target)
    yaml = make_yaml()
    for path in sorted(dest.glob("terms/*.yaml")) + sorted(dest.glob("variants/*.yaml")):
        tree = yaml.load(path.read_text(encoding="utf-8"))
        _prefix_strings(tree, payload)
        with open(path, "w", encoding="utf-8") as handle:
            yaml.dump(tree, handle)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "sources")
    for key in ("AUTHOR", "COMMITTER"):
        os.environ.setdefault(f"GIT_{key}_NAME", "kiyaku-test")
        os.environ.setdefault(f"GIT_{key}_EMAIL", "test@example.invalid")
    release(dest, None, baseline=True, reason="基準版", today=today - dt.timedelta(days=120))
    fees = dest / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace("料金を返金しません", "料金を一切返金しません"), encoding="utf-8")
    _git(dest, "commit", "-q", "-am", "返金の文言")
    announced = today - dt.timedelta(days=60)
    release(dest, ["alpha"], announced, earliest_effective(announced, 30), reason=payload + "文言の明確化", today=announced)
    pin_today(dest / "mkdocs.yml", today)
    return dest


class _Shape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append((tag, tuple(sorted(name for name, _ in attrs))))
        for name, value in attrs:
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.bad.append(f"{tag} {name}={value}")


def _shapes(site: Path) -> dict[str, list]:
    """Per page or feed: the sequence of elements with their attribute names."""
    out: dict[str, list] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            parser = _Shape()
            parser.feed(path.read_text(encoding="utf-8"))
            assert not parser.bad, (rel, parser.bad)
            out[rel] = parser.shape
        elif path.suffix in (".atom", ".xml") and not rel.startswith("sitemap"):
            root = ET.parse(path).getroot()
            out[rel] = [(e.tag, tuple(sorted(e.attrib))) for e in root.iter()]
    return out


def _build(tmp: Path, payload: str, today: dt.date) -> dict[str, list]:
    repo = _hostile_repo(tmp / "repo", payload, today)
    result = mkdocs_build(repo / "mkdocs.yml", tmp / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return _shapes(tmp / "site")


@pytest.fixture(scope="module")
def harmless(tmp_path_factory) -> tuple[dt.date, dict[str, list]]:
    from generator.site.sources import build_date

    today = build_date()
    return today, _build(tmp_path_factory.mktemp("harmless"), "", today)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(payload=FIXED)
@given(payload=HOSTILE)
def test_hostile_text_in_every_field_stays_text_on_the_site(harmless, tmp_path_factory, payload: str) -> None:
    today, expected = harmless
    shapes = _build(tmp_path_factory.mktemp("hostile"), payload, today)
    assert set(shapes) == set(expected)
    assert any(p.endswith(".atom") for p in shapes), "the feeds were not checked"
    assert any("notice" in p or "/notices/" in p for p in shapes), "no notice page was checked"
    for page, shape in expected.items():
        assert shapes[page] == shape, f"{page}: elements differ from the same page with harmless text"


def test_toc_shows_appendix_headings_as_text() -> None:
    """別紙※2's heading <UTMの設置・除去・訪問料金> is text in the TOC of the shipped content, not a tag."""
    from generator.compile.pipeline import compile_variant, load
    from generator.site.pages import terms_fragment
    from generator.site.plugin import table_of_contents

    doc = compile_variant(load(REPO), "hiroshima-cci")
    toc = table_of_contents(str(terms_fragment(doc)))
    titles = [item.title for link in toc for item in [link, *link.children]]
    assert any("&lt;UTMの設置・除去・訪問料金&gt;" in t for t in titles), titles
    assert not any("<" in t for t in titles), titles


def test_toc_of_hostile_heading_is_escaped() -> None:
    from generator.site.plugin import table_of_contents

    toc = table_of_contents('<h2 id="a">&lt;img src=x onerror=alert(1)&gt;<span class="k-sr">隠す</span></h2>')
    assert [link.title for link in toc] == ["&lt;img src=x onerror=alert(1)&gt;"]
