#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: system packages (only those missing), a virtualenv in
# .venv, and reportflow with every Python dependency pinned by constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

# tesseract + Chinese data for OCR; poppler for the pdftotext baseline in benchmarks; TrueType
# CJK fonts to typeset the benchmark/sample PDFs; chromium for the run-report browser test.
APT_PACKAGES=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd poppler-utils fonts-wqy-zenhei fonts-arphic-uming chromium python3-venv)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
.venv/bin/reportflow --help >/dev/null
echo "setup: ok ($(tesseract --version 2>&1 | head -n1), $(.venv/bin/python --version))"
