"""Writing outputs so that readers only ever see complete builds.

The new output tree is written into a staging folder outside rendered/ (.kiyaku/spare/), then
exchanged with rendered/ in one atomic rename (renameat2 RENAME_EXCHANGE on Linux). A crash at
any moment leaves either the previous build or the new one, never a mix, and no debris in rendered/.
Concurrent builds are serialised by a lock file.

Double buffering: after the exchange the staging folder holds the previous build, and is kept as
the next build's staging folder. The next build only changes what differs (files are compared by
inode with rendered/), so publishing one changed reseller among 500 touches a few files instead
of creating and deleting 500 folders (2 ms each on this disk). The spare is invisible to readers;
a build killed while updating it leaves it half updated, and the next build repairs it.

Durability: the staged files are written without an fsync each and flushed with one syncfs(2)
of their file system before the exchange (an fsync per file cost 4 ms each, 12 s for 500
resellers; one syncfs costs tens of milliseconds), so the exchange never publishes a file
whose bytes are not on disk yet.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
_syncfs = getattr(_libc, "syncfs", None)


def state_dir(root: Path) -> Path:
    from ._trust import require

    require(root)  # a symlinked or committed .kiyaku/tmp would make clean_stale delete someone's files
    path = root / ".kiyaku"
    (path / "tmp").mkdir(parents=True, exist_ok=True)
    return path


LOCK_TIMEOUT_ENV = "KIYAKU_LOCK_TIMEOUT"  # seconds a build waits for another one (default 600)


def _lock_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_TIMEOUT_ENV, "600")))
    except ValueError:
        return 600.0


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Serialise builds of one repository (two builds at once never mix their files).

    Why say so and give up: a build that waits in silence looks hung; one killed with its lock
    held releases it (flock), but a build stopped with Ctrl-Z keeps it, so the wait has an end.
    """
    import sys
    import time

    from .errors import Finding, Location, OutputError

    lock_path = state_dir(root) / "build.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "不明"
            timeout = _lock_timeout()
            print(f"別の kiyaku build（PID {holder}）が {lock_path} を使っています。終わるのを最大 {timeout:.0f} 秒待ちます…",
                  file=sys.stderr, flush=True)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OutputError(Finding(Location(str(lock_path)), "O017",
                                                  f"別の kiyaku build（PID {holder}）が終わらないため、{timeout:.0f} 秒待ってあきらめました。",
                                                  f"そのビルドが終わってから実行してください（待つ秒数は環境変数 {LOCK_TIMEOUT_ENV} で変えられます）。")) from None
                    time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clean_stale(root: Path) -> None:
    """Remove staging folders left by a build that was killed (we hold the lock: none is live)."""
    tmp = state_dir(root) / "tmp"
    for child in tmp.iterdir():
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


def _exchange(a: Path, b: Path) -> bool:
    if _renameat2 is None:
        return False
    result = _renameat2(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return result == 0


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_or_copy(src: Path | str, dest: Path) -> None:
    """A hard link (cheap, the old file stays untouched), or a copy where the file system has none
    (FAT, some network shares); a symlink stays a symlink either way."""
    try:
        os.link(src, dest, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dest, follow_symlinks=False)


def _link_tree(src: Path, dest: Path) -> None:
    """Copy a folder by hard links."""
    dest.mkdir()  # _mirror removed it first; its parent is the spare
    for child in sorted(src.iterdir()):
        if child.is_dir() and not child.is_symlink():
            _link_tree(child, dest / child.name)
        else:
            _link_or_copy(child, dest / child.name)


def _write(path: Path, data: bytes | Path) -> None:
    """Stage one file (its folder exists): bytes are written, a Path (an unchanged file of the current build) is hard-linked."""
    if isinstance(data, Path):
        try:
            os.link(data, path, follow_symlinks=False)
            return
        except OSError:
            data = data.read_bytes()
    with open(path, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o644)


def _sync(folder: Path) -> None:
    """Everything written under folder is on disk: one syncfs of its file system (fsync per file as fallback)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _syncfs is not None and _syncfs(fd) == 0:
            return
    finally:
        os.close(fd)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def spare_dir(root: Path, out_dir: Path) -> Path:
    """The staging folder kept between builds for out_dir (one per output folder)."""
    name = hashlib.sha256(str(Path(out_dir).resolve()).encode()).hexdigest()[:16]
    return state_dir(root) / "spare" / name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _mirror_folder(dest: Path, files: dict[str, bytes | Path], inodes: dict[str, int]) -> None:
    """Make dest hold exactly files: a Path is hard-linked unless dest already has that inode (inodes: of every Path)."""
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        dest.unlink()
    dest.mkdir(exist_ok=True)  # its parent is the spare
    existing = {e.name: e for e in os.scandir(dest)}
    for name, entry in existing.items():
        if name not in files or not entry.is_file(follow_symlinks=False):
            _remove(Path(entry.path))
    for name in sorted(files):
        data, entry = files[name], existing.get(name)
        # the same inode on one file system is the same file: the regular file the build kept, linked already
        if isinstance(data, Path) and entry is not None and entry.inode() == inodes[name]:
            continue
        (dest / name).unlink(missing_ok=True)
        _write(dest / name, data)
    os.chmod(dest, 0o755)


def _mirror(spare: Path, out_dir: Path, folders: dict[str, dict[str, bytes | Path]]) -> None:
    """Make spare equal to out_dir with the given sub-folders replaced."""
    live = {e.name: e for e in os.scandir(out_dir)} if out_dir.is_dir() else {}
    for entry in list(os.scandir(spare)):
        if entry.name not in live and entry.name not in folders:
            _remove(Path(entry.path))
    for name in sorted(set(live) | set(folders)):
        if name in folders:
            files = folders[name]
            inodes = {n: os.stat(d, follow_symlinks=False).st_ino for n, d in files.items() if isinstance(d, Path)}
            _mirror_folder(spare / name, files, inodes)
            continue
        source = live[name]
        if source.is_dir(follow_symlinks=False):
            children = list(os.scandir(source.path))
            if all(c.is_file(follow_symlinks=False) for c in children):
                _mirror_folder(spare / name, {c.name: Path(c.path) for c in children}, {c.name: c.inode() for c in children})
            else:  # nested folders (not made by kiyaku): copy the whole folder by links
                _remove(spare / name)
                _link_tree(Path(source.path), spare / name)
        elif not (spare / name).exists() or os.stat(spare / name, follow_symlinks=False).st_ino != source.inode():
            _remove(spare / name)
            _link_or_copy(source.path, spare / name)


def publish(root: Path, out_dir: Path, folders: dict[str, dict[str, bytes | Path]]) -> None:
    """Replace the given sub-folders of out_dir (e.g. rendered/<variant>/) in one atomic step.

    Each given folder holds exactly the given files: bytes are written, a Path is hard-linked
    (a file the build checked and kept). The whole output tree is staged (untouched folders
    hard-linked from the current one) and then exchanged with out_dir, so a reader or a crash
    sees either the previous build or this one.
    """
    spare = spare_dir(root, out_dir)
    if spare.is_symlink() or (spare.exists() and not spare.is_dir()):
        spare.unlink()
    spare.mkdir(parents=True, exist_ok=True)
    _mirror(spare, out_dir, folders)
    os.chmod(spare, 0o755)
    _sync(spare)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if not out_dir.exists():
        os.rename(spare, out_dir)
    elif not _exchange(spare, out_dir):
        old = Path(tempfile.mkdtemp(prefix="old-", dir=state_dir(root) / "tmp"))
        os.rename(out_dir, old / "previous")  # not atomic: only where renameat2 is missing
        os.rename(spare, out_dir)
        os.rename(old / "previous", spare)
        old.rmdir()
    _fsync_dir(out_dir.parent)


def write_file_atomic(path: Path, data: bytes) -> None:
    """One file, complete or not at all (temp file in the same folder, then os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
