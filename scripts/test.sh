#!/usr/bin/env bash
# Installs what is missing, builds vigil with its tests and runs the whole suite: unit tests,
# the API tests over the three protocols, and the integration tests that drive the real binary
# with the aws cli, boto3 (JSON, Query, CBOR) and the JavaScript SDK.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/install-deps.sh" --test
"$here/scripts/build.sh" -DVIGIL_TESTS=ON -DVIGIL_BENCH=ON
cd "$here"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600
