"""`kiyaku verify`: render everything again from the sources, without any cache, and compare.

Why no cache: verify is the independent check that rendered/ and the cache have not drifted from
the sources (a corrupted file, a stale entry, a renderer that changed its output). It reuses the
build's worker pool, so checking 500 resellers takes about as long as building them.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..compile.pipeline import compile_variant, load
from ..history._records import check_records
from ..source._cache import Store, sha256
from ..source.errors import Finding, Location, OutputError
from ..source.load import Project
from ._pool import Pool, Progress, default_jobs
from ._state import MANIFEST
from .builder import _run_units, _unit


def verify(root: Path | str = ".", out: Path | str | None = None, jobs: int | None = None) -> list[Finding]:
    """Re-render every variant found in rendered/ from scratch (no cache) and report files whose bytes differ."""
    root = Path(root)
    out_dir = Path(out) if out else root / "rendered"
    findings: list[Finding] = []
    if not out_dir.is_dir():
        raise OutputError(Finding(Location(str(out_dir)), "O001", "rendered/ がありません。", "先に kiyaku build を実行してください。"))
    project = load(root)
    findings += check_records(root, rerender=True)  # immutable release records (issue 8 item 5)
    manifests: dict[str, dict] = {}
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir()):
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            findings.append(Finding(Location(str(manifest_path)), "O002", "manifest.json がありません。", "kiyaku build で作り直してください。"))
            continue
        if folder.name not in project.variants:
            findings.append(Finding(Location(str(folder)), "O003", f"販売店「{folder.name}」のソースがありません。", "不要なら削除してください。"))
            continue
        manifests[folder.name] = json.loads(manifest_path.read_text(encoding="utf-8"))
    fresh = _render_all(project, root, manifests, jobs)
    for variant_id, manifest in manifests.items():
        for name, entry in sorted(manifest["files"].items()):
            path = out_dir / variant_id / name
            on_disk = path.read_bytes() if path.is_file() else None
            if on_disk is None:
                findings.append(Finding(Location(str(path)), "O004", "マニフェストにあるファイルがありません。", "kiyaku build で作り直してください。"))
            elif sha256(on_disk) != entry["sha256"]:
                findings.append(Finding(Location(str(path)), "O005", "ファイルの内容がマニフェストの SHA-256 と一致しません（改変の可能性）。", "kiyaku build で作り直し、改変の経緯を確認してください。"))
            if fresh[variant_id].get(name) != entry["sha256"]:
                findings.append(Finding(Location(str(path)), "O006", "ソースから作り直した内容がマニフェストと一致しません。", "ソースが変更されています。kiyaku build を実行してください。"))
    return findings


def _render_all(project: Project, root: Path, manifests: dict[str, dict], jobs: int | None) -> dict[str, dict[str, str]]:
    """name -> SHA-256 of every file of the given variants rendered anew, across the workers, without a cache."""
    store = Store(None)
    docs = {v: compile_variant(project, v) for v in manifests}
    units = [_unit(project, root, docs[v], tuple(e["format"] for e in m["files"].values()), store) for v, m in manifests.items()]
    with Pool(jobs or default_jobs()) as pool:
        results = _run_units(units, docs, pool, Progress())
    return {v: {o.name: o.sha256 for r in rs for o in r.outputs} for v, (_doc, rs) in results.items()}
