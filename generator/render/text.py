"""Plain text: the reference rendering that `kiyaku compare` and the tests read."""

from __future__ import annotations

from ..compile.document import NArticle, NumberedDocument


def _article(article: NArticle) -> list[str]:
    lines = [article.heading]
    lines += list(article.lead)
    for item in article.items:
        lines.append(f"{item.label}{item.blocks[0]}" if item.blocks else item.label)
        lines += [f"　{b}" for b in item.blocks[1:]]
    for para in article.paragraphs:
        first, *rest = para.blocks or ("",)
        lines.append(f"{para.label} {first}")
        lines += [f"　{b}" for b in rest]
        for item in para.items:
            lines.append(f"{item.label}{item.blocks[0]}" if item.blocks else item.label)
            lines += [f"　{b}" for b in item.blocks[1:]]
        lines += [f"　{b}" for b in para.after]
    return lines


def render_text(doc: NumberedDocument) -> str:
    lines = [doc.service, doc.subtitle, doc.cover_line, doc.provider, "", doc.title, ""]
    for article in doc.articles:
        lines += _article(article) + [""]
    lines += ["附則"] + list(doc.supplementary) + [""]
    for appendix in doc.appendices:
        lines += ["別紙", appendix.title, ""]
        for section in appendix.sections:
            lines += [section.mark, section.heading] + list(section.blocks)
            if section.table is not None:
                if section.table.missing:
                    lines.append(f"［表の欠落］{section.table.missing}")
                else:
                    lines.append("\t".join(section.table.columns))
                    lines += ["\t".join(row) for row in section.table.rows]
            lines += list(section.notes) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


class TextRenderer:
    name, extension, media_type = "txt", ".txt", "text/plain; charset=utf-8"

    def render(self, doc: NumberedDocument, context=None) -> bytes:
        return render_text(doc).encode("utf-8")
