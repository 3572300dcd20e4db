"""Tracked changes (変更履歴) written into WordprocessingML: w:ins / w:del runs and paragraph marks.

Why by hand (lxml on python-docx's tree) and not docx-revisions: that library stamps every
revision with the wall clock (our outputs must be byte-identical for the same sources) and has no
inserted/deleted paragraph marks, which "Reject all" needs to remove a new paragraph entirely.
python-redlines (MIT) runs Open-XML-PowerTools' WmlComparer as a .NET binary on two whole
documents: it cannot pair paragraphs by clause id (a renumbering becomes rewritten text) and costs a
subprocess per call; docx-redline needs Python ≥ 3.12. The markup used is the small subset Word
itself writes (ECMA-376 Part 1 §17.13.5); LibreOffice reads it back as tracked changes (tests/test_word.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from itertools import count
from typing import Iterator

from docx.oxml.ns import qn

from ..changes.diff import EQUAL, char_diff

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass
class Revisions:
    """Who and when, and the counter that keeps every w:id unique in the document."""

    author: str
    date: str  # 2026-12-01T00:00:00Z
    ids: Iterator[int]

    @classmethod
    def start(cls, author: str, date: str, first: int = 1) -> "Revisions":
        return cls(author, date, count(first))

    def element(self, parent, tag: str):
        return parent.makeelement(qn(tag), {qn("w:id"): str(next(self.ids)), qn("w:author"): self.author, qn("w:date"): self.date})


def _atoms(p) -> list[tuple[str, object]]:
    """(character, the run's w:rPr or None) for every visible character of the paragraph's runs."""
    out: list[tuple[str, object]] = []
    for run in p.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        for el in run:
            if el.tag == qn("w:t"):
                out += [(ch, rpr) for ch in (el.text or "")]
            elif el.tag == qn("w:tab"):
                out.append(("\t", rpr))
    return out


def _run(p, text: str, rpr, deleted: bool):
    run = p.makeelement(qn("w:r"), {})
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    tag = "w:delText" if deleted else "w:t"
    for i, piece in enumerate(text.split("\t")):
        if i:
            run.append(run.makeelement(qn("w:tab"), {}))
        if piece:
            t = run.makeelement(qn(tag), {_XML_SPACE: "preserve"})
            t.text = piece
            run.append(t)
    return run


def _runs(p, atoms: list[tuple[str, object]], deleted: bool) -> list:
    """Runs for consecutive characters that share formatting."""
    out, text, current = [], "", None
    for ch, rpr in atoms:
        if text and rpr is not current:
            out.append(_run(p, text, current, deleted))
            text = ""
        text, current = text + ch, rpr
    if text:
        out.append(_run(p, text, current, deleted))
    return out


def _clear_runs(p) -> object:
    """Remove the paragraph's runs; return where new content goes (before a trailing bookmarkEnd)."""
    for run in [r for r in p if r.tag in (qn("w:r"), qn("w:ins"), qn("w:del"))]:
        p.remove(run)
    return next((el for el in p if el.tag == qn("w:bookmarkEnd")), None)


def _place(p, before, elements: list) -> None:
    for el in elements:
        if before is None:
            p.append(el)
        else:
            before.addprevious(el)


def track_text(p, old: str, revisions: Revisions) -> int:
    """Rewrite p (showing the new text) so that rejecting its changes gives `old`; returns the number of changes."""
    atoms = _atoms(p)
    new = "".join(ch for ch, _ in atoms)
    if new == old:
        return 0
    out, pos, changes = [], 0, 0
    for seg in char_diff(old, new):
        here = atoms[pos:pos + len(seg.new)]
        fmt = here[0][1] if here else (atoms[min(pos, len(atoms) - 1)][1] if atoms else None)
        if seg.op == EQUAL:
            out += _runs(p, here, False)
        else:  # noise counts too: "Reject all" must give the old text exactly
            changes += 1
            if seg.old:
                wrap = revisions.element(p, "w:del")
                for run in _runs(p, [(ch, fmt) for ch in seg.old], True):
                    wrap.append(run)
                out.append(wrap)
            if seg.new:
                wrap = revisions.element(p, "w:ins")
                for run in _runs(p, here, False):
                    wrap.append(run)
                out.append(wrap)
        pos += len(seg.new)
    _place(p, _clear_runs(p), out)
    return changes


def _mark_paragraph(p, tag: str, revisions: Revisions) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = p.makeelement(qn("w:pPr"), {})
        p.insert(0, ppr)
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = ppr.makeelement(qn("w:rPr"), {})
        change = ppr.find(qn("w:pPrChange"))
        sect = ppr.find(qn("w:sectPr"))
        anchor = sect if sect is not None else change
        if anchor is not None:
            anchor.addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, revisions.element(rpr, tag))


def track_inserted(p, revisions: Revisions) -> None:
    """The whole paragraph is new: its runs and its paragraph mark are insertions."""
    atoms = _atoms(p)
    before = _clear_runs(p)
    wrap = revisions.element(p, "w:ins")
    for run in _runs(p, atoms, False):
        wrap.append(run)
    _place(p, before, [wrap])
    _mark_paragraph(p, "w:ins", revisions)


def deleted_copy(p, revisions: Revisions):
    """A copy of an old paragraph, all of it (text and mark) a deletion; its bookmarks are dropped."""
    clone = copy.deepcopy(p)
    for el in [e for e in clone.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd"))]:
        el.getparent().remove(el)
    atoms = _atoms(clone)
    _clear_runs(clone)
    wrap = revisions.element(clone, "w:del")
    for run in _runs(clone, atoms, True):
        wrap.append(run)
    clone.append(wrap)
    _mark_paragraph(clone, "w:del", revisions)
    return clone


def mark_row(tr, tag: str, revisions: Revisions) -> None:
    """A table row that is new (w:ins) or gone (w:del) as a whole."""
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = tr.makeelement(qn("w:trPr"), {})
        tblpr = tr.find(qn("w:tblPrEx"))
        tr.insert(1 if tblpr is not None else 0, trpr)
    trpr.append(revisions.element(trpr, tag))


__all__ = ["Revisions", "track_text", "track_inserted", "deleted_copy", "mark_row"]
