"""What numbering reports about a placeholder it cannot fill: code, message, hint and the exact line:col.

In process (the CLI prints the same findings; tests/test_bad_input.py runs it): every message and hint
below is written out by hand from the rule it states. Positions are counted by hand in the files of
tests/numbering_project.py: in terms/a.yaml the text of 項 p1 starts at 5:12, of a.p2.i1 at 10:16;
in terms/b.yaml the lead at 3:8 and 号 x1 at 6:12; in terms/c.yaml the caption at 2:11 and 項 q1 at 5:12.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.source.errors import Finding
from numbering_project import VARIANT_HEAD, base_project, case_ids, findings, where, write_project

TERMS_HINT = "terms/document.yaml の parameters: に「zzz:」を説明（description）と型（type）つきで宣言し、各販売店の params に値を書いてください。"
REF_HINT = "ID のつづりを確認してください。オプションで外れた条項は参照できません。"
CAPTION_HINT = "条の ID を書いてください（見出しの中で見出しは参照できません）。"
FORM_HINT = "書式を外す（{ref:ID}）か、参照先を確認してください。"
SAME_PARAGRAPH = "「本項」の参照は同じ項の号にしか使えません。"
KNOWN = "{edition}, {effective}, {issued}, {member_fee}, {name}, {notice_days}, {self}, {start_day}"

CASES = [
    # (marker, text, code, message, hint, where)
    ("A1", "前{member_fe}後", "P001", "パラメータ「member_fe」はありません。", "「{member_fee}」の書き間違いではありませんか？", "terms/a.yaml:5:13"),
    ("A1", "{issue}", "P001", "パラメータ「issue」はありません。", "「{issued}」の書き間違いではありませんか？", "terms/a.yaml:5:12"),
    ("C1", "規約{zzz}", "P001", "パラメータ「zzz」は宣言されていません。", TERMS_HINT, "terms/c.yaml:5:14"),
    ("C1", "規約{zzz:西暦}", "P001", "パラメータ「zzz」は宣言されていません。", TERMS_HINT, "terms/c.yaml:5:14"),
    ("A2I1", "号の{ref:fes.s1}", "P002", "参照先「fes.s1」がありません（販売店 v）。", "「fees.s1」の書き間違いではありませんか？", "terms/a.yaml:10:18"),
    ("C1", "{ref:zzz}", "P002", "参照先「zzz」がありません（販売店 v）。", REF_HINT, "terms/c.yaml:5:12"),
    ("C1", "{ref:a.p22}", "P002", "参照先「a.p22」がありません（販売店 v）。", "「a.p2」の書き間違いではありませんか？", "terms/c.yaml:5:12"),
    ("C1", "「{caption:bb}」", "P002", "見出しの参照先「bb」がありません。", "「b」の書き間違いではありませんか？", "terms/c.yaml:5:13"),
    ("C1", "{caption:fee}", "P002", "見出しの参照先「fee」がありません。", CAPTION_HINT, "terms/c.yaml:5:12"),  # 別紙 fees: no caption
    ("C1", "{caption:fees}", "P002", "見出しの参照先「fees」がありません。", CAPTION_HINT, "terms/c.yaml:5:12"),
    ("C1", "{caption:fees.s1}", "P002", "見出しの参照先「fees.s1」がありません。", CAPTION_HINT, "terms/c.yaml:5:12"),
    ("C1", "{caption:a.p4}", "P002", "見出しの参照先「a.p4」がありません。", CAPTION_HINT, "terms/c.yaml:5:12"),
    ("CCAP", "{caption:a}の細則", "P002", "見出しの参照先「a」がありません。", CAPTION_HINT, "terms/c.yaml:2:11"),
    ("CCAP", "細則（{caption:b}）", "P002", "見出しの参照先「b」がありません。", CAPTION_HINT, "terms/c.yaml:2:14"),
    ("C1", "{ref:a.p1:本条}", "P003", "「本条」の参照は同じ条の中でしか使えません（参照先は第1条）。", FORM_HINT, "terms/c.yaml:5:12"),
    ("C1", "及び{ref:b.x2:項}", "P003", "「項」の参照は同じ条の中でしか使えません（参照先は第2条）。", FORM_HINT, "terms/c.yaml:5:14"),
    ("BX1", "{ref:a:本条}", "P003", "「本条」の参照は同じ条の中でしか使えません（参照先は第1条）。", FORM_HINT, "terms/b.yaml:6:12"),
    ("A1", "{ref:a.p2.i1:本項}", "P003", SAME_PARAGRAPH, FORM_HINT, "terms/a.yaml:5:12"),  # another 項 of the same 条
    ("A2I1", "{ref:a.p2:本項}", "P003", SAME_PARAGRAPH, FORM_HINT, "terms/a.yaml:10:16"),  # a 項, not a 号
    ("A2I1", "{ref:a:本項}", "P003", SAME_PARAGRAPH, FORM_HINT, "terms/a.yaml:10:16"),
    ("BX1", "{ref:b.x2:本項}", "P003", SAME_PARAGRAPH, FORM_HINT, "terms/b.yaml:6:12"),  # 号 of a 条 without 項
    ("BLEAD", "{ref:b.x1:本項}", "P003", SAME_PARAGRAPH, FORM_HINT, "terms/b.yaml:3:8"),
    ("C1", "{ref:a.p2.i1:本項}", "P003", SAME_PARAGRAPH, FORM_HINT, "terms/c.yaml:5:12"),
    ("A1", "あ{if medica}x{end}", "P004", "オプション「medica」は宣言されていません。", "「medical」の書き間違いではありませんか？", "terms/a.yaml:5:13"),
    ("A1", "{if zzz}x{end}", "P004", "オプション「zzz」は宣言されていません。",
     "terms/document.yaml の options に宣言するか、つづりを確認してください。", "terms/a.yaml:5:12"),
    ("A1", "{if not medical}号{member_fe}{end}", "P001", "パラメータ「member_fe」はありません。", "「{member_fee}」の書き間違いではありませんか？",
     "terms/a.yaml:5:29"),  # inside the branch the option selects
    ("A1", "前}後", "T002", "波括弧「{」「}」の対応がとれていません。",
     "差し込みは {名前} の形で書きます。波括弧を文字として使うことはできません。", "terms/a.yaml:5:13"),
    ("C1", "参照{ref:a.p1:前項}", "T004", "参照の書式「前項」は使えません。", "使える書式: 本条, 本項, 項", "terms/c.yaml:5:14"),
]


def _one(found: list[Finding]) -> Finding:
    assert len(found) == 1, [f.format() for f in found]
    return found[0]


@pytest.mark.parametrize(("marker", "text", "code", "message", "hint", "place"), CASES, ids=case_ids([c[2] for c in CASES], [c[1] for c in CASES]))
def test_a_placeholder_that_cannot_be_filled_is_reported_at_its_column(tmp_path: Path, marker, text, code, message, hint, place) -> None:
    f = _one(findings(base_project(tmp_path / "p", {marker: text})))
    assert (f.code, f.message, f.hint, where(f)) == (code, message, hint, place)


def test_a_declared_parameter_without_a_value_names_the_variant_file_and_the_declared_example(tmp_path: Path) -> None:
    root = base_project(tmp_path / "p", {"A1": "年{member_fee}円", "A3": "{start_day:西暦}から"}, variant="params: {}\n")
    fee, day = findings(root)
    assert (fee.code, fee.message, fee.hint, where(fee)) == (
        "P001", "パラメータ「member_fee」に値がありません（販売店 v）。",
        "variants/v.yaml の params: に「member_fee: 79200」を追加してください（会員の年間利用料金）。", "terms/a.yaml:5:13")
    # no example declared: the hint says 値 (and a date form on a date parameter is no mistake: the value is missing)
    assert (day.code, day.message, day.hint, where(day)) == (
        "P001", "パラメータ「start_day」に値がありません（販売店 v）。",
        "variants/v.yaml の params: に「start_day: 値」を追加してください（開始日）。", "terms/a.yaml:17:12")


@pytest.mark.parametrize(("text", "name"), [("{member_fee:西暦}円", "member_fee"), ("{self:西暦}", "self"), ("{edition:西暦}", "edition")],
                         ids=["member_fee", "self", "edition"])
def test_a_date_form_on_a_parameter_that_is_no_date_says_so(tmp_path: Path, text: str, name: str) -> None:
    """The value is there: the form is what is wrong, so the hint is not to add a value (or to declare a built-in)."""
    f = _one(findings(base_project(tmp_path / "p", {"A1": text})))
    assert (f.code, f.message, f.hint, where(f)) == (
        "T004", f"書式「西暦」は日付のパラメータにしか使えません（「{name}」は日付ではありません）。",
        f"「{{{name}}}」と書いてください（「:西暦」は type: date のパラメータと {{issued}}・{{effective}} に使えます）。",
        "terms/a.yaml:5:12")


def test_in_a_variant_an_unknown_parameter_or_option_lists_what_the_variant_may_use(tmp_path: Path) -> None:
    """A clerk editing a variant cannot declare parameters or options: the hint lists the ones there are."""
    document = ("options:\n  medical:\n    description: 医療\n  remote:\n    description: 遠隔\nparameters:\n"
                "  member_fee:\n    description: 会員の年間利用料金\n    type: yen\n  start_day:\n    description: 開始日\n    type: date\n")
    variant = ('params:\n  member_fee: 79200\n  start_day: "2025-01-06"\noverrides:\n  - replace: c.q1\n'
               '    text: "{zzz}を参照{if zzz}x{end}"\n    reason: 文言が違う\n')
    param, option = findings(base_project(tmp_path / "p", {}, document=document, variant=variant))
    assert (param.code, param.message, param.hint, where(param)) == (
        "P001", "パラメータ「zzz」はありません。", f"使えるパラメータ: {KNOWN}（新しいパラメータは共通文の管理者に相談してください）。",
        "variants/v.yaml:12:12")
    assert (option.code, option.message, option.hint, where(option)) == (
        "P004", "オプション「zzz」は宣言されていません。", "使えるオプション: medical, remote", "variants/v.yaml:12:20")


def test_a_stray_brace_is_found_on_its_line_even_in_a_folded_text(tmp_path: Path) -> None:
    """The position is found by searching the file for the 12 characters from the error on: in a text folded over
    two lines they must not run past the end of the line, or the search falls back to the start of the field."""
    article = "caption: 参照\nparagraphs:\n  - id: q1\n    text:\n      本文}abcdefghijk\n      続き\n"
    f = _one(findings(write_project(tmp_path / "p", {"c": article})))
    assert (f.code, where(f)) == ("T002", "terms/c.yaml:6:9")


APPENDIX_VARIANT = VARIANT_HEAD + """params:
  member_fee: 79200
appendices:
  - id: fees
    sections:
      - id: s1
        mark: ※1
        text: "本文{zz}"
        heading: "見出し{zz}"
        table:
          rows:
            - [駆け付け, "{zz}円"]
          columns: [作業, "{zz}"]
        notes: ["※注{zz}"]
      - id: s2
        mark: ※2
        heading: 設置
        text:
          - 一つ目
          - "二つ目{zz}"
          - {id: third, text: "三つ目{zz}"}
        table:
          columns: ["{zz}", 乙]
          rows:
            - [丙, "{zz}"]
    title: "料金表{zz}"
"""


def test_every_text_of_an_appendix_is_checked_at_its_own_line(tmp_path: Path) -> None:
    """The same bad placeholder in every field, in an order where a field's parent position is followed by another
    field's placeholder (title after the sections, heading after the text, rows before columns and after them): each
    finding must point at its own field."""
    root = base_project(tmp_path / "p", {}, variant=APPENDIX_VARIANT[len(VARIANT_HEAD):])
    found = findings(root)
    assert [where(f) for f in found] == [
        "variants/v.yaml:14:18", "variants/v.yaml:19:26", "variants/v.yaml:18:23", "variants/v.yaml:20:20",
        "variants/v.yaml:15:22", "variants/v.yaml:26:17", "variants/v.yaml:27:35", "variants/v.yaml:29:22",
        "variants/v.yaml:31:20", "variants/v.yaml:32:16"]  # per section: blocks, table columns, cells, notes, heading; the title last
    assert {(f.code, f.message) for f in found} == {("P001", "パラメータ「zz」はありません。")}


def test_shared_appendices_are_checked_in_the_document_file_in_their_order(tmp_path: Path) -> None:
    document = ("parameters:\n  member_fee:\n    description: 会員の年間利用料金\n    type: yen\nappendices:\n"
                "  - id: one\n    title: 別表{zz}\n  - id: two\n    title: 別表{zz}\n")
    variant = 'params:\n  member_fee: 79200\nappendices:\n  - id: own\n    title: "独自{zz}"\n'
    found = findings(base_project(tmp_path / "p", {}, document=document, variant=variant))
    # document.yaml: 5 lines of head (service … supplementary), then the lines above
    assert [where(f) for f in found] == ["terms/document.yaml:12:14", "terms/document.yaml:14:14", "variants/v.yaml:11:15"]
    assert [f.message for f in found] == ["パラメータ「zz」は宣言されていません。"] * 2 + ["パラメータ「zz」はありません。"]


def test_document_texts_are_checked_at_their_own_keys(tmp_path: Path) -> None:
    """service, subtitle, title and every block of 附則 go through the same placeholder language."""
    root = base_project(tmp_path / "p", {}, supplementary='\n  - 前文{zz}\n  - {id: last, text: "実施{zz}"}')
    (root / "terms" / "document.yaml").write_text(
        (root / "terms" / "document.yaml").read_text(encoding="utf-8").replace("title: U", "title: U{zz}"), encoding="utf-8")
    found = findings(root)
    assert [where(f) for f in found] == ["terms/document.yaml:6:7", "terms/document.yaml:7:25", "terms/document.yaml:3:9"]


def test_a_one_line_supplementary_and_every_title_are_located_at_their_own_key(tmp_path: Path) -> None:
    root = base_project(tmp_path / "p", {}, supplementary="附則{zz}")
    doc_file = root / "terms" / "document.yaml"
    doc_file.write_text(doc_file.read_text(encoding="utf-8").replace("service: S", "service: S{zz}")
                        .replace("title: U", "title: U{zz}"), encoding="utf-8")
    assert [where(f) for f in findings(root)] == ["terms/document.yaml:5:18", "terms/document.yaml:1:11", "terms/document.yaml:3:9"]


def test_a_bad_placeholder_in_a_caption_fails_where_the_caption_is_written(tmp_path: Path) -> None:
    """{caption:c} elsewhere renders the same caption again: the build still fails cleanly (no crash), and the
    finding at the caption itself is among those reported."""
    found = findings(base_project(tmp_path / "p", {"CCAP": "{zz}への届出", "A1": "{caption:c}"}))
    assert {f.code for f in found} == {"P001"}
    assert "terms/c.yaml:2:11" in [where(f) for f in found]
