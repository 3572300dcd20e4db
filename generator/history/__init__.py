"""history/ — the editions released so far: release records, the exact document of any edition read
from git, the checks that keep records true (against git and a published copy), the release journal,
and the calendar of the Civil Code.

Layer 4 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/. Never: lint/, build/, importing/, changes/, word/, site/, cli.

Modules: _calendar, _published, _records, _txn, editions.
"""
