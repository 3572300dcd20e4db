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


# --- a fresh clone with a force-added .kiyaku/ (pickles, a symlink) ------------------------------------


class _Boom:
    """Unpickling this runs a shell command: what a planted cache entry would do to a pickle reader."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _plant_cache(repo: Path, marker: Path) -> int:
    """A checksummed pickle under every key kiyaku would look up for the parsed sources; returns how many."""
    import pickle

    from generator.source._cache import _MAGIC, CACHE_DIR, Parser, sha256

    payload = pickle.dumps((_Boom(marker), {}))
    planted = 0
    for path in sorted((repo / "terms").glob("*.yaml")) + sorted((repo / "variants").glob("*.yaml")) + [repo / "errata.yaml"]:
        if not path.exists():
            continue
        relpath = path.relative_to(repo).as_posix()
        key = Parser.key(relpath, path.read_bytes())
        entry = repo / CACHE_DIR / "parse" / key[:2] / key
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_bytes(_MAGIC + sha256(payload).encode() + b"\n" + payload)
        planted += 1
    return planted


def _git_repo(root: Path) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "sources"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=root, check=True,
                       capture_output=True)


def test_fresh_clone_with_force_added_state_runs_nothing_and_touches_nothing_outside(tmp_path: Path) -> None:
    origin = copy_project(MINI, tmp_path / "origin")
    outside = tmp_path / "outside"
    victim = write_victim(outside / "victim-dir")
    marker = outside / "pwned"
    _git_repo(origin)
    assert _plant_cache(origin, marker) >= 5
    (origin / ".kiyaku" / "tmp").symlink_to(victim)
    subprocess.run(["git", "add", "-f", ".kiyaku"], cwd=origin, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "cache"],
                   cwd=origin, check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    assert (clone / ".kiyaku" / "tmp").is_symlink()
    before = _snapshot(outside)

    lint = run_bounded(["lint", "--root", str(clone)], clone)
    build = run_bounded(["build", "--root", str(clone), "--format", "txt"], clone)
    verify = run_bounded(["verify", "--root", str(clone)], clone)

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "K001" in lint.stdout, lint.stdout  # the cache is not used, and lint says why
    assert build.returncode == 1 and "K002" in build.stderr, build.stderr
    assert verify.returncode == 1 and "Traceback" not in verify.stderr, verify.stderr
    for result in (lint, build, verify):
        assert "Traceback" not in result.stdout + result.stderr
    assert not marker.exists(), "a planted pickle was executed"
    assert _snapshot(outside) == before, "a file outside the repository changed"
    assert not (clone / "rendered").exists()


def test_planted_pickle_in_own_cache_is_a_miss_not_code(tmp_path: Path) -> None:
    """Untracked, our own folder: the cache is used, and a pickle in it is just an unreadable entry."""
    repo = copy_project(MINI, tmp_path / "repo")
    marker = tmp_path / "pwned"
    _plant_cache(repo, marker)
    result = run_bounded(["build", "--root", str(repo), "--format", "txt"], repo)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    lint = run_bounded(["lint", "--root", str(repo)], repo)
    assert lint.returncode == 0 and "K001" not in lint.stdout, lint.stdout


def write_victim(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "precious.txt").write_text("大事なファイル\n", encoding="utf-8")
    return folder


def test_jobs_are_capped_at_cores_and_units() -> None:
    from generator.build._pool import Pool, default_jobs

    with Pool(200) as pool:
        assert pool.jobs == min(200, default_jobs())
        assert pool.map(abs, [-1, -2]) == [1, 2]
        assert pool._executor is None or len(pool._executor._processes) <= 2


def test_cache_and_state_hold_no_pickle() -> None:
    """No module of generator/ (any subpackage, so the modules that read .kiyaku/ among them) imports
    pickle; the one exception is the in-process memo in source/load.py, which never touches disk."""
    package = REPO / "generator"
    memo = package / "source" / "load.py"
    modules = sorted(package.rglob("*.py"))
    assert package / "source" / "_cache.py" in modules and package / "build" / "_state.py" in modules
    for path in modules:
        text = path.read_text(encoding="utf-8")
        if path == memo:
            assert "pickle.load(" not in text and "open(" not in text, path  # loads()/dumps() of bytes in memory only
            continue
        assert "import pickle" not in text and "pickle.load" not in text, path
