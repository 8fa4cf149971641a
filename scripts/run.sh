#!/usr/bin/env bash
# Installs what is missing, builds vigil and starts it on its defaults (127.0.0.1:4590, data in
# ./data). Any arguments are passed to vigil (see build/vigil --help).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/build.sh" -DVIGIL_TESTS=OFF -DVIGIL_BENCH=OFF
cd "$here"
exec ./build/vigil "$@"
