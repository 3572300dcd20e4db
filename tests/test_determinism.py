"""Same sources, same bytes: two builds in fresh folders agree on every file; golden text renderings.

For txt/md/html the golden files in tests/golden/ are compared byte for byte
(only `python tests/update_golden.py` writes them). DOCX and PDF bytes change with renderer upgrades, so
their "golden" is that two builds agree and that the text read back matches (test_docx/test_pdf).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_project, run_cli
from generator import render

TEXT_FORMATS = ("txt", "md", "html")
ALL_FORMATS = ",".join(render.REGISTRY)


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(project: Path, env: dict[str, str] | None = None, days_later: int = 0) -> dict[str, str]:
    result = run_cli("build", "--root", str(project), "--format", ALL_FORMATS, env=env, days_later=days_later)
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
    # another process, another time zone and locale, and a clock one day later
    second = _build(copy_project(src, tmp_path / "b"), env={"TZ": "Asia/Tokyo", "LANG": "ja_JP.UTF-8"}, days_later=1)
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
    again = _build(project, env={"SOURCE_DATE_EPOCH": "1700000000"}, days_later=1)
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
# The goldens are written only by `python tests/update_golden.py` (review the diff, then commit);
# a test run never writes them, so a test cannot agree with itself.


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_golden_text_renderings(fmt):
    from golden import golden_path, golden_text

    path = golden_path(fmt)
    assert path.is_file(), f"{path} がありません: python tests/update_golden.py で作成し、差分を確認してコミットしてください"
    assert golden_text(fmt) == path.read_bytes(), \
        f"{path.name} が変わりました。意図した変更なら python tests/update_golden.py で更新し、差分を確認してください"


@pytest.mark.parametrize("name", ["diff", "notice"])
def test_golden_diff_and_notice(name):
    import golden

    path = golden.GOLDEN / f"{name}.txt"
    assert path.is_file(), f"{path} がありません: python tests/update_golden.py で作成してください"
    actual = getattr(golden, f"golden_{name}")().decode()
    assert actual == path.read_text(encoding="utf-8"), \
        f"{name} の結果が変わりました。意図した変更なら python tests/update_golden.py で更新し、差分を確認してください"


def test_no_test_writes_the_goldens():
    # the update lives in its own command; an environment switch inside the tests would make them vacuous
    for test in Path(__file__).parent.glob("*.py"):
        if test.name in ("update_golden.py", Path(__file__).name):
            continue
        text = test.read_text(encoding="utf-8")
        assert "UPDATE_GOLDEN" not in text and ".write_bytes(golden" not in text, test.name
