"""`kiyaku release` and `kiyaku status`: record editions in git, and check that records stay true.

Why kiyaku commits the record itself: the record and the commit of the sources it names must
be one act, refused as a whole when anything is wrong (dirty tree, lint errors, a notice period
shorter than 第3条第3項 allows, nothing changed). Once committed, a record is evidence: lint and
verify check it (check_records, kept in generator/history/_records.py and re-exported here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..history import _txn
from ..history._calendar import JST, earliest_effective, parse_day, today_jst
from ..history._records import check_records
from ..lint._lint_contact import contact_gaps
from ..source import _git, _textchars
from ..source._faults import os_reason
from ..source._gitstate import check_release_state, require_git
from ..source._variant_edit import with_identity
from ..history._txn import interrupted_release  # noqa: F401  (kept here: `kiyaku release` names it)
from ..compile.pipeline import compile_variant, load
from ..source.errors import Finding, KiyakuError, Location, ReleaseError
from ..history.editions import (BASELINE, KINDS, ReleaseRecord, document_sha256, dump_record, in_force, load_records,
                      text_sha256, with_meta)
from ..lint.checks import lint
from ..source.load import Project

CLI = Location("<コマンドライン>")
STARTED_TRAILER = "Kiyaku-Started"  # when the release began (JST): the day it counts for (H049)
__all__ = ["release", "status", "format_status", "check_records", "VariantStatus", "Upcoming"]


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
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise _fail("H021", "変更の理由の文字を読めません（UTF-8 ではない文字コードで入力されています）。",
                    "端末の文字コードを UTF-8 にして（例: LANG=C.UTF-8）入力し直してください。")
    bad = _textchars.check_string(("reason",), text)  # the same rules as every field of the sources
    if bad:
        raise _fail("H021", f"変更の理由に使えない文字があります: {bad[0].message}", "理由を打ち直してください。")
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
    root = Path(root)
    started = dt.datetime.now(JST)
    today = today or today_jst()  # fixed now: a release that commits after midnight still counts for this day
    if kind not in KINDS or kind == BASELINE:
        raise _fail("H024", f"変更の種類「{kind}」は使えません。", "利益変更 か 不利益変更 を指定してください。")
    if not baseline:
        if announce is None or effective is None:
            raise _fail("H025", "告知日（--announce）と実施日（--effective）が必要です。", "例: --announce 2026-12-01 --effective 2027-01-01")
        announce_day, effective_day = parse_day(announce, "告知日"), parse_day(effective, "実施日")
        reason = _check_reason(reason)
    require_git()
    if _txn.read_journal(root) is not None:
        raise _fail("H065", "前のリリースが途中で止まっています。", "kiyaku release --resume で最後まで行うか、kiyaku release --abort で取り消してください。")
    state = check_release_state(root, _release_branch(root))
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
        missing = [f for v, f in contact_gaps(project) if v == variant_id and f.severity == "error"]
        if missing:  # the notice of this release would have no way to reach the issuer (_lint_contact)
            raise ReleaseError(missing + [Finding(CLI, "H072", f"販売店「{variant_id}」の連絡先がそろっていないため、お知らせを出せません。",
                                                  "variants の address / phone / email / web を書いてコミットしてから、もう一度リリースしてください。")])
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
    _commit(root, _plan(root, new, head.sha, state.branch or "", started))
    return new


def _release_branch(root: Path) -> str:
    """document.yaml's release_branch; main when the sources cannot be read (lint then refuses the release)."""
    try:
        return load(root).document.release_branch
    except KiyakuError:
        return "main"


def _plan(root: Path, records: list[ReleaseRecord], old_head: str, branch: str, started: dt.datetime) -> _txn.Plan:
    """Every file the release writes, with its bytes before and after, the commit message and the tags."""
    existing = _git.tags(root)
    changes: list[_txn.Change] = []
    for record in records:
        if (root / record.relpath).exists() or f"{record.variant}/ed{record.edition}" in existing:
            raise _fail("H034", f"{record.relpath}（またはタグ {record.variant}/ed{record.edition}）がすでにあります。", "リリース記録は書き換えられません。")
        changes.append(_txn.Change(record.relpath, None, dump_record(record)))
        if not record.is_baseline:
            relpath = f"variants/{record.variant}.yaml"
            before = (root / relpath).read_bytes()
            changes.append(_txn.Change(relpath, before, with_identity(before, record.edition, record.announced, record.effective)))
    names = "、".join(f"{r.variant} 第{r.edition}版" for r in records)
    first = records[0]
    title = f"規約の基準版を記録: {names}" if first.is_baseline else f"規約改定を記録: {names}（告知 {first.announced}、実施 {first.effective}）"
    message = f"{title}\n\n変更の理由: {first.reason}\n\n{STARTED_TRAILER}: {started.isoformat(timespec='seconds')}\n"
    tags = tuple((f"{r.variant}/ed{r.edition}", f"{r.variant} 第{r.edition}版（告知 {r.announced}、実施 {r.effective}）\n\n{r.reason}\n")
                 for r in records)
    return _txn.Plan(old_head, branch, tuple(changes), message, tags)


def _commit(root: Path, plan: _txn.Plan) -> None:
    """Run the transaction; whatever goes wrong, the repository is as before (or the journal says how to fix it)."""
    try:
        _txn.run(root, plan)
    except _txn.GitStepFailed as exc:
        raise _fail("H035", f"リリース記録をコミットできませんでした（git: {exc}）。",
                    "git config user.name / user.email の設定と、git のフックを確認してください。何も記録されていません。") from None
    except (KeyboardInterrupt, _txn.Interrupted):
        raise _fail("H068", "リリースは中断されました。元の状態に戻したので、何も記録されていません。",
                    "もう一度 kiyaku release を実行してください。") from None
    except OSError as exc:
        raise _fail("H069", f"ファイルを書けないため、リリースを取り消しました（{os_reason(exc)}）。",
                    "空き容量・書き込み権限・ファイルサイズの上限（ulimit -f）を確かめてから、もう一度実行してください。何も記録されていません。") from None


def resume_or_abort(root: Path | str, resume: bool) -> str:
    """`kiyaku release --resume` / `--abort`: finish or undo the release the journal describes."""
    root = Path(root)
    found = _txn.read_journal(root)
    if found is None:
        raise _fail("H070", "中断されたリリースはありません。", "kiyaku status で状態を確かめてください。")
    plan, recorded = found
    try:
        if resume:
            _txn.resume(root, plan, recorded)
            return "中断されたリリースを最後まで行いました: " + "、".join(name for name, _ in plan.tags)
        with _txn.signals_blocked():
            _txn.undo(root, plan, recorded)
        return "中断されたリリースを取り消し、元の状態に戻しました。"
    except _txn.GitStepFailed as exc:
        raise _fail("H067", f"git が失敗しました（{exc}）。", "git status で確かめてから、もう一度実行してください。") from None


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


def format_status(statuses: list[VariantStatus]) -> str:
    """The text `kiyaku status` prints (dates written out, days left counted in Japan time)."""
    from ..compile.eras import western_date

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
