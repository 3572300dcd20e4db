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

from ..source import _git
from ..source._files import Limit, read_checked
from ..source._githistory import Added, History, blob_id
from ..source._yaml import MAX_BYTES, load_yaml_bytes
from ..source.errors import Finding, KiyakuError, Location, ReleaseError
from ._calendar import JST, earliest_effective
from ._txn import interrupted_release, read_journal
from .editions import (RELEASES, ReleaseRecord, document_sha256, edition_document, parse_record, record_path,
                      text_sha256)
from ..source.model import Variant

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


def _check_source(root: Path, record: ReleaseRecord, loaded, rerender: bool, history: History, ancestors: set[str]) -> list[Finding]:
    """The record's commit is in history, the 30-day rule holds, and (rerender) the edition gives its hashes again."""
    if record.source_commit not in ancestors:
        return [Finding(loaded.where(("source_commit",)), "H044", f"記録されたコミット {record.source_commit[:10]} が履歴にありません。",
                        "履歴が書き換えられた可能性があります。公開済みの版の元になったコミットを消さないでください。")]
    out = []
    raw = history.read(record.source_commit, f"variants/{record.variant}.yaml")
    required = _notice_days_in(raw or b"") or record.notice_days
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


def _check_chain(current: dict[str, tuple[ReleaseRecord, object, bytes]]) -> list[Finding]:
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


def _tag_findings(relpath: str, record: ReleaseRecord, loaded, raw: bytes, first: tuple[Added, bytes], tag_sha: str | None,
                  history: History, ancestors: set[str], pending: set[str]) -> list[Finding]:
    """The annotated tag kiyaku release made exists and points at the commit that added this very record.

    Why both: the record file survives a plain clone, the tag is pushed to other clones and keeps
    the original when history is rewritten; each is evidence against changes to the other.
    """
    name = f"{record.variant}/ed{record.edition}"
    added, first_data = first
    if name in pending:
        return []  # an interrupted release: H065 names the repair
    if tag_sha is None:
        return [Finding(loaded.where(()), "H050", f"リリース記録のタグ {name} がありません（削除されたか、取得されていません）。",
                        f"git fetch --tags で取得してください。それでもなければ git tag -a {name} {added.sha[:10]} -m \"{name}\" で付け直し、"
                        "削除の経緯を確認してください。")]
    out = []
    if tag_sha != added.sha:
        out.append(Finding(loaded.where(()), "H051", f"タグ {name} が、記録を追加したコミット {added.sha[:10]} ではなく {tag_sha[:10]} を指しています。",
                           f"タグが動かされた可能性があります。公開された版と照合し（kiyaku verify --against 公開サイト）、"
                           f"正しければ git tag -f -a {name} {added.sha[:10]} で戻してください。"))
    if tag_sha not in ancestors:
        out.append(Finding(loaded.where(()), "H044", f"タグ {name} が指すコミット {tag_sha[:10]} が履歴にありません。",
                           "履歴が書き換えられた可能性があります。経緯を確認してください。"))
    if tag_sha == added.sha:
        return out
    data = history.read(tag_sha, relpath)
    if data is None or data == raw or data == first_data:
        return out
    return out + _compare_first(relpath, record, loaded, _git.FileVersion(relpath, tag_sha, added.timestamp, data), f"タグ {name} の版")


def _orphan_tags(root: Path, tags: dict[str, str], added: dict[str, list[Added]], history: History, pending: set[str]) -> list[Finding]:
    """Tags named like an edition whose record is not in the working tree: deleted records, or tags made by hand."""
    out = []
    for name, sha in sorted(tags.items()):
        m = _TAG.match(name)
        if not m or name in pending:
            continue
        relpath = record_path(m.group(1), int(m.group(2)))
        if (root / relpath).exists() or relpath in added:
            continue  # present, or reported as deleted below (H041)
        if history.read(sha, relpath) is not None:
            out.append(Finding(Location(relpath), "H041", "公開済みのリリース記録が削除されています。",
                               f"git checkout {name} -- {relpath} で元に戻してください。"))
        else:
            out.append(Finding(Location(relpath), "H052", f"タグ {name} はありますが、その版のリリース記録がどのコミットにもありません。",
                               f"手で付けたタグなら git tag -d {name} で削除してください（版は kiyaku release で記録します）。"))
    return out


def _diverging(relpath: str, loaded, adds: list[Added]) -> list[Finding]:
    """One edition recorded twice on two branches that were merged: two different pieces of evidence."""
    versions = {a.sha: a.blob for a in adds}
    if len(set(versions.values())) < 2:
        return []
    shas = "、".join(sha[:10] for sha in versions)
    return [Finding(loaded.where(()), "H053", f"同じ版の記録が別々のコミット（{shas}）で作られています（2 か所でリリースしてマージした）。",
                    f"git log --all -- {relpath} でどちらが公開された版か確かめ、もう一方の変更は新しい版としてリリースし直してください。")]


def _announced_late(record: ReleaseRecord, loaded, added: Added) -> list[Finding]:
    """H049: committed after the announcement date. A release counts for the day it started (its
    Kiyaku-Started trailer), so one started at 23:59:59 that commits after midnight is on time."""
    if record.is_baseline:
        return []
    committed = dt.datetime.fromtimestamp(added.timestamp, JST)
    started = added.started
    if started is not None and dt.timedelta(0) <= committed - started <= dt.timedelta(hours=6):
        committed = started.astimezone(JST)
    if committed.date() <= record.announced_day:
        return []
    return [Finding(loaded.where(("announced",)), "H049",
                    f"リリース記録が告知日（{record.announced}）より後の {committed.date().isoformat()} にコミットされています。",
                    "告知日をさかのぼって記録していないか確認してください。", "warning")]


def check_records(root: Path | str = ".", rerender: bool = False) -> list[Finding]:
    """Every problem with the release records: tampering, deletion, missing or moved tags, merges,
    interrupted releases, broken chains, the 30-day rule.

    With rerender=True (kiyaku verify) every released edition is also rendered again from its
    commit and compared with the recorded SHA-256, so the published text cannot change silently.
    lint leaves that out: it costs one full load of the sources per release.
    """
    root = Path(root)
    findings: list[Finding] = interrupted_release(root)
    journal = read_journal(root) if not findings or findings[0].code == "H065" else None
    pending = {name for name, _ in journal[0].tags} if journal else set()
    current = _read_current(root, findings)
    if _git.head(root) is None:
        if current:
            findings.append(Finding(Location(RELEASES), "H040", "git リポジトリの外では、リリース記録を履歴と照合できません。",
                                    "git で管理されたフォルダで kiyaku lint を実行してください。", "warning"))
        return findings
    if current and _git.is_shallow(root):
        findings.append(Finding(Location(RELEASES), "H039", "浅いクローン（shallow clone）のため、リリース記録を git の履歴と照合できません。",
                                "git fetch --unshallow を実行してください（CI では履歴をすべて取得する設定にします。例: fetch-depth: 0）。"))
        return findings + _check_chain(current)
    with History(root) as history:
        added, tags, ancestors = history.added(RELEASES), history.tags(), history.ancestors()
        findings += _orphan_tags(root, tags, added, history, pending)
        for relpath in sorted(p for p in added if p.endswith(".yaml") and not (root / p).exists()):
            findings.append(Finding(Location(relpath), "H041", "公開済みのリリース記録が削除されています。",
                                    "git log -- " + relpath + " で経緯を確認し、元に戻してください。"))
        for relpath, (record, loaded, raw) in current.items():
            adds = added.get(relpath)
            if not adds:
                hint = ("kiyaku release --resume で最後まで行うか、kiyaku release --abort で取り消してください。" if pending else
                        f"リリース記録は kiyaku release が作ってコミットします。手で作ったものなら git rm --cached {relpath} をして削除してください。")
                findings.append(Finding(loaded.where(()), "H042", "リリース記録がまだコミットされていません。", hint))
                findings += _check_source(root, record, loaded, rerender, history, ancestors)
                continue
            first_data = raw if adds[0].blob == blob_id(raw) else history.read(adds[0].sha, relpath) or b""
            if first_data != raw:
                findings += _compare_first(relpath, record, loaded, _git.FileVersion(relpath, adds[0].sha, adds[0].timestamp, first_data))
            findings += _diverging(relpath, loaded, adds)
            findings += _announced_late(record, loaded, adds[0])
            findings += _tag_findings(relpath, record, loaded, raw, (adds[0], first_data), tags.get(f"{record.variant}/ed{record.edition}"),
                                      history, ancestors, pending)
            findings += _check_source(root, record, loaded, rerender, history, ancestors)
    findings += _check_chain(current)
    return findings
