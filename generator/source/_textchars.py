"""Character rules for every string field of the schema, applied by walking the validated models.

Why a walk and not a list of fields: the check used to run on clause text only, so NUL and ESC
in a caption, U+2060 in a reseller's name or a bidi override in a table cell passed lint and
reached the site, the terminal (`render --format txt`) and Typst (which then blamed its own
template). Walking every str in every model (field values, list items and dict keys) covers the
fields other people add later without anyone remembering to list them.

Rules (errors, at the character's line and column):
- PR017 control characters (C0 except line feed and CRLF, DEL, C1) — NUL and ESC never reach a
  renderer, and a lone CR cannot overwrite a line on a terminal;
- PR015 lone surrogates (a "\\ud800" escape in YAML): not a character, cannot be written as UTF-8;
- PR011 invisible characters and bidi controls (zero width, word joiner, soft hyphen, BOM,
  Hangul fillers, tag characters, LRE…PDI, LRM/RLM/ALM);
- PR016 identity fields (名称・自称・見出し) not in Unicode NFC: a name pasted from macOS in NFD
  looks the same but compares, sorts and searches differently. Reported with the fixed text,
  not normalised silently (the YAML stays what people read).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import BaseModel

from .errors import Finding, Location

_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")  # CR only as part of CRLF, a line break
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]")
IDENTITY_FIELDS = frozenset({"name", "self", "service", "subtitle", "title", "caption", "heading", "mark"})

Loc = tuple[str | int, ...]
KEY = 0  # appended to a loc: the string is the mapping key, not its value (an int, so never a field name)


@dataclass(frozen=True)
class CharHit:
    loc: Loc  # where the string is in the file's data (keys as written in YAML)
    text: str
    offset: int  # position of the character in the string
    code: str
    message: str
    hint: str


def strings(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every str in a model (by field alias, as the YAML has it), list or dict, keys included."""
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from strings(getattr(value, name), loc + (info.alias or name,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from strings(item, loc + (index,))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):  # the key itself (a parameter name); its place is the key's line
                yield loc + (key, KEY), key
            yield from strings(item, loc + (str(key),))
    elif isinstance(value, str):
        yield loc, value


def _show(char: str) -> str:
    name = unicodedata.name(char, "") if not _SURROGATE.match(char) else "SURROGATE"
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def check_string(loc: Loc, text: str) -> list[CharHit]:
    """The first offending character of each kind in one string (one finding per kind and field)."""
    hits: list[CharHit] = []
    if m := _CONTROL.search(text):
        hits.append(CharHit(loc, text, m.start(), "PR017", f"制御文字（{_show(m.group())}）が含まれています。",
                            "その文字を削除してください（改行以外の制御文字は本文に入れられません）。"))
    if m := _SURROGATE.search(text):
        hits.append(CharHit(loc, text, m.start(), "PR015", f"不正な文字（対になっていないサロゲート {_show(m.group())}）が含まれています。",
                            "\\u エスケープを削除し、文字をそのまま書いてください。"))
    if m := _INVISIBLE.search(text):
        hits.append(CharHit(loc, text, m.start(), "PR011", f"目に見えない文字・書字方向制御（{_show(m.group())}）が含まれています。",
                            "その文字を削除してください（コピー＆ペーストで混入することがあります）。"))
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if field in IDENTITY_FIELDS and not hits and unicodedata.normalize("NFC", text) != text:
        first = next((i for i, (a, b) in enumerate(zip(text, unicodedata.normalize("NFC", text) + "\0")) if a != b), 0)
        hits.append(CharHit(loc, text, first, "PR016", "文字が Unicode の NFC（合成済み）形式ではありません（濁点などが分かれています）。",
                            f"「{unicodedata.normalize('NFC', text)}」と入力し直してください（macOS からの貼り付けで起こります）。"))
    return hits


def check_model(model: BaseModel) -> list[CharHit]:
    return [hit for loc, text in strings(model) for hit in check_string(loc, text)]


def findings(model: BaseModel, loaded: Any, raw: bytes) -> list[Finding]:
    """The hits of one validated file as findings at the character (loaded: its LoadedYaml)."""
    hits = check_model(model)
    if not hits:
        return []
    lines = raw.decode("utf-8", errors="replace").splitlines()
    out = []
    for hit in hits:
        base = loaded.where(hit.loc)
        place = column(lines, base.line, hit.text, hit.offset)
        where = Location(base.path, *place) if place else base
        out.append(Finding(where, hit.code, hit.message, hit.hint))
    return out


def column(raw_lines: list[str], start_line: int, text: str, offset: int) -> tuple[int, int] | None:
    """(line, col) of text[offset] in the file, searching from the field's line; None if not found.

    The character itself is looked for first; when it was written as an escape ("\\x1b"), the
    text just before it is, and the column is the one after that text.
    """
    char = text[offset]
    before = text[max(0, offset - 8):offset].split("\n")[-1]
    for number, line in enumerate(raw_lines[start_line - 1:start_line + 200], start=start_line):
        if not _SURROGATE.match(char) and (col := line.find(char)) >= 0:
            return number, col + 1
        if before and (col := line.find(before)) >= 0:
            return number, col + len(before) + 1
    return None
