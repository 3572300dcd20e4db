"""PDF through Typst (the ``typst`` PyPI package): the document model goes in as JSON data.

Why Typst (bench/bench_pdf_engines.py, 17-page variants, 2-core machine): 0.15 s for a new
document in a warm process and 0.7 s as a new process, same bytes every run; DOCX → LibreOffice
headless takes 1.6–2.4 s per document (3.4 s cold) and its bytes differ on every run; pandoc →
Typst takes 0.4–0.5 s and loses the hanging indents, cover and running header. No external
program is needed. The package ignores SOURCE_DATE_EPOCH, so the timestamp is passed explicitly.

Safety: generator/templates/terms.typ reads the document with ``json(bytes(sys.inputs.doc))``
and places every clause as a string value. Typst never parses clause text as markup or code,
so ``#import``, ``$x$``, ``*bold*`` or ``\\input{…}`` in a clause come out literally.

Fonts: only the pinned OFL packages noto-cjk-sans-jp-regular / -bold (Noto Sans CJK JP) are
visible to Typst (ignore_system_fonts, no embedded fonts), so the machine's fonts never change
the output. Typst embeds a subset of the font; the font list is built once per process.

What the engine can do (typst 0.14 core through the package's ``pdf_standards`` and ``pdf_tags``):
tagged PDF (on by default: headings, paragraphs and the appendix table get structure tags, and
/Lang ja from ``text(lang: "ja")``), PDF/A-1b…A-4f including the accessible a-2a/a-3a levels,
PDF/UA-1, and PDF 1.4–2.0. We write PDF/A-2a: tagged, archivable evidence that embeds all fonts
and carries XMP metadata (title, author = reseller, edition in the description and keywords).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from pathlib import Path

import typst

from . import RenderContext
from ..compile.document import NumberedDocument
from ..source.errors import Finding, Location, RenderError
from ._view import document_view

FONT_PACKAGES = ("noto_cjk_sans_jp_regular", "noto_cjk_sans_jp_bold")
FONT_FAMILY = "Noto Sans CJK JP"
PDF_STANDARD = "a-2a"
TEMPLATE = "terms.typ"
JST = dt.timezone(dt.timedelta(hours=9))


@functools.cache
def font_files() -> tuple[Path, ...]:
    """The pinned font files, found through the packages (no system font lookup)."""
    paths = []
    for package in FONT_PACKAGES:
        try:
            folder = resources.files(package)
        except ModuleNotFoundError:
            raise RenderError(Finding(Location("pyproject.toml"), "R020",
                                      f"フォントのパッケージ「{package}」がインストールされていません。",
                                      "pip install -e . で依存パッケージをインストールしてください。")) from None
        paths += sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith((".otf", ".ttf")))
    return tuple(paths)


@functools.cache
def _fonts() -> typst.Fonts:
    # Typst scans folders, not single files; each package folder holds exactly one font.
    folders = sorted({str(p.parent) for p in font_files()})
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=folders)
    if FONT_FAMILY not in fonts.families():
        raise RenderError(Finding(Location(str(font_files()[0]) if font_files() else "pyproject.toml"), "R021",
                                  f"フォント「{FONT_FAMILY}」が見つかりません。",
                                  "noto-cjk-sans-jp-regular / -bold を入れ直してください。"))
    return fonts


@functools.cache
def _compiler() -> typst.Compiler:
    """One compiler per process: fonts and the template are loaded once, each render only swaps the JSON."""
    return template_compiler(TEMPLATE)


def _document_json(doc: NumberedDocument) -> str:
    return json.dumps(document_view(doc), ensure_ascii=False, sort_keys=True)


# Typst writes /MarkInfo <</Marked true/Suspects false>>; poppler (pdfinfo, pdftotext) then prints
# "Syntax Error: Suspects object is wrong type (boolean)" for every file, because it only accepts a
# true flag. /Suspects is optional and false by default (ISO 32000-1, 14.7.1), so it is blanked
# with spaces of the same length: every byte offset, the xref table and PDF/A conformance stay as
# they were.
_SUSPECTS = b"/Suspects false"


def finish(data: bytes) -> bytes:
    """The PDF bytes as published: Typst's output with the redundant /Suspects false blanked."""
    return data.replace(_SUSPECTS, b" " * len(_SUSPECTS), 1)


def compile_pdf(compiler: typst.Compiler, inputs: dict[str, str], timestamp: int, pdf_standard: str | None,
                where: str, code: str) -> bytes:
    """Typst → finished PDF bytes; a Typst error becomes a finding naming the template (code R022/H052)."""
    when = dt.datetime.fromtimestamp(timestamp, JST)  # metadata dates read as Japanese local time
    try:
        data = compiler.compile(format="pdf", sys_inputs=inputs, timestamp=when,
                                pdf_standards=[pdf_standard] if pdf_standard else [])
    except typst.TypstError as exc:
        raise RenderError(Finding(Location(where), code, f"PDF を組版できませんでした: {exc.message}",
                                  "テンプレートまたは typst パッケージのバージョンを確認してください。")) from None
    assert isinstance(data, bytes)
    return finish(data)


def template_compiler(name: str) -> typst.Compiler:
    """A compiler for one template of generator/templates (templates may import typeset.typ)."""
    # A path, not bytes: the package forgets an in-memory main file after the first compile.
    folder = Path(str(resources.files("generator").joinpath("templates")))
    return typst.Compiler(str(folder / name), root=str(folder), font_paths=_fonts(), ignore_system_fonts=True)


def render_pdf(doc: NumberedDocument, timestamp: int, pdf_standard: str | None = PDF_STANDARD) -> bytes:
    """The PDF bytes; the same document and timestamp always give the same bytes."""
    return compile_pdf(_compiler(), {"doc": _document_json(doc)}, timestamp, pdf_standard, f"generator/templates/{TEMPLATE}", "R022")


class PdfRenderer:
    name, extension, media_type = "pdf", ".pdf", "application/pdf"

    def render(self, doc: NumberedDocument, context: RenderContext | None = None) -> bytes:
        return render_pdf(doc, (context or RenderContext()).timestamp)
