"""'Did you mean': the closest known id for a typo, aware of id paths (fees.no-refund).

A path is compared with paths of the same depth first, so `fees.no-refunds` suggests
`fees.no-refund` rather than an article whose id happens to be close to the whole string.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    pool = sorted(set(candidates))
    if not pool or word in pool:
        return None
    depth = word.count(".")
    same_depth = [c for c in pool if c.count(".") == depth]
    if depth and same_depth:
        # keep the longest prefix that exists, then compare the rest (service.contents.consultation.dsk)
        parts = word.split(".")
        for keep in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:keep]) + "."
            siblings = [c for c in same_depth if c.startswith(prefix)]
            if siblings:
                found = difflib.get_close_matches(word, siblings, n=1, cutoff=0.6)
                if found:
                    return found[0]
                break
    found = difflib.get_close_matches(word, same_depth or pool, n=1, cutoff=0.6)
    if not found and same_depth:
        found = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str], fallback: str = "") -> str:
    """The hint text: 「X」の書き間違いではありませんか？ or the fallback when nothing is close."""
    near = closest(word, candidates)
    return f"「{near}」の書き間違いではありませんか？" if near else fallback
