#!/usr/bin/env bash
# The whole test suite (README's second command). Sets itself up, runs every suite even
# when an earlier one fails, and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

failed=()
passed_total=0
failed_total=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run() {
  local name=$1; shift
  echo; echo "==> $name: $*"
  "$@" 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]}
  # mocha's own summary lines ("N passing", "N failing"), added up for the closing line.
  local p f
  p=$(sed -E 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^\s+[0-9]+ passing' | tail -1 | grep -oE '[0-9]+' | head -1)
  f=$(sed -E 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^\s+[0-9]+ failing' | tail -1 | grep -oE '[0-9]+' | head -1)
  passed_total=$((passed_total + ${p:-0}))
  failed_total=$((failed_total + ${f:-0}))
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    # A suite that died before its summary still counts as a failure.
    [ "${f:-0}" -gt 0 ] || failed_total=$((failed_total + 1))
  fi
}

run unit npm run --silent test:unit
run manifests npm run --silent test:manifests
run browser npm run --silent test:browser
run images npm run --silent test:images
run cluster npm run --silent test:cluster

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  echo "${passed_total} passed, ${failed_total} failed"
  exit 1
fi
echo "All suites passed."
echo "${passed_total} passed, ${failed_total} failed"
