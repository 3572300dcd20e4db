"""The DOCX renderer's details a reader or a second tool can see (issue 18, mutation testing).

Word's document properties, the ZIP entry times (the same bytes on a laptop in Tokyo and on CI),
the name in an R012 message for a reseller's template, and the column widths of appendix tables.
Expected values are worked out by hand from the fixture and the rule in generator/render/docx.py;
every file is read back with python-docx or zipfile, not with our own code.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import docx
import pytest

from docx_parts import copy_declaring

from conftest import MINI, copy_project
from generator.compile.pipeline import compile_variant, load
from generator.render import RenderContext, get
from generator.render.docx import _text_width
from generator.source.errors import Location, RenderError
from trust_cases import default_template, many_parts, template_with

JULY_25 = 1658707200  # 2022-07-25 00:00:00 UTC


def _render(doc, **context) -> bytes:
    return get("docx").render(doc, RenderContext(**{"root": str(MINI), "timestamp": JULY_25, **context}))


@pytest.fixture(scope="module")
def alpha():
    return compile_variant(load(MINI), "alpha")


def test_word_document_properties(alpha) -> None:
    props = docx.Document(io.BytesIO(_render(alpha))).core_properties
    assert (props.title, props.author, props.last_modified_by) == ("テストサービス 利用規約", "アルファ商工会議所", "アルファ商工会議所")
    assert props.subject == "テストサービス サービス利用規約"
    assert props.keywords == "アルファ商工会議所, 第1版, 2022-07-25"
    assert props.comments == "アルファ商工会議所 第1版（令和4年（2022年）7月25日）"
    assert (props.identifier, props.language, props.revision) == ("alpha-1", "ja-JP", 1)
    assert props.created == props.modified == dt.datetime(2022, 7, 25, 0, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def tokyo(monkeypatch):
    """The machine's clock set to Japan time (TZ=Asia/Tokyo), as on a legal team's laptop."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("timestamp, expected", [
    (JULY_25, (2022, 7, 25, 0, 0, 0)),  # UTC, never 09:00 (the local time in Tokyo)
    (0, (1980, 1, 1, 0, 0, 0)),  # before 1980 a ZIP cannot say: the earliest date it can
])
def test_zip_entry_times_are_utc_whatever_the_machine_time_zone(tokyo, alpha, timestamp: int, expected) -> None:
    with zipfile.ZipFile(io.BytesIO(_render(alpha, timestamp=timestamp))) as archive:
        assert {info.date_time for info in archive.infolist()} == {expected}


@pytest.mark.parametrize("code, named", [
    ("{{ articles[0].nosuch }}", "nosuch"),  # Jinja: "'… object' has no attribute 'nosuch'": the last quoted name
    ("{{ articles[99] }}", "list object has no element 99"),  # no quoted name: Jinja's whole sentence
])
def test_an_unknown_name_in_a_resellers_template_is_named(tmp_path: Path, alpha, code: str, named: str) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    (root / "templates").mkdir()
    (root / "templates" / "t.docx").write_bytes(template_with(code))
    with pytest.raises(RenderError) as info:
        _render(alpha, root=str(root), template="templates/t.docx")
    (finding,) = info.value.findings
    assert finding.code == "R012"
    assert finding.message == f"テンプレート「templates/t.docx」に未定義の変数があります: {named}"


@pytest.mark.parametrize("text, width", [
    ("作業時間", 8),  # kanji: wide (W), two units each
    ("16,500円", 8),  # digits and comma narrow (Na), 円 wide
    ("Ａ", 2),  # a full-width letter (F)
    ("ｶﾅ", 2),  # half-width katakana (H): one unit each
    ("", 0),
])
def test_text_width_in_half_width_units(text: str, width: int) -> None:
    assert _text_width(text) == width


def _table_doc(tmp_path: Path, columns: str, rows: str):
    root = copy_project(MINI, tmp_path / "mini")
    path = root / "variants" / "alpha.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("columns: [作業時間, 作業費]", f"columns: {columns}").replace('- ["60分未満", "16,500円"]', rows)
    path.write_text(text, encoding="utf-8")
    return compile_variant(load(root), "alpha")


def _table_widths(data: bytes) -> tuple[list[int], list[list[int]]]:
    """(grid column widths, per row the cells' widths) of the one table, read by python-docx."""
    (table,) = docx.Document(io.BytesIO(data)).tables
    grid = table._tbl.tblGrid.findall(docx.oxml.ns.qn("w:gridCol"))
    return ([int(c.get(docx.oxml.ns.qn("w:w"))) for c in grid],
            [[cell.width.twips if cell.width is not None else -1 for cell in row.cells] for row in table.rows])


def test_columns_share_the_width_by_their_longest_cell(tmp_path: Path) -> None:
    doc = _table_doc(tmp_path, "[地域, 費用, A]", '- ["東京都千代田区", "1,000円", "b"]\n            - ["ｶﾅ", "' + "x" * 50 + '", "c"]')
    grid, cells = _table_widths(_render(doc))
    # need per column = max(4, min(40, width + 2)) over its cells, header included:
    #   地域 6, 東京都千代田区 16, ｶﾅ 4 -> 16;  費用 6, 1,000円 9, x*50 52 -> capped 40;  A 3, b 3, c 3 -> the minimum 4
    # the three template columns of 3061 twips each stay 9183 in all: 9183*16//60, 9183*40//60, 9183*4//60
    assert grid == [2448, 6122, 612]
    assert cells == [[2448, 6122, 612]] * 3  # every cell of every row, header included, gets the same width


def test_one_column_is_left_as_the_template_made_it(tmp_path: Path) -> None:
    doc = _table_doc(tmp_path, "[地域]", '- ["東京都千代田区"]')
    grid, cells = _table_widths(_render(doc))
    assert grid == [9183]  # the template's three columns of 3061 twips as one
    assert cells == [[-1], [-1]]  # and no cell width written: nothing to share


# --- which template file: a reseller's template must stay inside the repository ---------------------------

@pytest.fixture
def repo_with_template(tmp_path: Path) -> Path:
    root = copy_project(MINI, tmp_path / "mini")
    (root / "templates").mkdir()
    (root / "templates" / "t.docx").write_bytes(template_with("{{ service }}"))
    return root


def _refused(alpha, root: Path, template: str, **context) -> object:
    with pytest.raises(RenderError) as info:
        _render(alpha, root=str(root), template=template, **context)
    (finding,) = info.value.findings
    return finding


@pytest.mark.parametrize("shown", ["../outside.docx", "templates/../../outside.docx"])
def test_a_template_outside_the_repository_is_r010_where_it_is_named(alpha, repo_with_template: Path, shown: str) -> None:
    (repo_with_template.parent / "outside.docx").write_bytes(template_with("{{ service }}"))  # it exists: still refused
    finding = _refused(alpha, repo_with_template, shown)
    assert (finding.code, finding.location.path, finding.message) == ("R010", shown, f"テンプレート「{shown}」がリポジトリの外を指しています。")
    assert finding.hint.startswith("template: にはリポジトリのフォルダからの相対パスを書いてください")


def test_an_absolute_template_path_is_r010_even_inside_the_repository(alpha, repo_with_template: Path) -> None:
    shown = str(repo_with_template / "templates" / "t.docx")
    origin = Location("variants/alpha.yaml", 4, 11)
    finding = _refused(alpha, repo_with_template, shown, template_origin=origin)
    assert (finding.code, finding.location) == ("R010", origin)


def test_a_missing_template_is_r011(alpha, repo_with_template: Path) -> None:
    finding = _refused(alpha, repo_with_template, "templates/nosuch.docx")
    assert (finding.code, finding.location.path, finding.message) == ("R011", "templates/nosuch.docx", "テンプレート「templates/nosuch.docx」がありません。")
    assert finding.hint == "ファイル名と場所を確認するか、template: の行を削除して既定のテンプレートを使ってください。"


def test_a_dangling_symlink_is_a_missing_template(alpha, repo_with_template: Path) -> None:
    (repo_with_template / "templates" / "gone.docx").symlink_to(repo_with_template / "templates" / "deleted.docx")
    finding = _refused(alpha, repo_with_template, "templates/gone.docx")
    assert (finding.code, finding.location.path) == ("R011", "templates/gone.docx")


def test_a_symlink_loop_is_a_finding_not_a_crash(alpha, repo_with_template: Path) -> None:
    """Path.resolve() raised RuntimeError on a loop (a traceback from kiyaku build): now F001 in Japanese."""
    folder = repo_with_template / "templates"
    (folder / "a.docx").symlink_to(folder / "b.docx")
    (folder / "b.docx").symlink_to(folder / "a.docx")
    finding = _refused(alpha, repo_with_template, "templates/a.docx")
    assert (finding.code, finding.location.path) == ("F001", "templates/a.docx")
    assert finding.message == "ファイルを読めません（シンボリックリンクが循環しています）。"


def test_a_template_inside_the_repository_is_used(alpha, repo_with_template: Path) -> None:
    """The same template through a path with a `..` that stays inside: accepted, and its text printed."""
    (repo_with_template / "templates" / "t.docx").write_bytes(template_with("独自テンプレート{{ service }}"))
    data = _render(alpha, root=str(repo_with_template), template="variants/../templates/t.docx")
    assert any("独自テンプレートテストサービス" in p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_every_unknown_name_is_listed_before_rendering(alpha, repo_with_template: Path) -> None:
    (repo_with_template / "templates" / "t.docx").write_bytes(template_with("{{ foo }}{{ bar }}{{ service }}"))
    finding = _refused(alpha, repo_with_template, "templates/t.docx")
    assert (finding.code, finding.location.path) == ("R012", "templates/t.docx")
    assert finding.message == "テンプレート「templates/t.docx」に未定義の変数があります: bar, foo"  # all of them, sorted
    assert finding.hint.startswith("使える変数: appendices, articles, cover_line, edition, ")


def test_a_template_syntax_error_is_r013_in_the_template(alpha, repo_with_template: Path) -> None:
    (repo_with_template / "templates" / "t.docx").write_bytes(template_with("{{ service "))
    finding = _refused(alpha, repo_with_template, "templates/t.docx")
    assert (finding.code, finding.location.path) == ("R013", "templates/t.docx")
    assert finding.message.startswith("テンプレート「templates/t.docx」の差し込み記法に誤りがあります: ")
    assert finding.hint == "{{ 変数 }} と {%p for … %} … {%p endfor %} の組を確認してください。"


# --- the package: the same bytes from any machine ---------------------------------------------------------

def test_zip_entries_in_a_fixed_order_with_fixed_attributes(alpha) -> None:
    with zipfile.ZipFile(io.BytesIO(_render(alpha))) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names[0] == "[Content_Types].xml"  # first, as Office writes it (a sniffer reads it first)
    assert names[1:] == sorted(names[1:]) and len(names) > 5
    # made on "MS-DOS" with mode 644: what Python writes on Windows and on Linux would differ otherwise
    assert {(i.create_system, i.external_attr, i.compress_type) for i in infos} == {(0, 0o644 << 16, zipfile.ZIP_DEFLATED)}


# --- tables a reseller's template brings along: sized by hand, kept as they are ------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell(text_runs: str, props: str | None = "<w:tcPr/>") -> str:
    return f"<w:tc>{props or ''}<w:p>{text_runs}</w:p></w:tc>"


def _run(text: str | None) -> str:
    return "<w:r><w:t/></w:r>" if text is None else f"<w:r><w:t>{text}</w:t></w:r>"


def _static_tables_template(*tables: str) -> bytes:
    """The default template with tables of fixed cells put before everything else in the body."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_with("{{ service }}"))) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", ("<w:body>" + "".join(tables)).encode("utf-8"), 1)
            target.writestr(info.filename, data)
    return out.getvalue()


def _table(widths: list[int | None], rows: list[str]) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' if w is not None else "<w:gridCol/>" for w in widths)
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(f'<w:tr>{r}</w:tr>' for r in rows)}</w:tbl>"


def _all_tables(data: bytes):
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = ElementTree.fromstring(archive.read("word/document.xml")).find(f"{{{W}}}body")
    return body.findall(f"{{{W}}}tbl")


def _grid(tbl) -> list[str | None]:
    return [c.get(f"{{{W}}}w") for c in tbl.find(f"{{{W}}}tblGrid")]


def test_template_tables_sized_by_hand_are_kept_and_equal_ones_are_shared(alpha, repo_with_template: Path) -> None:
    hand_sized = _table([2000, 7000], [_cell(_run("地域")) + _cell(_run("費用"))])
    no_width = _table([None, None], [_cell(_run("a")) + _cell(_run("b"))])
    equal = _table([3000, 3000], [
        _cell(_run("ab") + _run("cd") + _run(None)) + _cell(_run("x"), None),  # two runs and an empty one; no tcPr
        _cell(_run("y"), '<w:tcPr><w:tcW w:w="1234" w:type="dxa"/></w:tcPr>') + _cell(_run("z") + _run("z") + _run("z"), '<w:tcPr><w:shd w:val="clear" w:fill="E8E8E8"/></w:tcPr>'),
    ])
    (repo_with_template / "templates" / "t.docx").write_bytes(_static_tables_template(hand_sized, no_width, equal))
    tables = _all_tables(_render(alpha, root=str(repo_with_template), template="templates/t.docx"))
    first, second, third, appendix = tables
    assert _grid(first) == ["2000", "7000"] and not first.findall(f".//{{{W}}}tcW")  # hand-sized: untouched
    assert _grid(second) == [None, None] and not second.findall(f".//{{{W}}}tcW")
    # column 1: "abcd" (the runs of one cell joined, the empty run adds nothing) 4 + 2 = 6; "y" 3 -> 6
    # column 2: "x" 3, "zzz" 5 -> 5;  total 6000: 6000*6//11, 6000*5//11
    assert _grid(third) == ["3272", "2727"]
    (a, b), (c, d) = [row.findall(f"{{{W}}}tc") for row in third.findall(f"{{{W}}}tr")]
    assert a.find(f"{{{W}}}tcPr")[0].tag == f"{{{W}}}tcW"  # tcW first in tcPr, where the schema wants it
    assert a.find(f"{{{W}}}tcPr/{{{W}}}tcW").get(f"{{{W}}}w") == "3272"
    assert b.find(f"{{{W}}}tcPr") is None  # a cell without properties gets none
    assert [t.get(f"{{{W}}}w") for t in c.iter(f"{{{W}}}tcW")] == ["1234"]  # a width set by hand stays, once
    assert [child.tag.split("}")[1] for child in d.find(f"{{{W}}}tcPr")] == ["tcW", "shd"]  # before the shading
    assert d.find(f"{{{W}}}tcPr/{{{W}}}tcW").get(f"{{{W}}}w") == "2727"
    assert _grid(appendix) == ["4591", "4591"]  # the appendix table after them is still fitted


def test_two_columns_are_shared_too(tmp_path: Path) -> None:
    doc = _table_doc(tmp_path, "[地域, 費用]", '- ["東京都千代田区", "' + "x" * 50 + '"]')
    grid, cells = _table_widths(_render(doc))
    # 地域 6, 東京都千代田区 16 -> 16;  費用 6, x*50 52 -> 40;  two columns of 4591: 9182*16//56, 9182*40//56
    assert grid == [2623, 6558] and cells == [[2623, 6558]] * 2


def test_a_template_with_too_many_parts_is_r019_on_the_template_line(alpha, repo_with_template: Path) -> None:
    (repo_with_template / "templates" / "t.docx").write_bytes(many_parts(default_template()))
    origin = Location("variants/alpha.yaml", 4, 1)
    finding = _refused(alpha, repo_with_template, "templates/t.docx", template_origin=origin)
    assert (finding.code, finding.location) == ("R019", origin)
    assert finding.message.startswith("DOCX の部品が多すぎます（")


def test_a_zip_that_is_not_a_word_file_is_r014_on_the_template_line(alpha, repo_with_template: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    (repo_with_template / "templates" / "t.docx").write_bytes(out.getvalue())
    origin = Location("variants/alpha.yaml", 4, 1)
    finding = _refused(alpha, repo_with_template, "templates/t.docx", template_origin=origin)
    assert (finding.code, finding.location) == ("R014", origin)
    assert finding.message.startswith("テンプレート「templates/t.docx」を Word ファイルとして開けません（")
    assert finding.hint == "Word で「.docx」形式で保存し直してください。"
    without = _refused(alpha, repo_with_template, "templates/t.docx")  # no line known: the file itself
    assert without.location == Location("templates/t.docx")


def test_content_types_first_even_before_a_part_named_with_a_capital(alpha, repo_with_template: Path) -> None:
    """A plain sort would put "Custom/…" before "[Content_Types].xml" ('C' < '[')."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        copy_declaring(template_with("{{ service }}"), target, "Custom/item.xml", "customXml", "application/xml")
        target.writestr("Custom/item.xml", "<item/>")
    (repo_with_template / "templates" / "t.docx").write_bytes(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(_render(alpha, root=str(repo_with_template), template="templates/t.docx"))) as archive:
        names = archive.namelist()
    assert "Custom/item.xml" in names and names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])


def test_a_template_table_without_a_grid_is_r014_not_a_crash(alpha, repo_with_template: Path) -> None:
    """docxtpl reads every table's w:tblGrid while rendering: without one it raised AttributeError (a traceback)."""
    gridless = "<w:tbl><w:tblPr/><w:tr>" + _cell(_run("a")) + _cell(_run("b")) + "</w:tr></w:tbl>"
    (repo_with_template / "templates" / "t.docx").write_bytes(_static_tables_template(gridless))
    finding = _refused(alpha, repo_with_template, "templates/t.docx")
    assert (finding.code, finding.location.path) == ("R014", "templates/t.docx")
    assert finding.message == "テンプレート「templates/t.docx」の表に列の定義（w:tblGrid）がありません。"
    assert finding.hint == "Word で開いて「名前を付けて保存」（.docx）し直してください。"


@pytest.mark.parametrize("code", ["{{ 'x' * 10**12 }}", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"])
def test_a_template_over_its_budget_is_r016_naming_the_template(alpha, repo_with_template: Path, code: str) -> None:
    """Both ways to R016: an expression over the budget, and a macro calling itself (RecursionError)."""
    (repo_with_template / "templates" / "t.docx").write_bytes(template_with(code))
    origin = Location("variants/alpha.yaml", 4, 1)
    finding = _refused(alpha, repo_with_template, "templates/t.docx", template_origin=origin)
    assert (finding.code, finding.location) == ("R016", origin)
    assert finding.message.startswith("テンプレート「templates/t.docx」の計算結果が大きすぎます（")


@pytest.mark.parametrize("code, expected, message, hint", [
    ("{{ articles[0].nosuch }}", "R012", "に未定義の変数があります: nosuch",
     "使える変数は docs/templates.md にあります（号は entries、項は paragraphs）。"),
    ("{{ service.__class__ }}", "R015", "が許可されていない操作をしています。", "テンプレートでは変数の表示と for / if だけを使ってください。"),
    ('{% include "other.xml" %}', "R013", "の差し込み記法に誤りがあります: ",
     "{{ 変数 }} と {%p for … %} … {%p endfor %} の組を確認してください。"),
])
def test_errors_while_rendering_name_the_template(alpha, repo_with_template: Path, code, expected, message, hint) -> None:
    """Found only while rendering (the names are declared): the template file, the code, what to do."""
    (repo_with_template / "templates" / "t.docx").write_bytes(template_with(code))
    finding = _refused(alpha, repo_with_template, "templates/t.docx")
    assert (finding.code, finding.location) == (expected, Location("templates/t.docx"))
    assert finding.message.startswith(f"テンプレート「templates/t.docx」{message}") and finding.hint == hint


def test_word_properties_are_utc_whatever_the_machine_time_zone(tokyo, alpha) -> None:
    props = docx.Document(io.BytesIO(_render(alpha))).core_properties
    assert props.created == props.modified == dt.datetime(2022, 7, 25, 0, 0, 0, tzinfo=dt.timezone.utc)  # never 09:00


def test_a_document_over_50_mb_is_r018_on_the_template_line(alpha, repo_with_template: Path, monkeypatch) -> None:
    from test_codes_faults import _template_with_big_image

    (repo_with_template / "templates" / "t.docx").write_bytes(_template_with_big_image(monkeypatch))
    origin = Location("variants/alpha.yaml", 4, 1)
    finding = _refused(alpha, repo_with_template, "templates/t.docx", template_origin=origin)
    assert (finding.code, finding.location) == ("R018", origin)
    assert finding.message == "テンプレート「templates/t.docx」の出力が 50 MB を超えました。"
