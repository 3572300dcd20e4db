"""DOCX (docxtpl): text read back by python-docx, styles and metadata, fixed zip, template errors.

LibreOffice headless is the second, independent client: it must convert every DOCX to PDF.
Template errors are checked through the real CLI: exit 1, `path:line:col: code`, no traceback,
and rendered/ left exactly as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
import pytest
from docx.oxml.ns import qn

from conftest import MINI, copy_project, run_cli
from generator.compile.normalize import fold
from renderings import render_all, BODY_CROP, Case, case, cases, differences, docx_text, similarity

CASES = cases()
IDS = [v for _, v in CASES]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Case, Path]]:
    return render_all(tmp_path_factory.mktemp("docx"), "docx")


@pytest.mark.parametrize("variant", IDS)
def test_text_matches_plain_text(rendered, variant):
    c, path = rendered[variant]
    extracted = docx_text(path)
    assert similarity(c.text, extracted, variant) >= 0.99, differences(c.text, extracted, variant)


@pytest.mark.parametrize("variant", IDS)
def test_styles_header_footer_and_fonts(rendered, variant):
    c, path = rendered[variant]
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "規約 条見出し"]
    assert headings == [a.heading for a in c.doc.articles]
    hanging = document.styles["規約 項"].paragraph_format
    assert hanging.first_line_indent < 0 < hanging.left_indent
    fonts = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "游明朝"
    body = document.sections[-1]
    header = "".join(p.text for p in body.header.paragraphs)
    assert c.doc.provider in header and f"第{c.doc.edition}版" in header
    footer_xml = body.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    assert document.sections[0].header.is_linked_to_previous, "the cover has no running header"


OFFICE_FONTS = {"游明朝", "游ゴシック"}  # docs/templates.md: what Word on Windows and Mac ships


@pytest.mark.parametrize("variant", IDS)
def test_every_style_asks_for_a_font_office_users_have(rendered, variant):
    """python-docx reads w:eastAsia of every style: 游明朝 for text, 游ゴシック for headings; no Noto, no theme-only font."""
    document = docx.Document(str(rendered[variant][1]))
    faces = {}
    for style in document.styles:
        if style.type == WD_STYLE_TYPE.LIST:
            continue  # numbering styles have no run properties
        rpr = style.element.rPr
        fonts = rpr.rFonts if rpr is not None else None
        faces[style.name] = fonts.get(qn("w:eastAsia")) if fonts is not None else None
        assert faces[style.name] in OFFICE_FONTS, (style.name, faces[style.name])
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme reference would override the declared face
    assert faces["規約 項"] == faces["Normal"] == "游明朝" and faces["規約 条見出し"] == faces["規約 表 見出し"] == "游ゴシック"
    table = next(p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml").blob.decode()
    for name, english in (("游明朝", "Yu Mincho"), ("游ゴシック", "Yu Gothic")):
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{english}"/>.*?<w:charset w:val="80"/>', table), name
    assert "Noto" not in document.styles.element.xml


@pytest.mark.parametrize("variant", IDS)
def test_metadata_and_fixed_zip(rendered, variant):
    c, path = rendered[variant]
    data = path.read_bytes()
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.title == c.doc.title and props.author == c.doc.provider and props.language == "ja-JP"
    from generator.build.builder import source_date_epoch

    stamp = source_date_epoch(c.doc)
    assert int(props.created.timestamp()) == stamp and props.modified == props.created
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert len({i.date_time for i in infos}) == 1
        assert "docProps/thumbnail.jpeg" not in names


def test_escaping_keeps_markup_as_text(tmp_path):
    c = case(MINI, "alpha")
    hostile = ("A & B < C > D", "{{ title }}", "{%p if x %}", "<w:t>x</w:t>", "]]> &amp;", "'\"")
    article = c.doc.articles[0]
    para = dataclasses.replace(article.paragraphs[0], blocks=hostile)
    doc = dataclasses.replace(c.doc, articles=(dataclasses.replace(article, paragraphs=(para,)),) + c.doc.articles[1:])
    path = tmp_path / "hostile.docx"
    path.write_bytes(Case(c.root, c.variant, doc).render("docx"))
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert f"1.\t{hostile[0]}" in paragraphs
    for text in hostile[1:]:
        assert text in paragraphs


@pytest.mark.slow
def test_libreoffice_converts_every_docx(rendered, tmp_path):
    """A real second client opens and lays out the file (soffice exits 0 and writes a PDF with the text)."""
    sources = []
    for variant in IDS:
        sources.append(str(rendered[variant][1]))
    profile = tmp_path / "lo-profile"  # a private profile: parallel test workers never share one
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), *sources],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    for variant in IDS:
        pdf = tmp_path / f"{variant}.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 1000, proc.stdout + proc.stderr
        text = subprocess.run(["pdftotext", *BODY_CROP, str(pdf), "-"], capture_output=True, text=True).stdout
        c = rendered[variant][0]
        # pdftotext reads a small table column by column: compare the clauses, then look for each cell
        ours, theirs = c.text.split("\n別紙\n")[0], re.split(r"^\f?別紙$", text, flags=re.M)[0]
        assert similarity(ours, theirs, variant) >= 0.99, differences(ours, theirs, variant)
        for appendix in c.doc.appendices:
            for section in appendix.sections:
                for cell in [x for row in (section.table.rows if section.table else ()) for x in row]:
                    assert fold(cell) in fold(text), cell
        # the Japanese text is set in a real CJK font (scripts/setup.sh installs fonts-noto-cjk), not tofu
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        cjk = [row for row in fonts if re.search(r"CJK|Mincho|Gothic|明朝|ゴシック", row)]
        assert cjk, f"no Japanese font in LibreOffice's PDF (bash scripts/setup.sh installs fonts-noto-cjk): {fonts}"
        assert all(row.split()[-5] == "yes" for row in cjk), cjk


# --- a variant's own template: errors name the file, and a failed build changes nothing ---------


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_template(project: Path, variant: str, template: str) -> None:
    path = project / "variants" / f"{variant}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^(self: .*)$", rf"\1\ntemplate: {template}", text, count=1, flags=re.M), encoding="utf-8")


def _template_with(path: Path, extra: str) -> None:
    """The default template plus one paragraph (python-docx), e.g. an unknown Jinja variable."""
    from generator.render.docx import DEFAULT_TEMPLATE
    from importlib import resources

    document = docx.Document(str(resources.files("generator").joinpath("templates", DEFAULT_TEMPLATE)))
    document.add_paragraph(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


@pytest.fixture
def built_mini(tmp_path) -> Path:
    project = copy_project(MINI, tmp_path / "mini")
    result = run_cli("build", "--root", str(project))
    assert result.code == 0, result.stderr
    return project


def _assert_failed_cleanly(project: Path, before: dict[str, str], result, code: str, names: list[str]) -> None:
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(rf"^\S+:\d+:\d+: {code} ", result.stderr, re.M), result.stderr
    for name in names:
        assert name in result.stderr
    assert _snapshot(project / "rendered") == before
    assert not list((project / "rendered").rglob(".*")), "temporary files left in rendered/"
    tmp = project / ".kiyaku" / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())


def test_missing_template_is_reported_and_nothing_changes(built_mini):
    before = _snapshot(built_mini / "rendered")
    _set_template(built_mini, "beta", "templates/letterhead.docx")
    result = run_cli("build", "--root", str(built_mini))
    _assert_failed_cleanly(built_mini, before, result, "R011", ["templates/letterhead.docx", "variants/beta.yaml"])


def test_unknown_template_variable_is_reported_and_nothing_changes(built_mini):
    before = _snapshot(built_mini / "rendered")
    _template_with(built_mini / "templates" / "letterhead.docx", "{{ reseller_logo }} {{ provider }}")
    _set_template(built_mini, "beta", "templates/letterhead.docx")
    result = run_cli("build", "--root", str(built_mini))
    _assert_failed_cleanly(built_mini, before, result, "R012", ["templates/letterhead.docx", "reseller_logo"])


def test_variant_template_is_used(built_mini):
    _template_with(built_mini / "templates" / "letterhead.docx", "レターヘッド {{ provider }}")
    _set_template(built_mini, "beta", "templates/letterhead.docx")
    result = run_cli("build", "--root", str(built_mini), "--format", "docx")
    assert result.code == 0, result.stderr
    text = docx_text(built_mini / "rendered" / "beta" / "beta.docx")
    assert "レターヘッド ベータ株式会社" in text
    assert "レターヘッド" not in docx_text(built_mini / "rendered" / "alpha" / "alpha.docx")


def test_template_outside_the_repository_is_refused(built_mini, tmp_path):
    _template_with(tmp_path / "outside.docx", "{{ provider }}")
    _set_template(built_mini, "beta", "../outside.docx")
    result = run_cli("build", "--root", str(built_mini), "--format", "docx")
    assert result.code == 1 and "R010" in result.stderr and "Traceback" not in result.stderr


def test_default_template_is_what_the_script_makes():
    """generator/templates/terms.docx is generated: edit tools/make_docx_template.py, then rerun it."""
    import importlib.util

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("make_docx_template", REPO / "tools" / "make_docx_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (REPO / "generator" / "templates" / "terms.docx").read_bytes()
    assert module.build() == committed, "python tools/make_docx_template.py を実行してテンプレートを作り直してください"


@pytest.mark.parametrize("extra, code, name", [
    ("{%p for a in articles %}\n{{ a.items }}\n{%p endfor %}", "R012", "items"),  # dict.items must not leak through
    ("{{ a_typo }}", "R012", "a_typo"),
    ("{{ service.__class__.__mro__ }}", "R015", ""),  # sandboxed: no way into Python internals
    ("{%p for a in articles %}", "R013", ""),  # unclosed loop
])
def test_template_mistakes_are_render_errors(tmp_path, extra, code, name):
    from generator.source.errors import RenderError
    from generator.render import RenderContext
    from generator.render.docx import render_docx

    document_path = tmp_path / "templates" / "t.docx"
    _template_with(document_path, "")
    document = docx.Document(str(document_path))
    for line in extra.split("\n"):
        document.add_paragraph(line)
    document.save(str(document_path))
    with pytest.raises(RenderError) as raised:
        render_docx(case(MINI, "alpha").doc, RenderContext(root=str(tmp_path), template="templates/t.docx"))
    finding = raised.value.findings[0]
    assert finding.code == code and "templates/t.docx" in finding.message and name in finding.message


@pytest.mark.parametrize("variant", IDS)
def test_word_inserts_no_space_between_japanese_and_digits(rendered, variant):
    """w:autoSpaceDE/DN off in Normal, on which every paragraph style is based (Word would print 第 1 条).
    LibreOffice 7.4 does not read these two settings on import, so its PDF still shows the space."""
    document = docx.Document(str(rendered[variant][1]))
    ppr = document.styles["Normal"].element.pPr
    assert ppr.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0" and ppr.find(qn("w:autoSpaceDN")).get(qn("w:val")) == "0"
    for style in document.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.name.startswith("規約"):
            base = style
            while base.base_style is not None:
                base = base.base_style
            assert base.name == "Normal", style.name
    assert "第1条" in "".join(p.text for p in document.paragraphs)
