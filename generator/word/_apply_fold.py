"""For `kiyaku apply`: parameter values typed in Word folded back into their placeholders.

A value is recognised as it prints, through generator.compile.params.render (a fee 79200 as "79,200", a
date in the era style or, for {x:西暦}, the western one), whatever the parameter's type. Only text
the reviewer typed is folded: a literal "16,500" already in the YAML stays literal, because the same
digits may be a different fee (an incident price that happens to equal the installation fee), and
apply writes the smallest change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from ..compile import params
from ..compile.resolve import ResolvedVariant

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_DIGIT = r"0-9０-９"


@dataclass(frozen=True)
class Printed:
    """A parameter's value as the document prints it, and the placeholder that prints it."""

    text: str
    source: str


def printed_values(resolved: ResolvedVariant) -> tuple[Printed, ...]:
    """{self}, {name} and every declared parameter as printed; longest first, so 99,000 wins over 9,000."""
    variant, decls = resolved.variant, resolved.project.document.parameters
    out = [Printed(value, f"{{{name}}}") for name, value in (("self", variant.self_ref), ("name", variant.name)) if value]
    for name, value in variant.params.items():
        decl = decls.get(name)
        if params.is_todo(value):
            continue
        forms = (None, "西暦") if decl is not None and decl.type == "date" else (None,)
        for form in forms:
            try:
                shown = params.render(decl, value, form)
            except ValueError:  # an impossible date: lint reports it at the value
                continue
            out.append(Printed(shown, f"{{{name}{':' + form if form else ''}}}"))
    # one character is too common to be a value ("3" in 第3条); such a value stays literal
    return tuple(sorted((p for p in out if len(p.text) >= 2), key=lambda p: -len(p.text)))


def _pattern(values: tuple[Printed, ...]) -> re.Pattern[str] | None:
    if not values:
        return None
    parts = []
    for p in values:
        body = re.escape(p.text)
        # a number is a value only as a whole number: 79,200 is not inside 179,200 or 79,2000
        head = rf"(?<![{_DIGIT},，.．])" if p.text[0] in "0123456789０１２３４５６７８９" else ""
        tail = rf"(?![{_DIGIT}]|[,，][{_DIGIT}])" if p.text[-1] in "0123456789０１２３４５６７８９" else ""
        parts.append(f"{head}{body}{tail}")
    return re.compile("|".join(f"({part})" for part in parts))


def _fresh(old: str, new: str) -> list[bool]:
    """For each character of new: typed now (not in old)?"""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 1.0
    out: list[bool] = []
    for op, text in dmp.diff_main(old, new, False):
        if op >= 0:
            out.extend([op == 1] * len(text))
    return out


def fold(old_source: str, new_source: str, values: tuple[Printed, ...]) -> str:
    """new_source with each value the reviewer typed (outside placeholders) written as its placeholder."""
    pattern = _pattern(values)
    if pattern is None or new_source == old_source:
        return new_source
    fresh = _fresh(old_source, new_source)
    taken = [m.span() for m in _PLACEHOLDER.finditer(new_source)]
    out, pos = [], 0
    for match in pattern.finditer(new_source):
        start, end = match.span()
        if not any(fresh[start:end]) or any(a < end and start < b for a, b in taken):
            continue
        out.append(new_source[pos:start])
        out.append(values[match.lastindex - 1].source)
        pos = end
    out.append(new_source[pos:])
    return "".join(out)
