"""Markdown (CommonMark-safe): numbers are written as text, never as Markdown lists.

Every ASCII character Markdown could read as syntax is escaped, so clause text stays text.
"""

from __future__ import annotations

import re

from ..compile.document import NArticle, NumberedDocument

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _article(article: NArticle) -> list[str]:
    out = [f'## {escape(article.heading)} {{#{article.anchor}}}', ""]
    out += [escape(b) + "\n" for b in article.lead]
    for item in article.items:
        out += [f"{escape(item.label)}{escape(b)}\n" if i == 0 else f"{escape(b)}\n" for i, b in enumerate(item.blocks)]
    for para in article.paragraphs:
        blocks = para.blocks or ("",)
        out.append(f"{para.number}\\. {escape(blocks[0])}\n")
        out += [escape(b) + "\n" for b in blocks[1:]]
        for item in para.items:
            out += [f"{escape(item.label)}{escape(b)}\n" if i == 0 else f"{escape(b)}\n" for i, b in enumerate(item.blocks)]
        out += [escape(b) + "\n" for b in para.after]
    return out


def render_markdown(doc: NumberedDocument) -> str:
    out = [f"# {escape(doc.title)}", "", escape(doc.subtitle) + "  ", escape(doc.cover_line) + "  ", escape(doc.provider), ""]
    for article in doc.articles:
        out += _article(article)
    out += ["## 附則 {#supplementary}", ""] + [escape(s) + "\n" for s in doc.supplementary]
    for appendix in doc.appendices:
        out += [f"## 別紙 {{#{appendix.id}}}", "", escape(appendix.title), ""]
        for section in appendix.sections:
            out += [f"### {escape(section.mark)} {escape(section.heading)} {{#{appendix.id}-{section.id}}}", ""]
            out += [escape(b) + "\n" for b in section.blocks]
            table = section.table
            if table is not None and table.missing:
                out += [f"**［表の欠落］** {escape(table.missing)}", ""]
            elif table is not None:
                out.append("| " + " | ".join(escape(c) for c in table.columns) + " |")
                out.append("|" + "---|" * len(table.columns))
                out += ["| " + " | ".join(escape(c) for c in row) + " |" for row in table.rows]
                out.append("")
            out += [escape(n) + "\n" for n in section.notes]
    return "\n".join(out).rstrip("\n") + "\n"


class MarkdownRenderer:
    name, extension, media_type = "md", ".md", "text/markdown; charset=utf-8"

    def render(self, doc: NumberedDocument, context=None) -> bytes:
        return render_markdown(doc).encode("utf-8")
