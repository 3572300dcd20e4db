"""Fonts Office users have, declared in a finished DOCX (the 規約変更のお知らせ made by pandoc).

Why: pandoc's reference document asks for theme fonts (Calibri/Cambria and whatever East Asian
font the reader's theme names), so Word on Windows or Mac picks a face at random and LibreOffice
without Japanese fonts shows tofu. The terms DOCX gets the same faces from its template
(tools/make_docx_template.py, which uses these constants); the notice is rewritten here after
pandoc: every style's w:rFonts names 游明朝 (text) or 游ゴシック (headings, title), theme
references are dropped, and the font table gives both their English names, PANOSE class and the
Japanese charset so that a machine without them substitutes a Japanese serif/sans
(docs/templates.md). The zip is rewritten entry by entry with the same names, order and
timestamps, so the bytes stay reproducible.
"""

from __future__ import annotations

import io
import re
import zipfile

MINCHO = "游明朝"
GOTHIC = "游ゴシック"
FONT_TABLE = (  # name, English name, PANOSE-1, family
    (MINCHO, "Yu Mincho", "02020400000000000000", "roman"),
    (GOTHIC, "Yu Gothic", "020B0400000000000000", "swiss"),
)
NO_AUTOSPACE = b'<w:autoSpaceDE w:val="0" /><w:autoSpaceDN w:val="0" />'
_STYLE = re.compile(rb'<w:style\b[^>]*w:styleId="([^"]*)"[^>]*>.*?</w:style>', re.S)
_RFONTS = re.compile(rb"<w:rFonts\b[^>]*/>")
_EMPTY_RPR = re.compile(rb"<w:rPr\s*/>")
_HEADING = re.compile(rb"^(Heading|Title|Subtitle|TOC|Caption)", re.I)


def _rfonts(face: str) -> bytes:
    return f'<w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:eastAsia="{face}" w:cs="{face}"/>'.encode("utf-8")


def _style(match: re.Match[bytes]) -> bytes:
    block, style_id = match.group(0), match.group(1)
    face = GOTHIC if _HEADING.match(style_id) else MINCHO
    if _RFONTS.search(block):
        return _RFONTS.sub(_rfonts(face), block)
    if _EMPTY_RPR.search(block):
        return _EMPTY_RPR.sub(b"<w:rPr>" + _rfonts(face) + b"</w:rPr>", block, 1)
    if b"<w:rPr>" in block:
        return block.replace(b"<w:rPr>", b"<w:rPr>" + _rfonts(face), 1)
    if b'w:type="paragraph"' in block or b'w:type="character"' in block:
        return block.replace(b"</w:style>", b"<w:rPr>" + _rfonts(face) + b"</w:rPr></w:style>", 1)
    return block


def styles_xml(xml: bytes) -> bytes:
    """styles.xml with every style and the document defaults naming an Office font."""
    xml = _STYLE.sub(_style, xml)
    head, sep, rest = xml.partition(b"</w:docDefaults>")
    head = _RFONTS.sub(_rfonts(MINCHO), head)
    # Word inserts a space between Japanese and Latin letters/digits unless told not to (第 1 条); the
    # originals print 第1条. autoSpaceDE/DN are the first pPr children a default can have here.
    head = re.sub(rb"<w:pPrDefault>\s*<w:pPr>", b"<w:pPrDefault><w:pPr>" + NO_AUTOSPACE, head, count=1)
    if sep and _rfonts(MINCHO) not in head:
        head = head.replace(b"<w:rPrDefault><w:rPr>", b"<w:rPrDefault><w:rPr>" + _rfonts(MINCHO), 1)
    return head + sep + rest


def font_table_xml(xml: bytes) -> bytes:
    entries = "".join(f'<w:font w:name="{n}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/><w:charset w:val="80"/>'
                      f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>' for n, alt, panose, family in FONT_TABLE)
    return xml.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>", 1)


def office_fonts(data: bytes, fit_tables: bool = False) -> bytes:
    """The DOCX with styles.xml and fontTable.xml declaring 游明朝/游ゴシック; with fit_tables, tables
    nested in cells are also fitted to them (generator.changes._docx_tables); every other entry unchanged."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/styles.xml":
                content = styles_xml(content)
            elif info.filename == "word/fontTable.xml":
                content = font_table_xml(content)
            elif info.filename == "word/document.xml" and fit_tables:
                from ._docx_tables import fit_nested_tables

                content = fit_nested_tables(content)
            target.writestr(info, content)
    return out.getvalue()
