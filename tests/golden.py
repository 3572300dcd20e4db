"""The golden text renderings (tests/golden/mini.{txt,md,html}): how they are made, in one place.

test_determinism.py compares with them; tests/update_golden.py writes them. Nothing else does.
"""

from __future__ import annotations

from pathlib import Path

from conftest import MINI
from renderings import MINI_VARIANTS, case

GOLDEN = Path(__file__).resolve().parent / "golden"
TEXT_FORMATS = ("txt", "md", "html")


def golden_path(fmt: str) -> Path:
    return GOLDEN / f"mini.{fmt}"


def golden_text(fmt: str) -> bytes:
    """Both mini variants in one file, each after a marker line, exactly as the renderer wrote them."""
    parts = []
    for variant in MINI_VARIANTS:
        parts.append(f"===== {variant}.{fmt} =====\n".encode("utf-8") + case(MINI, variant).render(fmt))
    return b"".join(parts)
