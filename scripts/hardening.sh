#!/usr/bin/env bash
# The dedicated hardening run (README "Hardening", "Faults"): the large versions (-m slow) of tests/test_hardening_*.py
# and tests/test_fault_*.py (disk full, damaged index, burst, soak),
# then the figures (cases tried, 5xx answers, unescaped outputs, failed requests during rebuild, kills
# survived, turns lost, load p99). About 8-15 min on 2 cores. Extra arguments go to pytest (e.g. -k crash).
#   SEARCHSVC_HARDENING_INDEX=DIR   index for the 60 s load test (default: a fresh build of the corpus below)
#   SEARCHSVC_HARDENING_CORPUS=DIR  that corpus (default ../shared/corpus; without it, the bundled sample, said)
#   SEARCHSVC_HYPOTHESIS_PROFILE    Hypothesis profile (default: hardening, 4,000 examples a property)
#   HARDENING_OUT=DIR               figures and the corpus index (default: test-artifacts/hardening)
#   SEARCHSVC_SOAK_SECONDS=1200     the soak (test_hardening_soak.py); SEARCHSVC_SOAK_REBUILD_SECONDS=240 between
#                                   rebuilds (an `index add` half way); SEARCHSVC_SOAK_CORPUS (../shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "no .venv: run scripts/test.sh once first (it sets everything up)" >&2; exit 2; }
out=${HARDENING_OUT:-test-artifacts/hardening}
mkdir -p "$out"
export SEARCHSVC_HARDENING=1
export SEARCHSVC_HYPOTHESIS_PROFILE=${SEARCHSVC_HYPOTHESIS_PROFILE:-hardening}
export SEARCHSVC_HARDENING_FIGURES="$PWD/$out/figures.jsonl"
: > "$SEARCHSVC_HARDENING_FIGURES"
corpus=${SEARCHSVC_HARDENING_CORPUS:-../shared/corpus}
if [ -z "${SEARCHSVC_HARDENING_INDEX:-}" ] && [ -d "$corpus" ]; then
  SEARCHSVC_HARDENING_INDEX="$PWD/$out/corpus-index"
  echo "building an index of $corpus for the load test ..." >&2
  .venv/bin/searchsvc --index "$SEARCHSVC_HARDENING_INDEX" index rebuild "$corpus" >&2
elif [ -z "${SEARCHSVC_HARDENING_INDEX:-}" ]; then
  echo "WARNING: no corpus at $corpus (from $PWD): the load test runs on the bundled sample, not the full" \
       "corpus; set SEARCHSVC_HARDENING_CORPUS or SEARCHSVC_HARDENING_INDEX for the real figures" >&2
fi
export SEARCHSVC_HARDENING_INDEX=${SEARCHSVC_HARDENING_INDEX:-}
status=0
.venv/bin/python -m pytest -m slow tests/test_hardening_*.py tests/test_fault_*.py -q -rfE --durations=20 "$@" || status=$?
.venv/bin/python tests/hardening_report.py "$SEARCHSVC_HARDENING_FIGURES" | tee "$out/figures.txt"
exit $status
