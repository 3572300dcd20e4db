"""The notice model at its edges, in process (kills the mutants of generator/changes/notice.py the repo tests let live).

Expected values are worked out from the rules: the notice period runs from the day after the
announcement for notice_days days (民法140条・141条); the refund deadline exists only for a change of
the service content (第12条第5項); 「変更する条項」 lists every changed paragraph or item once, with
the 備考 of its own row of the 新旧対照表.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_project
from golden import _edit, _scenario_documents
from generator.changes import diff as d
from generator.changes.notice import Contact, _articles, _rows, build_notice, render_notice
from generator.compile.pipeline import compile_variant, load
from generator.history.editions import ReleaseRecord
from generator.source.errors import ReleaseError


def _record(**changes) -> ReleaseRecord:
    fields = dict(variant="alpha", edition=2, previous_edition=1, announced="2027-11-03", effective="2028-01-01",
                  notice_days=30, kind="不利益変更", service_change=True, reason="改定", source_commit="0" * 40,
                  text_sha256="0" * 64, document_sha256="0" * 64)
    fields.update(changes)
    return ReleaseRecord(**fields)


def _replace_item(root: Path) -> None:
    _edit(root / "terms" / "prohibited.yaml", "  - id: illegal\n    text: 法令に違反する行為\n", "  - id: fraud\n    text: 詐欺的な行為\n")


def test_an_item_replaced_by_a_new_one_is_listed_as_deleted_and_as_new() -> None:
    # the deleted 第4条第1号 and the new 第4条第1号 share a label: each keeps the 備考 of its own row
    old, new = _scenario_documents("alpha", _replace_item)
    notice = build_notice(_record(), old, new)
    [article] = notice.articles
    assert (article.heading, article.anchor, article.status) == ("第4条（禁止事項）", "prohibited", "変更")
    assert [(p.label, p.anchor, p.note) for p in article.parts] == [
        ("第4条第1号", None, "削除"), ("第4条第1号", "prohibited--fraud", "新設")]
    assert [(r.new_label, r.old_label, r.note) for r in notice.rows] == [("", "第4条第1号", "削除"), ("第4条第1号", "", "新設")]


def _insert_paragraph(root: Path) -> None:
    _edit(root / "terms" / "fees.yaml", "  - id: no-refund\n", "  - id: due\n    text: 料金は前払いとします。\n  - id: no-refund\n")


def test_an_article_whose_references_alone_change_is_a_reference_fix() -> None:
    # 第2条第2項 becomes 第2条第3項: 第3条 refers to it, its own text is otherwise the same
    old, new = _scenario_documents("alpha", _insert_paragraph)
    notice = build_notice(_record(), old, new)
    assert [(a.heading, a.status) for a in notice.articles] == [("第2条（利用料金）", "変更"), ("第3条（返金）", "参照の修正")]
    assert [(p.label, p.note) for p in notice.articles[0].parts] == [
        ("第2条第2項", "新設"), ("第2条第3項", "番号の変更（項・号の番号の繰下げ、内容の変更なし）")]
    assert [(p.label, p.note) for p in notice.articles[1].parts] == [("第3条第1項", "番号の変更（参照する条項の番号の修正）")]


def _table_rows(root: Path) -> None:
    """The only row of the 別紙※1 fee table deleted; a new section ※2 whose table has an empty cell."""
    alpha = root / "variants" / "alpha.yaml"
    _edit(alpha, '          rows:\n            - ["60分未満", "16,500円"]\n', "          rows: []\n")
    _edit(alpha, "        notes: [※上限があります。]\n",
          "        notes: [※上限があります。]\n"
          "      - id: install\n        mark: ※2\n        heading: 設置価格\n        table:\n"
          "          columns: [作業, 備考]\n          rows:\n            - [\"設置\", \"\"]\n")


def test_a_deleted_table_row_and_a_new_table_with_an_empty_cell() -> None:
    old, new = _scenario_documents("alpha", _table_rows)
    notice = build_notice(_record(), old, new)
    by_heading = {a.heading: a for a in notice.articles}
    incident = by_heading["別紙※1の表"]
    assert [(p.label, p.note) for p in incident.parts] == [("別紙※1の表「60分未満」の行", "行の削除")]
    # the deleted row held a price (作業費) and the words of its 作業時間 cell
    assert incident.status == "料金の変更、削除、文言の変更、別紙の変更"
    install = next(r for r in notice.rows if r.new_label == "別紙※2の表")
    assert install.note == "新設、別紙の変更"  # no amount in the new table
    assert [[[p.text for p in cell] for cell in row] for row in install.new_table] == [[["作業"], ["備考"]], [["設置"], []]]
    assert all(p.changed for row in install.new_table for cell in row for p in cell)
    assert install.old_table is None and [p.text for p in install.old] == ["（新設）"] and install.new == ()


def test_the_record_decides_dates_wording_and_links() -> None:
    old, new = _scenario_documents("alpha", _replace_item)
    notice = build_notice(_record(announced="2027-12-29", effective="2028-02-13", notice_days=45, service_change=False,
                                  kind="利益変更", previous_edition=None, reason="表現の整理"), old, new)
    assert (notice.announced, notice.effective, notice.period_start, notice.period_end, notice.notice_days) == (
        dt.date(2027, 12, 29), dt.date(2028, 2, 13), dt.date(2027, 12, 30), dt.date(2028, 2, 12), 45)
    assert notice.refund_deadline is None and notice.service_change is False  # no change of the service content
    assert (notice.kind, notice.kind_text, notice.reason) == ("利益変更", "お客様の一般の利益に適合する変更", "表現の整理")
    assert (notice.edition, notice.previous_edition) == (2, 1)  # no previous edition in the record: the old document's
    assert (notice.variant_id, notice.provider, notice.service) == ("alpha", "アルファ商工会議所", "テストサービス")
    assert (notice.terms_href, notice.contact, notice.addressee) == ("alpha.html", Contact(), "お客様各位")
    assert not notice.empty
    contact = Contact("〒100-0000 東京都", "03-0000-0000", "terms@alpha.example.jp", "https://alpha.example.jp/")
    other = build_notice(_record(announced="2026-12-01", previous_edition=1), old, new,
                         "https://example.jp/alpha.html", None, contact, "ご契約者各位")
    assert other.kind_text == "お客様のご負担または制約が増える場合がある変更"
    assert other.refund_deadline == dt.date(2027, 2, 1)  # 2 months from 2026-12-01, a Monday
    assert (other.terms_href, other.contact, other.addressee) == ("https://example.jp/alpha.html", contact, "ご契約者各位")
    assert build_notice(_record(), old, new, None, "料金の値上げを含む変更").kind_text == "料金の値上げを含む変更"


def test_the_amendment_and_refund_clauses_are_numbered_as_in_the_new_edition() -> None:
    doc = compile_variant(load(REPO), "hiroshima-cci")
    notice = build_notice(_record(variant="hiroshima-cci"), doc, doc)
    assert (notice.amendment_clause, notice.refund_clause) == ("第3条第3項", "第12条第5項")
    assert notice.empty and notice.rows == () and notice.articles == ()


def test_an_unknown_notice_format_is_refused() -> None:
    old, new = _scenario_documents("alpha", _replace_item)
    with pytest.raises(ReleaseError) as info:
        render_notice(build_notice(_record(), old, new), "rtf")
    [finding] = info.value.findings
    assert (finding.code, finding.message, finding.hint) == ("C003", "お知らせの形式「rtf」はありません。", "使える形式: md, html, docx, pdf")
    assert finding.location.path == "<コマンドライン>"


def test_make_notice_reads_the_issuer_at_the_edition_and_picks_the_edition(tmp_path: Path, monkeypatch) -> None:
    from generator.changes.notice import make_notice
    from generator.changes.release import release
    from generator.source.errors import SourceError
    from release_repo import TODAY, change_fee, commit_all, edit, released_repo

    root = change_fee(released_repo(tmp_path, monkeypatch))
    release(root, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
    # after the release: another addressee and contact; the notice of 第2版 keeps what was committed with it
    with (root / "terms" / "document.yaml").open("a", encoding="utf-8") as f:
        f.write("notice:\n  addressee: ご契約者各位\n  kinds:\n    不利益変更: 料金の値上げを含む変更\n")
    edit(root, "variants/alpha.yaml", "phone: 03-0000-0000", "phone: 06-1111-1111")
    edit(root, "variants/alpha.yaml", '"88,000"', '"77,000"')
    commit_all(root, "値下げ")
    release(root, ["alpha"], "2027-02-01", "2027-03-04", "値下げ", kind="利益変更", today=TODAY)
    second = make_notice(root, "alpha", 2)
    assert (second.edition, second.previous_edition, second.addressee, second.kind_text) == (
        2, 1, "お客様各位", "お客様のご負担または制約が増える場合がある変更")
    assert second.contact == Contact("〒100-0000 東京都千代田区テスト町1-1（alpha）", "03-0000-0000（平日9:00～17:00）",
                                     "terms@alpha.example.jp", "https://alpha.example.jp/otasuketai/")
    newest = make_notice(root, "alpha", terms_href="https://example.jp/terms/alpha.html")
    # 利益変更 has no wording in document.yaml any more: the record's own code is printed
    assert (newest.edition, newest.previous_edition, newest.addressee, newest.kind_text) == (3, 2, "ご契約者各位", "利益変更")
    assert newest.contact.phone == "06-1111-1111（平日9:00～17:00）" and newest.terms_href == "https://example.jp/terms/alpha.html"
    assert [(r.new_label, [p.text for p in r.new if p.changed], [p.text for p in r.old if p.changed]) for r in newest.rows] == [
        ("第2条第1項", ["77,000"], ["88,000"])]  # against 第2版, not the baseline
    with pytest.raises(ReleaseError) as info:
        make_notice(root, "alpha", 1)
    [finding] = info.value.findings
    assert (finding.code, finding.message, finding.hint) == (
        "H074", "第1版は基準版のため、変更のお知らせはありません。", "--edition で変更後の版を指定してください。")
    assert finding.location.path.startswith("releases/alpha/")
    with pytest.raises(SourceError) as bad:
        make_notice(root, "alpha", terms_href="javascript:alert")
    [finding] = bad.value.findings
    assert (finding.code, finding.message) == ("C006", "--terms-url「'javascript:alert'」は使えません: 「javascript:」の URL は使えません（https: か相対パスだけです）。")
    with pytest.raises(ReleaseError) as unreleased:  # a variant without any record, not even a baseline
        make_notice(root, "gamma")
    assert unreleased.value.findings[0].code == "H073"
    # a first edition that is not a baseline (written by hand): nothing before it to compare with
    first = root / "releases" / "alpha" / "1.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace('kind: "基準"', 'kind: "不利益変更"'), encoding="utf-8")
    with pytest.raises(ReleaseError) as lone:
        make_notice(root, "alpha", 1)
    assert lone.value.findings[0].code == "H074"
    with pytest.raises(ReleaseError) as none:
        make_notice(root, "beta")
    [finding] = none.value.findings
    assert (finding.code, finding.location.path, finding.message, finding.hint) == (
        "H073", "releases/beta/", "販売店「beta」には規約変更の記録がありません。",
        "変更を記録するには kiyaku release beta --announce … --effective … --reason … を実行してください。")


def _insert_exception_paragraph(root: Path) -> None:
    _edit(root / "terms" / "refunds.yaml", "  - id: exception\n", "  - id: notice\n    text: 返金は書面で求めます。\n  - id: exception\n")


def test_an_item_moved_with_its_paragraph_moves_down() -> None:
    # 第3条第2項第1号 → 第3条第3項第1号: the item keeps its 号 but its 項 moves down
    old, new = _scenario_documents("alpha", _insert_exception_paragraph)
    notes = {(r.new_label, r.old_label): r.note for r in build_notice(_record(), old, new).rows}
    assert notes[("第3条第3項第1号", "第3条第2項第1号")] == "番号の変更（項・号の番号の繰下げ、内容の変更なし）"
    assert notes[("第3条第3項第2号", "第3条第2項第2号")] == "番号の変更（項・号の番号の繰下げ、内容の変更なし）"  # 「本項第1号」 is unchanged
    assert notes[("第3条第3項", "第3条第2項")] == "番号の変更（項・号の番号の繰下げ、内容の変更なし）"


def test_a_caption_with_numbers_in_it_moves_by_its_article_number(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    # the last number of 第1条（目的（2024年改定）） is 2024 on both sides: the article number decides
    _edit(root / "terms" / "purpose.yaml", "caption: 目的", "caption: 目的（2024年改定）")
    old = compile_variant(load(root), "alpha")
    _edit(root / "terms" / "document.yaml", "articles: [purpose, fees", "articles: [fees, purpose")
    new = compile_variant(load(root), "alpha")
    notice = build_notice(_record(), old, new)
    assert [(a.heading, a.status) for a in notice.articles] == [("第1条（利用料金）", "繰上げ"), ("第2条（目的（2024年改定））", "繰下げ"),
                                                                   ("第3条（返金）", "参照の修正")]  # it cites 第1条第2項 now
    rows = {r.new_label: r.note for r in notice.rows}
    assert rows["第1条（利用料金）"] == "番号の変更（条番号の繰上げ、内容の変更なし）"
    assert rows["第2条（目的（2024年改定））"] == "番号の変更（条番号の繰下げ、内容の変更なし）"
    assert "第3条（返金）" not in rows  # did not move


def _table_unit(rows: tuple[tuple[str, ...], ...]) -> d.Unit:
    cells = (("作業時間", "作業費"), *rows)
    return d.Unit("appendix/x.y#table", "table", "", "別紙※1の表", "x-y", "\n".join(" | ".join(r) for r in cells), cells)


@pytest.mark.parametrize("old_row, new_row, note, where", [
    # a price column counts as a fee change even when the cell holds no amount
    (("60分未満", "要相談"), ("60分未満", "無料"), "料金の変更、別紙の変更", "作業費"),
    (("60分未満", "要相談"), ("90分未満", "無料"), "料金の変更、文言の変更、別紙の変更", "作業時間・作業費"),
    (("60分未満", "要相談"), ("90分未満", "要相談"), "文言の変更、別紙の変更", "作業時間"),
])
def test_a_table_cell_is_a_fee_change_by_its_column(old_row, new_row, note: str, where: str) -> None:
    old, new = _table_unit((old_row,)), _table_unit((new_row,))
    change = d.UnitChange(d.CHANGED, old, new, d.char_diff(old.text, new.text))
    result = d.DocumentDiff((), (change,))
    rows, tables = _rows(result)
    assert [r.note for r in rows] == [note]
    [article] = _articles(result, rows, tables)  # 「変更する条項」: the row and the columns that changed in it
    assert [(p.label, p.note) for p in article.parts] == [("別紙※1の表「" + new_row[0] + "」の行", where)]


def test_a_missing_table_filled_in_is_a_change_of_the_appendix(tmp_path: Path) -> None:
    # 別紙※1's table was missing from the source (as hiroshima-cci's UTM price table is) and is now filled in
    root = copy_project(MINI, tmp_path / "mini")
    alpha = root / "variants" / "alpha.yaml"
    _edit(alpha, '          columns: [作業時間, 作業費]\n          rows:\n            - ["60分未満", "16,500円"]\n',
          "          missing: 原本に表がありません。\n")
    old = compile_variant(load(root), "alpha")
    _edit(alpha, "          missing: 原本に表がありません。\n",
          '          columns: [作業時間, 作業費]\n          rows:\n            - ["60分未満", "16,500円"]\n')
    new = compile_variant(load(root), "alpha")
    notice = build_notice(_record(), old, new)
    [row] = notice.rows
    assert (row.new_label, row.old_label, row.new_table, row.old_table) == ("別紙※1の表", "別紙※1の表", None, None)
    assert "料金の変更" in row.kinds and row.kinds[-1] == "別紙の変更"  # a price appears; it is the 別紙
    assert "".join(p.text for p in row.new) == "作業時間 | 作業費\n60分未満 | 16,500円"
    [article] = notice.articles
    assert (article.heading, article.anchor, article.parts) == ("別紙※1の表", "fee-schedule-incident", ())
