"""Faults of the machine, not of the sources: a full disk, a read-only folder, no git, a closed stdout.

Why one place: each of these used to end in a Python traceback from wherever it struck. The CLI
turns them into one Japanese sentence saying what to do (exit 1); the release transaction rolls
back before they reach the CLI, so nothing is left half-written.
"""

from __future__ import annotations

import errno
import os
import sys

from .errors import Finding, Location

_REASONS = {
    errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの使用量の上限（クォータ）に達しました",
    errno.EROFS: "読み取り専用のファイルシステムです",
    errno.EACCES: "書き込み（または読み取り）の権限がありません",
    errno.EPERM: "この操作は許可されていません",
    errno.EFBIG: "ファイルサイズの上限（ulimit -f）を超えます",
    errno.EIO: "入出力エラー（ディスクの故障のおそれ）です",
    errno.ENAMETOOLONG: "ファイル名が長すぎます",
    errno.EEXIST: "同じ名前のファイルがすでにあります",
    errno.ENOTDIR: "途中の名前がフォルダではなくファイルです",
    errno.EISDIR: "ファイルを書く場所がフォルダです",
    errno.ELOOP: "シンボリックリンクが循環しています",
    errno.ENOENT: "ファイルがありません",
}


def os_words(exc: OSError) -> str:
    """The error in Japanese where we know it (the system's own words otherwise)."""
    return _REASONS.get(exc.errno or 0, exc.strerror or "不明な入出力エラー")


def os_reason(exc: OSError) -> str:
    """The error in Japanese, with the file when known (never a Python class name)."""
    reason = os_words(exc)
    where = exc.filename
    return f"{reason}: {where}" if where else reason


def os_finding(exc: OSError) -> Finding:
    where = str(exc.filename) if exc.filename else "<システム>"
    return Finding(Location(where), "S001", f"ファイルを読み書きできません（{os_reason(exc)}）。",
                   "空き容量・書き込み権限・ファイルサイズの上限を確かめてから、もう一度実行してください。"
                   "書きかけのファイルは残していません。")


def git_missing_finding() -> Finding:
    return Finding(Location("<システム>"), "H060", "git コマンドが見つかりません。",
                   "git をインストールし（apt-get install git など）、PATH に含めてください。")


def prepare_streams() -> None:
    """Messages are Japanese: a locale whose encoding cannot write them (LANG=C on old systems,
    ISO-8859-1) gets UTF-8 instead of a UnicodeEncodeError; a closed stdout or stderr gets /dev/null."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # started with the descriptor closed (kiyaku lint >&-)
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
            continue
        encoding = getattr(stream, "encoding", None)
        if encoding is None or not hasattr(stream, "reconfigure"):
            continue  # an in-memory stream (tests, embedding): it takes any text
        try:
            "規約".encode(encoding)
        except (LookupError, UnicodeEncodeError):
            stream.reconfigure(encoding="utf-8", errors="replace")


def git_failed_finding(exc: Exception) -> Finding:
    """git itself failed (a full disk or a size limit while it wrote the index, a corrupt repository)."""
    detail = " ".join(str(getattr(exc, "stderr", "") or "").replace("stderr:", "").split()).strip(" '")[:300]
    status = getattr(exc, "status", "?")
    return Finding(Location("<git>"), "H071", f"git コマンドが失敗しました（終了コード {status}{'、' + detail if detail else ''}）。",
                   "空き容量・書き込み権限・ファイルサイズの上限と、git status の結果（リポジトリが壊れていれば git fsck）を確かめてから、"
                   "もう一度実行してください。")


def utf8_argv(argv: list[str]) -> list[str]:
    """Arguments as the user typed them: under a non-UTF-8 locale (LANG=C without UTF-8 mode) Python
    decodes argv bytes with surrogate escapes, so a Japanese --reason would be stored as garbage."""
    out = []
    for arg in argv:
        try:
            out.append(os.fsencode(arg).decode("utf-8") if any("\udc80" <= c <= "\udcff" for c in arg) else arg)
        except UnicodeDecodeError:
            out.append(arg)  # not UTF-8 either: the checks on each value report it
    return out
