"""Generate generator/templates/terms.docx, the default Word template for `kiyaku build`.

The template is a build input, so it is made by this script rather than edited by hand in Word:
its styles are reviewable as code and a reseller who wants a letterhead copies the file, edits
it in Word (styles, logo, fonts) and names it in variants/<id>.yaml (template: ...).

    python tools/make_docx_template.py            # rewrites generator/templates/terms.docx

Styles carry Japanese names because resellers see them in Word's style gallery. Jinja tags
(docxtpl) print the variables listed in generator/render/_view.py; items (号) are ``entries``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

# Fonts Office users have: Word on Windows (8.1 and later) and on Mac (Office 2016 and later) ships
# 游明朝 (Yu Mincho) and 游ゴシック (Yu Gothic); they are also the Japanese theme fonts of Office.
# Body text is set in 游明朝, headings and emphasis in 游ゴシック, as Japanese legal documents are.
# The font table (_font_table) gives each its English name, PANOSE class and charset, so Word
# and LibreOffice without them substitute a Japanese serif / sans (MS 明朝 / MS ゴシック, or Noto
# Serif/Sans CJK JP from Debian's fonts-noto-cjk) instead of a Latin font. The PDF keeps its
# pinned Noto Sans CJK JP (generator/render/pdf.py). See docs/templates.md.
from generator.changes._docx_fonts import GOTHIC, MINCHO, font_table_xml  # noqa: E402 (one declaration for terms and notice)
SIZE = Pt(10)
LINE = 16.5  # line pitch in points for body text (1.65 em)
EM = 10.0  # points per em at the body size; indents are counted in em as Japanese typesetters do
PARA_INDENT = Pt(1.5 * EM)  # "1." + gap
ITEM_LABEL = Pt(3.0 * EM)  # "（10）" + gap
ITEM_INDENT = Pt(1.5 * EM + 3.0 * EM)
TEXT_WIDTH = Mm(210 - 24 - 24)
OUT = Path(__file__).resolve().parent.parent / "generator" / "templates" / "terms.docx"


def _fonts(rpr, face: str = MINCHO) -> None:
    """Every script slot gets one Japanese face, so Word never mixes in a theme font (Calibri, MS 明朝)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), face)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "ja-JP")
    lang.set(qn("w:eastAsia"), "ja-JP")


def _rpr(element):
    """The w:rPr child of an element python-docx has no accessor for (w:tblStylePr)."""
    rpr = element.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        table_pr = element.find(qn("w:tblPr"))
        (element.insert(list(element).index(table_pr), rpr) if table_pr is not None else element.append(rpr))
    return rpr


_AFTER_AUTOSPACE = ("bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
                    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
                    "cnfStyle", "rPr", "sectPr", "pPrChange")


def no_autospace(ppr) -> None:
    """No space inserted between Japanese and Latin letters or digits (the originals print 第1条, 8月15日):
    Word and LibreOffice add one by default (w:autoSpaceDE / w:autoSpaceDN)."""
    successors = {qn(f"w:{tag}") for tag in _AFTER_AUTOSPACE}
    anchor = next((child for child in ppr if child.tag in successors), None)
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "0")
        if anchor is None:
            ppr.append(element)
        else:
            anchor.addprevious(element)


def _defaults(document) -> None:
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    normal = document.styles["Normal"]
    normal.font.size = SIZE
    _fonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    # An exact line pitch: Noto CJK's tall ascent/descent would make "multiple" spacing loose in LibreOffice.
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(3), Pt(LINE)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    no_autospace(normal.element.get_or_add_pPr())  # every paragraph style is based on Normal
    for name in ("Header", "Footer"):
        _fonts(document.styles[name].element.get_or_add_rPr(), GOTHIC)
    for style in document.styles:  # python-docx's built-in styles (Heading 1, Title, …) too: every style declares its face
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE) and style.name not in ("Header", "Footer"):
            heading = style.name.startswith(("Heading", "Title", "Subtitle")) or style.name.endswith(("Heading", "Title"))
            _fonts(style.element.get_or_add_rPr(), GOTHIC if heading else MINCHO)
            for part in style.element.iter(qn("w:tblStylePr")):  # a table style's header rows and columns
                _fonts(part.get_or_add_rPr() if hasattr(part, "get_or_add_rPr") else _rpr(part), GOTHIC)


def _style(document, name: str, *, size: float = 10, bold: bool = False, align=None, before: float = 0,
           after: float = 3, left: Pt | None = None, first: Pt | None = None, keep_next: bool = False,
           outline: int | None = None, page_break: bool = False, color: RGBColor | None = None,
           line: float | None = None):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size, style.font.bold = Pt(size), bold
    if color is not None:
        style.font.color.rgb = color
    _fonts(style.element.get_or_add_rPr(), GOTHIC if bold else MINCHO)  # headings and table headers in gothic
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if align is not None:
        fmt.alignment = align
    if left is not None:
        fmt.left_indent = left
        # Word and LibreOffice both jump to an explicit stop; the hanging indent alone is not enough in LO.
        fmt.tab_stops.add_tab_stop(left)
    if first is not None:
        fmt.first_line_indent = first
    fmt.keep_with_next = keep_next
    fmt.line_spacing = Pt(line if line is not None else max(LINE, size * 1.5))
    fmt.page_break_before = page_break
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)
    return style


def _styles(document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    # Space above instead of a vertically centred section: LibreOffice ignores w:vAlign.
    _style(document, "規約 表紙 サービス名", size=18, bold=True, align=center, before=170, after=14)
    _style(document, "規約 表紙 副題", size=14, align=center, after=96)
    _style(document, "規約 表紙 版", size=11, align=center, after=8)
    _style(document, "規約 表紙 販売店", size=13, bold=True, align=center)
    _style(document, "規約 表題", size=13, bold=True, align=center, after=14)
    _style(document, "規約 条見出し", size=10.5, bold=True, before=12, after=4, keep_next=True, outline=0)
    _style(document, "規約 柱書き", first=Pt(EM))
    _style(document, "規約 項", left=PARA_INDENT, first=-PARA_INDENT)
    _style(document, "規約 項 続き", left=PARA_INDENT, first=Pt(EM))
    _style(document, "規約 号", left=ITEM_INDENT, first=-ITEM_LABEL)
    _style(document, "規約 号 続き", left=ITEM_INDENT, first=Pt(EM))
    _style(document, "規約 附則見出し", size=10.5, bold=True, before=12, after=4, keep_next=True, outline=0)
    _style(document, "規約 附則", first=Pt(EM))
    _style(document, "規約 別紙", size=10.5, bold=True, after=6, page_break=True, outline=0, keep_next=True)
    _style(document, "規約 別紙 表題", size=11, bold=True, align=center, after=14, keep_next=True)
    _style(document, "規約 別紙 見出し", size=10.5, bold=True, before=10, after=4, keep_next=True, outline=1)
    _style(document, "規約 別紙 本文", first=Pt(EM))
    _style(document, "規約 表", size=9, after=0, align=WD_ALIGN_PARAGRAPH.LEFT, line=13)
    _style(document, "規約 表 見出し", size=9, bold=True, after=0, align=center, line=13)
    _style(document, "規約 注記", size=9, left=Pt(EM), first=Pt(-EM), before=4, line=14)
    _style(document, "規約 表の欠落", size=9, before=6, after=6, color=RGBColor(0x80, 0x20, 0x20))


def _p(document, text: str, style: str | None = None):
    return document.add_paragraph(text, style=style)


def _labelled(document, style: str, label: str, text: str) -> None:
    para = document.add_paragraph(style=style)
    para.add_run(label)
    para.add_run().add_tab()
    para.add_run(text)


def _border(element, edges: tuple[str, ...], size: int = 4, color: str = "595959") -> None:
    """Single-line borders on a paragraph (pBdr) or a table (tblBorders)."""
    tag = "w:pBdr" if element.tag == qn("w:pPr") else "w:tblBorders"
    borders = OxmlElement(tag)
    for edge in edges:
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    element.append(borders)


def _cell(cell, text: str, style: str, shade: str | None = None) -> None:
    cell.paragraphs[0].text = text
    cell.paragraphs[0].style = style
    tcpr = cell._tc.get_or_add_tcPr()
    width = tcpr.find(qn("w:tcW"))
    if width is not None:
        tcpr.remove(width)  # column widths come from the content (autofit), not from the template
    if shade:
        fill = OxmlElement("w:shd")
        for key, value in (("val", "clear"), ("color", "auto"), ("fill", shade)):
            fill.set(qn(f"w:{key}"), value)
        tcpr.append(fill)


def _table(document) -> None:
    """A table whose columns and rows are loops (docxtpl {%tc %} / {%tr %}): one layout for any fee table."""
    table = document.add_table(rows=4, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = True
    tblpr = table._tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
    _border(tblpr, ("top", "left", "bottom", "right", "insideH", "insideV"))
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", 40), ("left", 90), ("bottom", 40), ("right", 90)):
        m = OxmlElement(f"w:{edge}")
        m.set(qn("w:w"), str(value))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tblpr.append(margins)
    head, open_rows, body, close_rows = table.rows
    for cells, texts, style, shade in (
        (head.cells, ("{%tc for c in s.table.columns %}", "{{ c }}", "{%tc endfor %}"), "規約 表 見出し", "E8E8E8"),
        (body.cells, ("{%tc for c in row %}", "{{ c }}", "{%tc endfor %}"), "規約 表", None),
    ):
        for cell, text in zip(cells, texts):
            _cell(cell, text, style, shade)
    _cell(open_rows.cells[0], "{%tr for row in s.table.rows %}", "規約 表")
    _cell(close_rows.cells[0], "{%tr endfor %}", "規約 表")
    header = OxmlElement("w:tblHeader")  # repeat the column headings when the table breaks across pages
    head._tr.get_or_add_trPr().append(header)
    for row in (head, body):
        cant = OxmlElement("w:cantSplit")
        row._tr.get_or_add_trPr().append(cant)


def _field(paragraph, instruction: str) -> None:
    """A complex field (PAGE): Word and LibreOffice both update it on layout."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run.text = text


def _insert_before(parent, element, *later: str) -> None:
    """Insert respecting the schema's element order (LibreOffice ignores misplaced sectPr children)."""
    for child in parent:
        if child.tag in {qn(tag) for tag in later}:
            child.addprevious(element)
            return
    parent.append(element)


def _sections(document) -> None:
    """Cover in its own section (no header or page number); the body numbers its pages from 1."""
    cover = document.sections[0]
    cover.page_width, cover.page_height = Mm(210), Mm(297)
    cover.top_margin, cover.bottom_margin = Mm(26), Mm(24)
    cover.left_margin = cover.right_margin = Mm(24)
    cover.header_distance, cover.footer_distance = Mm(12), Mm(12)


def _body_section(document) -> None:
    body = document.add_section(WD_SECTION.NEW_PAGE)
    # add_section ends the cover with an empty paragraph holding its sectPr; move the sectPr into
    # the cover's last line so the vertically centred cover has no stray blank line.
    holder = document.paragraphs[-1]._p
    cover_sect = holder.pPr.find(qn("w:sectPr"))
    document.paragraphs[-2]._p.get_or_add_pPr().append(cover_sect)
    holder.getparent().remove(holder)
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    _insert_before(body._sectPr, numbering, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:docGrid")
    header = body.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.style = document.styles["Header"]
    fmt = para.paragraph_format
    fmt.tab_stops.clear_all()
    for inherited in (Twips(4680), Twips(9360)):  # the Header style's centre and right stops (Letter width)
        fmt.tab_stops.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
    fmt.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    fmt.line_spacing = 1.0
    run = para.add_run("{{ head_left }}")
    run.font.size = Pt(7.5)
    run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    para.add_run().add_tab()
    run = para.add_run("{{ head_right }}")
    run.font.size = Pt(7.5)
    run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    _border(para._p.get_or_add_pPr(), ("bottom",), size=4, color="999999")
    footer = body.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    para.style = document.styles["Footer"]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run("– ")
    _field(para, "PAGE")
    para.add_run(" –")
    for run in para.runs:
        run.font.size = Pt(8.5)


def _content(document) -> None:
    _p(document, "{{ service }}", "規約 表紙 サービス名")
    _p(document, "{{ subtitle }}", "規約 表紙 副題")
    _p(document, "{{ cover_line }}", "規約 表紙 版")
    _p(document, "{{ provider }}", "規約 表紙 販売店")
    _body_section(document)
    _p(document, "{{ title }}", "規約 表題")
    _p(document, "{%p for a in articles %}")
    _p(document, "{{ a.heading }}", "規約 条見出し")
    _p(document, "{%p for b in a.lead %}")
    _p(document, "{{ b }}", "規約 柱書き")
    _p(document, "{%p endfor %}")
    _entries(document, "a.entries")
    _p(document, "{%p for p in a.paragraphs %}")
    _labelled(document, "規約 項", "{{ p.label }}", "{{ p.first }}")
    _p(document, "{%p for b in p.rest %}")
    _p(document, "{{ b }}", "規約 項 続き")
    _p(document, "{%p endfor %}")
    _entries(document, "p.entries")
    _p(document, "{%p for b in p.after %}")
    _p(document, "{{ b }}", "規約 項 続き")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endfor %}")
    _p(document, "附則", "規約 附則見出し")
    _p(document, "{%p for b in supplementary %}")
    _p(document, "{{ b }}", "規約 附則")
    _p(document, "{%p endfor %}")
    _p(document, "{%p for ap in appendices %}")
    _p(document, "別紙", "規約 別紙")
    _p(document, "{{ ap.title }}", "規約 別紙 表題")
    _p(document, "{%p for s in ap.sections %}")
    _p(document, "{{ s.mark }}　{{ s.heading }}", "規約 別紙 見出し")
    _p(document, "{%p for b in s.blocks %}")
    _p(document, "{{ b }}", "規約 別紙 本文")
    _p(document, "{%p endfor %}")
    _p(document, "{%p if s.table and s.table.missing %}")
    _p(document, "［表の欠落］{{ s.table.missing }}", "規約 表の欠落")
    _p(document, "{%p elif s.table %}")
    _table(document)
    _p(document, "{%p endif %}")
    _p(document, "{%p for n in s.notes %}")
    _p(document, "{{ n }}", "規約 注記")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endfor %}")


def _entries(document, source: str) -> None:
    _p(document, f"{{%p for e in {source} %}}")
    _labelled(document, "規約 号", "{{ e.label }}", "{{ e.first }}")
    _p(document, "{%p for b in e.rest %}")
    _p(document, "{{ b }}", "規約 号 続き")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endfor %}")


def _strip_thumbnail(data: bytes) -> bytes:
    """python-docx's default package carries a thumbnail of an unrelated page: drop it and its references."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            content = source.read(info.filename)
            if info.filename == "_rels/.rels":
                content = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", content)
            info.date_time = (1980, 1, 1, 0, 0, 0)
            target.writestr(info, content)
    return out.getvalue()


def _font_table(document) -> None:
    """Declare both faces as Japanese (charset 80) serif/sans with their English names, so a machine
    without them substitutes a Japanese font of the same kind instead of a Latin fallback."""
    part = next(p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    part._blob = font_table_xml(part.blob)


def _theme(document) -> None:
    """The theme's Japanese fonts (what Word falls back to for text without its own font) are the same faces."""
    part = next((p for p in document.part.package.iter_parts() if p.partname == "/word/theme/theme1.xml"), None)
    if part is None:
        return
    blob = part.blob
    major, minor = blob.split(b"<a:minorFont>", 1) if b"<a:minorFont>" in blob else (blob, b"")
    major = re.sub(rb'<a:font script="Jpan" typeface="[^"]*"/>', f'<a:font script="Jpan" typeface="{GOTHIC}"/>'.encode(), major)
    minor = re.sub(rb'<a:font script="Jpan" typeface="[^"]*"/>', f'<a:font script="Jpan" typeface="{MINCHO}"/>'.encode(), minor)
    part._blob = major + (b"<a:minorFont>" + minor if minor else b"")


def build() -> bytes:
    document = Document()
    _font_table(document)
    _theme(document)
    _defaults(document)
    _styles(document)
    _sections(document)
    _content(document)
    props = document.core_properties
    props.author, props.title, props.comments = "kiyaku", "規約テンプレート", "kiyaku の既定テンプレート（tools/make_docx_template.py で生成）"
    props.language = "ja-JP"
    buffer = io.BytesIO()
    document.save(buffer)
    return _strip_thumbnail(buffer.getvalue())


def main() -> int:
    OUT.write_bytes(build())
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
