"""The site's pages and files (generator/site/pages.py), in process so mutation testing sees them.

A released repository (the mini fixture: alpha 第1版 and a fee change released as 第2版, in force
on the build date 2027-01-15; beta 第7版) is gathered once (content.collect) and every page and
file the site publishes is checked against the rule it follows: permanent URLs, each edition's
page listing its own files, what search and navigation include, the date each page last changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from generator.site import pages
from generator.site.content import Site

BUILD_DAY = dt.date(2027, 1, 15)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    from release_repo import FIXED, TODAY, change_fee, make_repo

    from generator.changes.release import release
    from generator.site import content

    mp = pytest.MonkeyPatch()
    mp.setenv("GIT_AUTHOR_DATE", FIXED)
    mp.setenv("GIT_COMMITTER_DATE", FIXED)
    try:
        root = make_repo(tmp_path_factory.mktemp("pages"))
        release(root, None, baseline=True, today=TODAY)
        change_fee(root)
        release(root, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
        return content.collect(root, BUILD_DAY, False, {}, "")
    finally:
        mp.undo()


@pytest.fixture  # per test: mutmut ties a function only to the test whose setup first called it
def specs(site: Site) -> dict[str, pages.PageSpec]:
    return {s.url: s for s in pages.pages(site)}


def test_urls_are_the_permanent_scheme() -> None:
    assert pages.reseller_url("alpha") == "alpha/"
    assert pages.edition_url("alpha", 3) == "alpha/editions/3/"
    assert pages.notice_url("alpha", "edition-2") == "alpha/notices/edition-2/"
    assert pages.downloads_dir("alpha") == "alpha/downloads/"
    assert pages.downloads_dir("alpha", 2) == "alpha/editions/2/downloads/"
    assert pages.feed_path("alpha") == "alpha/notices.atom"
    assert pages.PageSpec("alpha/editions/2/", "t", "", BUILD_DAY).src_uri == "alpha/editions/2/index.md"
    assert pages.PageSpec("", "t", "", BUILD_DAY).src_uri == "index.md"


@pytest.mark.parametrize(("here", "target", "link"), [
    ("", "alpha/", "alpha/"),
    ("alpha/", "", ".."),  # the home page: ".." from /alpha/ is /
    ("alpha/editions/1/", "alpha/downloads/", "../../downloads/"),
    ("alpha/notices/edition-2/", "alpha/editions/2/", "../../editions/2/"),
    ("alpha/", "alpha/notices.atom", "notices.atom"),
    ("compare/", "beta/", "../beta/"),
], ids=["home-to-reseller", "reseller-to-home", "edition-to-downloads", "notice-to-edition", "feed", "compare-to-reseller"])
def test_links_are_relative_to_the_page(here: str, target: str, link: str) -> None:
    assert pages._link(here, target) == link


def test_dates_are_printed_as_the_sources_print_them() -> None:
    assert str(pages._date(dt.date(2027, 1, 5))) == '<time datetime="2027-01-05">2027年1月5日</time>'
    assert str(pages._date(None)) == "—"


def test_every_page_with_its_title_and_place(specs: dict[str, pages.PageSpec]) -> None:
    assert list(specs) == ["", "alpha/", "alpha/editions/1/", "alpha/editions/2/", "alpha/notices/edition-2/",
                           "beta/", "beta/editions/7/", "compare/", "notices/"]
    titles = {url: (s.title, s.search, s.in_nav) for url, s in specs.items()}
    assert titles == {
        "": ("ホーム", True, True),
        "alpha/": ("アルファ商工会議所の利用規約", True, True),
        "alpha/editions/1/": ("アルファ商工会議所の利用規約 第1版", False, False),  # archived: found through the page in force
        "alpha/editions/2/": ("アルファ商工会議所の利用規約 第2版", False, False),
        "alpha/notices/edition-2/": ("アルファ商工会議所 規約変更のお知らせ（第2版）", True, False),
        "beta/": (titles["beta/"][0], True, True),
        "beta/editions/7/": (titles["beta/"][0] + " 第7版", False, False),
        "compare/": ("販売店ごとの違い", True, True),
        "notices/": ("お知らせ一覧", True, True),
    }
    assert titles["beta/"][0].endswith("の利用規約")


def test_each_page_says_when_its_content_last_changed(site: Site, specs: dict[str, pages.PageSpec]) -> None:
    alpha = next(r for r in site.resellers if r.id == "alpha")
    notice = alpha.notice_for(2)
    assert notice is not None and notice.announced <= BUILD_DAY
    assert specs["alpha/"].updated == max(alpha.current.doc.issued, notice.announced)
    assert specs["alpha/editions/1/"].updated == alpha.editions[0].doc.issued
    assert specs["alpha/editions/2/"].updated == alpha.editions[1].doc.issued
    assert specs["alpha/notices/edition-2/"].updated == notice.announced
    for url in ("", "compare/", "notices/"):
        assert specs[url].updated == site.last_change()
    assert site.last_change() <= BUILD_DAY


def _listed(html: str) -> set[str]:
    return set(re.findall(r'<code class="k-sha">([0-9a-f]{64})</code>', html))


def test_each_edition_page_lists_its_own_files(site: Site, specs: dict[str, pages.PageSpec]) -> None:
    alpha = next(r for r in site.resellers if r.id == "alpha")
    first, second = alpha.editions
    assert alpha.current.number == 2 and "88,000" in specs["alpha/"].html  # 第2版 is in force on the build day
    for view, url in ((first, "alpha/editions/1/"), (second, "alpha/editions/2/")):
        own = {f.sha256 for f in view.bundle.files}
        assert _listed(specs[url].html) == own
        for f in view.bundle.files:
            assert f'href="downloads/{f.name}"' in specs[url].html
    assert not _listed(specs["alpha/editions/1/"].html) & {f.sha256 for f in second.bundle.files}
    assert _listed(specs["alpha/"].html) == {f.sha256 for f in alpha.current.bundle.files}
    assert "79,200" in specs["alpha/editions/1/"].html and "88,000" in specs["alpha/editions/2/"].html


def test_the_files_are_each_editions_own_bytes_where_its_page_links_them(site: Site) -> None:
    files = pages.files(site, "")
    for r in site.resellers:
        for view, folder in [(r.current, f"{r.id}/downloads/")] + [(e, f"{r.id}/editions/{e.number}/downloads/") for e in r.editions]:
            manifest = json.loads(files[folder + "manifest.json"])
            assert files[folder + "manifest.json"] == view.bundle.manifest
            assert sorted(manifest["files"]) == sorted(f.name for f in view.bundle.files)
            for f in view.bundle.files:
                assert files[folder + f.name] == f.data
                assert hashlib.sha256(f.data).hexdigest() == manifest["files"][f.name]["sha256"]
    notice = next(r for r in site.resellers if r.id == "alpha").notice_for(2)
    for fmt in ("html", "pdf", "docx"):
        assert files[f"alpha/notice-ed2.{fmt}"] == notice.files[fmt]
    assert {"notices.atom", "alpha/notices.atom", "beta/notices.atom"} <= set(files)
    for key, data in site.feeds.items():
        path = pages.FEED_ALL if key == "all" else pages.feed_path(key)
        assert data is not None and files[path] == pages._rebase(data, path, "") and files[path].startswith(b"<?xml")
    assert b'xml:base="../"' in files["alpha/notices.atom"]
    assert files[pages.search.SCRIPT] == pages.search.JAVASCRIPT.encode("utf-8")
    assert files[pages.search.FILTER_SCRIPT] == pages.search.FILTER_JAVASCRIPT.encode("utf-8")
    css = files[pages.STYLESHEET].decode("utf-8")
    assert css.startswith(pages.stylesheet() + "\n") and ".k-sr {" in css


def test_notice_files_are_named_by_edition_with_their_size_and_digest(site: Site) -> None:
    notice = next(r for r in site.resellers if r.id == "alpha").notice_for(2)
    made = pages.notice_files("alpha", notice)
    assert [(f.path, f.format) for f in made] == [(f"alpha/notice-ed2.{fmt}", fmt) for fmt in notice.files]
    assert {f.format for f in made} == {"html", "pdf", "docx"}
    for f in made:
        assert f.data == notice.files[f.format] and f.sha256 == hashlib.sha256(f.data).hexdigest()
        assert f.size_text.endswith(f"（{len(f.data):,} バイト）")
    labels = {f.format: f.label for f in made}
    assert labels == {"html": "HTML（単独のページ）", "pdf": "PDF", "docx": "Word（DOCX）"}
    assert pages.NoticeFile("a/x.epub", "epub", b"").label == "epub"


@pytest.mark.parametrize(("path", "site_url", "feed", "expected"), [
    ("alpha/notices.atom", "", b'<feed xmlns="a">', b'<feed xml:base="../" xmlns="a">'),
    ("a/b/notices.atom", "", b'<feed xmlns="a"><feed >', b'<feed xml:base="../../" xmlns="a"><feed >'),
    ("notices.atom", "", b'<feed xmlns="a">', b'<feed xmlns="a">'),  # at the root: links are already relative to it
    ("alpha/notices.atom", "https://example.jp/", b'<feed xmlns="a">', b'<feed xmlns="a">'),  # absolute links
    ("alpha/notices.atom", "", b'<feed xml:base="x" xmlns="a">', b'<feed xml:base="x" xmlns="a">'),
], ids=["one-level", "two-levels", "root", "site-url", "has-base"])
def test_feeds_below_the_root_resolve_their_links_from_the_root(path: str, site_url: str, feed: bytes, expected: bytes) -> None:
    assert pages._rebase(feed, path, site_url) == expected


def test_terms_headings_carry_the_ids_and_the_title_is_terms(site: Site) -> None:
    doc = next(r for r in site.resellers if r.id == "alpha").current.doc
    html = str(pages.terms_fragment(doc))
    assert html.count('id="terms"') == 1 and '<h2 class="title" id="terms">' in html
    from generator.render.html import render_fragment

    raw = render_fragment(doc, heading_level=2)
    head, _, rest = html.partition('<h2 class="title" id="terms">')
    raw_head, _, raw_rest = raw.partition('<h2 class="title">')
    assert head == raw_head and rest.split("</h2>", 1)[0] == raw_rest.split("</h2>", 1)[0]  # only the id is added
    article = doc.articles[0]
    assert re.search(rf'<section class="article">\n<h3 id="{article.anchor}"', html)
    assert not re.search(r'<section class="[^"]*" id=', html)  # every section's id moved onto its heading


def test_home_groups_prefectures_north_to_south_then_the_rest() -> None:
    from types import SimpleNamespace as R

    resellers = (R(name="い", id="c", prefecture="沖縄県"), R(name="あ", id="b", prefecture=None),
                 R(name="う", id="a", prefecture="北海道"), R(name="あ", id="d", prefecture="沖縄県"),
                 R(name="え", id="e", prefecture="東京都"), R(name="お", id="f", prefecture="青森県"))
    groups = pages.resellers_by_prefecture(resellers)
    # the official order (青森県 second), not the order of the characters (青 sorts after 都)
    assert [(p, [r.id for r in rs]) for p, rs in groups] == [
        ("北海道", ["a"]), ("青森県", ["f"]), ("東京都", ["e"]), ("沖縄県", ["d", "c"]), (pages.NO_PREFECTURE, ["b"])]
    assert pages._pref_id(3) == "pref-3"


def test_a_released_repository_builds_pages_from_records_not_the_working_tree(site: Site, tmp_path: Path) -> None:
    beta = next(r for r in site.resellers if r.id == "beta")
    assert [e.number for e in beta.editions] == [7] and beta.current.status == "in-force"
    assert not beta.notices  # a baseline has no notice


def test_the_page_environment_escapes_fails_on_unknown_names_and_offers_the_url_helpers() -> None:
    """Built anew here: the module's environment exists before a test can change anything."""
    import jinja2

    env = pages._environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined
    assert env.trim_blocks is True and env.lstrip_blocks is True
    assert env.filters["date"] is pages._date
    assert {k: env.globals[k] for k in ("reseller_url", "edition_url", "notice_url", "feed_path", "downloads_dir", "FEED_ALL",
                                        "marks", "matrix", "resellers_by_prefecture", "pref_id")} == {
        "reseller_url": pages.reseller_url, "edition_url": pages.edition_url, "notice_url": pages.notice_url,
        "feed_path": pages.feed_path, "downloads_dir": pages.downloads_dir, "FEED_ALL": pages.FEED_ALL,
        "marks": pages.marks, "matrix": pages.matrix, "resellers_by_prefecture": pages.resellers_by_prefecture,
        "pref_id": pages._pref_id}
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{% if 1 %}\n  a\n{% endif %}\n").render() == "  a\n"  # trim_blocks
    assert env.from_string("  {% if 1 %}\nb\n  {% endif %}\n").render() == "b\n"  # lstrip_blocks
    assert "k-" in env.get_template("site.css").render()  # the site's own templates
