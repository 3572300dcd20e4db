"""The checks that keep release records true (kiyaku lint and kiyaku verify; issue 8, item 5).

Why: a release record is evidence of what customers were told and when. Once committed it must
not change: each record is compared with its first committed version and with the version its
annotated tag points to; deleted records, broken chains of editions and effective dates that
break the notice period (第3条第3項) are reported. verify also renders every released edition
again from its commit and compares the SHA-256 recorded at release time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

from pydantic import ValidationError

from . import _git
from ._calendar import JST, earliest_effective
from ._files import Limit, read_checked
from ._yaml import MAX_BYTES, load_yaml_bytes
from .errors import Finding, KiyakuError, Location, ReleaseError
from .history import (RELEASES, ReleaseRecord, document_sha256, edition_document, parse_record, record_path,
                      text_sha256)
from .model import Variant

_TAG = re.compile(r"^([a-z0-9][a-z0-9-]*)/ed(\d+)$")


def _read_current(root: Path, findings: list[Finding]) -> dict[str, tuple[ReleaseRecord, object, bytes]]:
    current: dict[str, tuple[ReleaseRecord, object, bytes]] = {}
    for path in sorted((root / RELEASES).glob("*/*.yaml")):
        relpath = path.relative_to(root).as_posix()
        try:  # through the file boundary: a FIFO, folder or symlink out of the repository is a finding
            raw = read_checked(path, Limit(MAX_BYTES, "リリース記録", "Y001"), root, Location(relpath))
            record, loaded = parse_record(relpath, raw)
        except KiyakuError as exc:
            findings += exc.findings
            continue
        current[relpath] = (record, loaded, raw)
    return current


def _compare_first(relpath: str, record: ReleaseRecord, loaded, first: _git.FileVersion, what: str = "最初のコミット") -> list[Finding]:
    """Each field that differs from the record as first committed (or as its tag has it) is a tampering finding."""
    when = dt.datetime.fromtimestamp(first.timestamp, JST).date().isoformat()
    try:
        original, _ = parse_record(relpath, first.data)
    except ReleaseError:
        return [Finding(loaded.where(()), "H043", f"リリース記録が{what} {first.sha[:10]}（{when}）から書き換えられています。",
                        f"git checkout {first.sha[:10]} -- {relpath} で元に戻してください。")]
    out = []
    for name in ReleaseRecord.model_fields:
        old, new = getattr(original, name), getattr(record, name)
        if old != new:
            out.append(Finding(loaded.where((name,)), "H043",
                               f"リリース記録の {name} が{what} {first.sha[:10]}（{when}）から書き換えられています: 「{old}」→「{new}」。",
                               f"公開済みの版は変更できません。git checkout {first.sha[:10]} -- {relpath} で元に戻し、"
                               "訂正が必要なら新しい版をリリースしてください。"))
    if not out:
        out.append(Finding(loaded.where(()), "H043", f"リリース記録の書式（コメント・空白など）が{what}から書き換えられています。",
                           f"git checkout {first.sha[:10]} -- {relpath} で元に戻してください。", "warning"))
    return out


def _notice_days_at(root: Path, record: ReleaseRecord) -> int:
    """The variant's notice period as committed in the record's source commit (cheap: one file)."""
    raw = _git.read_file(root, record.source_commit, f"variants/{record.variant}.yaml")
    return _notice_days_in(raw or b"") or record.notice_days


_NOTICE_DAYS = re.compile(rb"^notice_days:[ \t]*(\d{1,3})[ \t]*(?:#.*)?$", re.M)


@functools.lru_cache(maxsize=64)
def _notice_days_in(raw: bytes) -> int | None:
    """notice_days of a variant file's bytes: the top-level key read directly (a full YAML load costs
    ~0.1 s per file and lint reads one per record); the full load only when the line is unusual."""
    found = _NOTICE_DAYS.findall(raw)
    if len(found) == 1:
        return int(found[0])
    if not re.search(rb"^notice_days\b", raw, re.M):
        return Variant.model_fields["notice_days"].default
    try:
        loaded = load_yaml_bytes(raw, Path("variant.yaml"))
        return Variant.model_validate(loaded.data).notice_days
    except (KiyakuError, ValidationError):
        return None


def _check_source(root: Path, record: ReleaseRecord, loaded, rerender: bool) -> list[Finding]:
    """The record's commit is in history, the 30-day rule holds, and (rerender) the edition gives its hashes again."""
    if not _git.is_ancestor(root, record.source_commit):
        return [Finding(loaded.where(("source_commit",)), "H044", f"記録されたコミット {record.source_commit[:10]} が履歴にありません。",
                        "履歴が書き換えられた可能性があります。公開済みの版の元になったコミットを消さないでください。")]
    out = []
    required = _notice_days_at(root, record)
    if record.notice_days != required:
        out.append(Finding(loaded.where(("notice_days",)), "H046", f"予告期間 {record.notice_days}日 が販売店の設定（{required}日）と違います。",
                           f"variants/{record.variant}.yaml の notice_days と一致させてください。"))
    days = max(required, record.notice_days)
    earliest = earliest_effective(record.announced_day, days)
    if not record.is_baseline and record.effective_day < earliest:
        out.append(Finding(loaded.where(("effective",)), "H045",
                           f"実施日 {record.effective} は予告期間（{days}日）を満たしていません。告知日 {record.announced} からは早くても {earliest.isoformat()} です。",
                           "第3条第3項の予告期間に反する記録です。経緯を確認してください。"))
    if not rerender:
        return out
    try:
        doc = edition_document(root, record)
    except KiyakuError as exc:
        return out + [Finding(loaded.where(("source_commit",)), "H047", f"記録された版を作り直せません: {exc.findings[0].message}",
                              "記録されたコミットのソースを確認してください。")]
    if text_sha256(doc) != record.text_sha256 or document_sha256(doc) != record.document_sha256:
        out.append(Finding(loaded.where(("text_sha256",)), "H047",
                           f"第{record.edition}版を記録されたコミットから作り直すと、公開時の本文（SHA-256）と一致しません。",
                           "リリース記録か出力（txt の書き方）が変わっています。公開済みの本文は変えられません。"))
    return out


def _check_chain(root: Path, current: dict[str, tuple[ReleaseRecord, object, bytes]]) -> list[Finding]:
    out = []
    by_variant: dict[str, list[tuple[ReleaseRecord, object]]] = {}
    for record, loaded, _raw in current.values():
        by_variant.setdefault(record.variant, []).append((record, loaded))
    for entries in by_variant.values():
        entries.sort(key=lambda e: e[0].edition)
        for index, (record, loaded) in enumerate(entries):
            before = entries[index - 1][0] if index else None
            if before is None and not record.is_baseline and record.previous_edition is not None:
                out.append(Finding(loaded.where(("previous_edition",)), "H048", f"前の版（第{record.previous_edition}版）の記録がありません。",
                                   "記録を削除しないでください。"))
            if before is not None and (record.is_baseline or record.previous_edition != before.edition
                                       or record.edition != before.edition + 1 or record.effective_day <= before.effective_day):
                out.append(Finding(loaded.where(("previous_edition",)), "H048",
                                   f"第{record.edition}版の記録が前の版（第{before.edition}版）と続いていません。",
                                   "版番号は 1 ずつ増え、実施日は前の版より後でなければなりません。"))
    return out


def _check_tag(root: Path, relpath: str, record: ReleaseRecord, loaded, raw: bytes, tag: tuple[str, str] | None,
               first: bytes | None) -> list[Finding]:
    """The annotated tag kiyaku release made still points into history at this very record.

    Why besides the first commit: a rewritten history can change the 'first' version too; the tag
    (pushed to other clones) keeps the original.
    """
    if tag is None:
        return []
    name, sha = tag
    out = []
    if not _git.is_ancestor(root, sha):
        out.append(Finding(loaded.where(()), "H044", f"タグ {name} が指すコミット {sha[:10]} が履歴にありません。",
                           "履歴が書き換えられた可能性があります。経緯を確認してください。"))
    data = _git.read_file(root, sha, relpath)
    if data is None or data == raw or data == first:  # unchanged, or already compared with the first commit
        return out
    resolved = _git.resolve(root, sha)
    return out + _compare_first(relpath, record, loaded, _git.FileVersion(relpath, sha, resolved.timestamp if resolved else 0, data), f"タグ {name} の版")


def check_records(root: Path | str = ".", rerender: bool = False) -> list[Finding]:
    """Every problem with the release records: tampering, deletion, broken chains, the 30-day rule.

    With rerender=True (kiyaku verify) every released edition is also rendered again from its
    commit and compared with the recorded SHA-256, so the published text cannot change silently.
    lint leaves that out: it costs one full load of the sources per release.
    """
    root = Path(root)
    findings: list[Finding] = []
    current = _read_current(root, findings)
    if _git.head(root) is None:
        if current:
            findings.append(Finding(Location(RELEASES), "H040", "git リポジトリの外では、リリース記録を履歴と照合できません。",
                                    "git で管理されたフォルダで kiyaku lint を実行してください。", "warning"))
        return findings
    if current and _git.is_shallow(root):
        findings.append(Finding(Location(RELEASES), "H039", "浅いクローン（shallow clone）のため、リリース記録を git の履歴と照合できません。",
                                "git fetch --unshallow を実行してください（CI では履歴をすべて取得する設定にします。例: fetch-depth: 0）。"))
        return findings + _check_chain(root, current)
    firsts = _git.first_versions(root, RELEASES)
    tagged = {record_path(m.group(1), int(m.group(2))): (t, sha) for t, sha in _git.tags(root).items() if (m := _TAG.match(t))}
    gone = {p for p in firsts if p.endswith(".yaml") and not (root / p).exists()} | set(tagged)
    for relpath in sorted(p for p in gone if not (root / p).exists()):
        findings.append(Finding(Location(relpath), "H041", "公開済みのリリース記録が削除されています。",
                                "git log -- " + relpath + " で経緯を確認し、元に戻してください。"))
    for relpath, (record, loaded, raw) in current.items():
        first = firsts.get(relpath)
        if first is None:
            findings.append(Finding(loaded.where(()), "H042", "リリース記録がまだコミットされていません。",
                                    "リリース記録は kiyaku release が作ってコミットします。手で作らないでください。", "warning"))
        else:
            if first.data != raw:
                findings += _compare_first(relpath, record, loaded, first)
            committed = dt.datetime.fromtimestamp(first.timestamp, JST).date()
            if not record.is_baseline and committed > record.announced_day:
                findings.append(Finding(loaded.where(("announced",)), "H049",
                                        f"リリース記録が告知日（{record.announced}）より後の {committed.isoformat()} にコミットされています。",
                                        "告知日をさかのぼって記録していないか確認してください。", "warning"))
        findings += _check_tag(root, relpath, record, loaded, raw, tagged.get(relpath), first.data if first else None)
        findings += _check_source(root, record, loaded, rerender)
    findings += _check_chain(root, current)
    return findings
