"""JSON Schemas of the source files, so editors (VS Code's YAML extension) validate while staff type.

The schemas are generated from the pydantic models (declared once) and committed under schema/;
a test fails if the committed copies drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import Article, DocumentConfig, Errata, Variant

SCHEMAS = {
    "article.schema.json": (Article, "条（terms/*.yaml）"),
    "document.schema.json": (DocumentConfig, "文書設定（terms/document.yaml）"),
    "variant.schema.json": (Variant, "販売店（variants/*.yaml）"),
    "errata.schema.json": (Errata, "正誤表（errata.yaml）"),
}


def schemas() -> dict[str, str]:
    out = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = title
        out[name] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def write(folder: Path) -> list[Path]:
    from ._writer import write_file_atomic

    written = []
    for name, text in schemas().items():
        path = folder / name
        write_file_atomic(path, text.encode("utf-8"))
        written.append(path)
    return written
