"""Everything the record checks need from git, read in a fixed number of git processes.

Why: lint checks every release record against history. Asking git once per record (open the
repository, is-ancestor, read a file) cost 27 s for 1,000 records; here one `git log` finds
every record's adding commits, one `git for-each-ref` every tag, one `git rev-list` the history
of HEAD, and one long-running `git cat-file --batch` serves every file read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Added:
    """One commit that added a file (a file added on two merged branches has two)."""

    sha: str
    timestamp: int
    started: dt.datetime | None  # the Kiyaku-Started trailer of a release commit
    blob: str = ""  # git's id of the file as added: equal bytes need no read


def blob_id(data: bytes) -> str:
    """The id git gives these bytes (so a file is compared with a commit without reading it back)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 — git's object id, not security


def _env() -> dict[str, str]:
    env = dict(os.environ, LC_ALL="C", LANG="C", GIT_OPTIONAL_LOCKS="0")
    env.pop("LANGUAGE", None)
    return env


def _started(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else None


class History:
    """A read-only view of one repository's history for one check; close() stops the cat-file process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        top = self._run("rev-parse", "--show-toplevel").strip()
        rel = Path(root).resolve().relative_to(Path(top).resolve()).as_posix() if top else "."
        self.prefix = "" if rel == "." else rel + "/"
        self._cat: subprocess.Popen[bytes] | None = None
        self._read: dict[tuple[str, str], bytes | None] = {}

    def _run(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, env=_env())
        return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""

    def ancestors(self) -> set[str]:
        return set(self._run("rev-list", "HEAD").split())

    def tags(self) -> dict[str, str]:
        """Tag name -> the commit it points to (annotated tags peeled)."""
        out: dict[str, str] = {}
        text = self._run("for-each-ref", "refs/tags", "--format=%(refname:strip=2) %(objectname) %(*objectname)")
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]] = parts[2] if len(parts) > 2 else parts[1]
        return out

    def added(self, folder: str) -> dict[str, list[Added]]:
        """relpath -> every commit that added it, oldest first (two after a merge of two releases)."""
        # --full-history: a merge that kept one side's record must not hide the other side's
        log = self._run("log", "--reverse", "--full-history", "--diff-filter=A", "--no-renames", "--raw", "--no-abbrev",
                        "--format=%x00%H %ct %(trailers:key=Kiyaku-Started,valueonly,separator=%x20)",
                        "--", str(Path(self.root).resolve() / folder))
        found: dict[str, list[Added]] = {}
        for chunk in log.split("\x00"):
            lines = [line for line in chunk.splitlines() if line.strip()]
            if not lines:
                continue
            head = lines[0].split(maxsplit=2)
            started = _started(head[2]) if len(head) > 2 else None
            for line in lines[1:]:  # ":000000 100644 <zeros> <blob> A\tpath"
                meta, _, path = line.partition("\t")
                rel = path[len(self.prefix):] if path.startswith(self.prefix) else path
                found.setdefault(rel, []).append(Added(head[0], int(head[1]), started, meta.split()[3]))
        return found

    def read(self, rev: str, relpath: str) -> bytes | None:
        """One file (relative to root) at rev, or None (remembered: many records share a source commit)."""
        key = (rev, relpath)
        if key not in self._read:
            self._read[key] = self._cat_file(f"{rev}:{self.prefix}{relpath}")
        return self._read[key]

    def _cat_file(self, spec: str) -> bytes | None:
        if self._cat is None:
            self._cat = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
        assert self._cat.stdin is not None and self._cat.stdout is not None
        self._cat.stdin.write(spec.encode("utf-8") + b"\n")
        self._cat.stdin.flush()
        header = self._cat.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        data = self._cat.stdout.read(int(header[2]))
        self._cat.stdout.read(1)
        return data

    def close(self) -> None:
        if self._cat is not None:
            assert self._cat.stdin is not None
            self._cat.stdin.close()
            self._cat.wait()
            if self._cat.stdout is not None:
                self._cat.stdout.close()
            self._cat = None

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
