"""The smallest textual change to a YAML file: replace one value, or append one list entry.

Why not dump the whole round-trip tree: ruamel re-indents some constructs (nested "- - " lists),
so a dump would touch lines nobody changed and `git diff` would show noise. Here only the lines of
the value that changes are rewritten (with ruamel, in the project's YAML style); every other byte,
comments included, stays as it was.
"""

from __future__ import annotations

import io
from typing import Any

from ._yaml import make_yaml

Path_ = tuple[str | int, ...]


def _dump(key: str, value: Any) -> list[str]:
    out = io.StringIO()
    make_yaml().dump({key: value}, out)
    return out.getvalue().rstrip("\n").split("\n")


def _end_line(lines: list[str], positions: dict[Path_, tuple[int, int]], path: Path_) -> int:
    """0-based line where the value at path ends (exclusive): the next position outside it, minus trailing blanks/comments."""
    start = positions[path]
    later = [pos for p, pos in positions.items() if pos > start and p[: len(path)] != path]
    end = min(later)[0] - 1 if later else len(lines)
    while end > start[0] and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def replace_value(text: str, positions: dict[Path_, tuple[int, int]], path: Path_, value: Any) -> str:
    """text with the value at path (a mapping key or a list item) replaced by value."""
    lines = text.split("\n")
    line, col = positions[path]
    end = _end_line(lines, positions, path)
    head = lines[line - 1][: col - 1]
    if isinstance(path[-1], int):
        dumped = _dump("k", value)
        dumped[0] = dumped[0][len("k:"):].lstrip(" ")
        if dumped[0] == "":  # a block value (list/mapping) starts on the next line
            dumped = dumped[1:]
            dumped[0] = dumped[0].lstrip(" ")
    else:
        dumped = _dump(str(path[-1]), value)
    indent = " " * (col - 1)
    new = [head + dumped[0]] + [indent + d if d else d for d in dumped[1:]]
    return "\n".join(lines[: line - 1] + new + lines[end:])


def append_item(text: str, positions: dict[Path_, tuple[int, int]], key: str, item: Any) -> str:
    """text with item appended to the top-level list `key` (created at the end of the file if missing)."""
    lines = text.split("\n")
    dumped = _dump(key, [item])
    if (key,) not in positions:
        body = text.rstrip("\n")
        return body + "\n" + "\n".join(dumped) + "\n"
    end = _end_line(lines, positions, (key,))
    return "\n".join(lines[:end] + dumped[1:] + lines[end:])
