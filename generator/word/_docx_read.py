"""Reading a Word file that legal staff edited: paragraphs with their kiyaku ids, as accepted text.

Word leaves noise everywhere: runs split at every edit (w:rsid…), w:proofErr, bookmarks that span
runs, smart tags, hyperlinks and fields (whose result is text, whose code is w:instrText), and
autocorrected characters (ー→－, full-width digits). The reader takes text only from w:t (plus w:tab),
walking every wrapper, so the run structure never matters; `quiet()` folds the characters Word
substitutes, for comparison only.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

from lxml import etree

from ..render._docx_ids import PREFIX

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REVISIONS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "tcPrChange", "trPrChange", "tblPrChange", "sectPrChange")
# characters Word's autocorrect or an IME swaps for each other; the same code point for comparison
_DASHES = str.maketrans({c: "-" for c in "ー－‐−―–—-"})


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class WordParagraph:
    names: tuple[str, ...]  # kiyaku bookmark names that start in this paragraph
    text: str
    in_table: bool


@dataclass(frozen=True)
class Pending:
    kind: str  # 挿入 | 削除 | 書式 | コメント
    author: str
    text: str


@dataclass(frozen=True)
class WordFile:
    paragraphs: tuple[WordParagraph, ...]
    pending: tuple[Pending, ...]
    identifier: str  # docProps/core.xml dc:identifier: "<variant>-<edition>" when kiyaku rendered it


def quiet(text: str) -> str:
    """Fold what Word substitutes on its own (width, dashes/long vowel, spaces); comparison only, 1:1 per character."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        folded = folded if len(folded) == 1 else ch
        out.append(" " if folded.isspace() else folded.translate(_DASHES))
    return "".join(out)


def _text(p, accept: bool) -> str:
    """Text of a paragraph with tracked changes accepted (or rejected)."""
    skip = q("del") if accept else q("ins")
    parts = []
    for el in p.iter(q("t"), q("delText"), q("tab"), q("br"), q("noBreakHyphen")):
        inside = el.getparent()
        gone = False
        while inside is not None and inside is not p:
            if inside.tag in (skip, q("moveFrom") if accept else q("moveTo")):
                gone = True
                break
            inside = inside.getparent()
        if gone or (accept and el.tag == q("delText")):
            continue
        if el.tag == q("tab"):
            parts.append("\t")
        elif el.tag == q("br"):
            parts.append("\n")
        elif el.tag == q("noBreakHyphen"):
            parts.append("-")
        else:
            parts.append(el.text or "")
    return "".join(parts)


def _pending(body, comments: bytes | None) -> list[Pending]:
    out = []
    for tag in _REVISIONS:
        for el in body.iter(q(tag)):
            if el.getparent() is not None and el.getparent().tag == q("rPr") and tag in ("ins", "del"):
                kind = "段落記号の挿入" if tag == "ins" else "段落記号の削除"
            else:
                kind = {"ins": "挿入", "del": "削除", "moveFrom": "移動（元）", "moveTo": "移動（先）"}.get(tag, "書式の変更")
            text = "".join(t.text or "" for t in el.iter(q("t"), q("delText")))
            out.append(Pending(kind, el.get(q("author")) or "", text))
    if comments:
        root = etree.fromstring(comments)
        for c in root.iter(q("comment")):
            out.append(Pending("コメント", c.get(q("author")) or "", "".join(t.text or "" for t in c.iter(q("t")))))
    return out


def _identifier(archive: zipfile.ZipFile) -> str:
    try:
        root = etree.fromstring(archive.read("docProps/core.xml"))
    except KeyError:
        return ""
    found = root.find("{http://purl.org/dc/elements/1.1/}identifier")
    return (found.text or "").strip() if found is not None else ""


def read_word(data: bytes, accept: bool = True) -> WordFile:
    """Every body paragraph in order (table cells included); raise zipfile.BadZipFile/KeyError if not a DOCX."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
        comments = archive.read("word/comments.xml") if "word/comments.xml" in archive.namelist() else None
        identifier = _identifier(archive)
    body = root.find(q("body"))
    paragraphs, waiting = [], []
    for el in body.iter(q("p"), q("bookmarkStart")):
        if el.tag == q("bookmarkStart"):
            # Word sometimes moves a bookmark's start between paragraphs: it belongs to the next one
            if el.getparent().tag != q("p") and (el.get(q("name")) or "").startswith(PREFIX):
                waiting.append(el.get(q("name")))
            continue
        p = el
        names = tuple(waiting) + tuple(b.get(q("name")) for b in p.iter(q("bookmarkStart")) if (b.get(q("name")) or "").startswith(PREFIX))
        waiting = []
        in_table = any(a.tag == q("tc") for a in p.iterancestors())
        paragraphs.append(WordParagraph(names, _text(p, accept), in_table))
    return WordFile(tuple(paragraphs), tuple(_pending(body, comments)), identifier)
