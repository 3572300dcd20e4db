"""`kiyaku apply FILE.docx`: edits made in Word back into the YAML, as the smallest working-tree change.

Each paragraph is mapped back by its hidden id (generator/render/_docx_ids.py); a paragraph whose id was
lost (pasted from elsewhere) is paired by content with a unit whose id is missing (generator/importing/_align
similarity, as `kiyaku import` pairs). Noise Word adds (split runs, autocorrected dashes, widths)
is never written as a change. Computed text — numbers, references, {self}, parameters — is kept as
placeholders; an edit to it is refused with the YAML line to change instead. By default a change
becomes an override in the variant (one reseller's Word file must not change other resellers'
terms unannounced); `--to shared` edits terms/ where the variant's text was the shared text.
Nothing is committed: `git diff` shows the result and `kiyaku lint` checks it.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diff_match_patch import diff_match_patch

from ..compile.pipeline import compile_variant, load
from ..compile.resolve import resolve
from ..importing._align import SharedView, bigrams, dice, merge, similarity
from ..render._docx_ids import slots
from ..source.errors import Finding, Location, ModelError, SourceError
from ._apply_fold import Printed, fold, printed_values
from ._apply_map import Source, computed_finding, fixed_location, names, sources, touched
from ._apply_plain import PlainSource, plain_change, plain_sources
from ._docx_read import WordFile, quiet, read_word

REASON = "Word（{file}）で編集された文を取り込み"
_LABEL = re.compile(r"^\s*(?:第\d+条|\d+[.．]|[（(]\d+[）)])\s*\t?")


@dataclass
class Plan:
    """What apply will write: new block sources per (node path, field), overrides to append, lines for the report."""

    changes: dict[tuple[str, str], dict[int, str | None]] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)
    inserts: list[dict[str, Any]] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    nodes: dict[str, Any] = field(default_factory=dict)  # node path -> RNode
    plain: list[tuple[str, tuple, str]] = field(default_factory=list)  # (file, YAML path, new text) for text printed as written


@dataclass(frozen=True)
class ApplyResult:
    report: str
    files: dict[str, str]  # relpath -> new text (empty when nothing changes)


def _fail(path: str, code: str, message: str, hint: str) -> SourceError:
    return SourceError(Finding(Location(path), code, message, hint))


def _denoise(rendered: str, typed: str) -> str:
    """typed, with every stretch that differs from rendered only by Word's substitutions put back as rendered."""
    a, b = quiet(rendered), quiet(typed)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    out, i, j = [], 0, 0
    for op, text in dmp.diff_main(a, b, False):
        n = len(text)
        if op == 0:
            out.append(rendered[i:i + n])
            i, j = i + n, j + n
        elif op < 0:
            i += n
        else:
            out.append(typed[j:j + n])
            j += n
    return "".join(out)


def _body(text: str, label: str) -> tuple[str, bool]:
    """The unit's own text without its label; False when the printed number was changed."""
    if label and "\t" in text:
        typed, rest = text.split("\t", 1)
        return rest, quiet(typed.strip()) == quiet(label)
    if label and quiet(text).startswith(quiet(label)):
        return text[len(label):].lstrip(), True
    return text, True


def _pair_lost(word: WordFile, by_name: dict[str, str], rendered: dict[str, str], fixed: set[str]) -> dict[int, str]:
    """Paragraph index → key for paragraphs without an id that match a unit whose id is missing."""
    seen = {by_name[n] for p in word.paragraphs for n in p.names if n in by_name}
    missing = [k for k in rendered if k not in seen and rendered[k].strip()]
    out: dict[int, str] = {}
    for index, p in enumerate(word.paragraphs):
        if any(n in by_name for n in p.names) or not p.text.strip() or quiet(p.text).strip() in fixed:
            continue
        text = _LABEL.sub("", p.text)
        grams = bigrams(text)  # cheap bigram score picks the candidate, the character diff confirms it
        best = max(missing, key=lambda k: dice(bigrams(rendered[k]), grams), default=None)
        if best is not None and similarity(rendered[best], text) >= 0.6:
            out[index] = best
            missing.remove(best)
    return out


def _template_lines(project, doc, root: Path) -> set[str]:
    """Texts the template prints itself (附則, 別紙, a letterhead): a fresh rendering's paragraphs without an id."""
    from ..build.builder import render_context
    from ..render.docx import render_docx

    fresh = read_word(render_docx(doc, render_context(project, root, doc)))
    return {quiet(p.text).strip() for p in fresh.paragraphs if not p.names}


def plan_changes(word: WordFile, project, variant_id: str, file_label: str, root: Path = Path(".")) -> tuple[Plan, list[Finding]]:
    resolved = resolve(project, variant_id)
    doc = compile_variant(project, variant_id)
    srcs = sources(resolved, doc)
    shown = {s.key: s for s in slots(doc)}
    by_name = names(doc)
    rendered = {k: s.text for k, s in shown.items()}
    fixed = _template_lines(project, doc, root)
    plain = plain_sources(resolved)
    lost = _pair_lost(word, by_name, rendered, fixed)
    values = printed_values(resolved)
    plan, findings, seen, last_key = Plan(), [], set(), None
    for index, p in enumerate(word.paragraphs):
        keys = [by_name[n] for n in p.names if n in by_name] or ([lost[index]] if index in lost else [])
        if not keys:
            if p.text.strip() and not p.in_table and last_key is not None and quiet(p.text).strip() not in fixed:
                _insert(plan, srcs.get(last_key), fold("", _LABEL.sub("", p.text).strip(), values), file_label)
            continue
        key = keys[0]
        seen.update(keys)
        if len(keys) > 1:
            first = srcs[keys[0]].rtext
            findings.append(Finding(first.origin if first else Location(file_label), "W108", f"{' と '.join(srcs[k].label for k in keys)}が 1 つの段落にまとめられています。",
                                    "段落を分けたままにするか、不要な項・号は段落ごと削除してください。"))
            continue
        last_key = key
        slot, src = shown[key], srcs[key]
        body, label_ok = _body(p.text, slot.label)
        if not label_ok:
            findings.append(Finding(src.rtext.origin if src.rtext else Location(file_label), "W104",
                                    f"{src.label}の番号「{slot.label}」が書き換えられています。番号は自動で振られます。",
                                    "番号は元に戻してください。条項の順序を変えるには terms/document.yaml または項・号の並びを変更します。"))
            continue
        if quiet(body) == quiet(slot.text):
            continue
        _change(plan, findings, resolved, src, slot.text, body, values, plain)
    for key, src in srcs.items():
        if key not in seen and key in rendered and rendered[key].strip() and src.node is not None and src.field != "caption":
            plan.changes.setdefault((_path(src), src.field), {})[_index(src)] = None
            plan.nodes[_path(src)] = src.node
            plan.report.append(f"  {src.label}: 削除")
    removed = sum(1 for line in plan.report if line.endswith(": 削除"))
    if removed * 2 > sum(1 for s in srcs.values() if s.node is not None):
        # more than half the clauses gone: ids lost (text copied into a new file) or a partial document, not an edit
        findings.append(Finding(Location(file_label), "W110", f"文書から {removed} 件の条項が見つかりません（見えない ID が失われたか、文書の一部だけです）。",
                                "kiyaku が出力した DOCX に直接編集したファイルを使ってください。新しい文書の取り込みは kiyaku import です。"))
    return plan, findings


def _path(src: Source) -> str:
    return src.key.split("#")[0].split("/")[0]


def _index(src: Source) -> int:
    texts = src.node.lead if src.field == "lead" else src.node.after if src.field == "after" else src.node.blocks
    return next(i for i, t in enumerate(texts) if t is src.rtext)


def _change(plan: Plan, findings: list[Finding], resolved, src: Source, rendered: str, typed: str,
            values: tuple[Printed, ...], plain: dict[str, PlainSource]) -> None:
    target = _denoise(rendered, typed)
    if src.key in plain:
        where = plain[src.key]
        new_source, refused = plain_change(resolved, SharedView(resolved), where, rendered, target, values)
        findings += refused
        if new_source is not None and not _balanced(new_source):
            findings.append(Finding(resolved.project.where(where.relpath, where.path), "W107", f"{where.label}に波括弧「{{」「}}」が入力されています。",
                                    "波括弧は本文に使えません。削除してください。"))
        elif new_source is not None:
            plan.plain.append((where.relpath, where.path, new_source))
            plan.report.append(f"  {where.label}: 変更")
        return
    if src.field == "caption":
        number = re.match(r"^第\d+条", rendered)
        if not number or not quiet(target).startswith(quiet(number.group() + "（")) or not target.endswith("）"):
            findings.append(Finding(src.node.origin, "W104", f"{src.label}の条番号または括弧が書き換えられています。", "見出しの括弧の中だけを編集してください。"))
            return
        plan.nodes[src.node.id] = src.node
        plan.captions[src.node.id] = target[len(number.group()) + 1:-1]
        plan.report.append(f"  {src.label}: 変更")
        return
    if src.block is None or src.rtext is None:
        where = fixed_location(resolved, src.key)
        findings.append(Finding(where, "W105", f"「{rendered[:30]}」は計算される部分（表紙・附則・別紙の本文）で、Word からは変更できません。",
                                f"{where.path}:{where.line} を直接編集してください。"))
        return
    bad = touched(src.block.segs, target)
    if bad:
        findings += [computed_finding(resolved, seg, src.rtext, src.label) for seg, _ in bad]
        return
    new_source = fold(src.rtext.text, merge(src.block.segs, target, lambda text: text), values)
    if not _balanced(new_source):
        findings.append(Finding(src.rtext.origin, "W107", f"{src.label}に波括弧「{{」「}}」が入力されています。", "波括弧は本文に使えません。削除してください。"))
        return
    plan.changes.setdefault((_path(src), src.field), {})[_index(src)] = new_source
    plan.nodes[_path(src)] = src.node
    plan.report.append(f"  {src.label}: 変更")


def _balanced(text: str) -> bool:
    from ..compile import _placeholders as ph

    try:
        ph.parse(text)
    except ph.PlaceholderError:
        return False
    return True


def _insert(plan: Plan, after: Source | None, text: str, file_label: str) -> None:
    if after is None or after.node is None or after.node.kind == "article" or not text:
        return
    node_path = _path(after)
    new_id = "word-" + hashlib.sha1(f"{node_path}\n{text}".encode("utf-8")).hexdigest()[:6]
    plan.inserts.append({"insert_after": node_path, after.node.kind: {"id": new_id, "text": text},
                         "reason": REASON.format(file=file_label)})
    plan.report.append(f"  {after.label}の後: 新しい{'項' if after.node.kind == 'paragraph' else '号'}（{new_id}）")


def _read(path: Path, pending: str) -> WordFile:
    shown = str(path)
    if not path.is_file():
        raise _fail(shown, "W001", "Word ファイルがありません。", "ファイル名と場所を確認してください。")
    data = path.read_bytes()
    try:
        word = read_word(data, accept=pending != "ignore")
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise _fail(shown, "W002", "Word 文書（.docx）として読めません。", "Word で「.docx」形式で保存し直してください。") from None
    revisions = [x for x in word.pending if x.kind != "コメント"]
    if revisions and pending == "refuse":
        listed = "、".join(f"{x.kind}「{x.text[:20]}」（{x.author}）" for x in revisions[:5])
        raise _fail(shown, "W003", f"未処理の変更履歴が {len(revisions)} 件あります: {listed}",
                    "Word で承諾・元に戻すを済ませるか、--pending=accept（すべて承諾として読む）または --pending=ignore（変更前の文として読む）を指定してください。")
    return word


def _variant(word: WordFile, given: str | None, project, shown: str) -> str:
    if given:
        if given not in project.variants:
            raise _fail("<コマンドライン>", "W004", f"販売店「{given}」はありません。", f"variants/ にある ID: {', '.join(sorted(project.variants))}")
        return given
    guess = word.identifier.rsplit("-", 1)[0] if word.identifier else ""
    if guess in project.variants:
        return guess
    raise _fail(shown, "W005", "どの販売店の文書か分かりません（文書のプロパティに kiyaku の識別子がありません）。",
                "--variant 販売店ID を指定してください。")


def apply_docx(file: str | Path, root: str | Path = ".", variant_id: str | None = None, dry_run: bool = False,
               pending: str = "refuse", to_shared: bool = False) -> ApplyResult:
    """Map a Word file's edits back to the YAML; write them (unless dry_run); raise KiyakuError with findings."""
    from ._apply_write import write_plan
    from ..source._writer import write_file_atomic

    path, root = Path(file), Path(root)
    word = _read(path, pending)
    project = load(root)
    variant_id = _variant(word, variant_id, project, str(path))
    plan, findings = plan_changes(word, project, variant_id, path.name, root)
    if findings:
        raise ModelError(findings)
    resolved = resolve(project, variant_id)
    texts, more = write_plan(plan, resolved, root, to_shared, REASON.format(file=path.name))
    if more:
        raise ModelError(more)
    changed = {rel: text for rel, text in texts.items() if text != (root / rel).read_text(encoding="utf-8")}
    lines = [f"{variant_id}: {path.name} から {len(plan.report)} 件の変更"] + plan.report
    lines += [f"  {x.kind}（{x.author}）: {x.text[:40]}" for x in word.pending]
    lines += [f"  書き込み: {rel}" for rel in sorted(changed)] if not dry_run else ["  （--dry-run: 書き込みなし）"]
    if not dry_run:
        for rel, text in changed.items():
            write_file_atomic(root / rel, text.encode("utf-8"))
    return ApplyResult("\n".join(lines) + "\n", changed)
