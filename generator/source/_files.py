"""The one boundary every file kiyaku reads from a repository, a template or an import goes through.

Why one function: a path in a repository is written by someone else (a committed symlink, a
FIFO, `template: /dev/zero`), and each reader used to check it its own way, some after reading.
read_checked refuses, before reading a byte: a path that leaves the repository (through `..`, an
absolute path or a symlink), anything that is not a regular file (folder, FIFO, device, socket)
and files above a size limit. Opening uses O_NONBLOCK so a FIFO swapped in between the check and
the open cannot hang us, and the open file is checked again with fstat.

list_folder reports what sits in a source folder but is not a source (`newco.YAML`, a folder, a
FIFO) as findings instead of skipping it silently: a reseller whose file is skipped would simply
vanish from the site.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ._faults import os_words
from .errors import Finding, Location, SourceError

SOURCE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Limit:
    """A size limit with the words its message uses."""

    max_bytes: int
    what: str  # 例: "YAML ファイル"
    code: str  # each reader's own: Y001 for YAML and release records, R019 templates, I008 imports, C007 compare


def _refuse(where: Location, code: str, message: str, hint: str) -> SourceError:
    return SourceError(Finding(where, code, message, hint))


def inside(root: Path, path: Path) -> bool:
    """Whether path, with every symlink followed, stays under root (also followed)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "フォルダ"
    if stat.S_ISFIFO(mode):
        return "名前付きパイプ（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "デバイスファイル"
    if stat.S_ISSOCK(mode):
        return "ソケット"
    return "特殊ファイル"


def read_checked(path: Path, limit: Limit, root: Path | None = None, where: Location | None = None) -> bytes:
    """The bytes of a regular file under root (if given) of at most limit.max_bytes; SourceError otherwise."""
    where = where or Location(str(path))
    if root is not None and not inside(root, path):
        raise _refuse(where, "F010", "ファイルがリポジトリの外を指しています（絶対パス、「..」またはシンボリックリンク）。",
                      "リポジトリの中のファイルを指定し、外を指すシンボリックリンクは実体のファイルに置き換えてください。")
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _refuse(where, "F001", f"ファイルを読めません（{os_words(exc)}）。", "ファイル名と場所を確認してください。") from None
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(where, "F011", f"通常のファイルではありません（{_kind(st.st_mode)}）。",
                      "通常のファイルを指定してください。")
    if st.st_size > limit.max_bytes:
        raise _too_big(where, limit, st.st_size)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refuse(where, "F001", f"ファイルを読めません（{os_words(exc)}）。", "ファイル名と場所を確認してください。") from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped between stat and open
            raise _refuse(where, "F011", f"通常のファイルではありません（{_kind(st.st_mode)}）。", "通常のファイルを指定してください。")
        data = handle.read(limit.max_bytes + 1)
    if len(data) > limit.max_bytes:  # grew while we read
        raise _too_big(where, limit, len(data))
    return data


def _too_big(where: Location, limit: Limit, size: int) -> SourceError:
    return _refuse(where, limit.code, f"{limit.what}が大きすぎます（{size:,} バイト以上、上限 {limit.max_bytes:,} バイト）。",
                   "誤って別のファイルを指定していないか確認してください。")


def list_folder(root: Path, folder: str) -> tuple[list[str], list[Finding]]:
    """(names of the source files in root/folder, findings for every other entry).

    Names starting with "." are editors' and tools' own files (.gitkeep, swap files) and are
    left alone; everything else that is not a regular *.yaml / *.yml file inside the repository
    is reported where it is, so nothing a person put there is skipped without a word.
    """
    base = root / folder
    if base.is_symlink() and not inside(root, base):
        return [], [_entry_finding(folder, "F010", "フォルダがリポジトリの外を指しています。")]
    if not base.is_dir():
        return [], []
    names: list[str] = []
    findings: list[Finding] = []
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        shown = f"{folder}/{entry.name}"
        try:
            st = os.stat(entry.path)
        except OSError:
            findings.append(_entry_finding(shown, "F010", "リンク先のないシンボリックリンクです。"))
            continue
        if entry.is_symlink() and not inside(root, Path(entry.path)):
            findings.append(_entry_finding(shown, "F010", "リポジトリの外を指すシンボリックリンクです。"))
        elif not stat.S_ISREG(st.st_mode):
            findings.append(_entry_finding(shown, "F011", f"通常のファイルではありません（{_kind(st.st_mode)}）。"))
        elif not entry.name.endswith(SOURCE_SUFFIXES):
            findings.append(_entry_finding(shown, "F013", f"拡張子が .yaml ではないため読み込まれません（{Path(entry.name).suffix or '拡張子なし'}）。"))
        else:
            names.append(entry.name)
    return names, findings


def _entry_finding(shown: str, code: str, message: str) -> Finding:
    hint = {"F013": "ソースなら拡張子を小文字の .yaml にし、そうでなければこのフォルダから移してください。",
            "F011": "このフォルダには .yaml ファイルだけを置いてください。"}.get(
        code, "実体のファイルをリポジトリの中に置いてください。")
    return Finding(Location(shown), code, message, hint)
