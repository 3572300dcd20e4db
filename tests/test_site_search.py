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


# --- reseller pages indexed by kiyaku, parsing each shared block once (search.page_entries) -------

def _shipped_pages() -> list[tuple[str, str, str, search.Owner]]:
    """(url, title, page HTML, owner) for both shipped resellers, their terms as the site shows them."""
    from conftest import REPO
    from generator.compile.pipeline import compile_variant, load
    from generator.site.pages import terms_fragment

    project = load(REPO)
    out = []
    for variant in sorted(project.variants):
        doc = compile_variant(project, variant)
        url = f"{variant}/"
        html = f'<h1 data-kiyaku-reseller="{variant}">{doc.provider}の利用規約</h1>\n<h2 id="downloads">ダウンロード</h2><p>x</p>\n' \
               f'<div data-kiyaku-terms>{terms_fragment(doc)}</div>'
        out.append((url, f"{doc.provider}の利用規約", html, search.Owner(url, doc.provider, doc.self_ref)))
    return out


def _material_entries(url: str, title: str, html: str) -> list[dict]:
    """What mkdocs-material's own search plugin makes of the whole page (the reference)."""
    from types import SimpleNamespace

    from material.plugins.search.plugin import SearchIndex

    from generator.site.plugin import table_of_contents

    index = SearchIndex()
    index.add_entry_from_context(SimpleNamespace(meta={"title": title}, title=title, content=html, url=url,
                                                 toc=table_of_contents(html)))
    return index.entries


def _key(docs: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((d["location"], d["title"], d["text"]) for d in docs)


def test_page_entries_give_the_index_the_search_plugin_would_have_given() -> None:
    pages = _shipped_pages()
    owners = {url: owner for url, _t, _h, owner in pages}
    reference = [e for url, title, html, _o in pages for e in _material_entries(url, title, html)]
    seen: set[str] = set()
    ours = [e for url, title, html, owner in pages for e in search.page_entries(html, url, title, owner, seen)]
    assert len(reference) > 60  # every article of both resellers is a section
    assert _key(search.compact({"docs": ours}, owners)["docs"]) == _key(search.compact({"docs": reference}, owners)["docs"])


def test_a_block_seen_on_an_earlier_page_is_not_parsed_again() -> None:
    (url, _title, html, owner), = _shipped_pages()[:1]
    renamed = html.replace(owner.provider, "乙商工会議所")
    other = search.Owner("b/", "乙商工会議所", owner.self_ref)
    seen: set[str] = set()
    first = search.unseen(html, owner, seen)
    second = search.unseen(renamed, other, seen)
    assert first.count('<section class="article">') > 20
    assert '<section class="' not in second  # the same terms under another name: nothing left to parse
    assert "乙商工会議所の利用規約" in second and 'id="downloads"' in second  # the page's own parts stay


def test_a_block_that_differs_is_parsed_and_blocks_end_at_their_own_section() -> None:
    html = ('<h1>甲</h1><div><section class="article"><h3 id="a">A</h3><section class="x"><p>甲 内</p></section>'
            '<p>甲 後</p></section><section class="appendix"><h3 id="b">B</h3></section></div>')
    owner = search.Owner("a/", "甲", "本所")
    assert search._blocks(html) == [(html.index('<section class="article">'), html.index('<section class="appendix">')),
                                     (html.index('<section class="appendix">'), html.index("</div>"))]
    seen: set[str] = set()
    search.unseen(html, owner, seen)
    changed = html.replace("甲 後", "甲 後の変更")
    left = search.unseen(changed, owner, seen)
    assert "後の変更" in left and 'id="b"' not in left
