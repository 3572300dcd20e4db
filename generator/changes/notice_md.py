"""The 規約変更のお知らせ in Markdown (one registered format of generator.changes.notice.FORMATS).

Why inline HTML in places: a 新旧対照表 cell must hold line breaks and, for a 別紙 table, a
table; pipe tables cannot nest, so a changed table is written as a one-line HTML table inside
the cell (GitHub, pandoc and Python-Markdown all pass it through). Every text is escaped: by
backslashes where it is Markdown, by HTML entities inside the inline tables.
"""

from __future__ import annotations

import html
from typing import Any

from ..render.markdown import escape
from .notice import Notice
from .notice_render import notice_view


def _lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def _cell(label: str, pieces: list[dict[str, Any]]) -> str:
    body = "".join(f"<u>{_lines(p['text'])}</u>" if p["changed"] else _lines(p["text"]) for p in pieces)
    return (f"**{escape(label)}**<br>" if label else "") + body


def _html(text: str) -> str:
    return html.escape(text).replace("|", "&#124;").replace("\n", "<br>")


def _table(label: str, rows: list[list[dict[str, Any]]]) -> str:
    """A 別紙 table as one line of HTML; a changed cell says so in text as well as by underline."""
    def cell(tag: str, c: dict[str, Any]) -> str:
        body = "".join(f"<u>{_html(p['text'])}</u>" if p["changed"] else _html(p["text"]) for p in c["pieces"])
        return f"<{tag}>{'［変更］' if c['changed'] else ''}{body}</{tag}>"

    head = "".join(cell("th", c) for c in rows[0])
    body = "".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows[1:])
    return (f"**{escape(label)}**<br>" if label else "") + f"<table><tr>{head}</tr>{body}</table>"


def _link(text: str, href: str | None) -> str:
    return f"[{escape(text)}]({href})" if href else escape(text)


def _side(label: str, pieces: list[dict[str, Any]], table: list[list[dict[str, Any]]] | None) -> str:
    return _table(label, table) if table is not None else _cell(label, pieces)


class MarkdownNotice:
    name, extension, media_type = "md", ".md", "text/markdown; charset=utf-8"

    def render(self, notice: Notice) -> bytes:
        v = notice_view(notice)
        out = [f"# {escape(v['title'])}", "", escape(v["date"]), "", escape(v["addressee"]), "", escape(v["provider"]) + "  "]
        out += [f"{escape(c['label'])}: {escape(c['value'])}  " for c in v["contact"]]
        out[-1] = out[-1].rstrip()
        out += ["", f"## {escape(v['subject'])}", "", escape(v["lead"]), "", escape(v["ki"]), "", "| 項目 | 内容 |", "|---|---|"]
        out += [f"| {escape(f['label'])} | {escape(f['value'])} |" for f in v["facts"]]
        out.append("")
        if v["refund"]:
            out += [escape(v["refund"]), ""]
        out += ["### 変更する条項", ""]
        for a in v["articles"]:
            out.append(f"- {_link(a['heading'], a['href'])}（{escape(a['status'])}）")
            out += [f"    - {_link(p['label'], p['href'])}：{escape(p['note'])}" for p in a["parts"]]
        if not v["articles"]:
            out.append("（なし）")
        out += ["", "### 新旧対照表", ""]
        if v["empty"]:
            out += [escape(v["empty"])]
        else:
            out += [escape(v["legend"]), "", "| 変更後 | 変更前 | 備考 |", "|---|---|---|"]
            out += [f"| {_side(r['new_label'], r['new'], r['new_table'])} | {_side(r['old_label'], r['old'], r['old_table'])} "
                    f"| {escape(r['note'])} |" for r in v["rows"]]
        out += ["", escape(v["closing"])]
        return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")
