"""The README's set-up on a stock Debian/Ubuntu: the system Python (PEP 668, refuses pip) is the one on PATH."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SYSTEM_PYTHON = Path("/usr/bin/python3")

pytestmark = pytest.mark.slow


def _system_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PYENV", "PIP_REQUIRE"))}
    env["PATH"] = SYSTEM_PATH
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SYSTEM_PYTHON.exists():
        pytest.fail("/usr/bin/python3 is missing: this test needs the distribution's own Python")
    clone = tmp_path_factory.mktemp("stock") / "kiyaku"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    return clone


def test_system_python_is_externally_managed() -> None:
    """The premise of the test below: pip into /usr/bin/python3 would be refused."""
    proc = _run([str(SYSTEM_PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"], REPO, _system_env())
    assert (Path(proc.stdout.strip()) / "EXTERNALLY-MANAGED").exists()


def test_build_all_with_the_system_python(fresh_clone: Path) -> None:
    env = _system_env()
    proc = _run(["bash", "scripts/build-all.sh"], fresh_clone, env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "externally-managed-environment" not in proc.stderr
    assert "as the 'root' user" not in proc.stderr
    venv_python = fresh_clone / ".venv" / "bin" / "python"
    base = _run([str(venv_python), "-c", "import sys; print(sys.base_prefix)"], fresh_clone, env).stdout.strip()
    assert base == "/usr", f"the venv must be made from the system Python, not {base}"
    for variant in ("hiroshima-cci", "itsupport-joto"):
        for suffix in ("pdf", "docx", "html"):
            assert list((fresh_clone / "rendered" / variant).glob(f"*.{suffix}")), (variant, suffix)
    assert (fresh_clone / "site" / "index.html").is_file()
    assert (fresh_clone / "site" / "hiroshima-cci" / "index.html").is_file()

    # Second run of the set-up: nothing to install, pip is not started.
    stamp = fresh_clone / ".venv" / ".kiyaku-setup"
    before = stamp.stat().st_mtime_ns
    started = time.monotonic()
    again = _run(["bash", "scripts/setup.sh"], fresh_clone, env)
    elapsed = time.monotonic() - started
    assert again.returncode == 0, again.stderr
    assert "pip install" not in again.stderr
    assert stamp.stat().st_mtime_ns == before
    print(f"second set-up run: {elapsed:.2f} s")


def test_too_old_python_fails_with_one_sentence(tmp_path: Path, fresh_clone: Path) -> None:
    fake = tmp_path / "python3"
    # A python3 that reports 3.9: simulated by a wrapper that fails the version check and prints 3.9.
    fake.write_text("#!/bin/sh\ncase \"$*\" in *'print('*) echo 3.9;; *) exit 1;; esac\n")
    fake.chmod(0o755)
    env = _system_env() | {"KIYAKU_PYTHON": str(fake)}
    proc = _run(["bash", "scripts/setup.sh"], fresh_clone, env)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Python 3.11 以上が必要です" in lines[0] and "3.9" in lines[0], proc.stderr
