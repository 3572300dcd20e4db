"""Alignment of an imported terms document with the shared clauses, for `kiyaku import`.

Two trees are compared node by node: the shared clauses as one candidate variant renders them
(every block kept as segments: literal text, or a placeholder with its rendered text) and the
parsed document. Nodes are paired by content, never by number (a reseller that inserts an
article renumbers everything after it), with a monotone dynamic-programming alignment.

When a paired node differs, its replacement text is built from the shared template and the
imported text by a character diff: wherever the rendered text of a placeholder ({self},
{ref:…}, {if …}…{end}) survives unchanged, the placeholder is kept; only what the reseller really
wrote differently becomes literal text. So an override still follows renumbering and parameters.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from diff_match_patch import diff_match_patch

from ..compile import _placeholders as ph
from ..compile.normalize import fold
from ..compile.numbering import _Renderer
from ..compile.resolve import RNode, RText, ResolvedVariant


@dataclass(frozen=True)
class Seg:
    """A piece of a block: literal text, or one placeholder (source) and what it renders to."""

    source: str
    text: str
    atomic: bool = False
    inner: tuple["Seg", ...] | None = None  # the chosen branch of an {if}, used when it is changed


@dataclass(frozen=True)
class SBlock:
    id: str | None
    segs: tuple[Seg, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass(frozen=True)
class SNode:
    """A shared article, paragraph or item as the candidate variant renders it."""

    kind: str
    path: str
    blocks: tuple[SBlock, ...]  # an article's lead, a paragraph's or item's text
    children: tuple["SNode", ...] = ()
    caption: SBlock | None = None

    @property
    def text(self) -> str:
        return "".join(b.text for b in self.blocks)

    def full_text(self) -> str:
        return self.text + "".join(c.full_text() for c in self.children)


def serialise(tokens: tuple[ph.Token, ...]) -> str:
    """Tokens back to clause source (the inverse of _placeholders.parse, in canonical spelling)."""
    out = []
    for t in tokens:
        if isinstance(t, ph.Literal):
            out.append(t.text)
        elif isinstance(t, ph.Param):
            out.append(f"{{{t.name}{':' + t.form if t.form else ''}}}")
        elif isinstance(t, ph.Ref):
            out.append(f"{{ref:{t.target}{':' + t.form if t.form else ''}}}")
        elif isinstance(t, ph.Caption):
            out.append(f"{{caption:{t.target}}}")
        else:
            otherwise = f"{{else}}{serialise(t.otherwise)}" if t.otherwise else ""
            out.append(f"{{if {'not ' if t.negate else ''}{t.option}}}{serialise(t.then)}{otherwise}{{end}}")
    return "".join(out)


class SharedView:
    """Builds SNodes for one resolved candidate variant, rendering placeholder by placeholder."""

    def __init__(self, resolved: ResolvedVariant) -> None:
        self.resolved = resolved
        self.renderer = _Renderer(resolved)

    def _segs(self, tokens: tuple[ph.Token, ...], origin, context: tuple[str, str]) -> tuple[Seg, ...]:
        out: list[Seg] = []
        for token in tokens:
            if isinstance(token, ph.Literal):
                out.append(Seg(token.text, unicodedata.normalize("NFC", token.text)))
                continue
            source = serialise((token,))
            text = self.renderer.text(RText(source, origin), context)
            inner = None
            if isinstance(token, ph.Cond):
                chosen = self.resolved.options.get(token.option, False) != token.negate
                inner = self._segs(token.then if chosen else token.otherwise, origin, context)
            out.append(Seg(source, text, True, inner))
        return tuple(out)

    def block(self, block: RText, context: tuple[str, str]) -> SBlock:
        try:
            tokens = ph.parse(block.text)
        except ph.PlaceholderError:
            tokens = (ph.Literal(block.text),)
        return SBlock(block.id, self._segs(tokens, block.origin, context))

    def node(self, node: RNode, path: str, context: tuple[str, str]) -> SNode:
        if node.kind == "article":
            ctx = (node.id, "")
            children = tuple(self.node(c, f"{path}.{c.id}", (node.id, f"{path}.{c.id}" if c.kind == "paragraph" else ""))
                             for c in node.children)
            caption = self.block(RText(node.caption, node.origin), ("#caption", ""))
            return SNode("article", path, tuple(self.block(b, ctx) for b in node.lead), children, caption)
        children = tuple(self.node(c, f"{path}.{c.id}", context) for c in node.children)
        return SNode(node.kind, path, tuple(self.block(b, context) for b in node.blocks + node.after), children)

    def articles(self) -> tuple[SNode, ...]:
        return tuple(self.node(a, a.id, (a.id, "")) for a in self.resolved.articles)


@lru_cache(maxsize=4096)
def bigrams(text: str) -> Counter:
    """Character bigrams of folded text (cached: the same clause is scored many times)."""
    folded = fold(text)
    return Counter(folded[i:i + 2] for i in range(max(len(folded) - 1, 1)))


def _common(a: Counter, b: Counter) -> int:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(min(n, large[k]) for k, n in small.items() if k in large)


def dice(a: Counter, b: Counter) -> float:
    """Bigram overlap: cheap enough to score every pair of articles, good enough to pair them."""
    total = a.total() + b.total()
    return 2 * _common(a, b) / total if total else 1.0


def resemblance(a: Counter, b: Counter) -> float:
    """Dice, or containment when one side only adds text (a reseller's extra sentences)."""
    smaller = min(a.total(), b.total())
    return max(dice(a, b), 0.8 * _common(a, b) / smaller if smaller else 0.0)


@lru_cache(maxsize=4096)
def similarity(a: str, b: str) -> float:
    """Characters in common over total length (the measure `kiyaku compare` reports)."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 1.0
    same = sum(len(t) for op, t in dmp.diff_main(a, b, False) if op == 0)
    return 1.0 if not a and not b else 2 * same / (len(a) + len(b))


def align(n: int, m: int, score: Callable[[int, int], float], threshold: float) -> list[tuple[int | None, int | None]]:
    """Monotone pairing of two sequences maximising Σ(score − threshold); unpaired items stay single."""
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            choices = []
            if i:
                choices.append((best[i - 1][j], "a"))
            if j:
                choices.append((best[i][j - 1], "b"))
            if i and j:
                s = score(i - 1, j - 1)
                if s >= threshold:
                    choices.append((best[i - 1][j - 1] + s - threshold + 1e-9, "m"))
            best[i][j], move[i][j] = max(choices)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        step = move[i][j]
        if step == "m":
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif step == "a":
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


def _diff(a: str, b: str) -> tuple[list[bool], list[str]]:
    """For each character of a: kept in b?  And the text b inserts before each position of a."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 1.0
    diffs = dmp.diff_main(a, b, False)  # no semantic cleanup: every equal run may keep a placeholder
    keep, inserted = [], [""] * (len(a) + 1)
    for op, text in diffs:
        if op == 1:
            inserted[len(keep)] += text
        else:
            keep.extend([op == 0] * len(text))
    return keep, inserted


def merge(segs: tuple[Seg, ...], target: str, literal: Callable[[str], str]) -> str:
    """Source text rendering to target: unchanged placeholders kept, the rest literal (via literal())."""
    rendered = "".join(s.text for s in segs)
    keep, inserted = _diff(rendered, target)
    pieces: list[tuple[bool, str]] = []  # (is_source, text)

    def walk(items: tuple[Seg, ...], pos: int) -> int:
        for seg in items:
            end = pos + len(seg.text)
            intact = all(keep[pos:end]) and not any(inserted[pos + 1:end])
            if seg.atomic and end == pos:
                if not seg.source.startswith("{if"):  # an {if} that renders nothing here is dropped
                    pieces.append((True, seg.source))
            elif seg.atomic and intact:
                pieces.append((False, inserted[pos]))
                pieces.append((True, seg.source))
            elif seg.atomic and seg.inner is not None:
                walk(seg.inner, pos)
            else:
                for k in range(pos, end):
                    pieces.append((False, inserted[k] + (rendered[k] if keep[k] else "")))
            pos = end
        return pos

    end = walk(segs, 0)
    pieces.append((False, inserted[end]))
    out, run = [], ""
    for is_source, text in pieces:
        if is_source:
            out.append(literal(run) + text)
            run = ""
        else:
            run += text
    return "".join(out) + literal(run)


def split(target: str, parts: list[str]) -> list[str]:
    """Cut target where the boundaries between parts fall (parts: the shared blocks, rendered)."""
    if len(parts) <= 1:
        return [target]
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 1.0
    diffs = dmp.diff_main("".join(parts), target, False)
    cuts, offset = [0], 0
    for part in parts[:-1]:
        offset += len(part)
        cuts.append(max(dmp.diff_xIndex(diffs, offset), cuts[-1]))
    cuts.append(len(target))
    return [target[a:b] for a, b in zip(cuts, cuts[1:])]


def same(a: str, b: str) -> bool:
    return fold(a) == fold(b)
