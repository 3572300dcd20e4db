"""`kiyaku build` and `kiyaku verify`: the pipeline from sources to rendered/<variant>/.

Everything is gathered, validated and rendered in memory first; only then is anything
written, one atomic folder swap per variant. A failed build leaves rendered/ untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__, _git, _writer, render
from .compile import compile_variant, load
from .document import NumberedDocument
from .errors import Finding, Location, OutputError, RenderError, SourceError
from .load import check_variant_id
from .load import Project

JST = dt.timezone(dt.timedelta(hours=9))
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RenderedVariant:
    variant_id: str
    files: dict[str, bytes]  # file name -> bytes, manifest.json included
    manifest: dict


@dataclass
class BuildResult:
    out: Path
    variants: list[RenderedVariant] = field(default_factory=list)


def source_date_epoch(doc: NumberedDocument) -> int:
    """The one timestamp embedded in outputs: SOURCE_DATE_EPOCH, else the issue date 00:00 JST.

    Taken from the content (not the clock or the commit) so the same sources give the same bytes.
    """
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    return int(dt.datetime.combine(doc.issued, dt.time(0, 0), JST).timestamp())


def renderer_versions() -> dict[str, str]:
    """Versions of everything that shapes the bytes, recorded in each manifest."""
    from importlib import metadata

    versions = {"kiyaku": __version__}
    for dist in ("Jinja2", "docxtpl", "python-docx", "typst", "noto-cjk-sans-jp-regular", "noto-cjk-sans-jp-bold"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def render_context(project: Project, root: Path, doc: NumberedDocument) -> render.RenderContext:
    """What renderers get besides the document: the variant's own template and the fixed timestamp."""
    variant = project.variants[doc.variant_id]
    origin = project.where(project.variant_files[doc.variant_id], ("template",)) if variant.template else None
    return render.RenderContext(root=str(root), timestamp=source_date_epoch(doc), template=variant.template,
                                template_origin=origin)


def render_variant(project: Project, root: Path, variant_id: str, formats: list[str],
                   commit: _git.CommitInfo | None, on_file: Callable[[str, str], None] | None = None) -> RenderedVariant:
    doc = compile_variant(project, variant_id)
    context = render_context(project, root, doc)
    files: dict[str, bytes] = {}
    entries = {}
    for fmt in formats:
        renderer = render.get(fmt)
        data = renderer.render(doc, context)
        name = f"{variant_id}{renderer.extension}"
        files[name] = data
        entries[name] = {"format": fmt, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        if on_file:
            on_file(variant_id, fmt)
    manifest = {
        "variant": variant_id,
        "provider": doc.provider,
        "edition": doc.edition,
        "issued": doc.issued.isoformat(),
        "source_commit": commit.sha if commit else None,
        "source_dirty": commit.dirty if commit else None,
        "source_date_epoch": context.timestamp,
        "files": entries,
        "renderers": renderer_versions(),
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return RenderedVariant(variant_id, files, manifest)


def _check_formats(formats: list[str]) -> None:
    unknown = [f for f in formats if f not in render.REGISTRY]
    if unknown:
        raise RenderError(Finding(Location("<コマンドライン>"), "C003", f"形式「{', '.join(unknown)}」はありません。",
                                  f"使える形式: {', '.join(render.REGISTRY)}"))


def _progress(stream) -> Callable[[str, str], None] | None:
    if not stream.isatty():
        return None
    return lambda variant, fmt: print(f"\r  {variant}: {fmt} …", end="", file=stream, flush=True)


def build(root: Path | str = ".", variants: list[str] | None = None, formats: list[str] | None = None,
          out: Path | str | None = None, draft: bool = False) -> BuildResult:
    """Render the chosen variants (all by default) in the chosen formats (all by default).

    With draft=True everything is rendered and checked but nothing is written.
    """
    root = Path(root)
    formats = formats or list(render.REGISTRY)
    _check_formats(formats)
    from .lint import lint

    errors = [f for f in lint(root) if f.severity == "error"]
    if errors:  # outputs are evidence: never publish from sources that fail lint
        raise SourceError(errors)
    project = load(root)
    for variant_id in variants or []:
        check_variant_id(variant_id)
    chosen = variants or sorted(project.variants)
    commit = _git.head(root)
    progress = _progress(sys.stderr)
    rendered = [render_variant(project, root, v, formats, commit, progress) for v in chosen]
    if progress:
        print("\r", end="", file=sys.stderr)
    out_dir = Path(out) if out else root / "rendered"
    if not draft:
        with _writer.build_lock(root):
            _writer.clean_stale(root)
            _writer.publish(root, out_dir, {r.variant_id: r.files for r in rendered})
    return BuildResult(out_dir, rendered)


def verify(root: Path | str = ".", out: Path | str | None = None) -> list[Finding]:
    """Re-render every variant found in rendered/ and report files whose bytes differ from the manifest."""
    root = Path(root)
    out_dir = Path(out) if out else root / "rendered"
    findings: list[Finding] = []
    if not out_dir.is_dir():
        raise OutputError(Finding(Location(str(out_dir)), "O001", "rendered/ がありません。", "先に kiyaku build を実行してください。"))
    project = load(root)
    commit = _git.head(root)
    from .release import check_records  # immutable release records (issue 8 item 5)
    findings += check_records(root, rerender=True)
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir()):
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            findings.append(Finding(Location(str(manifest_path)), "O002", "manifest.json がありません。", "kiyaku build で作り直してください。"))
            continue
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        formats = [entry["format"] for entry in manifest["files"].values()]
        if folder.name not in project.variants:
            findings.append(Finding(Location(str(folder)), "O003", f"販売店「{folder.name}」のソースがありません。", "不要なら削除してください。"))
            continue
        fresh = render_variant(project, root, folder.name, formats, commit)
        for name, entry in sorted(manifest["files"].items()):
            path = folder / name
            on_disk = path.read_bytes() if path.is_file() else None
            if on_disk is None:
                findings.append(Finding(Location(str(path)), "O004", "マニフェストにあるファイルがありません。", "kiyaku build で作り直してください。"))
            elif hashlib.sha256(on_disk).hexdigest() != entry["sha256"]:
                findings.append(Finding(Location(str(path)), "O005", "ファイルの内容がマニフェストの SHA-256 と一致しません（改変の可能性）。", "kiyaku build で作り直し、改変の経緯を確認してください。"))
            if fresh.manifest["files"].get(name, {}).get("sha256") != entry["sha256"]:
                findings.append(Finding(Location(str(path)), "O006", "ソースから作り直した内容がマニフェストと一致しません。", "ソースが変更されています。kiyaku build を実行してください。"))
    return findings
