"""kiyaku (規約): terms of use as code.

Data flows one way:
    YAML (terms/, variants/) -> model -> resolved variant -> numbered document -> renderers
    git history -> releases -> diff -> notice -> site

The code is one subpackage per stage; their order, and so what each may import, is declared in
generator/_layers.py (checked by tests/test_layout.py).
"""

__version__ = "0.1.0"
