"""Numbers and references are computed: inserting or removing a clause re-flows all of them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.compile.pipeline import compile_variant, load
from generator.render.text import render_text

NEW_ARTICLE = """id: new-article
caption: 新しい条
paragraphs:
  - id: only
    text: "{self}は、{ref:fees.no-refund}に従います。"
"""


def _insert_before(root: Path, before: str, article_id: str, body: str) -> None:
    (root / "terms" / f"{article_id}.yaml").write_text(body, encoding="utf-8")
    doc = root / "terms" / "document.yaml"
    text = doc.read_text(encoding="utf-8")
    assert f"- {before}\n" in text or f" {before}," in text or f"[{before}," in text
    text = text.replace(f"- {before}\n", f"- {article_id}\n  - {before}\n", 1)
    doc.write_text(text, encoding="utf-8")


def test_inserting_an_article_before_article_5_shifts_every_later_number(real: Path) -> None:
    before = load(real)
    fifth = before.document.articles[4]
    old = {v: compile_variant(before, v) for v in before.variants}
    _insert_before(real, fifth, "new-article", NEW_ARTICLE)
    after = load(real)
    assert after.document.articles.index("new-article") == 4
    for variant_id in after.variants:
        new = compile_variant(after, variant_id)
        assert new.articles[4].id == "new-article" and new.articles[4].number == 5
        for old_article in old[variant_id].articles:
            moved = new.article(old_article.id)
            assert moved.number == old_article.number + (1 if old_article.number >= 5 else 0)
        text = render_text(new)
        # 第12条第3項 refers to 第13条第6項 (no refunds): both move by one
        cancellation = new.article("cancellation")
        assert cancellation.number == 13
        assert "第14条第6項に基づき" in "".join(cancellation.paragraphs[2].blocks), cancellation.paragraphs[2].blocks
        assert "第13条第6項に基づき" not in text
        assert f"第{new.article('fees').number}条第6項に従います" in text


def test_removing_a_paragraph_by_option_renumbers_and_rereferences(real: Path) -> None:
    project = load(real)
    joto = compile_variant(project, "itsupport-joto")
    hiroshima = compile_variant(project, "hiroshima-cci")
    # 第17条第7項 (medical systems) exists for itsupport-joto only: later paragraphs shift by one
    assert len(joto.article("disclaimer").paragraphs) == len(hiroshima.article("disclaimer").paragraphs) + 1


ids = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(ids, min_size=1, max_size=12, unique=True), st.data())
def test_numbers_follow_order_and_references_follow_their_target(tmp_path_factory, order, data) -> None:
    """For any order of articles, article k is 第k条 and every reference names its target's number."""
    root = tmp_path_factory.mktemp("prop")
    (root / "terms").mkdir()
    (root / "variants").mkdir()
    target = data.draw(st.sampled_from(order))
    for article_id in order:
        (root / "terms" / f"{article_id}.yaml").write_text(
            f"id: {article_id}\ncaption: 見出し\nparagraphs:\n  - id: p1\n    text: 本文\n  - id: p2\n"
            f"    text: \"{{ref:{target}.p2}}を参照\"\n", encoding="utf-8")
    (root / "terms" / "document.yaml").write_text(
        "service: S\nsubtitle: T\ntitle: U\narticles: [" + ", ".join(order) + "]\nsupplementary: 附則\n", encoding="utf-8")
    (root / "variants" / "v.yaml").write_text(
        'id: v\nname: 名\nself: 本所\nedition: 1\nissued: "2024-04-01"\neffective: "2024-04-01"\n', encoding="utf-8")
    doc = compile_variant(load(root), "v")
    assert [a.number for a in doc.articles] == list(range(1, len(order) + 1))
    assert [a.id for a in doc.articles] == order
    expected = f"第{order.index(target) + 1}条第2項を参照"
    assert all(a.paragraphs[1].blocks == (expected,) for a in doc.articles)
