"""The finding-code catalogue as the tests read it, and the record of codes the tests produced.

The catalogue is read from the code itself (every string constant shaped like a finding code in
generator/), so a code added anywhere is covered without editing a list, and a list cannot drift
from the code. INTERNAL names the codes no user input can produce, each with the reason; those
need no test fixture.

Recording: every Finding constructed in a test process, and every `path:line:col: CODE` line a
`kiyaku` or `mkdocs` subprocess printed, is appended to a file in KIYAKU_CODES_DIR (one file per
process, so pytest-xdist workers do not interfere). conftest.py checks the union at the end of a
full run (see pytest_sessionfinish there).
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[1] / "generator"
CODE = re.compile(r"[A-Z]{1,2}\d{3}")
PRINTED = re.compile(r"^\S.*?:\d+:\d+: ([A-Z]{1,2}\d{3}) ", re.M)
ENV = "KIYAKU_CODES_DIR"

# code -> why no user input can produce it (so no fixture is required)
INTERNAL: dict[str, str] = {
    "R020": "a font package missing from the installation (pip), not from the sources; tests/test_codes.py still injects it",
    "R021": "the pinned font package without its family: a broken wheel; tests/test_codes.py still injects it",
    "R022": "Typst failing on kiyaku's own template: a bug in generator/templates/terms.typ, not in the sources",
    "H075": "Typst failing on kiyaku's own notice template (generator/templates/notice.typ)",
}

# code -> why no test produces it yet. Reachable (by a machine fault or an extreme input), so not
# INTERNAL; listed so the gap stays visible: every full run prints these, and the list must stay empty.
# (H067, H071, S001 and R018, the last ones listed, are produced in tests/test_codes_faults.py; F012
# was removed: its one reader, the cache's release-record snapshot, now says Y001 like the others.)
UNTESTED: dict[str, str] = {}


def catalogue() -> dict[str, list[str]]:
    """Every finding code in generator/ with the places that name it (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
                found.setdefault(node.value, []).append(f"{path.relative_to(GENERATOR.parent)}:{node.lineno}")
    return found


def record(codes) -> None:
    """Append codes to this process's record file (no-op when not recording)."""
    folder = os.environ.get(ENV)
    codes = [c for c in codes if c]
    if not folder or not codes:
        return
    with open(Path(folder) / f"{os.getpid()}.txt", "a", encoding="utf-8") as handle:
        handle.write("\n".join(codes) + "\n")


def record_output(*texts: str) -> None:
    record([m for text in texts if text for m in PRINTED.findall(text)])


def recorded(folder: Path) -> set[str]:
    return {line.strip() for path in folder.glob("*.txt") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def install_recorder() -> None:
    """Record the code of every Finding made in this process (wraps the dataclass __init__ once)."""
    from generator.source.errors import Finding

    if getattr(Finding.__init__, "_records_codes", False):
        return
    original = Finding.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        record([self.code])

    init._records_codes = True  # type: ignore[attr-defined]
    Finding.__init__ = init  # type: ignore[method-assign]


def install_subprocess_recorder() -> None:
    """Record the codes printed by every kiyaku or mkdocs process a test starts, whatever helper started it.

    Tests run the real CLI through several runners (run_cli, a bounded runner with ulimit, git-state
    scripts); wrapping subprocess.run once covers them all, including runners added later.
    """
    import subprocess

    if getattr(subprocess.run, "_records_codes", False):
        return
    original = subprocess.run

    def run(*args, **kwargs):
        done = original(*args, **kwargs)
        command = args[0] if args else kwargs.get("args", "")
        shown = " ".join(map(str, command)) if isinstance(command, (list, tuple)) else str(command)
        if any(word in shown for word in ("generator", "kiyaku", "mkdocs")):
            texts = [t.decode("utf-8", "replace") if isinstance(t, bytes) else t for t in (done.stdout, done.stderr)]
            record_output(*[t for t in texts if isinstance(t, str)])
        return done

    run._records_codes = True  # type: ignore[attr-defined]
    subprocess.run = run  # type: ignore[assignment]
