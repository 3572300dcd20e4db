"""Onboarding a reseller (issue 12): `kiyaku new`, typed fees that change everywhere at once,
and a reseller without a release shown as a draft on the site.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from conftest import REPO, copy_project, run_cli

NEW = "variants/fukuyama-cci.yaml"


def fill_todos(text: str) -> str:
    """What the guide at the top of the new file asks: every 「TODO: 」 value replaced by this reseller's."""
    values = {"self": "本所", "member_scope": "福山商工会議所", "member_fee": "79200", "non_member_fee": "99000",
              "install": "設置", "installation_fee": "18700"}
    for key, value in values.items():
        text, count = re.subn(rf'^(\s*{key}): "TODO: [^"]*"', rf"\1: {value}", text, count=1, flags=re.M)
        assert count == 1, key
    table = ("          columns: [作業, 料金]\n"
             "          rows:\n"
             "            - [1回の訪問・設置・除去（UTM 1台あたり）, '{installation_fee}円（税込）および交通費実費']\n")
    text, count = re.subn(r"^          missing: 'TODO: [^\n]*\n", table, text, count=1, flags=re.M)
    assert count == 1
    assert "TODO" not in text.split("id: fukuyama-cci", 1)[1]
    return text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_project(REPO, tmp_path / "repo")


def test_new_like_hiroshima_filled_as_the_guide_says_lints_clean_and_builds_every_format(repo: Path) -> None:
    result = run_cli("new", "fukuyama-cci", "--like", "hiroshima-cci", "--name", "福山商工会議所", "--root", str(repo))
    assert result.code == 0, result.stderr
    path = repo / NEW
    written = path.read_text(encoding="utf-8")
    assert written.startswith("# 福山商工会議所（fukuyama-cci）の規約ファイルです。")
    assert "\noverrides:" not in written  # the model's overrides reproduce the model's own document

    before = run_cli("lint", "--root", str(repo))
    assert before.code == 1
    todo = [line for line in before.stdout.splitlines() if line.startswith(NEW) and " P014 " in line]
    assert len(todo) == 7, before.stdout  # self, five parameters, the appendix table

    path.write_text(fill_todos(written), encoding="utf-8")
    after = run_cli("lint", "--root", str(repo))
    assert after.code == 0, after.stdout + after.stderr
    assert not [line for line in after.stdout.splitlines() if line.startswith(NEW)], after.stdout

    out = repo / "out"
    built = run_cli("build", "fukuyama-cci", "--root", str(repo), "--out", str(out))
    assert built.code == 0, built.stderr
    files = sorted(p.name for p in (out / "fukuyama-cci").iterdir())
    for ext in ("txt", "md", "html", "docx", "pdf"):
        assert f"fukuyama-cci.{ext}" in files
    text = (out / "fukuyama-cci" / "fukuyama-cci.txt").read_text(encoding="utf-8")
    assert "福山商工会議所扱い「商工会議所サイバーセキュリティお助け隊サービス」" in text  # {name} in the appendix title
    assert "福山商工会議所の会員事業者は年間79,200円" in text
    assert "18,700円（税込）および交通費実費" in text and "広島" not in text
    pdf = subprocess.run(["pdftotext", "-layout", str(out / "fukuyama-cci" / "fukuyama-cci.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "福山商工会議所" in pdf and "18,700" in pdf


def test_new_dry_run_prints_and_writes_nothing(repo: Path) -> None:
    result = run_cli("new", "fukuyama-cci", "--like", "itsupport-joto", "--name", "福山商工会議所", "--root", str(repo), "--dry-run")
    assert result.code == 0, result.stderr
    assert "id: fukuyama-cci" in result.stdout and 'member_fee: "TODO: 79200"' in result.stdout
    assert "it_subsidy: true" in result.stdout  # the options of the model reseller
    assert not (repo / NEW).exists()


def test_new_refuses_an_existing_variant_and_suggests_the_model(repo: Path) -> None:
    result = run_cli("new", "hiroshima-cci", "--like", "itsupport-joto", "--name", "x", "--root", str(repo))
    assert result.code == 1 and "N001" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("new", "fukuyama-cci", "--like", "hiroshma-cci", "--name", "福山商工会議所", "--root", str(repo))
    assert result.code == 1 and "N002" in result.stderr and "「hiroshima-cci」の書き間違いではありませんか？" in result.stderr
    assert not (repo / NEW).exists()
    result = run_cli("new", "fukuyama-cci", "--like", "hiroshima-cci", "--root", str(repo))
    assert result.code == 2 and "次の引数が必要です: --name" in result.stderr


def test_one_yen_parameter_changes_the_clause_the_appendix_table_and_the_notice(tmp_path: Path, monkeypatch) -> None:
    from release_repo import TODAY, commit_all, edit, fixed_git_dates, make_repo

    from generator.changes.notice import make_notice
    from generator.changes.release import release

    fixed_git_dates(monkeypatch)
    root = make_repo(tmp_path, REPO)
    # hiroshima installs itself and lists the fee in its appendix table, written once as {installation_fee}
    edit(root, "variants/hiroshima-cci.yaml", "  self_installation: false", "  self_installation: true")
    edit(root, "variants/hiroshima-cci.yaml", "          missing: 原本（第1版）では「以下の通りとする。」の後の料金表が欠落。本所から入手して記入すること（金額は推測で補わない）。",
         "          columns: [作業, 料金]\n          rows:\n            - [訪問設置（UTM 1台あたり）, '{installation_fee}円（税込）']")
    commit_all(root, "設置料金の表")
    release(root, None, baseline=True, today=TODAY)
    edit(root, "variants/hiroshima-cci.yaml", "installation_fee: 16500", "installation_fee: 18700")
    commit_all(root, "設置料金の改定")
    release(root, ["hiroshima-cci"], "2026-12-01", "2027-01-01", "設置料金の改定", today=TODAY)

    text = run_cli("render", "hiroshima-cci", "--root", str(root)).stdout
    assert "UTM1台あたり税込18,700円" in text  # clause text (第5条)
    assert "訪問設置（UTM 1台あたり）" in text and "18,700円（税込）" in text  # appendix table
    assert "16,500円（税込）" not in text and "税込16,500円" not in text
    notice = make_notice(root, "hiroshima-cci")
    changed_new = [p.text for row in notice.rows for p in row.new if p.changed]
    changed_old = [p.text for row in notice.rows for p in row.old if p.changed]
    labels = [row.new_label for row in notice.rows]
    assert any(label.startswith("別紙") for label in labels), labels
    assert any(label.startswith("第5条") for label in labels), labels
    assert all("18,700" in t for t in changed_new) and all("16,500" in t for t in changed_old), (changed_new, changed_old)


def test_types_of_the_shipped_parameters_are_declared_and_exposed() -> None:
    from generator.compile import params
    from generator.compile.pipeline import load

    project = load(REPO)
    assert sorted(params.of_type(project.document, "yen")) == ["installation_fee", "member_fee", "non_member_fee"]
    for variant in project.variants.values():
        for name in params.of_type(project.document, "yen"):
            assert isinstance(variant.params[name], int)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["{:,}円", "{:,}", "{}円", "{:,}円（税込）"]), st.booleans())
def test_a_decorated_fee_is_refused_with_the_plain_integer(amount: int, shape: str, wide: bool) -> None:
    from generator.compile import params
    from generator.source.model import ParameterDecl

    written = shape.format(amount)
    if wide:
        written = written.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,"})
    problem = params.check("fee", ParameterDecl(description="料金", type="yen"), written)
    assert problem is not None and problem.code == "P010"
    assert f"fee: {amount} と書いてください" in problem.hint
    assert params.check("fee", ParameterDecl(description="料金", type="yen"), amount) is None
    assert params.render(ParameterDecl(description="料金", type="yen"), amount) == f"{amount:,}"


def test_a_reseller_without_a_release_record_is_a_draft_on_the_site(tmp_path: Path) -> None:
    from site_fixtures import SITE_CONFIG, SOURCES, mkdocs_build

    for name in SOURCES + SITE_CONFIG:
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    assert run_cli("new", "fukuyama-cci", "--like", "hiroshima-cci", "--name", "福山商工会議所", "--root", str(tmp_path)).code == 0
    (tmp_path / NEW).write_text(fill_todos((tmp_path / NEW).read_text(encoding="utf-8")), encoding="utf-8")
    result = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    row = re.search(r"<li [^>]*><a [^>]*>福山商工会議所</a>(.*?)</li>", home, re.S)
    assert row, home
    assert "未公開" in row.group(1) and "下書き" in row.group(1) and "第1版" not in row.group(1)
    assert "リリース記録なし" not in home
    page = next(p for p in (tmp_path / "site").rglob("index.html") if "fukuyama-cci" in p.parent.name)
    assert "未公開（下書き）" in page.read_text(encoding="utf-8")


def test_today_default_is_a_real_date() -> None:
    from generator.importing.scaffold import new_variant

    with pytest.raises(Exception):
        new_variant(REPO, "Bad_Id", "hiroshima-cci", "x", dry_run=True)
    result = new_variant(REPO, "fukuyama-cci", "hiroshima-cci", "福山商工会議所", dry_run=True, today=dt.date(2027, 2, 28))
    assert 'issued: "2027-02-28"' in result.text and not result.written


def test_option_table_in_the_docs_is_generated_from_document_yaml() -> None:
    from generator.compile.pipeline import load
    from generator.compile.options_doc import rewrite

    docs = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    assert rewrite(docs, load(REPO).document) == docs, "run: python -m generator.compile.options_doc"
    for name in load(REPO).document.options:
        assert f"| `{name}` |" in docs


def test_the_complete_example_in_the_docs_lints_clean(repo: Path) -> None:
    docs = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    example = docs.split("<!-- example:start -->\n```yaml\n", 1)[1].split("```\n<!-- example:end -->", 1)[0]
    (repo / NEW).write_text(example, encoding="utf-8")
    result = run_cli("lint", "--root", str(repo))
    assert result.code == 0, result.stdout + result.stderr
    assert not [line for line in result.stdout.splitlines() if line.startswith(NEW)], result.stdout
    built = run_cli("render", "fukuyama-cci", "--root", str(repo))
    assert built.code == 0 and "UTM1台あたり税込18,700円" in built.stdout


def test_option_declarations_are_checked(repo: Path) -> None:
    path = repo / "terms" / "document.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    switches: [fees.amount]", "    switches: [fees.amont]").replace("      - param: installation_fee", "      - param: installation_fe")
    path.write_text(text, encoding="utf-8")
    result = run_cli("lint", "--root", str(repo))
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "L010" in result.stdout and "「fees.amount」の書き間違いではありませんか？" in result.stdout
    assert "「installation_fee」の書き間違いではありませんか？" in result.stdout
