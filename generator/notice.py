"""`kiyaku notice`: the 規約変更のお知らせ of one edition, with its 新旧対照表.

Why a model before any format: the notice is legal evidence in four formats (md, html, docx,
pdf); the dates, the periods and every row of the table are computed once here, and the
renderers in notice_render.py only lay them out. Nothing is invented: a notice between two
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

from . import _urls
from ._calendar import notice_period, refund_deadline
from .diff import (ADDED, CHANGED, DATES, DELETE, EQUAL, INSERT, NOISE, REFERENCES, REMOVED, RENUMBERED, REPLACE,
                   DocumentDiff, Segment, diff, own_number, tokens, units)
from .document import NumberedDocument
from .errors import Finding, Location, ReleaseError
from .history import ReleaseRecord, edition_document, find_edition, load_records

ELIDED = "（略）"
CONTEXT = 16  # characters of unchanged text kept on each side of a change
AMENDMENT_CLAUSE = "application.amendment"  # 第3条第3項: changes need a 30-day notice
REFUND_CLAUSE = "cancellation.change-refund"  # 第12条第5項: refund when the service content changes


@dataclass(frozen=True)
class Piece:
    text: str
    changed: bool = False  # underlined (and highlighted) as changed


@dataclass(frozen=True)
class Row:
    """One row of the 新旧対照表."""

    new_label: str  # 第2条第1項, or （新設）… markers live in the pieces
    new_anchor: str | None  # HTML id of the provision in the rendered terms
    new: tuple[Piece, ...]
    old_label: str
    old: tuple[Piece, ...]
    note: str  # 備考


@dataclass(frozen=True)
class ChangedArticle:
    heading: str  # 第2条（利用料金）
    anchor: str | None  # None for a deleted article
    status: str  # 新設 / 削除 / 変更 / 繰下げ …


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
    kind: str
    service_change: bool
    refund_deadline: dt.date | None
    amendment_clause: str | None  # 第3条第3項 as numbered in the new edition, if that clause exists
    refund_clause: str | None
    articles: tuple[ChangedArticle, ...]
    rows: tuple[Row, ...]
    terms_href: str  # where the rendered terms are, for links to the article anchors

    @property
    def empty(self) -> bool:
        return not self.rows


def _cut(pieces: list[str], keep_end: bool) -> str:
    """Keep CONTEXT characters of unchanged tokens at one end, preferring to start/stop at 、 or 。."""
    kept: list[str] = []
    seq = list(reversed(pieces)) if keep_end else pieces
    for token in seq:
        if sum(map(len, kept)) >= CONTEXT:
            break
        if keep_end and token in "、。" and len(kept) >= 4:
            break
        kept.append(token)
        if not keep_end and token in "、。" and len(kept) >= 4:
            break
    return "".join(reversed(kept)) if keep_end else "".join(kept)


def _elide(text: str, first: bool, last: bool) -> list[Piece]:
    """An unchanged stretch, shortened to its ends next to changes."""
    if len(text) <= 2 * CONTEXT + len(ELIDED) or (first and last):
        return [Piece(text)] if text else []
    toks = tokens(text)
    if first:
        return [Piece(ELIDED), Piece(_cut(toks, keep_end=True))]
    if last:
        return [Piece(_cut(toks, keep_end=False)), Piece(ELIDED)]
    return [Piece(_cut(toks, keep_end=False)), Piece(ELIDED), Piece(_cut(toks, keep_end=True))]


def _sides(segments: tuple[Segment, ...]) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    new: list[Piece] = []
    old: list[Piece] = []
    for index, seg in enumerate(segments):
        first, last = index == 0, index == len(segments) - 1
        if seg.op in (EQUAL, NOISE):
            new += _elide(seg.new, first, last)
            old += _elide(seg.old, first, last)
            continue
        if seg.op in (INSERT, REPLACE):
            new.append(Piece(seg.new, True))
        if seg.op in (DELETE, REPLACE):
            old.append(Piece(seg.old, True))
    return tuple(new), tuple(old)


_NOTES = {ADDED: "新設", REMOVED: "削除", CHANGED: "文言の変更", REFERENCES: "条項番号の変更に伴う参照の修正"}


def _renumber_note(old_label: str, new_label: str, what: str) -> str:
    old_n, new_n = (int(re.findall(r"\d+", x)[-1]) for x in (old_label, new_label))
    return f"{what}番号の{'繰下げ' if new_n > old_n else '繰上げ'}（内容の変更なし）"


def _rows(result: DocumentDiff) -> list[Row]:
    rows: list[Row] = []
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
                                _renumber_note(article.old_heading or "", article.new_heading or "", "条")))
            elif unit.kind != "caption" and own_number(old) != own_number(new):
                rows.append(Row(new.label, new.anchor, (Piece(ELIDED),), old.label, (Piece(ELIDED),), _renumber_note(old.label, new.label, "項・号の")))
            continue
        article = by_article.get(unit.article)
        whole = unit.kind == "caption" and article is not None and article.status in (ADDED, REMOVED)
        if status == ADDED:
            label, text = (f"第{article.new_number}条", article.new_heading or "") if whole and article else (unit.label, unit.text)
            rows.append(Row(label, unit.anchor, (Piece(text, True),), "", (Piece("（新設）"),), "条の新設" if whole else _NOTES[ADDED]))
        elif status == REMOVED:
            label, text = (f"第{article.old_number}条", article.old_heading or "") if whole and article else (unit.label, unit.text)
            rows.append(Row("", None, (Piece("（削除）"),), label, (Piece(text, True),), "条の削除" if whole else _NOTES[REMOVED]))
        else:
            new_pieces, old_pieces = _sides(change.segments)
            assert change.old is not None and change.new is not None
            rows.append(Row(change.new.label, change.new.anchor, new_pieces, change.old.label, old_pieces, _NOTES[status]))
    return rows


def _articles(result: DocumentDiff) -> tuple[ChangedArticle, ...]:
    out = []
    for a in result.articles:
        if a.status in (ADDED, REMOVED, CHANGED):
            status = {ADDED: "新設", REMOVED: "削除", CHANGED: "変更"}[a.status]
        elif a.status == REFERENCES:
            status = "参照の修正"
        else:
            status = "繰下げ" if (a.new_number or 0) > (a.old_number or 0) else "繰上げ"
        if a.old_number and a.new_number and a.old_number != a.new_number and a.status != RENUMBERED:
            status += f"（旧第{a.old_number}条）"
        out.append(ChangedArticle(a.new_heading or a.old_heading or "", a.id if a.new_heading else None, status))
    return tuple(out)


def _clause(doc: NumberedDocument, path: str) -> str | None:
    return next((u.label for u in units(doc) if u.path == path), None)


def build_notice(record: ReleaseRecord, old: NumberedDocument, new: NumberedDocument, terms_href: str | None = None) -> Notice:
    """The notice of `record`, from the documents of the previous and of this edition."""
    result = diff(old, new)
    start, end = notice_period(record.announced_day, record.notice_days)
    deadline = refund_deadline(record.announced_day) if record.service_change else None
    return Notice(record.variant, new.provider, new.service, record.edition, record.previous_edition or old.edition,
                  record.announced_day, record.effective_day, start, end, record.notice_days, record.reason, record.kind,
                  record.service_change, deadline, _clause(new, AMENDMENT_CLAUSE), _clause(new, REFUND_CLAUSE),
                  _articles(result), tuple(_rows(result)), terms_href if terms_href is not None else f"{record.variant}.html")


def make_notice(root: Path | str, variant_id: str, edition: int | None = None, terms_href: str | None = None) -> Notice:
    """The notice of an edition (default: the newest one) against the edition before it."""
    if terms_href is not None:
        _urls.check(terms_href, "--terms-url")  # the links of a published notice: never javascript: or data:
    if edition is None:
        records = [r for r in load_records(root).get(variant_id, ()) if not r.is_baseline]
        if not records:
            raise ReleaseError(Finding(Location(f"releases/{variant_id}/"), "H050", f"販売店「{variant_id}」には規約変更の記録がありません。",
                                       f"変更を記録するには kiyaku release {variant_id} --announce … --effective … --reason … を実行してください。"))
        record = records[-1]
    else:
        record = find_edition(root, variant_id, edition)
    if record.is_baseline or record.previous_edition is None:
        raise ReleaseError(Finding(Location(record.relpath), "H051", f"第{record.edition}版は基準版のため、変更のお知らせはありません。",
                                   "--edition で変更後の版を指定してください。"))
    previous = find_edition(root, variant_id, record.previous_edition)
    return build_notice(record, edition_document(root, previous), edition_document(root, record), terms_href)


# format name -> "module:Class"; each class has name, extension, media_type and render(notice) -> bytes
FORMATS = {
    "md": "generator.notice_render:MarkdownNotice",
    "html": "generator.notice_render:HtmlNotice",
    "docx": "generator.notice_render:DocxNotice",
    "pdf": "generator.notice_render:PdfNotice",
}


def render_notice(notice: Notice, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ReleaseError(Finding(Location("<コマンドライン>"), "C003", f"お知らせの形式「{fmt}」はありません。",
                                   f"使える形式: {', '.join(FORMATS)}"))
    module_name, cls = FORMATS[fmt].split(":")
    return getattr(importlib.import_module(module_name), cls)().render(notice)
