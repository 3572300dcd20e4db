"""Which articles differ between resellers, and how: the comparison page's data.

Articles are matched by id, not by number, so an article that moved keeps its row. Each
article's rendered text is compared after the reseller's own name and self-reference (弊社/本所)
are replaced by placeholders: otherwise nearly every article would differ for that word alone,
and the real differences (a fee scope, an extra paragraph) would drown. Texts that differ only
by typographic noise (generator.compile.normalize.fold) count as the same.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import marks
from ..compile.document import NArticle, NItem, NumberedDocument
from ..compile.normalize import fold

SELF = "〔自称〕"
NAME = "〔販売店名〕"
SUPPLEMENTARY = "supplementary"  # the id render_fragment gives the 附則 section


@dataclass(frozen=True)
class Cell:
    """One reseller's version of one row: its number there, its anchor and its text group."""

    variant: str
    label: str | None  # 第13条 / 附則 / 別紙; None when the reseller does not have it
    anchor: str | None
    group: int | None  # index into Row.texts; equal texts share a group


@dataclass(frozen=True)
class Row:
    key: str
    caption: str
    cells: tuple[Cell, ...]
    texts: tuple[str, ...]  # one normalised text per group, in order of first appearance

    @functools.cached_property  # the comparison page asks once per cell: O(N²) at 500 resellers as a property
    def same(self) -> bool:
        return len(self.texts) == 1 and all(c.group is not None for c in self.cells)

    def group_name(self, group: int | None) -> str:
        """Groups are called A, B, C … so that a reader sees which resellers share a wording."""
        if group is None:
            return "—"
        name = ""
        while True:  # A … Z, AA, AB …: a network of 500 resellers can have more than 26 wordings
            name = chr(ord("A") + group % 26) + name
            group = group // 26 - 1
            if group < 0:
                return name

    def variants_in(self, group: int) -> list[str]:
        return [c.variant for c in self.cells if c.group == group]


def _item_lines(items: tuple[NItem, ...]) -> list[str]:
    lines = []
    for item in items:
        first, *rest = item.blocks or ("",)
        lines.append(f"{item.label}{first}")
        lines += [f"　{b}" for b in rest]
    return lines


def article_text(article: NArticle) -> str:
    """An article as plain lines (caption, lead, labelled paragraphs and items), as a reader sees it."""
    lines = [f"（{article.caption}）", *article.lead, *_item_lines(article.items)]
    for para in article.paragraphs:
        first, *rest = para.blocks or ("",)
        lines.append(f"{para.label} {first}")
        lines += [f"　{b}" for b in rest]
        lines += _item_lines(para.items)
        lines += [f"　{b}" for b in para.after]
    return "\n".join(lines)


def normalise(text: str, doc: NumberedDocument) -> str:
    """Replace the reseller's name, then its self-reference, by placeholders (name first: it is longer)."""
    return text.replace(doc.provider, NAME).replace(doc.self_ref, SELF)


def sections(doc: NumberedDocument) -> dict[str, tuple[str, str, str, str]]:
    """key -> (label, anchor, caption, normalised text) for every article, the 附則 and each 別紙."""
    out = {a.id: (a.label, a.anchor, a.caption, normalise(article_text(a), doc)) for a in doc.articles}
    out[SUPPLEMENTARY] = ("附則", SUPPLEMENTARY, "附則", normalise("\n".join(doc.supplementary), doc))
    for appendix in doc.appendices:
        lines = [appendix.title]
        for s in appendix.sections:
            lines += [f"{s.mark} {s.heading}", *s.blocks]
            if s.table is not None:
                lines += [s.table.missing] if s.table.missing else ["\t".join(s.table.columns)] + ["\t".join(r) for r in s.table.rows]
            lines += list(s.notes)
        out[appendix.id] = ("別紙", appendix.id, appendix.title, normalise("\n".join(lines), doc))
    return out


def matrix(docs: list[NumberedDocument]) -> list[Row]:
    """One row per article (in the order of the first reseller that has it), 附則 and 別紙 last."""
    per_doc = [sections(d) for d in docs]
    keys: list[str] = []
    for secs in per_doc:
        keys += [k for k in secs if k not in keys]
    tail = [k for k in keys if k == SUPPLEMENTARY or not any(k == a.id for d in docs for a in d.articles)]
    keys = [k for k in keys if k not in tail] + tail
    rows = []
    for key in keys:
        texts: list[str] = []
        groups: dict[str, int] = {}  # folded text -> its group (a dict: a list search was O(N) per cell)
        seen: dict[str, int] = {}  # text -> its group: most resellers share a text, and folding costs 0.2 ms
        cells = []
        caption = ""
        for doc, secs in zip(docs, per_doc):
            if key not in secs:
                cells.append(Cell(doc.variant_id, None, None, None))
                continue
            label, anchor, cap, text = secs[key]
            caption = caption or cap
            if text not in seen:
                folded = fold(text)  # typographic noise (bracket width, spaces) is not a difference
                if folded not in groups:
                    groups[folded] = len(texts)
                    texts.append(text)
                seen[text] = groups[folded]
            cells.append(Cell(doc.variant_id, label, anchor, seen[text]))
        rows.append(Row(key, caption, tuple(cells), tuple(texts)))
    return rows


SHOWN_GROUPS = 12  # side-by-side tables per row; beyond, the page lists the other wordings' resellers


def differences(row: Row) -> list[tuple[int, int, marks.Diff]]:
    """For a differing row: (group, base group, diff base → group) for each group after the first,
    up to SHOWN_GROUPS.

    With two groups this is one diff, shown on both sides; with more, each is compared to group A.
    Why a limit: with 500 resellers a fee article can have hundreds of wordings (the fee differs);
    hundreds of tables are unreadable, and each diff costs time. Every cell of the matrix still
    links to that reseller's article.
    """
    return [(g, 0, marks.char_diff(row.texts[0], row.texts[g])) for g in range(1, min(len(row.texts), SHOWN_GROUPS + 1))]


def not_shown(row: Row) -> list[int]:
    """The groups whose comparison is not shown (see differences)."""
    return list(range(SHOWN_GROUPS + 1, len(row.texts)))
