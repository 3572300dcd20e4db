"""`kiyaku release` and `kiyaku status`: record editions in git, and check that records stay true.

Why kiyaku commits the record itself: the record and the commit of the sources it names must
be one act, refused as a whole when anything is wrong (dirty tree, lint errors, a notice period
shorter than 第3条第3項 allows, nothing changed). Once committed, a record is evidence: lint and
verify check it (check_records, kept in _records.py and re-exported here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import _git, _textchars
from ._calendar import earliest_effective, parse_day, today_jst
from ._records import check_records
from .compile import compile_variant, load
from .errors import Finding, Location, ReleaseError
from .history import (BASELINE, KINDS, ReleaseRecord, document_sha256, dump_record, in_force, load_records,
                      text_sha256, with_meta)
from .load import Project

CLI = Location("<コマンドライン>")
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


def _with_identity(raw: bytes, record: ReleaseRecord) -> bytes:
    """The variant file with the new edition's number and dates, comments and layout kept.

    So the working tree always states the latest edition: `kiyaku build` and the site's preview
    render it with the right 第N版 and dates, and the next release counts from it.
    """
    import io

    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from ._yaml import make_yaml

    yaml = make_yaml()
    tree = yaml.load(io.StringIO(raw.decode("utf-8")))
    tree["edition"] = record.edition
    tree["issued"] = DoubleQuotedScalarString(record.announced)
    tree["effective"] = DoubleQuotedScalarString(record.effective)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue().encode("utf-8")


def _commit(root: Path, records: list[ReleaseRecord]) -> None:
    existing = _git.tags(root)
    for record in records:
        if (root / record.relpath).exists() or f"{record.variant}/ed{record.edition}" in existing:
            raise _fail("H034", f"{record.relpath}（またはタグ {record.variant}/ed{record.edition}）がすでにあります。", "リリース記録は書き換えられません。")
    written: list[Path] = []
    previous_variant_files: dict[Path, bytes] = {}
    try:
        for record in records:
            path = root / record.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(dump_record(record))
            written.append(path)
            if not record.is_baseline:
                variant_path = root / "variants" / f"{record.variant}.yaml"
                previous_variant_files[variant_path] = variant_path.read_bytes()
                variant_path.write_bytes(_with_identity(variant_path.read_bytes(), record))
        names = "、".join(f"{r.variant} 第{r.edition}版" for r in records)
        first = records[0]
        title = f"規約の基準版を記録: {names}" if first.is_baseline else f"規約改定を記録: {names}（告知 {first.announced}、実施 {first.effective}）"
        paths = [r.relpath for r in records] + [str(p.relative_to(root)) for p in previous_variant_files]
        sha = _git.commit_paths(root, paths, f"{title}\n\n変更の理由: {first.reason}\n")
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for path, data in previous_variant_files.items():
            path.write_bytes(data)
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
