"""`kiyaku notice`: the 規約変更のお知らせ of one edition, with its 新旧対照表.

Why a model before any format: the notice is legal evidence in four formats (md, html, docx,
pdf); the dates, the periods and every row of the table are computed once here, and the
renderers in generator/changes/notice_render.py only lay them out. Nothing is invented: a notice between two
versions without a change has no rows and says so.

The rows follow Japanese practice for 新旧対照表: one row per changed paragraph or item, the new
text left (変更後) and the old right (変更前), the changed characters underlined on both sides,
long unchanged stretches elided as （略）, new and deleted provisions marked （新設）/（削除）.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from . import _notice_notes as notes
from ..history._calendar import notice_period, refund_deadline
from ..source import _urls
from ._elide import ELIDED, Piece, sides
from ._table_diff import TableDiff, table_diff
from .diff import (ADDED, CHANGED, DATES, REFERENCES, REMOVED, RENUMBERED, ArticleChange, DocumentDiff, Unit,
                   UnitChange, char_diff, diff, own_number, units)
from ..compile.document import NumberedDocument
from ..history.editions import ReleaseRecord, edition_document, find_edition, load_records, project_at
from ..source.errors import Finding, Location, ReleaseError
from ..source.model import KIND_WORDING

AMENDMENT_CLAUSE = "application.amendment"  # 第3条第3項: changes need a 30-day notice
REFUND_CLAUSE = "cancellation.change-refund"  # 第12条第5項: refund when the service content changes
Table = tuple[tuple[tuple[Piece, ...], ...], ...]  # rows of cells of pieces, header first


@dataclass(frozen=True)
class Row:
    """One row of the 新旧対照表."""

    new_label: str  # 第2条第1項, or （新設）… markers live in the pieces
    new_anchor: str | None  # HTML id of the provision in the rendered terms
    new: tuple[Piece, ...]
    old_label: str
    old: tuple[Piece, ...]
    note: str  # 備考 as printed: the kinds joined, with a detail for renumbering
    kinds: tuple[str, ...] = ()  # 料金の変更 / 新設 / 削除 / 番号の変更 / 文言の変更 / 別紙の変更
    new_table: Table | None = None  # a 別紙 table, cell by cell (then `new`/`old` are empty)
    old_table: Table | None = None


@dataclass(frozen=True)
class ChangedPart:
    """One changed unit inside an entry of 「変更する条項」: a paragraph, item or 別紙 table row."""

    label: str
    anchor: str | None
    note: str


@dataclass(frozen=True)
class ChangedArticle:
    heading: str  # 第2条（利用料金）, 附則, 別紙※1（…）
    anchor: str | None  # None for a deleted article
    status: str  # 新設 / 削除 / 変更 / 繰下げ …
    parts: tuple[ChangedPart, ...] = ()


@dataclass(frozen=True)
class Contact:
    """The issuer's contact block (variant fields address, phone, email, web); empty strings when unset."""

    address: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""


@dataclass(frozen=True)
class Notice:
    variant_id: str
    provider: str
    service: str
    edition: int
    previous_edition: int
    announced: dt.date
    effective: dt.date
    period_start: dt.date
    period_end: dt.date
    notice_days: int
    reason: str
    kind: str  # the record's code (利益変更 / 不利益変更)
    service_change: bool
    refund_deadline: dt.date | None
    amendment_clause: str | None  # 第3条第3項 as numbered in the new edition, if that clause exists
    refund_clause: str | None
    articles: tuple[ChangedArticle, ...]
    rows: tuple[Row, ...]
    terms_href: str  # where the rendered terms are, for links to the article anchors
    kind_text: str = ""  # what customers read for `kind` (terms/document.yaml notice.kinds)
    contact: Contact = Contact()
    addressee: str = "お客様各位"

    @property
    def empty(self) -> bool:
        return not self.rows


def _own_numbers(unit: Unit) -> tuple[int, ...]:
    """The numbers that place a unit: (条,) for a caption; (項, 号) or (号,) for the others, without the article's."""
    return tuple(int(n) for n in re.findall(r"\d+", unit.label if unit.kind == "caption" else own_number(unit)))


def _renumber_note(old: Unit, new: Unit, what: str) -> str:
    # compared as a whole, not by the last number: 第2項第1号 → 第3項第1号 moves down with its paragraph
    return f"{notes.NUMBER}（{what}の{'繰下げ' if _own_numbers(new) > _own_numbers(old) else '繰上げ'}、内容の変更なし）"


def _changed_kinds(change: UnitChange) -> set[str]:
    kinds = notes.segment_kinds(change.segments)
    if change.status == REFERENCES:
        kinds = {notes.NUMBER}
    if change.unit.kind in ("appendix", "table"):
        kinds.add(notes.APPENDIX)
    return kinds


def _whole_table(cells: tuple[tuple[str, ...], ...]) -> Table:
    """A table that is new or deleted as a whole: every cell marked (the header too)."""
    return tuple(tuple((Piece(c, True),) if c else () for c in row) for row in cells)


def _table_row(old: Unit, new: Unit, old_cells: tuple[tuple[str, ...], ...], new_cells: tuple[tuple[str, ...], ...]) -> tuple[Row, TableDiff]:
    result = table_diff(old_cells, new_cells)
    kinds = {notes.APPENDIX}
    for r in result.rows:
        for column, old_cell, new_cell in zip(r.columns, r.old_cells, r.new_cells):
            fee = notes.fee_changed(char_diff(old_cell, new_cell), column)
            kinds.add(notes.FEE if fee else notes.WORDING)
        if r.old_number is None or r.new_number is None:
            kinds.add(notes.ADDED if r.old_number is None else notes.REMOVED)
    kinds_t = notes.ordered(kinds)
    return Row(new.label, new.anchor, (), old.label, (), "、".join(kinds_t), kinds_t, result.new, result.old), result


def _rows(result: DocumentDiff) -> tuple[list[Row], dict[str, TableDiff]]:
    rows: list[Row] = []
    tables: dict[str, TableDiff] = {}
    by_article = {a.id: a for a in result.articles}
    for change in result.units:
        unit, status = change.unit, change.status
        if status == DATES:
            continue
        if status == RENUMBERED:
            old, new = change.old, change.new
            assert old is not None and new is not None
            article = by_article.get(unit.article)
            if unit.kind == "caption" and article is not None and article.old_number != article.new_number:
                rows.append(Row(article.new_heading or "", unit.anchor, (Piece(ELIDED),), article.old_heading or "", (Piece(ELIDED),),
                                _renumber_note(old, new, "条番号"), (notes.NUMBER,)))
            elif unit.kind != "caption" and own_number(old) != own_number(new):
                rows.append(Row(new.label, new.anchor, (Piece(ELIDED),), old.label, (Piece(ELIDED),),
                                _renumber_note(old, new, "項・号の番号"), (notes.NUMBER,)))
            continue
        article = by_article.get(unit.article)
        whole = unit.kind == "caption" and article is not None and article.status in (ADDED, REMOVED)
        extra = {notes.APPENDIX} if unit.kind in ("appendix", "table") else set()
        if status in (ADDED, REMOVED):
            own = notes.ADDED if status == ADDED else notes.REMOVED
            kinds = notes.ordered({own} | extra | ({notes.FEE} if notes.AMOUNT.search(unit.text) else set()))
            number = (article.new_number if status == ADDED else article.old_number) if article else None
            label, text = (f"第{number}条", article.new_heading if status == ADDED else article.old_heading) if whole and article \
                else (unit.label, unit.text)
            note = f"条の{own}" if whole else "、".join(kinds)
            table = _whole_table(unit.table) if unit.table else None
            body = () if table else (Piece(text or "", True),)
            if status == ADDED:
                rows.append(Row(label, unit.anchor, body, "", (Piece("（新設）"),), note, kinds, new_table=table))
            else:
                rows.append(Row("", None, (Piece("（削除）"),), label, body, note, kinds, old_table=table))
        elif unit.kind == "table" and change.old is not None and change.old.table and change.new is not None and change.new.table:
            row, tables[unit.path] = _table_row(change.old, change.new, change.old.table, change.new.table)
            rows.append(row)
        else:
            new_pieces, old_pieces = sides(change.segments)
            assert change.old is not None and change.new is not None
            kinds = notes.ordered(_changed_kinds(change))
            note = "、".join(kinds) + ("（参照する条項の番号の修正）" if status == REFERENCES else "")
            rows.append(Row(change.new.label, change.new.anchor, new_pieces, change.old.label, old_pieces, note, kinds))
    return rows, tables


def _article_status(a: ArticleChange) -> str:
    if a.status in (ADDED, REMOVED, CHANGED):
        status = {ADDED: "新設", REMOVED: "削除", CHANGED: "変更"}[a.status]
    elif a.status == REFERENCES:
        status = "参照の修正"
    else:
        status = "繰下げ" if (a.new_number or 0) > (a.old_number or 0) else "繰上げ"
    if a.old_number and a.new_number and a.old_number != a.new_number and a.status != RENUMBERED:
        status += f"（旧第{a.old_number}条）"
    return status


def _table_parts(label: str, anchor: str, table: TableDiff) -> tuple[ChangedPart, ...]:
    parts = []
    for r in table.rows:
        where = "行の新設" if r.old_number is None else "行の削除" if r.new_number is None else "・".join(r.columns)
        parts.append(ChangedPart(f"{label}「{r.key}」の行", anchor, where))
    return tuple(parts)


def _articles(result: DocumentDiff, rows: list[Row], tables: dict[str, TableDiff]) -> tuple[ChangedArticle, ...]:
    """「変更する条項」: every changed article with its changed paragraphs and items, then 附則 and 別紙."""
    # a row by both its labels: a deleted 第4条第1号 and a new 第4条第1号 (another id in its place) are two rows
    by_labels = {(r.new_label, r.old_label): r for r in rows}

    def row_of(change: UnitChange) -> Row | None:
        return by_labels.get((change.new.label if change.new else "", change.old.label if change.old else ""))

    out = []
    for a in result.articles:
        parts = []
        for change in result.units:
            if change.unit.article != a.id or change.unit.kind == "caption" or change.status == DATES:
                continue
            row = row_of(change)
            if row is not None:  # None: renumbered only with its article (第3条第1項 → 第4条第1項), no row of its own
                parts.append(ChangedPart(change.unit.label, change.new.anchor if change.new else None, row.note))
        out.append(ChangedArticle(a.new_heading or a.old_heading or "", a.id if a.new_heading else None, _article_status(a), tuple(parts)))
    for change in result.units:
        unit = change.unit
        if unit.article or change.status in (DATES, RENUMBERED):
            continue
        row = row_of(change)
        assert row is not None  # every change of 附則 or 別紙 but a date or a renumbering has its row
        anchor = unit.anchor if change.new is not None else None
        heading = unit.label + (f"（{unit.text.splitlines()[0]}）" if unit.kind == "appendix" and unit.text else "")
        parts = _table_parts(unit.label, unit.anchor, tables[unit.path]) if unit.path in tables else ()
        out.append(ChangedArticle(heading, anchor, row.note, parts))
    return tuple(out)


def _clause(doc: NumberedDocument, path: str) -> str | None:
    return next((u.label for u in units(doc) if u.path == path), None)


def build_notice(record: ReleaseRecord, old: NumberedDocument, new: NumberedDocument, terms_href: str | None = None,
                 kind_text: str | None = None, contact: Contact = Contact(), addressee: str = "お客様各位") -> Notice:
    """The notice of `record`, from the documents of the previous and of this edition."""
    result = diff(old, new)
    rows, tables = _rows(result)
    start, end = notice_period(record.announced_day, record.notice_days)
    deadline = refund_deadline(record.announced_day) if record.service_change else None
    wording = kind_text if kind_text is not None else KIND_WORDING.get(record.kind, record.kind)
    return Notice(record.variant, new.provider, new.service, record.edition, record.previous_edition or old.edition,
                  record.announced_day, record.effective_day, start, end, record.notice_days, record.reason, record.kind,
                  record.service_change, deadline, _clause(new, AMENDMENT_CLAUSE), _clause(new, REFUND_CLAUSE),
                  _articles(result, rows, tables), tuple(rows), terms_href if terms_href is not None else f"{record.variant}.html",
                  wording, contact, addressee)


def _issuer(root: Path | str, record: ReleaseRecord) -> tuple[str, Contact, str]:
    """The customer-facing kind wording, the contact block and the addressee, as committed with the edition."""
    project = project_at(root, record.source_commit)
    variant = project.variants[record.variant]
    wording = project.document.notice.kinds.get(record.kind, record.kind)  # type: ignore[call-overload]
    contact = Contact(variant.address or "", variant.phone or "", variant.email or "", variant.web or "")
    return wording, contact, project.document.notice.addressee


def make_notice(root: Path | str, variant_id: str, edition: int | None = None, terms_href: str | None = None) -> Notice:
    """The notice of an edition (default: the newest one) against the edition before it."""
    if terms_href is not None:
        _urls.check(terms_href, "--terms-url")  # the links of a published notice: never javascript: or data:
    if edition is None:
        records = [r for r in load_records(root).get(variant_id, ()) if not r.is_baseline]
        if not records:
            raise ReleaseError(Finding(Location(f"releases/{variant_id}/"), "H073", f"販売店「{variant_id}」には規約変更の記録がありません。",
                                       f"変更を記録するには kiyaku release {variant_id} --announce … --effective … --reason … を実行してください。"))
        record = records[-1]
    else:
        record = find_edition(root, variant_id, edition)
    if record.is_baseline or record.previous_edition is None:
        raise ReleaseError(Finding(Location(record.relpath), "H074", f"第{record.edition}版は基準版のため、変更のお知らせはありません。",
                                   "--edition で変更後の版を指定してください。"))
    previous = find_edition(root, variant_id, record.previous_edition)
    new = edition_document(root, record)
    wording, contact, addressee = _issuer(root, record)
    return build_notice(record, edition_document(root, previous), new, terms_href, wording, contact, addressee)


# format name -> "module:Class"; each class has name, extension, media_type and render(notice) -> bytes
FORMATS = {
    "md": "generator.changes.notice_md:MarkdownNotice",
    "html": "generator.changes.notice_render:HtmlNotice",
    "docx": "generator.changes.notice_render:DocxNotice",
    "pdf": "generator.changes.notice_render:PdfNotice",
}


def render_notice(notice: Notice, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ReleaseError(Finding(Location("<コマンドライン>"), "C003", f"お知らせの形式「{fmt}」はありません。",
                                   f"使える形式: {', '.join(FORMATS)}"))
    module_name, cls = FORMATS[fmt].split(":")
    return getattr(importlib.import_module(module_name), cls)().render(notice)
