"""The scale benchmark still runs: bench/bench_scale.py --smoke (N=3, one baseline document) prints its figures.

The figures themselves are not checked (they depend on the machine); the full run is a script
(see the report in bench/bench_scale.py's docstring), not a test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

FIGURES = ("cold_s", "noop_s", "one_variant_s", "shared_s", "option_clause_s", "peak_rss_mib", "warm_render_s", "warm_build_s")


@pytest.mark.slow
def test_scale_benchmark_smoke_run_prints_its_figures() -> None:
    proc = subprocess.run([sys.executable, "bench/bench_scale.py", "--smoke"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("figure ")]
    assert len(lines) == 1, proc.stdout
    values = dict(re.findall(r"(\w+)=(\S+)", lines[0]))
    assert values["n"] == "3"
    for name in FIGURES:
        assert float(values[name]) > 0, f"{name} missing or zero: {lines[0]}"
    if Path("/usr/bin/soffice").exists():  # the benchmark's baseline engine
        assert float(values["baseline_s"]) > 0 and float(values["ratio"]) > 0
    for label in ("full cold build", "no-op rebuild", "rebuild after one variant changed",
                  "rebuild after a shared clause changed", "one variant docx+pdf+html"):
        assert label in proc.stdout


SITE_FIGURES = ("site_fresh_s", "build_cold_s", "site_s", "search_kib", "home_kib")


@pytest.mark.slow
def test_site_benchmark_smoke_run_prints_its_figures() -> None:
    proc = subprocess.run([sys.executable, "bench/bench_site.py", "--smoke"], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"generator from {REPO}" in proc.stdout  # the checkout's generator, not the installed one
    lines = [line for line in proc.stdout.splitlines() if line.startswith("figure ")]
    assert len(lines) == 1, proc.stdout
    values = dict(re.findall(r"(\w+)=(\S+)", lines[0]))
    assert values["n"] == "3"
    for name in SITE_FIGURES:
        assert float(values[name]) > 0, f"{name} missing or zero: {lines[0]}"
