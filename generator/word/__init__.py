"""word/ — the Word round trip: `kiyaku redline` (two editions as tracked changes in a .docx) and
`kiyaku apply` (a .docx edited in Word written back to the YAML as overrides).

Layer 9 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/, history/, lint/, build/, importing/, changes/. Never: site/, cli.

Modules: _apply_fold, _apply_map, _apply_plain, _apply_write, _docx_read, _ooxml_changes, apply,
redline.
"""
