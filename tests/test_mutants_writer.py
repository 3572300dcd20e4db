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
