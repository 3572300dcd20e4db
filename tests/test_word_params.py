"""Word round trip with typed parameters: every type folds back into its placeholder, in clauses and in
the appendix (headings, table cells), and a printed value edited in Word is refused with its YAML line."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from release_repo import commit_all, edit, git, make_repo
from test_word import VARIANT, _diff, _render, _transform, _word_edit
from word_xml import q

VFILE = "variants/hiroshima-cci.yaml"
FEE_TABLE = """        table:
          columns: [作業, 料金]
          rows:
            - - 訪問設置・除去
              - "{installation_fee}円（税込）"
"""


def _line(repo: Path, relpath: str, start: str) -> int:
    return next(i for i, line in enumerate((repo / relpath).read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def _typed_repo(tmp_path: Path) -> Path:
    """The real terms plus a date and a count parameter used in 第13条, and a fee table whose cell says {installation_fee}."""
    repo = make_repo(tmp_path, src=REPO)
    edit(repo, "terms/document.yaml", "    example: 16500\n",
         '    example: 16500\n  start_date:\n    description: 開始日。\n    type: date\n    example: "2027-04-01"\n'
         "  max_devices:\n    description: 台数。\n    type: count\n    example: 120\n")
    for variant in (VFILE, "variants/itsupport-joto.yaml"):
        edit(repo, variant, "  installation_fee: 16500\n", '  installation_fee: 16500\n  start_date: "2027-04-01"\n  max_devices: 120\n')
    edit(repo, "terms/fees.yaml", "{self}は、一度お支払い頂いた本サービス利用料金の全部",
         "{self}は、{start_date}以降、一度お支払い頂いた本サービス利用料金（{max_devices}台分まで）の全部")
    text = (repo / VFILE).read_text(encoding="utf-8")
    text = re.sub(r"        table:\n          missing: [^\n]*\n", FEE_TABLE, text)
    (repo / VFILE).write_text(text.replace("heading: <UTMの設置・除去・訪問料金>", "heading: \"{name}のUTM設置・除去・訪問料金\""), encoding="utf-8")
    commit_all(repo, "型つきパラメータ")
    assert run_cli("lint", "--root", str(repo)).code == 0, run_cli("lint", "--root", str(repo)).stderr
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return _typed_repo(tmp_path)


def _cell(docx: bytes, old: str, new: str) -> bytes:
    def change(root) -> None:
        t = next(t for t in root.iter(q("t")) if t.text == old)
        t.text = new
    return _transform(docx, change)


def _refused(repo: Path, docx: Path, param: str) -> None:
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 1, result.stdout
    assert "W101" in result.stderr and f"パラメータ {param} の値" in result.stderr
    assert f"{VFILE}:{_line(repo, VFILE, f'  {param}:')}:" in result.stderr
    assert "Traceback" not in result.stderr and _diff(repo) == ""


@pytest.mark.parametrize(("param", "find", "old", "new"), [
    ("member_fee", "振込に係る手数料", "79,200", "80,000"),  # yen
    ("start_date", "以降、一度お支払い頂いた", "令和9年（2027年）4月1日", "令和9年（2027年）5月1日"),  # date
    ("max_devices", "以降、一度お支払い頂いた", "120台分", "150台分"),  # count
    ("install", "UTM装置をお客様にお送り", "を設置する", "を据付する"),  # choice
    ("member_scope", "振込に係る手数料", "広島商工会議所の会員", "岡山商工会議所の会員"),  # text
])
def test_a_printed_value_of_any_type_edited_in_a_clause_is_refused(repo: Path, tmp_path: Path, param: str, find: str,
                                                                  old: str, new: str) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_word_edit(_render(repo, docx), find, old, new))
    _refused(repo, docx, param)


def test_a_fee_edited_in_an_appendix_table_cell_is_refused(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    data = _render(repo, docx)
    assert "16,500円（税込）" in run_cli("render", VARIANT, "--root", str(repo)).stdout
    docx.write_bytes(_cell(data, "16,500円（税込）", "17,600円（税込）"))
    _refused(repo, docx, "installation_fee")


def test_an_unrelated_word_in_a_cell_keeps_the_placeholder(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_cell(_render(repo, docx), "16,500円（税込）", "16,500円（税込・交通費別）"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    changed = [line for line in _diff(repo).splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-              - "{installation_fee}円（税込）"', '+              - "{installation_fee}円（税込・交通費別）"']
    assert "別紙※2の表（1行目・2列目）: 変更" in result.stdout
    assert "16,500円（税込・交通費別）" in run_cli("render", VARIANT, "--root", str(repo)).stdout


def test_an_appendix_heading_keeps_its_placeholder_and_mark(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_cell(_render(repo, docx), "※2　広島商工会議所のUTM設置・除去・訪問料金", "※2　広島商工会議所のUTM設置・除去・訪問の料金"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    changed = [line for line in _diff(repo).splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-        heading: "{name}のUTM設置・除去・訪問料金"', '+        heading: "{name}のUTM設置・除去・訪問の料金"']


def test_an_appendix_mark_edited_in_word_is_refused(repo: Path, tmp_path: Path) -> None:
    docx = tmp_path / "h.docx"
    docx.write_bytes(_cell(_render(repo, docx), "※2　広島商工会議所のUTM設置・除去・訪問料金", "※3　広島商工会議所のUTM設置・除去・訪問料金"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 1 and "W104" in result.stderr and "※2" in result.stderr and _diff(repo) == ""


def test_a_literal_fee_already_in_the_yaml_is_not_folded(repo: Path, tmp_path: Path) -> None:
    """16,500 in the incident table is that table's own price, equal to installation_fee by chance: it stays literal."""
    docx = tmp_path / "h.docx"
    docx.write_bytes(_cell(_render(repo, docx), "16,500円（税込・交通費込）", "16,500円（税込・交通費別）"))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    changed = [line for line in _diff(repo).splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-              - "16,500円（税込・交通費込）"', '+              - "16,500円（税込・交通費別）"']


def test_values_of_every_type_typed_in_a_new_paragraph_become_placeholders(repo: Path, tmp_path: Path) -> None:
    import copy

    typed = "本所は、令和9年（2027年）4月1日から120台まで、設置の費用として年間79,200円または99,000円を頂きます。"

    def change(root) -> None:
        p = next(p for p in root.iter(q("p")) if "以降、一度お支払い頂いた" in "".join(t.text or "" for t in p.iter(q("t"))))
        new = copy.deepcopy(p)
        for b in list(new.iter(q("bookmarkStart"), q("bookmarkEnd"))):
            b.getparent().remove(b)
        ts = list(new.iter(q("t")))
        ts[-1].text = typed
        for t in ts[:-1]:
            if not re.fullmatch(r"\d+\.", t.text or ""):
                t.text = ""
        p.addnext(new)

    docx = tmp_path / "h.docx"
    docx.write_bytes(_transform(_render(repo, docx), change))
    result = run_cli("apply", str(docx), "--root", str(repo))
    assert result.code == 0, result.stderr
    assert ("{self}は、{start_date}から{max_devices}台まで、{install}の費用として年間{member_fee}円または{non_member_fee}円を頂きます。"
            in _diff(repo))
    assert typed in run_cli("render", VARIANT, "--root", str(repo)).stdout
    assert run_cli("lint", "--root", str(repo)).code == 0


def test_redline_shows_a_fee_change_in_a_table_cell_as_a_cell_change(repo: Path, tmp_path: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, VFILE, "  installation_fee: 16500\n", "  installation_fee: 17600\n")
    commit_all(repo, "設置料金の改定")
    out = tmp_path / "r.docx"
    result = run_cli("redline", VARIANT, "--from", base, "--to", "HEAD", "-o", str(out), "--root", str(repo))
    assert result.code == 0, result.stderr
    xml = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml").decode()
    cell = re.search(r"<w:tc>(?:(?!</w:tc>).)*17,600(?:(?!</w:tc>).)*</w:tc>", xml).group()
    assert "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", cell)) == "16,500"
    assert "".join(re.findall(r"<w:ins [^>]*>(?:(?!</w:ins>).)*<w:t[^>]*>([^<]*)</w:t>", cell)) == "17,600"
    assert not re.search(r"<w:trPr>(?:(?!</w:trPr>).)*<w:(?:del|ins) ", xml)  # the row is changed, not deleted and re-inserted
