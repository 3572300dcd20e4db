"""Mutation testing still runs (CI smoke test): bench/mutation.sh on the smallest core module.

The full run over the legal core is a benchmark (bench/mutation.sh without arguments, minutes);
this runs one module so a broken script, a broken mutmut or tests that stop killing the calendar's
mutants fail CI. The score threshold is the project's target (docs/testing.md).
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from conftest import REPO

TARGET = 85.0


@pytest.mark.slow
def test_mutation_score_of_the_calendar() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"MUTATION_SHOW": "0"}
    proc = subprocess.run(["bash", "bench/mutation.sh", "generator/history/_calendar.py"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = re.search(r"^generator/history/_calendar\.py: (\d+) killed, (\d+) survived, .* score ([\d.]+)%", proc.stdout, re.M)
    assert line, proc.stdout + proc.stderr
    killed, survived, score = int(line[1]), int(line[2]), float(line[3])
    assert killed > 50  # the module really was mutated
    assert score >= TARGET, f"{survived} mutants survived: bench/mutation.sh history/_calendar shows them"
