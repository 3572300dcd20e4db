"""`kiyaku release` and `kiyaku status`: record editions in git, and check that records stay true.

Why kiyaku commits the record itself: the record and the commit of the sources it names must
be one act, refused as a whole when anything is wrong (dirty tree, lint errors, a notice period
shorter than 第3条第3項 allows, nothing changed). Once committed, a record is evidence: lint and
verify compare it with its first committed version (check_records) and re-render the edition.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import _git
from ._calendar import JST, earliest_effective, parse_day, today_jst
from ._yaml import _check_bytes, load_yaml_text
from .compile import compile_variant, load
from .errors import Finding, KiyakuError, Location, ReleaseError
from .history import (BASELINE, KINDS, RELEASES, ReleaseRecord, document_sha256, dump_record, edition_document,
                      in_force, load_records, parse_record, record_path, text_sha256, with_meta)
from .load import Project
from .model import Variant

CLI = Location("<コマンドライン>")


@dataclass(frozen=True)
class Upcoming:
    record: ReleaseRecord
    days_left: int  # days until the effective date (0 = takes effect today)


@dataclass(frozen=True)
class VariantStatus:
    """What `kiyaku status` shows for one reseller."""

    variant_id: str
    name: str
    today: dt.date
    current: ReleaseRecord | None
    upcoming: tuple[Upcoming, ...]
    unreleased: bool | None  # None: no record yet, so nothing to compare with
    latest: ReleaseRecord | None


def _fail(code: str, message: str, hint: str = "", where: Location = CLI) -> ReleaseError:
    return ReleaseError(Finding(where, code, message, hint))


def _changed_since(project: Project, latest: ReleaseRecord) -> bool:
    """Whether the sources render differently from the latest edition (compared with that edition's dates)."""
    same_meta = with_meta(project, latest.variant, latest.edition, latest.announced, latest.effective)
    return text_sha256(compile_variant(same_meta, latest.variant)) != latest.text_sha256


def _new_record(project: Project, variant_id: str, sha: str, edition: int, previous: int | None, announced: str,
                effective: str, kind: str, service_change: bool, reason: str) -> ReleaseRecord:
    doc = compile_variant(with_meta(project, variant_id, edition, announced, effective), variant_id)
    return ReleaseRecord(variant=variant_id, edition=edition, previous_edition=previous, announced=announced,
                         effective=effective, notice_days=project.variants[variant_id].notice_days, kind=kind,
                         service_change=service_change, reason=reason, source_commit=sha,
                         text_sha256=text_sha256(doc), document_sha256=document_sha256(doc))


def _check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise _fail("H020", "変更の理由（--reason）が空です。", "お客様に示す変更の理由を書いてください。")
    if any(ord(c) < 32 and c != "\n" or 0x200B <= ord(c) <= 0x200F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text):
        raise _fail("H021", "変更の理由に制御文字（見えない文字）が含まれています。", "理由を打ち直してください。")
    return text


def _check_dates(announce: dt.date, effective: dt.date, notice_days: int, variant_id: str, today: dt.date) -> None:
    if announce < today:
        raise _fail("H022", f"告知日 {announce.isoformat()} は今日（日本時間 {today.isoformat()}）より前です。",
                    "告知日をさかのぼって記録することはできません。今日以降の告知日を指定してください。")
    earliest = earliest_effective(announce, notice_days)
    if effective < earliest:
        raise _fail("H023", f"実施日 {effective.isoformat()} は早すぎます（販売店 {variant_id}）。告知日 {announce.isoformat()} から"
                    f"{notice_days}日間の予告期間をおくと、実施日は早くても {earliest.isoformat()} です。",
                    f"--effective {earliest.isoformat()} 以降を指定してください（第3条第3項、民法第140条・第141条）。")


def release(root: Path | str, variants: list[str] | None, announce: str | dt.date | None = None,
            effective: str | dt.date | None = None, reason: str = "", kind: str = "不利益変更",
            service_change: bool = False, baseline: bool = False, today: dt.date | None = None) -> list[ReleaseRecord]:
    """Record new editions (variants=None: every variant whose rendered text changed), commit and tag them.

    With baseline=True, record the edition each variant file states (variants/<id>.yaml edition,
    issued, effective) as the starting point, for variants that have no record yet.
    """
    from .lint import lint

    root = Path(root)
    today = today or today_jst()
    if kind not in KINDS or kind == BASELINE:
        raise _fail("H024", f"変更の種類「{kind}」は使えません。", "利益変更 か 不利益変更 を指定してください。")
    if not baseline:
        if announce is None or effective is None:
            raise _fail("H025", "告知日（--announce）と実施日（--effective）が必要です。", "例: --announce 2026-12-01 --effective 2027-01-01")
        announce_day, effective_day = parse_day(announce, "告知日"), parse_day(effective, "実施日")
        reason = _check_reason(reason)
    head = _git.head(root)
    if head is None:
        raise _fail("H026", f"{root} は git リポジトリではないか、まだコミットがありません。", "git init と最初のコミットをしてから実行してください。")
    dirty = _git.dirty_paths(root)
    if dirty:
        shown = "、".join(dirty[:5]) + (f" ほか {len(dirty) - 5} 件" if len(dirty) > 5 else "")
        raise _fail("H027", f"コミットされていない変更があります: {shown}", "変更をコミットしてから（または取り消してから）リリースしてください。")
    errors = [f for f in lint(root) if f.severity == "error"]
    if errors:
        raise ReleaseError(errors + [Finding(CLI, "H028", f"lint のエラーが {len(errors)} 件あるためリリースできません。", "kiyaku lint で確認し、直してください。")])
    project = load(root)
    records = load_records(root)
    chosen = sorted(project.variants) if variants is None else variants
    for variant_id in chosen:
        compile_variant(project, variant_id)  # refuses unknown or malformed ids with a finding
    new: list[ReleaseRecord] = []
    for variant_id in chosen:
        variant, history = project.variants[variant_id], records.get(variant_id, ())
        if baseline:
            if history:
                if variants is None:
                    continue
                raise _fail("H029", f"販売店「{variant_id}」にはすでにリリース記録があります（第{history[-1].edition}版）。", "基準版の記録は最初の 1 回だけです。")
            new.append(_new_record(project, variant_id, head.sha, variant.edition, None, variant.issued, variant.effective,
                                   BASELINE, False, _check_reason(reason or f"基準版（第{variant.edition}版）の記録"), ))
            continue
        if not history:
            raise _fail("H030", f"販売店「{variant_id}」の基準版の記録がありません。",
                        f"先に kiyaku release {variant_id} --baseline で現在の第{variant.edition}版を記録してください。")
        latest = max(history, key=lambda r: r.edition)
        _check_dates(announce_day, effective_day, variant.notice_days, variant_id, today)
        if not _changed_since(project, latest):
            if variants is None:
                continue
            raise _fail("H031", f"販売店「{variant_id}」の本文は第{latest.edition}版から変わっていません。", "変更をコミットしてからリリースしてください。")
        if announce_day < latest.announced_day or effective_day <= latest.effective_day:
            raise _fail("H032", f"前の版（第{latest.edition}版、告知 {latest.announced}、実施 {latest.effective}）より前の日付です。",
                        "告知日と実施日は前の版より後にしてください。")
        new.append(_new_record(project, variant_id, head.sha, latest.edition + 1, latest.edition, announce_day.isoformat(),
                               effective_day.isoformat(), kind, service_change, reason))
    if not new:
        raise _fail("H033", "リリースする変更がありません。", "どの販売店の本文も前の版から変わっていません。")
    _commit(root, new)
    return new


def _commit(root: Path, records: list[ReleaseRecord]) -> None:
    existing = _git.tags(root)
    for record in records:
        if (root / record.relpath).exists() or f"{record.variant}/ed{record.edition}" in existing:
            raise _fail("H034", f"{record.relpath}（またはタグ {record.variant}/ed{record.edition}）がすでにあります。", "リリース記録は書き換えられません。")
    written: list[Path] = []
    try:
        for record in records:
            path = root / record.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(dump_record(record))
            written.append(path)
        names = "、".join(f"{r.variant} 第{r.edition}版" for r in records)
        first = records[0]
        title = f"規約の基準版を記録: {names}" if first.is_baseline else f"規約改定を記録: {names}（告知 {first.announced}、実施 {first.effective}）"
        sha = _git.commit_paths(root, [r.relpath for r in records], f"{title}\n\n変更の理由: {first.reason}\n")
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, _git.GitFailed):
            raise _fail("H035", f"リリース記録をコミットできませんでした（git: {exc}）。",
                        "git config user.name / user.email の設定と、git のフックを確認してください。何も記録されていません。") from None
        raise
    for record in records:
        try:
            _git.create_tag(root, f"{record.variant}/ed{record.edition}", sha,
                            f"{record.variant} 第{record.edition}版（告知 {record.announced}、実施 {record.effective}）\n\n{record.reason}\n")
        except _git.GitFailed as exc:
            raise _fail("H036", f"記録はコミットしましたが、タグ {record.variant}/ed{record.edition} を作れませんでした（git: {exc}）。",
                        f"git tag -a {record.variant}/ed{record.edition} {sha[:10]} で付けてください（記録のファイルが正本です）。") from None


def status(root: Path | str, variant: str | None = None, today: dt.date | None = None) -> list[VariantStatus]:
    """Per reseller: the edition in force today (Japan time), announced editions to come, unreleased edits."""
    root = Path(root)
    today = today or today_jst()
    project = load(root)
    records = load_records(root)
    chosen = [variant] if variant else sorted(project.variants)
    out = []
    for variant_id in chosen:
        compile_variant(project, variant_id)
        history = records.get(variant_id, ())
        latest = max(history, key=lambda r: r.edition) if history else None
        upcoming = tuple(Upcoming(r, (r.effective_day - today).days) for r in history if r.effective_day > today)
        unreleased = _changed_since(project, latest) if latest else None
        out.append(VariantStatus(variant_id, project.variants[variant_id].name, today, in_force(history, today),
                                 upcoming, unreleased, latest))
    return out


# --- Immutable releases: what lint and verify check (issue 8, item 5) ---

_TAG = re.compile(r"^([a-z0-9][a-z0-9-]*)/ed(\d+)$")


def _read_current(root: Path, findings: list[Finding]) -> dict[str, tuple[ReleaseRecord, object, bytes]]:
    current: dict[str, tuple[ReleaseRecord, object, bytes]] = {}
    for path in sorted((root / RELEASES).glob("*/*.yaml")):
        relpath, raw = path.relative_to(root).as_posix(), path.read_bytes()
        try:
            record, loaded = parse_record(relpath, raw)
        except ReleaseError as exc:
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
        loaded = load_yaml_text(_check_bytes(Path("variant.yaml"), raw), Path("variant.yaml"))
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


def format_status(statuses: list[VariantStatus]) -> str:
    """The text `kiyaku status` prints (dates written out, days left counted in Japan time)."""
    from .eras import western_date

    lines: list[str] = []
    for s in statuses:
        lines.append(f"{s.variant_id}（{s.name}）  {s.today.isoformat()} 現在")
        if s.latest is None:
            lines.append(f"  リリース記録なし: kiyaku release {s.variant_id} --baseline で現在の版を基準として記録してください。")
            lines.append("")
            continue
        if s.current is None:
            lines.append("  現在の版: なし（最初の版の実施日前です）")
        else:
            lines.append(f"  現在の版: 第{s.current.edition}版（{western_date(s.current.effective_day)}実施）")
        for up in s.upcoming:
            when = "本日実施" if up.days_left == 0 else f"あと{up.days_left}日"
            lines.append(f"  告知済み: 第{up.record.edition}版  {western_date(up.record.announced_day)}告知、"
                         f"{western_date(up.record.effective_day)}実施（{when}）")
        if s.unreleased:
            lines.append(f"  未リリースの変更: あり（kiyaku diff {s.variant_id} --from ed{s.latest.edition} --to WORKTREE）")
        else:
            lines.append(f"  未リリースの変更: なし（最新は第{s.latest.edition}版）")
        lines.append("")
    return "\n".join(lines)
