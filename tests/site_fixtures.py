"""Helpers for the website tests: build the site into a folder, and a repository copy with releases.

Why a copy for releases: `kiyaku release` commits and tags, which must never touch the shared
working tree; the copy is a fresh git repository holding the current sources and the site config.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE_CONFIG = ("mkdocs.yml", "overrides", "docs/site")
SOURCES = ("terms", "variants", "errata.yaml")


def mkdocs_build(config: Path, out: Path, *extra: str, days_later: int = 0) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` in a new process, as CI and a fresh clone run it (its clock moved by days_later)."""
    from conftest import clock_moved

    prefix = clock_moved(days_later) if days_later else []
    import finding_codes

    done = subprocess.run([*prefix, sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d", str(out), *extra],
                          capture_output=True, text=True, timeout=600, env=_env())
    finding_codes.record_output(done.stdout, done.stderr)
    return done


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=kiyaku-test", "-c", "user.email=test@example.invalid", *args], cwd=root,
                   check=True, capture_output=True, timeout=60)


def release_repo(dest: Path, today: dt.date) -> Path:
    """A git repository with the current sources and site config, and releases for hiroshima-cci:

    第1版 (baseline, both resellers), 第2版 (fee changed, in force since well before `today`) and
    第3版 (a word inserted and a paragraph added in 第22条, announced `today`, effective after the
    30-day notice period).
    """
    from generator.history._calendar import earliest_effective
    from generator.changes.release import release

    dest.mkdir(parents=True)
    for name in SOURCES + SITE_CONFIG:
        src, target = REPO / name, dest / name
        if src.is_dir():
            shutil.copytree(src, target)
        elif src.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, target)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "sources")
    import os

    os.environ.setdefault("GIT_AUTHOR_NAME", "kiyaku-test")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "test@example.invalid")
    os.environ.setdefault("GIT_COMMITTER_NAME", "kiyaku-test")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "test@example.invalid")
    release(dest, None, baseline=True, reason="基準版の記録", today=today - dt.timedelta(days=120))
    variant = dest / "variants" / "hiroshima-cci.yaml"
    variant.write_text(variant.read_text(encoding="utf-8").replace('member_fee: 79200', 'member_fee: 82500'), encoding="utf-8")
    _git(dest, "commit", "-q", "-am", "会員の利用料金を改定")
    announced = today - dt.timedelta(days=90)
    release(dest, ["hiroshima-cci"], announced, earliest_effective(announced, 30), reason="会員の利用料金の改定",
            today=announced)
    clause = dest / "terms" / "antisocial-forces.yaml"
    text = clause.read_text(encoding="utf-8").replace("暴力団関係企業・団体", "暴力団関係企業・関係団体")
    clause.write_text(text.rstrip("\n") + "\n  - id: report\n    text: お客様は、第1項各号のいずれかに該当したときは、直ちに{self}に届け出るものとします。\n",
                      encoding="utf-8")
    _git(dest, "commit", "-q", "-am", "反社会的勢力の定義を明確化")
    release(dest, ["hiroshima-cci"], today, earliest_effective(today, 30), reason="反社会的勢力の定義の明確化", today=today)
    return dest


def pin_today(config: Path, today: dt.date) -> None:
    """Fix the plugin's build date in a copied mkdocs.yml, so a test crossing midnight stays consistent."""
    text = config.read_text(encoding="utf-8")
    assert "\n  - kiyaku\n" in text
    config.write_text(text.replace("\n  - kiyaku\n", f"\n  - kiyaku:\n      today: \"{today.isoformat()}\"\n"), encoding="utf-8")
