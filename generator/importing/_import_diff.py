"""The differences between an imported document and the shared clauses, as variant overrides.

Given a candidate variant (identity, parameters, options already detected), every parsed node is
paired with a shared node and compared after folding (normalize.fold). A node that renders the
same is left alone; a node whose only differences are known defects of a source (errata.yaml,
e.g. おお客様) is left alone too and reported, so that a typo never becomes reseller content;
everything else becomes a replace, insert or remove override with the similarity in its reason.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..compile.normalize import fold
from ..source.model import Errata
from ._align import SBlock, SNode, align, bigrams, dice, merge, resemblance, same, similarity, split
from ._parse_terms import PArticle, PItem, PParagraph

REASON = "取り込み: 共有条項と異なる（類似度 {:.2f}）"  # floored: a real difference never shows 1.00
_KIND = {"article": "条", "paragraph": "項", "item": "号"}
Pairs = list[tuple[int | None, int | None]]


@dataclass(frozen=True)
class INode:
    """An imported article, paragraph or item; key holds its numbers as printed in the source."""

    kind: str
    label: str
    key: tuple[int, ...]
    line: int
    blocks: tuple[str, ...]
    children: tuple["INode", ...] = ()
    caption: str = ""

    @property
    def text(self) -> str:
        return "".join(self.blocks)

    def full_text(self) -> str:
        return self.text + "".join(c.full_text() for c in self.children)


def ref_style(text: str) -> str:
    """第4条第1項(3) → 第4条第1項第3号: item references in the one form {ref:…} renders."""
    return re.sub(r"(第\d+条第\d+項)[（(](\d+)[）)]", r"\1第\2号", text)


def _item(item: PItem, prefix: str, key: tuple[int, ...]) -> INode:
    return INode("item", f"{prefix}第{item.number}号", key + (item.number,), item.line, item.blocks)


def _paragraph(p: PParagraph, a: int) -> INode:
    label = f"第{a}条第{p.number}項"
    return INode("paragraph", label, (a, p.number), p.line, p.blocks,
                 tuple(_item(i, label, (a, p.number)) for i in p.items))


def imported_articles(articles: tuple[PArticle, ...]) -> tuple[INode, ...]:
    out = []
    for a in articles:
        children = tuple(_paragraph(p, a.number) for p in a.paragraphs) or \
            tuple(_item(i, f"第{a.number}条", (a.number, 0)) for i in a.items)
        out.append(INode("article", f"第{a.number}条", (a.number,), a.line, a.lead, children, a.caption))
    return tuple(out)


def _shape(s: SNode, i: INode) -> tuple[tuple[str, ...], tuple[INode, ...]]:
    """Bridge layouts that say the same thing: a lone unnumbered sentence is paragraph 1, and a
    single numbered paragraph with items is a lead sentence with items (第23条)."""
    kinds = {c.kind for c in s.children}
    if not s.blocks and kinds == {"paragraph"} and i.blocks and not i.children:
        label = f"{i.label}第1項"
        return (), (INode("paragraph", label, i.key + (1,), i.line, i.blocks),)
    if s.blocks and kinds == {"item"} and not i.blocks and len(i.children) == 1 and i.children[0].kind == "paragraph":
        para = i.children[0]
        return para.blocks, tuple(INode("item", c.label, i.key + (0,) + c.key[-1:], c.line, c.blocks) for c in para.children)
    return i.blocks, i.children


@dataclass(frozen=True)
class Entry:
    """One line of the import report."""

    action: str  # 一致 正誤表 置換 挿入 削除
    source: str
    path: str
    similarity: float
    note: str = ""


@dataclass
class Differ:
    """Walks paired trees and collects overrides, report entries and what each override must render."""

    errata: Errata
    self_ref: str
    name: str
    params: dict[str, str] = field(default_factory=dict)
    refmap: dict[tuple[int, ...], str] = field(default_factory=dict)
    replaces: list[dict[str, Any]] = field(default_factory=list)
    inserts: list[dict[str, Any]] = field(default_factory=list)
    removes: list[dict[str, Any]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    expected: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (what, text)
    errata_used: set[str] = field(default_factory=set)
    plans: dict[str, tuple[tuple[INode, ...], Pairs]] = field(default_factory=dict)
    shapes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    builders: dict[str, Callable[[int], None]] = field(default_factory=dict)
    added: set[str] = field(default_factory=set)  # paths inserted by an earlier pass

    def adopt(self, earlier: "Differ") -> None:
        """Take the structure (inserted and removed nodes) found by a pass over the bare shared
        clauses; this pass compared against the clauses with that structure, numbers included."""
        self.inserts, self.removes = earlier.inserts, earlier.removes
        for path in self.added:
            self.builders[path], self.expected[path] = earlier.builders[path], earlier.expected[path]
        self.entries += [e for e in earlier.entries if e.action in ("削除", "未対応")]
        self.errata_used |= {u for e in earlier.entries if e.action == "正誤表" and not e.path for u in e.note.split(" ")[0].split("、")}

    # --- text helpers -------------------------------------------------------------------------
    def correct(self, text: str) -> tuple[str, str, set[str]]:
        """(corrected text, corrected fold, errata ids applied) – the source's known defects fixed."""
        folded, used = fold(text), set()
        for respelled in (False, True):  # as recorded first, so the report names the right entry
            for entry in self.errata.errata:
                for original, corrected in self._spellings(entry.original, entry.corrected)[int(respelled):]:
                    if original and fold(original) in folded:
                        folded = folded.replace(fold(original), fold(corrected))
                        text = text.replace(original, corrected)
                        used.add(entry.id)
        return text, folded, used

    def _spellings(self, original: str, corrected: str) -> list[tuple[str, str]]:
        """The erratum as recorded, and as this reseller would write it (弊社の… → 本所の…)."""
        label = re.match(r"^(?:\d+[.．]|[（(]\d+[）)])\s*", original)  # a 項/号 number is not text here
        if label and corrected.startswith(label.group(0)) or label and not corrected:
            original, corrected = original[label.end():], corrected[label.end():]
        words = [w for w in ("弊社", "本所", "当社", "当所") if w in original and w != self.self_ref]
        return [(original, corrected)] + [(original.replace(w, self.self_ref), corrected.replace(w, self.self_ref))
                                          for w in words if self.self_ref]

    def literal(self, article_key: int | None, refs: bool = True) -> Callable[[str], str]:
        """Imported words back to source: braces made harmless, references, name and self as placeholders."""
        def convert(text: str) -> str:
            text = text.replace("{", "｛").replace("}", "｝")
            if refs:
                text = self._refs(text, article_key)
            for param, value in sorted(self.params.items(), key=lambda kv: -len(kv[1])):
                if len(value) >= 4 and any(c.isdigit() for c in value):  # fees, not ordinary words
                    text = text.replace(value, f"{{{param}}}")
            if self.name:
                text = text.replace(self.name, "{name}")
            return text.replace(self.self_ref, "{self}") if self.self_ref else text
        return convert

    def _refs(self, text: str, article_key: int | None) -> str:
        def article_ref(m: re.Match[str]) -> str:
            numbers = [int(g) for g in m.groups() if g]
            for n in range(len(numbers), 0, -1):
                if (path := self.refmap.get(tuple(numbers[:n]))) is not None:
                    rest = "".join(f"第{v}{unit}" for v, unit in zip(numbers[n:], ("項", "号")[n - 1:]))
                    return f"{{ref:{path}}}{rest}"
            return m.group(0)

        def own_ref(m: re.Match[str]) -> str:
            path = self.refmap.get((article_key, int(m.group(1)))) if article_key else None
            return f"{{ref:{path}:本条}}" if path else m.group(0)
        text = re.sub(r"(?<![本前同各])第(\d+)条(?:第(\d+)項)?(?:第(\d+)号)?", article_ref, text)
        return re.sub(r"本条第(\d+)項", own_ref, text)

    # --- comparison ------------------------------------------------------------------------------
    def _replace(self, path: str, blocks: tuple[SBlock, ...], target: str, sim: float, key: int | None) -> str:
        """Replace the node's text, or only the blocks (with ids) that differ; returns the paths."""
        parts = split(target, [b.text for b in blocks]) if len(blocks) > 1 else [target]
        changed = [k for k, (b, p) in enumerate(zip(blocks, parts)) if not same(b.text, p)]
        reason = REASON.format(math.floor(sim * 100) / 100)
        if len(blocks) > 1 and changed and all(blocks[k].id for k in changed):
            for k in changed:
                self._add(f"{path}.{blocks[k].id}", "text", (blocks[k],), [parts[k]], parts[k], key, reason)
            return "、".join(f"{path}.{blocks[k].id}" for k in changed)
        self._add(path, "text", blocks, parts, target, key, reason)
        return path

    def _add(self, path: str, field_name: str, blocks: tuple[SBlock, ...], parts: list[str], target: str,
             key: int | None, reason: str) -> None:
        """One replace override whose text can be rebuilt less cleverly if it does not render back."""
        override: dict[str, Any] = {"replace": path, field_name: "", "reason": reason}

        def build(level: int) -> None:
            literal = self.literal(key, refs=level == 0 and field_name == "text")
            texts: list[Any] = []
            for block, part in zip(blocks or (SBlock(None, ()),), parts):
                text = literal(part) if level == 2 else merge(block.segs, part, literal)
                if part:
                    texts.append({"id": block.id, "text": text} if block.id and len(parts) > 1 else text)
            override[field_name] = texts[0] if len(texts) == 1 else (texts or "")
        build(0)
        self.replaces.append(override)
        self.builders[path + ("#caption" if field_name == "caption" else "")] = build
        self.expected[path + ("#caption" if field_name == "caption" else "")] = (field_name, target)

    def compare(self, s: SNode, blocks: tuple[str, ...], label: str, line: int, key: int | None) -> None:
        ours, raw = s.text, "".join(blocks)
        if not raw and not ours:
            return
        sim, theirs = similarity(fold(ours), fold(raw)), ref_style(raw)
        where = f"{label}（l.{line}）"
        if same(ours, theirs):
            added = any(s.path == p or s.path.startswith(p + ".") for p in self.added)
            self.entries.append(Entry("挿入" if added else "一致", where, s.path, sim))
            return
        corrected, folded, used = self.correct(theirs)
        if folded == fold(ours):
            self.errata_used |= used
            self.entries.append(Entry("正誤表", where, s.path, sim, "、".join(sorted(used))))
            return
        self.entries.append(Entry("置換", where, self._replace(s.path, s.blocks, corrected, sim, key), sim))

    # --- walking ---------------------------------------------------------------------------------
    def prepare(self, shared: tuple[SNode, ...], imported: tuple[INode, ...], pairs: Pairs) -> None:
        """Pair every level first, so that references anywhere can be rewritten to ids."""
        for a, b in pairs:
            if a is not None and b is not None:
                self.refmap[imported[b].key] = shared[a].path
                lead, children = _shape(shared[a], imported[b])
                self.shapes[shared[a].path] = lead
                self._prepare(shared[a], children)

    def _prepare(self, s: SNode, imported: tuple[INode, ...]) -> None:
        shared = s.children
        grams_s = [bigrams(c.full_text()) for c in shared]
        grams_i = [bigrams(c.full_text()) for c in imported]
        pairs = align(len(shared), len(imported), lambda a, b: resemblance(grams_s[a], grams_i[b]), 0.5)
        self.plans[s.path] = (imported, pairs)
        for a, b in pairs:
            if a is not None and b is not None:
                self.refmap[imported[b].key] = shared[a].path
                if shared[a].kind == "paragraph":
                    self._prepare(shared[a], imported[b].children)

    def article(self, s: SNode, i: INode) -> None:
        caption = s.caption
        if caption is not None and not same(caption.text, i.caption):
            sim = similarity(fold(caption.text), fold(i.caption))
            self._add(s.path, "caption", (caption,), [i.caption], i.caption, None, REASON.format(math.floor(sim * 100) / 100))
            self.entries.append(Entry("置換", f"{i.label}の見出し（l.{i.line}）", s.path, sim))
        self.compare(s, self.shapes.get(s.path, i.blocks), f"{i.label}の柱書き", i.line, i.key[0])
        self.children(s, i.key[0])

    def children(self, s: SNode, key: int) -> None:
        imported, pairs = self.plans.get(s.path, ((), []))
        shared = s.children
        previous: str | None = None
        for n, (a, b) in enumerate(pairs):
            if a is not None and b is not None:
                node, theirs = shared[a], imported[b]
                self.compare(node, theirs.blocks, theirs.label, theirs.line, key)
                if node.kind == "paragraph":
                    self.children(node, key)
                previous = node.path
            elif b is not None:
                previous = self.insert(s, imported[b], previous, pairs[n + 1:], shared, key) or previous
            else:
                node = shared[a]
                self.removes.append({"remove": node.path, "reason": f"取り込み: 原本にない（共有条項 {node.path}）"})
                self.entries.append(Entry("削除", "", node.path, 0.0))

    def insert(self, parent: SNode | None, node: INode, previous: str | None, rest: Pairs,
               shared: tuple[SNode, ...], key: int) -> str | None:
        """A node the shared clauses lack, inserted next to its paired neighbour; returns its path."""
        _corrected, folded, used = self.correct(node.full_text())
        if not folded:
            self.errata_used |= used
            self.entries.append(Entry("正誤表", f"{node.label}（l.{node.line}）", "", 0.0, "、".join(sorted(used)) + " により削除"))
            return None
        anchor = {"insert_after": previous} if previous else \
            {"insert_before": next((shared[a].path for a, _b in rest if a is not None), None)}
        if None in anchor.values():
            self.entries.append(Entry("未対応", f"{node.label}（l.{node.line}）", parent.path if parent else "", 0.0, "挿入位置がありません"))
            return None
        new_id = self._new_id(parent.children if parent else shared, node)
        override: dict[str, Any] = {**anchor, node.kind: {}, "reason": f"取り込み: 共有条項にない{_KIND[node.kind]}（原本 {node.label}）"}

        def build(level: int) -> None:
            override[node.kind] = self._body(node, new_id, self.literal(key, refs=level == 0))
        build(0)
        self.inserts.append(override)
        path = f"{parent.path}.{new_id}" if parent else new_id
        self.builders[path] = build
        self.expected[path] = ("node", node.full_text())
        self.refmap[node.key] = path
        self.entries.append(Entry("挿入", f"{node.label}（l.{node.line}）", path, 0.0))
        return path

    def _body(self, node: INode, new_id: str, literal: Callable[[str], str]) -> dict[str, Any]:
        texts = [literal(t) for t in (ref_style(self.correct(b)[0]) for b in node.blocks) if fold(t)]
        body: dict[str, Any] = {"id": new_id}
        if node.kind == "article":
            body["caption"] = node.caption
            if texts:
                body["lead"] = texts[0] if len(texts) == 1 else texts
            key = "paragraphs" if any(c.kind == "paragraph" for c in node.children) else "items"
            body[key] = [self._body(c, f"added-{c.key[-1]}", literal) for c in node.children]
            return body
        if texts or node.kind == "item":
            body["text"] = (texts[0] if len(texts) == 1 else texts) if texts else ""
        if node.children:
            body["items"] = [self._body(c, f"added-{c.key[-1]}", literal) for c in node.children]
        return body

    @staticmethod
    def _new_id(siblings: tuple[SNode, ...], node: INode) -> str:
        taken = {c.path.rsplit(".", 1)[-1] for c in siblings}
        base = f"added-{'article-' if node.kind == 'article' else ''}{node.key[-1]}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def articles(self, shared: tuple[SNode, ...], imported: tuple[INode, ...], pairs: Pairs) -> None:
        """Compare every paired article; insert the source's own articles, remove the ones it lacks."""
        self.prepare(shared, imported, pairs)
        previous: str | None = None
        for n, (a, b) in enumerate(pairs):
            if a is not None and b is not None:
                self.article(shared[a], imported[b])
                previous = shared[a].path
            elif b is not None:
                previous = self.insert(None, imported[b], previous, pairs[n + 1:], shared, imported[b].key[0]) or previous
            else:
                self.removes.append({"remove": shared[a].path, "reason": f"取り込み: 原本にない（共有条項 {shared[a].path}）"})
                self.entries.append(Entry("削除", "", shared[a].path, 0.0))

    def overrides(self) -> list[dict[str, Any]]:
        return self.replaces + self.inserts + self.removes


def pair_articles(shared: tuple[SNode, ...], imported: tuple[INode, ...]) -> Pairs:
    """Articles by caption and text, robust to renumbering (numbers are never compared)."""
    cap_s = [bigrams(s.caption.text if s.caption else "") for s in shared]
    cap_i = [bigrams(i.caption) for i in imported]
    txt_s = [bigrams(s.full_text()) for s in shared]
    txt_i = [bigrams(i.full_text()) for i in imported]
    return align(len(shared), len(imported), lambda a, b: 0.35 * dice(cap_s[a], cap_i[b]) + 0.65 * dice(txt_s[a], txt_i[b]), 0.45)
