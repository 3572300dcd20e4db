"""Whether <root>/.kiyaku/ (kiyaku's own state: cache, staging folders, lock) can be used.

Why: the folder lives inside a repository that other people commit to. A `.kiyaku/tmp` symlink
that someone force-added made every build delete the files it pointed at; a cache entry written
by someone else is their data, not ours. So the folder is kiyaku's only if it is a real folder
(no symlink, also none of its top-level entries), owned by the user running kiyaku, and not
tracked by git. Otherwise lint and verify run without the cache (with a warning, K001) and
build refuses to stage anything there (K002), naming what to delete.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from .errors import Finding, Location, OutputError

STATE = ".kiyaku"
_ENTRIES = ("cache", "tmp", "spare", "build.lock")


def problem(root: Path) -> str | None:
    """Why root/.kiyaku is not kiyaku's own, or None when it is (or does not exist yet)."""
    path = Path(root) / STATE
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"調べられません（{exc.strerror}）"
    if stat.S_ISLNK(st.st_mode):
        return "シンボリックリンクです"
    if not stat.S_ISDIR(st.st_mode):
        return "フォルダではありません"
    if st.st_uid != os.geteuid():
        return "別のユーザーのものです"
    for name in _ENTRIES:
        child = path / name
        if os.path.islink(child):
            return f"{STATE}/{name} がシンボリックリンクです"
        if os.path.lexists(child) and os.lstat(child).st_uid != os.geteuid():
            return f"{STATE}/{name} が別のユーザーのものです"
    if _tracked(Path(root)):
        return "git に登録（コミット）されています"
    return None


def _tracked(root: Path) -> bool:
    """Whether git tracks anything under .kiyaku/ (a force-added cache arrives with every clone)."""
    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--", STATE], cwd=root, capture_output=True, timeout=30,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip(b"\0"))


def warning(root: Path, reason: str) -> Finding:
    return Finding(Location(STATE), "K001", f"{STATE}/ は kiyaku 自身のフォルダとして信頼できないため（{reason}）、キャッシュを使いません。",
                   f"git rm -r --cached {STATE} でコミットから外し、{STATE}/ を削除してください（.gitignore に /{STATE}/ を書きます）。",
                   "warning")


def require(root: Path) -> None:
    """Raise K002 unless root/.kiyaku may hold staging folders and the lock (kiyaku build)."""
    reason = problem(root)
    if reason is not None:
        raise OutputError(Finding(Location(STATE), "K002", f"{STATE}/ が kiyaku 自身のフォルダとして信頼できないため（{reason}）、書き出しません。",
                                  f"git rm -r --cached {STATE} でコミットから外し、{STATE}/ を削除してからやり直してください。"))
