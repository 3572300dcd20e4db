"""Trust boundaries (issue 11): the outsider's corpus in tests/trust_cases.py through the real CLI.

Each case must give: exit code 1, exactly one error finding `path:line:col: CODE …` at the right
place, no traceback, and no file changed, created or deleted anywhere: the repository (but
.kiyaku/, kiyaku's own state) and a folder outside it are snapshot before and after. Every run
is bounded by `ulimit -v` (address space) and `timeout`, so a case that hangs or allocates without
limit fails instead of taking the machine with it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_project, run_cli
from trust_cases import CASES, Case

MEMORY_KB = 3 * 1024 * 1024  # ulimit -v: Python, lxml and a DOCX render fit; a 10**12-character string does not
SECONDS = 90
_FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?!警告)", re.M)


def _snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Every entry under folder: kind and content (symlinks by target, FIFOs by kind, files by hash)."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        rel_dir = Path(dirpath).relative_to(folder)
        dirnames[:] = [d for d in dirnames if (rel_dir / d).as_posix() not in skip]
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest() if st.st_size < 8 << 20 else (st.st_size, st.st_mtime_ns)
                out[rel] = ("file", digest)
            else:
                out[rel] = (stat.S_IFMT(st.st_mode),)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample repository after one good build (rendered/ and .kiyaku/ exist, as in daily use)."""
    root = copy_project(MINI, tmp_path_factory.mktemp("trust") / "repo")
    result = run_cli("build", "--root", str(root), "--format", "txt,html")
    assert result.code == 0, result.stderr
    return root


def run_bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The real CLI under ulimit -v and timeout (exit 124 on a hang, a MemoryError traceback on a blow-up)."""
    script = f'ulimit -v {MEMORY_KB}; exec timeout -k 5 {SECONDS} "$0" -m generator "$@"'
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(["bash", "-c", script, sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=SECONDS + 30)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_outsider_input_is_refused_cleanly(built: Path, tmp_path: Path, case: Case) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(built, repo, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    args = case.setup(repo, outside)
    args = args + ["--root", str(repo)]
    before_repo, before_outside = _snapshot(repo, (".kiyaku",)), _snapshot(outside)

    result = run_bounded(args, repo)
    output = result.stdout + result.stderr

    assert result.returncode == 1, f"exit {result.returncode}\n{output}"
    assert "Traceback" not in output and "MemoryError" not in output, output
    findings = list(_FINDING.finditer(output))
    if case.count is not None:
        assert len(findings) == case.count, output
    expected = [f for f in findings if f["code"] == case.code and re.fullmatch(case.where, f["path"])]
    assert expected, f"no {case.code} at {case.where}:\n{output}"
    if case.line is not None:
        assert int(expected[0]["line"]) == case.line, output
    if case.col is not None:
        assert int(expected[0]["col"]) == case.col, output
    assert _snapshot(repo, (".kiyaku",)) == before_repo, "a file in the repository changed"
    assert _snapshot(outside) == before_outside, "a file outside the repository changed"


def test_corpus_covers_every_class_and_is_large_enough() -> None:
    per_class = {c: sum(1 for case in CASES if case.cls == c) for c in range(1, 7)}
    assert all(count >= 5 for count in per_class.values()), per_class
    assert len(CASES) >= 120, per_class
    assert len({c.id for c in CASES}) == len(CASES)
