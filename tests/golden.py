"""The golden text renderings (tests/golden/mini.{txt,md,html}): how they are made, in one place.

test_determinism.py compares with them; tests/update_golden.py writes them. Nothing else does.
"""

from __future__ import annotations

from pathlib import Path

from conftest import MINI
from renderings import MINI_VARIANTS, case

GOLDEN = Path(__file__).resolve().parent / "golden"
TEXT_FORMATS = ("txt", "md", "html")


def golden_path(fmt: str) -> Path:
    return GOLDEN / f"mini.{fmt}"


def golden_text(fmt: str) -> bytes:
    """Both mini variants in one file, each after a marker line, exactly as the renderer wrote them."""
    parts = []
    for variant in MINI_VARIANTS:
        parts.append(f"===== {variant}.{fmt} =====\n".encode("utf-8") + case(MINI, variant).render(fmt))
    return b"".join(parts)


# --- kiyaku diff: a fixed set of edits of the mini fixture and what diff makes of them -----------

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _scenario_many(root: Path) -> None:
    """An article and an item inserted, an item removed, a fee, a date, a caption and a table cell changed."""
    (root / "terms" / "contact.yaml").write_text(
        "id: contact\ncaption: 連絡先\nparagraphs:\n  - id: mail\n    text: 連絡は電子メールで行います。\n", encoding="utf-8")
    _edit(root / "terms" / "document.yaml", "articles: [purpose, fees", "articles: [purpose, contact, fees")
    _edit(root / "terms" / "refunds.yaml", "      - id: broken\n", "      - id: lost\n        text: 装置を紛失した場合\n      - id: broken\n")
    _edit(root / "terms" / "refunds.yaml", "caption: 返金", "caption: 返金等")
    _edit(root / "terms" / "prohibited.yaml", "  - id: illegal\n    text: 法令に違反する行為\n", "")
    _edit(root / "variants" / "alpha.yaml", '"79,200"', '"88,000"')
    _edit(root / "variants" / "alpha.yaml", 'effective: "2022-07-25"', 'effective: "2022-09-01"')
    _edit(root / "variants" / "alpha.yaml", '"16,500円"', '"18,000円"')


def _scenario_removed(root: Path) -> None:
    """An article removed (later ones move up), a lead rewritten and the whole 別紙 (with its table) removed."""
    _edit(root / "terms" / "document.yaml", "articles: [purpose, fees", "articles: [fees")
    _edit(root / "terms" / "prohibited.yaml", "lead: お客様は、以下の行為を行わないものとします。", "lead: お客様は、次の行為をしてはなりません。")
    alpha = root / "variants" / "alpha.yaml"
    text = alpha.read_text(encoding="utf-8")
    alpha.write_text(text[:text.index("appendices:")] + text[text.index("address:"):], encoding="utf-8")


def _scenario_blocks(root: Path) -> None:
    """Texts of several blocks (lead, article item, paragraph, text after items, 附則) and the 別紙: a heading,
    a cell and a new row in the fee table, a new section with a fee table and one whose table is missing."""
    terms, alpha = root / "terms", root / "variants" / "alpha.yaml"
    _edit(terms / "prohibited.yaml", "lead: お客様は、以下の行為を行わないものとします。",
          "lead:\n  - お客様は、以下の行為を行わないものとします。\n  - 違反した場合、本所は利用を停止できます。")
    _edit(terms / "prohibited.yaml", "    text: 法令に違反する行為\n", "    text:\n      - 法令に違反する行為\n      - 公序良俗に反する行為\n")
    _edit(terms / "fees.yaml", "    text: 利用料金は年間{member_fee}円とします。\n",
          "    text:\n      - 利用料金は年間{member_fee}円とします。\n      - 消費税を含みます。\n")
    _edit(terms / "refunds.yaml", "        text: \"{ref:refunds.exception.broken:本項}以外で移転した場合\"\n",
          "        text: \"{ref:refunds.exception.broken:本項}以外で移転した場合\"\n"
          "    after:\n      - 前各号の場合、送料はお客様の負担とします。\n      - 返金は翌月末日までに行います。\n")
    _edit(terms / "document.yaml", "supplementary: この規約は、{effective:西暦}から実施します。",
          "supplementary:\n  - この規約は、{effective:西暦}から実施します。\n  - 旧規約は、同日に廃止します。")
    _edit(alpha, "heading: 駆け付け価格", "heading: 駆け付け・初動対処価格")
    _edit(alpha, '            - ["60分未満", "16,500円"]\n',
          '            - ["60分以内", "16,500円"]\n            - ["120分以内", "33,000円"]\n')
    _edit(alpha, "        notes: [※上限があります。]\n",
          "        notes: [※上限があります。]\n"
          "      - id: install\n        mark: ※2\n        heading: 設置価格\n        table:\n"
          "          columns: [作業, 料金]\n          rows:\n            - [\"設置\", \"16,500円\"]\n"
          "      - id: remote\n        mark: ※3\n        heading: 遠隔支援価格\n        table:\n"
          "          missing: 原本に表がありません。\n")


DIFF_SCENARIOS = (("many", "alpha", _scenario_many), ("removed", "alpha", _scenario_removed),
                  ("blocks", "alpha", _scenario_blocks))


def _scenario_documents(variant: str, scenario):
    import shutil
    import tempfile

    from conftest import copy_project
    from generator.compile.pipeline import compile_variant, load

    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(MINI, Path(tmp) / "mini")
        old = compile_variant(load(root), variant)
        scenario(root)
        new = compile_variant(load(root), variant)
        shutil.rmtree(root)
    return old, new


def golden_notice() -> bytes:
    """The Notice (dates, clauses, changed articles, every row of the 新旧対照表) for each diff scenario."""
    from generator.history.editions import ReleaseRecord
    from generator.changes.notice import build_notice

    out: list[str] = []
    for name, variant, scenario in DIFF_SCENARIOS:
        old, new = _scenario_documents(variant, scenario)
        record = ReleaseRecord(variant=variant, edition=2, previous_edition=1, announced="2027-11-03", effective="2028-01-01",
                               notice_days=30, kind="不利益変更", service_change=True, reason="改定", source_commit="0" * 40,
                               text_sha256="0" * 64, document_sha256="0" * 64)
        notice = build_notice(record, old, new)
        out.append(f"===== {name} ({variant}) =====")
        for field in ("variant_id", "provider", "service", "edition", "previous_edition", "announced", "effective", "period_start",
                      "period_end", "notice_days", "reason", "kind", "service_change", "refund_deadline", "amendment_clause",
                      "refund_clause", "terms_href", "empty"):
            out.append(f"{field}: {getattr(notice, field)!r}")
        out += [f"article {a!r}" for a in notice.articles]
        out += [f"row {r!r}" for r in notice.rows]
    return ("\n".join(out) + "\n").encode("utf-8")


def golden_diff() -> bytes:
    """For each scenario: every unit of both sides (path, kind, label, anchor, text), each change, and format_diff."""
    from generator.changes import diff as d

    out: list[str] = []
    for name, variant, scenario in DIFF_SCENARIOS:
        old, new = _scenario_documents(variant, scenario)
        result = d.diff(old, new)
        out.append(f"===== {name} ({variant}) =====")
        for side, doc in (("old", old), ("new", new)):
            for u in d.units(doc):
                out.append(f"{side} unit {u.path} | {u.kind} | {u.article} | {u.label} | {u.anchor} | own {d.own_number(u)!r} | {u.text!r}")
        for a in result.articles:
            out.append(f"article {a.id} {a.status} {a.old_number}->{a.new_number} {a.old_heading!r}->{a.new_heading!r} refs={a.references}")
        for c in result.units:
            shown = d.inline(c.segments) if c.segments else ""
            out.append(f"change {c.unit.path} {c.status} {c.old.label if c.old else None}->{c.new.label if c.new else None} {shown!r}")
        out.append(f"empty={result.empty}")
        out.append(d.format_diff(result))
    return ("\n".join(out) + "\n").encode("utf-8")


def make_fee_repo(dest: Path) -> Path:
    """A release repository whose 第2版 changes a clause's fee and a 別紙 fee cell (tests/test_notice_content.py)."""
    import pytest

    from generator.changes.release import release
    from release_repo import TODAY, commit_all, edit, fixed_git_dates, make_repo

    mp = pytest.MonkeyPatch()
    fixed_git_dates(mp)
    try:
        root = make_repo(dest)
        release(root, None, baseline=True, today=TODAY)
        edit(root, "variants/alpha.yaml", '"79,200"', '"88,000"')
        edit(root, "variants/alpha.yaml", '"16,500円"', '"18,700円"')
        commit_all(root, "料金改定")
        release(root, ["alpha"], "2026-12-01", "2027-01-01", "料金の改定", today=TODAY)
    finally:
        mp.undo()
    return root


def golden_fee_notices() -> dict[Path, bytes]:
    import tempfile

    from generator.changes.notice import make_notice, render_notice

    with tempfile.TemporaryDirectory() as tmp:
        notice = make_notice(make_fee_repo(Path(tmp) / "fee"), "alpha")
        return {GOLDEN / f"notice-fee.{fmt}": render_notice(notice, fmt) for fmt in ("md", "html")}


def golden_files() -> dict[Path, bytes]:
    """Every golden file and its expected bytes (tests/update_golden.py writes exactly these)."""
    files = {golden_path(fmt): golden_text(fmt) for fmt in TEXT_FORMATS}
    files.update(golden_fee_notices())
    files[GOLDEN / "diff.txt"] = golden_diff()
    files[GOLDEN / "notice.txt"] = golden_notice()
    return files
