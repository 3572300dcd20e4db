"""Options as documentation: the table in docs/format.md (option → what it switches, what it
requires) is generated from terms/document.yaml, and the declarations themselves are checked.

`python -m generator.compile.options_doc` rewrites the table between its markers in docs/format.md;
tests/test_new_variant.py fails when the file and the declarations disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..source import _suggest
from ..source.errors import Finding
from ..source.load import DOCUMENT_FILE, Project
from ..source.model import DocumentConfig

START, END = "<!-- options:start -->", "<!-- options:end -->"


def _requirement(need) -> str:
    what = f"別紙の節 `{need.section}`" if need.section else f"パラメータ `{need.param}`"
    return what + (f"（`{need.when}` のとき）" if need.when else "")


def table(document: DocumentConfig) -> str:
    lines = ["| オプション | 既定 | 意味 | 入る・変わる条項 | 有効にすると必要なもの |", "|---|---|---|---|---|"]
    for name, decl in document.options.items():
        switches = "、".join(f"`{p}`" for p in decl.switches) or "—"
        requires = "、".join(_requirement(n) for n in decl.requires) or "—"
        default = "true" if decl.default else "false"
        lines.append(f"| `{name}` | {default} | {decl.description} | {switches} | {requires} |")
    return "\n".join(lines)


def parameter_table(document: DocumentConfig) -> str:
    lines = ["| パラメータ | 型 | 書き方の例 | 意味 |", "|---|---|---|---|"]
    for name, decl in document.parameters.items():
        example = decl.example if decl.example is not None else ""
        if decl.type == "choice":
            example = " / ".join(decl.choices)
        lines.append(f"| `{name}` | {decl.type} | `{example}` | {decl.description} |")
    return "\n".join(lines)


def section(document: DocumentConfig) -> str:
    return f"{START}\n{table(document)}\n\n{parameter_table(document)}\n{END}"


def rewrite(markdown: str, document: DocumentConfig) -> str:
    before, rest = markdown.split(START, 1)
    _old, after = rest.split(END, 1)
    return before + section(document) + after


def declaration_findings(project: Project) -> list[Finding]:
    """switches/requires in document.yaml name real clauses, options and parameters."""
    findings: list[Finding] = []
    doc = project.document
    paths = _clause_paths(project)
    for name, decl in doc.options.items():
        for index, path in enumerate(decl.switches):
            if path not in paths:
                findings.append(Finding(project.where(DOCUMENT_FILE, ("options", name, "switches", index)), "L010",
                                        f"オプション「{name}」の switches にある「{path}」という条項はありません。",
                                        _suggest.did_you_mean(path, paths, "条・項・号の ID をドットでつないで書いてください。")))
        for index, need in enumerate(decl.requires):
            loc = ("options", name, "requires", index)
            if (need.section is None) == (need.param is None):
                findings.append(Finding(project.where(DOCUMENT_FILE, loc), "L010", "requires の各行には section: か param: のどちらか 1 つを書いてください。", "例: - section: fee-schedule.incident"))
            if need.param and need.param not in doc.parameters:
                findings.append(Finding(project.where(DOCUMENT_FILE, loc + ("param",)), "L010", f"requires のパラメータ「{need.param}」は宣言されていません。",
                                        _suggest.did_you_mean(need.param, doc.parameters, "parameters: に宣言してください。")))
            if need.when:
                option = need.when.removeprefix("not ").strip()
                if option not in doc.options:
                    findings.append(Finding(project.where(DOCUMENT_FILE, loc + ("when",)), "L010", f"requires の条件「{need.when}」のオプションはありません。",
                                            _suggest.did_you_mean(option, doc.options, "「オプション名」か「not オプション名」で書いてください。")))
    for name, decl in doc.parameters.items():
        if decl.type == "choice" and not decl.choices:
            findings.append(Finding(project.where(DOCUMENT_FILE, ("parameters", name, "type")), "L010",
                                    f"パラメータ「{name}」は choice ですが choices がありません。", "choices: [値1, 値2] を書いてください。"))
    return findings


def _clause_paths(project: Project) -> set[str]:
    paths: set[str] = set()
    for article in project.articles.values():
        paths.add(article.id)
        children = list(article.paragraphs) + list(article.items)
        for child in children:
            paths.add(f"{article.id}.{child.id}")
            for item in getattr(child, "items", []):
                paths.add(f"{article.id}.{child.id}.{item.id}")
    return paths


def main(argv: list[str] | None = None) -> int:
    from .pipeline import load

    root = Path(argv[0]) if argv else Path(".")
    target = root / "docs" / "format.md"
    target.write_text(rewrite(target.read_text(encoding="utf-8"), load(root).document), encoding="utf-8")
    print(f"書き込みました: {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
