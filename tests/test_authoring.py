"""A clerk's first-day mistakes in a variant file (issue 12): each one is a single finding in the
variant file, at the column of the offending token, with the hint that leads to the right fix,
through the real CLI; no traceback and no output file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, copy_project, run_cli

VARIANT = "variants/hiroshima-cci.yaml"
FINDING = re.compile(r"^(\S+):(\d+):(\d+): (\S+) (.*)$")


@dataclass(frozen=True)
class Found:
    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str


def findings(stderr: str) -> list[Found]:
    out: list[Found] = []
    for line in stderr.splitlines():
        if m := FINDING.match(line):
            out.append(Found(m[1], int(m[2]), int(m[3]), m[4], m[5], ""))
        elif out and line.startswith("    "):
            last = out[-1]
            out[-1] = Found(last.path, last.line, last.col, last.code, last.message, (last.hint + "\n" + line.strip().removeprefix("→ ")).strip())
    return [f for f in out if not f.message.startswith("警告")]


def position(text: str, token: str, after: str = "") -> tuple[int, int]:
    """1-based line and column of token in text (of its first occurrence after `after`)."""
    start = text.index(after) if after else 0
    index = text.index(token, start)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_project(REPO, tmp_path / "repo")


def break_variant(repo: Path, old: str, new: str) -> str:
    path = repo / VARIANT
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def only_finding(repo: Path) -> Found:
    out = repo / "out"
    result = run_cli("build", "hiroshima-cci", "--root", str(repo), "--out", str(out), "--format", "txt")
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists(), "a refused build must not leave an output folder"
    found = findings(result.stderr)
    assert len(found) == 1, result.stderr
    assert found[0].path == VARIANT, result.stderr
    return found[0]


def test_fee_with_unit_is_refused_with_the_integer_to_write(repo: Path) -> None:
    text = break_variant(repo, "member_fee: 79200", 'member_fee: "105,600円"')
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P010", position(text, '"105,600円"'))
    assert "member_fee: 105600 と書いてください" in f.hint and "105,600" in f.hint


def test_full_width_fee_is_refused_with_the_integer_to_write(repo: Path) -> None:
    text = break_variant(repo, "member_fee: 79200", 'member_fee: "１０５，６００"')
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P010", position(text, '"１０５，６００"'))
    assert "member_fee: 105600 と書いてください" in f.hint


def test_fee_written_as_text_for_a_text_parameter_is_refused(repo: Path) -> None:
    text = break_variant(repo, "member_scope: 広島商工会議所", "member_scope: 12")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P010", position(text, "12", "member_scope:"))
    assert 'member_scope: "12"' in f.hint


def test_choice_outside_its_choices_gets_did_you_mean(repo: Path) -> None:
    text = break_variant(repo, "install: 設置", "install: 設置・設提")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P011", position(text, "設置・設提"))
    assert "「設置・設定」の書き間違いではありませんか？" in f.hint


def test_full_width_digits_in_a_table_cell_are_refused(repo: Path) -> None:
    text = break_variant(repo, '"16,500円（税込・交通費込）"', '"１６，５００円（税込・交通費込）"')
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("PR014", position(text, "１６，５００"))
    assert "「16,500」" in f.hint


def test_unknown_placeholder_in_an_appendix_heading_points_at_it(repo: Path) -> None:
    text = break_variant(repo, "heading: サイバーインシデント駆け付け・初動対処価格", "heading: サイバーインシデント駆け付け・初動対処価格{bogus}")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P001", position(text, "{bogus}"))
    assert "使えるパラメータ" in f.hint and "{member_fee}" in f.hint
    assert "terms/" not in f.hint and "document.yaml" not in f.hint


def test_unknown_placeholder_in_an_override_never_sends_the_clerk_to_shared_files(repo: Path) -> None:
    text = break_variant(repo, "変更ある場合には、お客様へ", "変更ある場合には、{annual_fee}お客様へ")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P001", position(text, "{annual_fee}"))
    assert "terms/" not in f.hint and "document.yaml" not in f.hint and "params に" not in f.hint
    assert "{member_fee}" in f.hint  # either a did-you-mean or the list names the real fee


def test_placeholder_typo_gets_did_you_mean(repo: Path) -> None:
    text = break_variant(repo, "変更ある場合には、お客様へ", "変更ある場合には、{member_fe}お客様へ")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P001", position(text, "{member_fe}"))
    assert f.hint == "「{member_fee}」の書き間違いではありませんか？"


def test_duplicate_appendix_mark_is_refused(repo: Path) -> None:
    text = break_variant(repo, "mark: ※2", "mark: ※1")
    f = only_finding(repo)
    line, col = position(text, "※1", "id: installation")
    assert (f.code, f.line, f.col) == ("L009", line, col)
    assert "※2" in f.hint


def test_option_requirement_is_reported_in_the_variant_with_the_yaml_to_add(repo: Path) -> None:
    path = repo / VARIANT
    text = path.read_text(encoding="utf-8")
    text = text[:text.index("      - id: installation")]
    path.write_text(text, encoding="utf-8")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("R003", position(text, "true", "fee_appendix:"))
    assert "fee_appendix" in f.message and "fee-schedule.installation" in f.message
    assert "- id: installation" in f.hint and "mark:" in f.hint and VARIANT in f.hint


def test_unknown_option_gets_did_you_mean_not_an_invitation_to_edit_shared_files(repo: Path) -> None:
    text = break_variant(repo, "  self_installation: false\n", "  self_instalation: false\n")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("R002", position(text, "self_instalation"))
    assert f.hint == "「self_installation」の書き間違いではありませんか？"


def test_override_target_typo_gets_did_you_mean_at_the_value(repo: Path) -> None:
    text = break_variant(repo, "replace: disclaimer.no-defect-warranty", "replace: service.contents.consultation.dsk")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("V002", position(text, "service.contents.consultation.dsk"))
    assert f.hint == "「service.contents.consultation.desk」の書き間違いではありませんか？"


def test_reference_typo_gets_did_you_mean_at_the_token(repo: Path) -> None:
    text = break_variant(repo, "変更ある場合には、お客様へ", "変更ある場合には、{ref:fees.no-refunds}お客様へ")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("P002", position(text, "{ref:fees.no-refunds}"))
    assert f.hint == "「fees.no-refund」の書き間違いではありませんか？"


def test_undeclared_variant_parameter_is_not_sent_to_document_yaml(repo: Path) -> None:
    text = break_variant(repo, "  install: 設置\n", "  install: 設置\n  member_fees: 1\n")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("L004", position(text, "member_fees"))
    assert "document.yaml" not in f.hint and "terms/" not in f.hint
    assert "「member_fee」の書き間違いではありませんか？" in f.hint


def test_date_in_the_wrong_format_gets_a_date_hint_only(repo: Path) -> None:
    text = break_variant(repo, 'issued: "2022-07-25"', 'issued: "2022/7/25"')
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("M004", position(text, '"2022/7/25"'))
    assert '"2022-07-25"' in f.hint and "ID" not in f.hint


@pytest.mark.parametrize("field", ["issued", "effective"])
def test_impossible_date_is_a_finding_not_a_traceback(repo: Path, field: str) -> None:
    text = break_variant(repo, f'{field}: "2022-07-25"', f'{field}: "2026-02-30"')
    if field == "issued":  # keep effective ≥ issued so that only the impossible date is wrong
        text = break_variant(repo, 'effective: "2022-07-25"', 'effective: "2026-03-02"')
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("M006", position(text, '"2026-02-30"'))
    assert "2月は28日か29日まで" in f.hint


def test_effective_before_issued_is_refused(repo: Path) -> None:
    text = break_variant(repo, 'effective: "2022-07-25"', 'effective: "2022-07-24"')
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("M007", position(text, '"2022-07-24"'))
    assert 'effective: "2022-07-25"' in f.hint


def test_usage_errors_are_japanese_with_exit_2() -> None:
    result = run_cli("diff", "fukuyama-cci")
    assert result.code == 2
    assert "次の引数が必要です: --from" in result.stderr and "使い方: kiyaku diff" in result.stderr
    assert "usage:" not in result.stderr and "error:" not in result.stderr and "required" not in result.stderr
    result = run_cli("notice", "hiroshima-cci", "--format", "pdff")
    assert result.code == 2 and "'pdff' は選べません" in result.stderr
    result = run_cli("build", "-h")
    assert result.code == 0 and "この説明を表示して終了する" in result.stdout and "show this help" not in result.stdout


def test_duplicate_caption_after_an_override_is_refused(repo: Path) -> None:
    text = break_variant(repo, "overrides:\n", "overrides:\n  - replace: fees\n    caption: 目的\n    reason: 見出しの変更\n")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("L009", position(text, "目的", "replace: fees"))
    assert f.hint == "どちらかの見出しを変えてください。"


def test_where_a_yen_parameter_is_used() -> None:
    from generator.compile import params
    from generator.compile.pipeline import load

    project = load(REPO)
    places = params.uses(project, "installation_fee")
    assert any(p[0] == "terms/customer-setup.yaml" for p in places)  # the clause text
    assert any(p[0] == VARIANT and p[1][0] == "appendices" for p in places)


def test_condition_on_an_unknown_option_is_refused_not_silently_dropped(repo: Path) -> None:
    text = break_variant(repo, "overrides:\n", "overrides:\n  - insert_after: fees.no-refund\n    paragraph:\n      id: extra\n"
                         "      when: self_instalation\n      text: 追加の項。\n    reason: 追加\n")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("R004", position(text, "self_instalation"))
    assert f.hint == "「self_installation」の書き間違いではありませんか？"


def test_required_section_with_a_typo_gets_did_you_mean(repo: Path) -> None:
    text = break_variant(repo, "      - id: incident\n", "      - id: incidnet\n")
    f = only_finding(repo)
    assert (f.code, (f.line, f.col)) == ("R003", position(text, "true", "fee_appendix:"))
    assert "「fee-schedule.incidnet」の書き間違いではありませんか？" in f.hint


def test_impossible_date_in_a_release_record_is_a_finding() -> None:
    from generator.source.errors import ReleaseError
    from generator.history.editions import parse_record

    raw = (REPO / "releases" / "hiroshima-cci" / "1.yaml").read_text(encoding="utf-8")
    broken = raw.replace('effective: "2022-07-25"', 'effective: "2022-02-30"')
    with pytest.raises(ReleaseError) as caught:
        parse_record("releases/hiroshima-cci/1.yaml", broken.encode("utf-8"))
    (finding,) = caught.value.findings
    assert finding.code == "M006" and (finding.location.line, finding.location.col) == position(broken, '"2022-02-30"')
