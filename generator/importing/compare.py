"""`kiyaku compare`: a rendered variant against an outside document, article by article.

Both sides are split into sections (表紙, 第N条, 附則, 別紙), folded (normalize.fold) and
diffed by character with diff-match-patch. Errata entries for the variant are applied to the
outside text first, so that the remaining differences are the unexplained ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from ..compile.normalize import fold
from ..source.model import Errata

_ARTICLE = re.compile(r"^[\s#*>\-]*第\s*(\d+)\s*条\s*\**\s*[（(]")
_SUPPLEMENTARY = re.compile(r"^[\s#*]*附\s*則\s*$")
_APPENDIX = re.compile(r"^[\s#*<＜]*別\s*紙\s*[>＞]?\s*$")


def sections(text: str) -> dict[str, str]:
    """Split a terms document into its sections by headings; keys: 表紙, 第N条, 附則, 別紙."""
    out: dict[str, list[str]] = {"表紙": []}
    current = "表紙"
    for line in text.splitlines():
        if m := _ARTICLE.match(line):
            current = f"第{int(m.group(1))}条"
        elif _SUPPLEMENTARY.match(line):
            current = "附則"
        elif _APPENDIX.match(line):
            current = "別紙"
        out.setdefault(current, []).append(line)
    return {key: "\n".join(lines) for key, lines in out.items()}


@dataclass(frozen=True)
class SectionResult:
    key: str
    similarity: float
    raw_similarity: float
    ours: int
    theirs: int
    differences: tuple[tuple[str, str, str], ...]  # (context, theirs, ours)


@dataclass(frozen=True)
class Comparison:
    sections: tuple[SectionResult, ...]
    similarity: float
    raw_similarity: float


def _similarity(a: str, b: str) -> tuple[float, list]:
    dmp = diff_match_patch()
    # exact for documents that mostly agree (milliseconds); a cap for sections that share little
    # (e.g. a renumbered document paired by number), where the figure is then an estimate
    dmp.Diff_Timeout = 10.0
    diffs = dmp.diff_main(a, b, False)
    same = sum(len(t) for op, t in diffs if op == 0)
    total = len(a) + len(b)
    score = 1.0 if total == 0 else 2 * same / total
    return score, diffs


def _differences(diffs: list) -> tuple[tuple[str, str, str], ...]:
    dmp = diff_match_patch()
    dmp.diff_cleanupSemantic(diffs)
    out = []
    before = ""
    pending_del, pending_ins = "", ""
    for op, text in diffs + [(0, "")]:
        if op == -1:
            pending_del += text
        elif op == 1:
            pending_ins += text
        else:
            if pending_del or pending_ins:
                out.append((before[-12:], pending_del, pending_ins))
            pending_del, pending_ins = "", ""
            before = text
    return tuple(out)


def apply_errata(text: str, errata: Errata, variant_id: str) -> str:
    """Apply corrections to folded outside text: the source's defect becomes our corrected text."""
    for entry in errata.errata:
        if variant_id in entry.variants and entry.original:
            text = text.replace(fold(entry.original), fold(entry.corrected))
    return text


def compare(ours_text: str, theirs_text: str, errata: Errata, variant_id: str) -> Comparison:
    ours = {k: fold(v) for k, v in sections(ours_text).items()}
    theirs_raw = {k: fold(v) for k, v in sections(theirs_text).items()}
    theirs = {k: apply_errata(v, errata, variant_id) for k, v in theirs_raw.items()}
    keys = list(ours) + [k for k in theirs if k not in ours]
    results = []
    same_total = raw_same_total = length_total = 0.0
    for key in keys:
        a, b = theirs.get(key, ""), ours.get(key, "")
        score, diffs = _similarity(a, b)
        raw_score, _ = _similarity(theirs_raw.get(key, ""), b)
        results.append(SectionResult(key, score, raw_score, len(b), len(a), _differences(diffs)))
        size = len(a) + len(b)
        same_total += score * size
        raw_same_total += raw_score * (len(theirs_raw.get(key, "")) + len(b))
        length_total += size
    overall = same_total / length_total if length_total else 1.0
    raw_len = sum(len(v) for v in theirs_raw.values()) + sum(len(v) for v in ours.values())
    raw_overall = raw_same_total / raw_len if raw_len else 1.0
    return Comparison(tuple(results), overall, raw_overall)


def report(result: Comparison, verbose: bool = True) -> str:
    lines = [f"全体の一致率: {result.similarity:.4f}（正誤表適用前 {result.raw_similarity:.4f}）", ""]
    for sec in result.sections:
        lines.append(f"{sec.key}\t{sec.similarity:.4f}\t（適用前 {sec.raw_similarity:.4f}、生成 {sec.ours} 字 / 原本 {sec.theirs} 字）")
        if verbose:
            for context, theirs, ours in sec.differences:
                lines.append(f"    …{context}［原本: {theirs or '∅'}］→［生成: {ours or '∅'}］")
    return "\n".join(lines) + "\n"
