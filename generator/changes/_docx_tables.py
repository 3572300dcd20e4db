"""A 別紙 table inside a 新旧対照表 cell, made to fit its cell in the notice DOCX.

Why: pandoc gives a nested table the grid of a full-width table (two columns of 3960 twips in a
cell of 2640), and LibreOffice honours the grid, so the columns past the cell edge are cut off
and a changed price disappears from the printed page. Each nested table's grid is scaled to the
width of the column it sits in (its share of the outer grid, less the cell margins), and its
width is stated in twips. Only w:tblGrid/w:gridCol and w:tblW change; the text is untouched.
"""

from __future__ import annotations

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TC_MARGIN = 216  # twips: pandoc's default cell margins (108 left + 108 right)


def _column_width(tc: etree._Element) -> int:
    """The width of the outer grid column(s) a cell spans."""
    row = tc.getparent()
    table = row.getparent()
    grid = [int(c.get(f"{W}w", "0")) for c in table.findall(f"{W}tblGrid/{W}gridCol")]
    start = 0
    for sibling in row.findall(f"{W}tc"):
        span_el = sibling.find(f"{W}tcPr/{W}gridSpan")
        span = int(span_el.get(f"{W}val", "1")) if span_el is not None else 1
        if sibling is tc:
            return sum(grid[start:start + span])
        start += span
    return 0


def fit_nested_tables(xml: bytes) -> bytes:
    """document.xml with every table-in-a-cell scaled to its cell (outer tables first)."""
    root = etree.fromstring(xml)
    changed = False
    for table in root.iter(f"{W}tbl"):
        tc = table.getparent()
        if tc is None or tc.tag != f"{W}tc":
            continue
        cols = table.findall(f"{W}tblGrid/{W}gridCol")
        widths = [int(c.get(f"{W}w", "0")) for c in cols]
        cell = _column_width(tc) - _TC_MARGIN
        if cell <= 0 or sum(widths) <= cell:
            continue
        total = sum(widths)
        for col, width in zip(cols, widths):
            col.set(f"{W}w", str(max(1, width * cell // total)))
        tbl_w = table.find(f"{W}tblPr/{W}tblW")
        if tbl_w is not None:
            tbl_w.set(f"{W}type", "dxa")
            tbl_w.set(f"{W}w", str(sum(int(c.get(f"{W}w")) for c in cols)))
        changed = True
    if not changed:
        return xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
