"""（略）in the 新旧対照表: properties any elision rule must keep, not today's cut positions.

Whatever the rule (a fixed number of characters, or sentence and clause boundaries), each side
of a row must read as its real text with stretches left out: the kept pieces appear in order,
never overlap, never repeat text, every left-out stretch is non-empty and behind a （略）, and
every change is shown whole.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.changes import diff as d
from generator.changes import _elide as n  # the （略） rule (issue 13 moved it out of notice.py)

WORDS = st.sampled_from(["お客様", "本所", "本サービス", "利用料金", "UTM装置", "79,200円", "の", "は", "に", "を",
                         "、", "。", "（以下「本規約」といいます。）", "「", "」", "一切の関係", "との間の", "第3条第2項",
                         "適用されます", "返金します", "あ", "い"])
SENTENCE = st.lists(WORDS, min_size=0, max_size=30).map("".join)


@st.composite
def edited(draw) -> tuple[str, str]:
    text = draw(SENTENCE)
    new = text
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        start = draw(st.integers(min_value=0, max_value=len(new)))
        end = draw(st.integers(min_value=start, max_value=min(len(new), start + 6)))
        new = new[:start] + draw(st.lists(WORDS, max_size=3).map("".join)) + new[end:]
    return text, new


def _reads_as(pieces: tuple[n.Piece, ...], full: str) -> None:
    """The pieces are `full` with non-empty stretches replaced by （略）, kept pieces in order, no overlap."""
    pattern, previous_elided = "", False
    for piece in pieces:
        if piece.text == n.ELIDED and not piece.changed:
            assert not previous_elided, "two （略） in a row"
            pattern += "(.+)"
            previous_elided = True
        else:
            pattern += re.escape(piece.text)
            previous_elided = False
    assert re.fullmatch(pattern, full, re.S), (pieces, full)


def _check(old: str, new: str) -> None:
    segments = d.char_diff(old, new)
    new_side, old_side = n.sides(segments)
    _reads_as(new_side, "".join(s.new for s in segments))
    _reads_as(old_side, "".join(s.old for s in segments))
    # every change is shown in full and marked
    assert [p.text for p in new_side if p.changed] == [s.new for s in segments if s.op in (d.INSERT, d.REPLACE)]
    assert [p.text for p in old_side if p.changed] == [s.old for s in segments if s.op in (d.DELETE, d.REPLACE)]


LONG = "本規約は、本所とお客様との間の本サービスの利用に関わる一切の関係に適用されます。"


@settings(max_examples=300, deadline=None)
@given(edited())
@example((LONG, LONG.replace("本所", "当所")))
@example((LONG + LONG, LONG + "お客様は、" + LONG))
@example(("お客様は" + LONG + "本所は" + LONG, "お客様は" + LONG + "当所は" + LONG))
def test_elided_rows_read_as_the_real_text(pair: tuple[str, str]) -> None:
    _check(*pair)


def test_unchanged_text_between_two_changes_is_never_shown_twice() -> None:
    # the example: halving the threshold printed 「…関係に（略）の間の一切の関係に…」
    for middle in (LONG[:20], LONG[:30], LONG, LONG * 2):
        old = "甲" + middle + "乙"
        new = "丙" + middle + "丁"
        new_side, _ = n.sides(d.char_diff(old, new))
        kept = [p.text for p in new_side if not p.changed and p.text != n.ELIDED]
        assert sum(map(len, kept)) <= len(middle)
        _reads_as(new_side, new)


def test_a_short_unchanged_stretch_is_kept_whole() -> None:
    new_side, old_side = n.sides(d.char_diff("料金は79,200円です。", "料金は88,000円です。"))
    assert n.ELIDED not in [p.text for p in new_side + old_side]


def test_a_long_unchanged_stretch_is_elided() -> None:
    old, new = LONG * 3 + "79,200円", LONG * 3 + "88,000円"
    new_side, _ = n.sides(d.char_diff(old, new))
    assert [p.text for p in new_side].count(n.ELIDED) == 1
    assert sum(len(p.text) for p in new_side) < len(new) // 2
