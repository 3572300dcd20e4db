"""Test templates with one more part: a DOCX template copied with a relationship and a content type for it."""

from __future__ import annotations

import io
import posixpath
import zipfile

_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def copy_declaring(template: bytes, target: zipfile.ZipFile, part: str, rel_type: str, content_type: str) -> None:
    """Every entry of template into target, the document relating to `part` (which the caller then writes)."""
    relative = posixpath.relpath(part, "word")
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdTest" Type="{_RELS}{rel_type}" '
                                    f'Target="{relative}"/></Relationships>'.encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'.encode())
            target.writestr(info.filename, data)
