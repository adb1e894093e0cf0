#!/usr/bin/env bash
# Set everything up and serve the search site on the bundled sample (http://127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
if [ ! -e index/CURRENT ]; then
  .venv/bin/searchsvc index rebuild
fi
.venv/bin/searchsvc index stats
exec .venv/bin/searchsvc serve "$@"
