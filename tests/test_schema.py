"""The committed JSON Schemas (used by editors) are exactly what the models declare."""

from __future__ import annotations

import json

from conftest import REPO
from generator.source.schema import schemas


def test_committed_schemas_match_the_models() -> None:
    for name, text in schemas().items():
        committed = (REPO / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"schema/{name} is out of date: run `kiyaku schema`"


def test_variant_schema_describes_the_keys_legal_staff_type() -> None:
    variant = json.loads(schemas()["variant.schema.json"])
    assert {"id", "name", "self", "edition", "issued", "effective", "params", "options", "overrides"} <= set(variant["properties"])
    assert variant["additionalProperties"] is False
    assert "引用符" in variant["properties"]["issued"]["description"]
