"""The release-record checks (generator/history/_records.py), field by field and finding by finding.

Why a table over every field: a record is evidence of what customers were told. A check that
skips one field (e.g. kind: 不利益変更 → 利益変更) lets that field be rewritten silently, so each
field of ReleaseRecord — read from the model, so a field added later is covered too — is
tampered with on its own and must give exactly one H043 error naming it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.history import _records, editions as history
from generator.history.editions import ReleaseRecord
from generator.changes.release import check_records, release
from release_repo import TODAY, commit_all, edit, git, make_repo

FIELDS = tuple(ReleaseRecord.model_fields)
PATH_FIELDS = ("variant", "edition")  # releases/<variant>/<edition>.yaml


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mini in git: baselines (alpha 第1版, beta 第7版) and alpha 第2版 (不利益変更), all committed and tagged."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIT_AUTHOR_DATE", "2026-11-01T10:00:00+09:00")
        mp.setenv("GIT_COMMITTER_DATE", "2026-11-01T10:00:00+09:00")
        root = make_repo(tmp_path_factory.mktemp("records"))
        release(root, None, baseline=True, today=TODAY)
        edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
        commit_all(root, "料金改定")
        release(root, ["alpha"], "2026-12-01", "2027-01-01", "年間利用料金の改定", kind="不利益変更", today=TODAY)
    assert check_records(root) == []
    return root


def _other_value(name: str, value: object) -> object:
    """A different value of the same type that still passes the record's schema."""
    if name == "variant":
        return "beta"
    if name == "kind":
        return "利益変更" if value != "利益変更" else "不利益変更"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return 1
    assert isinstance(value, str), f"{name}: add a tampered value for this type"
    if len(value) == 10 and value[4] == "-":
        return (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()
    if value and all(c in "0123456789abcdef" for c in value):
        return ("0" if value[0] != "0" else "1") + value[1:]
    return value + "（改）"


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_of_a_record_is_checked_against_its_first_commit(released: Path, name: str) -> None:
    path = released / "releases" / "alpha" / "2.yaml"
    original = path.read_bytes()
    record, _ = history.parse_record("releases/alpha/2.yaml", original)
    old = getattr(record, name)
    new = _other_value(name, old)
    lines = original.decode().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    lines[index] = f"{name}: {_yaml_scalar(new)}\n"
    try:
        path.write_text("".join(lines), encoding="utf-8")
        errors = [f for f in check_records(released) if f.severity == "error"]
        tampered = [f for f in errors if f.code == "H043"]
    finally:
        path.write_bytes(original)
    if name in PATH_FIELDS:  # the file name states them: a rewrite no longer matches it
        assert [f.code for f in errors] == ["H003"] and errors[0].location.path == "releases/alpha/2.yaml"
        return
    assert len(tampered) == 1, [f.format() for f in tampered]
    [finding] = tampered
    assert finding.severity == "error"
    assert f" {name} " in finding.message and str(old) in finding.message and str(new) in finding.message
    assert finding.location.line == index + 1  # points at the tampered line
    first = git(released, "log", "--diff-filter=A", "--format=%H", "--", "releases/alpha/2.yaml").strip()
    # says since when and from which commit, and how to restore it
    assert f"最初のコミット {first[:10]}（2026-11-01）から書き換えられています: 「{old}」→「{new}」。" in finding.message
    assert finding.hint.startswith(f"公開済みの版は変更できません。git checkout {first[:10]} -- releases/alpha/2.yaml で元に戻し、")


def test_only_comments_changed_is_a_warning_not_silence(released: Path) -> None:
    path = released / "releases" / "alpha" / "2.yaml"
    original = path.read_bytes()
    try:
        path.write_bytes(original + "# 追記\n".encode())
        found = [f for f in check_records(released) if f.code == "H043"]
    finally:
        path.write_bytes(original)
    assert [f.severity for f in found] == ["warning"]


def test_a_record_that_cannot_be_parsed_any_more_is_reported(released: Path) -> None:
    # the first commit is the broken one here: its record no longer parses
    path = released / "releases" / "alpha" / "2.yaml"
    first = path.read_bytes()
    found = _records._compare_first("releases/alpha/2.yaml", history.parse_record("releases/alpha/2.yaml", first)[0],
                                    history.parse_record("releases/alpha/2.yaml", first)[1],
                                    _records._git.FileVersion("releases/alpha/2.yaml", "f" * 40, 0, b"variant: [\n"))
    assert [f.code for f in found] == ["H043"] and "ffffffffff" in found[0].message


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-01T10:00:00+09:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-01T10:00:00+09:00")
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    return root


def test_a_record_not_yet_committed_is_an_error(repo: Path) -> None:
    # an error since issue 19: a staged or untracked record is a half-done release
    shutil.copy(repo / "releases" / "alpha" / "1.yaml", repo / "releases" / "alpha" / "2.yaml")
    _rewrite(repo, "releases/alpha/2.yaml", edition=2, previous_edition=1)
    found = {f.code: f for f in check_records(repo) if f.location.path == "releases/alpha/2.yaml"}
    assert found["H042"].severity == "error"


def test_records_outside_git_cannot_be_checked(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "copy"
    shutil.copytree(repo, outside, ignore=shutil.ignore_patterns(".git"))
    found = check_records(outside)
    assert [(f.code, f.severity) for f in found] == [("H040", "warning")]
    shutil.rmtree(outside / "releases")
    assert check_records(outside) == []  # nothing to check: nothing to say


def _rewrite(root: Path, relpath: str, **fields: object) -> None:
    path = root / relpath
    lines = path.read_text(encoding="utf-8").splitlines()
    for name, value in fields.items():
        lines = [f"{name}: {_yaml_scalar(value)}" if line.startswith(f"{name}:") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_notice_days_must_match_the_variant_setting(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(repo, "料金改定")
    release(repo, ["alpha"], "2026-12-01", "2027-01-15", "改定", today=TODAY)
    # the variant said 30 days when released; a record claiming 45 is not what customers got
    _rewrite(repo, "releases/alpha/2.yaml", notice_days=45)
    commit_all(repo, "記録を書き直す")
    found = {f.code: f for f in check_records(repo)}
    assert "H046" in found and "45日" in found["H046"].message and "30日" in found["H046"].message
    assert "H045" in found  # 2026-12-01 + 45 days is later than 2027-01-15


@pytest.mark.parametrize("change, why", [
    ({"edition": 3}, "an edition number skipped"),
    ({"previous_edition": 7}, "points at an edition that is not the one before"),
    ({"announced": "2022-07-01", "effective": "2022-07-25"}, "takes effect on the day of the previous edition"),
])
def test_a_broken_chain_of_editions_is_reported(repo: Path, change: dict, why: str) -> None:
    record = (repo / "releases" / "alpha" / "1.yaml").read_text(encoding="utf-8")
    sha = git(repo, "rev-parse", "HEAD").strip()
    forged = {"edition": 2, "previous_edition": 1, "kind": "不利益変更", "announced": "2026-11-01",
              "effective": "2026-12-15", "reason": "手書き", "source_commit": sha} | change
    edition = forged["edition"]
    (repo / "releases" / "alpha" / f"{edition}.yaml").write_text(record, encoding="utf-8")
    _rewrite(repo, f"releases/alpha/{edition}.yaml", **forged)
    commit_all(repo, "手書きの記録")
    found = [f for f in check_records(repo) if f.code == "H048"]
    assert len(found) == 1, why
    assert found[0].location.path == f"releases/alpha/{edition}.yaml"


def test_the_first_record_must_be_a_baseline_or_have_its_predecessor(repo: Path) -> None:
    (repo / "releases" / "alpha" / "1.yaml").unlink()
    git(repo, "tag", "-d", "alpha/ed1")
    sha = git(repo, "rev-parse", "HEAD").strip()
    record = (repo / "releases" / "beta" / "7.yaml").read_text(encoding="utf-8")
    (repo / "releases" / "alpha").mkdir(exist_ok=True)
    (repo / "releases" / "alpha" / "2.yaml").write_text(record, encoding="utf-8")
    _rewrite(repo, "releases/alpha/2.yaml", variant="alpha", edition=2, previous_edition=1, kind="利益変更",
             announced="2026-11-01", effective="2026-12-15", source_commit=sha)
    commit_all(repo, "第1版の記録を消して第2版を置く")
    found = {f.code: f for f in check_records(repo)}
    assert "H048" in found and "第1版" in found["H048"].message
    assert "H041" in found  # and the deleted first record is reported


def test_a_record_committed_after_its_announcement_is_a_warning(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(repo, "料金改定")
    sha = git(repo, "rev-parse", "HEAD").strip()
    record = (repo / "releases" / "alpha" / "1.yaml").read_text(encoding="utf-8")
    (repo / "releases" / "alpha" / "2.yaml").write_text(record, encoding="utf-8")
    _rewrite(repo, "releases/alpha/2.yaml", edition=2, previous_edition=1, kind="不利益変更",
             announced="2026-10-01", effective="2026-12-01", source_commit=sha)
    commit_all(repo, "さかのぼった記録", date="2026-11-20T10:00:00+09:00")
    found = {f.code: f for f in check_records(repo)}
    assert found["H049"].severity == "warning" and "2026-11-20" in found["H049"].message
