"""Time `kiyaku build`: one variant in each format, and all variants in all formats, cold and warm.

    python bench/bench_build.py [--root .] [--repeat 3] [--variant hiroshima-cci]

cold  = a new process: `python -m generator build …` into a fresh copy of the sources
        (Python start-up, imports, lint, load, render, atomic write: what a user waits for).
warm  = build.build() again in this process (imports done, fonts and templates loaded), without the
        build cache (cache=False: with it an unchanged build renders nothing; see bench/bench_scale.py).
render = the renderer alone on an already numbered document, per document (the format's own cost).
Figures only: this is not a test. The copy is made once; every run rewrites its rendered/.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import render  # noqa: E402
from generator.build.builder import build, source_date_epoch  # noqa: E402
from generator.compile.pipeline import compile_variant, load  # noqa: E402


def _copy(src: Path, dest: Path) -> Path:
    for name in ("terms", "variants", "templates"):
        if (src / name).is_dir():
            shutil.copytree(src / name, dest / name)
    if (src / "errata.yaml").is_file():
        shutil.copy(src / "errata.yaml", dest / "errata.yaml")
    return dest


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cold(project: Path, variants: list[str], formats: list[str]) -> None:
    args = [sys.executable, "-m", "generator", "build", "--root", str(project), *variants, "--format", ",".join(formats),
            "--no-cache"]
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, timeout=600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--variant", help="the variant for the per-format rows (default: the first)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    formats = list(render.REGISTRY)
    with tempfile.TemporaryDirectory() as tmp:
        project = _copy(Path(args.root), Path(tmp) / "repo")
        loaded = load(project)
        variants = sorted(loaded.variants)
        one = args.variant or variants[0]
        doc = compile_variant(loaded, one)
        context = render.RenderContext(root=str(project), timestamp=source_date_epoch(doc),
                                       template=loaded.variants[one].template)
        mini = ROOT / "tests" / "fixtures" / "mini"
        build(mini, None, formats, draft=True)  # warm up on another document: imports, fonts, templates
        first = {}
        for fmt in formats:  # the first rendering of this document in a warm process
            start = time.perf_counter()
            render.get(fmt).render(doc, context)
            first[fmt] = time.perf_counter() - start
        print(f"sources: {args.root}  variants: {', '.join(variants)}  repeat: {args.repeat} (median)\n")
        print(f"{'what':<34} {'cold s':>7} {'warm s':>7} {'render 1st s':>12} {'render again s':>14}")
        for fmt in formats:
            renderer = render.get(fmt)
            cold = _median(lambda: _cold(project, [one], [fmt]), args.repeat)
            warm = _median(lambda: build(project, [one], [fmt], jobs=1, cache=False), args.repeat)
            again = _median(lambda: renderer.render(doc, context), args.repeat)
            print(f"{f'{one} {fmt}':<34} {cold:7.2f} {warm:7.3f} {first[fmt]:12.3f} {again:14.3f}")
        cold = _median(lambda: _cold(project, [], formats), args.repeat)
        warm = _median(lambda: build(project, None, formats, jobs=1, cache=False), args.repeat)
        label = f"all {len(variants)} variants × {len(formats)} formats"
        print(f"{label:<34} {cold:7.2f} {warm:7.3f}")
    print("\nwarm builds include lint, loading and the atomic write; a warm PDF of a document already"
          "\ntypeset in the process is a Typst cache hit (render again), the first one is not (render 1st).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
