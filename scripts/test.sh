#!/usr/bin/env bash
# The test suite, as CI runs it: installs what is missing, then runs every test (slow ones too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m pytest -q -n 2 "$@"
