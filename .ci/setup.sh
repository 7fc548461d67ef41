#!/usr/bin/env bash
# Everything a fresh machine with Python 3.11 and pip needs: a virtual environment in .venv with the
# project, every framework (torch pinned to the 2.13.0 CPU wheel) and the dev tools, plus Debian's
# chromium and chromedriver for the report's browser tests. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null
  else
    echo "setup: chromium/chromedriver missing and apt-get unavailable; browser tests will skip" >&2
  fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0" -e ".[all,dev]"
