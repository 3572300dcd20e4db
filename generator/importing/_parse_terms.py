"""Parse a Japanese terms document (text from PDF, Markdown, DOCX lines) into a neutral structure.

`kiyaku import` starts from documents nobody wrote for a machine: PDF extraction cuts sentences
at page ends, mixes bracket widths and puts spaces inside 第 13 条; Markdown adds # and **. This
module keeps what is content – title block, edition line, 第N条 with caption, 項, 号, multi-block
items, lead sentences, 附則, 別紙 with tables and ※ notes – and folds the noise listed in
shared/DOMAIN.md away here, once, so that alignment never has to model it. Every node keeps the
line it started on, so a report or an error can point into the source.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ..source.errors import Finding, Location

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NUM = r"[0-9０-９]+|[一二三四五六七八九十〇]+"
_OPEN, _CLOSE = r"[（(［\[【〔<＜〈]", r"[）)］\]】〕>＞〉]"
ARTICLE_RE = re.compile(rf"^第\s*({_NUM})\s*条\s*(?:{_OPEN}\s*(.*?)\s*{_CLOSE}|[\s　]+([^第\s。、][^。、]{{0,30}}))?\s*$")
PARAGRAPH_RE = re.compile(r"^(?:([0-9０-９]+)\s*[.．]|([０-９]+)(?=[\s　])|([0-9]+)(?=　))\s*(.*)$")
ITEM_RE = re.compile(r"^(?:[（(]\s*([0-9０-９]+)\s*[）)]|([一二三四五六七八九十]+)(?=[\s　]))\s*(.*)$")
SUPPLEMENTARY_RE = re.compile(rf"^{_OPEN}?\s*附\s*則\s*{_CLOSE}?$")
APPENDIX_RE = re.compile(rf"^{_OPEN}?\s*別\s*紙\s*(?:[0-9０-９]+)?\s*{_CLOSE}?$")
MARK_RE = re.compile(r"^※\s*([0-9０-９]+)$")
EDITION_RE = re.compile(r"第\s*([0-9０-９]+)\s*版")
ERA_DATE_RE = re.compile(r"(令和|平成|昭和)\s*(元|[0-9０-９]+)\s*年\s*(?:[（(]\s*([0-9０-９]{4})\s*年\s*[）)])?\s*"
                         r"([0-9０-９]{1,2})\s*月\s*([0-9０-９]{1,2})\s*日")
WESTERN_DATE_RE = re.compile(r"([0-9０-９]{4})\s*年\s*([0-9０-９]{1,2})\s*月\s*([0-9０-９]{1,2})\s*日")
_ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925}
_PAGE_NUMBER = re.compile(r"^[-－—‐ー\s]*[0-9０-９]+\s*(?:/\s*[0-9０-９]+)?[-－—‐ー\s]*$")
_TERMINAL = re.compile(r"[。．！？]\s*[）)」』】]*$")
_WIDE = str.maketrans({chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]})
_SYMBOLS = str.maketrans({"(": "（", ")": "）", "~": "～", "〜": "～", "關": "関"})
_WORD = re.compile(r"[\w\u3040-\u30ff\u4e00-\u9fff]")


def number_value(text: str) -> int:
    """'13', '１３' or '十三' as an int (kanji numerals up to 99 are enough for terms)."""
    text = text.translate(_WIDE)
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_KANJI_DIGITS[c]) for c in text))


def _squeeze_spaces(text: str) -> str:
    """Drop spaces the extraction put around digits and Latin (第 13 条, UTM 装置, 30 日); keep the
    meaningful ones between two Latin words (Unified Threat Management) or two Japanese words
    (見守りサービス サービス仕様書, お助け実働隊 地域IT事業者)."""
    def keep(m: re.Match[str]) -> str:
        left, right = m.string[m.start() - 1: m.start()], m.string[m.end(): m.end() + 1]
        if not left or not right:
            return ""
        if left.isascii() and right.isascii() and left.isalnum() and right.isalnum():
            return " " if left.isalpha() and right.isalpha() or not (left.isdigit() or right.isdigit()) else ""
        if not left.isascii() and not right.isascii() and _WORD.match(left) and _WORD.match(right):
            return " "
        return ""
    return re.sub(r"[ \t\u3000\u00a0]+", keep, text)


def normalize_text(text: str) -> str:
    """One block of clause text in house style: the DOMAIN.md noise folded, content untouched."""
    text = unicodedata.normalize("NFC", text).translate(_WIDE).translate(_SYMBOLS)
    text = _squeeze_spaces(text.strip())
    text = re.sub(r"(?<=関する)事(?=[、。な]|$)", "こと", text)
    text = text.replace("ものとし。", "ものとします。")
    text = re.sub(r"ものとし、(?=(?:但し|ただし|なお)、)", "ものとします。", text)
    return re.sub(r"ものとし、$", "ものとします。", text)


def clean_line(raw: str) -> str:
    """Strip Markdown decoration (#, -, **, >, escapes) and edge whitespace from one source line."""
    line = unicodedata.normalize("NFC", raw).replace("\f", "").strip(" \t\u3000\u00a0\r")
    line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~])", r"\1", line)
    line = re.sub(r"^(?:#{1,6}\s+|>\s*)", "", line)
    line = line.replace("**", "").replace("__", "")
    line = re.sub(r"^[-*+・]\s+", "", line)
    if line in ("-", "*", "+"):
        return ""
    return re.sub(r"\s+$", "", line).strip(" \u3000")


@dataclass(frozen=True)
class PItem:
    """号: (1) … with one or more text blocks."""

    number: int
    blocks: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class PParagraph:
    """項: 1. … with its blocks and items."""

    number: int
    blocks: tuple[str, ...]
    items: tuple[PItem, ...]
    line: int


@dataclass(frozen=True)
class PArticle:
    """条: number as printed (renumbering is the aligner's business), caption, lead, paragraphs."""

    number: int
    caption: str
    lead: tuple[str, ...]
    paragraphs: tuple[PParagraph, ...]
    items: tuple[PItem, ...]
    line: int


@dataclass(frozen=True)
class PTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PSection:
    """One ※N part of a 別紙: heading, text, table and ※ notes."""

    mark: str
    heading: str
    blocks: tuple[str, ...]
    table: PTable | None
    notes: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class PAppendix:
    title: str
    sections: tuple[PSection, ...]
    line: int


@dataclass(frozen=True)
class TitleBlock:
    """Everything before 第1条: service, subtitle, edition line, provider, title."""

    lines: tuple[str, ...]
    service: str = ""
    subtitle: str = ""
    title: str = ""
    provider: str = ""
    edition: int | None = None
    issued: dt.date | None = None


@dataclass(frozen=True)
class ParsedTerms:
    path: str
    title: TitleBlock
    articles: tuple[PArticle, ...]
    supplementary: tuple[str, ...]
    effective: dt.date | None
    appendices: tuple[PAppendix, ...]
    warnings: tuple[Finding, ...] = ()


def parse_date(text: str) -> dt.date | None:
    """The first date in text, era (令和6年（2024年）4月1日) or Western (2024年5月20日)."""
    era, western = ERA_DATE_RE.search(text), WESTERN_DATE_RE.search(text)
    try:
        if era and (not western or era.start() <= western.start()):
            year = int(era.group(3).translate(_WIDE)) if era.group(3) else \
                _ERA_START[era.group(1)] + (1 if era.group(2) == "元" else number_value(era.group(2)))
            return dt.date(year, number_value(era.group(4)), number_value(era.group(5)))
        if western:
            return dt.date(*(number_value(g) for g in western.groups()))
    except ValueError:
        return None
    return None


def _title_block(lines: list[str]) -> TitleBlock:
    edition_at = next((i for i, t in enumerate(lines) if EDITION_RE.search(t) or parse_date(t)), None)
    title = next((t for t in reversed(lines) if "規約" in t), lines[-1] if lines else "")
    edition = issued = None
    provider = ""
    if edition_at is not None:
        line = lines[edition_at]
        if m := EDITION_RE.search(line):
            edition = number_value(m.group(1))
        issued = parse_date(line)
        provider = next((t for t in lines[edition_at + 1:] if t != title and not t.endswith("規約")), "")
    head = [t for t in lines[: edition_at if edition_at is not None else len(lines)] if t != title]
    return TitleBlock(tuple(lines), head[0] if head else "", head[1] if len(head) > 1 else "",
                      title, provider, edition, issued)


def _overlap(prev: str, nxt: str, terminal: bool) -> int:
    """Characters printed twice across a page break (「サ / 「サイバー…, ます。 / ます。接続…)."""
    for k in range(min(8, len(prev), len(nxt) - 1), 1, -1):
        if prev.endswith(nxt[:k]) and (not terminal or (k >= 3 and nxt[k - 1] == "。")):
            return k
    return 0


@dataclass
class _Node:
    """Mutable while parsing; frozen into PItem/PParagraph/PArticle at the end."""

    number: int
    line: int
    blocks: list[str] = field(default_factory=list)
    items: list["_Node"] = field(default_factory=list)
    caption: str = ""
    lead: list[str] = field(default_factory=list)
    paragraphs: list["_Node"] = field(default_factory=list)


def _add_text(blocks: list[str], text: str, notes: list[tuple[int, str]], line: int) -> None:
    """Append a line: a page-break continuation joins the last block, else it starts a block."""
    if blocks:
        terminal = bool(_TERMINAL.search(blocks[-1]))
        k = _overlap(blocks[-1], text, terminal)
        if not terminal or k:
            if k:
                notes.append((line, f"ページ境界で重複した「{text[:k]}」を除きました。"))
            blocks[-1] += text[k:]
            return
    blocks.append(text)


def _freeze_items(items: list[_Node]) -> tuple[PItem, ...]:
    return tuple(PItem(i.number, tuple(normalize_text(b) for b in i.blocks), i.line) for i in items)


class _Parser:
    """A line-by-line state machine: title → articles → 附則 → 別紙."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.title: list[str] = []
        self.articles: list[_Node] = []
        self.supplementary: list[str] = []
        self.appendices: list[tuple[int, list[str], list[dict]]] = []
        self.state = "title"
        self.notes: list[tuple[int, str]] = []

    def warn(self, line: int, message: str) -> None:
        self.notes.append((line, message))

    def feed(self, number: int, text: str) -> None:
        if m := ARTICLE_RE.match(text):
            caption = (m.group(2) if m.group(2) is not None else m.group(3) or "").strip()
            self.articles.append(_Node(number_value(m.group(1)), number, caption=normalize_text(caption)))
            self.state = "article"
        elif self.state != "title" and SUPPLEMENTARY_RE.match(text):
            self.state = "supplementary"
        elif self.state != "title" and APPENDIX_RE.match(text):
            self.appendices.append((number, [], []))
            self.state = "appendix"
        elif self.state == "title":
            self.title.append(normalize_text(text))
        elif self.state == "article":
            self._article_line(number, text)
        elif self.state == "supplementary":
            _add_text(self.supplementary, text, self.notes, number)
        else:
            self._appendix_line(number, text)

    def _article_line(self, number: int, text: str) -> None:
        article = self.articles[-1]
        para_m, item_m = PARAGRAPH_RE.match(text), ITEM_RE.match(text)
        if para_m and not item_m:
            value = number_value(next(g for g in para_m.groups()[:3] if g))
            last = article.paragraphs[-1].number if article.paragraphs else 0
            if 1 <= value <= last + 1:
                if value <= last:
                    self.warn(number, f"第{article.number}条: 項番号 {value} が重複しています（直前は {last}）。")
                article.paragraphs.append(_Node(value, number, [para_m.group(4)] if para_m.group(4) else []))
                return
        if item_m:
            value = number_value(item_m.group(1) or item_m.group(2))
            owner = article.paragraphs[-1].items if article.paragraphs else article.items
            last = owner[-1].number if owner else 0
            if 1 <= value <= last + 1:
                owner.append(_Node(value, number, [item_m.group(3)] if item_m.group(3) else []))
                return
        if article.paragraphs:
            para = article.paragraphs[-1]
            target = para.items[-1].blocks if para.items else para.blocks
        else:
            target = article.items[-1].blocks if article.items else article.lead
        _add_text(target, text, self.notes, number)

    def _appendix_line(self, number: int, text: str) -> None:
        _line, title, sections = self.appendices[-1]
        if m := MARK_RE.match(text):
            sections.append({"mark": f"※{number_value(m.group(1))}", "heading": "", "blocks": [], "rows": [],
                             "notes": [], "line": number})
            return
        if not sections:
            title.append(text)
            return
        section = sections[-1]
        if "\t" in text or (text.startswith("|") and text.endswith("|")):
            cells = [c for c in re.split(r"\t+", text)] if "\t" in text else text.strip("|").split("|")
            if not all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) for c in cells):
                section["rows"].append(tuple(normalize_text(c) for c in cells))
        elif not section["heading"] and not section["blocks"]:
            section["heading"] = normalize_text(text.lstrip("◆■●◇□★☆ "))
        elif text.startswith("※") and (section["rows"] or section["notes"]):
            section["notes"].append(text)
        elif section["notes"]:
            _add_text(section["notes"], text, self.notes, number)
        else:
            _add_text(section["blocks"], text, self.notes, number)

    def result(self) -> ParsedTerms:
        articles = tuple(
            PArticle(a.number, a.caption, tuple(normalize_text(b) for b in a.lead),
                     tuple(PParagraph(p.number, tuple(normalize_text(b) for b in p.blocks), _freeze_items(p.items), p.line)
                           for p in a.paragraphs),
                     _freeze_items(a.items), a.line)
            for a in self.articles)
        for before, after in zip(self.articles, self.articles[1:]):
            if after.number != before.number + 1:
                self.warn(after.line, f"条番号が連続していません（第{before.number}条の次が第{after.number}条）。")
        appendices = []
        for line, title, sections in self.appendices:
            parsed = []
            for s in sections:
                rows = s["rows"]
                table = PTable(rows[0], tuple(rows[1:])) if rows else None
                parsed.append(PSection(s["mark"], s["heading"], tuple(normalize_text(b) for b in s["blocks"]), table,
                                       tuple(normalize_text(n) for n in s["notes"]), s["line"]))
            appendices.append(PAppendix(normalize_text("".join(title)), tuple(parsed), line))
        supplementary = tuple(normalize_text(b) for b in self.supplementary)
        warnings = tuple(Finding(Location(self.path, line), "I100", message, severity="warning")
                         for line, message in sorted(self.notes))
        return ParsedTerms(self.path, _title_block(self.title), articles, supplementary,
                           parse_date(" ".join(supplementary)), tuple(appendices), warnings)


def parse_lines(lines: list[tuple[int, str]], path: str = "<text>") -> ParsedTerms:
    """Parse (line number, raw text) pairs; blank lines and page numbers carry no structure."""
    parser = _Parser(path)
    for number, raw in lines:
        text = clean_line(raw)
        if not text or (_PAGE_NUMBER.match(text) and parser.state != "appendix"):
            continue
        parser.feed(number, text)
    return parser.result()


def parse_text(text: str, path: str = "<text>") -> ParsedTerms:
    """Parse a whole text or Markdown document."""
    return parse_lines(list(enumerate(text.replace("\f", "\n").splitlines(), start=1)), path)
