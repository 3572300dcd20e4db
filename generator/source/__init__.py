"""source/ — the repository's files: safe YAML reading, the model (schema), loading with positions,
errors and findings, git access, atomic writes and the content-addressed cache.

Layer 1 of 10 (generator/_layers.py). May import: its own modules, the package root (generator).
Never: compile/, render/, history/, lint/, build/, importing/, changes/, word/, site/, cli.

Modules: _budget, _cache, _columns, _faults, _files, _git, _githistory, _gitstate, _outdir,
_suggest, _textchars, _trust, _urls, _variant_edit, _writer, _yaml, _yaml_splice, errors, load,
model, schema.
"""
