"""Finding codes only a damaged machine or repository produces (issue 18): each through the real CLI.

These were once listed as untested in tests/finding_codes.py. Each test makes the damage for real
(a corrupt git object, a git hook that refuses the rollback, an output folder under a regular file,
a template that is small on disk but unpacks to more than the output budget) and checks what the
user reads: the finding's place, code and hint, exit 1, no traceback, and nothing half-written.
"""

from __future__ import annotations

import io
import lzma
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from docx_parts import copy_declaring

import finding_codes
from conftest import MINI, REPO, copy_project, run_cli
from release_repo import change_fee, commit_all, git, released_repo
from test_release_txn import release_args, snapshot
from trust_cases import TEMPLATE_LINE, default_template, set_template


def _finding(run, code: str, where: str) -> str:
    """The one line of code at where, after checking exit 1, no traceback and a hint."""
    out = run.stdout + run.stderr
    assert run.code == 1, out
    assert "Traceback" not in out, out
    lines = [line for line in out.splitlines() if line.startswith(where) and f" {code} " in line]
    assert lines, out
    assert "\n    → " in out
    return lines[0]


def test_every_reachable_code_has_a_test() -> None:
    """A code a user can meet may not wait in UNTESTED: it gets a test here or in test_codes.py."""
    assert finding_codes.UNTESTED == {}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    return change_fee(released_repo(tmp_path, monkeypatch))


# --- H071: git fails in a way no git-state check names -------------------------------------------------

def _corrupt(root: Path, rev: str) -> None:
    """Overwrite the loose object file of rev with bytes that are not zlib (a disk error, a bad copy)."""
    sha = git(root, "rev-parse", rev).strip()
    path = root / ".git" / "objects" / sha[:2] / sha[2:]
    path.chmod(0o644)
    path.write_bytes(b"not a zlib stream")


@pytest.mark.parametrize("rev", ["alpha/ed1:variants/alpha.yaml", "alpha/ed1:variants"])
def test_h071_a_corrupt_object_store(repo: Path, rev: str) -> None:
    """The released edition's file (a blob) or folder (a tree) unreadable: diff --from ed1 must read it."""
    sha = git(repo, "rev-parse", rev).strip()
    _corrupt(repo, rev)
    done = run_cli("diff", "alpha", "--from", "ed1", "--root", str(repo))
    line = _finding(done, "H071", "<git>")
    assert sha in line  # git's words name the broken object
    assert "git fsck" in done.stdout + done.stderr  # and the hint says how to look for the rest


# --- H067: the rollback of a failed release fails too ---------------------------------------------------

PROTECT_TAGS = """#!/bin/sh
# a team policy: tags are never deleted (git calls this hook for every ref update)
[ "$1" = prepared ] || exit 0
while read -r old new ref; do
  case "$ref" in refs/tags/*) [ "$new" = 0000000000000000000000000000000000000000 ] && { echo "tags are protected: $ref" >&2; exit 1; } ;; esac
done
exit 0
"""


def _release_with_fault(root: Path, step: str, how: str = "raise") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KIYAKU_FAULT_AT=step, KIYAKU_FAULT=how)
    done = subprocess.run([sys.executable, "-m", "generator", *release_args(root)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    finding_codes.record_output(done.stdout, done.stderr)
    return done


def test_h067_a_rollback_that_fails_keeps_the_journal_and_abort_finishes_it(repo: Path) -> None:
    """A full disk after tagging (first fault), and a hook that refuses to delete the tag (second fault)."""
    before = snapshot(repo)
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.write_text(PROTECT_TAGS, encoding="utf-8")
    hook.chmod(0o755)
    done = _release_with_fault(repo, "tag")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert ".kiyaku/release-journal.json:1:1: H067 リリースを元に戻す途中で失敗しました" in done.stderr
    assert "tags are protected: refs/tags/alpha/ed2" in done.stderr
    assert "kiyaku release --abort" in done.stderr and "kiyaku release --resume" in done.stderr
    assert (repo / ".kiyaku/release-journal.json").is_file()  # the plan is kept: nothing is lost
    lint = run_cli("lint", "--root", str(repo))
    assert lint.code == 1 and "H065" in lint.stdout
    # --abort while the hook still refuses: git's refusal, not a traceback, and the journal stays
    still = run_cli("release", "--abort", "--root", str(repo))
    assert _finding(still, "H067", "<コマンドライン>") and "tags are protected" in still.stderr
    assert (repo / ".kiyaku/release-journal.json").is_file()
    hook.unlink()  # the cause removed, --abort brings back exactly the state before the release
    assert run_cli("release", "--abort", "--root", str(repo)).code == 0
    assert snapshot(repo) == before


def test_h067_abort_after_history_moved_on(repo: Path) -> None:
    """SIGKILL after the release commit, then someone commits on top: --abort must not rewrite their commit."""
    killed = _release_with_fault(repo, "commit", "SIGKILL")
    assert killed.returncode == -9
    release_commit = git(repo, "rev-parse", "HEAD").strip()
    (repo / "terms" / "extra.txt").write_text("後から\n", encoding="utf-8")
    commit_all(repo, "後からのコミット")
    head = git(repo, "rev-parse", "HEAD").strip()
    done = run_cli("release", "--abort", "--root", str(repo))
    _finding(done, "H067", "<コマンドライン>")
    assert f"git revert {release_commit[:10]}" in done.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == head and (repo / ".kiyaku/release-journal.json").is_file()


# --- S001: an OS error that reaches the command line -----------------------------------------------------

def _under_a_file(base: Path) -> Path:
    (base / "a-file").write_text("x", encoding="utf-8")
    return base / "a-file" / "rendered"


def _name_too_long(base: Path) -> Path:
    return base / ("x" * 300) / "rendered"


@pytest.mark.parametrize("make_out, reason", [(_under_a_file, "同じ名前のファイルがすでにあります"),
                                              (_name_too_long, "ファイル名が長すぎます")])
def test_s001_an_output_folder_that_cannot_be_made(tmp_path: Path, make_out, reason: str) -> None:
    mini = copy_project(MINI, tmp_path / "mini")
    out = make_out(tmp_path)
    line = _finding(run_cli("build", "--root", str(mini), "--format", "txt", "--out", str(out)), "S001", str(tmp_path))
    assert reason in line
    assert not os.path.exists(out) and not (mini / "rendered").exists()


# --- R018: a template whose document is over the output budget -------------------------------------------

class _FastLZMA(zipfile.LZMACompressor):  # type: ignore[misc, name-defined]
    """LZMA preset 0: the same format zipfile writes, 8× faster to make (the test only needs it small)."""

    def _init(self) -> bytes:
        fast = {"id": lzma.FILTER_LZMA1, "preset": 0, "dict_size": 4 << 20}  # the dictionary spans a repeated MB
        props = lzma._encode_filter_properties(fast)  # type: ignore[attr-defined]
        self._comp = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[fast])
        return struct.pack("<BBH", 9, 4, len(props)) + props


def _template_with_big_image(monkeypatch, megabytes: int = 52) -> bytes:
    """The default template plus a picture part of random bytes repeated per MB.

    About 1 MB on disk (LZMA sees the repetition), but Word's own compression (deflate, a 32 kB
    window) cannot: the saved document is over 50 MB. Within every input budget (20 MB on disk,
    100 MB unpacked, 1,000 parts), so only the output budget can stop it.
    """
    chunk = os.urandom(1 << 20)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        copy_declaring(default_template(), target, "word/media/big.png", "image", "image/png")
        picture = zipfile.ZipInfo("word/media/big.png")
        picture.compress_type = zipfile.ZIP_LZMA
        with monkeypatch.context() as patch:
            patch.setattr(zipfile, "LZMACompressor", _FastLZMA)
            with target.open(picture, "w", force_zip64=True) as handle:
                for _ in range(megabytes):
                    handle.write(chunk)
    return out.getvalue()


def test_r018_a_template_whose_document_is_over_50_mb(tmp_path: Path, monkeypatch) -> None:
    mini = copy_project(MINI, tmp_path / "mini")
    template = _template_with_big_image(monkeypatch)
    assert len(template) < 3 * 1024 * 1024
    (mini / "templates").mkdir()
    (mini / "templates" / "big.docx").write_bytes(template)
    set_template(mini, "templates/big.docx")
    line = _finding(run_cli("build", "alpha", "--root", str(mini), "--format", "docx"), "R018",
                    f"variants/alpha.yaml:{TEMPLATE_LINE}:")
    assert "templates/big.docx" in line and "50 MB" in line
    assert not (mini / "rendered").exists()
