"""Stage 2: apply one variant to the shared clauses: overrides, then options.

The result is still unnumbered: text is kept as source strings with their origin, so that
numbering (stage 3) can report a bad placeholder at the file and line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..source import _suggest
from ..source._columns import value_location
from ..source.errors import Finding, Location, ModelError
from ..source.load import Project
from ..source.model import Appendix, Article, Block, Item, Override, Paragraph, TextBlocks, Variant
from ._variant_checks import check_variant, duplicate_captions, unknown_conditions, unknown_option_hint


@dataclass
class RText:
    """One text block and where it was written."""

    text: str
    origin: Location
    id: str | None = None


@dataclass
class RNode:
    """An article, paragraph or item of one variant, before numbering."""

    kind: str  # "article" | "paragraph" | "item"
    id: str
    origin: Location
    caption: str = ""
    lead: list[RText] = field(default_factory=list)
    blocks: list[RText] = field(default_factory=list)
    children: list["RNode"] = field(default_factory=list)
    after: list[RText] = field(default_factory=list)
    when: str | None = None


@dataclass
class ResolvedVariant:
    """One reseller's clauses with overrides applied and optional clauses switched."""

    project: Project
    variant: Variant
    articles: list[RNode]
    appendices: list[tuple[Appendix, str]]  # appendix and the file it came from
    options: dict[str, bool]


def _blocks(value: TextBlocks | None, origin: Location) -> list[RText]:
    if value is None:
        return []
    if isinstance(value, str):
        return [RText(value, origin)]
    return [RText(b.text, origin, b.id) if isinstance(b, Block) else RText(b, origin) for b in value]


def _item(item: Item, where) -> RNode:
    return RNode("item", item.id, where(()), blocks=_blocks(item.text, where(("text",))), when=item.when)


def _paragraph(para: Paragraph, where) -> RNode:
    node = RNode("paragraph", para.id, where(()), blocks=_blocks(para.text, where(("text",))),
                 after=_blocks(para.after, where(("after",))), when=para.when)
    node.children = [_item(it, lambda loc, i=i: where(("items", i) + loc)) for i, it in enumerate(para.items)]
    return node


def _article(article: Article, where) -> RNode:
    node = RNode("article", article.id, where(()), caption=article.caption,
                 lead=_blocks(article.lead, where(("lead",))), when=article.when)
    if article.paragraphs:
        node.children = [_paragraph(p, lambda loc, i=i: where(("paragraphs", i) + loc)) for i, p in enumerate(article.paragraphs)]
    else:
        node.children = [_item(it, lambda loc, i=i: where(("items", i) + loc)) for i, it in enumerate(article.items)]
    return node


def _find(articles: list[RNode], path: str) -> tuple[list[RNode] | None, RNode | RText | None]:
    """Locate a node (or an id'd text block) by id path; return (the list holding it, the node)."""
    container: list[RNode] = articles
    node: RNode | RText | None = None
    parts = path.split(".")
    for depth, part in enumerate(parts):
        if isinstance(node, RText):
            return None, None
        if node is not None:
            block = next((b for b in node.lead + node.blocks + node.after if b.id == part), None)
            if block is not None:
                return (None, block) if depth == len(parts) - 1 else (None, None)
            container = node.children
        node = next((n for n in container if n.id == part), None)
        if node is None:
            return None, None
    return container, node


def _apply(articles: list[RNode], override: Override, where, project: Project, value_at=None) -> Finding | None:
    ops = [name for name in ("replace", "insert_after", "insert_before", "remove") if getattr(override, name)]
    value_at = value_at or where
    here = where(())
    if len(ops) != 1:
        return Finding(here, "V001", "上書き（overrides）には replace / insert_after / insert_before / remove のどれか 1 つを書いてください。", "1 つの上書きに 1 つの操作だけを書きます。")
    op = ops[0]
    path = getattr(override, op)
    container, node = _find(articles, path)
    if node is None:
        return Finding(value_at((op,)), "V002", f"上書きの対象「{path}」が見つかりません。",
                       _suggest.did_you_mean(path, _paths(articles),
                                             "ID のつづりを確認してください（条・項・号の ID をドットでつなぎます。例: fees.amount）。"))
    if op == "remove":
        if isinstance(node, RText):
            for owner in _all_nodes(articles):
                for blocks in (owner.blocks, owner.lead, owner.after):
                    if node in blocks:
                        blocks.remove(node)
            return None
        assert container is not None
        container.remove(node)
        return None
    if op == "replace":
        if isinstance(node, RText):
            if override.text is None or not isinstance(override.text, str):
                return Finding(here, "V003", "ブロックの置き換えには text（1 つの文字列）を書いてください。", "")
            node.text, node.origin = override.text, where(("text",))
            return None
        if override.text is None and override.caption is None:
            return Finding(here, "V003", f"「{path}」を置き換える text または caption がありません。", "text: の下に新しい本文を書いてください。")
        if override.caption is not None:
            if node.kind != "article":
                return Finding(where(("caption",)), "V003", "caption（見出し）を置き換えられるのは条だけです。", "")
            node.caption = override.caption
        if override.text is not None:
            if node.kind == "article":
                node.lead = _blocks(override.text, where(("text",)))
            else:
                node.blocks = _blocks(override.text, where(("text",)))
        return None
    new_node: RNode | None = None
    if override.article is not None:
        new_node = _article(override.article, lambda loc: where(("article",) + loc))
    elif override.paragraph is not None:
        new_node = _paragraph(override.paragraph, lambda loc: where(("paragraph",) + loc))
    elif override.item is not None:
        new_node = _item(override.item, lambda loc: where(("item",) + loc))
    if new_node is None or isinstance(node, RText):
        return Finding(here, "V004", "挿入する article / paragraph / item がありません。", "paragraph: や item: の下に新しい項・号を書いてください。")
    if new_node.kind != node.kind:
        return Finding(here, "V005", f"{_KIND[new_node.kind]}を{_KIND[node.kind]}の位置には入れられません。", f"同じ種類（{_KIND[node.kind]}）の前後に入れてください。")
    assert container is not None
    if any(n.id == new_node.id for n in container):
        return Finding(where((new_node.kind, "id")), "V006", f"ID「{new_node.id}」は既にあります。", "別の ID にしてください。")
    index = container.index(node) + (1 if op == "insert_after" else 0)
    container.insert(index, new_node)
    return None


_KIND = {"article": "条", "paragraph": "項", "item": "号"}


def _all_nodes(articles: list[RNode]):
    stack = list(articles)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _paths(articles: list[RNode]) -> list[str]:
    """Every id path an override can target, for a 'did you mean' hint."""
    out: list[str] = []

    def walk(nodes: list[RNode], prefix: str) -> None:
        for node in nodes:
            path = f"{prefix}{node.id}"
            out.append(path)
            out.extend(f"{path}.{b.id}" for b in node.lead + node.blocks + node.after if b.id)
            walk(node.children, path + ".")

    walk(articles, "")
    return out


def _enabled(when: str | None, options: dict[str, bool]) -> bool:
    if not when:
        return True
    negate = when.startswith("not ")
    name = when[4:].strip() if negate else when.strip()
    return options.get(name, False) != negate


def _filter(nodes: list[RNode], options: dict[str, bool]) -> list[RNode]:
    kept = [n for n in nodes if _enabled(n.when, options)]
    for node in kept:
        node.children = _filter(node.children, options)
    return kept


def effective_options(project: Project, variant: Variant) -> dict[str, bool]:
    options = {name: decl.default for name, decl in project.document.options.items()}
    options.update(variant.options)
    return options


def resolve(project: Project, variant_id: str) -> ResolvedVariant:
    """Apply a variant's overrides and options to the shared clauses (raise ModelError on problems)."""
    variant = project.variants[variant_id]
    vfile = project.variant_files[variant_id]
    findings: list[Finding] = []
    articles: list[RNode] = []
    doc_where = lambda loc: project.where("terms/document.yaml", loc)  # noqa: E731
    for index, article_id in enumerate(project.document.articles):
        article = project.articles.get(article_id)
        if article is None:
            findings.append(Finding(doc_where(("articles", index)), "R001", f"条「{article_id}」のファイルがありません。",
                                    f"terms/{article_id}.yaml を作るか、この行を削除してください。"))
            continue
        afile = project.article_files[article_id]
        articles.append(_article(article, lambda loc, f=afile: project.where(f, loc)))
    for index, override in enumerate(variant.overrides):
        finding = _apply(articles, override, lambda loc, i=index: project.where(vfile, ("overrides", i) + loc), project,
                         lambda loc, i=index: value_location(project, vfile, ("overrides", i) + loc))
        if finding:
            findings.append(finding)
    options = effective_options(project, variant)
    for name in variant.options:
        if name not in project.document.options:
            findings.append(Finding(project.where(vfile, ("options", name)), "R002", f"オプション「{name}」はありません。",
                                    unknown_option_hint(name, project.document.options)))
    findings += check_variant(project, variant, options) + unknown_conditions(project, _all_nodes(articles))
    findings += duplicate_captions(project, variant, [a.caption for a in _filter(list(articles), options)])
    if findings:
        raise ModelError(findings)
    appendices = [(a, "terms/document.yaml") for a in project.document.appendices] + [(a, vfile) for a in variant.appendices]
    return ResolvedVariant(project, variant, _filter(articles, options), appendices, options)
