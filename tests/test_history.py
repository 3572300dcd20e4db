"""Time travel: what was in force on a date, read from git without a checkout."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import MINI
from generator.source import _git
from generator import cli
from generator.history import editions as history
from generator.source.errors import ReleaseError
from generator.source.load import load_project
from generator.changes.release import release
from release_repo import TODAY, child_git_processes, commit_all, edit, fixed_git_dates, git, make_repo


@pytest.fixture
def released(tmp_path: Path, monkeypatch) -> Path:
    """alpha: 第1版 (79,200円, baseline), 第2版 (88,000円) announced 2026-12-01, effective 2027-01-01."""
    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path)
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(root, "料金改定")
    release(root, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
    return root


def fee(doc) -> str:
    return doc.article("fees").paragraphs[0].blocks[0]


def test_the_day_before_and_the_day_of_the_effective_date(released: Path) -> None:
    before = history.document_at(released, "alpha", at="2026-12-31")
    on = history.document_at(released, "alpha", at=dt.date(2027, 1, 1))
    assert "79,200" in fee(before) and before.edition == 1
    assert "88,000" in fee(on) and on.edition == 2
    # the edition's dates come from its record: cover = announcement date, 附則 = effective date
    assert on.issued == dt.date(2026, 12, 1) and on.effective == dt.date(2027, 1, 1)
    assert on.supplementary == ("この規約は、2027年1月1日から実施します。",)
    assert history.document_at(released, "alpha", edition=1) == before


def test_render_at_on_the_command_line(released: Path, capsys) -> None:
    assert cli.main(["render", "alpha", "--at", "2026-12-31", "--root", str(released)]) == 0
    assert "79,200" in capsys.readouterr().out
    assert cli.main(["render", "alpha", "--at", "2027-01-01", "--root", str(released)]) == 0
    out = capsys.readouterr().out
    assert "88,000" in out and "令和8年（2026年）12月1日 第2版" in out
    assert cli.main(["render", "alpha", "--edition", "1", "--format", "html", "--root", str(released)]) == 0
    assert "79,200" in capsys.readouterr().out


def test_history_is_read_from_git_while_the_working_tree_has_other_edits(released: Path) -> None:
    edit(released, "variants/alpha.yaml", '"88,000"', '"99,999"')
    (released / "terms" / "fees.yaml").write_text("壊れた: [", encoding="utf-8")  # the working tree does not even load
    assert "88,000" in fee(history.document_at(released, "alpha", at="2027-06-01"))
    assert "79,200" in fee(history.document_at(released, "alpha", edition=1))


def test_a_commit_tree_is_a_source_tree(released: Path) -> None:
    first = git(released, "rev-list", "--max-parents=0", "HEAD").strip()
    tree = _git.commit_tree(released, first)
    assert tree is not None and tree.sha == first
    assert "fees.yaml" in tree.list("terms") and tree.read("terms/nope.yaml") is None
    project = load_project(tree)
    assert project.variants["alpha"].params["member_fee"] == "79,200"
    assert _git.commit_tree(released, "no-such-branch") is None


def test_sources_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    shutil.copytree(MINI, mono / "legal")
    git(mono, "init", "-q", "-b", "main")
    git(mono, "config", "user.name", "t")
    git(mono, "config", "user.email", "t@example.jp")
    commit_all(mono, "sources in a subfolder")
    tree = _git.commit_tree(mono / "legal", "HEAD")
    assert tree is not None and "alpha.yaml" in tree.list("variants")
    assert load_project(tree).variants["beta"].edition == 7


def test_unknown_editions_dates_and_variants_are_refused(released: Path) -> None:
    with pytest.raises(ReleaseError) as info:
        history.document_at(released, "alpha", edition=9)
    assert info.value.findings[0].code == "H007" and "第1版、第2版" in info.value.findings[0].hint
    with pytest.raises(ReleaseError) as info:
        history.document_at(released, "alpha", at="2022-07-24")
    assert info.value.findings[0].code == "H008"
    with pytest.raises(ReleaseError) as info:
        history.document_at(released, "gamma", at="2027-01-01")
    assert info.value.findings[0].code == "H006"
    with pytest.raises(ReleaseError) as info:
        history.document_at(released, "alpha", at="2027-02-30")
    assert info.value.findings[0].code == "H001"


def test_diff_between_refs_on_the_command_line(released: Path, capfd) -> None:
    edit(released, "terms/purpose.yaml", "条件を定めます", "条件と手続を定めます")
    assert cli.main(["diff", "alpha", "--from", "ed1", "--to", "ed2", "--root", str(released)]) == 0
    out = capfd.readouterr().out
    assert "[-79,200-]{+88,000+}" in out and "第1条" not in out
    assert cli.main(["diff", "alpha", "--from", "ed2", "--root", str(released)]) == 0  # to the working tree
    assert "条件{+と手続+}を定めます" in capfd.readouterr().out
    assert cli.main(["diff", "alpha", "--from", "HEAD~2", "--to", "HEAD", "--root", str(released)]) == 0
    assert "88,000" in capfd.readouterr().out
    assert cli.main(["diff", "alpha", "--from", "nope", "--root", str(released)]) == 1
    with pytest.raises(ReleaseError) as info:
        history.document_for_ref(released, "alpha", "nope")
    assert info.value.findings[0].code == "H004"


def test_no_git_process_is_left_behind(released: Path) -> None:
    for _ in range(20):
        history.document_at(released, "alpha", at="2027-01-01")
        _git.first_versions(released, "releases")
        _git.tags(released)
    assert child_git_processes() == []
