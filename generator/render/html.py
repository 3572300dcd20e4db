"""Standalone HTML (lang="ja", an anchor per article) and the fragment the website embeds.

Jinja2 renders our own templates only, with autoescape and StrictUndefined: clause text
reaches the page as escaped text and can never become live HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import re

import jinja2
from markupsafe import Markup, escape

from ..compile.document import NumberedDocument


@dataclass(frozen=True)
class _Entry:
    path: str
    label: str
    blocks: tuple[str, ...]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["anchor"] = anchor
    env.filters["nobreak"] = nobreak
    return env


# Units that Japanese typesetting never breaks across lines (the PDF does the same in
# templates/typeset.typ): references 第16条第2項, amounts 16,500円 / 5万円, dates, ※marks.
_UNBREAKABLE = re.compile(
    r"第[0-9]+(?:条|項|号)(?:第[0-9]+(?:項|号))*"
    r"|※[0-9]+"
    r"|[0-9][0-9,]*万?円"
    r"|(?:令和|平成)[0-9元]+年（[0-9]+年）[0-9]+月[0-9]+日"
    r"|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日"
    r"|[0-9]{1,2}月[0-9]{1,2}日")


def nobreak(text: str) -> Markup:
    """Escape text, then keep each unbreakable unit on one line.

    The pattern runs on the escaped text and matches only digits and kanji, never inside an
    entity such as &#39; — so the only markup it can add is our own span.
    """
    escaped = str(escape(text))
    return Markup(_UNBREAKABLE.sub(lambda m: f'<span class="nobr">{m.group()}</span>', escaped))


def anchor(path: str) -> str:
    """HTML id for an id path: fees.no-refund -> fees--no-refund (stable across renumbering)."""
    return path.replace(".", "--")


_ENV = _environment()


class _ArticleView:
    """Adds `entries` (items) to the frozen dataclasses without changing them; Jinja reads dict.items otherwise."""

    def __init__(self, article) -> None:
        self._a = article
        self.entries = [_Entry(i.path, i.label, i.blocks) for i in article.items]
        self.paragraphs = [_ParaView(p) for p in article.paragraphs]

    def __getattr__(self, name):
        return getattr(self._a, name)


class _ParaView:
    def __init__(self, para) -> None:
        self._p = para
        self.entries = [_Entry(i.path, i.label, i.blocks) for i in para.items]

    def __getattr__(self, name):
        return getattr(self._p, name)


class _DocView:
    def __init__(self, doc: NumberedDocument) -> None:
        self._d = doc
        self.articles = [_ArticleView(a) for a in doc.articles]

    def __getattr__(self, name):
        return getattr(self._d, name)


def render_fragment(doc: NumberedDocument, heading_level: int = 1) -> str:
    """The terms as an HTML fragment; heading_level 2 when the page has its own h1."""
    h = heading_level
    return _ENV.get_template("terms_body.html.j2").render(
        doc=_DocView(doc), h=f"h{h}", h2=f"h{h + 1}", h3=f"h{h + 2}")


def stylesheet() -> str:
    return resources.files("generator").joinpath("templates/terms.css").read_text(encoding="utf-8")


def render_page(doc: NumberedDocument) -> str:
    body = Markup(render_fragment(doc))
    return _ENV.get_template("terms_page.html.j2").render(doc=doc, body=body, css=Markup(stylesheet()))


class HtmlRenderer:
    name, extension, media_type = "html", ".html", "text/html; charset=utf-8"

    def render(self, doc: NumberedDocument, context=None) -> bytes:
        return render_page(doc).encode("utf-8")
