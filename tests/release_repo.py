"""Temporary git repositories for the release, history, diff and notice tests.

Every commit has fixed author and committer dates, so tests never depend on the clock.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from conftest import MINI, copy_project

FIXED = "2026-11-01T10:00:00+09:00"
TODAY = dt.date(2026, 11, 26)  # "today" (JST) passed to release() so tests do not depend on the clock


def git(root: Path, *args: str, date: str = FIXED) -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def make_repo(tmp_path: Path, src: Path = MINI, name: str = "repo") -> Path:
    root = copy_project(src, tmp_path / name)
    (root / ".gitignore").write_text("/rendered/\n/.kiyaku/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "法務 太郎")
    git(root, "config", "user.email", "legal@example.jp")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "config", "tag.gpgsign", "false")
    commit_all(root, "初版")
    return root


def commit_all(root: Path, message: str, date: str = FIXED) -> str:
    git(root, "add", "-A", date=date)
    git(root, "commit", "-q", "-m", message, date=date)
    return git(root, "rev-parse", "HEAD").strip()


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relpath}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fixed_git_dates(monkeypatch, date: str = FIXED) -> None:
    """Commits and tags made by kiyaku release itself get fixed dates too."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", date)
    monkeypatch.setenv("GIT_COMMITTER_DATE", date)


def child_git_processes() -> list[str]:
    """Command lines of git processes that are children of this process (none may be left behind)."""
    out = []
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and "git" in cmdline:
            out.append(cmdline)
    return out


def released_repo(tmp_path: Path, monkeypatch) -> Path:
    """The mini fixture in git with fixed dates and its baselines recorded (alpha 第1版, beta 第7版)."""
    from generator.changes.release import release

    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    return root


def change_fee(root: Path, old: str = '"79,200"', new: str = '"88,000"') -> Path:
    """A committed fee change after the baselines: what most release tests then release."""
    edit(root, "variants/alpha.yaml", old, new)
    commit_all(root, "料金改定")
    return root
