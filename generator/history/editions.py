"""Time travel: the release records and the exact document of any edition, read from git.

Why records in files (releases/<variant>/<edition>.yaml) and not only tags: a plain `git clone`
keeps files, while tags need `--tags` and can be moved. Each record names the commit of the
sources; the document of an edition is those sources, read from the git object store (no
checkout, so it works while the working tree has other edits), with the edition number, the
announcement date (the cover date) and the effective date taken from the record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..compile.document import NumberedDocument
from ..compile.pipeline import compile_variant, load
from ..render.text import render_text
from ..source import _git, _textchars
from ..source._files import Limit, read_checked
from ..source._yaml import MAX_BYTES, load_yaml_bytes
from ..source.errors import Finding, KiyakuError, Location, ReleaseError
from ..source.load import Project, SourceTree, load_project, validation_findings
from ..source.model import DateStr
from ._calendar import parse_day, today_jst

RELEASES = "releases"
KINDS = ("利益変更", "不利益変更", "基準")
BASELINE = "基準"
WORKTREE = "WORKTREE"
_EDITION_REF = re.compile(r"^ed(\d{1,4})$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


class ReleaseRecord(BaseModel):
    """One released edition of one reseller's terms (the file kiyaku release writes and commits)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    variant: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    edition: int = Field(ge=1)
    previous_edition: int | None = Field(None, ge=1)
    announced: DateStr = Field(description="告知日（表紙の日付）")  # DateStr: an impossible date is a finding (M006), not a traceback
    effective: DateStr = Field(description="実施日（変更後の規約を適用する日）")
    notice_days: int = Field(ge=1, le=365)
    kind: Literal["利益変更", "不利益変更", "基準"]
    service_change: bool
    reason: str = Field(min_length=1)
    source_commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    text_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @property
    def announced_day(self) -> dt.date:
        return dt.date.fromisoformat(self.announced)

    @property
    def effective_day(self) -> dt.date:
        return dt.date.fromisoformat(self.effective)

    @property
    def is_baseline(self) -> bool:
        return self.kind == BASELINE

    @property
    def relpath(self) -> str:
        return record_path(self.variant, self.edition)


FIELD_ORDER = tuple(ReleaseRecord.model_fields)


def record_path(variant_id: str, edition: int) -> str:
    return f"{RELEASES}/{variant_id}/{edition}.yaml"


def dump_record(record: ReleaseRecord) -> bytes:
    """Deterministic YAML: fixed key order, every string double-quoted (JSON strings are YAML 1.2)."""
    lines = ["# kiyaku のリリース記録。書き換え禁止: kiyaku lint / verify が最初のコミットと照合します。"]
    for name in FIELD_ORDER:
        value = getattr(record, name)
        if value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = json.dumps(value, ensure_ascii=False)
        lines.append(f"{name}: {text}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclasses.dataclass(frozen=True)
class _Lines:
    """Positions of a record as kiyaku release wrote it: one key per line."""

    path: str
    lines: dict[str, int]

    def where(self, loc: tuple) -> Location:
        return Location(self.path, self.lines.get(str(loc[0]), 1) if loc else 1, 1)


def _fast_parse(relpath: str, raw: bytes) -> tuple[ReleaseRecord, _Lines] | None:
    """A record exactly as dump_record writes it, read without the YAML parser (1,000 records: ms, not s).

    Only when writing the parsed record again gives the very same bytes; anything else (a hand
    edit, a comment, other quoting) goes through the full, position-keeping YAML reader.
    """
    try:
        lines = raw.decode("utf-8").split("\n")
        data, where = {}, {}
        for number, line in enumerate(lines[1:-1], start=2):
            key, sep, value = line.partition(": ")
            if not sep:
                return None
            data[key], where[key] = json.loads(value), number
        record = ReleaseRecord.model_validate(data)
    except (UnicodeDecodeError, ValueError, ValidationError):
        return None
    if record.relpath != relpath or dump_record(record) != raw:
        return None
    return record, _Lines(relpath, where)


def parse_record(relpath: str, raw: bytes) -> tuple[ReleaseRecord, object]:
    """A record and its LoadedYaml (for positions); ReleaseError naming file:line:col otherwise."""
    fast = _fast_parse(relpath, raw)
    if fast is not None:
        return fast
    try:
        loaded = load_yaml_bytes(raw, Path(relpath))
    except KiyakuError as exc:
        raise ReleaseError(exc.findings) from None
    if not isinstance(loaded.data, dict):
        raise ReleaseError(Finding(Location(relpath), "H002", "リリース記録の形式が正しくありません。", "kiyaku release で作り直してください。"))
    try:
        record = ReleaseRecord.model_validate(loaded.data)
    except ValidationError as exc:
        raise ReleaseError(validation_findings(exc, ReleaseRecord, loaded)) from None
    found = _textchars.findings(record, loaded, raw)  # the reason is published in notices and feeds
    if found:
        raise ReleaseError(found)
    if relpath != record.relpath:
        raise ReleaseError(Finding(loaded.where(("edition",)), "H003",
                                   f"ファイル名が記録の内容（{record.variant} 第{record.edition}版）と一致しません。",
                                   f"記録は {record.relpath} に置かれるはずです。"))
    return record, loaded


def load_records(root: Path | str) -> dict[str, tuple[ReleaseRecord, ...]]:
    """Every record in the working tree, per variant, oldest edition first; raise on unreadable ones."""
    base = Path(root) / RELEASES
    out: dict[str, list[ReleaseRecord]] = {}
    findings: list[Finding] = []
    if base.is_dir():
        for path in sorted(base.glob("*/*.yaml")):
            relpath = path.relative_to(root).as_posix()
            try:  # through the file boundary (a FIFO or folder named *.yaml, a symlink out of the repository)
                record, _ = parse_record(relpath, read_checked(path, Limit(MAX_BYTES, "リリース記録", "Y001"), Path(root),
                                                               Location(relpath)))
            except KiyakuError as exc:
                findings += exc.findings
                continue
            out.setdefault(record.variant, []).append(record)
    if findings:
        raise ReleaseError(findings)
    return {v: tuple(sorted(rs, key=lambda r: r.edition)) for v, rs in sorted(out.items())}


def text_sha256(doc: NumberedDocument) -> str:
    return hashlib.sha256(render_text(doc).encode("utf-8")).hexdigest()


def document_sha256(doc: NumberedDocument) -> str:
    """SHA-256 of the numbered document as canonical JSON (catches changes the text layout hides)."""
    data = json.dumps(dataclasses.asdict(doc), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def with_meta(project: Project, variant_id: str, edition: int, announced: str, effective: str) -> Project:
    """The project with one variant's edition, cover date and effective date replaced (sources untouched)."""
    variant = project.variants[variant_id].model_copy(update={"edition": edition, "issued": announced, "effective": effective})
    return dataclasses.replace(project, variants={**project.variants, variant_id: variant})


def project_at(root: Path | str, rev: str) -> Project:
    """The sources as committed in rev, validated; ReleaseError if rev names no commit.

    A full commit sha names immutable content, so its project is cached for the process
    (loading the sources is the slow part of re-rendering old editions). Callers must not
    mutate it (with_meta copies).
    """
    if _SHA.fullmatch(rev):
        return _project_at_sha(str(Path(root).resolve()), rev)
    return _load_at(root, rev)


@functools.lru_cache(maxsize=32)
def _project_at_sha(root: str, sha: str) -> Project:
    return _load_at(root, sha)


def _load_at(root: Path | str, rev: str) -> Project:
    tree: SourceTree | None = _git.commit_tree(Path(root), rev)
    if tree is None:
        raise ReleaseError(Finding(Location("<コマンドライン>"), "H004", f"git の版「{rev}」が見つかりません。",
                                   "コミットの SHA、ブランチ名、タグ名、ed<版番号> または WORKTREE を指定してください。"))
    return load_project(tree)


def edition_document(root: Path | str, record: ReleaseRecord) -> NumberedDocument:
    """Exactly the document of a released edition: sources at its commit, dates from its record."""
    project = project_at(root, record.source_commit)
    if record.variant not in project.variants:
        raise ReleaseError(Finding(Location(record.relpath), "H005",
                                   f"記録されたコミット {record.source_commit[:10]} に販売店「{record.variant}」がありません。",
                                   "リリース記録が正しいか確認してください。"))
    project = with_meta(project, record.variant, record.edition, record.announced, record.effective)
    return compile_variant(project, record.variant)


def _records_of(root: Path, variant_id: str) -> tuple[ReleaseRecord, ...]:
    records = load_records(root).get(variant_id, ())
    if not records:
        raise ReleaseError(Finding(Location(f"{RELEASES}/{variant_id}/"), "H006", f"販売店「{variant_id}」のリリース記録がありません。",
                                   f"現在の版を基準として記録するには kiyaku release {variant_id} --baseline を実行してください。"))
    return records


def in_force(records: tuple[ReleaseRecord, ...], day: dt.date) -> ReleaseRecord | None:
    """The edition that applies on `day`: the newest one whose effective date has come."""
    applicable = [r for r in records if r.effective_day <= day]
    return max(applicable, key=lambda r: (r.effective_day, r.edition)) if applicable else None


def find_edition(root: Path | str, variant_id: str, edition: int) -> ReleaseRecord:
    records = _records_of(Path(root), variant_id)
    for record in records:
        if record.edition == edition:
            return record
    known = "、".join(f"第{r.edition}版" for r in records)
    raise ReleaseError(Finding(Location(f"{RELEASES}/{variant_id}/"), "H007", f"販売店「{variant_id}」の第{edition}版の記録はありません。",
                               f"記録されている版: {known}"))


def record_at(root: Path | str, variant_id: str, at: str | dt.date | None = None, edition: int | None = None) -> ReleaseRecord:
    """The record of an edition by number, or of the edition in force on a date (today in Japan by default)."""
    if edition is not None:
        return find_edition(root, variant_id, edition)
    day = parse_day(at, "日付") if at is not None else today_jst()
    records = _records_of(Path(root), variant_id)
    record = in_force(records, day)
    if record is None:
        first = records[0]
        raise ReleaseError(Finding(Location(f"{RELEASES}/{variant_id}/"), "H008",
                                   f"{day.isoformat()} に有効な版はありません（最初の記録は第{first.edition}版、{first.effective} 実施）。",
                                   "それ以降の日付を指定してください。"))
    return record


def document_at(root: Path | str, variant_id: str, at: str | dt.date | None = None, edition: int | None = None) -> NumberedDocument:
    """What was (or will be) in force: by edition number, or on a date in Japan time (today by default)."""
    return edition_document(root, record_at(root, variant_id, at, edition))


def document_for_ref(root: Path | str, variant_id: str, ref: str) -> NumberedDocument:
    """A document for `kiyaku diff`: WORKTREE, ed<N> (a released edition) or any git revision."""
    match = _EDITION_REF.fullmatch(ref)
    if ref == WORKTREE:
        return compile_variant(load(root), variant_id)
    if match:
        return edition_document(root, find_edition(root, variant_id, int(match.group(1))))
    return compile_variant(project_at(root, ref), variant_id)
