"""The mkdocs plugin `kiyaku`: generates every page and file of the site from the terms repository.

Why at build time, inside mkdocs: `mkdocs build` from a fresh clone must give the whole site
(no generated files are committed), and `mkdocs serve` must rebuild when legal staff save a
YAML file (the terms/, variants/, releases/ folders and errata.yaml are watched).

Events: on_files gathers the data (content.collect) and adds the pages as virtual Markdown files
with front matter only, plus the downloads, feeds and stylesheet; on_page_content swaps in the
page's HTML and its table of contents; each page's update_date (sitemap lastmod, and the mtime
in sitemap.xml.gz) is the date its content last changed, so two builds give identical bytes.
"""

from __future__ import annotations

import json
import logging
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from . import content, pages, search, sources
from ..source.errors import KiyakuError

log = logging.getLogger("mkdocs.plugins.kiyaku")
WATCHED = ("terms", "variants", "releases", "errata.yaml")
# Up to this many resellers are listed in the navigation of every page; beyond, the navigation
# would make every page (and the whole site) grow with N: the home page's grouped list finds them.
NAV_RESELLERS = 20


class KiyakuConfig(Config):
    root = c.Type(str, default=".")  # the terms repository, relative to mkdocs.yml
    today = c.Optional(c.Type(str))  # YYYY-MM-DD: pin the build date (tests, reproducible archives)
    preview = c.Optional(c.Type(bool))  # show the working tree; default: on under `mkdocs serve` only


class _Headings(HTMLParser):
    """(level, id, text) of every h2–h4 that has an id: the page's table of contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("h2", "h3", "h4") and values.get("id"):
            self._open, self._text = (int(tag[1]), values["id"] or ""), []
        elif self._open and "k-sr" in (values.get("class") or ""):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == f"h{self._open[0]}":
            self.found.append((self._open[0], self._open[1], "".join(self._text).strip()))
            self._open = None
        elif self._hidden and tag == "span":
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._open and not self._hidden:
            self._text.append(data)


_HEADING = re.compile(r"<h([2-4])[\s>].*?</h\1>", re.S)


def table_of_contents(html: str) -> TableOfContents:
    """h2 entries with their h3/h4 children, as mkdocs' toc extension would have made them.

    The theme prints a title as HTML, so each is the heading's text escaped again: the parser
    unescapes `&lt;UTM…&gt;` to the text "<UTM…>", which printed raw was a tag (the TOC showed
    only "※2", and a caption could carry <img onerror=…>). Tags inside a heading never reach it.
    """
    parser = _Headings()
    # Only the headings are parsed: the whole page (60 KB of terms) through HTMLParser cost 12 ms a
    # page. The HTML is kiyaku's own (every text in it escaped), so "<h2"…"</h2>" delimits a heading.
    parser.feed("".join(m[0] for m in _HEADING.finditer(html)))
    top: list[AnchorLink] = []
    for level, ident, title in parser.found:
        link = AnchorLink(escape(title, quote=True), escape(ident, quote=True), level)
        if level == 2 or not top:
            top.append(link)
        else:
            top[-1].children.append(link)
    return TableOfContents(top)


def _front_matter(spec: pages.PageSpec, indexed_by_kiyaku: bool) -> str:
    meta: dict[str, Any] = {"title": escape(spec.title, quote=True)}  # the theme prints titles as HTML
    if not spec.search or indexed_by_kiyaku:  # the search plugin skips it; kiyaku adds its entries
        meta["search"] = {"exclude": True}
    return "---\n" + json.dumps(meta, ensure_ascii=False) + "\n---\n"  # JSON is YAML: quoting is safe


def _download(config: MkDocsConfig, path: str, data: bytes) -> File:
    """A file published as is. A Markdown download (rendered/<v>/<v>.md) must not become a page:
    it gets a source name mkdocs does not read as Markdown and keeps its own name in the site."""
    if not path.endswith(".md"):
        return File.generated(config, path, content=data)
    file = File.generated(config, path + ".download", content=data)
    file.dest_uri = path  # cached_property: set before anything reads it
    return file


class KiyakuPlugin(BasePlugin[KiyakuConfig]):
    """See the module docstring; one instance lives for a whole `mkdocs serve` session."""

    def __init__(self) -> None:
        super().__init__()
        self._root = Path(".")
        self.serving = False
        self.cache: content.Cache = {}
        self.specs: dict[str, pages.PageSpec] = {}
        self.site: content.Site | None = None
        # Reseller pages are indexed here, not by the search plugin (search.page_entries says why)
        self.owners: dict[str, search.Owner] = {}
        self.search_seen: set[str] = set()
        self.search_entries: list[dict[str, str]] = []

    @property
    def root(self) -> Path:
        return self._root

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path or ".").resolve().parent
        self._root = (base / self.config.root).resolve()
        if pages.STYLESHEET not in config.extra_css:
            config.extra_css.append(pages.STYLESHEET)
        for script in (search.SCRIPT, search.FILTER_SCRIPT):
            if script not in config.extra_javascript:
                config.extra_javascript.append(script)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        preview = self.serving if self.config.preview is None else self.config.preview
        today = sources.build_date(self.config.today)
        site_url = config.site_url or ""
        site_url += "" if not site_url or site_url.endswith("/") else "/"
        try:
            self.site = content.collect(self._root, today, preview, self.cache, site_url)
            specs = pages.pages(self.site)
            extra = pages.files(self.site, site_url)
        except KiyakuError as exc:
            raise PluginError(self._explain(exc)) from None
        self.specs = {spec.src_uri: spec for spec in specs}
        self.owners = {pages.reseller_url(r.id): search.Owner(pages.reseller_url(r.id), r.current.doc.provider, r.current.doc.self_ref)
                       for r in self.site.resellers}
        self.search_seen, self.search_entries = set(), []
        # Every page's <head> (overrides/main.html) links the feed of all resellers only: one link per
        # reseller made every page O(N), and Material fetches <feed folder>/sitemap.xml for each
        # rel=alternate link (a 404 below the root). A reseller's own feed is linked on its page.
        # overrides/main.html escapes these (|e): they are text, not HTML
        config.extra["kiyaku_feeds"] = [{"title": "規約変更のお知らせ（全販売店）", "path": pages.FEED_ALL}]
        unlisted = set() if len(self.site.resellers) <= NAV_RESELLERS else {pages.reseller_url(r.id) for r in self.site.resellers}
        for spec in specs:
            level = InclusionLevel.INCLUDED if spec.in_nav and spec.url not in unlisted else InclusionLevel.NOT_IN_NAV
            front = _front_matter(spec, indexed_by_kiyaku=spec.url in self.owners)
            self._add(files, File.generated(config, spec.src_uri, content=front, inclusion=level))
        for path, data in sorted(extra.items()):
            self._add(files, _download(config, path, data))
        config.nav = self._nav(files)
        return files

    @staticmethod
    def _add(files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:  # a generated page wins over a stray file of the same name in docs_dir
            log.warning(f"kiyaku: docs_dir の {file.src_uri} は生成されるページと重なるため無視します。")
            files.remove(existing)
        files.append(file)

    def _nav(self, files: Files) -> list[Any]:
        """Home, one entry per reseller, comparison, notices, then the static pages of docs_dir."""
        assert self.site is not None
        nav: list[Any] = [{"ホーム": "index.md"}]
        if len(self.site.resellers) <= NAV_RESELLERS:
            # nav titles are printed as HTML by the theme: a reseller's name is text, so it is escaped here
            nav += [{escape(r.name, quote=True): pages.reseller_url(r.id) + "index.md"} for r in self.site.resellers]
        nav += [{"販売店ごとの違い": "compare/index.md"}, {"お知らせ一覧": "notices/index.md"}]
        static = sorted(f.src_uri for f in files.documentation_pages() if f.generated_by is None)
        return nav + static

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.site is not None
        spec = self.specs.get(page.file.src_uri)
        page.update_date = (spec.updated if spec else self.site.last_change()).isoformat()
        if spec is None:
            return html
        page.toc = table_of_contents(spec.html)
        owner = self.owners.get(spec.url)
        if owner is not None and spec.search:
            self.search_entries += search.page_entries(spec.html, page.url, escape(spec.title, quote=True), owner, self.search_seen)
        return spec.html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Shrink the search index the search plugin (listed before kiyaku) has just written."""
        if self.site is None:
            return
        search.rewrite(Path(config.site_dir) / "search" / "search_index.json", self.owners, self.search_entries)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        for name in WATCHED:
            if (self._root / name).exists():
                server.watch(str(self._root / name))
        return server

    @staticmethod
    def _explain(exc: KiyakuError) -> str:
        lines = [finding.format() for finding in exc.findings]
        return "kiyaku: 規約のソースに問題があるためサイトを作れません。\n" + "\n".join(lines)
