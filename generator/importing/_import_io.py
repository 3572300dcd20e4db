"""The edges of `kiyaku import`: reading the source file safely, writing the variant, the report.

Reading refuses, with a position and a hint in Japanese, everything that is not a terms
document (empty, binary, not UTF-8, a Word file without 第N条 headings, an unknown format) before
anything is parsed or written. Writing goes through the project's one YAML configuration
(ruamel, round-trip style) so the file looks like the ones legal staff already edit.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..compile.document import NumberedDocument
from ..compile.normalize import fold
from ..source._files import Limit, read_checked
from ..source._yaml import make_yaml
from ..source.errors import Finding, Location, SourceError
from ..source.model import DocumentConfig
from ._docx_lines import docx_lines
from ._import_diff import Differ
from ._parse_terms import ParsedTerms, parse_lines, parse_text

SUFFIXES = (".txt", ".md", ".markdown", ".docx")
MAX_BYTES = 20 * 1024 * 1024


def _fail(path: Path, code: str, message: str, hint: str, line: int = 1, col: int = 1) -> SourceError:
    return SourceError(Finding(Location(str(path), line, col), code, message, hint))


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as editors count) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1


def _exists(path: Path) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def read_terms(path: Path) -> tuple[ParsedTerms, str]:
    """Parse a .docx, .md or .txt terms document; returns (parsed, the text compare should read)."""
    if not _exists(path):
        raise _fail(path, "I001", "取り込むファイルがありません。", "ファイル名と場所を確認してください。")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = "PDF はテキストに書き出してから（.txt）取り込んでください。" if suffix == ".pdf" else \
            "Word（.docx）、Markdown（.md）、テキスト（.txt）のどれかにしてください。"
        raise _fail(path, "I002", f"「{suffix or path.name}」の形式は取り込めません。", hint)
    raw = read_checked(path, Limit(MAX_BYTES, "取り込むファイル", "I008"))
    if not raw.strip():
        raise _fail(path, "I004", "ファイルが空です。", "規約の本文が入ったファイルを指定してください。")
    if suffix == ".docx":
        parsed = parse_lines(docx_lines(path), str(path))
        if not parsed.articles:
            raise _fail(path, "I006", "Word 文書に「第N条」の見出しがありません。",
                        "各条の見出しを「第1条（目的）」の形で書いてください（見出しスタイル推奨）。規約の文書か確認してください。")
        return parsed, layout(parsed)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise _fail(path, "I005", "バイナリファイルです（NUL 文字を含みます）。",
                    "テキスト（UTF-8）、Markdown または Word（.docx）の規約を指定してください。", *_position(raw, nul))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(path, "I005", "文字コードが UTF-8 ではありません（バイナリまたは Shift-JIS のファイルです）。",
                    "エディタで文字コードを「UTF-8」にして保存し直してください。", *_position(raw, exc.start)) from None
    parsed = parse_text(text, str(path))
    if not parsed.articles:
        raise _fail(path, "I006", "規約の文書ではありません（「第N条」の見出しが見つかりません）。",
                    "各条の見出しが「第1条（目的）」の形で書かれた利用規約を指定してください。")
    return parsed, text


def layout(parsed: ParsedTerms) -> str:
    """The parsed document laid out like render_text, for `compare` (section by section)."""
    lines = list(parsed.title.lines) + [""]
    for a in parsed.articles:
        lines += [f"第{a.number}条（{a.caption}）", *a.lead]
        lines += [f"（{i.number}）{''.join(i.blocks)}" for i in a.items]
        for p in a.paragraphs:
            lines.append(f"{p.number}. {''.join(p.blocks)}")
            lines += [f"（{i.number}）{''.join(i.blocks)}" for i in p.items]
        lines.append("")
    lines += ["附則", *parsed.supplementary, ""]
    for appendix in parsed.appendices:
        lines += ["別紙", appendix.title]
        for s in appendix.sections:
            lines += [s.mark, s.heading, *s.blocks]
            if s.table:
                lines += ["\t".join(s.table.columns)] + ["\t".join(r) for r in s.table.rows]
            lines += [*s.notes, ""]
    return "\n".join(lines) + "\n"


def _yamlish(value: Any) -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _yamlish(item)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_yamlish(v) for v in value)
        if value and all(isinstance(v, str) and len(v) < 80 for v in value) and sum(map(len, value)) < 200:
            seq.fa.set_flow_style()
        return seq
    return value


def dump_variant(data: dict[str, Any], source: Path, config: DocumentConfig) -> str:
    """variants/ID.yaml text: identity, params, options, overrides, appendices – in that order."""
    out = CommentedMap()
    for key in ("id", "name", "self", "edition", "issued", "effective", "notice_days"):
        value = data[key]
        out[key] = DoubleQuotedScalarString(value) if key in ("issued", "effective") else value
    if data.get("params"):
        out["params"] = CommentedMap((k, DoubleQuotedScalarString(v) if isinstance(v, str) and any(c.isdigit() for c in v) else v)
                                     for k, v in data["params"].items())
    if data.get("options"):
        out["options"] = CommentedMap(data["options"])
    if data.get("overrides"):
        out["overrides"] = _yamlish(data["overrides"])
    if data.get("appendices"):
        out["appendices"] = _yamlish(data["appendices"])
    out.yaml_set_start_comment(f"kiyaku import で {source.name} から作成しました。\n"
                               "overrides は共有条項（terms/）との違いです。reason の類似度を見て、内容を確認してください。")
    stream = io.StringIO()
    make_yaml().dump(out, stream)
    return stream.getvalue()


def report(source: Path, target: Path, data: dict[str, Any], parsed: ParsedTerms, differ: Differ,
           votes: dict[str, Counter], config: DocumentConfig, doc: NumberedDocument, score: float, exists: bool,
           guessed: list[str], unreproduced: list[str]) -> str:
    """What was matched, explained by errata, overridden, inserted, removed – with similarities."""
    counts = Counter(e.action for e in differ.entries)
    lines = [f"取り込み: {source} → {target}" + ("（既存のファイルがあります）" if exists else ""),
             f"販売店: {data['name']}（自称「{data['self']}」） 第{data['edition']}版  発行 {data['issued']}  "
             f"実施 {data['effective']}  予告期間 {data['notice_days']}日", "パラメータ:"]
    for name in config.parameters:
        value = data["params"].get(name)
        if value is None:
            lines.append(f"  {name}: 使われていません")
        elif name in guessed:
            lines.append(f"  {name} = {value}（原本から読み取れません。例の値です。確認してください）")
        else:
            lines.append(f"  {name} = {value}（{votes[name][value]} か所で一致）")
    chosen = {k: data["options"].get(k, d.default) for k, d in config.options.items()}
    lines.append("オプション: " + "、".join(f"{k}={'true' if v else 'false'}" for k, v in chosen.items()))
    for appendix in data.get("appendices", []):
        marks = "、".join(f"{s['mark']} {s['id']}" for s in appendix["sections"])
        lines.append(f"別紙: {appendix['id']}（{marks}）")
    lines.append("照合: " + "、".join(f"{k} {counts.get(k, 0)}" for k in ("一致", "正誤表", "置換", "挿入", "削除", "未対応")))
    for entry in differ.entries:
        note = f"  [{entry.note}]" if entry.note else ""
        lines.append(f"  {entry.action}\t{entry.similarity:.3f}\t{entry.source or '－'} → {entry.path or '－'}{note}")
    if differ.errata_used:
        lines.append(f"正誤表: 原本の誤記として上書きしなかった項目: {', '.join(sorted(differ.errata_used))}")
        lines.append(f"  → errata.yaml の該当項目の variants に {data['id']} を追加すると、compare の一致率に反映されます。")
    warnings = [w.format() for w in parsed.warnings]
    for label, ours, theirs in (("表題", doc.title, parsed.title.title), ("附則", "".join(doc.supplementary), "".join(parsed.supplementary))):
        if theirs and fold(ours) != fold(theirs):
            warnings.append(f"{label}が共有の{label}と異なります（販売店ごとには変えられません）: 原本「{theirs}」／共有「{ours}」")
    warnings += [f"{path}: 上書きが原本の文と同じにはなりません。内容を確認してください。" for path in unreproduced]
    for appendix in parsed.appendices:
        for s in appendix.sections:
            if s.table is None and any("以下の通り" in b or "以下のとおり" in b for b in s.blocks):
                warnings.append(f"{source}:{s.line}:1: 別紙{s.mark}: 「以下の通り」の後に表がありません（原本の欠落の可能性）。")
    if warnings:
        lines += ["警告:"] + [f"  {w}" for w in warnings]
    lines.append(f"一致率（kiyaku compare と同じ尺度、正誤表適用前）: {score:.4f}")
    return "\n".join(lines) + "\n"
