#!/usr/bin/env bash
# The test suite, as CI runs it: installs what is missing (test-only clients too), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/python -m pytest -q -n 2 "$@"
