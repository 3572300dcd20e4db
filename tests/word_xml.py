"""Test helpers for Word files: accept or reject every tracked change (a small XML transform, independent
of generator/word/_ooxml_changes.py) and read the paragraph texts back."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def resolve(docx: bytes, accept: bool) -> etree._Element:
    """The body with every change accepted (or rejected), paragraph marks included."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    body = root.find(q("body"))
    gone, kept = (q("del"), q("ins")) if accept else (q("ins"), q("del"))
    # rows: a row inserted (rejecting) or deleted (accepting) disappears
    for tr in list(body.iter(q("tr"))):
        trpr = tr.find(q("trPr"))
        if trpr is not None and trpr.find(gone) is not None:
            tr.getparent().remove(tr)
    # paragraph marks: a removed mark joins the paragraph with the next one
    for p in list(body.iter(q("p"))):
        rpr = p.find(f"{q('pPr')}/{q('rPr')}")
        if rpr is not None and rpr.find(gone) is not None:
            nxt = p.getnext()
            if nxt is not None and nxt.tag == q("p"):
                content = [c for c in p if c.tag != q("pPr")]
                at = 1 if nxt.find(q("pPr")) is not None else 0
                for offset, child in enumerate(content):
                    nxt.insert(at + offset, child)
            p.getparent().remove(p)
    for el in list(body.iter(gone)):
        if el.getparent() is not None and el.getparent().tag != q("rPr") and el.getparent().tag != q("trPr"):
            el.getparent().remove(el)
    for el in list(body.iter(kept)):
        parent = el.getparent()
        if parent.tag in (q("rPr"), q("trPr")):
            parent.remove(el)
            continue
        index = parent.index(el)
        for offset, child in enumerate(list(el)):
            parent.insert(index + offset, child)
        parent.remove(el)
    for dt in list(body.iter(q("delText"))):
        dt.tag = q("t")
    return body


def texts(body: etree._Element) -> list[str]:
    """Non-empty paragraph texts in document order (tabs as \\t)."""
    out = []
    for p in body.iter(q("p")):
        text = "".join("\t" if el.tag == q("tab") else (el.text or "") for el in p.iter(q("t"), q("tab")))
        if text.strip():
            out.append(text)
    return out


def plain_texts(docx: bytes) -> list[str]:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return texts(root.find(q("body")))
