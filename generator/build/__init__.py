"""build/ — `kiyaku build` and `kiyaku verify`: cache state, units of work, the worker pool, atomic
publishing of rendered/, batches for the site, and rendering everything again to compare.

Layer 6 of 10 (generator/_layers.py). May import: its own modules, the package root (generator),
source/, compile/, render/, history/, lint/. Never: importing/, changes/, word/, site/, cli.

Modules: _outputs, _pool, _state, builder, render_batch, verify.
"""
