"""How each placeholder renders, worked out by hand from the rules in docs/format.md.

The project (tests/numbering_project.py): 第1条 a（定義）has 項 p1, p2, p3 and p2 has 号 i1–i3 and
text after them; 第2条 b（禁止事項）has a lead and 号 x1, x2 without 項; 第3条 c has 項 q1.
別紙 fees has sections ※1 (s1) and ※2 (s2). Each case writes one text at one place.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.compile.numbering import _Renderer
from generator.compile.pipeline import load
from generator.compile.resolve import RText, resolve
from numbering_project import BLOCK, base_project, case_ids, compiled, write_project

REFERENCES = [
    # (where the text is, text, rendered)
    # from another article: the full number
    ("C1", "{ref:a}を参照", "第1条を参照"),
    ("C1", "{ref:a.p1}を参照", "第1条第1項を参照"),
    ("C1", "{ref:a.p3}を参照", "第1条第3項を参照"),
    ("C1", "{ref:a.p2.i3}を参照", "第1条第2項第3号を参照"),
    ("C1", "{ref:a.p2.i1}を参照", "第1条第2項第1号を参照"),
    ("C1", "{ref:b}を参照", "第2条を参照"),
    ("C1", "{ref:b.x1}を参照", "第2条第1号を参照"),
    ("C1", "{ref:b.x2}を参照", "第2条第2号を参照"),  # 号 directly under the article: no 項
    ("C1", "{ref:c.q1}を参照", "第3条第1項を参照"),  # its own paragraph, without a form: still the full number
    ("A1", "{ref:c}と{ref:b.x2}", "第3条と第2条第2号"),
    ("BX1", "{ref:a.p2.i2}", "第1条第2項第2号"),
    # 別紙: the appendix itself and its sections
    ("C1", "{ref:fees}のとおり", "別紙のとおり"),
    ("C1", "（{ref:fees.s1}）", "（別紙※1）"),
    ("C1", "（{ref:fees.s2}）", "（別紙※2）"),
    # :本条 — same article, 本条 instead of the article's number
    ("A3", "{ref:a:本条}", "本条"),
    ("A3", "{ref:a.p1:本条}", "本条第1項"),
    ("A1", "{ref:a.p3:本条}", "本条第3項"),
    ("A3", "{ref:a.p2.i3:本条}", "本条第2項第3号"),
    ("A2I1", "{ref:a.p2.i2:本条}", "本条第2項第2号"),
    ("BLEAD", "{ref:b.x1:本条}", "本条第1号"),
    ("BX1", "{ref:b.x2:本条}", "本条第2号"),
    # :項 — same article, the article's number left out
    ("A3", "{ref:a.p1:項}", "第1項"),
    ("A1", "{ref:a.p2.i2:項}", "第2項第2号"),
    ("A2AFTER", "{ref:a.p3:項}", "第3項"),
    ("BX2", "{ref:b.x1:項}", "第1号"),
    # :本項 — a 号 of the paragraph the text is in
    ("A2", "{ref:a.p2.i2:本項}", "本項第2号"),
    ("A2I1", "{ref:a.p2.i3:本項}", "本項第3号"),
    ("A2I3", "{ref:a.p2.i1:本項}", "本項第1号"),
    ("A2AFTER", "{ref:a.p2.i1:本項}", "本項第1号"),
]


@pytest.mark.parametrize(("where", "text", "expected"), REFERENCES, ids=case_ids([w for w, _, _ in REFERENCES], [t for _, t, _ in REFERENCES]))
def test_a_reference_renders_as_the_rule_says(tmp_path: Path, where: str, text: str, expected: str) -> None:
    doc = compiled(base_project(tmp_path / "p", {where: text}))
    assert BLOCK[where](doc) == expected


PARAMETERS = [
    ("{self}は", "当社は"),
    ("{name}の", "名商事株式会社の"),
    ("第{edition}版", "第2版"),
    ("{notice_days}日前", "30日前"),  # the default notice period
    ("{member_fee}円", "79,200円"),  # yen: thousands separator from the declared type
    ("{start_day}から", "令和7年（2025年）1月6日から"),  # a declared date: 和暦 with the year in brackets
    ("{start_day:西暦}から", "2025年1月6日から"),
    ("{issued}公表", "令和6年（2024年）4月1日公表"),
    ("{issued:西暦}公表", "2024年4月1日公表"),
    ("{effective}実施", "令和6年（2024年）5月20日実施"),
    ("{effective:西暦}実施", "2024年5月20日実施"),
    ("{self}と{self}", "当社と当社"),
]


@pytest.mark.parametrize(("text", "expected"), PARAMETERS, ids=case_ids([t for t, _ in PARAMETERS]))
def test_a_parameter_renders_from_the_variant_and_its_declared_type(tmp_path: Path, text: str, expected: str) -> None:
    doc = compiled(base_project(tmp_path / "p", {"A2I1": text}))
    assert BLOCK["A2I1"](doc) == expected


def test_an_undeclared_parameter_with_a_value_prints_the_value_as_written(tmp_path: Path) -> None:
    """Lint (L004) warns about it; the document still prints what the variant says, untyped (no comma)."""
    variant = "params:\n  member_fee: 79200\n  visit_fee: 5500\n"
    doc = compiled(base_project(tmp_path / "p", {"A1": "訪問{visit_fee}円"}, variant=variant))
    assert BLOCK["A1"](doc) == "訪問5500円"


ERAS = [
    ("2019-04-30", "平成31年（2019年）4月30日", "2019年4月30日"),
    ("2019-05-01", "令和元年（2019年）5月1日", "2019年5月1日"),
    ("2020-12-31", "令和2年（2020年）12月31日", "2020年12月31日"),
    ("1989-01-08", "平成元年（1989年）1月8日", "1989年1月8日"),
]


@pytest.mark.parametrize(("day", "era", "western"), ERAS, ids=case_ids([d for d, _, _ in ERAS]))
def test_dates_change_era_on_the_first_day_of_the_era(tmp_path: Path, day: str, era: str, western: str) -> None:
    variant = f'params:\n  member_fee: 79200\n  start_day: "{day}"\n'
    doc = compiled(base_project(tmp_path / "p", {"A1": "{start_day}/{start_day:西暦}"}, variant=variant))
    assert BLOCK["A1"](doc) == f"{era}/{western}"


CAPTIONS = [
    ("C1", "{caption:a}", "定義"),
    ("C1", "「{caption:b}」", "「禁止事項」"),
    ("A1", "{caption:a.p2}", "定義"),  # a 項 or 号 gives the caption of its article
    ("A1", "{caption:a.p2.i3}", "定義"),
    ("C1", "{caption:b.x2}", "禁止事項"),
    ("A1", "{caption:c}", "当社への届出"),  # the caption's own {self} is filled
]


@pytest.mark.parametrize(("where", "text", "expected"), CAPTIONS, ids=case_ids([w for w, _, _ in CAPTIONS], [t for _, t, _ in CAPTIONS]))
def test_a_caption_placeholder_prints_the_articles_caption(tmp_path: Path, where: str, text: str, expected: str) -> None:
    doc = compiled(base_project(tmp_path / "p", {where: text, "CCAP": "{self}への届出"}))
    assert BLOCK[where](doc) == expected
    assert doc.article("c").caption == "当社への届出"


CONDITIONS = [
    # (text, medical on?, rendered)
    ("A{if medical}B{end}C", True, "ABC"),
    ("A{if medical}B{end}C", False, "AC"),
    ("A{if not medical}B{end}C", True, "AC"),
    ("A{if not medical}B{end}C", False, "ABC"),
    ("{if medical}医療{else}一般{end}", True, "医療"),
    ("{if medical}医療{else}一般{end}", False, "一般"),
    ("{if not medical}一般{else}医療{ref:b.x2}{end}", True, "医療第2条第2号"),
    ("{if medical}{if not medical}X{end}Y{end}Z", True, "YZ"),
]


@pytest.mark.parametrize(("text", "on", "expected"), CONDITIONS, ids=case_ids([t for t, _, _ in CONDITIONS], [o for _, o, _ in CONDITIONS]))
def test_an_inline_condition_keeps_the_branch_the_option_selects(tmp_path: Path, text: str, on: bool, expected: str) -> None:
    variant = "params:\n  member_fee: 79200\noptions:\n  medical: " + ("true" if on else "false") + "\n"
    doc = compiled(base_project(tmp_path / "p", {"A2I1": text}, variant=variant))
    assert BLOCK["A2I1"](doc) == expected


def test_a_block_emptied_by_an_option_disappears(tmp_path: Path) -> None:
    """A lead whose only text is switched off is no lead at all, not an empty line."""
    doc = compiled(base_project(tmp_path / "p", {"BLEAD": "{if medical}医療機器の注意{end}"}))
    assert doc.article("b").lead == ()


def test_decomposed_kana_is_composed(tmp_path: Path) -> None:
    """Text typed with a combining dakuten (か + U+3099) prints as the composed character (が)."""
    doc = compiled(base_project(tmp_path / "p", {"A1": "か\u3099{self}"}))
    assert BLOCK["A1"](doc) == "が当社"


# --- renumbering keeps every reference on its clause --------------------------------------------------------------------

ids = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(ids, min_size=2, max_size=8, unique=True), st.data())
def test_inserting_an_article_anywhere_keeps_references_on_their_clause(tmp_path_factory, order, data) -> None:
    """Each article refers to one 号 of another; after inserting an article anywhere, every reference still names
    the 号 it named before, under that article's new number."""
    targets = {a: data.draw(st.sampled_from(order)) for a in order}
    position = data.draw(st.integers(0, len(order)))

    def articles(ids_in_order: list[str]) -> dict[str, str]:
        out = {}
        for article_id in ids_in_order:
            ref = f'"{{ref:{targets[article_id]}.p2.i2}}を参照"' if article_id in targets else "本文"
            out[article_id] = (f"caption: 見出し{article_id}\nparagraphs:\n  - id: p1\n    text: {ref}\n  - id: p2\n"
                               "    text: 次の各号\n    items:\n      - id: i1\n        text: 一\n      - id: i2\n        text: 二\n")
        return out

    before = compiled(write_project(tmp_path_factory.mktemp("before"), articles(order)))
    inserted = order[:position] + ["zzzzzzz"] + order[position:]
    after = compiled(write_project(tmp_path_factory.mktemp("after"), articles(inserted)))
    for article_id, target in targets.items():
        old_number = order.index(target) + 1
        new_number = inserted.index(target) + 1
        assert new_number == old_number + (1 if old_number > position else 0)
        assert before.article(article_id).paragraphs[0].blocks == (f"第{old_number}条第2項第2号を参照",)
        assert after.article(article_id).paragraphs[0].blocks == (f"第{new_number}条第2項第2号を参照",)


# --- the renderer as the importer uses it (generator/importing/_align.py) ------------------------------------------------

def _renderer(tmp_path: Path, variant: str | None = None) -> _Renderer:
    root = base_project(tmp_path / "p", {}, **({"variant": variant} if variant else {}))
    return _Renderer(resolve(load(root), "v"))


def test_the_renderer_records_which_declared_parameters_a_text_uses(tmp_path: Path) -> None:
    """The importer keeps only the params the shared text uses (importer.py: renderer.used_params)."""
    r = _renderer(tmp_path)
    origin = r.resolved.project.where("terms/a.yaml", ("paragraphs", 0, "text"))
    assert r.text(RText("{member_fee}円、{self}、{start_day:西暦}", origin), ("a", "a.p1")) == "79,200円、当社、2025年1月6日"
    assert r.used_params == {"member_fee", "start_day", "self"}
    assert r.findings == []


def test_a_failed_placeholder_renders_as_a_visible_marker(tmp_path: Path) -> None:
    """The importer renders candidates with errors (and discards them by their findings): the text must still be a
    string, with a marker no real clause prints instead of a number."""
    r = _renderer(tmp_path)
    origin = r.resolved.project.where("terms/a.yaml", ("paragraphs", 0, "text"))
    text = r.text(RText("{ref:nothing}・{ref:b.x1:本項}・{caption:nothing}・{nothing}・{if nothing}有{else}無{end}", origin),
                  ("a", "a.p1"))
    assert text == "第?条・第?条・?・{nothing}・無"  # an undeclared option counts as off, as in when:
    assert [f.code for f in r.findings] == ["P002", "P003", "P002", "P001", "P004"]


def test_a_date_value_that_is_no_date_prints_as_written(tmp_path: Path) -> None:
    """The parameter check reports a bad date at the value (P012); the renderer must not fail on it meanwhile."""
    r = _renderer(tmp_path)
    variant = r.resolved.variant.model_copy(update={"params": {"member_fee": 79200, "start_day": "2025-02-30"}})
    r = _Renderer(type(r.resolved)(r.resolved.project, variant, r.resolved.articles, r.resolved.appendices, r.resolved.options))
    origin = r.resolved.project.where("terms/a.yaml", ("paragraphs", 0, "text"))
    assert r.text(RText("{start_day}から", origin), ("a", "a.p1")) == "2025-02-30から"
    assert r.issued == dt.date(2024, 4, 1) and r.effective == dt.date(2024, 5, 20)
