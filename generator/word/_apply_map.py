"""For `kiyaku apply`: every id of a rendered DOCX mapped to the YAML it was rendered from, and the
check that an edit made in Word leaves computed text (numbers, {ref}, {self}, parameters) alone.

A block is kept as segments (generator.importing._align.SharedView): literal text, or one placeholder with
the text it renders to. Any placeholder whose rendered text the edit touches is computed text,
whatever its name or type, so typed parameters are recognised the same way as today's strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compile import _placeholders as ph
from ..compile.document import NumberedDocument
from ..compile.resolve import RNode, RText, ResolvedVariant
from ..importing._align import Seg, SBlock, SharedView, _diff
from ..render._docx_ids import bookmark_name, slots
from ..source.errors import Finding, Location


@dataclass(frozen=True)
class Source:
    """Where one rendered block came from."""

    key: str
    node: RNode | None  # article, paragraph or item (None for appendix cells and cover lines)
    field: str  # caption | lead | blocks | after | cell | fixed
    rtext: RText | None
    block: SBlock | None
    label: str  # e.g. 第13条第1項, for reports


def _fields(node: RNode) -> list[tuple[str, list[RText]]]:
    if node.kind == "article":
        return [("lead", node.lead)]
    return [("blocks", node.blocks), ("after", node.after)]


def sources(resolved: ResolvedVariant, doc: NumberedDocument) -> dict[str, Source]:
    """key → Source for every block, caption and appendix cell of the variant."""
    view = SharedView(resolved)
    out: dict[str, Source] = {}
    labels = {s.key: s for s in slots(doc)}

    def add(node: RNode, path: str, ctx: tuple[str, str], label: str) -> None:
        for field, texts in _fields(node):
            shown = 0
            for rtext in texts:
                block = view.block(rtext, ctx)
                if not block.text.strip():
                    continue
                key = f"{path}#lead/{shown}" if field == "lead" else f"{path}#after/{shown}" if field == "after" else f"{path}/{shown}"
                out[key] = Source(key, node, field, rtext, block, label)
                shown += 1

    for a_no, article in enumerate(resolved.articles, start=1):
        out[f"{article.id}#caption"] = Source(f"{article.id}#caption", article, "caption", None, None, f"第{a_no}条の見出し")
        add(article, article.id, (article.id, ""), f"第{a_no}条")
        for c_no, child in enumerate(article.children, start=1):
            c_path = f"{article.id}.{child.id}"
            kind = "号" if child.kind == "item" else "項"
            ctx = (article.id, c_path if child.kind == "paragraph" else "")
            add(child, c_path, ctx, f"第{a_no}条第{c_no}{kind}")
            for i_no, item in enumerate(child.children, start=1):
                add(item, f"{c_path}.{item.id}", ctx, f"第{a_no}条第{c_no}項第{i_no}号")
    for key in labels:
        if key not in out:
            fixed = "cell" if "#r" in key else "fixed"
            out[key] = Source(key, None, fixed, None, None, key)
    return out


def names(doc: NumberedDocument) -> dict[str, str]:
    """Bookmark name → key for every slot of the document."""
    return {bookmark_name(s.key): s.key for s in slots(doc)}


def _intact(keep: list[bool], inserted: list[str], pos: int, end: int) -> bool:
    return all(keep[pos:end]) and not any(inserted[pos + 1:end])


def touched(segs: tuple[Seg, ...], target: str) -> list[tuple[Seg, str]]:
    """Placeholders whose rendered text the edit changes: (segment, the text now in its place)."""
    rendered = "".join(s.text for s in segs)
    keep, inserted = _diff(rendered, target)
    out: list[tuple[Seg, str]] = []

    def walk(items: tuple[Seg, ...], pos: int) -> int:
        for seg in items:
            end = pos + len(seg.text)
            if seg.atomic and end > pos and not _intact(keep, inserted, pos, end):
                if seg.inner is not None:
                    walk(seg.inner, pos)
                else:
                    out.append((seg, rendered[pos:end]))
            pos = end
        return pos

    walk(segs, 0)
    return out


def computed_finding(resolved: ResolvedVariant, seg: Seg, rtext: RText, label: str) -> Finding:
    """A refusal naming the YAML line to change instead of the computed text."""
    project, variant = resolved.project, resolved.variant
    vfile = project.variant_files[variant.id]
    token = ph.parse(seg.source)[0]
    if isinstance(token, ph.Param):
        name = token.name
        key = {"self": ("self",), "name": ("name",), "edition": ("edition",), "notice_days": ("notice_days",),
               "issued": ("issued",), "effective": ("effective",)}.get(name, ("params", name))
        where = project.where(vfile, key)
        if key == ("params", name) and ("params", name) not in project.sources[vfile].positions:
            where = project.where("terms/document.yaml", ("parameters", name))
        return Finding(where, "W101", f"{label}の「{seg.text}」はパラメータ {name} の値です。Word で変えた値は取り込みません。",
                       f"{where.path}:{where.line} の {'.'.join(key)} を変更してください（全箇所に反映されます）。")
    if isinstance(token, ph.Ref):
        where = rtext.origin
        return Finding(where, "W102", f"{label}の「{seg.text}」は参照 {{ref:{token.target}}} が計算した番号です。手で書き換えた参照は取り込みません。",
                       f"参照先を変えるなら {where.path}:{where.line} の {{ref:{token.target}}} を書き換えてください（番号は自動で振られます）。")
    return Finding(rtext.origin, "W103", f"{label}の「{seg.text}」は {seg.source} が計算した文字です。",
                   f"{rtext.origin.path}:{rtext.origin.line} の {seg.source} を変更してください。")


def origin_path(resolved: ResolvedVariant, where: Location) -> tuple | None:
    """The YAML key path whose key sits at `where` (the field a block was read from)."""
    loaded = resolved.project.sources.get(where.path)
    if loaded is None:
        return None
    for path, pos in loaded.positions.items():
        if pos == (where.line, where.col):
            return path
    return None


_FIXED = {"#service": ("terms/document.yaml", ("service",)), "#subtitle": ("terms/document.yaml", ("subtitle",)),
          "#title": ("terms/document.yaml", ("title",))}


def fixed_location(resolved: ResolvedVariant, key: str) -> Location:
    """Where to change a computed line of the cover or the 附則 instead of editing it in Word."""
    project, vfile = resolved.project, resolved.project.variant_files[resolved.variant.id]
    if key == "#provider":
        return project.where(vfile, ("name",))
    if key == "#cover":
        return project.where(vfile, ("edition",))
    if key.startswith("#supplementary"):
        return project.where("terms/document.yaml", ("supplementary",))
    if key in _FIXED:
        return project.where(*_FIXED[key])
    return project.where(vfile, ())
