"""The git state a release needs: a work tree on the release branch, no operation half done.

Why refuse instead of warn: a release commit and its tag are evidence. Made on a detached HEAD,
in the middle of a rebase or on a feature branch, they end up outside the branch everyone
publishes from, and a later rebase can rewrite them away. Each refusal says what to do.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import Finding, Location, ReleaseError

CLI = Location("<コマンドライン>")

# Marker files git leaves in .git while an operation waits for the user, and how to finish it.
_IN_PROGRESS = (
    ("MERGE_HEAD", "マージ", "git merge --continue（または git merge --abort）"),
    ("rebase-merge", "リベース", "git rebase --continue（または git rebase --abort）"),
    ("rebase-apply", "リベース（git am）", "git rebase --continue / git am --continue（または --abort）"),
    ("CHERRY_PICK_HEAD", "チェリーピック", "git cherry-pick --continue（または git cherry-pick --abort）"),
    ("REVERT_HEAD", "リバート", "git revert --continue（または git revert --abort）"),
    ("BISECT_LOG", "bisect", "git bisect reset"),
)


@dataclass(frozen=True)
class GitState:
    git_dir: Path
    branch: str | None  # None: detached HEAD
    bare: bool


def _fail(code: str, message: str, hint: str) -> ReleaseError:
    return ReleaseError(Finding(CLI, code, message, hint))


def require_git() -> None:
    """git itself must be installed: every release check reads history."""
    if shutil.which("git") is None:
        raise _fail("H060", "git コマンドが見つかりません。", "git をインストールし（apt-get install git など）、PATH に含めてください。")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # LC_ALL=C: git's own messages are parsed here, whatever the user's locale
    env = {"LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "PATH": _path()}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env, errors="replace")


def _path() -> str:
    import os

    return os.environ.get("PATH", "/usr/bin:/bin")


def read_state(root: Path) -> GitState | None:
    """The repository holding root, or None when root is not in one."""
    require_git()
    if not root.is_dir():
        return None
    probe = _git(root, "rev-parse", "--is-bare-repository", "--absolute-git-dir")
    if probe.returncode != 0:
        return None
    bare_text, git_dir = (probe.stdout.splitlines() + ["", ""])[:2]
    branch = _git(root, "symbolic-ref", "-q", "--short", "HEAD")
    return GitState(Path(git_dir), branch.stdout.strip() or None if branch.returncode == 0 else None, bare_text.strip() == "true")


def in_progress(state: GitState) -> tuple[str, str] | None:
    """(what, how to finish) of a merge, rebase, cherry-pick, revert or bisect waiting for the user."""
    for marker, what, how in _IN_PROGRESS:
        if (state.git_dir / marker).exists():
            return what, how
    return None


def check_release_state(root: Path, release_branch: str) -> GitState:
    """Refuse a bare repository, an unfinished operation, a detached HEAD and a branch other than release_branch."""
    state = read_state(root)
    if state is None:
        raise _fail("H026", f"{root} は git リポジトリではありません。", "git init と最初のコミットをしてから実行してください。")
    if state.bare:
        raise _fail("H061", f"{root} は作業ツリーのない bare リポジトリなので、リリースできません。",
                    "git clone でふつうのクローンを作り、その中で実行してください。")
    busy = in_progress(state)
    if busy:
        what, how = busy
        raise _fail("H062", f"{what}の途中なので、リリースできません。", f"{how} で終えてから実行してください。")
    if state.branch is None:
        raise _fail("H063", "HEAD がブランチを指していません（detached HEAD）。リリースの記録がどのブランチにも残りません。",
                    f"git switch {release_branch} でリリース用のブランチに移ってから実行してください。")
    if state.branch != release_branch:
        raise _fail("H064", f"ブランチ「{state.branch}」はリリース用のブランチ「{release_branch}」ではありません。",
                    f"git switch {release_branch} で移り、変更をマージしてから実行してください"
                    "（リリース用のブランチは terms/document.yaml の release_branch で変えられます）。")
    return state
