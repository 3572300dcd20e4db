"""The 規約変更のお知らせ in md, html, docx and pdf: one registered class per format.

Why one view for all formats: every format must say the same dates and show the same rows, so
the wording is made once (notice_view) and the renderers only lay it out. Changed characters
are marked by more than colour: underlined and highlighted (a text marker), with a legend.
Clause text is always data: escaped by Jinja2 autoescape in HTML, by backslashes in Markdown,
and placed as string values (never markup) in Typst.
"""

from __future__ import annotations

import contextlib
import functools
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Iterator

import jinja2

from ..compile.eras import era_date
from ..history._calendar import JST
from ._docx_fonts import office_fonts
from ..source.errors import ReleaseError, RenderError
from .notice import Contact, Notice, Piece, Table

LEGEND = "変更箇所は、変更後・変更前の両方で下線と網掛けで示しています。（略）は変更のない部分の省略です。"
EMPTY = "前の版から本文の変更はありません（表記のゆれを除く）。新旧対照表に載せる変更はありません。"


def _pieces(pieces: tuple[Piece, ...]) -> list[dict[str, Any]]:
    return [{"text": p.text, "changed": p.changed} for p in pieces]


def _table(table: Table | None) -> list[list[dict[str, Any]]] | None:
    """A 別紙 table as rows of cells; a cell is changed when any of its pieces is (header row first)."""
    if table is None:
        return None
    return [[{"pieces": _pieces(cell), "changed": any(p.changed for p in cell)} for cell in row] for row in table]


def contact_lines(contact: Contact) -> list[dict[str, str]]:
    """The issuer's contact block, in the order Japanese letters print it; unset fields are left out."""
    lines = [("所在地", contact.address), ("電話", contact.phone), ("電子メール", contact.email), ("ウェブページ", contact.web)]
    return [{"label": a, "value": b} for a, b in lines if b]


def notice_view(notice: Notice) -> dict[str, Any]:
    """Everything a renderer prints, as plain data (also the JSON the Typst template reads).

    One date style everywhere: 和暦（西暦）, as the terms print their own dates.
    """
    n = notice
    basis = f"本規約{n.amendment_clause}の定めにより、" if n.amendment_clause else ""
    facts = [
        ("告知日", era_date(n.announced)),
        ("予告期間", f"{era_date(n.period_start)}から{era_date(n.period_end)}まで（{n.notice_days}日間）"),
        ("実施日", f"{era_date(n.effective)}（この日から変更後の規約が適用されます）"),
        ("版", f"第{n.edition}版（変更前: 第{n.previous_edition}版）"),
        ("変更の理由", n.reason),
        ("変更の種類", (n.kind_text or n.kind) + ("（本サービスの内容の変更を含みます）" if n.service_change else "")),
    ]
    refund = None
    if n.refund_deadline is not None:
        clause = f"本規約{n.refund_clause}の定め" if n.refund_clause else "本規約の定め"
        facts.append(("返金を伴う解約の申出期限", f"{era_date(n.refund_deadline)}まで"))
        refund = (f"この変更は本サービスの内容の変更を含みます。{clause}により、この変更に直接起因して解約を希望されるお客様は、"
                  f"{era_date(n.refund_deadline)}までに電子メールでお申し出ください（告知日から2か月（民法第143条により計算）。"
                  "その日が営業日でない場合は直前の営業日）。")
    return {
        "title": "規約変更のお知らせ",
        "date": era_date(n.announced),
        "addressee": n.addressee,
        "provider": n.provider,
        "contact": contact_lines(n.contact),
        "subject": f"{n.service} 利用規約の変更について（第{n.edition}版）",
        "lead": (f"平素より{n.service}をご利用いただき、誠にありがとうございます。"
                 f"{n.provider}は、{n.service} 利用規約（以下「本規約」といいます。）を下記のとおり変更いたします。"
                 f"{basis}{n.notice_days}日間の予告期間をおいてお知らせします。"
                 f"{era_date(n.effective)}以降は、変更後の規約が適用されます。"),
        "ki": "記",
        "facts": [{"label": a, "value": b} for a, b in facts],
        "refund": refund,
        "articles": [{"heading": a.heading, "href": f"{n.terms_href}#{a.anchor}" if a.anchor else None, "status": a.status,
                      "parts": [{"label": p.label, "href": f"{n.terms_href}#{p.anchor}" if p.anchor else None, "note": p.note}
                                for p in a.parts]}
                     for a in n.articles],
        "legend": LEGEND,
        "empty": EMPTY if n.empty else None,
        "rows": [{"new_label": r.new_label, "new_href": f"{n.terms_href}#{r.new_anchor}" if r.new_anchor else None,
                  "new": _pieces(r.new), "old_label": r.old_label, "old": _pieces(r.old), "note": r.note,
                  "new_table": _table(r.new_table), "old_table": _table(r.old_table)} for r in n.rows],
        "closing": "以上",
        "issued": n.announced.isoformat(),
        "edition": n.edition,
    }


def _timestamp(notice: Notice) -> int:
    """The one time embedded in DOCX/PDF: the announcement date 00:00 JST (same notice, same bytes)."""
    return int(dt.datetime.combine(notice.announced, dt.time(0, 0), JST).timestamp())


_ENV = jinja2.Environment(loader=jinja2.PackageLoader("generator", "templates"), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_html(notice: Notice, for_docx: bool = False) -> str:
    return _ENV.get_template("notice.html.j2").render(v=notice_view(notice), for_docx=for_docx)


class HtmlNotice:
    name, extension, media_type = "html", ".html", "text/html; charset=utf-8"

    def render(self, notice: Notice) -> bytes:
        return render_html(notice).encode("utf-8")


@contextlib.contextmanager
def _source_date_epoch(value: int) -> Iterator[None]:
    """pandoc stamps DOCX with SOURCE_DATE_EPOCH when set; set it for this call only."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(value)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


class DocxNotice:
    """DOCX through pandoc (pypandoc_binary) from the HTML: tables, underline and highlight survive;
    then the fonts Office users have are declared (generator.changes._docx_fonts)."""

    name, extension, media_type = "docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render(self, notice: Notice) -> bytes:
        import tempfile

        import pypandoc

        with tempfile.TemporaryDirectory(prefix="kiyaku-notice-") as tmp:
            target = Path(tmp) / "notice.docx"
            with _source_date_epoch(_timestamp(notice)):
                pypandoc.convert_text(render_html(notice, for_docx=True), "docx", format="html", outputfile=str(target),
                                      extra_args=["--metadata", "lang=ja-JP"])
            return office_fonts(target.read_bytes(), fit_tables=True)  # 游明朝/游ゴシック as the terms; 別紙 tables fit their cells


class PdfNotice:
    """PDF/A-2a through Typst with the same pinned fonts and typesetting rules as the terms (tagged, /Lang,
    embedded subset fonts); clause text goes in as JSON strings."""

    name, extension, media_type = "pdf", ".pdf", "application/pdf"

    def render(self, notice: Notice) -> bytes:
        from ..render import pdf

        try:
            return pdf.compile_pdf(_notice_compiler(), {"notice": json.dumps(notice_view(notice), ensure_ascii=False, sort_keys=True)},
                                   _timestamp(notice), pdf.PDF_STANDARD, "generator/templates/notice.typ", "H075")
        except RenderError as exc:
            raise ReleaseError(exc.findings) from None


@functools.cache
def _notice_compiler() -> Any:
    from ..render import pdf

    return pdf.template_compiler("notice.typ")
