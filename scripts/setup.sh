#!/usr/bin/env bash
# Install what kiyaku needs, into a project virtual environment (.venv/), never into the system Python.
#
#   bash scripts/setup.sh          what the main job needs: git, and kiyaku with its Python packages
#   bash scripts/setup.sh --test   also the test-only second clients (LibreOffice, Chromium, poppler, ...)
#
# Idempotent and fast when nothing changed: pip runs only when pyproject.toml (or the set of extras,
# or the Python) differs from what .venv/.kiyaku-setup recorded. Debian/Ubuntu packages come from
# apt-get (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${KIYAKU_PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.kiyaku-setup

MAIN_APT=(git)
# Second clients used only by the tests: they read what kiyaku writes, the way users' programs do.
# fonts-noto-cjk: a Japanese font for LibreOffice, so its conversion of our DOCX is meaningful.
# faketime: determinism is checked with the clock moved a day.
TEST_APT=(poppler-utils chromium libreoffice-writer-nogui fonts-noto-cjk faketime)

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "scripts/setup.sh: 不明な引数 $arg（使えるのは --test だけです） / unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*" >&2; }

# One clear sentence on a Python that is missing or too old, before anything is installed.
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  say "Python 3 が見つかりません。apt-get install python3 で入れてください / python3 not found: install it with apt-get install python3."
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  say "kiyaku には Python 3.11 以上が必要です（$PYTHON は $version）/ kiyaku needs Python 3.11 or newer; $PYTHON is $version."
  exit 1
fi

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      say "次のパッケージを管理者が入れてください / ask an administrator to install: ${missing[*]}"
      exit 1
    fi
  fi
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

packages=("${MAIN_APT[@]}")
((want_test)) && packages+=("${TEST_APT[@]}")
# Debian and Ubuntu ship venv and ensurepip separately from python3 itself.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  packages+=("python3-venv")
fi
# The Nu HTML checker (npm vnu-jar) needs Java and npm; machines that already have them from
# elsewhere (a Node.js or JDK install) keep theirs.
if ((want_test)); then
  command -v java >/dev/null 2>&1 || packages+=("default-jre-headless")
  command -v npm >/dev/null 2>&1 || packages+=("npm")
fi
command -v dpkg >/dev/null 2>&1 && apt_install "${packages[@]}"

# tests only: the Nu HTML checker (tests/test_site_browser.py finds it with `npm root -g`)
if ((want_test)) && [ ! -f "$(npm root -g)/vnu-jar/build/dist/vnu.jar" ]; then
  say "npm install -g vnu-jar"
  npm install -g -q vnu-jar@26.9.27 >/dev/null
fi

if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  say "仮想環境 $VENV/ を作成 / creating $VENV/"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

# What is installed is a function of pyproject.toml, the extras and the interpreter.
extras=""; ((want_test)) && extras="[test]"
fingerprint="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$VENV/bin/python" -c 'import sys; print(sys.version)' | head -1)"
recorded=$(cat "$STAMP" 2>/dev/null || true)
# A test install is a superset of the main one.
if [ "$recorded" = "$fingerprint [test]" ] || [ "$recorded" = "$fingerprint $extras" ]; then
  exit 0
fi
say "pip install -e .$extras（$VENV/ の中へ / into $VENV/）"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".$extras"
echo "$fingerprint $extras" > "$STAMP"
