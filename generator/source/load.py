"""Stage 1: read terms/, variants/ and errata.yaml into validated models, with positions.

All problems in all files are collected and raised together (one abort, as mkdocs does).
Sources are read through a SourceTree so the same code reads the working tree or a git commit.
"""

from __future__ import annotations

import difflib
import os
import hashlib
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from pydantic import BaseModel, ValidationError

from . import _textchars
from ._files import Limit, list_folder, read_checked
from ._yaml import MAX_BYTES, VALUE, LoadedYaml, load_yaml_bytes
from .errors import Finding, Location, SourceError
from .model import DATE_PATTERN, ID_PATTERN, PATH_PATTERN, Article, DocumentConfig, Errata, Variant
import re
import unicodedata

DOCUMENT_FILE = "terms/document.yaml"
ERRATA_FILE = "errata.yaml"
VARIANT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Parse = Callable[[Path, bytes], LoadedYaml]  # (path shown in messages, bytes) -> parsed file, or SourceError

_PARSED: OrderedDict[tuple[str, str], bytes] = OrderedDict()  # (path shown, sha256) -> pickle of (data, positions)
_PARSED_LIMIT = 64 * 1024 * 1024  # bytes of pickles kept; the least recently used go first
_parsed_size = 0
_parsed_lock = threading.Lock()  # mkdocs serve rebuilds in a thread
_project_loads = 0  # load_project calls in this process: tests check that the website's work is O(N)


def project_loads() -> int:
    """How many times this process has loaded a whole project (every file of a SourceTree)."""
    return _project_loads


def parse_bytes(shown: Path, raw: bytes) -> LoadedYaml:
    """Check and parse one file's bytes (the default Parse; generator/source/_cache.py adds a disk cache).

    Files parsed once are remembered for the life of the process, by path and content: ruamel's
    round-trip parser takes 20-40 ms a file, and the website loads every source once per reseller
    (feeds), which with 100 resellers made it parse 10,000 files. Each hit returns fresh objects
    (unpickled), so no caller can change another's data; files with problems are always parsed
    again (their messages come from the parser). The ruamel tree is not kept: nothing reads a
    Project's trees (round trips parse the file themselves).
    """
    global _parsed_size
    key = (str(shown), hashlib.sha256(raw).hexdigest())
    with _parsed_lock:
        hit = _PARSED.get(key)
        if hit is not None:
            _PARSED.move_to_end(key)
    if hit is not None:
        data, positions = pickle.loads(hit)
        return LoadedYaml(shown, data, None, positions)
    loaded = load_yaml_bytes(raw, shown)
    try:
        kept = pickle.dumps((loaded.data, loaded.positions), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError):
        return loaded
    with _parsed_lock:
        if key not in _PARSED:
            _PARSED[key] = kept
            _parsed_size += len(kept)
        while _parsed_size > _PARSED_LIMIT and _PARSED:
            _parsed_size -= len(_PARSED.popitem(last=False)[1])
    return loaded


class SourceTree(Protocol):
    """Where sources are read from: the working tree, or one commit of the git history."""

    label: str

    def list(self, folder: str) -> list[str]: ...

    def read(self, relpath: str) -> bytes | None: ...


@dataclass
class DirectoryTree:
    """Sources in a directory on disk (the usual case), read through the file boundary (_files.py).

    refused: what list() and read() would not read (a symlink out of the repository, a FIFO, a
    folder or a file with another extension in terms/ or variants/); load_project reports them.
    """

    root: Path
    label: str = ""
    refused: list[Finding] = field(default_factory=list)

    def list(self, folder: str) -> list[str]:
        names, findings = list_folder(self.root, folder)
        self.refused.extend(f for f in findings if f not in self.refused)
        return names

    def read(self, relpath: str) -> bytes | None:
        path = self.root / relpath
        if not os.path.lexists(path):
            return None
        try:
            return read_checked(path, Limit(MAX_BYTES, "YAML ファイル", "Y001"), self.root, Location(relpath))
        except SourceError as exc:
            if not any(f.location.path == relpath for f in self.refused):  # list() may have said it already
                self.refused.extend(exc.findings)
            return None


@dataclass
class Project:
    """Every source file, validated; positions kept for error messages."""

    tree: SourceTree
    document: DocumentConfig
    articles: dict[str, Article]
    variants: dict[str, Variant]
    errata: Errata
    sources: dict[str, LoadedYaml] = field(default_factory=dict)  # relpath -> loaded file
    article_files: dict[str, str] = field(default_factory=dict)  # article id -> relpath
    variant_files: dict[str, str] = field(default_factory=dict)  # variant id -> relpath

    def where(self, relpath: str, loc: tuple = ()) -> Location:
        loaded = self.sources.get(relpath)
        return loaded.where(loc) if loaded else Location(relpath, 1, 1)


_MESSAGES = {
    "missing": ("M001", "必須の項目「{field}」がありません。", "この項目を追加してください。"),
    "string_type": ("M003", "「{field}」は文字列で書いてください。", '値を引用符で囲んでください（例: "2024-04-01"、"12"）。'),
    "int_type": ("M003", "「{field}」は整数で書いてください。", "数字だけを書いてください（例: 7）。"),
    "bool_type": ("M003", "「{field}」は true か false で書いてください。", "yes/no/on/off ではなく true/false と書いてください。"),
    "list_type": ("M003", "「{field}」はリスト（- で始まる行）で書いてください。", "各要素を「- 」で始めてください。"),
    "dict_type": ("M003", "「{field}」は「キー: 値」の形で書いてください。", "字下げを確認してください。"),
    "model_type": ("M003", "「{field}」は「キー: 値」の形で書いてください。", "字下げを確認してください。"),
    "string_pattern_mismatch": ("M004", "「{field}」の書式が正しくありません（{input}）。", "ID は半角英小文字・数字・ハイフンで書いてください（例: fee-schedule）。"),
    "impossible_date": ("M006", "「{field}」の日付「{input}」は存在しません。", "カレンダーにある日付を \"YYYY-MM-DD\" で書いてください（例: 2月は28日か29日まで）。"),
    "literal_error": ("M008", "「{field}」の値「{input}」は使えません。", "決められた値から選んでください（都道府県は「広島県」「東京都」のように正式名で書きます）。"),
}
# A pattern hint per field where the generic one (ids and dates) would mislead.
_PATTERN_HINTS = {
    "web": "https:// で始まるウェブページのアドレスを書いてください（未確定なら \"TODO: …\"）。",
    "email": "name@example.jp の形で書いてください（未確定なら \"TODO: …\"）。",
}


def _pattern_hint(pattern: str, value: object) -> str:
    """One hint per kind of value: a date is never told about the id rule, nor an id about dates."""
    if pattern == DATE_PATTERN:
        found = re.fullmatch(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})\D?\s*", unicodedata.normalize("NFKC", str(value)))
        example = f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else "2026-04-01"
        return f'日付は "YYYY-MM-DD" で、引用符で囲んで書いてください（例: "{example}"）。'
    if pattern == PATH_PATTERN:
        return "ID をドットでつないで書いてください（半角英小文字・数字・ハイフン、例: fees.no-refund）。"
    lowered = re.sub(r"[^a-z0-9-]+", "-", unicodedata.normalize("NFKC", str(value)).lower()).strip("-")
    example = f"（例: {lowered}）" if lowered and re.fullmatch(ID_PATTERN, lowered) else "（例: fee-schedule）"
    return f"ID は半角英小文字・数字・ハイフンで書いてください{example}。"


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The allowed keys at the place of an unknown key, for a 'did you mean' hint."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        current = None
        for candidate in getattr(annotation, "__args__", ()) + (annotation,):
            for inner in getattr(candidate, "__args__", ()) + (candidate,):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    current = inner
    fields = getattr(current, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]


def validation_findings(exc: ValidationError, model: type[BaseModel], loaded: LoadedYaml) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p in ("str", "list"))))
        key = (loc, err["type"])
        if key in seen or (loc, "union") in seen:
            continue
        seen.add(key)
        field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        where = loaded.where(loc)
        if err["type"] not in ("extra_forbidden", "missing") and loc + (VALUE,) in loaded.positions:
            where = loaded.where(loc + (VALUE,))  # the offending value, not its key
        if err["type"] == "extra_forbidden":
            allowed = _field_names(model, loc)
            close = difflib.get_close_matches(field_name, allowed, n=1, cutoff=0.5)
            hint = f"「{close[0]}」の書き間違いではありませんか？" if close else f"使えるキー: {', '.join(allowed)}"
            findings.append(Finding(where, "M002", f"未知のキー「{field_name}」があります。", hint))
            continue
        value = err.get("input")
        if err["type"] == "string_type" and hasattr(value, "isoformat"):
            findings.append(Finding(where, "M005", f"日付「{value}」が引用符で囲まれていません。",
                                    f'"{value}" のように引用符で囲んでください（YAML が日付型に変換してしまうため）。'))
            continue
        code, message, hint = _MESSAGES.get(err["type"], ("M009", "「{field}」の値が正しくありません（{msg}）。", "書式を docs/format.md で確認してください。"))
        if err["type"] == "string_pattern_mismatch":
            hint = _PATTERN_HINTS.get(field_name) or _pattern_hint(err.get("ctx", {}).get("pattern", ""), value)
        findings.append(Finding(where, code, message.format(field=field_name, input=value, msg=err.get("msg", "")), hint))
    return findings


def _parse(tree: SourceTree, relpath: str, model: type[BaseModel], findings: list[Finding], sources: dict,
           parse: Parse = parse_bytes) -> Any:
    raw = tree.read(relpath)
    shown = f"{tree.label}{relpath}"
    if raw is None:
        if any(f.location.path == shown for f in getattr(tree, "refused", [])):
            return None  # reported by the tree (symlink out of the repository, FIFO, too large)
        findings.append(Finding(Location(shown), "F001", "ファイルがありません。", f"{relpath} を作成してください。"))
        return None
    try:
        loaded = parse(Path(shown), raw)
    except SourceError as exc:
        findings.extend(exc.findings)
        return None
    sources[relpath] = loaded
    if not isinstance(loaded.data, dict):
        findings.append(Finding(loaded.where(()), "M003", "ファイルの中身は「キー: 値」の形で書いてください。", "docs/format.md の例を参照してください。"))
        return None
    try:
        validated = model.model_validate(loaded.data)
    except ValidationError as exc:
        findings.extend(validation_findings(exc, model, loaded))
        return None
    found = _textchars.findings(validated, loaded, raw)  # every string field: controls, surrogates, invisible, NFC
    findings.extend(found)
    return None if found else validated


def load_project(tree: SourceTree, parse: Parse = parse_bytes) -> Project:
    """Read and validate every source file; raise SourceError listing all problems.

    parse turns one file's bytes into data and positions; kiyaku build passes a cached one.
    """
    global _project_loads
    _project_loads += 1
    findings: list[Finding] = []
    sources: dict[str, LoadedYaml] = {}
    document = _parse(tree, DOCUMENT_FILE, DocumentConfig, findings, sources, parse)
    articles: dict[str, Article] = {}
    article_files: dict[str, str] = {}
    for name in tree.list("terms"):
        relpath = f"terms/{name}"
        if relpath == DOCUMENT_FILE:
            continue
        article = _parse(tree, relpath, Article, findings, sources, parse)
        if article is None:
            continue
        if article.id in articles:
            findings.append(Finding(sources[relpath].where(("id",)), "M010", f"条の ID「{article.id}」が {article_files[article.id]} と重複しています。", "どちらかの ID を変えてください。"))
            continue
        if Path(name).stem != article.id:
            findings.append(Finding(sources[relpath].where(("id",)), "M011", f"ファイル名と条の ID「{article.id}」が一致しません。", f"ファイル名を terms/{article.id}.yaml にしてください。"))
        articles[article.id] = article
        article_files[article.id] = relpath
    variants: dict[str, Variant] = {}
    variant_files: dict[str, str] = {}
    for name in tree.list("variants"):
        relpath = f"variants/{name}"
        variant = _parse(tree, relpath, Variant, findings, sources, parse)
        if variant is None:
            continue
        if Path(name).stem != variant.id:
            findings.append(Finding(sources[relpath].where(("id",)), "M011", f"ファイル名と販売店 ID「{variant.id}」が一致しません。", f"ファイル名を variants/{variant.id}.yaml にしてください。"))
        if variant.id in variants:
            findings.append(Finding(sources[relpath].where(("id",)), "M010", f"販売店 ID「{variant.id}」が重複しています。", "どちらかの ID を変えてください。"))
            continue
        variants[variant.id] = variant
        variant_files[variant.id] = relpath
    errata = Errata(errata=[])
    if tree.read(ERRATA_FILE) is not None:
        errata = _parse(tree, ERRATA_FILE, Errata, findings, sources, parse) or errata
    findings += getattr(tree, "refused", [])
    if findings:
        raise SourceError(findings)
    assert document is not None
    return Project(tree, document, articles, variants, errata, sources, article_files, variant_files)


def check_variant_id(variant_id: str) -> None:
    """Refuse ids that could escape rendered/ (../, /, \\, NUL, full-width look-alikes)."""
    if not VARIANT_ID_RE.fullmatch(variant_id):
        raise SourceError(Finding(Location("<コマンドライン>"), "C001",
                                  f"販売店 ID「{variant_id!r}」は使えません。",
                                  "販売店 ID は半角英小文字・数字・ハイフンだけです（例: hiroshima-cci）。"))
