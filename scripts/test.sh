#!/usr/bin/env bash
# Set everything up (venv, packages, Debian's chromium for browser tests) and run the whole test suite.
# Extra arguments go to pytest, e.g. scripts/test.sh -k parse
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null
  else
    echo "chromium missing: install Debian's chromium package (sudo apt-get install chromium)" >&2
  fi
fi
# axe-core (accessibility checks in tests/test_web_a11y.py), from npm into tests/.node, loaded from there into pages
AXE_VERSION=4.11.0
if [ ! -f tests/.node/node_modules/axe-core/axe.min.js ] || ! grep -q "\"version\": \"$AXE_VERSION\"" tests/.node/node_modules/axe-core/package.json; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm) >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix tests/.node "axe-core@$AXE_VERSION" >/dev/null
  else
    echo "npm missing: install Node.js and npm (apt-get install npm) for the accessibility tests" >&2
  fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
.venv/bin/ruff check searchsvc tests bench     # lint (pyproject.toml [tool.ruff])
.venv/bin/lint-imports --no-cache --no-logo  # the layout rules (pyproject.toml [tool.importlinter])
.venv/bin/mypy searchsvc                    # types (pyproject.toml [tool.mypy]: strict on the core)
exec .venv/bin/python -m pytest "$@"
