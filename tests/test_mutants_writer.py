"""Publishing edges found by mutation testing (generator/source/_writer.py; docs/testing.md).

An output folder whose parents do not exist yet, and the fallback without renameat2 keeping the
previous build inside .kiyaku/tmp (where clean_stale finds it after a crash), not in the system's
temp folder (another file system would make the rename fail; a crash would leave it there).
Also: KIYAKU_LOCK_TIMEOUT and the wait for another build, file systems without hard links, what
is flushed before the exchange, the double buffer over several builds, write_file_atomic's temp
file and stale folders that cannot be removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from generator.source import _writer

OLD = {"alpha": {"a.txt": b"old alpha\n"}}
NEW = {"alpha": {"a.txt": b"new alpha\n"}}


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


def test_an_output_folder_under_missing_parents_is_created(tmp_path: Path) -> None:
    out = tmp_path / "site" / "public" / "rendered"  # `--out site/public/rendered` in a fresh checkout
    _writer.publish(tmp_path, out, OLD)
    assert (out / "alpha" / "a.txt").read_bytes() == b"old alpha\n"
    _writer.publish(tmp_path, out, NEW)
    assert (out / "alpha" / "a.txt").read_bytes() == b"new alpha\n"


def test_the_fallback_keeps_the_previous_build_where_clean_stale_finds_it(tmp_path: Path, monkeypatch) -> None:
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    monkeypatch.setattr(_writer, "_renameat2", None)
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    real_rename, seen = os.rename, []

    def crash_after_moving_the_old_build(src, dst) -> None:
        seen.append(Path(dst))
        real_rename(src, dst)
        if len(seen) == 1:
            raise KeyboardInterrupt  # killed between the two renames of the non-atomic fallback

    monkeypatch.setattr(os, "rename", crash_after_moving_the_old_build)
    with pytest.raises(KeyboardInterrupt):
        _writer.publish(tmp_path, out, NEW)
    monkeypatch.setattr(os, "rename", real_rename)
    kept = seen[0]
    assert kept.name == "previous" and (kept / "alpha" / "a.txt").read_bytes() == b"old alpha\n"
    assert kept.parent.parent == tmp_path / ".kiyaku" / "tmp"
    assert list(system_tmp.iterdir()) == []
    _writer.clean_stale(tmp_path)
    assert not kept.exists() and list((tmp_path / ".kiyaku" / "tmp").iterdir()) == []


# KIYAKU_LOCK_TIMEOUT: how long a build waits for another one (docs/releases.md: seconds, default 600)

@pytest.mark.parametrize("value, seconds", [
    (None, 600.0),  # unset: the documented default
    ("", 600.0),  # set but empty (e.g. `KIYAKU_LOCK_TIMEOUT= kiyaku build`): the default, not a crash
    ("abc", 600.0),  # not a number: the default
    ("45", 45.0),
    ("2.5", 2.5),
    ("0", 0.0),  # give up at once
    ("-3", 0.0),  # a negative wait is no wait
    ("0.25", 0.25),
])
def test_the_lock_timeout_is_read_from_the_environment(monkeypatch, value: str | None, seconds: float) -> None:
    if value is None:
        monkeypatch.delenv(_writer.LOCK_TIMEOUT_ENV, raising=False)
    else:
        monkeypatch.setenv(_writer.LOCK_TIMEOUT_ENV, value)
    assert _writer.LOCK_TIMEOUT_ENV == "KIYAKU_LOCK_TIMEOUT"
    assert _writer._lock_timeout() == seconds


def _held_lock(root: Path, holder: str):
    """Another build holding the lock: a second open file description (flock locks those, not processes)."""
    import fcntl

    lock = root / ".kiyaku" / "build.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock, "a+")
    fcntl.flock(handle, fcntl.LOCK_EX)
    handle.write(holder)
    handle.flush()
    return handle


@pytest.mark.parametrize("holder, shown", [("4242", "4242"), ("", "不明")])
def test_a_build_gives_up_after_the_timeout_naming_the_holder(tmp_path: Path, monkeypatch, capsys, holder: str, shown: str) -> None:
    import time

    from generator.source.errors import OutputError

    monkeypatch.setenv("KIYAKU_LOCK_TIMEOUT", "0.3")
    handle = _held_lock(tmp_path, holder)
    try:
        start = time.monotonic()
        with pytest.raises(OutputError) as info:
            with _writer.build_lock(tmp_path):
                pytest.fail("the lock was taken while another build held it")
        waited = time.monotonic() - start
    finally:
        handle.close()
    assert 0.3 <= waited < 5  # waited the whole timeout, then gave up (not at once, not for ever)
    [finding] = info.value.findings
    lock = tmp_path / ".kiyaku" / "build.lock"
    assert (finding.code, finding.location.path, finding.severity) == ("O017", str(lock), "error")
    assert finding.message == f"別の kiyaku build（PID {shown}）が終わらないため、0 秒待ってあきらめました。"
    assert finding.hint == "そのビルドが終わってから実行してください（待つ秒数は環境変数 KIYAKU_LOCK_TIMEOUT で変えられます）。"
    assert capsys.readouterr().err == f"別の kiyaku build（PID {shown}）が {lock} を使っています。終わるのを最大 0 秒待ちます…\n"
    assert lock.read_text() == holder  # the holder's PID is left alone


def test_a_build_waits_for_the_other_one_and_then_takes_the_lock(tmp_path: Path, monkeypatch, capsys) -> None:
    import fcntl
    import threading

    monkeypatch.setenv("KIYAKU_LOCK_TIMEOUT", "30")
    handle = _held_lock(tmp_path, "4242")
    release = threading.Timer(0.3, handle.close)  # the other build ends a moment later
    release.start()
    try:
        with _writer.build_lock(tmp_path):
            lock = tmp_path / ".kiyaku" / "build.lock"
            assert lock.read_text() == str(os.getpid())  # the holder's PID is ours now, for the next waiting build
            with open(lock, "a+") as other, pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        release.join()
    lock = tmp_path / ".kiyaku" / "build.lock"
    assert capsys.readouterr().err == f"別の kiyaku build（PID 4242）が {lock} を使っています。終わるのを最大 30 秒待ちます…\n"


# --- file systems without hard links (FAT, some network shares): copies instead of links ---

def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_file_system_without_hard_links_gets_copies_of_everything(tmp_path: Path, monkeypatch) -> None:
    import errno

    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"old a\n", "b.txt": b"old b\n"}, "beta": {"c.txt": b"old c\n"}})
    (out / "README.txt").write_bytes(b"top-level file\n")  # not made by kiyaku
    (out / "extra" / "sub").mkdir(parents=True)
    (out / "extra" / "sub" / "f.txt").write_bytes(b"nested\n")
    (out / "extra" / "sub" / "link").symlink_to("f.txt")
    (out / "docs").mkdir()  # a folder of files and a symlink, one level down
    (out / "docs" / "index.txt").write_bytes(b"index\n")
    (out / "docs" / "latest").symlink_to("index.txt")

    def no_link(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    expected = {"README.txt": b"top-level file\n", "alpha/a.txt": b"new a\n", "alpha/b.txt": b"old b\n",
                "beta/c.txt": b"old c\n", "extra/sub/f.txt": b"nested\n", "extra/sub/link": b"nested\n",
                "docs/index.txt": b"index\n", "docs/latest": b"index\n"}
    for _ in range(2):  # the spare alternates with rendered/: both rounds copy everything over
        _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"new a\n", "b.txt": out / "alpha" / "b.txt"}})
        assert _tree_bytes(out) == expected
        assert os.readlink(out / "extra" / "sub" / "link") == "f.txt"  # a symlink stays a symlink
        assert os.readlink(out / "docs" / "latest") == "index.txt"
        assert oct(os.stat(out / "alpha" / "b.txt").st_mode & 0o777) == "0o644"


# --- durability: what is flushed before the exchange (the module's docstring) ---

def _record_flushes(monkeypatch, events: list) -> None:
    def where(fd) -> str:
        return os.readlink(f"/proc/self/fd/{fd}") if isinstance(fd, int) else repr(fd)

    real_fsync, real_syncfs, real_renameat2 = os.fsync, _writer._syncfs, _writer._renameat2

    def fsync(fd) -> None:
        events.append(("fsync", where(fd)))
        real_fsync(fd)

    def syncfs(fd) -> int:
        events.append(("syncfs", where(fd)))
        return real_syncfs(fd)

    def renameat2(*args) -> int:
        events.append(("exchange",))
        return real_renameat2(*args)

    monkeypatch.setattr(os, "fsync", fsync)
    if real_syncfs is not None:
        monkeypatch.setattr(_writer, "_syncfs", syncfs)
    monkeypatch.setattr(_writer, "_renameat2", renameat2)


@pytest.mark.skipif(_writer._syncfs is None or _writer._renameat2 is None, reason="needs syncfs(2) and renameat2(2)")
def test_one_syncfs_of_the_staged_tree_before_the_exchange_and_no_fsync_per_file(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    events: list = []
    _record_flushes(monkeypatch, events)
    spare = os.path.realpath(_writer.spare_dir(tmp_path, out))
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"1\n", "b.txt": b"2\n"}, "beta": {"c.txt": b"3\n"}})
    # 500 resellers: one syncfs costs tens of milliseconds, an fsync per file 12 s
    assert events == [("syncfs", spare), ("exchange",), ("fsync", os.path.realpath(tmp_path))]


@pytest.mark.skipif(_writer._renameat2 is None, reason="needs renameat2(2)")
def test_without_syncfs_every_staged_file_is_flushed_before_the_exchange(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(_writer, "_syncfs", None)  # an old libc
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    events: list = []
    _record_flushes(monkeypatch, events)
    spare = os.path.realpath(_writer.spare_dir(tmp_path, out))
    os.symlink("a.txt", out / "alpha" / "link")  # kept by link: a symlink is not opened and flushed
    _writer.publish(tmp_path, out, {"beta": {"c.txt": b"3\n", "d.txt": b"4\n"}})
    staged = [f"{spare}/{name}" for name in ("alpha/a.txt", "beta/c.txt", "beta/d.txt")]
    assert events == [("fsync", path) for path in staged] + [("exchange",), ("fsync", os.path.realpath(tmp_path))]


# --- write_file_atomic: the temp file ---

def test_write_file_atomic_stages_a_hidden_file_named_after_its_target_in_the_same_folder(tmp_path: Path, monkeypatch) -> None:
    # same folder: os.replace is atomic only there (a system temp folder on another file system fails);
    # hidden and named after the target: what a crash at that moment leaves next to the user's file
    target = tmp_path / "out" / "diff" / "notice.txt"  # `--output out/diff/notice.txt` in a fresh checkout
    real_fsync, seen = os.fsync, []

    def fsync(fd) -> None:
        seen.append(sorted(os.listdir(target.parent)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    _writer.write_file_atomic(target, b"text")
    [listing] = seen
    assert len(listing) == 1 and listing[0].startswith(".notice.txt.") and len(listing[0]) > len(".notice.txt.")
    assert os.listdir(target.parent) == ["notice.txt"] and target.read_bytes() == b"text"


# --- clean_stale ---

def test_a_stale_folder_that_cannot_be_removed_does_not_stop_the_build(tmp_path: Path) -> None:
    import subprocess

    tmp = _writer.state_dir(tmp_path) / "tmp"
    (tmp / "a-stuck" / "x").mkdir(parents=True)
    stuck = tmp / "a-stuck" / "x" / "f"
    stuck.write_bytes(b"x")
    (tmp / "b-stale").mkdir()
    (tmp / "c-file").write_bytes(b"x")
    if subprocess.run(["chattr", "+i", str(stuck)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        _writer.clean_stale(tmp_path)
        assert sorted(p.name for p in tmp.iterdir()) == ["a-stuck"]  # the others are still removed
    finally:
        subprocess.run(["chattr", "-i", str(stuck)], check=True)


# --- double buffering: the spare holds the build before last; what it must bring up to date ---

def test_kept_and_changed_files_in_one_folder_over_several_publishes(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"a1\n", "b.txt": b"b1\n", "c.txt": b"c1\n"}})
    for round_ in (2, 3, 4):  # a.txt kept (linked), b.txt rewritten, c.txt kept: each round, both buffers
        _writer.publish(tmp_path, out, {"alpha": {"a.txt": out / "alpha" / "a.txt", "b.txt": f"b{round_}\n".encode(),
                                                  "c.txt": out / "alpha" / "c.txt"}})
        assert _tree_bytes(out) == {"alpha/a.txt": b"a1\n", "alpha/b.txt": f"b{round_}\n".encode(), "alpha/c.txt": b"c1\n"}
    # a file rewritten, then kept: the spare still holds its version from two builds ago
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"a5\n", "b.txt": b"b5\n", "c.txt": b"c5\n"}})
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": out / "alpha" / "a.txt", "b.txt": out / "alpha" / "b.txt",
                                              "c.txt": out / "alpha" / "c.txt"}})
    assert _tree_bytes(out) == {"alpha/a.txt": b"a5\n", "alpha/b.txt": b"b5\n", "alpha/c.txt": b"c5\n"}


def test_only_what_changed_is_written_or_linked(tmp_path: Path, monkeypatch) -> None:
    # the module's promise: one changed reseller among 500 touches a few files, not 500 folders
    out = tmp_path / "rendered"
    folders = {"alpha": {"a.txt": b"a\n", "b.txt": b"b\n"}, "beta": {"c.txt": b"c\n", "d.txt": b"d\n"}}
    _writer.publish(tmp_path, out, folders)
    (out / "README.txt").write_bytes(b"top\n")
    (out / "latest").symlink_to("alpha")
    for _ in range(2):  # fill both buffers
        _writer.publish(tmp_path, out, {"alpha": {"a.txt": out / "alpha" / "a.txt", "b.txt": out / "alpha" / "b.txt"}})
    touched: list[str] = []
    real_write, real_link = _writer._write, _writer._link_or_copy
    monkeypatch.setattr(_writer, "_write", lambda path, data: (touched.append(Path(path).name), real_write(path, data)))
    monkeypatch.setattr(_writer, "_link_or_copy", lambda src, dest: (touched.append(Path(dest).name), real_link(src, dest)))
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": out / "alpha" / "a.txt", "b.txt": b"b2\n"}})
    assert touched == ["b.txt"]
    assert _tree_bytes(out) == {"README.txt": b"top\n", "alpha/a.txt": b"a\n", "alpha/b.txt": b"b2\n",
                                "beta/c.txt": b"c\n", "beta/d.txt": b"d\n"}  # rglob does not enter the symlink
    assert os.readlink(out / "latest") == "alpha"  # a symlink to a folder stays a symlink


def test_a_top_level_file_replaced_by_hand_is_published_as_replaced(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    (out / "README.txt").write_bytes(b"v1\n")
    for version in (2, 3, 4):  # replaced (a new file, a new inode), as editors save
        _writer.publish(tmp_path, out, NEW)
        (out / "README.new").write_bytes(f"v{version}\n".encode())
        os.replace(out / "README.new", out / "README.txt")
    _writer.publish(tmp_path, out, NEW)
    assert (out / "README.txt").read_bytes() == b"v4\n"


def test_a_symlink_in_the_spare_is_not_followed(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "rendered", tmp_path / "elsewhere"
    elsewhere.mkdir()
    _writer.publish(tmp_path, out, OLD)
    _writer.publish(tmp_path, out, NEW)  # the spare now holds OLD
    spare_alpha = _writer.spare_dir(tmp_path, out) / "alpha"
    import shutil

    shutil.rmtree(spare_alpha)
    spare_alpha.symlink_to(elsewhere)  # planted, or left by a tool
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"third\n"}})
    assert list(elsewhere.iterdir()) == []  # nothing written through it
    assert not (out / "alpha").is_symlink() and _tree_bytes(out) == {"alpha/a.txt": b"third\n"}
