"""Shared fixtures: temporary copies of the sample repositories and a real CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import finding_codes

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
SEEDS = REPO / "tests" / "seeds"
SEED_FILES = {"itsupport-joto": SEEDS / "000_aee22a7e7b248959.txt", "hiroshima-cci": SEEDS / "001_42e3b943ded233a7.txt"}


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def clock_moved(days: int) -> list[str]:
    """A command prefix that runs a process with its clock moved by `days` (Debian's faketime, LD_PRELOAD).

    Why: determinism checked twice in one second cannot see a timestamp taken from the clock;
    a second process a day later can. faketime is installed by scripts/setup.sh; missing, the
    test fails instead of passing without the check.
    """
    tool = shutil.which("faketime")
    assert tool, "faketime がありません: apt-get install faketime（scripts/setup.sh が入れます）"
    return [tool, "-f", f"{days:+d}d"]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, days_later: int = 0) -> Run:
    """Run the real `kiyaku` command in a new process (with its clock moved by days_later, if given)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    prefix = clock_moved(days_later) if days_later else []
    proc = subprocess.run([*prefix, sys.executable, "-m", "generator", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, text=True, timeout=300)
    finding_codes.record_output(proc.stdout, proc.stderr)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_project(src: Path, dest: Path) -> Path:
    for name in ("terms", "variants"):
        shutil.copytree(src / name, dest / name)
    if (src / "errata.yaml").exists():
        shutil.copy(src / "errata.yaml", dest / "errata.yaml")
    return dest


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return copy_project(MINI, tmp_path / "mini")


@pytest.fixture
def real(tmp_path: Path) -> Path:
    return copy_project(REPO, tmp_path / "real")


# --- every finding code is produced by some test (issue 18) -----------------------------------------

def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # the controller: one folder for this run, inherited by xdist workers
        import tempfile

        os.environ[finding_codes.ENV] = tempfile.mkdtemp(prefix="kiyaku-codes-")
    finding_codes.install_recorder()
    finding_codes.install_subprocess_recorder()


def _ran_everything(session) -> bool:
    """Only a full run can say a code is never produced (a -k or one-file run cannot); a failing one only reports."""
    config = session.config
    if config.getoption("keyword") or config.getoption("markexpr") or config.getoption("lf", False):
        return False
    tests = Path(__file__).parent
    args = [Path(a.split("::")[0]).resolve() for a in config.args]
    return all(a in (tests, REPO) for a in args)


def pytest_sessionfinish(session, exitstatus) -> None:
    if hasattr(session.config, "workerinput") or not os.environ.get(finding_codes.ENV):
        return
    folder = Path(os.environ[finding_codes.ENV])
    try:
        forced = os.environ.get("KIYAKU_CODES_CHECK") == "1"  # check a partial run too (lists what it misses)
        if forced or _ran_everything(session):
            seen = finding_codes.recorded(folder)
            missing = sorted(set(finding_codes.catalogue()) - seen - set(finding_codes.INTERNAL) - set(finding_codes.UNTESTED))
            gaps = sorted(set(finding_codes.UNTESTED) - seen)
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter:
                reporter.write_line(f"指摘コード: {len(seen)} 件がテストで出ました（カタログ {len(finding_codes.catalogue())} 件）。")
            if gaps and reporter:
                reporter.write_line(f"テストのまだない指摘コード（tests/finding_codes.py UNTESTED）: {', '.join(gaps)}", yellow=True)
            if missing:
                message = (f"どのテストも出さない指摘コードが {len(missing)} 件あります: {', '.join(missing)}\n"
                           "    → tests/ にそのコードを出す入力を加えるか、内部専用なら tests/finding_codes.py の INTERNAL に理由を書いてください。")
                if reporter:
                    reporter.write_line(message, red=True)
                if exitstatus == 0:
                    session.exitstatus = 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
