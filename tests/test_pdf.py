"""PDF (Typst): the text comes back, the Japanese font is embedded, Japanese line breaking, metadata.

Checked with poppler (pdftotext, pdffonts) and pypdf, not with our own code: a PDF without a
Japanese font still gives correct text to pdftotext, so the font is checked separately.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pypdf
import pytest

from renderings import render_all, NO_LINE_END, NO_LINE_START, Case, case, cases, differences, pdf_text, run, similarity, visual_lines

CASES = cases()
IDS = [v for _, v in CASES]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Case, Path]]:
    return render_all(tmp_path_factory.mktemp("pdf"), "pdf")


@pytest.mark.parametrize("variant", IDS)
def test_text_matches_plain_text(rendered, variant):
    c, path = rendered[variant]
    extracted = pdf_text(path)
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]{10}", extracted), "no Japanese text extracted"
    score = similarity(c.text, extracted, variant)
    assert score >= 0.99, differences(c.text, extracted, variant)


@pytest.mark.parametrize("variant", IDS)
def test_japanese_font_embedded_as_subset(rendered, variant):
    _, path = rendered[variant]
    rows = run("pdffonts", str(path)).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    noto = [r for r in rows if "NotoSansCJKjp" in r]
    assert noto, rows
    for row in rows:  # every font, not only Noto: nothing may come from the machine
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert re.fullmatch(r"[A-Z]{6}\+NotoSansCJKjp-(Regular|Bold)\S*", name), row


@pytest.mark.parametrize("variant", IDS)
def test_no_line_starts_with_closing_punctuation(rendered, variant):
    _, path = rendered[variant]
    lines = [line for line in visual_lines(path) if line]
    assert len(lines) > 10
    bad_start = [line for line in lines if line[0] in NO_LINE_START]
    bad_end = [line for line in lines if line[-1] in NO_LINE_END]
    assert not bad_start and not bad_end, (bad_start[:5], bad_end[:5])


@pytest.mark.parametrize("variant", IDS)
def test_metadata_and_page_numbers(rendered, variant):
    c, path = rendered[variant]
    reader = pypdf.PdfReader(str(path))
    info = reader.metadata
    assert info.title == f"{c.doc.title}（{c.doc.provider} 第{c.doc.edition}版）"
    assert info.author == c.doc.provider
    assert f"第{c.doc.edition}版" in info["/Keywords"]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ja-JP"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    pages = len(reader.pages)
    assert pages >= 2
    # the cover has no number; the body counts from 1, printed in the footer
    def page_text(n: int) -> str:
        return run("pdftotext", "-f", str(n), "-l", str(n), str(path), "-")

    assert re.search(r"–\s*1\s*–", page_text(2))
    assert re.search(rf"–\s*{pages - 1}\s*–", page_text(pages))
    assert "–" not in page_text(1)


def _tags(node, found: list[str]) -> None:
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                _tags(kid, found)


@pytest.mark.parametrize("variant", [v for v in IDS if v in ("hiroshima-cci", "alpha")])
def test_appendix_is_a_real_table(rendered, variant):
    c, path = rendered[variant]
    table = next(s.table for a in c.doc.appendices for s in a.sections if s.table and not s.table.missing)
    found: list[str] = []
    _tags(pypdf.PdfReader(str(path)).trailer["/Root"]["/StructTreeRoot"], found)
    assert "/Table" in found
    assert found.count("/TH") >= len(table.columns)
    assert found.count("/TD") >= len(table.rows) * len(table.columns)
    # laid out as a row: the first row's cells side by side on one printed line
    layout = run("pdftotext", "-layout", str(path), "-")
    printed = [[re.sub(r"\s", "", cell) for cell in re.split(r"\s{2,}", line.strip())] for line in layout.splitlines()]
    first = [re.sub(r"\s", "", cell) for cell in table.rows[0]]
    assert first[:2] in [cells[:2] for cells in printed], "first row not laid out as a row"


HOSTILE = (
    '#import "/etc/passwd": *', "$x^2$", "*bold* _emph_", "<script>alert(1)</script>",
    "\\input{/etc/passwd}", '#read("/etc/passwd")', "= 見出し", "// comment", "@label <label>",
    "{{ title }} {% if x %}", "&amp; &lt; ]]>",
)


def test_clause_text_is_data_never_markup(tmp_path):
    from conftest import MINI

    c = case(MINI, "alpha")
    article = c.doc.articles[0]
    para = dataclasses.replace(article.paragraphs[0], blocks=tuple(f"危険{i}：{s}" for i, s in enumerate(HOSTILE)))
    doc = dataclasses.replace(c.doc, articles=(dataclasses.replace(article, paragraphs=(para,)),) + c.doc.articles[1:])
    path = tmp_path / "hostile.pdf"
    path.write_bytes(Case(c.root, c.variant, doc).render("pdf"))
    flat = re.sub(r"\s+", "", pdf_text(path))
    for i, text in enumerate(HOSTILE):
        assert re.sub(r"\s+", "", f"危険{i}：{text}") in flat, text


def test_same_bytes_in_another_process_a_day_later_and_timestamp_matters(tmp_path):
    from conftest import MINI, run_cli

    c = case(MINI, "beta")
    first = c.render("pdf")
    out = tmp_path / "beta.pdf"
    later = run_cli("render", "beta", "--format", "pdf", "-o", str(out), "--root", str(MINI), days_later=1)
    assert later.code == 0, later.stderr
    assert out.read_bytes() == first  # no clock, no process state in the bytes
    from generator.render.pdf import render_pdf

    assert render_pdf(c.doc, 1_700_000_000) != first
    assert b"Typst" in first and b"NotoSansCJKjp" in first
