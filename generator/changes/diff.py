"""`kiyaku diff`: what changed between two versions of one reseller's terms, as a lawyer reads it.

Why align by id path and not by position: inserting 第3条 shifts every later number. Matched by
position, every later article would look rewritten; matched by id, they are the same clauses
with a new number (renumbered), and only the new article is new. Text that differs only in the
numbers of its references (第13条 → 第14条 after an insertion) is told apart the same way.

Inside changed text the diff is by character (diff-match-patch), because Japanese has no spaces
between words. Numbers, Latin words and katakana words are kept whole (79,200 → 88,000 is one
replacement, not 7→8, 9→8, 2→0), a base character keeps its combining marks and variation
selectors, and edit boundaries are slid to Japanese boundaries (after 。、, at brackets, at a
change of script). Typographic noise (generator.compile.normalize.fold: bracket width, spaces, 關/関)
is not a change; the displayed diff still shows each side's real text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from ..compile.document import NumberedDocument
from ..compile.normalize import fold
from ..render.html import anchor

EQUAL, DELETE, INSERT, REPLACE, NOISE = "equal", "delete", "insert", "replace", "noise"
ADDED, REMOVED, CHANGED, REFERENCES, RENUMBERED, DATES = "added", "removed", "changed", "references", "renumbered", "dates"
STATUS_JA = {ADDED: "新設", REMOVED: "削除", CHANGED: "変更", REFERENCES: "参照番号の変更", RENUMBERED: "番号の変更", DATES: "日付の変更"}

_TOKEN = re.compile(r"\r\n|[0-9０-９][0-9０-９,，.．]*|[A-Za-zＡ-Ｚａ-ｚ]+|[ァ-ヺーｦ-ﾟ]+|.", re.S)
_REF_NUMBER = re.compile(r"第\d+(?=[条項号])")
_DATE = re.compile(r"(?:(?:令和|平成|昭和)(?:\d+|元)年\(\d{4}年\)|\d{4}年)\d{1,2}月\d{1,2}日")
_PUA = 0xF0000  # Supplementary Private Use Area-A: one code point per distinct token, never alphanumeric


@dataclass(frozen=True)
class Segment:
    """A piece of the aligned texts: equal on both sides, or what the old side had and the new side has."""

    op: str
    old: str
    new: str


def _attach(token: str) -> bool:
    # marks (Mn, Me, and Mc with a combining class) and the zero width joiner belong to the character
    # before them; variation selectors (U+FE00–FE0F, U+E0100–E01EF) are Mn
    return bool(unicodedata.combining(token)) or unicodedata.category(token) in ("Mn", "Me") or token == "\u200d"


def tokens(text: str) -> list[str]:
    """Diff units: whole numbers, Latin and katakana words; any other character with its combining marks."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if out and len(token) == 1 and _attach(token):
            out[-1] += token
        else:
            out.append(token)
    return out


def _script(ch: str) -> str:
    if ch in "。、，．！？「」『』（）()【】［］":
        return "punct"
    name = unicodedata.name(ch, "")
    for key in ("CJK", "HIRAGANA", "KATAKANA", "DIGIT", "LATIN"):
        if key in name:
            return key
    return "other"


def _score(left: str, right: str) -> int:
    """How good a place between two tokens is for an edit boundary (higher is better)."""
    if not left or not right:
        return 6
    a, b = left[-1], right[0]
    if a in "\r\n" or b in "\r\n":
        return 5
    if a in "。！？":
        return 4
    if a in "、，,）)」』】" or b in "（(「『【":
        return 3
    return 2 if _script(a) != _script(b) else 0


def _slide(diffs: list[list], table: list[str]) -> None:
    """Move each single edit between two equalities to its best boundary (diff_cleanupSemanticLossless, Japanese scores)."""
    decode = lambda s: "".join(table[ord(c) - _PUA] for c in s)  # noqa: E731
    for i in range(1, len(diffs) - 1):
        if diffs[i - 1][0] != 0 or diffs[i + 1][0] != 0:
            continue
        before, edit, after = diffs[i - 1][1], diffs[i][1], diffs[i + 1][1]
        while before and edit and before[-1] == edit[-1]:  # slide fully left, then try every place rightwards
            before, edit, after = before[:-1], before[-1] + edit[:-1], edit[-1] + after
        best = (before, edit, after)
        best_score = _score(decode(before), decode(edit)) + _score(decode(edit), decode(after))
        while edit and after and edit[0] == after[0]:
            before, edit, after = before + edit[0], edit[1:] + after[0], after[1:]
            score = _score(decode(before), decode(edit)) + _score(decode(edit), decode(after))
            if score >= best_score:
                best, best_score = (before, edit, after), score
        diffs[i - 1][1], diffs[i][1], diffs[i + 1][1] = best
    diffs[:] = [d for d in diffs if d[1]]


@functools.lru_cache(maxsize=1 << 16)  # tokens repeat (characters, words): folding each once made the comparison page 2× faster
def _key(token: str) -> str:
    """What a token is compared as: its folded form, so that noise never counts as a change."""
    folded = fold(token)
    if folded:
        return folded
    return " " if token.isspace() else token


def char_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Aligned segments of two texts. Tokens are compared folded, so typographic noise is aligned as
    equal (op NOISE when the real texts differ); each segment keeps both sides' real text."""
    if old == new:
        return (Segment(EQUAL, old, old),) if old else ()
    old_tokens, new_tokens = tokens(old), tokens(new)
    table: list[str] = []
    index: dict[str, int] = {}

    def encode(side: list[str]) -> str:
        chars = []
        for token in side:
            key = _key(token)
            if key not in index:
                index[key] = len(table)
                table.append(key)
            chars.append(chr(_PUA + index[key]))
        return "".join(chars)

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no time limit: the same texts always give the same diff
    enc_old, enc_new = encode(old_tokens), encode(new_tokens)
    if len(table) > 65000:  # too many distinct tokens to encode (never for a clause): plain characters
        raw = dmp.diff_main(old, new, False)
        return _segments([(op, text if op <= 0 else "", text if op >= 0 else "") for op, text in raw])
    diffs = list(dmp.diff_main(enc_old, enc_new, False))
    dmp.diff_cleanupSemantic(diffs)
    diffs = [list(d) for d in diffs]  # the cleanup inserts tuples; _slide edits in place
    _slide(diffs, table)
    pieces, i, j = [], 0, 0
    for op, text in diffs:
        n = len(text)
        gone = "".join(old_tokens[i:i + n]) if op <= 0 else ""
        came = "".join(new_tokens[j:j + n]) if op >= 0 else ""
        i, j = i + (n if op <= 0 else 0), j + (n if op >= 0 else 0)
        pieces.append((op, gone, came))
    return _segments(pieces)


def _segments(pieces: list[tuple[int, str, str]]) -> tuple[Segment, ...]:
    """Segments from (op, old side's text, new side's text): a deletion has no new text, an insertion no old."""
    out: list[Segment] = []
    gone, came = "", ""

    def flush() -> None:
        nonlocal gone, came
        if gone or came:
            op = NOISE if fold(gone) == fold(came) else REPLACE if gone and came else DELETE if gone else INSERT
            out.append(Segment(op, gone, came))
        gone, came = "", ""

    for op, old_text, new_text in pieces:
        if op == 0:
            flush()
            out.append(Segment(EQUAL if old_text == new_text else NOISE, old_text, new_text))
        else:
            gone, came = gone + old_text, came + new_text
    flush()
    return tuple(out)


def apply(old: str, segments: tuple[Segment, ...]) -> str:
    """The new text from the old one and the segments; ValueError if they do not fit the old text."""
    pos, out = 0, []
    for seg in segments:
        if old[pos:pos + len(seg.old)] != seg.old:
            raise ValueError(f"segment does not match the old text at {pos}")
        pos += len(seg.old)
        out.append(seg.new)
    if pos != len(old):
        raise ValueError("segments do not cover the old text")
    return "".join(out)


# --- Units: the smallest things a 新旧対照表 has rows for ---

@dataclass(frozen=True)
class Unit:
    path: str  # id path (stable across renumbering); "#…" suffixes for parts without an id
    kind: str  # caption | lead | paragraph | after | item | supplementary | appendix | table
    article: str  # article id, "" outside articles
    label: str  # 第2条第1項
    anchor: str  # HTML id in the rendered terms (generator.render.html)
    text: str
    # A 別紙 table as cells, header first: the notice compares it cell by cell (generator.changes._table_diff);
    # `text` keeps the flattened form for the status and for `kiyaku diff`.
    table: tuple[tuple[str, ...], ...] | None = None


def units(doc: NumberedDocument) -> list[Unit]:
    out: list[Unit] = []
    for a in doc.articles:
        n = a.number
        out.append(Unit(a.id, "caption", a.id, f"第{n}条の見出し", a.anchor, a.caption))
        if a.lead:
            out.append(Unit(f"{a.id}#lead", "lead", a.id, f"第{n}条（柱書き）", a.anchor, "\n".join(a.lead)))
        for item in a.items:
            out.append(Unit(item.path, "item", a.id, f"第{n}条第{item.number}号", anchor(item.path), "\n".join(item.blocks)))
        for p in a.paragraphs:
            out.append(Unit(p.path, "paragraph", a.id, f"第{n}条第{p.number}項", anchor(p.path), "\n".join(p.blocks)))
            for item in p.items:
                out.append(Unit(item.path, "item", a.id, f"第{n}条第{p.number}項第{item.number}号", anchor(item.path), "\n".join(item.blocks)))
            if p.after:
                out.append(Unit(f"{p.path}#after", "after", a.id, f"第{n}条第{p.number}項（各号の後）", anchor(p.path), "\n".join(p.after)))
    out.append(Unit("#supplementary", "supplementary", "", "附則", "supplementary", "\n".join(doc.supplementary)))
    for appendix in doc.appendices:
        for s in appendix.sections:
            path, anchor_id = f"appendix/{appendix.id}.{s.id}", f"{appendix.id}-{s.id}"
            out.append(Unit(path, "appendix", "", f"別紙{s.mark}", anchor_id, "\n".join([s.heading, *s.blocks, *s.notes])))
            if s.table is not None and s.table.missing:
                out.append(Unit(f"{path}#table", "appendix", "", f"別紙{s.mark}の表", anchor_id, f"［表の欠落］{s.table.missing}"))
            elif s.table is not None:
                cells = (s.table.columns, *s.table.rows)
                out.append(Unit(f"{path}#table", "table", "", f"別紙{s.mark}の表", anchor_id, "\n".join(" | ".join(r) for r in cells), cells))
    return out


@dataclass(frozen=True)
class UnitChange:
    status: str
    old: Unit | None
    new: Unit | None
    segments: tuple[Segment, ...] = ()

    @property
    def unit(self) -> Unit:
        return self.new or self.old  # type: ignore[return-value]


@dataclass(frozen=True)
class ArticleChange:
    id: str
    status: str  # added | removed | changed | references | renumbered
    old_number: int | None
    new_number: int | None
    old_heading: str | None
    new_heading: str | None
    references: bool = False  # some text changed only in the numbers of its references


@dataclass(frozen=True)
class DocumentDiff:
    articles: tuple[ArticleChange, ...]
    units: tuple[UnitChange, ...]

    @property
    def empty(self) -> bool:
        """No change a reader of the terms would notice (an edition's own 附則 date does not count)."""
        return not self.articles and all(u.status == DATES for u in self.units)


def _unit_status(old: Unit, new: Unit) -> str | None:
    a, b = fold(old.text), fold(new.text)
    if a == b:
        return RENUMBERED if old.label != new.label else None
    if _REF_NUMBER.sub("第#", a) == _REF_NUMBER.sub("第#", b):
        return REFERENCES
    if new.kind == "supplementary" and _DATE.sub("#", a) == _DATE.sub("#", b):
        return DATES
    return CHANGED


def _in_order(old_keys: list[str], new_keys: list[str]) -> list[str]:
    """New order, with each key only the old side has placed after its closest surviving predecessor."""
    new_set = set(new_keys)
    after: dict[str | None, list[str]] = {}
    last: str | None = None
    for key in old_keys:
        if key in new_set:
            last = key
        else:
            after.setdefault(last, []).append(key)
    out = list(after.get(None, []))
    for key in new_keys:
        out.append(key)
        out += after.get(key, [])
    return out


def diff(old: NumberedDocument, new: NumberedDocument) -> DocumentDiff:
    """Align two documents by id path and classify every difference."""
    old_units, new_units = {u.path: u for u in units(old)}, {u.path: u for u in units(new)}
    changes: list[UnitChange] = []
    for path in _in_order(list(old_units), list(new_units)):
        o, n = old_units.get(path), new_units.get(path)
        if o is None or n is None:
            changes.append(UnitChange(ADDED if o is None else REMOVED, o, n))
            continue
        status = _unit_status(o, n)
        if status is not None:
            changes.append(UnitChange(status, o, n, char_diff(o.text, n.text) if status != RENUMBERED else ()))
    old_articles, new_articles = {a.id: a for a in old.articles}, {a.id: a for a in new.articles}
    articles: list[ArticleChange] = []
    for article_id in _in_order(list(old_articles), list(new_articles)):
        o, n = old_articles.get(article_id), new_articles.get(article_id)
        statuses = {c.status for c in changes if c.unit.article == article_id}
        if o is None or n is None:
            status = ADDED if o is None else REMOVED
        elif statuses & {ADDED, REMOVED, CHANGED}:
            status = CHANGED
        elif o.number != n.number:
            status = RENUMBERED
        elif REFERENCES in statuses:
            status = REFERENCES
        else:
            continue
        articles.append(ArticleChange(article_id, status, o.number if o else None, n.number if n else None,
                                      o.heading if o else None, n.heading if n else None, REFERENCES in statuses))
    return DocumentDiff(tuple(articles), tuple(changes))


def inline(segments: tuple[Segment, ...]) -> str:
    """One line in wdiff style: [-old-]{+new+}; noise shows the new side's text."""
    out = []
    for seg in segments:
        if seg.op in (EQUAL, NOISE):
            out.append(seg.new)
        else:
            out.append((f"[-{seg.old}-]" if seg.old else "") + (f"{{+{seg.new}+}}" if seg.new else ""))
    return "".join(out)


def own_number(unit: Unit) -> str:
    """The label without its article number: 第3条第2項 -> 第2項 (renumbering of the article itself is shown once per article)."""
    return "" if unit.kind == "caption" else re.sub(r"^第\d+条", "", unit.label)


def format_diff(result: DocumentDiff) -> str:
    """The text `kiyaku diff` prints."""
    if result.empty:
        return "変更はありません（表記のゆれ・附則の日付を除く）。\n"
    lines = ["条の変更:"]
    for a in result.articles:
        if a.old_number and a.new_number and a.old_number != a.new_number:  # RENUMBERED always is
            moved = "繰下げ" if a.new_number > a.old_number else "繰上げ"
            extra = "" if a.status == RENUMBERED else f"、{STATUS_JA[a.status]}"
            extra += "（参照番号の変更あり）" if a.references and a.status == RENUMBERED else ""
            lines.append(f"  第{a.old_number}条 → {a.new_heading}  {moved}{extra}")
        else:
            lines.append(f"  {a.new_heading or a.old_heading}  {STATUS_JA[a.status]}")
    lines += ["", "条項の変更:"]
    for c in result.units:
        if c.status == RENUMBERED:
            if own_number(c.old) != own_number(c.new):  # type: ignore[arg-type]
                lines.append(f"  {c.old.label} → {c.new.label}  番号の変更（内容は同じ）")  # type: ignore[union-attr]
            continue
        label = c.unit.label if c.status in (ADDED, REMOVED) or c.old.label == c.new.label else f"{c.old.label} → {c.new.label}"  # type: ignore[union-attr]
        lines.append(f"  {label}  {STATUS_JA[c.status]}")
        body = c.unit.text if c.status in (ADDED, REMOVED) else inline(c.segments)
        mark = "+ " if c.status == ADDED else "- " if c.status == REMOVED else "  "
        lines += [f"    {mark}{line}" for line in body.split("\n")]
    return "\n".join(lines) + "\n"
