"""`kiyaku import`: a reseller's own document becomes a variant with only its real differences."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import docx
import pytest

from conftest import REPO, SEED_FILES, copy_project, run_cli
from docx_seed import build_docx
from generator.source._yaml import load_yaml_text
from generator.importing.compare import compare
from generator.compile.pipeline import compile_variant, load
from generator.source.errors import SourceError
from generator.importing.importer import import_terms
from generator.source.model import Variant
from generator.compile.normalize import fold
from generator.compile.numbering import number
from generator.render.text import render_text
from generator.compile.resolve import resolve

NEW_IDS = {"hiroshima-cci": "hiroshima-import", "itsupport-joto": "joto-import"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """Each seed imported as a new variant into its own copy of the repository."""
    out = {}
    for seed_variant, new_id in NEW_IDS.items():
        root = copy_project(REPO, tmp_path_factory.mktemp(new_id))
        out[seed_variant] = (root, import_terms(SEED_FILES[seed_variant], new_id, root=root))
    return out


def _yaml_data(path: Path) -> dict:
    return load_yaml_text(path.read_text(encoding="utf-8"), path).data


@pytest.mark.parametrize("seed_variant", sorted(NEW_IDS))
def test_imported_variant_renders_the_source_document(imported, seed_variant: str) -> None:
    root, result = imported[seed_variant]
    new_id = NEW_IDS[seed_variant]
    assert result.written and result.path == root / "variants" / f"{new_id}.yaml"
    project = load(root)
    doc = compile_variant(project, new_id)
    comparison = compare(render_text(doc), SEED_FILES[seed_variant].read_text(encoding="utf-8"), project.errata, new_id)
    assert comparison.raw_similarity >= 0.99, comparison.raw_similarity
    assert abs(comparison.raw_similarity - result.similarity) < 1e-9
    assert f"{result.similarity:.4f}" in result.report and "原本の文と同じにはなりません" not in result.report


@pytest.mark.parametrize("seed_variant", sorted(NEW_IDS))
def test_overrides_are_few_and_each_one_changes_the_rendering(imported, seed_variant: str) -> None:
    root, result = imported[seed_variant]
    new_id = NEW_IDS[seed_variant]
    project = load(root)
    variant = project.variants[new_id]
    assert 0 < len(variant.overrides) <= 20
    full = fold(render_text(number(resolve(project, new_id))))
    for index, override in enumerate(variant.overrides):
        assert override.reason.startswith("取り込み: ")
        others = variant.model_copy(update={"overrides": [o for i, o in enumerate(variant.overrides) if i != index]})
        without = dataclasses.replace(project, variants={**project.variants, new_id: others})
        shared = fold(render_text(number(resolve(without, new_id))))
        assert shared != full, f"override {index} ({override.replace}) renders like the shared clause"


@pytest.mark.parametrize("seed_variant", sorted(NEW_IDS))
def test_identity_parameters_and_options_match_the_hand_made_variant(imported, seed_variant: str) -> None:
    root, _result = imported[seed_variant]
    project = load(root)
    ours, theirs = project.variants[NEW_IDS[seed_variant]], project.variants[seed_variant]
    assert (ours.name, ours.self_ref, ours.edition, ours.issued, ours.effective, ours.notice_days) == \
        (theirs.name, theirs.self_ref, theirs.edition, theirs.issued, theirs.effective, theirs.notice_days)
    assert ours.params == {k: v for k, v in theirs.params.items() if k in ours.params}
    defaults = {k: d.default for k, d in project.document.options.items()}
    assert {**defaults, **ours.options} == {**defaults, **theirs.options}
    assert {o.replace for o in ours.overrides} <= {o.replace for o in theirs.overrides} | {None}


def test_hiroshima_appendix_keeps_the_ids_the_clauses_point_to(imported) -> None:
    root, result = imported["hiroshima-cci"]
    appendix = load(root).variants["hiroshima-import"].appendices[0]
    assert appendix.id == "fee-schedule" and [s.id for s in appendix.sections] == ["incident", "installation"]
    assert len(appendix.sections[0].table.rows) == 9
    assert "別紙※2: 「以下の通り」の後に表がありません" in result.report


def test_report_lists_matches_overrides_and_errata(imported) -> None:
    _root, result = imported["itsupport-joto"]
    report = result.report
    assert re.search(r"照合: 一致 \d+、正誤表 \d+、置換 \d+", report)
    assert re.search(r"置換\t0\.\d{3}\t第13条第1項（l\.175） → fees\.amount\.amount", report)
    assert "duplicated-service-changes" in report and "項番号 6 が重複" in report
    text = result.path.read_text(encoding="utf-8")
    assert "reason: '取り込み: 共有条項と異なる（類似度 0." in text
    assert "{member_scope}" in text and "{ref:fees.payment:本条}" in text  # placeholders kept, not retyped


@pytest.mark.parametrize("seed_variant", sorted(NEW_IDS))
def test_docx_imports_to_the_same_variant_as_the_text(imported, seed_variant: str, tmp_path: Path) -> None:
    root, text_result = imported[seed_variant]
    source = build_docx(SEED_FILES[seed_variant].read_text(encoding="utf-8"), tmp_path / "terms.docx")
    other = copy_project(REPO, tmp_path / "repo")
    result = import_terms(source, NEW_IDS[seed_variant], root=other)
    assert _yaml_data(result.path) == _yaml_data(text_result.path)


def test_dry_run_writes_nothing_and_existing_variant_needs_force(tmp_path: Path) -> None:
    root = copy_project(REPO, tmp_path / "repo")
    seed = str(SEED_FILES["hiroshima-cci"])
    before = sorted(os.listdir(root / "variants"))
    dry = run_cli("import", seed, "--variant", "hiroshima-cci", "--root", str(root), "--dry-run")
    assert dry.code == 0 and "照合:" in dry.stdout and "書き込みなし" in dry.stderr
    assert sorted(os.listdir(root / "variants")) == before
    original = (root / "variants" / "hiroshima-cci.yaml").read_bytes()
    refused = run_cli("import", seed, "--variant", "hiroshima-cci", "--root", str(root))
    assert refused.code == 1 and " I007 " in refused.stderr and "--force" in refused.stderr
    assert (root / "variants" / "hiroshima-cci.yaml").read_bytes() == original
    forced = run_cli("import", seed, "--variant", "hiroshima-cci", "--root", str(root), "--force", "--name", "広島商工会議所")
    assert forced.code == 0, forced.stderr
    assert Variant.model_validate(_yaml_data(root / "variants" / "hiroshima-cci.yaml")).name == "広島商工会議所"


def _no_headings_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("お知らせ", style="Heading 1")
    document.add_paragraph("いつもご利用ありがとうございます。年末年始の営業日をお知らせします。")
    document.save(str(path))
    return path


BAD_INPUTS = {
    "not-terms.txt": lambda p: p.write_text("議事録\n本日の会議では来年度の予算について話し合いました。\n", encoding="utf-8"),
    "empty.txt": lambda p: p.write_bytes(b""),
    "binary.txt": lambda p: p.write_bytes(bytes(range(256)) * 4),
    "latin1.md": lambda p: p.write_bytes("第1条 (目的)\n".encode("utf-8") + b"\xff\xfe caf\xe9\n"),
    "no-headings.docx": _no_headings_docx,
    "fake.docx": lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
    "terms.pdf": lambda p: p.write_bytes(b"%PDF-1.7\n"),
}
EXPECTED = {"not-terms.txt": "I006", "empty.txt": "I004", "binary.txt": "I005", "latin1.md": "I005",
            "no-headings.docx": "I006", "fake.docx": "I003", "terms.pdf": "I002"}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_a_clear_error_and_writes_nothing(name: str, tmp_path: Path) -> None:
    root = copy_project(REPO, tmp_path / "repo")
    path = tmp_path / name
    BAD_INPUTS[name](path)
    before = sorted(os.listdir(root / "variants"))
    with pytest.raises(SourceError) as caught:
        import_terms(path, "newcomer", root=root)
    finding = caught.value.findings[0]
    assert finding.code == EXPECTED[name] and finding.hint and re.search(r"[ぁ-んァ-ン一-龯]", finding.message)
    assert sorted(os.listdir(root / "variants")) == before


@pytest.mark.parametrize("name", ["not-terms.txt", "empty.txt", "binary.txt", "no-headings.docx"])
def test_cli_bad_input_exit_code_and_position(name: str, tmp_path: Path) -> None:
    root = copy_project(REPO, tmp_path / "repo")
    path = tmp_path / name
    BAD_INPUTS[name](path)
    result = run_cli("import", str(path), "--variant", "newcomer", "--root", str(root))
    assert result.code == 1
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: {EXPECTED[name]} ", result.stderr), result.stderr
    assert "Traceback" not in result.stderr and not (root / "variants" / "newcomer.yaml").exists()


def test_binary_error_points_at_the_first_nul(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("第1条 (目的)\n本規約は\x00です。\n".encode("utf-8"))
    with pytest.raises(SourceError) as caught:
        import_terms(path, "newcomer", root=copy_project(REPO, tmp_path / "repo"))
    assert (caught.value.findings[0].location.line, caught.value.findings[0].location.col) == (2, 5)


@pytest.mark.parametrize("bad_id", ["../escape", "Upper", "ｆｕｌｌ", ""])
def test_invalid_variant_id_is_refused_before_reading(bad_id: str, tmp_path: Path) -> None:
    root = copy_project(REPO, tmp_path / "repo")
    with pytest.raises(SourceError) as caught:
        import_terms(SEED_FILES["hiroshima-cci"], bad_id, root=root)
    assert caught.value.findings[0].code == "C001"
    assert not any("escape" in name for name in os.listdir(root))


@pytest.mark.parametrize("seed_variant", sorted(NEW_IDS))
def test_imported_variant_lints_without_errors(imported, seed_variant: str) -> None:
    from generator.lint.checks import lint

    root, _result = imported[seed_variant]
    errors = [f.format() for f in lint(root) if f.severity == "error"]
    assert errors == []


def _third_reseller(text: str) -> str:
    """Another reseller: its own name, self-reference and fee, and an article of its own after 第5条,
    with every later article number and reference renumbered as a real document would be."""
    text = text.replace("広島商工会議所", "テスト商事株式会社").replace("本所", "当社").replace("79,200", "88,000")
    text = re.sub(r"第\s*(\d+)(\s*条)", lambda m: f"第{int(m.group(1)) + (6 <= int(m.group(1)) <= 26)}{m.group(2)}", text)
    own = "## 第6条 (サポート時間)\n\n1. 当社のサポートは平日の9時から17時までとします。\n2. 前項の時間外の対応は、別途協議します。\n\n"
    return re.sub(r"(?m)^(#### 第7 条 \(本サービスの提供区域)", lambda m: own + m.group(1), text, count=1)


def test_a_third_reseller_with_an_extra_article_is_robust_to_renumbering(imported, tmp_path: Path) -> None:
    source = tmp_path / "third.md"
    source.write_text(_third_reseller(SEED_FILES["hiroshima-cci"].read_text(encoding="utf-8")), encoding="utf-8")
    root = copy_project(REPO, tmp_path / "repo")
    result = import_terms(source, "test-shoji", root=root)
    variant = load(root).variants["test-shoji"]
    assert (variant.name, variant.self_ref, variant.params["member_fee"]) == ("テスト商事株式会社", "当社", 88000)
    inserts = [o for o in variant.overrides if o.insert_after or o.insert_before]
    assert [(o.insert_after, o.article.caption if o.article else None) for o in inserts] == [("customer-setup", "サポート時間")]
    hiroshima = load(imported["hiroshima-cci"][0]).variants["hiroshima-import"]
    assert {o.replace for o in variant.overrides if o.replace} == {o.replace for o in hiroshima.overrides if o.replace}
    assert result.similarity >= 0.99
    doc = compile_variant(load(root), "test-shoji")
    assert doc.article("fees").number == 14 and doc.articles[5].caption == "サポート時間"
