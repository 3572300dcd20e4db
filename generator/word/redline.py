"""`kiyaku redline`: the new edition as a Word file with real tracked changes (変更履歴).

Both editions are rendered with the reseller's template (so the letterhead is kept) and carry the
unit ids of generator/render/_docx_ids.py. Paragraphs are paired by id, never by position, like
`kiyaku diff`: a renumbered article shows as changed numbers inside its heading, not as a deleted
and re-inserted article. Inside a paragraph the change is the character diff of generator/changes/diff.py.
Accepting every change gives the new edition's text, rejecting every change gives the old one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from ..compile.document import NumberedDocument
from ..render._docx_ids import Slot, bookmark_name, paragraph_text, slots
from ..render.docx import normalise_zip, render_docx
from ..source import _git
from ._ooxml_changes import Revisions, deleted_copy, mark_row, track_inserted, track_text

AUTHOR = "kiyaku"
_EDITION = re.compile(r"ed(\d+)")


@dataclass(frozen=True)
class Redline:
    data: bytes
    changes: int  # number of tracked changes written
    old_edition: int
    new_edition: int


def _by_key(body, doc: NumberedDocument) -> dict[str, object]:
    names = {bookmark_name(s.key): s.key for s in slots(doc)}
    out: dict[str, object] = {}
    for start in body.iter(qn("w:bookmarkStart")):
        key = names.get(start.get(qn("w:name")) or "")
        p = start.getparent()
        if key and p is not None and p.tag == qn("w:p"):
            out.setdefault(key, p)
    return out


def _row_keys(old: NumberedDocument, new: NumberedDocument) -> dict[str, str]:
    """Old table-cell key → the key its row has in the new edition (rows paired by content, so a
    removed row is a deleted row and not a shift of every later cell); rows without a partner get
    a key no new cell has."""
    from difflib import SequenceMatcher

    new_rows = {f"appendix/{a.id}.{s.id}": s.table.rows for a in new.appendices for s in a.sections if s.table is not None}
    out: dict[str, str] = {}
    for a in old.appendices:
        for s in a.sections:
            base = f"appendix/{a.id}.{s.id}"
            if s.table is None or base not in new_rows:
                continue
            pairs: dict[int, int] = {}
            matcher = SequenceMatcher(None, s.table.rows, new_rows[base], autojunk=False)
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op in ("equal", "replace"):
                    pairs.update({i1 + k: j1 + k for k in range(min(i2 - i1, j2 - j1))})
            for r, row in enumerate(s.table.rows):
                for c in range(len(row)):
                    out[f"{base}#r{r + 1}c{c}"] = f"{base}#r{pairs[r] + 1}c{c}" if r in pairs else f"{base}#gone{r + 1}c{c}"
    return out


def _old_text(p, new: Slot, old: Slot) -> str:
    """What the paragraph said in the old edition: its label and its text replaced, the rest (tabs, fixed words) kept."""
    shown = paragraph_text(p)
    if not shown.endswith(new.text):
        return shown.replace(new.text, old.text, 1)
    prefix = shown[: len(shown) - len(new.text)]
    if new.label and old.label and new.label in prefix:
        prefix = prefix.replace(new.label, old.label, 1)
    return prefix + old.text


def _ancestor(el, tag: str):
    while el is not None and el.tag != tag:
        el = el.getparent()
    return el


def _insert_removed(old_body, new_body, old_doc: NumberedDocument, new_keys: dict[str, object],
                    old_keys: dict[str, object], revisions: Revisions, rename: dict[str, str]) -> int:
    """Put each paragraph (or whole table row) only the old edition has after its closest surviving predecessor."""
    changes, last, done_rows = 0, None, []
    for slot in slots(old_doc):
        key = rename.get(slot.key, slot.key)
        if key in new_keys:
            last = new_keys[key]
            continue
        p = old_keys.get(key)
        if p is None:
            continue
        row = _ancestor(p, qn("w:tr"))
        if row is not None:
            if row in done_rows:
                continue
            done_rows.append(row)
            anchor = _ancestor(last, qn("w:tr")) if last is not None else None
            if anchor is None:
                continue  # a whole table is gone: its heading paragraphs are shown deleted, rows are not
            clone = _deleted_row(row, revisions)
            anchor.addnext(clone)
            last = clone.find(f".//{qn('w:p')}")
            changes += 1
            continue
        clone = deleted_copy(p, revisions)
        if last is None:
            new_body[0].addprevious(clone)
        else:
            table = _ancestor(last, qn("w:tbl"))
            (table if table is not None else last).addnext(clone)
        last, changes = clone, changes + 1
    return changes


def _deleted_row(row, revisions: Revisions):
    import copy

    clone = copy.deepcopy(row)
    for cell in clone.iter(qn("w:tc")):
        for p in list(cell.findall(qn("w:p"))):
            p.addprevious(deleted_copy(p, revisions))
            cell.remove(p)
    mark_row(clone, "w:del", revisions)
    return clone


def _settings_track(document) -> None:
    """Turn on Track Changes in the file, so the reviewer's own edits are tracked too."""
    settings = document.settings.element
    if settings.find(qn("w:trackRevisions")) is None:
        settings.insert(0, settings.makeelement(qn("w:trackRevisions"), {}))


def tracked_document(old: NumberedDocument, new: NumberedDocument, old_bytes: bytes, new_bytes: bytes,
                     author: str, date: str, timestamp: int) -> Redline:
    """The new DOCX with the changes from the old one tracked (both rendered with the same template)."""
    new_docx, old_docx = Document(io.BytesIO(new_bytes)), Document(io.BytesIO(old_bytes))
    new_body, old_body = new_docx.element.body, old_docx.element.body
    rename = _row_keys(old, new)
    new_keys = _by_key(new_body, new)
    old_keys = {rename.get(k, k): p for k, p in _by_key(old_body, old).items()}
    old_slots = {rename.get(s.key, s.key): s for s in slots(old)}
    revisions = Revisions.start(author, date, first=90000)
    changes = 0
    new_rows: dict[object, list[bool]] = {}  # keyed by the element: lxml keeps a proxy alive, id() of a freed one is reused
    for slot in slots(new):
        p = new_keys.get(slot.key)
        if p is None:
            continue
        before = old_slots.get(slot.key)
        row = _ancestor(p, qn("w:tr"))
        if row is not None:
            new_rows.setdefault(row, []).append(before is None)
        if before is None or slot.key not in old_keys:
            track_inserted(p, revisions)
            changes += 1
        else:
            changes += track_text(p, _old_text(p, slot, before), revisions)
    for row in new_body.iter(qn("w:tr")):
        flags = new_rows.get(row)
        if flags and all(flags):
            mark_row(row, "w:ins", revisions)
    changes += _insert_removed(old_body, new_body, old, new_keys, old_keys, revisions, rename)
    _settings_track(new_docx)
    buffer = io.BytesIO()
    new_docx.save(buffer)
    return Redline(normalise_zip(buffer.getvalue(), timestamp), changes, old.edition, new.edition)


def change_date(root: Path | str, to_ref: str, new: NumberedDocument) -> str:
    """The date on every change: the announcement of a released edition, a commit's date, or the new issue date."""
    from ..history.editions import WORKTREE, find_edition

    match = _EDITION.fullmatch(to_ref)
    if match:
        day = find_edition(root, new.variant_id, int(match.group(1))).announced
        return f"{day}T00:00:00Z"
    if to_ref != WORKTREE:
        info = _git.resolve(Path(root), to_ref)
        if info is not None:
            return dt.datetime.fromtimestamp(info.timestamp, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{new.issued.isoformat()}T00:00:00Z"


def redline(root: Path | str, variant_id: str, from_ref: str, to_ref: str, author: str = AUTHOR) -> Redline:
    """Render the redline of one reseller between two versions (git revisions, ed<N> or WORKTREE)."""
    from ..build.builder import render_context
    from ..compile.pipeline import load
    from ..history.editions import document_for_ref

    old = document_for_ref(root, variant_id, from_ref)
    new = document_for_ref(root, variant_id, to_ref)
    context = render_context(load(root), Path(root), new)
    new_bytes = render_docx(new, context)
    old_bytes = render_docx(old, context)
    return tracked_document(old, new, old_bytes, new_bytes, author, change_date(root, to_ref, new), context.timestamp)
