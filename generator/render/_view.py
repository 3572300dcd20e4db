"""The numbered document as plain data (dicts, lists, strings) for template engines.

DOCX (Jinja inside docxtpl) and PDF (Typst, via JSON) both read this one view, so the two
layouts can never disagree about what a label or a heading says. Key names avoid the methods
of dict (``items``, ``keys``, ``values``, ``get`` …): Jinja's attribute lookup would find the
method first, so items (号) are called ``entries``.
"""

from __future__ import annotations

from typing import Any

from ..compile.document import NAppendix, NArticle, NItem, NParagraph, NumberedDocument

View = dict[str, Any]


def _split(blocks: tuple[str, ...]) -> tuple[str, list[str]]:
    """First block (printed after the label) and the rest (printed as indented paragraphs)."""
    return (blocks[0], list(blocks[1:])) if blocks else ("", [])


def _entry(item: NItem) -> View:
    first, rest = _split(item.blocks)
    return {"path": item.path, "number": item.number, "label": item.label,
            "blocks": list(item.blocks), "first": first, "rest": rest}


def _paragraph(para: NParagraph) -> View:
    first, rest = _split(para.blocks)
    return {"path": para.path, "number": para.number, "label": para.label,
            "blocks": list(para.blocks), "first": first, "rest": rest,
            "entries": [_entry(i) for i in para.items], "after": list(para.after)}


def _article(article: NArticle) -> View:
    return {"id": article.id, "number": article.number, "label": article.label,
            "caption": article.caption, "heading": article.heading, "lead": list(article.lead),
            "entries": [_entry(i) for i in article.items],
            "paragraphs": [_paragraph(p) for p in article.paragraphs]}


def _appendix(appendix: NAppendix) -> View:
    sections = []
    for section in appendix.sections:
        table = None
        if section.table is not None:
            table = {"columns": list(section.table.columns),
                     "rows": [list(r) for r in section.table.rows],
                     "missing": section.table.missing or ""}
        sections.append({"id": section.id, "mark": section.mark, "heading": section.heading,
                         "blocks": list(section.blocks), "table": table, "notes": list(section.notes)})
    return {"id": appendix.id, "title": appendix.title, "sections": sections}


def document_view(doc: NumberedDocument) -> View:
    """Everything a layout template may print; the same keys are the DOCX template's variables."""
    return {
        "variant": doc.variant_id,
        "service": doc.service,
        "subtitle": doc.subtitle,
        "title": doc.title,
        "provider": doc.provider,
        "self_ref": doc.self_ref,
        "edition": doc.edition,
        "edition_text": f"第{doc.edition}版",
        "issued": doc.issued.isoformat(),
        "effective": doc.effective.isoformat(),
        "issued_text": doc.issued_text,
        "effective_text": doc.effective_text,
        "cover_line": doc.cover_line,
        "articles": [_article(a) for a in doc.articles],
        "supplementary": list(doc.supplementary),
        "appendices": [_appendix(a) for a in doc.appendices],
        "gaps": list(doc.gaps),
        "head_left": running_head(doc)[0],
        "head_right": running_head(doc)[1],
    }


def running_head(doc: NumberedDocument) -> tuple[str, str]:
    """Header text (left, right) on every body page of DOCX and PDF; tests strip it from extracted text."""
    return doc.title, f"{doc.provider}　第{doc.edition}版"
