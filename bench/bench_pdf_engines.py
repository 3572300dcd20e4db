"""Compare PDF engines on the real variants: time per document, size, correctness, reproducibility.

    python bench/bench_pdf_engines.py [--repeat 3] [--root .] [--variant hiroshima-cci]

Engines:
  typst      our renderer (generator/render/pdf.py): JSON model → terms.typ → typst package
  libreoffice  our DOCX → `soffice --headless --convert-to pdf` (a new soffice process per document)
  pandoc     our Markdown → pandoc (pypandoc) → Typst markup → typst package

Correctness: pdftotext of the body area compared with the plain-text rendering (same folding
as `kiyaku compare`); the font column says whether Noto Sans CJK JP is embedded. The same
pinned font files are given to every engine (LibreOffice through a private fontconfig file),
so no engine wins or loses by the machine's fonts. Figures only: this is not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import render  # noqa: E402
from generator.build.builder import source_date_epoch  # noqa: E402
from generator.importing.compare import compare  # noqa: E402
from generator.compile.pipeline import compile_variant, load  # noqa: E402
from generator.source.model import Errata  # noqa: E402
from generator.render.pdf import FONT_FAMILY, font_files, render_pdf  # noqa: E402
from generator.render.text import render_text  # noqa: E402

BODY_CROP = ("-x", "0", "-y", "62", "-W", "596", "-H", "722")


def _fontconfig(folder: Path) -> Path:
    dirs = "".join(f"<dir>{p}</dir>" for p in sorted({f.parent for f in font_files()}))
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{dirs}'
                    f"<cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>", encoding="utf-8")
    return conf


def engine_typst(doc, work: Path, _context) -> bytes:
    return render_pdf(doc, source_date_epoch(doc))


def engine_libreoffice(doc, work: Path, context) -> bytes:
    docx = render.get("docx").render(doc, context)
    src = work / f"{doc.variant_id}.docx"
    src.write_bytes(docx)
    env = {"FONTCONFIG_FILE": str(_fontconfig(work)), "HOME": str(work), "PATH": "/usr/bin:/bin"}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(work), str(src)],
                   check=True, capture_output=True, env=env, timeout=300)
    return (work / f"{doc.variant_id}.pdf").read_bytes()


def engine_pandoc(doc, work: Path, _context) -> bytes:
    import pypandoc
    import typst

    from generator.render.markdown import render_markdown

    body = pypandoc.convert_text(render_markdown(doc), "typst", format="markdown")
    preamble = (f'#set text(lang: "ja", font: "{FONT_FAMILY}", size: 10pt)\n'
                '#set page(paper: "a4", margin: (x: 24mm, top: 26mm, bottom: 24mm), numbering: "1")\n'
                "#set par(justify: true)\n")
    folders = sorted({str(f.parent) for f in font_files()})
    return typst.compile(preamble.encode("utf-8") + body.encode("utf-8"), font_paths=folders,
                         ignore_system_fonts=True, timestamp=source_date_epoch(doc))


ENGINES = {"typst": engine_typst, "libreoffice": engine_libreoffice, "pandoc": engine_pandoc}


def _check(doc, pdf: Path, variant: str) -> tuple[float, bool, int]:
    text = subprocess.run(["pdftotext", *BODY_CROP, str(pdf), "-"], capture_output=True, text=True).stdout
    score = compare(render_text(doc), text, Errata(errata=[]), variant).similarity
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    embedded = any("NotoSansCJKjp" in row and " yes yes " in row for row in fonts.splitlines())
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    count = next((int(r.split()[-1]) for r in pages.splitlines() if r.startswith("Pages:")), 0)
    return score, embedded, count


def once(name: str, root: str, variant: str) -> bytes:
    """One document with one engine, as a fresh process would do it (used for the cold figure)."""
    project = load(root)
    doc = compile_variant(project, variant)
    context = render.RenderContext(root=root, timestamp=source_date_epoch(doc), template=project.variants[variant].template)
    with tempfile.TemporaryDirectory() as tmp:
        return ENGINES[name](doc, Path(tmp), context)


def cold(name: str, root: str, variant: str) -> float:
    """Wall time of a new Python process that imports everything and makes one PDF."""
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import bench_pdf_engines as b; b.once({name!r}, {root!r}, {variant!r})"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--variant", action="append")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per engine (median)")
    parser.add_argument("--engine", action="append", choices=list(ENGINES))
    args = parser.parse_args()
    project = load(args.root)
    variants = args.variant or sorted(project.variants)
    print(f"{'engine':<12} {'variant':<16} {'cold s':>7} {'warm s':>7} {'again s':>7} {'KiB':>5} {'pages':>5} "
          f"{'similarity':>10} {'font':>5} {'reproducible':>12}")
    for name in args.engine or list(ENGINES):
        engine = ENGINES[name]
        cold_s = statistics.median(cold(name, args.root, variants[0]) for _ in range(max(1, args.repeat)))
        once(name, str(ROOT / "tests" / "fixtures" / "mini"), "alpha")  # warm up on another document
        for variant in variants:
            doc = compile_variant(project, variant)
            context = render.RenderContext(root=args.root, timestamp=source_date_epoch(doc),
                                           template=project.variants[variant].template)
            times, digests = [], set()
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                for _ in range(2):
                    start = time.perf_counter()
                    data = engine(doc, work, context)
                    times.append(time.perf_counter() - start)
                    digests.add(hashlib.sha256(data).hexdigest())
                pdf = work / "out.pdf"
                pdf.write_bytes(data)
                score, embedded, pages = _check(doc, pdf, variant)
            shown_cold = f"{cold_s:7.2f}" if variant == variants[0] else " " * 7
            print(f"{name:<12} {variant:<16} {shown_cold} {times[0]:7.3f} {times[1]:7.3f} {len(data) / 1024:5.0f} "
                  f"{pages:5d} {score:10.4f} {'yes' if embedded else 'NO':>5} {'yes' if len(digests) == 1 else 'NO':>12}")
    print("\ncold = new Python process, imports included, one document (median of --repeat runs);"
          "\nwarm = first time this document is made in a process that has made another one;"
          "\nagain = the same document once more (Typst memoises layout, so this is a cache hit).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
