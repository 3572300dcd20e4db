"""Word round trip timings for one reseller: kiyaku redline and kiyaku apply, cold (first call) and warm.

Run: python bench/bench_word.py   (prints figures; no assertions)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import REPO  # noqa: E402
from release_repo import commit_all, edit, make_repo  # noqa: E402

from generator.word.apply import apply_docx  # noqa: E402
from generator.build.builder import render_context  # noqa: E402
from generator.compile.pipeline import compile_variant, load  # noqa: E402
from generator.word.redline import redline  # noqa: E402
from generator.render.docx import render_docx  # noqa: E402

VARIANT = "hiroshima-cci"


def timed(label: str, func, runs: int = 5) -> None:
    start = time.perf_counter()
    func()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        warm.append(time.perf_counter() - start)
    print(f"{label}: cold {cold:.2f} s, warm median {sorted(warm)[len(warm) // 2]:.2f} s ({runs} runs)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_repo(Path(tmp), src=REPO)
        base = "HEAD"
        edit(root, "variants/hiroshima-cci.yaml", "member_fee: 79200", "member_fee: 88000")
        edit(root, "terms/fees.yaml", "なお振込に係る", "なお銀行振込に係る")
        commit_all(root, "改定")
        timed("redline (1 reseller, 2 changes + fee)", lambda: redline(root, VARIANT, f"{base}~1", base))
        project = load(root)
        doc = compile_variant(project, VARIANT)
        path = Path(tmp) / "h.docx"
        path.write_bytes(render_docx(doc, render_context(project, root, doc)))
        timed("apply --dry-run (unchanged file)", lambda: apply_docx(path, root=root, dry_run=True))
        edited = Path(tmp) / "edited.docx"
        edited.write_bytes(_edit(path.read_bytes(), "振込に係る", "銀行振込に係る"))
        timed("apply --dry-run (one word edited)", lambda: apply_docx(edited, root=root, dry_run=True))


def _edit(docx: bytes, old: str, new: str) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].decode().replace(old, new, 1).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return out.getvalue()


if __name__ == "__main__":
    main()
