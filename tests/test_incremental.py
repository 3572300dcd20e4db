"""Incremental builds: only what changed is rendered, and the cache can cost time but never correctness.

Renders are counted through BuildResult.rendered / .reused. The sample repository has two
variants that differ by the option `medical` (beta has it on), and beta replaces purpose.scope.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, REPO, run_cli
from generator import render
from generator.build.verify import verify
from generator.build.builder import build
from generator.lint.checks import lint

FORMATS = list(render.REGISTRY)
CACHE = Path(".kiyaku") / "cache"


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relpath}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _clean_build(src: Path, dest: Path) -> dict[str, str]:
    """What a build from nothing (no cache, no previous output) gives for the same sources."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("rendered", ".kiyaku"))
    build(dest, jobs=1, cache=False)
    return _snapshot(dest / "rendered")


def _variants(pairs: list[tuple[str, str]]) -> set[str]:
    return {v for v, _fmt in pairs}


@pytest.fixture
def built(mini: Path) -> Path:
    result = build(mini, jobs=1)
    assert len(result.rendered) == 2 * len(FORMATS) and not result.reused
    return mini


def test_nothing_changed_means_no_parsing_no_linting_no_rendering(built: Path, monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("an unchanged repository must not be parsed, linted or rendered")

    import generator.source._cache
    import generator.lint.checks

    monkeypatch.setattr(generator.source._cache, "parse_bytes", refuse)
    monkeypatch.setattr(generator.lint.checks, "load_project", refuse)
    monkeypatch.setattr(render, "get", refuse)
    before = _snapshot(built / "rendered")
    result = build(built, jobs=1)
    assert result.rendered == [] and len(result.reused) == 2 * len(FORMATS)
    assert not result.published
    assert _snapshot(built / "rendered") == before


def test_changing_one_variant_rerenders_only_that_variant(built: Path) -> None:
    _edit(built, "variants/alpha.yaml", 'member_fee: "79,200"', 'member_fee: "80,000"')
    result = build(built, jobs=1)
    assert sorted(result.rendered) == sorted(("alpha", f) for f in FORMATS)
    assert _variants(result.reused) == {"beta"}
    assert "80,000" in (built / "rendered" / "alpha" / "alpha.txt").read_text(encoding="utf-8")
    assert verify(built) == []


def test_shared_clause_change_rerenders_only_variants_whose_text_changed(built: Path) -> None:
    alpha_before = _snapshot(built / "rendered" / "alpha")
    _edit(built, "terms/fees.yaml", "医療機器では利用しないでください。", "医療機器では利用できません。")
    result = build(built, jobs=1)
    assert sorted(result.rendered) == sorted(("beta", f) for f in FORMATS)
    assert {f.how for f in result.files if f.variant_id == "alpha"} == {"cached"}  # compiled, not rendered
    assert _snapshot(built / "rendered" / "alpha") == alpha_before
    assert "利用できません" in (built / "rendered" / "beta" / "beta.txt").read_text(encoding="utf-8")
    assert verify(built) == []
    # beta replaces purpose.scope: changing the shared text there changes alpha only
    _edit(built, "terms/purpose.yaml", "提供する条件", "提供するサービスの条件")
    result = build(built, jobs=1)
    assert sorted(result.rendered) == sorted(("alpha", f) for f in FORMATS)
    assert verify(built) == []


def test_going_back_to_earlier_sources_reuses_the_output_cache(built: Path) -> None:
    first = _snapshot(built / "rendered")
    _edit(built, "terms/fees.yaml", "とします。", "と定めます。")
    assert len(build(built, jobs=1).rendered) == 2 * len(FORMATS)
    _edit(built, "terms/fees.yaml", "と定めます。", "とします。")
    result = build(built, jobs=1)
    assert result.rendered == [] and {f.how for f in result.files} == {"cached"}
    assert _snapshot(built / "rendered") == first


def test_a_corrupted_cache_entry_is_detected_and_rebuilt(built: Path, tmp_path: Path) -> None:
    clean = _clean_build(built, tmp_path / "clean")
    entries = sorted(p for p in (built / CACHE).rglob("*") if p.is_file() and p.parent.parent.name == "out")
    assert len(entries) == 2 * len(FORMATS)
    for path in entries:  # same length, one byte different: only the checksum can tell
        data = bytearray(path.read_bytes())
        data[-1] ^= 0xFF
        path.write_bytes(bytes(data))
    shutil.rmtree(built / "rendered")
    result = build(built, jobs=1)
    assert len(result.rendered) == 2 * len(FORMATS)  # nothing corrupted was served
    assert _snapshot(built / "rendered") == clean
    assert verify(built) == []


def test_every_corrupted_cache_file_costs_time_only(built: Path, tmp_path: Path) -> None:
    """Each entry of every kind (parsed YAML, lint results, outputs, build state) garbled at once."""
    _edit(built, "variants/beta.yaml", "self: 弊社", "self: 当社")
    expected = _clean_build(built, tmp_path / "clean")
    for path in (p for p in (built / CACHE).rglob("*") if p.is_file()):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] + b"garbage")
    assert lint(built, cache=True) == lint(built, cache=False)
    build(built, jobs=1)
    assert _snapshot(built / "rendered") == expected
    assert verify(built) == []


def test_deleting_rendered_or_the_cache_gives_a_full_correct_rebuild(built: Path, tmp_path: Path) -> None:
    clean = _clean_build(built, tmp_path / "clean")
    shutil.rmtree(built / "rendered")
    result = build(built, jobs=1)
    assert result.rendered == [] and {f.how for f in result.files} == {"cached"}
    assert _snapshot(built / "rendered") == clean
    shutil.rmtree(built / ".kiyaku" / "cache")
    result = build(built, jobs=1)
    assert len(result.rendered) == 2 * len(FORMATS)  # without the recorded state nothing in rendered/ is trusted
    assert _snapshot(built / "rendered") == clean
    shutil.rmtree(built / ".kiyaku")
    (built / "rendered" / "beta" / "beta.md").unlink()
    result = build(built, jobs=1)
    assert len(result.rendered) == 2 * len(FORMATS)
    assert _snapshot(built / "rendered") == clean
    assert verify(built) == []


def test_an_edited_output_is_replaced_even_with_its_old_size_and_time(built: Path, tmp_path: Path) -> None:
    clean = _clean_build(built, tmp_path / "clean")
    target = built / "rendered" / "alpha" / "alpha.txt"
    st = target.stat()
    data = target.read_bytes()
    with open(target, "r+b") as handle:  # in place: same inode and size
        handle.write(b"X" + data[1:])
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old modification time
    (built / "rendered" / "beta" / "stray.txt").write_text("x", encoding="utf-8")
    result = build(built, jobs=1)
    assert {f.variant_id for f in result.files if f.how != "kept"} == {"alpha", "beta"}
    assert _snapshot(built / "rendered") == clean
    assert verify(built) == []


def test_formats_subsets_templates_and_timestamps_are_part_of_the_key(built: Path, monkeypatch) -> None:
    result = build(built, formats=["txt", "html"], jobs=1)
    assert result.rendered == [] and {f.how for f in result.files} == {"cached"}
    assert sorted(p.name for p in (built / "rendered" / "alpha").iterdir()) == ["alpha.html", "alpha.txt", "manifest.json"]
    assert verify(built) == []
    build(built, jobs=1)
    template = built / "templates" / "letterhead.docx"
    template.parent.mkdir()
    shutil.copy(REPO / "generator" / "templates" / "terms.docx", template)
    _edit(built, "variants/beta.yaml", "self: 弊社", "self: 弊社\ntemplate: templates/letterhead.docx")
    assert _variants(build(built, jobs=1).rendered) == {"beta"}
    import docx

    document = docx.Document(str(template))  # the template changes, the variant file does not
    document.core_properties.title = "レターヘッド"
    document.save(str(template))
    assert _variants(build(built, jobs=1).rendered) == {"beta"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = build(built, jobs=1)
    assert {f.how for f in result.files if f.format in ("pdf", "docx")} == {"rendered"}
    assert verify(built) == []


def test_build_of_some_variants_leaves_the_others(built: Path) -> None:
    _edit(built, "terms/fees.yaml", "とします。", "と定めます。")
    result = build(built, ["beta"], jobs=1)
    assert _variants(result.rendered) == {"beta"} and result.variants == ["beta"]
    assert "と定めます" not in (built / "rendered" / "alpha" / "alpha.txt").read_text(encoding="utf-8")
    stale = verify(built)  # alpha is out of date, and verify says so
    assert stale and {f.code for f in stale} == {"O006"} and all("/alpha/" in f.location.path for f in stale)
    assert _variants(build(built, jobs=1).rendered) == {"alpha"}
    assert verify(built) == []


def test_cli_prints_counts_and_no_cache_renders_everything(built: Path) -> None:
    run = run_cli("build", "--root", str(built))
    assert run.code == 0, run.stderr
    assert run.stdout == "" and "作り直し 0 件" in run.stderr and "描画 0 件・再利用 10 件" in run.stderr
    run = run_cli("build", "--root", str(built), "--no-cache", "--jobs", "1")
    assert run.code == 0, run.stderr
    assert "描画 10 件・再利用 0 件" in run.stderr and run.stdout.count(" → ") == 2
    assert run_cli("verify", "--root", str(built)).code == 0
    assert run_cli("build", "--root", str(built), "--jobs", "0").code == 2


def test_a_build_without_the_cache_still_leaves_the_next_build_nothing_to_do(tmp_path: Path) -> None:
    """--no-cache reads no cache but writes what it rendered: after it, `kiyaku build` (and the site,
    which runs the same build) takes everything from rendered/ instead of rendering it all again."""
    from release_repo import make_repo

    root = make_repo(tmp_path, MINI, "mini")  # a fresh clone: no rendered/, no .kiyaku/
    run = run_cli("build", "--root", str(root), "--no-cache", "--jobs", "1")
    assert run.code == 0, run.stderr
    assert "描画 10 件・再利用 0 件" in run.stderr
    run = run_cli("build", "--root", str(root), "--jobs", "1")
    assert run.code == 0, run.stderr
    assert "作り直し 0 件" in run.stderr and "描画 0 件・再利用 10 件" in run.stderr


def test_lint_without_the_cache_still_fills_it(tmp_path: Path) -> None:
    """The same rule for lint --no-cache: nothing read, the results kept for the next run."""
    from release_repo import make_repo

    root = make_repo(tmp_path, MINI, "mini")
    assert run_cli("lint", "--root", str(root), "--no-cache").code == 0
    assert any((root / ".kiyaku" / "cache").rglob("*")), "lint --no-cache left no cache"


BROKEN = [
    ("terms/fees.yaml", "利用料金は年間{member_fee}円とします。", "利用料金は年間{member_fee}円とします(税込)。"),  # PR006
    ("terms/refunds.yaml", "{ref:fees.no-refund}", "{ref:fees.nothing}"),  # P002
    ("terms/document.yaml", "    description: 会員の年間利用料金\n", "    description: 会員の年間利用料金\n  unused_fee:\n    description: 使われない\n"),  # L003
    ("variants/beta.yaml", "medical: true", "medical: true\n  medicall: true"),  # R002
    ("variants/alpha.yaml", 'member_fee: "79,200"', 'member_fee: "79,200"\n  extra_fee: "1"'),  # L004
]


def _formatted(root: Path, cache: bool) -> list[str]:
    return [f.format() + f" [{f.severity}]" for f in lint(root, cache=cache)]


def test_cached_and_uncached_lint_give_identical_findings(mini: Path) -> None:
    for relpath, old, new in BROKEN:
        _edit(mini, relpath, old, new)
    expected = _formatted(mini, cache=False)
    assert {"PR006", "P002", "L003", "R002", "L004"} <= {line.split()[1] for line in expected}
    assert _formatted(mini, cache=True) == expected  # cold cache
    assert _formatted(mini, cache=True) == expected  # warm cache
    for relpath, new, old in [(r, n, o) for r, o, n in BROKEN[:2]]:  # fix some, one at a time
        _edit(mini, relpath, new, old)
        assert _formatted(mini, cache=True) == _formatted(mini, cache=False)
    _edit(mini, "terms/purpose.yaml", "caption: 目的", "caption: 目的\ncaption: 二重")  # a YAML error: load stage
    assert _formatted(mini, cache=True) == _formatted(mini, cache=False) != []
    assert _formatted(mini, cache=True) == _formatted(mini, cache=False)


def test_cli_lint_with_and_without_cache_agree(mini: Path) -> None:
    _edit(mini, *BROKEN[0])
    first, second, uncached = (run_cli("lint", "--root", str(mini), *extra) for extra in ([], [], ["--no-cache"]))
    assert first.code == second.code == uncached.code == 1
    assert first.stdout == second.stdout == uncached.stdout and "PR006" in first.stdout


def test_the_code_fingerprint_covers_every_module_a_build_runs() -> None:
    """A cached output is keyed by the code that made it: every module used to render must be hashed.

    Deliberately left out (generator/source/_cache.py _NOT_CACHED): modules whose results are never cached.
    """
    script = (
        "import sys; from pathlib import Path\n"
        "from generator.compile.pipeline import load, compile_variant\n"
        "from generator.build.builder import render_context\n"
        "from generator import render; from generator.source import _cache\n"
        f"root = Path({str(MINI)!r}); project = load(root)\n"
        "for v in project.variants:\n"
        "    doc = compile_variant(project, v)\n"
        "    for fmt in render.REGISTRY: render.get(fmt).render(doc, render_context(project, root, doc))\n"
        "used = {m.__file__ for n, m in sys.modules.items() if n.startswith('generator') and getattr(m, '__file__', None)}\n"
        "hashed = {str(p) for p in _cache._closure()} | {str(_cache._module_file(n)) for n in _cache._NOT_CACHED}\n"
        "print('\\n'.join(sorted(Path(u).name for u in used - hashed)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [], f"modules used to render but missing from the cache key: {proc.stdout}"


def test_cache_stays_out_of_rendered_and_tmp(built: Path) -> None:
    _edit(built, "variants/alpha.yaml", "アルファ", "アルファー")
    build(built, jobs=1)
    assert not list((built / ".kiyaku" / "tmp").iterdir())
    assert not [p for p in (built / "rendered").rglob("*") if p.name.startswith((".", "stage-", "old-"))]
    names = {p.name for p in (built / CACHE).iterdir()}
    assert {"parse", "lint", "out", "state"} <= names
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.name) for p in (built / CACHE / "out").rglob("*") if p.is_file())
