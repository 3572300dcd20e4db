"""Text, Markdown and HTML renderings: structure, Japanese conventions, and inert clause text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from generator.compile.pipeline import compile_variant, load
from generator.render.html import render_page
from generator.render.markdown import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">リンク</a>',
    "```{=html}\n<b>raw</b>\n```",
    "\\input{/etc/passwd}",
    "A & B < C > D \"E\" 'F'",
]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _with_text(mini: Path, text: str) -> Path:
    path = mini / "terms" / "purpose.yaml"
    body = path.read_text(encoding="utf-8")
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    path.write_text(body.replace("    text: 本規約は", f'    text: "{quoted}"\n    #', 1), encoding="utf-8")
    return mini


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if "{" not in h])
def test_hostile_text_is_shown_as_text_in_html(mini: Path, hostile: str) -> None:
    doc = compile_variant(load(_with_text(mini, hostile)), "alpha")
    page = render_page(doc)
    parser = _Collect()
    parser.feed(page)
    assert not any(tag == "script" for tag, _ in parser.tags)
    assert not any("javascript:" in (attrs.get("href") or "") for _, attrs in parser.tags)
    assert not any(tag == "b" for tag, _ in parser.tags)
    import html

    assert hostile in html.unescape(page)  # shown to the reader as the very characters written
    assert hostile not in page or "<" not in hostile


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if "{" in h])
def test_braces_in_clause_text_are_refused_not_interpreted(mini: Path, hostile: str) -> None:
    result = run_cli("render", "alpha", "--root", str(_with_text(mini, hostile)))
    assert result.code == 1 and re.search(r"terms/purpose\.yaml:\d+:\d+: T00\d ", result.stderr), result.stderr


def test_markdown_escapes_every_markup_character(mini: Path) -> None:
    doc = compile_variant(load(_with_text(mini, "*強調*_x_ [a](b) <i>x</i> # 見出し `code` | 表")), "alpha")
    md = render_markdown(doc)
    assert "\\*強調\\*" in md and "\\[a\\]\\(b\\)" in md and "\\<i\\>" in md and "\\`code\\`" in md


def test_html_page_structure() -> None:
    project = load(REPO)
    for variant_id in project.variants:
        doc = compile_variant(project, variant_id)
        page = render_page(doc)
        parser = _Collect()
        parser.feed(page)
        assert ("html", {"lang": "ja"}) in parser.tags
        assert sum(1 for tag, _ in parser.tags if tag == "h1") == 1
        assert any(tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in parser.tags)
        section_ids = [attrs["id"] for tag, attrs in parser.tags if tag == "section" and attrs.get("class") == "article"]
        assert section_ids == [a.id for a in doc.articles]
        assert f'href="#{doc.articles[12].id}">第13条</a>' in page


def test_text_rendering_uses_japanese_conventions() -> None:
    project = load(REPO)
    from generator.render.text import render_text

    text = render_text(compile_variant(project, "hiroshima-cci"))
    assert text.startswith("商工会議所サイバーセキュリティお助け隊サービス\n")
    assert "\n第13条（本サービスの利用料金、支払方法、利用期間）\n" in text
    assert "\n（1）" in text
    assert "この規約は、2022年7月25日から実施します。" in text
