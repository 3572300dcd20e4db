"""The site's pages and files: URL scheme, page HTML (Jinja, autoescaped) and the files to publish.

Why HTML and not Markdown: the terms are kiyaku's own HTML fragment, and the tables around them
need ids, captions and scope attributes that Markdown cannot express. Each page is written from
its single <h1> down; mkdocs-material supplies the frame (header, navigation, search).

URLs are permanent: /<reseller>/ (terms in force), /<reseller>/editions/<N>/ (every released
edition), /<reseller>/notices/edition-<N>/ (the notice of edition N), /compare/, /notices/,
/feeds/<reseller>.xml and /feeds/all.xml. Links inside pages are relative, so the site works
under any path prefix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import partial

import jinja2
from markupsafe import Markup
from mkdocs.utils import get_relative_url

from . import atom, marks, matrix, search, sources
from ..compile.document import NumberedDocument
from ..render.html import render_fragment, stylesheet
from .content import Reseller, Site
from .downloads import Download
from .sources import Notice

STYLESHEET = "assets/kiyaku-site.css"
FEED_ALL = "notices.atom"  # where generator.changes.feeds' self links point (feed_path() for one reseller)
_HEADED_ID = re.compile(r'<(section|div) class="([^"]*)" id="([^"]*)">\s*<(h[1-6])((?: [^>]*)?)>')


@dataclass(frozen=True)
class PageSpec:
    url: str  # "" for home, "hiroshima-cci/" …
    title: str
    html: str  # from the <h1> down
    updated: dt.date  # sitemap lastmod: when this page's content last changed
    search: bool = True  # archived editions stay out of search (the edition in force is found)
    in_nav: bool = True  # editions and notices are reached from their reseller's page

    @property
    def src_uri(self) -> str:
        return f"{self.url}index.md"


def reseller_url(variant: str) -> str:
    return f"{variant}/"


def edition_url(variant: str, number: int) -> str:
    return f"{variant}/editions/{number}/"


def notice_url(variant: str, slug: str) -> str:
    return f"{variant}/notices/{slug}/"


def downloads_dir(variant: str, number: int | None = None) -> str:
    """The terms in force under /<v>/downloads/ (a stable "latest" URL); each edition under its own page."""
    return f"{variant}/downloads/" if number is None else f"{edition_url(variant, number)}downloads/"


def feed_path(variant: str) -> str:
    return f"{variant}/notices.atom"


@dataclass(frozen=True)
class NoticeFile:
    """The standalone notice (HTML/PDF/DOCX) where generator.changes.feeds links it: /<v>/notice-ed<N>.<ext>."""

    path: str
    format: str
    data: bytes

    @property
    def label(self) -> str:
        return {"html": "HTML（単独のページ）", "pdf": "PDF", "docx": "Word（DOCX）"}.get(self.format, self.format)

    @property
    def size_text(self) -> str:
        return Download(self.path, self.format, len(self.data), "", b"").size_text

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def notice_files(variant: str, notice: Notice) -> list[NoticeFile]:
    html = sources.notice_href(variant, notice.edition)
    stem = html[: -len(".html")] if html.endswith(".html") else html
    return [NoticeFile(f"{stem}.{fmt}", fmt, data) for fmt, data in notice.files.items()]


def terms_fragment(doc: NumberedDocument) -> Markup:
    """kiyaku's HTML under the page's h1, with each section's id moved onto its heading
    and the id `terms` on the title.

    mkdocs' table of contents and search index only see ids on headings; the ids themselves (and
    every <article>--<para> anchor) are unchanged, so links into the terms keep working.
    """
    html = render_fragment(doc, heading_level=2).replace('<h2 class="title">', '<h2 class="title" id="terms">', 1)
    return Markup(_HEADED_ID.sub(lambda m: f'<{m[1]} class="{m[2]}">\n<{m[4]} id="{m[3]}"{m[5]}>', html))


def _date(day: dt.date | None) -> Markup:
    if day is None:
        return Markup("—")
    return Markup('<time datetime="{}">{}年{}月{}日</time>').format(day.isoformat(), day.year, day.month, day.day)


NO_PREFECTURE = "都道府県の記載なし"


def resellers_by_prefecture(resellers: tuple[Reseller, ...]) -> list[tuple[str, list[Reseller]]]:
    """The home page's groups: prefectures in the official (north to south) order, then those without one."""
    from ..source.model import PREFECTURES

    order = {p: i for i, p in enumerate(PREFECTURES)}
    groups: dict[str, list[Reseller]] = {}
    for r in sorted(resellers, key=lambda r: (r.name, r.id)):
        groups.setdefault(r.prefecture or NO_PREFECTURE, []).append(r)
    return sorted(groups.items(), key=lambda g: order.get(g[0], len(order)))


def _pref_id(index: int) -> str:
    return f"pref-{index}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator.site", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = _date
    env.globals.update(reseller_url=reseller_url, edition_url=edition_url, notice_url=notice_url,
                       feed_path=feed_path, downloads_dir=downloads_dir, FEED_ALL=FEED_ALL, marks=marks, matrix=matrix,
                       resellers_by_prefecture=resellers_by_prefecture, pref_id=_pref_id)
    return env


_ENV = _environment()


def _render(template: str, here: str, **context: object) -> str:
    """One page body; `link(target)` gives the target's URL relative to this page."""
    link = partial(_link, here)
    return _ENV.get_template(template).render(here=here, link=link, **context)


def _link(here: str, target: str) -> str:
    url = get_relative_url(target or ".", here or ".")
    return url if not target.endswith("/") or url.endswith("/") else url + "/"


def _reseller_pages(site: Site, r: Reseller) -> list[PageSpec]:
    updated = max([r.current.doc.issued] + [n.announced for n in r.notices if n.announced <= site.today])
    pages = [PageSpec(reseller_url(r.id), f"{r.name}の利用規約",
                      _render("reseller.html.j2", reseller_url(r.id), site=site, r=r, view=r.current,
                              terms=terms_fragment(r.current.doc)), updated)]
    for view in r.editions:
        url = edition_url(r.id, view.number)
        pages.append(PageSpec(url, f"{r.name}の利用規約 第{view.number}版",
                              _render("edition.html.j2", url, site=site, r=r, view=view, terms=terms_fragment(view.doc)),
                              view.doc.issued, search=False, in_nav=False))
    for notice in r.notices:
        url = notice_url(r.id, notice.slug)
        pages.append(PageSpec(url, f"{r.name} 規約変更のお知らせ（第{notice.edition}版）",
                              _render("notice.html.j2", url, site=site, r=r, n=notice, notice_files=notice_files(r.id, notice)),
                              notice.announced, in_nav=False))
    return pages


def pages(site: Site) -> list[PageSpec]:
    """Every generated page (the static ones in docs_dir are mkdocs' own)."""
    last = site.last_change()
    out = [PageSpec("", "ホーム", _render("home.html.j2", "", site=site), last)]
    for r in site.resellers:
        out += _reseller_pages(site, r)
    names = {r.id: r.name for r in site.resellers}
    out.append(PageSpec("compare/", "販売店ごとの違い", _render("compare.html.j2", "compare/", site=site, names=names), last))
    out.append(PageSpec("notices/", "お知らせ一覧", _render("notices.html.j2", "notices/", site=site), last))
    return out


def _fallback_feed(site: Site, key: str, site_url: str) -> bytes:
    """Atom for `key` ("all" or a reseller id) when generator.changes.feeds is not available."""
    chosen = [(r, n) for r, n in site.notices if key in ("all", r.id)]
    path = FEED_ALL if key == "all" else feed_path(key)
    name = next((r.name for r in site.resellers if r.id == key), "全販売店")
    entries = [atom.Entry(f"{r.id}/{n.slug}", f"{r.name} 規約変更のお知らせ（第{n.edition}版）", n.announced,
                          site_url + notice_url(r.id, n.slug), f"{n.effective.isoformat()} 実施。{n.reason}") for r, n in chosen]
    return atom.feed(f"feed/{key}", f"規約変更のお知らせ（{name}）", site_url + path, site_url + ("" if key == "all" else reseller_url(key)),
                     site.last_change(), entries)


def _rebase(feed: bytes, path: str, site_url: str) -> bytes:
    """Without a site URL the feed's links are relative to the site root; xml:base says so for feeds below it.

    Atom resolves relative links against the feed's own URL (RFC 4287 §2, xml:base), so a feed at
    /<v>/notices.atom needs xml:base="../" for links written from the root.
    """
    depth = path.count("/")
    if site_url or not depth or b"xml:base=" in feed:
        return feed
    return feed.replace(b"<feed ", b'<feed xml:base="' + b"../" * depth + b'" ', 1)


def files(site: Site, site_url: str) -> dict[str, bytes]:
    """Every non-page file: downloads with their manifests, the feeds and the stylesheet."""
    out: dict[str, bytes] = {}
    for r in site.resellers:
        for view, folder in [(r.current, downloads_dir(r.id))] + [(e, downloads_dir(r.id, e.number)) for e in r.editions]:
            for d in view.bundle.files:
                out[folder + d.name] = d.data
            out[folder + "manifest.json"] = view.bundle.manifest
        for notice in r.notices:
            out.update({f.path: f.data for f in notice_files(r.id, notice)})
    for key, data in site.feeds.items():
        path = FEED_ALL if key == "all" else feed_path(key)
        out[path] = _rebase(data if data is not None else _fallback_feed(site, key, site_url), path, site_url)
    out[search.SCRIPT] = search.JAVASCRIPT.encode("utf-8")
    out[search.FILTER_SCRIPT] = search.FILTER_JAVASCRIPT.encode("utf-8")
    css = _ENV.get_template("site.css").render()
    out[STYLESHEET] = (stylesheet() + "\n" + css).encode("utf-8")
    return out
