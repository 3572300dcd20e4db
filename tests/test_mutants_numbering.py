"""Built-in parameters and the numbered document as a whole (generator/compile/numbering.py), found by mutation testing.

{edition}, {notice_days}, {issued}, {effective} (和暦 with the western year in brackets by default, :西暦 on request) and {name}
are filled from the variant file in process, with values written out here by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numbering_project
from conftest import MINI, copy_project
from generator.compile.numbering import GAP_NOTICE
from generator.compile.pipeline import compile_variant, load
from generator.render.text import render_text

CLAUSE = ("版{edition}・予告{notice_days}日・公表{issued}・公表西暦{issued:西暦}・実施{effective}・実施西暦{effective:西暦}・"
          "名{name}")


def test_builtin_parameters_are_filled_from_the_variant(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    purpose = root / "terms" / "purpose.yaml"
    purpose.write_text(purpose.read_text(encoding="utf-8").replace(
        "text: 本規約は、", f"text: {CLAUSE}。本規約は、"), encoding="utf-8")
    variant = root / "variants" / "alpha.yaml"
    text = variant.read_text(encoding="utf-8")
    text = text.replace("edition: 1\n", "edition: 3\nnotice_days: 45\n")
    text = text.replace('issued: "2022-07-25"', 'issued: "2024-04-01"').replace('effective: "2022-07-25"', 'effective: "2024-05-20"')
    variant.write_text(text, encoding="utf-8")
    rendered = render_text(compile_variant(load(root), "alpha"))
    assert ("版3・予告45日・公表令和6年（2024年）4月1日・公表西暦2024年4月1日・実施令和6年（2024年）5月20日・実施西暦2024年5月20日・"
            "名アルファ商工会議所。") in rendered, rendered[:400]


# --- the numbered document as a whole (tests/numbering_project.py: 第1条 a, 第2条 b with 号 only, 第3条 c) -----------------

def test_the_document_carries_the_variants_fields_and_both_dates(tmp_path: Path) -> None:
    doc = numbering_project.compiled(numbering_project.base_project(tmp_path / "p", {}))
    assert (doc.variant_id, doc.provider, doc.self_ref, doc.edition) == ("v", "名商事株式会社", "当社", 2)
    assert (doc.issued, doc.effective) == (dt.date(2024, 4, 1), dt.date(2024, 5, 20))
    assert (doc.issued_text, doc.effective_text) == ("令和6年（2024年）4月1日", "令和6年（2024年）5月20日")
    assert [(a.id, a.number, a.caption) for a in doc.articles] == [("a", 1, "定義"), ("b", 2, "禁止事項"), ("c", 3, "CCAP")]
    assert doc.gaps == ()


def test_structure_numbers_and_references_outside_paragraphs(tmp_path: Path) -> None:
    """References work in a lead, in 号 directly under a 条, after the 号 of a 項, in the titles and in 附則."""
    root = numbering_project.base_project(
        tmp_path / "p", {"BLEAD": "{ref:b.x2:本条}に注意", "BX1": "{ref:b.x2:項}まで", "A2AFTER": "{ref:c.q1}も同じ"},
        supplementary='\n  - この規約は、{effective:西暦}から実施します。\n  - {id: old, text: "{ref:a.p3}は{issued}から"}')
    doc_file = root / "terms" / "document.yaml"
    doc_file.write_text(doc_file.read_text(encoding="utf-8").replace("service: S", "service: S（{ref:c}）")
                        .replace("subtitle: T", "subtitle: '{name}版'").replace("title: U", "title: U{edition}"), encoding="utf-8")
    doc = numbering_project.compiled(root)
    b = doc.article("b")
    assert b.lead == ("本条第2号に注意",) and b.paragraphs == ()
    assert [(i.path, i.number, i.blocks) for i in b.items] == [("b.x1", 1, ("第2号まで",)), ("b.x2", 2, ("BX2",))]
    a = doc.article("a")
    assert a.items == ()
    assert [(p.path, p.number) for p in a.paragraphs] == [("a.p1", 1), ("a.p2", 2), ("a.p3", 3)]
    assert [(i.path, i.number) for i in a.paragraphs[1].items] == [("a.p2.i1", 1), ("a.p2.i2", 2), ("a.p2.i3", 3)]
    assert a.paragraphs[1].after == ("第3条第1項も同じ",)
    assert (doc.service, doc.subtitle, doc.title) == ("S（第3条）", "名商事株式会社版", "U2")
    assert doc.supplementary == ("この規約は、2024年5月20日から実施します。", "第1条第3項は令和6年（2024年）4月1日から")


APPENDIX = """appendices:
  - id: fees
    title: 料金表（{name}）
    sections:
      - id: s1
        mark: ※1
        heading: 駆け付け
        text: "{self}の料金は次のとおりです。"
        table:
          columns: [作業, 料金]
          rows:
            - [訪問, "{member_fee}円"]
        notes: ["※{ref:a.p1}による。"]
      - id: s2
        mark: ※2
        heading: 設置
        text:
          - 一つ目
          - {id: second, text: 二つ目}
        table:
          missing: 原本に表がない（販売店に確認中）
"""


def test_an_appendix_is_numbered_and_filled_like_the_clauses(tmp_path: Path) -> None:
    """Every text of an appendix goes through the placeholders; a section whose table is missing from the source
    prints a fixed notice instead of the table and is listed among the gaps (the reason itself is not printed)."""
    variant = "params:\n  member_fee: 79200\n" + APPENDIX
    doc = numbering_project.compiled(numbering_project.base_project(tmp_path / "p", {}, variant=variant))
    (fees,) = doc.appendices
    assert (fees.id, fees.title) == ("fees", "料金表（名商事株式会社）")
    s1, s2 = fees.sections
    assert (s1.id, s1.mark, s1.heading, s1.blocks, s1.notes) == ("s1", "※1", "駆け付け", ("当社の料金は次のとおりです。",), ("※第1条第1項による。",))
    assert (s1.table.columns, s1.table.rows, s1.table.missing) == (("作業", "料金"), (("訪問", "79,200円"),), None)
    assert s2.blocks == ("一つ目", "二つ目")
    assert (s2.table.columns, s2.table.rows, s2.table.missing) == ((), (), GAP_NOTICE)
    assert doc.gaps == ("別紙※2（設置）の表: 原本に表がない（販売店に確認中）",)


def test_a_section_without_a_table_has_none(tmp_path: Path) -> None:
    doc = numbering_project.compiled(numbering_project.base_project(tmp_path / "p", {}))
    assert [s.table for s in doc.appendices[0].sections] == [None, None]
