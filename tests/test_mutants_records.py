"""Every finding of the release-record checks, whole: code, place, message, hint, severity.

Why whole: a finding is what legal staff read to repair a record (which commit, since which day,
which git command). Mutation testing (docs/testing.md) showed that tests asserting only the code
let the commit, the day or the repair command change unnoticed. Each scenario is built in a copy
of one released repository (a few git commands each); the expected findings are written out from
the rule and the repository's known commits, not read back from a run.

The commits are dated 08:00 in Japan (23:00 UTC the day before) and the tests run with TZ=UTC, so
a day taken in the machine's zone instead of Japan's shows.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import pytest

from generator.history import _records
from generator.history._records import check_records
from generator.history.editions import parse_record
from release_repo import TODAY, commit_all, edit, git, make_repo

JP_MORNING = "2026-11-01T08:00:00+09:00"  # 2026-10-31 in UTC
REC = "releases/alpha/2.yaml"
REPAIR_FIELD = "公開済みの版は変更できません。git checkout {sha} -- {path} で元に戻し、訂正が必要なら新しい版をリリースしてください。"


@pytest.fixture(autouse=True)
def _utc(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mini in git: baselines alpha 第1版 and beta 第7版, then alpha 第2版 (不利益変更), committed and tagged."""
    from generator.changes.release import release

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIT_AUTHOR_DATE", JP_MORNING)
        mp.setenv("GIT_COMMITTER_DATE", JP_MORNING)
        root = make_repo(tmp_path_factory.mktemp("base"))
        release(root, None, baseline=True, today=TODAY)
        edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
        commit_all(root, "料金改定", date=JP_MORNING)
        release(root, ["alpha"], "2026-12-01", "2027-01-01", "年間利用料金の改定", kind="不利益変更", today=TODAY)
    assert check_records(root) == []
    return root


@pytest.fixture
def repo(base: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(base, tmp_path / "repo", symlinks=True))


def found(root: Path, rerender: bool = False) -> list[tuple]:
    return [(f.location.path, f.location.line, f.location.col, f.code, f.severity, f.message, f.hint)
            for f in check_records(root, rerender)]


def rev(root: Path, name: str = "HEAD") -> str:
    return git(root, "rev-parse", f"{name}^{{commit}}").strip()


def set_fields(root: Path, relpath: str, **fields: object) -> None:
    path = root / relpath
    lines = path.read_text(encoding="utf-8").splitlines()
    for name, value in fields.items():
        text = "null" if value is None else str(value).lower() if isinstance(value, bool) else \
            str(value) if isinstance(value, int) else f'"{value}"'
        lines = [f"{name}: {text}" if line.startswith(f"{name}:") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def line_of(root: Path, relpath: str, name: str) -> int:
    lines = (root / relpath).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"{name}:"))


HAND = "# 手で追記\n"  # a record kiyaku did not write byte for byte is read by the full YAML reader (positions differ)


def forge(root: Path, message: str = "規約改定を記録", date: str = JP_MORNING, hand: bool = False, **fields: object) -> str:
    """Make alpha 第2版's release commit say fields from the start (as if released so), tag moved with it."""
    set_fields(root, REC, **fields)
    if hand:
        (root / REC).write_text((root / REC).read_text(encoding="utf-8") + HAND, encoding="utf-8")
    git(root, "commit", "-q", "-a", "--amend", "-m", message, date=date)
    git(root, "tag", "-f", "-a", "alpha/ed2", "-m", "alpha/ed2", date=date)
    return rev(root)


# --- H043: a record rewritten after its first commit ---

def test_a_rewritten_field_names_the_field_the_first_commit_its_day_in_japan_and_the_repair(repo: Path) -> None:
    first = rev(repo)[:10]
    set_fields(repo, REC, reason="誤記の訂正")
    assert found(repo) == [(REC, line_of(repo, REC, "reason"), 1, "H043", "error",
                            f"リリース記録の reason が最初のコミット {first}（2026-11-01）から書き換えられています: 「年間利用料金の改定」→「誤記の訂正」。",
                            REPAIR_FIELD.format(sha=first, path=REC))]


def test_two_rewritten_fields_are_two_findings_in_the_order_of_the_record(repo: Path) -> None:
    first = rev(repo)[:10]
    set_fields(repo, REC, kind="利益変更", effective="2027-01-02")
    assert [(f[1], f[5]) for f in found(repo)] == [
        (line_of(repo, REC, "effective"), f"リリース記録の effective が最初のコミット {first}（2026-11-01）から書き換えられています: 「2027-01-01」→「2027-01-02」。"),
        (line_of(repo, REC, "kind"), f"リリース記録の kind が最初のコミット {first}（2026-11-01）から書き換えられています: 「不利益変更」→「利益変更」。")]


def test_only_the_layout_changed_is_a_warning_with_the_repair(repo: Path) -> None:
    first = rev(repo)[:10]
    path = repo / REC
    path.write_bytes(path.read_bytes() + "# 追記\n".encode())
    assert found(repo) == [(REC, 1, 1, "H043", "warning", "リリース記録の書式（コメント・空白など）が最初のコミットから書き換えられています。",
                            f"git checkout {first} -- {REC} で元に戻してください。")]


def test_a_first_version_that_no_longer_parses_names_its_commit_and_day(repo: Path) -> None:
    raw = (repo / REC).read_bytes() + HAND.encode()
    record, loaded = parse_record(REC, raw)
    sha = "0123456789abcdef" * 2 + "01234567"
    # 15:00 UTC on 1970-01-01 is already 1970-01-02 in Japan
    got = _records._compare_first(REC, record, loaded, _records._git.FileVersion(REC, sha, 15 * 3600, b"variant: [\n"))
    assert [(f.location.path, f.location.line, f.location.col, f.code, f.severity, f.message, f.hint) for f in got] == [
        (REC, 1, 1, "H043", "error", "リリース記録が最初のコミット 0123456789（1970-01-02）から書き換えられています。",
         f"git checkout 0123456789 -- {REC} で元に戻してください。")]


# --- H041, H052: deleted records and tags without a record ---

def test_deleted_records_are_reported_in_path_order(repo: Path) -> None:
    (repo / REC).unlink()
    (repo / "releases" / "beta" / "7.yaml").unlink()
    assert found(repo) == [(path, 1, 1, "H041", "error", "公開済みのリリース記録が削除されています。",
                            f"git log -- {path} で経緯を確認し、元に戻してください。")
                           for path in (REC, "releases/beta/7.yaml")]


def test_a_record_gone_from_history_is_found_through_its_tag(repo: Path) -> None:
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # history rewritten: the release commit is gone, its tag remains
    assert found(repo) == [(REC, 1, 1, "H041", "error", "公開済みのリリース記録が削除されています。",
                            f"git checkout alpha/ed2 -- {REC} で元に戻してください。")]


def test_a_tag_named_like_an_edition_without_any_record_and_other_tags_ignored(repo: Path) -> None:
    for name in ("alpha/ed5", "v1.0", "alpha/ed", "Alpha/ed6", "alpha/ed6-rc", "alpha/ed7/x", "alpha_x/ed8"):
        git(repo, "tag", "-a", name, "-m", name)
    assert found(repo) == [("releases/alpha/5.yaml", 1, 1, "H052", "error",
                            "タグ alpha/ed5 はありますが、その版のリリース記録がどのコミットにもありません。",
                            "手で付けたタグなら git tag -d alpha/ed5 で削除してください（版は kiyaku release で記録します）。")]


# --- H042, H044, H045, H046: records not committed, their source commit, the notice period ---

def _hand_made(root: Path, edition: int = 3, **fields: object) -> str:
    relpath = f"releases/alpha/{edition}.yaml"
    shutil.copy(root / REC, root / relpath)
    set_fields(root, relpath, **({"edition": edition, "previous_edition": edition - 1, "announced": "2027-01-10",
                                  "effective": "2027-02-10", "source_commit": rev(root)} | fields))
    (root / relpath).write_text((root / relpath).read_text(encoding="utf-8") + HAND, encoding="utf-8")
    return relpath


def test_a_record_not_committed_says_who_makes_records(repo: Path) -> None:
    relpath = _hand_made(repo)
    git(repo, "tag", "-a", "alpha/ed3", "-m", "alpha/ed3")  # its tag is there already: not a tag without a record
    assert found(repo) == [(relpath, 1, 1, "H042", "error", "リリース記録がまだコミットされていません。",
                            f"リリース記録は kiyaku release が作ってコミットします。手で作ったものなら git rm --cached {relpath} をして削除してください。")]


def test_records_after_an_uncommitted_one_are_still_checked(repo: Path, monkeypatch) -> None:
    relpath = _hand_made(repo)
    set_fields(repo, "releases/beta/7.yaml", reason="書き換え")  # sorted after releases/alpha/3.yaml
    assert [(f[0], f[3]) for f in found(repo)] == [(relpath, "H042"), ("releases/beta/7.yaml", "H043")]
    monkeypatch.chdir(repo)  # the library's default root is the current folder
    assert [(f.location.path, f.code) for f in check_records()] == [(relpath, "H042"), ("releases/beta/7.yaml", "H043")]


def test_a_source_commit_missing_from_history(repo: Path) -> None:
    relpath = _hand_made(repo, source_commit="0123456789abcdef" * 2 + "01234567", notice_days=45)
    assert found(repo)[1:] == [(relpath, line_of(repo, relpath, "source_commit"), 1, "H044", "error",
                                "記録されたコミット 0123456789 が履歴にありません。",
                                "履歴が書き換えられた可能性があります。公開済みの版の元になったコミットを消さないでください。")]


@pytest.mark.parametrize("notice_days, effective, earliest", [
    (45, "2027-02-24", "2027-02-25"),  # the record's longer period counts: 2027-01-10 + 45 days → from 02-25
    (20, "2027-02-09", "2027-02-10"),  # the variant's 30 days count even when the record claims 20
])
def test_notice_days_differing_from_the_variant_and_the_period_they_give(repo: Path, notice_days: int, effective: str,
                                                                        earliest: str) -> None:
    relpath = _hand_made(repo, notice_days=notice_days, effective=effective)
    days = max(30, notice_days)
    assert found(repo)[1:] == [
        (relpath, line_of(repo, relpath, "notice_days"), 1, "H046", "error", f"予告期間 {notice_days}日 が販売店の設定（30日）と違います。",
         "variants/alpha.yaml の notice_days と一致させてください。"),
        (relpath, line_of(repo, relpath, "effective"), 1, "H045", "error",
         f"実施日 {effective} は予告期間（{days}日）を満たしていません。告知日 2027-01-10 からは早くても {earliest} です。",
         "第3条第3項の予告期間に反する記録です。経緯を確認してください。")]
    set_fields(repo, relpath, effective=earliest)  # the first day allowed is allowed
    assert [f[3] for f in found(repo)] == ["H042", "H046"]


def test_the_notice_period_set_in_the_variant_at_the_source_commit(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", "edition: 2\n", "edition: 2\nnotice_days: 60  # 社内規程\n")
    source = commit_all(repo, "予告期間を60日に")
    relpath = _hand_made(repo, notice_days=60, effective="2027-03-12", source_commit=source)
    assert [f[3] for f in found(repo)] == ["H042"]  # 60 days from 2027-01-11 end on 03-11: in force from 03-12
    set_fields(repo, relpath, effective="2027-03-11")
    assert [f[3] for f in found(repo)] == ["H042", "H045"]
    set_fields(repo, relpath, notice_days=30, effective="2027-03-12")
    assert [(f[3], f[5]) for f in found(repo)][1:] == [("H046", "予告期間 30日 が販売店の設定（60日）と違います。")]


def test_a_baseline_is_not_held_to_the_notice_period(repo: Path) -> None:
    relpath = _hand_made(repo, kind="基準", previous_edition=None, effective="2027-01-10")
    assert [f[3] for f in found(repo)] == ["H042", "H048"]  # a second baseline breaks the chain, but no H045
    assert relpath in {f[0] for f in found(repo)}


@pytest.mark.parametrize("text, days", [
    (b"notice_days: 60\n", 60),
    (b"notice_days: 45   # \xe7\xa4\xbe\xe5\x86\x85\n", 45),
    (b"", 30),  # not set: the default of the variant model
    (b"notice_days_note: 5\n", 30),  # another key starting with the same word
])
def test_notice_days_read_from_a_variant_file(text: bytes, days: int) -> None:
    assert _records._notice_days_in(b"name: x\n" + text) == days


def test_notice_days_on_an_unusual_line_is_read_by_a_full_load() -> None:
    from conftest import MINI

    raw = (MINI / "variants" / "alpha.yaml").read_bytes()
    assert b"notice_days" not in raw
    assert _records._notice_days_in(raw + b"notice_days:\n  90\n") == 90
    assert _records._notice_days_in(raw + b"notice_days: [\n") is None  # cannot be read: the record's own value counts


# --- H047: rendering the edition again (kiyaku verify) ---

@pytest.mark.parametrize("field", ["text_sha256", "document_sha256"])
def test_a_recorded_hash_the_edition_does_not_give_again(repo: Path, field: str) -> None:
    forge(repo, **{field: "0" * 64})
    assert found(repo) == []  # lint does not render
    assert found(repo, rerender=True) == [(REC, line_of(repo, REC, "text_sha256"), 1, "H047", "error",
                                           "第2版を記録されたコミットから作り直すと、公開時の本文（SHA-256）と一致しません。",
                                           "リリース記録か出力（txt の書き方）が変わっています。公開済みの本文は変えられません。")]


def test_an_edition_that_cannot_be_rendered_again(repo: Path) -> None:
    git(repo, "rm", "-q", "variants/alpha.yaml")
    broken = commit_all(repo, "販売店を消した", date=JP_MORNING)
    git(repo, "checkout", "-q", "HEAD~1", "--", "variants/alpha.yaml")
    commit_all(repo, "戻した", date=JP_MORNING)
    relpath = _hand_made(repo, source_commit=broken)
    got = found(repo, rerender=True)
    assert [f[:5] for f in got] == [(relpath, 1, 1, "H042", "error"), (relpath, line_of(repo, relpath, "source_commit"), 1, "H047", "error")]
    assert got[1][5].startswith("記録された版を作り直せません: ") and "alpha" in got[1][5]
    assert got[1][6] == "記録されたコミットのソースを確認してください。"


# --- H048: the chain of editions ---

def _record(variant: str, edition: int, previous: int | None, kind: str, effective: str) -> bytes:
    return (f'variant: "{variant}"\nedition: {edition}\nprevious_edition: {"null" if previous is None else previous}\n'
            f'announced: "2020-01-01"\neffective: "{effective}"\nnotice_days: 30\nkind: "{kind}"\nservice_change: false\n'
            f'reason: "r"\nsource_commit: "{"a" * 40}"\ntext_sha256: "{"b" * 64}"\ndocument_sha256: "{"c" * 64}"\n').encode()


def _chain(*records: tuple) -> list[tuple]:
    current = {}
    for variant, edition, previous, kind, effective in records:
        relpath = f"releases/{variant}/{edition}.yaml"
        raw = _record(variant, edition, previous, kind, effective)
        current[relpath] = (*parse_record(relpath, raw), raw)
    return [(f.location.path, f.location.line, f.code, f.message, f.hint) for f in _records._check_chain(current)]


BROKEN = "版番号は 1 ずつ増え、実施日は前の版より後でなければなりません。"


def test_a_chain_in_order_per_variant_is_fine_whatever_order_the_files_come_in() -> None:
    assert _chain(("alpha", 2, 1, "利益変更", "2021-01-02"), ("beta", 7, None, "基準", "2021-01-01"),
                  ("alpha", 1, None, "基準", "2021-01-01"), ("alpha", 3, 2, "不利益変更", "2021-01-03")) == []
    assert _chain(("alpha", 1, None, "利益変更", "2021-01-01")) == []  # a first edition without predecessor


@pytest.mark.parametrize("second", [
    ("alpha", 2, 1, "基準", "2021-02-01"),  # a second baseline
    ("alpha", 2, 3, "利益変更", "2021-02-01"),  # names another edition as its predecessor
    ("alpha", 2, None, "利益変更", "2021-02-01"),
    ("alpha", 3, 1, "利益変更", "2021-02-01"),  # skips an edition
    ("alpha", 2, 1, "利益変更", "2021-01-01"),  # in force the same day as the previous edition
    ("alpha", 2, 1, "利益変更", "2020-12-31"),  # before it
])
def test_a_broken_link_names_both_editions(second: tuple) -> None:
    edition = second[1]
    assert _chain(("alpha", 1, None, "基準", "2021-01-01"), second) == [
        (f"releases/alpha/{edition}.yaml", 3, "H048", f"第{edition}版の記録が前の版（第1版）と続いていません。", BROKEN)]


def test_the_day_after_the_previous_edition_is_fine() -> None:
    assert _chain(("alpha", 1, None, "基準", "2021-01-01"), ("alpha", 2, 1, "利益変更", "2021-01-02")) == []


def test_a_first_record_whose_predecessor_is_missing() -> None:
    assert _chain(("alpha", 4, 3, "不利益変更", "2021-01-01")) == [
        ("releases/alpha/4.yaml", 3, "H048", "前の版（第3版）の記録がありません。", "記録を削除しないでください。")]


# --- H049: recorded after the announcement ---

def test_a_record_committed_after_its_announcement_day_in_japan(repo: Path) -> None:
    forge(repo, announced="2026-10-31")
    assert found(repo) == [(REC, line_of(repo, REC, "announced"), 1, "H049", "warning",
                            "リリース記録が告知日（2026-10-31）より後の 2026-11-01 にコミットされています。",
                            "告知日をさかのぼって記録していないか確認してください。")]
    forge(repo, announced="2026-11-01")  # committed on the announcement day (08:00 in Japan)
    assert found(repo) == []


@pytest.mark.parametrize("started, committed, late", [
    ("2026-10-31T23:59:59+09:00", "2026-11-01T05:59:59+09:00", False),  # started the day before, 6 hours to commit
    ("2026-10-31T23:59:59+09:00", "2026-11-01T06:00:00+09:00", True),  # more than 6 hours: the commit's day counts
    ("2026-10-31T23:00:00+09:00", "2026-11-01T00:30:00+09:00", False),
    ("2026-11-01T08:30:00+09:00", "2026-11-01T09:00:00+09:00", True),  # started 11-01 in Japan (10-31 in UTC)
    ("2026-11-01T00:30:00+09:00", "2026-11-01T00:10:00+09:00", True),  # a start after the commit is not believed
    ("2026-10-31T14:59:59+00:00", "2026-11-01T01:00:00+09:00", False),  # a start written in UTC: 10-31 23:59:59 in Japan
])
def test_a_release_counts_for_the_day_it_started(repo: Path, started: str, committed: str, late: bool) -> None:
    forge(repo, f"規約改定を記録\n\nKiyaku-Started: {started}\n", date=committed, announced="2026-10-31")
    assert [(f[3], f[5]) for f in found(repo)] == ([("H049", "リリース記録が告知日（2026-10-31）より後の 2026-11-01 にコミットされています。")]
                                                   if late else [])


def test_a_baseline_is_never_late(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "x", date="2027-05-01T10:00:00+09:00")
    shutil.copytree(repo / "releases" / "beta", repo / "keep")
    git(repo, "rm", "-q", "-r", "releases/beta")
    commit_all(repo, "一時的に消す", date="2027-05-01T10:00:00+09:00")
    shutil.rmtree(repo / "releases" / "beta", ignore_errors=True)
    (repo / "keep").rename(repo / "releases" / "beta")
    commit_all(repo, "戻す", date="2027-05-01T10:00:00+09:00")  # the baseline record added again, long after 2022
    assert all(f[3] != "H049" for f in found(repo))


# --- H050, H051, H044: the tag ---

def test_a_deleted_tag_says_how_to_fetch_or_remake_it(repo: Path) -> None:
    added = forge(repo, hand=True)[:10]
    git(repo, "tag", "-d", "alpha/ed2")
    assert found(repo) == [(REC, 1, 1, "H050", "error", "リリース記録のタグ alpha/ed2 がありません（削除されたか、取得されていません）。",
                            f"git fetch --tags で取得してください。それでもなければ git tag -a alpha/ed2 {added} -m \"alpha/ed2\" で付け直し、"
                            "削除の経緯を確認してください。")]


def test_a_tag_moved_to_an_earlier_commit(repo: Path) -> None:
    added, earlier = forge(repo, hand=True)[:10], rev(repo, "HEAD~1")[:10]
    git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", "HEAD~1")
    assert found(repo) == [(REC, 1, 1, "H051", "error", f"タグ alpha/ed2 が、記録を追加したコミット {added} ではなく {earlier} を指しています。",
                            "タグが動かされた可能性があります。公開された版と照合し（kiyaku verify --against 公開サイト）、"
                            f"正しければ git tag -f -a alpha/ed2 {added} で戻してください。")]


def test_a_tag_on_a_commit_outside_the_history(repo: Path) -> None:
    forge(repo, hand=True)
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "x.txt").write_text("x", encoding="utf-8")
    side = commit_all(repo, "脇道", date=JP_MORNING)
    git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", side)
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-q", "-D", "side")
    got = found(repo)
    assert [f[3] for f in got] == ["H051", "H044"]
    assert got[1] == (REC, 1, 1, "H044", "error", f"タグ alpha/ed2 が指すコミット {side[:10]} が履歴にありません。",
                      "履歴が書き換えられた可能性があります。経緯を確認してください。")


def test_a_tag_moved_to_a_commit_with_another_version_of_the_record(repo: Path) -> None:
    set_fields(repo, REC, reason="書き換え")
    changed = commit_all(repo, "記録を書き換える", date=JP_MORNING)
    set_fields(repo, REC, reason="年間利用料金の改定")
    commit_all(repo, "元に戻す", date=JP_MORNING)
    git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", changed)
    got = found(repo)
    assert [f[3] for f in got] == ["H051", "H043"]
    assert got[1] == (REC, line_of(repo, REC, "reason"), 1, "H043", "error",
                      f"リリース記録の reason がタグ alpha/ed2 の版 {changed[:10]}（2026-11-01）から書き換えられています: 「書き換え」→「年間利用料金の改定」。",
                      REPAIR_FIELD.format(sha=changed[:10], path=REC))


@pytest.mark.parametrize("tag_at", ["tampered", "restored"])
def test_a_tag_on_a_version_equal_to_the_current_or_first_one_is_not_compared_again(repo: Path, tag_at: str) -> None:
    first = rev(repo)[:10]
    set_fields(repo, REC, reason="書き換え")
    tampered = commit_all(repo, "記録を書き換える", date=JP_MORNING)
    if tag_at == "restored":
        set_fields(repo, REC, reason="年間利用料金の改定")
        git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", commit_all(repo, "元に戻す", date=JP_MORNING))
        set_fields(repo, REC, reason="書き換え")  # and rewritten again, not committed
    else:
        git(repo, "tag", "-f", "-a", "alpha/ed2", "-m", "moved", tampered)
    got = found(repo)
    assert [f[3] for f in got] == ["H043", "H051"]
    assert got[0][5] == f"リリース記録の reason が最初のコミット {first}（2026-11-01）から書き換えられています: 「年間利用料金の改定」→「書き換え」。"


# --- H053: one edition recorded twice ---

def test_an_edition_recorded_twice_names_both_commits(repo: Path) -> None:
    first = rev(repo)[:10]
    original = (repo / REC).read_bytes()
    git(repo, "rm", "-q", REC)
    commit_all(repo, "消す", date=JP_MORNING)
    (repo / REC).write_bytes(original + HAND.encode())
    set_fields(repo, REC, reason="別の理由")
    second = commit_all(repo, "別の記録", date="2026-12-05T10:00:00+09:00")[:10]  # after the announcement
    got = found(repo)
    assert [f[3] for f in got] == ["H043", "H053"]  # compared with the first one; committed on time by the first one
    assert got[0][5] == f"リリース記録の reason が最初のコミット {first}（2026-11-01）から書き換えられています: 「年間利用料金の改定」→「別の理由」。"
    assert got[1] == (REC, 1, 1, "H053", "error", f"同じ版の記録が別々のコミット（{first}、{second}）で作られています（2 か所でリリースしてマージした）。",
                      f"git log --all -- {REC} でどちらが公開された版か確かめ、もう一方の変更は新しい版としてリリースし直してください。")


def test_the_same_record_added_again_is_one_record(repo: Path) -> None:
    original = (repo / REC).read_bytes()
    git(repo, "rm", "-q", REC)
    commit_all(repo, "消す", date=JP_MORNING)
    (repo / REC).write_bytes(original)
    commit_all(repo, "戻す", date=JP_MORNING)
    assert found(repo) == []


# --- H039, H040, H065 and unreadable records ---

def test_a_shallow_clone_still_checks_the_chain(repo: Path, tmp_path: Path) -> None:
    set_fields(repo, REC, previous_edition=7)
    commit_all(repo, "鎖を切る", date=JP_MORNING)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    assert found(shallow) == [
        ("releases", 1, 1, "H039", "error", "浅いクローン（shallow clone）のため、リリース記録を git の履歴と照合できません。",
         "git fetch --unshallow を実行してください（CI では履歴をすべて取得する設定にします。例: fetch-depth: 0）。"),
        (REC, line_of(repo, REC, "previous_edition"), 1, "H048", "error", "第2版の記録が前の版（第1版）と続いていません。", BROKEN)]


def test_outside_git_records_cannot_be_checked(repo: Path, tmp_path: Path) -> None:
    outside = Path(shutil.copytree(repo, tmp_path / "outside", ignore=shutil.ignore_patterns(".git")))
    assert found(outside) == [("releases", 1, 1, "H040", "warning", "git リポジトリの外では、リリース記録を履歴と照合できません。",
                               "git で管理されたフォルダで kiyaku lint を実行してください。")]


def test_a_shallow_clone_without_records_has_nothing_to_say(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q", "-b", "main")
    (plain / "README.md").write_text("x\n", encoding="utf-8")
    git(plain, "add", "-A")
    git(plain, "-c", "user.name=x", "-c", "user.email=x@example.jp", "commit", "-q", "-m", "x")
    git(plain, "-c", "user.name=x", "-c", "user.email=x@example.jp", "commit", "-q", "--allow-empty", "-m", "y")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{plain}", str(tmp_path / "shallow"))
    assert found(tmp_path / "shallow") == []  # shallow, but nothing to vouch for


def test_unreadable_records_are_reported_where_they_are_and_the_others_still_checked(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_bytes((repo / REC).read_bytes())
    (repo / "releases" / "alpha" / "8.yaml").symlink_to(outside)  # a record pointing out of the repository
    (repo / "releases" / "alpha" / "9.yaml").write_bytes(b"#" * (2 * 1024 * 1024 + 1))  # over the 2 MB of a YAML source
    (repo / "releases" / "alpha" / "notes.txt").write_text("メモ", encoding="utf-8")  # not a record
    set_fields(repo, "releases/beta/7.yaml", reason="書き換え")
    got = found(repo)
    assert got[:2] == [
        ("releases/alpha/8.yaml", 1, 1, "F010", "error", "ファイルがリポジトリの外を指しています（絶対パス、「..」またはシンボリックリンク）。",
         "リポジトリの中のファイルを指定し、外を指すシンボリックリンクは実体のファイルに置き換えてください。"),
        ("releases/alpha/9.yaml", 1, 1, "Y001", "error", "リリース記録が大きすぎます（2,097,153 バイト以上、上限 2,097,152 バイト）。",
         "誤って別のファイルを指定していないか確認してください。")]
    assert [(f[0], f[3]) for f in got[2:]] == [("releases/beta/7.yaml", "H043")]


def _journal(root: Path, tags: list[str]) -> None:
    path = root / ".kiyaku" / "release-journal.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"version": 1, "old_head": rev(root), "branch": "main", "message": "m",
                                "tags": [[t, t] for t in tags], "commit": None, "changes": []}), encoding="utf-8")


def test_an_interrupted_release_names_the_repair_instead_of_its_missing_tags(repo: Path) -> None:
    git(repo, "tag", "-d", "alpha/ed2")
    relpath = _hand_made(repo)
    git(repo, "tag", "-a", "alpha/ed4", "-m", "x")  # a tag of the same interrupted release, no record yet
    _journal(repo, ["alpha/ed2", "alpha/ed3", "alpha/ed4"])
    resume = "kiyaku release --resume で最後まで行うか、kiyaku release --abort で取り消してください。"
    assert found(repo) == [(".kiyaku/release-journal.json", 1, 1, "H065", "error", "リリース（alpha/ed2、alpha/ed3、alpha/ed4）が途中で止まっています。", resume),
                           (relpath, 1, 1, "H042", "error", "リリース記録がまだコミットされていません。", resume)]


def test_an_unreadable_journal_does_not_hide_missing_tags(repo: Path) -> None:
    git(repo, "tag", "-d", "alpha/ed2")
    path = repo / ".kiyaku" / "release-journal.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"tags": [["alpha/ed2", "x"]]}), encoding="utf-8")
    assert [f[3] for f in found(repo)] == ["H066", "H050"]
