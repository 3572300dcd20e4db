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

from . import _urls
from .compile import compile_variant, load
from .eras import era_date
from .errors import Finding, Location, ReleaseError
from .history import ReleaseRecord, load_records
from .notice import Notice, make_notice

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


def entries(root: Path | str, variant_id: str | None = None, base_url: str = "") -> list[Entry]:
    """Entries for one reseller (or all), newest first; baseline records are not notices."""
    records = load_records(root)
    chosen = [variant_id] if variant_id else sorted(records)
    out = []
    for vid in chosen:
        for record in records.get(vid, ()):
            if record.is_baseline:
                continue
            notice = make_notice(root, vid, record.edition)
            out.append((record, Entry(entry_id(record), f"規約変更のお知らせ（{notice.provider}・第{record.edition}版、{era_date(notice.effective)}実施）",
                                      _rfc3339(record.announced), base_url + notice_href(vid, record.edition), notice.provider,
                                      _summary(notice))))
    out.sort(key=lambda pair: (pair[0].announced, pair[0].variant, pair[0].edition), reverse=True)
    return [entry for _record, entry in out]


def atom(root: Path | str, variant_id: str | None = None, base_url: str = "") -> bytes:
    """The Atom document; the same records always give the same bytes."""
    if not _BASE.fullmatch(base_url) or (base_url and _urls.problem(base_url)):
        raise ReleaseError(Finding(Location("<コマンドライン>"), "H076", f"--base-url「{base_url}」は使えません。",
                                   "https:// で始まり / で終わる URL を指定してください（例: https://example.jp/kiyaku/）。"))
    items = entries(root, variant_id, base_url)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "ja"})
    if variant_id:
        project = load(root)
        compile_variant(project, variant_id)  # refuses an unknown or malformed id with a finding
        title = f"規約変更のお知らせ（{project.variants[variant_id].name}）"
    else:
        title = "規約変更のお知らせ（全販売店）"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id(variant_id)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = max((e.updated for e in items), default="1970-01-01T00:00:00Z")
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
