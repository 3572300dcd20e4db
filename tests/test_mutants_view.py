"""The template variables (generator/render/_view.py) as docs/templates.md promises them (issue 18).

A reseller's own DOCX template may print any documented variable, so each key is a contract: a
renamed key breaks their template (R012) and a wrong value prints the wrong text. The expected
values are written by hand from tests/fixtures/mini and the documented meaning of each key; the
fixture gets a paragraph without text (号 only, then text after them), an appendix section
without a table and a table the source lacks, so every branch of the view is printed once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINI, copy_project
from generator.compile.pipeline import compile_variant, load
from generator.render._view import document_view

GAP = "この表は原本に記載がないため、掲載していません。"  # the customer-facing sentence for a missing table


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture  # per test, not per module: mutmut links a function to the tests that call it, setup included
def view(tmp_path: Path) -> dict:
    root = copy_project(MINI, tmp_path / "mini")
    _edit(root / "terms" / "fees.yaml", "  - id: no-refund\n",
          "  - id: methods\n    items:\n      - id: card\n        text: クレジットカード\n      - id: bank\n        text: 銀行振込\n"
          "    after: 手数料はお客様の負担とします。\n  - id: no-refund\n")
    _edit(root / "variants" / "alpha.yaml", "        notes: [※上限があります。]\n",
          "        notes: [※上限があります。]\n"
          "      - id: remote\n        mark: ※2\n        heading: 遠隔対応\n        text: 電話で対応します。\n"
          "      - id: onsite\n        mark: ※3\n        heading: 出張費\n        table:\n          columns: [地域, 費用]\n"
          "          missing: 原本に表がない（営業部に確認中）\n")
    return document_view(compile_variant(load(root), "alpha"))


def test_the_document_level_variables(view: dict) -> None:
    assert set(view) == {"variant", "service", "subtitle", "title", "provider", "self_ref", "edition", "edition_text",
                         "issued", "effective", "issued_text", "effective_text", "cover_line", "articles",
                         "supplementary", "appendices", "gaps", "head_left", "head_right"}
    assert (view["variant"], view["service"], view["subtitle"], view["title"]) == (
        "alpha", "テストサービス", "サービス利用規約", "テストサービス 利用規約")
    assert (view["provider"], view["self_ref"], view["edition"], view["edition_text"]) == ("アルファ商工会議所", "本所", 1, "第1版")
    assert (view["issued"], view["effective"]) == ("2022-07-25", "2022-07-25")
    assert view["issued_text"] == view["effective_text"] == "令和4年（2022年）7月25日"  # 2022 is 令和4年
    assert view["supplementary"] == ["この規約は、2022年7月25日から実施します。"]
    assert view["gaps"] == ["別紙※3（出張費）の表: 原本に表がない（営業部に確認中）"]
    # the running head: the title on the left, the provider and edition on the right (a full-width space between)
    assert (view["head_left"], view["head_right"]) == ("テストサービス 利用規約", "アルファ商工会議所　第1版")


def test_an_article_and_its_paragraphs(view: dict) -> None:
    purpose, fees, refunds, prohibited = view["articles"]
    assert set(fees) == {"id", "number", "label", "caption", "heading", "lead", "entries", "paragraphs"}
    assert (fees["id"], fees["number"], fees["label"], fees["caption"]) == ("fees", 2, "第2条", "利用料金")
    assert fees["heading"].startswith("第2条") and "利用料金" in fees["heading"]
    assert (fees["lead"], fees["entries"]) == ([], [])
    amount, methods, no_refund = fees["paragraphs"]
    assert set(amount) == {"path", "number", "label", "blocks", "first", "rest", "entries", "after"}
    assert (amount["path"], amount["number"]) == ("fees.amount", 1)
    assert amount["blocks"] == ["利用料金は年間79,200円とします。"] and amount["first"] == "利用料金は年間79,200円とします。"
    assert (amount["rest"], amount["entries"], amount["after"]) == ([], [], [])
    # a paragraph of 号 only: nothing printed before them, then the text after them
    assert (methods["path"], methods["number"], methods["blocks"], methods["first"], methods["rest"]) == (
        "fees.methods", 2, [], "", [])
    assert methods["after"] == ["手数料はお客様の負担とします。"]
    assert [(e["path"], e["number"], e["first"]) for e in methods["entries"]] == [
        ("fees.methods.card", 1, "クレジットカード"), ("fees.methods.bank", 2, "銀行振込")]
    assert no_refund["label"] != amount["label"] and no_refund["number"] == 3
    assert purpose["paragraphs"][0]["first"].startswith("本規約は、アルファ商工会議所（以下「本所」")


def test_an_entry_with_several_blocks(view: dict) -> None:
    broken = view["articles"][2]["paragraphs"][1]["entries"][0]
    assert set(broken) == {"path", "number", "label", "blocks", "first", "rest"}
    assert (broken["path"], broken["number"]) == ("refunds.exception.broken", 1)
    assert broken["blocks"] == ["装置が故障した場合", "補足のブロック"]
    assert (broken["first"], broken["rest"]) == ("装置が故障した場合", ["補足のブロック"])
    prohibited = view["articles"][3]
    assert prohibited["lead"] == ["お客様は、以下の行為を行わないものとします。"] and prohibited["paragraphs"] == []
    assert [e["path"] for e in prohibited["entries"]] == ["prohibited.illegal", "prohibited.resale"]


def test_appendix_sections_with_and_without_a_table(view: dict) -> None:
    (appendix,) = view["appendices"]
    assert set(appendix) == {"id", "title", "sections"}
    assert (appendix["id"], appendix["title"]) == ("fee-schedule", "料金表")
    incident, remote, onsite = appendix["sections"]
    assert set(incident) == {"id", "mark", "heading", "blocks", "table", "notes"}
    assert (incident["id"], incident["mark"], incident["heading"], incident["blocks"]) == ("incident", "※1", "駆け付け価格", [])
    assert incident["table"] == {"columns": ["作業時間", "作業費"], "rows": [["60分未満", "16,500円"]], "missing": ""}
    assert incident["notes"] == ["※上限があります。"]
    assert (remote["id"], remote["blocks"], remote["table"], remote["notes"]) == ("remote", ["電話で対応します。"], None, [])
    assert onsite["table"] == {"columns": ["地域", "費用"], "rows": [], "missing": GAP}
