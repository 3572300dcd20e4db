"""For `kiyaku apply`: text outside the articles — appendix titles, headings, section text, table
cells and notes, the cover's service name, subtitle and title — mapped back to its YAML string.

These texts use the placeholder language too ({installation_fee}円 in a fee table), so an edit is
merged into the YAML string the same way as a clause: placeholders whose printed text survives
stay placeholders, an edit of a printed value is refused with the line to change instead, and a
value typed as new text is folded into its placeholder (generator/word/_apply_fold.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..compile.resolve import RText, ResolvedVariant
from ..importing._align import SBlock, SharedView, merge
from ..source.errors import Finding
from ._apply_fold import Printed, fold
from ._apply_map import computed_finding, touched
from ._docx_read import quiet

_COVER = {"#service": ("service", "表紙のサービス名"), "#subtitle": ("subtitle", "表紙の副題"), "#title": ("title", "本文の表題")}


@dataclass(frozen=True)
class PlainSource:
    """One text outside the articles: where its YAML string is, and what is printed before it."""

    key: str
    relpath: str
    path: tuple
    label: str  # e.g. 別紙※1の表（2行目・2列目）, for reports and findings
    prefix: str = ""  # printed in the same paragraph before the text (an appendix heading's mark)


def _section(key: str, relpath: str, where: tuple, section, mark: str) -> list[PlainSource]:
    name = f"別紙{mark}"
    out = [PlainSource(f"{key}#heading", relpath, where + ("heading",), f"{name}の見出し", f"{mark}　")]
    texts = section.text if isinstance(section.text, list) else [section.text] if section.text is not None else []
    for i, block in enumerate(texts):
        path = where + ("text",) if isinstance(section.text, str) else where + ("text", i) + (() if isinstance(block, str) else ("text",))
        out.append(PlainSource(f"{key}/{i}", relpath, path, f"{name}の本文"))
    for n, _note in enumerate(section.notes):
        out.append(PlainSource(f"{key}#note/{n}", relpath, where + ("notes", n), f"{name}の注記{n + 1}"))
    if section.table is not None:
        for c, _ in enumerate(section.table.columns):
            out.append(PlainSource(f"{key}#r0c{c}", relpath, where + ("table", "columns", c), f"{name}の表（見出し・{c + 1}列目）"))
        for r, row in enumerate(section.table.rows, start=1):
            for c, _ in enumerate(row):
                out.append(PlainSource(f"{key}#r{r}c{c}", relpath, where + ("table", "rows", r - 1, c), f"{name}の表（{r}行目・{c + 1}列目）"))
    return out


def plain_sources(resolved: ResolvedVariant) -> dict[str, PlainSource]:
    """key → PlainSource for every text printed from a YAML string outside the articles."""
    out = [PlainSource(key, "terms/document.yaml", (field,), label) for key, (field, label) in _COVER.items()]
    counters: dict[str, int] = {}
    for appendix, relpath in resolved.appendices:
        a_index = counters.get(relpath, 0)
        counters[relpath] = a_index + 1
        base = ("appendices", a_index)
        out.append(PlainSource(f"appendix/{appendix.id}#title", relpath, base + ("title",), "別紙の表題"))
        for s_index, section in enumerate(appendix.sections):
            out += _section(f"appendix/{appendix.id}.{section.id}", relpath, base + ("sections", s_index), section, section.mark)
    return {s.key: s for s in out}


def _value(resolved: ResolvedVariant, src: PlainSource) -> str | None:
    data: Any = resolved.project.sources[src.relpath].data
    for part in src.path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data if isinstance(data, str) else None


def plain_change(resolved: ResolvedVariant, view: SharedView, src: PlainSource, rendered: str, typed: str,
                 values: tuple[Printed, ...]) -> tuple[str | None, list[Finding]]:
    """The new YAML string for an edited text outside the articles, or the findings that refuse it."""
    where = resolved.project.where(src.relpath, src.path)
    if src.prefix:
        if not quiet(typed).startswith(quiet(src.prefix.strip())):
            return None, [Finding(where, "W104", f"{src.label}の記号「{src.prefix.strip()}」が書き換えられています。",
                                  f"記号は元に戻してください。記号を変えるなら {where.path}:{where.line} の近くの mark: を変更します。")]
        rendered, typed = rendered[len(src.prefix):], typed[len(src.prefix.strip()):].lstrip("　 \t")
    source = _value(resolved, src)
    if source is None:
        return None, [Finding(where, "W105", f"{src.label}は Word からは変更できません。", f"{where.path}:{where.line} を直接編集してください。")]
    rtext = RText(source, where)
    block: SBlock = view.block(rtext, ("", ""))
    if quiet(block.text) != quiet(rendered):  # the YAML changed since the file was rendered
        return None, [Finding(where, "W105", f"{src.label}の元の文を YAML から特定できません。",
                              f"{where.path}:{where.line} を直接編集してください。")]
    bad = touched(block.segs, typed)
    if bad:
        return None, [computed_finding(resolved, seg, rtext, src.label) for seg, _ in bad]
    merged = merge(block.segs, typed, lambda text: text)
    return fold(source, merged, values), []

