"""The first proof that the model is right: each variant renders to its reseller's real document."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, SEED_FILES, run_cli
from generator.importing.compare import compare, sections
from generator.compile.pipeline import compile_variant, load
from generator.render.text import render_text

# Differences that remain after errata, each a documented normalisation (docs/normalisation.md):
# (variant, section, original text, our text)
EXPLAINED = {
    ("hiroshima-cci", "第3条", "サ「", ""),  # text repeated across a page break in the extraction
    ("hiroshima-cci", "第5条", "ます。", ""),  # text repeated across a page break in the extraction
    ("itsupport-joto", "第4条", "6.", ""),  # the label of the duplicated 第4条第6項 (errata: duplicate-paragraph)
    ("itsupport-joto", "第13条", "(3)", "第3号"),  # references are rendered in one form: 第4条第1項第3号
    ("hiroshima-cci", "別紙", "", "第"),  # 「利用規約5条の4」 is a computed reference: 第5条第4項
    ("hiroshima-cci", "別紙", "の4", "第4項"),
}
APPENDIX_DECORATION = re.compile(r"^[<>◆]*$")


@pytest.fixture(scope="module")
def project():
    return load(REPO)


@pytest.mark.parametrize("variant", sorted(SEED_FILES))
def test_rendering_matches_the_source_document(project, variant: str) -> None:
    doc = compile_variant(project, variant)
    result = compare(render_text(doc), SEED_FILES[variant].read_text(encoding="utf-8"), project.errata, variant)
    assert result.similarity >= 0.99, result.similarity
    assert result.raw_similarity >= 0.99, result.raw_similarity
    for section in result.sections:
        assert section.similarity >= 0.95, (section.key, section.similarity)
        for _context, theirs, ours in section.differences:
            if section.key == "別紙":  # the ※2 gap notice and the ◆/<> decoration of headings
                if APPENDIX_DECORATION.match(theirs) and not ours or "表の欠落" in ours:
                    continue
            assert (variant, section.key, theirs, ours) in EXPLAINED, (section.key, theirs, ours)


def _counts_from_source(text: str) -> dict[str, tuple[int, list[int]]]:
    """(paragraph count, item counts per paragraph) per article, read from the seed text."""
    counts: dict[str, tuple[int, list[int]]] = {}
    for key, body in sections(text).items():
        if not key.startswith("第"):
            continue
        numbers = [int(n) for n in re.findall(r"^\s*(\d+)\.\s", body, re.M)]
        seen: list[int] = []
        items: list[int] = []
        for line in body.splitlines():
            if m := re.match(r"^\s*(\d+)\.\s", line):
                if int(m.group(1)) in seen:  # the duplicated 第4条第6項 of 000 (errata)
                    continue
                seen.append(int(m.group(1)))
                items.append(0)
            elif re.match(r"^\s*-?\s*[(（]\s*\d+\s*[)）]", line):
                if items:
                    items[-1] += 1
                else:
                    items.append(1)
        counts[key] = (len(seen) if numbers else 0, items)
    return counts


@pytest.mark.parametrize("variant", sorted(SEED_FILES))
def test_article_paragraph_and_item_counts_equal_the_source(project, variant: str) -> None:
    doc = compile_variant(project, variant)
    source = _counts_from_source(SEED_FILES[variant].read_text(encoding="utf-8"))
    assert len(doc.articles) == 26 == len(source)
    for article in doc.articles:
        paragraphs, items = source[article.label]
        if article.items:  # 第23条: a lead sentence and items only
            assert paragraphs == 0 and [len(article.items)] == items, article.label
            continue
        assert len(article.paragraphs) == paragraphs, article.label
        assert [len(p.items) for p in article.paragraphs] == items, article.label


def test_article_17_differs_between_resellers(project) -> None:
    joto = compile_variant(project, "itsupport-joto").article("disclaimer")
    hiroshima = compile_variant(project, "hiroshima-cci").article("disclaimer")
    assert (joto.number, len(joto.paragraphs)) == (17, 13)
    assert (hiroshima.number, len(hiroshima.paragraphs)) == (17, 12)


def test_cover_shows_the_era_as_the_sources_do(project) -> None:
    assert compile_variant(project, "itsupport-joto").cover_line == "令和6年（2024年）4月1日 第7版"
    assert compile_variant(project, "hiroshima-cci").cover_line == "令和4年（2022年）7月25日 第1版"


def test_shipped_content_lints_clean_except_the_known_gap() -> None:
    result = run_cli("lint")
    assert result.code == 0, result.stdout + result.stderr
    findings = [line for line in result.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    gaps = [f for f in findings if " L006 " in f]
    contact = [f for f in findings if " L012 " in f]  # contact data not in the seeds: TODO until the resellers confirm it
    assert len(gaps) == 1 and "※2" in gaps[0], findings
    assert len(contact) == 7 and all("TODO" in f for f in contact) and len(findings) == 8, findings


@pytest.mark.parametrize("variant", sorted(SEED_FILES))
def test_compare_command(variant: str) -> None:
    result = run_cli("compare", variant, str(SEED_FILES[variant]), "--min", "0.99")
    assert result.code == 0, result.stdout + result.stderr
    assert re.search(r"全体の一致率: 0\.99\d\d", result.stdout)
