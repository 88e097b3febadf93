#!/usr/bin/env bash
# `npm run demo`: sets itself up (Node dependencies, openssl for the local cluster's
# certificates), then runs the narrated demo. Options: see `npm run demo -- --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --demo
exec node --import tsx scripts/demo.ts "$@"
