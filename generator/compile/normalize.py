"""Typographic folding for comparison only. Stored text is never rewritten this way.

Folding removes what is noise in the sources (bracket and digit widths, spaces, line breaks,
Markdown marks, 關/関, sentence ends cut by extraction) so that comparisons count content.
"""

from __future__ import annotations

import re
import unicodedata

_MARKDOWN = re.compile(r"^\s*(?:#+\s*|[-*]\s+|>\s*)")
_BOLD = re.compile(r"\*\*|__")
_SPACE = re.compile(r"\s+")
_VARIANTS = str.maketrans({"關": "関", "〜": "~", "～": "~", "―": "-", "‐": "-", "−": "-", "／": "/"})
_SENTENCE_END = re.compile(r"ものとします[。、]|ものとし[。、]")
_KOTO = re.compile(r"(?<=関する)事")


def fold(text: str) -> str:
    """Fold typographic noise; idempotent: fold(fold(x)) == fold(x).

    One pass can expose new noise (NFKC turns ＞ into a Markdown quote mark), so fold to a fixpoint.
    """
    folded = _fold_once(text)
    while (again := _fold_once(folded)) != folded:
        folded = again
    return folded


def _fold_once(text: str) -> str:
    lines = [_MARKDOWN.sub("", line) for line in text.splitlines()]
    text = _BOLD.sub("", "".join(lines))
    text = unicodedata.normalize("NFKC", text).translate(_VARIANTS)
    text = _SPACE.sub("", text)
    text = _SENTENCE_END.sub("ものとし、", text)
    return _KOTO.sub("こと", text)
