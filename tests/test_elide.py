"""（略）in the 新旧対照表: only at a clause or sentence boundary, never inside a word, number or bracket pair.

A hypothesis property over long paragraphs with nested brackets and random edits: every cut
(the text a （略） stands for) is balanced by itself, starts and ends at 、。/a line break or an
open cell edge, falls on token boundaries of generator.changes.diff.tokens, and hides no changed text;
the shown text with its cuts put back is exactly the side's text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.changes._elide import ELIDED, Piece, balanced, sides
from generator.changes.diff import char_diff, tokens

WORDS = ["お客様", "本所", "本サービス", "利用料金", "消費税", "地方消費税相当額", "ファイアウォール", "UTM装置", "79,200円",
         "112,200円", "5万円", "第13条第6項", "※1", "を含む", "とします", "ものとし", "および", "支払う", "年間", "会員"]
PAIRS = [("（", "）"), ("「", "」"), ("(", ")"), ("『", "』")]


@st.composite
def phrase(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.integers(0, 9))
        if kind < 6 or depth >= 3:
            parts.append(draw(st.sampled_from(WORDS)))
        elif kind < 8:
            parts.append(draw(st.sampled_from(["、", "。"])))
        else:
            open_, close = draw(st.sampled_from(PAIRS))
            parts.append(open_ + draw(phrase(depth + 1)) + close)
    return "".join(parts)


@st.composite
def paragraph(draw) -> str:
    sentences = [draw(phrase()) + "。" for _ in range(draw(st.integers(3, 10)))]
    return "".join(sentences)


@st.composite
def edited(draw) -> tuple[str, str]:
    old = draw(paragraph())
    toks = tokens(old)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(toks)))
        op = draw(st.sampled_from(["insert", "replace", "delete"]))
        word = draw(st.sampled_from(WORDS + ["88,000円", "（税込）", "、"]))
        if op == "insert" or not toks or at == len(toks):
            toks.insert(at, word)
        elif op == "replace":
            toks[at] = word
        else:
            del toks[at]
    return old, "".join(toks)


def _token_edges(text: str) -> set[int]:
    edges, pos = {0}, 0
    for t in tokens(text):
        pos += len(t)
        edges.add(pos)
    return edges


def _check_side(pieces: tuple[Piece, ...], text: str) -> None:
    assert "".join(p.omitted or p.text for p in pieces) == text  # nothing shown twice, nothing lost
    edges = _token_edges(text)
    pos = 0
    changed_before = False
    for index, p in enumerate(pieces):
        if p.omitted:
            assert p.text == ELIDED and not p.changed
            start, end = pos, pos + len(p.omitted)
            changed_after = any(q.changed for q in pieces[index + 1:])
            assert balanced(p.omitted), p.omitted  # a bracket pair is wholly kept or wholly left out
            assert start in edges and end in edges  # never inside a word or a number
            assert (start == 0 and not changed_before) or text[start - 1] in "、。\n", text[max(0, start - 5):start + 5]
            assert (end == len(text) and not changed_after) or text[end - 1] in "、。\n", text[max(0, end - 5):end + 5]
        changed_before = changed_before or p.changed
        pos += len(p.omitted or p.text)


@settings(max_examples=300, deadline=None)
@given(edited())
def test_every_cut_is_balanced_and_on_a_boundary(pair: tuple[str, str]) -> None:
    old, new = pair
    segments = char_diff(old, new)
    new_pieces, old_pieces = sides(segments)
    _check_side(new_pieces, new)
    _check_side(old_pieces, old)
    if balanced(new):
        assert balanced("".join(p.text for p in new_pieces if p.text != ELIDED or p.omitted))
    # every changed character is shown
    assert "".join(p.text for p in new_pieces if p.changed) == "".join(s.new for s in segments if s.op in ("insert", "replace"))
    assert "".join(p.text for p in old_pieces if p.changed) == "".join(s.old for s in segments if s.op in ("delete", "replace"))


def test_the_issue_example_keeps_the_bracket_whole() -> None:
    lead = "会員の場合、本サービスの利用料金は、"
    old = lead + "年間112,200円（消費税および地方消費税相当額（10%）を含む。）とし、初年度は無償とします。" \
        "お客様は、当所が定める方法により、毎年4月末日までに一括して支払うものとします。"
    new = old.replace("毎年4月末日", "毎年5月末日")
    shown = "".join(p.text for p in sides(char_diff(old, new))[0])
    assert "相当額（略）" not in shown and balanced(shown)
    assert "5" in shown and ELIDED in shown


def test_no_boundary_means_no_cut() -> None:
    old = "あ" * 80 + "1"
    new = "あ" * 80 + "2"
    [kept, changed] = sides(char_diff(old, new))[0]
    assert kept.text == "あ" * 80 and changed.text == "2"  # better a long cell than a cut mid-word
