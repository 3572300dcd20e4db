"""Writing outputs so that readers only ever see complete builds.

A variant's files are written into a staging folder outside rendered/ (in .kiyaku/tmp), then
swapped in with one atomic rename (renameat2 RENAME_EXCHANGE on Linux). A crash at any moment
leaves either the previous folder or the new one, never a mix, and no debris in rendered/.
Concurrent builds are serialised by a lock file.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)


def state_dir(root: Path) -> Path:
    path = root / ".kiyaku"
    (path / "tmp").mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Serialise builds of one repository (two builds at once never mix their files)."""
    lock_path = state_dir(root) / "build.lock"
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
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


def publish_folder(root: Path, target: Path, files: dict[str, bytes]) -> None:
    """Replace target folder with exactly these files, atomically."""
    staging = Path(tempfile.mkdtemp(prefix="stage-", dir=state_dir(root) / "tmp"))
    try:
        for name in sorted(files):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(files[name])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, 0o644)
        os.chmod(staging, 0o755)
        _fsync_dir(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and _exchange(staging, target):
            pass  # staging now holds the previous files; removed below
        elif target.exists():
            old = Path(tempfile.mkdtemp(prefix="old-", dir=state_dir(root) / "tmp"))
            os.rename(target, old / "x")
            os.rename(staging, target)
            staging = old
        else:
            os.rename(staging, target)
            staging = None
        _fsync_dir(target.parent)
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


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
