"""`kiyaku feed`: Atom feeds of change notices, one per reseller and one for all.

Why Atom: other sites (chambers of commerce, the service portal) subscribe to a reseller's
notices without scraping. Ids must never change once published (readers use them to tell new
entries from old), so they are urn:uuid values derived (uuid5) from the variant, the edition
and its announcement date, not from URLs that may move. The bytes are deterministic: no clock,
times are the announcement dates at 00:00 JST, and entries are in a fixed order.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..compile.eras import era_date
from ..compile.pipeline import load, require_variant
from ..history.editions import ReleaseRecord, load_records
from ..source import _urls
from ..source.errors import Finding, Location, ReleaseError
from ..source.load import Project
from .notice import Notice, make_notice

Records = dict[str, tuple[ReleaseRecord, ...]]
NoticeOf = Callable[[ReleaseRecord], Notice]

ATOM = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kiyaku:notices")
_BASE = re.compile(r"^(https?://[^\s<>\"]+/)?$")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: str  # RFC 3339
    link: str
    author: str
    summary: str


def entry_id(record: ReleaseRecord) -> str:
    name = f"{record.variant}/ed{record.edition}/{record.announced}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def feed_id(variant_id: str | None) -> str:
    name = "feed/" + (variant_id or "*")
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def notice_href(variant_id: str, edition: int) -> str:
    """Where the site publishes a notice, relative to the base URL (kiyaku notice -o writes it there)."""
    return f"{variant_id}/notice-ed{edition}.html"


def _rfc3339(day: str) -> str:
    return f"{day}T00:00:00+09:00"


def _summary(notice: Notice) -> str:
    articles = "、".join(a.heading for a in notice.articles) or "なし"
    text = (f"{notice.provider}は、利用規約を変更します（第{notice.edition}版）。告知日: {era_date(notice.announced)}。"
            f"実施日: {era_date(notice.effective)}。変更の理由: {notice.reason}。変更する条項: {articles}。")
    if notice.refund_deadline is not None:
        text += f"本サービスの内容の変更を含みます（返金を伴う解約の申出期限: {era_date(notice.refund_deadline)}）。"
    return text


def entries(root: Path | str, variant_id: str | None = None, base_url: str = "", *,
            records: Records | None = None, notice_of: NoticeOf | None = None) -> list[Entry]:
    """Entries for one reseller (or all), newest first; baseline records are not notices.

    records / notice_of: what the caller has already read and made (the website builds every
    feed from one reading of the records and one notice per edition, so feeds cost O(N), not O(N²)).
    """
    records = load_records(root) if records is None else records
    make = notice_of or (lambda record: make_notice(root, record.variant, record.edition))
    chosen = [variant_id] if variant_id else sorted(records)
    out = []
    for vid in chosen:
        for record in records.get(vid, ()):
            if record.is_baseline:
                continue
            notice = make(record)
            out.append((record, Entry(entry_id(record), f"規約変更のお知らせ（{notice.provider}・第{record.edition}版、{era_date(notice.effective)}実施）",
                                      _rfc3339(record.announced), base_url + notice_href(vid, record.edition), notice.provider,
                                      _summary(notice))))
    out.sort(key=lambda pair: (pair[0].announced, pair[0].variant, pair[0].edition), reverse=True)
    return [entry for _record, entry in out]


def _updated(items: list[Entry], records: Records, project: Project, variant_id: str | None) -> str:
    """The newest notice; with none, the newest record (a baseline) or the terms' own issue date.

    Atom requires a real date here: 1970-01-01 would tell a reader the feed is dead.
    """
    chosen = [variant_id] if variant_id else sorted(project.variants)
    days = [r.announced for v in chosen for r in records.get(v, ())]
    days = days or [project.variants[v].issued for v in chosen]
    return max([e.updated for e in items] + [_rfc3339(d) for d in days], default=_rfc3339("2020-01-01"))


def atom(root: Path | str, variant_id: str | None = None, base_url: str = "", *, records: Records | None = None,
         project: Project | None = None, notice_of: NoticeOf | None = None) -> bytes:
    """The Atom document; the same records always give the same bytes.

    records, project, notice_of: already loaded by the caller (the website); read here when None.
    """
    if not _BASE.fullmatch(base_url) or (base_url and _urls.problem(base_url)):
        raise ReleaseError(Finding(Location("<コマンドライン>"), "H076", f"--base-url「{base_url}」は使えません。",
                                   "https:// で始まり / で終わる URL を指定してください（例: https://example.jp/kiyaku/）。"))
    records = load_records(root) if records is None else records
    project = load(root) if project is None else project
    items = entries(root, variant_id, base_url, records=records, notice_of=notice_of)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "ja"})
    if variant_id:
        require_variant(variant_id, project.variants)  # refuses an unknown or malformed id (C001/C002)
        author = project.variants[variant_id].name
        title = f"規約変更のお知らせ（{author}）"
    else:
        author = project.document.service
        title = "規約変更のお知らせ（全販売店）"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id(variant_id)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _updated(items, records, project, variant_id)
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = author
    self_href = base_url + (f"{variant_id}/notices.atom" if variant_id else "notices.atom")
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_href})
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "kiyaku"
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = item.id
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = item.updated
        ET.SubElement(entry, f"{{{ATOM}}}published").text = item.updated
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": item.link})
        ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = item.author
        ET.SubElement(entry, f"{{{ATOM}}}summary", {"type": "text"}).text = item.summary
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
