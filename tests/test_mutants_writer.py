"""Publishing edges found by mutation testing (generator/_writer.publish; docs/testing.md).

An output folder whose parents do not exist yet, and the fallback without renameat2 keeping the
previous build inside .kiyaku/tmp (where clean_stale finds it after a crash), not in the system's
temp folder (another file system would make the rename fail; a crash would leave it there).
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
