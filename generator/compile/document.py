"""The numbered document: the one structure every renderer reads.

Every number is computed and every placeholder already replaced: renderers only lay out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NItem:
    """号: ``（1）`` with one or more text blocks."""

    path: str
    number: int
    blocks: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"（{self.number}）"


@dataclass(frozen=True)
class NParagraph:
    """項: ``1.`` with its blocks, items and any text after the items."""

    path: str
    number: int
    blocks: tuple[str, ...]
    items: tuple[NItem, ...] = ()
    after: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.number}."


@dataclass(frozen=True)
class NArticle:
    """条: ``第13条（本サービスの利用料金、支払方法、利用期間）``."""

    id: str
    number: int
    caption: str
    lead: tuple[str, ...] = ()
    paragraphs: tuple[NParagraph, ...] = ()
    items: tuple[NItem, ...] = ()

    @property
    def label(self) -> str:
        return f"第{self.number}条"

    @property
    def heading(self) -> str:
        return f"第{self.number}条（{self.caption}）"

    @property
    def anchor(self) -> str:
        return self.id


@dataclass(frozen=True)
class NTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    missing: str | None = None


@dataclass(frozen=True)
class NAppendixSection:
    id: str
    mark: str
    heading: str
    blocks: tuple[str, ...] = ()
    table: NTable | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NAppendix:
    id: str
    title: str
    sections: tuple[NAppendixSection, ...]


@dataclass(frozen=True)
class NumberedDocument:
    """One reseller's terms, ready to render."""

    variant_id: str
    service: str
    subtitle: str
    title: str
    provider: str
    self_ref: str
    edition: int
    issued: dt.date
    effective: dt.date
    issued_text: str
    effective_text: str
    articles: tuple[NArticle, ...]
    supplementary: tuple[str, ...]
    appendices: tuple[NAppendix, ...] = ()
    gaps: tuple[str, ...] = field(default=())  # content known to be missing (e.g. 別紙※2 table)

    @property
    def cover_line(self) -> str:
        return f"{self.issued_text} 第{self.edition}版"

    def article(self, article_id: str) -> NArticle:
        return next(a for a in self.articles if a.id == article_id)
