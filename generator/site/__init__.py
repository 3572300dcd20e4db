"""The public website as an mkdocs plugin: every page is generated from the terms repository.

Why a plugin and not a script that writes Markdown: `mkdocs build` alone must build the whole
site from a fresh clone, and `mkdocs serve` must rebuild while legal staff edit YAML. The terms
themselves are embedded as kiyaku's own HTML (generator.render.html.render_fragment); Python-Markdown
would merge the （1） items, so no clause text ever passes through Markdown.

Modules: sources (one small function per data source: documents, releases, notices, feeds),
downloads (rendered files and manifest), matrix (differences between resellers), marks (how a
change is marked), pages (the HTML of each page), plugin (the mkdocs events).

Layer 10 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/, history/, lint/, build/, importing/, changes/, word/. Never: cli.
"""
