"""A changed 別紙 table, compared cell by cell for the 新旧対照表.

Why not as text: a fee table flattened to 「支払区分 | 金額 | 備考」 in one cell is unreadable and
hides which price changed. Rows are aligned as whole rows (difflib on the folded cells, so a
row inserted in the middle does not make every later row look changed); rows the alignment
pairs are compared cell by cell with generator.changes.diff.char_diff, and only the characters that
changed are marked. Both sides keep the full table, header first, so a reader sees each
changed price in its row and column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..compile.normalize import fold
from ._elide import Piece
from .diff import DELETE, INSERT, REPLACE, char_diff

Cells = tuple[tuple[str, ...], ...]  # header first, as generator.changes.diff.Unit.table


@dataclass(frozen=True)
class RowChange:
    """One data row that differs: 1-based numbers on each side (None where the row is new/gone)."""

    old_number: int | None
    new_number: int | None
    key: str  # the row's first cell (its name for readers: 60分未満)
    columns: tuple[str, ...]  # headers of the changed cells (all columns for a new or deleted row)
    old_cells: tuple[str, ...]  # the changed cells' old text ("" for a new row)
    new_cells: tuple[str, ...]


@dataclass(frozen=True)
class TableDiff:
    new: tuple[tuple[tuple[Piece, ...], ...], ...]  # rows of cells of pieces, header first
    old: tuple[tuple[tuple[Piece, ...], ...], ...]
    rows: tuple[RowChange, ...]


def _cell_pieces(old: str, new: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    if fold(old) == fold(new):
        return (Piece(new),) if new else (), (Piece(old),) if old else ()
    new_p: list[Piece] = []
    old_p: list[Piece] = []
    for seg in char_diff(old, new):
        changed = seg.op in (INSERT, DELETE, REPLACE)
        if seg.new:
            new_p.append(Piece(seg.new, changed))
        if seg.old:
            old_p.append(Piece(seg.old, changed))
    return tuple(new_p), tuple(old_p)


def _whole(row: tuple[str, ...], changed: bool) -> tuple[tuple[Piece, ...], ...]:
    return tuple((Piece(c, changed),) if c else () for c in row)


def _pad(row: tuple[str, ...], width: int) -> tuple[str, ...]:
    return tuple(row) + ("",) * (width - len(row))


def table_diff(old: Cells, new: Cells) -> TableDiff:
    """Both tables with changed cells marked, and the list of changed rows."""
    width = max(len(r) for r in (*old, *new))
    old_rows, new_rows = [_pad(r, width) for r in old[1:]], [_pad(r, width) for r in new[1:]]
    header = _pad(new[0], width)
    new_h, old_h = zip(*(_cell_pieces(o, n) for o, n in zip(_pad(old[0], width), header)))
    new_out: list[tuple[tuple[Piece, ...], ...]] = [tuple(new_h)]
    old_out: list[tuple[tuple[Piece, ...], ...]] = [tuple(old_h)]
    changes: list[RowChange] = []
    keys = lambda rows: ["\t".join(fold(c) for c in r) for r in rows]  # noqa: E731
    matcher = difflib.SequenceMatcher(None, keys(old_rows), keys(new_rows), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2))) if tag in ("equal", "replace") else []
        for i, j in pairs:
            cells = [_cell_pieces(o, n) for o, n in zip(old_rows[i], new_rows[j])]
            new_out.append(tuple(c[0] for c in cells))
            old_out.append(tuple(c[1] for c in cells))
            differ = [k for k, (o, n) in enumerate(zip(old_rows[i], new_rows[j])) if fold(o) != fold(n)]
            if differ:
                changes.append(RowChange(i + 1, j + 1, new_rows[j][0], tuple(header[k] for k in differ),
                                         tuple(old_rows[i][k] for k in differ), tuple(new_rows[j][k] for k in differ)))
        for i in range(i1 + len(pairs), i2):  # rows only the old table has
            old_out.append(_whole(old_rows[i], True))
            changes.append(RowChange(i + 1, None, old_rows[i][0], header, old_rows[i], ("",) * width))
        for j in range(j1 + len(pairs), j2):  # rows only the new table has
            new_out.append(_whole(new_rows[j], True))
            changes.append(RowChange(None, j + 1, new_rows[j][0], header, ("",) * width, new_rows[j]))
    return TableDiff(tuple(new_out), tuple(old_out), tuple(changes))
