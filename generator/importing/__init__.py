"""importing/ — outside documents and new resellers: `kiyaku compare`, `kiyaku import` (parse, align,
DOCX lines, the differences as overrides, reading and writing) and `kiyaku new`.

Layer 7 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/, history/, lint/, build/. Never: changes/, word/, site/, cli.

Modules: _align, _docx_lines, _import_diff, _import_io, _parse_terms, compare, importer, scaffold.
"""
