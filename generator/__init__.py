"""kiyaku (規約): terms of use as code.

Data flows one way:
    YAML (terms/, variants/) -> model -> resolved variant -> numbered document -> renderers
    git history -> releases -> diff -> notice -> site
"""

__version__ = "0.1.0"
