"""lint/ — `kiyaku lint`: every check on the sources and proofreading, with cached results.

Layer 5 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/, history/. Never: build/, importing/, changes/, word/, site/, cli.

Modules: _lint_contact, _proofread, checks.
"""
