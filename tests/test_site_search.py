"""The search index a visitor downloads (generator/site/search.py) and the comparison's group names."""

from __future__ import annotations

from generator.site import search
from generator.site.matrix import Row

OWNERS = {
    "a-cci/": search.Owner("a-cci/", "甲商工会議所", "本所"),
    "b-it/": search.Owner("b-it/", "株式会社乙", "弊社"),
    "c-cci/": search.Owner("c-cci/", "丙商工会議所", "本所"),
}


def _doc(location: str, text: str, title: str = "第22条（反社会的勢力等の排除）") -> dict:
    return {"location": location, "title": title, "text": text}


def test_a_clause_shared_by_every_reseller_is_indexed_once() -> None:
    index = {"config": {"lang": ["ja"]}, "docs": [
        _doc("a-cci/", "甲商工会議所の利用規約", "甲商工会議所の利用規約"),
        _doc("a-cci/#antisocial-forces", "<p>お客様および本所は、反社会的勢力…</p>"),
        _doc("b-it/#antisocial-forces", "<p>お客様および弊社は、反社会的勢力…</p>"),
        _doc("c-cci/#antisocial-forces", "<p>お客様および本所は、反社会的勢力…</p>"),
        _doc("c-cci/#fees", "<p>丙商工会議所の会員は年間66,000円</p>", "第13条（料金）"),
        _doc("a-cci/#fees", "<p>甲商工会議所の会員は年間79,200円</p>", "第13条（料金）"),
    ]}
    docs = search.compact(index, OWNERS)["docs"]
    article = [d for d in docs if d["location"].endswith("#antisocial-forces")]
    assert [d["location"] for d in article] == ["a-cci/#antisocial-forces"]
    assert "〔自称〕" in article[0]["text"] and "本所" not in article[0]["text"]
    fees = [d for d in docs if d["location"].endswith("#fees")]
    assert len(fees) == 2  # the fee differs: both wordings stay findable
    assert docs[0]["text"] == "甲商工会議所の利用規約"  # the page lead (the reseller's name) is kept as is


def test_page_boilerplate_and_the_comparisons_texts_stay_out() -> None:
    index = {"docs": [
        _doc("a-cci/#downloads", "<p>すべてのファイルの SHA-256 は…</p>", "ダウンロード"),
        _doc("a-cci/#history", "版の履歴", "版の履歴"),
        _doc("compare/", "各販売店の利用規約を比べた一覧です。", "販売店ごとの違い"),
        _doc("compare/#diff-fees", "A と B の比較 年間79,200円", "利用料金"),
    ]}
    docs = search.compact(index, OWNERS)["docs"]
    assert [d["location"] for d in docs] == ["compare/", "compare/#diff-fees"]
    assert docs[1]["text"] == "" and docs[1]["title"] == "利用料金"


def test_snippets_carry_no_screen_reader_markers_or_second_numbering() -> None:
    text = "<p>1.本所は</p><ol> <li><p>（1）暴力団<mark><span>［相違箇所］</span>関係</mark>［ここまで］</p></li></ol>［変更前の箇所］"
    cleaned = search.clean(text)
    assert "［" not in cleaned and "<ol" not in cleaned and "<li" not in cleaned
    assert "（1）暴力団" in cleaned and "関係" in cleaned


def test_group_names_continue_after_z() -> None:
    row = Row("k", "c", (), ())
    assert [row.group_name(g) for g in (None, 0, 25, 26, 51, 52, 701, 702)] == ["—", "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
