"""How the site marks differing characters: underline plus words a screen reader speaks.

Why not colour alone: colour-blind readers and screen readers would miss it (WCAG 1.4.1). Every
marked run is underlined (or struck through) by CSS and enclosed in visually hidden text such as
「［相違箇所］…［ここまで］」, so it is announced and survives copy and paste.

The diff is generator.changes.diff.char_diff, the one the 新旧対照表 of a notice uses: by character
(Japanese has no spaces between words) with numbers and katakana words kept whole, and
typographic noise (bracket width, spaces) not counted as a difference. Without that module, a
plain diff-match-patch character diff with semantic cleanup is used.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from markupsafe import Markup, escape

Diff = list[tuple[str, str, bool]]  # (a's text, b's text, differs)
A, B = 0, 1  # which side of a Diff to show


@dataclass(frozen=True)
class Marker:
    """What a marked run is: its element and CSS class, and start/end words for screen readers."""

    tag: str
    css: str
    start: str
    end: str = "［ここまで］"


DIFFERENT = Marker("mark", "k-diff", "［相違箇所］")  # between resellers: neither side is "new"
CHANGED_NEW = Marker("ins", "k-chg", "［変更箇所］")  # 新旧対照表, 変更後 column
CHANGED_OLD = Marker("del", "k-chg", "［変更前の箇所］")  # 新旧対照表, 変更前 column (underlined, not struck)


def char_diff(a: str, b: str) -> Diff:
    """Aligned pieces of a and b; each keeps both sides' real text and whether it differs."""
    try:
        from ..changes import diff as kiyaku_diff
    except ImportError:
        kiyaku_diff = None
    if kiyaku_diff is not None:
        unchanged = (kiyaku_diff.EQUAL, kiyaku_diff.NOISE)
        return [(seg.old, seg.new, seg.op not in unchanged) for seg in kiyaku_diff.char_diff(a, b)]
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # deterministic: the same texts always give the same diff
    raw = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(raw)
    return [(text if op <= 0 else "", text if op >= 0 else "", op != 0) for op, text in raw]


def mark(text: str, marker: Marker) -> Markup:
    """One marked run; side() splits runs at line breaks, pieces() keeps them (the cell is pre-wrap)."""
    sr = '<span class="k-sr">{}</span>'
    return Markup(f'<{marker.tag} class="{marker.css}">{sr.format(escape(marker.start))}{escape(text)}'
                  f'{sr.format(escape(marker.end))}</{marker.tag}>')


def side(diffs: Diff, which: int, marker: Marker) -> list[Markup]:
    """One side of a diff (A or B) as lines of HTML, the differing runs marked.

    Runs are split at line breaks so that each line becomes its own <p> with balanced tags.
    """
    lines: list[Markup] = [Markup("")]
    for piece in diffs:
        text, differs = piece[which], piece[2]
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append(Markup(""))
            if part:
                lines[-1] += mark(part, marker) if differs else escape(part)
    return lines


def paragraphs(lines: list[Markup]) -> Markup:
    """Lines as <p> elements; an empty line still gets a (non-breaking) paragraph to keep rows aligned."""
    return Markup("").join(Markup("<p>{}</p>").format(line) if line else Markup("<p>&#160;</p>")
                           for line in lines)


def changed_count(diffs: Diff) -> int:
    """How many separate places differ (adjacent differing pieces are one place)."""
    count, previous = 0, False
    for _a, _b, differs in diffs:
        count += differs and not previous
        previous = differs
    return count


ELIDED = Markup('<p class="k-elided">（略）</p>')
NONE = Markup('<p class="k-none">（なし）</p>')


def aligned(a: str, b: str, marker: Marker = DIFFERENT) -> list[tuple[Markup, Markup]]:
    """Side-by-side rows of two texts, like a 新旧対照表: lines are aligned first, then differing
    lines are diffed by character; runs of equal lines become one （略） row.

    Why lines first: a paragraph that exists on one side only must face （なし）, not be smeared
    over its neighbours by a character diff.
    """
    left, right = a.split("\n"), b.split("\n")
    rows: list[tuple[Markup, Markup]] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.append((ELIDED, ELIDED))
            continue
        old, new = "\n".join(left[i1:i2]), "\n".join(right[j1:j2])
        if tag == "replace":
            diffs = char_diff(old, new)
            rows.append((paragraphs(side(diffs, A, marker)), paragraphs(side(diffs, B, marker))))
        elif tag == "delete":
            rows.append((paragraphs([mark(line, marker) for line in left[i1:i2]]), NONE))
        else:
            rows.append((NONE, paragraphs([mark(line, marker) for line in right[j1:j2]])))
    return rows


def pieces(items: list[dict], marker: Marker) -> Markup:
    """A 新旧対照表 cell from generator.changes.notice's pieces ({"text", "changed"}): changed ones marked."""
    return Markup("").join(mark(p["text"], marker) if p["changed"] else escape(p["text"]) for p in items)
