"""Word round trip: kiyaku redline (tracked changes) and kiyaku apply (edits back into YAML), on real files."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import REPO, copy_project, run_cli
from release_repo import commit_all, edit, git, make_repo
from word_xml import W, plain_texts, q, resolve, texts

VARIANT = "hiroshima-cci"
SOFFICE = shutil.which("soffice")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path, src=REPO)


def _render(root: Path, out: Path) -> bytes:
    result = run_cli("render", VARIANT, "--format", "docx", "-o", str(out), "--root", str(root))
    assert result.code == 0, result.stderr
    return out.read_bytes()


def _word_edit(docx: bytes, find: str, old: str, new: str) -> bytes:
    """Replace old by new in the paragraph containing `find`, the way Word saves it: split runs with
    rsids, a proofErr and a bookmark of Word's own inside the paragraph."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    para = next(p for p in root.iter(q("p")) if find in "".join(t.text or "" for t in p.iter(q("t"))))
    run = next(r for r in para.iter(q("r")) if old in "".join(t.text or "" for t in r.iter(q("t"))))
    text = run.find(q("t")).text
    before, after = text.split(old, 1)
    rpr = run.find(q("rPr"))
    pieces = []
    for i, piece in enumerate([before[:-3], before[-3:], new[:1], new[1:], after]):
        r = etree.SubElement(para, q("r"), {q("rsidR"): f"00A1B2C{i}", q("rsidRPr"): "00FFEE11"})
        if rpr is not None:
            r.append(etree.fromstring(etree.tostring(rpr)))
        t = etree.SubElement(r, q("t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
        t.text = piece
        pieces.append(r)
    anchor = run
    for i, r in enumerate(pieces):
        anchor.addnext(r)
        anchor = r
        if i == 1:
            err = etree.Element(q("proofErr"), {q("type"): "spellStart"})
            anchor.addnext(err)
            anchor = err
        if i == 3:
            mark = etree.Element(q("bookmarkStart"), {q("id"): "777", q("name"): "_GoBack"})
            anchor.addnext(mark)
            anchor = mark
    para.remove(run)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return out.getvalue()


def _transform(docx: bytes, change) -> bytes:
    """docx with change(root element of word/document.xml) applied."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    change(root)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return out.getvalue()


def _para(root, find: str):
    return next(p for p in root.iter(q("p")) if find in "".join(t.text or "" for t in p.iter(q("t"))))


def _set_text(p, text: str) -> None:
    ts = list(p.iter(q("t")))
    ts[-1].text = text
    for t in ts[:-1]:
        if not re.fullmatch(r"\d+\.|（\d+）", t.text or ""):
            t.text = ""


def _diff(root: Path) -> str:
    return git(root, "diff")


def test_round_trip_identity(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    _render(repo, docx)
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    assert _diff(repo) == ""
    assert "0 件の変更" in result.stdout


def test_one_word_edited_as_word_writes_it(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    edited = _word_edit(_render(repo, docx), "振込に係る手数料", "振込に係る", "銀行振込に係る")
    docx.write_bytes(edited)
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    diff = _diff(repo)
    added = [l for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert any("銀行振込に係る" in l for l in added)
    assert all(not l.startswith("-") or l.startswith("---") for l in diff.splitlines())  # an override, nothing else touched
    joined = "\n".join(added)
    assert "{member_fee}" in joined and "{self}" in joined and "{member_scope}" in joined
    assert "79,200" not in joined
    assert "replace: fees.amount.amount" in joined
    out = run_cli("render", VARIANT, "--root", str(repo))
    assert "なお銀行振込に係る手数料等" in out.stdout
    assert run_cli("lint", "--root", str(repo)).code == 0


def test_one_word_in_a_paragraph_with_a_reference(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "UTM装置をお客様にお送り", "お送りする", "発送する"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    added = [l for l in _diff(repo).splitlines() if l.startswith("+") and not l.startswith("+++")]
    body = next(l for l in added if "発送する" in l)
    assert "{ref:customer-setup.delivery}" in body and "{self}" in body and "{install}" in body
    assert "第5条" not in body and "本所" not in body
    assert "replace: fees.delivery" in "\n".join(added)
    out = run_cli("render", VARIANT, "--root", str(repo)).stdout
    assert "UTM装置をお客様に発送するものとし" in out


def test_one_word_to_shared(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "振込に係る手数料", "振込に係る", "銀行振込に係る"))
    result = run_cli("apply", str(docx), "--root", str(repo), "--to", "shared")
    assert result.code == 0, result.stderr
    diff = _diff(repo)
    assert "terms/fees.yaml" in diff and "variants/" not in diff
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and l[:3] not in ("+++", "---")]
    assert len(changed) == 2 and "{member_fee}" in changed[1] and "銀行振込" in changed[1]


def test_word_autocorrect_noise_is_not_a_change(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "振込に係る手数料", "サービス", "サ－ビス"))  # ー → －
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    assert _diff(repo) == ""


def test_smart_tags_hyperlinks_and_field_codes_are_not_text(repo: Path, tmp_path: Path) -> None:
    def change(root) -> None:
        p = _para(root, "振込に係る手数料")
        runs = [r for r in p if r.tag == q("r")]
        tag = etree.Element(q("smartTag"), {q("uri"): "urn:schemas-microsoft-com:office:smarttags", q("element"): "date"})
        runs[-1].addprevious(tag)
        tag.append(runs[-1])
        link = etree.Element(q("hyperlink"), {q("anchor"): "x"})
        runs[0].addprevious(link)
        link.append(runs[0])
        for kind, code in (("begin", None), (None, " MERGEFIELD 名前 "), ("end", None)):
            r = etree.SubElement(p, q("r"))
            if kind:
                etree.SubElement(r, q("fldChar"), {q("fldCharType"): kind})
            else:
                etree.SubElement(r, q("instrText")).text = code

    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), change))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    assert _diff(repo) == ""


def test_word_noise_kept_out_of_a_real_edit(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    edited = _word_edit(_render(repo, docx), "振込に係る手数料", "サービス", "サ－ビス")
    docx.write_bytes(_word_edit(edited, "振込に係る手数料", "振込に係る", "銀行振込に係る"))
    assert run_cli("apply", str(docx), "--root", str(repo)).code == 0
    added = "\n".join(l for l in _diff(repo).splitlines() if l.startswith("+"))
    assert "銀行振込" in added and "－" not in added


def test_fee_typed_in_word_is_refused(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "振込に係る手数料", "79,200", "80,000"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 1
    assert "W101" in result.stderr and "member_fee" in result.stderr
    line = next(i for i, l in enumerate((repo / "variants/hiroshima-cci.yaml").read_text().splitlines(), 1) if "member_fee" in l)
    assert f"variants/hiroshima-cci.yaml:{line}:" in result.stderr
    assert "Traceback" not in result.stderr and _diff(repo) == ""


def test_reference_typed_by_hand_is_refused(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    rendered = run_cli("render", VARIANT, "--root", str(repo)).stdout
    assert "第5条第1項に基づき" in rendered
    docx.write_bytes(_word_edit(_render(repo, docx), "第5条第1項に基づき", "第5条第1項", "第6条第1項"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 1
    assert "W102" in result.stderr and "{ref:customer-setup.delivery}" in result.stderr
    assert "terms/fees.yaml:" in result.stderr and _diff(repo) == ""


def test_pending_changes_refused_by_default(repo: Path, tmp_path: Path) -> None:
    edit(repo, "variants/hiroshima-cci.yaml", "member_fee: 79200", "member_fee: 88000")
    commit_all(repo, "料金")
    out = tmp_path / "r.docx"
    assert run_cli("redline", VARIANT, "--from", "HEAD~1", "--to", "HEAD", "-o", str(out), "--root", str(repo)).code == 0
    result = run_cli("apply", str(out), "--root", str(repo))
    assert result.code == 1 and "W003" in result.stderr
    accepted = run_cli("apply", str(out), "--root", str(repo), "--pending=accept", "--dry-run")
    assert accepted.code == 0, accepted.stderr


def _redline_repo(repo: Path) -> str:
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, "terms/document.yaml", "  - fees\n", "  - new-article\n  - fees\n")
    (repo / "terms/new-article.yaml").write_text("id: new-article\ncaption: 新しい条\nparagraphs:\n  - id: one\n    text: これは新しい条です。\n",
                                               encoding="utf-8")
    edit(repo, "terms/fees.yaml", "なお振込に係る", "なお銀行振込に係る")
    edit(repo, "terms/fees.yaml", "  - id: changes\n", "  - id: changes\n    when: it_subsidy\n")
    edit(repo, "variants/hiroshima-cci.yaml", '- "22,000円（税込・交通費込）"', '- "23,000円（税込・交通費込）"')
    # one row removed, one added: rows are deleted/inserted whole, later rows do not shift
    edit(repo, "variants/hiroshima-cci.yaml", '            - - 180分以上210分未満\n              - "44,000円（税込・交通費込）"\n              - 全額保険適用\n', "")
    edit(repo, "variants/hiroshima-cci.yaml", '            - - 120分以上150分未満', '            - - 100分以上120分未満\n              - "26,000円（税込・交通費込）"\n              - 全額保険適用\n            - - 120分以上150分未満')
    commit_all(repo, "改定")
    return base


def test_redline_accept_and_reject_all(repo: Path, tmp_path: Path) -> None:
    base = _redline_repo(repo)
    out = tmp_path / "r.docx"
    result = run_cli("redline", VARIANT, "--from", base, "--to", "HEAD", "-o", str(out), "--root", str(repo))
    assert result.code == 0, result.stderr
    data = out.read_bytes()
    old_docx, new_docx = tmp_path / "old.docx", tmp_path / "new.docx"
    again = tmp_path / "r2.docx"
    run_cli("redline", VARIANT, "--from", base, "--to", "HEAD", "-o", str(again), "--root", str(repo))
    assert again.read_bytes() == data  # same sources, same bytes
    new = plain_texts(_render(repo, new_docx))
    git(repo, "checkout", "-q", base)
    old = plain_texts(_render(repo, old_docx))
    assert texts(resolve(data, accept=True)) == new
    assert texts(resolve(data, accept=False)) == old
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:author="kiyaku"' in xml and "2026-11-01T01:00:00Z" in xml
    # renumbering: 第13条 → 第14条 is a changed number inside the heading, the caption is untouched
    heading = re.search(r"<w:p>(?:(?!</w:p>).)*本サービスの利用料金、支払方法、利用期間(?:(?!</w:p>).)*</w:p>", xml).group()
    deleted = re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", heading)
    inserted = re.findall(r"<w:ins [^>]*>(?:(?!</w:ins>).)*<w:t[^>]*>([^<]*)</w:t>", heading)
    assert deleted == ["13"] and inserted == ["14"]
    # tables cell by cell: 22,000 → 23,000 is one change inside its cell; one row deleted, one inserted
    cell = re.search(r"<w:tc>(?:(?!</w:tc>).)*23,000(?:(?!</w:tc>).)*</w:tc>", xml).group()
    assert re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", cell) == ["22,000"]
    rows_del = len(re.findall(r"<w:trPr>(?:(?!</w:trPr>).)*<w:del ", xml))
    rows_ins = len(re.findall(r"<w:trPr>(?:(?!</w:trPr>).)*<w:ins ", xml))
    assert (rows_del, rows_ins) == (1, 1)


def _soffice(src: Path, fmt: str, outdir: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{outdir}/profile", "--convert-to", fmt,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    return outdir / (src.stem + "." + fmt.split(":")[0])


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by scripts/setup.sh")
def test_libreoffice_reports_tracked_changes(repo: Path, tmp_path: Path) -> None:
    base = _redline_repo(repo)
    out = tmp_path / "r.docx"
    result = run_cli("redline", VARIANT, "--from", base, "--to", "HEAD", "-o", str(out), "--root", str(repo))
    assert result.code == 0
    written = int(re.search(r"変更履歴 (\d+) 件", result.stderr).group(1))
    odt = _soffice(out, "odt", tmp_path / "lo")
    content = zipfile.ZipFile(odt).read("content.xml").decode()
    regions = content.count("<text:changed-region")
    assert regions >= written > 0


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by scripts/setup.sh")
def test_ids_survive_libreoffice_and_apply_reads_its_file(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    ours = _word_edit(_render(repo, docx), "振込に係る手数料", "振込に係る", "銀行振込に係る")
    docx.write_bytes(ours)
    saved = _soffice(docx, "docx:MS Word 2007 XML", tmp_path / "lo")
    names = lambda data: re.findall(r'w:name="(_kiyaku_[0-9a-f]+)"', zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode())  # noqa: E731
    assert len(names(saved.read_bytes())) == len(names(ours)) > 200
    result = run_cli("apply", str(saved), "--variant", VARIANT, "--root", str(repo))
    assert result.code == 0, result.stderr
    assert "銀行振込に係る" in _diff(repo)


def test_a_document_without_ids_is_refused(repo: Path, tmp_path: Path) -> None:
    """Text copied into a fresh Word file (no ids, half the clauses) is not read as "delete everything else"."""
    import docx as python_docx

    document = python_docx.Document()
    for line in run_cli("render", VARIANT, "--root", str(repo)).stdout.splitlines()[:40]:
        document.add_paragraph(line)
    path = tmp_path / "copied.docx"
    document.save(str(path))
    result = run_cli("apply", str(path), "--variant", VARIANT, "--root", str(repo))
    assert result.code == 1 and "W110" in result.stderr and _diff(repo) == ""


def test_not_a_docx(repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "x.docx"
    bad.write_text("hello", encoding="utf-8")
    result = run_cli("apply", str(bad), "--variant", VARIANT, "--root", str(repo))
    assert result.code == 1 and "W002" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("apply", str(tmp_path / "none.docx"), "--root", str(repo))
    assert result.code == 1 and "W001" in result.stderr


def test_inserted_and_deleted_paragraphs(repo: Path, tmp_path: Path) -> None:
    import copy

    def change(root) -> None:
        p = _para(root, "本所は、一度お支払い頂いた本サービス利用料金")
        new = copy.deepcopy(p)
        for b in list(new.iter(q("bookmarkStart"), q("bookmarkEnd"))):
            b.getparent().remove(b)
        _set_text(new, "本所は、利用料金の領収書を発行します。")
        p.addnext(new)
        gone = _para(root, "故障の専らの原因がお客様の故意")
        gone.getparent().remove(gone)

    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), change))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    diff = _diff(repo)
    assert "insert_after: fees.no-refund" in diff and "text: '{self}は、利用料金の領収書を発行します。'" in diff
    assert "remove: fees.suspended-periods" in diff
    out = run_cli("render", VARIANT, "--root", str(repo)).stdout
    assert "本所は、利用料金の領収書を発行します。" in out and "故障の専らの原因" not in out
    assert run_cli("lint", "--root", str(repo)).code == 0


def test_lost_id_falls_back_to_alignment(repo: Path, tmp_path: Path) -> None:
    def change(root) -> None:
        p = _para(root, "振込に係る手数料")
        for b in list(p.iter(q("bookmarkStart"), q("bookmarkEnd"))):
            b.getparent().remove(b)
        text = "".join(t.text or "" for t in p.iter(q("t")))
        _set_text(p, text.split("\t")[-1].replace("振込に係る", "銀行振込に係る").lstrip("1."))

    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), change))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    diff = _diff(repo)
    assert "replace: fees.amount.amount" in diff and "銀行振込に係る" in diff and "insert_after" not in diff


def test_edit_of_a_text_the_variant_overrides_changes_the_override(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), "但し、既にお支払いいただいた", "任意に変更出来る", "任意に変更できる"))
    result = run_cli("apply", str(docx), "--root", str(repo), "--to", "shared")
    assert result.code == 0, result.stderr
    diff = _diff(repo)
    assert "terms/" not in diff
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and l[:3] not in ("+++", "---")]
    assert len(changed) == 2 and "任意に変更できる" in changed[1] and "{self}" in changed[1]


def test_appendix_cell_edit(repo: Path, tmp_path: Path) -> None:
    def change(root) -> None:
        cell = next(t for t in root.iter(q("t")) if t.text == "22,000円（税込・交通費込）")
        cell.text = "23,100円（税込・交通費込）"

    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), change))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    changed = [l for l in _diff(repo).splitlines() if l[:1] in "+-" and l[:3] not in ("+++", "---")]
    assert changed == ['-              - "22,000円（税込・交通費込）"', '+              - "23,100円（税込・交通費込）"']


def test_changed_number_is_refused(repo: Path, tmp_path: Path) -> None:
    def change(root) -> None:
        p = _para(root, "振込に係る手数料")
        label = next(t for t in p.iter(q("t")) if t.text == "1.")
        label.text = "2."

    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), change))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 1 and "W104" in result.stderr and _diff(repo) == ""


def test_comments_are_listed(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    data = _render(repo, docx)
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts["word/comments.xml"] = (f'<w:comments xmlns:w="{W}"><w:comment w:id="1" w:author="法務 花子">'
                                  '<w:p><w:r><w:t>この料金で良いか確認</w:t></w:r></w:p></w:comment></w:comments>').encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name, blob in parts.items():
            zout.writestr(name, blob)
    docx.write_bytes(out.getvalue())
    result = run_cli("apply", str(docx), "--root", str(repo), "--dry-run")
    assert result.code == 0, result.stderr
    assert "コメント（法務 花子）: この料金で良いか確認" in result.stdout


def test_letterhead_template_in_redline_and_apply(repo: Path, tmp_path: Path) -> None:
    import docx as python_docx
    from importlib import resources

    document = python_docx.Document(str(resources.files("generator").joinpath("templates", "terms.docx")))
    document.add_paragraph("レターヘッド {{ provider }}")
    (repo / "templates").mkdir()
    document.save(str(repo / "templates" / "letterhead.docx"))
    edit(repo, "variants/hiroshima-cci.yaml", "self: 本所\n", "self: 本所\ntemplate: templates/letterhead.docx\n")
    base = commit_all(repo, "レターヘッド")
    edit(repo, "terms/fees.yaml", "なお振込に係る", "なお銀行振込に係る")
    out = tmp_path / "r.docx"
    result = run_cli("redline", VARIANT, "--from", base, "--to", "WORKTREE", "-o", str(out), "--root", str(repo))
    assert result.code == 0, result.stderr
    accepted = texts(resolve(out.read_bytes(), accept=True))
    assert "レターヘッド 広島商工会議所" in accepted
    assert accepted == plain_texts(_render(repo, tmp_path / "new.docx"))
    # the letterhead line is the template's own text: applying the file unchanged changes nothing
    git(repo, "checkout", "-q", "--", ".")
    same = tmp_path / "same.docx"
    _render(repo, same)
    result = run_cli("apply", str(same), "--root", str(repo))
    assert result.code == 0, result.stderr
    assert _diff(repo) == ""

_WORDS = ("振込", "手数料等", "お客様", "ご負担", "消費税")
_ALPHABET = "あいうえおかきくけこさしすせそ料金手続契約本日所、。（）"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(_WORDS), typed=st.text(alphabet=_ALPHABET, min_size=1, max_size=8))
def test_property_any_literal_edit_renders_back(tmp_path_factory, word: str, typed: str) -> None:
    """Replacing any literal word of 第13条第1項 in Word and applying gives exactly that text when rendered again."""
    from generator.word.apply import apply_docx
    from generator.build.builder import render_context
    from generator.compile.pipeline import compile_variant, load
    from generator.render.docx import render_docx

    root = copy_project(REPO, tmp_path_factory.mktemp("prop") / "real")
    project = load(root)
    doc = compile_variant(project, VARIANT)
    before = next(p for p in doc.article("fees").paragraphs if p.path == "fees.amount").blocks[0]
    data = render_docx(doc, render_context(project, root, doc))
    path = root / "h.docx"
    path.write_bytes(_word_edit(data, "振込に係る手数料", word, typed))
    apply_docx(path, root=root)
    after_doc = compile_variant(load(root), VARIANT)
    after = next(p for p in after_doc.article("fees").paragraphs if p.path == "fees.amount").blocks[0]
    assert after == before.replace(word, typed, 1)
    written = (root / "variants" / "hiroshima-cci.yaml").read_text(encoding="utf-8")
    assert "{member_fee}" in written or after == before
