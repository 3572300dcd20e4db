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
import re
from dataclasses import dataclass
from functools import partial

import jinja2
from markupsafe import Markup
from mkdocs.utils import get_relative_url

from ..document import NumberedDocument
from ..render.html import render_fragment, stylesheet
from . import atom, marks, matrix
from .content import Reseller, Site

STYLESHEET = "assets/kiyaku-site.css"
FEED_ALL = "feeds/all.xml"
_HEADED_ID = re.compile(r'<(section|div) class="([^"]*)" id="([^"]*)">\s*<(h[1-6])((?: [^>]*)?)>')


@dataclass(frozen=True)
class PageSpec:
    url: str  # "" for home, "hiroshima-cci/" …
    title: str
    html: str  # from the <h1> down
    updated: dt.date  # sitemap lastmod: when this page's content last changed
    search: bool = True  # archived editions stay out of search (the edition in force is found)

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
    return f"feeds/{variant}.xml"


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


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator.site", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = _date
    env.globals.update(reseller_url=reseller_url, edition_url=edition_url, notice_url=notice_url,
                       feed_path=feed_path, downloads_dir=downloads_dir, FEED_ALL=FEED_ALL, marks=marks, matrix=matrix)
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
                              view.doc.issued, search=False))
    for notice in r.notices:
        url = notice_url(r.id, notice.slug)
        pages.append(PageSpec(url, f"{r.name} 規約変更のお知らせ（第{notice.edition}版）",
                              _render("notice.html.j2", url, site=site, r=r, n=notice, body=Markup(notice.body_html)),
                              notice.announced))
    return pages


def pages(site: Site) -> list[PageSpec]:
    """Every generated page (the static ones in docs_dir are mkdocs' own)."""
    last = site.last_change()
    out = [PageSpec("", "ホーム", _render("home.html.j2", "", site=site), last)]
    for r in site.resellers:
        out += _reseller_pages(site, r)
    out.append(PageSpec("compare/", "販売店ごとの違い", _render("compare.html.j2", "compare/", site=site), last))
    out.append(PageSpec("notices/", "お知らせ一覧", _render("notices.html.j2", "notices/", site=site), last))
    return out


def _fallback_feed(site: Site, key: str, site_url: str | None) -> bytes:
    """Atom for `key` ("all" or a reseller id) when generator.feeds does not provide one."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    chosen = [(r, n) for r, n in site.notices if key in ("all", r.id)]
    path = FEED_ALL if key == "all" else feed_path(key)
    name = next((r.name for r in site.resellers if r.id == key), "全販売店")
    entries = [atom.Entry(f"{r.id}/{n.slug}", f"{r.name} 規約変更のお知らせ（第{n.edition}版）", n.announced,
                          (base or "../") + notice_url(r.id, n.slug), f"{n.effective.isoformat()} 実施。{n.reason}")
               for r, n in chosen]
    page = "" if key == "all" else reseller_url(key)
    return atom.feed(f"feed/{key}", f"{site.title}（{name}）の変更のお知らせ", (base or "../") + path,
                     (base or "../") + page, site.last_change(), entries)


def files(site: Site, site_url: str | None) -> dict[str, bytes]:
    """Every non-page file: downloads with their manifests, the feeds and the stylesheet."""
    out: dict[str, bytes] = {}
    for r in site.resellers:
        for view, folder in [(r.current, downloads_dir(r.id))] + [(e, downloads_dir(r.id, e.number)) for e in r.editions]:
            for d in view.bundle.files:
                out[folder + d.name] = d.data
            out[folder + "manifest.json"] = view.bundle.manifest
    for key, data in site.feeds.items():
        out[FEED_ALL if key == "all" else feed_path(key)] = data or _fallback_feed(site, key, site_url)
    css = _ENV.get_template("site.css").render()
    out[STYLESHEET] = (stylesheet() + "\n" + css).encode("utf-8")
    return out
