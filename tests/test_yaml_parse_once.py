"""Each YAML file is parsed once: the safety checks run on the event stream of the same parse.

Why it matters: a separate scan parsed every file twice (~40 % of a cold project load). The
scanner is ruamel's real one, counted (not replaced) while a file is read; the refusals the
scan made are still made, at the same positions, before anything is built (an alias bomb
never expands).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.scanner import RoundTripScanner

from generator.source._yaml import load_yaml_text
from generator.source.errors import SourceError


@pytest.fixture
def scans(monkeypatch) -> list[int]:
    """How many times ruamel's scanner has been created (one per parse of a text)."""
    count = [0]
    real = RoundTripScanner.__init__

    def counting(self, *args, **kwargs):
        count[0] += 1
        real(self, *args, **kwargs)

    monkeypatch.setattr(RoundTripScanner, "__init__", counting)
    return count


def test_a_good_file_is_scanned_once(scans) -> None:
    text = Path(__file__).resolve().parents[1].joinpath("terms", "document.yaml").read_text(encoding="utf-8")
    loaded = load_yaml_text(text, Path("terms/document.yaml"))
    assert loaded.data and scans[0] == 1


@pytest.mark.parametrize("text,code,line,col", [
    ("a: &x 1\nb: *x\n", "Y007", 1, 4),
    ("a: 1\nb: *x\n", "Y007", 2, 4),  # an alias without an anchor is refused too
    ("%YAML 1.2\n---\na: 1\n", "Y006", 2, 1),
    ("a: !!python/name:os.system x\n", "Y008", 1, 4),
    ("a: &a [x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", "Y007", 1, 4),
    ("a: 1\nb: &late [x\n", "Y007", 2, 4),  # refused at the anchor, before the syntax error after it
])
def test_refusals_come_from_the_same_parse(scans, text: str, code: str, line: int, col: int) -> None:
    with pytest.raises(SourceError) as caught:
        load_yaml_text(text, Path("x.yaml"))
    finding = caught.value.findings[0]
    assert (finding.code, finding.location.line, finding.location.col) == (code, line, col)
    assert scans[0] == 1
