"""DOCX → numbered text lines for the terms parser, with Word's automatic numbering made visible.

In a Word file the "1." of a 項 and the "(1)" of a 号 are usually not in the text at all: Word
draws them from the numbering definitions (numbering.xml) at display time. A reader that only
takes paragraph text loses exactly the structure `kiyaku import` needs. This module replays the
numbering (numId/ilvl, startOverride, lvlText, numFmt, restarts of lower levels) and writes each
paragraph as the line a reader of the document sees. Tables become tab-separated lines.

Two readers exist because the choice was measured (see tests/test_parse_terms.py): python-docx
with this replay (the default) and pandoc (DOCX → Markdown), kept for comparison.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..source._budget import check_zip
from ..source._files import Limit, read_checked
from ..source.errors import Finding, Location, SourceError

MAX_DOCX_BYTES = 20 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KANJI = "〇一二三四五六七八九"


def _kanji(n: int) -> str:
    if not 0 <= n < 100:  # Word itself switches to other forms there; the digits keep the number readable
        return str(n)
    if n < 10:
        return _KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _KANJI[tens]) + "十" + (_KANJI[ones] if ones else "")


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word number format (the ones Japanese terms use; others fall back to decimal)."""
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("japaneseCounting", "ideographTraditional", "japaneseDigitalTenThousand", "ideographDigital"):
        return _kanji(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "none":
        return ""
    return str(n)


@dataclass(frozen=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _Numbering:
    """numbering.xml: levels per list instance (numId) and the counters while walking the body."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    starts: dict[str, dict[int, int]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def read(cls, document: Any) -> "_Numbering":
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return numbering
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.findall(f"{_W}abstractNum"):
            abstract[node.get(f"{_W}abstractNumId")] = {
                _int(lvl.get(f"{_W}ilvl"), 0): _level(lvl) for lvl in node.findall(f"{_W}lvl")}
        for num in root.findall(f"{_W}num"):
            num_id = num.get(f"{_W}numId")
            ref = num.find(f"{_W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{_W}val") if ref is not None else "", {}))
            starts: dict[int, int] = {}
            for override in num.findall(f"{_W}lvlOverride"):
                ilvl = _int(override.get(f"{_W}ilvl"), 0)
                if (start := override.find(f"{_W}startOverride")) is not None:
                    starts[ilvl] = _int(start.get(f"{_W}val"), 1)
                if (lvl := override.find(f"{_W}lvl")) is not None:
                    levels[ilvl] = _level(lvl)
            numbering.levels[num_id], numbering.starts[num_id] = levels, starts
        return numbering

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        start = self.starts.get(num_id, {}).get(ilvl, levels[ilvl].start)
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = levels[ilvl].text

        def value(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            level = levels.get(k, _Level())
            return format_number(counters.get(k, self.starts.get(num_id, {}).get(k, level.start)), level.fmt)
        return re.sub(r"%([1-9])", value, text)


def _level(node: Any) -> _Level:
    def val(tag: str, default: str) -> str:
        child = node.find(f"{_W}{tag}")
        return child.get(f"{_W}val", default) if child is not None else default
    return _Level(_int(val("start", "1"), 1), val("numFmt", "decimal"), val("lvlText", "%1."))


def _int(value: str | None, default: int) -> int:
    """A number attribute of numbering.xml; Word ignores what is not a number in range, and so do we."""
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if -1_000_000 < number < 1_000_000 else default


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) from the paragraph, else from its style and the styles it is based on."""
    candidates = [paragraph._p.pPr]
    style = paragraph.style
    seen: set[str] = set()
    while style is not None and style.style_id not in seen:  # basedOn may loop (A → B → A)
        seen.add(style.style_id)
        candidates.append(style.element.pPr)
        style = style.base_style
    num_id = ilvl = None
    for ppr in candidates:
        if ppr is None or ppr.numPr is None:
            continue
        # raw attributes: python-docx's typed .val raises on w:ilvl="x", which Word ignores
        if num_id is None and ppr.numPr.numId is not None:
            num_id = ppr.numPr.numId.get(f"{_W}val")
        if ilvl is None and ppr.numPr.ilvl is not None:
            ilvl = _int(ppr.numPr.ilvl.get(f"{_W}val"), 0)
    if num_id is None or num_id == "0":
        return None
    return num_id, ilvl or 0


def _open(path: Path) -> Any:
    """The document, read through the file boundary; its ZIP directory is checked before any part is unpacked."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    data = read_checked(path, Limit(MAX_DOCX_BYTES, "取り込むファイル", "I008"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SourceError(Finding(Location(str(path)), "I003", "DOCX ファイルとして読めません（ZIP 形式ではありません）。",
                                  "Word で開いて「名前を付けて保存」（.docx）し直してください。"))
    check_zip(data, Location(str(path)), "I009")
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, LxmlError, EOFError, TypeError,
            AttributeError) as exc:
        raise SourceError(Finding(Location(str(path)), "I003", f"DOCX ファイルとして読めません（{exc.__class__.__name__}）。",
                                  "Word で開いて「名前を付けて保存」（.docx）し直してください。")) from None


def docx_lines(path: Path) -> list[tuple[int, str]]:
    """(paragraph number, visible text) for every body paragraph and table row, in document order."""
    from lxml.etree import LxmlError

    document = _open(path)
    try:
        return _lines(document)
    except (KeyError, ValueError, AttributeError, IndexError, TypeError, LxmlError, RecursionError) as exc:
        # a part python-docx reads lazily (styles, numbering) is malformed: the same answer as at opening
        raise SourceError(Finding(Location(str(path)), "I003", f"DOCX ファイルとして読めません（{exc.__class__.__name__}）。",
                                  "Word で開いて「名前を付けて保存」（.docx）し直してください。")) from None


def _lines(document: Any) -> list[tuple[int, str]]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering.read(document)
    lines: list[tuple[int, str]] = []
    for index, child in enumerate(document.element.body.iterchildren(), start=1):
        if child.tag == f"{_W}p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.replace("\t", " ")
            pr = _num_pr(paragraph)
            label = numbering.label(*pr) if pr and text.strip() else ""
            lines.append((index, f"{label} {text}".strip() if label else text))
        elif child.tag == f"{_W}tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    if not cells or cell.text != cells[-1]:  # merged cells repeat
                        cells.append(" ".join(cell.text.split()))
                lines.append((index, "\t".join(cells)))
    return lines


def docx_lines_pandoc(path: Path) -> list[tuple[int, str]]:
    """The alternative reader: pandoc's DOCX → Markdown (line numbers are Markdown lines)."""
    import pypandoc

    _open(path)
    markdown = pypandoc.convert_file(str(path), "markdown-smart", format="docx", extra_args=["--wrap=none"])
    return list(enumerate(markdown.splitlines(), start=1))
