"""Stage 3: number the resolved clauses and replace every placeholder.

Numbers come from order alone, so inserting or removing an article, paragraph or item
re-flows every later number and every {ref:…} to it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from . import _placeholders as ph
from . import params
from ..source import _suggest
from ..source._columns import token_location, token_text
from ..source.errors import Finding, Location, ModelError
from .document import NAppendix, NAppendixSection, NArticle, NItem, NParagraph, NTable, NumberedDocument
from .eras import era_date, parse_date, western_date
from .resolve import RNode, RText, ResolvedVariant

GAP_NOTICE = "この表は原本に記載がないため、掲載していません。"


@dataclass(frozen=True)
class Target:
    """What a reference can point to, with its numbers."""

    article: int | None = None
    paragraph: int | None = None
    item: int | None = None
    article_path: str = ""
    paragraph_path: str = ""
    appendix_mark: str | None = None
    caption: str = ""


def reference_table(resolved: ResolvedVariant) -> dict[str, Target]:
    """Every id path of this variant and the numbers it renders as."""
    table: dict[str, Target] = {}
    for a_no, article in enumerate(resolved.articles, start=1):
        table[article.id] = Target(article=a_no, article_path=article.id, caption=article.caption)
        for c_no, child in enumerate(article.children, start=1):
            c_path = f"{article.id}.{child.id}"
            if child.kind == "item":
                table[c_path] = Target(a_no, None, c_no, article.id, "", caption=article.caption)
                continue
            table[c_path] = Target(a_no, c_no, None, article.id, c_path, caption=article.caption)
            for i_no, item in enumerate(child.children, start=1):
                table[f"{c_path}.{item.id}"] = Target(a_no, c_no, i_no, article.id, c_path, caption=article.caption)
    for appendix, _file in resolved.appendices:
        table[appendix.id] = Target(appendix_mark="")
        for section in appendix.sections:
            table[f"{appendix.id}.{section.id}"] = Target(appendix_mark=section.mark)
    return table


class _Renderer:
    """Turns tokens into text for one variant; collects findings instead of stopping at the first."""

    def __init__(self, resolved: ResolvedVariant) -> None:
        self.resolved = resolved
        variant = resolved.variant
        self.table = reference_table(resolved)
        self.issued = parse_date(variant.issued)
        self.effective = parse_date(variant.effective)
        self.params: dict[str, str | int] = {"self": variant.self_ref, "name": variant.name, "edition": str(variant.edition),
                                             "notice_days": str(variant.notice_days)}
        self.params.update(variant.params)
        self.decls = resolved.project.document.parameters
        self.findings: list[Finding] = []
        self.used_params: set[str] = set()

    def _param(self, token: ph.Param) -> str | None:
        if token.name in ("issued", "effective"):
            day = self.issued if token.name == "issued" else self.effective
            return western_date(day) if token.form == "西暦" else era_date(day)
        decl = self.decls.get(token.name)
        if token.form and (decl is None or decl.type != "date"):
            return None
        self.used_params.add(token.name)
        value = self.params.get(token.name)
        if value is None:
            return None
        try:
            return params.render(decl, value, token.form)
        except ValueError:  # a bad date value: reported by the parameter check at the value itself
            return str(value)

    def _param_problem(self, token: ph.Param, origin: Location) -> tuple[str, str, str]:
        """Code, message and hint for a {name} that renders to nothing."""
        name, decl = token.name, self.decls.get(token.name)
        if token.form and (name in params.BUILTIN or (decl is not None and decl.type != "date")):
            # the value is there: telling the clerk to add it (or to declare a built-in) would send them the wrong way
            return ("T004", f"書式「{token.form}」は日付のパラメータにしか使えません（「{name}」は日付ではありません）。",
                    f"「{{{name}}}」と書いてください（「:{token.form}」は type: date のパラメータと {{issued}}・{{effective}} に使えます）。")
        return ("P001", *self._missing_param(name, origin))

    def _missing_param(self, name: str, origin: Location) -> tuple[str, str]:
        """Message and hint for {name} without a value: the fix depends on where the text is."""
        variant_id = self.resolved.variant.id
        if name in self.decls:
            decl = self.decls[name]
            example = decl.example if decl.example is not None else "値"
            return (f"パラメータ「{name}」に値がありません（販売店 {variant_id}）。",
                    f"variants/{variant_id}.yaml の params: に「{name}: {example}」を追加してください（{decl.description}）。")
        known = sorted(set(self.decls) | set(params.BUILTIN))
        near = _suggest.closest(name, known)
        if near:
            return f"パラメータ「{name}」はありません。", f"「{{{near}}}」の書き間違いではありませんか？"
        if _in_variant(origin):
            return (f"パラメータ「{name}」はありません。",
                    f"使えるパラメータ: {', '.join('{' + k + '}' for k in known)}（新しいパラメータは共通文の管理者に相談してください）。")
        return (f"パラメータ「{name}」は宣言されていません。",
                f"terms/document.yaml の parameters: に「{name}:」を説明（description）と型（type）つきで宣言し、各販売店の params に値を書いてください。")

    def at(self, block: RText, text: str, offset: int) -> Location:
        return token_location(self.resolved.project, block.origin, token_text(text, offset))

    def _ref(self, token: ph.Ref, context: tuple[str, str]) -> str | None:
        target = self.table.get(token.target)
        if target is None:
            return None
        if target.appendix_mark is not None:
            return f"別紙{target.appendix_mark}"
        article_path, paragraph_path = context
        prefix = f"第{target.article}条"
        if token.form in ("本条", "項"):
            if target.article_path != article_path:
                raise _Mismatch(f"「{token.form}」の参照は同じ条の中でしか使えません（参照先は第{target.article}条）。")
            prefix = "本条" if token.form == "本条" else ""
        if token.form == "本項":
            if not target.paragraph_path or target.paragraph_path != paragraph_path or target.item is None:
                raise _Mismatch("「本項」の参照は同じ項の号にしか使えません。")
            return f"本項第{target.item}号"
        text = prefix
        if target.paragraph is not None:
            text += f"第{target.paragraph}項"
        if target.item is not None:
            text += f"第{target.item}号"
        return text

    def text(self, block: RText, context: tuple[str, str]) -> str:
        try:
            tokens = ph.parse(block.text)
        except ph.PlaceholderError as exc:
            where = token_location(self.resolved.project, block.origin, block.text[exc.offset:exc.offset + 12])
            self.findings.append(Finding(where, exc.code, exc.message, exc.hint))
            return block.text
        return unicodedata.normalize("NFC", self._tokens(tokens, block, context))

    def _tokens(self, tokens, block: RText, context: tuple[str, str]) -> str:
        out: list[str] = []
        for token in tokens:
            if isinstance(token, ph.Literal):
                out.append(token.text)
            elif isinstance(token, ph.Param):
                value = self._param(token)
                if value is None:
                    code, message, hint = self._param_problem(token, block.origin)
                    self.findings.append(Finding(self.at(block, block.text, token.offset), code, message, hint))
                    value = f"{{{token.name}}}"
                out.append(value)
            elif isinstance(token, ph.Ref):
                try:
                    value = self._ref(token, context)
                except _Mismatch as exc:
                    self.findings.append(Finding(self.at(block, block.text, token.offset), "P003", str(exc), "書式を外す（{ref:ID}）か、参照先を確認してください。"))
                    value = "第?条"
                if value is None:
                    hint = _suggest.did_you_mean(token.target, self.table, "ID のつづりを確認してください。オプションで外れた条項は参照できません。")
                    self.findings.append(Finding(self.at(block, block.text, token.offset), "P002",
                                                 f"参照先「{token.target}」がありません（販売店 {self.resolved.variant.id}）。", hint))
                    value = "第?条"
                out.append(value)
            elif isinstance(token, ph.Caption):
                target = self.table.get(token.target)
                if target is None or target.article is None or context == ("#caption", ""):
                    articles = [k for k, t in self.table.items() if t.article is not None and "." not in k]
                    hint = _suggest.did_you_mean(token.target, articles, "条の ID を書いてください（見出しの中で見出しは参照できません）。")
                    self.findings.append(Finding(self.at(block, block.text, token.offset), "P002", f"見出しの参照先「{token.target}」がありません。", hint))
                    out.append("?")
                else:
                    out.append(self.caption(target.caption, block.origin))
            elif isinstance(token, ph.Cond):
                options = self.resolved.project.document.options
                if token.option not in options:
                    fallback = (f"使えるオプション: {', '.join(sorted(options))}" if _in_variant(block.origin)
                                else "terms/document.yaml の options に宣言するか、つづりを確認してください。")
                    self.findings.append(Finding(self.at(block, block.text, token.offset), "P004", f"オプション「{token.option}」は宣言されていません。",
                                                 _suggest.did_you_mean(token.option, options, fallback)))
                chosen = self.resolved.options.get(token.option, False) != token.negate
                out.append(self._tokens(token.then if chosen else token.otherwise, block, context))
        return "".join(out)

    def caption(self, caption: str, origin: Location) -> str:
        """A caption may use parameters ({self}による…) but not other captions."""
        return self.text(RText(caption, origin), ("#caption", ""))

    def texts(self, blocks: list[RText], context: tuple[str, str]) -> tuple[str, ...]:
        """Rendered blocks; a block emptied by an {if} that is off disappears instead of printing blank."""
        rendered = (self.text(b, context) for b in blocks)
        return tuple(text for text in rendered if text.strip())


class _Mismatch(Exception):
    pass


def _item(r: _Renderer, node: RNode, number: int, path: str, context: tuple[str, str]) -> NItem:
    return NItem(path, number, r.texts(node.blocks, context))


def _article(r: _Renderer, node: RNode, number: int) -> NArticle:
    a_ctx = (node.id, "")
    caption = r.caption(node.caption, node.origin)
    lead = r.texts(node.lead, a_ctx)
    if node.children and node.children[0].kind == "item":
        items = tuple(_item(r, c, i, f"{node.id}.{c.id}", a_ctx) for i, c in enumerate(node.children, 1))
        return NArticle(node.id, number, caption, lead, (), items)
    paragraphs = []
    for p_no, para in enumerate(node.children, start=1):
        p_path = f"{node.id}.{para.id}"
        ctx = (node.id, p_path)
        items = tuple(_item(r, c, i, f"{p_path}.{c.id}", ctx) for i, c in enumerate(para.children, 1))
        paragraphs.append(NParagraph(p_path, p_no, r.texts(para.blocks, ctx), items, r.texts(para.after, ctx)))
    return NArticle(node.id, number, caption, lead, tuple(paragraphs), ())


def _appendices(r: _Renderer, resolved: ResolvedVariant) -> tuple[tuple[NAppendix, ...], tuple[str, ...]]:
    """Every text of an appendix goes through the placeholder language: a fee table says {member_fee}."""
    out, gaps = [], []
    project = resolved.project
    for appendix, relpath, a_loc in _appendix_places(resolved):
        def one(text: str, loc: tuple, _r=relpath, _a=a_loc) -> str:
            return r.text(RText(text, project.where(_r, _a + loc)), ("", ""))

        sections = []
        for s_index, sec in enumerate(appendix.sections):
            s_loc = ("sections", s_index)
            texts = [sec.text] if isinstance(sec.text, str) else [t if isinstance(t, str) else t.text for t in (sec.text or [])]
            blocks = tuple(one(t, s_loc + ("text", i)) for i, t in enumerate(texts))
            table = None
            if sec.table is not None:
                # customers see a fixed, truthful sentence; the internal note (who to ask) goes to lint
                shown = GAP_NOTICE if sec.table.missing else None
                t_loc = s_loc + ("table",)
                columns = tuple(one(c, t_loc + ("columns", i)) for i, c in enumerate(sec.table.columns))
                rows = tuple(tuple(one(cell, t_loc + ("rows", ri, ci)) for ci, cell in enumerate(row))
                             for ri, row in enumerate(sec.table.rows))
                table = NTable(columns, rows, shown)
                if sec.table.missing:
                    gaps.append(f"別紙{sec.mark}（{sec.heading}）の表: {sec.table.missing}")
            notes = tuple(one(n, s_loc + ("notes", i)) for i, n in enumerate(sec.notes))
            sections.append(NAppendixSection(sec.id, sec.mark, one(sec.heading, s_loc + ("heading",)), blocks, table, notes))
        out.append(NAppendix(appendix.id, one(appendix.title, ("title",)), tuple(sections)))
    return tuple(out), tuple(gaps)


def _appendix_places(resolved: ResolvedVariant):
    """(appendix, file, its position path in that file) for the shared and the variant's appendices."""
    shared = iter(range(len(resolved.project.document.appendices)))
    own = iter(range(len(resolved.variant.appendices)))
    for appendix, relpath in resolved.appendices:
        index = next(shared) if relpath == "terms/document.yaml" else next(own)
        yield appendix, relpath, ("appendices", index)


def _in_variant(origin: Location) -> bool:
    return "variants/" in origin.path


def number(resolved: ResolvedVariant) -> NumberedDocument:
    """Number every article, paragraph and item and render the text (raise ModelError on problems)."""
    r = _Renderer(resolved)
    articles = tuple(_article(r, node, n) for n, node in enumerate(resolved.articles, start=1))
    config = resolved.project.document
    supplementary = config.supplementary
    if isinstance(supplementary, str):
        supp_blocks = [(supplementary, ("supplementary",))]
    else:  # each block from its own line: the same {typo} in two blocks must not both point at the first
        supp_blocks = [(s if isinstance(s, str) else s.text, ("supplementary", i)) for i, s in enumerate(supplementary)]
    supp = tuple(r.text(RText(t, resolved.project.where("terms/document.yaml", loc)), ("", "")) for t, loc in supp_blocks)
    appendices, gaps = _appendices(r, resolved)
    titles = {key: r.text(RText(getattr(config, key), resolved.project.where("terms/document.yaml", (key,))), ("", ""))
              for key in ("service", "subtitle", "title")}  # the same placeholder language as every other text
    if r.findings:
        raise ModelError(r.findings)
    v = resolved.variant
    return NumberedDocument(
        variant_id=v.id, service=titles["service"], subtitle=titles["subtitle"], title=titles["title"],
        provider=v.name, self_ref=v.self_ref, edition=v.edition, issued=r.issued, effective=r.effective,
        issued_text=era_date(r.issued), effective_text=era_date(r.effective),
        articles=articles, supplementary=supp, appendices=appendices, gaps=gaps,
    )
