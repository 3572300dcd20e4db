"""Writing a new edition's number and dates into variants/<id>.yaml, changing nothing else.

Why not a YAML round trip: ruamel rewrites line endings (CRLF → LF), quoting and spacing it does
not keep, so a release would show as a rewrite of the whole file in `git diff` and in review.
The three values are replaced in place on their own lines; only when a key is missing or written
in a form this does not recognise (a block scalar, a flow mapping) does it fall back to the round
trip, and then it keeps the file's line endings and byte order mark.
"""

from __future__ import annotations

import io
import re

_BOM = b"\xef\xbb\xbf"


def _line(key: str) -> re.Pattern[bytes]:
    # a top-level key with a one-line value, optionally quoted, optionally followed by a comment
    return re.compile(rb"^(" + key.encode() + rb":[ \t]*)(\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s#\"'][^#\r\n]*?)([ \t]*(?:#[^\r\n]*)?)(\r?)$", re.M)


def _replace(raw: bytes, key: str, value: bytes) -> bytes | None:
    pattern = _line(key)
    matches = list(pattern.finditer(raw))
    if len(matches) != 1:
        return None
    m = matches[0]
    return raw[:m.start(2)] + value + raw[m.end(2):]


def with_identity(raw: bytes, edition: int, issued: str, effective: str) -> bytes:
    """raw with edition, issued and effective set; line endings, BOM, comments and layout kept."""
    out: bytes | None = raw
    for key, value in (("edition", str(edition).encode()), ("issued", f'"{issued}"'.encode()),
                       ("effective", f'"{effective}"'.encode())):
        out = _replace(out, key, value) if out is not None else None
    return out if out is not None else _round_trip(raw, edition, issued, effective)


def _round_trip(raw: bytes, edition: int, issued: str, effective: str) -> bytes:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from ._yaml import make_yaml

    bom = raw.startswith(_BOM)
    body = raw[len(_BOM):] if bom else raw
    crlf = b"\r\n" in body
    yaml = make_yaml()
    tree = yaml.load(io.StringIO(body.decode("utf-8").replace("\r\n", "\n")))
    tree["edition"] = edition
    tree["issued"] = DoubleQuotedScalarString(issued)
    tree["effective"] = DoubleQuotedScalarString(effective)
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    text = buffer.getvalue().replace("\n", "\r\n") if crlf else buffer.getvalue()
    return (_BOM if bom else b"") + text.encode("utf-8")
