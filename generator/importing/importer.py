"""`kiyaku import`: onboard a reseller from the terms document it already has (DOCX, Markdown, text).

Retyping a reseller's 26 articles into YAML is slow and error-prone, and the retyped file would
hide what this reseller really does differently. The import parses the document, renders the
shared clauses with candidate parameters, pairs both by content, detects the self-reference, the
name, the parameters and the option switches, and writes variants/ID.yaml with only the
differences, plus a report of every decision and its similarity for legal staff to review.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diff_match_patch import diff_match_patch

from ..compile import _placeholders as ph
from ..compile import params as params_mod
from ..compile.normalize import fold
from ..compile.numbering import number
from ..compile.pipeline import load
from ..compile.resolve import ResolvedVariant, resolve
from ..render.text import render_text
from ..source._yaml import load_yaml_text
from ..source.errors import Finding, KiyakuError, Location, SourceError
from ..source.load import Project, check_variant_id
from ..source.model import Errata, Variant
from ._align import SNode, SharedView, same, similarity
from ._import_diff import Differ, Entry, INode, Pairs, imported_articles, pair_articles
from ._import_io import dump_variant, layout, read_terms, report
from ._parse_terms import ParsedTerms
from .compare import compare

_CONTEXTS = sorted(((l, r) for l in (8, 5, 3, 1) for r in (8, 5, 3, 1) if l + r >= 4), key=lambda c: -sum(c))
SELF_WORDS = ("弊社", "本所", "当社", "当所", "本会", "当会", "本会議所", "当会議所", "当組合", "本組合")


@dataclass(frozen=True)
class ImportResult:
    """What an import found and wrote (or would write, with --dry-run)."""

    variant_id: str
    path: Path
    yaml_text: str
    report: str
    entries: tuple[Entry, ...]
    overrides: tuple[dict[str, Any], ...]
    similarity: float
    written: bool


def _with_variant(project: Project, data: dict[str, Any]) -> tuple[Project, ResolvedVariant]:
    variant = Variant.model_validate({**data, "params": params_mod.typed(project.document, data.get("params", {}))})
    copy = dataclasses.replace(project, variants={**project.variants, variant.id: variant},
                               variant_files={**project.variant_files, variant.id: f"variants/{variant.id}.yaml"})
    return copy, resolve(copy, variant.id)


def _param_votes(pairs: list[tuple[SNode, str]]) -> dict[str, Counter]:
    """What the source writes where the shared text has {self}, {member_fee}, {install}, …"""
    votes: dict[str, Counter] = {}
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 1.0
    for node, theirs in pairs:
        rendered, pos = node.text, 0
        diffs = dmp.diff_main(rendered, theirs, False)
        stack = [seg for block in node.blocks for seg in block.segs][::-1]
        while stack:
            seg = stack.pop()
            if seg.inner is not None and seg.text:
                stack.extend(seg.inner[::-1])
                continue
            end = pos + len(seg.text)
            if seg.atomic and (m := re.fullmatch(r"\{([a-z_]+)\}", seg.source)):
                for left_width, right_width in _CONTEXTS:
                    left, right = rendered[max(0, pos - left_width):pos], rendered[end:end + right_width]
                    if len(left) + len(right) < 4 and pos and end < len(rendered):
                        continue
                    pattern = ("^" if pos == 0 else re.escape(left)) + r"(.{1,40}?)" + ("$" if end == len(rendered) else re.escape(right))
                    near = dmp.diff_xIndex(diffs, pos)  # where the diff puts this place in the source
                    found = [f for f in re.finditer(pattern, theirs) if abs(f.start(1) - near) <= 12 + len(theirs) // 20]
                    if len(found) == 1:  # an ambiguous context votes for nothing
                        votes.setdefault(m.group(1), Counter())[found[0].group(1)] += 1
                        break
            pos = end
    return votes


def _node_pairs(differ: Differ, shared: tuple[SNode, ...], imported: tuple[INode, ...], pairs: Pairs) -> list[tuple[SNode, str]]:
    out: list[tuple[SNode, str]] = []

    def walk(node: SNode) -> None:
        kids, kid_pairs = differ.plans.get(node.path, ((), []))
        for a, b in kid_pairs:
            if a is not None and b is not None:
                out.append((node.children[a], kids[b].text))
                walk(node.children[a])
    differ.prepare(shared, imported, pairs)
    for a, b in pairs:
        if a is not None and b is not None:
            out.append((shared[a], "".join(differ.shapes.get(shared[a].path, ()))))
            walk(shared[a])
    return out


def _identity(parsed: ParsedTerms, name: str | None) -> dict[str, Any]:
    opening = parsed.articles[0] if parsed.articles else None
    first = "".join(opening.lead + (opening.paragraphs[0].blocks if opening.paragraphs else ())) if opening else ""
    m = re.search(r"、(.{2,40}?)（以下「(.{1,6}?)」といいます", first)
    self_ref = m.group(2) if m else max(SELF_WORDS, key=lambda w: sum(b.count(w) for a in parsed.articles for p in a.paragraphs for b in p.blocks))
    issued = parsed.title.issued or parsed.effective or dt.date.today()
    return {"name": name or parsed.title.provider or (m.group(1) if m else "") or "（名称未設定）", "self": self_ref,
            "edition": parsed.title.edition or 1, "issued": issued.isoformat(),
            "effective": (parsed.effective or issued).isoformat(), "notice_days": 30}


def _appendices(parsed: ParsedTerms, project: Project) -> list[dict[str, Any]]:
    """The source's 別紙, with the ids the shared clauses already point to ({ref:fee-schedule.incident})."""
    targets: list[str] = []
    for article in (project.articles[a] for a in project.document.articles if a in project.articles):
        texts = [article.lead] + [p.text for p in article.paragraphs] + [i.text for p in article.paragraphs for i in p.items]
        for text in texts:
            for block in ([text] if isinstance(text, str) else [b if isinstance(b, str) else b.text for b in text or []]):
                try:
                    tokens = list(ph.walk(ph.parse(block)))
                except ph.PlaceholderError:
                    continue
                targets += [t.target for t in tokens if isinstance(t, ph.Ref) and "." in t.target
                            and t.target.split(".")[0] not in project.articles]
    targets = list(dict.fromkeys(targets))  # in document order, each once
    marks = list(dict.fromkeys(re.findall(r"別紙(※\d+)", " ".join(b for a in parsed.articles for p in a.paragraphs
                                                              for b in p.blocks + tuple(x for i in p.items for x in i.blocks)))))
    by_mark = dict(zip(marks, targets))
    out = []
    for n, appendix in enumerate(parsed.appendices, start=1):
        sections, appendix_id = [], ""
        for s in appendix.sections:
            target = by_mark.get(s.mark, "")
            appendix_id = appendix_id or target.split(".")[0]
            section: dict[str, Any] = {"id": target.split(".")[-1] if target else f"section-{s.mark.strip('※')}",
                                       "mark": s.mark, "heading": s.heading}
            if s.blocks:
                section["text"] = list(s.blocks) if len(s.blocks) > 1 else s.blocks[0]
            if s.table:
                width = len(s.table.columns)
                section["table"] = {"columns": list(s.table.columns),
                                    "rows": [list(r[:width]) + [""] * (width - len(r)) for r in s.table.rows]}
            if s.notes:
                section["notes"] = list(s.notes)
            sections.append(section)
        out.append({"id": appendix_id or f"appendix-{n}", "title": appendix.title, "sections": sections})
    return out


def _score(project: Project, data: dict[str, Any], imported: tuple[INode, ...]) -> float:
    """How close a candidate renders to the source: paired articles, by content, length-weighted."""
    try:
        _copy, resolved = _with_variant(project, data)
        view = SharedView(resolved)
        shared = view.articles()
    except KiyakuError:
        return -1.0
    if view.renderer.findings:  # e.g. an option that points into an appendix the source lacks
        return -1.0
    matched = total = 0.0
    for a, b in pair_articles(shared, imported):
        ours = fold(shared[a].full_text()) if a is not None else ""
        theirs = fold(imported[b].full_text()) if b is not None else ""
        matched += similarity(ours, theirs) * (len(ours) + len(theirs))
        total += len(ours) + len(theirs)
    return matched / total if total else 0.0


def _options(project: Project, data: dict[str, Any], imported: tuple[INode, ...]) -> dict[str, bool]:
    """Switch each option while the whole document gets closer to the source (greedy, a few rounds)."""
    options = dict(data["options"])
    best = _score(project, data, imported)
    for _round in range(3):
        improved = False
        for name in sorted(options):
            trial = {**options, name: not options[name]}
            score = _score(project, {**data, "options": trial}, imported)
            if score > best + 1e-6:
                options, best, improved = trial, score, True
        if not improved:
            break
    return options


def _detect(project: Project, data: dict[str, Any], imported: tuple[INode, ...]) -> tuple[dict[str, Any], dict[str, Counter]]:
    """Parameters, self-reference, name and notice period from what the source writes in their places."""
    _copy, resolved = _with_variant(project, data)
    shared = SharedView(resolved).articles()
    differ = Differ(Errata(errata=[]), data["self"], data["name"])
    votes = _param_votes(_node_pairs(differ, shared, imported, pair_articles(shared, imported)))
    data = {**data, "params": dict(data["params"])}
    for name, counter in votes.items():
        value = counter.most_common(1)[0][0]
        if name in project.document.parameters:
            data["params"][name] = value
        elif name == "self":
            data["self"] = value
        elif name == "notice_days" and value.isdigit():
            data["notice_days"] = int(value)
    return data, votes


def _differences(project: Project, data: dict[str, Any], imported: tuple[INode, ...], votes: dict[str, Counter],
                 added: set[str] = frozenset()) -> Differ:
    _copy, resolved = _with_variant(project, data)
    shared = SharedView(resolved).articles()
    differ = Differ(project.errata, data["self"], data["name"], {k: v for k, v in data["params"].items() if k in votes},
                    added=set(added))
    differ.articles(shared, imported, pair_articles(shared, imported))
    return differ


def _verify(project: Project, data: dict[str, Any], differ: Differ) -> list[str]:
    """Paths whose override does not render back to the source text (or all, if it does not resolve)."""
    try:
        _copy, resolved = _with_variant(project, data)
        number(resolved)
        nodes = {}
        stack = list(SharedView(resolved).articles())
        while stack:
            node = stack.pop()
            nodes[node.path] = node
            stack.extend(node.children)
    except KiyakuError:
        return list(differ.expected)
    failing = []
    for path, (what, expected) in differ.expected.items():
        base = path.split("#")[0]
        node = nodes.get(base)
        if what == "caption":
            actual = node.caption.text if node and node.caption else None
        elif what == "node":
            actual = node.full_text() if node else None
        elif node is not None:
            actual = node.text
        else:
            parent = nodes.get(base.rsplit(".", 1)[0])
            block = next((b for b in parent.blocks if b.id == base.rsplit(".", 1)[1]), None) if parent else None
            actual = block.text if block else None
        if actual is None or not same(actual, differ.correct(expected)[0]):
            failing.append(path)
    return failing


def import_terms(source: Path | str, variant_id: str, root: Path | str = ".", name: str | None = None,
                 dry_run: bool = False, force: bool = False) -> ImportResult:
    """Parse source, align it with terms/, and write variants/<variant_id>.yaml (unless dry_run)."""
    check_variant_id(variant_id)
    root, source = Path(root), Path(source)
    target = root / "variants" / f"{variant_id}.yaml"
    if target.exists() and not force and not dry_run:
        raise SourceError(Finding(Location(str(target)), "I007", f"販売店「{variant_id}」のファイルは既にあります。",
                                  "上書きするときは --force を付けてください（--dry-run で内容を先に確認できます）。"))
    parsed, source_text = read_terms(source)
    project = load(root)
    config = project.document
    imported = imported_articles(parsed.articles)
    data: dict[str, Any] = {"id": variant_id, **_identity(parsed, name),
                            "params": {k: params_mod.printed_example(d, k) for k, d in config.parameters.items()},
                            "options": {k: d.default for k, d in config.options.items()},
                            "appendices": _appendices(parsed, project)}
    theirs = layout(parsed)
    data, _votes = _detect(project, data, imported)
    data["options"] = _options(project, data, imported)
    data, votes = _detect(project, data, imported)
    if name:
        data["name"] = name
    differ = _differences(project, data, imported, votes)
    if differ.inserts or differ.removes:  # again, numbered as the source is, so references compare equal
        structure = {**data, "overrides": differ.inserts + differ.removes}
        added = {path for path, (what, _text) in differ.expected.items() if what == "node"}
        second = _differences(project, structure, imported, votes, added)
        second.adopt(differ)
        differ = second
    for level in (1, 2):  # placeholders that do not render back give way to plainer text
        for path in _verify(project, {**data, "overrides": differ.overrides()}, differ):
            differ.builders[path](level)
    unreproduced = _verify(project, {**data, "overrides": differ.overrides()}, differ)
    _copy, resolved = _with_variant(project, {**data, "overrides": differ.overrides()})
    view = SharedView(resolved)
    view.articles()
    used = view.renderer.used_params & set(config.parameters)
    final = {**data, "params": {k: v for k, v in data["params"].items() if k in used},
             "options": {k: v for k, v in data["options"].items() if v != config.options[k].default},
             "overrides": differ.overrides()}
    yaml_text = dump_variant({**final, "params": params_mod.typed(config, final["params"])}, source, config)
    written = Variant.model_validate(load_yaml_text(yaml_text, target).data)  # what legal staff will read back
    _copy, resolved = _with_variant(project, written.model_dump(by_alias=True, exclude_none=True))
    doc = number(resolved)
    result = compare(render_text(doc), source_text if source.suffix.lower() != ".docx" else theirs, project.errata, variant_id)
    guessed = sorted(used - set(votes))
    text = report(source, target, final, parsed, differ, votes, config, doc, result.raw_similarity, target.exists(),
                  guessed, unreproduced)
    if not dry_run:
        from ..source._writer import write_file_atomic

        write_file_atomic(target, yaml_text.encode("utf-8"))
    return ImportResult(variant_id, target, yaml_text, text, tuple(differ.entries), tuple(final["overrides"]),
                        result.raw_similarity, not dry_run)
