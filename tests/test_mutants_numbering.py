"""Built-in parameters in clause text (generator/numbering.py), found by mutation testing.

{edition}, {notice_days}, {issued}, {effective} (和暦 with the western year in brackets by default, :西暦 on request) and {name}
are filled from the variant file in process, with values written out here by hand.
"""

from __future__ import annotations

from pathlib import Path

from conftest import MINI, copy_project
from generator.compile.pipeline import compile_variant, load
from generator.render.text import render_text

CLAUSE = ("版{edition}・予告{notice_days}日・公表{issued}・公表西暦{issued:西暦}・実施{effective}・実施西暦{effective:西暦}・"
          "名{name}")


def test_builtin_parameters_are_filled_from_the_variant(tmp_path: Path) -> None:
    root = copy_project(MINI, tmp_path / "mini")
    purpose = root / "terms" / "purpose.yaml"
    purpose.write_text(purpose.read_text(encoding="utf-8").replace(
        "text: 本規約は、", f"text: {CLAUSE}。本規約は、"), encoding="utf-8")
    variant = root / "variants" / "alpha.yaml"
    text = variant.read_text(encoding="utf-8")
    text = text.replace("edition: 1\n", "edition: 3\nnotice_days: 45\n")
    text = text.replace('issued: "2022-07-25"', 'issued: "2024-04-01"').replace('effective: "2022-07-25"', 'effective: "2024-05-20"')
    variant.write_text(text, encoding="utf-8")
    rendered = render_text(compile_variant(load(root), "alpha"))
    assert ("版3・予告45日・公表令和6年（2024年）4月1日・公表西暦2024年4月1日・実施令和6年（2024年）5月20日・実施西暦2024年5月20日・"
            "名アルファ商工会議所。") in rendered, rendered[:400]
