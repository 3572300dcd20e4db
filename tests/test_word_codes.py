"""One real `kiyaku apply` refusal per Word finding code (W004, W005, W103, W105-W109): each test makes the
situation the code is about in a real DOCX rendered by kiyaku, runs the real CLI, and checks the refusal
names file:line:col with a hint, exits 1 without a traceback, and leaves every YAML file untouched."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from conftest import run_cli
from release_repo import commit_all, git
from test_word import VARIANT, _para, _render, _set_text, _transform, _word_edit, repo  # noqa: F401
from word_xml import q


def _yaml_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def _refused(root: Path, code: str, *args: str) -> str:
    before, status = _yaml_bytes(root), git(root, "status", "--porcelain")
    result = run_cli("apply", *args, "--root", str(root))
    assert result.code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(rf"^\S.*?:\d+:\d+: {code} ", result.stderr, re.M), result.stderr
    assert "→" in result.stderr
    assert _yaml_bytes(root) == before and git(root, "status", "--porcelain") == status
    return result.stderr


def test_w004_unknown_variant(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    _render(repo, docx)
    err = _refused(repo, "W004", str(docx), "--variant", "no-such-reseller")
    assert "no-such-reseller" in err and VARIANT in err


def test_w005_document_without_identifier(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    data = _render(repo, docx)
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    core = parts["docProps/core.xml"].decode("utf-8")
    assert "identifier" in core
    parts["docProps/core.xml"] = re.sub(r"<dc:identifier>[^<]*</dc:identifier>", "", core).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name, body in parts.items():
            zout.writestr(name, body)
    docx.write_bytes(out.getvalue())
    assert "_kiyaku_" in zipfile.ZipFile(docx).read("word/document.xml").decode()  # the ids are still there
    _refused(repo, "W005", str(docx))


def test_w103_computed_caption_edited(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "なおその効力", "損害賠償", "損害の賠償"))
    err = _refused(repo, "W103", str(docx))
    assert "caption:damages" in err


def test_w105_supplementary_provision_edited(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "から実施します", "実施します", "施行します"))
    _refused(repo, "W105", str(docx))


def test_w106_after_text_edited_in_a_variant(repo: Path, tmp_path: Path) -> None:
    text = (repo / "terms/antisocial-forces.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # the end of the representations paragraph's items: insert `after` before the next paragraph
    end = next(i for i, line in enumerate(lines) if i > 5 and line.startswith("  - id:"))
    lines.insert(end, "    after: 以上のいずれかに該当した場合は直ちに相手方に通知するものとします。\n")
    (repo / "terms/antisocial-forces.yaml").write_text("".join(lines), encoding="utf-8")
    commit_all(repo, "after")
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "直ちに相手方に通知", "直ちに", "速やかに"))
    _refused(repo, "W106", str(docx))


def test_w107_braces_typed_in_word(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "振込に係る手数料", "振込に係る", "振込{に係る"))
    _refused(repo, "W107", str(docx))


def test_w108_two_paragraphs_merged(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"

    def merge(root) -> None:
        first, second = _para(root, "反社会的勢力を利用すること"), _para(root, "資金等を提供し")
        for child in list(second):
            if child.tag != q("pPr"):
                first.append(child)
        second.getparent().remove(second)

    docx.write_bytes(_transform(_render(repo, docx), merge))
    _refused(repo, "W108", str(docx))


def test_w109_shared_cover_title_edited(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), lambda root: _set_text(_para(root, "サービス利用規約（利用契約内容）"), "サービス利用約款（利用契約内容）")))
    _refused(repo, "W109", str(docx))
