"""The downloadable files of one edition: rendered by kiyaku's own pipeline, listed from the manifest.

Why build.render_variant and not a copy of rendered/: `mkdocs build` must work from a fresh clone
where rendered/ does not exist, and the published SHA-256 must be the one of the bytes published.
render_variant gives the same bytes and the same manifest.json as `kiyaku build` for the same
sources, so a reseller can check a download against either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import _git, render
from ..build import MANIFEST, render_variant
from ..load import Project

# Order on the page: what a reseller hands out first. Markdown (md) is an authoring format: not offered.
OFFERED = ("pdf", "docx", "html", "txt")
LABELS = {"pdf": "PDF", "docx": "Word（DOCX）", "html": "HTML", "txt": "テキスト"}
PURPOSE = {
    "pdf": "お客様への配布・保存用",
    "docx": "レターヘッドを付けるなど編集用",
    "html": "自社サイトへの掲載用",
    "txt": "文字だけの版（比較・検索用）",
}


@dataclass(frozen=True)
class Download:
    """One file as the page lists it; size and sha256 are copied from the manifest, not recomputed."""

    name: str
    format: str
    size: int
    sha256: str
    data: bytes

    @property
    def label(self) -> str:
        return LABELS.get(self.format, self.format.upper())

    @property
    def purpose(self) -> str:
        return PURPOSE.get(self.format, "")

    @property
    def size_text(self) -> str:
        """Bytes as people read them (KB = 1,024 bytes), with the exact count alongside."""
        kib = self.size / 1024
        human = f"{kib / 1024:.1f} MB" if kib >= 1024 else f"{kib:.0f} KB"
        return f"{human}（{self.size:,} バイト）"


@dataclass(frozen=True)
class Bundle:
    """Every file of one edition plus its manifest.json."""

    files: tuple[Download, ...]
    manifest: bytes

    def get(self, fmt: str) -> Download | None:
        return next((f for f in self.files if f.format == fmt), None)


def formats() -> list[str]:
    """The offered formats whose renderer exists in this checkout (DOCX/PDF may still be missing)."""
    have = set(render.available())
    return [f for f in OFFERED if f in have]


def render_bundle(sources: Project, root: Path, variant: str, commit: _git.CommitInfo | None) -> Bundle:
    """Render one reseller from the given sources (working tree or a release) in every offered format."""
    rendered = render_variant(sources, root, variant, formats(), commit)
    files = []
    for name, entry in rendered.manifest["files"].items():
        files.append(Download(name, entry["format"], int(entry["size"]), entry["sha256"], rendered.files[name]))
    order = {fmt: i for i, fmt in enumerate(OFFERED)}
    files.sort(key=lambda d: order.get(d.format, len(order)))
    return Bundle(tuple(files), rendered.files[MANIFEST])
