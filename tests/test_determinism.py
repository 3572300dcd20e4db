"""Same sources, same bytes: two builds in fresh folders agree on every file; golden text renderings.

For txt/md/html the golden files in tests/golden/ are compared byte for byte
(KIYAKU_UPDATE_GOLDEN=1 rewrites them). DOCX and PDF bytes change with renderer upgrades, so
their "golden" is that two builds agree and that the text read back matches (test_docx/test_pdf).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_project, run_cli
from generator import render

GOLDEN = Path(__file__).resolve().parent / "golden"
TEXT_FORMATS = ("txt", "md", "html")
ALL_FORMATS = ",".join(render.REGISTRY)


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(project: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    result = run_cli("build", "--root", str(project), "--format", ALL_FORMATS, env=env)
    assert result.code == 0, result.stderr
    return _hashes(project / "rendered")


def _has_real_sources() -> bool:
    return (REPO / "variants").is_dir() and any((REPO / "variants").glob("*.yaml"))


@pytest.mark.parametrize("source", ["mini", "real"])
def test_two_builds_in_fresh_folders_give_identical_bytes(tmp_path, source):
    if source == "real" and not _has_real_sources():
        pytest.skip("terms/ and variants/ are not there yet")
    src = MINI if source == "mini" else REPO
    first = _build(copy_project(src, tmp_path / "a"), env={"TZ": "UTC", "LANG": "C.UTF-8"})
    second = _build(copy_project(src, tmp_path / "b"), env={"TZ": "Asia/Tokyo", "LANG": "ja_JP.UTF-8"})
    assert first == second
    suffixes = {Path(name).suffix for name in first}
    assert {".txt", ".md", ".html", ".docx", ".pdf", ".json"} <= suffixes


def test_manifest_records_every_file_and_the_fonts(tmp_path):
    project = copy_project(MINI, tmp_path / "mini")
    hashes = _build(project)
    for variant in ("alpha", "beta"):
        manifest = json.loads((project / "rendered" / variant / "manifest.json").read_text(encoding="utf-8"))
        assert {e["format"] for e in manifest["files"].values()} == set(render.REGISTRY)
        for name, entry in manifest["files"].items():
            assert hashes[f"{variant}/{name}"] == entry["sha256"]
            assert (project / "rendered" / variant / name).stat().st_size == entry["size"]
        assert manifest["edition"] >= 1
        assert {"typst", "docxtpl", "noto-cjk-sans-jp-regular", "noto-cjk-sans-jp-bold"} <= set(manifest["renderers"])


def test_source_date_epoch_sets_the_embedded_dates(tmp_path):
    project = copy_project(MINI, tmp_path / "mini")
    default = _build(project)
    pinned = _build(project, env={"SOURCE_DATE_EPOCH": "1700000000"})
    for name in ("alpha/alpha.pdf", "alpha/alpha.docx"):
        assert default[name] != pinned[name]
    assert default["alpha/alpha.txt"] == pinned["alpha/alpha.txt"]
    again = _build(project, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert again == pinned


def test_verify_accepts_a_build_and_reports_a_changed_pdf(tmp_path):
    project = copy_project(MINI, tmp_path / "mini")
    _build(project)
    ok = run_cli("verify", "--root", str(project))
    assert ok.code == 0, ok.stderr
    pdf = project / "rendered" / "beta" / "beta.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    bad = run_cli("verify", "--root", str(project))
    assert bad.code == 1 and "O005" in bad.stderr and "beta.pdf" in bad.stderr and "Traceback" not in bad.stderr


# --- golden files for the text renderers --------------------------------------------------------


def _golden_text(fmt: str) -> bytes:
    """Both mini variants in one file, each after a marker line, exactly as the renderer wrote them."""
    from renderings import MINI_VARIANTS, case

    parts = []
    for variant in MINI_VARIANTS:
        c = case(MINI, variant)
        parts.append(f"===== {variant}.{fmt} =====\n".encode("utf-8") + c.render(fmt))
    return b"".join(parts)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_golden_text_renderings(fmt):
    path = GOLDEN / f"mini.{fmt}"
    actual = _golden_text(fmt)
    if os.environ.get("KIYAKU_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual)
    assert path.is_file(), f"{path} がありません: KIYAKU_UPDATE_GOLDEN=1 で作成してください"
    assert actual == path.read_bytes(), f"{path.name} が変わりました。意図した変更なら KIYAKU_UPDATE_GOLDEN=1 で更新"
