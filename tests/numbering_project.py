"""A tiny terms repository written line by line, for numbering tests that must know every line and column.

Every file is written exactly as given (no YAML dumper), so a test can state by hand where a
finding must point: line 1 of an article file is `id: …`, the article's own lines follow.
"""

from __future__ import annotations

from pathlib import Path

from generator.compile.document import NumberedDocument
from generator.compile.pipeline import compile_variant, load
from generator.source.errors import Finding, ModelError

DOCUMENT_HEAD = "service: S\nsubtitle: T\ntitle: U\n"
VARIANT_HEAD = 'id: v\nname: 名商事株式会社\nself: 当社\nedition: 2\nissued: "2024-04-01"\neffective: "2024-05-20"\n'


# Three articles whose text blocks hold markers ("A2I1") a test replaces with the text under test.
# 第1条 a: three 項, the second with three 号 and text after them; 第2条 b: a lead and two 号 without 項;
# 第3条 c: one 項. Variant v has an appendix 別紙 fees with sections ※1 and ※2.
BASE = {
    "a": ('caption: 定義\nparagraphs:\n  - id: p1\n    text: "A1"\n  - id: p2\n    text: "A2"\n    items:\n'
          '      - id: i1\n        text: "A2I1"\n      - id: i2\n        text: "A2I2"\n      - id: i3\n        text: "A2I3"\n'
          '    after: "A2AFTER"\n  - id: p3\n    text: "A3"\n'),
    "b": 'caption: 禁止事項\nlead: "BLEAD"\nitems:\n  - id: x1\n    text: "BX1"\n  - id: x2\n    text: "BX2"\n',
    "c": 'caption: "CCAP"\nparagraphs:\n  - id: q1\n    text: "C1"\n',
}
BASE_DOCUMENT = ("options:\n  medical:\n    description: 医療機器の項\nparameters:\n  member_fee:\n    description: 会員の年間利用料金\n"
                 "    type: yen\n    example: 79200\n  start_day:\n    description: 開始日\n    type: date\n")
BASE_VARIANT = ("params:\n  member_fee: 79200\n  start_day: \"2025-01-06\"\nappendices:\n  - id: fees\n    title: 料金表\n    sections:\n"
                "      - id: s1\n        mark: ※1\n        heading: 駆け付け\n      - id: s2\n        mark: ※2\n        heading: 設置\n")

# where each marker's text ends up in the numbered document
BLOCK = {
    "A1": lambda d: d.article("a").paragraphs[0].blocks[0],
    "A2": lambda d: d.article("a").paragraphs[1].blocks[0],
    "A2I1": lambda d: d.article("a").paragraphs[1].items[0].blocks[0],
    "A2I3": lambda d: d.article("a").paragraphs[1].items[2].blocks[0],
    "A2AFTER": lambda d: d.article("a").paragraphs[1].after[0],
    "A3": lambda d: d.article("a").paragraphs[2].blocks[0],
    "BLEAD": lambda d: d.article("b").lead[0],
    "BX1": lambda d: d.article("b").items[0].blocks[0],
    "BX2": lambda d: d.article("b").items[1].blocks[0],
    "C1": lambda d: d.article("c").paragraphs[0].blocks[0],
    "CCAP": lambda d: d.article("c").caption,
}


def base_project(root: Path, texts: dict[str, str], *, document: str = BASE_DOCUMENT, variant: str = BASE_VARIANT,
                 supplementary: str = "附則") -> Path:
    """BASE with each marker (A2I1, CCAP …) replaced by a text (written in double quotes: no " or \\ in it)."""
    articles = dict(BASE)
    for marker, text in texts.items():
        hits = [k for k, body in articles.items() if f'"{marker}"' in body]
        assert len(hits) == 1, marker
        articles[hits[0]] = articles[hits[0]].replace(f'"{marker}"', f'"{text}"')
    return write_project(root, articles, document=document, variant=variant, supplementary=supplementary)


def write_project(root: Path, articles: dict[str, str], *, document: str = "", variant: str = "",
                  supplementary: str = "附則") -> Path:
    """terms/<id>.yaml for each article (body after its `id:` line), terms/document.yaml, variants/v.yaml."""
    (root / "terms").mkdir(parents=True)
    (root / "variants").mkdir()
    for article_id, body in articles.items():
        (root / "terms" / f"{article_id}.yaml").write_text(f"id: {article_id}\n{body}", encoding="utf-8")
    (root / "terms" / "document.yaml").write_text(
        f"{DOCUMENT_HEAD}articles: [{', '.join(articles)}]\nsupplementary: {supplementary}\n{document}", encoding="utf-8")
    (root / "variants" / "v.yaml").write_text(VARIANT_HEAD + variant, encoding="utf-8")
    return root


def compiled(root: Path) -> NumberedDocument:
    return compile_variant(load(root), "v")


def findings(root: Path) -> list[Finding]:
    """The findings of compiling variant v (the test fails if it compiles)."""
    try:
        compile_variant(load(root), "v")
    except ModelError as exc:
        return exc.findings
    raise AssertionError("コンパイルが通ってしまいました（指摘があるはずです）")


def where(finding: Finding) -> str:
    """terms/x.yaml:3:12 relative to the project, as the CLI prints it."""
    path = finding.location.path
    for folder in ("terms/", "variants/"):
        if folder in path:
            path = folder + path.split(folder, 1)[1]
    return f"{path}:{finding.location.line}:{finding.location.col}"


def case_ids(*columns) -> list[str]:
    """ASCII test ids ("C1-ref.a.p1.-3"): mutmut hands test ids back to pytest, and ids with Japanese or spaces
    are not found again (every mutant would count as killed)."""
    ids = []
    for number, values in enumerate(zip(*columns)):
        text = "-".join(str(v) for v in values)
        ascii_only = "".join(c if c.isascii() and (c.isalnum() or c in "._") else "." for c in text)
        ids.append(f"{ascii_only}-{number}")
    return ids
