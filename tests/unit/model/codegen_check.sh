#!/usr/bin/env bash
# Regenerates the model from the installed botocore into a temporary tree and fails when the
# committed files differ (the tables must never drift from the model they claim to follow).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for service in cloudwatch sns; do
  python3 "$here/tools/codegen/gen_model.py" "$service" --out "$tmp" >/dev/null
  for f in "include/vigil/model/$service.h" "src/model/$service.gen.cc"; do
    if ! diff -q "$tmp/$f" "$here/$f" >/dev/null; then
      echo "$f is out of date: run tools/codegen/gen_model.py $service" >&2
      exit 1
    fi
  done
done
echo "codegen check: generated model is up to date"
