"""Renderers: one small registered class per output format.

Each takes a NumberedDocument and returns bytes; none of them computes a number or
resolves a placeholder (that was done in numbering). Heavy renderers (DOCX, PDF) are
imported only when asked for, so `kiyaku render --format txt` stays fast.

Layer 3 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/. Never: history/, lint/, build/, importing/, changes/, word/, site/, cli.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from ..compile.document import NumberedDocument
from ..source.errors import Location


class Renderer(Protocol):
    name: str
    extension: str
    media_type: str

    def render(self, doc: NumberedDocument, context: "RenderContext") -> bytes: ...


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may need besides the document: where templates live, the fixed timestamp."""

    root: str = "."
    timestamp: int = 0  # seconds since epoch for embedded dates (SOURCE_DATE_EPOCH / source commit)
    template: str | None = None  # a variant's own DOCX template, relative to root
    template_origin: Location | None = None  # where the variant names it, so errors point at the YAML line


# format name -> "module:Class"; order is the order of `kiyaku build`
REGISTRY = {
    "txt": "generator.render.text:TextRenderer",
    "md": "generator.render.markdown:MarkdownRenderer",
    "html": "generator.render.html:HtmlRenderer",
    "docx": "generator.render.docx:DocxRenderer",
    "pdf": "generator.render.pdf:PdfRenderer",
}


def available() -> list[str]:
    names = []
    for name, spec in REGISTRY.items():
        module = spec.split(":")[0]
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names


def get(name: str) -> Renderer:
    module_name, cls = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module_name), cls)()
