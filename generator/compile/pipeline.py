"""The document pipeline in one place: sources -> model -> resolved variant -> numbered document."""

from __future__ import annotations

from pathlib import Path

from ..source.errors import Finding, Location, SourceError
from ..source.load import DirectoryTree, Project, check_variant_id, load_project
from .document import NumberedDocument
from .numbering import number
from .resolve import resolve


def load(root: Path | str = ".") -> Project:
    """Read and validate the terms repository at root."""
    root = Path(root)
    if not (root / "terms").is_dir():
        raise SourceError(Finding(Location(str(root)), "F002", "terms/ フォルダがありません。",
                                  "規約リポジトリの一番上のフォルダで実行するか、--root で指定してください。"))
    return load_project(DirectoryTree(root))


def compile_variant(project: Project, variant_id: str) -> NumberedDocument:
    """One reseller's terms, numbered and with every placeholder replaced."""
    require_variant(variant_id, project.variants)
    return number(resolve(project, variant_id))


def require_variant(variant_id: str, known) -> None:
    """Refuse an id that is unsafe or not among the known variants (C001 / C002)."""
    check_variant_id(variant_id)
    if variant_id not in known:
        names = ", ".join(sorted(known)) or "（なし）"
        raise SourceError(Finding(Location("variants/"), "C002", f"販売店「{variant_id}」がありません。",
                                  f"登録されている販売店: {names}"))
