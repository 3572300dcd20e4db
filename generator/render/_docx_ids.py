"""Stable, invisible ids in rendered DOCX: one hidden bookmark per article heading, text block, item,
appendix line and table cell, so that `kiyaku apply` can map a Word file edited by legal staff back
to the YAML unit it came from, and `kiyaku redline` can pair old and new paragraphs.

Why bookmarks and not content controls: Word keeps a bookmark when text inside it is edited, and
LibreOffice keeps bookmarks through open/save (tests/test_word.py measures it); content controls
(w:sdt) are flattened by LibreOffice 7.x. A name that starts with "_" is a hidden bookmark in Word
(not listed in Insert → Bookmark), and Word limits names to 40 characters, so the name is a short
hash of the unit's key; readers map names back with the keys of the current sources (slots()).

The ids are added after the template is rendered, by matching each expected unit's text against the
paragraphs in document order, so a reseller's own template (letterhead) gets them too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from docx.oxml.ns import qn

from ..compile.document import NItem, NumberedDocument

PREFIX = "_kiyaku_"


@dataclass(frozen=True)
class Slot:
    """One paragraph (or table cell) of a rendered document and the unit it shows."""

    key: str  # stable across renumbering: id path + part, e.g. "fees.amount/0", "fees#caption"
    text: str  # the unit's own text, as rendered
    label: str = ""  # printed before the text in the same paragraph (「1.」「（1）」), followed by a tab


def bookmark_name(key: str) -> str:
    return PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _items(items: tuple[NItem, ...]) -> list[Slot]:
    out = []
    for item in items:
        for i, block in enumerate(item.blocks):
            out.append(Slot(f"{item.path}/{i}", block, item.label if i == 0 else ""))
    return out


def slots(doc: NumberedDocument) -> list[Slot]:
    """Every unit in the order the template prints them (cover, articles, 附則, 別紙)."""
    out = [Slot("#service", doc.service), Slot("#subtitle", doc.subtitle), Slot("#cover", doc.cover_line),
           Slot("#provider", doc.provider), Slot("#title", doc.title)]
    for a in doc.articles:
        out.append(Slot(f"{a.id}#caption", a.heading))
        out += [Slot(f"{a.id}#lead/{i}", b) for i, b in enumerate(a.lead)]
        out += _items(a.items)
        for p in a.paragraphs:
            out += [Slot(f"{p.path}/{i}", b, p.label if i == 0 else "") for i, b in enumerate(p.blocks)]
            out += _items(p.items)
            out += [Slot(f"{p.path}#after/{i}", b) for i, b in enumerate(p.after)]
    out += [Slot(f"#supplementary/{i}", b) for i, b in enumerate(doc.supplementary)]
    for ap in doc.appendices:
        out.append(Slot(f"appendix/{ap.id}#title", ap.title))
        for s in ap.sections:
            base = f"appendix/{ap.id}.{s.id}"
            out.append(Slot(f"{base}#heading", f"{s.mark}　{s.heading}"))
            out += [Slot(f"{base}/{i}", b) for i, b in enumerate(s.blocks)]
            if s.table is not None and not s.table.missing:
                for r, row in enumerate((s.table.columns, *s.table.rows)):
                    out += [Slot(f"{base}#r{r}c{c}", cell) for c, cell in enumerate(row)]
            out += [Slot(f"{base}#note/{i}", n) for i, n in enumerate(s.notes)]
    return out


def paragraph_text(p) -> str:
    """The visible text of a w:p as written (tabs as \\t); tracked deletions are not w:t and drop out."""
    parts = []
    for el in p.iter(qn("w:t"), qn("w:tab")):
        parts.append("\t" if el.tag == qn("w:tab") else (el.text or ""))
    return "".join(parts)


def _squash(text: str) -> str:
    return "".join(text.split())


def _next_id(body) -> int:
    ids = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart")) if (b.get(qn("w:id")) or "").isdigit()]
    return max(ids, default=0) + 1


def _mark(p, name: str, number: int) -> None:
    start = p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): str(number), qn("w:name"): name})
    end = p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): str(number)})
    ppr = p.find(qn("w:pPr"))
    p.insert(0 if ppr is None else list(p).index(ppr) + 1, start)
    p.append(end)


def stamp(body, doc: NumberedDocument) -> dict[str, object]:
    """Bookmark every slot's paragraph; returns key → w:p (the redline pairs paragraphs with it).

    Matching runs forward only, so a short text (a table cell) cannot claim an earlier paragraph.
    """
    paragraphs = list(body.iter(qn("w:p")))
    texts = [_squash(paragraph_text(p)) for p in paragraphs]
    found: dict[str, object] = {}
    number, pos = _next_id(body), 0
    for slot in slots(doc):
        want = _squash(slot.text)
        if not want:
            continue
        j = pos
        while j < len(paragraphs) and not texts[j].endswith(want):
            j += 1
        if j == len(paragraphs):
            continue
        _mark(paragraphs[j], bookmark_name(slot.key), number)
        found[slot.key] = paragraphs[j]
        number, pos = number + 1, j + 1
    return found
