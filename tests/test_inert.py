"""Hostile text stays text: any clause text, appendix cell or note reaches HTML and DOCX inert.

The check is structural, not a search for "<script": the output is parsed and its elements and
attributes are compared with the output of the same document holding a harmless word instead.
Hostile text may add characters, never an element or an attribute. The strategy draws ASCII
letters, markup, entity references and URLs (an alphabet without lowercase Latin letters cannot
spell "<script" at all).
"""

from __future__ import annotations

import io
import string
import unicodedata
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import MINI, copy_project
from generator.compile.pipeline import compile_variant, load
from generator.render import RenderContext, get
from generator.render.html import render_page

HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(["<script>alert(1)</script>", "<b>", "</td>", "</p><p>", "<img src=x onerror=alert(1)>",
                         '<a href="https://evil.example/">', "&amp;", "&lt;", "&#60;", "&#x3c;", "&nbsp;", "&copy",
                         "https://example.com/?a=1&b=2#x", "javascript:alert(1)", "<!--", "-->", "<![CDATA[", "]]>",
                         "<?xml ?>", "%", "\"", "'", "`", "\\"]),
        st.text(alphabet=string.ascii_letters + string.digits + "<>/=&;#:\"' ", min_size=1, max_size=12),
        st.sampled_from(list("あ漢字「」（）、。")),
    ),
    min_size=1, max_size=8,
).map("".join).map(str.strip).filter(bool)

HARMLESS = "あ"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _document(root_factory, text: str):
    """mini with `text` as the first clause, an appendix table cell and an appendix note."""
    root = copy_project(MINI, root_factory.mktemp("inert") / "mini")
    clause = root / "terms" / "purpose.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace(
        "    text: 本規約は、{name}（以下「{self}」といいます。）が提供する条件を定めます。", f"    text: {_quoted(text)}"),
        encoding="utf-8")
    variant = root / "variants" / "alpha.yaml"
    variant.write_text(variant.read_text(encoding="utf-8")
                       .replace('["60分未満", "16,500円"]', f'["60分未満", {_quoted(text)}]')
                       .replace("notes: [※上限があります。]", f"notes: [{_quoted(text)}]"), encoding="utf-8")
    return compile_variant(load(root), "alpha")


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.text: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements[(tag, tuple(sorted(name for name, _ in attrs)))] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.other.append("comment")

    def handle_pi(self, data):
        self.other.append("pi")

    def unknown_decl(self, data):
        self.other.append("decl")


def _html_structure(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    return parser


@settings(max_examples=40, deadline=None)
@given(HOSTILE)
@example("<b>太字</b>")
@example('<img src=x onerror="alert(1)">')
@example("&lt;script&gt;")
def test_hostile_text_adds_no_element_or_attribute_to_html(tmp_path_factory, text: str) -> None:
    expected = unicodedata.normalize("NFC", text)
    page = _html_structure(render_page(_document(tmp_path_factory, text)))
    baseline = _html_structure(render_page(_document(tmp_path_factory, HARMLESS)))
    assert page.elements == baseline.elements
    assert page.other == baseline.other
    shown = "".join(page.text)
    assert shown.count(expected) >= 3  # clause, table cell, note: each exactly as written


def _docx_structure(data: bytes) -> tuple[Counter, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    elements = Counter((e.tag, tuple(sorted(e.attrib))) for e in root.iter())
    text = "".join(e.text or "" for e in root.iter() if e.tag.endswith("}t"))
    return elements, text


@settings(max_examples=15, deadline=None)
@given(HOSTILE)
@example("<w:p><w:r><w:t>x</w:t></w:r></w:p>")
def test_hostile_text_adds_no_element_or_attribute_to_docx(tmp_path_factory, text: str) -> None:
    expected = unicodedata.normalize("NFC", text)
    render = get("docx").render
    elements, shown = _docx_structure(render(_document(tmp_path_factory, text), RenderContext(root=str(MINI), timestamp=0)))
    base, _ = _docx_structure(render(_document(tmp_path_factory, HARMLESS), RenderContext(root=str(MINI), timestamp=0)))
    assert elements == base
    assert shown.count(expected) >= 3


def test_the_strategy_can_spell_a_script_tag() -> None:
    # the property above is only worth something if hostile text can really contain live markup
    found = []

    @settings(max_examples=300, database=None)
    @given(HOSTILE)
    def collect(text: str) -> None:
        found.append(text)

    collect()
    joined = "\n".join(found)
    assert "<script" in joined and "https://" in joined and "&amp;" in joined
    assert any(c in joined for c in string.ascii_lowercase)
