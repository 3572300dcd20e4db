"""Typesetting as the originals: 第1条 without spaces, no break inside a unit, page labels, clean metadata.

Read back with poppler (pdftotext -bbox-layout, pdfinfo, pdffonts) and pypdf. The same archival
checks run on the terms PDF and on the notice PDF (PDF/A-2a, tagged, /Lang, embedded subset
fonts, XMP = Info).
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from generator.changes.notice import make_notice, render_notice
from generator.changes.release import release
from release_repo import TODAY, commit_all, edit, fixed_git_dates, make_repo
from renderings import Case, cases, render_all, run

IDS = [v for _, v in cases()]
REAL = [v for v in IDS if v in ("hiroshima-cci", "itsupport-joto")]
CJK = r"[\u3040-\u30ff\u4e00-\u9fff]"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Case, Path]]:
    return render_all(tmp_path_factory.mktemp("typeset"), "pdf")


@pytest.fixture(scope="module")
def notice_pdf(tmp_path_factory) -> Path:
    mp = pytest.MonkeyPatch()
    fixed_git_dates(mp)
    folder = tmp_path_factory.mktemp("notice")
    root = make_repo(folder)
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
    edit(root, "variants/alpha.yaml", '"16,500円"', '"18,700円"')
    commit_all(root, "料金改定")
    release(root, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", service_change=True, today=TODAY)
    mp.undo()
    path = folder / "notice.pdf"
    path.write_bytes(render_notice(make_notice(root, "alpha"), "pdf"))
    return path


@pytest.mark.parametrize("variant", REAL)
def test_no_space_between_kanji_and_digits(rendered, variant):
    _, path = rendered[variant]
    text = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert "第14条" in text and "8月15日" in text
    spaced = re.findall(rf"{CJK} [0-9]+|[0-9] {CJK}", text)
    assert not spaced, spaced[:10]


# A line that ends with 第, ※ or a digit, and the next line of the same text flow continuing the unit.
_SPLIT_AFTER = re.compile(r"[第※]$")
_SPLIT_DIGIT = re.compile(r"[0-9０-９,]$")
_UNIT_START = re.compile(r"(条|項|号|万円|円|か月|月|日|年)")


def unit_breaks(path: Path) -> list[tuple[str, str]]:
    """Pairs (end of a line, start of the next) that split a reference, amount, date or ※mark."""
    layout = run("pdftotext", "-bbox-layout", str(path), "-")
    bad = []
    for flow in re.findall(r"<flow>(.*?)</flow>", layout, re.S):
        lines = ["".join(html.unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", line))
                 for line in re.findall(r"<line [^>]*>(.*?)</line>", flow, re.S)]
        for a, b in zip(lines, lines[1:]):
            if not a or not b:
                continue
            if _SPLIT_AFTER.search(a) and re.match(r"[0-9０-９]", b) or _SPLIT_DIGIT.search(a) and _UNIT_START.match(b):
                bad.append((a[-12:], b[:12]))
    return bad


@pytest.mark.parametrize("variant", IDS)
def test_no_line_break_inside_a_reference_amount_date_or_mark(rendered, variant):
    _, path = rendered[variant]
    assert unit_breaks(path) == []


def test_the_break_check_finds_a_split_unit(tmp_path):
    """The check itself can fail: with Typst's defaults (spacing, no boxes) 第 / 16条 splits in 第24条."""
    import typst

    from generator.render.pdf import _fonts

    source = tmp_path / "split.typ"
    source.write_text('#set page(width: 60mm, height: auto)\n#set text(lang: "ja", font: "Noto Sans CJK JP", size: 10pt)\n'
                      "本サービス利用契約が解除された場合であっても、第14条（権利義務の譲渡の禁止）、第16条（損害賠償）、"
                      "第17条（免責）の規定は有効に存続します。年間利用料金は、55,000円（税込）※5万円超過分は別途です。\n",
                      encoding="utf-8")
    out = tmp_path / "split.pdf"
    out.write_bytes(typst.Compiler(str(source), root=str(tmp_path), font_paths=_fonts(), ignore_system_fonts=True).compile(format="pdf"))
    assert unit_breaks(out)


@pytest.mark.parametrize("variant", IDS)
def test_page_labels_match_the_printed_numbers(rendered, variant):
    _, path = rendered[variant]
    reader = pypdf.PdfReader(str(path))
    pages = len(reader.pages)
    assert "/PageLabels" in reader.trailer["/Root"]
    assert reader.page_labels == [""] + [str(n) for n in range(1, pages)]
    for index in (1, pages - 1):  # the printed 「– N –」 is the page's label
        printed = run("pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(path), "-")
        assert re.search(rf"–\s*{reader.page_labels[index]}\s*–", printed)


def archival_checks(path: Path) -> None:
    """What a PDF/A-2a validator and a careful reader check; shared by the terms and the notice."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Syntax Error" not in info.stderr and "Syntax Warning" not in info.stderr, info.stderr
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    reader = pypdf.PdfReader(str(path))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ja-JP" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "/Suspects" not in root["/MarkInfo"]  # poppler warns on a false flag; absent means false
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    meta = reader.metadata
    producer = re.search(r"<pdf:Producer>([^<]*)</pdf:Producer>", xmp)
    assert (producer.group(1) if producer else None) == meta.get("/Producer")  # both absent or both equal
    tool = re.search(r"<xmp:CreatorTool>([^<]*)</xmp:CreatorTool>", xmp)
    assert tool and tool.group(1) == meta["/Creator"]
    assert html.unescape(re.search(r'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">([^<]*)<', xmp).group(1)) == meta.title
    rows = run("pdffonts", str(path)).splitlines()[2:]
    assert rows
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes") and "NotoSansCJKjp" in name, row


@pytest.mark.parametrize("variant", IDS)
def test_terms_pdf_is_archival(rendered, variant):
    archival_checks(rendered[variant][1])


def test_notice_pdf_meets_the_same_standard(notice_pdf: Path):
    archival_checks(notice_pdf)
    assert unit_breaks(notice_pdf) == []
    text = run("pdftotext", "-enc", "UTF-8", str(notice_pdf), "-")
    body = text[text.index("規約変更のお知らせ"):]  # after the contact block, whose address has a space of its own
    assert "令和9年（2027年）1月1日" in body and not re.findall(rf"{CJK} [0-9]+|[0-9] {CJK}", body)


# Units a browser must not break either: the same classes as the PDF check above.
_HTML_UNITS = re.compile(r"第[0-9]+(?:条|項|号)|[0-9][0-9,]*万?円|※[0-9]+|[0-9]{1,2}月[0-9]{1,2}日")


def _unprotected_units(page: str) -> list[str]:
    """Units in body text (paragraphs, cells) that are not inside a span.nobr."""
    body = page[page.index('<h1 class="title">') if '<h1 class="title">' in page else 0:]
    body = re.sub(r'<span class="nobr">[^<]*</span>', "", body)
    body = re.sub(r'<a class="anchor"[^>]*>[^<]*</a>|<span class="num">[^<]*</span>', "", body)  # headings and labels
    found = []
    for cell in re.findall(r"<(?:p|td)(?: [^>]*)?>(.*?)</(?:p|td)>", body, re.S):
        found += _HTML_UNITS.findall(html.unescape(re.sub(r"<[^>]+>", "", cell)))
    return found


@pytest.mark.parametrize("variant", ["hiroshima-cci", "itsupport-joto"])
def test_html_keeps_references_amounts_dates_and_marks_on_one_line(variant):
    from generator.compile.pipeline import compile_variant, load
    from generator.render import html as html_renderer
    from conftest import REPO

    page = html_renderer.render_page(compile_variant(load(REPO), variant))
    assert '<span class="nobr">' in page and ".nobr { white-space: nowrap; }" in page
    assert _unprotected_units(page) == []


def test_the_html_unit_check_finds_an_unprotected_unit():
    assert _unprotected_units('<h1 class="title">t</h1><p>第16条第2項と16,500円</p>') == ["第16条", "第2項", "16,500円"]
    assert _unprotected_units('<h1 class="title">t</h1><p><span class="nobr">第16条第2項</span></p>') == []
