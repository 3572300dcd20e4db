"""Parallel builds: same bytes as serial builds, a progress line only on a terminal, no stray workers."""

from __future__ import annotations

import hashlib
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_project, run_cli
from generator import render
from generator.build.verify import verify
from generator.build.builder import build


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_parallel_and_serial_builds_give_identical_bytes(tmp_path: Path) -> None:
    serial = copy_project(REPO, tmp_path / "serial")
    parallel = copy_project(REPO, tmp_path / "parallel")
    one = run_cli("build", "--root", str(serial), "--jobs", "1", "--no-cache")
    two = run_cli("build", "--root", str(parallel), "--jobs", "2", "--no-cache")
    assert one.code == 0 and two.code == 0, one.stderr + two.stderr
    files = _snapshot(serial / "rendered")
    assert files == _snapshot(parallel / "rendered")
    assert {Path(n).suffix for n in files} >= {".txt", ".md", ".html", ".docx", ".pdf", ".json"}
    assert run_cli("verify", "--root", str(parallel), "--jobs", "2").code == 0


def test_one_variant_split_across_workers_gives_the_same_bytes(tmp_path: Path) -> None:
    """With fewer variants than workers, PDF and DOCX of one variant are rendered side by side."""
    serial, parallel = (copy_project(MINI, tmp_path / name) for name in ("serial", "parallel"))
    a = build(serial, ["beta"], jobs=1, cache=False)
    b = build(parallel, ["beta"], jobs=3, cache=False)
    assert sorted(a.rendered) == sorted(b.rendered) == sorted(("beta", f) for f in render.REGISTRY)
    assert _snapshot(serial / "rendered") == _snapshot(parallel / "rendered")
    assert verify(parallel, jobs=2) == []


def test_progress_line_only_on_a_terminal(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    piped = run_cli("build", "--root", str(root), "--format", "txt,html", "--no-cache")
    assert piped.code == 0 and "\r" not in piped.stderr
    assert piped.stderr.strip().splitlines()[-1].startswith("販売店 2 件")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--format", "txt,html",
                             "--no-cache"], cwd=REPO, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    out, _ = proc.communicate(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "\r  描画 " in text and "2/2" in text and "販売店 2 件" in text
    assert out.decode("utf-8").count(" → ") == 2


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_killed_parallel_build_leaves_no_workers_and_no_lock(tmp_path: Path) -> None:
    root = copy_project(REPO, tmp_path / "real")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--jobs", "2", "--no-cache"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children_of(proc.pid)
        time.sleep(0.05)
    assert workers, "the build never started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived the killed build"
    done = run_cli("build", "--root", str(root), "--jobs", "2")  # the lock is free again
    assert done.code == 0, done.stderr
    assert run_cli("verify", "--root", str(root)).code == 0
