#!/usr/bin/env bash
# NAB accuracy of vigil's anomaly model, one command (docs/anomaly-detection.md "Accuracy").
#
#   tests/bench/anomaly_score.sh [--api] [BUILD_DIR] [OUT_DIR]
#
# --api: the same series through the public API instead of the library: builds the vigil binary,
# starts it with --clock manual (a fresh one per series) and runs tests/bench/anomaly_score_api.py
# (PutMetricData, then GetMetricData with ANOMALY_DETECTION_BAND(m1, 2) as of each 4-hour chunk).
#
# Builds anomaly_nab in BUILD_DIR (default build-anomaly, configured with -DVIGIL_BENCH=ON),
# replays every NAB-dev series causally (band k=2, retrained every 5 min of data, the model's
# documented defaults, no per-series options), writes the bands to OUT_DIR/<subset>/ and scores
# them with score_nab.py at alarm 3 of 3, next to the simple baselines at k=2,3,4 with 3 of 3.
#   NAB=/path/to/nab-dev   (default ../shared/data/nab-dev)
#   SCORER=/path/to/score_nab.py (default ../shared/tools/score_nab.py)
#   BASELINES=''           skip the baselines (faster)
set -euo pipefail
api=0
if [[ "${1:-}" == "--api" ]]; then api=1; shift; fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-anomaly}"
out="${2:-/tmp/vigil-anomaly-nab}"
nab="${NAB:-$root/../shared/data/nab-dev}"
scorer="${SCORER:-$root/../shared/tools/score_nab.py}"
baselines="${BASELINES-static_prob,expanding,rolling_z,rolling_mad,seasonal_day}"

if [[ $api == 1 ]]; then
  cmake --build "$build" --target vigil -j2 >/dev/null
else
  cmake --build "$build" --target anomaly_nab -j2 >/dev/null
fi
for subset in realAWSCloudwatch realKnownCause; do
  rm -rf "$out/$subset"
  if [[ $api == 1 ]]; then
    python3 "$root/tests/bench/anomaly_score_api.py" --vigil "$build/vigil" --nab "$nab" \
      --subset "$subset" --out "$out/$subset" --k 2
  else
    "$build/tests/anomaly_nab" --nab "$nab" --subset "$subset" --out "$out/$subset" --k 2 --retrain 300
  fi
  python3 "$scorer" --nab "$nab" --subset "$subset" --bands "$out/$subset" --label "vigil k=2" \
    --alarm 3/3 --ks 2,3,4 --baselines "$baselines"
  echo
done
