"""The HTML renderer's configuration, pinned by what a reader gets (issue 18, mutation testing).

generator/render/html.py builds its Jinja environment once, at import. A mutation test switches a
mutant on after the import, so these tests render with an environment built anew by
`html._environment()` — the same function, so a change to any of its settings (escaping, block
trimming, the trailing newline, the filters, the template folder) shows in the page: the page must
still be byte-identical to the golden rendering, and clause text must still be escaped.
"""

from __future__ import annotations

import html as html_lib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_project
from generator.compile.pipeline import compile_variant, load
from generator.render import html


@pytest.fixture
def fresh_env(monkeypatch) -> None:
    monkeypatch.setattr(html, "_ENV", html._environment())


def test_a_freshly_configured_environment_renders_the_golden_page(fresh_env) -> None:
    from golden import golden_path, golden_text

    assert golden_text("html") == golden_path("html").read_bytes()


def test_a_freshly_configured_environment_escapes_every_field(fresh_env, tmp_path: Path) -> None:
    """Clause text is escaped by the nobreak filter; captions, headings and column headers only by autoescape."""
    root = copy_project(MINI, tmp_path / "mini")
    clause = root / "terms" / "purpose.yaml"
    hostile = "<b>太字</b> & \"引用\" 'x'"
    clause.write_text(clause.read_text(encoding="utf-8").replace(
        "    text: 本規約は、{name}（以下「{self}」といいます。）が提供する条件を定めます。",
        "    text: '<b>太字</b> & \"引用\" ''x'''").replace("caption: 目的", "caption: 目的<i>"), encoding="utf-8")
    variant = root / "variants" / "alpha.yaml"
    variant.write_text(variant.read_text(encoding="utf-8").replace("columns: [作業時間, 作業費]", 'columns: ["<u>作業時間</u>", 作業費]')
                       .replace("heading: 駆け付け価格", 'heading: "駆け付け価格<s>"'), encoding="utf-8")
    page = html.render_page(compile_variant(load(root), "alpha"))
    assert "&lt;b&gt;太字&lt;/b&gt; &amp; &#34;引用&#34; &#39;x&#39;" in page  # markupsafe's entities, by hand
    assert "（目的&lt;i&gt;）" in page and '<th scope="col">&lt;u&gt;作業時間&lt;/u&gt;</th>' in page
    assert "駆け付け価格&lt;s&gt;" in page
    assert not any(tag in page for tag in ("<b>", "<i>", "<u>", "<s>")) and hostile in html_lib.unescape(page)


def test_the_stylesheet_is_read_as_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    """LANG=C on an old system (no UTF-8 mode): the stylesheet's Japanese comments must not depend on the locale."""
    assert "(no line starts with 。、）」)" in html.stylesheet()  # in process: the file as written
    out = tmp_path / "alpha.html"
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    done = subprocess.run([sys.executable, "-m", "generator", "render", "alpha", "--format", "html", "--root", str(MINI),
                           "-o", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    page = out.read_text(encoding="utf-8")
    assert html.stylesheet() in page and "テストサービス" in page
