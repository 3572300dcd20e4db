"""（略）in a 新旧対照表 cell: where unchanged text may be left out, and where it may not.

Why boundaries and brackets: a reader (and a court) must be able to trust that what is left
out is unchanged and that what is shown still reads as Japanese. A cut in the middle of
「消費税および地方消費税相当額（略）」 leaves a bracket open and hides where the parenthesis
ends; a cut in 「※会（略）」 splits a word. So a cut (the text replaced by （略）) must:

- start and end at a clause or sentence boundary: right after 、 or 。 (or a line break), or at
  the edge of the cell when no change lies beyond it;
- be a balanced bracket sequence by itself, so every bracket pair is either wholly kept or
  wholly left out (removing a balanced stretch never changes the brackets of the rest);
- lie wholly inside unchanged text, so a change is never hidden and nothing is shown twice.

Punctuation boundaries are token boundaries of every tokenizer we use (generator.changes.diff.tokens,
which keeps numbers, Latin and katakana words whole, and the site search, which splits at
punctuation), so a cut never splits a word or a number. When no cut satisfies all of this,
the text is kept whole: a longer cell is better than a misleading one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .diff import DELETE, EQUAL, INSERT, NOISE, REPLACE, Segment

ELIDED = "（略）"
CONTEXT = 16  # characters of unchanged text we like to keep next to a change
MIN_CUT = 12  # a cut shorter than this saves too little to be worth a （略）
_OPEN, _CLOSE = "（(「『【［[〔｛{〈《", "）)」』】］]〕｝}〉》"
_BOUNDARY_AFTER = "、。，．\n"


@dataclass(frozen=True)
class Piece:
    """A run of one cell: changed text is underlined and highlighted; an elision keeps what it hides."""

    text: str
    changed: bool = False
    omitted: str = ""  # for a （略） piece: the unchanged text it stands for (tests and audits read it)


def balanced(text: str) -> bool:
    """True if every bracket in `text` is closed, by its own kind, inside `text`."""
    stack: list[str] = []
    for ch in text:
        if ch in _OPEN:
            stack.append(_CLOSE[_OPEN.index(ch)])
        elif ch in _CLOSE:
            if not stack or stack.pop() != ch:
                return False
    return not stack


def boundaries(text: str, start: int, end: int, open_start: bool, open_end: bool) -> list[int]:
    """Positions in [start, end] where a cut may begin or end: after 、。 or a line break, or an open edge."""
    out = [p for p in range(start + 1, end + 1) if text[p - 1] in _BOUNDARY_AFTER]
    if open_start:
        out.insert(0, start)
    if open_end and (not out or out[-1] != end):
        out.append(end)
    return out


def best_cut(text: str, start: int, end: int, open_start: bool, open_end: bool) -> tuple[int, int] | None:
    """The cut [s, e) inside the unchanged stretch text[start:end] that keeps the least text, or None.

    `open_start`/`open_end`: no change lies before/after the stretch (the cell edge), so the cut
    may reach it; otherwise some context is kept next to the change.
    """
    places = boundaries(text, start, end, open_start, open_end)
    best: tuple[int, int, int] | None = None
    for s in places:
        if not open_start and s - start < min(4, CONTEXT):
            continue
        for e in reversed(places):
            if e - s < MIN_CUT:
                break
            if not open_end and end - e < min(4, CONTEXT):
                continue
            kept = abs((s - start) - (0 if open_start else CONTEXT)) + abs((end - e) - (0 if open_end else CONTEXT))
            if (best is None or kept < best[0]) and balanced(text[s:e]):
                best = (kept, s, e)
    return (best[1], best[2]) if best else None


def _side_pieces(runs: list[tuple[str, bool]]) -> tuple[Piece, ...]:
    """One side of a row from its runs (text, changed): each long unchanged run shortened by a safe cut."""
    text = "".join(t for t, _ in runs)
    out: list[Piece] = []
    pos = 0
    for index, (run, changed) in enumerate(runs):
        start, end = pos, pos + len(run)
        pos = end
        if changed or not run:
            if run:
                out.append(Piece(run, changed))
            continue
        first, last = not any(c for _, c in runs[:index]), not any(c for _, c in runs[index + 1:])
        cut = None if (first and last) or len(run) <= 2 * CONTEXT + len(ELIDED) else best_cut(text, start, end, first, last)
        if cut is None:
            out.append(Piece(run))
            continue
        s, e = cut
        out += [p for p in (Piece(text[start:s]), Piece(ELIDED, omitted=text[s:e]), Piece(text[e:end])) if p.text]
    return tuple(out)


def sides(segments: tuple[Segment, ...]) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    """The new and old cells of a changed row: changed runs marked, unchanged runs elided safely."""
    new: list[tuple[str, bool]] = []
    old: list[tuple[str, bool]] = []
    for seg in segments:
        if seg.op in (EQUAL, NOISE):
            new.append((seg.new, False))
            old.append((seg.old, False))
        if seg.op in (INSERT, REPLACE):
            new.append((seg.new, True))
        if seg.op in (DELETE, REPLACE):
            old.append((seg.old, True))
    return _side_pieces(_merge(new)), _side_pieces(_merge(old))


def _merge(runs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Adjacent runs of the same kind as one (a cut may then span what the diff split)."""
    out: list[tuple[str, bool]] = []
    for text, changed in runs:
        if out and out[-1][1] == changed:
            out[-1] = (out[-1][0] + text, changed)
        elif text:
            out.append((text, changed))
    return out
