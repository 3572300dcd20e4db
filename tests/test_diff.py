"""Diff: aligned by id path (renumbering is renumbering), by character inside changed text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINI, copy_project
from generator.changes import diff as d
from generator.compile.pipeline import compile_variant, load

# Japanese clause text: kana, kanji, a rare kanji outside the BMP, combining marks, CRLF, brackets of both widths.
ATOMS = st.one_of(
    st.sampled_from(list("あいうえおかきくけこっゃアイウエオヴ漢字規約料金返金𠮷髙々ー、。「」（）()・～〜")),
    st.sampled_from(["か\u3099", "\u3099", "\u309a", "葛\U000E0100", "\r\n", "\n", " ", "　", "79,200", "UTM", "サービス"]),
    st.characters(codec="utf-8", categories=["Lo", "Mn", "Nd", "Po", "Ps", "Pe", "Zs"]),
)
TEXT = st.lists(ATOMS, max_size=40).map("".join)


@st.composite
def edited(draw) -> tuple[str, str]:
    """A text and a random edit of it: insertions, deletions and replacements at random places."""
    text = draw(TEXT)
    new = text
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        start = draw(st.integers(min_value=0, max_value=len(new)))
        end = draw(st.integers(min_value=start, max_value=min(len(new), start + 8)))
        new = new[:start] + draw(TEXT.filter(lambda t: len(t) < 10)) + new[end:]
    return text, new


@settings(max_examples=400, deadline=None)
@given(edited())
def test_applying_the_diff_to_the_old_text_gives_the_new_text(pair: tuple[str, str]) -> None:
    old, new = pair
    segments = d.char_diff(old, new)
    assert d.apply(old, segments) == new
    assert "".join(s.old for s in segments) == old
    assert "".join(s.new for s in segments) == new
    # every segment says truthfully whether it changes anything
    for s in segments:
        assert (s.op == d.EQUAL) == (s.old == s.new)


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_a_text_against_itself_has_no_change(text: str) -> None:
    assert all(s.op == d.EQUAL for s in d.char_diff(text, text))


def test_apply_refuses_segments_of_another_text() -> None:
    with pytest.raises(ValueError):
        d.apply("別の文", d.char_diff("利用料金", "利用代金"))


@pytest.mark.parametrize("old, new, shown", [
    ("利用料金は年間79,200円とします。", "利用料金は年間88,000円とします。", "利用料金は年間[-79,200-]{+88,000+}円とします。"),
    ("本所は、料金を返金しません。", "本所は、一度お支払い頂いた料金を返金しません。", "本所は、{+一度お支払い頂いた+}料金を返金しません。"),
    ("UTM装置を設置するものとします。", "UTM装置を設置・設定するものとします。", "UTM装置を設置{+・設定+}するものとします。"),
    ("サーバーに接続します。", "サービスに接続します。", "[-サーバー-]{+サービス+}に接続します。"),
])
def test_changes_are_shown_in_whole_words_where_japanese_has_them(old: str, new: str, shown: str) -> None:
    assert d.inline(d.char_diff(old, new)) == shown


def test_combining_marks_and_variation_selectors_stay_with_their_base() -> None:
    assert d.tokens("か\u3099葛\U000E0100") == ["か\u3099", "葛\U000E0100"]
    for seg in d.char_diff("か\u3099き", "かき"):
        assert not seg.old.startswith("\u3099") and not seg.new.startswith("\u3099")


def test_typographic_noise_is_not_a_change_but_the_real_text_is_kept() -> None:
    segments = d.char_diff("第 13 条（目的）に従う", "第13条(目的)に従う")
    assert {s.op for s in segments} <= {d.EQUAL, d.NOISE}
    assert d.apply("第 13 条（目的）に従う", segments) == "第13条(目的)に従う"
    mixed = d.char_diff("お客様は（1）に従う", "お客様は(1)に従うものとします。")
    assert [s.op for s in mixed if s.op not in (d.EQUAL, d.NOISE)] == [d.INSERT]


def _with_new_article(root: Path) -> None:
    (root / "terms" / "contact.yaml").write_text(
        "id: contact\ncaption: 連絡先\nparagraphs:\n  - id: mail\n    text: 連絡は電子メールで行います。\n", encoding="utf-8")
    doc = root / "terms" / "document.yaml"
    doc.write_text(doc.read_text(encoding="utf-8").replace("articles: [purpose, fees", "articles: [purpose, contact, fees"), encoding="utf-8")


def test_inserting_an_article_is_one_new_article_and_renumbering(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    old = compile_variant(load(root), "beta")
    _with_new_article(root)
    new = compile_variant(load(root), "beta")
    result = d.diff(old, new)
    statuses = {a.id: a.status for a in result.articles}
    assert statuses == {"contact": d.ADDED, "fees": d.RENUMBERED, "refunds": d.RENUMBERED, "prohibited": d.RENUMBERED}
    assert not [u for u in result.units if u.status == d.CHANGED]
    refunds = next(a for a in result.articles if a.id == "refunds")
    assert (refunds.old_number, refunds.new_number, refunds.references) == (3, 4, True)  # 第2条第3項 → 第3条第3項 inside
    reference = next(u for u in result.units if u.status == d.REFERENCES)
    assert d.inline(reference.segments).count("[-") == 1
    text = d.format_diff(result)
    assert "第2条（連絡先）  新設" in text and "第3条 → 第4条（返金）  繰下げ" in text


def test_inserting_a_paragraph_renumbers_the_later_ones_of_that_article(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    old = compile_variant(load(root), "alpha")
    fees = root / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace(
        "  - id: medical\n", "  - id: due\n    text: 料金は前払いとします。\n  - id: medical\n"), encoding="utf-8")
    new = compile_variant(load(root), "alpha")
    result = d.diff(old, new)
    # 返金 refers to the moved paragraph (第2条第2項 → 第2条第3項): only its reference number changes
    assert [(a.id, a.status) for a in result.articles] == [("fees", d.CHANGED), ("refunds", d.REFERENCES)]
    moved = [u for u in result.units if u.status == d.RENUMBERED]
    assert [(u.old.label, u.new.label) for u in moved] == [("第2条第2項", "第2条第3項")]
    assert [u.new.path for u in result.units if u.status == d.ADDED] == ["fees.due"]


def test_removed_units_stay_where_they_were() -> None:
    assert d._in_order(["a", "b", "c", "d"], ["a", "x", "c", "d"]) == ["a", "b", "x", "c", "d"]
    assert d._in_order(["z", "a"], ["a"]) == ["z", "a"]


def test_noise_only_edit_and_identical_documents_are_empty(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    old = compile_variant(load(root), "alpha")
    assert d.diff(old, old).empty
    purpose = root / "terms" / "purpose.yaml"
    purpose.write_text(purpose.read_text(encoding="utf-8").replace("（以下", "(以下").replace("。）", "。)"), encoding="utf-8")
    new = compile_variant(load(root), "alpha")
    assert new.articles[0].paragraphs[0].blocks != old.articles[0].paragraphs[0].blocks
    assert d.diff(old, new).empty
    assert "変更はありません" in d.format_diff(d.diff(old, new))


def _insert_article(root: Path) -> None:
    _with_new_article(root)


def _insert_paragraph(root: Path) -> None:
    fees = root / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace(
        "  - id: medical\n", "  - id: due\n    text: 料金は前払いとします。\n  - id: medical\n"), encoding="utf-8")


def _insert_item(root: Path) -> None:
    refunds = root / "terms" / "refunds.yaml"
    refunds.write_text(refunds.read_text(encoding="utf-8").replace(
        "      - id: broken\n", "      - id: lost\n        text: 装置を紛失した場合\n      - id: broken\n"), encoding="utf-8")


@pytest.mark.parametrize("insert, unit, old_ref, new_ref", [
    (_insert_article, "refunds.rule", "第2条第2項", "第3条第2項"),  # 条: an article before 料金
    (_insert_paragraph, "refunds.rule", "第2条第2項", "第2条第3項"),  # 項: a paragraph before 返金しません
    (_insert_item, "refunds.exception.moved", "第1号", "第2号"),  # 号: an item before 故障した場合
])
def test_a_renumbered_reference_is_a_reference_change_not_a_rewrite(tmp_path: Path, insert, unit: str,
                                                                     old_ref: str, new_ref: str) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    old = compile_variant(load(root), "alpha")
    insert(root)
    new = compile_variant(load(root), "alpha")
    result = d.diff(old, new)
    by_path = {u.unit.path: u for u in result.units}
    change = by_path[unit]
    assert change.status == d.REFERENCES, d.format_diff(result)
    assert old_ref in change.old.text and new_ref in change.new.text
    assert [u.unit.path for u in result.units if u.status == d.CHANGED] == []  # nothing reads as rewritten
    refunds = next(a for a in result.articles if a.id == "refunds")
    assert refunds.references
    assert "参照番号の変更" in d.format_diff(result)
