"""The bad-input corpus: each case breaks a copy of the sample repository in one way.

Every case must give: exit code 1, exactly the expected `path:line:col: code message`, no
traceback, and rendered/ byte-identical to before with no temporary files left behind.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from conftest import run_cli

ARTICLE = """id: fees
caption: 利用料金
paragraphs:
  - id: amount
    text: 利用料金は年間{member_fee}円とします。
  - id: medical
    when: medical
    text: 医療機器では利用しないでください。
  - id: no-refund
    text: "{self}は、料金を返金しません。"
"""


def _text(body: str) -> str:
    """A fees article whose third paragraph (line 10) has the given text."""
    return ARTICLE.replace('"{self}は、料金を返金しません。"', body)


# (case id, file, content (str or bytes), expected code, expected line)
CASES = [
    # YAML
    ("duplicate-key", "terms/fees.yaml", ARTICLE + "caption: 二重\n", "Y010", 11),
    ("tab-indent", "terms/fees.yaml", ARTICLE.replace("  - id: amount", "\t- id: amount"), "Y005", 4),
    ("bom", "terms/fees.yaml", b"\xef\xbb\xbf" + ARTICLE.encode(), "Y002", 1),
    ("shift-jis", "terms/fees.yaml", ARTICLE.encode("shift_jis"), "Y004", 2),
    ("nul", "terms/fees.yaml", ARTICLE.replace("利用料金は", "利用\x00料金は"), "Y003", 5),
    ("yaml-1.1-directive", "terms/fees.yaml", "%YAML 1.1\n---\n" + ARTICLE, "Y006", 2),
    ("alias", "terms/fees.yaml", ARTICLE.replace("caption: 利用料金", "caption: &c 利用料金\nlead: *c"), "Y007", 2),
    ("alias-bomb", "terms/fees.yaml", "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n" + ARTICLE, "Y007", 1),
    ("python-tag", "terms/fees.yaml", ARTICLE.replace("caption: 利用料金", "caption: !!python/object/apply:os.system [id]"), "Y008", 2),
    ("several-documents", "terms/fees.yaml", ARTICLE + "---\nid: x\n", "Y013", 1),
    ("empty-file", "terms/fees.yaml", "", "Y009", 1),
    ("only-comment", "terms/fees.yaml", "# 空\n", "Y009", 1),
    ("big-file", "terms/fees.yaml", ARTICLE + "# " + "あ" * (3 * 1024 * 1024) + "\n", "Y001", 1),
    ("bad-indent", "terms/fees.yaml", ARTICLE.replace("    text: 利用料金は", "   text: 利用料金は"), "Y011", 5),
    ("unclosed-quote", "terms/fees.yaml", ARTICLE.replace('"{self}は、料金を返金しません。"', '"{self}は、料金を返金しません。'), "Y011", 11),
    # YAML 1.1 surprises: values that are not strings where strings are expected
    ("unquoted-date", "variants/alpha.yaml", None, "M005", 5),
    ("octal-looking-number", "variants/alpha.yaml", None, "P010", 8),
    ("no-as-key", "terms/fees.yaml", ARTICLE + "no: 1\n", "M002", 11),
    ("on-as-value", "variants/beta.yaml", None, "M003", 10),
    # model
    ("unknown-key", "terms/fees.yaml", ARTICLE.replace("caption:", "captoin:"), "M002", 2),
    ("wrong-type", "variants/alpha.yaml", None, "M003", 4),
    ("missing-field", "terms/fees.yaml", ARTICLE.replace("caption: 利用料金\n", ""), "M001", 1),
    ("bad-id", "terms/fees.yaml", ARTICLE.replace("id: amount", "id: 料金"), "M004", 4),
    ("duplicate-paragraph-id", "terms/fees.yaml", ARTICLE.replace("id: no-refund", "id: amount"), "L002", 9),
    ("duplicate-article-id", "terms/fees2.yaml", ARTICLE, "M010", 1),
    ("file-name-mismatch", "terms/fees.yaml", ARTICLE.replace("id: fees", "id: fee"), "M011", 1),
    ("override-missing-target", "variants/beta.yaml", None, "V002", 12),
    ("reference-missing-id", "terms/fees.yaml", _text('"{ref:fees.nothing}を参照"'), "P002", 10),
    ("circular-reference", "terms/fees.yaml", _text('"{ref:fees.no-refund.self}を参照"'), "P002", 10),
    ("undefined-parameter", "terms/fees.yaml", _text('"{unknown_fee}円"'), "P001", 10),
    ("unused-parameter", "terms/document.yaml", None, "L003", 12),
    ("undeclared-variant-parameter", "variants/alpha.yaml", None, "L004", 9),
    ("undeclared-option", "variants/beta.yaml", None, "R002", 11),
    ("undeclared-inline-option", "terms/fees.yaml", _text('"{if nothing}あ{end}"'), "P004", 10),
    ("unlisted-article", "terms/extra.yaml", ARTICLE.replace("id: fees", "id: extra"), "L001", 1),
    ("empty-appendix-table", "variants/alpha.yaml", None, "L005", 16),
    # text
    ("template-code-class", "terms/fees.yaml", _text("\"{{ ''.__class__.__mro__ }}\""), "T001", 10),
    ("template-code-globals", "terms/fees.yaml", _text('"{{ cycler.__init__.__globals__ }}"'), "T001", 10),
    ("template-include", "terms/fees.yaml", _text("\"{% include '/etc/passwd' %}\""), "T001", 10),
    ("unknown-placeholder", "terms/fees.yaml", _text('"{self.__class__}"'), "T005", 10),
    ("stray-brace", "terms/fees.yaml", _text('"料金{を返金"'), "T002", 10),
    ("unclosed-if", "terms/fees.yaml", _text('"{if medical}料金"'), "T003", 10),
    ("doubled-kana", "terms/fees.yaml", _text('"おお客様に返金しません。"'), "PR001", 10),
    ("malformed-reference", "terms/fees.yaml", _text('"第13第6項に基づき返金しません。"'), "PR002", 10),
    ("paragraph-in-paragraph", "terms/fees.yaml", _text('"本項第5項で示す窓口"'), "PR003", 10),
    ("typed-reference", "terms/fees.yaml", _text('"第2条第3項に基づき返金しません。"'), "PR004", 10),
    ("half-width-brackets", "terms/fees.yaml", _text('"料金(税込)を返金しません。"'), "PR006", 10),
    ("small-tsu", "terms/fees.yaml", _text('"期間中であつたとしても返金しません。"'), "PR007", 10),
    ("typo-mataha", "terms/fees.yaml", _text('"振り出しまは引き受けた手形"'), "PR008", 10),
    ("typo-hikaijisha", "terms/fees.yaml", _text('"非開示者の責に因らず"'), "PR008", 10),
    ("undefined-term", "terms/fees.yaml", _text('"本所の業務委託先等に委託します。"'), "PR009", 10),
    ("wrong-typed-caption", "terms/fees.yaml", _text('"{ref:purpose}（合意管轄）の規定"'), "PR010", 10),
    ("zero-width", "terms/fees.yaml", _text('"料金を\u200b返金しません。"'), "PR011", 10),
    ("bidi-control", "terms/fees.yaml", _text('"料金を\u202e返金しません。"'), "PR011", 10),
    ("half-width-kana", "terms/fees.yaml", _text('"ｻｰﾋﾞｽ料金を返金しません。"'), "PR012", 10),
    ("variant-id-mismatch", "variants/alpha.yaml", None, "M011", 1),
    ("unknown-prefecture", "variants/alpha.yaml", None, "M008", 3),
    ("same-article-form-elsewhere", "terms/fees.yaml", _text('"{ref:purpose.scope:本条}を参照"'), "P003", 10),
    ("row-with-extra-cell", "variants/alpha.yaml", None, "L007", 19),
    ("paragraphs-and-items", "terms/prohibited.yaml", None, "L008", 7),
    ("override-two-operations", "variants/beta.yaml", None, "V001", 12),
    ("override-replace-without-text", "variants/beta.yaml", None, "V003", 12),
    ("override-insert-nothing", "variants/beta.yaml", None, "V004", 12),
    ("override-paragraph-among-items", "variants/beta.yaml", None, "V005", 12),
    ("override-duplicate-id", "variants/beta.yaml", None, "V006", 13),
    ("notice-days-zero", "variants/alpha.yaml", None, "M009", 5),
    ("unknown-reference-form", "terms/fees.yaml", _text('"{ref:purpose.scope:第1項}を参照"'), "T004", 10),
    ("missing-article-file", "terms/document.yaml", None, "R001", 4),
]

VARIANT_EDITS = {
    "unquoted-date": ('issued: "2022-07-25"', "issued: 2022-07-25"),
    "octal-looking-number": ('member_fee: "79,200"', "member_fee: 012"),
    "on-as-value": ("medical: true", "medical: on"),
    "wrong-type": ("edition: 1", 'edition: "第1版"'),
    "override-missing-target": ("replace: purpose.scope", "replace: purpose.nothing"),
    "undeclared-variant-parameter": ('member_fee: "79,200"', 'member_fee: "79,200"\n  extra_fee: "1"'),
    "undeclared-option": ("medical: true", "medical: true\n  medicall: true"),
    "empty-appendix-table": ('            - ["60分未満", "16,500円"]\n', "            []\n"),
    "variant-id-mismatch": ("id: alpha", "id: alfa"),
    "unknown-prefecture": ("name: アルファ商工会議所", "name: アルファ商工会議所\nprefecture: 広島"),  # 広島県 is meant
    "row-with-extra-cell": ('["60分未満", "16,500円"]', '["60分未満", "16,500円", "余分"]'),
    "paragraphs-and-items": ("items:\n", "paragraphs:\n  - id: extra\n    text: あ\nitems:\n"),
    "override-two-operations": ("  - replace: purpose.scope\n", "  - replace: purpose.scope\n    remove: fees.amount\n"),
    "override-replace-without-text": ("    text: 本規約は、{name}（以下「{self}」といいます。）が定めます。\n", ""),
    "override-insert-nothing": ("  - replace: purpose.scope\n    text: 本規約は、{name}（以下「{self}」といいます。）が定めます。\n",
                                "  - insert_after: purpose.scope\n"),
    "override-paragraph-among-items": ("  - replace: purpose.scope\n    text: 本規約は、{name}（以下「{self}」といいます。）が定めます。\n",
                                       "  - insert_after: refunds.exception.broken\n    paragraph: {id: extra, text: あ}\n"),
    "override-duplicate-id": ("  - replace: purpose.scope\n    text: 本規約は、{name}（以下「{self}」といいます。）が定めます。\n",
                              "  - insert_after: fees.amount\n    paragraph: {id: no-refund, text: あ}\n"),
    "notice-days-zero": ("edition: 1\n", "edition: 1\nnotice_days: 0\n"),
    "missing-article-file": ("articles: [purpose, fees", "articles: [purpose, nothing, fees"),
}


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One good build of the sample repository whose rendered/ every case must leave untouched."""
    from conftest import MINI, copy_project

    root = copy_project(MINI, tmp_path_factory.mktemp("corpus") / "mini")
    result = run_cli("build", "--root", str(root), "--format", "txt,html")
    assert result.code == 0, result.stderr
    return root


@pytest.mark.parametrize("case_id,relpath,content,code,line", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_cleanly(built: Path, tmp_path: Path, case_id, relpath, content, code, line) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(built, root)
    target = root / relpath
    if case_id in VARIANT_EDITS and case_id == "paragraphs-and-items":
        content = target.read_text(encoding="utf-8").replace(*VARIANT_EDITS[case_id])
    elif case_id in VARIANT_EDITS:
        old, new = VARIANT_EDITS[case_id]
        original = target.read_text(encoding="utf-8")
        assert old in original, f"fixture changed: {old!r} not in {relpath}"
        content = original.replace(old, new)
    elif case_id == "unused-parameter":
        content = target.read_text(encoding="utf-8") + "  unused_fee:\n    description: 使われない\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    before = _snapshot(root / "rendered")

    result = run_cli("build", "--root", str(root), "--format", "txt,html")

    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    shown = relpath if code not in ("M010",) else relpath
    pattern = re.compile(rf"^{re.escape(shown)}:{line}:\d+: {code} \S", re.M)
    if code == "M010":  # a duplicate is reported at the second file in name order
        pattern = re.compile(rf"^terms/fees2?\.yaml:{line}:\d+: {code} \S", re.M)
    assert pattern.search(result.stderr), result.stderr
    assert _snapshot(root / "rendered") == before
    assert not list((root / ".kiyaku" / "tmp").glob("*")) if (root / ".kiyaku" / "tmp").exists() else True
    assert not [p for p in (root / "rendered").rglob("*") if p.name.startswith((".", "stage-", "old-"))]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("bad", ["../etc", "a/b", "a\\b", "ａｌｐｈａ", "Alpha", ".."])
def test_variant_id_that_could_escape_is_refused(mini: Path, bad: str) -> None:
    result = run_cli("build", bad, "--root", str(mini))
    assert result.code == 1
    assert "C001" in result.stderr and "Traceback" not in result.stderr
    assert not (mini / "rendered").exists()


def test_variant_id_with_nul_is_refused() -> None:
    from generator.source.errors import SourceError
    from generator.source.load import check_variant_id

    with pytest.raises(SourceError, match="C001"):
        check_variant_id("alpha\x00")


def test_missing_table_is_a_warning_not_an_error(mini: Path) -> None:
    path = mini / "variants" / "alpha.yaml"
    text = path.read_text(encoding="utf-8").replace(
        '          rows:\n            - ["60分未満", "16,500円"]\n', "          missing: 原本に表がありません。\n")
    path.write_text(text, encoding="utf-8")
    result = run_cli("lint", "--root", str(mini))
    assert result.code == 0, result.stdout + result.stderr
    assert re.search(r"variants/alpha\.yaml:\d+:\d+: L006 警告: ", result.stdout), result.stdout
