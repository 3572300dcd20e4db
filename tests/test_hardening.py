"""Hardening: determinism under any environment, concurrent and killed builds, inert text, YAML round trips."""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINI, REPO, copy_project, run_cli
from generator import render
from generator.compile.normalize import fold

FORMATS = ",".join(render.available())

# kana, rare kanji (𠮷), combining marks (か + U+3099), CRLF, markup characters
JAPANESE = st.lists(
    st.one_of(
        st.sampled_from(list("あいうえおかきくけこっゃアイウエオヴ漢字規約𠮷髙々ー、。「」（）・～〜＆＜＞")),
        st.sampled_from(["か\u3099", "\u3099", "\r\n", "\n", " ", "&", "<", ">", "\"", "'", "A", "1"]),
        st.characters(codec="utf-8", categories=["Lo", "Mn", "Nd", "Po", "Ps", "Pe"]),
    ),
    max_size=40,
).map("".join)


def _snapshot(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_same_sources_give_identical_bytes_in_any_environment(tmp_path: Path) -> None:
    results = []
    for index, (tz, lang, umask, seed) in enumerate([("UTC", "C", 0o022, "1"), ("Asia/Tokyo", "ja_JP.UTF-8", 0o077, "2")]):
        root = copy_project(REPO, tmp_path / f"env{index}")
        cwd = tmp_path / f"cwd{index}"
        cwd.mkdir()
        env = dict(os.environ, TZ=tz, LANG=lang, LC_ALL=lang, PYTHONHASHSEED=seed)
        env.pop("SOURCE_DATE_EPOCH", None)
        proc = subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root), "--format", FORMATS],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                              preexec_fn=lambda u=umask: os.umask(u))
        assert proc.returncode == 0, proc.stderr
        results.append(_snapshot(root / "rendered"))
    assert results[0] == results[1]
    assert len(results[0]) >= 2 * (len(FORMATS.split(",")) + 1)


@pytest.mark.slow
def test_concurrent_builds_never_mix(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    reference = copy_project(MINI, tmp_path / "reference")
    assert run_cli("build", "--root", str(reference), "--format", "txt,md,html").code == 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda _: run_cli("build", "--root", str(root), "--format", "txt,md,html").code, range(4)))
    assert codes == [0, 0, 0, 0]
    assert _snapshot(root / "rendered") == _snapshot(reference / "rendered")
    assert not list((root / ".kiyaku" / "tmp").iterdir())


@pytest.mark.slow
def test_killed_build_leaves_a_complete_build_and_no_debris(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    assert run_cli("build", "--root", str(root), "--format", "txt,md,html").code == 0
    before = _snapshot(root / "rendered")
    fees = root / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace("とします。", "と定めます。"), encoding="utf-8")
    other = shutil.copytree(root, tmp_path / "after", ignore=shutil.ignore_patterns("rendered", ".kiyaku"))
    assert run_cli("build", "--root", str(other), "--format", "txt,md,html").code == 0
    after = _snapshot(other / "rendered")
    assert before != after
    rng = random.Random(20261125)
    for attempt in range(20):
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--format", "txt,md,html"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _snapshot(root / "rendered")
        assert state in (before, after), f"attempt {attempt}: mixed or partial output"
        assert not [p for p in (root / "rendered").rglob("*") if p.name.startswith((".", "stage-", "old-"))]
    # the next build cleans any staging folder a killed build left outside rendered/
    assert run_cli("build", "--root", str(root), "--format", "txt,md,html").code == 0
    assert _snapshot(root / "rendered") == after
    assert not list((root / ".kiyaku" / "tmp").iterdir())


@settings(max_examples=200, deadline=None)
@given(JAPANESE)
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@settings(max_examples=100, deadline=None)
@given(JAPANESE, st.text(alphabet="# コメント漢字abc", max_size=10))
def test_yaml_round_trip_is_stable_and_keeps_comments(text: str, comment: str) -> None:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from generator.source._yaml import load_yaml_text, make_yaml

    yaml = make_yaml()
    source = f"# {comment}\nid: x\ncaption: 見出し  # {comment}\ntext: {DoubleQuotedScalarString(text)!r}\n"
    buffer = io.StringIO()
    data = {"id": "x", "text": text}
    yaml.dump(data, buffer)
    first = load_yaml_text(buffer.getvalue(), Path("t.yaml"))
    assert first.data == data
    again = io.StringIO()
    yaml.dump(first.tree, again)
    assert load_yaml_text(again.getvalue(), Path("t.yaml")).data == data
    del source
    commented = f"# {comment}\nid: x  # 注記{comment}\n"
    tree = load_yaml_text(commented, Path("t.yaml")).tree
    out = io.StringIO()
    yaml.dump(tree, out)
    assert out.getvalue() == commented


# HTML: tests/test_inert.py (hostile text with ASCII letters, markup, entities and URLs; parsed structure compared)


# text a Japanese terms document can hold: kana, kanji (𠮷 outside the BMP), combining marks, markup characters
JA_INLINE = st.lists(
    st.one_of(
        st.sampled_from(list("あいうえおかきくけこっゃアイウエオヴ漢字規約𠮷髙々ー、。「」（）・～＆＜＞")),
        st.sampled_from(["か\u3099", "&", "<", ">", "\"", "'", "#", "*", "$", "\\", "@", "A", "1"]),
    ),
    min_size=1, max_size=30,
).map("".join).filter(lambda t: t.strip())


def _compiled_with(root_factory, text: str):
    import unicodedata

    from generator.compile.pipeline import compile_variant, load

    root = copy_project(MINI, root_factory.mktemp("inert") / "mini")
    path = root / "terms" / "purpose.yaml"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    text: 本規約は、{name}（以下「{self}」といいます。）が提供する条件を定めます。",
        f'    text: "{escaped}"'), encoding="utf-8")
    return compile_variant(load(root), "alpha"), unicodedata.normalize("NFC", text)


@settings(max_examples=25, deadline=None)
@given(JA_INLINE)
def test_any_clause_text_reaches_docx_unchanged_and_inert(tmp_path_factory, text: str) -> None:
    import zipfile

    import docx

    from generator.render import RenderContext, get

    doc, expected = _compiled_with(tmp_path_factory, text)
    data = get("docx").render(doc, RenderContext(root=str(MINI), timestamp=0))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert any(expected in p for p in paragraphs), (expected, paragraphs[:12])


@settings(max_examples=15, deadline=None)
@given(JA_INLINE)
def test_any_clause_text_reaches_pdf_unchanged_and_inert(tmp_path_factory, text: str) -> None:
    from generator.render import RenderContext, get

    doc, expected = _compiled_with(tmp_path_factory, text)
    data = get("pdf").render(doc, RenderContext(root=str(MINI), timestamp=0))
    pdf = tmp_path_factory.mktemp("pdf") / "t.pdf"
    pdf.write_bytes(data)
    extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert fold(expected) in fold(extracted)
