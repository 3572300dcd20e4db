"""The diff's rules at their edges (kills the mutants of generator/changes/diff.py that the scenario tests let live).

Every expected value here is worked out by hand from the rule in diff.py's docstring:
- marks stay with their base character (combining marks, enclosing marks, variation selectors, ZWJ);
- an edit that could sit in several places (the inserted text repeats its surroundings) is slid to
  the best boundary: the edge of the text 6, a line break 5, after 。！？ 4, after 、，,）」』】 or before
  （「『【 3, a change of script 2, anything else 0 — scored on both sides of the edit; on a tie the
  rightmost place wins (diff_match_patch's semantic-lossless rule);
- more distinct tokens than the private-use area holds: a plain character diff.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.changes import diff as d


@pytest.mark.parametrize("text, expected", [
    ("あ\u20dd", ["あ\u20dd"]),  # enclosing circle: Me, combining class 0
    ("ก\u0e31", ["ก\u0e31"]),  # Thai vowel sign: Mn, combining class 0
    ("あ\U0001D165", ["あ\U0001D165"]),  # Mc with a combining class (216)
    ("葛\ufe00", ["葛\ufe00"]), ("葛\ufe0f", ["葛\ufe0f"]),  # both ends of the variation selectors
    ("葛\U000E0100", ["葛\U000E0100"]), ("葛\U000E01EF", ["葛\U000E01EF"]),  # ideographic variation selectors
    ("👨\u200d👩", ["👨\u200d", "👩"]),  # the zero width joiner stays with the emoji before it
    ("か\u200e", ["か", "\u200e"]),  # a left-to-right mark (Cf, not a joiner) is a character of its own
])
def test_marks_stay_with_the_character_before_them(text: str, expected: list[str]) -> None:
    assert d.tokens(text) == expected


@pytest.mark.parametrize("left, right, score", [
    ("", "あ", 6), ("あ", "", 6), ("", "", 6),  # the edge of the text
    ("本所\n", "料金", 5), ("本所", "\n料金", 5), ("本所\r", "料金", 5),  # a line break
    ("します。", "本所", 4), ("か！", "本所", 4), ("か？", "本所", 4),  # after the end of a sentence
    ("本所、", "料金", 3), ("本所，", "料金", 3), ("A,", "b", 3),  # after a comma
    ("（注）", "本所", 3), ("(注)", "本所", 3), ("「本所」", "は", 3), ("『本』", "は", 3), ("【注】", "は", 3),
    ("本所", "（注）", 3), ("本所", "(注)", 3), ("本所", "「注」", 3), ("本所", "『注』", 3), ("本所", "【注】", 3),
    ("料金", "は", 2), ("は", "料金", 2), ("UTM", "装置", 2), ("79", "円", 2), ("サービス", "は", 2),  # script changes
    ("料", "★", 2), ("あ", "★", 2), ("ア", "★", 2), ("7", "★", 2), ("A", "★", 2),  # each script against "other"
    ("「", "あ", 2), ("\ue000", "あ", 2),  # punctuation; a private-use 外字 (no Unicode name) is "other"
    ("本所", "X", 2), ("料金", "X料金", 2),  # a Latin letter is neither a line break nor a bracket
    ("料", "金", 0), ("は", "の", 0), ("ア", "イ", 0), ("1", "2", 0), ("AX", "Y", 0), ("★", "☆", 0),  # same script
    ("．", "［", 0), ("\ue000", "\ue001", 0),
])
def test_boundary_scores_follow_the_rule(left: str, right: str, score: int) -> None:
    assert d._score(left, right) == score


@pytest.mark.parametrize("old, new, shown", [
    # the repeated sentence goes to the edge of the text (6 + after 。 4) rather than after the first one (4 + 4)
    ("料金を払う。返金する。", "料金を払う。料金を払う。返金する。", "{+料金を払う。+}料金を払う。返金する。"),
    ("第3条による。", "第3条、第3条による。", "{+第3条、+}第3条による。"),  # edge 6 + after 、 3
    ("あいう\nかきく", "あいう\nあいう\nかきく", "{+あいう\n+}あいう\nかきく"),  # edge 6 + line break 5
    # between two commas (3 + 3) rather than at a script change (2 + 2) or inside a number (2 + 2)
    ("第2条、第3条による。", "第2条、第3条、第3条による。", "第2条、{+第3条、+}第3条による。"),
    # after は (script change 2, then 、 3) rather than after 本所 (2 + 2) or inside 本所 (0 + 0)
    ("お客様は本所に連絡する。", "お客様は本所、本所に連絡する。", "お客様は{+本所、+}本所に連絡する。"),
    # a tie (after 、 on both sides, twice): the rightmost place
    ("本所、料金、する。", "本所、料金、料金、する。", "本所、料金、{+料金、+}する。"),
    # the first edit cannot slide (nothing equal before it); the second one still does
    ("旧料金を払う。返金する。", "料金を払う。料金を払う。返金する。", "[-旧-]{+料金を払う。+}料金を払う。返金する。"),
    ("旧第2条、第3条による。", "第2条、第3条、第3条による。", "[-旧-]第2条、{+第3条、+}第3条による。"),
    ("本所は、料金を返金しません。", "本所は、返金しません。", "本所は、[-料金を-]返金しません。"),
    ("本所は、返金しません。", "本所は、料金を返金しません。", "本所は、{+料金を+}返金しません。"),
])
def test_an_edit_is_slid_to_the_best_boundary(old: str, new: str, shown: str) -> None:
    segments = d.char_diff(old, new)
    assert d.inline(segments) == shown
    assert d.apply(old, segments) == new


def test_a_deletion_is_a_delete_and_an_insertion_an_insert() -> None:
    assert [s.op for s in d.char_diff("本所は、料金を返金しません。", "本所は、返金しません。")] == [d.EQUAL, d.DELETE, d.EQUAL]
    assert [s.op for s in d.char_diff("本所は、返金しません。", "本所は、料金を返金しません。")] == [d.EQUAL, d.INSERT, d.EQUAL]
    assert [s.op for s in d.char_diff("料金", "代金")] == [d.REPLACE, d.EQUAL]
    assert d.char_diff("", "") == ()
    assert d.char_diff("", "新設") == (d.Segment(d.INSERT, "", "新設"),)
    assert d.char_diff("削除", "") == (d.Segment(d.DELETE, "削除", ""),)


@st.composite
def repeated(draw) -> tuple[str, str]:
    """A text and the same text with a stretch of itself copied in or cut out: edits that can slide."""
    text = draw(st.lists(st.sampled_from(["本所", "料金", "、", "。", "は", "を", "\n", "UTM", "79,200", "（注）", "「", "」"]),
                         min_size=1, max_size=12).map("".join))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text, text[:at] + text[start:end] + text[at:]
    return text, text[:start] + text[end:]


@settings(max_examples=300, deadline=None)
@given(repeated())
def test_slid_edits_still_rebuild_both_texts(pair: tuple[str, str]) -> None:
    old, new = pair
    segments = d.char_diff(old, new)
    assert d.apply(old, segments) == new
    assert "".join(s.old for s in segments) == old and "".join(s.new for s in segments) == new
    assert all(s.old or s.new for s in segments)  # no empty segment
    for s in segments:
        assert (s.op == d.EQUAL) == (s.old == s.new)
        assert s.op != d.DELETE or (s.old and not s.new)
        assert s.op != d.INSERT or (s.new and not s.old)
        assert s.op != d.REPLACE or (s.old and s.new)


def _numbers(count: int) -> tuple[str, str]:
    """`count` distinct numbers joined by 、 (count + 1 distinct tokens), and 12345 replaced by 12346 (no new token)."""
    old = "、".join(str(i) for i in range(count))
    return old, old.replace("、12345、12346、", "、12346、12346、")


@pytest.mark.parametrize("count, changed", [
    (64999, ("12345", "12346")),  # 65000 distinct tokens: still encoded, the number is one token
    (65000, ("5", "6")),  # 65001: too many for the private-use area, a plain character diff
])
def test_too_many_distinct_tokens_fall_back_to_characters(count: int, changed: tuple[str, str]) -> None:
    old, new = _numbers(count)
    segments = d.char_diff(old, new)
    assert [s.op for s in segments] == [d.EQUAL, d.REPLACE, d.EQUAL]
    assert (segments[1].old, segments[1].new) == changed
    assert d.apply(old, segments) == new


def test_the_character_fallback_keeps_deletions_and_insertions_apart() -> None:
    old, _ = _numbers(65000)
    new = old.replace("、12345、", "、").replace("、20000、", "、20000、X、")
    segments = d.char_diff(old, new)
    assert [s.op for s in segments if s.op != d.EQUAL] == [d.DELETE, d.INSERT]
    gone, came = (s for s in segments if s.op != d.EQUAL)  # where a plain character diff puts them is its own choice
    assert (len(gone.old), gone.new, len(came.new), came.old) == (len("12345、"), "", len("X、"), "") and "X" in came.new
    assert d.apply(old, segments) == new


def test_apply_says_where_the_segments_stop_fitting() -> None:
    with pytest.raises(ValueError, match=r"^segment does not match the old text at 2$"):
        d.apply("利用代金", d.char_diff("利用料金", "利用代金"))
    with pytest.raises(ValueError, match=r"^segments do not cover the old text$"):
        d.apply("利用料金です", d.char_diff("利用料金", "利用代金"))


def _unit(kind: str, text: str) -> d.Unit:
    return d.Unit("x", kind, "", "附則" if kind == "supplementary" else "第1条第1項", "x", text)


def test_only_the_supplementary_provision_has_date_only_changes() -> None:
    old, new = "この規約は、2022年7月25日から実施します。", "この規約は、2022年9月1日から実施します。"
    assert d._unit_status(_unit("supplementary", old), _unit("supplementary", new)) == d.DATES
    # the same date change in a clause changes what the clause says
    assert d._unit_status(_unit("paragraph", old), _unit("paragraph", new)) == d.CHANGED
    assert d._unit_status(_unit("supplementary", old), _unit("supplementary", new.replace("実施", "適用"))) == d.CHANGED


def test_no_change_is_said_in_one_line() -> None:
    assert d.format_diff(d.DocumentDiff((), ())) == "変更はありません（表記のゆれ・附則の日付を除く）。\n"
    dates = d.UnitChange(d.DATES, _unit("supplementary", "2022年7月25日"), _unit("supplementary", "2022年9月1日"))
    assert d.format_diff(d.DocumentDiff((), (dates,))) == "変更はありません（表記のゆれ・附則の日付を除く）。\n"
