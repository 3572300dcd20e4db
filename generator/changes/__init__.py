"""changes/ — changing the terms in public: `kiyaku release` and `status`, `diff`, the 規約変更のお知らせ
(`notice`) in every format (its DOCX fonts and nested tables included), and Atom feeds (`feed`).

Layer 8 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/, history/, lint/, build/, importing/. Never: word/, site/, cli.

Modules: _docx_fonts, _docx_tables, _elide, _notice_notes, _table_diff, diff, feeds, notice,
notice_md, notice_render, release.
"""
