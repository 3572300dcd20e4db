"""URLs that kiyaku writes into HTML, Markdown and feeds: `https:` or relative, nothing else.

Why: `kiyaku notice --terms-url "javascript:…"` wrote a live link into a notice that is
published on the site. Escaping keeps a value from becoming markup, but an href is markup's
own channel; so an address is accepted only when its scheme is https (with a host) or when it
is a relative path, and it holds no space, quote, angle bracket, backslash or control character
(which also keeps it intact inside a Markdown link).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import Finding, Location, SourceError

_UNSAFE = re.compile(r"[\s\"'<>\\`()\[\]{}\x00-\x1f\x7f]")


def problem(url: str) -> str | None:
    """Why url may not be written into a page, or None when it may."""
    if _UNSAFE.search(url):
        return "空白・引用符・括弧・制御文字は使えません"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "URL として読めません"
    if parts.scheme == "https":
        return None if parts.netloc else "https: の後にホスト名がありません"
    if parts.scheme:
        return f"「{parts.scheme}:」の URL は使えません（https: か相対パスだけです）"
    if parts.netloc or url.startswith("//"):
        return "「//」で始まるアドレスは使えません"
    return None


def check(url: str, option: str) -> str:
    """url itself, or a C-coded finding naming the option (a usage error: exit 1 with the finding)."""
    reason = problem(url)
    if reason is not None:
        raise SourceError(Finding(Location("<コマンドライン>"), "C006", f"{option}「{url!r}」は使えません: {reason}。",
                                  "https:// で始まる URL か、相対パス（例: hiroshima-cci.html）を指定してください。"))
    return url
