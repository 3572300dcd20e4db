"""What the 規約変更のお知らせ says: every changed unit, 別紙 tables cell by cell, 備考, the letter form.

The scenario of issue 13: a fee change that touches a clause (第2条第1項) and a 別紙 table cell.
Golden files pin the md and html notice byte for byte (python tests/update_golden.py rewrites them); the
PDF and DOCX are read back by poppler and python-docx.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import docx
import pytest

from generator import cli
from generator.source.errors import ReleaseError
from generator.changes.notice import Notice, make_notice, render_notice
from generator.changes.release import release
from release_repo import TODAY, commit_all, edit, fixed_git_dates, make_repo

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def fee_repo(tmp_path_factory) -> Path:
    from golden import make_fee_repo

    return make_fee_repo(tmp_path_factory.mktemp("fee"))


@pytest.fixture(scope="module")
def fee_notice(fee_repo: Path) -> Notice:
    return make_notice(fee_repo, "alpha")


def test_both_units_are_listed_and_both_rows_say_fee_change(fee_notice: Notice) -> None:
    headings = [(a.heading, a.status, [(p.label, p.note) for p in a.parts]) for a in fee_notice.articles]
    assert headings == [("第2条（利用料金）", "変更", [("第2条第1項", "料金の変更")]),
                        ("別紙※1の表", "料金の変更、別紙の変更", [("別紙※1の表「60分未満」の行", "作業費")])]
    clause, table = fee_notice.rows
    assert clause.kinds == ("料金の変更",) and table.kinds == ("料金の変更", "別紙の変更")
    assert table.new == () and table.old == ()


def test_the_table_is_a_table_with_only_the_changed_cell_marked(fee_notice: Notice) -> None:
    row = fee_notice.rows[1]
    assert row.new_table is not None and row.old_table is not None
    def texts(table):
        return [["".join(p.text for p in cell) for cell in r] for r in table]
    assert texts(row.new_table) == [["作業時間", "作業費"], ["60分未満", "18,700円"]]
    assert texts(row.old_table) == [["作業時間", "作業費"], ["60分未満", "16,500円"]]
    marked = [(r, c) for r, cells in enumerate(row.new_table) for c, cell in enumerate(cells) if any(p.changed for p in cell)]
    assert marked == [(1, 1)]
    assert [p.text for p in row.new_table[1][1] if p.changed] == ["18,700"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_notice(fee_notice: Notice, fmt: str) -> None:
    path = GOLDEN / f"notice-fee.{fmt}"
    actual = render_notice(fee_notice, fmt)
    assert path.is_file(), f"{path} がありません: python tests/update_golden.py で作成してください"
    assert actual == path.read_bytes(), f"{path.name} が変わりました。意図した変更なら python tests/update_golden.py で更新し、差分を確認してください"


def test_html_marks_the_changed_cell_for_screen_readers_and_eyes(fee_notice: Notice) -> None:
    html = render_notice(fee_notice, "html").decode()
    assert '<td class="chg-cell"><ins class="chg"><mark>18,700</mark></ins>円</td>' in html
    assert '<td class="chg-cell"><del class="chg"><mark>16,500</mark></del>円</td>' in html
    assert html.count('class="chg-cell"') == 2  # one cell per side, nothing else


LETTER = ["令和8年（2026年）12月1日", "お客様各位", "アルファ商工会議所", "規約変更のお知らせ", "記", "以上",
          "所在地: 〒100-0000 東京都千代田区テスト町1-1（alpha）", "電子メール: terms@alpha.example.jp",
          "令和8年（2026年）12月2日から令和8年（2026年）12月31日まで（30日間）",
          "お客様のご負担または制約が増える場合がある変更", "第2条第1項", "別紙※1の表", "料金の変更"]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_pdf_text_has_the_letter_and_both_units(fee_notice: Notice, tmp_path: Path) -> None:
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(render_notice(fee_notice, "pdf"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in LETTER + ["88,000円", "79,200円", "［変更］18,700円", "［変更］16,500円", "60分未満"]:
        assert _squeeze(needle) in _squeeze(text), needle
    assert "不利益変更" not in text  # the record's legal code is not what customers read
    assert text.index("記") < text.index("新旧対照表") < text.rindex("以上")


def test_docx_text_has_the_letter_and_the_table_as_a_table(fee_notice: Notice) -> None:
    document = docx.Document(io.BytesIO(render_notice(fee_notice, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = []

    def walk(tables) -> None:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    cells.append(cell.text)
                    walk(cell.tables)

    walk(document.tables)
    everything = text + "\n" + "\n".join(cells)
    for needle in LETTER:
        assert needle in everything, needle
    assert "18,700円" in cells and "16,500円" in cells  # a cell of its own, not pipe-joined text
    assert not any("|" in c for c in cells)


def test_kind_wording_comes_from_document_yaml_and_the_record_keeps_its_code(tmp_path: Path, monkeypatch) -> None:
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    with (root / "terms" / "document.yaml").open("a", encoding="utf-8") as f:
        f.write("notice:\n  addressee: ご契約者各位\n  kinds:\n    利益変更: より有利になる変更\n    不利益変更: 料金の値上げを含む変更\n")
    edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(root, "料金改定")
    [record] = release(root, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
    assert record.kind == "不利益変更"
    md = render_notice(make_notice(root, "alpha"), "md").decode()
    assert "| 変更の種類 | 料金の値上げを含む変更 |" in md and "ご契約者各位" in md and "不利益変更" not in md


def test_row_classes_new_deleted_renumbered_wording_and_fee(tmp_path: Path, monkeypatch) -> None:
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    fees = root / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace(
        "  - id: amount\n", "  - id: due\n    text: 初期費用として5万円をお支払いください。\n  - id: amount\n"), encoding="utf-8")
    edit(root, "terms/fees.yaml", "利用料金は年間{member_fee}円とします。", "本サービスの利用料金は年間{member_fee}円とします。")
    edit(root, "terms/prohibited.yaml", "  - id: illegal\n    text: 法令に違反する行為\n", "")
    edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
    edit(root, "variants/alpha.yaml", "※上限があります。", "※上限があります（年2回まで）。")
    commit_all(root, "いろいろ")
    release(root, ["alpha"], "2026-12-01", "2027-01-01", "整理", today=TODAY)
    notes = {(r.new_label, r.old_label): r.kinds for r in make_notice(root, "alpha").rows}
    assert notes[("第2条第1項", "")] == ("料金の変更", "新設")  # a new paragraph that states an amount
    assert notes[("第2条第2項", "第2条第1項")] == ("料金の変更", "文言の変更")  # amount and words changed
    assert notes[("", "第4条第1号")] == ("削除",)
    assert notes[("第2条第3項", "第2条第2項")] == ("番号の変更",)
    assert notes[("別紙※1", "別紙※1")] == ("文言の変更", "別紙の変更")


def test_release_refuses_a_notice_without_contact_and_lint_says_where(tmp_path: Path, monkeypatch) -> None:
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/alpha.yaml", "phone: 03-0000-0000（平日9:00～17:00）\n", "")
    edit(root, "variants/alpha.yaml", "email: terms@alpha.example.jp\n", 'email: "TODO: 確認中"\n')
    edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(root, "料金改定")
    assert cli.main(["lint", "--root", str(root)]) == 0  # baseline only: no notice yet, so only the TODO warning
    with pytest.raises(ReleaseError) as refused:  # the library with a pinned today: the CLI's today moves on
        release(root, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    codes = [f.code for f in refused.value.findings]
    assert codes[-1] == "H072" and not (root / "releases" / "alpha" / "2.yaml").exists(), codes


def test_lint_requires_contact_after_a_notice_and_warns_on_todo(tmp_path: Path, monkeypatch, capsys) -> None:
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(root, "料金改定")
    release(root, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    edit(root, "variants/alpha.yaml", "phone: 03-0000-0000（平日9:00～17:00）\n", "")
    edit(root, "variants/alpha.yaml", "web: https://alpha.example.jp/otasuketai/\n", 'web: "TODO: URL"\n')
    capsys.readouterr()
    assert cli.main(["lint", "--root", str(root)]) == 1
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert "variants/alpha.yaml:1:1: L011 規約変更のお知らせに載せる連絡先の電話番号（phone）がありません。" in err
    assert "→ variants/alpha.yaml に phone: を書いてください" in err
    assert "L012 警告: 連絡先のウェブページ（web）が未確定です" in err and "Traceback" not in err
    edit(root, "variants/beta.yaml", "phone: 03-0000-0000（平日9:00～17:00）\n", "")  # beta has only its baseline
    cli.main(["lint", "--root", str(root)])
    captured = capsys.readouterr()
    assert "beta.yaml" not in captured.out + captured.err


@pytest.mark.parametrize("field, value, hint", [
    ("web", '"javascript:alert(1)"', "https:// で始まる"),
    ("web", "www.example.jp", "https:// で始まる"),
    ("email", '"terms at example.jp"', "name@example.jp の形"),
])
def test_a_bad_contact_value_is_refused_with_its_place(mini: Path, capsys, field: str, value: str, hint: str) -> None:
    path = mini / "variants" / "alpha.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith(f"{field}: "))
    lines[line - 1] = f"{field}: {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["lint", "--root", str(mini)]) == 1
    captured = capsys.readouterr()
    out = captured.out + captured.err
    col = len(f"{field}: ") + 1  # the value itself, not the key
    assert f"variants/alpha.yaml:{line}:{col}: M004 「{field}」の書式が正しくありません" in out and hint in out
    assert "Traceback" not in out


def test_a_new_appendix_table_is_shown_as_a_table(tmp_path: Path, monkeypatch) -> None:
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/alpha.yaml", "        notes: [※上限があります。]\n", "        notes: [※上限があります。]\n"
         "      - id: install\n        mark: ※2\n        heading: 設置料金\n        table:\n          columns: [作業, 料金]\n"
         "          rows:\n            - [\"訪問設置\", \"16,500円\"]\n")
    commit_all(root, "別紙※2")
    release(root, ["alpha"], "2026-12-01", "2027-01-01", "設置料金の追加", today=TODAY)
    notice = make_notice(root, "alpha")
    [table] = [r for r in notice.rows if r.new_label == "別紙※2の表"]
    assert table.kinds == ("料金の変更", "新設", "別紙の変更") and [p.text for p in table.old] == ["（新設）"]
    assert [["".join(p.text for p in c) for c in row] for row in table.new_table] == [["作業", "料金"], ["訪問設置", "16,500円"]]
    assert all(p.changed for row in table.new_table for c in row for p in c)
    md = render_notice(notice, "md").decode()
    assert "<table><tr><th>［変更］<u>作業</u></th>" in md


def test_notice_docx_asks_for_office_fonts_and_stays_reproducible(fee_notice: Notice) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn

    data = render_notice(fee_notice, "docx")
    assert data == render_notice(fee_notice, "docx")
    document = docx.Document(io.BytesIO(data))
    faces = {}
    for style in document.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
            faces[style.name] = fonts.get(qn("w:eastAsia")) if fonts is not None else None
            assert faces[style.name] in ("游明朝", "游ゴシック") and fonts.get(qn("w:eastAsiaTheme")) is None, style.name
    assert faces["Normal"] == "游明朝" and faces["Heading 1"] == "游ゴシック"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(".//" + qn("w:rFonts")).get(qn("w:eastAsia")) == "游明朝"
    assert defaults.find(".//" + qn("w:autoSpaceDN")).get(qn("w:val")) == "0"  # Word: 第1条, not 第 1 条


@pytest.mark.slow
def test_notice_docx_opens_in_libreoffice_with_a_japanese_font(fee_notice: Notice, tmp_path: Path) -> None:
    source = tmp_path / "notice.docx"
    source.write_bytes(render_notice(fee_notice, "docx"))
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "notice.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts, f"no Japanese font (bash scripts/setup.sh installs fonts-noto-cjk): {fonts}"
    text = _squeeze(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for needle in LETTER + ["18,700円", "16,500円"]:
        assert _squeeze(needle) in text, needle


def test_the_feed_uses_the_same_date_style(fee_repo: Path) -> None:
    from generator.changes.feeds import atom

    feed = atom(fee_repo, "alpha").decode()
    assert "令和9年（2027年）1月1日実施" in feed and "告知日: 令和8年（2026年）12月1日" in feed
    assert "別紙※1の表" in feed  # the changed units, as in the notice
