"""The placeholder language of clause text (generator/compile/_placeholders.py): tokens and refusals, exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.compile._placeholders import Caption, Cond, Literal, Param, PlaceholderError, Ref, parse, walk


@pytest.mark.parametrize("text, tokens", [
    ("", ()),
    ("本文のみ", (Literal("本文のみ"),)),
    ("{self}は", (Param("self", None, 0), Literal("は"))),
    ("実施日 {effective:西暦}", (Literal("実施日 "), Param("effective", "西暦", 4))),
    ("{ref:fees.no-refund}", (Ref("fees.no-refund", None, 0),)),
    ("a{ref:refunds.exception:本条}b", (Literal("a"), Ref("refunds.exception", "本条", 1), Literal("b"))),
    ("{ref:x.y.z:本項}", (Ref("x.y.z", "本項", 0),)),
    ("{ref:x:項}", (Ref("x", "項", 0),)),
    ("{caption:fees}", (Caption("fees", 0),)),
    ("{ self }", (Param("self", None, 0),)),  # spaces inside the braces do not matter
    ("前{if medical}医療{end}後", (Literal("前"), Cond("medical", False, (Literal("医療"),), (), 1), Literal("後"))),
    ("{if not medical}A{else}B{end}", (Cond("medical", True, (Literal("A"),), (Literal("B"),), 0),)),
    ("{if a}{if b}x{end}{end}", (Cond("a", False, (Cond("b", False, (Literal("x"),), (), 6),), (), 0),)),
    ("{if a}{else}{end}", (Cond("a", False, (), (), 0),)),
    ("{if  a}x{end}", (Cond("a", False, (Literal("x"),), (), 0),)),
    ("{if a}x{else}{if b}y{end}{end}", (Cond("a", False, (Literal("x"),), (Cond("b", False, (Literal("y"),), (), 13),), 0),)),
    ("{if a}{else}{if b}x{else}y{end}{end}",
     (Cond("a", False, (), (Cond("b", False, (Literal("x"),), (Literal("y"),), 12),), 0),)),
])
def test_tokens(text: str, tokens: tuple) -> None:
    assert parse(text) == tokens


T002 = ("波括弧「{」「}」の対応がとれていません。", "差し込みは {名前} の形で書きます。波括弧を文字として使うことはできません。")


@pytest.mark.parametrize("text, code, offset, message, hint", [
    ("{{ 7*7 }}", "T001", 0, "本文にテンプレートコード（{{ }} や {% %}）が含まれています。",
     "本文はデータとして扱われ、コードは実行されません。差し込みは {self} や {ref:ID} の形で書いてください。"),
    ("あ{% if x %}", "T001", 1, None, None),
    ("あい{# c #}", "T001", 2, None, None),
    ("x}}", "T001", 1, None, None),
    ("x %}", "T001", 2, None, None),
    ("あ}い{self}", "T002", 1, *T002),
    ("あ{い{self}", "T002", 1, *T002),
    ("X}{self}", "T002", 1, *T002),
    ("{self}X}", "T002", 7, *T002),
    ("x{{a}} y{{b}}", "T001", 1, None, None),  # the first template code is shown
    ("{if a}{if b}x", "T003", 6, "{if …} が {end} で閉じられていません。", None),  # the innermost unclosed if
    ("{self}あ{い", "T002", 7, *T002),
    ("{self}あ}", "T002", 7, *T002),
    ("あいう{end}", "T003", 3, "{end} に対応する {if …} がありません。", "{if オプション名}…{end} の形で書いてください。"),
    ("あ{else}", "T003", 1, "{else} に対応する {if …} がありません。", "{if オプション名}…{else}…{end} の形で書いてください。"),
    ("{if a}x{else}y{else}z{end}", "T003", 14, "{else} に対応する {if …} がありません。", None),
    ("前{if a}x", "T003", 1, "{if …} が {end} で閉じられていません。", "条件の終わりに {end} を書いてください。"),
    ("{ref:fees:第1項}", "T004", 0, "参照の書式「第1項」は使えません。", "使える書式: 本条, 本項, 項"),
    ("あ{effective:和暦}", "T004", 1, "書式「和暦」は使えません。", "使える書式: 西暦"),
    ("{Self}", "T005", 0, "差し込み「{Self}」は使えません。",
     "使えるのは {パラメータ名}、{ref:ID}、{caption:ID}、{if オプション}…{end} です。"),
    ("{ref:Fees}", "T004", 0, "書式「Fees」は使えません。", None),  # read as a parameter named ref
    ("{caption:fees:x}", "T004", 0, "書式「fees:x」は使えません。", None),
    ("{if a b}x{end}", "T005", 0, None, None),
    ("{}", "T005", 0, None, None),
])
def test_refusals(text: str, code: str, offset: int, message: str | None, hint: str | None) -> None:
    with pytest.raises(PlaceholderError) as info:
        parse(text)
    assert (info.value.code, info.value.offset) == (code, offset)
    if message is not None:
        assert info.value.message == message and str(info.value) == message
    if hint is not None:
        assert info.value.hint == hint


def test_walk_visits_both_branches_depth_first() -> None:
    tokens = parse("{a}{if x}{b}{if y}{c}{end}{else}{d}{end}{e}")
    names = [t.name if isinstance(t, Param) else type(t).__name__ for t in walk(tokens)]
    assert names == ["a", "Cond", "b", "Cond", "c", "d", "e"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("あい漢字、。") + ["A", " "]), max_size=30))
def test_text_without_braces_is_one_literal(text: str) -> None:
    assert parse(text) == ((Literal(text),) if text else ())
