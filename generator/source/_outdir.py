"""Where kiyaku may write: `build --out DIR` and `-o FILE`, checked before anything is rendered.

Why: publishing exchanges the whole output folder with a staged copy. `--out existing-file.txt`
turned the user's file into a folder, `--out .` copied the repository into itself level after
level, and `-o` onto a folder gave a traceback. So an output folder must be one kiyaku made
before (it holds MARKER, or only reseller folders with a manifest.json, as builds before the
marker left them) or an empty or new folder; never the repository itself, a folder that holds
it, a source folder, git's or kiyaku's own folder, a symlink or an existing file. `-o` must name
a file (not a folder) outside the source folders. Each refusal is a finding (O010–O015).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Finding, Location, OutputError

MARKER = "kiyaku-output.txt"
MARKER_TEXT = "このフォルダは kiyaku build が作りました。中身は次の build で置き換わります。\n".encode("utf-8")
PROTECTED = ("terms", "variants", "releases", "errata.yaml", ".git", ".kiyaku", "generator")


def _fail(shown: str, code: str, message: str, hint: str) -> OutputError:
    return OutputError(Finding(Location(shown), code, message, hint))


def _within(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _protected(root: Path, target: Path) -> str | None:
    """The source folder or file target lies in (or is), or None."""
    real_root = Path(os.path.realpath(root))
    for name in PROTECTED:
        if _within(target, real_root / name):
            return name
    return None


def check_out_dir(root: Path, out_dir: Path) -> None:
    """Raise O010–O014 unless out_dir may be replaced by a build's outputs."""
    shown = str(out_dir)
    if os.path.islink(out_dir):
        raise _fail(shown, "O011", "出力先がシンボリックリンクです。", "実体のフォルダを --out に指定してください。")
    if os.path.lexists(out_dir) and not out_dir.is_dir():
        raise _fail(shown, "O010", "出力先は既にあるファイルです（フォルダではありません）。",
                    "--out には新しいフォルダか、kiyaku build が作ったフォルダを指定してください。")
    target = Path(os.path.realpath(out_dir))
    real_root = Path(os.path.realpath(root))
    if _within(real_root, target):
        raise _fail(shown, "O012", "出力先が規約リポジトリそのもの、またはそれを含むフォルダです。",
                    "--out にはリポジトリの外か、rendered/ のような専用のフォルダを指定してください。")
    if (name := _protected(root, target)) is not None:
        raise _fail(shown, "O012", f"出力先がソースのフォルダ（{name}）の中です。",
                    "--out にはソース以外のフォルダ（既定: rendered/）を指定してください。")
    if target.is_dir() and not made_by_kiyaku(target):
        raise _fail(shown, "O013", "出力先のフォルダは空ではなく、kiyaku build が作ったものでもありません。",
                    "中身を別の場所に移すか、新しいフォルダを --out に指定してください（置き換えると中身が消えます）。")


def made_by_kiyaku(folder: Path) -> bool:
    """Empty, marked, or (older builds) only reseller folders with a manifest.json."""
    entries = list(os.scandir(folder))
    if not entries or any(e.name == MARKER and e.is_file(follow_symlinks=False) for e in entries):
        return True
    return all(e.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(e.path, "manifest.json")) for e in entries)


def mark(out_dir: Path) -> None:
    """Leave the marker that lets the next build replace this folder."""
    path = out_dir / MARKER
    if not path.is_file():
        path.write_bytes(MARKER_TEXT)


def check_output_file(root: Path, output: Path) -> None:
    """Raise O014/O015 unless -o may write the file output."""
    shown = str(output)
    if output.is_dir():
        raise _fail(shown, "O014", "-o の出力先はフォルダです。", "ファイル名まで指定してください（例: -o out/hiroshima-cci.pdf）。")
    for parent in output.parents:
        if os.path.lexists(parent) and not parent.is_dir():
            raise _fail(shown, "O014", f"-o の出力先の途中「{parent}」がファイルです。", "フォルダの名前を確認してください。")
    name = _protected(root, Path(os.path.realpath(output)))
    if name is not None:
        raise _fail(shown, "O015", f"-o の出力先がソースのフォルダ（{name}）の中です。", "ソース以外の場所に書き出してください。")
