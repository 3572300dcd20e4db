"""All git access, in one module, returning dataclasses (GitPython, always closed after use)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
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


# --- Reading sources at a commit, recording releases (used by generator/history/editions.py and generator/changes/release.py) ---

SOURCE_FOLDERS = ("terms", "variants")
SOURCE_FILES = ("errata.yaml",)
MAX_BLOB = 2 * 1024 * 1024 + 1  # _yaml.MAX_BYTES + 1: enough for the size check to refuse


@dataclass(frozen=True)
class CommitTree:
    """The sources of one commit, read into memory (a load.SourceTree).

    Why a snapshot: load_project reads a file many times and we must not keep a repository (and
    its `git cat-file` processes) open between calls; the sources are a few hundred kB.
    """

    sha: str
    label: str
    files: dict[str, bytes] = field(compare=False, repr=False)

    def list(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(name[len(prefix):] for name in self.files
                      if name.startswith(prefix) and "/" not in name[len(prefix):]
                      and name.endswith((".yaml", ".yml")))

    def read(self, relpath: str) -> bytes | None:
        return self.files.get(relpath)


@dataclass(frozen=True)
class FileVersion:
    """One committed version of a file: the commit that wrote it, its time and bytes."""

    path: str  # relative to root
    sha: str
    timestamp: int
    data: bytes


def _prefix(repo: git.Repo, root: Path) -> str:
    """root relative to the top of the repository, as a git path prefix ('' or 'sub/dir/')."""
    top = Path(repo.working_tree_dir or ".").resolve()
    rel = Path(root).resolve().relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def _commit(repo: git.Repo, rev: str) -> git.Commit | None:
    try:
        return repo.commit(rev)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        return None


@contextlib.contextmanager
def _objects_readable() -> Iterator[None]:
    """A tree or blob git cannot read (a corrupt or lost object file) as git's own failure, not a traceback.

    Why: GitPython reports it as a bare ValueError ("SHA … could not be resolved"); the CLI turns
    git.GitCommandError into one finding (H071) that says to check the repository.
    """
    try:
        yield
    except ValueError as exc:
        raise git.GitCommandError(["git", "cat-file", "--batch"], 128, str(exc)) from None


def resolve(root: Path, rev: str) -> CommitInfo | None:
    """The commit a revision (sha, branch, tag, HEAD~2) names, or None if there is none."""
    with open_repo(root) as repo:
        commit = _commit(repo, rev) if repo is not None else None
        return CommitInfo(commit.hexsha, int(commit.committed_date), False) if commit else None


def commit_tree(root: Path, rev: str) -> CommitTree | None:
    """The sources (terms/, variants/, errata.yaml) of one commit, without a checkout."""
    with open_repo(root) as repo:
        if repo is None:
            return None
        commit = _commit(repo, rev)
        if commit is None:
            return None
        prefix = _prefix(repo, root)
        files: dict[str, bytes] = {}
        with _objects_readable():
            for blob in commit.tree.traverse():
                if blob.type != "blob" or not blob.path.startswith(prefix):
                    continue
                rel = blob.path[len(prefix):]
                if rel.split("/")[0] in SOURCE_FOLDERS or rel in SOURCE_FILES:
                    files[rel] = blob.data_stream.read(MAX_BLOB)
        return CommitTree(commit.hexsha, f"{commit.hexsha[:10]}:", files)


def read_file(root: Path, rev: str, relpath: str) -> bytes | None:
    """One file (relative to root) as committed in rev, or None."""
    with open_repo(root) as repo:
        commit = _commit(repo, rev) if repo is not None else None
        if commit is None:
            return None
        try:
            with _objects_readable():
                return (commit.tree / (_prefix(repo, root) + relpath)).data_stream.read(MAX_BLOB)
        except KeyError:
            return None


def is_shallow(root: Path) -> bool:
    """A shallow clone lacks the history that release records are checked against."""
    with open_repo(root) as repo:
        return repo is not None and repo.git.rev_parse("--is-shallow-repository").strip() == "true"


def dirty_paths(root: Path) -> list[str]:
    """Uncommitted changes and untracked files under root (git status), relative to the repository.

    kiyaku's own state folder (.kiyaku/: locks, caches) is not part of the sources and never counts.
    """
    with open_repo(root) as repo:
        if repo is None:
            return []
        state = _prefix(repo, root) + ".kiyaku/"
        out = repo.git.status("--porcelain=v1", "--untracked-files=all", "--", str(Path(root).resolve()))
        return [line[3:] for line in out.splitlines() if line.strip() and not line[3:].startswith(state)]


class GitFailed(Exception):
    """A git command refused (no user.name, a hook, a lock): the message is git's own, for the user."""


def _stderr(exc: git.GitCommandError) -> str:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    return " ".join(text.replace("stderr:", "").split()).strip(" '")


def commit_paths(root: Path, paths: list[str], message: str) -> str:
    """Commit exactly these files (relative to root), nothing else in the index; returns the new sha."""
    with open_repo(root) as repo:
        if repo is None:
            raise GitFailed(f"{root} is not in a git repository")
        absolute = [str(Path(root).resolve() / p) for p in paths]
        try:
            repo.git.add("--", *absolute)
            repo.git.commit("-m", message, "--only", "--", *absolute)
        except git.GitCommandError as exc:
            with contextlib.suppress(git.GitCommandError):
                repo.git.reset("-q", "--", *absolute)
            raise GitFailed(_stderr(exc)) from None
        return repo.head.commit.hexsha


def create_tag(root: Path, name: str, rev: str, message: str) -> None:
    """An annotated tag (who and when are recorded, unlike a lightweight tag)."""
    with open_repo(root) as repo:
        if repo is None:
            raise GitFailed(f"{root} is not in a git repository")
        try:
            repo.create_tag(name, ref=rev, message=message)
        except git.GitCommandError as exc:
            raise GitFailed(_stderr(exc)) from None


def tags(root: Path, prefix: str = "") -> dict[str, str]:
    """Tag name -> sha of the commit it points to, for tags starting with prefix."""
    with open_repo(root) as repo:
        if repo is None:
            return {}
        out: dict[str, str] = {}
        for tag in repo.tags:
            if tag.name.startswith(prefix):
                try:
                    out[tag.name] = tag.commit.hexsha
                except ValueError:
                    continue
        return out


def is_ancestor(root: Path, sha: str, of: str = "HEAD") -> bool:
    """Whether commit sha is in the history of `of` (a release's source must never be rewritten away)."""
    with open_repo(root) as repo:
        if repo is None or _commit(repo, sha) is None or _commit(repo, of) is None:
            return False
        return bool(repo.is_ancestor(sha, of))


def first_versions(root: Path, folder: str) -> dict[str, FileVersion]:
    """For each file ever added under folder (relative to root): the version of its first commit.

    Why: a release record is immutable; what it said when it was first committed is the truth
    that later edits are compared with.
    """
    with open_repo(root) as repo:
        if repo is None:
            return {}
        try:
            repo.head.commit
        except ValueError:
            return {}
        prefix = _prefix(repo, root)
        log = repo.git.log("--reverse", "--diff-filter=A", "--no-renames", "--format=%x00%H %ct",
                           "--name-only", "--", str(Path(root).resolve() / folder))
        found: dict[str, FileVersion] = {}
        for chunk in log.split("\x00"):
            lines = [line for line in chunk.splitlines() if line.strip()]
            if not lines:
                continue
            sha, stamp = lines[0].split()
            commit = repo.commit(sha)
            for path in lines[1:]:
                rel = path[len(prefix):] if path.startswith(prefix) else path
                if rel in found:
                    continue
                with _objects_readable():
                    data = (commit.tree / path).data_stream.read()
                found[rel] = FileVersion(rel, sha, int(stamp), data)
        return found
