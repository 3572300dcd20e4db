"""備考 of a 新旧対照表 row: what kind of change it is, in the words customers read.

Why classify at all: 「文言の変更」 for a price increase hides the one change a customer must not
miss. Each row gets every class that applies, in this order: 料金の変更, 新設, 削除, 番号の変更,
文言の変更, 別紙の変更.

料金の変更 is decided by one function, `fee_changed`, from what the text shows today: a changed
stretch that lies inside an amount (digits + 円 / 万円, 税込 and the like around it) on either
side, or a changed cell in a 別紙 table column whose header names a price. When typed
parameters arrive (a `yen` parameter type declared in terms/document.yaml), `fee_changed` is
the one place to also ask "was this text produced by a `yen` value?"; nothing else changes.
"""

from __future__ import annotations

import re

from .diff import DELETE, INSERT, REPLACE, Segment

FEE, ADDED, REMOVED, NUMBER, WORDING, APPENDIX = "料金の変更", "新設", "削除", "番号の変更", "文言の変更", "別紙の変更"
ORDER = (FEE, ADDED, REMOVED, NUMBER, WORDING, APPENDIX)

# An amount as the terms write it: 79,200円 / 16,500 円 / 5万円 / 10万円 / １，０００円.
AMOUNT = re.compile(r"[0-9０-９][0-9０-９,，.．]*\s*(?:[万千億]\s*)?円")
FEE_COLUMN = re.compile(r"料金|金額|価格|費用|作業費|単価|円")


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in AMOUNT.finditer(text)]


def _touches(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """A change [start, end) touches an amount if it overlaps one (an insertion at its edge counts)."""
    return any(s < end and start < e or (start == end and s <= start <= e) for s, e in spans)


def segment_kinds(segments: tuple[Segment, ...]) -> set[str]:
    """{料金の変更} if a change lies inside an amount, {文言の変更} if one lies elsewhere (both can apply)."""
    old_text = "".join(s.old for s in segments)
    new_text = "".join(s.new for s in segments)
    old_spans, new_spans = _spans(old_text), _spans(new_text)
    kinds: set[str] = set()
    o = n = 0
    for seg in segments:
        if seg.op in (INSERT, DELETE, REPLACE):
            fee = _touches(old_spans, o, o + len(seg.old)) or _touches(new_spans, n, n + len(seg.new))
            kinds.add(FEE if fee else WORDING)
        o, n = o + len(seg.old), n + len(seg.new)
    return kinds


def fee_changed(segments: tuple[Segment, ...], column: str = "") -> bool:
    """Is this change a change of a price? (A table cell also counts by its column header.)"""
    if column and FEE_COLUMN.search(column) and any(s.op in (INSERT, DELETE, REPLACE) for s in segments):
        return True
    return FEE in segment_kinds(segments)


def ordered(kinds: set[str]) -> tuple[str, ...]:
    return tuple(k for k in ORDER if k in kinds)
