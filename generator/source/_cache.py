"""The build cache in <root>/.kiyaku/cache/: content-addressed, so deleting or corrupting it only costs time.

Why content addressing: an entry is named by a hash of everything that went into it (the bytes
of the sources, kiyaku's own code, renderer and font versions, the timestamp), so a lookup can
only find the right entry or none: an entry is never stale, it is just not asked for again.
Why a checksum in every entry: a name says what an entry should hold, not that the bytes on disk
still hold it (disk errors, a half-written file from a killed build, a hand edit). Each entry
starts with the SHA-256 of its payload; a read that does not match deletes the entry and misses.

Layout: cache/<kind>/<key[:2]>/<key>, kinds ``parse`` (parsed YAML), ``lint`` (findings) and
``out`` (rendered bytes); cache/state/ holds what the last build published (generator/build/_state.py).
Entries are written to a temporary name and renamed, never fsynced: losing one costs a re-render.
Every entry is JSON, never a pickle: a cache folder can arrive with a clone (force-added) or be
written by another user, and reading it must not be able to run code (docs/security.md). The
folder itself is used only when generator/source/_trust.py finds it is kiyaku's own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import _trust
from ._files import Limit, read_checked
from ._yaml import MAX_BYTES, LoadedYaml
from .errors import KiyakuError
from .load import DirectoryTree, parse_bytes

CACHE_DIR = Path(".kiyaku") / "cache"
_MAGIC = b"kiyaku-cache-1 "
_PACKAGE = Path(__file__).resolve().parents[__name__.count(".") - 1]  # generator/, wherever this module sits in it
TEMPLATE_LIMIT = Limit(20 * 1024 * 1024, "DOCX テンプレート", "R019")
CACHE_MAX_BYTES = 2 * 1024 ** 3  # pruned to about half of this after a build that wrote entries


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(*parts: str | bytes | int | None) -> str:
    """One key from several parts; each is length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def canonical_json(value: Any) -> bytes:
    """Sorted, compact JSON: equal values give equal bytes (dates as ISO text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


# Where the pipeline starts: every module these import (transitively) shapes a parsed file, a lint
# result or an output. Left out: generator/history/_records.py (lint imports it for check_records, whose
# results depend on git and are never cached), generator/source/_git.py (commit details go only into
# manifest.json, which is made anew on every build) and generator/source/_writer.py (writes bytes, makes
# none). Templates: all but notice.*. Dotted module names, not paths, so that moving a module only
# means renaming it here.
_ROOTS = (
    "generator",
    "generator.compile.pipeline",
    "generator.lint.checks",
    "generator.build.builder",
    "generator.source._cache",
    "generator.build._state",
    "generator.build._outputs",
    "generator.build._pool",
    "generator.render",
)
_NOT_CACHED = frozenset({"generator.history._records", "generator.source._git", "generator.source._writer"})
_IMPORT = re.compile(r"^[ \t]*from (\.+)([\w.]*) import ([\w, ]+)", re.M)


def _module_file(name: str) -> Path | None:
    """The file of a dotted module name of this package (generator.x.y), or None."""
    base = _PACKAGE.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _closure() -> list[Path]:
    """The package's own modules the pipeline imports, found by reading their import lines.

    Importing a module runs its packages' __init__.py too, so those count as imported.
    """
    seen: dict[str, Path] = {}
    todo = list(_ROOTS) + [f"generator.render.{p.stem}" for p in sorted((_PACKAGE / "render").glob("*.py"))]
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if name in seen or name in _NOT_CACHED or path is None:
            continue
        seen[name] = path
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        if package:
            todo.append(package)
        for dots, module, names in _IMPORT.findall(path.read_text(encoding="utf-8")):
            base = package.split(".")
            base = ".".join(base[:len(base) - (len(dots) - 1)])
            # `from ..source import _outdir` names a module, `from ..source.load import X` a name:
            # both are tried, and names that are no module of the package are skipped above.
            parent = f"{base}.{module}" if module else base
            if module:
                todo.append(parent)
            todo += [f"{parent}.{n.split()[0]}" for n in names.split(",") if n.strip()]
    return sorted(set(seen.values()))


@functools.cache
def code_fingerprint() -> str:
    """A hash of the code and default templates that shape results (the pipeline's modules).

    Why not only the version number: in a checkout the code changes between releases of the
    package, and a cached output from older code would then disagree with `kiyaku verify`.
    Why not every file of the package: editing the website plugin or the notice code must not
    throw away the renders of 500 resellers.
    """
    files = _closure() + sorted(p for p in (_PACKAGE / "templates").rglob("*")
                                if p.is_file() and not p.name.startswith("notice"))
    h = hashlib.sha256()
    for path in files:
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + sha256(path.read_bytes()).encode() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Store:
    """Read and write cache entries; a disabled store misses every read and drops every write."""

    path: Path | None  # cache folder, or None when caching is off
    writable: bool = True
    untrusted: str | None = None  # why .kiyaku/ was not used (generator/source/_trust.py), for a K001 warning
    # False for `kiyaku build --no-cache`: nothing is read (everything is rendered again) but the results
    # are still written, so the next build (or `mkdocs build`) knows rendered/ is up to date.
    readable: bool = True

    @classmethod
    def open(cls, root: Path, enabled: bool = True, writable: bool = True, readable: bool = True) -> "Store":
        if not enabled:
            return cls(None, writable)
        reason = _trust.problem(Path(root))
        if reason is not None:
            return cls(None, writable, reason)
        return cls(Path(root) / CACHE_DIR, writable, readable=readable)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _entry(self, kind: str, key: str) -> Path:
        assert self.path is not None
        return self.path / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under key, or None (missing, unread, or corrupted: then it is deleted)."""
        if self.path is None or not self.readable:
            return None
        path = self._entry(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        head, _, payload = raw.partition(b"\n")
        if head.startswith(_MAGIC) and head[len(_MAGIC):].decode("ascii", "replace") == sha256(payload):
            return payload
        with contextlib.suppress(OSError):
            path.unlink()  # corrupted: never served, recomputed by the caller
        return None

    def put(self, kind: str, key: str, payload: bytes) -> None:
        if self.path is None or not self.writable:
            return
        path = self._entry(kind, key)
        tmp = path.parent / f".{key}.{os.getpid()}.tmp"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(_MAGIC + sha256(payload).encode("ascii") + b"\n")
                handle.write(payload)
            os.replace(tmp, path)
        except OSError:  # a full disk or a read-only cache costs time, never the build
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _decoded(self, kind: str, key: str, decode) -> Any | None:
        payload = self.get(kind, key)
        if payload is None:
            return None
        try:
            return decode(payload)
        except Exception:  # noqa: BLE001 - intact bytes of another layout (an older kiyaku): a miss
            with contextlib.suppress(OSError):
                self._entry(kind, key).unlink()
            return None

    def get_json(self, kind: str, key: str) -> Any | None:
        return self._decoded(kind, key, json.loads)

    def put_json(self, kind: str, key: str, value: Any) -> None:
        try:
            payload = json.dumps(value, ensure_ascii=False).encode("utf-8")
        except ValueError:  # a lone surrogate in a message: not cached, computed again next time
            return
        self.put(kind, key, payload)

    def get_parsed(self, key: str) -> tuple[Any, dict] | None:
        value = self.get_json("parse", key)
        if not (isinstance(value, dict) and isinstance(value.get("positions"), list)):
            return None
        try:
            return value["data"], {tuple(p): (line, col) for p, line, col in value["positions"]}
        except (TypeError, ValueError):
            return None

    def put_parsed(self, key: str, parsed: tuple[Any, dict]) -> None:
        data, positions = parsed
        try:
            payload = json.dumps({"data": data, "positions": [[list(p), lc[0], lc[1]] for p, lc in positions.items()]},
                                 ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError):  # ValueError: also a lone surrogate, which lint reports (PR015)
            return  # a value JSON cannot hold (an unquoted date: lint reports it anyway): not cached
        self.put("parse", key, payload)

    def prune(self, max_bytes: int = CACHE_MAX_BYTES, every: float = 3600.0) -> None:
        """Keep the cache under max_bytes: delete least recently written entries down to half.

        Also removes temporary files a killed build left behind (older than an hour). Walking the
        cache costs a stat per entry (about 0.1 s for 500 resellers), so it is done at most once
        per `every` seconds.
        """
        if self.path is None or not self.writable or not self.path.is_dir():
            return
        marker = self.path / "pruned"
        with contextlib.suppress(OSError):
            if time.time() - marker.stat().st_mtime < every:
                return
        with contextlib.suppress(OSError):
            marker.touch()
        entries, total, now = [], 0, time.time()
        for kind in self.path.iterdir():
            if not kind.is_dir() or kind.name == "state":
                continue
            for path in kind.rglob("*"):
                with contextlib.suppress(OSError):
                    st = path.stat()
                    if not path.is_file():
                        continue
                    if path.name.endswith(".tmp") and now - st.st_mtime > 3600:
                        path.unlink()
                        continue
                    entries.append((st.st_mtime, st.st_size, path))
                    total += st.st_size
        if total <= max_bytes:
            return
        for _mtime, size, path in sorted(entries):
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size
            if total <= max_bytes // 2:
                break


class Parser:
    """A load.Parse that keeps parsed files (data and positions) by their bytes.

    Why: ruamel's round-trip parser takes 20-40 ms per file; 500 resellers would cost 10 s on
    every build even when one file changed. The ruamel tree is not kept (nothing downstream of
    load_project reads it). Files with problems are not cached: they are parsed again, so the
    messages always come from the parser itself.
    """

    def __init__(self, store: Store, memo: dict[str, tuple[Any, dict]] | None = None) -> None:
        self.store = store
        self.memo = memo if memo is not None else {}

    @staticmethod
    def key(shown: Path | str, raw: bytes) -> str:
        return digest("parse", code_fingerprint(), str(shown), sha256(raw))

    def __call__(self, shown: Path, raw: bytes) -> LoadedYaml:
        key = self.key(shown, raw)
        hit = self.memo.get(key) or self.store.get_parsed(key)
        if hit is not None:
            data, positions = hit
            return LoadedYaml(shown, data, None, positions)
        loaded = parse_bytes(shown, raw)
        self.store.put_parsed(key, (loaded.data, loaded.positions))
        return loaded

    def missing(self, tree: "Snapshot") -> list[str]:
        """Source files not yet in the cache (what a parallel build parses in its workers first)."""
        out = []
        for relpath, raw in tree.files.items():
            key = self.key(f"{tree.label}{relpath}", raw)
            if key not in self.memo and (self.store.path is None or not self.store._entry("parse", key).is_file()):
                out.append(relpath)
        return sorted(out)


def parse_for_cache(shown: str, raw: bytes) -> tuple[str, tuple[Any, dict] | None]:
    """Worker side of Parser.missing: (key, (data, positions)), or None when the file has problems."""
    try:
        loaded = parse_bytes(Path(shown), raw)
    except Exception:  # noqa: BLE001 - reported by the parent's own parse, with its message
        return Parser.key(shown, raw), None
    return Parser.key(shown, raw), (loaded.data, loaded.positions)


@dataclass
class Snapshot:
    """Every source file's bytes, read once: what is hashed is exactly what is parsed.

    A load.SourceTree, so load_project reads from it; reading the disk again later could see
    a file an editor saved in between and pair new content with an old key.
    """

    root: Path
    files: dict[str, bytes]  # relpath -> bytes (terms/, variants/, errata.yaml)
    releases: dict[str, dict[str, bytes]] = field(default_factory=dict)  # variant -> {relpath: bytes}
    label: str = ""
    refused: list = field(default_factory=list)  # findings: entries the file boundary would not read

    @classmethod
    def take(cls, root: Path) -> "Snapshot":
        disk = DirectoryTree(Path(root))
        files: dict[str, bytes] = {}
        for folder in ("terms", "variants"):
            for name in disk.list(folder):
                data = disk.read(f"{folder}/{name}")
                if data is not None:
                    files[f"{folder}/{name}"] = data
        errata = disk.read("errata.yaml")
        if errata is not None:
            files["errata.yaml"] = errata
        releases: dict[str, dict[str, bytes]] = {}
        base = Path(root) / "releases"
        if base.is_dir() and not base.is_symlink():
            for path in sorted(base.glob("*/*")):
                with contextlib.suppress(KiyakuError):  # reported by lint's record checks
                    data = read_checked(path, Limit(MAX_BYTES, "リリース記録", "Y001"), Path(root))
                    releases.setdefault(path.parent.name, {})[path.relative_to(root).as_posix()] = data
        return cls(Path(root), files, releases, refused=disk.refused)

    def list(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(p[len(prefix):] for p in self.files if p.startswith(prefix) and "/" not in p[len(prefix):])

    def read(self, relpath: str) -> bytes | None:
        return self.files.get(relpath)

    @functools.cached_property
    def hashes(self) -> dict[str, str]:
        return {relpath: sha256(data) for relpath, data in self.files.items()}

    @functools.cached_property
    def project_key(self) -> str:
        """Every source file: the key of project-wide lint results."""
        refused = [f.format() for f in self.refused]
        return digest("project", code_fingerprint(), *_pairs(sorted(self.hashes.items())), *refused)

    @functools.cached_property
    def shared_key(self) -> str:
        """terms/ and errata.yaml: what every variant shares."""
        return digest("shared", *_pairs(sorted((p, h) for p, h in self.hashes.items() if not p.startswith("variants/"))))

    @functools.cached_property
    def variant_files(self) -> dict[str, str]:
        """Variant id -> relpath, by file name (lint has checked that names and ids agree)."""
        return {Path(name).stem: f"variants/{name}" for name in self.list("variants")}

    def variant_key(self, relpath: str) -> str:
        """What a variant's text depends on: the shared sources, its own file and the code."""
        return digest("variant", code_fingerprint(), self.shared_key, relpath, self.hashes.get(relpath))

    def releases_key(self, variant_id: str) -> str:
        return digest("releases", *_pairs(sorted((p, sha256(d)) for p, d in self.releases.get(variant_id, {}).items())))


def _pairs(items: Iterable[tuple[str, str]]) -> list[str]:
    return [part for pair in items for part in pair]


def file_digest(root: Path, relpath: str | None) -> str:
    """A file's SHA-256 (a variant's own template); "-" when there is none or it is unreadable."""
    if not relpath:
        return "-"
    try:
        return sha256(read_checked(Path(root) / relpath, TEMPLATE_LIMIT, Path(root)))
    except KiyakuError:  # the renderer reports why, with the variant's line
        return "missing"
