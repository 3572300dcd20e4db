"""The public website (mkdocs + the kiyaku plugin): structure, links, search, downloads, determinism.

Two sites are built once for the module: the repository's own content (as a fresh clone builds
it), and a temporary git copy with releases of hiroshima-cci (a past edition, the one in force,
one announced) so that history, notices and feeds have something to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from site_fixtures import REPO, SOURCES, mkdocs_build, pin_today, release_repo

pytestmark = pytest.mark.slow
RESELLERS = ("hiroshima-cci", "itsupport-joto")


def _fingerprint(root: Path) -> str:
    """The inputs of a build: sources, site config, kiyaku's code and the commit (manifests record it)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout
    digest = hashlib.sha256(head.encode())
    for name in SOURCES + ("releases", "mkdocs.yml", "docs/site", "overrides", "generator"):
        base = root / name
        for path in sorted([base] if base.is_file() else base.rglob("*") if base.is_dir() else []):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    before = _fingerprint(REPO)
    result = mkdocs_build(REPO / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    out.joinpath(".fingerprint").write_text(before)  # not a site file: tests skip dot files
    return out


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, dt.date]:
    """(built site, build date) of a copy of the repository with three hiroshima-cci editions."""
    from generator.site.sources import build_date

    today = build_date()
    root = release_repo(tmp_path_factory.mktemp("repo") / "repo", today)
    pin_today(root / "mkdocs.yml", today)
    out = tmp_path_factory.mktemp("released") / "site"
    result = mkdocs_build(root / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    return out, today


def _html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "/downloads/" not in p.as_posix() and not p.name.startswith("."))


class _Page(HTMLParser):
    """What the tests read from a page: lang, headings, ids, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.feeds: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"] or "")
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key] or "")
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/atom+xml":
            self.feeds.append(a.get("href") or "")


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _target(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    """The file a relative link points to (and its fragment), or None for external links."""
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        return None
    base = "/" + page.relative_to(site).as_posix()
    resolved = urlsplit(urljoin(base, link))
    path = unquote(resolved.path).lstrip("/")
    target = site / path
    if path == "" or path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, resolved.fragment


@pytest.mark.parametrize("which", ["site", "released"])
def test_every_page_is_japanese_with_one_h1_and_ordered_headings(which: str, request) -> None:
    built = request.getfixturevalue(which)
    built = built[0] if isinstance(built, tuple) else built
    pages = _html_files(built)
    assert len(pages) >= 6
    for path in pages:
        page = _parse(path)
        name = path.relative_to(built)
        assert page.lang == "ja", name
        assert page.headings.count(1) == 1 and page.headings[0] == 1, (name, page.headings)
        for before, after in zip(page.headings, page.headings[1:]):
            assert after <= before + 1, f"{name}: h{before} → h{after}"


@pytest.mark.parametrize("which", ["site", "released"])
def test_no_broken_internal_links_or_missing_assets(which: str, request) -> None:
    built = request.getfixturevalue(which)
    built = built[0] if isinstance(built, tuple) else built
    parsed = {p: _parse(p) for p in _html_files(built)}
    broken = []
    checked = 0
    for path, page in parsed.items():
        for link in page.links:
            found = _target(built, path, link)
            if found is None:
                continue
            target, fragment = found
            checked += 1
            if not target.is_file():
                broken.append(f"{path.relative_to(built)} → {link} (no file)")
            elif fragment and target.suffix == ".html":
                ids = (parsed.get(target) or _parse(target)).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{path.relative_to(built)} → {link} (no id)")
    assert checked > 100
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("which", ["site", "released"])
def test_feeds_are_linked_from_every_page_and_their_links_resolve(which: str, request) -> None:
    built = request.getfixturevalue(which)
    built = built[0] if isinstance(built, tuple) else built
    expected = {"notices.atom"} | {f"{v}/notices.atom" for v in RESELLERS}
    for path in _html_files(built):
        if re.fullmatch(r"notice-ed\d+\.html", path.name):
            continue  # the standalone notice (generator.changes.notice_render), published where the feeds link it
        page = _parse(path)
        targets = {_target(built, path, href)[0].relative_to(built).as_posix() for href in page.feeds}
        # <head> links the feed of all resellers only: a link per reseller made every page grow with N,
        # and the theme fetched <feed folder>/sitemap.xml for each (a 404)
        assert targets == {"notices.atom"}, path
    for variant in RESELLERS:
        html = (built / variant / "index.html").read_text(encoding="utf-8")
        assert 'href="notices.atom" type="application/atom+xml"' in html  # its own feed, in the page
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for name in expected:
        feed_path = built / name
        root = ET.fromstring(feed_path.read_bytes())
        base = root.get("{http://www.w3.org/XML/1998/namespace}base") or ""
        for link in root.iterfind(".//a:entry/a:link", ns):
            url = urljoin("/" + name, base + link.get("href", ""))
            assert (built / url.lstrip("/")).is_file(), (name, url)


def test_search_index_finds_the_clause_in_article_22_for_both_resellers(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["ja"]
    separator = re.compile(index["config"]["separator"])
    assert separator.split("反社会的勢力、暴力団。お客様")[:2] == ["反社会的勢力", "暴力団"]
    for variant in RESELLERS:
        hits = [d for d in index["docs"] if "反社会的勢力" in d["text"]]
        article = [d for d in hits if d["location"] == f"{variant}/#antisocial-forces"]
        assert article, f"{variant}: {[d['location'] for d in hits]}"
        assert article[0]["title"].startswith("第22条")
    assert not any("/editions/" in d["location"] for d in index["docs"])  # archived editions are not searched


def test_downloads_match_their_manifest_and_the_page(site: Path) -> None:
    for variant in RESELLERS:
        folder = site / variant / "downloads"
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert {e["format"] for e in manifest["files"].values()} >= {"html", "txt"}
        page = (site / variant / "index.html").read_text(encoding="utf-8")
        for name, entry in manifest["files"].items():
            data = (folder / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
            assert entry["sha256"] in page and f"{entry['size']:,} バイト" in page
            assert f'href="downloads/{name}"' in page


def test_terms_are_kiyakus_own_html_with_an_anchor_per_article(site: Path) -> None:
    from generator.compile.pipeline import compile_variant, load

    project = load(REPO)
    for variant in RESELLERS:
        doc = compile_variant(project, variant)
        page = (site / variant / "index.html").read_text(encoding="utf-8")
        assert page.count('<div class="kiyaku-terms" lang="ja">') == 1
        for article in doc.articles:
            assert f'id="{article.anchor}"' in page
            assert f'<h3 id="{article.anchor}" class="article-heading">' in page
        assert 'class="item" id="antisocial-forces--representations--membership"' in page
        assert page.count('<h2 class="title" id="terms">') == 1


def test_comparison_matrix_links_every_article_and_explains_differences(site: Path) -> None:
    page = (site / "compare" / "index.html").read_text(encoding="utf-8")
    for variant in RESELLERS:
        assert f'href="../{variant}/#fees"' in page and f'href="../{variant}/#purpose"' in page
    row = re.search(r'<tr class="k-differs">\s*<th scope="row">本サービスの利用料金、支払方法、利用期間</th>', page)
    assert row and 'href="#diff-fees"' in page and 'id="diff-fees"' in page
    assert re.search(r'<tr class="k-same">\s*<th scope="row">目的</th>', page)
    assert '<mark class="k-diff"><span class="k-sr">［相違箇所］</span>' in page
    assert "〔自称〕" in page and "弊社" not in page.split('id="details"')[1].split("</article>")[0]


def test_shipped_site_shows_the_baseline_editions_and_no_notices(site: Path) -> None:
    """The shipped repository records each reseller's baseline edition and has announced no change."""
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "お知らせはありません" in home
    for variant, edition in (("hiroshima-cci", 1), ("itsupport-joto", 7)):
        page = (site / variant / "index.html").read_text(encoding="utf-8")
        assert "お知らせはありません" in page
        assert f"第{edition}版" in page and (site / variant / "editions" / str(edition) / "index.html").is_file()


def test_history_in_force_announced_and_permanent_edition_pages(released) -> None:
    site, today = released
    home = (site / "index.html").read_text(encoding="utf-8")
    page = (site / "hiroshima-cci" / "index.html").read_text(encoding="utf-8")
    from generator.history._calendar import earliest_effective

    days = (earliest_effective(today, 30) - today).days
    as_of = f'<time datetime="{today.isoformat()}">{today.year}年{today.month}月{today.day}日</time>現在、あと{days}日'
    assert as_of in home and as_of in page  # a relative time says the day it was computed
    assert "82,500円" in page and "79,200円" not in page  # 第2版 is in force, not the working tree's 第3版
    for number, fee in ((1, "79,200円"), (2, "82,500円"), (3, "82,500円")):
        edition = site / "hiroshima-cci" / "editions" / str(number)
        text = (edition / "index.html").read_text(encoding="utf-8")
        assert f"第{number}版" in text and fee in text
        manifest = json.loads((edition / "downloads" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["edition"] == number
        for name, entry in manifest["files"].items():
            assert hashlib.sha256((edition / "downloads" / name).read_bytes()).hexdigest() == entry["sha256"]
            # the page lists this edition's own files, not the edition in force
            assert entry["sha256"] in text and f"{entry['size']:,} バイト" in text and f'href="downloads/{name}"' in text
        listed = set(re.findall(r'<code class="k-sha">([0-9a-f]{64})</code>', text))
        assert listed == {e["sha256"] for e in manifest["files"].values()}
    in_force = json.loads((site / "hiroshima-cci" / "downloads" / "manifest.json").read_text(encoding="utf-8"))
    first = (site / "hiroshima-cci" / "editions" / "1" / "index.html").read_text(encoding="utf-8")
    assert not {e["sha256"] for e in in_force["files"].values()} & set(re.findall(r"[0-9a-f]{64}", first))
    assert "暴力団関係企業・関係団体" in (site / "hiroshima-cci/editions/3/index.html").read_text(encoding="utf-8")


def test_notice_marks_changes_by_more_than_colour_and_links_into_the_articles(released) -> None:
    site, _ = released
    notice = (site / "hiroshima-cci" / "notices" / "edition-2" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<ins class="k-chg"><span class="k-sr">［変更箇所］</span>[^<]*82,500[^<]*<span class="k-sr">［ここまで］</span></ins>', notice)
    assert re.search(r'<del class="k-chg"><span class="k-sr">［変更前の箇所］</span>[^<]*79,200', notice)
    assert 'href="../../editions/2/#fees"' in notice
    added = (site / "hiroshima-cci" / "notices" / "edition-3" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<td>[^<]*（新設）</td>", added)  # the 変更前 column of the new paragraph
    assert re.search(r'<ins class="k-chg"><span class="k-sr">［変更箇所］</span>お客様は、第1項各号のいずれかに該当したとき', added)
    assert 'href="../../editions/3/#antisocial-forces--report"' in added
    css = (site / "assets" / "kiyaku-site.css").read_text(encoding="utf-8")
    assert re.search(r"ins\.k-chg[^{]*\{[^}]*text-decoration: underline", css)
    assert ".k-sr {" in css


_AS_OF = (re.compile(r'<time datetime="\d{4}-\d{2}-\d{2}">\d{4}年\d{1,2}月\d{1,2}日</time>現在'.encode()),
          re.compile(r"\d{4}年\d{1,2}月\d{1,2}日現在".encode("ascii", "backslashreplace").replace(rb"\u", rb"\\u")),
          re.compile(r"\d{4}年\d{1,2}月\d{1,2}日現在".encode()))  # the search index is UTF-8 JSON since issue 14


def _undated(data: bytes) -> bytes:
    """The one thing allowed to follow the clock: the home page's 「YYYY年M月D日現在」 (HTML and search index)."""
    for pattern in _AS_OF:
        data = pattern.sub(b"<as-of>", data)
    return data


def test_building_twice_gives_identical_files(site: Path, tmp_path: Path) -> None:
    # another process, one day later: the shipped site announces nothing, so nothing may depend on the date
    again = tmp_path / "again"
    result = mkdocs_build(REPO / "mkdocs.yml", again, days_later=1)
    assert result.returncode == 0, result.stderr
    if _fingerprint(REPO) != (site / ".fingerprint").read_text():
        pytest.skip("the sources changed between the two builds (someone is editing the working tree)")
    first = {p.relative_to(site).as_posix(): _undated(p.read_bytes()) for p in site.rglob("*") if p.is_file() and not p.name.startswith(".")}
    second = {p.relative_to(again).as_posix(): _undated(p.read_bytes()) for p in again.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, differing


def test_source_errors_stop_the_build_with_positions(tmp_path: Path) -> None:
    """Outside git and without releases the site builds; a broken clause stops it with file:line."""
    import shutil

    from site_fixtures import SITE_CONFIG

    for name in SOURCES + SITE_CONFIG:
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    assert mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "ok").returncode == 0
    clause = tmp_path / "terms" / "purpose.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("caption:", "captoin:", 1), encoding="utf-8")
    result = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "broken")
    assert result.returncode != 0
    assert "kiyaku: 規約のソースに問題があるためサイトを作れません。" in result.stderr
    assert "terms/purpose.yaml:" in result.stderr and "Traceback" not in result.stderr


def test_units_marks_matrix_toc_and_feed_base() -> None:
    from generator.site import marks, matrix, pages, plugin

    rows = marks.aligned("一\n二\n三", "一\n二つ\n三\n四")
    assert rows[0] == (marks.ELIDED, marks.ELIDED)
    assert '<mark class="k-diff"><span class="k-sr">［相違箇所］</span>つ<span class="k-sr">［ここまで］</span></mark>' in rows[1][1]
    assert rows[-1][0] == marks.NONE and "四" in rows[-1][1]
    assert marks.changed_count(marks.char_diff("年間79,200円", "年間82,500円")) == 1
    escaped = marks.pieces([{"text": "<b>", "changed": True}], marks.CHANGED_NEW)
    assert "&lt;b&gt;" in escaped and "<b>" not in escaped
    toc = plugin.table_of_contents('<h2 id="a">A<span class="k-sr">隠</span></h2><h3 id="b">B</h3><h2>no id</h2><h2 id="c">C</h2>')
    assert [(t.title, t.id, [c.id for c in t.children]) for t in toc] == [("A", "a", ["b"]), ("C", "c", [])]
    feed = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    assert b'<feed xml:base="../" xmlns' in pages._rebase(feed, "hiroshima-cci/notices.atom", "")
    assert pages._rebase(feed, "notices.atom", "") == feed
    assert pages._rebase(feed, "hiroshima-cci/notices.atom", "https://example.jp/") == feed
    assert matrix.SELF in matrix.normalise("弊社は", type("D", (), {"provider": "アイティサポート城東株式会社", "self_ref": "弊社"})())


def test_serve_watches_the_sources() -> None:
    from generator.site.plugin import KiyakuPlugin

    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    plugin = KiyakuPlugin()
    plugin._root = REPO
    server = Server()
    plugin.on_serve(server, config=None, builder=None)
    assert {Path(p).name for p in server.watched} >= {"terms", "variants", "errata.yaml"}
