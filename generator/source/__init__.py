"""source/ — the repository's files: safe YAML reading and editing, the model (schema), loading with
positions and exact columns, errors and findings, the trust boundary (size budgets, allowed
characters, safe paths, output folders, URLs), git access and repository state, atomic writes and
the content-addressed cache.

Layer 1 of 10 (generator/_layers.py). May import: its own modules, the package root (generator).
Never: compile/, render/, history/, lint/, build/, importing/, changes/, word/, site/, cli.

Modules: _budget, _cache, _columns, _faults, _files, _git, _githistory, _gitstate, _outdir,
_suggest, _textchars, _trust, _urls, _variant_edit, _writer, _yaml, _yaml_splice, errors, load,
model, schema.
"""
