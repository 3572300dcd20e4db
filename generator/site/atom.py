"""A minimal Atom feed, used only while generator.changes.feeds (the notices' own feed) is not available.

Why have one at all: every page's <head> links the feeds, so the files must exist even when
there are no notices yet; a reader that subscribes early gets the notices once they appear.
Ids are urn:uuid values derived from stable names, so they never change between builds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kiyaku.invalid/feeds")


@dataclass(frozen=True)
class Entry:
    key: str  # stable name, e.g. hiroshima-cci/edition-2
    title: str
    updated: dt.date
    href: str
    summary: str


def _urn(key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, key)}"


def _stamp(day: dt.date) -> str:
    """Midnight Japan time: notices are dated by the day, in Japan."""
    return f"{day.isoformat()}T00:00:00+09:00"


def feed(key: str, title: str, self_href: str, page_href: str, updated: dt.date, entries: list[Entry]) -> bytes:
    """The feed document; hrefs are as given (absolute when the site's URL is configured)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">',
        f"  <id>{_urn(key)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <updated>{_stamp(updated)}</updated>",
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(self_href)}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(page_href)}/>",
        "  <author><name>商工会議所サイバーセキュリティお助け隊サービス</name></author>",
    ]
    for entry in entries:
        lines += [
            "  <entry>",
            f"    <id>{_urn(entry.key)}</id>",
            f"    <title>{escape(entry.title)}</title>",
            f"    <updated>{_stamp(entry.updated)}</updated>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(entry.href)}/>",
            f"    <summary>{escape(entry.summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")
