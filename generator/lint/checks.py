"""`kiyaku lint`: every check on the sources, all findings collected, one exit status.

Order: read and validate every file; then, per variant, resolve and number (which checks
ids, overrides, references, parameters and placeholders); then project-wide checks
(unused files and parameters, empty tables) and proofreading of every text.

Incremental: results are kept in .kiyaku/cache by what they depend on (all sources for the
whole result, the shared sources and one variant file per variant, one file and the article
captions for proofreading), so after a change only the changed parts are checked again and
an unchanged repository is not even parsed. The same code runs with the cache off; both give
the same findings (tests/test_incremental.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import _proofread
from ..compile import _placeholders as ph
from ..compile.document import NumberedDocument
from ..compile.numbering import number
from ..compile.options_doc import declaration_findings
from ..compile.pipeline import load
from ..compile.resolve import resolve
from ..history._records import check_records
from ..source._suggest import did_you_mean
from ..source.errors import Finding, KiyakuError, Location
from ..source.load import Project, load_project
from ._lint_contact import contact_findings, contact_gaps

if TYPE_CHECKING:
    from ..source._cache import Parser, Snapshot, Store

_NOT_TEXT = {"description", "example", "reason", "id", "when", "replace", "insert_after", "insert_before", "remove", "template", "issued", "effective", "status", "variants", "where", "source", "original", "mark"}


def _strings(data, loc=()):
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _NOT_TEXT:
                continue
            yield from _strings(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, loc + (index,))
    elif isinstance(data, str):
        yield loc, data


def _locate(project: Project, relpath: str, loc: tuple, snippet: str) -> Location:
    """Exact line and column of a snippet, searching the file from the field's line on."""
    base = project.where(relpath, loc)
    loaded = project.sources.get(relpath)
    if loaded is None:
        return base
    raw = project.tree.read(relpath) or b""
    text_lines = raw.decode("utf-8", errors="replace").splitlines()
    key = snippet[:12]
    for number_, line in enumerate(text_lines[base.line - 1:], start=base.line):
        col = line.find(key)
        if col >= 0:
            return Location(base.path, number_, col + 1)
    return base


def _duplicates(project: Project) -> list[Finding]:
    findings = []
    seen: dict[str, int] = {}
    for index, article_id in enumerate(project.document.articles):
        if article_id in seen:
            findings.append(Finding(project.where("terms/document.yaml", ("articles", index)), "L002",
                                    f"条「{article_id}」が articles に二度あります。", "一方を削除してください。"))
        seen[article_id] = index
    for article_id, article in project.articles.items():
        relpath = project.article_files[article_id]
        groups = [("paragraphs", article.paragraphs), ("items", article.items)]
        groups += [(("paragraphs", i, "items"), p.items) for i, p in enumerate(article.paragraphs)]
        for key, children in groups:
            key = key if isinstance(key, tuple) else (key,)
            ids: set[str] = set()
            for index, child in enumerate(children):
                if child.id in ids:
                    findings.append(Finding(project.where(relpath, key + (index, "id")), "L002",
                                            f"ID「{child.id}」が同じ条の中で重複しています。", "別の ID にしてください。"))
                ids.add(child.id)
        if article.paragraphs and article.items:
            findings.append(Finding(project.where(relpath, ("items",)), "L008", "項（paragraphs）と柱書きの号（items）を同じ条に両方は書けません。", "号は項の中に書いてください。"))
    return findings


def _unused(project: Project, used: set[str]) -> list[Finding]:
    findings = []
    listed = set(project.document.articles)
    for article_id, relpath in sorted(project.article_files.items()):
        if article_id not in listed:
            findings.append(Finding(project.where(relpath, ("id",)), "L001", f"条「{article_id}」が terms/document.yaml の articles にありません。",
                                    "articles の並びに追加するか、ファイルを削除してください。"))
    for name in project.document.parameters:
        if name not in used:
            findings.append(Finding(project.where("terms/document.yaml", ("parameters", name)), "L003",
                                    f"パラメータ「{name}」は宣言されていますが、どの本文でも使われていません。", "不要なら削除してください。"))
    for variant_id, variant in sorted(project.variants.items()):
        relpath = project.variant_files[variant_id]
        for name in variant.params:
            if name not in project.document.parameters:
                declared = sorted(project.document.parameters)
                findings.append(Finding(project.where(relpath, ("params", name)), "L004",
                                        f"パラメータ「{name}」はありません（共通文が使うパラメータではありません）。",
                                        did_you_mean(name, declared, f"使えるパラメータ: {', '.join(declared)}。不要なら削除してください。")))
        for index, appendix in enumerate(variant.appendices):
            for s_index, section in enumerate(appendix.sections):
                table = section.table
                loc = ("appendices", index, "sections", s_index, "table")
                if table is None:
                    continue
                if table.missing:
                    findings.append(Finding(project.where(relpath, loc), "L006",
                                            f"別紙{section.mark}（{section.heading}）の表が欠落しています: {table.missing}",
                                            "原本の料金表を入手して rows に記入してください。", "warning"))
                elif not table.rows:
                    findings.append(Finding(project.where(relpath, loc), "L005", f"別紙{section.mark} の表が空です。",
                                            "rows に行を書くか、欠落している場合は missing: に理由を書いてください。"))
                for r_index, row in enumerate(table.rows):
                    if table.columns and len(row) != len(table.columns):
                        findings.append(Finding(project.where(relpath, loc + ("rows", r_index)), "L007",
                                                f"表の行のセル数（{len(row)}）が列見出しの数（{len(table.columns)}）と違います。", "セルの数をそろえてください。"))
    return findings


def _proofreading(project: Project, store: Store | None = None) -> list[Finding]:
    findings = []
    captions = {a.id: a.caption for a in project.articles.values()}
    typed = sorted(name for name, decl in project.document.parameters.items() if decl.type in ("yen", "count", "date"))
    captions_key = json.dumps([captions, typed], ensure_ascii=False, sort_keys=True)  # both change what a file's check finds
    for relpath, loaded in sorted(project.sources.items()):
        if relpath == "errata.yaml":
            continue
        findings += _cached_findings(store, ("proofread", str(loaded.path), project.tree.read(relpath), captions_key),
                                     lambda r=relpath, d=loaded.data: _proofread_file(project, r, d, captions))
    return findings


def _proofread_file(project: Project, relpath: str, data, captions: dict[str, str]) -> list[Finding]:
    findings = []
    typed = {name for name, decl in project.document.parameters.items() if decl.type in ("yen", "count", "date")}
    for loc, text in _strings(data):
        if relpath.startswith("variants/") and len(loc) == 2 and loc[0] == "params" and loc[1] in typed:
            continue  # a typed value is checked against its type, with the corrected value (P010/P012)
        for hit in _proofread.proofread(text):
            snippet = text[hit.start:hit.start + 12]
            findings.append(Finding(_locate(project, relpath, loc, snippet), hit.code, hit.message, hit.hint, hit.severity))
        for offset, target, typed in _proofread.typed_captions(text):
            real = captions.get(target.split(".")[0])
            if real is not None and typed not in real:
                findings.append(Finding(_locate(project, relpath, loc, text[offset:offset + 12]), "PR010",
                                        f"参照先の見出しは「{real}」ですが、「{typed}」と書かれています。",
                                        f"{{caption:{target.split('.')[0]}}} と書くと見出しが自動で入ります。"))
    return findings


def _used_parameters(project: Project, store: Store | None = None) -> set[str]:
    """Parameter names any text in any file uses (so 'declared but unused' is project-wide)."""
    used: set[str] = set()
    for relpath, loaded in project.sources.items():
        key = _key("used", project.tree.read(relpath))
        names = store.get_json("lint", key) if store else None
        if names is None:
            names = sorted(_file_parameters(loaded.data))
            if store:
                store.put_json("lint", key, names)
        used |= set(names)
    return used


def _file_parameters(data) -> set[str]:
    used: set[str] = set()
    for _loc, text in _strings(data):
        try:
            tokens = ph.parse(text)
        except ph.PlaceholderError:
            continue
        used |= {t.name for t in ph.walk(tokens) if isinstance(t, ph.Param)}
    return used


@dataclass
class Checked:
    """What lint found, and what it computed on the way that kiyaku build can use."""

    findings: list[Finding]
    project: Project | None = None  # None when the whole result came from the cache
    docs: dict[str, NumberedDocument] = field(default_factory=dict)  # variants numbered by this run


def lint(root: Path | str = ".", cache: bool = False) -> list[Finding]:
    """All findings for the repository at root (errors and warnings), sorted by place.

    cache=True reuses and keeps results in .kiyaku/cache (`kiyaku lint` and `kiyaku build` do);
    the default neither reads nor writes it, so library callers such as `kiyaku release` leave
    no new files in a repository whose .gitignore does not list .kiyaku/.
    """
    from ..source._cache import Parser, Snapshot, Store

    root = Path(root)
    if not (root / "terms").is_dir():
        try:
            load(root)  # the F002 message
        except KiyakuError as exc:
            return exc.findings
    store = Store.open(root, readable=cache)  # --no-cache: check everything anew, and keep the results for the next run
    findings = check(root, Snapshot.take(root), store, Parser(store)).findings
    if store.untrusted:
        from ..source._trust import warning

        findings = _final(findings + [warning(root, store.untrusted)])
    return findings


def check(root: Path, snapshot: Snapshot, store: Store, parse: Parser) -> Checked:
    """Every check on one snapshot of the sources, reusing cached results where the inputs are equal."""
    whole = store.get_json("lint", snapshot.project_key)
    if isinstance(whole, dict):
        found = _load_findings(whole["findings"])
        if whole["stage"] == "load":
            return Checked(found)
        gaps = [(variant, f) for variant, row in whole.get("contact", []) for f in _load_findings([row])]
        return Checked(_final(found + _records(root) + contact_findings(root, gaps)))
    try:
        project = load_project(snapshot, parse)
    except KiyakuError as exc:
        store.put_json("lint", snapshot.project_key, {"stage": "load", "findings": _dump_findings(exc.findings)})
        return Checked(exc.findings)
    findings: list[Finding] = []
    docs: dict[str, NumberedDocument] = {}
    for variant_id in sorted(project.variants):
        key = ("variant", snapshot.variant_key(project.variant_files[variant_id]))
        found = _cached_findings(store, key, lambda v=variant_id: _compile(project, v, docs))
        findings.extend(f for f in found if f.format() not in {g.format() for g in findings})
    used = _used_parameters(project, store)
    findings += _duplicates(project) + _unused(project, used) + declaration_findings(project) + _proofreading(project, store)
    gaps = contact_gaps(project)
    store.put_json("lint", snapshot.project_key, {"stage": "checks", "findings": _dump_findings(findings),
                                                  "contact": [[v, _dump_findings([f])[0]] for v, f in gaps]})
    return Checked(_final(findings + _records(root) + contact_findings(root, gaps)), project, docs)


def _compile(project: Project, variant_id: str, docs: dict[str, NumberedDocument]) -> list[Finding]:
    try:
        docs[variant_id] = number(resolve(project, variant_id))
    except KiyakuError as exc:
        return exc.findings
    return []


def _records(root: Path) -> list[Finding]:
    return check_records(root)  # immutable release records (issue 8 item 5); reads git, never cached


def _final(findings: list[Finding]) -> list[Finding]:
    unique = {f.format(): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.location.path, f.location.line, f.location.col, f.code))


def _key(*parts) -> str:
    from ..source._cache import code_fingerprint, digest

    return digest("lint", code_fingerprint(), *parts)


def _cached_findings(store: Store | None, parts: tuple, compute) -> list[Finding]:
    key = _key(*parts)
    cached = store.get_json("lint", key) if store else None
    if cached is not None:
        return _load_findings(cached)
    found = compute()
    if store:
        store.put_json("lint", key, _dump_findings(found))
    return found


def _dump_findings(findings: list[Finding]) -> list[list]:
    return [[f.location.path, f.location.line, f.location.col, f.code, f.message, f.hint, f.severity] for f in findings]


def _load_findings(rows: list[list]) -> list[Finding]:
    return [Finding(Location(path, line, col), code, message, hint, severity)
            for path, line, col, code, message, hint, severity in rows]
