#!/bin/sh
# Runs the JavaScript SDK integration test: installs node_modules from the committed
# package-lock.json (npm ci) when they are missing or stale, then `node --test`.
# Env: VIGIL_BIN (binary to start), VIGIL_ENDPOINT (use a running server instead).
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.vigil-package-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
exec node --test --test-reporter=spec cloudwatch.test.mjs alarms.test.mjs anomaly.test.mjs sns.test.mjs
