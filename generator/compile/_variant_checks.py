"""Checks on one variant file that need the shared declarations: typed parameter values,
what its options require, duplicate marks and ids, and the order of its dates.

Every finding points into the variant file (never at terms/), because the variant is what
the clerk who made the mistake is editing.
"""

from __future__ import annotations

import datetime as dt

from . import params
from ..source import _suggest
from ..source._columns import value_location
from ..source.errors import Finding
from ..source.load import Project
from ..source.model import Requirement, Variant


def check_variant(project: Project, variant: Variant, options: dict[str, bool]) -> list[Finding]:
    relpath = project.variant_files[variant.id]
    return (_param_values(project, variant, relpath) + _todo_fields(project, variant, relpath)
            + _requirements(project, variant, relpath, options) + _duplicates(project, variant, relpath)
            + _dates(project, variant, relpath))


def _param_values(project: Project, variant: Variant, relpath: str) -> list[Finding]:
    findings = []
    for name, value in variant.params.items():
        decl = project.document.parameters.get(name)
        if decl is None:
            continue  # L004 (lint) says it is not declared, with a did-you-mean
        problem = params.check(name, decl, value)
        if problem:
            findings.append(Finding(value_location(project, relpath, ("params", name)), problem.code, problem.message, problem.hint))
    return findings


def _todo_fields(project: Project, variant: Variant, relpath: str) -> list[Finding]:
    """`kiyaku new` marks what the clerk must fill in with TODO; none of it may reach a document."""
    findings = []
    for field in ("name", "self"):
        value = variant.name if field == "name" else variant.self_ref
        if params.is_todo(value):
            findings.append(Finding(value_location(project, relpath, (field,)), "P014", f"「{field}」がまだ TODO のままです。",
                                    f"この販売店の{'正式名称' if field == 'name' else '自称（本所・弊社など）'}に書き換えてください。"))
    loaded = project.sources.get(relpath)
    for loc, text in _appendix_strings(loaded.data if loaded else {}):
        if params.is_todo(text):
            findings.append(Finding(value_location(project, relpath, loc) if isinstance(loc[-1], str) else project.where(relpath, loc),
                                    "P014", "別紙の記載がまだ TODO のままです。", "この販売店の別紙の内容に書き換えてください。"))
    return findings


def _appendix_strings(data, loc=()):
    if isinstance(data, dict):
        for key, value in data.items():
            if loc == () and key != "appendices":
                continue
            yield from _appendix_strings(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _appendix_strings(value, loc + (index,))
    elif isinstance(data, str):
        yield loc, data


def _requirements(project: Project, variant: Variant, relpath: str, options: dict[str, bool]) -> list[Finding]:
    sections = {f"{a.id}.{s.id}" for a in project.document.appendices + variant.appendices for s in a.sections}
    findings = []
    for name, decl in project.document.options.items():
        if not options.get(name):
            continue
        for need in decl.requires:
            if need.when and not _holds(need.when, options):
                continue
            if need.section and need.section not in sections:
                findings.append(_missing(project, variant, relpath, name, need, f"別紙の節「{need.section}」"))
            if need.param and need.param not in variant.params:
                findings.append(_missing(project, variant, relpath, name, need, f"パラメータ「{need.param}」"))
    return findings


def _holds(when: str, options: dict[str, bool]) -> bool:
    negate = when.startswith("not ")
    name = when[4:].strip() if negate else when.strip()
    return options.get(name, False) != negate


def _missing(project: Project, variant: Variant, relpath: str, option: str, need: Requirement, what: str) -> Finding:
    where = value_location(project, relpath, ("options", option)) if option in variant.options else project.where(relpath, ())
    condition = f"（{need.when} のとき）" if need.when else ""
    if need.param:
        decl = project.document.parameters.get(need.param)
        example = decl.example if decl and decl.example is not None else "値"
        yaml = f"params:\n      {need.param}: {example}"
    else:
        required = {n.section for d in project.document.options.values() for n in d.requires if n.section}
        spare = [f"{a.id}.{s.id}" for a in variant.appendices for s in a.sections if f"{a.id}.{s.id}" not in required]
        near = _suggest.closest(need.section, spare)
        if near:  # a typo in the variant's own section id, not a missing section
            return Finding(where, "R003", f"オプション「{option}」を有効にすると{condition}、{what}が必要です（販売店 {variant.id}）。",
                           f"「{near}」の書き間違いではありませんか？ 別紙・節の ID を「{need.section}」にしてください。")
        appendix, section = need.section.split(".", 1)
        yaml = (f"appendices:\n      - id: {appendix}\n        title: 別紙の表題\n        sections:\n"
                f"          - id: {section}\n            mark: ※1\n            heading: 見出し\n"
                f"            table: {{columns: [...], rows: [[...]]}}")
    return Finding(where, "R003", f"オプション「{option}」を有効にすると{condition}、{what}が必要です（販売店 {variant.id}）。",
                   f"{relpath} に次のように書いてください（またはオプションを false に）:\n      {yaml}")


def _duplicates(project: Project, variant: Variant, relpath: str) -> list[Finding]:
    findings = []
    appendix_ids: set[str] = set()
    marks: dict[str, str] = {}
    for a_index, appendix in enumerate(variant.appendices):
        a_loc = ("appendices", a_index)
        if appendix.id in appendix_ids:
            findings.append(Finding(value_location(project, relpath, a_loc + ("id",)), "L009",
                                    f"別紙の ID「{appendix.id}」が重複しています。", "別の ID にしてください。"))
        appendix_ids.add(appendix.id)
        section_ids: set[str] = set()
        for s_index, section in enumerate(appendix.sections):
            s_loc = a_loc + ("sections", s_index)
            if section.id in section_ids:
                findings.append(Finding(value_location(project, relpath, s_loc + ("id",)), "L009",
                                        f"別紙の節の ID「{section.id}」が同じ別紙の中で重複しています。", "別の ID にしてください。"))
            section_ids.add(section.id)
            if section.mark in marks:
                findings.append(Finding(value_location(project, relpath, s_loc + ("mark",)), "L009",
                                        f"参照記号「{section.mark}」が節「{marks[section.mark]}」と重複しています（本文の（別紙{section.mark}）がどちらを指すか分かりません）。",
                                        "※1、※2 … のように節ごとに別の記号にしてください。"))
            else:
                marks[section.mark] = section.id
    return findings


def duplicate_captions(project: Project, variant: Variant, captions: list[str]) -> list[Finding]:
    """Two articles with one caption (after this variant's overrides) make {caption:…} and the TOC ambiguous."""
    relpath = project.variant_files[variant.id]
    seen: set[str] = set()
    findings = []
    for caption in captions:
        if caption in seen:
            loc: tuple = ()
            for index, override in enumerate(variant.overrides):
                if override.caption == caption:
                    loc = ("overrides", index, "caption")
                elif override.article is not None and override.article.caption == caption:
                    loc = ("overrides", index, "article", "caption")
            if loc:  # only a caption this variant wrote; the shared clauses are the shared maintainers' concern
                findings.append(Finding(value_location(project, relpath, loc), "L009",
                                        f"見出し「{caption}」の条が二つあります（販売店 {variant.id}）。", "どちらかの見出しを変えてください。"))
        seen.add(caption)
    return findings


def unknown_conditions(project: Project, nodes) -> list[Finding]:
    """`when: self_instalation` would silently drop a clause for every reseller: it is an error at the value."""
    from ..source._columns import token_location

    options = project.document.options
    findings = []
    for node in nodes:
        if not node.when:
            continue
        name = node.when.removeprefix("not ").strip()
        if name in options:
            continue
        in_variant = "variants/" in node.origin.path
        fallback = f"使えるオプション: {', '.join(sorted(options))}" if in_variant else "terms/document.yaml の options に宣言するか、つづりを確認してください。"
        findings.append(Finding(token_location(project, node.origin, node.when), "R004", f"条件（when）のオプション「{name}」はありません。",
                                _suggest.did_you_mean(name, options, fallback)))
    return findings


def _dates(project: Project, variant: Variant, relpath: str) -> list[Finding]:
    try:
        issued, effective = dt.date.fromisoformat(variant.issued), dt.date.fromisoformat(variant.effective)
    except ValueError:
        return []  # reported by the model check (M006)
    if effective < issued:
        return [Finding(value_location(project, relpath, ("effective",)), "M007",
                        f"実施日（effective {variant.effective}）が発行日（issued {variant.issued}）より前です。",
                        f'実施日は発行日と同じかそれより後にしてください（例: effective: "{variant.issued}"）。'
                        "通常は kiyaku release が両方を書き込みます。")]
    return []


def unknown_option_hint(name: str, declared) -> str:
    return _suggest.did_you_mean(name, declared, f"使えるオプション: {', '.join(sorted(declared))}")
