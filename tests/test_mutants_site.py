"""The site's downloads (generator/site/downloads.py), in process so mutation testing sees them.

What a reseller downloads must be exactly what `kiyaku build` published: the bytes in rendered/,
listed with the size and SHA-256 of rendered/<v>/manifest.json, in the order the page offers them.
Sizes are printed as people read them; the values here are worked out by hand (KB = 1,024 bytes).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import MINI
from generator.build.render_batch import Job, render_many
from generator.compile.pipeline import load
from generator.site import downloads
from generator.site.downloads import Bundle, Download


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 KB（0 バイト）"),
    (511, "0 KB（511 バイト）"),  # 0.499 KB rounds down
    (513, "1 KB（513 バイト）"),
    (1023, "1 KB（1,023 バイト）"),
    (1024, "1 KB（1,024 バイト）"),
    (80_000, "78 KB（80,000 バイト）"),
    (1_048_575, "1024 KB（1,048,575 バイト）"),  # one byte short of 1 MB: still counted in KB
    (1_048_576, "1.0 MB（1,048,576 バイト）"),
    (2_621_440, "2.5 MB（2,621,440 バイト）"),
    (123_456_789, "117.7 MB（123,456,789 バイト）"),
], ids=lambda v: str(v) if isinstance(v, int) else "shown")  # ASCII ids: mutmut hands them back to pytest
def test_sizes_are_printed_as_people_read_them(size: int, shown: str) -> None:
    assert Download("a.pdf", "pdf", size, "", b"").size_text == shown


@pytest.mark.parametrize(("fmt", "label", "purpose"), [
    ("pdf", "PDF", "お客様への配布・保存用"),
    ("docx", "Word（DOCX）", "レターヘッドを付けるなど編集用"),
    ("html", "HTML", "自社サイトへの掲載用"),
    ("txt", "テキスト", "文字だけの版（比較・検索用）"),
    ("md", "Markdown", "Markdown 形式（他の文書への取り込み用）"),
    ("epub", "EPUB", ""),  # a format the page does not know yet: its name, no purpose
], ids=["pdf", "docx", "html", "txt", "md", "epub"])
def test_each_format_has_its_label_and_purpose(fmt: str, label: str, purpose: str) -> None:
    download = Download(f"a.{fmt}", fmt, 1, "", b"")
    assert (download.label, download.purpose) == (label, purpose)


def _manifest(*names: tuple[str, str]) -> dict:
    return {"files": {name: {"format": fmt, "size": len(name), "sha256": name * 2} for name, fmt in names}}


def test_files_are_listed_in_the_order_the_page_offers_them() -> None:
    manifest = _manifest(("z.md", "md"), ("a.txt", "txt"), ("b.epub", "epub"), ("a.epub", "epub"), ("x.html", "html"),
                         ("y.docx", "docx"), ("w.pdf", "pdf"))
    data = {name: name.encode() * 3 for name in manifest["files"]}
    bundle = downloads._bundle(manifest, data, b"{}")
    assert [f.name for f in bundle.files] == ["w.pdf", "y.docx", "x.html", "a.txt", "z.md", "a.epub", "b.epub"]
    pdf = bundle.files[0]
    # size and SHA-256 are the manifest's, the bytes are the file's
    assert (pdf.format, pdf.size, pdf.sha256, pdf.data) == ("pdf", len("w.pdf"), "w.pdfw.pdf", b"w.pdfw.pdfw.pdf")
    assert bundle.manifest == b"{}"


def test_a_bundle_finds_a_file_by_format() -> None:
    bundle = downloads._bundle(_manifest(("a.pdf", "pdf"), ("a.txt", "txt")), {"a.pdf": b"P", "a.txt": b"T"}, b"")
    assert bundle.get("txt").data == b"T" and bundle.get("pdf").data == b"P"
    assert bundle.get("docx") is None
    assert Bundle((), b"").get("pdf") is None


def test_the_offered_formats_are_the_available_renderers_in_page_order() -> None:
    from generator import render

    have = set(render.available())
    assert downloads.formats() == [f for f in ("pdf", "docx", "html", "txt", "md") if f in have]
    assert {"html", "txt", "md"} <= set(downloads.formats())


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    from release_repo import make_repo

    return make_repo(tmp_path_factory.mktemp("site"), MINI, "mini")


def _rendered(root: Path, variant: str) -> tuple[dict, dict[str, bytes]]:
    folder = root / "rendered" / variant
    raw = (folder / "manifest.json").read_bytes()
    manifest = json.loads(raw)
    return manifest, {name: (folder / name).read_bytes() for name in manifest["files"]} | {"manifest.json": raw}


def test_working_bundles_are_the_files_kiyaku_build_published(mini: Path) -> None:
    bundles = downloads.working_bundles(mini)
    assert sorted(bundles) == sorted(load(mini).variants) and len(bundles) == 2
    for variant, bundle in bundles.items():
        manifest, on_disk = _rendered(mini, variant)
        assert bundle.manifest == on_disk["manifest.json"]
        assert [f.format for f in bundle.files] == ["pdf", "docx", "html", "txt", "md"]
        for f in bundle.files:
            assert f.data == on_disk[f.name]
            assert f.sha256 == hashlib.sha256(f.data).hexdigest() == manifest["files"][f.name]["sha256"]
            assert f.size == len(f.data) == manifest["files"][f.name]["size"]
            assert f.name == f"{variant}.{f.format}"


def test_a_batch_rendering_gives_the_same_bundle_as_the_build(mini: Path) -> None:
    project = load(mini)
    variant = sorted(project.variants)[0]
    built = downloads.working_bundles(mini)[variant]
    (rendered,) = render_many(mini, [Job(project, variant, None)], downloads.formats(), workers=1)
    batch = downloads.bundle_of(rendered)
    assert [(f.name, f.format, f.size, f.sha256) for f in batch.files] == [(f.name, f.format, f.size, f.sha256) for f in built.files]
    assert batch.manifest == rendered.files["manifest.json"]
    assert [f.data for f in batch.files] == [rendered.files[f.name] for f in batch.files]
