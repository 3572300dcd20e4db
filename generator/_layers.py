"""The layers of generator/, declared once: one subpackage per stage, lowest first.

A module may import modules of its own subpackage (without a cycle), of the subpackages before
its own in LAYERS, and the package root (``generator``, for ``__version__``). Nothing may import
an upper layer, not even inside a function; tests/test_layout.py reads every import with ``ast``
and fails otherwise. cli.py and __main__.py sit on top: they may import every layer, and no
layer imports them. Each subpackage's ``__init__.py`` repeats its line from here as its
docstring (tools/restructure.py writes them).

Why this order, which the imports dictate (not taste): lint checks the release records
(history), a build runs lint before it renders, and `kiyaku release` runs lint before it records
an edition; so the records sit below lint, and releasing sits above build.
"""

from __future__ import annotations

# (subpackage, what it holds). Order matters: each may import only those above it.
LAYERS: tuple[tuple[str, str], ...] = (
    ("source", "the repository's files: safe YAML reading and editing, the model (schema), loading with "
               "positions and exact columns, errors and findings, the trust boundary (size budgets, "
               "allowed characters, safe paths, output folders, URLs), git access and repository state, "
               "atomic writes and the content-addressed cache"),
    ("compile", "sources to the numbered document: placeholders, parameters, resolve (overrides, "
                "options, the checks on a variant), numbering, eras, typographic folding, the options "
                "table of docs/format.md, and the pipeline load → compile_variant"),
    ("render", "the numbered document to bytes: one registered renderer per format (txt, md, html, docx, "
               "pdf) and the hidden ids every DOCX carries"),
    ("history", "the editions released so far: release records, the exact document of any edition "
                "read from git, the checks that keep records true (against git and a published copy), "
                "the release journal, and the calendar of the Civil Code"),
    ("lint", "`kiyaku lint`: every check on the sources and proofreading, with cached results"),
    ("build", "`kiyaku build` and `kiyaku verify`: cache state, units of work, the worker pool, "
              "atomic publishing of rendered/, batches for the site, and rendering everything again to compare"),
    ("importing", "outside documents and new resellers: `kiyaku compare`, `kiyaku import` (parse, align, "
                  "DOCX lines, the differences as overrides, reading and writing) and `kiyaku new`"),
    ("changes", "changing the terms in public: `kiyaku release` and `status`, `diff`, the "
                "規約変更のお知らせ (`notice`) in every format (its DOCX fonts and nested tables included), "
                "and Atom feeds (`feed`)"),
    ("word", "the Word round trip: `kiyaku redline` (two editions as tracked changes in a .docx) and "
             "`kiyaku apply` (a .docx edited in Word written back to the YAML as overrides)"),
    ("site", "the public website as an mkdocs plugin (entry point generator.site.plugin:KiyakuPlugin)"),
)

# Modules directly in generator/: the root every layer may import, and the commands on top
# (cli, its Japanese argparse messages, __main__).
ROOT: frozenset[str] = frozenset({"__init__", "_layers"})
TOP: frozenset[str] = frozenset({"cli", "__main__", "_argparse_ja"})


def names() -> tuple[str, ...]:
    """The subpackages, lowest first."""
    return tuple(name for name, _ in LAYERS)
