"""The trust-boundary corpus (issue 11): each case is one way an outsider can attack kiyaku.

A case prepares a copy of the built sample repository (and a folder outside it) and returns the
command to run; the test (tests/test_trust.py) checks the exit code, the one finding and its
place, that no traceback is printed and that no file changed anywhere. Cases are grouped by the
issue's classes: 1 live script on the site, 2 files acting outside the repository, 3 unbounded
work, 4 output paths, 5 tracebacks on merely wrong input, 6 silent acceptance. Class 7 (release
evidence) and impossible dates belong to other corpora (issues 19 and 12).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

Setup = Callable[[Path, Path], list[str]]  # (repo, outside folder) -> CLI arguments (without --root)


@dataclass(frozen=True)
class Case:
    id: str
    cls: int
    setup: Setup
    code: str
    where: str  # regex for the path part of the finding
    line: int | None = None
    col: int | None = None
    count: int | None = 1  # error findings expected in the output (None: at least one)


CASES: list[Case] = []


def case(id_: str, cls: int, code: str, where: str, line: int | None = None, col: int | None = None,
         count: int | None = 1) -> Callable[[Setup], Setup]:
    def register(setup: Setup) -> Setup:
        CASES.append(Case(id_, cls, setup, code, where, line, col, count))
        return setup
    return register


def add(id_: str, cls: int, setup: Setup, code: str, where: str, line: int | None = None, col: int | None = None,
        count: int | None = 1) -> None:
    CASES.append(Case(id_, cls, setup, code, where, line, col, count))


def edit(relpath: str, old: str, new: str) -> Callable[[Path], tuple[int, int]]:
    """Replace old by new in a file; returns (line, col) of the first character of new's marked part."""
    def apply(repo: Path) -> tuple[int, int]:
        path = repo / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {relpath}"
        marked = new.replace("\u2063MARK\u2063", "")
        at = text.index(old) + new.index("\u2063MARK\u2063") if "\u2063MARK\u2063" in new else text.index(old)
        path.write_text(text.replace(old, marked, 1), encoding="utf-8")
        before = text[:at]
        return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1
    return apply


MARK = "\u2063MARK\u2063"


# --- helpers that make hostile files -------------------------------------------------------------------


def default_template() -> bytes:
    return resources.files("generator").joinpath("templates", "terms.docx").read_bytes()


def template_with(code: str) -> bytes:
    """The default template with {{ service }} replaced by template code."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(default_template())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"{{ service }}", code.encode("utf-8"), 1)
            target.writestr(info.filename, data)
    return out.getvalue()


def zip_bomb(base: bytes | None = None, name: str = "word/media/bomb.bin", size: int = 110 * 1024 * 1024) -> bytes:
    """A ZIP whose one extra part unpacks to size bytes of zeros (about 100 kB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        if base:
            with zipfile.ZipFile(io.BytesIO(base)) as source:
                for info in source.infolist():
                    target.writestr(info.filename, source.read(info.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as handle:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                handle.write(chunk)
    return out.getvalue()


def many_parts(base: bytes, count: int = 1200) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for index in range(count):
            target.writestr(f"customXml/part{index}.xml", b"<a/>")
    return out.getvalue()


def docx_with(document_xml: str | None = None, extra: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
              truncate: str | None = None) -> bytes:
    """The default template as an import source, with parts replaced, added, dropped or cut in half."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(default_template())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop or info.filename in (extra or {}):
                continue
            data = source.read(info.filename)
            if info.filename == "word/document.xml" and document_xml is not None:
                data = document_xml.encode("utf-8")
            if info.filename == truncate:
                data = data[: len(data) // 2]
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def body(paragraphs: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>{paragraphs}</w:body></w:document>'


def numbered(ilvl: str, num_id: str = "1") -> str:
    return (f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>'
            f'<w:r><w:t>本文</w:t></w:r></w:p>')


NUMBERING = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering ' + _W + '>'
             '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="{lvl}"><w:start w:val="{start}"/>'
             '<w:numFmt w:val="japaneseCounting"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
             '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')

STYLE_LOOP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles ' + _W + '>'
              '<w:style w:type="paragraph" w:styleId="A"><w:name w:val="A"/><w:basedOn w:val="B"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="B"><w:name w:val="B"/><w:basedOn w:val="A"/></w:style></w:styles>')


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def set_template(repo: Path, value: str, variant: str = "alpha") -> None:
    path = repo / "variants" / f"{variant}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^(self: .*)$", rf"\1\ntemplate: {value}", text, count=1, flags=re.M), encoding="utf-8")


TEMPLATE_LINE = 4  # template: is inserted after self: (line 3) in variants/alpha.yaml


# --- class 1: live script on the site, the notice and the feeds -------------------------------------

_BAD_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox",
             "//evil.example/x", "http://example.jp/terms.html", 'x.html" onmouseover="alert(1)', "x.html><script>",
             "java\tscript:alert(1)", "file:///etc/passwd", "https://"]
for index, url in enumerate(_BAD_URLS):
    add(f"terms-url-{index}", 1, lambda repo, out, url=url: ["notice", "alpha", "--terms-url", url], "C006", re.escape("<コマンドライン>"))
for index, reason in enumerate(["料金\x1b[2J改定", "料金\u202e改定", "料金\x07改定"]):
    add(f"release-reason-{index}", 6, lambda repo, out, r=reason: ["release", "alpha", "--announce", "2026-12-01",
                                                                    "--effective", "2027-01-01", "--reason", r],
        "H021", ".*")
for index, url in enumerate(["javascript:alert(1)/", "http://example.jp/", "https://e.jp/\"><x/", "//e.jp/"]):
    add(f"feed-base-url-{index}", 1, lambda repo, out, url=url: ["feed", "--base-url", url], "H076", re.escape("<コマンドライン>"))


# --- class 2: committed files that act outside the repository ----------------------------------------

def _victim(out: Path) -> Path:
    return write(out / "victim.yaml", "id: victim\ncaption: 外のファイル\n")


def _link(repo: Path, relpath: str, target: Path) -> None:
    path = repo / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


add("symlink-article-outside", 2, lambda repo, out: (_link(repo, "terms/victim.yaml", _victim(out)), ["lint"])[1],
    "F010", "terms/victim.yaml", 1, 1)
add("symlink-variant-outside", 2, lambda repo, out: (_link(repo, "variants/gamma.yaml", _victim(out)), ["lint"])[1],
    "F010", "variants/gamma.yaml", 1, 1)
add("symlink-document-outside", 2, lambda repo, out: (_link(repo, "terms/document.yaml", _victim(out)), ["lint"])[1],
    "F010", "terms/document.yaml", 1, 1)
add("symlink-errata-outside", 2, lambda repo, out: (_link(repo, "errata.yaml", _victim(out)), ["lint"])[1],
    "F010", "errata.yaml", 1, 1)
add("symlink-to-etc-passwd", 2, lambda repo, out: (_link(repo, "variants/passwd.yaml", Path("/etc/passwd")), ["build", "--format", "txt"])[1],
    "F010", "variants/passwd.yaml", 1, 1)
add("symlink-dangling", 2, lambda repo, out: (_link(repo, "terms/gone.yaml", out / "gone.yaml"), ["lint"])[1],
    "F010", "terms/gone.yaml", 1, 1)
add("symlink-release-record-outside", 2,
    lambda repo, out: (_link(repo, "releases/alpha/1.yaml", _victim(out)), ["lint"])[1], "F010", "releases/alpha/1.yaml", 1, 1)
add("template-absolute-path", 2, lambda repo, out: (set_template(repo, str(write(out / "t.docx", default_template()))),
                                                    ["build", "--format", "docx"])[1], "R010", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-dot-dot", 2, lambda repo, out: (write(out / "t.docx", default_template()), set_template(repo, "../outside/t.docx"),
                                              ["build", "--format", "docx"])[2], "R010", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-symlink-outside", 2, lambda repo, out: (_link(repo, "templates/t.docx", write(out / "t.docx", default_template())),
                                                      set_template(repo, "templates/t.docx"), ["build", "--format", "docx"])[2],
    "R010", "variants/alpha.yaml", TEMPLATE_LINE)


def _state_symlink(repo: Path, out: Path, name: str) -> list[str]:
    victim = out / "victim-dir"
    write(victim / "precious.txt", "大事なファイル\n")
    (repo / ".kiyaku").mkdir(exist_ok=True)
    import shutil

    target = repo / ".kiyaku" / name
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    _link(repo, f".kiyaku/{name}", victim)
    return ["build", "--format", "txt"]


for _name in ("tmp", "spare", "cache"):
    add(f"state-{_name}-symlink", 2, lambda repo, out, n=_name: _state_symlink(repo, out, n), "K002", re.escape(".kiyaku"), 1, 1)


def _state_is_symlink(repo: Path, out: Path) -> list[str]:
    import shutil

    victim = out / "victim-state"
    write(victim / "tmp" / "precious.txt", "大事なファイル\n")
    shutil.rmtree(repo / ".kiyaku", ignore_errors=True)
    (repo / ".kiyaku").symlink_to(victim)
    return ["build", "--format", "txt"]


add("state-folder-symlink", 2, _state_is_symlink, "K002", re.escape(".kiyaku"), 1, 1)


def _state_foreign(repo: Path, out: Path) -> list[str]:
    (repo / ".kiyaku").mkdir(exist_ok=True)
    os.chown(repo / ".kiyaku", 65534, 65534)
    return ["build", "--format", "txt"]


if os.geteuid() == 0:
    add("state-folder-foreign-owner", 2, _state_foreign, "K002", re.escape(".kiyaku"), 1, 1)


# --- class 3: unbounded work from one line ------------------------------------------------------------

def _fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


add("template-dev-zero", 3, lambda repo, out: (set_template(repo, "/dev/zero"), ["build", "--format", "docx"])[1],
    "R010", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-symlink-dev-zero", 3, lambda repo, out: (_link(repo, "templates/z.docx", Path("/dev/zero")),
                                                       set_template(repo, "templates/z.docx"), ["build", "--format", "docx"])[2],
    "R010", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-fifo", 3, lambda repo, out: (_fifo(repo / "templates" / "f.docx"), set_template(repo, "templates/f.docx"),
                                           ["build", "--format", "docx"])[2], "F011", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-folder", 3, lambda repo, out: ((repo / "templates" / "d.docx").mkdir(parents=True), set_template(repo, "templates/d.docx"),
                                             ["build", "--format", "docx"])[2], "F011", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-oversized", 3, lambda repo, out: (sparse(repo / "templates" / "big.docx", 30 * 1024 * 1024),
                                                set_template(repo, "templates/big.docx"), ["build", "--format", "docx"])[2],
    "R019", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-zip-bomb", 3, lambda repo, out: (write(repo / "templates" / "bomb.docx", zip_bomb(default_template())),
                                               set_template(repo, "templates/bomb.docx"), ["build", "--format", "docx"])[2],
    "R019", "variants/alpha.yaml", TEMPLATE_LINE)
add("template-many-parts", 3, lambda repo, out: (write(repo / "templates" / "many.docx", many_parts(default_template())),
                                                 set_template(repo, "templates/many.docx"), ["build", "--format", "docx"])[2],
    "R019", "variants/alpha.yaml", TEMPLATE_LINE)
for _index, (_code, _expected) in enumerate([
    ("{{ 'x' * 10**12 }}", "R016"),
    ("{{ 'x' * 999999999 }}", "R016"),
    ("{{ [1] * 10**9 }}", "R016"),
    ("{{ 2**100000000 }}", "R016"),
    ("{% for i in range(10**6) %}x{% endfor %}", "R016"),
    ("{% set s = 'x' * 900000 %}{{ s + s }}", "R016"),
    ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "R016"),
    ("{% for i in range(9999) %}{% for j in range(9999) %}{% for k in range(9999) %}{% endfor %}{% endfor %}{% endfor %}", "R017"),
]):
    add(f"template-budget-{_index}", 3, lambda repo, out, c=_code: (write(repo / "templates" / "t.docx", template_with(c)),
                                                                    set_template(repo, "templates/t.docx"),
                                                                    ["build", "--format", "docx"])[2],
        _expected, "variants/alpha.yaml", TEMPLATE_LINE)
add("source-fifo-article", 3, lambda repo, out: (_fifo(repo / "terms" / "pipe.yaml"), ["lint"])[1], "F011", "terms/pipe.yaml", 1, 1)
add("source-fifo-variant", 3, lambda repo, out: (_fifo(repo / "variants" / "pipe.yaml"), ["build", "--format", "txt"])[1],
    "F011", "variants/pipe.yaml", 1, 1)
add("source-fifo-errata", 3, lambda repo, out: (_fifo(repo / "errata.yaml"), ["lint"])[1], "F011", "errata.yaml", 1, 1)
add("source-char-device", 3, lambda repo, out: (_link(repo, "terms/zero.yaml", Path("/dev/zero")), ["lint"])[1],
    "F010", "terms/zero.yaml", 1, 1)
add("source-oversized-sparse", 3, lambda repo, out: (sparse(repo / "variants" / "huge.yaml", 4 * 1024 * 1024), ["lint"])[1],
    "Y001", "variants/huge.yaml", 1, 1)
add("release-record-fifo", 3, lambda repo, out: (_fifo(repo / "releases" / "alpha" / "1.yaml"), ["lint"])[1],
    "F011", "releases/alpha/1.yaml", 1, 1)
add("release-record-folder", 3, lambda repo, out: ((repo / "releases" / "alpha" / "1.yaml").mkdir(parents=True), ["lint"])[1],
    "F011", "releases/alpha/1.yaml", 1, 1)
add("compare-fifo", 3, lambda repo, out: ["compare", "alpha", str(_fifo(out / "pipe.txt"))], "F011", r".*/outside/pipe\.txt", 1, 1)
add("compare-dev-zero", 3, lambda repo, out: ["compare", "alpha", "/dev/zero"], "F011", "/dev/zero", 1, 1)
add("compare-folder", 3, lambda repo, out: ["compare", "alpha", str(out)], "F011", r".*/outside", 1, 1)
add("compare-oversized", 3, lambda repo, out: ["compare", "alpha", str(sparse(out / "big.txt", 30 * 1024 * 1024))],
    "C007", r".*/outside/big\.txt", 1, 1)
add("import-fifo", 3, lambda repo, out: ["import", str(_fifo(out / "pipe.txt")), "--variant", "newco", "--dry-run"],
    "F011", r".*/outside/pipe\.txt", 1, 1)
add("import-folder", 3, lambda repo, out: ["import", str((out / "d.docx").mkdir() or out / "d.docx"), "--variant", "newco", "--dry-run"],
    "F011", r".*/outside/d\.docx", 1, 1)
add("import-oversized-text", 3, lambda repo, out: ["import", str(sparse(out / "big.txt", 30 * 1024 * 1024)), "--variant", "newco"],
    "I008", r".*/outside/big\.txt", 1, 1)
add("import-zip-bomb", 3, lambda repo, out: ["import", str(write(out / "bomb.docx", zip_bomb(default_template()))),
                                             "--variant", "newco", "--dry-run"], "I009", r".*/outside/bomb\.docx", 1, 1)
add("import-many-parts", 3, lambda repo, out: ["import", str(write(out / "many.docx", many_parts(default_template()))),
                                               "--variant", "newco", "--dry-run"], "I009", r".*/outside/many\.docx", 1, 1)
add("import-symlink-dev-zero", 3, lambda repo, out: (_link(out, "z.docx", Path("/dev/zero")),
                                                     ["import", str(out / "z.docx"), "--variant", "newco", "--dry-run"])[1],
    "F011", r".*/outside/z\.docx", 1, 1)


# --- class 4: output paths ----------------------------------------------------------------------------

add("out-existing-file", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(write(out / "notes.txt", "メモ\n"))],
    "O010", r".*/outside/notes\.txt", 1, 1)
add("out-repo-itself", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(repo)], "O012", re.escape("") + ".*/repo", 1, 1)
add("out-dot", 4, lambda repo, out: ["build", "--format", "txt", "--out", "."], "O012", r"\.", 1, 1)
add("out-parent-of-repo", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(repo.parent)], "O012", ".*", 1, 1)
add("out-in-terms", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(repo / "terms" / "x")], "O012", r".*/terms/x", 1, 1)
add("out-in-variants", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(repo / "variants")], "O012", r".*/variants", 1, 1)
add("out-in-git", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(repo / ".git" / "x")], "O012", r".*/\.git/x", 1, 1)
add("out-in-state", 4, lambda repo, out: ["build", "--format", "txt", "--out", str(repo / ".kiyaku" / "out")], "O012",
    r".*/\.kiyaku/out", 1, 1)
add("out-someones-folder", 4, lambda repo, out: (write(out / "photos" / "a.jpg", b"\xff\xd8"),
                                                 ["build", "--format", "txt", "--out", str(out / "photos")])[1],
    "O013", r".*/outside/photos", 1, 1)
add("out-symlink", 4, lambda repo, out: (_link(out, "link", out / "real"), (out / "real").mkdir(),
                                         ["build", "--format", "txt", "--out", str(out / "link")])[2], "O011", r".*/outside/link", 1, 1)
add("render-o-folder", 4, lambda repo, out: ["render", "alpha", "-o", str(out)], "O014", r".*/outside", 1, 1)
add("render-o-under-file", 4, lambda repo, out: ["render", "alpha", "-o", str(write(out / "f.txt", "x") / "a.txt")],
    "O014", r".*/outside/f\.txt/a\.txt", 1, 1)
add("render-o-source", 4, lambda repo, out: ["render", "alpha", "-o", str(repo / "variants" / "alpha.yaml")], "O015",
    r".*/variants/alpha\.yaml", 1, 1)
add("render-o-in-terms", 4, lambda repo, out: ["render", "alpha", "-o", str(repo / "terms" / "new.txt")], "O015",
    r".*/terms/new\.txt", 1, 1)
add("render-o-name-too-long", 4, lambda repo, out: ["render", "alpha", "-o", str(out / ("あ" * 300 + ".txt"))], "O016", ".*", 1, 1)
add("feed-o-folder", 4, lambda repo, out: ["feed", "-o", str(out)], "O014", r".*/outside", 1, 1)


# --- class 5: tracebacks on input that is merely wrong -------------------------------------------------

add("import-truncated-xml", 5, lambda repo, out: ["import", str(write(out / "t.docx", docx_with(truncate="word/document.xml"))),
                                                  "--variant", "newco", "--dry-run"], "I003", r".*/outside/t\.docx", 1, 1)
add("import-no-document-part", 5, lambda repo, out: ["import", str(write(out / "t.docx", docx_with(drop=("word/document.xml",)))),
                                                     "--variant", "newco", "--dry-run"], "I003", r".*/outside/t\.docx", 1, 1)
add("import-not-a-zip", 5, lambda repo, out: ["import", str(write(out / "t.docx", "第1条（目的）\n")), "--variant", "newco", "--dry-run"],
    "I003", r".*/outside/t\.docx", 1, 1)
add("import-numbering-starts-at-100", 5,
    lambda repo, out: ["import", str(write(out / "t.docx", docx_with(body(numbered("0")), {"word/numbering.xml": NUMBERING.format(lvl=0, start=100).encode()}))),
                       "--variant", "newco", "--dry-run"], "I006", r".*/outside/t\.docx", 1, 1)
add("import-ilvl-not-a-number", 5,
    lambda repo, out: ["import", str(write(out / "t.docx", docx_with(body(numbered("x")), {"word/numbering.xml": NUMBERING.format(lvl="x", start="y").encode()}))),
                       "--variant", "newco", "--dry-run"], "I006", r".*/outside/t\.docx", 1, 1)
add("import-style-based-on-itself", 5,
    lambda repo, out: ["import", str(write(out / "t.docx", docx_with(body('<w:p><w:pPr><w:pStyle w:val="A"/></w:pPr><w:r><w:t>本文</w:t></w:r></w:p>'),
                                                                     {"word/styles.xml": STYLE_LOOP.encode()}))),
                       "--variant", "newco", "--dry-run"], "I006", r".*/outside/t\.docx", 1, 1)
add("import-file-name-300-chars", 5, lambda repo, out: ["import", str(out / ("あ" * 300 + ".docx")), "--variant", "newco", "--dry-run"],
    "I001", ".*", 1, 1)


# --- class 6: silent acceptance: merge keys, file kinds, characters in every string field ---------------

add("merge-key-article", 6, lambda repo, out: (edit("terms/fees.yaml", "caption: 利用料金\n", f"{MARK}<<: {{caption: 別の見出し}}\n")(repo),
                                               ["lint"])[1], "Y015", "terms/fees.yaml", 2, 1)
add("merge-key-variant", 6, lambda repo, out: (edit("variants/alpha.yaml", "self: 本所\n", f"self: 本所\n{MARK}<<: {{edition: 9}}\n")(repo),
                                               ["build", "--format", "txt"])[1], "Y015", "variants/alpha.yaml", 4, 1)
add("merge-key-nested", 6, lambda repo, out: (edit("variants/alpha.yaml", "        mark: ※1\n", f"        mark: ※1\n        {MARK}<<: {{heading: x}}\n")(repo),
                                              ["lint"])[1], "Y015", "variants/alpha.yaml", 15, 9)
for _name, _content in [("newco.YAML", "id: newco\n"), ("newco.yaml.bak", "id: newco\n"), ("README.md", "# メモ\n"), ("newco", "id: newco\n"),
                        ("newco.json", "{}\n")]:
    add(f"variant-extension-{_name}", 6, lambda repo, out, n=_name, c=_content: (write(repo / "variants" / n, c), ["lint"])[1],
        "F013", re.escape(f"variants/{_name}"), 1, 1)
add("terms-extension-txt", 6, lambda repo, out: (write(repo / "terms" / "notes.txt", "メモ\n"), ["build", "--format", "txt"])[1],
    "F013", "terms/notes.txt", 1, 1)
add("variant-folder", 6, lambda repo, out: ((repo / "variants" / "newco").mkdir(), ["lint"])[1], "F011", "variants/newco", 1, 1)
add("variant-folder-yaml", 6, lambda repo, out: ((repo / "variants" / "newco.yaml").mkdir(), ["lint"])[1], "F011", "variants/newco.yaml", 1, 1)
add("terms-folder", 6, lambda repo, out: ((repo / "terms" / "old").mkdir(), ["lint"])[1], "F011", "terms/old", 1, 1)
add("variant-fifo-no-extension", 6, lambda repo, out: (_fifo(repo / "variants" / "pipe"), ["lint"])[1], "F011", "variants/pipe", 1, 1)

# Characters: (what the YAML holds, code). Escapes are written inside double quotes.
CHARS = [
    ("\\0", "PR017"), ("\\e", "PR017"), ("\\x7f", "PR017"), ("\\x85", "PR017"), ("\\x07", "PR017"), ("\\t", "PR017"),
    ("\\r", "PR017"), ("\\ud800", "PR015"), ("\\udfff", "PR015"),
    ("\u2060", "PR011"), ("\u00ad", "PR011"), ("\u202e", "PR011"), ("\u2066", "PR011"), ("\\u200b", "PR011"),
    ("\ufeff", "PR011"), ("\u3164", "PR011"), ("\U000e0041", "PR011"), ("\u200e", "PR011"), ("\u061c", "PR011"),
]
# (file, line as written, its value, the text before the inserted character)
FIELDS = [
    ("terms/fees.yaml", "caption: 利用料金", "caption: ", "利用"),
    ("terms/fees.yaml", "    text: 利用料金は年間{member_fee}円とします。", "    text: ", "利用料金は"),
    ("terms/document.yaml", "service: テストサービス", "service: ", "テスト"),
    ("terms/document.yaml", "subtitle: サービス利用規約", "subtitle: ", "サービス"),
    ("terms/document.yaml", "    description: 会員の年間利用料金", "    description: ", "会員の"),
    ("terms/document.yaml", "supplementary: この規約は、{effective:西暦}から実施します。", "supplementary: ", "この規約は、"),
    ("variants/alpha.yaml", "name: アルファ商工会議所", "name: ", "アルファ"),
    ("variants/alpha.yaml", "self: 本所", "self: ", "本"),
    ("variants/alpha.yaml", '  member_fee: "79,200"', "  member_fee: ", "79,"),
    ("variants/alpha.yaml", "    title: 料金表", "    title: ", "料金"),
    ("variants/alpha.yaml", "        mark: ※1", "        mark: ", "※"),
    ("variants/alpha.yaml", "        heading: 駆け付け価格", "        heading: ", "駆け付け"),
    ("variants/alpha.yaml", "        notes: [※上限があります。]", "        notes: [", "※上限"),
    ("variants/beta.yaml", "    reason: 文言が異なる", "    reason: ", "文言が"),
    ("variants/beta.yaml", "    text: 本規約は、{name}（以下「{self}」といいます。）が定めます。", "    text: ", "本規約は、"),
]


def _char_case(relpath: str, line_text: str, prefix: str, before: str, char: str) -> Setup:
    value = line_text[len(prefix):].strip('"')
    rest = value[len(before):]
    new = f'{prefix}"{before}{MARK}{char}{rest}"' if not prefix.endswith("[") else f'{prefix}"{before}{MARK}{char}{rest[:-1]}"]'

    def setup(repo: Path, out: Path) -> list[str]:
        line, col = edit(relpath, line_text, new)(repo)
        setup.where = (line, col)  # type: ignore[attr-defined]
        return ["lint"]
    return setup


def _position(relpath: str, line_text: str, prefix: str, before: str) -> tuple[int, int]:
    source = (Path(__file__).parent / "fixtures" / "mini" / relpath).read_text(encoding="utf-8")
    at = source.index(line_text)
    line = source[:at].count("\n") + 1
    return line, len(prefix) + 1 + len(before) + 1  # after the opening quote and the text before


for _f_index, (_rel, _line, _prefix, _before) in enumerate(FIELDS):
    # every field gets three kinds; caption and name get all of them
    _chosen = CHARS if _f_index in (0, 6) else [CHARS[(_f_index * 3 + k) % len(CHARS)] for k in range(3)]
    for _char, _code in _chosen:
        _field = _prefix.strip(" :[")
        _ln, _col = _position(_rel, _line, _prefix, _before)
        _label = unicodedata.name(_char, "") if len(_char) == 1 else _char.lstrip("\\")
        add(f"char-{_field}-{_rel.split('/')[0]}-{_label or _char.encode('unicode_escape').decode()}".replace(" ", "_"), 6, _char_case(_rel, _line, _prefix, _before, _char), _code, re.escape(_rel), _ln, _col)

_NFD = unicodedata.normalize("NFD", "ガギグ")
add("nfd-name", 6, lambda repo, out: (edit("variants/alpha.yaml", "name: アルファ商工会議所", f"name: {MARK}{_NFD}商工会議所")(repo), ["lint"])[1],
    "PR016", "variants/alpha.yaml", 2, 7)
add("nfd-self", 6, lambda repo, out: (edit("variants/alpha.yaml", "self: 本所", f"self: {MARK}{_NFD}")(repo), ["lint"])[1],
    "PR016", "variants/alpha.yaml", 3, 7)
add("nfd-caption", 6, lambda repo, out: (edit("terms/fees.yaml", "caption: 利用料金", f"caption: {MARK}{_NFD}")(repo), ["lint"])[1],
    "PR016", "terms/fees.yaml", 2, 10)
add("nfd-heading", 6, lambda repo, out: (edit("variants/alpha.yaml", "heading: 駆け付け価格", f"heading: {MARK}{_NFD}")(repo), ["lint"])[1],
    "PR016", "variants/alpha.yaml", 15, 18)
add("control-in-render-txt", 6, lambda repo, out: (edit("terms/fees.yaml", "caption: 利用料金", 'caption: "利用\\e[2J料金"')(repo),
                                                   ["render", "alpha", "--format", "txt"])[1], "PR017", "terms/fees.yaml", 2, 13)
add("nul-in-render-pdf", 6, lambda repo, out: (edit("terms/fees.yaml", "caption: 利用料金", 'caption: "利用\\0料金"')(repo),
                                               ["render", "alpha", "--format", "pdf", "-o", str(out / "a.pdf")])[1],
    "PR017", "terms/fees.yaml", 2, 13)
add("surrogate-in-caption-build", 6, lambda repo, out: (edit("terms/fees.yaml", "caption: 利用料金", 'caption: "利用\\ud83d料金"')(repo),
                                                        ["build", "--format", "txt,html"])[1], "PR015", "terms/fees.yaml", 2, 13)
