"""Move generator/'s flat modules into one subpackage per stage (issue 16), rewriting every import.

    python tools/restructure.py            # apply on a clean checkout, then review and commit
    python tools/restructure.py --check    # only say what would happen (modules not in MAPPING, moves)

The layer order is declared once, in generator/_layers.py; the move is the MAPPING table below.
What the script does, in order, and deterministically (same checkout → same result):

1. Refuses to run on a dirty work tree, and says so when the move is already applied (exit 0) or
   half applied (exit 2). Fails with a list when a module under generator/ is neither in MAPPING
   nor kept in place (KEEP): add one line per new module to MAPPING and run it again.
2. Computes every new file text first (nothing is written when a computation fails):
   - relative imports inside generator/ (``from .x import``, ``from . import x``, ``from .. import``)
     are resolved with ``ast`` against the old layout and written anew from the module's new place;
   - everywhere else it rewrites (generator/, tests/, bench/, tools/, scripts/, docs/, README.md,
     mkdocs.yml, pyproject.toml, .ci/): dotted names ``generator.x`` (absolute imports, ``-m``,
     "module:Class" strings, monkeypatch targets, docstrings), paths ``generator/x.py``, and
     ``from generator import x``.
3. ``git mv``s each module, writes the rewritten texts, creates each new subpackage's
   ``__init__.py`` with its docstring from _layers.py (and adds the layer line to the docstrings
   of existing subpackages), lists the packages in pyproject.toml, and writes README's layout rows.
4. Checks the result: every module imports, every ``from generator... import name`` names
   something that exists, and no old dotted name is left. Problems are listed (exit 1); the tree
   is left as it is for review (``git reset --hard && git clean -fd generator`` undoes it).

Templates (generator/templates/, generator/site/templates/) do not move, so
``resources.files("generator")`` and ``PackageLoader("generator.site", ...)`` keep resolving; the
build cache finds its package root from its own dotted name (generator/_cache.py).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "generator"

# old module (dotted, under generator/) -> new module. One line per module; add new ones here.
MAPPING: dict[str, str] = {
    # source/: the repository's files
    "errors": "source.errors",
    "_yaml": "source._yaml",
    "model": "source.model",
    "load": "source.load",
    "schema": "source.schema",
    "_git": "source._git",
    "_writer": "source._writer",
    "_cache": "source._cache",
    # compile/: sources to the numbered document
    "_placeholders": "compile._placeholders",
    "resolve": "compile.resolve",
    "numbering": "compile.numbering",
    "document": "compile.document",
    "eras": "compile.eras",
    "normalize": "compile.normalize",
    "compile": "compile.pipeline",
    # history/: the editions released so far
    "history": "history.editions",
    "_records": "history._records",
    "_calendar": "history._calendar",
    # lint/
    "lint": "lint.checks",
    "_proofread": "lint._proofread",
    # build/
    "build": "build.builder",
    "_verify": "build.verify",
    "_outputs": "build._outputs",
    "_pool": "build._pool",
    "_state": "build._state",
    # importing/: outside documents
    "compare": "importing.compare",
    "importer": "importing.importer",
    "_align": "importing._align",
    "_import_diff": "importing._import_diff",
    "_import_io": "importing._import_io",
    "_parse_terms": "importing._parse_terms",
    "_docx_lines": "importing._docx_lines",
    # changes/: changing the terms in public
    "release": "changes.release",
    "diff": "changes.diff",
    "notice": "changes.notice",
    "notice_render": "changes.notice_render",
    "feeds": "changes.feeds",
    # --- modules added on main after the script was written (issues 11–15, 18, 19) ---
    # source/: trust and file boundaries, git state, YAML editing, shared helpers
    "_files": "source._files",
    "_trust": "source._trust",
    "_budget": "source._budget",
    "_urls": "source._urls",
    "_outdir": "source._outdir",
    "_textchars": "source._textchars",
    "_faults": "source._faults",
    "_gitstate": "source._gitstate",
    "_githistory": "source._githistory",
    "_suggest": "source._suggest",
    "_columns": "source._columns",
    "_variant_edit": "source._variant_edit",
    "_yaml_splice": "source._yaml_splice",
    # compile/: parameters and the checks resolve runs on a variant
    "params": "compile.params",
    "_variant_checks": "compile._variant_checks",
    "options_doc": "compile.options_doc",
    # render/: the hidden ids every DOCX carries (read back by word/)
    "_docx_ids": "render._docx_ids",
    # history/: the release journal, the published copy
    "_txn": "history._txn",
    "_published": "history._published",
    # lint/
    "_lint_contact": "lint._lint_contact",
    # build/
    "render_batch": "build.render_batch",
    # importing/: a new reseller's file (kiyaku new) beside kiyaku import
    "scaffold": "importing.scaffold",
    # changes/: the notice's parts (its DOCX fonts and nested tables: notice-only, so a change
    # there leaves the build cache's code fingerprint alone)
    "_docx_fonts": "changes._docx_fonts",
    "_docx_tables": "changes._docx_tables",
    "_elide": "changes._elide",
    "_table_diff": "changes._table_diff",
    "_notice_notes": "changes._notice_notes",
    "notice_md": "changes.notice_md",
    # word/: the Word round trip (redline out, apply back)
    "redline": "word.redline",
    "_ooxml_changes": "word._ooxml_changes",
    "apply": "word.apply",
    "_apply_fold": "word._apply_fold",
    "_apply_map": "word._apply_map",
    "_apply_plain": "word._apply_plain",
    "_apply_write": "word._apply_write",
    "_docx_read": "word._docx_read",
}

# Names that left their module before the move (the cycle-breaking commit): hints for the check.
MOVED_NAMES = {("generator.build.builder", "verify"): "generator.build.verify (kiyaku verify; was build.verify)"}

# Modules that stay where they are: the root, the commands on top, and the subpackages that exist.
KEEP = re.compile(r"(__init__|__main__|cli|_argparse_ja|_layers|render(\..+)?|site(\..+)?)")

# Files whose text may name modules. Not: tests/golden, tests/fixtures, tests/seeds (data), nor the
# files written for the new layout (EXCLUDE).
TEXT_GLOBS = ("generator/**/*.py", "generator/templates/*", "generator/site/templates/*", "tests/*.py",
              "bench/*.py", "tools/*.py", "scripts/*", "docs/**/*.md", "README.md", "mkdocs.yml",
              "pyproject.toml", ".ci/*")

EXCLUDE = ("tools/restructure.py", "tests/test_layout.py", "generator/_layers.py")

DOTTED = re.compile(r"(?<![\w.])generator((?:\.[A-Za-z_]\w*)+)")
PATHS = re.compile(r"(?<![\w/])generator/([A-Za-z_]\w*)\.py\b")
FROM_PKG = re.compile(r"(?P<lead>[ \t]*)from generator import (?P<names>\w+(?: as \w+)?(?:, *\w+(?: as \w+)?)*)")


class Refused(Exception):
    """The script stops before writing anything; the message says why and what to do."""


@dataclass(frozen=True)
class Module:
    name: str  # dotted, without "generator." ("lint", "render.pdf", "__init__" for the root)
    path: Path
    is_pkg: bool

    @property
    def full(self) -> str:
        return PKG if self.name == "__init__" else f"{PKG}.{self.name.removesuffix('.__init__')}"

    @property
    def package(self) -> str:
        return self.full if self.is_pkg else self.full.rpartition(".")[0]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def modules() -> list[Module]:
    found = []
    for path in sorted((ROOT / PKG).rglob("*.py")):
        rel = path.relative_to(ROOT / PKG).with_suffix("")
        found.append(Module(".".join(rel.parts), path, path.name == "__init__.py"))
    return found


def load_layers():
    spec = importlib.util.spec_from_file_location("_layers", ROOT / PKG / "_layers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- state -------------------------------------------------------------------------------------

def check_state(mods: list[Module], layers) -> list[Module]:
    """The modules to move; raises Refused (already applied, half applied, unknown modules)."""
    names = {m.name for m in mods}
    subpackages = set(layers.names())
    sources = [m for m in mods if m.name in MAPPING]
    targets = [new for new in MAPPING.values() if new in names]
    if not sources and len(targets) == len(MAPPING):
        raise Refused("すでに適用済みです（MAPPING のモジュールはすべて新しい場所にあります）。", 0)
    if targets and sources:
        raise Refused("途中まで適用された状態です。移動先にすでにあるモジュール: " + ", ".join(sorted(targets))
                      + "\n→ git reset --hard && git clean -fd generator で戻してから実行してください。", 2)
    unknown = []
    for m in mods:
        top = m.name.split(".")[0]
        if m.name in MAPPING or KEEP.fullmatch(m.name) or ("." in m.name and top in subpackages):
            continue
        unknown.append(m)
    if unknown:
        lines = [f"  generator/{m.path.relative_to(ROOT / PKG).as_posix()}  →  MAPPING に \"{m.name}\": \"<subpackage>.{m.name}\","
                 for m in unknown]
        raise Refused("MAPPING にないモジュールがあります（他のブランチで増えたもの）:\n" + "\n".join(lines)
                      + "\n→ 1 モジュール 1 行を tools/restructure.py の MAPPING に足して、もう一度実行してください。"
                      + "\n  層: " + " < ".join(layers.names()), 1)
    bad = sorted({new.split(".")[0] for new in MAPPING.values()} - subpackages)
    if bad:
        raise Refused(f"MAPPING の移動先 {bad} が generator/_layers.py の LAYERS にありません。", 1)
    return sources


# --- rewriting ---------------------------------------------------------------------------------

def new_full(full: str) -> str:
    """generator.x[.rest] with x moved -> its new dotted name; anything else unchanged."""
    parts = full.split(".")
    if parts[0] != PKG or len(parts) < 2 or parts[1] not in MAPPING:
        return full
    return ".".join([PKG, MAPPING[parts[1]], *parts[2:]])


def relative(from_package: str, target: str) -> str:
    """The relative module text that names `target` from inside `from_package`."""
    a, b = from_package.split("."), target.split(".")
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return "." * (len(a) - common + 1) + ".".join(b[common:])


def _moved(m: Module) -> Module:
    if m.name not in MAPPING:
        return m
    new = MAPPING[m.name]
    return Module(new, ROOT / PKG / Path(*new.split(".")).with_suffix(".py"), False)


def rewrite_relative(m: Module, text: str) -> str:
    """Every relative import of module m, resolved in the old layout, written from its new place."""
    tree = ast.parse(text, filename=str(m.path))
    new_package = _moved(m).package
    lines = text.encode("utf-8").split(b"\n")
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = m.package.split(".")
        base = ".".join(base[:len(base) - (node.level - 1)])
        if node.module:
            target = new_full(f"{base}.{node.module}")
            groups = {target: [(a.name, a.asname) for a in node.names]}
        else:
            groups: dict[str, list[tuple[str, str | None]]] = {}
            for a in node.names:
                moved = new_full(f"{base}.{a.name}")
                parent, _, leaf = moved.rpartition(".")
                alias = a.asname or (a.name if leaf != a.name else None)
                groups.setdefault(parent, []).append((leaf, alias))
        edits.append((node, groups))
    for node, groups in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        start, end = node.lineno - 1, node.end_lineno - 1
        head, tail = lines[start][:node.col_offset], lines[end][node.end_col_offset:]
        old = b"\n".join(lines[start:end + 1])[node.col_offset:]
        old = old[:len(old) - len(tail)] if tail else old
        if node.module and len(groups) == 1:
            (target,) = groups
            new = re.sub(rb"^from\s+\.+[\w.]*\s+import", f"from {relative(new_package, target)} import".encode(), old)
        else:
            indent = b"\n" + head if head.strip() == b"" else b"; "
            new = indent.join(
                f"from {relative(new_package, parent)} import "
                f"{', '.join(n + (f' as {al}' if al else '') for n, al in items)}".encode()
                for parent, items in groups.items())
        lines[start:end + 1] = [head + new + tail]
    return sort_import_runs(b"\n".join(lines).decode("utf-8"))


ONE_LINE_RELATIVE = re.compile(r"from (\.+[\w.]*) import [\w, ]+")


def sort_import_runs(text: str) -> str:
    """Sort each run of consecutive one-line top-level relative imports by module (new paths reorder them)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and ONE_LINE_RELATIVE.fullmatch(lines[j]):
            j += 1
        if j - i > 1:
            lines[i:j] = sorted(lines[i:j], key=lambda line: (ONE_LINE_RELATIVE.fullmatch(line)[1], line))
        i = max(j, i + 1)
    return "\n".join(lines)


def _from_package(match: re.Match) -> str:
    groups: dict[str, list[str]] = {}
    for item in match["names"].split(","):
        name, _, alias = item.strip().partition(" as ")
        parent, _, leaf = new_full(f"{PKG}.{name}").rpartition(".")
        alias = alias or (name if leaf != name else "")
        groups.setdefault(parent, []).append(leaf + (f" as {alias}" if alias else ""))
    at_line_start = match.start() == 0 or match.string[match.start() - 1] == "\n"
    joiner = "\n" + match["lead"] if at_line_start else "; "  # inside a string (python -c): one line
    return match["lead"] + joiner.join(f"from {parent} import {', '.join(items)}" for parent, items in groups.items())


def rewrite_text(text: str) -> str:
    """Dotted names, paths and `from generator import x` outside relative imports."""
    text = DOTTED.sub(lambda m: new_full(m.group(0)), text)  # first: its output must not be mapped again
    text = PATHS.sub(lambda m: ("generator/" + MAPPING[m[1]].replace(".", "/") + ".py") if m[1] in MAPPING else m[0], text)
    return FROM_PKG.sub(_from_package, text)


def text_files() -> list[Path]:
    tracked = set(git("ls-files", "-z").split("\0"))
    files = {p for glob in TEXT_GLOBS for p in ROOT.glob(glob) if p.is_file()}
    return sorted(p for p in files if p.relative_to(ROOT).as_posix() in tracked
                  and p.relative_to(ROOT).as_posix() not in EXCLUDE and _is_text(p))


def _is_text(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False  # terms.docx and other binary templates
    return True


# --- generated files ---------------------------------------------------------------------------

def init_docstring(layers, name: str, what: str, members: list[str]) -> str:
    text = f"{name}/ — {what}.\n\n{layer_line(layers, name)}"
    if members:
        text += f"\n\nModules: {', '.join(members)}."
    return text


def _wrap(text: str, width: int = 100) -> str:
    out = []
    for para in text.split("\n\n"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
        out.append("")
    return "\n".join(out[:-1])


def layer_line(layers, name: str) -> str:
    """What a subpackage may import, from its place in LAYERS (the same sentence in every __init__)."""
    order = layers.names()
    below = [f"{n}/" for n in order[:order.index(name)]]
    above = [f"{n}/" for n in order[order.index(name) + 1:]] + ["cli"]
    return (f"Layer {order.index(name) + 1} of {len(order)} (generator/_layers.py). May import: its own modules, "
            f"the package root (generator){''.join(', ' + n for n in below)}. Never: {', '.join(above)}.")


def with_layer_line(text: str, line: str) -> str:
    """An existing subpackage's __init__: its docstring gains the layer line (once)."""
    if "(generator/_layers.py)" in text:
        return text
    end = text.index('"""', 3)
    return text[:end].rstrip("\n") + "\n\n" + line + "\n" + text[end:]


def readme_rows(layers) -> str:
    rows = ["| `generator/` | the code (Python package; CLI `kiyaku` in `cli.py`): one subpackage per stage, listed "
            "here lowest first; a module imports only its own stage and those listed before it (`generator/_layers.py`, "
            "checked by `tests/test_layout.py`) |"]
    rows += [f"| `generator/{name}/` | {what} |" for name, what in layers.LAYERS]
    return "\n".join(rows) + "\n"


README_FLOW = """The code reads one way, one subpackage per stage: YAML → model (`source/`) → resolved and
numbered document (`compile/`) → renderers (`render/`). The release records (`history/`) are
checked by `lint/`, which every `build/` runs first; outside documents and new resellers
(`importing/`), releases, diffs, notices and feeds (`changes/`), the Word round trip (`word/`)
and the website (`site/`) sit on top, and `cli.py` over all of them.
"""


def patch_readme(text: str, layers) -> str:
    """The layout rows of the folder table, and the paragraph on how the code reads."""
    block = re.compile(r"(^\| `generator/[^\n]*\n)+", re.M)
    if not block.search(text):
        raise Refused("README.md に `generator/` の行がありません。", 1)
    text = block.sub(lambda _: readme_rows(layers), text, count=1)
    return re.sub(r"^The code reads one way[^\n]*\n(?:[^\n]+\n)*", lambda _: README_FLOW, text, count=1, flags=re.M)


def patch_pyproject(text: str, packages: list[str]) -> str:
    line = re.compile(r'^packages = \[[^\]]*\]$', re.M)
    if not line.search(text):
        raise Refused("pyproject.toml に packages = [...] の行がありません。", 1)
    return line.sub("packages = [" + ", ".join(f'"{p}"' for p in packages) + "]", text, count=1)


# --- apply and check ---------------------------------------------------------------------------

def plan(mods: list[Module], layers) -> dict[Path, str]:
    """New path -> new text for every file that changes (old paths of moved modules included)."""
    out: dict[Path, str] = {}
    for path in text_files():
        out[path] = rewrite_text(path.read_text(encoding="utf-8"))
    for m in mods:
        text = rewrite_text(rewrite_relative(m, m.path.read_text(encoding="utf-8")))
        out.pop(m.path, None)
        out[_moved(m).path] = text
    moved_names = {_moved(m).name for m in mods}
    for name, what in layers.LAYERS:
        init = ROOT / PKG / name / "__init__.py"
        if init in out or init.exists():
            out[init] = with_layer_line(out.get(init) or init.read_text(encoding="utf-8"), _wrap(layer_line(layers, name)))
        else:
            members = sorted(n.split(".", 1)[1] for n in moved_names if n.startswith(name + "."))
            out[init] = f'"""{_wrap(init_docstring(layers, name, what, members))}\n"""\n'
    packages = sorted({PKG} | {f"{PKG}.{n}" for n, _ in layers.LAYERS}
                      | {f"{PKG}.{m.name.rpartition('.')[0]}" for m in mods if m.is_pkg and "." in m.name})
    py = ROOT / "pyproject.toml"
    out[py] = patch_pyproject(out.get(py, py.read_text(encoding="utf-8")), packages)
    readme = ROOT / "README.md"
    out[readme] = patch_readme(out.get(readme, readme.read_text(encoding="utf-8")), layers)
    return out


def apply(mods: list[Module], texts: dict[Path, str]) -> None:
    for m in mods:
        if m.name in MAPPING:
            target = _moved(m).path
            target.parent.mkdir(parents=True, exist_ok=True)
            git("mv", str(m.path.relative_to(ROOT)), str(target.relative_to(ROOT)))
    for path, text in sorted(texts.items()):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git("add", "-A", PKG)


def verify(layers) -> list[str]:
    """After the move: every module imports, imported names exist, no old dotted name is left."""
    problems: list[str] = []
    mods = modules()
    defined: dict[str, set[str]] = {}
    for m in mods:
        tree = ast.parse(m.path.read_text(encoding="utf-8"))
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, (ast.If, ast.Try)):
                names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                names |= {(a.asname or a.name).split(".")[0] for n in ast.walk(node)
                          if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        defined[m.full] = names
    for path in [m.path for m in mods] + [p for p in text_files() if p.suffix == ".py" and PKG not in p.parts]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        here = next((m for m in mods if m.path == path), None)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = here.package.split(".")
                target = ".".join(base[:len(base) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != PKG and not target.startswith(PKG + "."):
                continue
            if target not in defined:
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: モジュール {target} がありません")
                continue
            for a in node.names:
                if a.name not in defined[target] and f"{target}.{a.name}" not in defined and a.name != "*":
                    hint = MOVED_NAMES.get((target, a.name))
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {target} に {a.name} がありません"
                                    + (f" → {hint} から import してください" if hint else ""))
    old = "|".join(sorted(k for k in MAPPING if k not in layers.names()))
    stale = re.compile(rf"(?<![\w.])generator\.({old})\b|(?<![\w/])generator/({'|'.join(MAPPING)})\.py\b")
    for path in text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if stale.search(line):
                problems.append(f"{path.relative_to(ROOT)}:{number}: 古い名前が残っています: {line.strip()}")
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    proc = subprocess.run([sys.executable, "-c", code, *sorted(m.full for m in mods if m.name != "__main__")], cwd=ROOT,
                          capture_output=True, text=True, env={**_env(), "PYTHONPATH": str(ROOT)})
    if proc.returncode:
        problems.append("import に失敗しました:\n" + proc.stderr[-2000:])
    return problems


def _env() -> dict[str, str]:
    return dict(os.environ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="say what would happen; change nothing")
    args = parser.parse_args(argv)
    layers = load_layers()
    try:
        mods = modules()
        sources = check_state(mods, layers)
        if not args.check and git("status", "--porcelain", "--", ".", ":!tools/restructure.py"):  # MAPPING edits are fine
            raise Refused("作業ツリーに未コミットの変更があります。\n→ コミットするか退避してから実行してください。", 2)
        texts = plan(mods, layers)
    except Refused as exc:
        message, code = exc.args
        print(message, file=sys.stderr if code else sys.stdout)
        return code
    for m in sources:
        print(f"generator/{m.path.relative_to(ROOT / PKG).as_posix()} -> generator/{_moved(m).path.relative_to(ROOT / PKG).as_posix()}")
    if args.check:
        print(f"{len(sources)} modules would move; {sum(1 for p, t in texts.items() if not p.exists() or p.read_text(encoding='utf-8') != t)} files would change.")
        return 0
    apply(mods, texts)
    problems = verify(layers)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"→ {len(problems)} 件の問題。直すか、git reset --hard && git clean -fd generator で戻してください。", file=sys.stderr)
        return 1
    print(f"{len(sources)} modules moved; every module imports. Next: python -m pytest -q tests/test_layout.py, then commit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
