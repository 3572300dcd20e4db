"""`kiyaku release`: records in git, the 30-day rule, refusals, --all, status, immutable records."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from generator.history import _calendar, editions as history
from generator import cli
from generator.build.verify import verify
from generator.build.builder import build
from generator.source.errors import KiyakuError, ReleaseError
from generator.lint.checks import lint
from generator.changes.release import check_records, release, status
from release_repo import TODAY, child_git_processes, commit_all, edit, fixed_git_dates, git, make_repo, released_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    return released_repo(tmp_path, monkeypatch)


def change_alpha_fee(root: Path, fee: str = "88,000") -> None:
    edit(root, "variants/alpha.yaml", '"79,200"', f'"{fee}"')
    commit_all(root, "料金改定")


def codes(exc: pytest.ExceptionInfo) -> list[str]:
    return [f.code for f in exc.value.findings]


def test_boundary_30_days(repo: Path) -> None:
    change_alpha_fee(repo)
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2026-12-31", "料金の改定", today=TODAY)
    assert codes(info) == ["H023"] and "2027-01-01" in info.value.findings[0].message
    assert "--effective 2027-01-01" in info.value.findings[0].hint
    assert not (repo / "releases" / "alpha" / "2.yaml").exists()
    [record] = release(repo, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
    assert (record.edition, record.previous_edition, record.effective) == (2, 1, "2027-01-01")


@pytest.mark.parametrize("announce, too_early, earliest", [
    ("2028-01-30", "2028-02-29", "2028-03-01"),  # across a leap day
    ("2027-01-31", "2027-03-02", "2027-03-03"),  # from a month end across February
    ("2027-04-30", "2027-05-30", "2027-05-31"),  # month end to month end
])
def test_boundary_across_leap_day_and_month_end(repo: Path, announce: str, too_early: str, earliest: str) -> None:
    change_alpha_fee(repo)
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], announce, too_early, "改定", today=TODAY)
    assert earliest in info.value.findings[0].message
    assert release(repo, ["alpha"], announce, earliest, "改定", today=TODAY)[0].effective == earliest


def test_notice_days_is_a_per_variant_setting(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", "edition: 1\n", "edition: 1\nnotice_days: 60\n")
    change_alpha_fee(repo)
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert "60日間" in info.value.findings[0].message and "2027-01-31" in info.value.findings[0].message


def test_record_file_commit_and_tag(repo: Path) -> None:
    change_alpha_fee(repo)
    source = git(repo, "rev-parse", "HEAD").strip()
    [record] = release(repo, ["alpha"], "2026-12-01", "2027-01-01", "年間利用料金の改定", kind="不利益変更",
                       service_change=True, today=TODAY)
    text = (repo / "releases" / "alpha" / "2.yaml").read_text(encoding="utf-8")
    for line in ('variant: "alpha"', "edition: 2", "previous_edition: 1", 'announced: "2026-12-01"',
                 'effective: "2027-01-01"', "notice_days: 30", 'kind: "不利益変更"', "service_change: true",
                 'reason: "年間利用料金の改定"', f'source_commit: "{source}"', f'text_sha256: "{record.text_sha256}"'):
        assert line in text.splitlines()
    assert history.parse_record("releases/alpha/2.yaml", text.encode())[0] == record
    assert git(repo, "status", "--porcelain") == ""  # committed, nothing left over
    assert git(repo, "log", "-1", "--format=%s").startswith("規約改定を記録: alpha 第2版（告知 2026-12-01、実施 2027-01-01）")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["releases/alpha/2.yaml", "variants/alpha.yaml"]
    variant = (repo / "variants" / "alpha.yaml").read_text(encoding="utf-8")  # the working tree states the new edition
    assert "edition: 2\n" in variant and 'issued: "2026-12-01"' in variant and 'effective: "2027-01-01"' in variant
    assert git(repo, "cat-file", "-t", "alpha/ed2").strip() == "tag"  # annotated
    assert git(repo, "rev-parse", "alpha/ed2^{commit}") == git(repo, "rev-parse", "HEAD")
    assert check_records(repo) == []


def test_refusals(repo: Path) -> None:
    with pytest.raises(ReleaseError) as info:  # nothing changed since 第1版
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert codes(info) == ["H031"]
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    with pytest.raises(ReleaseError) as info:  # dirty working tree
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert codes(info) == ["H027"] and "variants/alpha.yaml" in info.value.findings[0].message
    commit_all(repo, "料金改定")
    (repo / ".gitignore").write_text("", encoding="utf-8")
    commit_all(repo, "no ignores")
    (repo / ".kiyaku" / "cache").mkdir(parents=True, exist_ok=True)
    (repo / ".kiyaku" / "cache" / "x").write_text("kiyaku's own state never counts as a change", encoding="utf-8")
    with pytest.raises(ReleaseError) as info:  # announcement in the past (Japan time)
        release(repo, ["alpha"], "2026-11-25", "2027-01-01", "改定", today=TODAY)
    assert codes(info) == ["H022"]
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "  ", today=TODAY)
    assert codes(info) == ["H020"]
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "理由\u202e", today=TODAY)
    assert codes(info) == ["H021"]
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-1-1", "改定", today=TODAY)
    assert codes(info) == ["H001"]
    with pytest.raises(KiyakuError) as info:
        release(repo, ["../alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert codes(info) == ["C001"]
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], baseline=True, today=TODAY)
    assert codes(info) == ["H029"]
    assert list((repo / "releases" / "alpha").iterdir()) == [repo / "releases" / "alpha" / "1.yaml"]


def test_lint_errors_refuse_a_release(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", "params:\n", "params:\n  unknown_param: x\n")
    change_alpha_fee(repo)
    assert [f for f in lint(repo) if f.severity == "error"]
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert "H028" in codes(info) and "L004" in codes(info)


def test_first_release_needs_a_baseline(tmp_path: Path, monkeypatch) -> None:
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    with pytest.raises(ReleaseError) as info:
        release(root, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert codes(info) == ["H030"] and "--baseline" in info.value.findings[0].hint
    with pytest.raises(ReleaseError):
        release(tmp_path, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)  # not a repository


def test_release_all_only_releases_variants_whose_text_changed(repo: Path) -> None:
    change_alpha_fee(repo)  # a variant parameter: only alpha's text changes
    records = release(repo, None, "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert [(r.variant, r.edition) for r in records] == [("alpha", 2)]
    edit(repo, "terms/fees.yaml", "料金を返金しません", "お支払い済みの料金を返金しません")  # shared clause
    commit_all(repo, "共通条項の変更")
    records = release(repo, None, "2026-12-02", "2027-01-02", "返金条項の明確化", today=TODAY)
    assert [(r.variant, r.edition, r.previous_edition) for r in records] == [("alpha", 3, 2), ("beta", 8, 7)]
    assert git(repo, "tag", "--list").split() == ["alpha/ed1", "alpha/ed2", "alpha/ed3", "beta/ed7", "beta/ed8"]
    with pytest.raises(ReleaseError) as info:
        release(repo, None, "2026-12-03", "2027-01-03", "改定", today=TODAY)
    assert codes(info) == ["H033"]


def test_an_edition_must_follow_the_previous_one(repo: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-10", "2027-02-01", "改定", today=TODAY)
    change_alpha_fee_again = ("88,000", "90,000")
    edit(repo, "variants/alpha.yaml", *change_alpha_fee_again)
    commit_all(repo, "再改定")
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-05", "2027-02-05", "改定", today=TODAY)
    assert codes(info) == ["H032"]


def test_status(repo: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    alpha, beta = status(repo, today=dt.date(2026, 12, 5))
    assert alpha.current.edition == 1 and [(u.record.edition, u.days_left) for u in alpha.upcoming] == [(2, 27)]
    assert alpha.unreleased is False and beta.current.edition == 7 and beta.upcoming == ()
    edit(repo, "terms/purpose.yaml", "条件を定めます", "条件を定めるものです")
    [alpha_now] = status(repo, "alpha", today=dt.date(2027, 1, 1))
    assert alpha_now.current.edition == 2 and alpha_now.upcoming == () and alpha_now.unreleased is True


def test_status_release_on_the_command_line(repo: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("generator.changes.release.today_jst", lambda: dt.date(2026, 11, 26))
    change_alpha_fee(repo)
    args = ["--announce", "2026-12-01", "--effective", "2027-01-01", "--reason", "料金改定", "--root", str(repo)]
    assert cli.main(["release", *args]) == 1  # neither a variant nor --all
    assert cli.main(["release", "--all", "--service-change", *args]) == 0
    assert "alpha: 第2版を記録しました" in capsys.readouterr().out
    assert history.find_edition(repo, "alpha", 2).service_change is True
    assert cli.main(["status", "--root", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "現在の版: 第1版" in out and "第2版  2026年12月1日告知、2027年1月1日実施（あと36日）" in out


def test_cli_release_in_a_new_process(repo: Path) -> None:
    change_alpha_fee(repo)
    announce = _calendar.today_jst() + dt.timedelta(days=1)
    early = _calendar.earliest_effective(announce) - dt.timedelta(days=1)
    args = ["release", "alpha", "--announce", announce.isoformat(), "--reason", "料金改定", "--root", str(repo)]
    refused = run_cli(*args, "--effective", early.isoformat())
    assert refused.code == 1 and "H023" in refused.stderr and "Traceback" not in refused.stderr
    assert (early + dt.timedelta(days=1)).isoformat() in refused.stderr
    done = run_cli(*args, "--effective", (early + dt.timedelta(days=1)).isoformat())
    assert done.code == 0, done.stderr
    assert run_cli("lint", "--root", str(repo)).code == 0


def test_a_tampered_record_is_detected_by_lint_and_verify(repo: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    build(repo, formats=["txt"])
    assert verify(repo) == []
    edit(repo, "releases/alpha/2.yaml", 'effective: "2027-01-01"', 'effective: "2027-01-15"')
    found = [f for f in lint(repo) if f.code == "H043"]
    assert len(found) == 1 and "effective" in found[0].message and "2027-01-01" in found[0].message
    assert str(found[0].location).startswith("releases/alpha/2.yaml:6:")
    commit_all(repo, "実施日を修正")  # committing the edit does not make it true
    assert [f.code for f in verify(repo) if f.code == "H043"] == ["H043"]
    lint_run = run_cli("lint", "--root", str(repo))
    assert lint_run.code == 1 and "H043" in lint_run.stdout


def test_records_breaking_the_30_day_rule_or_deleted_are_detected(repo: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    # a record written by hand with a notice period of 10 days, committed as it is
    record = (repo / "releases" / "alpha" / "2.yaml").read_text(encoding="utf-8")
    edit(repo, "variants/alpha.yaml", '"88,000"', '"90,000"')
    commit_all(repo, "再改定")
    sha = git(repo, "rev-parse", "HEAD").strip()
    forged = record.replace("edition: 2", "edition: 3").replace("previous_edition: 1", "previous_edition: 2") \
        .replace('"2026-12-01"', '"2026-12-20"')
    forged = "\n".join(line if not line.startswith("source_commit") else f'source_commit: "{sha}"' for line in forged.splitlines()) + "\n"
    (repo / "releases" / "alpha" / "3.yaml").write_text(forged, encoding="utf-8")
    commit_all(repo, "手書きの記録")
    found = {f.code: f for f in check_records(repo)}
    assert "H045" in found and "2027-01-20" in found["H045"].message  # 2026-12-20 + 31 days
    assert "H047" not in found  # lint does not re-render; verify does:
    assert "H047" in {f.code for f in check_records(repo, rerender=True)}  # its hashes are not those of its sources
    (repo / "releases" / "alpha" / "2.yaml").unlink()
    commit_all(repo, "記録を削除")
    assert "H041" in {f.code for f in check_records(repo)}


def test_verify_fails_when_a_published_edition_would_render_differently(repo: Path, monkeypatch) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert check_records(repo, rerender=True) == []
    monkeypatch.setattr("generator.history.editions.render_text", lambda doc: "（別の本文）\n")  # e.g. a changed text renderer
    found = check_records(repo, rerender=True)
    assert {f.location.path for f in found if f.code == "H047"} == {"releases/alpha/1.yaml", "releases/alpha/2.yaml", "releases/beta/7.yaml"}


def test_no_git_process_is_left_behind(repo: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    for _ in range(5):
        check_records(repo)
        status(repo, today=TODAY)
    assert child_git_processes() == []


@pytest.mark.slow
def test_end_to_end_on_the_real_terms(tmp_path: Path, monkeypatch) -> None:
    """The real terms/ and variants/ (if present): a fee change for one reseller only."""
    if not (REPO / "variants" / "hiroshima-cci.yaml").exists() or not (REPO / "variants" / "itsupport-joto.yaml").exists():
        pytest.skip("the real content is not there yet")
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path, REPO)
    if (REPO / "schema").is_dir():
        shutil.copytree(REPO / "schema", root / "schema")
        commit_all(root, "schema")
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/hiroshima-cci.yaml", "member_fee: 79200", "member_fee: 82500")
    commit_all(root, "会費改定")
    records = release(root, None, "2026-12-01", "2027-01-01", "会員料金の改定", service_change=True, today=TODAY)
    assert [r.variant for r in records] == ["hiroshima-cci"]
    from generator.changes.notice import make_notice
    notice = make_notice(root, "hiroshima-cci")
    assert len(notice.rows) == 1 and notice.refund_deadline == dt.date(2027, 2, 1)
    row = notice.rows[0]
    assert [p.text for p in row.new if p.changed] == ["82,500"] and [p.text for p in row.old if p.changed] == ["79,200"]
    assert notice.amendment_clause == "第3条第3項" and notice.refund_clause == "第12条第5項"
    with pytest.raises(ReleaseError):
        make_notice(root, "itsupport-joto")
    assert check_records(root) == []


def test_a_shallow_clone_cannot_vouch_for_the_records(repo: Path, tmp_path: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    found = check_records(shallow)
    assert [f.code for f in found if f.severity == "error"] == ["H039"]
    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", str(repo), str(full))  # a plain clone keeps the records and their history
    assert check_records(full, rerender=True) == []
    assert history.document_at(full, "alpha", at="2027-01-01").edition == 2


def test_a_failing_commit_leaves_nothing_behind(repo: Path, monkeypatch) -> None:
    change_alpha_fee(repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'レビューが必要です' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert codes(info) == ["H035"] and "レビューが必要です" in info.value.findings[0].message
    assert git(repo, "status", "--porcelain") == "" and not (repo / "releases" / "alpha" / "2.yaml").exists()
    hook.unlink()
    assert release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)[0].edition == 2


def test_a_rewritten_history_is_caught_by_the_tag(repo: Path) -> None:
    change_alpha_fee(repo)
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    # rewrite the release commit itself, so that the 'first committed' version is the forged one
    edit(repo, "releases/alpha/2.yaml", 'effective: "2027-01-01"', 'effective: "2027-01-15"')
    git(repo, "commit", "-q", "--amend", "-a", "--no-edit")
    found = {f.code: f for f in check_records(repo) if f.severity == "error"}
    assert sorted(found) == ["H043", "H044", "H051"]  # the tag left the history, points elsewhere, and its record said otherwise
    assert "タグ alpha/ed2" in found["H043"].message and "effective" in found["H043"].message
