"""Typed parameters: what a value declared in terms/document.yaml may be, and how it prints.

A fee is an integer in the YAML (79200) and prints as 79,200; 円 belongs to the clause text,
never to the value, so "105,600円" in a variant would print 105,600円円. Every check here
returns the corrected value for the hint, because a clerk fixes what the message shows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..source.model import DocumentConfig, ParameterDecl
from .eras import era_date, western_date

BUILTIN = ("self", "name", "edition", "notice_days", "issued", "effective")  # supplied by the variant's own fields
TODO = "TODO"

_UNIT = re.compile(r"(円|税込|（税込）|\(税込\)|/年|／年|年額|\s)")


@dataclass(frozen=True)
class Problem:
    """Why a value does not fit its type, and the value to write instead (if one can be guessed)."""

    code: str
    message: str
    hint: str


def _as_integer(value: str) -> int | None:
    """'105,600円', '１０５，６００' → 105600; None when the text is not a number with decoration."""
    folded = unicodedata.normalize("NFKC", value)
    folded = _UNIT.sub("", folded).replace(",", "")
    return int(folded) if re.fullmatch(r"\d+", folded) else None


def is_todo(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().upper().startswith(TODO)


def check(name: str, decl: ParameterDecl, value: str | int) -> Problem | None:
    """None if value fits the declared type; otherwise what is wrong and the corrected YAML line."""
    if is_todo(value):
        example = str(value).split(":", 1)[1].strip() if ":" in str(value) else ""
        shown = f"（手本の販売店の値: {example}）" if example else ""
        sample = example or (decl.example if decl.example is not None else "値")
        if decl.type not in ("yen", "count"):
            sample = f'"{sample}"' if any(c.isdigit() for c in str(sample)) else sample
        return Problem("P014", f"パラメータ「{name}」がまだ TODO のままです{shown}。",
                       f"「{TODO}: 」を消して、この販売店の値を書いてください（例: {name}: {sample}）。")
    if decl.type in ("yen", "count"):
        unit = "円の金額" if decl.type == "yen" else "数"
        if isinstance(value, int):
            if value < 0:
                return Problem("P010", f"パラメータ「{name}」（{unit}）が負の数です。", f"0 以上の整数を書いてください（例: {name}: {abs(value)}）。")
            return None
        guess = _as_integer(value)
        if guess is not None:
            extra = "「円」やカンマは本文の側で付きます（表示は " + f"{guess:,}" + "）。" if decl.type == "yen" else ""
            return Problem("P010", f"パラメータ「{name}」は{unit}なので、半角の整数だけで書きます（「{value}」と書かれています）。",
                           f"{name}: {guess} と書いてください。{extra}")
        return Problem("P010", f"パラメータ「{name}」は{unit}なので、半角の整数で書きます（「{value}」と書かれています）。",
                       f"{name}: {decl.example or 79200} のように数字だけを書いてください。")
    if isinstance(value, int):
        return Problem("P010", f"パラメータ「{name}」は文字列です（整数 {value} と書かれています）。",
                       f'{name}: "{value}" のように引用符で囲んでください。')
    if decl.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return Problem("P012", f"パラメータ「{name}」の日付「{value}」が正しくありません（存在しない日付か、書式が違います）。",
                           f'{name}: "2026-04-01" のように "YYYY-MM-DD" で、実在する日付を書いてください。')
        return None
    if decl.type == "choice" and value not in decl.choices:
        from ..source._suggest import closest

        near = closest(value, decl.choices)
        hint = f"「{near}」の書き間違いではありませんか？" if near else f"選べる値: {', '.join(decl.choices)}"
        return Problem("P011", f"パラメータ「{name}」の値「{value}」は選択肢にありません。", hint)
    return None


def render(decl: ParameterDecl | None, value: str | int, form: str | None = None) -> str:
    """The text a value prints as: yen with thousands separators, dates in the era style."""
    if decl is not None and decl.type == "yen" and isinstance(value, int):
        return f"{value:,}"
    if decl is not None and decl.type == "date" and isinstance(value, str):
        day = dt.date.fromisoformat(value)
        return western_date(day) if form == "西暦" else era_date(day)
    return str(value)


def of_type(document: DocumentConfig, kind: str) -> dict[str, ParameterDecl]:
    """The declared parameters of one type, e.g. of_type(doc, "yen") for fee changes in notices."""
    return {name: decl for name, decl in document.parameters.items() if decl.type == kind}


def typed(document: DocumentConfig, values: dict[str, str | int]) -> dict[str, str | int]:
    """Values as printed in a document ("79,200") back to their YAML form (79200) where the type says so."""
    out: dict[str, str | int] = {}
    for name, value in values.items():
        decl = document.parameters.get(name)
        if decl is not None and decl.type in ("yen", "count") and isinstance(value, str):
            number = _as_integer(value)
            out[name] = number if number is not None else value
        else:
            out[name] = value
    return out


def printed_example(decl: ParameterDecl, name: str) -> str:
    """The declared example as it prints (79200 → "79,200"): the importer matches printed words."""
    if decl.example is None:
        return name
    return render(decl, decl.example)


def uses(project, name: str) -> list[tuple[str, tuple]]:
    """(file, position path) of every text that writes {name}: where a fee appears, for notices and imports."""
    from . import _placeholders as ph

    found: list[tuple[str, tuple]] = []
    for relpath, loaded in sorted(project.sources.items()):
        for loc, text in _texts(loaded.data):
            try:
                tokens = ph.parse(text)
            except ph.PlaceholderError:
                continue
            if any(isinstance(t, ph.Param) and t.name == name for t in ph.walk(tokens)):
                found.append((relpath, loc))
    return found


def _texts(data, loc: tuple = ()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, loc + (index,))
    elif isinstance(data, str) and "{" in data:
        yield loc, data
