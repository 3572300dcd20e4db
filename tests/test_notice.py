"""規約変更のお知らせ: dates, the 新旧対照表 rows, escaping, and the four output formats."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI, copy_project, run_cli
from generator import cli
from generator.compile.pipeline import compile_variant, load
from generator.source.errors import ReleaseError
from generator.changes.feeds import atom, entries
from generator.history.editions import ReleaseRecord
from generator.changes.notice import ELIDED, build_notice, make_notice, render_notice
from generator.changes.notice_render import notice_view
from generator.changes.release import release
from release_repo import TODAY, commit_all, edit, released_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    return released_repo(tmp_path, monkeypatch)


def changed(pieces) -> list[str]:
    return [p.text for p in pieces if p.changed]


def test_a_fee_change_is_one_row_with_old_and_new_fee_and_no_notice_for_the_other_variant(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(repo, "料金改定")
    assert [r.variant for r in release(repo, None, "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)] == ["alpha"]
    notice = make_notice(repo, "alpha")
    assert (notice.announced, notice.effective, notice.period_start, notice.period_end) == (
        dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 31))
    [row] = notice.rows
    assert (row.new_label, row.old_label, row.note) == ("第2条第1項", "第2条第1項", "料金の変更")
    assert changed(row.new) == ["88,000"] and changed(row.old) == ["79,200"]
    assert [a.heading for a in notice.articles] == ["第2条（利用料金）"]
    assert notice.refund_deadline is None
    with pytest.raises(ReleaseError) as info:
        make_notice(repo, "beta")
    assert info.value.findings[0].code == "H073"
    md = render_notice(notice, "md").decode()
    assert "令和8年（2026年）12月2日から令和8年（2026年）12月31日まで（30日間）" in md
    assert "| **第2条第1項**<br>利用料金は年間<u>88,000</u>円とします。 | **第2条第1項**<br>利用料金は年間<u>79,200</u>円とします。 | 料金の変更 |" in md
    assert "[第2条（利用料金）](alpha.html#fees)" in md


def test_a_shared_clause_change_released_with_all_gives_both_a_notice(repo: Path) -> None:
    edit(repo, "terms/fees.yaml", "料金を返金しません", "お支払い済みの料金を返金しません")
    commit_all(repo, "返金条項")
    release(repo, None, "2026-12-01", "2027-01-01", "返金条項の明確化", service_change=True, today=TODAY)
    for variant, label in (("alpha", "第2条第2項"), ("beta", "第2条第3項")):  # beta has the medical paragraph
        notice = make_notice(repo, variant)
        [row] = notice.rows
        assert row.new_label == label and changed(row.new) == ["お支払い済みの"] and changed(row.old) == []
        assert notice.refund_deadline == dt.date(2027, 2, 1)
        assert "令和9年（2027年）2月1日まで" in render_notice(notice, "md").decode()


def test_new_deleted_renumbered_and_elided(repo: Path) -> None:
    long_text = "本規約は、" + "お客様と本所との間の一切の関係に適用されるものとし、" * 3 + "条件を定めます。"
    edit(repo, "terms/purpose.yaml", "本規約は、{name}（以下「{self}」といいます。）が提供する条件を定めます。", long_text)
    commit_all(repo, "目的を長く")
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "目的の明確化", today=TODAY)
    fees = repo / "terms" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace(
        "  - id: amount\n", "  - id: due\n    text: 料金は前払いとします。\n  - id: amount\n"), encoding="utf-8")
    edit(repo, "terms/prohibited.yaml", "  - id: illegal\n    text: 法令に違反する行為\n", "")
    edit(repo, "terms/purpose.yaml", "条件を定めます", "条件と手続を定めます")
    commit_all(repo, "いろいろ")
    release(repo, ["alpha"], "2026-12-02", "2027-01-02", "整理", today=TODAY)
    notice = make_notice(repo, "alpha")
    notes = {(r.new_label, r.old_label): r for r in notice.rows}
    added = notes[("第2条第1項", "")]
    assert added.note == "新設" and [p.text for p in added.old] == ["（新設）"] and changed(added.new) == ["料金は前払いとします。"]
    removed = notes[("", "第4条第1号")]
    assert removed.note == "削除" and [p.text for p in removed.new] == ["（削除）"]
    renumbered = notes[("第2条第2項", "第2条第1項")]
    assert renumbered.note.startswith("番号の変更（項・号の番号の繰下げ") and [p.text for p in renumbered.new] == [ELIDED]
    purpose = notes[("第1条第1項", "第1条第1項")]
    assert changed(purpose.new) == ["と手続"] and purpose.new[0].text == ELIDED
    assert sum(len(p.text) for p in purpose.new) < len(long_text) // 2
    assert notes[("第3条第1項", "第3条第1項")].note == "番号の変更（参照する条項の番号の修正）"  # 第2条第2項 → 第2条第3項


def test_html_is_escaped_linked_and_marked_by_more_than_colour(repo: Path) -> None:
    edit(repo, "variants/alpha.yaml", '"79,200"', '"<b>88,000</b>"')
    commit_all(repo, "料金改定")
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "<script>alert(1)</script> & 改定", today=TODAY)
    html = render_notice(make_notice(repo, "alpha", terms_href="https://example.jp/alpha.html"), "html").decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 改定" in html
    assert '<ins class="chg"><mark>&lt;b&gt;88,000&lt;/b&gt;</mark></ins>' in html
    assert '<del class="chg"><mark>79,200</mark></del>' in html
    assert "text-decoration: underline" in html and '<html lang="ja">' in html
    assert 'href="https://example.jp/alpha.html#fees--amount"' in html and 'href="https://example.jp/alpha.html#fees"' in html
    md = render_notice(make_notice(repo, "alpha"), "md").decode()
    assert "\\<script\\>" in md and "<u>\\<b\\>88,000\\</b\\></u>" in md


def _notice_in_another_process(repo: Path, fmt: str) -> bytes:
    """The same notice made by `kiyaku notice` in a new process whose clock is one day later."""
    out = repo.parent / f"notice-later.{fmt}"
    done = run_cli("notice", "alpha", "--format", fmt, "-o", str(out), "--root", str(repo), days_later=1)
    assert done.code == 0, done.stderr
    return out.read_bytes()


def test_docx_and_pdf_show_the_table_and_are_deterministic(repo: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(repo, "料金改定")
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", service_change=True, today=TODAY)
    notice = make_notice(repo, "alpha")
    docx = render_notice(notice, "docx")
    assert docx == _notice_in_another_process(repo, "docx")
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "<w:tbl>" in xml and "新旧対照表" in xml
    assert re.search(r'<w:u w:val="single" />.*?<w:t[^>]*>88,000</w:t>', xml, re.S)
    pdf = render_notice(notice, "pdf")
    assert pdf == _notice_in_another_process(repo, "pdf") and pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    for needle in ("規約変更のお知らせ", "新旧対照表", "88,000", "79,200", "令和8年（2026年）12月2日から令和8年（2026年）12月31日まで", "令和9年（2027年）2月1日まで"):
        assert needle in text


def test_notice_and_feed_on_the_command_line(repo: Path, tmp_path: Path, capsys) -> None:
    edit(repo, "variants/alpha.yaml", '"79,200"', '"88,000"')
    commit_all(repo, "料金改定")
    release(repo, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
    out = tmp_path / "notice.html"
    assert cli.main(["notice", "alpha", "--format", "html", "-o", str(out), "--root", str(repo)]) == 0
    assert "新旧対照表" in out.read_text(encoding="utf-8")
    assert cli.main(["notice", "alpha", "--edition", "1", "--root", str(repo)]) == 1  # a baseline has no notice
    assert cli.main(["feed", "alpha", "--base-url", "https://example.jp/kiyaku/", "--root", str(repo)]) == 0
    feed = capsys.readouterr().out
    assert "<id>urn:uuid:" in feed and "https://example.jp/kiyaku/alpha/notice-ed2.html" in feed
    # same bytes from another process whose clock is a day later (no "updated: now" in the feed)
    later = run_cli("feed", "alpha", "--base-url", "https://example.jp/kiyaku/", "--root", str(repo), days_later=1)
    assert later.code == 0 and later.stdout == feed
    assert [e.id for e in entries(repo)] == [e.id for e in entries(repo, "alpha")]
    assert b"<entry>" not in atom(repo, "beta")
    assert cli.main(["feed", "--base-url", "javascript:alert(1)//", "--root", str(repo)]) == 1
    # the entry id does not depend on where the feed is published
    assert entries(repo, "alpha", "https://a.example/")[0].id == entries(repo, "alpha", "https://b.example/")[0].id


RECORD = ReleaseRecord(variant="alpha", edition=2, previous_edition=1, announced="2026-12-01", effective="2027-01-01",
                       notice_days=30, kind="不利益変更", service_change=False, reason="改定", source_commit="0" * 40,
                       text_sha256="0" * 64, document_sha256="0" * 64)
CLAUSE = st.lists(st.one_of(st.sampled_from(list("あかさたなアイウ漢字規約𠮷、。（）()「」")),
                            st.sampled_from(["か\u3099", "葛\U000E0100", "79,200", "\n"])), min_size=1, max_size=30).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CLAUSE)
def test_a_notice_between_identical_versions_is_empty(tmp_path_factory, text: str) -> None:
    root = copy_project(MINI, tmp_path_factory.mktemp("same") / "mini")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    edit(root, "terms/purpose.yaml", "    text: 本規約は、{name}（以下「{self}」といいます。）が提供する条件を定めます。", f'    text: "{escaped}"')
    doc = compile_variant(load(root), "alpha")
    notice = build_notice(RECORD, doc, doc)
    assert notice.empty and notice.rows == () and notice.articles == ()
    assert notice_view(notice)["empty"] and "新旧対照表に載せる変更はありません" in render_notice(notice, "md").decode()
    assert "<tbody>\n<tr><td>" not in render_notice(notice, "html").decode()
