"""A release as one transaction: files, commit and tags all happen, or none does.

Steps: write a journal (.kiyaku/release-journal.json) holding every file's bytes before and
after, the HEAD and branch it starts from, the commit message and the tags; write each file
atomically (temporary file + rename, so a full disk or a file-size limit never leaves a cut
file); commit exactly those files; tag; delete the journal.

Why a journal: an exception, Ctrl-C (SIGINT), SIGTERM or SIGHUP is rolled back here at once,
but SIGKILL or a power cut cannot be. The journal says what was planned, so
`kiyaku release --resume` can finish it and `kiyaku release --abort` can undo it, and
`kiyaku lint` / `kiyaku status` report it until one of them has run.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..source.errors import Finding, Location, ReleaseError

JOURNAL = Path(".kiyaku") / "release-journal.json"
CLI = Location("<コマンドライン>")
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """SIGTERM or SIGHUP during a release, raised like KeyboardInterrupt so the rollback runs."""


@dataclass(frozen=True)
class Change:
    relpath: str
    before: bytes | None  # None: the file did not exist
    after: bytes


@dataclass(frozen=True)
class Plan:
    old_head: str
    branch: str
    changes: tuple[Change, ...]
    message: str
    tags: tuple[tuple[str, str], ...]  # (name, annotation)


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def dump_plan(plan: Plan, commit: str | None) -> bytes:
    data = {"version": 1, "old_head": plan.old_head, "branch": plan.branch, "message": plan.message,
            "tags": [list(t) for t in plan.tags], "commit": commit,
            "changes": [{"path": c.relpath, "before": _b64(c.before), "after": _b64(c.after)} for c in plan.changes]}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def read_journal(root: Path) -> tuple[Plan, str | None] | None:
    """The interrupted release, or None; ReleaseError when the journal is unreadable."""
    path = root / JOURNAL
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
        plan = Plan(data["old_head"], data["branch"],
                    tuple(Change(c["path"], _unb64(c["before"]), _unb64(c["after"]) or b"") for c in data["changes"]),
                    data["message"], tuple((t[0], t[1]) for t in data["tags"]))
        if not all(_safe(c.relpath) for c in plan.changes):
            raise ValueError("a path outside releases/ and variants/")
        return plan, data.get("commit")
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        raise ReleaseError(Finding(Location(str(JOURNAL)), "H066", "中断されたリリースの記録（ジャーナル）を読めません。",
                                   f"git status で状態を確かめ、元に戻してから {JOURNAL} を削除してください。")) from None


def _safe(relpath: str) -> bool:
    """A journal only ever names records and variant files: a planted one cannot make --abort write elsewhere."""
    parts = relpath.split("/")
    return (len(parts) in (2, 3) and parts[0] in ("releases", "variants") and all(p and p not in (".", "..") for p in parts)
            and relpath.endswith(".yaml") and "\\" not in relpath)


def write_atomic(path: Path, data: bytes) -> None:
    """Complete or not at all: a temporary file in the same folder, fsynced, then renamed over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kiyaku-tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _checkpoint(step: str) -> None:
    """Fault injection for tests (tests/test_release_txn.py): a real exception or a real signal at a step."""
    if os.environ.get("KIYAKU_FAULT_AT") != step:
        return
    how = os.environ.get("KIYAKU_FAULT", "raise")
    if how == "raise":
        how = "ENOSPC"
    if how.startswith("E"):  # an errno: ENOSPC, EROFS, EACCES, EFBIG, EIO
        number = getattr(errno, how)
        raise OSError(number, os.strerror(number), step)
    os.kill(os.getpid(), getattr(signal, how))


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted (SIGINT raises KeyboardInterrupt already), so rollback runs."""
    def handler(signum, frame):  # noqa: ARG001
        raise Interrupted(signum)

    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    for s in previous:
        signal.signal(s, handler)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        previous[signal.SIGINT] = signal.SIG_IGN
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """A second Ctrl-C must not interrupt the rollback of the first."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def git(root: Path, *args: str, check: bool = True, stdin: bytes | None = None) -> str:
    env = dict(os.environ, LC_ALL="C", LANG="C")  # git's own messages parsed here; the user's locale may be anything
    env.pop("LANGUAGE", None)
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, env=env, input=stdin)
    if check and result.returncode != 0:
        raise GitStepFailed(" ".join(result.stderr.decode("utf-8", "replace").split()))
    return result.stdout.decode("utf-8", "replace").strip()


class GitStepFailed(Exception):
    """A git command refused (a hook, a lock, no identity); the text is git's own."""


def _rev(root: Path, rev: str) -> str | None:
    out = git(root, "rev-parse", "-q", "--verify", rev + "^{commit}", check=False)
    return out or None


def made_commit(root: Path, plan: Plan, recorded: str | None) -> str | None:
    """The release commit if it was made: HEAD is a child of old_head with exactly the planned message."""
    head = _rev(root, "HEAD")
    if head is None or head == plan.old_head:
        return None
    if recorded and head == recorded:
        return head
    parent = _rev(root, "HEAD^")
    message = git(root, "log", "-1", "--format=%B", "HEAD", check=False)
    return head if parent == plan.old_head and message.strip() == plan.message.strip() else None


def run(root: Path, plan: Plan) -> str:
    """Apply the plan; on any exception or signal, undo everything and re-raise."""
    journal = root / JOURNAL
    commit: str | None = None
    with signals_raise():
        try:
            write_atomic(journal, dump_plan(plan, None))
            for change in plan.changes:
                write_atomic(root / change.relpath, change.after)
                _checkpoint("record" if change.relpath.startswith("releases/") else "variant")
            commit = _commit(root, plan)
            write_atomic(journal, dump_plan(plan, commit))
            _checkpoint("commit")
            _tag(root, plan, commit)
            _checkpoint("tag")
        except BaseException:
            with signals_blocked():
                _undo_or_explain(root, plan, commit)
            raise
        journal.unlink()
    return commit


def _undo_or_explain(root: Path, plan: Plan, commit: str | None) -> None:
    """Roll back; if even that fails (the disk went read-only), the journal stays and says how to finish."""
    try:
        undo(root, plan, commit)
    except (OSError, GitStepFailed) as exc:
        raise ReleaseError(Finding(Location(str(JOURNAL)), "H067", f"リリースを元に戻す途中で失敗しました（{exc}）。",
                                   "原因（空き容量・権限）を取り除いてから kiyaku release --abort で取り消すか、"
                                   "kiyaku release --resume で最後まで行ってください。")) from None


def _commit(root: Path, plan: Plan) -> str:
    paths = [c.relpath for c in plan.changes]
    git(root, "add", "--", *paths)
    # the message goes through stdin as UTF-8: argv is encoded with the locale, which may not have kanji
    git(root, "-c", "i18n.commitEncoding=UTF-8", "commit", "-q", "-F", "-", "--only", "--", *paths, stdin=plan.message.encode("utf-8"))
    return git(root, "rev-parse", "HEAD")


def _tag(root: Path, plan: Plan, commit: str) -> None:
    for name, annotation in plan.tags:
        if _rev(root, f"refs/tags/{name}") == commit:
            continue  # --resume after a kill between two tags
        git(root, "tag", "-a", "-F", "-", name, commit, stdin=annotation.encode("utf-8"))


def undo(root: Path, plan: Plan, commit: str | None) -> None:
    """Back to exactly the state before the release: tags, branch, index and files.

    Raises ReleaseError (and keeps the journal) when history moved on since, so nothing is lost.
    """
    commit = commit or made_commit(root, plan, None)
    for name, _ in plan.tags:
        target = _rev(root, f"refs/tags/{name}")
        if target is not None and target == commit:
            git(root, "tag", "-d", name)
    if commit is not None:
        head = _rev(root, "HEAD")
        if head != commit:
            raise ReleaseError(Finding(CLI, "H067", f"中断されたリリースのコミット {commit[:10]} の後に履歴が進んでいるため、自動では元に戻せません。",
                                       f"git log で確かめ、git revert {commit[:10]} で取り消してから {JOURNAL} を削除してください。"))
        git(root, "update-ref", "-m", "kiyaku release: rollback", f"refs/heads/{plan.branch}", plan.old_head, commit)
    paths = [c.relpath for c in plan.changes]
    git(root, "reset", "-q", plan.old_head, "--", *paths, check=False)
    for change in plan.changes:
        target = root / change.relpath
        if change.before is None:
            target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                target.parent.rmdir()  # releases/<variant>/ made for this record
        elif not target.exists() or target.read_bytes() != change.before:
            write_atomic(target, change.before)
    (root / JOURNAL).unlink(missing_ok=True)


def resume(root: Path, plan: Plan, recorded: str | None) -> str:
    """Finish an interrupted release: commit what the journal planned (if not yet), then the missing tags."""
    commit = made_commit(root, plan, recorded)
    if commit is None:
        if _rev(root, "HEAD") != plan.old_head:
            raise ReleaseError(Finding(CLI, "H067", "中断されたリリースの後に履歴が変わっているため、再開できません。",
                                       "kiyaku release --abort で取り消し、あらためてリリースしてください。"))
        for change in plan.changes:
            target = root / change.relpath
            now = target.read_bytes() if target.exists() else None
            if now not in (change.before, change.after):
                raise ReleaseError(Finding(Location(change.relpath), "H067", "中断されたリリースの後にファイルが書き換えられているため、再開できません。",
                                           "kiyaku release --abort で取り消し、あらためてリリースしてください。"))
        return run(root, plan)
    with signals_raise():
        _tag(root, plan, commit)
    (root / JOURNAL).unlink(missing_ok=True)
    return commit


def interrupted_release(root: Path | str) -> list[Finding]:
    """A release stopped by SIGKILL or a power cut (its journal remains): a finding naming the repair."""
    try:
        found = read_journal(Path(root))
    except ReleaseError as exc:
        return exc.findings
    if found is None:
        return []
    plan, _commit_sha = found
    names = "、".join(name for name, _ in plan.tags)
    return [Finding(Location(str(JOURNAL)), "H065", f"リリース（{names}）が途中で止まっています。",
                    "kiyaku release --resume で最後まで行うか、kiyaku release --abort で取り消してください。")]
