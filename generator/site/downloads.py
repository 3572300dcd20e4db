"""The downloadable files of one edition: rendered by kiyaku's own pipeline, listed from the manifest.

The working tree's files are exactly `kiyaku build`'s: the site runs build() (one code path), which
keeps every reseller whose rendered/<v>/ still matches its sources (after `kiyaku build`: nothing to
do) and renders the others on every core through the build's cache, and then reads rendered/. So
`mkdocs build` works from a fresh clone, and the published SHA-256 are those of rendered/*/manifest.json.
Released editions (sources at a commit) go through generator.build.render_batch: the same pool and cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import json

from .. import render
from ..build.builder import MANIFEST, RenderedVariant, build

# Order on the page: what a reseller hands out first; Markdown (in rendered/ too) comes last.
OFFERED = ("pdf", "docx", "html", "txt", "md")
LABELS = {"pdf": "PDF", "docx": "Word（DOCX）", "html": "HTML", "txt": "テキスト", "md": "Markdown"}
PURPOSE = {
    "pdf": "お客様への配布・保存用",
    "docx": "レターヘッドを付けるなど編集用",
    "html": "自社サイトへの掲載用",
    "txt": "文字だけの版（比較・検索用）",
    "md": "Markdown 形式（他の文書への取り込み用）",
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


def _bundle(manifest: dict, data: dict[str, bytes], manifest_bytes: bytes) -> Bundle:
    files = [Download(name, entry["format"], int(entry["size"]), entry["sha256"], data[name])
             for name, entry in manifest["files"].items()]
    order = {fmt: i for i, fmt in enumerate(OFFERED)}
    files.sort(key=lambda d: (order.get(d.format, len(order)), d.name))
    return Bundle(tuple(files), manifest_bytes)


def working_bundles(root: Path) -> dict[str, Bundle]:
    """Every reseller's files from the working tree, as `kiyaku build` publishes them in rendered/.

    Raises SourceError (with positions) when the sources fail lint: no download from bad sources.
    """
    out_dir = Path(root) / "rendered"
    result = build(root)
    bundles = {}
    for variant in result.variants:
        folder = out_dir / variant
        raw = (folder / MANIFEST).read_bytes()
        manifest = json.loads(raw)
        bundles[variant] = _bundle(manifest, {name: (folder / name).read_bytes() for name in manifest["files"]}, raw)
    return bundles


def formats() -> list[str]:
    """The offered formats whose renderer exists in this checkout (DOCX/PDF may still be missing)."""
    have = set(render.available())
    return [f for f in OFFERED if f in have]


def bundle_of(rendered: RenderedVariant) -> Bundle:
    """The page's view of one variant rendered by generator.build.render_batch (the same files and manifest)."""
    return _bundle(rendered.manifest, rendered.files, rendered.files[MANIFEST])
