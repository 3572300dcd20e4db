"""A release is all or nothing: faults injected at each step, by exception and by real signals.

After every fault the repository is fully released, byte-identical to before (files, index,
refs), or `kiyaku release --resume` / `--abort` brings it to one of those; lint and status name
the repair in between. Every release runs the real CLI in a new process on a real git repository.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from generator.history import _calendar
from release_repo import TODAY, change_fee, commit_all, git, released_repo

STEPS = ("record", "variant", "commit", "tag")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    return change_fee(released_repo(tmp_path, monkeypatch))


def snapshot(root: Path) -> dict[str, object]:
    """Everything a release may touch: every file outside .git, the index, every ref, HEAD."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".git/", ".kiyaku/")) or rel in (".git", ".kiyaku") or not path.is_file():
            continue
        files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"files": files, "index": git(root, "ls-files", "-s", "--debug")[:0] + git(root, "ls-files", "-s"),
            "refs": git(root, "for-each-ref", "--format=%(refname) %(objectname)"), "head": git(root, "symbolic-ref", "HEAD"),
            "journal": (root / ".kiyaku" / "release-journal.json").exists()}


def release_args(root: Path) -> list[str]:
    announce = _calendar.today_jst() + dt.timedelta(days=1)
    effective = _calendar.earliest_effective(announce)
    return ["release", "alpha", "--announce", announce.isoformat(), "--effective", effective.isoformat(),
            "--reason", "料金改定", "--root", str(root)]


def run_release(root: Path, step: str, how: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KIYAKU_FAULT_AT=step, KIYAKU_FAULT=how)
    return subprocess.run([sys.executable, "-m", "generator", *release_args(root)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def assert_released(root: Path) -> None:
    assert (root / "releases/alpha/2.yaml").is_file()
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "rev-parse", "alpha/ed2^{commit}").strip() == git(root, "rev-parse", "HEAD").strip()
    assert 'edition: 2' in (root / "variants/alpha.yaml").read_text(encoding="utf-8")
    lint = run_cli("lint", "--root", str(root))
    assert lint.code == 0, lint.stdout + lint.stderr
    assert not (root / ".kiyaku/release-journal.json").exists()


@pytest.mark.parametrize("how", ["raise", "SIGINT", "SIGTERM"])
@pytest.mark.parametrize("step", STEPS)
def test_a_fault_at_any_step_rolls_back_to_the_exact_previous_state(repo: Path, step: str, how: str) -> None:
    before = snapshot(repo)
    done = run_release(repo, step, how)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert ("H069" if how == "raise" else "H068") in done.stderr and "何も記録されていません" in done.stderr
    assert snapshot(repo) == before
    assert run_cli("lint", "--root", str(repo)).code == 0
    again = run_release(repo, "none", "raise")  # and the release can simply be run again
    assert again.returncode == 0, again.stderr
    assert_released(repo)


@pytest.mark.parametrize("repair", ["--resume", "--abort"])
@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_any_step_leaves_a_journal_that_resume_or_abort_completes(repo: Path, step: str, repair: str) -> None:
    before = snapshot(repo)
    done = run_release(repo, step, "SIGKILL")
    assert done.returncode == -signal.SIGKILL
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H065" in lint.stdout and "kiyaku release --resume" in lint.stdout and "--abort" in lint.stdout
    status = run_cli("status", "--root", str(repo))
    assert status.code == 1 and "H065" in status.stderr and "Traceback" not in status.stderr
    refused = run_cli(*release_args(repo))  # a new release waits until the old one is settled
    assert refused.code == 1 and "H065" in refused.stderr
    fixed = run_cli("release", repair, "--root", str(repo))
    assert fixed.code == 0, fixed.stderr
    if repair == "--resume":
        assert_released(repo)
    else:
        assert snapshot(repo) == before
    assert run_cli("release", repair, "--root", str(repo)).code == 1  # nothing left to repair: H070


def test_a_record_committed_without_its_tag_is_reported_with_the_repair(repo: Path) -> None:
    run_release(repo, "commit", "SIGKILL")
    (repo / ".kiyaku/release-journal.json").unlink()  # the journal lost too: the tag check still finds it
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H050" in lint.stdout and "git tag -a alpha/ed2" in lint.stdout


def test_a_staged_record_without_a_journal_is_an_error(repo: Path) -> None:
    run_release(repo, "variant", "SIGKILL")
    (repo / ".kiyaku/release-journal.json").unlink()
    git(repo, "add", "releases")
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H042" in lint.stdout and "git rm --cached releases/alpha/2.yaml" in lint.stdout


def test_a_release_keeps_crlf_line_endings_and_changes_only_three_lines(repo: Path, monkeypatch) -> None:
    path = repo / "variants/alpha.yaml"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    commit_all(repo, "CRLF")
    before = path.read_bytes().split(b"\r\n")
    assert run_cli(*release_args(repo)).code == 0
    after = path.read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")
    changed = [(a, b) for a, b in zip(before, after.split(b"\r\n")) if a != b]
    assert [a.split(b":")[0] for a, _ in changed] == [b"edition", b"issued", b"effective"]


def test_a_file_size_limit_leaves_nothing_cut(repo: Path) -> None:
    import resource

    path = repo / "variants/alpha.yaml"  # as large as the variant that was cut to 16,384 bytes (issue 19)
    path.write_bytes(path.read_bytes() + b"".join(b"# %05d " % i + "メモ".encode() * 30 + b"\n" for i in range(80)))
    commit_all(repo, "メモ")
    before = snapshot(repo)
    limit = path.stat().st_size - 100  # above git's index, below the variant file

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "generator", *release_args(repo)], cwd=REPO, capture_output=True,
                          text=True, timeout=300, preexec_fn=small_files)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "H069" in done.stderr and "ファイルサイズの上限" in done.stderr
    assert snapshot(repo) == before


def test_a_non_utf8_locale_releases_with_japanese_messages(repo: Path) -> None:
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONIOENCODING="ascii")
    done = subprocess.run([sys.executable, "-m", "generator", *release_args(repo)], cwd=REPO, env=env,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "第2版を記録しました".encode() in done.stdout
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("規約改定を記録: alpha 第2版") and "Kiyaku-Started: " in message


def test_a_planted_journal_cannot_write_outside_the_sources(repo: Path, tmp_path: Path) -> None:
    import base64
    import json

    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    journal = {"version": 1, "old_head": git(repo, "rev-parse", "HEAD").strip(), "branch": "main", "message": "x",
               "tags": [], "commit": None,
               "changes": [{"path": "../victim.txt", "before": base64.b64encode(b"gone").decode(), "after": ""}]}
    (repo / ".kiyaku").mkdir(exist_ok=True)
    (repo / ".kiyaku/release-journal.json").write_text(json.dumps(journal), encoding="utf-8")
    done = run_cli("release", "--abort", "--root", str(repo))
    assert done.code == 1 and "H066" in done.stderr and "Traceback" not in done.stderr
    assert victim.read_text(encoding="utf-8") == "keep"
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H066" in lint.stdout
