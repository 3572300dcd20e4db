"""Publishing (generator/source/_writer.py): fault injection and exchange, not only SIGKILL timing.

A write that fails part-way through a publish must leave rendered/ byte for byte as it was; and
the publish must be an exchange of whole folders (a reader holding the old rendered/ open keeps
a complete old build), which writing into rendered/ in place cannot give.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import MINI, copy_project
from generator.source import _writer
from generator.build.builder import build


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch) -> None:
    # a broken publish that lists or removes "." must only reach a scratch folder (mutation testing makes such bugs)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fail_after(monkeypatch, calls: int) -> list[Path]:
    """Make the calls-th staged write raise, as a full disk would."""
    real, written = _writer._write, []

    def failing(path: Path, data) -> None:
        if len(written) + 1 >= calls:
            raise OSError(28, "No space left on device")
        written.append(path)
        real(path, data)

    monkeypatch.setattr(_writer, "_write", failing)
    return written


OLD = {"alpha": {"a.txt": b"old alpha\n", "b.txt": b"old b\n"}, "beta": {"c.txt": b"old beta\n"}}
NEW = {"alpha": {"a.txt": b"new alpha\n", "b.txt": b"new b\n", "d.txt": b"new d\n"}, "beta": {"c.txt": b"new beta\n"}}


@pytest.mark.parametrize("calls", [1, 2, 3, 4])
def test_a_write_failing_part_way_leaves_rendered_untouched(tmp_path: Path, monkeypatch, calls: int) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    before = _tree(out)
    real = _writer._write
    _fail_after(monkeypatch, calls)
    with pytest.raises(OSError):
        _writer.publish(tmp_path, out, NEW)
    assert _tree(out) == before
    monkeypatch.setattr(_writer, "_write", real)
    _writer.publish(tmp_path, out, NEW)  # the next publish repairs the half-updated spare
    assert _tree(out) == {f"{v}/{n}": hashlib.sha256(b).hexdigest() for v, files in NEW.items() for n, b in files.items()}


def test_a_build_failing_part_way_leaves_rendered_byte_identical(tmp_path: Path, monkeypatch) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    build(root, formats=["txt", "md", "html"])
    before = _tree(root / "rendered")
    fees = root / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace("とします。", "と定めます。"), encoding="utf-8")
    written = _fail_after(monkeypatch, 3)
    with pytest.raises(OSError):
        build(root, formats=["txt", "md", "html"])
    assert len(written) == 2  # the failure really came part-way through staging
    assert _tree(root / "rendered") == before


def test_publish_exchanges_the_folder_instead_of_writing_into_it(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    held = os.open(out, os.O_RDONLY)  # a reader (a web server, a copy) that opened rendered/ before
    try:
        inode = os.fstat(held).st_ino
        _writer.publish(tmp_path, out, NEW)
        assert os.stat(out).st_ino != inode, "rendered/ was written in place"
        # the old folder is complete and unchanged for whoever still holds it
        old_view = {f"{v}/{n}": Path(f"/proc/self/fd/{held}/{v}/{n}").read_bytes()
                    for v in sorted(os.listdir(f"/proc/self/fd/{held}")) for n in sorted(os.listdir(f"/proc/self/fd/{held}/{v}"))}
        assert old_view == {f"{v}/{n}": b for v, files in OLD.items() for n, b in files.items()}
    finally:
        os.close(held)
    # double buffering: the previous build is now the spare for the next publish
    assert os.stat(_writer.spare_dir(tmp_path, out)).st_ino == inode


def test_unchanged_files_are_linked_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    kept = out / "beta" / "c.txt"
    inode = os.stat(kept).st_ino
    _writer.publish(tmp_path, out, {"alpha": NEW["alpha"], "beta": {"c.txt": kept}})
    assert os.stat(out / "beta" / "c.txt").st_ino == inode and (out / "beta" / "c.txt").read_bytes() == b"old beta\n"
    assert (out / "alpha" / "d.txt").read_bytes() == b"new d\n"
    assert oct(os.stat(out / "alpha" / "d.txt").st_mode & 0o777) == "0o644"
    assert oct(os.stat(out).st_mode & 0o777) == "0o755"


def test_a_removed_file_or_folder_is_gone_after_publish(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, NEW)
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"x"}})
    assert _tree(out) == {"alpha/a.txt": hashlib.sha256(b"x").hexdigest(), "beta/c.txt": hashlib.sha256(b"new beta\n").hexdigest()}
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"x"}})  # spare held the older tree: it is brought up to date
    assert sorted(_tree(out)) == ["alpha/a.txt", "beta/c.txt"]


def test_write_file_atomic_leaves_no_temp_file_on_failure(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "state.json"
    _writer.write_file_atomic(target, b"one")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(OSError):
        _writer.write_file_atomic(target, b"two")
    assert target.read_bytes() == b"one" and sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "state.json"]


def test_folders_not_rebuilt_are_kept_by_link_with_foreign_files_and_nested_folders(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    (out / "README.txt").write_bytes(b"top-level file\n")  # not made by kiyaku: kept as it is
    (out / "extra" / "sub").mkdir(parents=True)
    (out / "extra" / "sub" / "f.txt").write_bytes(b"nested\n")
    (out / "extra" / "sub" / "link").symlink_to("f.txt")  # a symlink stays a symlink
    inodes = {p: os.stat(out / p).st_ino for p in ("beta/c.txt", "README.txt", "extra/sub/f.txt")}
    for _ in range(3):  # the spare alternates with rendered/: each round must carry everything over
        _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"x\n"}})
        assert _tree(out) == {"alpha/a.txt": hashlib.sha256(b"x\n").hexdigest(), "beta/c.txt": hashlib.sha256(b"old beta\n").hexdigest(),
                              "README.txt": hashlib.sha256(b"top-level file\n").hexdigest(),
                              "extra/sub/f.txt": hashlib.sha256(b"nested\n").hexdigest(),
                              "extra/sub/link": hashlib.sha256(b"nested\n").hexdigest()}
        assert {p: os.stat(out / p).st_ino for p in inodes} == inodes  # linked, never copied or rewritten
        assert os.readlink(out / "extra" / "sub" / "link") == "f.txt"
        assert oct(os.stat(out / "alpha").st_mode & 0o777) == "0o755"


def test_publish_without_renameat2_still_replaces_the_whole_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(_writer, "_renameat2", None)  # e.g. an old libc: the rename fallback
    monkeypatch.setattr(_writer, "_syncfs", None)  # and fsync per file
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)
    inode = os.stat(out).st_ino
    _writer.publish(tmp_path, out, NEW)
    assert os.stat(out).st_ino != inode
    assert _tree(out) == {f"{v}/{n}": hashlib.sha256(b).hexdigest() for v, files in NEW.items() for n, b in files.items()}
    assert os.stat(_writer.spare_dir(tmp_path, out)).st_ino == inode  # the previous build is the next spare
    assert list((tmp_path / ".kiyaku" / "tmp").iterdir()) == []


def test_a_damaged_spare_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    spare = _writer.spare_dir(tmp_path, out)
    spare.parent.mkdir(parents=True)
    spare.write_bytes(b"not a folder")  # e.g. left by a crash or by hand
    _writer.publish(tmp_path, out, OLD)
    assert sorted(_tree(out)) == ["alpha/a.txt", "alpha/b.txt", "beta/c.txt"]
    junk = _writer.spare_dir(tmp_path, out) / "alpha"
    if junk.exists():  # the spare now holds nothing or an old build; a stray file in it must not be published
        (junk / "stray.txt").write_bytes(b"stray")
    _writer.publish(tmp_path, out, NEW)
    assert "alpha/stray.txt" not in _tree(out)


def test_stale_staging_folders_are_cleaned(tmp_path: Path) -> None:
    tmp = _writer.state_dir(tmp_path) / "tmp"
    (tmp / "stage-1" / "x").mkdir(parents=True)
    (tmp / "old-file").write_bytes(b"x")
    _writer.clean_stale(tmp_path)
    assert list(tmp.iterdir()) == []


def test_write_file_atomic_writes_complete_files_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "state.json"
    _writer.write_file_atomic(target, b"{}")
    assert target.read_bytes() == b"{}" and oct(os.stat(target).st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.json"]


def test_the_build_lock_is_exclusive(tmp_path: Path) -> None:
    import fcntl

    with _writer.build_lock(tmp_path):
        with open(tmp_path / ".kiyaku" / "build.lock", "a+") as other:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(tmp_path / ".kiyaku" / "build.lock", "a+") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released after the block


def test_an_existing_folder_is_exchanged_without_a_moment_without_rendered(tmp_path: Path, monkeypatch) -> None:
    # the rename fallback leaves rendered/ missing for a moment; with renameat2 it must never be used
    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, OLD)

    def no_rename(*args, **kwargs):
        raise AssertionError(f"rendered/ was renamed away: {args}")

    monkeypatch.setattr(_writer.os, "rename", no_rename)
    _writer.publish(tmp_path, out, NEW)
    assert (out / "alpha" / "d.txt").read_bytes() == b"new d\n"


def test_each_output_folder_has_its_own_spare(tmp_path: Path) -> None:
    a, b = _writer.spare_dir(tmp_path, tmp_path / "rendered"), _writer.spare_dir(tmp_path, tmp_path / "other")
    assert a != b and a.parent == b.parent == tmp_path / ".kiyaku" / "spare"
    assert _writer.spare_dir(tmp_path, tmp_path / "x" / ".." / "rendered") == a  # the same folder, however written


def test_a_folder_removed_from_rendered_by_hand_does_not_come_back_from_the_spare(tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "rendered"
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"1"}, "gamma": {"g.txt": b"g"}})
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"2"}})  # the spare now holds the first build, gamma included
    shutil.rmtree(out / "gamma")
    _writer.publish(tmp_path, out, {"alpha": {"a.txt": b"3"}})
    assert sorted(_tree(out)) == ["alpha/a.txt"] and (out / "alpha" / "a.txt").read_bytes() == b"3"


def test_a_relative_root_is_exchanged_too(tmp_path: Path, monkeypatch) -> None:
    # kiyaku build runs with --root . by default: the exchange must work on relative paths
    monkeypatch.chdir(tmp_path)
    _writer.publish(Path("."), Path("rendered"), OLD)
    monkeypatch.setattr(_writer.os, "rename", lambda *a, **k: (_ for _ in ()).throw(AssertionError("renamed away")))
    _writer.publish(Path("."), Path("rendered"), NEW)
    assert (tmp_path / "rendered" / "alpha" / "d.txt").read_bytes() == b"new d\n"
