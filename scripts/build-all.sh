#!/usr/bin/env bash
# The main job: render every reseller's terms (DOCX, PDF, HTML, ...) and build the website.
set -euo pipefail
export NO_MKDOCS_2_WARNING=1  # mkdocs-material's notice about mkdocs 2.0; not actionable here
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kiyaku lint
.venv/bin/kiyaku build
if [ -f mkdocs.yml ]; then .venv/bin/mkdocs build --strict; fi
