"""Helpers for the DOCX/PDF tests: render in memory, read the files back with independent readers.

The readers are deliberately not ours: pdftotext/pdffonts (poppler) for PDF, python-docx for
DOCX. Their text is compared with the plain-text rendering through generator.importing.compare (same
folding as `kiyaku compare`), so "the file says what the sources say" is checked end to end.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx

from conftest import MINI, REPO
from generator import render
from generator.build.builder import source_date_epoch
from generator.importing.compare import compare
from generator.compile.pipeline import compile_variant, load
from generator.compile.document import NumberedDocument
from generator.source.model import Errata
from generator.compile.normalize import fold
from generator.render.text import render_text

REAL_VARIANTS = ("hiroshima-cci", "itsupport-joto")
MINI_VARIANTS = ("alpha", "beta")
# The type area of terms.typ and terms.docx (A4, 26 mm top, 24 mm bottom margin) in points:
# cropping to it leaves out the running header and the page number, which are not clause text.
BODY_CROP = ("-x", "0", "-y", "62", "-W", "596", "-H", "722")
NO_LINE_START = set("。、，．）」』】〕〉》！？")
NO_LINE_END = set("（「『【〔〈《")


@dataclass(frozen=True)
class Case:
    """One variant of one repository: where it lives and its numbered document."""

    root: Path
    variant: str
    doc: NumberedDocument

    @property
    def text(self) -> str:
        return render_text(self.doc)

    def render(self, fmt: str) -> bytes:
        variant = load(self.root).variants[self.variant]
        context = render.RenderContext(root=str(self.root), timestamp=source_date_epoch(self.doc),
                                       template=variant.template)
        return render.get(fmt).render(self.doc, context)


def cases() -> list[tuple[Path, str]]:
    """Both real variants (when their sources are present) and the always-available mini fixture."""
    found = [(MINI, v) for v in MINI_VARIANTS]
    if (REPO / "variants").is_dir():
        real = load(REPO).variants
        found = [(REPO, v) for v in REAL_VARIANTS if v in real] + found
    return found


def case(root: Path, variant: str) -> Case:
    return Case(root, variant, compile_variant(load(root), variant))


def render_all(folder: Path, fmt: str) -> dict[str, tuple[Case, Path]]:
    """Every case rendered once to folder/<variant>.<fmt>, for a module-scoped fixture."""
    out = {}
    for root, variant in cases():
        c = case(root, variant)
        path = folder / f"{variant}.{fmt}"
        path.write_bytes(c.render(fmt))
        out[variant] = (c, path)
    return out


def run(*args: str) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True, timeout=120).stdout


def pdf_text(path: Path, crop: bool = True) -> str:
    return run("pdftotext", *(BODY_CROP if crop else ()), "-enc", "UTF-8", str(path), "-")


def docx_text(path: Path) -> str:
    """Body text in reading order: paragraphs and table rows (cells joined by tabs), as render_text writes them."""
    lines = []
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, docx.table.Table):
            lines += ["\t".join(cell.text for cell in row.cells) for row in block.rows]
        else:
            lines.append(block.text)
    return "\n".join(lines)


def similarity(ours: str, extracted: str, variant: str) -> float:
    return compare(ours, extracted, Errata(errata=[]), variant).similarity


def differences(ours: str, extracted: str, variant: str) -> str:
    """What differs, for the assertion message."""
    result = compare(ours, extracted, Errata(errata=[]), variant)
    return "\n".join(f"{s.key} {s.similarity:.4f} {s.differences[:3]}" for s in result.sections if s.similarity < 1)


def folded(text: str) -> str:
    return fold(text)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def visual_lines(path: Path) -> list[str]:
    """Lines as printed, from word boxes (pdftotext's own line order is confused by squeezed punctuation)."""
    html = run("pdftotext", "-bbox", *BODY_CROP, str(path), "-")
    out = []
    for page in html.split("<page ")[1:]:
        words = sorted((float(y1), float(x0), word) for x0, _y0, _x1, y1, word in _WORD.findall(page))
        rows: list[list[tuple[float, float, str]]] = []
        for word in words:
            if rows and word[0] - rows[-1][0][0] < 2.0:  # same baseline, within 2 pt
                rows[-1].append(word)
            else:
                rows.append([word])
        out += ["".join(w for _, _, w in sorted(row, key=lambda t: t[1])) for row in rows]
    return out
