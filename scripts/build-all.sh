#!/usr/bin/env bash
# The main job: render every reseller's terms (DOCX, PDF, HTML, ...) and build the website.
set -euo pipefail
export NO_MKDOCS_2_WARNING=1  # mkdocs-material's notice about mkdocs 2.0; not actionable here
cd "$(dirname "$0")/.."
bash scripts/setup.sh
kiyaku lint
kiyaku build
if [ -f mkdocs.yml ]; then mkdocs build --strict; fi
