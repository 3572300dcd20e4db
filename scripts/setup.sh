#!/usr/bin/env bash
# Install everything kiyaku needs on a fresh Debian machine (idempotent; root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(poppler-utils chromium libreoffice-writer-nogui git faketime)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
