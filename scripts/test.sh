#!/usr/bin/env bash
# The whole test suite (README's second command). Sets itself up, runs every suite even
# when an earlier one fails, and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

failed=()
run() {
  local name=$1; shift
  echo; echo "==> $name: $*"
  "$@" || failed+=("$name")
}

run unit npm run --silent test:unit
run browser npm run --silent test:browser
run cluster npm run --silent test:cluster

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "All suites passed."
