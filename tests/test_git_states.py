"""Releases in every git state, merges, tag evidence, published copies and machine faults (issue 19, issue 11 class 7).

Each case runs the real CLI in a new process on a real git repository and asserts one clear
finding, exit 1 and no traceback.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from generator.history import _calendar, editions as history
from generator.source import _git
from generator.build.builder import render_variant
from generator.changes.release import release
from release_repo import TODAY, change_fee, commit_all, edit, git, released_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    return change_fee(released_repo(tmp_path, monkeypatch))


def release_args(root: Path, reason: str = "料金改定") -> list[str]:
    announce = _calendar.today_jst() + dt.timedelta(days=1)
    return ["release", "alpha", "--announce", announce.isoformat(),
            "--effective", _calendar.earliest_effective(announce).isoformat(), "--reason", reason, "--root", str(root)]


def state(root: Path) -> str:
    bare = git(root, "-c", "safe.directory=*", "rev-parse", "--is-bare-repository").strip() == "true"
    return git(root, "-c", "safe.directory=*", "for-each-ref") + ("" if bare else git(root, "-c", "safe.directory=*", "status", "--porcelain"))


def refused(root: Path, code: str, *args: str) -> str:
    before = state(root)
    done = run_cli(*(args or release_args(root)))
    assert done.code == 1, done.stderr
    assert code in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert state(root) == before
    return done.stderr


# --- git states in which a release is refused ---

def test_detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    assert "git switch main" in refused(repo, "H063")


def test_feature_branch_and_a_configured_release_branch(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    assert "リリース用のブランチ「main」" in refused(repo, "H064")
    edit(repo, "terms/document.yaml", "service:", "release_branch: feature\nservice:")
    commit_all(repo, "feature からリリースする")
    assert run_cli(*release_args(repo)).code == 0


def _conflict(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "other")
    (repo / "notes.txt").write_text("a\n", encoding="utf-8")
    commit_all(repo, "a")
    git(repo, "switch", "-q", "main")
    (repo / "notes.txt").write_text("b\n", encoding="utf-8")
    commit_all(repo, "b")


@pytest.mark.parametrize("operation, start", [
    ("マージ", ["merge", "other"]),
    ("リベース", ["rebase", "other"]),
    ("チェリーピック", ["cherry-pick", "other"]),
])
def test_an_unfinished_operation(repo: Path, operation: str, start: list[str]) -> None:
    _conflict(repo)
    assert subprocess.run(["git", *start], cwd=repo, capture_output=True).returncode != 0  # stops at the conflict
    message = refused(repo, "H062")
    assert f"{operation}の途中" in message and "--abort" in message


def test_bisect(repo: Path) -> None:
    git(repo, "bisect", "start")
    assert "git bisect reset" in refused(repo, "H062")


def test_bare_repository(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert "bare" in refused(bare, "H061", *release_args(bare))
    for command in (["lint"], ["status"]):
        done = run_cli(*command, "--root", str(bare))
        assert done.code == 1 and "Traceback" not in done.stderr


def test_a_shallow_clone_says_how_to_fetch_the_history(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    done = run_cli("lint", "--root", str(shallow))
    assert done.code == 1 and "H039" in done.stdout and "git fetch --unshallow" in done.stdout


# --- merges ---

def test_conflict_markers_are_an_unresolved_conflict_at_their_line(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "other")
    edit(repo, "variants/alpha.yaml", '"88,000"', '"99,000"')
    commit_all(repo, "他方")
    git(repo, "switch", "-q", "main")
    edit(repo, "variants/alpha.yaml", '"88,000"', '"77,000"')
    commit_all(repo, "一方")
    subprocess.run(["git", "merge", "other"], cwd=repo, capture_output=True)
    lines = (repo / "variants/alpha.yaml").read_text(encoding="utf-8").splitlines()
    marker = next(i for i, line in enumerate(lines, start=1) if line.startswith("<<<<<<<"))
    done = run_cli("lint", "--root", str(repo))
    assert done.code == 1 and "Traceback" not in done.stderr
    assert f"variants/alpha.yaml:{marker}:1: Y014 未解決の競合" in done.stdout
    assert "Y011" not in done.stdout  # not a YAML syntax error on the next line


def test_two_clones_that_released_the_same_edition_are_caught_after_the_merge(repo: Path, tmp_path: Path) -> None:
    clones = []
    for name, reason in (("a", "料金改定A"), ("b", "料金改定B")):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(repo), str(clone))
        git(clone, "config", "user.name", "法務")
        git(clone, "config", "user.email", "legal@example.jp")
        assert run_cli(*release_args(clone, reason)).code == 0
        clones.append(clone)
    a, b = clones
    git(b, "fetch", "-q", "--no-tags", str(a), "main")
    subprocess.run(["git", "merge", "FETCH_HEAD"], cwd=b, capture_output=True)
    git(b, "checkout", "--ours", "releases/alpha/2.yaml")
    git(b, "add", "-A")
    git(b, "commit", "-q", "--no-edit")
    done = run_cli("lint", "--root", str(b))
    assert done.code == 1 and "H053" in done.stdout and "git log --all -- releases/alpha/2.yaml" in done.stdout


# --- tag evidence (issue 11, class 7) ---

def _released(repo: Path) -> str:
    assert run_cli(*release_args(repo)).code == 0
    return git(repo, "rev-parse", "HEAD").strip()


def test_a_deleted_tag_fails_lint_build_and_verify(repo: Path) -> None:
    _released(repo)
    assert run_cli("build", "--root", str(repo), "--format", "txt").code == 0
    git(repo, "tag", "-d", "alpha/ed2")
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H050" in lint.stdout and "git tag -a alpha/ed2" in lint.stdout
    verify = run_cli("verify", "--root", str(repo))
    assert verify.code == 1 and "H050" in verify.stderr
    assert run_cli("build", "--root", str(repo), "--format", "txt").code == 1  # build lints too


def test_a_tag_moved_before_its_record_existed(repo: Path) -> None:
    commit = _released(repo)
    git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", commit + "^")
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H051" in lint.stdout and f"git tag -f -a alpha/ed2 {commit[:10]}" in lint.stdout


def test_a_tag_without_a_record_is_explained(repo: Path) -> None:
    git(repo, "tag", "-a", "alpha/ed5", "-m", "手で付けた")
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H052" in lint.stdout and "git tag -d alpha/ed5" in lint.stdout
    assert "H041" not in lint.stdout  # not a deleted record


def _publish(repo: Path, site: Path) -> None:
    """The edition pages' manifests as the site publishes them, rendered by the real pipeline (txt)."""
    for records in history.load_records(repo).values():
        for record in records:
            project = history.with_meta(history.project_at(repo, record.source_commit), record.variant, record.edition,
                                        record.announced, record.effective)
            rendered = render_variant(project, repo, record.variant, ["txt"], _git.resolve(repo, record.source_commit))
            folder = site / record.variant / "editions" / str(record.edition) / "downloads"
            folder.mkdir(parents=True)
            (folder / "manifest.json").write_bytes(rendered.files["manifest.json"])


def test_a_moved_tag_and_an_amended_record_are_caught_against_the_published_site(repo: Path, tmp_path: Path) -> None:
    _released(repo)
    site = tmp_path / "site"
    _publish(repo, site)
    ok = run_cli("verify", "--root", str(repo), "--against", str(site))
    assert ok.code == 0, ok.stdout + ok.stderr
    # rewrite the release: a forged text hash in the record, the tag moved to the amended commit
    record = repo / "releases/alpha/2.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(re.sub(r'text_sha256: "[0-9a-f]{64}"', 'text_sha256: "' + "0" * 64 + '"', text), encoding="utf-8")
    git(repo, "commit", "-q", "--amend", "-a", "--no-edit")
    git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", "HEAD")
    assert "H054" not in run_cli("lint", "--root", str(repo)).stdout  # git is consistent with itself
    done = run_cli("verify", "--root", str(repo), "--against", str(site))
    assert done.code == 1 and "H054" in done.stderr and "Traceback" not in done.stderr


def test_against_refuses_plain_http_and_reports_an_unreachable_site(repo: Path) -> None:
    plain = run_cli("verify", "--root", str(repo), "--against", "http://example.jp/kiyaku/")
    assert plain.code == 1 and "C006" in plain.stderr
    unreachable = run_cli("verify", "--root", str(repo), "--against", "https://127.0.0.1:9/kiyaku/")
    assert unreachable.code == 1 and "H057" in unreachable.stderr and "Traceback" not in unreachable.stderr


def test_a_published_edition_without_a_record(repo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _publish(repo, site)
    extra = site / "alpha/editions/9/downloads"
    extra.mkdir(parents=True)
    shutil.copy(site / "alpha/editions/1/downloads/manifest.json", extra / "manifest.json")
    done = run_cli("verify", "--root", str(repo), "--against", str(site))
    assert done.code == 1 and "H056" in done.stderr


# --- the announcement date is fixed when the release starts ---

def test_a_release_started_before_midnight_that_commits_after_it_is_on_time(repo: Path, monkeypatch) -> None:
    monkeypatch.setattr("generator.changes.release.dt.datetime", _Clock)
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-02T00:00:03+09:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-12-02T00:00:03+09:00")
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=dt.date(2026, 12, 1))
    assert "Kiyaku-Started: 2026-12-01T23:59:59+09:00" in git(repo, "log", "-1", "--format=%B")
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 0 and "H049" not in lint.stdout


class _Clock(dt.datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206
        return dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=_calendar.JST).astimezone(tz)


# --- machine faults ---

def test_no_git_on_path(repo: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = dict(os.environ, PATH=str(bin_dir))
    for command in (release_args(repo), ["lint", "--root", str(repo)], ["status", "--root", str(repo)]):
        done = subprocess.run([sys.executable, "-m", "generator", *command], cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "git コマンドが見つかりません" in done.stderr


@pytest.mark.parametrize("command", ["lint", "status", "render alpha", "diff alpha --from ed1"])
def test_closed_stdout(repo: Path, command: str) -> None:
    done = subprocess.run(f"{sys.executable} -m generator {command} --root {repo} >&-", shell=True, cwd=REPO,
                          capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("fault, words", [("EROFS", "読み取り専用"), ("EACCES", "権限がありません"), ("ENOSPC", "空きがありません"),
                                          ("EFBIG", "ファイルサイズの上限"), ("EIO", "入出力エラー")])
def test_a_write_fault_is_one_japanese_message_and_nothing_changes(repo: Path, fault: str, words: str) -> None:
    """The OS error is raised where the release writes the variant file (as root, chmod cannot make one)."""
    before = state(repo)
    done = run_cli(*release_args(repo), env={"KIYAKU_FAULT_AT": "variant", "KIYAKU_FAULT": fault})
    assert done.code == 1 and "Traceback" not in done.stderr, done.stderr
    assert "H069" in done.stderr and words in done.stderr and "何も記録されていません" in done.stderr
    assert state(repo) == before and not (repo / ".kiyaku/release-journal.json").exists()


def test_a_read_only_folder_for_real(repo: Path) -> None:
    """An immutable variants/ folder (chattr +i: even root cannot write): the record already written is taken back."""
    variants = repo / "variants"
    if subprocess.run(["chattr", "+i", str(variants)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        before = state(repo)
        done = run_cli(*release_args(repo))
    finally:
        subprocess.run(["chattr", "-i", str(variants)], check=True)
    assert done.code == 1 and "Traceback" not in done.stderr, done.stderr
    assert "H069" in done.stderr and "variants/" in done.stderr
    assert state(repo) == before and not (repo / "releases/alpha/2.yaml").exists()


def test_a_build_waiting_for_the_lock_says_so_and_gives_up(repo: Path) -> None:
    lock = repo / ".kiyaku" / "build.lock"
    lock.parent.mkdir(exist_ok=True)
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("4242")
        handle.flush()
        done = run_cli("build", "--root", str(repo), "--format", "txt", env={"KIYAKU_LOCK_TIMEOUT": "1"})
    assert done.code == 1 and "Traceback" not in done.stderr
    assert "PID 4242" in done.stderr and "待ちます" in done.stderr and "O017" in done.stderr


def test_an_edition_not_yet_on_the_site_is_a_warning(repo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _publish(repo, site)
    shutil.rmtree(site / "alpha/editions/1")  # the site was published before this edition
    done = run_cli("verify", "--root", str(repo), "--against", str(site))
    assert "H055" in done.stderr and "Traceback" not in done.stderr, done.stderr
