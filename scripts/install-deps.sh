#!/usr/bin/env bash
# Installs what vigil needs from Debian 12's packages, skipping what is already there.
#
#   scripts/install-deps.sh            build dependencies (compiler, CMake, libraries)
#   scripts/install-deps.sh --test     build + test dependencies (GoogleTest, Benchmark, the
#                                      JavaScript SDK from npm; checks boto3 and the aws cli)
#   scripts/install-deps.sh --runtime  only the shared libraries the vigil binary loads (Docker)
set -euo pipefail

mode=build
case "${1:-}" in
  --test) mode=test ;;
  --runtime) mode=runtime ;;
  "" | --build) mode=build ;;
  *) echo "usage: $0 [--build|--test|--runtime]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

runtime_pkgs=(librocksdb7.8 libcbor0.8 libspdlog1.10 libfmt9 libboost-system1.74.0 zlib1g
              libssl3 ca-certificates tzdata libsimdjson14 libdate-tz3)
build_pkgs=(build-essential g++ cmake pkg-config ccache libboost-dev libboost-system-dev
            nlohmann-json3-dev libcbor-dev librocksdb-dev libspdlog-dev libfmt-dev zlib1g-dev
            libssl-dev libhowardhinnant-date-dev libsimdjson-dev)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev rapidjson-dev openssl)

case "$mode" in
  runtime) want=("${runtime_pkgs[@]}") ;;
  build) want=("${build_pkgs[@]}") ;;
  test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "$mode" = test ]; then
  # The integration tests drive vigil with real clients.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends nodejs npm
  fi
  if [ ! -d "$here/tests/integration/js/node_modules/@aws-sdk/client-cloudwatch" ]; then
    npm ci --prefix "$here/tests/integration/js" --no-audit --no-fund --loglevel=error
  fi
  python3 - <<'PY' || { echo "python3 with boto3 and the aws cli is needed for the integration tests" >&2; exit 1; }
import boto3, botocore  # noqa: F401
PY
  command -v aws >/dev/null || { echo "the aws cli is needed for the integration tests" >&2; exit 1; }
fi
