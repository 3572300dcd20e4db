"""Every finding code has an input that produces it (issue 18): the ones no other test reaches.

Source-file codes live in the bad-input corpus (tests/test_bad_input.py); this file holds the
codes of the command line, the release machinery, imports, outputs and the renderers. Each test
produces its code through the real entry point (the CLI in a new process where a user would meet
it) and checks the finding's place and its hint, as a user reads them.

conftest.py records every code produced during a full run and fails the run when a code of the
catalogue (tests/finding_codes.py, read from generator/) is produced by no test and not marked
internal there with a reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import finding_codes
from conftest import MINI, copy_project, run_cli
from generator.history import editions as history
from generator.source.errors import KiyakuError, ReleaseError
from generator.lint.checks import lint
from generator.changes.release import check_records, release
from release_repo import TODAY, commit_all, edit, git, released_repo


def test_the_catalogue_is_read_from_the_code() -> None:
    codes = finding_codes.catalogue()
    assert len(codes) >= 100 and {"H043", "T001", "PR013", "Y000"} <= set(codes)
    assert all(place.startswith("generator/") for places in codes.values() for place in places)
    for code, reason in finding_codes.INTERNAL.items():
        assert code in codes, f"{code} is marked internal but no longer exists"
        assert len(reason) > 20, f"{code}: say why no user input can produce it"


def test_printed_findings_are_recognised() -> None:
    text = "terms/fees.yaml:10:11: PR002 手書きの参照\n    → hint\nreleases/a/1.yaml:1:1: H043 x\n"
    assert finding_codes.PRINTED.findall(text) == ["PR002", "H043"]


def _cli_finding(run, code: str, where: str) -> None:
    assert run.code == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    out = run.stdout + run.stderr
    assert any(line.startswith(where) and f" {code} " in line for line in out.splitlines()), out
    assert "\n    → " in out  # every finding says what to do


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return copy_project(MINI, tmp_path / "mini")


# --- the command line ----------------------------------------------------------------------------

def test_c002_unknown_variant(mini: Path) -> None:
    _cli_finding(run_cli("render", "gamma", "--root", str(mini)), "C002", "variants/")


def test_c003_unknown_format(mini: Path) -> None:
    _cli_finding(run_cli("build", "--root", str(mini), "--format", "xls"), "C003", "<コマンドライン>")
    assert not (mini / "rendered").exists()


def test_c004_compare_with_a_file_that_is_not_utf8(mini: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("第1条 r\xe9sum\xe9".encode("utf-8")[:4] + b"\xff\xfe")
    _cli_finding(run_cli("compare", "alpha", str(latin), "--root", str(mini)), "C004", str(latin))


def test_f001_compare_with_a_missing_file(mini: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"  # through the file boundary: the same finding as a missing source
    _cli_finding(run_cli("compare", "alpha", str(missing), "--root", str(mini)), "F001", str(missing))


def test_c005_release_needs_variants_or_all(mini: Path) -> None:
    run = run_cli("release", "--announce", "2026-12-01", "--effective", "2027-01-01", "--reason", "r", "--root", str(mini))
    _cli_finding(run, "C005", "<コマンドライン>")


def test_f001_a_missing_source_file(mini: Path) -> None:
    (mini / "terms" / "document.yaml").unlink()
    _cli_finding(run_cli("lint", "--root", str(mini)), "F001", "terms/document.yaml")


def test_f002_not_a_terms_repository(tmp_path: Path) -> None:
    _cli_finding(run_cli("lint", "--root", str(tmp_path)), "F002", str(tmp_path))


def test_y000_an_unreadable_file(mini: Path) -> None:
    from generator.source._yaml import load_yaml

    with pytest.raises(KiyakuError) as info:
        load_yaml(mini / "terms" / "nothing.yaml")
    assert [f.code for f in info.value.findings] == ["Y000"]


def test_y012_nesting_too_deep(mini: Path) -> None:
    (mini / "terms" / "fees.yaml").write_text("id: fees\ncaption: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    _cli_finding(run_cli("lint", "--root", str(mini)), "Y012", "terms/fees.yaml")


def test_pr013_wave_dash_is_a_warning(mini: Path) -> None:
    edit(mini, "terms/fees.yaml", "料金を返金しません。", "料金〜返金しません。")
    found = [f for f in lint(mini) if f.code == "PR013"]
    assert [(f.severity, f.location.path) for f in found] == [("warning", "terms/fees.yaml")]


# --- outputs -------------------------------------------------------------------------------------

def test_o001_verify_without_a_build(mini: Path) -> None:
    _cli_finding(run_cli("verify", "--root", str(mini)), "O001", str(mini / "rendered"))


def test_o002_o003_o004_verify_reports_missing_and_foreign_files(mini: Path) -> None:
    assert run_cli("build", "--root", str(mini), "--format", "txt").code == 0
    (mini / "rendered" / "alpha" / "alpha.txt").unlink()
    (mini / "rendered" / "beta" / "manifest.json").unlink()
    shutil.copytree(mini / "rendered" / "alpha", mini / "rendered" / "gamma")
    run = run_cli("verify", "--root", str(mini))
    assert run.code == 1 and "Traceback" not in run.stderr
    out = run.stdout + run.stderr
    for code, place in (("O004", "alpha/alpha.txt"), ("O002", "beta/manifest.json"), ("O003", "rendered/gamma")):
        assert any(f" {code} " in line and place in line for line in out.splitlines()), (code, out)


# --- imports -------------------------------------------------------------------------------------

def test_i001_import_of_a_missing_file(mini: Path, tmp_path: Path) -> None:
    missing = tmp_path / "reseller.docx"
    _cli_finding(run_cli("import", str(missing), "--variant", "gamma", "--root", str(mini)), "I001", str(missing))


def test_i008_import_of_a_huge_file(mini: Path, tmp_path: Path, monkeypatch) -> None:
    from generator.importing import _import_io

    monkeypatch.setattr(_import_io, "MAX_BYTES", 1024)  # the real limit is 20 MB; the check is the same
    big = tmp_path / "big.txt"
    big.write_text("第1条（目的）\n" + "あ" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(KiyakuError) as info:
        _import_io.read_terms(big)
    assert [f.code for f in info.value.findings] == ["I008"]


# --- renderers -----------------------------------------------------------------------------------

def test_r014_a_word_template_that_is_not_a_docx(mini: Path) -> None:
    (mini / "templates").mkdir()
    (mini / "templates" / "alpha.docx").write_text("これは Word ファイルではありません", encoding="utf-8")
    edit(mini, "variants/alpha.yaml", "edition: 1\n", "edition: 1\ntemplate: templates/alpha.docx\n")
    _cli_finding(run_cli("render", "alpha", "--format", "docx", "-o", str(mini / "a.docx"), "--root", str(mini)),
                 "R014", "variants/alpha.yaml")
    assert not (mini / "a.docx").exists()


def test_r020_r021_r022_broken_installation_and_template_are_reported(mini: Path, monkeypatch) -> None:
    # internal (tests/finding_codes.py), injected here so the message path is exercised too
    from generator.compile.pipeline import compile_variant, load
    from generator.render import pdf

    doc = compile_variant(load(mini), "alpha")
    for patch, code in ((("FONT_PACKAGES", ("no_such_font_package_kiyaku",)), "R020"),
                        (("FONT_FAMILY", "No Such Family"), "R021"),
                        (("_document_json", lambda doc: "{not json"), "R022")):
        with monkeypatch.context() as m:
            m.setattr(pdf, *patch)
            for cached in ("font_files", "_compiler"):
                getattr(getattr(pdf, cached, None), "cache_clear", lambda: None)()
            with pytest.raises(KiyakuError) as info:
                pdf.render_pdf(doc, 0)
            assert [f.code for f in info.value.findings] == [code]
        for cached in ("font_files", "_compiler"):
            getattr(getattr(pdf, cached, None), "cache_clear", lambda: None)()


# --- releases, history, notices, feeds -----------------------------------------------------------

@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    return released_repo(tmp_path, monkeypatch)


def _codes(info: pytest.ExceptionInfo) -> list[str]:
    return [f.code for f in info.value.findings]


def test_h024_h025_h026_refused_release_arguments(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", kind="中立", today=TODAY)
    assert _codes(info) == ["H024"]
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], None, "2027-01-01", "改定", today=TODAY)
    assert _codes(info) == ["H025"]
    plain = copy_project(MINI, tmp_path / "plain")
    with pytest.raises(ReleaseError) as info:
        release(plain, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert _codes(info) == ["H026"]


def test_h034_a_record_is_never_overwritten(repo: Path) -> None:
    # reachable only when another `kiyaku release` wrote the same edition between the checks and the
    # commit (every static way there is refused earlier by lint: H041, H048); the last guard is called directly
    import datetime as dt

    from generator.changes import release as release_module

    record, _ = history.parse_record("releases/alpha/1.yaml", (repo / "releases" / "alpha" / "1.yaml").read_bytes())
    before = (repo / "releases" / "alpha" / "1.yaml").read_bytes()
    head = git(repo, "rev-parse", "HEAD").strip()
    with pytest.raises(ReleaseError) as info:
        release_module._plan(repo, [record], head, "main", dt.datetime(2026, 12, 1, 9, 0))
    assert _codes(info) == ["H034"] and (repo / "releases" / "alpha" / "1.yaml").read_bytes() == before


def test_h035_a_tag_that_cannot_be_made_rolls_the_whole_release_back(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(repo, "料金改定")
    git(repo, "tag", "alpha/ed2/old")  # a ref below the name: git cannot create alpha/ed2
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(ReleaseError) as info:
        release(repo, ["alpha"], "2026-12-01", "2027-01-01", "改定", today=TODAY)
    assert _codes(info) == ["H035"] and "何も記録されていません" in info.value.findings[0].hint
    # all or nothing (issue 19): no commit, no record, no half-made tag
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""
    assert not (repo / "releases" / "alpha" / "2.yaml").exists()


def test_h002_a_record_that_is_not_a_mapping(repo: Path) -> None:
    (repo / "releases" / "alpha" / "1.yaml").write_text("- 第1版\n", encoding="utf-8")
    assert "H002" in [f.code for f in check_records(repo)]


def test_h005_a_record_whose_commit_lacks_the_variant(repo: Path) -> None:
    record, _ = history.parse_record("releases/alpha/1.yaml", (repo / "releases" / "alpha" / "1.yaml").read_bytes())
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    ghost = record.model_copy(update={"variant": "gamma", "source_commit": first})
    with pytest.raises(ReleaseError) as info:
        history.edition_document(repo, ghost)
    assert _codes(info) == ["H005"]


def test_h074_a_baseline_has_no_notice(repo: Path) -> None:
    _cli_finding(run_cli("notice", "alpha", "--edition", "1", "--root", str(repo)), "H074", "releases/alpha/1.yaml")


def test_h076_a_feed_base_url_that_is_not_https(repo: Path) -> None:
    _cli_finding(run_cli("feed", "--base-url", "javascript:alert(1)//", "--root", str(repo)), "H076", "<コマンドライン>")


# Codes named in more than one module, each with one meaning (the same finding raised or read in two
# places). Parallel work once gave one code two meanings (H050–H053, L009/L010, PR014, Y014, O010,
# H060, M006); a new code shared across modules must be added here with the reason it is the same.
SHARED_CODES = {
    "C003": "unknown output format, for terms (build) and notices",
    "C006": "a URL or source on the command line that is refused",
    "F001": "a file that cannot be read: missing (load) or unreadable (the file boundary)",
    "H026": "not a git repository (release and the git-state check)",
    "H060": "git not found on PATH",
    "H065": "an interrupted release (journal) — raised by release, read by the record checks",
    "H067": "a rollback that failed and kept its journal",
    "I003": "an imported DOCX that cannot be read (also when over the unpacked-size budget)",
    "I008": "an imported file over its size limit",
    "P014": "a TODO left in a variant (parameter or field)",
    "T004": "a placeholder form that is not allowed: unknown to the parser, or :西暦 on a parameter that is no date (numbering)",
    "R014": "a reseller template that cannot be rendered (also when over its budget)",
    "R016": "a reseller template over its output budget",
    "R018": "a reseller template over its loop budget",
    "R019": "a DOCX over its unpacked-size budget",
    "W104": "a computed number or mark edited in Word",
    "W105": "text edited in Word that is not editable there",
    "Y001": "a YAML file that cannot be parsed",
}


def test_every_finding_code_has_one_home_or_a_stated_reason() -> None:
    """A code named in two modules is either listed in SHARED_CODES or a clash of two meanings."""
    from finding_codes import catalogue

    clashes = {code: places for code, places in catalogue().items()
               if len({place.split(":")[0] for place in places}) > 1 and code not in SHARED_CODES}
    assert not clashes, f"finding codes named in several modules (one meaning each? add to SHARED_CODES): {clashes}"
    stale = {code for code in SHARED_CODES if code not in catalogue()}
    assert not stale, f"SHARED_CODES lists codes that no longer exist: {stale}"


def test_n003_new_with_an_empty_name(mini: Path) -> None:
    run = run_cli("new", "gamma", "--like", "alpha", "--name", " ", "--root", str(mini))
    _cli_finding(run, "N003", "<コマンドライン>")
    assert not (mini / "variants" / "gamma.yaml").exists()


def test_p012_an_impossible_date_parameter(mini: Path) -> None:
    document = mini / "terms" / "document.yaml"
    document.write_text(document.read_text(encoding="utf-8").replace(
        "parameters:\n", "parameters:\n  start_date:\n    description: 提供開始日\n    type: date\n"), encoding="utf-8")
    fees = mini / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace("とします。", "とします（{start_date}から）。", 1), encoding="utf-8")
    variant = mini / "variants" / "alpha.yaml"
    variant.write_text(variant.read_text(encoding="utf-8").replace("params:\n", 'params:\n  start_date: "2027-02-30"\n'),
                       encoding="utf-8")
    beta = mini / "variants" / "beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("params:\n", 'params:\n  start_date: "2027-03-01"\n'),
                    encoding="utf-8")
    _cli_finding(run_cli("lint", "--root", str(mini)), "P012", "variants/alpha.yaml")
