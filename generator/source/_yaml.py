"""Reading YAML safely: YAML 1.2 via ruamel.yaml, with positions kept for every value.

Sources are data written by people, so this module refuses every YAML feature that can
surprise them or us: directives, several documents, anchors/aliases, merge keys, tags, tabs, BOMs,
non-UTF-8 bytes and oversized files. Each refusal names the file, line and column.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, NodeEvent, ScalarEvent,
                                SequenceEndEvent, SequenceStartEvent)
from ruamel.yaml.parser import RoundTripParser

from .errors import Finding, Location, SourceError

MAX_BYTES = 2 * 1024 * 1024  # a terms file is a few kB; 2 MB leaves room and stops accidents early

Path_ = tuple[str | int, ...]


VALUE = "="  # last element of a position path: the value of a key rather than the key itself


@dataclass
class LoadedYaml:
    """A parsed file: plain Python data, the ruamel tree (for round trips) and positions."""

    path: Path
    data: Any
    tree: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path_) -> Location:
        """The closest known position for a path into the data (falls back to parents)."""
        probe = tuple(loc)
        while probe:
            if probe in self.positions:
                line, col = self.positions[probe]
                return Location(str(self.path), line, col)
            probe = probe[:-1]
        return Location(str(self.path), 1, 1)


def _fail(path: Path, code: str, message: str, hint: str, line: int = 1, col: int = 1) -> SourceError:
    return SourceError(Finding(Location(str(path), line, col), code, message, hint))


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def _check_bytes(path: Path, raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise _fail(path, "Y001", f"ファイルが大きすぎます（{len(raw):,} バイト、上限 {MAX_BYTES:,} バイト）。",
                    "条ごとにファイルを分けてください。誤って別のファイルを保存していないか確認してください。")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise _fail(path, "Y002", "ファイルの先頭に BOM（バイト順マーク）があります。",
                    "エディタで「UTF-8（BOM なし）」を選んで保存し直してください。")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _line_col(raw, nul)
        raise _fail(path, "Y003", "ファイルに NUL 文字（制御文字）が含まれています。",
                    "テキストエディタで該当箇所を削除してください。", line, col)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise _fail(path, "Y004", "文字コードが UTF-8 ではありません（Shift-JIS などで保存されています）。",
                    "エディタで文字コードを「UTF-8」にして保存し直してください。", line, col) from None
    for number, line_text in enumerate(text.splitlines(), start=1):
        stripped = line_text.lstrip(" ")
        if stripped.startswith("\t"):
            raise _fail(path, "Y005", "行頭の字下げにタブ文字が使われています。",
                        "字下げは半角スペースで行ってください（タブは使えません）。",
                        number, len(line_text) - len(stripped) + 1)
    return text


_CONFLICT = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def check_conflict_markers(path: Path, text: str) -> None:
    """A merge left its conflict markers in the file: say so at the marker, not as a YAML syntax error later."""
    for number, line_text in enumerate(text.splitlines(), start=1):
        if line_text.startswith(_CONFLICT) and (len(line_text) == 7 or line_text[7] in " \t"):
            raise _fail(path, "Y014", "未解決の競合があります（git のマージで残った競合マーカー）。",
                        "「<<<<<<<」から「>>>>>>>」までを見て、どちらの内容を残すか決めてマーカーの行を削除し、"
                        "コミットしてください。", number, 1)


def _positions(node: Any, prefix: Path_, out: dict[Path_, tuple[int, int]]) -> None:
    if isinstance(node, CommentedMap):
        for key in node:
            try:
                line, col = node.lc.key(key)
            except (KeyError, TypeError):
                continue
            out[prefix + (str(key),)] = (line + 1, col + 1)
            try:  # where the value starts, for findings about a value rather than its key
                v_line, v_col = node.lc.value(key)
                out[prefix + (str(key), VALUE)] = (v_line + 1, v_col + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            _positions(node[key], prefix + (str(key),), out)
    elif isinstance(node, CommentedSeq):
        for index, child in enumerate(node):
            try:
                line, col = node.lc.item(index)
            except (KeyError, TypeError, IndexError):
                continue
            out[prefix + (index,)] = (line + 1, col + 1)
            _positions(child, prefix + (index,), out)


def _plain(node: Any) -> Any:
    """Convert the ruamel tree to plain dicts, lists and scalars (tags/anchors were refused before)."""
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node  # None, dates: the model rejects dates with a hint to quote them


def _check_event(event: Any, shown: Path, open_nodes: list[list[bool]]) -> None:
    """Refuse a directive, anchor, alias, tag or merge key at the event that carries it.

    open_nodes holds, per open collection, [is a mapping, the next node is a key]: a merge key
    can only be told from a plain "<<" value by its place.
    """
    mark = event.start_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if isinstance(event, NodeEvent) and open_nodes and open_nodes[-1][0]:
        if open_nodes[-1][1] and isinstance(event, ScalarEvent) and event.value == "<<" and not event.style:
            # a merge key copies another mapping's keys in silently (YAML 1.1); quoted "<<" is a plain key
            raise _fail(shown, "Y015", "マージキー（<<:）は使えません。",
                        "キーと値をそのまま書いてください（どの値が使われるかが見えなくなるため）。", line, col)
        open_nodes[-1][1] = not open_nodes[-1][1]
    if isinstance(event, MappingStartEvent):
        open_nodes.append([True, True])
    elif isinstance(event, SequenceStartEvent):
        open_nodes.append([False, False])
    elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
        open_nodes.pop()
    if isinstance(event, DocumentStartEvent) and (getattr(event, "version", None) or getattr(event, "tags", None)):
        raise _fail(shown, "Y006", "YAML ディレクティブ（%YAML）は使えません。",
                    "この行を削除してください。kiyaku は常に YAML 1.2 として読みます。", line, col)
    if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
        raise _fail(shown, "Y007", "アンカー（&）やエイリアス（*）は使えません。",
                    "同じ文を使い回したいときは、文をそのまま書くか、パラメータ {名前} を使ってください。",
                    line, col)
    tag = getattr(event, "tag", None)
    if tag:
        raise _fail(shown, "Y008", f"YAML タグ（{tag}）は使えません。",
                    "タグを削除し、値をそのまま書いてください。", line, col)


class _CheckedParser(RoundTripParser):
    """ruamel's round-trip parser, checking each event as the composer pulls it.

    Why here and not a separate scan: the checks then cost nothing extra (a scan parsed every
    file twice, ~40 % of a cold load), and an alias is still refused before the composer links
    it, so an alias bomb never expands.
    """

    def __init__(self, loader: Any, shown: Path) -> None:
        super().__init__(loader)
        self.shown = shown
        self.open_nodes: list[list[bool]] = []

    def _produce(self) -> None:
        if self.current_event is None and self.state:
            self.current_event = self.state()
            if self.current_event is not None:
                _check_event(self.current_event, self.shown, self.open_nodes)

    def check_event(self, *choices: Any) -> bool:
        self._produce()
        return super().check_event(*choices)

    def peek_event(self) -> Any:
        self._produce()
        return super().peek_event()

    def get_event(self) -> Any:
        self._produce()
        return super().get_event()


def make_yaml() -> YAML:
    """The one YAML configuration kiyaku uses: round-trip (comments kept), YAML 1.2, no duplicates."""
    yaml = YAML(typ="rt")
    yaml.version = None
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_yaml(path: Path, display: str | None = None) -> LoadedYaml:
    """Read one YAML file, refusing anything unsafe or surprising; raise SourceError on problems."""
    shown = Path(display) if display else path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(shown, "Y000", f"ファイルを読めません（{exc.strerror}）。", "ファイル名と場所を確認してください。") from None
    return load_yaml_bytes(raw, shown)


def load_yaml_bytes(raw: bytes, shown: Path) -> LoadedYaml:
    """Parse file contents read from anywhere (disk or a git object), with every byte-level check."""
    text = _check_bytes(shown, raw)
    check_conflict_markers(shown, text)
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, shown: Path) -> LoadedYaml:
    yaml = make_yaml()
    yaml.Parser = functools.partial(_CheckedParser, shown=shown)  # reading only: dumping never parses
    if not text.strip():
        raise _fail(shown, "Y009", "ファイルが空です。", "内容を書くか、不要ならファイルを削除してください。")
    try:
        documents = list(yaml.load_all(io.StringIO(text)))
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = str(exc.problem).split('"')[1] if '"' in str(exc.problem) else ""
        raise _fail(shown, "Y010", f"同じキー「{key}」が二度書かれています。",
                    "どちらか一方を削除してください（後の値が黙って使われることはありません）。",
                    (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "").strip()
        raise _fail(shown, "Y011", f"YAML の書き方に誤りがあります（{problem}）。",
                    "字下げ（半角スペースの数）、コロン「:」の後の空白、引用符の閉じ忘れを確認してください。",
                    (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
    except YAMLError as exc:
        raise _fail(shown, "Y011", f"YAML の書き方に誤りがあります（{exc}）。",
                    "字下げと記号を確認してください。") from None
    except RecursionError:
        raise _fail(shown, "Y012", "入れ子が深すぎます。", "構造を見直してください。") from None
    if not documents:
        raise _fail(shown, "Y009", "ファイルが空です（コメントしかありません）。", "内容を書くか、不要ならファイルを削除してください。")
    if len(documents) != 1:
        raise _fail(shown, "Y013", f"1 つのファイルに {len(documents)} 個の文書（--- 区切り）があります。",
                    "1 ファイルに 1 文書だけにしてください（「---」の行を削除）。")
    tree = documents[0]
    if tree is None:
        raise _fail(shown, "Y009", "ファイルが空です。", "内容を書くか、不要ならファイルを削除してください。")
    positions: dict[Path_, tuple[int, int]] = {}
    _positions(tree, (), positions)
    data = _plain(tree)
    return LoadedYaml(shown, data, tree, positions)
