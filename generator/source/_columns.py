"""Exact columns: where a token inside a text, or a key's value, sits in its source file.

Positions from the YAML parser stop at the key; a finding about `{bogus}` in the middle of a
long clause must point at `{bogus}` itself, so the token is searched in the file's lines from
the field's position on (the same text cannot appear earlier in that field).
"""

from __future__ import annotations

from ._yaml import VALUE
from .errors import Location
from .load import Project


def _relpath(project: Project, path: str) -> str:
    label = project.tree.label
    return path[len(label):] if label and path.startswith(label) else path


def token_location(project: Project, origin: Location, snippet: str) -> Location:
    """The line and column of snippet at or after origin, or origin when it is not found."""
    if not snippet:
        return origin
    raw = project.tree.read(_relpath(project, origin.path))
    if raw is None:
        return origin
    lines = raw.decode("utf-8", errors="replace").splitlines()
    for number in range(origin.line, len(lines) + 1):
        line = lines[number - 1]
        start = origin.col - 1 if number == origin.line else 0
        col = line.find(snippet, start)
        if col >= 0:
            return Location(origin.path, number, col + 1)
    return origin


def value_location(project: Project, relpath: str, loc: tuple) -> Location:
    """Where the value of the key at loc starts (the key's own position when unknown)."""
    loaded = project.sources.get(relpath)
    if loaded is not None and tuple(loc) + (VALUE,) in loaded.positions:
        return loaded.where(tuple(loc) + (VALUE,))
    return project.where(relpath, loc)


def token_text(text: str, offset: int) -> str:
    """The raw placeholder starting at offset, braces included ({member_fee}, {ref:fees.amount})."""
    end = text.find("}", offset)
    return text[offset:end + 1] if end >= 0 else text[offset:offset + 12]
