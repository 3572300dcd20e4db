"""What the last build published into an output folder: the no-work check for unchanged variants.

Why: with 500 resellers, a build after a one-line edit must not even parse the other 499.
For each variant the state keeps the source key it was built from (generator/source/_cache.py:
Snapshot.variant_key plus templates, renderers and the timestamp), its formats, its manifest
without the commit, and every file's SHA-256, size and stat signature (inode, mtime, ctime).
A variant is reused only if its key is equal AND its folder holds exactly those files with
those bytes: a stat call per file, and a SHA-256 only when the signature differs. So a deleted,
added, truncated or edited file in rendered/ is always noticed, and the state itself is a
checksummed cache entry (a corrupted state is ignored: everything is checked again).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..source._cache import Store, digest

MANIFEST = "manifest.json"
_LAYOUT = 3  # bump when the records change shape


class FileRecord(NamedTuple):
    sha256: str
    size: int
    signature: tuple[int, int, int]  # (inode, mtime_ns, ctime_ns) when the file was last checked


@dataclass
class VariantRecord:
    source_key: str
    template: str | None  # the variant's own DOCX template (relative to root), for the next source key
    formats: list[str]
    manifest: dict[str, Any]  # manifest.json without source_commit / source_dirty
    files: dict[str, FileRecord]  # every file of rendered/<variant>/, manifest.json included
    commit: tuple[str | None, bool | None] = (None, None)  # source_commit / source_dirty in that manifest.json


@dataclass
class State:
    """The records of one output folder, read from and written to the cache."""

    out_dir: Path
    variants: dict[str, VariantRecord] = field(default_factory=dict)
    changed: bool = False  # whether save() has anything new to write

    @staticmethod
    def _key(out_dir: Path) -> str:
        return digest("state", _LAYOUT, str(out_dir.resolve()))

    @classmethod
    def load(cls, store: Store, out_dir: Path) -> "State":
        data = store.get_json("state", cls._key(out_dir))
        state = cls(out_dir)
        if isinstance(data, dict) and data.get("layout") == _LAYOUT:
            try:
                state.variants = {v: _record(r) for v, r in data["variants"].items()}
            except (KeyError, TypeError, ValueError, AttributeError):
                state.variants = {}  # not what this code writes: everything is checked again
        return state  # else an older layout or none: everything is checked again

    def save(self, store: Store) -> None:
        """As JSON (never a pickle: the cache folder is not trusted to hold code, docs/security.md)."""
        variants = {v: dataclasses.asdict(r) | {"files": {n: [f.sha256, f.size, list(f.signature)] for n, f in r.files.items()}}
                    for v, r in self.variants.items()}
        store.put_json("state", self._key(self.out_dir), {"layout": _LAYOUT, "variants": variants})

    def published(self, folders: dict[str, dict[str, bytes | Path]], fresh: dict[str, VariantRecord],
                  kept: dict[str, dict[str, FileRecord]]) -> None:
        """Record the variants just published: each file's signature now (linking changed the ctime of kept ones)."""
        for variant_id, record in fresh.items():
            written = folders.get(variant_id, {})
            checked = kept.get(variant_id, {})
            expected = {n: (e["sha256"], e["size"]) for n, e in record.manifest["files"].items()}
            expected.update({n: (c.sha256, c.size) for n, c in checked.items() if n not in expected})
            expected.update({n: (hashlib.sha256(d).hexdigest(), len(d)) for n, d in written.items() if isinstance(d, bytes)})
            files: dict[str, FileRecord] = {}
            for name, (sha, size) in expected.items():
                now = record_file(self.out_dir / variant_id / name, sha, size,
                                  None if isinstance(written.get(name), bytes) else checked.get(name))
                if now is None:  # changed under us: the next build checks by content
                    self.variants.pop(variant_id, None)
                    break
                files[name] = now
            else:
                record.files = files
                self.variants[variant_id] = record
        self.changed = True

    def intact(self, variant_id: str) -> dict[str, FileRecord] | None:
        """The variant's files as they are now, if its folder holds exactly the recorded bytes; else None."""
        record = self.variants.get(variant_id)
        if record is None:
            return None
        folder = self.out_dir / variant_id
        try:
            entries = {e.name: e for e in os.scandir(folder)}
        except OSError:
            return None
        if set(entries) != set(record.files):
            return None
        now: dict[str, FileRecord] = {}
        for name, entry in entries.items():
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                return None
            checked = check_file(Path(entry.path), record.files[name], st)
            if checked is None:
                return None
            now[name] = checked
        return now


def _record(raw: dict) -> VariantRecord:
    files = {str(n): FileRecord(str(sha), int(size), (int(sig[0]), int(sig[1]), int(sig[2])))
             for n, (sha, size, sig) in raw["files"].items()}
    commit = raw.get("commit") or (None, None)
    return VariantRecord(str(raw["source_key"]), raw.get("template"), list(raw["formats"]), dict(raw["manifest"]), files,
                         (commit[0], commit[1]))


def signature(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


def check_file(path: Path, expected: FileRecord, st: os.stat_result) -> FileRecord | None:
    """expected (with a fresh signature) if the file holds its bytes; None if not or if it is not a plain file.

    st: the file's lstat, taken by the caller (one system call per file on the no-work path).
    """
    if not stat.S_ISREG(st.st_mode) or st.st_size != expected.size:
        return None
    if signature(st) == expected.signature:
        return expected
    h = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                h.update(block)
        after = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if h.hexdigest() != expected.sha256 or signature(after) != signature(st):
        return None  # different bytes, or changed while being read
    return FileRecord(expected.sha256, expected.size, signature(st))


def record_file(path: Path, sha: str, size: int, checked: FileRecord | None = None) -> FileRecord | None:
    """The record of a file just published: its signature now, if it still is the file that was written or checked.

    A published file is a new inode or a hard link of a checked one (same inode and mtime; the
    link changed its ctime). Anything else means someone changed it meanwhile: no record, so
    the next build checks it by content.
    """
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if st.st_size != size:
        return None
    if checked is not None and (st.st_ino, st.st_mtime_ns) != checked.signature[:2]:
        return None
    return FileRecord(sha, size, signature(st))
