"""All git access, in one module, returning dataclasses (GitPython, always closed after use)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import git


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    timestamp: int  # committer time, seconds since the epoch
    dirty: bool


@contextlib.contextmanager
def open_repo(root: Path) -> Iterator[git.Repo | None]:
    """The repository containing root, or None; closed on exit so no git process is left behind."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        yield None
        return
    try:
        yield repo
    finally:
        repo.close()


def head(root: Path) -> CommitInfo | None:
    """HEAD of the repository holding root, or None outside git or before the first commit."""
    with open_repo(root) as repo:
        if repo is None:
            return None
        try:
            commit = repo.head.commit
        except ValueError:
            return None
        dirty = repo.is_dirty(untracked_files=True, path=str(Path(root).resolve()))
        return CommitInfo(commit.hexsha, int(commit.committed_date), dirty)
