"""Build a real Word document from a seed text, as a reseller's office would have typed it.

第N条 lines get a Heading style; 項 and 号 get Word's automatic numbering (List Number styles
with a two-level numbering definition, restarted per article by startOverride), so their
"1." and "(1)" exist only in numbering.xml, not in the text. Tab-separated lines become a Word
table. Every other line is a Normal paragraph, page-break fragments included: the import must
join them exactly as it joins the text file.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HEADING = re.compile(r"^第\s*\d+\s*条")
PARAGRAPH = re.compile(r"^(\d+)\.\s*(.*)$")
ITEM = re.compile(r"^[（(]\s*(\d+)\s*[）)]\s*(.*)$")
SECTION = re.compile(r"^(附\s*則|<?別紙>?)$")
ABSTRACT_ID = "90"


def _el(tag: str, **attrs: str):
    node = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), value)
    return node


def _add_abstract(numbering) -> None:
    abstract = _el("w:abstractNum", abstractNumId=ABSTRACT_ID)
    abstract.append(_el("w:multiLevelType", val="multilevel"))
    for ilvl, (fmt, text) in enumerate((("decimal", "%1."), ("decimal", "(%2)"))):
        lvl = _el("w:lvl", ilvl=str(ilvl))
        lvl.append(_el("w:start", val="1"))
        lvl.append(_el("w:numFmt", val=fmt))
        lvl.append(_el("w:lvlText", val=text))
        lvl.append(_el("w:lvlJc", val="left"))
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)


def _new_num(numbering, num_id: int) -> str:
    num = _el("w:num", numId=str(num_id))
    num.append(_el("w:abstractNumId", val=ABSTRACT_ID))
    for ilvl in (0, 1):
        override = _el("w:lvlOverride", ilvl=str(ilvl))
        override.append(_el("w:startOverride", val="1"))
        num.append(override)
    numbering.append(num)
    return str(num_id)


def _number(paragraph, num_id: str, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = _el("w:numPr")
    num_pr.append(_el("w:ilvl", val=str(ilvl)))
    num_pr.append(_el("w:numId", val=num_id))
    ppr.append(num_pr)


def build_docx(seed_text: str, path: Path, headings: bool = True) -> Path:
    """Write seed_text as a DOCX with Heading styles and real numbering; return path."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    _add_abstract(numbering)
    next_id, num_id = 900, ""
    table_rows: list[list[str]] = []
    seen_heading = False

    def flush_table() -> None:
        if table_rows:
            table = document.add_table(rows=len(table_rows), cols=max(len(r) for r in table_rows))
            for r, row in enumerate(table_rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            table_rows.clear()

    for raw in seed_text.splitlines():
        text = re.sub(r"^(#+\s*|-\s+)", "", raw.strip()).replace("**", "").strip()
        if not text:
            continue
        if "\t" in text:
            table_rows.append(text.split("\t"))
            continue
        flush_table()
        if HEADING.match(text) or (seen_heading and SECTION.match(text)):
            seen_heading = True
            document.add_paragraph(text, style="Heading 2" if headings else "Normal")
            next_id += 1
            num_id = _new_num(numbering, next_id)
        elif seen_heading and (m := PARAGRAPH.match(text)):
            _number(document.add_paragraph(m.group(2), style="List Number"), num_id, 0)
        elif seen_heading and (m := ITEM.match(text)):
            _number(document.add_paragraph(m.group(2), style="List Number 2"), num_id, 1)
        else:
            document.add_paragraph(text, style="Title" if not document.paragraphs else "Normal")
    flush_table()
    document.save(str(path))
    return path
