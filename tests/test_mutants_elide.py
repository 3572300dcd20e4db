"""The （略） rule at its exact edges (generator/_elide.py), tables worked out by hand from its spec.

CONTEXT = 16 characters kept next to a change, at least 4; a cut at least MIN_CUT = 12 long; a run
of at most 2 * CONTEXT + len("（略）") = 35 characters is never cut; among the allowed cuts the one
whose kept context is closest to CONTEXT (0 at a cell edge) wins, the earliest on a tie. Written
for the mutants the property tests (test_elide.py, test_elision.py) could not tell apart.
"""

from __future__ import annotations

import pytest

from generator.changes._elide import ELIDED, Piece, _side_pieces, best_cut, boundaries, sides
from generator.changes.diff import char_diff

UNIT = "あいうえお、"  # boundaries after every 6th character


@pytest.mark.parametrize("text, start, end, open_start, open_end, expected", [
    ("あい、うえ。", 0, 6, False, False, [3, 6]),  # the last character is a boundary; nothing before start
    ("あい、うえ。", 3, 6, False, False, [6]),  # a boundary before start is not in the stretch
    ("、あい", 0, 3, False, False, [1]),  # right after the first character
    ("あい、うえ", 0, 5, True, False, [0, 3]),  # an open start comes first
    ("あい、うえ", 0, 5, False, False, [3]),  # a closed end is no boundary
    ("あい、うえ", 0, 5, False, True, [3, 5]),  # an open end is
    ("あいうえ", 0, 4, False, True, [4]),
    ("あい。", 0, 3, False, True, [3]),  # an open end that is a boundary anyway is listed once
])
def test_boundaries(text: str, start: int, end: int, open_start: bool, open_end: bool, expected: list[int]) -> None:
    assert boundaries(text, start, end, open_start, open_end) == expected


PREFIX = "前" * 10
SPREAD = PREFIX + "い" * 5 + "、" + "い" * 9 + "、" + "い" * 11 + "、" + "い" * 16  # boundaries 16, 26, 38; end 54
TIE = "い" * 13 + "、" + "いいい" + "、" + "い" * 17 + "、" + "い" * 16  # boundaries 14, 18, 36; end 52


@pytest.mark.parametrize("text, start, end, open_start, open_end, expected", [
    (UNIT * 5 + "あ", 0, 31, True, True, (0, 31)),  # both edges open: the whole stretch
    ("、" + "い" * 12 + "、", 0, 14, True, True, (0, 14)),  # from the open edge, not the boundary after it
    ("い" * 12 + "、" + "あ", 0, 14, True, True, (0, 14)),  # to the open edge, not the boundary before it
    ("い" * 11 + "、", 0, 12, True, True, (0, 12)),  # exactly MIN_CUT long
    ("い" * 11 + "、", 0, 11, True, True, None),  # one shorter
    ("ＸＸＸＸあ、" + "い" * 12 + "、うううう", 4, 23, False, False, None),  # 2 characters of context: too few
    ("あいう、" + "い" * 12 + "、うううう", 0, 21, False, False, (4, 17)),  # exactly 4 before and after
    ("あ、いい、" + "う" * 12 + "、ええええ", 0, 22, False, False, (5, 18)),  # a start too close is skipped, the next tried
    ("うううう、" + "い" * 12 + "、あ", 0, 19, False, False, None),  # 1 character after: too few
    ("うううう、" + "い" * 12 + "、ああああ", 0, 22, False, False, (5, 18)),
    (PREFIX + UNIT * 5, 10, 40, False, False, (16, 28)),  # 6+12 or 12+6 kept (both 14 off): the earliest
    (SPREAD, 10, 54, False, False, (26, 38)),  # exactly 16 kept on each side; context counted from start, not 0
    (UNIT * 8, 0, 48, False, False, (18, 30)),  # 18 and 18 kept, the closest to 16 on both sides
    (TIE, 0, 52, False, False, (14, 36)),  # 14 or 18 (both 2 from 16): the earliest wins
])
def test_best_cut(text: str, start: int, end: int, open_start: bool, open_end: bool, expected) -> None:
    assert best_cut(text, start, end, open_start, open_end) == expected


def test_a_side_without_changes_is_shown_whole() -> None:
    old = UNIT * 10
    new_side, old_side = sides(char_diff(old, old + "追加します。"))
    assert old_side == (Piece(old),)
    assert ELIDED in [p.text for p in new_side]


@pytest.mark.parametrize("tail, elided", [("う" * 30, False), ("う" * 31, True)])
def test_a_run_of_35_characters_is_never_cut_36_may_be(tail: str, elided: bool) -> None:
    run = "いいいい、" + tail  # a cut (5, end) is allowed in both
    pieces = _side_pieces([("変更", True), (run, False)])
    if elided:
        assert pieces == (Piece("変更", True), Piece("いいいい、"), Piece(ELIDED, omitted=tail))
    else:
        assert pieces == (Piece("変更", True), Piece(run))


def test_a_run_before_the_first_change_may_be_cut_from_the_cell_edge() -> None:
    run = "う" * 31 + "、いいいい"
    pieces = _side_pieces([(run, False), ("変更", True)])
    assert pieces == (Piece(ELIDED, omitted="う" * 31 + "、"), Piece("いいいい"), Piece("変更", True))
