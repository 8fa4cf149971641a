// ANOMALY_DETECTION_BAND over the store (docs/anomaly-detection.md "API"): the band of one
// metric and statistic at given times, each value from a model trained only on data before it.
#pragma once

#include <cstdint>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/engine.h"
#include "vigil/query/metric_data.h"

namespace vigil::query::internal {

struct BandRequest {
  MetricQuery metric;          // series, unit, statistic and period; start/end are ignored
  std::vector<int64_t> times;  // epoch ms, ascending: where the band is wanted
  AnomalyBandSettings settings;
  double k = 2;
};

struct BandSeries {
  std::vector<int64_t> times;  // the requested times that have a band
  std::vector<double> upper;
  std::vector<double> lower;
};

// The model for time t is trained as of RetrainTime(t) (<= t) on the 14 days before it, so the
// band at t depends only on data before t. Errors: store failures, an unknown time zone.
Result<BandSeries> ComputeAnomalyBand(storage::MetricStore& store, const BandRequest& request,
                                      Timestamp as_of);

// When the model used for a point at `t_millis` is trained: the start of its hour (epoch-aligned),
// or of a longer epoch-aligned block when the times span more than 48 hours, so a request trains
// at most ~48 models.
int64_t RetrainInterval(const std::vector<int64_t>& times);

}  // namespace vigil::query::internal
