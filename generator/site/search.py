"""The search index a visitor downloads: each clause text once, not once per reseller.

Why: mkdocs' search writes every section of every page into one search_index.json, which every
visitor who opens search downloads. With 500 resellers whose terms share most of their text that
was ~100 MB. Here the sections of the terms on reseller pages are merged when their text is the
same once the reseller's name and self-reference (本所/弊社) are replaced by placeholders (how the
comparison page compares them): the merged entry keeps the first reseller's location. Reseller
pages load assets/kiyaku-search.js, which sends a search result that points at the same article
of another reseller's page to the article on the page being read, so searching 反社会的勢力 on a
reseller's page still lands on that reseller's 第22条. The JSON is written as UTF-8, not \\uXXXX
escapes (half the bytes for Japanese).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import marks
from .matrix import NAME, SELF

# Sections of a reseller page that are the page's own, not its terms. The lead ("") names the
# reseller and is kept; the others are the same words on every page (or, for the history, found
# on the notice pages), so they are left out of the index.
PAGE_SECTIONS = frozenset({"", "downloads", "notices", "history", "terms"})
COMPARE = "compare/"  # its sections are every reseller's differing text again: only their titles are indexed
SCRIPT = "assets/kiyaku-search.js"
FILTER_SCRIPT = "assets/kiyaku-filter.js"
# Words spoken by screen readers around a marked difference: noise in a search snippet.
_MARKERS = re.compile("|".join(re.escape(w) for m in (marks.DIFFERENT, marks.CHANGED_NEW, marks.CHANGED_OLD)
                               for w in (m.start, m.end)))
# Items carry their own （1） labels: a list element in a snippet would number them a second time.
_LIST_TAGS = re.compile(r"</?(?:ol|ul|li)(?: [^>]*)?>")


def clean(text: str) -> str:
    """A snippet as a reader should see it: no screen-reader markers, no second numbering."""
    return _LIST_TAGS.sub("", _MARKERS.sub("", text))


@dataclass(frozen=True)
class Owner:
    """Whose terms a reseller page shows: the words replaced before texts are compared."""

    url: str  # "hiroshima-cci/"
    provider: str
    self_ref: str

    def neutral(self, text: str) -> str:
        return text.replace(self.provider, NAME).replace(self.self_ref, SELF)


def _owner(location: str, owners: dict[str, Owner]) -> tuple[Owner, str] | None:
    """(owner, anchor) when the entry is a section of the terms on a reseller page."""
    page, _, anchor = location.partition("#")
    owner = owners.get(page)
    if owner is None or anchor in PAGE_SECTIONS:
        return None
    return owner, anchor


def compact(index: dict, owners: dict[str, Owner]) -> dict:
    """The index with each (anchor, title, text) of the terms kept once, in placeholder form."""
    seen: set[tuple[str, str, str]] = set()
    docs = []
    for doc in index.get("docs", []):
        location = doc.get("location", "")
        doc = dict(doc, text=clean(doc.get("text", "")))
        if location.startswith(COMPARE + "#"):
            docs.append(dict(doc, text=""))
            continue
        page, _, anchor = location.partition("#")
        if page in owners and anchor in PAGE_SECTIONS:
            if not anchor:
                docs.append(doc)
            continue
        found = _owner(location, owners)
        if found is None:
            docs.append(doc)
            continue
        owner, anchor = found
        title, text = owner.neutral(doc.get("title", "")), owner.neutral(doc.get("text", ""))
        key = (anchor, title, text)
        if key in seen:
            continue
        seen.add(key)
        docs.append(dict(doc, title=title, text=text))
    return dict(index, docs=docs)


# The blocks of the terms on a reseller page: each closes before the next opens, so a block can be
# left out of what is parsed without changing how the rest is split into sections.
_BLOCK = re.compile(r'<section class="(?:article|supplementary|appendix)">')
_SECTION_TAG = re.compile(r"<(/?)section[\s>]")


def _blocks(html: str) -> list[tuple[int, int]]:
    """(start, end) of every top-level block of the terms, end after its </section>."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (start := _BLOCK.search(html, pos)) is not None:
        depth, end = 0, len(html)
        for tag in _SECTION_TAG.finditer(html, start.start()):
            depth += -1 if tag[1] else 1
            if depth == 0:
                end = html.index(">", tag.start()) + 1
                break
        spans.append((start.start(), end))
        pos = end
    return spans


def unseen(html: str, owner: Owner, seen: set[str]) -> str:
    """The page without the blocks of terms an earlier reseller page already had (in neutral form).

    Why: parsing every reseller page whole for the index took 30 ms a page (15 s at 500 resellers),
    and compact() then dropped nearly all of it as the same clause again. A block whose neutral HTML
    was seen gives the very entries compact() would drop, so it is not parsed at all.
    """
    kept, pos = [], 0
    for start, end in _blocks(html):
        key = owner.neutral(html[start:end])
        kept.append(html[pos:start])
        if key not in seen:
            seen.add(key)
            kept.append(html[start:end])
        pos = end
    kept.append(html[pos:])
    return "".join(kept)


def page_entries(html: str, url: str, title: str, owner: Owner, seen: set[str]) -> list[dict[str, str]]:
    """The search plugin's entries for a reseller page, made from its unseen blocks only.

    Made with mkdocs-material's own parser, as its search plugin would (section per heading with an
    id, `data-search-exclude` left out, the page title for an untitled first section).
    """
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(unseen(html, owner, seen))
    parser.close()
    entries = []
    for section in parser.data:
        if section.is_excluded():
            continue
        entries.append({"location": url + (f"#{section.id}" if section.id else ""),
                        "title": "".join(section.title).strip() if section.title else title,
                        "text": "".join(section.text).strip()})
    return entries


def rewrite(path: Path, owners: dict[str, Owner], extra: Sequence[dict[str, str]] = ()) -> None:
    """Rewrite search_index.json in place (after the search plugin wrote it), adding `extra` entries."""
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = list(index.get("docs", [])) + list(extra)
    data = json.dumps(compact(index, owners), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    path.write_text(data, encoding="utf-8")


JAVASCRIPT = """\
// kiyaku: a search result that points at an article of another reseller's terms opens the same
// article on this reseller's page (the index keeps each shared clause once: generator/site/search.py).
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.md-search-result__link");
  var here = document.querySelector("[data-kiyaku-reseller]");
  if (!link || !here) return;
  var target = new URL(link.href, location.href);
  var id = decodeURIComponent(target.hash.slice(1));
  var depth = function (path) { return path.replace(/\\/+$/, "").split("/").length; };
  if (!id || target.pathname === location.pathname || depth(target.pathname) !== depth(location.pathname)) return;
  var article = document.getElementById(id);
  if (!article || !article.closest("[data-kiyaku-terms]")) return;
  event.preventDefault();
  location.assign(location.pathname + target.search + target.hash);
}, true);
"""


FILTER_JAVASCRIPT = """\
// kiyaku: the home page's reseller list, filtered as one types part of a name or a prefecture.
// Without JavaScript the list is grouped by prefecture with links to each group (the box stays hidden).
(function () {
  var box = document.querySelector("input[data-kiyaku-filter]");
  if (!box) return;
  var root = document.getElementById(box.getAttribute("data-kiyaku-filter"));
  var count = document.getElementById("k-filter-count");
  box.closest(".k-filter").hidden = false;
  box.addEventListener("input", function () {
    var words = box.value.trim().split(/\\s+/).filter(Boolean);
    var shown = 0;
    root.querySelectorAll(".k-group").forEach(function (group) {
      var any = false;
      group.querySelectorAll("li[data-kiyaku-text]").forEach(function (item) {
        var text = item.getAttribute("data-kiyaku-text");
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        item.hidden = !match;
        if (match) { any = true; shown += 1; }
      });
      group.hidden = !any;
    });
    count.textContent = words.length ? shown + " 件" : "";
  });
})();
"""
