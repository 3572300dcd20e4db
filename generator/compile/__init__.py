"""compile/ — sources to the numbered document: placeholders, parameters, resolve (overrides, options,
the checks on a variant), numbering, eras, typographic folding, the options table of docs/format.md,
and the pipeline load → compile_variant.

Layer 2 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/. Never: render/, history/, lint/, build/, importing/, changes/, word/, site/, cli.

Modules: _placeholders, _variant_checks, document, eras, normalize, numbering, options_doc, params,
pipeline, resolve.
"""
