"""The small placeholder language of clause text: {param}, {ref:ID[:form]}, {caption:ID}, {if X}…{end}.

Clause text is data. This parser never evaluates anything: it turns a string into tokens,
and refuses template code ({{ … }}, {% … %}) and anything it does not know, with a position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REF_FORMS = ("本条", "本項", "項")
DATE_FORMS = ("西暦",)


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Param:
    name: str
    form: str | None
    offset: int


@dataclass(frozen=True)
class Ref:
    target: str
    form: str | None
    offset: int


@dataclass(frozen=True)
class Caption:
    target: str
    offset: int


@dataclass(frozen=True)
class Cond:
    option: str
    negate: bool
    then: tuple["Token", ...]
    otherwise: tuple["Token", ...]
    offset: int


Token = Literal | Param | Ref | Caption | Cond


class PlaceholderError(ValueError):
    """Raised when text contains a placeholder the language does not allow; offset is 0-based."""

    def __init__(self, offset: int, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.offset, self.code, self.message, self.hint = offset, code, message, hint


_NAME = r"[a-z][a-z0-9_]*"
_PATH = r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*"
_PARAM_RE = re.compile(rf"^({_NAME})(?::(\S+))?$")
_REF_RE = re.compile(rf"^ref:({_PATH})(?::(\S+))?$")
_CAPTION_RE = re.compile(rf"^caption:({_PATH})$")
_IF_RE = re.compile(rf"^if\s+(not\s+)?({_NAME})$")


def _template_code(text: str) -> int:
    for marker in ("{{", "{%", "{#", "}}", "%}"):
        found = text.find(marker)
        if found >= 0:
            return found
    return -1


def parse(text: str) -> tuple[Token, ...]:
    """Parse clause text into tokens; raise PlaceholderError for anything unknown or unsafe."""
    bad = _template_code(text)
    if bad >= 0:
        raise PlaceholderError(bad, "T001", "本文にテンプレートコード（{{ }} や {% %}）が含まれています。",
                               "本文はデータとして扱われ、コードは実行されません。"
                               "差し込みは {self} や {ref:ID} の形で書いてください。")
    stack: list[tuple[Cond | None, list[Token], list[Token] | None, int]] = [(None, [], None, 0)]
    pos = 0
    for match in re.finditer(r"\{([^{}]*)\}", text):
        start, end = match.span()
        if "}" in text[pos:start] or "{" in text[pos:start]:
            stray = pos + next(i for i, c in enumerate(text[pos:start]) if c in "{}")
            raise PlaceholderError(stray, "T002", "波括弧「{」「}」の対応がとれていません。",
                                   "差し込みは {名前} の形で書きます。波括弧を文字として使うことはできません。")
        current = stack[-1]
        target = current[2] if current[2] is not None else current[1]
        if start > pos:
            target.append(Literal(text[pos:start]))
        pos = end
        body = match.group(1).strip()
        if m := _IF_RE.match(body):
            stack.append((Cond(m.group(2), bool(m.group(1)), (), (), start), [], None, start))
            continue
        if body == "else":
            if len(stack) == 1 or stack[-1][2] is not None:
                raise PlaceholderError(start, "T003", "{else} に対応する {if …} がありません。", "{if オプション名}…{else}…{end} の形で書いてください。")
            cond, then, _, off = stack.pop()
            stack.append((cond, then, [], off))
            continue
        if body == "end":
            if len(stack) == 1:
                raise PlaceholderError(start, "T003", "{end} に対応する {if …} がありません。", "{if オプション名}…{end} の形で書いてください。")
            cond, then, otherwise, off = stack.pop()
            assert cond is not None
            done = Cond(cond.option, cond.negate, tuple(then), tuple(otherwise or ()), off)
            parent = stack[-1]
            (parent[2] if parent[2] is not None else parent[1]).append(done)
            continue
        if m := _REF_RE.match(body):
            if m.group(2) and m.group(2) not in REF_FORMS:
                raise PlaceholderError(start, "T004", f"参照の書式「{m.group(2)}」は使えません。", f"使える書式: {', '.join(REF_FORMS)}")
            target.append(Ref(m.group(1), m.group(2), start))
            continue
        if m := _CAPTION_RE.match(body):
            target.append(Caption(m.group(1), start))
            continue
        if m := _PARAM_RE.match(body):
            if m.group(2) and m.group(2) not in DATE_FORMS:
                raise PlaceholderError(start, "T004", f"書式「{m.group(2)}」は使えません。", f"使える書式: {', '.join(DATE_FORMS)}")
            target.append(Param(m.group(1), m.group(2), start))
            continue
        raise PlaceholderError(start, "T005", f"差し込み「{{{body}}}」は使えません。",
                               "使えるのは {パラメータ名}、{ref:ID}、{caption:ID}、{if オプション}…{end} です。")
    rest = text[pos:]
    if "{" in rest or "}" in rest:
        stray = pos + next(i for i, c in enumerate(rest) if c in "{}")
        raise PlaceholderError(stray, "T002", "波括弧「{」「}」の対応がとれていません。",
                               "差し込みは {名前} の形で書きます。波括弧を文字として使うことはできません。")
    if len(stack) != 1:
        raise PlaceholderError(stack[-1][3], "T003", "{if …} が {end} で閉じられていません。", "条件の終わりに {end} を書いてください。")
    if rest:
        stack[0][1].append(Literal(rest))
    return tuple(stack[0][1])


def walk(tokens: tuple[Token, ...]):
    """Every token, depth first, including both branches of conditions."""
    for token in tokens:
        yield token
        if isinstance(token, Cond):
            yield from walk(token.then)
            yield from walk(token.otherwise)
