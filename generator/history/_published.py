"""`kiyaku verify --against SITE`: the published SHA-256 values checked against git.

Why a published copy: lint and verify compare each record with its first commit and its tag.
Someone who can rewrite history, amend a record and move its tag leaves git consistent with
itself; only what was published before (the site, a reseller's download) still shows the old
values. Every edition page of the site lists its files' SHA-256 and the manifest.json beside
them (<variant>/editions/<N>/downloads/manifest.json); the text file's SHA-256 is the record's
text_sha256 and the manifest's source_commit is the record's.

A source is a folder (a built site, a mirror) or an https:// base URL, read with a timeout and
a size bound; plain http and other schemes are refused, so a check of evidence cannot be
redirected to a forged copy in clear text.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from ..source.errors import Finding, Location, ReleaseError
from .editions import ReleaseRecord, load_records

MAX_MANIFEST = 1024 * 1024
TIMEOUT = 15.0
CLI = Location("<コマンドライン>")


def manifest_path(record: ReleaseRecord) -> str:
    return f"{record.variant}/editions/{record.edition}/downloads/manifest.json"


def _usage(source: str) -> ReleaseError:
    return ReleaseError(Finding(CLI, "C006", f"--against に「{source}」は使えません。",
                                "公開サイトのフォルダ（mkdocs build の site/）か、https:// で始まる URL を指定してください。"))


class _Source:
    """One published copy: a folder or an https base URL."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.url = text if text.startswith("https://") else None
        if self.url is None and ("://" in text or not Path(text).is_dir()):
            raise _usage(text)
        if self.url is not None and not self.url.endswith("/"):
            self.url += "/"

    def read(self, relpath: str) -> tuple[bytes | None, str]:
        """(bytes or None when not published, where it was read from); ReleaseError on a transport failure."""
        if self.url is None:
            path = Path(self.text) / relpath
            if not path.is_file() or path.is_symlink():
                return None, str(path)
            if path.stat().st_size > MAX_MANIFEST:
                raise ReleaseError(Finding(Location(str(path)), "H057", "manifest.json が大きすぎます。", "公開サイトの内容を確認してください。"))
            return path.read_bytes(), str(path)
        return _fetch(self.url + relpath)


class _HttpsOnly(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913 — urllib's signature
        if not newurl.startswith("https://"):
            raise urllib.error.URLError(f"https 以外へのリダイレクト: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(url: str) -> tuple[bytes | None, str]:
    opener = urllib.request.build_opener(_HttpsOnly)
    try:
        with opener.open(urllib.request.Request(url, headers={"User-Agent": "kiyaku-verify"}), timeout=TIMEOUT) as response:
            data = response.read(MAX_MANIFEST + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None, url
        raise ReleaseError(Finding(Location(url), "H057", f"公開サイトを読めません（HTTP {exc.code}）。", "URL とネットワークを確認してください。")) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ReleaseError(Finding(Location(url), "H057", f"公開サイトを読めません（{reason}）。",
                                   f"URL とネットワークを確認してください（{TIMEOUT:.0f} 秒で打ち切ります）。")) from None
    if len(data) > MAX_MANIFEST:
        raise ReleaseError(Finding(Location(url), "H057", "manifest.json が大きすぎます。", "公開サイトの内容を確認してください。"))
    return data, url


def _compare(record: ReleaseRecord, data: bytes, where: str) -> list[Finding]:
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        text = [entry["sha256"] for entry in files.values() if entry.get("format") == "txt"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return [Finding(Location(where), "H057", "公開された manifest.json を読めません。", "公開サイトの内容を確認してください。")]
    out = []
    if manifest.get("source_commit") not in (None, record.source_commit):
        out.append(Finding(Location(where), "H054",
                           f"公開された第{record.edition}版のソースのコミット {str(manifest['source_commit'])[:10]} が、"
                           f"git のリリース記録（{record.source_commit[:10]}）と違います。",
                           f"{record.relpath} とタグ {record.variant}/ed{record.edition} が公開後に書き換えられた可能性があります。経緯を確認してください。"))
    if text and text[0] != record.text_sha256:
        out.append(Finding(Location(where), "H054",
                           f"公開された第{record.edition}版のテキストの SHA-256 が、git のリリース記録と違います。",
                           f"{record.relpath} とタグ {record.variant}/ed{record.edition} が公開後に書き換えられた可能性があります。経緯を確認してください。"))
    return out


def check_published(root: Path | str, sources: list[str]) -> list[Finding]:
    """Every released edition compared with each published copy; editions not published are warnings."""
    parsed = [_Source(s) for s in sources]
    records = [r for rs in load_records(root).values() for r in rs]
    findings: list[Finding] = []
    for source in parsed:
        for record in records:
            data, where = source.read(manifest_path(record))
            if data is None:
                findings.append(Finding(Location(where), "H055", f"{record.variant} 第{record.edition}版が公開先にありません。",
                                        "まだ公開していない版なら問題ありません。公開済みのはずなら公開サイトを確認してください。", "warning"))
                continue
            findings += _compare(record, data, where)
        if source.url is None:
            findings += _unrecorded(Path(source.text), {manifest_path(r) for r in records})
    return findings


def _unrecorded(site: Path, known: set[str]) -> list[Finding]:
    """Editions the site published that git has no record of (a deleted record and tag)."""
    out = []
    for path in sorted(site.glob("*/editions/*/downloads/manifest.json")):
        relpath = path.relative_to(site).as_posix()
        if relpath not in known:
            out.append(Finding(Location(str(path)), "H056", "公開された版のリリース記録が git にありません。",
                               "リリース記録とタグが削除された可能性があります。git log --all -- releases/ で経緯を確認してください。"))
    return out
